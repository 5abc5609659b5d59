/* sd_sweep.c -- sweeps and basins over constants of stock-and-flow models:
 * one compiled run per point, the final state compared. */
#include "sd_sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/err.h"
#include "../core/xalloc.h"

int sd_axis_parse(const char *arg, sd_axis *ax, char *why, size_t whysize)
{
    const char *eq = strchr(arg, '=');
    const char *dots = eq ? strstr(eq + 1, "..") : NULL;
    if (!eq || eq == arg || !dots) {
        snprintf(why, whysize, "expected NAME=LO..HI (a constant of the model and its range), got '%s'", arg);
        return -1;
    }
    if ((size_t)(eq - arg) >= sizeof ax->name) {
        snprintf(why, whysize, "the name is too long");
        return -1;
    }
    char lo[128], hi[128];
    snprintf(lo, sizeof lo, "%.*s", (int)(dots - eq - 1), eq + 1);
    snprintf(hi, sizeof hi, "%s", dots + 2);
    char *e1, *e2;
    double a = strtod(lo, &e1), b = strtod(hi, &e2);
    if (e1 == lo || *e1 || e2 == hi || *e2 || !isfinite(a) || !isfinite(b)) {
        snprintf(why, whysize, "expected numbers in NAME=LO..HI, got '%s'", arg);
        return -1;
    }
    if (!(a < b)) {
        snprintf(why, whysize, "LO must be below HI in '%s'", arg);
        return -1;
    }
    snprintf(ax->name, sizeof ax->name, "%.*s", (int)(eq - arg), arg);
    ax->lo = a;
    ax->hi = b;
    return 0;
}

/* One run with base plus the given axis values; the final, min and max of
 * every stock into the arrays (each nstocks long, may be NULL). */
typedef struct sw_run {
    const sd_model *m;
    size_t ncols;
    const int *stock_cols;
    size_t nstocks;
    double *final, *min, *max;
    size_t rows;
} sw_run;

static void sw_row(double t, const double *cols, size_t n, void *ud)
{
    (void)t;
    (void)n;
    sw_run *r = ud;
    for (size_t i = 0; i < r->nstocks; i++) {
        double v = cols[r->stock_cols[i]];
        if (r->rows == 0 || v < r->min[i])
            r->min[i] = v;
        if (r->rows == 0 || v > r->max[i])
            r->max[i] = v;
        r->final[i] = v;
    }
    r->rows++;
}

static sd_model *sw_load(const char *path, const sd_runspec *spec, const sd_axis *const *ax, const double *val,
                         size_t nax, eddy_error *err)
{
    size_t nbase = spec->nov;
    sd_override *ov = xcalloc(1, (nbase + nax) * sizeof *ov);
    if (nbase)
        memcpy(ov, spec->ov, nbase * sizeof *ov);
    for (size_t i = 0; i < nax; i++)
        ov[nbase + i] = (sd_override){ax[i]->name, val[i]};
    sd_model *m = sd_load(path, ov, nbase + nax, err);
    free(ov);
    if (m && spec->method >= 0)
        sd_set_method(m, spec->method);
    if (m && spec->seed_given)
        sd_set_seed(m, spec->seed);
    if (m && spec->dt > 0 && sd_set_dt(m, spec->dt, err) != 0) {
        sd_free(m);
        return NULL;
    }
    /* an axis' error names the axis' option, not --set */
    for (size_t i = 0; !m && i < nax; i++) {
        char pre[300];
        int k = snprintf(pre, sizeof pre, "--set %s:", ax[i]->name);
        if (k > 0 && strncmp(err->msg, pre, (size_t)k) == 0) {
            char msg[sizeof err->msg];
            snprintf(msg, sizeof msg, "--%c%s", i == 0 ? 'x' : 'y', err->msg + 5);
            snprintf(err->msg, sizeof err->msg, "%s", msg);
        }
    }
    return m;
}

/* The stocks' columns of m. */
static int *sw_stocks(const sd_model *m, size_t *n)
{
    int *s = xcalloc(1, (sd_ncols(m) + 1) * sizeof *s);
    *n = 0;
    for (size_t i = 0; i < sd_ncols(m); i++)
        if (sd_col_kind(m, i) == SD_STOCK)
            s[(*n)++] = (int)i;
    return s;
}

static int sw_one(const char *path, const sd_runspec *spec, const sd_axis *const *ax, const double *val, size_t nax,
                  double *final, double *min, double *max, eddy_error *err)
{
    sd_model *m = sw_load(path, spec, ax, val, nax, err);
    if (!m)
        return -1;
    size_t ns;
    int *sc = sw_stocks(m, &ns);
    double *scratch = NULL;
    if (!min || !max)
        scratch = xcalloc(1, (2 * ns + 1) * sizeof *scratch);
    sw_run r = {m, sd_ncols(m), sc, ns, final, min ? min : scratch, max ? max : scratch + ns, 0};
    int rc = sd_run(m, sw_row, &r, NULL, err);
    if (rc) {
        /* say at which point the run failed */
        char msg[sizeof err->msg];
        size_t k = 0;
        for (size_t i = 0; i < nax && k < sizeof msg; i++)
            k += (size_t)snprintf(msg + k, sizeof msg - k, "%s=%g: ", ax[i]->name, val[i]);
        if (k < sizeof msg)
            snprintf(msg + k, sizeof msg - k, "%s", err->msg);
        snprintf(err->msg, sizeof err->msg, "%s", msg);
    }
    free(sc);
    free(scratch);
    sd_free(m);
    return rc;
}

int sd_sweep_run(const char *path, const sd_runspec *spec, const sd_axis *x, size_t points, sd_sweep *out,
                 eddy_error *err)
{
    memset(out, 0, sizeof *out);
    out->x = *x;
    out->spec = *spec;
    if (points < 2)
        points = 2;
    /* the columns, from a first load (which also checks the axis) */
    const sd_axis *ax[1] = {x};
    double v0 = x->lo;
    sd_model *m = sw_load(path, spec, ax, &v0, 1, err);
    if (!m)
        return -1;
    out->method = sd_method(m);
    out->dt = sd_dt(m);
    size_t ns;
    int *sc = sw_stocks(m, &ns);
    out->nstocks = ns;
    out->names = xcalloc(1, (ns + 1) * sizeof *out->names);
    out->units = xcalloc(1, (ns + 1) * sizeof *out->units);
    for (size_t i = 0; i < ns; i++) {
        out->names[i] = xstrdup(sd_col_name(m, (size_t)sc[i]));
        out->units[i] = xstrdup(sd_col_units(m, (size_t)sc[i]));
    }
    free(sc);
    sd_free(m);
    out->npoints = points;
    out->xs = xcalloc(1, points * sizeof *out->xs);
    out->final = xcalloc(1, points * (ns + 1) * sizeof(double));
    out->min = xcalloc(1, points * (ns + 1) * sizeof(double));
    out->max = xcalloc(1, points * (ns + 1) * sizeof(double));
    for (size_t p = 0; p < points; p++) {
        double v = p + 1 == points ? x->hi : x->lo + (x->hi - x->lo) * (double)p / (double)(points - 1);
        out->xs[p] = v;
        if (sw_one(path, spec, ax, &v, 1, out->final + p * ns, out->min + p * ns, out->max + p * ns, err)) {
            sd_sweep_free(out);
            return -1;
        }
    }
    return 0;
}

void sd_sweep_free(sd_sweep *s)
{
    for (size_t i = 0; i < s->nstocks; i++) {
        free(s->names ? s->names[i] : NULL);
        free(s->units ? s->units[i] : NULL);
    }
    free(s->names);
    free(s->units);
    free(s->xs);
    free(s->final);
    free(s->min);
    free(s->max);
    memset(s, 0, sizeof *s);
}

sd_basin_opts sd_basin_defaults(void)
{
    sd_basin_opts o;
    memset(&o, 0, sizeof o);
    o.rows = 10;
    o.iterations = 7;
    o.tolerance = 0.1;
    return o;
}

typedef struct bs_ctx {
    const char *path;
    const sd_runspec *spec;
    const sd_basin_opts *o;
    size_t ns;
    bool *judged;
    double *ref, *fin;
    sd_basin *out;
    eddy_error *err;
} bs_ctx;

/* Run at (y, x); *tipped against c->ref (which this fills when ref is set). */
static int bs_run(bs_ctx *c, double y, double x, bool is_ref, bool *tipped)
{
    const sd_axis *ax[2] = {&c->o->x, &c->o->y};
    double val[2] = {x, y};
    double *dst = is_ref ? c->ref : c->fin;
    if (sw_one(c->path, c->spec, ax, val, c->o->has_y ? 2 : 1, dst, NULL, NULL, c->err))
        return -1;
    bool t = false;
    if (!is_ref)
        for (size_t i = 0; i < c->ns; i++) {
            if (!c->judged[i])
                continue;
            double a = c->ref[i], b = c->fin[i];
            double scale = fmax(fmax(fabs(a), fabs(b)), 1e-9);
            if (fabs(a - b) > c->o->tolerance * scale)
                t = true;
        }
    *tipped = t;
    sd_basin *out = c->out;
    out->points = xrealloc(out->points, (out->npoints + 1) * sizeof *out->points);
    out->points[out->npoints++] = (sd_basin_point){y, x, t};
    return 0;
}

int sd_basin_run(const char *path, const sd_runspec *spec, const sd_basin_opts *o, sd_basin *out, eddy_error *err)
{
    memset(out, 0, sizeof *out);
    out->o = *o;
    out->spec = *spec;
    const sd_axis *ax[2] = {&o->x, &o->y};
    double val[2] = {o->x.lo, o->y.lo};
    sd_model *m = sw_load(path, spec, ax, val, o->has_y ? 2 : 1, err);
    if (!m)
        return -1;
    out->method = sd_method(m);
    out->dt = sd_dt(m);
    size_t ns;
    int *sc = sw_stocks(m, &ns);
    bs_ctx c = {path, spec, &out->o, ns, xcalloc(1, (ns + 1) * sizeof(bool)),
                xcalloc(1, (ns + 1) * sizeof(double)), xcalloc(1, (ns + 1) * sizeof(double)), out, err};
    int rc = 0;
    for (size_t j = 0; j < o->njudge && !rc; j++) {
        int col = sd_col_find(m, o->judge[j]);
        size_t k = 0;
        while (k < ns && sc[k] != col)
            k++;
        if (col < 0 || k == ns)
            rc = err_set(err, sd_file(m), 0, 0, "--judge %s: not a stock of the model", o->judge[j]);
        else
            c.judged[k] = true;
    }
    if (o->njudge == 0)
        for (size_t k = 0; k < ns; k++)
            c.judged[k] = true;
    free(sc);
    sd_free(m);
    size_t rows = o->has_y ? (o->rows ? o->rows : 1) : 1;
    out->rows = xcalloc(1, rows * sizeof *out->rows);
    for (size_t r = 0; r < rows && !rc; r++) {
        double y = rows == 1 ? o->y.lo : r + 1 == rows ? o->y.hi : o->y.lo + (o->y.hi - o->y.lo) * (double)r / (double)(rows - 1);
        sd_basin_row *row = &out->rows[out->nrows++];
        row->y = y;
        bool t;
        if ((rc = bs_run(&c, y, o->x.lo, true, &t)) || (rc = bs_run(&c, y, o->x.hi, false, &t)))
            break;
        row->tips = t;
        row->below = o->x.lo;
        row->above = o->x.hi;
        if (!t)
            continue;
        for (int i = 0; i < o->iterations && !rc; i++) {
            double mid = (row->below + row->above) / 2;
            if ((rc = bs_run(&c, y, mid, false, &t)))
                break;
            if (t)
                row->above = mid;
            else
                row->below = mid;
        }
    }
    free(c.judged);
    free(c.ref);
    free(c.fin);
    if (rc)
        sd_basin_free(out);
    return rc;
}

void sd_basin_free(sd_basin *b)
{
    free(b->rows);
    free(b->points);
    memset(b, 0, sizeof *b);
}
