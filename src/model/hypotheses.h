/* hypotheses.h -- `hypotheses:`, what a model claims about its own run.
 *
 * After Chaos Toolkit's steady-state hypothesis: each entry names a metric
 * (a CSV column `entity.metric`, or a client's `success` or
 * `amplification`), a window of the run (before, during or after the
 * faults, or a time range), a statistic over that window (mean, max, min),
 * and a comparison with a threshold, absolute or a percentage of a
 * baseline.  `eddy check` runs the model and judges each one
 * (analysis/check.h); this file only reads and validates them, so that a
 * typo in a hypothesis is a file:line:col error like any other.
 *
 *     hypotheses:
 *       - name: shoppers stay fast while api loses a third of its replicas
 *         metric: shoppers.latency_p99
 *         window: during
 *         stat: max
 *         at_most: 200ms
 *
 * The conditions language is documented in docs/check.md. */
#ifndef EDDY_HYPOTHESES_H
#define EDDY_HYPOTHESES_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/clock.h"
#include "model.h"
#include "schema.h"

/* What a metric's numbers are, which decides how its threshold is written. */
typedef enum hyp_unit {
    HU_RATE,     /* per second: `400/s` */
    HU_SECONDS,  /* a latency: `200ms` */
    HU_FRACTION, /* `99%` or 0.99 */
    HU_NUMBER,   /* a plain number: queue length, replicas */
    HU_FACTOR,   /* attempts per request: `2` or `2x` */
} hyp_unit;

typedef enum hyp_window {
    HW_BEFORE, /* from 0 to the first fault */
    HW_DURING, /* while any fault window is open */
    HW_AFTER,  /* from the end of the last fault to the end of the run */
    HW_RUN,    /* the whole run */
    HW_RANGE,  /* window: {from: 60s, to: 120s} */
} hyp_window;

typedef enum hyp_stat { HS_MEAN, HS_MAX, HS_MIN } hyp_stat;

typedef enum hyp_cmp { HC_BELOW, HC_AT_MOST, HC_ABOVE, HC_AT_LEAST } hyp_cmp;

/* What "N% of baseline" is measured against: always the metric's mean, its
 * usual level, whatever the hypothesis's stat. */
typedef enum hyp_baseline {
    HB_BEFORE,    /* the mean before the first fault, in the same run */
    HB_NO_FAULTS, /* the mean over the same window, in a run of the same seed without the faults */
} hyp_baseline;

/* A metric derived from a client's columns rather than read from one. */
typedef enum hyp_derived {
    HD_NONE,
    HD_SUCCESS,       /* goodput / (goodput + failed): of the requests that finished, the
                       * share that succeeded, as `eddy run`'s phases */
    HD_AMPLIFICATION, /* (offered + retries) / offered: attempts per request */
} hyp_derived;

typedef struct hypothesis {
    char *name;
    char *entity, *metric; /* the column is entity.metric (derived: the client's) */
    hyp_unit unit;
    hyp_derived derived;
    hyp_window window;
    simtime from, to;   /* HW_RANGE */
    simtime within;     /* during, after: the window starts this much later */
    hyp_stat stat;
    hyp_cmp cmp;
    double threshold;   /* in the metric's unit (seconds, per second, fraction) */
    bool relative;      /* threshold is a fraction of the baseline's value */
    hyp_baseline baseline;
    model_pos pos, metric_pos, window_pos, cmp_pos;
} hypothesis;

/* The window of hypothesis h in model m, clipped to the run, as up to `cap`
 * disjoint intervals [a[i], b[i]) in seconds; returns how many (0: empty).
 * `during` is one interval per stretch of open fault windows. */
size_t hyp_window_intervals(const model *m, const hypothesis *h, hyp_window w, double *a, double *b, size_t cap);
#define HYP_MAX_INTERVALS 64

/* `window: {from: 60s, to: 120s}`, as read by its schema table. */
typedef struct hyp_range {
    simtime from, to;
} hyp_range;

/* The schema tables of a hypothesis and of its time-range window (defined
 * in schema_model.c with the other tables; their custom readers and rule
 * are below). */
extern const schema_table hypothesis_table, hyp_range_table;
int hyp_read_metric(schema_ctx *S, const schema_key *k, yaml_node_t *v, const char *path, void *obj);
int hyp_read_window(schema_ctx *S, const schema_key *k, yaml_node_t *v, const char *path, void *obj);
int hyp_read_threshold(schema_ctx *S, const schema_key *k, yaml_node_t *v, const char *path, void *obj);
int hyp_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *map, const char *path);

/* Read the `hypotheses:` list (node n) of model S->m, whose clients,
 * services, caches, autoscalers and faults are already read, each entry
 * against hypothesis_table.  Fills m->hypotheses.  Returns 0, or -1 with
 * the error set at the offending node. */
int hypotheses_read(schema_ctx *S, yaml_node_t *n);
/* Whether entity.metric is a column the run of m will have (or a derived
 * metric): 0 with its unit, or -1 with why not (and a "did you mean") in
 * `why`.  The conditions of actions (cond.h) use it too. */
int hypotheses_metric(const model *m, const char *entity, const char *metric, hyp_unit *unit, hyp_derived *derived,
                      char *why, size_t size);
void hypotheses_free(model *m);

const char *hyp_window_name(hyp_window w);
const char *hyp_stat_name(hyp_stat s);
const char *hyp_cmp_name(hyp_cmp c);
/* "<", "<=", ">", ">=" */
const char *hyp_cmp_symbol(hyp_cmp c);
bool hyp_holds(hyp_cmp c, double value, double threshold);
/* A value in the metric's unit, the way a person writes it ("153ms",
 * "398.2/s", "99.5%", "12.3", "1.20x"); "-" for NaN. */
void hyp_format(hyp_unit u, double v, char *buf, size_t size);

#endif
