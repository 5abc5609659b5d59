/* dist.c -- sampling the model's distributions.
 *
 * Written by hand, not taken from a library such as GSL, for the same reason
 * as rng.c: a run must produce the same numbers on every machine and every
 * library version.  The methods are the textbook ones: the ziggurat for the
 * exponential, Box-Muller for the normal, Marsaglia and Tsang (2000) for the
 * gamma. */
#include "dist.h"

#include <math.h>
#include <pthread.h>

/* z such that P(Z < z) = 0.99 for a standard normal. */
#define Z99 2.3263478740408408

dist dist_constant(simtime v) { return (dist){DIST_CONSTANT, (double)v, 0}; }
dist dist_exponential(simtime mean) { return (dist){DIST_EXPONENTIAL, (double)mean, 0}; }
dist dist_uniform(simtime lo, simtime hi) { return (dist){DIST_UNIFORM, (double)lo, (double)hi}; }

dist dist_lognormal_median_p99(simtime median, simtime p99)
{
    double mu = log((double)median);
    return (dist){DIST_LOGNORMAL, mu, (log((double)p99) - mu) / Z99};
}

dist dist_lognormal_mean_cv(simtime mean, double cv)
{
    double s2 = log(1 + cv * cv);
    return (dist){DIST_LOGNORMAL, log((double)mean) - s2 / 2, sqrt(s2)};
}

dist dist_gamma_mean_cv(simtime mean, double cv)
{
    double k = 1.0 / (cv * cv);
    return (dist){DIST_GAMMA, k, (double)mean / k};
}

double dist_std_normal(rng *r)
{
    double u1 = rng_unif_pos(r), u2 = rng_unif(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* Exponential variates by the ziggurat method (Marsaglia and Tsang, 2000):
 * 256 layers; 99% of draws take one table look-up and a multiply instead of
 * a log.  Unlike the original, the layer index and the value come from
 * separate bits of one 64-bit draw (the low 8 and the high 53), which
 * removes the correlation between them that Doornik (2005) pointed out.
 * The tables are computed once, deterministically. */
#define ZIG_R 7.69711747013104972
#define ZIG_V 3.94965982258157e-3
#define ZIG_SCALE 9007199254740992.0 /* 2^53 */

static uint64_t zig_k[256];
static double zig_w[256], zig_f[256];
static pthread_once_t zig_once = PTHREAD_ONCE_INIT;

static void zig_init(void)
{
    double de = ZIG_R, te = de, q = ZIG_V / exp(-de);
    zig_k[0] = (uint64_t)((de / q) * ZIG_SCALE);
    zig_k[1] = 0;
    zig_w[0] = q / ZIG_SCALE;
    zig_w[255] = de / ZIG_SCALE;
    zig_f[0] = 1.0;
    zig_f[255] = exp(-de);
    for (int i = 254; i >= 1; i--) {
        de = -log(ZIG_V / de + exp(-de));
        zig_k[i + 1] = (uint64_t)((de / te) * ZIG_SCALE);
        te = de;
        zig_f[i] = exp(-de);
        zig_w[i] = de / ZIG_SCALE;
    }
}

static double exp_std(rng *r)
{
    pthread_once(&zig_once, zig_init);
    for (;;) {
        uint64_t u = rng_next(r);
        unsigned i = (unsigned)(u & 255);
        uint64_t j = u >> 11;
        if (j < zig_k[i])
            return (double)j * zig_w[i];
        if (i == 0) /* the tail beyond R: memoryless, so R + Exp(1) */
            return ZIG_R - log(rng_unif_pos(r));
        double x = (double)j * zig_w[i];
        if (zig_f[i] + rng_unif(r) * (zig_f[i - 1] - zig_f[i]) < exp(-x))
            return x;
    }
}

double dist_exp(rng *r, double mean) { return mean * exp_std(r); }

static double gamma_std(rng *r, double k)
{
    if (k < 1.0) /* boost: G(k) = G(k+1) * U^(1/k) */
        return gamma_std(r, k + 1.0) * pow(rng_unif_pos(r), 1.0 / k);
    double d = k - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x, v;
        do {
            x = dist_std_normal(r);
            v = 1.0 + c * x;
        } while (v <= 0);
        v = v * v * v;
        double u = rng_unif_pos(r);
        if (u < 1.0 - 0.0331 * x * x * x * x)
            return d * v;
        if (log(u) < 0.5 * x * x + d * (1.0 - v + log(v)))
            return d * v;
    }
}

static simtime to_ns(double v)
{
    if (!(v > 0))
        return 0;
    if (v >= 9.0e18)
        return (simtime)9.0e18;
    return (simtime)(v + 0.5);
}

simtime dist_sample(const dist *d, rng *r)
{
    switch (d->kind) {
    case DIST_CONSTANT:
        return (simtime)d->a;
    case DIST_EXPONENTIAL:
        return to_ns(dist_exp(r, d->a));
    case DIST_LOGNORMAL:
        return to_ns(exp(d->a + d->b * dist_std_normal(r)));
    case DIST_GAMMA:
        return to_ns(gamma_std(r, d->a) * d->b);
    case DIST_UNIFORM:
        return to_ns(d->a + (d->b - d->a) * rng_unif(r));
    }
    return 0;
}

double dist_mean(const dist *d)
{
    switch (d->kind) {
    case DIST_CONSTANT:
    case DIST_EXPONENTIAL:
        return d->a;
    case DIST_LOGNORMAL:
        return exp(d->a + d->b * d->b / 2);
    case DIST_GAMMA:
        return d->a * d->b;
    case DIST_UNIFORM:
        return (d->a + d->b) / 2;
    }
    return 0;
}

double dist_p99(const dist *d)
{
    const double z = 2.3263478740408408; /* the standard normal's 99th percentile */
    switch (d->kind) {
    case DIST_CONSTANT:
        return d->a;
    case DIST_EXPONENTIAL:
        return d->a * log(100.0);
    case DIST_LOGNORMAL:
        return exp(d->a + z * d->b);
    case DIST_GAMMA: { /* Wilson and Hilferty's cube-root normal approximation */
        double k = d->a, c = 1 - 1 / (9 * k) + z * sqrt(1 / (9 * k));
        return k * d->b * c * c * c;
    }
    case DIST_UNIFORM:
        return d->a + 0.99 * (d->b - d->a);
    }
    return 0;
}

double dist_second_moment(const dist *d)
{
    switch (d->kind) {
    case DIST_CONSTANT:
        return d->a * d->a;
    case DIST_EXPONENTIAL:
        return 2 * d->a * d->a;
    case DIST_LOGNORMAL:
        return exp(2 * d->a + 2 * d->b * d->b);
    case DIST_GAMMA:
        return d->a * (d->a + 1) * d->b * d->b;
    case DIST_UNIFORM:
        return (d->a * d->a + d->a * d->b + d->b * d->b) / 3;
    }
    return 0;
}

int dist_is_zero(const dist *d) { return d->kind == DIST_CONSTANT && d->a == 0; }

const char *dist_kind_name(dist_kind k)
{
    static const char *names[] = {"constant", "exponential", "lognormal", "gamma", "uniform"};
    return names[k];
}
