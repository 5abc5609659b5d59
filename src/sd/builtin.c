/* builtin.c -- the pure XMILE builtins (OASIS XMILE 1.0, section 3.5). */
#include "builtin.h"

#include <math.h>
#include <string.h>

static const bi_info bi_table[] = {
    {"abs", BI_ABS, 1, 1}, {"sqrt", BI_SQRT, 1, 1}, {"exp", BI_EXP, 1, 1},
    {"ln", BI_LN, 1, 1}, {"log10", BI_LOG10, 1, 1}, {"log", BI_LOG, 1, 2},
    {"sin", BI_SIN, 1, 1}, {"cos", BI_COS, 1, 1}, {"tan", BI_TAN, 1, 1},
    {"arcsin", BI_ARCSIN, 1, 1}, {"arccos", BI_ARCCOS, 1, 1}, {"arctan", BI_ARCTAN, 1, 1},
    {"sinh", BI_SINH, 1, 1}, {"cosh", BI_COSH, 1, 1}, {"tanh", BI_TANH, 1, 1},
    {"int", BI_INT, 1, 1}, {"integer", BI_INT, 1, 1}, {"round", BI_ROUND, 1, 1},
    {"mod", BI_MOD, 2, 2}, {"modulo", BI_MOD, 2, 2}, {"sign", BI_SIGN, 1, 1},
    {"min", BI_MIN, 1, -1}, {"max", BI_MAX, 1, -1}, {"mean", BI_MEAN, 1, -1},
    {"sum", BI_SUM, 1, -1}, {"prod", BI_PROD, 1, -1}, {"size", BI_SIZE, 1, -1},
    {"stddev", BI_STDDEV, 1, -1}, {"rank", BI_RANK, 2, 3},
    {"safediv", BI_SAFEDIV, 2, 3}, {"xidz", BI_XIDZ, 3, 3}, {"zidz", BI_ZIDZ, 2, 2},
    {"pi", BI_PI, 0, 0}, {"inf", BI_INF, 0, 0},
    {"step", BI_STEP, 2, 2}, {"pulse", BI_PULSE, 1, 3}, {"ramp", BI_RAMP, 2, 3},
    {"init", BI_INIT, 1, 1}, {"previous", BI_PREVIOUS, 1, 2},
    {"smth1", BI_SMTH1, 2, 3}, {"smth3", BI_SMTH3, 2, 3}, {"smthn", BI_SMTHN, 3, 4},
    {"delay", BI_DELAY, 2, 3}, {"delay1", BI_DELAY1, 2, 3}, {"delay3", BI_DELAY3, 2, 3},
    {"delayn", BI_DELAYN, 3, 4}, {"trend", BI_TREND, 2, 3},
    {"lookup", BI_LOOKUP, 2, 2}, {"if_then_else", BI_IF_THEN_ELSE, 3, 3},
    {"time", BI_TIME, 0, 0}, {"dt", BI_DT, 0, 0},
    {"starttime", BI_STARTTIME, 0, 0}, {"stoptime", BI_STOPTIME, 0, 0},
    /* the statistical functions, each with an optional seed (3.5.2) */
    {"random", BI_RANDOM, 2, 3}, {"normal", BI_NORMAL, 2, 3}, {"lognormal", BI_LOGNORMAL, 2, 3},
    {"exprnd", BI_EXPRND, 1, 2}, {"poisson", BI_POISSON, 1, 2},
    {"forcst", BI_FORCST, 3, 4}, {"history", BI_HISTORY, 2, 2}, {"npv", BI_NPV, 2, 4},
};

const bi_info *bi_find(const char *canon)
{
    for (size_t i = 0; i < sizeof bi_table / sizeof bi_table[0]; i++)
        if (strcmp(bi_table[i].name, canon) == 0)
            return &bi_table[i];
    return 0;
}

/* The remainder of a truncating division, with the sign of the dividend:
 * -10 MOD 3 is -1, as the reference output of test-models "rounding" has
 * it (Vensim's MODULO and C's fmod agree). */
static double bi_fmod(double a, double b)
{
    return fmod(a, b);
}

double bi_eval(bi_id id, const double *a, int n, double t, double dt, int *divzero)
{
    double r;
    switch (id) {
    case BI_ABS: return fabs(a[0]);
    case BI_SQRT: return sqrt(a[0]);
    case BI_EXP: return exp(a[0]);
    case BI_LN: return log(a[0]);
    case BI_LOG10: return log10(a[0]);
    case BI_LOG: return n == 2 ? log(a[0]) / log(a[1]) : log10(a[0]);
    case BI_SIN: return sin(a[0]);
    case BI_COS: return cos(a[0]);
    case BI_TAN: return tan(a[0]);
    case BI_ARCSIN: return asin(a[0]);
    case BI_ARCCOS: return acos(a[0]);
    case BI_ARCTAN: return atan(a[0]);
    case BI_SINH: return sinh(a[0]);
    case BI_COSH: return cosh(a[0]);
    case BI_TANH: return tanh(a[0]);
    case BI_INT: return trunc(a[0]); /* toward zero: INT(-9.9) is -9 (test-models "rounding") */
    case BI_ROUND: return round(a[0]);
    case BI_SIGN: return a[0] > 0 ? 1 : a[0] < 0 ? -1 : 0;
    case BI_MOD:
        if (a[1] == 0) {
            *divzero = 1;
            return 0;
        }
        return bi_fmod(a[0], a[1]);
    case BI_MIN:
        r = a[0];
        for (int i = 1; i < n; i++)
            r = a[i] < r ? a[i] : r;
        return r;
    case BI_MAX:
        r = a[0];
        for (int i = 1; i < n; i++)
            r = a[i] > r ? a[i] : r;
        return r;
    case BI_SUM:
    case BI_MEAN:
        r = 0;
        for (int i = 0; i < n; i++)
            r += a[i];
        return id == BI_MEAN ? r / n : r;
    case BI_PROD:
        r = 1;
        for (int i = 0; i < n; i++)
            r *= a[i];
        return r;
    case BI_SIZE: return n;
    case BI_STDDEV: {
        double m = 0, s = 0;
        for (int i = 0; i < n; i++)
            m += a[i];
        m /= n;
        for (int i = 0; i < n; i++)
            s += (a[i] - m) * (a[i] - m);
        return n > 1 ? sqrt(s / (n - 1)) : 0;
    }
    case BI_ELEM: {
        /* XMILE 1.0 section 3.7.1: a subscript out of range gives 0 */
        double i = trunc(a[0]);
        return i >= 1 && i <= n - 1 ? a[(int)i] : 0;
    }
    case BI_RANK:
    case BI_RANK2: {
        /* The position (from 1) of the r-th smallest of k values, ties
         * broken by the second array, then by position; 0 if there is no
         * r-th (XMILE 1.0 section 3.7.1: an invalid index gives 0).  The
         * k^2 comparisons need no memory, and arrays in models are small. */
        int k = id == BI_RANK2 ? (n - 1) / 2 : n - 1;
        const double *v = a + 1, *w = id == BI_RANK2 ? a + 1 + k : NULL;
        double rr = trunc(a[0]);
        if (!(rr >= 1 && rr <= k))
            return 0;
        for (int i = 0; i < k; i++) {
            int before = 0;
            for (int j = 0; j < k; j++)
                before += v[j] < v[i] || (v[j] == v[i] && ((w && w[j] < w[i]) || ((!w || w[j] == w[i]) && j < i)));
            if (before == (int)rr - 1)
                return i + 1;
        }
        return 0;
    }
    case BI_SAFEDIV: return a[1] == 0 ? (n == 3 ? a[2] : 0) : a[0] / a[1];
    case BI_XIDZ: return a[1] == 0 ? a[2] : a[0] / a[1];
    case BI_ZIDZ: return a[1] == 0 ? 0 : a[0] / a[1];
    case BI_PI: return 3.14159265358979323846;
    case BI_INF: return INFINITY;
    case BI_STEP: return t + dt / 2 >= a[1] ? a[0] : 0;
    case BI_PULSE: {
        /* XMILE PULSE(magnitude, first[, interval]): magnitude/DT during
         * one DT, so a stock fed by it gains `magnitude`; interval 0 or
         * absent means once. */
        double first = n > 1 ? a[1] : t, every = n > 2 ? a[2] : 0;
        double eps = dt / 2;
        if (t + eps < first)
            return 0;
        if (every <= 0)
            return fabs(t - first) < eps ? a[0] / dt : 0;
        double k = fmod(t - first + eps, every);
        return k < dt - 1e-12 * every ? a[0] / dt : 0;
    }
    case BI_RAMP: {
        double end = n > 2 ? a[2] : INFINITY;
        if (t <= a[1])
            return 0;
        return a[0] * ((t < end ? t : end) - a[1]);
    }
    default: return NAN;
    }
}
