/* sweep_out.h -- a load sweep for people (a table with the peak and the
 * collapse marked), for scripts (JSON) and for plotting (CSV: `load`, then
 * entity.metric columns).  Also the file handling shared with basin_out:
 * what eddy may overwrite, and writing a file only once it is complete. */
#ifndef EDDY_SWEEP_OUT_H
#define EDDY_SWEEP_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "../analysis/sweep.h"

void sweep_text(FILE *fp, const char *model_path, const sweep_result *r);
/* The one-line verdict: the peak, and the collapse or its absence. */
void sweep_summary(const sweep_result *r, char *buf, size_t size);
/* A new JSON object (json_decref it).  Holds nothing that depends on the
 * machine or the thread count, so it is byte-identical run to run. */
json_t *sweep_json(const char *model_path, const sweep_result *r);
int sweep_csv(FILE *fp, const sweep_result *r);

#endif
