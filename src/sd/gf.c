/* gf.c -- evaluating graphical functions by binary search. */
#include "gf.h"

static double gf_line(const xm_gf *g, size_t i, double x)
{
    double dx = g->x[i + 1] - g->x[i];
    if (dx == 0)
        return g->y[i + 1];
    return g->y[i] + (g->y[i + 1] - g->y[i]) * (x - g->x[i]) / dx;
}

double gf_eval(const xm_gf *g, double x)
{
    size_t n = g->n;
    if (n == 1)
        return g->y[0];
    if (x != x)
        return x;
    if (x <= g->x[0]) {
        if (g->type == GF_EXTRAPOLATE)
            return gf_line(g, 0, x);
        return g->y[0];
    }
    if (x >= g->x[n - 1]) {
        if (g->type == GF_EXTRAPOLATE)
            return gf_line(g, n - 2, x);
        return g->y[n - 1];
    }
    size_t lo = 0, hi = n - 1; /* x[lo] <= x < x[hi] */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (g->x[mid] <= x)
            lo = mid;
        else
            hi = mid;
    }
    if (g->type == GF_DISCRETE)
        return g->y[lo];
    return gf_line(g, lo, x);
}
