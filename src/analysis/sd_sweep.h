/* sd_sweep.h -- sweeps and basins over the constants of a stock-and-flow
 * model (`eddy sweep` and `eddy basin` on an XMILE file).
 *
 * An axis is a constant of the model and a range, "growth_rate=0.01..0.1";
 * every point is a run of the model with that constant set (as --set
 * does), compiled afresh.  The runs are deterministic: one per point.
 *
 * sweep: at each of `points` evenly spaced values, every stock's final,
 * minimum and maximum value.
 *
 * basin: whether the model tips.  The reference run is the one at the x
 * axis' low end (the smallest shock) in the same row; a run tips when some
 * stock it is judged by (all of them, or those named) ends more than
 * `tolerance` (relative, of the larger magnitude, with a floor of 1e-9)
 * away from where the reference ends.  For each value of y, bisection
 * along x finds where tipping starts (it assumes tipping is monotone in x,
 * as eddy basin on YAML models does). */
#ifndef EDDY_ANALYSIS_SD_SWEEP_H
#define EDDY_ANALYSIS_SD_SWEEP_H

#include <stdbool.h>
#include <stddef.h>

#include "../sd/sd.h"

typedef struct sd_axis {
    char name[256];
    double lo, hi;
} sd_axis;

/* What every run of a sweep or basin shares: the --set overrides, and the
 * sim specs' method (SD_EULER.., or -1: the file's) and dt (0: the
 * file's), as --method and --dt give them. */
typedef struct sd_runspec {
    const sd_override *ov;
    size_t nov;
    int method;
    double dt;
    uint64_t seed; /* --seed for the statistical functions, when seed_given */
    bool seed_given;
} sd_runspec;

/* "NAME=LO..HI" (LO < HI, both numbers).  0, or -1 with why set. */
int sd_axis_parse(const char *arg, sd_axis *ax, char *why, size_t whysize);

typedef struct sd_sweep {
    sd_axis x;
    size_t npoints;
    double *xs;
    size_t nstocks;
    char **names, **units;      /* the stocks, file order */
    double *final, *min, *max;  /* npoints x nstocks */
    sd_runspec spec;            /* as given (its overrides borrowed from the caller) */
    int method;                 /* the method and dt every run used */
    double dt;
} sd_sweep;

/* Run the model at `points` (>= 2) values of x; spec: what applies to
 * every run.  0, or -1 with *err set (a bad model, an axis that is not a
 * constant, a refused dt, a run-time error naming its point). */
int sd_sweep_run(const char *path, const sd_runspec *spec, const sd_axis *x, size_t points, sd_sweep *out,
                 eddy_error *err);
void sd_sweep_free(sd_sweep *s);

typedef struct sd_basin_opts {
    sd_axis x, y;
    bool has_y;
    size_t rows;        /* values of y (default 10; 1 without y) */
    int iterations;     /* bisection steps per row (default 7) */
    double tolerance;   /* relative; default 0.1 */
    const char **judge; /* stock names to judge by; NULL/0: every stock */
    size_t njudge;
} sd_basin_opts;

sd_basin_opts sd_basin_defaults(void);

typedef struct sd_basin_point {
    double y, x;
    bool tipped;
} sd_basin_point;

typedef struct sd_basin_row {
    double y;
    bool tips;          /* does the high end of x tip at all */
    bool low_tips;      /* the low end is the reference: never */
    double below, above; /* the boundary lies in (below, above] */
} sd_basin_row;

typedef struct sd_basin {
    sd_basin_opts o;
    sd_basin_row *rows;
    size_t nrows;
    sd_basin_point *points; /* every run, in the order made */
    size_t npoints;
    sd_runspec spec;        /* as given (its overrides borrowed from the caller) */
    int method;             /* the method and dt every run used */
    double dt;
} sd_basin;

int sd_basin_run(const char *path, const sd_runspec *spec, const sd_basin_opts *o, sd_basin *out, eddy_error *err);
void sd_basin_free(sd_basin *b);

#endif
