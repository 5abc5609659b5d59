/* model.h -- the validated service-graph model.
 *
 * This is what a model file means once it has been read and checked: plain
 * structs in the units the engine uses (nanoseconds, requests per second,
 * fractions in [0,1]).  Every element keeps the line and column it was
 * written at, so later layers (the engine, loop derivation, reviews) can
 * point back at the user's text.  The YAML key, the field name here, the
 * CSV column and the docs use one name for one concept. */
#ifndef EDDY_MODEL_H
#define EDDY_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/clock.h"
#include "../core/dist.h"
#include "../core/err.h"
#include "../core/repair.h"

#define MODEL_UNLIMITED (-1L)

typedef struct model_pos {
    int line, col;
} model_pos;

/* ---- retries ---------------------------------------------------------- */

typedef enum backoff_kind { BACKOFF_NONE, BACKOFF_CONSTANT, BACKOFF_EXPONENTIAL } backoff_kind;
typedef enum jitter_kind { JITTER_NONE, JITTER_FULL, JITTER_EQUAL, JITTER_DECORRELATED } jitter_kind;

/* What a caller retries on (bits of retry_policy.on). */
enum {
    RETRY_ON_TIMEOUT = 1, /* the attempt's timeout fired */
    RETRY_ON_ERROR = 2,   /* the callee answered with an error */
    RETRY_ON_REJECT = 4,  /* the callee refused at once: full queue, down */
};

/* A retry budget or throttle: what real clients use to stop retries from
 * multiplying load.  One of four reference designs (DESIGN.md section 4). */
typedef enum budget_kind {
    BUDGET_NONE,
    BUDGET_GRPC,    /* gRPC retry throttling: tokens, failure -1, success +ratio */
    BUDGET_FINAGLE, /* Finagle RetryBudget: min_per_s * ttl + percent of requests */
    BUDGET_ENVOY,   /* Envoy retry_budget: concurrent retries vs active requests */
    BUDGET_AWS,     /* AWS SDK standard mode: a retry quota with costs and refunds */
} budget_kind;

typedef enum budget_scope {
    SCOPE_INSTANCE, /* each caller instance (client instance, service replica) */
    SCOPE_SHARED,   /* one budget for every instance of the caller */
} budget_scope;

typedef struct budget_spec {
    budget_kind kind;
    budget_scope scope;
    double max_tokens, token_ratio;    /* grpc */
    simtime ttl;                       /* finagle */
    double min_per_s, percent;         /* finagle */
    double budget_percent;             /* envoy */
    long min_retry_concurrency;        /* envoy */
    long quota, cost, timeout_cost;    /* aws */
    long no_retry_increment;           /* aws: refund on a first-try success */
    model_pos pos;
} budget_spec;

typedef struct retry_policy {
    int attempts; /* counts the first try; 1 means no retries */
    backoff_kind backoff;
    simtime base, max;
    double multiplier;
    jitter_kind jitter;
    unsigned on; /* RETRY_ON_* bits */
    budget_spec budget;
    model_pos pos;
} retry_policy;

/* ---- a circuit breaker, as resilience4j's CircuitBreaker -------------- */

typedef enum breaker_window { WINDOW_COUNT, WINDOW_TIME } breaker_window;
typedef enum fallback_kind { FALLBACK_NONE, FALLBACK_DEFAULT } fallback_kind;

typedef struct breaker_spec {
    bool on;
    breaker_window window;
    long size;             /* calls (count window) or seconds (time window) */
    long min_calls;        /* before the rates are judged */
    double failure_rate;   /* open at or above this fraction of failures */
    double slow_rate;      /* ... or of slow calls */
    simtime slow_duration; /* a call slower than this is slow */
    simtime open_for;      /* wait in open before half-open */
    long half_open_calls;  /* probes permitted in half-open */
    unsigned record;       /* which outcomes count as failures: RETRY_ON_* bits */
    fallback_kind fallback;
    model_pos pos;
} breaker_spec;

/* ---- a connection pool on a call edge --------------------------------- */

typedef struct pool_spec {
    bool on;
    long size;            /* connections per caller instance */
    bool wait;            /* wait for a connection, or fail at once */
    simtime wait_timeout; /* give up waiting after this (0: only the call's timeout) */
    model_pos pos;
} pool_spec;

/* ---- a call edge: a client's call, or a service's downstream call ------ */

/* ---- hedged requests, as gRPC's hedgingPolicy ------------------------- */

/* After `delay` with no answer the caller sends another copy of the attempt
 * (to another replica), up to `attempts` copies in all; the first success
 * wins and the others are abandoned.  See engine/hedge.c. */
typedef struct hedge_spec {
    bool on;
    simtime delay;        /* hedgingDelay */
    int attempts;         /* maxAttempts: copies in all, the first included (2..5) */
    long max_outstanding; /* hedge copies in flight per caller instance; MODEL_UNLIMITED */
    unsigned non_fatal;   /* nonFatalStatusCodes: RETRY_ON_ERROR / RETRY_ON_REJECT bits */
    bool budget;          /* hedges draw on the edge's retry budget */
    model_pos pos;
} hedge_spec;

/* ---- a per-dependency bulkhead at the caller, as resilience4j's
 * SemaphoreBulkhead (not the callee's worker partitions, `bulkheads:`) --- */

typedef struct call_bulkhead_spec {
    bool on;
    long max_concurrent; /* permits per caller instance */
    simtime max_wait;    /* maxWaitDuration; 0: refuse at once */
    fallback_kind fallback; /* default: a refused call is answered at once, as a success (degraded) */
    model_pos pos;
} call_bulkhead_spec;

/* The settings `platform:` can give every call edge and service (bits):
 * a call's timeout, retry (with its budget) and breaker; a service's
 * deadlines (propagation) and shed. */
enum {
    PLATFORM_TIMEOUT = 1,
    PLATFORM_RETRY = 2,
    PLATFORM_BREAKER = 4,
    PLATFORM_DEADLINES = 8,
    PLATFORM_SHED = 16,
};
/* What an operation does to state (`effect:` on a call or a consumer).
 * Writes are what the integrity ledger counts (engine/ledger.c). */
typedef enum effect_kind { EFFECT_READ, EFFECT_WRITE } effect_kind;

typedef struct call_spec {
    int to;          /* index into model.services; -1 for a publish */
    simtime timeout; /* per attempt; 0 means no timeout */
    retry_policy retry;
    bool has_latency; /* one-way network delay, each way */
    dist latency;
    breaker_spec breaker;
    pool_spec pool;
    model_pos pos, to_pos, timeout_pos;
    hedge_spec hedge;
    call_bulkhead_spec bulkhead;
    bool has_cache; /* `cache: NAME`: a look-aside cache in front of the callee */
    int cache;      /* index into model.caches */
    model_pos cache_pos;
    /* PLATFORM_* bits: what the edge wrote itself, and what it took from
     * `platform:` (an edge that writes a setting the platform also sets
     * overrides it: written & platform.has). */
    unsigned written, inherited;
    /* `publish: NAME`: the attempt goes to a broker queue and waits only for
     * its ack; index into model.queues, -1 for a call to a service. */
    int queue;
    model_pos queue_pos;
    effect_kind effect; /* `effect: write`: the callee applies a write on success */
    model_pos effect_pos;
    size_t index; /* a service's call: its place in the file's `calls:` list (publishes included) */
} call_spec;

/* ---- clients ---------------------------------------------------------- */

typedef struct rate_step {
    simtime at;
    double rate; /* user requests per second */
} rate_step;

typedef struct client_spec {
    char *name;
    model_pos pos;
    call_spec call;   /* `call`, `timeout`, `retry`, `latency` */
    simtime deadline; /* for the whole user request; 0 means none */
    bool closed;      /* closed loop: users + think */
    rate_step *steps; /* open loop: the rate, piecewise constant */
    size_t nsteps;
    long users;
    dist think;
    long instances; /* client instances the load is spread over (budgets, breakers and pools are per instance) */
} client_spec;

/* ---- services --------------------------------------------------------- */

typedef enum discipline { DISC_FIFO, DISC_LIFO, DISC_ADAPTIVE_LIFO } discipline;

/* A concurrency limit on the requests a replica admits (queued + in
 * service), as Netflix's concurrency-limits library implements them. */
typedef enum limit_kind { LIMIT_NONE, LIMIT_FIXED, LIMIT_AIMD, LIMIT_GRADIENT2 } limit_kind;

typedef struct limit_spec {
    limit_kind kind;
    double initial, min, max; /* the limit: start, floor, ceiling */
    double backoff;           /* aimd: factor applied on a drop */
    simtime timeout;          /* aimd: a response slower than this is a drop */
    double smoothing;         /* gradient2 */
    double tolerance;         /* gradient2: rttTolerance */
    long long_window;         /* gradient2: samples in the long-term RTT average */
    double queue_size;        /* gradient2: headroom added at each update */
    model_pos pos;
} limit_spec;

/* Load shedding and admission control at a service (`shed:`). */
typedef struct shed_spec {
    simtime queue_timeout;               /* drop at dequeue after waiting this long; 0: none */
    bool codel;                          /* CoDel on the request queue, as folly's */
    simtime codel_target, codel_interval;
    limit_spec limit;
    bool priority; /* shed retries before first attempts */
    model_pos pos;
} shed_spec;

/* What a callee does with work whose caller's deadline has passed. */
typedef enum deadlines_mode {
    DEADLINES_IGNORE, /* finish it anyway (abandoned work, DESIGN.md 3.3) */
    DEADLINES_DROP,   /* drop it on arrival and at dequeue */
    DEADLINES_CANCEL, /* ... and stop it mid-work or mid-call */
} deadlines_mode;

/* A worker partition reserved for one caller (`bulkheads:`). */
typedef struct bulkhead_spec {
    char *caller; /* a client or service name */
    long workers, queue;
    model_pos pos;
} bulkhead_spec;

/* ---- availability (docs/model.md, "Availability") ---------------------- */

/* A failure process: up for `mtbf` on average, then down for a repair drawn
 * from `mttr`.  Seconds, as doubles: failure processes run over months. */
typedef struct failures_spec {
    bool on;
    double mtbf;
    repair mttr;
    model_pos pos;
    /* as written (one of them): the loader derives mtbf from them */
    simtime mtbf_given;
    double availability;
} failures_spec;

/* A name of an infra entry, resolved once the whole model is read. */
typedef struct infra_ref {
    char *name;
    int infra; /* index into model.infra */
    model_pos pos;
} infra_ref;

/* `depends_on:` an infra entry, and what its outage does. */
typedef struct depends_spec {
    infra_ref on;
    simtime stale; /* 0: the outage fails the service; > 0: it serves cached data for this long */
} depends_spec;

/* Something shared that serves no requests itself (`infra:`): a config
 * server, DNS, a control plane, a zone, a base image. */
typedef struct infra_spec {
    char *name;
    model_pos pos;
    failures_spec failures;
} infra_spec;

/* A common-cause failure group (`ccf:`), beta-factor as the Open-PSA MEF
 * defines it.  A member is a service (all its replicas) or an infra entry. */
typedef struct ccf_member {
    char *name;
    int service, infra; /* one of them >= 0 */
    model_pos pos;
} ccf_member;

typedef struct ccf_spec {
    char *name;
    ccf_member *members;
    size_t nmembers;
    double beta;
    int model; /* 0: beta-factor, the one model eddy implements */
    model_pos pos;
} ccf_spec;

/* An idempotency check on the writes a service applies (`dedupe:`). */
typedef enum dedupe_key {
    DEDUPE_NONE,    /* every arrival of a write is applied */
    DEDUPE_REQUEST, /* the key is the user request's, carried across retries and redeliveries */
    DEDUPE_ATTEMPT, /* the key is made per attempt (per publish attempt, for a message) */
} dedupe_key;

typedef struct dedupe_spec {
    dedupe_key key;
    simtime window; /* a repeat within this long of the first is not applied again */
    model_pos pos;
} dedupe_spec;

typedef struct service_spec {
    char *name;
    model_pos pos;
    long workers; /* per replica; MODEL_UNLIMITED allowed */
    long queue;   /* per replica; 0 = none, MODEL_UNLIMITED allowed */
    discipline discipline;
    dist service_time;
    double sigma, kappa; /* Universal Scalability Law contention */
    double errors;       /* base error fraction */
    long replicas;
    call_spec *calls; /* made in order, holding the worker */
    size_t ncalls;
    shed_spec shed;
    deadlines_mode deadlines;
    bulkhead_spec *bulkheads;
    size_t nbulkheads;
    simtime startup;    /* a new replica's start-up delay before it serves */
    model_pos startup_pos;
    /* Set from the whole model: the service's replica count can change (an
     * autoscaler or a `scale` action acts on it, or it has a `startup`), and
     * the replica slots allocated for it: the most replicas it can have. */
    bool scaled;
    long slots;
    failures_spec failures; /* per replica */
    infra_ref *zones;       /* replicas spread round-robin over these */
    size_t nzones;
    depends_spec *depends_on;
    size_t ndepends;
    unsigned written, inherited; /* PLATFORM_DEADLINES, PLATFORM_SHED: as call_spec's */
    dedupe_spec dedupe;
    /* `calls:` entries with `publish:` are moved here once the model is read
     * (so `calls[].to` is always a service); publish_at[i] is the number of
     * synchronous calls made before publish i, which keeps the file's order. */
    call_spec *publishes;
    size_t npublishes;
    size_t *publish_at;
} service_spec;

/* ---- faults (windows) and actions (moments) ---------------------------- */

typedef enum fault_kind {
    FAULT_SLOW,          /* service time x factor */
    FAULT_ADD_LATENCY,   /* extra one-way delay on requests into target */
    FAULT_ERRORS,        /* extra error fraction */
    FAULT_DOWN,          /* every replica down: queues and work lost */
    FAULT_LOSE_REPLICAS, /* that many replicas down */
    FAULT_FLUSH,         /* an instant: the target cache is emptied */
    FAULT_RESTART,       /* an instant: the target's replicas restart, losing their work; its caches are flushed */
} fault_kind;

/* Faults that happen at an instant rather than over a window. */
static inline bool fault_is_instant(fault_kind k) { return k == FAULT_FLUSH || k == FAULT_RESTART; }

typedef struct fault_spec {
    simtime at, dur; /* dur is 0 for an instant fault */
    int target; /* service index; a cache index for `flush` */
    fault_kind kind;
    double factor;   /* slow */
    simtime latency; /* add_latency */
    double errors;   /* errors */
    long replicas;   /* lose_replicas */
    model_pos pos, value_pos;
} fault_spec;

typedef enum action_kind {
    ACTION_RETRY,
    ACTION_SHED,
    ACTION_DRAIN,
    ACTION_SCALE,
    ACTION_FLUSH,
    ACTION_COALESCE, /* a cache's coalesce: on|off */
    ACTION_SWR,      /* a cache's stale_while_revalidate window */
    ACTION_HEDGE,    /* hedge: on|off on a client's call or a service's calls */
    /* A what-if, not a YAML action (no operator can do it): a service's
     * work stops (or starts again) slowing with concurrency.  `eddy
     * diagnose` uses it to knock out a contention loop (knockout.h). */
    ACTION_CONTENTION,
} action_kind;

typedef struct action_spec {
    simtime at;
    int client;  /* the client it applies to, or -1 */
    int service; /* the service it applies to, or -1 */
    action_kind kind;
    bool retry_on; /* retry: on|off */
    double shed;   /* fraction of new requests refused (client) or arrivals refused (service) */
    model_pos pos;
    long replicas; /* scale: the service's new replica count */
    int cache; /* the cache it applies to (flush), or -1 */
    bool coalesce; /* coalesce: on|off */
    simtime swr;   /* stale_while_revalidate: the new window (0: off) */
    bool hedge_on; /* hedge: on|off */
    bool contention_on; /* ACTION_CONTENTION: the service's contention applies */
    /* A response rather than a moment (`when:`, `then:`, `by:`): the
     * condition (cond.h; NULL for an action `at` a time), and the team
     * whose `oncall` delay it waits out once the condition has held (-1:
     * automatic, no delay). */
    struct cond_spec *when;
    int by;
    model_pos by_pos;
} action_spec;

/* ---- autoscalers, as the Kubernetes HorizontalPodAutoscaler ------------ */

/* What an autoscaler measures, averaged over a service's serving replicas:
 * busy workers / workers, queued requests, arrivals per second, or the
 * messages held by the broker queues its consumer groups drain (the lag,
 * as KEDA's queue scalers read it). */
typedef enum scale_metric { METRIC_CPU, METRIC_QUEUE, METRIC_RPS, METRIC_LAG } scale_metric;

/* HPA's selectPolicy: the policy allowing the largest change, the smallest,
 * or no change in that direction at all. */
typedef enum scale_select { SELECT_MAX, SELECT_MIN, SELECT_DISABLED } scale_select;

/* HPAScalingRules for one direction (`scale_up:` or `scale_down:`). */
typedef struct scale_rules {
    simtime stabilization; /* stabilizationWindowSeconds */
    double percent;        /* Percent policy, in percent; < 0: none */
    long pods;             /* Pods policy; < 0: none */
    simtime period;        /* periodSeconds of both policies */
    scale_select select;
    model_pos pos;
} scale_rules;

typedef struct autoscaler_spec {
    char *name;
    model_pos pos;
    int service; /* index into model.services */
    scale_metric metric;
    double target;    /* cpu: a fraction; queue: requests; rps: requests per second */
    double tolerance; /* no change while |metric/target - 1| <= tolerance */
    simtime sync;     /* how often it acts */
    long min, max;
    scale_rules up, down;
    model_pos service_pos, metric_pos;
} autoscaler_spec;

/* ---- caches ------------------------------------------------------------- */

/* A look-aside cache (`caches:`), used by the call edges that name it.
 * Keys are ranks 0..keys-1 of a Zipf popularity law. */
typedef struct cache_spec {
    char *name;
    model_pos pos;
    long keys;
    double zipf;                /* the Zipf exponent s: P(rank k) ~ k^-s */
    simtime ttl;                /* 0: entries never expire */
    simtime ttl_jitter;         /* each fill adds U(0, ttl_jitter) to its ttl */
    long capacity;              /* entries; MODEL_UNLIMITED allowed (LRU eviction) */
    simtime hit_time;           /* what a hit costs the caller */
    bool coalesce;              /* concurrent misses on a key share one origin call */
    simtime swr;                /* stale_while_revalidate window; 0: off */
    bool warm;                  /* every key filled at t = 0 */
    int owner;                  /* service whose restart flushes it, or -1 */
    model_pos ttl_pos, warm_pos;
} cache_spec;

#define CACHE_SWR_FOREVER T_NEVER

/* ---- broker queues and consumer groups (docs/messaging.md) -------------- */

/* A broker queue (`queues:`): messages waiting for a consumer.  Not to be
 * confused with a service's `queue`, the waiting room of its request queue. */
typedef enum delivery_kind { DELIVERY_AT_LEAST_ONCE, DELIVERY_AT_MOST_ONCE } delivery_kind;

typedef struct bqueue_spec {
    char *name;
    model_pos pos;
    long capacity;           /* messages held (ready + in flight); MODEL_UNLIMITED allowed */
    simtime retention;       /* a message older than this is deleted (expired); 0: kept */
    delivery_kind delivery;
    simtime visibility_timeout; /* an unacked message is visible again after this */
    long max_receives;       /* receives before the message goes to the dlq; MODEL_UNLIMITED */
    int dlq;                 /* index into model.queues, or -1 */
    bool fifo;               /* order: fifo; false: none */
    bool topic;              /* kind: topic: every consumer group gets its own copy of each message */
    model_pos delivery_pos, dlq_pos;
} bqueue_spec;

typedef enum ack_kind { ACK_AFTER_PROCESSING, ACK_BEFORE_PROCESSING } ack_kind;
typedef enum on_failure_kind { ONFAIL_RETRY_LATER, ONFAIL_NACK, ONFAIL_DROP } on_failure_kind;

/* A consumer group (`consumers:`): the workers of `service` that drain a
 * queue, `concurrency` deliveries per replica, `batch` messages each. */
typedef struct consumer_spec {
    char *name;
    model_pos pos;
    int queue;   /* index into model.queues */
    int service; /* index into model.services */
    long concurrency, batch;
    ack_kind ack;
    on_failure_kind on_failure;
    effect_kind effect;
    model_pos queue_pos, service_pos, ack_pos, effect_pos;
    call_spec call; /* how a delivery reaches the service: no timeout, no retry (set by the loader) */
} consumer_spec;
/* ---- teams (docs/teams.md) --------------------------------------------- */

/* A name a team lists: a component it owns (any entity of the model: a
 * client, service, cache, autoscaler or infra entry), or a team it talks
 * to (index: the team's index). */
typedef struct team_ref {
    char *name;
    int index;
    model_pos pos;
} team_ref;

/* `teams:` a team, what it owns, whom it actually talks to (the informal
 * graph, not the org chart), and how long it takes to answer a page. */
typedef struct team_spec {
    char *name;
    model_pos pos;
    team_ref *owns;
    size_t nowns;
    team_ref *talks_to;
    size_t ntalks;
    bool has_oncall;
    simtime oncall;
    model_pos oncall_pos;
} team_spec;

/* `platform:` the defaults the shared substrate (an RPC library, a mesh)
 * gives every call edge and service that does not set its own. */
typedef struct platform_spec {
    unsigned has; /* PLATFORM_* bits the section sets; 0: no platform */
    simtime timeout;
    retry_policy retry;
    breaker_spec breaker;
    deadlines_mode deadlines;
    shed_spec shed;
    model_pos pos, timeout_pos, deadlines_pos;
} platform_spec;

/* ---- the model -------------------------------------------------------- */

typedef struct model {
    char *file; /* the path it was read from */
    char *name, *description;
    simtime duration, sample;
    unsigned long long seed;
    client_spec *clients;
    size_t nclients;
    service_spec *services;
    size_t nservices;
    fault_spec *faults;
    size_t nfaults;
    action_spec *actions;
    size_t nactions;
    autoscaler_spec *autoscalers;
    size_t nautoscalers;
    cache_spec *caches;
    size_t ncaches;
    struct hypothesis *hypotheses; /* `hypotheses:` (hypotheses.h), judged by `eddy check` */
    size_t nhypotheses;
    infra_spec *infra;
    size_t ninfra;
    ccf_spec *ccf;
    size_t nccf;
    bqueue_spec *queues; /* broker queues */
    size_t nqueues;
    consumer_spec *consumers;
    size_t nconsumers;
    team_spec *teams; /* `teams:` (teams.c checks them against the whole model) */
    size_t nteams;
    platform_spec platform; /* `platform:` (platform.c applies it) */
} model;

/* An edit made to the model's YAML before it is read, so that it passes the
 * same checks as the file itself (yedit.h): either set the value at a
 * dotted path, or merge a patch (a mapping node of another document). */
struct yaml_document_s;
typedef struct model_edit {
    const char *set_path, *set_value;
    struct yaml_document_s *patch;
    int patch_node;
    const char *origin; /* where the edit came from, for errors: a file, "--x services.db.workers" */
} model_edit;

/* Read and validate a model file.  On error returns NULL and fills err with
 * the file, line, column, the key, and what was expected. */
model *model_load(const char *path, eddy_error *err);
/* The same, from a string; `name` is used as the file name in errors. */
model *model_load_string(const char *text, size_t len, const char *name, eddy_error *err);
/* The same, after applying edits in order. */
model *model_load_edited(const char *path, const model_edit *edits, size_t nedits, eddy_error *err);
void model_free(model *m);

int model_find_service(const model *m, const char *name);
int model_find_client(const model *m, const char *name);
const char *scale_metric_name(scale_metric k);
int model_find_cache(const model *m, const char *name);
int model_find_queue(const model *m, const char *name);
/* The name of what a call or publish goes to: a service, or a broker queue. */
const char *call_target_name(const model *m, const call_spec *c);
/* The consumer group draining queue q, or -1. */
int model_queue_consumer(const model *m, int q);
/* Whether service s applies writes: a call with effect: write to it, or a
 * consumer group with effect: write on it. */
bool model_service_applies(const model *m, int s);
/* The name of what a fault hits: a service, or a cache for `flush`. */
const char *fault_target_name(const model *m, const fault_spec *f);

int model_find_team(const model *m, const char *name);
/* The team that owns the component (an entity name), or -1: unowned. */
int model_owner(const model *m, const char *component);
/* Whether team a lists b in talks_to, or b lists a. */
bool model_teams_talk(const model *m, int a, int b);

const char *backoff_name(backoff_kind k);
const char *jitter_name(jitter_kind k);
const char *fault_kind_name(fault_kind k);

#endif
