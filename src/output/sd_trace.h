/* sd_trace.h -- what a stock-and-flow run leaves for its outputs: each
 * column's first, last, minimum and maximum value, and the rows for the
 * plots, thinned so that memory stays bounded however long the run.
 *
 *     sd_trace tr;
 *     sd_trace_init(&tr, m, true);
 *     sd_run(m, sd_trace_row, &tr, &steps, &err);
 *     sd_trace_plots_dir(&tr, "plots/", &err);   (or _html into a page)
 *     sd_trace_free(&tr);
 */
#ifndef EDDY_OUTPUT_SD_TRACE_H
#define EDDY_OUTPUT_SD_TRACE_H

#include <stdbool.h>
#include <stdio.h>

#include "../sd/sd.h"

/* Rows kept for the plots: at most this many, thinned by doubling the
 * stride when full. */
#define SD_TRACE_ROWS 2048

typedef struct sd_trace {
    const sd_model *m;
    size_t ncols;
    double *min, *max, *first, *last;
    size_t rows;
    FILE *csv; /* if set, every row is written to it as it comes */
    bool keep; /* keep rows for the plots */
    double *kt, *kv; /* SD_TRACE_ROWS x ncols */
    size_t nkept, stride, seen;
} sd_trace;

void sd_trace_init(sd_trace *tr, const sd_model *m, bool keep_rows);
void sd_trace_free(sd_trace *tr);
/* The sd_row_fn to pass to sd_run, with the trace as its ud. */
void sd_trace_row(double t, const double *cols, size_t n, void *ud);

/* The plots: one per unit for the stocks, one per unit for the flows (up
 * to 12 series each).  _dir writes stocks-N.svg and flows-N.svg into dir
 * (made if missing); _html writes them inline, each stocks panel with the
 * flows of the same unit beside it.  Return 0, or -1 with *err set. */
int sd_trace_plots_dir(const sd_trace *tr, const char *dir, eddy_error *err);
void sd_trace_plots_html(const sd_trace *tr, FILE *f);

#endif
