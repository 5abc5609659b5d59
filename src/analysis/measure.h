/* measure.h -- what the counterfactual analyses read off a run's series:
 * goodput summed over clients, windowed means, and when goodput came back
 * to a baseline run's (on the same seed).  Rows are weighted by how much
 * of them falls in a window, so windows need not align with samples. */
#ifndef EDDY_MEASURE_H
#define EDDY_MEASURE_H

#include <stddef.h>

#include "eddy.h"
#include "../model/model.h"

#define GOOD_LEVEL 0.9  /* "back to baseline": at least 90% of its goodput */
#define RECOVERY_ROWS 5 /* recovery is judged over windows of 5 samples */

/* Column of "entity.metric", or -1. */
int measure_col(const eddy_result *r, const char *entity, const char *metric);
/* A cell, with NaN (no latency sample) and a missing column read as 0. */
double measure_cell(const eddy_result *r, size_t row, int col);
double measure_row_t(const eddy_result *r, size_t row);
double measure_row_dt(const eddy_result *r, size_t row);

/* A metric summed over every client, in row i. */
double measure_clients(const model *m, const eddy_result *r, size_t row, const char *metric);
double measure_goodput(const model *m, const eddy_result *r, size_t row);
double measure_demand(const model *m, const eddy_result *r, size_t row); /* offered + shed */

/* Time-weighted mean over [a, b) of a per-row quantity; NaN if no row falls in it. */
double measure_window(const model *m, const eddy_result *r, double a, double b,
                      double (*f)(const model *, const eddy_result *, size_t));
/* The same for one column "entity.metric". */
double measure_mean(const eddy_result *r, const char *entity, const char *metric, double a, double b);

/* The first time t >= from such that every window of RECOVERY_ROWS rows
 * from t on has goodput >= GOOD_LEVEL x the baseline's; NaN when the last
 * window still falls short. */
double measure_recovery(const model *m, const eddy_result *obs, const eddy_result *base, double from);

/* Goodput over [a, b) of obs against base's, each client counted up to its
 * goodput in base: with a load burst, the bursting client's extra goodput
 * must not hide another client's loss.  1 when base has none. */
double measure_capped_ratio(const model *m, const eddy_result *obs, const eddy_result *base, double a, double b);

/* Client p99 latency over the run, weighted by each client's goodput (s). */
double measure_p99(const eddy_result *r);

#endif
