/* ts_plots.h -- the time-series plots of a run, as SVG (svg.h).
 *
 * One set of plots, shared by `eddy report` (inline in the page) and
 * `eddy run --svg DIR` (one file per plot): goodput against offered load;
 * retries; queue length and busy workers per service; p99 latency; and,
 * where the model has them, replicas, cache hit ratio and breaker state.
 * Every fault window is shaded and labelled, every operator action marked,
 * and the baseline run (the model without its faults, same seed), when
 * given, is overlaid faint. */
#ifndef EDDY_OUTPUT_TS_PLOTS_H
#define EDDY_OUTPUT_TS_PLOTS_H

#include <stdio.h>

#include "eddy.h"
#include "../model/model.h"
#include "svg.h"

typedef struct ts_plot {
    char name[96];     /* a file-name-safe stem: "goodput", "service-1-checkout" */
    char caption[256]; /* what the plot shows, one sentence (the user's names unescaped) */
    svg_plot p;
    /* owned */
    svg_series *series;
    double **ys;
    size_t nys;
    char **strings;
    size_t nstrings;
} ts_plot;

typedef struct ts_plots {
    ts_plot *v;
    size_t n;
    /* shared by every plot: the rows' times, the fault windows, the actions */
    double *t_obs, *t_base;
    svg_band *bands; /* the fault windows */
    svg_mark *marks; /* the operator actions, and the faults of an instant (flush, restart) */
    size_t nbands, nmarks;
    char **labels;
    size_t nlabels;
} ts_plots;

/* Build the plots of `obs` (rows kept), with `base` overlaid if not NULL.
 * Returns 0, or -1 if obs has no rows. */
int ts_plots_build(ts_plots *out, const model *m, const eddy_result *obs, const eddy_result *base);
void ts_plots_free(ts_plots *p);

/* Write each plot to DIR/NAME.svg.  Returns the number written, or -1
 * (errno set) on the first failure, with its path in failed. */
int ts_plots_write_dir(const ts_plots *p, const char *dir, char *failed, size_t failed_size);

/* The fault windows and actions alone, for other plots over the same time
 * axis (the report's small multiples). */
void ts_plots_events(const ts_plots *p, svg_plot *into);

#endif
