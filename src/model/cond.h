/* cond.h -- the condition of a conditional action (`when:`), a small
 * language (docs/teams.md, "Conditions"):
 *
 *   condition  := metric " " op " " threshold [" for " duration]
 *   metric     := entity "." name        a CSV column of `eddy run -o`, or
 *                                        a client's success or amplification
 *   op         := "<" | "<=" | ">" | ">="
 *   threshold  := a value in the metric's unit (400/s, 200ms, 99%, 12, 2x)
 *               | N "% of baseline"      N percent of the metric's mean
 *                                        before the first fault
 *   duration   := how long it must hold, in whole sample intervals (2m)
 *
 * e.g. "shoppers.goodput < 50% of baseline for 2m".  The engine judges it
 * at the end of each sample interval; once it has held for the duration,
 * the action's team is paged and the action takes effect after the team's
 * `oncall` delay (at once without `by`).  It fires once. */
#ifndef EDDY_MODEL_COND_H
#define EDDY_MODEL_COND_H

#include <stdbool.h>
#include <stddef.h>

#include "hypotheses.h"
#include "schema.h"

typedef struct cond_spec {
    char *text;             /* as written */
    char *entity, *metric;  /* the column is entity.metric (derived: the client's) */
    char *threshold_text;   /* the threshold as written, converted once the metric's unit is known */
    size_t metric_off, threshold_off; /* where they start in text, for errors */
    hyp_unit unit;
    hyp_derived derived;
    hyp_cmp cmp;
    double threshold; /* in the metric's unit (seconds, per second, fraction) */
    bool relative;    /* threshold is a fraction of the baseline's value */
    simtime hold;     /* how long it must hold; 0: one interval */
    model_pos pos;    /* the string's first character */
} cond_spec;

/* Parse `text` (syntax only) into c.  0, or -1 with *off the byte offset
 * in text of the problem and msg saying what was expected. */
int cond_parse(const char *text, cond_spec *c, size_t *off, char *msg, size_t size);
/* The checks that need the whole model: the metric exists (with a "did
 * you mean"), the threshold is in its unit, a baseline exists.  0, or -1
 * with *off and msg as cond_parse. */
int cond_check(const model *m, cond_spec *c, size_t *off, char *msg, size_t size);
void cond_free(cond_spec *c);
/* "shoppers.goodput < 50% of baseline for 2m", normalised. */
void cond_format(const cond_spec *c, char *buf, size_t size);

/* For the loader: the conditions of m's actions checked against the whole
 * model, errors at file:line:col of the offending part of the string. */
int cond_check_actions(schema_ctx *S, model *m);

#endif
