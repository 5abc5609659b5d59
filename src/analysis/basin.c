/* basin.c -- map where a model tips into a metastable failure.
 *
 * The work goes in rounds: first both ends of x for every row, then one
 * bisection step for every row still open.  Each round is one batch_for
 * over (point, seed) jobs writing their own slots, and which x a row tries
 * next depends only on earlier rounds' results, so the map is the same
 * whatever the number of threads.  Every row uses the same seeds (common
 * random numbers), so neighbouring points differ by the change, not by
 * luck. */
#include "basin.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "burst.h"
#include "phases.h"
#include "sweep.h"
#include "variant.h"
#include "../core/xalloc.h"

basin_opts basin_defaults(void)
{
    basin_opts o = {0};
    o.rows = BASIN_DEFAULT_ROWS;
    o.iterations = BASIN_DEFAULT_ITERATIONS;
    o.seeds = BASIN_DEFAULT_SEEDS;
    return o;
}

int basin_parse_axis(const char *s, basin_axis *a, char *why, size_t why_size)
{
    memset(a, 0, sizeof *a);
    const char *eq = strchr(s, '=');
    if (!eq || eq == s) {
        snprintf(why, why_size, "expected PATH=LO..HI such as faults.0.for=1s..60s or load=0.2..1x, got '%s'", s);
        return -1;
    }
    size_t n = (size_t)(eq - s);
    if (n >= sizeof a->path) {
        snprintf(why, why_size, "the path in '%s' is too long", s);
        return -1;
    }
    memcpy(a->path, s, n);
    a->path[n] = 0;
    if (sweep_parse_range(eq + 1, &a->lo, &a->hi, a->unit, sizeof a->unit, &a->integer, why, why_size) < 0)
        return -1;
    if (!strcmp(a->path, "load")) {
        a->load = true;
        a->integer = false;
        if (a->unit[0] && strcmp(a->unit, "x")) {
            snprintf(why, why_size, "load is a multiple of the model's load, written like 0.2..1x; got unit '%s'",
                     a->unit);
            return -1;
        }
        if (!(a->lo > 0)) {
            snprintf(why, why_size, "load multiples must be greater than 0, got '%s'", eq + 1);
            return -1;
        }
        strcpy(a->unit, "x");
    }
    return 0;
}

int basin_resolve_axes(const char *path, basin_opts *o, eddy_error *err)
{
    model *m = model_load(path, err);
    if (!m)
        return -1;
    if (m->nfaults == 0 && burst_any(m)) {
        err_set(err, path, 0, 0,
                "the model's only trigger is a load burst (a rate step); a basin varies a fault window, so add "
                "one (e.g. {at: 60s, for: 30s, target: db, slow: 10}) or see the burst's effect with `eddy "
                "diagnose`");
        model_free(m);
        return -1;
    }
    if (m->nfaults == 0) {
        err_set(err, path, 0, 0,
                "the model has no faults: a basin needs a trigger (add a fault window, e.g. "
                "{at: 60s, for: 30s, target: db, slow: 10})");
        model_free(m);
        return -1;
    }
    if (!o->x_set) {
        basin_axis *a = &o->x;
        memset(a, 0, sizeof *a);
        strcpy(a->path, "faults.0.for");
        strcpy(a->unit, "s");
        double sample = t_sec(m->sample) > 0 ? t_sec(m->sample) : 1;
        a->lo = sample;
        a->hi = floor(t_sec(m->duration - m->faults[0].at) / 2);
        if (!(a->hi > a->lo)) {
            err_set(err, path, m->faults[0].pos.line, m->faults[0].pos.col,
                    "faults[0] starts too close to the end of the run to vary its duration; name the x axis "
                    "with --x");
            model_free(m);
            return -1;
        }
    }
    if (!o->y_set) {
        basin_axis *a = &o->y;
        memset(a, 0, sizeof *a);
        strcpy(a->path, "load");
        strcpy(a->unit, "x");
        a->load = true;
        a->lo = 0.1;
        a->hi = 1.0;
    }
    model_free(m);
    return 0;
}

void basin_format_value(const basin_axis *a, double v, char *buf, size_t size)
{
    if (a->integer)
        snprintf(buf, size, "%.0f", v);
    else
        snprintf(buf, size, "%.4g%s", v, a->unit);
}

/* The value written into the model: exact, not rounded for people. */
static void edit_value(const basin_axis *a, double v, char *buf, size_t size)
{
    if (a->integer)
        snprintf(buf, size, "%.0f", v);
    else
        snprintf(buf, size, "%.10g%s", v, a->unit);
}

/* ---- one round of runs ------------------------------------------------------ */

typedef struct round_ctx {
    const basin_opts *o;
    model **models; /* per point */
    uint64_t base_seed;
    unsigned char *meta, *open, *failed; /* per job */
    double *amp;                         /* per job */
} round_ctx;

typedef struct row_sink {
    const model *m;
    phases_acc *acc;
    client_phases *ph;
    bool started, bad;
} row_sink;

static void on_row(const eddy_series *cols, const double *row, void *ud)
{
    row_sink *k = ud;
    if (!k->started) {
        k->started = true;
        for (size_t i = 0; i < k->m->nclients; i++)
            if (phases_begin(&k->acc[i], k->m, cols, t_sec(k->m->duration), i, &k->ph[i]) < 0)
                k->bad = true;
    }
    if (k->bad)
        return;
    for (size_t i = 0; i < k->m->nclients; i++)
        phases_row(&k->acc[i], row);
}

static void run_job(size_t i, void *ud)
{
    round_ctx *c = ud;
    size_t p = i / c->o->seeds;
    unsigned rep = (unsigned)(i % c->o->seeds);
    const model *m = c->models[p];
    row_sink k = {.m = m};
    k.acc = xcalloc(m->nclients + 1, sizeof *k.acc);
    k.ph = xcalloc(m->nclients + 1, sizeof *k.ph);
    eddy_options opt = eddy_options_default();
    opt.seed = batch_seed(c->base_seed, rep);
    opt.use_seed = true;
    opt.on_row = on_row;
    opt.row_ud = &k;
    opt.drop_series = true;
    eddy_result r;
    eddy_error err;
    c->amp[i] = NAN;
    if (eddy_run(m, &opt, &r, &err) != 0 || !k.started || k.bad) {
        c->failed[i] = 1;
    } else {
        double amp = NAN;
        for (size_t j = 0; j < m->nclients; j++) {
            phases_finish(&k.acc[j]);
            const client_phases *ph = &k.ph[j];
            if (ph->fault_open_at_end)
                c->open[i] = 1;
            else if (ph->has_faults && !ph->recovered && ph->final_success < RECOVERY_LEVEL * ph->baseline) {
                c->meta[i] = 1;
                double a = ph->n ? ph->v[ph->n - 1].amplification : NAN;
                if (isfinite(a) && !(a <= amp))
                    amp = a;
            }
        }
        if (c->meta[i])
            c->open[i] = 0; /* another client's failure outlived its trigger */
        c->amp[i] = amp;
    }
    if (k.started)
        for (size_t j = 0; j < m->nclients; j++)
            phases_free(&k.ph[j]);
    free(k.acc);
    free(k.ph);
    if (c->failed[i] == 0)
        eddy_result_free(&r);
}

/* A job's slot as bytes, for eddy-mpi (batch.h). */
static void pack_job(size_t i, void *ud, wire_buf *out)
{
    round_ctx *c = ud;
    unsigned char f[3] = {c->meta[i], c->open[i], c->failed[i]};
    wire_put(out, f, sizeof f);
    wire_put(out, &c->amp[i], sizeof c->amp[i]);
}

static int unpack_job(size_t i, void *ud, wire_rd *in)
{
    round_ctx *c = ud;
    unsigned char f[3];
    if (wire_get(in, f, sizeof f) < 0 || wire_get(in, &c->amp[i], sizeof c->amp[i]) < 0)
        return -1;
    c->meta[i] = f[0];
    c->open[i] = f[1];
    c->failed[i] = f[2];
    return 0;
}

static const batch_io job_io = {pack_job, unpack_job};

typedef struct round_progress {
    const basin_opts *o;
    int round, nrounds;
} round_progress;

static void round_progress_cb(double f, void *ud)
{
    round_progress *rp = ud;
    double x = ((double)rp->round + f) / (double)rp->nrounds;
    rp->o->progress(x > 1 ? 1 : x, rp->o->progress_ud);
}

static int fail_edit(eddy_error *err, const char *path, const char *what)
{
    return err_set(err, path, 0, 0, "%s", what);
}

/* Run n points (x[i], row[i]) on every seed and append them to r->points. */
static int eval_points(const char *path, basin_result *r, const double *xs, const size_t *rows, size_t n,
                       round_progress *rp, eddy_error *err)
{
    const basin_opts *o = &r->opts;
    size_t ns = o->seeds;
    round_ctx c = {.o = o, .base_seed = r->base_seed};
    c.models = xcalloc(n + 1, sizeof *c.models);
    int rc = 0;
    char xo[300], yo[300];
    snprintf(xo, sizeof xo, "--x %s", o->x.path);
    snprintf(yo, sizeof yo, "--y %s", o->y.path);
    for (size_t p = 0; p < n && rc == 0; p++) {
        double x = xs[p], y = r->rows[rows[p]].y;
        char xv[64], yv[64];
        model_edit ed[2];
        size_t ne = 0;
        if (!o->x.load) {
            edit_value(&o->x, x, xv, sizeof xv);
            ed[ne++] = (model_edit){.set_path = o->x.path, .set_value = xv, .origin = xo};
        }
        if (!o->y.load) {
            edit_value(&o->y, y, yv, sizeof yv);
            ed[ne++] = (model_edit){.set_path = o->y.path, .set_value = yv, .origin = yo};
        }
        c.models[p] = model_load_edited(path, ed, ne, err);
        if (!c.models[p]) {
            rc = -1;
            break;
        }
        if (o->x.load)
            variant_scale_load(c.models[p], x);
        if (o->y.load)
            variant_scale_load(c.models[p], y);
        if (c.models[p]->nfaults == 0)
            rc = fail_edit(err, path, "an axis edit left the model without faults: nothing to recover from");
    }
    if (rc == 0) {
        c.meta = xcalloc(n * ns, 1);
        c.open = xcalloc(n * ns, 1);
        c.failed = xcalloc(n * ns, 1);
        c.amp = xcalloc(n * ns, sizeof *c.amp);
        batch_run(n * ns, o->threads, run_job, &c, &job_io, o->progress ? round_progress_cb : NULL, rp);
        for (size_t i = 0; i < n * ns && rc == 0; i++)
            if (c.failed[i])
                rc = err_set(err, path, 0, 0, "a run of the basin failed");
    }
    if (rc == 0) {
        if (r->npoints + n > r->cap) {
            r->cap = 2 * (r->npoints + n);
            r->points = xrealloc(r->points, r->cap * sizeof *r->points);
        }
        for (size_t p = 0; p < n; p++) {
            basin_point *pt = &r->points[r->npoints++];
            memset(pt, 0, sizeof *pt);
            pt->x = xs[p];
            pt->y = r->rows[rows[p]].y;
            pt->row = rows[p];
            pt->n = (unsigned)ns;
            double amp = 0;
            for (size_t s = 0; s < ns; s++) {
                size_t i = p * ns + s;
                pt->metastable += c.meta[i];
                pt->open += c.open[i];
                if (c.meta[i] && isfinite(c.amp[i]))
                    amp += c.amp[i];
            }
            pt->p = (double)pt->metastable / (double)ns;
            pt->amp_after = pt->metastable ? amp / pt->metastable : NAN;
            r->runs += pt->n;
            r->open_runs += pt->open;
        }
    }
    for (size_t p = 0; p < n; p++)
        model_free(c.models[p]);
    free(c.models);
    free(c.meta);
    free(c.open);
    free(c.failed);
    free(c.amp);
    return rc;
}

/* ---- the map ------------------------------------------------------------------ */

bool basin_geometric(const basin_axis *a) { return a->lo > 0 && a->hi >= 10 * a->lo; }

static bool tips(const basin_point *p) { return p->p >= 0.5; }

static int cmp_point(const void *a, const void *b)
{
    const basin_point *p = a, *q = b;
    if (p->row != q->row)
        return p->row < q->row ? -1 : 1;
    return p->x < q->x ? -1 : p->x > q->x;
}

/* Set a row's status from the points at its two ends. */
static void judge_ends(basin_row *row, const basin_point *lo, const basin_point *hi)
{
    bool a = tips(lo), b = tips(hi);
    row->critical = NAN;
    row->safe = row->tips = NAN;
    if (a == b) {
        row->status = a ? BASIN_ALWAYS : BASIN_NEVER;
        row->rising = true;
        return;
    }
    row->status = BASIN_CROSSES;
    row->rising = !a;
    row->safe = a ? hi->x : lo->x;
    row->tips = a ? lo->x : hi->x;
}

static int bisect(const char *path, basin_result *r, round_progress *rp, eddy_error *err)
{
    const basin_opts *o = &r->opts;
    size_t nr = r->nrows;
    double *xs = xcalloc(2 * nr, sizeof *xs);
    size_t *rows = xcalloc(2 * nr, sizeof *rows);
    for (size_t j = 0; j < nr; j++) {
        xs[2 * j] = o->x.lo;
        xs[2 * j + 1] = o->x.hi;
        rows[2 * j] = rows[2 * j + 1] = j;
    }
    int rc = eval_points(path, r, xs, rows, 2 * nr, rp, err);
    for (size_t j = 0; j < nr && rc == 0; j++)
        judge_ends(&r->rows[j], &r->points[2 * j], &r->points[2 * j + 1]);
    double min_width = o->x.integer ? 1 : (o->x.hi - o->x.lo) * 1e-9;
    bool geo = basin_geometric(&o->x);
    for (int it = 0; it < o->iterations && rc == 0; it++) {
        rp->round++;
        size_t n = 0;
        for (size_t j = 0; j < nr; j++) {
            basin_row *row = &r->rows[j];
            if (row->status != BASIN_CROSSES)
                continue;
            double a = fmin(row->safe, row->tips), b = fmax(row->safe, row->tips);
            double mid = geo ? sqrt(a * b) : (a + b) / 2;
            if (o->x.integer)
                mid = floor(mid);
            if (b - a <= min_width || mid <= a || mid >= b)
                continue;
            xs[n] = mid;
            rows[n++] = j;
        }
        if (n == 0)
            break;
        size_t first = r->npoints;
        rc = eval_points(path, r, xs, rows, n, rp, err);
        for (size_t k = 0; k < n && rc == 0; k++) {
            const basin_point *pt = &r->points[first + k];
            basin_row *row = &r->rows[pt->row];
            if (tips(pt))
                row->tips = pt->x;
            else
                row->safe = pt->x;
        }
    }
    free(xs);
    free(rows);
    return rc;
}

static int grid(const char *path, basin_result *r, round_progress *rp, eddy_error *err)
{
    const basin_opts *o = &r->opts;
    size_t nr = r->nrows, ng = (size_t)o->grid, n = 0;
    double *xs = xcalloc(nr * ng, sizeof *xs);
    size_t *rows = xcalloc(nr * ng, sizeof *rows);
    for (size_t j = 0; j < nr; j++)
        for (size_t i = 0; i < ng; i++) {
            double x = o->x.lo + (o->x.hi - o->x.lo) * (double)i / (double)(ng - 1);
            if (o->x.integer)
                x = round(x);
            if (i > 0 && x == xs[n - 1])
                continue;
            xs[n] = x;
            rows[n++] = j;
        }
    int rc = eval_points(path, r, xs, rows, n, rp, err);
    /* Points are in x order within each row: the crossing is the first
     * change from the low end's outcome. */
    size_t k = 0;
    for (size_t j = 0; j < nr && rc == 0; j++) {
        size_t start = k;
        while (k < r->npoints && r->points[k].row == j)
            k++;
        basin_row *row = &r->rows[j];
        judge_ends(row, &r->points[start], &r->points[k - 1]);
        if (row->status != BASIN_CROSSES)
            continue;
        for (size_t i = start + 1; i < k; i++)
            if (tips(&r->points[i]) != tips(&r->points[start])) {
                row->safe = row->rising ? r->points[i - 1].x : r->points[i].x;
                row->tips = row->rising ? r->points[i].x : r->points[i - 1].x;
                break;
            }
    }
    free(xs);
    free(rows);
    return rc;
}

int basin_run(const char *path, const basin_opts *o, basin_result *out, eddy_error *err)
{
    memset(out, 0, sizeof *out);
    out->opts = *o;
    if (basin_resolve_axes(path, &out->opts, err) < 0)
        return -1;
    const basin_opts *ro = &out->opts;
    model *m = model_load(path, err);
    if (!m)
        return -1;
    out->base_seed = ro->use_seed ? ro->seed : m->seed;
    phases_describe_fault(m, &m->faults[0], out->fault, sizeof out->fault);
    model_free(m);

    out->nrows = ro->rows > 0 ? (size_t)ro->rows : 1;
    out->rows = xcalloc(out->nrows, sizeof *out->rows);
    for (size_t j = 0; j < out->nrows; j++) {
        double y = out->nrows > 1 ? ro->y.lo + (ro->y.hi - ro->y.lo) * (double)j / (double)(out->nrows - 1) : ro->y.lo;
        out->rows[j].y = ro->y.integer ? round(y) : y;
        out->rows[j].critical = NAN;
    }
    round_progress rp = {.o = ro, .round = 0, .nrounds = ro->grid > 0 ? 1 : 1 + ro->iterations};
    int rc = ro->grid > 0 ? grid(path, out, &rp, err) : bisect(path, out, &rp, err);
    if (rc < 0) {
        basin_free(out);
        return -1;
    }
    for (size_t j = 0; j < out->nrows; j++) {
        basin_row *row = &out->rows[j];
        if (row->status == BASIN_CROSSES)
            row->critical = ro->grid <= 0 && basin_geometric(&ro->x) ? sqrt(row->safe * row->tips)
                                                                        : (row->safe + row->tips) / 2;
    }
    qsort(out->points, out->npoints, sizeof *out->points, cmp_point);
    /* A storm if the runs that did not recover kept retrying hard. */
    double amp = 0;
    unsigned nm = 0;
    for (size_t i = 0; i < out->npoints; i++)
        if (out->points[i].metastable && isfinite(out->points[i].amp_after)) {
            amp += out->points[i].amp_after * out->points[i].metastable;
            nm += out->points[i].metastable;
        }
    snprintf(out->outcome, sizeof out->outcome, "%s",
             nm && amp / nm > 1.5 ? "a retry storm" : "a metastable failure");
    return 0;
}

void basin_free(basin_result *r)
{
    free(r->points);
    free(r->rows);
    memset(r, 0, sizeof *r);
}

/* ---- the verdict ----------------------------------------------------------- */

static void where(const basin_result *r, const basin_row *row, char *buf, size_t size)
{
    char v[64];
    basin_format_value(&r->opts.y, row->y, v, sizeof v);
    if (r->opts.y.load)
        snprintf(buf, size, "at %s load", v);
    else
        snprintf(buf, size, "with %s = %s", r->opts.y.path, v);
}

/* Whether the x axis is the duration of fault K; then it is described. */
static bool x_is_fault_for(const basin_result *r)
{
    return !strcmp(r->opts.x.path, "faults.0.for");
}

static void threshold(const basin_result *r, const basin_row *row, char *buf, size_t size)
{
    const basin_axis *x = &r->opts.x;
    char v[64];
    basin_format_value(x, row->critical, v, sizeof v);
    if (x_is_fault_for(r) && row->rising)
        snprintf(buf, size, "a %s for longer than %s", r->fault, v);
    else if (x->load)
        snprintf(buf, size, "a %s with the load %s %s", r->fault, row->rising ? "above" : "below", v);
    else if (!strncmp(x->path, "faults.0.", 9)) /* the fault itself changes: its description would mislead */
        snprintf(buf, size, "%s %s %s", x->path, row->rising ? "above" : "below", v);
    else
        snprintf(buf, size, "a %s with %s %s %s", r->fault, x->path, row->rising ? "above" : "below", v);
}

void basin_summary(const basin_result *r, char *buf, size_t size)
{
    if (r->nrows == 0) {
        snprintf(buf, size, "nothing was run");
        return;
    }
    /* The row of the model as written (load 1x), or the last row. */
    size_t best = r->nrows - 1;
    if (r->opts.y.load)
        for (size_t j = 0; j < r->nrows; j++)
            if (fabs(r->rows[j].y - 1) < fabs(r->rows[best].y - 1))
                best = j;
    const basin_row *row = &r->rows[best];
    const basin_axis *x = &r->opts.x;
    char at[128], lo[64], hi[64], what[320];
    where(r, row, at, sizeof at);
    basin_format_value(x, x->lo, lo, sizeof lo);
    basin_format_value(x, x->hi, hi, sizeof hi);
    int n;
    if (row->status == BASIN_CROSSES) {
        threshold(r, row, what, sizeof what);
        n = snprintf(buf, size, "%s %s tips the system into %s", at, what, r->outcome);
    } else if (row->status == BASIN_ALWAYS) {
        if (x_is_fault_for(r))
            n = snprintf(buf, size, "%s even a %s for %s tips the system into %s", at, r->fault, lo, r->outcome);
        else
            n = snprintf(buf, size, "%s a %s tips the system into %s for every %s from %s to %s", at, r->fault,
                         r->outcome, x->path, lo, hi);
    } else {
        if (x_is_fault_for(r))
            n = snprintf(buf, size, "%s a %s for up to %s does not tip the system: the threshold is beyond %s", at,
                         r->fault, hi, hi);
        else
            n = snprintf(buf, size, "%s a %s does not tip the system for any %s from %s to %s", at, r->fault,
                         x->path, lo, hi);
    }
    if (n < 0 || (size_t)n >= size || row->status == BASIN_CROSSES)
        return;
    /* Where the model as written does not cross, the nearest row that does. */
    const basin_row *near = NULL;
    for (size_t j = 0; j < r->nrows; j++)
        if (r->rows[j].status == BASIN_CROSSES &&
            (!near || fabs((double)j - (double)best) < fabs((double)(near - r->rows) - (double)best)))
            near = &r->rows[j];
    if (!near)
        return;
    where(r, near, at, sizeof at);
    char v[64];
    basin_format_value(x, near->critical, v, sizeof v);
    snprintf(buf + n, size - (size_t)n, "; %s the threshold is at %s = %s", at, x->path, v);
    if (x_is_fault_for(r))
        snprintf(buf + n, size - (size_t)n, "; %s it takes %s %s", at, near->rising ? "longer than" : "less than",
                 v);
}
