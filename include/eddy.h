/* eddy.h -- the public interface of the eddy simulation library.
 *
 * eddy simulates a service graph described in a YAML model, request by
 * request, and returns a time series plus run totals.  The `eddy` program is
 * a thin client of this header; other programs (and later, bindings) embed
 * eddy the same way:
 *
 *     eddy_error err;
 *     eddy_model *m = eddy_model_load("examples/retry-storm.yaml", &err);
 *     eddy_result r;
 *     eddy_options opt = eddy_options_default();
 *     if (m && eddy_run(m, &opt, &r, &err) == 0) { ...; eddy_result_free(&r); }
 *     eddy_model_free(m);
 */
#ifndef EDDY_H
#define EDDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EDDY_VERSION "0.1.0"

/* An error with the place in the user's file it concerns (1-based line and
 * column; 0 when it is not about a place). */
typedef struct eddy_error {
    char file[512];
    int line, col;
    char msg[1024];
} eddy_error;

typedef struct model eddy_model;

eddy_model *eddy_model_load(const char *path, eddy_error *err);
eddy_model *eddy_model_load_string(const char *yaml, size_t len, const char *name, eddy_error *err);
void eddy_model_free(eddy_model *m);

/* The series: one row per sample interval.  Column 0 is `time` (seconds, the
 * start of the interval); the rest are `entity.metric`.  Counts are rates per
 * second over the interval; gauges are time-averaged over it; latencies are
 * in seconds.  A latency with no sample in an interval is NaN. */
typedef struct eddy_series {
    size_t ncols, nrows;
    char **names;
    double *values; /* nrows * ncols, row-major */
} eddy_series;

static inline double eddy_series_at(const eddy_series *s, size_t row, size_t col)
{
    return s->values[row * s->ncols + col];
}
/* Column index of "entity.metric", or -1. */
int eddy_series_column(const eddy_series *s, const char *name);

typedef struct eddy_client_totals {
    const char *name;
    uint64_t requests; /* user requests that arrived */
    uint64_t offered;  /* first attempts */
    uint64_t retries;  /* attempts after the first */
    uint64_t goodput;  /* user requests that succeeded */
    uint64_t failed;   /* user requests that failed (errors, timeouts, deadline, shed) */
    uint64_t timeouts; /* attempts abandoned at their timeout */
    uint64_t shed;     /* user requests refused by a shed action */
    double latency_mean, latency_p50, latency_p99; /* seconds, successful user requests */
} eddy_client_totals;

typedef struct eddy_service_totals {
    const char *name;
    uint64_t arrivals, rejected, completed, wasted, errors;
    uint64_t shed;      /* refused or dropped by load shedding, or drained */
    uint64_t expired;   /* dropped because the caller's deadline had passed */
    uint64_t cancelled; /* stopped mid-work at the caller's deadline */
    double latency_mean, latency_p50, latency_p99; /* seconds, arrival to successful completion */
    double queue_mean, busy_mean;                  /* time-averaged over the run */
} eddy_service_totals;

/* A call edge ("caller->callee"): the attempts along it, and what its
 * mechanisms did (zero when the edge does not configure them). */
typedef struct eddy_edge_totals {
    const char *name;
    uint64_t attempts, retries, timeouts;
    uint64_t retries_denied;  /* retries the budget refused */
    uint64_t short_circuited; /* attempts the breaker did not permit */
    uint64_t fallbacks;       /* of those, answered with the fallback */
    uint64_t pool_timeouts;   /* attempts refused a connection */
    bool has_budget, has_breaker, has_pool;
    uint64_t hedges;            /* hedge copies sent */
    uint64_t hedge_wins;        /* attempts a hedge copy answered first */
    uint64_t hedges_denied;     /* hedges not sent: max_outstanding, budget, no permit or connection */
    uint64_t bulkhead_rejected; /* attempts the caller's bulkhead refused */
    bool has_hedge, has_bulkhead;
} eddy_edge_totals;

/* A look-aside cache: what its lookups found, and what it stored. */
typedef struct eddy_cache_totals {
    const char *name;
    uint64_t hits;      /* lookups served from the cache, stale ones included */
    uint64_t misses;    /* lookups that needed the origin, coalesced ones included */
    uint64_t stale;     /* hits served from an expired entry (stale_while_revalidate) */
    uint64_t coalesced; /* misses that waited on another call's origin answer */
    uint64_t refreshes; /* background refreshes sent to the origin */
    uint64_t fills;     /* entries stored from a successful origin answer */
    uint64_t evictions; /* entries evicted to make room (capacity) */
    double hit_ratio;   /* hits / (hits + misses); NaN without lookups */
    long entries;       /* fresh entries held at the end of the run */
} eddy_cache_totals;

/* A broker queue (docs/messaging.md). */
typedef struct eddy_queue_totals {
    const char *name;
    uint64_t published;     /* messages stored (a retried publish stores another) */
    uint64_t rejected;      /* publishes refused: the queue was full */
    uint64_t delivered;     /* first receives */
    uint64_t redelivered;   /* receives after the first */
    uint64_t expired;       /* deleted unseen after `retention` */
    uint64_t dead_lettered; /* sent to the dlq after `max_receives` */
    long held;              /* messages held at the end of the run */
    double depth_mean;      /* messages held, time-averaged over the run */
    double age_p99;         /* seconds: the 99th percentile of a message's age when received */
    double age_mean;
} eddy_queue_totals;

/* A consumer group. */
typedef struct eddy_group_totals {
    const char *name;
    uint64_t processed; /* messages handled successfully */
    uint64_t failed;    /* messages whose delivery failed or was lost in a crash */
    double in_flight_mean; /* messages in deliveries, time-averaged */
    bool subscription;     /* on a topic: its own subscription's counts follow */
    eddy_queue_totals sub; /* (sub.published: copies stored; rejected: 0, a topic's) */
} eddy_group_totals;

/* The integrity of the writes one service applies (ledger.c): each write
 * of a user request is counted once, when nothing can apply it any more. */
typedef struct eddy_integrity_totals {
    const char *service;
    uint64_t exactly_once; /* applied once, the user told success */
    uint64_t duplicated;   /* applied more than once */
    uint64_t lost;         /* never applied, though the user was told success */
    uint64_t ghost;        /* applied once, though the user was told failure */
    uint64_t deduped;      /* repeats its dedupe answered without applying */
} eddy_integrity_totals;

typedef struct eddy_engine_stats {
    uint64_t events;     /* events taken from the event queue */
    uint64_t attempts;   /* attempts simulated, every edge */
    uint64_t peak_inflight; /* most attempts alive at once */
    double wall_seconds;
} eddy_engine_stats;

typedef struct eddy_result {
    eddy_series series;
    size_t nclients, nservices, nedges;
    eddy_client_totals *clients;
    eddy_service_totals *services;
    eddy_edge_totals *edges; /* clients' edges first, then each service's calls */
    eddy_engine_stats engine;
    uint64_t seed;
    double duration; /* seconds */
    size_t ncaches;
    eddy_cache_totals *caches;
    size_t nqueues, ngroups, nintegrity;
    eddy_queue_totals *queues;
    eddy_group_totals *groups;
    eddy_integrity_totals *integrity; /* one per service that applies writes */
    uint64_t writes_pending; /* user requests whose writes could still be applied at the end */
} eddy_result;

typedef struct eddy_options {
    uint64_t seed;
    bool use_seed; /* false: the model's own seed */
    /* Called at the end of each sample interval with the new row (`cols`
     * holds the column names; its rows may be empty).  With drop_series the
     * rows are not kept in the result, so memory stays flat however long
     * the run: stream them instead. */
    void (*on_row)(const eddy_series *cols, const double *row, void *ud);
    void *row_ud;
    bool drop_series;
    /* Called now and then with the fraction of simulated time done. */
    void (*progress)(double fraction, void *ud);
    void *progress_ud;
} eddy_options;

eddy_options eddy_options_default(void);

/* Simulate the model.  Returns 0 and fills *out, or -1 with err set. */
int eddy_run(const eddy_model *m, const eddy_options *opt, eddy_result *out, eddy_error *err);
void eddy_result_free(eddy_result *r);

/* "file:line:col: error: message" */
void eddy_error_format(const eddy_error *err, char *buf, int size);

#ifdef __cplusplus
}
#endif

#endif
