/* dist.h -- the probability distributions a model can name.
 *
 * A dist is a small value (kind plus two parameters) that samples a duration
 * in nanoseconds from a given stream.  Parameters are stored in nanoseconds
 * (or in log-nanoseconds for the lognormal) so sampling does no unit work. */
#ifndef EDDY_DIST_H
#define EDDY_DIST_H

#include "clock.h"
#include "rng.h"

typedef enum dist_kind {
    DIST_CONSTANT,    /* a = value */
    DIST_EXPONENTIAL, /* a = mean */
    DIST_LOGNORMAL,   /* a = mu, b = sigma of ln(ns) */
    DIST_GAMMA,       /* a = shape k, b = scale theta (ns) */
    DIST_UNIFORM,     /* a = min, b = max */
} dist_kind;

typedef struct dist {
    dist_kind kind;
    double a, b;
} dist;

dist dist_constant(simtime v);
dist dist_exponential(simtime mean);
dist dist_lognormal_median_p99(simtime median, simtime p99);
dist dist_lognormal_mean_cv(simtime mean, double cv);
dist dist_gamma_mean_cv(simtime mean, double cv);
dist dist_uniform(simtime lo, simtime hi);

simtime dist_sample(const dist *d, rng *r);
double dist_mean(const dist *d);          /* ns */
double dist_second_moment(const dist *d); /* ns^2, for Pollaczek-Khinchine */
double dist_p99(const dist *d);           /* ns; gamma by Wilson-Hilferty */
int dist_is_zero(const dist *d);          /* constant 0: sampling can be skipped */
const char *dist_kind_name(dist_kind k);

/* Draw a standard normal and an exponential with the given mean. */
double dist_std_normal(rng *r);
double dist_exp(rng *r, double mean);

#endif
