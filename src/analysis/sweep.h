/* sweep.h -- goodput against offered load: the shape a single throughput
 * number hides.
 *
 * `eddy sweep` runs the model at a range of load multiples (every client's
 * rate, or its closed-loop users, scaled by x) on several seeds, and
 * measures at each point the throughput at the entry services, the goodput,
 * the p99 latency and the retry amplification.  It marks the goodput peak
 * and the point past which goodput falls as load rises: congestion
 * collapse. */
#ifndef EDDY_SWEEP_H
#define EDDY_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eddy.h"
#include "../model/model.h"

typedef struct sweep_opts {
    double lo, hi;     /* load multiples, lo < hi */
    int points;        /* >= 2, evenly spaced from lo to hi */
    unsigned seeds;    /* replications per point, >= 1 */
    uint64_t seed;     /* replication 0's seed when use_seed */
    bool use_seed;
    double warmup;     /* seconds excluded from the start of each run */
    bool with_faults;  /* keep the model's faults; by default they are dropped:
                        * a load curve is a steady-state property */
    double drop;       /* collapse: goodput below the peak by more than this fraction */
    int threads;       /* <= 0: one per core */
    void (*progress)(double fraction, void *ud);
    void *progress_ud;
} sweep_opts;

/* The mean over seeds and the sample standard deviation (0 with one seed).
 * NaN when no seed had a value (a p99 with no successful request). */
typedef struct sweep_stat {
    double mean, sd;
} sweep_stat;

typedef struct sweep_client {
    sweep_stat demand;        /* user requests arrived per second */
    sweep_stat goodput;       /* user requests succeeded per second */
    sweep_stat latency_p99;   /* seconds, successful user requests, whole run */
    sweep_stat amplification; /* attempts per user request (first attempt) */
} sweep_client;

typedef struct sweep_point {
    double load;              /* the multiple */
    sweep_stat throughput;    /* attempts completed per second at the entry services */
    sweep_stat goodput;       /* every client's, summed */
    sweep_stat latency_p99;   /* the worst client's */
    sweep_stat amplification; /* every client's attempts over every first attempt */
    sweep_stat demand;
    sweep_client *clients;    /* nclients */
    sweep_stat *services;     /* throughput per entry service (nentries) */
} sweep_point;

typedef struct sweep_result {
    sweep_opts opts;
    uint64_t base_seed;
    size_t npoints;
    sweep_point *points;
    size_t nclients, nentries;
    char **client_names;
    char **entry_names; /* the services clients call */
    int peak;     /* index of the goodput peak */
    int collapse; /* index of the collapse point, or -1 */
    size_t nfaults; /* faults in the model as written (kept only with with_faults) */
    size_t nbursts; /* load bursts written as rate steps (burst.h), likewise */
} sweep_result;

#define SWEEP_DEFAULT_POINTS 20
#define SWEEP_DEFAULT_SEEDS 3
#define SWEEP_DEFAULT_DROP 0.05

sweep_opts sweep_defaults(void);

/* Run the sweep.  Returns 0, or -1 with err set (the model does not load,
 * a warmup as long as the run). */
int sweep_run(const char *path, const sweep_opts *o, sweep_result *out, eddy_error *err);
void sweep_free(sweep_result *r);

/* Which curve this is, in words, for every output: the steady-state curve
 * (the model's faults dropped, the default) or the curve through the
 * model's faults (with_faults). */
const char *sweep_curve_label(const sweep_result *r);
/* The same as a JSON value: "steady_state" or "with_faults". */
const char *sweep_curve_key(const sweep_result *r);

/* The peak and collapse of a goodput curve (means and standard deviations
 * over `seeds` replications).  The collapse point is the first point past
 * the peak whose goodput is below the peak by more than `drop` of it and by
 * more than the noise (twice the standard error of both), and from which
 * on goodput never comes back within that distance of the peak: goodput
 * that merely plateaus at capacity is not a collapse.  Exposed for tests. */
void sweep_find_collapse(const sweep_stat *goodput, size_t n, unsigned seeds, double drop, int *peak,
                         int *collapse);

/* A range "LO..HI" as the commands take it: two numbers with the same
 * unit written after them ("0.1..2x", "1s..60s", "100/s..400/s", "10..40";
 * a unit written on one end only applies to both).  Fills lo, hi and the
 * unit; *integer is set when both ends are whole numbers with no unit (a
 * count, such as workers).  Returns 0, or -1 with a message in why. */
int sweep_parse_range(const char *s, double *lo, double *hi, char *unit, size_t unit_size, bool *integer,
                      char *why, size_t why_size);

#endif
