/* basin.h -- the basin of attraction around the healthy state: how big a
 * shock the model absorbs before it slides into a metastable failure.
 *
 * A run is metastable when its faults have all ended and some client has
 * not recovered (phases.h): the failure outlived its trigger.  Over two
 * axes, y (by default the offered-load multiple) and x (by default the
 * first fault's duration), `eddy basin` finds for each y the x where the
 * probability of a metastable outcome over seeds crosses 1/2, by bisection
 * along x, so the boundary costs a few runs per row rather than a grid. */
#ifndef EDDY_BASIN_H
#define EDDY_BASIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eddy.h"
#include "../model/model.h"

/* One axis: the load multiple, or any value of the model named by its
 * dotted YAML path, written with `unit` after the number ("30s", "400/s",
 * "12"). */
typedef struct basin_axis {
    char path[256]; /* "load", or a path such as "faults.0.for" */
    double lo, hi;
    char unit[32];
    bool integer; /* a count: only whole values are tried */
    bool load;    /* the offered-load multiple (variant_scale_load) */
} basin_axis;

typedef struct basin_opts {
    basin_axis x, y;
    bool x_set, y_set; /* false: the default axis (basin_resolve_axes) */
    int rows;          /* y values, evenly spaced, ends included */
    int iterations;    /* bisection steps per row */
    int grid;          /* > 0: try this many evenly spaced x per row instead */
    unsigned seeds;    /* replications per point */
    uint64_t seed;
    bool use_seed;
    int threads; /* <= 0: one per core */
    void (*progress)(double fraction, void *ud);
    void *progress_ud;
} basin_opts;

#define BASIN_DEFAULT_ROWS 10
#define BASIN_DEFAULT_ITERATIONS 7
#define BASIN_DEFAULT_SEEDS 5

/* One (x, y) tried: n runs, of which `metastable` did not recover after
 * the trigger (not recovered by the end of the run, and the success ratio
 * over the last RECOVERY_WINDOW samples below RECOVERY_LEVEL x the level
 * before the fault, so a short dip at the very end does not count), and `open` ended with a fault window still open (those
 * cannot be judged and count as not metastable). */
typedef struct basin_point {
    double x, y;
    size_t row;
    unsigned n, metastable, open;
    double p;         /* metastable / n */
    double amp_after; /* mean attempts per request after the faults, over the metastable runs; NaN if none */
} basin_point;

typedef enum basin_status {
    BASIN_CROSSES, /* P crosses 1/2 within the x range */
    BASIN_NEVER,   /* P < 1/2 at both ends: the threshold is beyond the range */
    BASIN_ALWAYS,  /* P >= 1/2 at both ends: it tips across the whole range */
} basin_status;

typedef struct basin_row {
    double y;
    basin_status status;
    bool rising;     /* P rises with x: bigger x tips it (a longer fault) */
    double critical; /* where P crosses 1/2: the bracket's middle (geometric when x is bisected
                      * geometrically); NaN unless CROSSES */
    double safe, tips; /* the bracket: the nearest x tried with P < 1/2, and with P >= 1/2 */
} basin_row;

typedef struct basin_result {
    basin_opts opts; /* with the axes resolved */
    uint64_t base_seed;
    basin_point *points;
    size_t npoints, cap;
    basin_row *rows;
    size_t nrows;
    char fault[192];   /* the first fault of the model as written, described */
    char outcome[64];  /* "a retry storm" or "a metastable failure" */
    unsigned runs, open_runs;
} basin_result;

basin_opts basin_defaults(void);

/* Fill in the default axes from the model: x = faults.0.for from the
 * sample interval to half the time from the fault's start to the run's end
 * (so there is always time after it to judge recovery); y = load
 * 0.1..1x.  Returns 0, or -1 with err set (the model does not load, has no
 * fault). */
int basin_resolve_axes(const char *path, basin_opts *o, eddy_error *err);

/* Parse "PATH=LO..HI" (or "load=LO..HIx") into an axis.  Returns 0, or -1
 * with a message in why. */
int basin_parse_axis(const char *s, basin_axis *a, char *why, size_t why_size);

/* Map the boundary.  Returns 0, or -1 with err set (an edit the model
 * rejects names its option, e.g. "--x services.db.workers"). */
int basin_run(const char *path, const basin_opts *o, basin_result *out, eddy_error *err);
void basin_free(basin_result *r);

/* Whether x is bisected at geometric midpoints: when its range spans a
 * factor of 10 or more from a positive start (1s..120s), so the bracket's
 * width is a fixed fraction of the value rather than of the range, which
 * is what a threshold's size needs. */
bool basin_geometric(const basin_axis *a);

/* The one-line verdict, e.g. "at 0.5x load a db slow x10 for longer than
 * 7.5s tips the system into a retry storm". */
void basin_summary(const basin_result *r, char *buf, size_t size);
/* An axis value as the model file would say it ("7.5s", "12", "0.8x"). */
void basin_format_value(const basin_axis *a, double v, char *buf, size_t size);

#endif
