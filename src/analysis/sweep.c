/* sweep.c -- run a model at a range of offered loads and find the goodput
 * peak and congestion collapse.
 *
 * Each (point, seed) is one job of batch_for writing its own slot, so the
 * result is the same whatever the number of threads.  The rates come from
 * the rows the engine streams (so a warmup can be cut off and no series is
 * kept); the p99 comes from the run's totals. */
#include "sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "burst.h"
#include "variant.h"
#include "../core/xalloc.h"

/* Per client: demand, goodput, p99, amplification; then per entry service:
 * throughput; then all attempts and all first attempts (for the total
 * amplification). */
enum { CV_DEMAND, CV_GOOD, CV_P99, CV_AMP, NCV };

typedef struct job_ctx {
    const sweep_opts *o;
    model **models; /* per point */
    size_t nclients, nentries;
    int *entry_svc; /* service index of each entry */
    uint64_t base_seed;
    size_t stride; /* doubles per slot */
    double *slots;
    int *failed;
} job_ctx;

/* Streams the rows of one run into sums over [warmup, end). */
typedef struct acc {
    const job_ctx *c;
    const model *m;
    bool started;
    int *cols; /* per client: offered, retries, goodput, shed; per entry: completed */
    double prev_t, *prev;
    bool have_prev;
    double *sums;
    size_t ncols;
    double end;
} acc;

static void take(acc *a, double t1)
{
    double t0 = a->prev_t, w = a->c->o->warmup;
    double lo = t0 > w ? t0 : w;
    if (t1 > a->end)
        t1 = a->end;
    if (t1 <= lo)
        return;
    for (size_t k = 0; k < a->ncols; k++)
        a->sums[k] += a->prev[k] * (t1 - lo);
}

static void on_row(const eddy_series *cols, const double *row, void *ud)
{
    acc *a = ud;
    if (!a->started) {
        a->started = true;
        static const char *const metric[] = {"offered", "retries", "goodput", "shed"};
        size_t k = 0;
        for (size_t i = 0; i < a->c->nclients; i++)
            for (size_t j = 0; j < 4; j++) {
                char name[300];
                snprintf(name, sizeof name, "%s.%s", a->m->clients[i].name, metric[j]);
                a->cols[k++] = eddy_series_column(cols, name);
            }
        for (size_t e = 0; e < a->c->nentries; e++) {
            char name[300];
            snprintf(name, sizeof name, "%s.completed", a->m->services[a->c->entry_svc[e]].name);
            a->cols[k++] = eddy_series_column(cols, name);
        }
    }
    if (a->have_prev)
        take(a, row[0]);
    a->prev_t = row[0];
    for (size_t k = 0; k < a->ncols; k++)
        a->prev[k] = a->cols[k] >= 0 ? row[a->cols[k]] : 0;
    a->have_prev = true;
}

static void run_job(size_t i, void *ud)
{
    job_ctx *c = ud;
    size_t p = i / c->o->seeds;
    unsigned rep = (unsigned)(i % c->o->seeds);
    const model *m = c->models[p];
    double *slot = c->slots + i * c->stride;

    acc a = {.c = c, .m = m, .end = t_sec(m->duration)};
    a.ncols = c->nclients * 4 + c->nentries;
    a.cols = xcalloc(a.ncols, sizeof *a.cols);
    a.prev = xcalloc(a.ncols, sizeof *a.prev);
    a.sums = xcalloc(a.ncols, sizeof *a.sums);

    eddy_options opt = eddy_options_default();
    opt.seed = batch_seed(c->base_seed, rep);
    opt.use_seed = true;
    opt.on_row = on_row;
    opt.row_ud = &a;
    opt.drop_series = true;
    eddy_result r;
    eddy_error err;
    if (eddy_run(m, &opt, &r, &err) != 0) {
        c->failed[i] = 1;
        free(a.cols);
        free(a.prev);
        free(a.sums);
        return;
    }
    if (a.have_prev)
        take(&a, a.end);
    double len = a.end - c->o->warmup;
    double all_att = 0, all_first = 0;
    for (size_t k = 0; k < c->nclients; k++) {
        double off = a.sums[4 * k], ret = a.sums[4 * k + 1], good = a.sums[4 * k + 2], shed = a.sums[4 * k + 3];
        double *v = slot + k * NCV;
        v[CV_DEMAND] = (off + shed) / len;
        v[CV_GOOD] = good / len;
        v[CV_P99] = r.clients[k].goodput ? r.clients[k].latency_p99 : NAN;
        v[CV_AMP] = off > 0 ? (off + ret) / off : NAN;
        all_att += off + ret;
        all_first += off;
    }
    for (size_t e = 0; e < c->nentries; e++)
        slot[c->nclients * NCV + e] = a.sums[4 * c->nclients + e] / len;
    slot[c->nclients * NCV + c->nentries] = all_att;
    slot[c->nclients * NCV + c->nentries + 1] = all_first;
    eddy_result_free(&r);
    free(a.cols);
    free(a.prev);
    free(a.sums);
}

/* A job's slot as bytes, for eddy-mpi (batch.h). */
static void pack_job(size_t i, void *ud, wire_buf *out)
{
    job_ctx *c = ud;
    wire_put(out, &c->failed[i], sizeof c->failed[i]);
    wire_put(out, c->slots + i * c->stride, c->stride * sizeof *c->slots);
}

static int unpack_job(size_t i, void *ud, wire_rd *in)
{
    job_ctx *c = ud;
    if (wire_get(in, &c->failed[i], sizeof c->failed[i]) < 0)
        return -1;
    return wire_get(in, c->slots + i * c->stride, c->stride * sizeof *c->slots);
}

static const batch_io job_io = {pack_job, unpack_job};

/* Mean and sample standard deviation of the values that are not NaN. */
static sweep_stat stat_of(const double *v, size_t n, size_t stride)
{
    double s = 0, ss = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        double x = v[i * stride];
        if (isnan(x))
            continue;
        s += x;
        k++;
    }
    sweep_stat st = {NAN, NAN};
    if (k == 0)
        return st;
    st.mean = s / (double)k;
    for (size_t i = 0; i < n; i++) {
        double x = v[i * stride];
        if (!isnan(x))
            ss += (x - st.mean) * (x - st.mean);
    }
    st.sd = k > 1 ? sqrt(ss / (double)(k - 1)) : 0;
    return st;
}

sweep_opts sweep_defaults(void)
{
    sweep_opts o = {0};
    o.lo = 0.1;
    o.hi = 2.0;
    o.points = SWEEP_DEFAULT_POINTS;
    o.seeds = SWEEP_DEFAULT_SEEDS;
    o.drop = SWEEP_DEFAULT_DROP;
    return o;
}

void sweep_find_collapse(const sweep_stat *g, size_t n, unsigned seeds, double drop, int *peak, int *collapse)
{
    *peak = 0;
    *collapse = -1;
    for (size_t i = 1; i < n; i++)
        if (g[i].mean > g[*peak].mean)
            *peak = (int)i;
    if (n == 0)
        return;
    double rs = sqrt((double)(seeds ? seeds : 1));
    const sweep_stat *pk = &g[*peak];
    /* Below the peak by more than the drop and the noise: a fall. */
    int last_ok = *peak; /* the last point not clearly below the peak */
    for (size_t i = (size_t)*peak + 1; i < n; i++) {
        double noise = 2 * (pk->sd + g[i].sd) / rs;
        double margin = drop * pk->mean > noise ? drop * pk->mean : noise;
        if (!(g[i].mean < pk->mean - margin))
            last_ok = (int)i;
    }
    if ((size_t)last_ok + 1 < n)
        *collapse = last_ok + 1;
}

int sweep_run(const char *path, const sweep_opts *o, sweep_result *out, eddy_error *err)
{
    memset(out, 0, sizeof *out);
    out->opts = *o;
    out->peak = 0;
    out->collapse = -1;
    model *base = model_load(path, err);
    if (!base)
        return -1;
    if (o->warmup >= t_sec(base->duration)) {
        err_set(err, path, 0, 0, "the warmup (%gs) is not shorter than the run (%gs)", o->warmup,
                t_sec(base->duration));
        model_free(base);
        return -1;
    }
    size_t np = (size_t)o->points, ns = o->seeds;
    job_ctx c = {.o = o, .nclients = base->nclients};
    c.base_seed = base->seed;
    if (o->use_seed)
        c.base_seed = o->seed;
    out->base_seed = c.base_seed;

    /* The entry services: those the clients call, each once, in order. */
    c.entry_svc = xcalloc(base->nclients + 1, sizeof *c.entry_svc);
    for (size_t i = 0; i < base->nclients; i++) {
        int s = base->clients[i].call.to;
        if (s < 0)
            continue; /* a publisher: no entry service */
        bool seen = false;
        for (size_t e = 0; e < c.nentries; e++)
            seen |= c.entry_svc[e] == s;
        if (!seen)
            c.entry_svc[c.nentries++] = s;
    }
    out->nclients = base->nclients;
    out->nentries = c.nentries;
    out->client_names = xcalloc(base->nclients + 1, sizeof *out->client_names);
    out->entry_names = xcalloc(c.nentries + 1, sizeof *out->entry_names);
    for (size_t i = 0; i < base->nclients; i++)
        out->client_names[i] = xstrdup(base->clients[i].name);
    for (size_t e = 0; e < c.nentries; e++)
        out->entry_names[e] = xstrdup(base->services[c.entry_svc[e]].name);

    /* One model per point, changed in place, shared read-only by its seeds. */
    c.models = xcalloc(np, sizeof *c.models);
    out->points = xcalloc(np, sizeof *out->points);
    out->npoints = np;
    int rc = 0;
    for (size_t p = 0; p < np; p++) {
        double x = np > 1 ? o->lo + (o->hi - o->lo) * (double)p / (double)(np - 1) : o->lo;
        out->points[p].load = x;
        c.models[p] = model_load(path, err);
        if (!c.models[p]) {
            rc = -1;
            break;
        }
        variant_scale_load(c.models[p], x);
        if (p == 0) {
            out->nfaults = c.models[p]->nfaults;
            out->nbursts = burst_find(c.models[p], NULL, 0);
        }
        if (!o->with_faults)
            variant_drop_faults(c.models[p]);
    }
    if (rc == 0) {
        c.stride = c.nclients * NCV + c.nentries + 2;
        c.slots = xcalloc(np * ns * c.stride, sizeof *c.slots);
        c.failed = xcalloc(np * ns, sizeof *c.failed);
        batch_run(np * ns, o->threads, run_job, &c, &job_io, o->progress, o->progress_ud);
        for (size_t i = 0; i < np * ns; i++)
            if (c.failed[i]) {
                err_set(err, path, 0, 0, "a run of the sweep failed (load x%g)", out->points[i / ns].load);
                rc = -1;
                break;
            }
    }
    if (rc == 0) {
        sweep_stat *g = xcalloc(np, sizeof *g);
        for (size_t p = 0; p < np; p++) {
            sweep_point *pt = &out->points[p];
            const double *s0 = c.slots + p * ns * c.stride;
            pt->clients = xcalloc(c.nclients + 1, sizeof *pt->clients);
            pt->services = xcalloc(c.nentries + 1, sizeof *pt->services);
            for (size_t k = 0; k < c.nclients; k++) {
                const double *v = s0 + k * NCV;
                pt->clients[k].demand = stat_of(v + CV_DEMAND, ns, c.stride);
                pt->clients[k].goodput = stat_of(v + CV_GOOD, ns, c.stride);
                pt->clients[k].latency_p99 = stat_of(v + CV_P99, ns, c.stride);
                pt->clients[k].amplification = stat_of(v + CV_AMP, ns, c.stride);
            }
            for (size_t e = 0; e < c.nentries; e++)
                pt->services[e] = stat_of(s0 + c.nclients * NCV + e, ns, c.stride);
            /* The totals, seed by seed, then over seeds. */
            double *thr = xcalloc(ns, sizeof *thr), *good = xcalloc(ns, sizeof *good), *dem = xcalloc(ns, sizeof *dem),
                   *p99 = xcalloc(ns, sizeof *p99), *amp = xcalloc(ns, sizeof *amp);
            for (size_t r = 0; r < ns; r++) {
                const double *v = s0 + r * c.stride;
                p99[r] = NAN;
                for (size_t k = 0; k < c.nclients; k++) {
                    good[r] += v[k * NCV + CV_GOOD];
                    dem[r] += v[k * NCV + CV_DEMAND];
                    double q = v[k * NCV + CV_P99];
                    if (!isnan(q) && (isnan(p99[r]) || q > p99[r]))
                        p99[r] = q;
                }
                for (size_t e = 0; e < c.nentries; e++)
                    thr[r] += v[c.nclients * NCV + e];
                double att = v[c.nclients * NCV + c.nentries], first = v[c.nclients * NCV + c.nentries + 1];
                amp[r] = first > 0 ? att / first : NAN;
            }
            pt->throughput = stat_of(thr, ns, 1);
            pt->goodput = stat_of(good, ns, 1);
            pt->demand = stat_of(dem, ns, 1);
            pt->latency_p99 = stat_of(p99, ns, 1);
            pt->amplification = stat_of(amp, ns, 1);
            g[p] = pt->goodput;
            free(thr);
            free(good);
            free(dem);
            free(p99);
            free(amp);
        }
        sweep_find_collapse(g, np, (unsigned)ns, o->drop, &out->peak, &out->collapse);
        free(g);
    }
    for (size_t p = 0; p < np; p++)
        model_free(c.models[p]);
    free(c.models);
    free(c.slots);
    free(c.failed);
    free(c.entry_svc);
    model_free(base);
    if (rc < 0)
        sweep_free(out);
    return rc;
}

void sweep_free(sweep_result *r)
{
    for (size_t p = 0; p < r->npoints; p++) {
        free(r->points[p].clients);
        free(r->points[p].services);
    }
    free(r->points);
    for (size_t i = 0; r->client_names && i < r->nclients; i++)
        free(r->client_names[i]);
    for (size_t i = 0; r->entry_names && i < r->nentries; i++)
        free(r->entry_names[i]);
    free(r->client_names);
    free(r->entry_names);
    memset(r, 0, sizeof *r);
    r->collapse = -1;
}

/* One end of a range: a number, then its unit (the rest of the text). */
static int range_end(const char *s, size_t len, double *v, char *unit, size_t usize, bool *whole)
{
    char buf[128];
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = 0;
    char *end;
    *v = strtod(buf, &end);
    if (end == buf || !isfinite(*v))
        return -1;
    *whole = strcspn(buf, ".eE") >= (size_t)(end - buf);
    if (strlen(end) >= usize)
        return -1;
    strcpy(unit, end);
    return 0;
}

int sweep_parse_range(const char *s, double *lo, double *hi, char *unit, size_t unit_size, bool *integer,
                      char *why, size_t why_size)
{
    const char *dots = strstr(s, "..");
    if (!dots) {
        snprintf(why, why_size, "expected a range LO..HI such as 0.1..2x or 1s..60s, got '%s'", s);
        return -1;
    }
    char u1[32], u2[32];
    bool w1, w2;
    if (range_end(s, (size_t)(dots - s), lo, u1, sizeof u1, &w1) < 0 ||
        range_end(dots + 2, strlen(dots + 2), hi, u2, sizeof u2, &w2) < 0) {
        snprintf(why, why_size, "expected a range LO..HI of two numbers such as 0.1..2x or 1s..60s, got '%s'", s);
        return -1;
    }
    if (u1[0] && u2[0] && strcmp(u1, u2)) {
        snprintf(why, why_size, "write both ends of '%s' in the same unit (got '%s' and '%s')", s, u1, u2);
        return -1;
    }
    const char *u = u1[0] ? u1 : u2;
    if (strlen(u) >= unit_size) {
        snprintf(why, why_size, "unit too long in '%s'", s);
        return -1;
    }
    strcpy(unit, u);
    if (!(*lo < *hi)) {
        snprintf(why, why_size, "the range '%s' must go from low to high (LO < HI)", s);
        return -1;
    }
    *integer = w1 && w2 && !u[0];
    return 0;
}

const char *sweep_curve_label(const sweep_result *r)
{
    if (!r->opts.with_faults && r->nbursts)
        return r->nfaults ? "steady state: the model's faults and load bursts dropped (--with-faults keeps them)"
                          : "steady state: the model's load bursts dropped (--with-faults keeps them)";
    if (r->opts.with_faults && r->nbursts)
        return "with the model's faults and load bursts (--with-faults): what it does through them at each load, "
               "not a steady state";
    if (r->opts.with_faults && r->nfaults)
        return "with the model's faults (--with-faults): what it does through them at each load, not a steady state";
    if (r->opts.with_faults)
        return "steady state: the model has no faults to keep";
    if (r->nfaults)
        return "steady state: the model's faults dropped (--with-faults keeps them)";
    return "steady state: the model has no faults";
}

const char *sweep_curve_key(const sweep_result *r)
{
    return r->opts.with_faults && (r->nfaults || r->nbursts) ? "with_faults" : "steady_state";
}
