/* rand.h -- the statistical functions of XMILE 1.0 (section 3.5.2):
 * RANDOM, NORMAL, LOGNORMAL, EXPRND, POISSON.
 *
 * Each call in the model (each element of an array apart) draws from a
 * stream of its own, derived from the run seed, the key of the variable
 * that makes it and its position among that variable's calls, so that
 * adding or removing a variable does not change another one's draws.  A
 * call with a seed argument draws from a stream of that seed alone, the
 * same whatever the run seed ("if seed is provided, the sequence of
 * numbers will always be identical").
 *
 * A call draws once per DT: the draw is a pure function of the stream and
 * the step number, the step number sits in a slot of the value array, and
 * Runge-Kutta's intermediate stages see the draw of the step they belong
 * to.  The arguments are applied to the draw when the call is evaluated,
 * so re-evaluating an equation with one input moved (loop polarity, link
 * scores) keeps the same underlying draw and sees only the input's effect. */
#ifndef EDDY_SD_RAND_H
#define EDDY_SD_RAND_H

#include <stddef.h>

#include "sdmodel.h"

/* Give every call its stream for a run with m's seed, nothing drawn yet. */
void sd_rand_reset(sd_model *m);
/* The value of call `site` on its n arguments (the seed argument left
 * out) at the current step; NAN with why set when the arguments are out
 * of the distribution's domain (a negative standard deviation, ...). */
double sd_rand_eval(sd_model *m, int site, const double *a, int n, char *why, size_t whysize);
/* Why arguments a[0..n) are out of fn's domain, or NULL: for the checks
 * at load time (literal arguments) and at run time. */
const char *sd_rand_domain(int fn, const double *a, int n);
/* The function's name as XMILE spells it ("NORMAL"). */
const char *sd_rand_name(int fn);

#endif
