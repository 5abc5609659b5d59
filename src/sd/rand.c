/* rand.c -- the statistical functions' streams and distributions (rand.h).
 *
 * The generator is eddy's own (src/core/rng.h, xoshiro256** seeded through
 * splitmix64), so a model and a seed give the same numbers on every
 * machine.  A draw is made from a fresh generator seeded from (stream,
 * step): nothing is carried from one step to the next, so a call skipped
 * at some steps (inside an IF) does not shift its later draws, and the
 * draw for a step can be made again whenever the equation is evaluated. */
#include "rand.h"

#include <math.h>
#include <stdio.h>

#include "../core/dist.h"
#include "../core/rng.h"
#include "builtin.h"

/* A purpose number of its own, so that these streams are not those of a
 * YAML model's entity of the same name. */
#define SD_RAND_PURPOSE 0x5d000000u

const char *sd_rand_name(int fn)
{
    switch (fn) {
    case BI_RANDOM: return "RANDOM";
    case BI_NORMAL: return "NORMAL";
    case BI_LOGNORMAL: return "LOGNORMAL";
    case BI_EXPRND: return "EXPRND";
    default: return "POISSON";
    }
}

void sd_rand_reset(sd_model *m)
{
    for (size_t i = 0; i < m->nrands; i++) {
        sd_rand *s = &m->rands[i];
        rng r;
        if (s->fixed)
            rng_stream(&r, s->seed, "", SD_RAND_PURPOSE);
        else
            rng_stream(&r, m->seed, s->name, SD_RAND_PURPOSE + s->ord);
        s->base = rng_next(&r);
        s->drawn = -1;
    }
}

const char *sd_rand_domain(int fn, const double *a, int n)
{
    for (int i = 0; i < n; i++)
        if (!isfinite(a[i]))
            return "an argument that is not a finite number";
    switch (fn) {
    case BI_RANDOM: return a[1] < a[0] ? "a maximum below its minimum" : NULL;
    case BI_NORMAL: return a[1] < 0 ? "a negative standard deviation" : NULL;
    case BI_LOGNORMAL:
        if (a[0] <= 0)
            return "a mean that is not above 0 (a log-normal value is positive)";
        return a[1] < 0 ? "a negative standard deviation" : NULL;
    case BI_EXPRND: return a[0] < 0 ? "a negative mean" : NULL;
    default: return a[0] < 0 ? "a negative mean" : NULL;
    }
}

/* Poisson(mean) by multiplication of uniforms below 10 (Knuth, TAOCP vol.
 * 2, 3.4.1) and by transformed rejection above (Hörmann 1993, "The
 * transformed rejection method for generating Poisson random variables",
 * PTRS), which takes a bounded number of draws at any mean. */
static double rand_poisson(rng *r, double mean)
{
    if (mean <= 0)
        return 0;
    if (mean < 10) {
        double limit = exp(-mean), prod = rng_unif(r);
        double k = 0;
        while (prod > limit) {
            k++;
            prod *= rng_unif(r);
        }
        return k;
    }
    double slam = sqrt(mean), loglam = log(mean);
    double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
    double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
        double u = rng_unif(r) - 0.5, v = rng_unif(r);
        double us = 0.5 - fabs(u);
        double k = floor((2 * a / us + b) * u + mean + 0.43);
        if (us >= 0.07 && v <= vr)
            return k;
        if (k < 0 || (us < 0.013 && v > us))
            continue;
        if (log(v) + log(invalpha) - log(a / (us * us) + b) <= -mean + k * loglam - lgamma(k + 1))
            return k;
    }
}

double sd_rand_eval(sd_model *m, int site, const double *a, int n, char *why, size_t whysize)
{
    sd_rand *s = &m->rands[site];
    /* The slot holds the step whose draw the call shows: set at the
     * step's first evaluation, and carried with the rest of the state
     * when loop analysis loads an earlier one. */
    if (s->drawn != m->rand_step) {
        m->v[s->slot] = (double)m->rand_step;
        s->drawn = m->rand_step;
    }
    const char *bad = sd_rand_domain(s->fn, a, n);
    if (bad) {
        snprintf(why, whysize, "calls %s with %s", sd_rand_name(s->fn), bad);
        return NAN;
    }
    uint64_t k = (uint64_t)(long long)m->v[s->slot];
    uint64_t st = s->base + k * 0xd1342543de82ef95ULL;
    rng r;
    rng_seed(&r, rng_splitmix64(&st));
    switch (s->fn) {
    case BI_RANDOM: return a[0] + (a[1] - a[0]) * rng_unif(&r);
    case BI_NORMAL: return a[0] + a[1] * dist_std_normal(&r);
    case BI_LOGNORMAL: {
        /* the mean and standard deviation are the log-normal value's own
         * (the spec's example: "LOGNORMAL(10, 1) samples from a lognormal
         * distribution with mean 10 and standard deviation 1") */
        double cv = a[1] / a[0], s2 = log1p(cv * cv);
        return exp(log(a[0]) - s2 / 2 + sqrt(s2) * dist_std_normal(&r));
    }
    case BI_EXPRND: return dist_exp(&r, a[0]);
    default: return rand_poisson(&r, a[0]);
    }
}
