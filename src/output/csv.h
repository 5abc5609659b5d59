/* csv.h -- writing a series as CSV: a `time` column, then entity.metric. */
#ifndef EDDY_CSV_H
#define EDDY_CSV_H

#include <stdio.h>

#include "eddy.h"

/* Returns 0, or -1 on a write error (errno set). */
int csv_write_series(FILE *fp, const eddy_series *s);
/* The same a piece at a time, for rows streamed from a run. */
void csv_write_header(FILE *fp, const eddy_series *s);
void csv_write_row(FILE *fp, const eddy_series *s, const double *row);

/* Whether `path` may be (over)written: it does not exist, is empty, is not
 * a regular file (/dev/stdout, a pipe), or is a CSV eddy wrote (a series,
 * a sweep or a basin).  Anything else is the user's, and is kept without
 * --force. */
int csv_may_overwrite(const char *path);
/* Write `path` through write(fp, ud) into PATH.tmpPID renamed into place,
 * so a failure never leaves half a file over a good one (devices and pipes
 * are written directly).  Returns 0, or -1 with errno set. */
int csv_write_file(const char *path, int (*write)(FILE *fp, const void *ud), const void *ud);
/* ",value" with 10 significant digits, or "," for NaN (an empty cell). */
void csv_num(FILE *fp, double v);

#endif
