/* check.h -- judging a model's `hypotheses:` over several seeds.
 *
 * `eddy check` runs the model as written on each seed (and, when a
 * hypothesis compares against `baseline: no_faults`, the model without its
 * faults on the same seeds), reads each hypothesis's metric over its window
 * off the series, and compares it with the threshold.  A hypothesis holds
 * only if it holds on every seed: CI wants "this stayed true", not "this
 * was true on average".  Runs go through batch_for, so the verdicts do not
 * depend on how many threads ran them. */
#ifndef EDDY_CHECK_H
#define EDDY_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eddy.h"
#include "../model/hypotheses.h"
#include "../model/model.h"

typedef struct check_opts {
    unsigned seeds; /* replications (>= 1) */
    uint64_t seed;  /* base seed */
    bool have_seed; /* false: the model's own `seed` */
    int threads;    /* <= 0: one per core */
    void (*progress)(double, void *);
    void *progress_ud;
} check_opts;

/* One hypothesis on one seed. */
typedef struct check_seed {
    uint64_t seed;   /* the replication's seed */
    double value;    /* the metric's stat over the window; NaN: no data */
    double baseline; /* relative thresholds: the baseline's value; else NaN */
    double limit;    /* the threshold it was compared with (absolute) */
    bool pass;
} check_seed;

typedef struct check_verdict {
    const hypothesis *h;
    check_seed *seeds; /* one per replication */
    size_t passed;     /* seeds on which it held */
    bool pass;         /* it held on every seed */
    double mean, min, max; /* of value over the seeds with data */
    double limit_mean;     /* of limit over the seeds */
    size_t nodata;         /* seeds on which there was nothing to measure */
} check_verdict;

typedef struct check_report {
    model *m; /* owned */
    unsigned seeds;
    uint64_t seed; /* base seed */
    check_verdict *v; /* one per hypothesis, in file order */
    size_t n, failed;
    size_t runs;
} check_report;

/* Load the model at path and judge its hypotheses.  Returns 0 (whatever the
 * verdicts), or -1 with err set: the model is invalid, has no hypotheses,
 * or a run failed. */
int check_run(const char *path, const check_opts *o, check_report *out, eddy_error *err);
void check_report_free(check_report *r);

/* The stat of h's metric over window w (its own, or HW_BEFORE for a
 * baseline; a baseline is always the mean) in result r of model m; NaN
 * when there is nothing to measure.
 * *missing is set when a column it needs is not in the series (the loader
 * checks for this, so it means the two disagree). */
double check_measure(const model *m, const hypothesis *h, hyp_window w, hyp_stat stat, const eddy_result *r,
                     bool *missing);

#endif
