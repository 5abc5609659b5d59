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

/* Whether `path` may be (over)written: it does not exist, is empty, is not
 * a regular file, or is a CSV eddy wrote (a series, a sweep or a basin).
 * Anything else is the user's, and is kept without --force. */
bool out_may_overwrite(const char *path);
/* Write `path` through write(fp, ud) into PATH.tmpPID renamed into place,
 * so a failure never leaves half a file over a good one (devices and pipes
 * are written directly).  Returns 0, or -1 with errno set. */
int out_write_file(const char *path, int (*write)(FILE *fp, const void *ud), const void *ud);

#endif
