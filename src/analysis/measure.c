/* measure.c -- reading goodput, windows and recovery off a run's series. */
#include "measure.h"

#include <math.h>
#include <stdio.h>

int measure_col(const eddy_result *r, const char *entity, const char *metric)
{
    char name[320];
    snprintf(name, sizeof name, "%s.%s", entity, metric);
    return eddy_series_column(&r->series, name);
}

double measure_cell(const eddy_result *r, size_t row, int col)
{
    if (col < 0)
        return 0;
    double v = eddy_series_at(&r->series, row, (size_t)col);
    return isfinite(v) ? v : 0;
}

double measure_row_t(const eddy_result *r, size_t i) { return eddy_series_at(&r->series, i, 0); }

double measure_row_dt(const eddy_result *r, size_t i)
{
    return (i + 1 < r->series.nrows ? measure_row_t(r, i + 1) : r->duration) - measure_row_t(r, i);
}

double measure_clients(const model *m, const eddy_result *r, size_t i, const char *metric)
{
    double s = 0;
    for (size_t c = 0; c < m->nclients; c++)
        s += measure_cell(r, i, measure_col(r, m->clients[c].name, metric));
    return s;
}

double measure_goodput(const model *m, const eddy_result *r, size_t i) { return measure_clients(m, r, i, "goodput"); }

double measure_demand(const model *m, const eddy_result *r, size_t i)
{
    return measure_clients(m, r, i, "offered") + measure_clients(m, r, i, "shed");
}

double measure_window(const model *m, const eddy_result *r, double a, double b,
                      double (*f)(const model *, const eddy_result *, size_t))
{
    double s = 0, w = 0;
    for (size_t i = 0; i < r->series.nrows; i++) {
        double t0 = measure_row_t(r, i), t1 = t0 + measure_row_dt(r, i);
        double lo = t0 > a ? t0 : a, hi = t1 < b ? t1 : b;
        if (hi <= lo)
            continue;
        s += f(m, r, i) * (hi - lo);
        w += hi - lo;
    }
    return w > 0 ? s / w : NAN;
}

double measure_mean(const eddy_result *r, const char *entity, const char *metric, double a, double b)
{
    int c = measure_col(r, entity, metric);
    double s = 0, w = 0;
    for (size_t i = 0; c >= 0 && i < r->series.nrows; i++) {
        double t0 = measure_row_t(r, i), t1 = t0 + measure_row_dt(r, i);
        double lo = t0 > a ? t0 : a, hi = t1 < b ? t1 : b;
        if (hi <= lo)
            continue;
        s += measure_cell(r, i, c) * (hi - lo);
        w += hi - lo;
    }
    return w > 0 ? s / w : NAN;
}

double measure_recovery(const model *m, const eddy_result *obs, const eddy_result *base, double from)
{
    size_t n = obs->series.nrows < base->series.nrows ? obs->series.nrows : base->series.nrows;
    size_t first = 0;
    while (first < n && measure_row_t(obs, first) < from - 1e-9)
        first++;
    if (first >= n)
        return NAN;
    double rec = measure_row_t(obs, first);
    for (size_t i = first; i < n; i++) {
        size_t j = i + RECOVERY_ROWS <= n ? i + RECOVERY_ROWS : n;
        if (j - i < RECOVERY_ROWS && i > first)
            break; /* windows cut short by the end were judged within longer ones */
        double go = 0, gb = 0;
        for (size_t k = i; k < j; k++) {
            go += measure_goodput(m, obs, k);
            gb += measure_goodput(m, base, k);
        }
        if (go < GOOD_LEVEL * gb) {
            if (j >= n)
                return NAN;
            rec = measure_row_t(obs, i + 1);
        }
    }
    return rec;
}

double measure_p99(const eddy_result *r)
{
    double s = 0, w = 0;
    for (size_t i = 0; i < r->nclients; i++)
        if (r->clients[i].goodput) {
            s += r->clients[i].latency_p99 * (double)r->clients[i].goodput;
            w += (double)r->clients[i].goodput;
        }
    return w > 0 ? s / w : NAN;
}

double measure_capped_ratio(const model *m, const eddy_result *obs, const eddy_result *base, double a, double b)
{
    double got = 0, want = 0;
    for (size_t c = 0; c < m->nclients; c++) {
        double gb = measure_mean(base, m->clients[c].name, "goodput", a, b);
        double go = measure_mean(obs, m->clients[c].name, "goodput", a, b);
        if (isnan(gb) || isnan(go))
            continue;
        want += gb;
        got += go < gb ? go : gb;
    }
    return want > 0 ? got / want : 1;
}
