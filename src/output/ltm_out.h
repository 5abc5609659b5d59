/* ltm_out.h -- printing Loops That Matter: the phases of loop dominance
 * for people, the score series as CSV, a summary as JSON. */
#ifndef EDDY_OUTPUT_LTM_OUT_H
#define EDDY_OUTPUT_LTM_OUT_H

#include <jansson.h>
#include <stdio.h>

#include "../loops/ltm.h"

/* "0–51.5 hours: R1 dominates (mean |relative score| 0.91)", one line per
 * phase (per cycle partition when there are several), then each loop's
 * peak and mean relative score.  units: the model's time units ("" none). */
void ltmout_text(FILE *f, const loop_analysis *a, const ltm_result *r, const char *units);
/* time, then LOOP.relative_score for each loop, then LOOP.score. */
int ltmout_csv(FILE *f, const loop_analysis *a, const ltm_result *r);
/* {"phases": [...], "loops": [{name, type, partition, peak, mean}]} */
json_t *ltmout_json(const loop_analysis *a, const ltm_result *r, const char *units);

#endif
