/* check.c -- running a model on seeds and judging its hypotheses. */
#include "check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "measure.h"
#include "variant.h"
#include "../core/xalloc.h"

/* ---- measuring ------------------------------------------------------------- */

/* Columns a hypothesis reads: the metric's, or a client's for a derived one. */
typedef struct hyp_cols {
    int c[3];
} hyp_cols;

static int check_cols(const hypothesis *h, const eddy_result *r, hyp_cols *k)
{
    switch (h->derived) {
    case HD_SUCCESS:
        k->c[0] = measure_col(r, h->entity, "goodput");
        k->c[1] = measure_col(r, h->entity, "failed");
        k->c[2] = -1;
        return k->c[0] >= 0 && k->c[1] >= 0 ? 0 : -1;
    case HD_AMPLIFICATION:
        k->c[0] = measure_col(r, h->entity, "offered");
        k->c[1] = measure_col(r, h->entity, "retries");
        k->c[2] = -1;
        return k->c[0] >= 0 && k->c[1] >= 0 ? 0 : -1;
    case HD_NONE:
        break;
    }
    k->c[0] = measure_col(r, h->entity, h->metric);
    k->c[1] = k->c[2] = -1;
    return k->c[0] >= 0 ? 0 : -1;
}

/* A row's numerator and denominator: the value is num / den.  A plain
 * column has den 1, and NaN (a latency with no sample) skips the row. */
static void check_row(const hypothesis *h, const eddy_result *r, const hyp_cols *k, size_t row, double *num,
                      double *den)
{
    switch (h->derived) {
    case HD_SUCCESS:
        *num = measure_cell(r, row, k->c[0]);
        *den = measure_cell(r, row, k->c[0]) + measure_cell(r, row, k->c[1]);
        return;
    case HD_AMPLIFICATION:
        *num = measure_cell(r, row, k->c[0]) + measure_cell(r, row, k->c[1]);
        *den = measure_cell(r, row, k->c[0]);
        return;
    case HD_NONE:
        break;
    }
    *num = eddy_series_at(&r->series, row, (size_t)k->c[0]);
    *den = 1;
}

double check_measure(const model *m, const hypothesis *h, hyp_window w, hyp_stat stat, const eddy_result *r,
                     bool *missing)
{
    hyp_cols k;
    *missing = check_cols(h, r, &k) < 0;
    if (*missing)
        return NAN;
    double a[HYP_MAX_INTERVALS], b[HYP_MAX_INTERVALS];
    size_t ni = hyp_window_intervals(m, h, w, a, b, HYP_MAX_INTERVALS);
    /* mean: sum of num x overlap / sum of den x overlap, which for a ratio
     * is the ratio of the window's totals, not a mean of ratios */
    double sn = 0, sd = 0, best = NAN;
    for (size_t row = 0; row < r->series.nrows; row++) {
        double t0 = measure_row_t(r, row), t1 = t0 + measure_row_dt(r, row), over = 0;
        for (size_t i = 0; i < ni; i++) {
            double lo = t0 > a[i] ? t0 : a[i], hi = t1 < b[i] ? t1 : b[i];
            if (hi > lo)
                over += hi - lo;
        }
        if (over <= 0)
            continue;
        double num, den;
        check_row(h, r, &k, row, &num, &den);
        if (isnan(num) || !(den > 0))
            continue;
        sn += num * over;
        sd += den * over;
        double v = num / den;
        if (isnan(best) || (stat == HS_MAX && v > best) || (stat == HS_MIN && v < best))
            best = v;
    }
    if (stat == HS_MEAN)
        return sd > 0 ? sn / sd : NAN;
    return best;
}

/* ---- running -------------------------------------------------------------- */

enum { V_OBSERVED, V_NO_FAULTS, V_COUNT };

typedef struct check_jobs {
    model *models[V_COUNT];
    unsigned seeds;
    uint64_t seed;
    size_t nvariants;
    /* [variant][seed][hypothesis]: the value in its own window, and (observed
     * only) in the `before` window */
    double *own, *before;
    int *rc;
    eddy_error *errs;
    int *missing; /* hypothesis whose column was missing, or -1 */
} check_jobs;

static void check_job(size_t i, void *ud)
{
    check_jobs *J = ud;
    size_t v = i / J->seeds;
    unsigned rep = (unsigned)(i % J->seeds);
    const model *m = J->models[v];
    const model *hm = J->models[V_OBSERVED]; /* windows are the model's as written */
    eddy_options o = eddy_options_default();
    o.seed = batch_seed(J->seed, rep);
    o.use_seed = true;
    eddy_result r;
    J->missing[i] = -1;
    J->rc[i] = eddy_run(m, &o, &r, &J->errs[i]);
    if (J->rc[i] < 0)
        return;
    size_t nh = hm->nhypotheses;
    for (size_t k = 0; k < nh; k++) {
        const hypothesis *h = &hm->hypotheses[k];
        bool miss = false, miss2 = false;
        /* a baseline is the metric's mean: its usual level */
        J->own[i * nh + k] = check_measure(hm, h, h->window, v == V_OBSERVED ? h->stat : HS_MEAN, &r, &miss);
        J->before[i * nh + k] = v == V_OBSERVED && h->relative && h->baseline == HB_BEFORE
                                    ? check_measure(hm, h, HW_BEFORE, HS_MEAN, &r, &miss2)
                                    : NAN;
        if ((miss || miss2) && J->missing[i] < 0)
            J->missing[i] = (int)k;
    }
    eddy_result_free(&r);
}

static void check_verdict_of(check_report *R, const check_jobs *J, size_t k)
{
    const model *m = R->m;
    size_t nh = m->nhypotheses;
    check_verdict *cv = &R->v[k];
    const hypothesis *h = &m->hypotheses[k];
    cv->h = h;
    cv->seeds = xcalloc(R->seeds, sizeof *cv->seeds);
    cv->min = cv->max = cv->mean = cv->limit_mean = NAN;
    double sum = 0, lsum = 0;
    size_t ndata = 0, nlim = 0;
    for (unsigned s = 0; s < R->seeds; s++) {
        check_seed *cs = &cv->seeds[s];
        size_t obs = (size_t)V_OBSERVED * R->seeds + s;
        cs->seed = batch_seed(R->seed, s);
        cs->value = J->own[obs * nh + k];
        cs->baseline = NAN;
        cs->limit = h->threshold;
        if (h->relative) {
            cs->baseline = h->baseline == HB_BEFORE ? J->before[obs * nh + k]
                                                    : J->own[((size_t)V_NO_FAULTS * R->seeds + s) * nh + k];
            cs->limit = h->threshold * cs->baseline;
        }
        cs->pass = hyp_holds(h->cmp, cs->value, cs->limit);
        cv->passed += cs->pass;
        if (isnan(cs->value)) {
            cv->nodata++;
        } else {
            sum += cs->value;
            cv->min = ndata == 0 || cs->value < cv->min ? cs->value : cv->min;
            cv->max = ndata == 0 || cs->value > cv->max ? cs->value : cv->max;
            ndata++;
        }
        if (!isnan(cs->limit)) {
            lsum += cs->limit;
            nlim++;
        }
    }
    if (ndata)
        cv->mean = sum / (double)ndata;
    if (nlim)
        cv->limit_mean = lsum / (double)nlim;
    cv->pass = cv->passed == R->seeds;
    R->failed += !cv->pass;
}

int check_run(const char *path, const check_opts *o, check_report *out, eddy_error *err)
{
    memset(out, 0, sizeof *out);
    model *m = model_load(path, err);
    if (!m)
        return -1;
    out->m = m;
    if (m->nhypotheses == 0) {
        err_set(err, path, 0, 0,
                "the model has no `hypotheses:` to check (docs/check.md says how to write them)");
        return -1;
    }
    out->seeds = o->seeds ? o->seeds : 1;
    out->seed = o->have_seed ? o->seed : m->seed;
    out->n = m->nhypotheses;
    check_jobs J = {.seeds = out->seeds, .seed = out->seed, .nvariants = 1};
    J.models[V_OBSERVED] = m;
    for (size_t k = 0; k < m->nhypotheses; k++)
        if (m->hypotheses[k].relative && m->hypotheses[k].baseline == HB_NO_FAULTS)
            J.nvariants = 2;
    if (J.nvariants == 2) {
        J.models[V_NO_FAULTS] = model_load(path, err);
        if (!J.models[V_NO_FAULTS])
            return -1;
        variant_drop_faults(J.models[V_NO_FAULTS]);
    }
    size_t njobs = J.nvariants * J.seeds, nh = m->nhypotheses;
    J.own = xcalloc(njobs * nh, sizeof *J.own);
    J.before = xcalloc(njobs * nh, sizeof *J.before);
    J.rc = xcalloc(njobs, sizeof *J.rc);
    J.errs = xcalloc(njobs, sizeof *J.errs);
    J.missing = xcalloc(njobs, sizeof *J.missing);
    batch_for(njobs, o->threads, check_job, &J, o->progress, o->progress_ud);
    out->runs = njobs;
    int rc = 0;
    for (size_t i = 0; i < njobs && rc == 0; i++) {
        if (J.rc[i] < 0) {
            *err = J.errs[i];
            rc = -1;
        } else if (J.missing[i] >= 0) {
            const hypothesis *h = &m->hypotheses[J.missing[i]];
            rc = err_set(err, path, h->metric_pos.line, h->metric_pos.col,
                         "hypotheses: the run has no column '%s.%s' (please report this: the loader accepted it)",
                         h->entity, h->metric);
        }
    }
    if (rc == 0) {
        out->v = xcalloc(nh, sizeof *out->v);
        for (size_t k = 0; k < nh; k++)
            check_verdict_of(out, &J, k);
    }
    model_free(J.models[V_NO_FAULTS]);
    free(J.own);
    free(J.before);
    free(J.rc);
    free(J.errs);
    free(J.missing);
    return rc;
}

void check_report_free(check_report *r)
{
    for (size_t k = 0; r->v && k < r->n; k++)
        free(r->v[k].seeds);
    free(r->v);
    model_free(r->m);
    memset(r, 0, sizeof *r);
}
