/* diagnose.c -- verdict, failure modes, sustaining loop, coupling statement
 * and timeline of an incident, from runs on the same seeds (diagnose.h). */
#include "diagnose.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../loops/derive.h"
#include "../loops/describe.h"
#include "../loops/owners.h"
#include "../model/units.h"
#include "batch.h"
#include "burst.h"
#include "measure.h"
#include "phases.h"
#include "postmortem.h"
#include "variant.h"
#include "../core/xalloc.h"

const char *verdict_name(verdict v)
{
    static const char *const n[] = {"healthy", "component", "metastable", "collapsed", "oscillating", "data_integrity"};
    return n[v];
}

const char *failure_mode_name(failure_mode f)
{
    static const char *const n[] = {"retry_storm", "thundering_herd",  "congestion_collapse", "cascade",
                                    "oscillation", "cold_cache",       "redelivery_storm",    "backlog_growth",
                                    "data_integrity"};
    return n[f];
}

/* "shoppers'" or "checkout's" */
static const char *possessive(const char *name)
{
    size_t n = strlen(name);
    return n && name[n - 1] == 's' ? "'" : "'s";
}

/* ---- running the variants ---------------------------------------------------- */

typedef struct job_set {
    model **models;   /* per variant */
    eddy_result *res; /* [variant * seeds + rep] */
    int *rc;
    eddy_error *errs;
    unsigned seeds;
    uint64_t seed;
    size_t first; /* variant of job 0 */
} job_set;

static void run_job(size_t i, void *ud)
{
    job_set *J = ud;
    size_t v = J->first + i / J->seeds;
    unsigned rep = (unsigned)(i % J->seeds);
    eddy_options o = eddy_options_default();
    o.seed = batch_seed(J->seed, rep);
    o.use_seed = true;
    size_t slot = v * J->seeds + rep;
    J->rc[slot] = eddy_run(J->models[v], &o, &J->res[slot], &J->errs[slot]);
}

/* A job's slot as bytes, for eddy-mpi (batch.h). */
static void pack_job(size_t i, void *ud, wire_buf *out)
{
    job_set *J = ud;
    size_t slot = J->first * J->seeds + i;
    wire_put_run(out, J->rc[slot], &J->errs[slot], &J->res[slot]);
}

static int unpack_job(size_t i, void *ud, wire_rd *in)
{
    job_set *J = ud;
    size_t slot = J->first * J->seeds + i;
    return wire_get_run(in, J->models[J->first + i / J->seeds], &J->rc[slot], &J->errs[slot], &J->res[slot]);
}

static const batch_io job_io = {pack_job, unpack_job};

/* Knockout cuts run per round (see diagnose's knockouts): enough runs
 * per round to keep every core busy, few enough that their series stay
 * small. */
#define KO_ROUND 16

/* The progress of the knockouts as a whole, from each round's fraction. */
typedef struct ko_progress {
    void (*fn)(double, void *);
    void *ud;
    size_t done, round, total; /* cuts before this round, in it, in all */
} ko_progress;

static void ko_progress_update(double fraction, void *ud)
{
    ko_progress *p = ud;
    p->fn(((double)p->done + fraction * (double)p->round) / (double)(p->total ? p->total : 1), p->ud);
}

static int run_variants(job_set *J, size_t first, size_t count, const diagnose_opts *opt, eddy_error *err,
                        size_t *runs)
{
    J->first = first;
    batch_run(count * J->seeds, opt->threads, run_job, J, &job_io, opt->progress, opt->progress_ud);
    *runs += count * J->seeds;
    for (size_t s = first * J->seeds; s < (first + count) * J->seeds; s++)
        if (J->rc[s] < 0) {
            *err = J->errs[s];
            return -1;
        }
    return 0;
}

/* ---- evidence ------------------------------------------------------------------ */

static void add_mode(diagnosis *d, failure_mode f, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add_mode(diagnosis *d, failure_mode f, const char *fmt, ...)
{
    dg_mode *x = &d->modes[d->nmodes++];
    x->mode = f;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->evidence, sizeof x->evidence, fmt, ap);
    va_end(ap);
}

static void add_event(diagnosis *d, double t, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add_event(diagnosis *d, double t, const char *fmt, ...)
{
    d->timeline = xrealloc(d->timeline, (d->ntimeline + 1) * sizeof *d->timeline);
    dg_event *e = &d->timeline[d->ntimeline++];
    e->t = t;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->what, sizeof e->what, fmt, ap);
    va_end(ap);
}

/* A rate with the digits it needs: "1355/s", "20/s", "0.15/s". */
static void fmt_rate(double v, char *buf, size_t size)
{
    if (v >= 10 || v == 0)
        snprintf(buf, size, "%.0f/s", v);
    else
        snprintf(buf, size, "%.2g/s", v);
}

/* A utilisation with the digits it needs: "81%", "0.06%". */
static void fmt_util(double u, char *buf, size_t size)
{
    if (u >= 0.01 || u == 0)
        snprintf(buf, size, "%.0f%%", u * 100);
    else if (u >= 1e-5)
        snprintf(buf, size, "%.1g%%", u * 100);
    else
        snprintf(buf, size, "under 0.001%%");
}

static double capacity(const service_spec *s)
{
    if (s->workers == MODEL_UNLIMITED)
        return INFINITY;
    /* a scaled service can grow to its slots (an autoscaler's max) */
    long n = s->scaled ? s->slots : s->replicas;
    return (double)s->workers * (double)(n > 0 ? n : 1);
}

/* Whether service `s` calls `target`, directly or not. */
static bool calls_into(const model *m, int s, int target, int depth)
{
    if (depth > 64)
        return false;
    for (size_t k = 0; k < m->services[s].ncalls; k++) {
        int to = m->services[s].calls[k].to;
        if (to == target || calls_into(m, to, target, depth + 1))
            return true;
    }
    return false;
}

static bool is_fault_target(const model *m, int s)
{
    for (size_t f = 0; f < m->nfaults; f++)
        if (m->faults[f].kind != FAULT_FLUSH && m->faults[f].target == s) /* a flush targets a cache */
            return true;
    return false;
}

/* Count the changes of direction of a column over rows with t >= from. */
static int reversals(const eddy_result *r, int c, double from)
{
    int n = 0, dir = 0;
    double prev = NAN;
    for (size_t i = 0; c >= 0 && i < r->series.nrows; i++) {
        if (measure_row_t(r, i) < from)
            continue;
        double v = measure_cell(r, i, c);
        if (!isnan(prev) && v != prev) {
            int d = v > prev ? 1 : -1;
            if (dir && d != dir)
                n++;
            dir = d;
        }
        prev = v;
    }
    return n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void find_messaging_modes(diagnosis *d, const eddy_result *obs, const eddy_result *base, double judge_from);

static void find_modes(diagnosis *d, const eddy_result *obs, const eddy_result *base)
{
    const model *m = d->m;
    double fs = d->fault_start, fe = d->fault_end, end = d->end;
    bool faults = variant_has_trigger(m);
    double judge_from = faults ? fs : 0;

    /* retry storm: attempts per request rise while success falls */
    for (size_t c = 0; c < m->nclients; c++) {
        const char *n = m->clients[c].name;
        int co = measure_col(obs, n, "offered"), cr = measure_col(obs, n, "retries"), cg = measure_col(obs, n, "goodput");
        double best = 0, at = 0, succ = 1;
        for (size_t i = 0; i < obs->series.nrows; i++) {
            if (measure_row_t(obs, i) < judge_from)
                continue;
            double off = measure_cell(obs, i, co), ret = measure_cell(obs, i, cr);
            if (off <= 0)
                continue;
            double amp = (off + ret) / off;
            if (amp > best) {
                best = amp;
                at = measure_row_t(obs, i);
                succ = measure_cell(obs, i, cg) / off;
            }
        }
        double bo = measure_mean(base, n, "offered", 0, end), br = measure_mean(base, n, "retries", 0, end);
        double bamp = bo > 0 ? (bo + br) / bo : 1;
        if (best >= 1.5 && best >= 1.5 * bamp && succ < GOOD_LEVEL) {
            /* Attempts in one interval against the requests new in it: the
             * retries of requests that arrived earlier count too, so this
             * can exceed the attempts one request may make; say so. */
            add_mode(d, MODE_RETRY_STORM,
                     "%s sent %.1fx as many attempts as new user requests in the interval at %.0f s (baseline "
                     "%.2fx; the attempts include retries of earlier requests, so this can exceed the %d attempts "
                     "one request may make) while only %.0f%% of them succeeded",
                     n, best, at, bamp, m->clients[c].call.retry.attempts, succ * 100);
            break;
        }
    }

    /* congestion collapse: a service does less work while more arrives */
    for (size_t s = 0; s < m->nservices; s++) {
        const char *n = m->services[s].name;
        double a0 = faults ? fe : end / 2, a1 = end;
        if (a1 - a0 < 1)
            a0 = judge_from, a1 = end;
        double arr_o = measure_mean(obs, n, "arrivals", a0, a1), arr_b = measure_mean(base, n, "arrivals", a0, a1);
        double cmp_o = measure_mean(obs, n, "completed", a0, a1), cmp_b = measure_mean(base, n, "completed", a0, a1);
        double busy_o = measure_mean(obs, n, "busy", a0, a1);
        if (arr_o >= 1.1 * arr_b && cmp_o <= 0.8 * cmp_b && busy_o >= 0.9 * capacity(&m->services[s])) {
            add_mode(d, MODE_CONGESTION_COLLAPSE,
                     "%s completed %.0f/s with all %.0f workers busy while %.0f/s arrived; the baseline completes "
                     "%.0f/s of %.0f/s",
                     n, cmp_o, busy_o, arr_o, cmp_b, arr_b);
            break;
        }
    }

    /* cascade: a healthy caller of the faulted service saturates */
    for (size_t s = 0; faults && s < m->nservices; s++) {
        if (is_fault_target(m, (int)s))
            continue;
        bool upstream = false;
        for (size_t f = 0; f < m->nfaults; f++)
            upstream |= m->faults[f].kind != FAULT_FLUSH && calls_into(m, (int)s, m->faults[f].target, 0);
        if (!upstream)
            continue;
        const char *n = m->services[s].name;
        double cap = capacity(&m->services[s]);
        int cb = measure_col(obs, n, "busy"), cj = measure_col(obs, n, "rejected");
        double bbusy = measure_mean(base, n, "busy", 0, end), brej = measure_mean(base, n, "rejected", 0, end);
        for (size_t i = 0; i < obs->series.nrows; i++) {
            double t = measure_row_t(obs, i);
            if (t < fs)
                continue;
            double busy = measure_cell(obs, i, cb), rej = measure_cell(obs, i, cj);
            bool sat = isfinite(cap) && busy >= 0.99 * cap && bbusy < 0.9 * cap;
            if (sat || (rej > 1 && rej > 10 * (brej + 0.1))) {
                add_mode(d, MODE_CASCADE,
                         "%s, which calls the faulted service, saturated %.0f s after the trigger: %.0f of %.0f "
                         "workers busy, %.0f/s rejected (baseline %.0f busy)",
                         n, t - fs, busy, cap, rej, bbusy);
                goto cascade_done;
            }
        }
    }
cascade_done:

    /* thundering herd: a service's arrivals spike far above their median */
    for (size_t s = 0; s < m->nservices; s++) {
        const char *n = m->services[s].name;
        int c = measure_col(obs, n, "arrivals");
        size_t nr = obs->series.nrows;
        if (c < 0 || nr < 10)
            continue;
        double *v = xmalloc(nr * sizeof *v);
        double peak = 0, at = 0;
        for (size_t i = 0; i < nr; i++) {
            v[i] = measure_cell(obs, i, c);
            if (i > 0 && v[i] > peak) { /* the first row is the cold start */
                peak = v[i];
                at = measure_row_t(obs, i);
            }
        }
        double mean = 0;
        for (size_t i = 1; i < nr; i++)
            mean += v[i] / (double)(nr - 1);
        qsort(v, nr, sizeof *v, cmp_double);
        double med = v[nr / 2];
        /* the usual level: the median, or the mean when most samples are
         * quiet (a warm cache sends the origin nothing between expiries) */
        double level = med > mean ? med : mean;
        size_t high = 0;
        for (size_t i = 0; i < nr; i++)
            high += v[i] > 2 * level;
        free(v);
        if (level > 0 && peak >= 10 && peak >= 5 * level && high <= nr / 10) {
            char lv[32], md[48] = "";
            fmt_rate(level, lv, sizeof lv);
            if (med > 0 && med < mean) {
                char mv[32];
                fmt_rate(med, mv, sizeof mv);
                snprintf(md, sizeof md, "; median %s", mv);
            } else if (med <= 0) {
                snprintf(md, sizeof md, "; the median sample has none");
            }
            add_mode(d, MODE_THUNDERING_HERD,
                     "%s%s arrivals spiked to %.0f/s at %.0f s, %.0fx their usual %s (the %s over the run%s), in "
                     "%zu short burst%s of samples",
                     n, possessive(n), peak, at, peak / level, lv, med > mean ? "median" : "mean", md, high,
                     high == 1 ? "" : "s");
            break;
        }
    }

    /* oscillation: a replica count or breaker that keeps changing direction */
    for (size_t k = 0; k < obs->series.ncols; k++) {
        const char *name = obs->series.names[k];
        const char *dot = strrchr(name, '.');
        if (!dot || (strcmp(dot, ".replicas") && strcmp(dot, ".breaker_open")))
            continue;
        int rv = reversals(obs, (int)k, end / 2);
        if (rv >= 4) {
            add_mode(d, MODE_OSCILLATION, "%s changed direction %d times in the second half of the run", name, rv);
            break;
        }
    }

    /* cold cache: a cache's hit ratio stays low after the trigger */
    for (size_t k = 0; faults && k < obs->series.ncols; k++) {
        const char *name = obs->series.names[k];
        const char *dot = strrchr(name, '.');
        if (!dot || strcmp(dot, ".hit_ratio"))
            continue;
        double a0 = fe + d->settle;
        double ho = 0, hb = 0, w = 0;
        for (size_t i = 0; i < obs->series.nrows && i < base->series.nrows; i++) {
            if (measure_row_t(obs, i) < a0)
                continue;
            ho += measure_cell(obs, i, (int)k);
            hb += measure_cell(base, i, (int)k);
            w++;
        }
        if (w > 0 && ho / w < 0.7 * (hb / w)) {
            char ent[256];
            snprintf(ent, sizeof ent, "%.*s", (int)(dot - name), name);
            add_mode(d, MODE_COLD_CACHE, "%s%s hit ratio stayed at %.0f%% after the trigger (baseline %.0f%%)", ent,
                     possessive(ent), 100 * ho / w, 100 * hb / w);
            break;
        }
    }
    find_messaging_modes(d, obs, base, judge_from);
}

/* The messaging modes (docs/messaging.md), from the observed run's broker
 * queues and consumer groups and its integrity ledger. */
static void find_messaging_modes(diagnosis *d, const eddy_result *obs, const eddy_result *base, double judge_from)
{
    const model *m = d->m;
    /* redelivery storm: the broker hands out old messages faster than new
     * ones (first receives) while every delivery slot is taken */
    for (size_t g = 0; g < m->nconsumers; g++) {
        const consumer_spec *cs = &m->consumers[g];
        /* on a topic, the group's own subscription (its columns carry its name) */
        const char *q = m->queues[cs->queue].topic ? cs->name : m->queues[cs->queue].name;
        int cp = measure_col(obs, q, "delivered"), cr = measure_col(obs, q, "redelivered");
        int ci = measure_col(obs, cs->name, "in_flight"), crep = measure_col(obs, m->services[cs->service].name, "replicas");
        double best = 0, at = 0, held = 0, slots = 0;
        for (size_t i = 0; i < obs->series.nrows; i++) {
            if (measure_row_t(obs, i) < judge_from)
                continue;
            double pub = measure_cell(obs, i, cp), red = measure_cell(obs, i, cr);
            double reps = crep >= 0 ? measure_cell(obs, i, crep) : (double)m->services[cs->service].replicas;
            double cap = (double)(cs->concurrency * cs->batch) * reps;
            double inflight = measure_cell(obs, i, ci);
            if (red > 1.5 * pub && red > 0 && inflight >= 0.9 * cap && red - 1.5 * pub > best) {
                best = red - 1.5 * pub;
                at = measure_row_t(obs, i);
                held = inflight;
                slots = cap;
            }
        }
        if (best > 0) {
            int row = -1;
            for (size_t i = 0; i < obs->series.nrows && row < 0; i++)
                if (measure_row_t(obs, i) == at)
                    row = (int)i;
            add_mode(d, MODE_REDELIVERY_STORM,
                     "%s redelivered %.0f/s against %.0f/s new messages received at %.0f s while consumer group %s held %.0f "
                     "of its %.0f message slots: handling outlasts the visibility timeout, so each redelivery adds "
                     "load to the slow consumers",
                     q, measure_cell(obs, (size_t)row, cr), measure_cell(obs, (size_t)row, cp), at, cs->name, held,
                     slots);
            break;
        }
    }
    /* backlog growth: the stock rises because inflow exceeds outflow; say
     * which flow moved, against the run without faults.  The stocks are the
     * queues, and on a topic each subscription (its group's columns): its
     * inflow is the topic's publishes, one copy each. */
    for (size_t k = 0; k < m->nqueues + m->nconsumers; k++) {
        const char *q, *pub;
        if (k < m->nqueues) {
            if (m->queues[k].topic)
                continue; /* its subscriptions are the stocks */
            q = pub = m->queues[k].name;
        } else {
            const consumer_spec *cs = &m->consumers[k - m->nqueues];
            if (!m->queues[cs->queue].topic)
                continue;
            q = cs->name;
            pub = m->queues[cs->queue].name;
        }
        int cd = measure_col(obs, q, "depth");
        double peak = 0, t_peak = 0, first = NAN;
        for (size_t i = 0; i < obs->series.nrows; i++) {
            double t = measure_row_t(obs, i);
            if (t < judge_from)
                continue;
            double v = measure_cell(obs, i, cd);
            if (isnan(first))
                first = v;
            if (v > peak) {
                peak = v;
                t_peak = t;
            }
        }
        double base_depth = measure_mean(base, q, "depth", 0, d->end);
        double from = judge_from, to = t_peak + d->m->sample / (double)T_SEC;
        if (isnan(first) || to - from < 1 || peak < 10 || peak < 3 * base_depth || peak < 2 * first)
            continue;
        double in_o = measure_mean(obs, pub, "published", from, to), out_o = measure_mean(obs, q, "delivered", from, to);
        double in_b = measure_mean(base, pub, "published", from, to), out_b = measure_mean(base, q, "delivered", from, to);
        if (!(in_o > out_o))
            continue;
        bool up = in_o >= 1.1 * in_b, down = out_o <= 0.9 * out_b;
        const char *moved = up && down ? "both moved: inflow went up (a burst, retries) and outflow went down (slower "
                                         "processing, fewer consumers)"
                            : up       ? "inflow went up (a burst, retries)"
                            : down     ? "outflow went down (slower processing, fewer consumers)"
                                       : "neither flow moved far from the baseline; the small gap accumulated";
        char what[300];
        if (q == pub)
            snprintf(what, sizeof what, "%s's depth", q);
        else
            snprintf(what, sizeof what, "%s's subscription to %s: its depth", q, pub);
        add_mode(d, MODE_BACKLOG_GROWTH,
                 "%s grew from %.0f to %.0f messages between %.0f s and %.0f s (baseline %.1f): %.0f/s "
                 "published against %.0f/s delivered (baseline %.0f/s and %.0f/s), so %s",
                 what, first, peak, from, t_peak, base_depth, in_o, out_o, in_b, out_b, moved);
        break;
    }
    /* data integrity: any write duplicated, lost or ghost */
    dg_writes *w = &d->writes, *wb = &d->writes_baseline;
    for (size_t i = 0; i < obs->nintegrity; i++) {
        const eddy_integrity_totals *t = &obs->integrity[i];
        if (!t->duplicated && !t->lost && !t->ghost)
            continue;
        w->duplicated += t->duplicated;
        w->lost += t->lost;
        w->ghost += t->ghost;
        size_t n = strlen(d->writes_at);
        snprintf(d->writes_at + n, sizeof d->writes_at - n, "%s%s", n ? ", " : "", t->service);
    }
    for (size_t i = 0; i < base->nintegrity; i++) {
        wb->duplicated += base->integrity[i].duplicated;
        wb->lost += base->integrity[i].lost;
        wb->ghost += base->integrity[i].ghost;
    }
    if (w->duplicated + w->lost + w->ghost)
        add_mode(d, MODE_DATA_INTEGRITY,
                 "writes at %s: %llu duplicated, %llu lost, %llu ghost in the run as written (without the faults: "
                 "%llu, %llu, %llu)",
                 d->writes_at, (unsigned long long)w->duplicated, (unsigned long long)w->lost,
                 (unsigned long long)w->ghost, (unsigned long long)wb->duplicated, (unsigned long long)wb->lost,
                 (unsigned long long)wb->ghost);
}

/* ---- what an oscillation costs ------------------------------------------------ */

/* The service's replicas over one run: integrated (replica-minutes), and the
 * fewest and most in the second half. */
static void control_of(const eddy_result *r, const char *svc, double end, dg_control *c, bool first)
{
    c->replica_minutes += measure_mean(r, svc, "replicas", 0, end) * end / 60;
    c->p99 += measure_p99(r);
    if (!first)
        return;
    int col = measure_col(r, svc, "replicas");
    c->reversals = reversals(r, col, end / 2);
    c->lo = INFINITY;
    c->hi = -INFINITY;
    for (size_t i = 0; i < r->series.nrows; i++)
        if (measure_row_t(r, i) >= end / 2) {
            double v = measure_cell(r, i, col);
            c->lo = v < c->lo ? v : c->lo;
            c->hi = v > c->hi ? v : c->hi;
        }
}

/* The oscillating service's replica-minutes and the clients' p99, as
 * written and, when two autoscalers fight over it, with each alone (the
 * other removed), on the same seeds: what the fight costs against a
 * controller that settles. */
static int oscillation_cost(diagnosis *d, const char *path, const job_set *J0, const diagnose_opts *opt,
                            eddy_error *err)
{
    const model *m = d->m;
    const char *col = NULL;
    for (size_t i = 0; i < d->nmodes && !col; i++)
        if (d->modes[i].mode == MODE_OSCILLATION)
            col = d->modes[i].evidence;
    const char *dot = col ? strstr(col, ".replicas ") : NULL;
    if (!dot)
        return 0; /* a breaker that flaps: no replicas to count */
    snprintf(d->osc_service, sizeof d->osc_service, "%.*s", (int)(dot - col), col);
    int s = model_find_service(m, d->osc_service);
    if (s < 0)
        return 0;
    unsigned R = d->seeds;
    dg_control *c = &d->control[0];
    snprintf(c->label, sizeof c->label, "as written");
    for (unsigned r = 0; r < R; r++)
        control_of(&J0->res[r], d->osc_service, d->end, c, r == 0);
    c->replica_minutes /= R;
    c->p99 /= R;
    d->ncontrol = 1;
    size_t who[2], n = 0;
    for (size_t a = 0; a < m->nautoscalers && n < 2; a++)
        if (m->autoscalers[a].service == s)
            who[n++] = a;
    if (n < 2)
        return 0;
    job_set J = {.seeds = R, .seed = d->seed};
    J.models = xcalloc(2, sizeof *J.models);
    J.res = xcalloc(2 * R, sizeof *J.res);
    J.rc = xcalloc(2 * R, sizeof *J.rc);
    J.errs = xcalloc(2 * R, sizeof *J.errs);
    int rc = -1;
    for (size_t k = 0; k < 2; k++) {
        if ((J.models[k] = model_load(path, err)))
            variant_drop_responses(J.models[k]);
        if (!J.models[k])
            goto out;
        /* keep autoscaler who[k] alone on the service: drop the others on it */
        for (size_t a = J.models[k]->nautoscalers; a-- > 0;)
            if (a != who[k] && J.models[k]->autoscalers[a].service == s)
                variant_drop_autoscaler(J.models[k], a);
    }
    if (run_variants(&J, 0, 2, opt, err, &d->runs) < 0)
        goto out;
    for (size_t k = 0; k < 2; k++) {
        c = &d->control[1 + k];
        snprintf(c->label, sizeof c->label, "%s alone", m->autoscalers[who[k]].name);
        for (unsigned r = 0; r < R; r++)
            control_of(&J.res[k * R + r], d->osc_service, d->end, c, r == 0);
        c->replica_minutes /= R;
        c->p99 /= R;
    }
    d->ncontrol = 3;
    rc = 0;
out:
    for (size_t i = 0; i < 2 * R; i++)
        if (J.rc[i] == 0 && J.res[i].series.names)
            eddy_result_free(&J.res[i]);
    for (size_t k = 0; k < 2; k++)
        model_free(J.models[k]);
    free(J.models);
    free(J.res);
    free(J.rc);
    free(J.errs);
    return rc;
}

/* ---- the timeline ----------------------------------------------------------- */

/* The first row from `from` on where the clients' `metric` (timeouts,
 * retries) is above 1/s and twice its mean in the baseline run, as a
 * timeline event "first METRIC: N/s (baseline B/s)". */
static void first_client_surge(diagnosis *d, const model *m, const eddy_result *base, const eddy_result *obs,
                               double from, const char *metric)
{
    double b = 0;
    for (size_t i = 0; i < base->series.nrows; i++)
        b += measure_clients(m, base, i, metric);
    b /= base->series.nrows ? (double)base->series.nrows : 1;
    for (size_t i = 0; i < obs->series.nrows; i++) {
        double t = measure_row_t(obs, i), v = measure_clients(m, obs, i, metric);
        if (t >= from && v > 1 && v > 2 * b) {
            add_event(d, t, "first %s: %.0f/s (baseline %.1f/s)", metric, v, b);
            return;
        }
    }
}

static void build_timeline(diagnosis *d, const eddy_result *obs, const eddy_result *base)
{
    const model *m = d->m;
    for (size_t f = 0; f < m->nfaults; f++) {
        char desc[160], dur[32];
        phases_describe_fault(m, &m->faults[f], desc, sizeof desc);
        units_format_duration(m->faults[f].dur, dur, sizeof dur);
        if (fault_is_instant(m->faults[f].kind))
            add_event(d, t_sec(m->faults[f].at), "trigger: %s", desc);
        else
            add_event(d, t_sec(m->faults[f].at), "trigger: %s for %s", desc, dur);
    }
    burst bs[16];
    size_t nb = burst_find(m, bs, 16);
    for (size_t i = 0; i < nb && i < 16; i++) {
        char desc[192], dur[32];
        burst_describe(m, &bs[i], desc, sizeof desc);
        units_format_duration(bs[i].dur, dur, sizeof dur);
        add_event(d, t_sec(bs[i].at), "trigger: %s for %s", desc, dur);
    }
    double fs = d->fault_start;
    first_client_surge(d, m, base, obs, fs, "timeouts");
    /* first errors: a service answering with errors, often because its own
     * call timed out (a timeout on an inner edge has no column of its own,
     * so this is where it shows), the service that does so first */
    double err_t = INFINITY, err_v = 0, err_b = 0;
    const char *err_s = NULL;
    for (size_t s = 0; s < m->nservices; s++) {
        const char *n = m->services[s].name;
        int ce = measure_col(obs, n, "errors");
        if (ce < 0)
            continue;
        double be = measure_mean(base, n, "errors", 0, d->end);
        for (size_t i = 0; i < obs->series.nrows; i++) {
            double t = measure_row_t(obs, i), e = measure_cell(obs, i, ce);
            if (t >= fs && t < err_t && e > 1 && e > 2 * be) {
                err_t = t, err_v = e, err_b = be, err_s = n;
                break;
            }
        }
    }
    if (err_s)
        add_event(d, err_t, "first errors: %s answers %.0f/s with errors (baseline %.1f/s)", err_s, err_v, err_b);
    /* first retries: the moment callers start sending work again */
    first_client_surge(d, m, base, obs, fs, "retries");
    /* retries crossing N x */
    for (size_t i = 0; i < obs->series.nrows; i++) {
        double t = measure_row_t(obs, i), off = measure_clients(m, obs, i, "offered"), ret = measure_clients(m, obs, i, "retries");
        if (t >= fs && off > 0 && (off + ret) / off >= STORM_AMPLIFICATION) {
            add_event(d, t, "retries cross %.0fx: attempts in this interval are %.1fx the new user requests in it",
                      STORM_AMPLIFICATION, (off + ret) / off);
            break;
        }
    }
    /* a queue, the workers or a pool saturating */
    double sat_t = INFINITY;
    char sat[256] = "";
    for (size_t s = 0; s < m->nservices; s++) {
        const service_spec *sp = &m->services[s];
        const char *n = sp->name;
        double cap = capacity(sp);
        double qcap = sp->queue == MODEL_UNLIMITED ? INFINITY : (double)sp->queue * (double)(sp->scaled ? sp->slots : sp->replicas ? sp->replicas : 1);
        int cb = measure_col(obs, n, "busy"), cq = measure_col(obs, n, "queue"), cj = measure_col(obs, n, "rejected");
        double bbusy = measure_mean(base, n, "busy", 0, d->end);
        for (size_t i = 0; i < obs->series.nrows; i++) {
            double t = measure_row_t(obs, i);
            if (t < fs || t >= sat_t)
                continue;
            double busy = measure_cell(obs, i, cb), q = measure_cell(obs, i, cq), rj = measure_cell(obs, i, cj);
            if (isfinite(cap) && busy >= 0.99 * cap && bbusy < 0.9 * cap) {
                sat_t = t;
                snprintf(sat, sizeof sat, "%s saturates: %.0f of %.0f workers busy, %.0f queued", n, busy, cap, q);
            } else if (rj > 0 && isfinite(qcap) && q >= 0.9 * qcap) {
                sat_t = t;
                snprintf(sat, sizeof sat, "%s's queue is full (%.0f of %.0f): %.0f/s rejected", n, q, qcap, rj);
            }
        }
    }
    for (size_t k = 0; k < obs->series.ncols; k++) {
        const char *name = obs->series.names[k];
        const char *dot = strrchr(name, '.');
        if (!dot || strcmp(dot, ".pool_waiters"))
            continue;
        for (size_t i = 0; i < obs->series.nrows; i++) {
            double t = measure_row_t(obs, i);
            if (t >= fs && t < sat_t && measure_cell(obs, i, (int)k) >= 1) {
                sat_t = t;
                snprintf(sat, sizeof sat, "pool %.*s exhausted: %.0f waiting for a connection", (int)(dot - name),
                         name, measure_cell(obs, i, (int)k));
            }
        }
    }
    if (sat[0])
        add_event(d, sat_t, "%s", sat);
    bool trig = variant_has_trigger(m);
    if (trig)
        add_event(d, d->fault_end, "the trigger ends%s", d->fault_open_at_end ? " (at the end of the run)" : "");
    /* outcome */
    if (!trig) {
        /* nothing to recover from */
    } else if (d->fault_open_at_end) {
        add_event(d, d->end, "outcome: the run ends during the trigger");
    } else if (isfinite(d->recovery_time)) {
        add_event(d, d->fault_end + d->recovery_time, "outcome: goodput back to %.0f%% of baseline, %.0f s after the trigger ended",
                  GOOD_LEVEL * 100, d->recovery_time);
    } else {
        add_event(d, d->end, "outcome: still degraded at the end of the run: goodput %.0f%% of baseline since the trigger ended",
                  d->after_ratio * 100);
    }
    /* in time order; ties keep the order added */
    for (size_t i = 1; i < d->ntimeline; i++)
        for (size_t j = i; j > 0 && d->timeline[j].t < d->timeline[j - 1].t; j--) {
            dg_event tmp = d->timeline[j];
            d->timeline[j] = d->timeline[j - 1];
            d->timeline[j - 1] = tmp;
        }
}

/* ---- words ------------------------------------------------------------------ */

/* snprintf that may cut a long sentence short (names are the user's). */
static void say(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}

static void fmt_dur(double sec, char *buf, int size) { units_format_duration((simtime)llround(sec * 1e9), buf, size); }

static void describe_trigger(const model *m, char *buf, size_t size)
{
    buf[0] = 0;
    for (size_t f = 0; f < m->nfaults; f++) {
        char desc[160], dur[32], one[224];
        phases_describe_fault(m, &m->faults[f], desc, sizeof desc);
        units_format_duration(m->faults[f].dur, dur, sizeof dur);
        if (fault_is_instant(m->faults[f].kind))
            snprintf(one, sizeof one, "%s%s", f ? " and " : "", desc);
        else
            snprintf(one, sizeof one, "%sa %s %s", f ? " and " : "", dur, desc);
        strncat(buf, one, size - strlen(buf) - 1);
    }
    burst bs[16];
    size_t nb = burst_find(m, bs, 16);
    for (size_t i = 0; i < nb && i < 16; i++) {
        char desc[192], dur[32], one[256];
        burst_describe(m, &bs[i], desc, sizeof desc);
        units_format_duration(bs[i].dur, dur, sizeof dur);
        snprintf(one, sizeof one, "%s%s for %s", buf[0] ? " and " : "", desc, dur);
        strncat(buf, one, size - strlen(buf) - 1);
    }
}

static void describe_retries(const retry_policy *r, char *buf, size_t size)
{
    if (r->backoff == BACKOFF_NONE)
        snprintf(buf, size, "%d attempts, no backoff", r->attempts);
    else
        snprintf(buf, size, "%d attempts, %s backoff%s%s", r->attempts, backoff_name(r->backoff),
                 r->jitter != JITTER_NONE ? " with " : "", r->jitter != JITTER_NONE ? jitter_name(r->jitter) : "");
    if (r->budget.kind != BUDGET_NONE)
        strncat(buf, ", a budget", size - strlen(buf) - 1);
}

/* With a load burst: what each client got while it lasted, and, where the
 * bursting client's service keeps a partition per caller (`bulkheads:`),
 * whether they held the burst to its own partition. */
static void burst_credit(diagnosis *d)
{
    const model *m = d->m;
    burst bs[16];
    size_t nb = burst_find(m, bs, 16);
    if (!nb || !d->client_during)
        return;
    char add[768] = "; during it";
    bool bursting[256] = {false};
    for (size_t i = 0; i < nb && i < 16; i++)
        if (bs[i].client < 256)
            bursting[bs[i].client] = true;
    for (size_t c = 0; c < m->nclients && c < 256; c++) {
        char one[192];
        if (bursting[c])
            snprintf(one, sizeof one, "%s %s, the bursting client, was served %.0f/s of the %.0f/s it offered",
                     c ? "," : "", m->clients[c].name, d->client_served_during[c], d->client_offered_during[c]);
        else
            snprintf(one, sizeof one, "%s %s kept %.0f%% of its baseline goodput", c ? "," : "", m->clients[c].name,
                     d->client_during[c] * 100);
        strncat(add, one, sizeof add - strlen(add) - 1);
    }
    /* bulkheads on the bursting client's service */
    bool held = true, any = false;
    char svc[128] = "";
    for (size_t c = 0; c < m->nclients && c < 256; c++)
        if (!bursting[c] && d->client_during[c] < GOOD_LEVEL)
            held = false;
    for (size_t i = 0; i < nb && i < 16 && !any; i++) {
        if (m->clients[bs[i].client].call.to < 0)
            continue; /* a publisher: no bulkhead at a service */
        const service_spec *s = &m->services[m->clients[bs[i].client].call.to];
        for (size_t k = 0; k < s->nbulkheads; k++)
            if (!strcmp(s->bulkheads[k].caller, m->clients[bs[i].client].name)) {
                any = true;
                snprintf(svc, sizeof svc, "%s", s->name);
            }
    }
    if (any && held) {
        char one[256];
        snprintf(one, sizeof one, ": %s's per-caller bulkheads held the burst to its own partition", svc);
        strncat(add, one, sizeof add - strlen(add) - 1);
    } else if (!held) {
        strncat(add, ": the burst took capacity the other clients share", sizeof add - strlen(add) - 1);
    }
    strncat(d->coupling, add, sizeof d->coupling - strlen(d->coupling) - 1);
}

/* The coupling of a hold cycle: the service's contention, and what lets
 * its concurrency climb (the first caller's pool into it, else its own
 * workers). */
static void hold_cycle_statement(diagnosis *d, const char *trig, const char *load, const char *modetxt,
                                 const char *after)
{
    const model *m = d->m;
    int si = d->cuts.v[d->sustaining_cut].service;
    const service_spec *sv = &m->services[si];
    char usl[96] = "", holds[192] = "";
    double peak = desc_usl_peak(sv);
    if (peak > 0)
        snprintf(usl, sizeof usl, ", peak at %.0f in flight", peak);
    const call_spec *pool = NULL;
    const char *caller = NULL;
    for (size_t c = 0; c < m->nclients && !pool; c++)
        if (m->clients[c].call.pool.on && m->clients[c].call.to == si) {
            pool = &m->clients[c].call;
            caller = m->clients[c].name;
        }
    for (size_t s = 0; s < m->nservices && !pool; s++)
        for (size_t j = 0; j < m->services[s].ncalls && !pool; j++)
            if (m->services[s].calls[j].pool.on &&
                m->services[s].calls[j].to == si) {
                pool = &m->services[s].calls[j];
                caller = m->services[s].name;
            }
    if (pool)
        snprintf(holds, sizeof holds, "the %s->%s pool (%ld connections)", caller, sv->name, pool->pool.size);
    else if (sv->workers == MODEL_UNLIMITED)
        snprintf(holds, sizeof holds, "%s%s unlimited workers", sv->name, possessive(sv->name));
    else
        snprintf(holds, sizeof holds, "%s%s %ld workers", sv->name, possessive(sv->name), sv->workers);
    say(d->coupling, sizeof d->coupling,
        "%s%s contention (sigma %g, kappa %g%s) interacting with %s under %s%s produced %s that outlived the "
        "trigger: goodput %.0f%% of baseline for the remaining %s; a hold cycle (slower work is held longer, so "
        "more runs at once); switching %s%s contention off after the trigger restores it%s",
        sv->name, possessive(sv->name), sv->sigma, sv->kappa, usl, holds, trig, load, modetxt,
        d->after_ratio * 100, after, sv->name, possessive(sv->name),
        d->load_drop_recovers ? ", and so does dropping the load" : "");
}

static void coupling_statement(diagnosis *d)
{
    const model *m = d->m;
    char trig[512], load[256] = "", after[32];
    describe_trigger(m, trig, sizeof trig);
    /* "load" names what it measures: the offered rate, and the busiest
     * service's utilisation with the service's name */
    if (d->bottleneck[0]) {
        char u[32], r[32];
        fmt_util(d->load, u, sizeof u);
        fmt_rate(d->demand, r, sizeof r);
        snprintf(load, sizeof load, " at %s offered (%s, the busiest service, %s %s)", r, d->bottleneck, u,
                 d->load_of_peak ? "of its USL peak concurrency" : "busy");
    }
    fmt_dur(d->end - d->fault_end, after, sizeof after);
    /* the behaviour: the mode that goes with the sustaining cut, if seen */
    const char *mode = d->nmodes ? failure_mode_name(d->modes[0].mode) : NULL;
    if (d->sustaining_cut >= 0) {
        cut_kind ck = d->cuts.v[d->sustaining_cut].kind;
        failure_mode want = ck == CUT_CACHE        ? MODE_COLD_CACHE
                            : ck == CUT_CONTENTION ? MODE_CONGESTION_COLLAPSE
                                                   : MODE_RETRY_STORM;
        for (size_t i = 0; i < d->nmodes; i++)
            if (d->modes[i].mode == want)
                mode = failure_mode_name(want);
    }
    char modetxt[64] = "a failure";
    if (mode) {
        snprintf(modetxt, sizeof modetxt, "%s %s", strchr("aeiou", mode[0]) ? "an" : "a", mode);
        for (char *p = modetxt; *p; p++)
            if (*p == '_')
                *p = ' ';
    }
    /* Two controllers on one service, with different goals, that oscillate. */
    for (size_t i = 0; i < d->nmodes && m->nautoscalers >= 2; i++) {
        if (d->modes[i].mode != MODE_OSCILLATION)
            continue;
        for (size_t a = 0; a < m->nautoscalers; a++)
            for (size_t b = a + 1; b < m->nautoscalers; b++) {
                const autoscaler_spec *x = &m->autoscalers[a], *y = &m->autoscalers[b];
                if (x->service != y->service)
                    continue;
                char cost[512] = "";
                if (d->ncontrol == 3) {
                    char p[3][32];
                    for (int k = 0; k < 3; k++) {
                        snprintf(p[k], sizeof p[k], "-");
                        if (isfinite(d->control[k].p99))
                            fmt_dur(d->control[k].p99, p[k], sizeof p[k]);
                    }
                    snprintf(cost, sizeof cost,
                             "; it holds %.0f replica-minutes with a p99 of %s, against %.0f and %s with %s and %.0f "
                             "and %s with %s",
                             d->control[0].replica_minutes, p[0], d->control[1].replica_minutes, p[1],
                             d->control[1].label, d->control[2].replica_minutes, p[2], d->control[2].label);
                }
                say(d->coupling, sizeof d->coupling,
                    "autoscaler %s (metric %s, target %g) interacting with autoscaler %s (metric %s, target %g) on "
                    "%s%s produced an oscillation: %s%s; one controller per goal, or matched delays, would settle it",
                    x->name, scale_metric_name(x->metric), x->target, y->name, scale_metric_name(y->metric),
                    y->target, m->services[x->service].name, load, d->modes[i].evidence, cost);
                return;
            }
    }
    switch (d->verdict) {
    case VERDICT_COLLAPSED:
        say(d->coupling, sizeof d->coupling,
                 "offered load exceeds what %s can serve even without a trigger: the baseline serves %.0f%% of demand "
                 "(%s at %.0f%% %s); fix the capacity or the load before the loops",
                 d->bottleneck[0] ? d->bottleneck : "the system", d->baseline_success * 100,
                 d->bottleneck[0] ? d->bottleneck : "the busiest service", d->load * 100,
                 d->load_of_peak ? "of its USL peak concurrency" : "utilisation");
        return;
    case VERDICT_OSCILLATING:
        for (size_t i = 0; i < d->nmodes; i++)
            if (d->modes[i].mode == MODE_OSCILLATION)
                say(d->coupling, sizeof d->coupling,
                    "%s%s the control loop never settles: %s; goodput holds at %.0f%% of demand, but the "
                    "swings cost replicas and latency (below)",
                    variant_has_trigger(m) ? trig : "no trigger in the model", load, d->modes[i].evidence,
                    d->baseline_success * 100);
        return;
    case VERDICT_HEALTHY:
        if (!variant_has_trigger(m))
            say(d->coupling, sizeof d->coupling,
                     "no trigger in the model%s: the system serves %.0f%% of demand%s%s", load,
                     d->baseline_success * 100, mode ? ", but shows " : "", mode ? modetxt : "");
        else
            say(d->coupling, sizeof d->coupling,
                     "%s%s left no mark: goodput stayed at %.0f%% of baseline during the trigger and %.0f%% after", trig,
                     load, d->during_ratio * 100, d->after_ratio * 100);
        burst_credit(d);
        return;
    case VERDICT_COMPONENT: {
        char rec[64] = "within the settle time";
        if (isfinite(d->recovery_time) && d->recovery_time < 0.05)
            snprintf(rec, sizeof rec, "at once");
        else if (isfinite(d->recovery_time))
            snprintf(rec, sizeof rec, "%.1f s", d->recovery_time);
        say(d->coupling, sizeof d->coupling,
                 "%s%s degraded goodput to %.0f%% of baseline while it lasted, and the system recovered %s%s after it "
                 "ended: %s, no loop sustains it",
                 trig, load, d->during_ratio * 100, rec, "",
                 m->nfaults ? "a component fault (fix the box)" : "the harm ended with the burst");
        burst_credit(d);
        return;
    }
    case VERDICT_DATA_INTEGRITY:
        for (size_t i = 0; i < d->nmodes; i++)
            if (d->modes[i].mode == MODE_DATA_INTEGRITY)
                say(d->coupling, sizeof d->coupling,
                    "%s%s left goodput at %.0f%% of baseline, but the delivery contract between the services "
                    "failed: %s; `eddy review` names the mismatches and `eddy fix` measures the fixes",
                    variant_has_trigger(m) ? trig : "with no trigger, the model", load, d->during_ratio * 100,
                    d->modes[i].evidence);
        return;
    case VERDICT_METASTABLE:
        break;
    }
    if (d->sustaining_cut >= 0 && d->cuts.v[d->sustaining_cut].kind == CUT_RETRIES) {
        const cut *c = &d->cuts.v[d->sustaining_cut];
        const retry_policy *rp = NULL;
        char edge[160] = "", to[32] = "";
        if (c->client >= 0) {
            const client_spec *cl = &m->clients[c->client];
            rp = &cl->call.retry;
            units_format_duration(cl->call.timeout, to, sizeof to);
            snprintf(edge, sizeof edge, "%s->%s", cl->name, call_target_name(m, &cl->call));
        } else {
            const service_spec *sv = &m->services[c->service];
            for (size_t k = 0; k < sv->ncalls && !rp; k++)
                if (sv->calls[k].retry.attempts > 1) {
                    rp = &sv->calls[k].retry;
                    units_format_duration(sv->calls[k].timeout, to, sizeof to);
                    snprintf(edge, sizeof edge, "%s->%s", sv->name, m->services[sv->calls[k].to].name);
                }
        }
        char pol[128] = "";
        if (rp)
            describe_retries(rp, pol, sizeof pol);
        const char *who = c->client >= 0 ? m->clients[c->client].name : m->services[c->service].name;
        say(d->coupling, sizeof d->coupling,
                 "%s%s retries (%s) interacting with the %s timeout on %s under %s%s produced %s that outlived the "
                 "trigger: goodput %.0f%% of baseline for the remaining %s; cutting %s%s retries after the trigger "
                 "restores it",
                 who, possessive(who), pol, to[0] && strcmp(to, "0s") ? to : "missing", edge, trig, load, modetxt, d->after_ratio * 100,
                 after, who, possessive(who));
        return;
    }
    if (d->sustaining_cut >= 0 && d->cuts.v[d->sustaining_cut].kind == CUT_CACHE) {
        const cache_spec *k = &m->caches[d->cuts.v[d->sustaining_cut].cache];
        const call_spec *call = NULL;
        const char *caller = NULL;
        for (size_t c = 0; c < m->nclients && !call; c++)
            if (m->clients[c].call.has_cache && m->clients[c].call.cache == (int)(k - m->caches)) {
                call = &m->clients[c].call;
                caller = m->clients[c].name;
            }
        for (size_t s = 0; s < m->nservices && !call; s++)
            for (size_t j = 0; j < m->services[s].ncalls && !call; j++)
                if (m->services[s].calls[j].has_cache && m->services[s].calls[j].cache == (int)(k - m->caches)) {
                    call = &m->services[s].calls[j];
                    caller = m->services[s].name;
                }
        char ttl[32] = "none", jit[48] = "", to[32] = "no";
        if (k->ttl)
            units_format_duration(k->ttl, ttl, sizeof ttl);
        if (k->ttl_jitter) {
            char j[32];
            units_format_duration(k->ttl_jitter, j, sizeof j);
            snprintf(jit, sizeof jit, " + %s jitter", j);
        }
        if (call && call->timeout)
            units_format_duration(call->timeout, to, sizeof to);
        say(d->coupling, sizeof d->coupling,
            "cache %s (%ld keys, ttl %s%s%s%s) interacting with the %s timeout on %s->%s under %s%s produced %s that "
            "outlived the trigger: goodput %.0f%% of baseline for the remaining %s; switching coalescing and "
            "stale-while-revalidate on after the trigger restores it",
            k->name, k->keys, ttl, jit, k->coalesce ? ", coalescing" : ", no coalescing",
            k->swr ? ", stale-while-revalidate" : "", to, caller ? caller : "?",
            call ? m->services[call->to].name : "?", trig, load, modetxt, d->after_ratio * 100, after);
        return;
    }
    if (d->sustaining_cut >= 0 && d->cuts.v[d->sustaining_cut].kind == CUT_HEDGES) {
        const cut *c = &d->cuts.v[d->sustaining_cut];
        const call_spec *call = NULL;
        const char *who = c->client >= 0 ? m->clients[c->client].name : m->services[c->service].name;
        if (c->client >= 0)
            call = &m->clients[c->client].call;
        else
            for (size_t j = 0; j < m->services[c->service].ncalls && !call; j++)
                if (m->services[c->service].calls[j].hedge.on)
                    call = &m->services[c->service].calls[j];
        char delay[32] = "?", cap[48] = "no cap on hedges in flight";
        if (call) {
            units_format_duration(call->hedge.delay, delay, sizeof delay);
            if (call->hedge.max_outstanding != MODEL_UNLIMITED)
                snprintf(cap, sizeof cap, "at most %ld in flight", call->hedge.max_outstanding);
        }
        say(d->coupling, sizeof d->coupling,
            "%s%s hedging (a copy after %s, up to %d copies, %s) interacting with %s's queue under %s%s produced "
            "%s that outlived the trigger: late answers send copies that make answers later; goodput %.0f%% of "
            "baseline for the remaining %s; switching hedging off after the trigger restores it",
            who, possessive(who), delay, call ? call->hedge.attempts : 0, cap,
            call ? m->services[call->to].name : "the callee", trig, load, d->nmodes ? modetxt : "a failure",
            d->after_ratio * 100, after);
        return;
    }
    if (d->sustaining_cut >= 0 && d->cuts.v[d->sustaining_cut].kind == CUT_CONTENTION) {
        hold_cycle_statement(d, trig, load, modetxt, after);
        return;
    }
    say(d->coupling, sizeof d->coupling,
             "%s%s tipped the system into %s that outlived the trigger: goodput %.0f%% of baseline for the remaining "
             "%s; %s",
             trig, load, modetxt, d->after_ratio * 100, after,
             d->load_drop_recovers ? "no single loop knockout restored it, but dropping the load did"
                                   : "neither a loop knockout nor a load drop restored it");
}

/* Returns the new piece of evidence, or NULL when the entity has one. */
static dg_evidence *add_evidence(diagnosis *d, const char *entity, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static dg_evidence *add_evidence(diagnosis *d, const char *entity, const char *fmt, ...)
{
    for (size_t i = 0; i < d->nevidence; i++)
        if (!strcmp(d->evidence[i].entity, entity))
            return NULL;
    d->evidence = xrealloc(d->evidence, (d->nevidence + 1) * sizeof *d->evidence);
    dg_evidence *e = &d->evidence[d->nevidence++];
    memset(e, 0, sizeof *e); /* team and brief are filled later, if at all */
    snprintf(e->entity, sizeof e->entity, "%s", entity);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->text, sizeof e->text, fmt, ap);
    va_end(ap);
    return e;
}

/* For each component on the sustaining loop: it does what it is configured
 * to do once the trigger is over. */
static void component_evidence(diagnosis *d, const eddy_result *obs, const eddy_result *base)
{
    if (d->sustaining_loop < 0)
        return;
    const model *m = d->m;
    const cld_loop *l = &d->loops->loops[d->sustaining_loop];
    double a0 = d->fault_end + d->settle, a1 = d->end;
    if (a1 - a0 < 1)
        a0 = d->fault_end;
    for (size_t k = 0; k < l->len; k++) {
        const cld_var *v = &d->graph->vars[l->vars[k]];
        if (!v->kind)
            continue;
        if (!strcmp(v->kind, "service")) {
            int s = model_find_service(m, v->entity);
            if (s < 0)
                continue;
            const char *n = m->services[s].name;
            double busy = measure_mean(obs, n, "busy", a0, a1), done = measure_mean(obs, n, "completed", a0, a1);
            double wasted = measure_mean(obs, n, "wasted", a0, a1);
            double bbusy = measure_mean(base, n, "busy", a0, a1), bdone = measure_mean(base, n, "completed", a0, a1);
            double cap = capacity(&m->services[s]);
            char hold[32] = "?", bhold[32] = "?", util[48] = "";
            if (done > 0)
                fmt_dur(busy / done, hold, sizeof hold);
            if (bdone > 0)
                fmt_dur(bbusy / bdone, bhold, sizeof bhold);
            if (isfinite(cap))
                snprintf(util, sizeof util, "%.0f%% of its %.0f workers busy", 100 * busy / cap, cap);
            else
                snprintf(util, sizeof util, "%.0f workers busy", busy);
            dg_evidence *e =
                add_evidence(d, n,
                             "no fault on it after the trigger; it completes %.0f/s (baseline %.0f/s), holding each for "
                             "%s (baseline %s), %s; %.0f%% of what it completes is wasted%s",
                             done, bdone, hold, bhold, util, done > 0 ? 100 * wasted / done : 0,
                             done > 0 && wasted > 0.05 * done ? ": the caller had already given up" : "");
            if (e)
                snprintf(e->brief, sizeof e->brief, "no fault; %.0f%% busy, %.0f%% wasted",
                         isfinite(cap) && cap > 0 ? 100 * busy / cap : 100, done > 0 ? 100 * wasted / done : 0);
        } else if (!strcmp(v->kind, "client")) {
            int c = model_find_client(m, v->entity);
            if (c < 0)
                continue;
            const char *n = m->clients[c].name;
            double off = measure_mean(obs, n, "offered", a0, a1), ret = measure_mean(obs, n, "retries", a0, a1);
            dg_evidence *e =
                add_evidence(d, n,
                             "it retries as configured (at most %d attempts per request) and measures %.2f attempts "
                             "per request after the trigger; its demand is the baseline's",
                             m->clients[c].call.retry.attempts, off > 0 ? (off + ret) / off : 0);
            if (e)
                snprintf(e->brief, sizeof e->brief, "%.2f attempts per request, as configured",
                         off > 0 ? (off + ret) / off : 0);
        }
    }
}

/* ---- teams, Cynefin, POSIWID ---------------------------------------------------- */

/* The sustaining loop's teams, into the coupling statement; each piece
 * of evidence names its component's owner. */
static void team_statement(diagnosis *d)
{
    const model *m = d->m;
    if (!m->nteams)
        return;
    for (size_t i = 0; i < d->nevidence; i++) {
        int t = model_owner(m, d->evidence[i].entity);
        snprintf(d->evidence[i].team, sizeof d->evidence[i].team, "%s", t >= 0 ? m->teams[t].name : "");
    }
    if (d->sustaining_loop < 0)
        return;
    owners_report r;
    owners_analyze(d->loops, m, &r);
    const owners_loop *o = &r.loops[d->sustaining_loop];
    char *s = owners_sentence(&r, (size_t)d->sustaining_loop);
    snprintf(d->teams, sizeof d->teams, "%s", s);
    free(s);
    d->cross_team = o->cross_team;
    d->team_names = xcalloc(o->nparts + 1, sizeof *d->team_names);
    for (size_t p = 0; p < o->nparts; p++)
        if (o->parts[p].team >= 0)
            d->team_names[d->nteam_names++] = xstrdup(m->teams[o->parts[p].team].name);
    owners_free(&r);
    size_t len = strlen(d->coupling);
    snprintf(d->coupling + len, sizeof d->coupling - len, ". %s", d->teams);
}

/* Snowden's Cynefin domains: a component fault is complicated (experts
 * can analyse it), a metastable failure complex (only probing reveals the
 * loop), collapse chaotic (act before understanding). */
static void cynefin(diagnosis *d)
{
    static const char *const dom[] = {"clear", "complicated", "complex", "chaotic", "complex", "complicated"};
    static const char *const resp[] = {
        "sense, categorise, respond: the system absorbs this trigger as it is",
        "analyse, then fix the box: the failure is in one component and ends with it",
        "probe by knockout, then break the loop: the failure lives in the coupling, not in a component",
        "act first (shed load), then sense: the system cannot serve its demand even without a trigger",
        "probe, then retune the loops: two controllers fight, and neither is broken on its own",
        /* one literal: clang's -Wstring-concatenation (make fuzz) flags a
         * split one inside an array initialiser */
        "analyse, then fix the contract: the writes break where a delivery guarantee meets a missing idempotency check, which analysis of the two ends finds",
    };
    d->cynefin = dom[d->verdict];
    d->cynefin_response = resp[d->verdict];
}

/* What the system does, from what it did (Beer: the purpose of a system is
 * what it does). */
static void purpose(diagnosis *d)
{
    char trig[512], util[32], after[32];
    describe_trigger(d->m, trig, sizeof trig);
    fmt_util(d->load, util, sizeof util);
    fmt_dur(d->end - d->fault_end, after, sizeof after);
    char at[96] = "";
    if (d->bottleneck[0])
        snprintf(at, sizeof at, " at %s load", util);
    switch (d->verdict) {
    case VERDICT_HEALTHY:
        say(d->purpose, sizeof d->purpose, "it absorbs %s%s: goodput stays at %.0f%% of its baseline or better",
            trig[0] ? trig : "its steady load", at, 100 * fmin(d->during_ratio, d->after_ratio));
        break;
    case VERDICT_COMPONENT: {
        char rt[48] = "soon";
        if (isfinite(d->recovery_time))
            fmt_dur(d->recovery_time, rt, sizeof rt);
        say(d->purpose, sizeof d->purpose,
            "it passes %s%s straight to its users (goodput %.0f%% of baseline while it lasts) and is back %s after "
            "it ends",
            trig, at, 100 * d->during_ratio, rt);
        break;
    }
    case VERDICT_METASTABLE: {
        char until[256];
        if (d->sustaining_cut >= 0) {
            const cut *c = &d->cuts.v[d->sustaining_cut];
            const char *who = c->client >= 0 ? d->m->clients[c->client].name
                              : c->service >= 0 ? d->m->services[c->service].name
                              : c->cache >= 0 ? d->m->caches[c->cache].name : "it";
            if (c->kind == CUT_CONTENTION) /* not a lever anyone has: say what ends it */
                say(until, sizeof until, "until %s lets %s%s concurrency fall back",
                    d->load_drop_recovers ? "the load drops and" : "something", who, possessive(who));
            else
                say(until, sizeof until, "until someone %s at %s",
                    c->kind == CUT_RETRIES ? "disables retries"
                    : c->kind == CUT_HEDGES ? "disables hedging"
                                            : "turns on coalescing and stale-while-revalidate",
                    who);
        } else if (d->load_drop_recovers) {
            say(until, sizeof until, "until the load drops");
        } else {
            say(until, sizeof until, "to the end of the run (%s after the trigger), whatever single loop is cut", after);
        }
        say(d->purpose, sizeof d->purpose, "it turns %s%s into an outage (%.0f%% of baseline goodput) that lasts %s",
            trig, at, 100 * d->after_ratio, until);
        break;
    }
    case VERDICT_COLLAPSED:
        say(d->purpose, sizeof d->purpose,
            "it serves %.0f%% of what is asked of it, trigger or not: its demand is past what it can do", 100 * d->baseline_success);
        break;
    case VERDICT_DATA_INTEGRITY: {
        /* the ledger's counts are the measurement; without the faults they
         * say whether the faults made the corruption or only added to it */
        const dg_writes *w = &d->writes, *b = &d->writes_baseline;
        char base[160] = "none without the faults";
        if (b->duplicated + b->lost + b->ghost)
            say(base, sizeof base, "without the faults: %llu duplicated, %llu lost, %llu ghost",
                (unsigned long long)b->duplicated, (unsigned long long)b->lost, (unsigned long long)b->ghost);
        say(d->purpose, sizeof d->purpose,
            "it keeps serving under %s%s (goodput %.0f%% of baseline while it lasts), and corrupts its writes doing "
            "it: %llu duplicated, %llu lost and %llu ghost at %s in the run as written (%s)",
            trig[0] ? trig : "its load", at, 100 * d->during_ratio, (unsigned long long)w->duplicated,
            (unsigned long long)w->lost, (unsigned long long)w->ghost, d->writes_at, base);
        break;
    }
    case VERDICT_OSCILLATING:
        say(d->purpose, sizeof d->purpose, "it keeps moving %s%s replicas (%d changes of direction in the second half) "
                                           "instead of settling",
            d->osc_service[0] ? d->osc_service : "a service", d->osc_service[0] ? "'s" : "'s", d->ncontrol ? d->control[0].reversals : 0);
        break;
    }
}

/* ---- the diagnosis ------------------------------------------------------------ */

static double mean_over(const double *v, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i];
    return n ? s / (double)n : NAN;
}

/* Whether a loop variable was measurably raised after the trigger: +1
 * raised, -1 not, 0 when no column measures it (edge variables of a
 * service's calls, budgets). */
static int raised(const diagnosis *d, const cld_var *v, const eddy_result *obs, const eddy_result *base)
{
    static const struct {
        const char *metric, *col, *col2;
    } map[] = {{"load", "arrivals", NULL},     {"in_flight", "busy", "queue"}, {"held", "busy", NULL},
               {"latency", "latency_p99", NULL}, {"rejects", "rejected", NULL}, {"errors", "errors", NULL},
               {"timeouts", "timeouts", NULL}, {"retries", "retries", NULL}};
    if (!v->kind)
        return 0;
    const char *dot = strrchr(v->id, '.');
    const char *metric = dot ? dot + 1 : v->id;
    bool edge = strstr(v->id, "\xe2\x86\x92") != NULL; /* "caller→callee.metric" */
    if (edge && strcmp(v->kind, "client"))
        return 0; /* a service's call edge has no column of its own */
    double a0 = d->fault_end + d->settle, a1 = d->end;
    if (a1 - a0 < 1)
        a0 = d->fault_end;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strcmp(metric, map[i].metric))
            continue;
        double o = measure_mean(obs, v->entity, map[i].col, a0, a1), b = measure_mean(base, v->entity, map[i].col, a0, a1);
        if (map[i].col2) {
            o += measure_mean(obs, v->entity, map[i].col2, a0, a1);
            b += measure_mean(base, v->entity, map[i].col2, a0, a1);
        }
        if (isnan(o) || isnan(b))
            return 0;
        return o > 1.2 * b + 1e-3 ? 1 : -1;
    }
    return 0;
}

/* Among the loops a cut covers, the one the measurements support best: the
 * most variables raised after the trigger, less those not raised; ties go
 * to the shorter loop, then to the lower rank. */
static int pick_loop(const diagnosis *d, const cut *c, const eddy_result *obs, const eddy_result *base)
{
    int best = -1, best_score = 0;
    size_t best_len = 0;
    for (size_t i = 0; i < c->nloops; i++) {
        const cld_loop *l = &d->loops->loops[c->loops[i]];
        int score = 0;
        for (size_t k = 0; k < l->len; k++)
            score += raised(d, &d->graph->vars[l->vars[k]], obs, base);
        if (best < 0 || score > best_score || (score == best_score && l->len < best_len)) {
            best = (int)c->loops[i];
            best_score = score;
            best_len = l->len;
        }
    }
    return best;
}

#define DIAGNOSE_MAX_LOOPS 2000

int diagnose_run(const char *path, const diagnose_opts *opt, diagnosis *d, eddy_error *err)
{
    memset(d, 0, sizeof *d);
    d->sustaining_loop = d->sustaining_cut = -1;
    d->recovery_time = NAN;
    model *m = model_load(path, err);
    if (!m)
        return -1;
    /* the system before anyone acts: a response would hide the loop it
     * answers (`eddy fix` measures the responses) */
    d->responses = variant_drop_responses(m);
    d->m = m;
    d->seeds = opt->seeds ? opt->seeds : 1;
    d->seed = opt->seed;
    d->end = t_sec(m->duration);
    bool trig = variant_has_trigger(m), bursts = burst_any(m);
    d->fault_start = trig ? t_sec(variant_fault_start(m)) : d->end;
    d->fault_end = trig ? t_sec(variant_fault_end(m)) : d->end;
    d->fault_open_at_end = trig && d->fault_end >= d->end - 1e-9;
    if (bursts) {
        d->client_during = calloc(m->nclients, sizeof *d->client_during);
        d->client_served_during = calloc(m->nclients, sizeof *d->client_served_during);
        d->client_offered_during = calloc(m->nclients, sizeof *d->client_offered_during);
        if (!d->client_during || !d->client_served_during || !d->client_offered_during)
            return err_set(err, path, 0, 0, "out of memory");
    }
    double rest = d->end - d->fault_end;
    d->settle = opt->settle > 0 ? t_sec(opt->settle) : (rest / 3 < 30 ? rest / 3 : 30);

    d->graph = derive_graph(m);
    /* Every group of loops, each searched on its own past 2000 loops: the
     * knockouts see every cut, not the cuts of the first 500 loops found. */
    d->loops = loops_analyze_bounded(d->graph, DIAGNOSE_MAX_LOOPS, 100);
    if (knockout_find(m, d->graph, d->loops, &d->cuts, err) < 0) {
        if (err)
            snprintf(err->file, sizeof err->file, "%s", path);
        return -1;
    }
    d->knockouts = calloc(d->cuts.n ? d->cuts.n : 1, sizeof *d->knockouts);

    size_t nvar = 2 + d->cuts.n;
    job_set J = {.seeds = d->seeds, .seed = d->seed};
    J.models = calloc(nvar, sizeof *J.models);
    J.res = calloc(nvar * d->seeds, sizeof *J.res);
    J.rc = calloc(nvar * d->seeds, sizeof *J.rc);
    J.errs = calloc(nvar * d->seeds, sizeof *J.errs);
    int rc = -1;
    if (!d->knockouts || !J.models || !J.res || !J.rc || !J.errs) {
        err_set(err, path, 0, 0, "out of memory for the runs of %zu cuts", d->cuts.n);
        free(J.models);
        free(J.res);
        free(J.rc);
        free(J.errs);
        return -1;
    }
    J.models[0] = m;
    J.models[1] = model_load(path, err);
    if (J.models[1])
        variant_drop_responses(J.models[1]);
    if (!J.models[1])
        goto out;
    variant_drop_faults(J.models[1]);
    if (run_variants(&J, 0, 2, opt, err, &d->runs) < 0)
        goto out;

    /* observed against baseline, seed by seed */
    unsigned R = d->seeds;
    double *after = xcalloc(R, sizeof *after), *during = xcalloc(R, sizeof *during), *succ = xcalloc(R, sizeof *succ);
    double *rec = xcalloc(R, sizeof *rec);
    double ph[6][64];
    double a0 = d->fault_end + d->settle;
    for (unsigned r = 0; r < R; r++) {
        const eddy_result *o = &J.res[r], *b = &J.res[R + r];
        double gb_after = measure_window(m, b, a0, d->end, measure_goodput);
        double go_after = measure_window(m, o, a0, d->end, measure_goodput);
        after[r] = gb_after > 0 ? go_after / gb_after : 1;
        double gb_dur = measure_window(m, b, d->fault_start, d->fault_end, measure_goodput);
        double go_dur = measure_window(m, o, d->fault_start, d->fault_end, measure_goodput);
        during[r] = gb_dur > 0 ? go_dur / gb_dur : 1;
        if (bursts) {
            /* A bursting client's extra goodput must not hide another
             * client's loss: each client counts up to its baseline. */
            after[r] = measure_capped_ratio(m, o, b, a0, d->end);
            during[r] = measure_capped_ratio(m, o, b, d->fault_start, d->fault_end);
            for (size_t c = 0; c < m->nclients; c++) {
                const char *n = m->clients[c].name;
                double gb = measure_mean(b, n, "goodput", d->fault_start, d->fault_end);
                double go = measure_mean(o, n, "goodput", d->fault_start, d->fault_end);
                d->client_during[c] += (gb > 0 ? go / gb : 1) / R;
                d->client_served_during[c] += go / R;
                d->client_offered_during[c] += (measure_mean(o, n, "offered", d->fault_start, d->fault_end) +
                                                measure_mean(o, n, "shed", d->fault_start, d->fault_end)) / R;
            }
        }
        double dem = measure_window(m, b, 0, d->end, measure_demand);
        succ[r] = dem > 0 ? measure_window(m, b, 0, d->end, measure_goodput) / dem : 1;
        d->demand += dem / R;
        rec[r] = trig && !d->fault_open_at_end ? measure_recovery(m, o, b, d->fault_end) : NAN;
        if (r < 64) {
            ph[0][r] = measure_window(m, b, 0, d->fault_start, measure_goodput);
            ph[1][r] = measure_window(m, b, d->fault_start, d->fault_end, measure_goodput);
            ph[2][r] = measure_window(m, b, d->fault_end, d->end, measure_goodput);
            ph[3][r] = measure_window(m, o, 0, d->fault_start, measure_goodput);
            ph[4][r] = measure_window(m, o, d->fault_start, d->fault_end, measure_goodput);
            ph[5][r] = measure_window(m, o, d->fault_end, d->end, measure_goodput);
        }
    }
    unsigned RP = R < 64 ? R : 64;
    d->baseline = (dg_phases){mean_over(ph[0], RP), mean_over(ph[1], RP), mean_over(ph[2], RP)};
    d->observed = (dg_phases){mean_over(ph[3], RP), mean_over(ph[4], RP), mean_over(ph[5], RP)};
    d->after_ratio = mean_over(after, R);
    d->during_ratio = mean_over(during, R);
    d->baseline_success = mean_over(succ, R);
    double rsum = 0;
    for (unsigned r = 0; r < R; r++)
        if (!isnan(rec[r])) {
            d->recovered_seeds++;
            rsum += rec[r] - d->fault_end;
        }
    if (d->recovered_seeds * 2 > R)
        d->recovery_time = rsum / (double)d->recovered_seeds;
    free(after);
    free(during);
    free(succ);
    free(rec);

    /* the bottleneck: the busiest service of the baseline; a scaled
     * service's capacity is the replicas it had, not the most it may have.
     * A service with unlimited workers has no worker count to be busy
     * against: with contention (kappa > 0) the concurrency it can use is
     * its USL peak N* per replica (past it, throughput falls), so its
     * utilisation is the queries in it over N* x replicas; without
     * contention it never saturates (an M/M/inf server) and is never the
     * bottleneck. */
    for (size_t s = 0; s < m->nservices; s++) {
        const service_spec *sp = &m->services[s];
        double cap = capacity(sp);
        double reps = measure_mean(&J.res[R], sp->name, "replicas", 0, d->end);
        if (!(reps > 0))
            reps = (double)(sp->replicas > 0 ? sp->replicas : 1);
        if (sp->scaled && sp->workers != MODEL_UNLIMITED)
            cap = (double)sp->workers * reps;
        bool peak = sp->workers == MODEL_UNLIMITED && desc_usl_peak(sp) > 0;
        if (peak)
            cap = desc_usl_peak(sp) * reps;
        double u = isfinite(cap) ? measure_mean(&J.res[R], sp->name, "busy", 0, d->end) / cap : 0;
        if (u > d->load) {
            d->load = u;
            d->load_of_peak = peak;
            snprintf(d->bottleneck, sizeof d->bottleneck, "%s", sp->name);
        }
    }

    /* the verdict */
    bool metastable_after = trig && !d->fault_open_at_end && d->recovered_seeds * 2 <= R;
    if (d->baseline_success < GOOD_LEVEL)
        d->verdict = VERDICT_COLLAPSED;
    else if (metastable_after && d->after_ratio < GOOD_LEVEL)
        d->verdict = VERDICT_METASTABLE;
    else if (trig && (d->during_ratio < GOOD_LEVEL || d->recovered_seeds * 2 <= R))
        d->verdict = VERDICT_COMPONENT;
    else
        d->verdict = VERDICT_HEALTHY;
    if (d->verdict == VERDICT_METASTABLE)
        d->recovery_time = NAN;

    /* knockouts: which loop, cut after the trigger, lets it recover */
    if (d->verdict == VERDICT_METASTABLE) {
        simtime fe = variant_fault_end(m);
        simtime drop_for = (m->duration - fe) / 4;
        if (drop_for > 60 * T_SEC)
            drop_for = 60 * T_SEC;
        double judge = d->fault_end + (d->end - d->fault_end) / 2;
        /* The knockouts run KO_ROUND cuts at a time, and each round's
         * runs are summarised and freed before the next: memory holds one
         * round's series and models, not every knockout's (a 200-service
         * platform has 170 cuts, 510 runs of about 1 MB of series each).
         * Each cut's figures depend only on its own runs and the baseline,
         * so the rounds change nothing in the output. */
        diagnose_opts ro = *opt;
        ko_progress kp = {opt->progress, opt->progress_ud, 0, 0, d->cuts.n};
        if (opt->progress) {
            ro.progress = ko_progress_update;
            ro.progress_ud = &kp;
        }
        for (size_t c0 = 0; c0 < d->cuts.n; c0 += KO_ROUND) {
            size_t c1 = c0 + KO_ROUND < d->cuts.n ? c0 + KO_ROUND : d->cuts.n;
            for (size_t c = c0; c < c1; c++) {
                J.models[2 + c] = model_load(path, err);
                if (J.models[2 + c])
                    variant_drop_responses(J.models[2 + c]);
                if (!J.models[2 + c])
                    goto out;
                knockout_apply(J.models[2 + c], &d->cuts.v[c], fe, drop_for);
            }
            kp.done = c0;
            kp.round = c1 - c0;
            if (run_variants(&J, 2 + c0, c1 - c0, &ro, err, &d->runs) < 0)
                goto out;
            for (size_t c = c0; c < c1; c++) {
                dg_knockout *k = &d->knockouts[c];
                k->cut = &d->cuts.v[c];
                k->recovery_time = NAN;
                double ratio = 0, rt = 0;
                for (unsigned r = 0; r < R; r++) {
                    const eddy_result *o = &J.res[(2 + c) * R + r], *b = &J.res[R + r];
                    double gb = measure_window(m, b, judge, d->end, measure_goodput);
                    ratio += gb > 0 ? measure_window(m, o, judge, d->end, measure_goodput) / gb : 1;
                    double t = measure_recovery(m, o, b, d->fault_end);
                    if (!isnan(t)) {
                        k->recovered++;
                        rt += t - d->fault_end;
                    }
                }
                k->after_ratio = ratio / R;
                if (k->recovered)
                    k->recovery_time = rt / (double)k->recovered;
                k->recovers = k->recovered * 2 > R && k->after_ratio >= GOOD_LEVEL;
                if (k->cut->kind == CUT_LOAD_DROP)
                    d->load_drop_recovers = k->recovers;
                else if (k->recovers && d->sustaining_cut < 0) {
                    d->sustaining_cut = (int)c;
                    d->sustaining_loop = pick_loop(d, k->cut, &J.res[0], &J.res[R]);
                }
            }
            for (size_t c = c0; c < c1; c++) {
                for (unsigned r = 0; r < R; r++) {
                    eddy_result *o = &J.res[(2 + c) * R + r];
                    if (J.rc[(2 + c) * R + r] == 0 && o->series.names)
                        eddy_result_free(o);
                    memset(o, 0, sizeof *o);
                }
                model_free(J.models[2 + c]);
                J.models[2 + c] = NULL;
            }
        }
    } else {
        for (size_t c = 0; c < d->cuts.n; c++) {
            d->knockouts[c].cut = &d->cuts.v[c];
            d->knockouts[c].after_ratio = NAN;
            d->knockouts[c].recovery_time = NAN;
        }
    }

    find_modes(d, &J.res[0], &J.res[R]);
    /* An oscillation is a failure of the control loop even when goodput
     * holds: it outranks healthy and component (not metastable or
     * collapsed, which say more). */
    for (size_t i = 0; i < d->nmodes; i++)
        if (d->modes[i].mode == MODE_OSCILLATION &&
            (d->verdict == VERDICT_HEALTHY || d->verdict == VERDICT_COMPONENT)) {
            d->verdict = VERDICT_OSCILLATING;
            if (oscillation_cost(d, path, &J, opt, err) < 0)
                goto out;
        }
    /* goodput may hold while writes are duplicated or lost: never healthy */
    for (size_t i = 0; i < d->nmodes; i++)
        if (d->modes[i].mode == MODE_DATA_INTEGRITY && d->verdict == VERDICT_HEALTHY)
            d->verdict = VERDICT_DATA_INTEGRITY;
    build_timeline(d, &J.res[0], &J.res[R]);
    coupling_statement(d);
    component_evidence(d, &J.res[0], &J.res[R]);
    team_statement(d);
    cynefin(d);
    purpose(d);
    postmortem_compose(d);
    if (opt->keep_runs) {
        /* hand replication 0's runs over: the slots are cleared so the
         * loop below does not free them */
        d->observed_run = xmalloc(sizeof *d->observed_run);
        d->baseline_run = xmalloc(sizeof *d->baseline_run);
        *d->observed_run = J.res[0];
        *d->baseline_run = J.res[R];
        memset(&J.res[0], 0, sizeof J.res[0]);
        memset(&J.res[R], 0, sizeof J.res[R]);
    }
    rc = 0;
out:
    for (size_t i = 0; i < nvar * d->seeds; i++)
        if (J.rc[i] == 0 && J.res[i].series.names)
            eddy_result_free(&J.res[i]);
    for (size_t v = 1; v < nvar; v++)
        model_free(J.models[v]);
    free(J.models);
    free(J.res);
    free(J.rc);
    free(J.errs);
    return rc;
}

void diagnosis_free(diagnosis *d)
{
    if (d->observed_run) {
        eddy_result_free(d->observed_run);
        free(d->observed_run);
    }
    if (d->baseline_run) {
        eddy_result_free(d->baseline_run);
        free(d->baseline_run);
    }
    knockout_free(&d->cuts);
    free(d->client_during);
    free(d->client_served_during);
    free(d->client_offered_during);
    free(d->knockouts);
    free(d->timeline);
    free(d->evidence);
    for (size_t i = 0; i < d->nteam_names; i++)
        free(d->team_names[i]);
    free(d->team_names);
    if (d->loops)
        loops_free(d->loops);
    if (d->graph)
        cld_free(d->graph);
    model_free((model *)d->m);
    memset(d, 0, sizeof *d);
}
