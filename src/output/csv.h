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

/* Whether `path` may be written as a series: it does not exist, is empty,
 * is not a regular file (/dev/stdout, a pipe), or is a CSV eddy wrote
 * before (its header starts with "time,").  Anything else is
 * the user's and is not overwritten without --force. */
int csv_may_overwrite(const char *path);

#endif
