/* fix.h -- measuring interventions against a model's incident (`eddy fix`).
 *
 * Each intervention is a change to the model (made through the YAML, so it
 * passes the loader's checks) or a break-glass action at the incident.  It
 * carries its Donella Meadows leverage level (DESIGN.md section 8).  eddy
 * runs it on the same seeds as the model as written, with the faults (does
 * it recover, how fast, how much goodput is lost) and without them (what it
 * costs in steady state), and reports means with 95% confidence intervals
 * over the seeds.  The catalogue is built from the model: an intervention
 * that does not apply (a bigger pool where there is no pool) is left out. */
#ifndef EDDY_FIX_H
#define EDDY_FIX_H

#include <stdbool.h>
#include <stddef.h>

#include "../model/model.h"
#include "../model/patchfile.h"
#include "knockout.h"

/* Break-glass actions at the incident.  GLASS_CUT is one of the cuts `eddy
 * diagnose` makes (knockout.h), applied when the trigger starts instead of
 * when it ends: every cut diagnose can credit is in the catalogue. */
typedef enum glass_kind { GLASS_NONE, GLASS_SHED, GLASS_RETRIES_OFF, GLASS_CUT } glass_kind;
/* Interventions compared with each other in the summary: a platform
 * default (a rule for every edge or service), one team's own fix of the
 * same kind, or a response to a conditional action at some delay. */
typedef enum fix_family { FIX_OTHER, FIX_PLATFORM, FIX_TEAM, FIX_RESPONSE } fix_family;

typedef struct intervention {
    int level;       /* Meadows: 12 parameters ... 5 rules */
    char name[128];
    char change[1024]; /* what it changes, as YAML paths and values, or the actions */
    model_edit *edits;
    size_t nedits;
    char **strings; /* the edits' paths and values, owned */
    size_t nstrings;
    glass_kind glass;
    cut glass_cut; /* GLASS_CUT: the cut (its loops not kept) */
    bool user; /* from --patch */
    bool noop; /* measured: every run identical to the model as written's */
    fix_family family;
    simtime delay; /* FIX_RESPONSE: the response delay it measures */
} intervention;

/* A mean and the half-width of its 95% confidence interval over seeds. */
typedef struct ci {
    double mean, half;
} ci;

typedef struct fix_outcome {
    size_t recovered;     /* seeds on which goodput came back */
    ci recovery_time;     /* s after the trigger ended, over recovered seeds */
    ci goodput_lost;      /* fraction of the baseline's goodput lost from the trigger's start on */
    ci steady_p99;        /* steady state (no faults): client p99 latency, s */
    ci steady_goodput;    /* steady state: goodput / the baseline's */
    ci steady_workers;    /* steady state: workers provisioned (workers x replicas, summed over
                           * services with a bound), mean over the run */
    /* With the faults, when the model has writes (docs/messaging.md): writes
     * duplicated, lost and ghost over the run, summed over services. */
    bool writes;
    ci duplicated, lost, ghost;
} fix_outcome;

typedef struct fix_opts {
    unsigned seeds;
    uint64_t seed;
    int threads;
    simtime lift_after; /* break-glass actions are lifted this long after the trigger ends */
    const patch_file *patches;
    size_t npatches;
    bool only_patches; /* leave the catalogue out */
    void (*progress)(double, void *);
    void *progress_ud;
    bool keep_goodput; /* keep replication 0's goodput series (for plots) */
} fix_opts;

typedef struct fix_report {
    const model *m;
    intervention *v; /* sorted: level 12 first, catalogue order within a level */
    size_t n;
    fix_outcome as_written;
    fix_outcome *out; /* per intervention */
    ci baseline_p99;
    double fault_start, fault_end, end;
    bool bursts; /* the incident includes a load burst (burst.h) */
    unsigned seeds;
    uint64_t seed;
    size_t runs;
    char summary[1024]; /* what the measurement says about leverage */
    char platform_summary[1024]; /* platform defaults against per-team fixes, or "" */
    char response_summary[1024]; /* goodput lost against the response delay, or "" */
    char noops[1024];   /* the interventions left out as no-ops, named, or "" */
    /* With keep_goodput: goodput (user requests succeeded per second, all
     * clients) in each row of replication 0, for (2 + n) runs of
     * goodput_rows rows each: as written, the baseline (no faults), then
     * each intervention with the faults.  goodput_t holds the rows' start
     * times (s).  NULL otherwise; freed by fix_report_free. */
    double *goodput, *goodput_t;
    size_t goodput_rows;
} fix_report;

/* Returns 0, or -1 with err set (the model has no faults; a run or a patch failed). */
int fix_run(const char *path, const fix_opts *opt, fix_report *out, eddy_error *err);
void fix_report_free(fix_report *r);

bool fix_recovers(const fix_report *r, const fix_outcome *o);

#endif
