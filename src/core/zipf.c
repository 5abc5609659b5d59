/* zipf.c -- Zipf sampling by rejection-inversion (Hörmann & Derflinger,
 * "Rejection-inversion to generate variates from monotone discrete
 * distributions", ACM TOMACS 6(3), 1996).
 *
 * Why hand-written: neither of eddy's libraries (libyaml, jansson) samples
 * distributions, and the usual alternatives cost memory linear in the key
 * count: a CDF table searched by bisection, or Walker's alias table.  A
 * cache may have millions of keys.  Rejection-inversion needs O(1) memory
 * and O(1) expected time for any N and exponent: it inverts the integral H
 * of the continuous hat h(x) = x^-s, rounds to the nearest rank, and
 * accepts with a test that rarely fails (the acceptance rate is above 0.9
 * for every s).  The formulas follow the well-tested form in Apache Commons
 * (RejectionInversionZipfSampler), whose helper functions stay accurate as
 * s -> 1 and s -> 0, where the closed forms divide by zero. */
#include "zipf.h"

#include <math.h>

/* log(1 + x) / x, accurate near 0 */
static double helper1(double x) { return fabs(x) > 1e-8 ? log1p(x) / x : 1 - x * (0.5 - x * (1.0 / 3 - x * 0.25)); }

/* (exp(x) - 1) / x, accurate near 0 */
static double helper2(double x)
{
    return fabs(x) > 1e-8 ? expm1(x) / x : 1 + x * 0.5 * (1 + x * (1.0 / 3) * (1 + x * 0.25));
}

/* H(x) = integral of the hat: (x^(1-s) - 1) / (1 - s), or log x at s = 1. */
static double hint(const zipf *z, double x)
{
    double lx = log(x);
    return helper2((1 - z->s) * lx) * lx;
}

static double h(const zipf *z, double x) { return exp(-z->s * log(x)); }

static double hint_inv(const zipf *z, double x)
{
    double t = x * (1 - z->s);
    if (t < -1)
        t = -1; /* rounding can push it just below its range */
    return exp(helper1(t) * x);
}

void zipf_init(zipf *z, int64_t n, double s)
{
    z->s = s;
    z->n = n;
    z->h_x1 = hint(z, 1.5) - 1;
    z->h_n = hint(z, (double)n + 0.5);
    z->thresh = 2 - hint_inv(z, hint(z, 2.5) - h(z, 2));
}

int64_t zipf_sample(const zipf *z, rng *g)
{
    if (z->n == 1)
        return 1;
    for (;;) {
        /* u uniform in (H(1.5) - 1, H(n + 0.5)] */
        double u = z->h_n + rng_unif(g) * (z->h_x1 - z->h_n);
        double x = hint_inv(z, u);
        int64_t k = (int64_t)(x + 0.5);
        if (k < 1)
            k = 1;
        else if (k > z->n)
            k = z->n;
        /* accept at once inside the squeeze, else test against the hat */
        if ((double)k - x <= z->thresh || u >= hint(z, (double)k + 0.5) - h(z, (double)k))
            return k;
    }
}

double zipf_pmf(int64_t n, double s, int64_t k)
{
    double norm = 0;
    for (int64_t i = n; i >= 1; i--) /* smallest terms first, for accuracy */
        norm += pow((double)i, -s);
    return pow((double)k, -s) / norm;
}
