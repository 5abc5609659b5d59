/* diagnose.h -- what kind of failure a model's incident is, by counterfactual.
 *
 * `eddy diagnose` runs, on the same seeds:
 *   observed   the model as written
 *   baseline   the model without its faults
 *   knockouts  the model as written, with one cut (knockout.h) applied from
 *              the moment the last fault ends: one run per distinct cut of
 *              the reinforcing loops `eddy loops` finds, plus a load drop
 * and compares goodput (user requests that succeeded, all clients) between
 * them, window by window.  Verdicts (DESIGN.md section 7):
 *   healthy     goodput stayed within GOOD_LEVEL of the baseline throughout
 *   component   it fell while a fault was on, and was back within the
 *               settle time after the last fault ended
 *   metastable  still below GOOD_LEVEL of the baseline after the settle
 *               time: the trigger is gone but the failure is not
 *   collapsed   the baseline itself serves less than GOOD_LEVEL of demand
 *   data_integrity  goodput held, but writes were duplicated, lost or
 *               applied behind a failure (docs/messaging.md): never healthy
 * The sustaining loop is the first loop (in rank order) whose cut restores
 * goodput.  Failure modes are read off the series, each with its evidence. */
#ifndef EDDY_DIAGNOSE_H
#define EDDY_DIAGNOSE_H

#include <stdbool.h>
#include <stddef.h>

#include "eddy.h"
#include "../loops/analyze.h"
#include "../loops/graph.h"
#include "../model/model.h"
#include "knockout.h"
#include "measure.h"

#define STORM_AMPLIFICATION 2.0 /* the timeline marks retries crossing 2x */

typedef enum verdict {
    VERDICT_HEALTHY,
    VERDICT_COMPONENT,
    VERDICT_METASTABLE,
    VERDICT_COLLAPSED,
    VERDICT_OSCILLATING, /* a control loop (replicas, a breaker) that never settles */
    VERDICT_DATA_INTEGRITY /* goodput held, but writes were duplicated, lost or ghost */
} verdict;

typedef enum failure_mode {
    MODE_RETRY_STORM,
    MODE_THUNDERING_HERD,
    MODE_CONGESTION_COLLAPSE,
    MODE_CASCADE,
    MODE_OSCILLATION,
    MODE_COLD_CACHE,
    MODE_REDELIVERY_STORM, /* redeliveries above 1.5x new messages while consumers are saturated */
    MODE_BACKLOG_GROWTH,   /* a broker queue's lag grows: inflow above outflow, and which side moved */
    MODE_DATA_INTEGRITY,   /* writes duplicated, lost or ghost */
    MODE_COUNT
} failure_mode;

typedef struct dg_mode {
    failure_mode mode;
    char evidence[512];
} dg_mode;

typedef struct dg_event {
    double t; /* seconds */
    char what[256];
} dg_event;

/* Goodput (user requests succeeded per second, all clients) in the three
 * phases of the incident, averaged over seeds. */
typedef struct dg_phases {
    double before, during, after;
} dg_phases;

typedef struct dg_knockout {
    const cut *cut;
    double after_ratio; /* goodput over the last half of the rest of the run, / baseline */
    bool recovers;      /* on most seeds, and to GOOD_LEVEL of the baseline */
    size_t recovered;   /* seeds on which it recovered */
    double recovery_time; /* mean over seeds that recovered, s after the fault ended; NaN if none */
} dg_knockout;

typedef struct dg_evidence { /* one component on the sustaining loop, after the trigger */
    char entity[128];
    char team[128]; /* its owner (`teams:`), or "" */
    char text[512];
    char brief[192]; /* the same in a few words, for the postmortem (postmortem.h) */
} dg_evidence;

/* An oscillating service's replicas, run one way: as written, or with one
 * of its fighting autoscalers alone.  Means over seeds. */
/* The integrity ledger's counts over one run (docs/messaging.md), summed
 * over the services that apply writes. */
typedef struct dg_writes {
    uint64_t duplicated, lost, ghost;
} dg_writes;

typedef struct dg_control {
    char label[160];        /* "as written", "hpa alone" */
    double replica_minutes; /* the service's replicas integrated over the run */
    double p99;             /* client p99 latency over the run, s (NaN: none) */
    int reversals;          /* changes of direction in the second half (replication 0) */
    double lo, hi;          /* fewest and most replicas in the second half (replication 0) */
} dg_control;

typedef struct diagnose_opts {
    unsigned seeds;   /* replications (>= 1) */
    uint64_t seed;    /* base seed */
    int threads;      /* <= 0: one per core */
    simtime settle;   /* 0: the default (see diagnose_run) */
    void (*progress)(double, void *);
    void *progress_ud;
    bool keep_runs; /* keep replication 0's observed and baseline runs (for plots) */
} diagnose_opts;

typedef struct diagnosis {
    const model *m;
    verdict verdict;
    dg_mode modes[MODE_COUNT];
    size_t nmodes;
    dg_phases baseline, observed;
    double fault_start, fault_end, settle, end; /* seconds */
    bool fault_open_at_end;
    double after_ratio, during_ratio; /* observed / baseline goodput */
    double baseline_success;          /* baseline goodput / demand */
    double load;                      /* the busiest service's utilisation in the baseline */
    bool load_of_peak;                /* load is concurrency over the USL peak N* (unlimited workers) */
    double demand;                    /* user requests offered per second in the baseline */
    char osc_service[128];            /* the oscillating service, or "" */
    /* Replication 0's writes, as written and without the faults; writes_at
     * names the services with a write duplicated, lost or ghost ("" if none). */
    dg_writes writes, writes_baseline;
    char writes_at[256];
    /* With a load burst (burst.h), per client, while the trigger was on:
     * goodput / the baseline's, goodput, and requests offered; NULL without. */
    double *client_during, *client_served_during, *client_offered_during;
    dg_control control[3];            /* as written, then each fighting autoscaler alone */
    size_t ncontrol;
    char bottleneck[128];
    size_t recovered_seeds;
    double recovery_time; /* s after the last fault ended; NaN when not recovered */
    /* loops */
    cld_graph *graph;
    loop_analysis *loops;
    cut_set cuts;
    dg_knockout *knockouts; /* one per cut */
    int sustaining_loop;    /* index into loops, or -1 */
    int sustaining_cut;     /* index into cuts, or -1 */
    bool load_drop_recovers;
    char coupling[1024];
    dg_event *timeline;
    size_t ntimeline;
    dg_evidence *evidence; /* "why no single component is at fault" */
    size_t nevidence;
    /* With `teams:`: the sustaining loop's teams (loops/owners.h), also
     * appended to the coupling statement; cross-team when two or more. */
    char teams[768];     /* "R4 crosses storefront (...) and data (...): neither ..." or "" */
    char **team_names;   /* the owning teams, in the order the loop meets them */
    size_t nteam_names;
    bool cross_team;
    /* The verdict's Cynefin domain (Snowden) and the response that fits it,
     * and what the system does, judged by what it did (POSIWID, Beer). */
    const char *cynefin, *cynefin_response;
    size_t responses; /* conditional actions (`when:`) left out: diagnose judges the system before anyone acts */
    char purpose[768];
    /* The postmortem's two artifacts (postmortem.h): the coupling statement
     * and why no single component is at fault, at most PM_MAX_WORDS words
     * together; "" when there is no sustaining loop to write them about. */
    char pm_coupling[1024];
    char pm_why[1024];
    size_t pm_words;
    unsigned seeds;
    uint64_t seed;
    size_t runs; /* simulations done */
    /* With keep_runs: replication 0's runs, as written and without faults
     * (owned; freed by diagnosis_free).  NULL otherwise. */
    eddy_result *observed_run, *baseline_run;
} diagnosis;

/* Run the diagnosis.  Returns 0, or -1 with err set (a run failed). */
int diagnose_run(const char *path, const diagnose_opts *opt, diagnosis *out, eddy_error *err);
void diagnosis_free(diagnosis *d);

const char *verdict_name(verdict v);
const char *failure_mode_name(failure_mode f);

#endif
