/* repair.h -- repair-time distributions, and what a grace period makes of
 * them.
 *
 * An outage lasts a repair time R.  At a random instant, an outage in
 * progress has an age drawn from R's equilibrium law (length-biased, then
 * a uniform fraction), so the chance it has already lasted longer than a
 * grace period g is E[(R-g)+] / E[R].  That is what a consumer serving
 * cached data for g suffers, and it depends on the shape of R, not only on
 * its mean: repairs are often lognormal or Weibull, not exponential.
 * Times are in seconds (doubles): failure processes run over months. */
#ifndef EDDY_REPAIR_H
#define EDDY_REPAIR_H

#include "rng.h"

typedef enum repair_kind {
    REPAIR_CONSTANT,    /* a = value */
    REPAIR_EXPONENTIAL, /* a = mean */
    REPAIR_LOGNORMAL,   /* a = mu, b = sigma of ln(seconds) */
    REPAIR_WEIBULL,     /* a = shape k, b = scale lambda (seconds) */
} repair_kind;

typedef struct repair {
    repair_kind kind;
    double a, b;
} repair;

repair repair_exponential(double mean);
repair repair_lognormal_mean_cv(double mean, double cv);
repair repair_lognormal_median_p99(double median, double p99);
repair repair_lognormal(double mu, double sigma);
repair repair_weibull(double shape, double scale);
repair repair_weibull_mean(double shape, double mean);
repair repair_constant(double value);
double repair_mean(const repair *r);
/* P(the current outage's age > g | down): E[(R-g)+] / E[R]. */
double repair_beyond(const repair *r, double g);
/* A repair time, and the age of the outage in progress at a random instant. */
double repair_sample(const repair *r, rng *g);
double repair_sample_age(const repair *r, rng *g);
/* The outage in progress at a random instant: its age and the time it has
 * left, drawn together (a history started in the stationary state). */
void repair_sample_in_progress(const repair *r, rng *g, double *age, double *left);
const char *repair_kind_name(repair_kind k);

#endif
