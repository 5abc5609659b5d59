/* avail_dyn.c -- simulating each frequent cut set's outage (avail_dyn.h). */
#include "avail_dyn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "measure.h"
#include "variant.h"
#include "../core/xalloc.h"

#define DYN_WARMUP 60.0        /* seconds of normal running before the outage */
#define DYN_TAIL_MIN 600.0     /* watched after the repair, at least ... */
#define DYN_TAIL_MAX 1800.0    /* ... and at most */

typedef struct dyn_job {
    model *m;
    double at, fault_end;
    double outage;
    bool unrecovered, failed;
} dyn_job;

/* Mean outage duration of an analysis variable, seconds. */
static double dyn_duration(const fault_tree *t, uint32_t v)
{
    if (v < t->nevents)
        return repair_mean(&t->events[v].mttr);
    return repair_mean(&t->events[t->ccfs[v - t->nevents].members[0]].mttr);
}

static const repair *dyn_repair(const fault_tree *t, uint32_t v)
{
    return v < t->nevents ? &t->events[v].mttr : &t->events[t->ccfs[v - t->nevents].members[0]].mttr;
}

static void dyn_add_fault(model *m, int service, fault_kind kind, long replicas, double at, double dur)
{
    if (dur <= 0)
        return;
    m->faults = xrealloc(m->faults, (m->nfaults + 1) * sizeof *m->faults);
    fault_spec *f = &m->faults[m->nfaults++];
    memset(f, 0, sizeof *f);
    f->at = (simtime)llround(at * T_SEC);
    f->dur = (simtime)llround(dur * T_SEC);
    if (f->dur < 1)
        f->dur = 1;
    f->target = service;
    f->kind = kind;
    f->replicas = replicas;
}

/* An infra entry's outage [at, at + dur) as faults on the services it
 * takes down. */
static void dyn_infra(model *m, int infra, double at, double dur)
{
    for (size_t s = 0; s < m->nservices; s++) {
        service_spec *S = &m->services[s];
        for (size_t d = 0; d < S->ndepends; d++)
            if (S->depends_on[d].on.infra == infra) {
                double g = (double)S->depends_on[d].stale / T_SEC;
                if (dur > g)
                    dyn_add_fault(m, (int)s, FAULT_DOWN, 0, at + g, dur - g);
            }
        long in_zone = 0;
        for (long i = 0; S->nzones && i < S->replicas; i++)
            if (S->zones[(size_t)i % S->nzones].infra == infra)
                in_zone++;
        if (in_zone)
            dyn_add_fault(m, (int)s, in_zone >= S->replicas ? FAULT_DOWN : FAULT_LOSE_REPLICAS, in_zone, at, dur);
    }
}

/* The faults of analysis variable v failing over [at, at + dur). */
static void dyn_var_faults(const avail_model *a, model *m, uint32_t v, double at, double dur)
{
    const fault_tree *t = a->t;
    if (v >= t->nevents) {
        const ccf_spec *C = &a->m->ccf[v - t->nevents];
        for (size_t j = 0; j < C->nmembers; j++) {
            if (C->members[j].service >= 0)
                dyn_add_fault(m, C->members[j].service, FAULT_DOWN, 0, at, dur);
            else
                dyn_infra(m, C->members[j].infra, at, dur);
        }
        return;
    }
    const avail_origin *o = &a->origin[v];
    if (o->kind == ORIGIN_REPLICA)
        dyn_add_fault(m, o->service, m->services[o->service].replicas == 1 ? FAULT_DOWN : FAULT_LOSE_REPLICAS, 1, at,
                      dur);
    else if (o->kind == ORIGIN_INFRA)
        dyn_infra(m, o->infra, at, dur);
}

/* User-visible outage: time after `at` with goodput (5-row windows) below
 * 90% of its level before `at`, up to recovery: the first time after the
 * fault's end from which every 5-row window is back at 90%. */
static void dyn_measure(const model *m, const eddy_result *r, dyn_job *j)
{
    size_t n = r->series.nrows;
    double base = measure_window(m, r, DYN_WARMUP / 3, j->at, measure_goodput);
    j->outage = 0;
    j->unrecovered = false;
    if (!(base > 0) || n == 0)
        return;
    double *smooth = xcalloc(n, sizeof *smooth);
    for (size_t i = 0; i < n; i++) {
        size_t lo = i >= RECOVERY_ROWS / 2 ? i - RECOVERY_ROWS / 2 : 0, hi = i + RECOVERY_ROWS / 2;
        if (hi >= n)
            hi = n - 1;
        double s = 0, w = 0;
        for (size_t k = lo; k <= hi; k++) {
            s += measure_goodput(m, r, k) * measure_row_dt(r, k);
            w += measure_row_dt(r, k);
        }
        smooth[i] = w > 0 ? s / w : 0;
    }
    /* recovery: after the last low row */
    size_t last_low = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        double t = measure_row_t(r, i);
        if (t > j->at && smooth[i] < GOOD_LEVEL * base)
            last_low = i;
    }
    if (last_low == SIZE_MAX) {
        free(smooth);
        return;
    }
    if (last_low + RECOVERY_ROWS / 2 + 1 >= n)
        j->unrecovered = true;
    for (size_t i = 0; i <= last_low; i++) {
        double t = measure_row_t(r, i);
        if (t > j->at && smooth[i] < GOOD_LEVEL * base)
            j->outage += measure_row_dt(r, i);
    }
    free(smooth);
}

static void dyn_run(size_t i, void *ud)
{
    dyn_job *j = &((dyn_job *)ud)[i];
    eddy_options opt = eddy_options_default();
    eddy_result r;
    eddy_error err;
    if (eddy_run(j->m, &opt, &r, &err) != 0) {
        j->failed = true;
        return;
    }
    dyn_measure(j->m, &r, j);
    eddy_result_free(&r);
}

static int dyn_cmp_freq(const void *a, const void *b)
{
    const avail_dyn_case *x = a, *y = b;
    if (x->freq_per_year != y->freq_per_year)
        return x->freq_per_year > y->freq_per_year ? -1 : 1;
    return x->vars[0] < y->vars[0] ? -1 : x->vars[0] > y->vars[0];
}

static void dyn_dur_words(double s, char *out, size_t n)
{
    if (s < 120)
        snprintf(out, n, "%.0f s", s);
    else if (s < 7200)
        snprintf(out, n, "%.1f min", s / 60);
    else
        snprintf(out, n, "%.1f h", s / 3600);
}

int avail_dynamic(const char *path, const avail_model *a, const ft_exact *x, const avail_dyn_options *o,
                  avail_dyn *out, char *err, size_t errlen)
{
    const fault_tree *t = a->t;
    memset(out, 0, sizeof *out);
    /* The distinct cut sets of order 1 and 2 over every top event. */
    size_t cap = 16, n = 0;
    avail_dyn_case *cs = xcalloc(cap, sizeof *cs);
    for (size_t k = 0; k < t->ntops; k++)
        for (size_t c = 0; c < x->tops[k].ncutsets; c++) {
            const ft_cutset *C = &x->tops[k].cutsets[c];
            avail_dyn_case d = {0};
            for (size_t i = 0; i < C->order; i++) {
                uint32_t v = C->vars[i];
                if (v < t->nevents && t->events[v].kind == FT_EVENT_BEYOND)
                    continue;
                if (d.order < 2)
                    d.vars[d.order] = v;
                d.order++;
            }
            if (d.order == 0 || d.order > 2)
                continue;
            bool dup = false;
            for (size_t i = 0; i < n && !dup; i++)
                dup = cs[i].order == d.order && cs[i].vars[0] == d.vars[0] &&
                      (d.order == 1 || cs[i].vars[1] == d.vars[1]);
            if (dup) {
                continue;
            }
            double p = 1, inv = 0;
            for (size_t i = 0; i < d.order; i++) {
                p *= x->p[d.vars[i]];
                inv += 1 / dyn_duration(t, d.vars[i]);
            }
            d.freq_per_year = p * inv * AVAIL_SECONDS_PER_YEAR;
            d.structural_min_per_year = C->p * AVAIL_MINUTES_PER_YEAR;
            for (size_t i = 0; i < d.order; i++)
                d.names[i] = ft_var_name(t, d.vars[i]);
            avail_cutset_words(a, C, d.what, sizeof d.what);
            if (n == cap) {
                cap *= 2;
                cs = xrealloc(cs, cap * sizeof *cs);
            }
            cs[n++] = d;
        }
    qsort(cs, n, sizeof *cs, dyn_cmp_freq);
    out->ncutsets = n;
    if (o->top && n > o->top)
        n = o->top;
    out->cases = cs;
    out->ncases = n;
    out->draws = o->draws;
    if (n == 0) {
        snprintf(out->purpose, sizeof out->purpose, "what this system does: nothing in the model fails it");
        return 0;
    }

    size_t njobs = n * o->draws;
    dyn_job *jobs = xcalloc(njobs, sizeof *jobs);
    for (size_t c = 0; c < n; c++) {
        cs[c].repair = xcalloc(o->draws, sizeof *cs[c].repair);
        cs[c].outage = xcalloc(o->draws, sizeof *cs[c].outage);
        for (size_t d = 0; d < o->draws; d++) {
            dyn_job *j = &jobs[c * o->draws + d];
            eddy_error e = {0};
            j->m = model_load(path, &e);
            if (!j->m) {
                snprintf(err, errlen, "%s:%d:%d: %s", e.file, e.line, e.col, e.msg);
                for (size_t k = 0; k < njobs; k++)
                    model_free(jobs[k].m);
                free(jobs);
                return -1;
            }
            variant_drop_faults(j->m);
            rng r;
            rng_stream(&r, batch_seed(o->seed, (unsigned)d), "avail-dynamic", (uint32_t)c);
            double dur = INFINITY;
            for (size_t i = 0; i < cs[c].order; i++) {
                double R = repair_sample(dyn_repair(t, cs[c].vars[i]), &r);
                if (R < dur)
                    dur = R;
            }
            cs[c].repair[d] = dur;
            j->at = DYN_WARMUP;
            j->fault_end = DYN_WARMUP + dur;
            for (size_t i = 0; i < cs[c].order; i++)
                dyn_var_faults(a, j->m, cs[c].vars[i], j->at, dur);
            double tail = dur < DYN_TAIL_MIN ? DYN_TAIL_MIN : dur > DYN_TAIL_MAX ? DYN_TAIL_MAX : dur;
            j->m->duration = (simtime)llround((j->fault_end + tail) * T_SEC);
        }
    }
    batch_for(njobs, o->threads, dyn_run, jobs, o->progress, o->progress_ud);
    /* The line names the cut set whose amplification costs the most a year
     * (frequency x (measured outage - repair)), not the one with the
     * largest ratio: a rare pair of replicas matters less than a frequent
     * blip.  Every figure in it is measured or from the exact analysis. */
    double best_ratio = 0, best_cost = 0;
    int best = -1;
    for (size_t c = 0; c < n; c++) {
        avail_dyn_case *C = &cs[c];
        double so = 0, sr = 0;
        for (size_t d = 0; d < o->draws; d++) {
            dyn_job *j = &jobs[c * o->draws + d];
            if (j->failed)
                out->failed++;
            C->outage[d] = j->outage;
            C->unrecovered += j->unrecovered;
            so += j->outage;
            sr += C->repair[d];
        }
        C->mean_outage = so / (double)o->draws;
        C->mean_repair = sr / (double)o->draws;
        C->expected_min_per_year = C->freq_per_year * C->mean_outage / 60;
        out->expected_min_per_year += C->expected_min_per_year;
        out->structural_min_per_year += C->structural_min_per_year;
        double ratio = C->mean_repair > 0 ? C->mean_outage / C->mean_repair : 0;
        double cost = C->freq_per_year * (C->mean_outage - C->mean_repair);
        if (C->mean_outage > 0 && (best < 0 || cost > best_cost)) {
            best_cost = cost;
            best_ratio = ratio;
            best = (int)c;
        }
    }
    for (size_t k = 0; k < njobs; k++)
        model_free(jobs[k].m);
    free(jobs);
    if (best < 0) {
        snprintf(out->purpose, sizeof out->purpose,
                 "what this system does: it rides out its most frequent outages (no user-visible outage in any run)");
    } else {
        const avail_dyn_case *C = &cs[best];
        char rw[32], ow[32], names[256] = "", tail[128] = "";
        if (C->unrecovered)
            snprintf(tail, sizeof tail, " (a lower bound: in %zu of %zu runs it had not recovered when the run ended)",
                     C->unrecovered, o->draws);
        dyn_dur_words(C->mean_repair, rw, sizeof rw);
        dyn_dur_words(C->mean_outage, ow, sizeof ow);
        for (size_t i = 0; i < C->order; i++) {
            if (i)
                strncat(names, " + ", sizeof names - strlen(names) - 1);
            strncat(names, ft_var_name(t, C->vars[i]), sizeof names - strlen(names) - 1);
        }
        if (best_ratio >= 1.5)
            snprintf(out->purpose, sizeof out->purpose,
                     "what this system does: it turns a %s %s outage (about %.3g a year) into %s of outage for its "
                     "users%s",
                     rw, names, C->freq_per_year, ow, tail);
        else
            snprintf(out->purpose, sizeof out->purpose,
                     "what this system does: it passes a %s %s outage (about %.3g a year) to its users as %s of "
                     "outage, without amplifying it",
                     rw, names, C->freq_per_year, ow);
    }
    return 0;
}

void avail_dyn_free(avail_dyn *d)
{
    for (size_t c = 0; c < d->ncases; c++) {
        free(d->cases[c].repair);
        free(d->cases[c].outage);
    }
    free(d->cases);
    memset(d, 0, sizeof *d);
}
