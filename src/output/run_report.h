/* run_report.h -- the summary of one run, for people (text) and machines
 * (JSON).  Both show, per client, goodput and retry amplification before,
 * during and after each fault window, and whether the system recovered. */
#ifndef EDDY_RUN_REPORT_H
#define EDDY_RUN_REPORT_H

#include <stdio.h>

#include <jansson.h>

#include "eddy.h"
#include "../model/model.h"

#include "../analysis/phases.h"

typedef struct run_meta {
    const char *model_path;
    long peak_rss_bytes; /* -1 when unknown */
    /* Per client, computed while the run streamed its rows; NULL: compute
     * them from the result's series. */
    const client_phases *phases;
} run_meta;

void run_report_text(FILE *fp, const model *m, const eddy_result *r, const run_meta *meta);
/* A new JSON object (caller json_decref's it). */
json_t *run_report_json(const model *m, const eddy_result *r, const run_meta *meta);

#endif
