/* repair.c -- repair-time distributions (repair.h). */
#include "repair.h"

#include <math.h>

#include "dist.h"

repair repair_exponential(double mean) { return (repair){REPAIR_EXPONENTIAL, mean, 0}; }
repair repair_constant(double value) { return (repair){REPAIR_CONSTANT, value, 0}; }
repair repair_lognormal(double mu, double sigma) { return (repair){REPAIR_LOGNORMAL, mu, sigma}; }
repair repair_weibull(double shape, double scale) { return (repair){REPAIR_WEIBULL, shape, scale}; }

repair repair_weibull_mean(double shape, double mean) { return repair_weibull(shape, mean / tgamma(1 + 1 / shape)); }

/* z of the 99th percentile of the standard normal. */
#define REPAIR_Z99 2.3263478740408408

repair repair_lognormal_median_p99(double median, double p99)
{
    return repair_lognormal(log(median), (log(p99) - log(median)) / REPAIR_Z99);
}

repair repair_lognormal_mean_cv(double mean, double cv)
{
    double s2 = log1p(cv * cv);
    return repair_lognormal(log(mean) - s2 / 2, sqrt(s2));
}

const char *repair_kind_name(repair_kind k)
{
    static const char *const n[] = {"constant", "exponential", "lognormal", "weibull"};
    return n[k];
}

double repair_mean(const repair *r)
{
    switch (r->kind) {
    case REPAIR_CONSTANT:
    case REPAIR_EXPONENTIAL:
        return r->a;
    case REPAIR_LOGNORMAL:
        return exp(r->a + r->b * r->b / 2);
    case REPAIR_WEIBULL:
        return r->b * tgamma(1 + 1 / r->a);
    }
    return 0;
}

static double repair_phi(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }

/* The regularised upper incomplete gamma function Q(s, x), by its series
 * (x < s + 1) or its continued fraction (Lentz), as in Press et al.,
 * Numerical Recipes, section 6.2.  C99 has tgamma but not this. */
static double repair_gamma_q(double s, double x)
{
    if (x <= 0)
        return 1;
    double lg = lgamma(s);
    if (x < s + 1) {
        double ap = s, sum = 1 / s, del = sum;
        for (int n = 0; n < 1000; n++) {
            ap += 1;
            del *= x / ap;
            sum += del;
            if (fabs(del) < fabs(sum) * 1e-16)
                break;
        }
        return 1 - sum * exp(-x + s * log(x) - lg);
    }
    double b = x + 1 - s, c = 1 / 1e-300, d = 1 / b, h = d;
    for (int i = 1; i < 1000; i++) {
        double an = -i * (i - s);
        b += 2;
        d = an * d + b;
        if (fabs(d) < 1e-300)
            d = 1e-300;
        c = b + an / c;
        if (fabs(c) < 1e-300)
            c = 1e-300;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-16)
            break;
    }
    return exp(-x + s * log(x) - lg) * h;
}

double repair_beyond(const repair *r, double g)
{
    double m = repair_mean(r);
    if (g <= 0 || m <= 0)
        return 1;
    double partial = 0; /* E[(R - g)+] = integral from g of the survival function */
    switch (r->kind) {
    case REPAIR_CONSTANT:
        partial = r->a > g ? r->a - g : 0;
        break;
    case REPAIR_EXPONENTIAL:
        partial = m * exp(-g / m);
        break;
    case REPAIR_LOGNORMAL: {
        double mu = r->a, s = r->b, lg = log(g);
        partial = m * repair_phi((mu + s * s - lg) / s) - g * repair_phi((mu - lg) / s);
        break;
    }
    case REPAIR_WEIBULL: {
        double k = r->a, lam = r->b, x = pow(g / lam, k);
        /* integral_g^inf exp(-(a/lam)^k) da = (lam/k) Gamma(1/k) Q(1/k, x) */
        partial = lam / k * tgamma(1 / k) * repair_gamma_q(1 / k, x);
        break;
    }
    }
    double b = partial / m;
    return b < 0 ? 0 : b > 1 ? 1 : b;
}

/* Gamma(shape >= 1, 1): Marsaglia and Tsang (2000). */
static double repair_gamma_sample(double shape, rng *g)
{
    double d = shape - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double x = dist_std_normal(g), v = 1 + c * x;
        if (v <= 0)
            continue;
        v = v * v * v;
        double u = rng_unif_pos(g);
        if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
            return d * v;
    }
}

double repair_sample(const repair *r, rng *g)
{
    switch (r->kind) {
    case REPAIR_CONSTANT:
        return r->a;
    case REPAIR_EXPONENTIAL:
        return -r->a * log(rng_unif_pos(g));
    case REPAIR_LOGNORMAL:
        return exp(r->a + r->b * dist_std_normal(g));
    case REPAIR_WEIBULL:
        return r->b * pow(-log(rng_unif_pos(g)), 1 / r->a);
    }
    return 0;
}

double repair_sample_age(const repair *r, rng *g)
{
    /* The outage in progress at a random instant is length-biased (density
     * x f(x) / E[R]); its age is a uniform fraction of it. */
    switch (r->kind) {
    case REPAIR_CONSTANT:
        return rng_unif(g) * r->a;
    case REPAIR_EXPONENTIAL:
        return -r->a * log(rng_unif_pos(g)); /* memoryless */
    case REPAIR_LOGNORMAL: /* length-biased lognormal(mu, s) is lognormal(mu + s^2, s) */
        return rng_unif(g) * exp(r->a + r->b * r->b + r->b * dist_std_normal(g));
    case REPAIR_WEIBULL: /* (L/lambda)^k of the length-biased Weibull is Gamma(1 + 1/k) */
        return rng_unif(g) * r->b * pow(repair_gamma_sample(1 + 1 / r->a, g), 1 / r->a);
    }
    return 0;
}


void repair_sample_in_progress(const repair *r, rng *g, double *age, double *left)
{
    /* the length-biased length L, as repair_sample_age, then split at a
     * uniform point: age and time left are the two parts of one outage */
    double L = 0;
    switch (r->kind) {
    case REPAIR_CONSTANT:
        L = r->a;
        break;
    case REPAIR_EXPONENTIAL: /* length-biased exponential: Gamma(2, mean) */
        L = -r->a * (log(rng_unif_pos(g)) + log(rng_unif_pos(g)));
        break;
    case REPAIR_LOGNORMAL:
        L = exp(r->a + r->b * r->b + r->b * dist_std_normal(g));
        break;
    case REPAIR_WEIBULL:
        L = r->b * pow(repair_gamma_sample(1 + 1 / r->a, g), 1 / r->a);
        break;
    }
    *age = rng_unif(g) * L;
    *left = L - *age;
}
