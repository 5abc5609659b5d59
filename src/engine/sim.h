/* sim.h -- the engine's runtime state, shared by the engine's files only.
 *
 * The engine follows DESIGN.md section 3.  Its moving parts:
 *
 *   ureq    a user request from a client.  It owns one call (its `caller`),
 *           which makes attempts: the first try, then retries.
 *   caller  one logical call along an edge: a user request's call to its
 *           service, or one of a service job's downstream calls.  It has at
 *           most one attempt outstanding, and one timer (attempt timeout or
 *           retry backoff).
 *   req     one attempt, travelling on its own: network, queue, worker,
 *           downstream calls (its own `down` caller), response.  When its
 *           caller gives up, `from` is cleared and the req carries on: the
 *           callee finishes abandoned work (wasted work).
 *
 * Objects come from pools, so memory tracks requests in flight.  Events are
 * `ev`s embedded in these objects (see core/evq.h). */
#ifndef EDDY_SIM_H
#define EDDY_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/evq.h"
#include "../core/hist.h"
#include "../core/pool.h"
#include "../core/rng.h"
#include "../core/zipf.h"
#include "../model/model.h"
#include "eddy.h"

#define container_of(p, T, m) ((T *)((char *)(p) - offsetof(T, m)))

enum ev_kind {
    EV_ARRIVAL,     /* client: next open-loop user request */
    EV_THINK,       /* closed-loop user: think time over */
    EV_REQ_ARRIVE,  /* req reaches its service after the network */
    EV_REQ_DONE,    /* req's local work is done */
    EV_REQ_RETURN,  /* req's response reaches its caller */
    EV_CALL_TIMER,  /* caller: attempt timeout, or backoff over */
    EV_POOL_TIMER,  /* caller: waited too long for a connection */
    EV_DEADLINE,    /* user request's deadline */
    EV_FAULT,       /* a fault window starts or ends */
    EV_ACTION,      /* an operator action */
    EV_SAMPLE,      /* end of a telemetry interval */
    EV_REQ_EXPIRE,  /* req's deadline passed mid-work (deadlines: cancel) */
    EV_HEDGE_TIMER, /* caller: hedge delay over, send another copy */
    EV_BULKHEAD_TIMER, /* caller: waited max_wait for a bulkhead permit */
    EV_REPLICA_UP,  /* a starting replica begins to serve (replicas.c) */
    EV_AUTOSCALE,   /* an autoscaler's sync period is over (autoscale.c) */
    EV_CACHE_HIT,   /* caller: a cache hit's hit_time is over */
    EV_VISIBILITY,  /* a received message's visibility timeout (broker.c) */
};

typedef enum status {
    ST_OK,
    ST_ERROR,
    ST_REJECT,
    ST_TIMEOUT,
    ST_DEADLINE,
    ST_OPEN, /* a circuit breaker did not permit the call */
    ST_BULKHEAD, /* the caller's bulkhead had no permit (never retried) */
} status;

typedef struct sim sim;
typedef struct req req;
typedef struct service_rt service_rt;
typedef struct client_rt client_rt;

typedef struct caller caller;
typedef struct wrec wrec;
typedef struct bqueue_rt bqueue_rt;
typedef struct group_rt group_rt;

/* Per caller instance (or shared) state of the edge mechanisms; each lives
 * in its own file: budget.c, breaker.c, connpool.c. */
typedef struct budget_rt {
    const budget_spec *spec;
    double tokens;      /* grpc: tokens; aws: the retry quota */
    double *dep, *wd;   /* finagle: deposits and withdrawals per slot */
    int64_t slot;       /* finagle: the current slot's number */
    long active;        /* envoy: attempts in flight */
    long active_retries; /* envoy: retry attempts in flight */
} budget_rt;

enum { BREAKER_CLOSED, BREAKER_OPEN, BREAKER_HALF_OPEN };

typedef struct breaker_rt {
    const breaker_spec *spec;
    int state;
    simtime opened_at;
    /* count window: a ring of outcomes; time window: per-second buckets */
    uint8_t *ring;     /* count: bit 0 failed, bit 1 slow */
    long head, n;      /* count: next slot, calls recorded */
    long *bcalls, *bfails, *bslows; /* time: per bucket */
    int64_t *bsec;     /* time: which second a bucket holds */
    long calls, fails, slows; /* totals over the window */
    long half_permitted, half_done, half_fails, half_slows;
} breaker_rt;

typedef struct connpool_rt {
    const pool_spec *spec;
    struct edge_rt *edge;
    long busy;
    caller *whead, *wtail; /* callers waiting for a connection, FIFO */
    long nwait;
} connpool_rt;

/* A caller-side bulkhead (resilience4j's SemaphoreBulkhead), per caller
 * instance: permits in use, and the callers waiting for one (bulkhead.c). */
typedef struct bulkhead_rt {
    long busy;
    caller *whead, *wtail; /* FIFO, linked through caller.wprev/wnext */
} bulkhead_rt;

/* An edge at run time: the spec, its random stream (network latency and
 * backoff jitter), whether retries are switched on, and the state of its
 * mechanisms per caller instance. */
typedef struct edge_rt {
    const call_spec *spec;
    service_rt *to;
    client_rt *client; /* the client making the call, or NULL */
    char *name;        /* "caller->callee", the prefix of its CSV columns */
    uint16_t lane;     /* the callee's lane for this caller (bulkheads) */
    rng rng;
    bool retry_enabled;
    bool hedge_off; /* a `hedge: off` action: attempts go out as one copy */
    long ninst;                  /* caller instances */
    budget_rt *budgets;          /* ninst, or 1 when shared; NULL: none */
    long nbudgets;
    breaker_rt *breakers;        /* ninst; NULL: none */
    connpool_rt *pools;          /* ninst; NULL: none */
    uint64_t attempts, retries, timeouts; /* run totals */
    uint64_t retries_sampled; /* `retries` when the last row closed (the `retries` column) */
    /* interval counters for the edge's columns, and their run totals */
    uint64_t denied, short_circuited, fallbacks, pool_timeouts;
    uint64_t tot_denied, tot_short_circuited, tot_fallbacks, tot_pool_timeouts;
    simtime pool_last;
    double area_pool_busy, area_pool_wait;
    long pool_busy, pool_wait; /* over all instances */
    /* hedging (hedge.c): hedge copies in flight per caller instance; NULL: none */
    long *hedge_out;
    uint64_t hedges, hedge_wins, hedges_denied;
    uint64_t tot_hedges, tot_hedge_wins, tot_hedges_denied;
    /* caller-side bulkhead (bulkhead.c): per caller instance; NULL: none */
    bulkhead_rt *bulkheads;
    uint64_t bulkhead_rejected, tot_bulkhead_rejected;
    simtime bulkhead_last;
    double area_bulkhead_busy;
    long bulkhead_busy; /* over all instances */
    bool gated; /* a bulkhead or a pool: an attempt must pass one before it is sent */
    struct cache_rt *cache;    /* the look-aside cache in front of the callee, or NULL */
    bqueue_rt *bq;   /* a publish: the broker queue (to is NULL), else NULL */
    group_rt *group; /* a consumer group's deliveries: pinned to the delivery's replica */
    int site;        /* the write site this edge applies (ledger.c), or -1 */
} edge_rt;

enum { CALLER_USER, CALLER_JOB, CALLER_REFRESH /* a cache's background refresh (cache.c) */,
       CALLER_CONSUMER /* a consumer group's delivery (consumer.c) */ };
enum { CALL_IDLE, CALL_WAITING, CALL_BACKOFF, CALL_POOL_WAIT, CALL_BULKHEAD_WAIT,
       CALL_CACHE_HIT,  /* served by the cache: waiting out hit_time */
       CALL_COALESCED }; /* waiting on another call's origin answer for its key */

/* A call's part in its edge's cache (caller.cache_role); 0 for a call on an
 * edge without a cache, and for every idle caller. */
enum { CACHE_NONE, CACHE_HIT, CACHE_MISS, CACHE_LEADER, CACHE_WAITER, CACHE_REFRESH };

struct caller {
    ev timer;
    /* The caller's second timer: the connection pool's wait_timeout or the
     * bulkhead's max_wait before the attempt is sent, the hedge delay after
     * (never two at once, so they share one ev; the kind tells them apart). */
    ev pool_timer;
    req *out;            /* the outstanding attempt, if any (hedged: the first of its copies) */
    edge_rt *edge;
    caller *wprev, *wnext; /* in a pool's wait list, or a cache flight's waiters */
    simtime prev_sleep;  /* decorrelated jitter's memory */
    simtime sent;        /* when the current attempt started */
    uint32_t inst;       /* the caller instance */
    uint16_t attempt;    /* attempts made so far */
    uint8_t kind;        /* CALLER_USER or CALLER_JOB */
    uint8_t state;       /* CALL_* */
    uint8_t last_cost;   /* aws: quota taken by the last retry */
    /* hedged edges only (hedge.c): copies outstanding, copies sent in this
     * attempt, and the last non-fatal failure among them (ST_OK: none) */
    uint8_t copies, hsent, hlast;
    uint8_t permits;     /* bulkhead permits held by this attempt; 0 when idle, and on other edges */
    uint8_t cache_role;  /* CACHE_*: what the edge's cache is doing for this call */
    uint8_t cache_nofill; /* answered by a breaker fallback, not the origin: do not fill */
    uint32_t key;        /* the cache key the call asks for */
    uint64_t akey;       /* the current attempt's idempotency key (dedupe: attempt) */
};

typedef struct user user;

typedef struct ureq {
    caller call;
    ev deadline;
    uint32_t inst; /* the client instance */
    simtime start;
    client_rt *client;
    user *user; /* closed loop: the user who will think again */
    wrec *w;    /* its write record (ledger.c), or NULL */
} ureq;

struct user {
    ev think;
    client_rt *client;
    uint32_t inst;
};

enum { REQ_TRANSIT, REQ_QUEUED, REQ_WORKING, REQ_CALLING, REQ_RETURNING };

typedef struct replica replica;

struct req {
    ev ev;
    caller *from; /* NULL once the caller has given up */
    edge_rt *edge;
    connpool_rt *conn; /* the connection it holds, if its edge has a pool */
    replica *rep;
    req *prev, *next; /* the replica's in-service list */
    simtime arrived;
    simtime deadline;   /* the caller's deadline, carried with the attempt; T_NEVER: none */
    caller down;        /* the downstream call in progress */
    uint16_t next_call; /* index of the next downstream call */
    uint16_t attempt;   /* 1 for a first try, more for a retry (priority shedding) */
    uint8_t status;
    uint8_t state;
    uint8_t hcopy; /* hedged edges only: 0 the first copy, k the k-th hedge */
    req *hnext;    /* hedged edges only: the next copy of the same attempt */
    wrec *w;       /* the user request's write record it carries (ledger.c), or NULL */
    uint64_t akey; /* its attempt's idempotency key */
};

/* A queue and the workers that serve it.  A replica has one lane, plus one
 * per bulkhead (a partition of its workers reserved for one caller).  The
 * queue-management state (CoDel, adaptive LIFO) is per lane, since each
 * lane is a queue of its own.  See queue.c. */
typedef struct lane {
    req **q; /* ring buffer */
    size_t qhead, qlen, qcap;
    long busy;
    long workers, queue; /* limits; MODEL_UNLIMITED allowed */
    simtime last_empty;  /* adaptive LIFO: when the queue was last empty */
    simtime codel_next;  /* CoDel: end of the current interval */
    simtime codel_min;   /* CoDel: the shortest queue delay seen in it */
    bool codel_reset, overloaded;
} lane;

/* A concurrency limit on what a replica admits (limit.c). */
typedef struct limiter_rt {
    const limit_spec *spec;
    double limit;
    double long_rtt; /* gradient2: long-term average of the response time, ns */
    long samples;    /* gradient2: samples in long_rtt */
} limiter_rt;

struct replica {
    service_rt *svc;
    lane *lanes;  /* svc->nlanes of them */
    long busy;    /* over all lanes: the concurrency contention sees */
    long queued;  /* over all lanes */
    req *working; /* in-service list, for crashes */
    limiter_rt limit;
    /* The lifecycle of a scaled service's replica slot (replicas.c). */
    ev start;          /* start-up over: EV_REPLICA_UP */
    uint8_t state;     /* REP_* */
    bool lost;         /* the slot is down with a fault window */
    long at;           /* serving: its index in the service's serving list */
    simtime since;     /* when it began to serve */
    double area_busy;  /* the integral of busy over time, up to area_t (the cpu metric) */
    double area_since; /* area_busy when it began to serve */
    simtime area_t;
};

/* A replica slot of a scaled service: empty, starting (not yet serving:
 * the start-up delay), serving (routing may choose it), or terminating (no
 * new work; it finishes what it holds, then its slot is empty again). */
enum { REP_IDLE, REP_STARTING, REP_SERVING, REP_TERMINATING };

/* Counters for one interval; run totals are the sum of the intervals. */
typedef struct client_counts {
    uint64_t requests, offered, retries, goodput, failed, timeouts, shed;
} client_counts;

typedef struct service_counts {
    uint64_t arrivals, rejected, completed, wasted, errors;
    uint64_t shed;      /* refused or dropped by load shedding, or drained */
    uint64_t expired;   /* dropped because the caller's deadline had passed */
    uint64_t cancelled; /* stopped mid-work or mid-call at the deadline */
} service_counts;

struct client_rt {
    const client_spec *spec;
    edge_rt edge;
    ev arrival;
    size_t step; /* rate steps already begun */
    rng rng_arrival, rng_shed, rng_think, rng_instance;
    double shed;
    user *users;
    client_counts cur, tot;
    hist lat_cur, lat_tot;
};

/* The integrity counts of the writes a service applies (ledger.c). */
typedef struct ledger_counts {
    uint64_t exactly_once, duplicated, lost, ghost, deduped;
} ledger_counts;

struct service_rt {
    const service_spec *spec;
    replica *reps;
    long nreps, nup; /* replicas [0, nup) are up */
    size_t nlanes;   /* per replica: 1 + the bulkheads */
    lane *lane_block; /* every replica's lanes, in one allocation */
    rng rng_time, rng_errors, rng_route, rng_shed;
    double shed;     /* fraction of arrivals refused (the `shed` action) */
    /* Fast paths: false when the service has nothing to check at arrival
     * (no shed action, deadline handling, limit or priority), and nothing
     * to manage at dequeue (plain FIFO/LIFO, no CoDel, queue_timeout or
     * deadlines), which keeps unused mechanisms off the hot path. */
    bool admission, managed;
    edge_rt *calls; /* ncalls downstream edges */
    /* the effect of the fault windows active now */
    double slow, fault_errors;
    bool contention_off; /* an ACTION_CONTENTION what-if: work takes its uncontended time */
    simtime add_latency;
    long lost;
    /* telemetry */
    service_counts cur, tot;
    hist lat_cur, lat_tot;
    long queued, busy; /* over all replicas */
    simtime last_change;
    double area_queue, area_busy, tot_area_queue, tot_area_busy;
    /* Scaled services (replicas.c): the replica slots [0, nreps) have a
     * lifecycle, routing chooses among the serving ones (`serving`, with
     * nup = nserving), and `desired` is the replica count it is set to (a
     * Deployment's .spec.replicas), which controllers and `scale` write. */
    bool scaled;
    long *serving, nserving, nstarting, nlost;
    long desired;
    double area_serving;       /* the integral of nserving over time, up to serving_t */
    simtime serving_t;
    double sample_area_serving; /* area_serving at the last sample */
    /* messaging: the consumer groups this service's workers run, and the
     * writes it applies (ledger.c) */
    group_rt **groups;
    size_t ngroups;
    edge_rt *pubs;  /* spec->npublishes publish edges */
    edge_rt **seq;  /* calls and publishes in the file's order: nseq of them */
    size_t nseq;
    struct dedupe_rt *dedupe; /* dedupe: request|attempt; NULL: none */
    bool applies;   /* some write site applies writes here: it has integrity columns */
    ledger_counts wcur, wtot;
};

/* An autoscaler at run time (autoscale.c): the HPA controller's memory of
 * its recommendations and of the scale changes it made, and where its
 * metric's window began. */
typedef struct hpa_rec {
    simtime at;
    long value;
} hpa_rec;

typedef struct hpa_rt {
    const autoscaler_spec *spec;
    hpa_rec *recs; /* recommendations within the stabilization windows */
    size_t nrecs, caprecs;
    hpa_rec *ups, *downs; /* scale events (value: replicas added or removed) within the policy periods */
    size_t nups, ndowns, capups, capdowns;
} hpa_rt;

typedef struct autoscaler_rt {
    hpa_rt hpa;
    service_rt *svc;
    ev ev;
    double *mark_busy;  /* per slot: area_busy at the last sync */
    simtime mark_t;     /* the last sync */
    double mark_queue, mark_serving;
    uint64_t mark_arrivals;
    double metric; /* the last measurement (NaN: none yet) */
    long desired;  /* the last decision */
} autoscaler_rt;

typedef struct fault_rt {
    const fault_spec *spec;
    ev ev;
    bool active;
} fault_rt;

typedef struct action_rt {
    const action_spec *spec;
    ev ev;
} action_rt;

/* ---- caches (cache.c) ------------------------------------------------------ */

/* An origin call in flight for one key that other misses may wait on
 * (coalesce), or a background refresh (stale_while_revalidate, whose call
 * is `call`). */
typedef struct flight {
    caller call;        /* the refresh's own call */
    struct cache_rt *cache;
    caller *leader;     /* the call whose answer fills the key */
    caller *whead, *wtail; /* misses waiting for that answer */
    uint32_t key;
} flight;

typedef struct cache_counts {
    uint64_t hits, misses, stale, coalesced, refreshes, fills, evictions;
} cache_counts;

#define CACHE_ABSENT INT64_MIN

typedef struct cache_rt {
    const cache_spec *spec;
    zipf zipf;
    rng rng_key, rng_ttl;
    simtime *expires;  /* per key: when its entry expires (T_NEVER: never); CACHE_ABSENT: not held */
    int32_t *prev, *next; /* LRU list (capacity limited only), most recent first */
    int32_t head, tail;
    long held;         /* entries held, fresh or expired */
    flight **flights;  /* per key (coalesce or stale_while_revalidate only) */
    bool coalesce;     /* the spec's, until an action changes it */
    simtime swr;
    pool flight_pool;
    cache_counts cur, tot;
} cache_rt;

typedef struct respond_rt respond_rt; /* respond.c */
/* ---- broker queues (broker.c), consumer groups (consumer.c) --------------- */

enum { MSG_READY, MSG_INFLIGHT, MSG_DELETED };

/* A message: published once, held by the queue until deleted, and by each
 * delivery handling it; freed when neither holds it. */
typedef struct msg {
    ev vis;            /* its visibility timeout, while in flight */
    bqueue_rt *q;
    wrec *w;           /* the user request's write record, or NULL */
    uint64_t akey;     /* the publish attempt's key (dedupe: attempt) */
    simtime published;
    uint32_t receives;
    uint16_t holders;  /* deliveries handling it */
    uint8_t state;     /* MSG_* */
    uint8_t ringed;    /* in the ring: ready, or a tombstone */
} msg;

typedef struct bqueue_counts {
    uint64_t published, rejected, delivered, redelivered, expired, dead_lettered;
} bqueue_counts;

/* A broker queue: its ready messages in an O(1) ring (FIFO; a message that
 * comes back goes to the front with order: fifo, else the back), deleted
 * ones left in it as tombstones until they reach the head. */
struct bqueue_rt {
    const bqueue_spec *spec;
    msg **ring;
    size_t head, len, cap;
    long held;    /* ready + in flight: what capacity bounds, Q.depth */
    group_rt *group; /* the group draining it (a topic's subscription: its group) */
    bqueue_rt *dlq;
    /* kind: topic: it holds nothing itself; each group drains its own
     * subscription, whose counts and depth also add up here */
    bqueue_rt **subs;
    size_t nsubs;
    bqueue_rt *topic; /* a subscription's topic, else NULL */
    bqueue_counts cur, tot;
    hist age_cur, age_tot; /* age of messages when received */
    simtime last_change;
    double area_held, tot_area_held;
};

typedef struct group_counts {
    uint64_t processed, failed;
} group_counts;

/* A consumer group at run time: its deliveries' edge into the service,
 * the deliveries held per replica slot, and the free slots on serving
 * replicas (recounted after the service's replicas change). */
struct group_rt {
    const consumer_spec *spec;
    bqueue_rt *q;    /* its queue, or its subscription `sub` on a topic */
    bqueue_rt sub;
    service_rt *svc;
    edge_rt edge;
    long *inflight;  /* per replica slot */
    long busy, free; /* deliveries held; free slots on serving replicas */
    bool recount;    /* the replicas changed: recount `free` before use */
    bool kicking;    /* consumer_kick is running */
    long cursor;     /* where the search for a free slot starts */
    long msgs;       /* messages in deliveries */
    int site;        /* the write site it applies, or -1 */
    pool deliveries;
    group_counts cur, tot;
    simtime last_change;
    double area_msgs, tot_area_msgs;
};

/* A delivery: one attempt at the consumer's service handling up to
 * `batch` messages. */
typedef struct delivery {
    caller call; /* CALLER_CONSUMER */
    group_rt *g;
    long rep;
    wrec *w;     /* batch > 1: the record its attempts carry for all its messages (ledger.c) */
    uint32_t n;
    msg *m[];
} delivery;

/* ---- the integrity ledger (ledger.c) ---------------------------------------- */

/* Where a write is applied: a call edge with effect: write (at its callee)
 * or a consumer group with effect: write (at its service). */
typedef struct write_site {
    service_rt *at;
} write_site;

struct sim {
    const model *m;
    uint64_t seed;
    evq q;
    simtime now, end, last_sample;
    ev sample;
    bool stop;
    pool reqs, ureqs;
    client_rt *clients;
    service_rt *services;
    fault_rt *faults;
    action_rt *actions;
    edge_rt **edges; /* every call edge */
    size_t nedges;
    cache_rt *caches; /* model.ncaches */
    bool deadlines; /* some service acts on deadlines: attempts carry one */
    eddy_series *series;
    size_t rows_cap;
    double *row; /* the row being built */
    const eddy_options *opt;
    uint64_t events, attempts;
    autoscaler_rt *autoscalers;
    respond_rt *responds; /* conditional actions (respond.c) */
    size_t nresponds;
    /* messaging and the ledger */
    bqueue_rt *queues;  /* model.nqueues */
    group_rt *groups;   /* model.nconsumers */
    pool msgs;
    write_site *sites;
    size_t nsites;
    pool wrecs;         /* write records, sized for nsites */
    pool brecs;         /* batches' records, sized for the largest batch */
    uint64_t next_wid, next_akey;
};

/* client.c */
void client_init(sim *s, client_rt *c, const client_spec *spec);
void client_start(sim *s, client_rt *c);
void client_on_arrival(sim *s, client_rt *c);
void client_on_think(sim *s, user *u);
void client_on_deadline(sim *s, ureq *u);
void client_call_done(sim *s, ureq *u, status st);

/* call.c */
void call_begin(sim *s, caller *c, edge_rt *e, int kind);
void call_on_response(sim *s, caller *c, status st);
void call_on_timer(sim *s, caller *c);
void call_abandon(sim *s, caller *c);
void call_on_pool_timer(sim *s, caller *c);
void call_dispatch(sim *s, caller *c); /* the attempt has its connection: send it */
void call_after_bulkhead(sim *s, caller *c); /* the attempt has its bulkhead permit: on to the pool */
void call_on_bulkhead_full(sim *s, caller *c); /* refused a bulkhead permit */
void call_group_done(sim *s, caller *c, status st); /* hedged: the attempt's copies are resolved */
req *call_new_copy(sim *s, caller *c); /* a req for the attempt, set up but not sent */
void call_put_on_wire(sim *s, req *r);
simtime call_backoff(const retry_policy *r, caller *c, rng *g);

/* edge.c: mechanisms common set-up, and the columns of an edge */
void edge_init(edge_rt *e, const char *name, long ninst);
void edge_free(edge_rt *e);
void edge_gauge(sim *s, edge_rt *e);

/* budget.c */
void budget_init(budget_rt *b, const budget_spec *spec);
void budget_free(budget_rt *b);
void budget_on_attempt(budget_rt *b, simtime now, bool first);
void budget_on_attempt_end(budget_rt *b, bool retry);
bool budget_allow_retry(budget_rt *b, simtime now, status st, caller *c);
void budget_on_result(budget_rt *b, status st, const caller *c, bool call_done);
double budget_level(budget_rt *b, simtime now);

/* breaker.c */
void breaker_init(breaker_rt *b, const breaker_spec *spec);
void breaker_free(breaker_rt *b);
bool breaker_permit(breaker_rt *b, simtime now);
void breaker_abandon(breaker_rt *b, simtime now);  /* a permitted call will never report */
void breaker_release(breaker_rt *b);               /* a permitted call was not made (resilience4j releasePermission) */
void breaker_record(breaker_rt *b, simtime now, status st, simtime took);
double breaker_level(const breaker_rt *b);

/* connpool.c */
int connpool_acquire(sim *s, connpool_rt *p, caller *c); /* 1 granted, 0 waiting, -1 refused */
void connpool_release(sim *s, connpool_rt *p);
void connpool_leave(sim *s, connpool_rt *p, caller *c); /* stop waiting */
bool connpool_try(sim *s, connpool_rt *p); /* a free connection now, or none (hedge copies) */

/* Retire an attempt, releasing its connection; inline, as the hot paths
 * that answer an attempt call it once each. */
void ledger_unref(sim *s, wrec *w);
static inline void req_free(sim *s, req *r)
{
    connpool_rt *p = r->conn;
    wrec *w = r->w;
    pool_put(&s->reqs, r);
    if (p)
        connpool_release(s, p);
    if (w)
        ledger_unref(s, w);
}

/* hedge.c: hedged requests */
void hedge_init(edge_rt *e, long ninst);
__attribute__((noinline)) void hedge_dispatch(sim *s, caller *c, req *r); /* send the first copy */
void hedge_on_timer(sim *s, caller *c);
__attribute__((noinline)) void hedge_on_return(sim *s, caller *c, req *r, status st); /* frees r */
void hedge_drop_all(sim *s, caller *c); /* the caller stops waiting for every copy */
void hedge_lost(sim *s, req *r);        /* a copy lost with its replica */
replica *hedge_replica(service_rt *v, req *r); /* a replica none of r's siblings went to */

/* bulkhead.c: caller-side bulkheads */
void bulkhead_init(edge_rt *e, long ninst);
int bulkhead_acquire(sim *s, caller *c); /* 1 granted, 0 waiting, -1 refused */
bool bulkhead_try(sim *s, caller *c);    /* a permit now, or none (hedge copies never wait) */
void bulkhead_release(sim *s, caller *c, int n);
void bulkhead_leave(sim *s, caller *c);  /* stop waiting */
void bulkhead_on_timer(sim *s, caller *c);
void bulkhead_gauge(sim *s, edge_rt *e);

/* queue.c: lanes, their queues, and queue management */
void lane_init(lane *l, long workers, long queue);
void lane_free(lane *l);
void lane_push(lane *l, req *r, simtime now);
/* The next request to serve, or NULL.  Requests the lane's management
 * drops (CoDel, queue_timeout, a passed deadline) are chained on *dropped
 * through `next`, with their status set, for the caller to answer. */
req *lane_next(sim *s, service_rt *v, lane *l, req **dropped);
/* Make room for a first attempt in a full lane by taking out its newest
 * queued retry (priority: retries_first); NULL if it holds none. */
req *lane_evict_retry(lane *l);
req *lane_pop_any(lane *l); /* for crashes and drains: any order */

/* Take from a non-empty queue's head (FIFO) or tail (LIFO); the whole of
 * dequeueing for a service without queue management. */
static inline req *lane_pop(lane *l, discipline d)
{
    req *r;
    l->qlen--;
    if (d == DISC_LIFO) {
        r = l->q[(l->qhead + l->qlen) % l->qcap];
    } else {
        r = l->q[l->qhead];
        l->qhead = (l->qhead + 1) % l->qcap;
    }
    return r;
}

/* limit.c: concurrency limits (fixed, AIMD, Gradient2) */
void limit_init(limiter_rt *l, const limit_spec *spec);
static inline bool limit_admit(const limiter_rt *l, long inflight) { return inflight < (long)l->limit; }
void limit_on_done(limiter_rt *l, simtime rtt, long inflight);

/* service.c */
void service_init(sim *s, service_rt *v, const service_spec *spec);
void service_free(service_rt *v);
void service_arrive(sim *s, req *r);
void service_on_done(sim *s, req *r);
void service_on_return(sim *s, req *r);
void service_call_done(sim *s, req *r, status st);
void service_set_up(sim *s, service_rt *v, long nup);
void service_gauge(sim *s, service_rt *v); /* bring the time-averages up to now */
void service_on_expire(sim *s, req *r);
void service_drain(sim *s, service_rt *v);
void service_crash(sim *s, replica *p); /* lose everything the replica holds */
uint16_t service_lane_for(const service_spec *callee, const char *caller);

/* replicas.c: the lifecycle of a scaled service's replicas */
void replicas_init(sim *s, service_rt *v);
void replicas_free(service_rt *v);
void replicas_set_desired(sim *s, service_rt *v, long n);
void replicas_set_lost(sim *s, service_rt *v, long lost);
__attribute__((noinline)) void replica_on_up(sim *s, replica *p);
void replica_check_done(sim *s, replica *p); /* a terminating replica may have finished */
replica *replica_route(service_rt *v);        /* a serving replica at random (nup > 0) */
void replicas_gauge(sim *s, service_rt *v);   /* bring area_serving up to now */
static inline void replica_gauge(simtime now, replica *p)
{
    p->area_busy += (double)(now - p->area_t) * (double)p->busy;
    p->area_t = now;
}

/* autoscale.c: the controllers, and the HPA arithmetic (tested directly) */
void autoscale_init(sim *s);
void autoscale_free(sim *s);
__attribute__((noinline)) void autoscale_on_sync(sim *s, autoscaler_rt *a);
/* The replica calculator: the replica count for a metric/target ratio
 * measured over `ready` replicas, with `unready` ones still starting. */
long hpa_calc(double ratio, long ready, long unready, long current, double tolerance);
void hpa_init(hpa_rt *h, const autoscaler_spec *spec);
void hpa_free(hpa_rt *h);
/* Stabilization windows, then rate policies and [min, max]: the count to
 * set, given the current one and the calculator's proposal. */
long hpa_normalize(hpa_rt *h, simtime now, long current, long proposal);
void hpa_store_event(hpa_rt *h, simtime now, long from, long to);

/* call.c, for the cache */
void call_report(sim *s, caller *c, status st);   /* the call is over: tell its owner */
void call_start_origin(sim *s, caller *c);       /* go to the origin: the first attempt */

/* cache.c */
void cache_init(sim *s, cache_rt *k, const cache_spec *spec);
void cache_free(cache_rt *k);
bool cache_lookup(sim *s, caller *c);          /* true: the cache has the call in hand */
void cache_call_end(sim *s, caller *c, status st);
void cache_on_hit(sim *s, caller *c);
void cache_abandon(sim *s, caller *c);
void cache_flush(cache_rt *k);
long cache_entries(const cache_rt *k, simtime now); /* fresh entries held */

/* broker.c: broker queues */
void broker_init(sim *s, bqueue_rt *q, const bqueue_spec *spec);
void broker_free(sim *s, bqueue_rt *q);
void broker_publish(sim *s, req *r);     /* a publish attempt reached the broker: answer it */
msg *broker_take(sim *s, bqueue_rt *q);  /* receive the next ready message, or NULL */
void broker_ack(sim *s, msg *m);         /* delete it (a late ack deletes it wherever it is) */
void broker_nack(sim *s, msg *m);        /* visible again at once */
void broker_release(sim *s, msg *m);     /* a delivery lets go of it */
void broker_on_visibility(sim *s, msg *m);
void broker_gauge(sim *s, bqueue_rt *q);
void broker_expire(sim *s, bqueue_rt *q); /* retention, at the head */

/* consumer.c: consumer groups */
void consumer_init(sim *s, group_rt *g, const consumer_spec *spec);
void consumer_free(sim *s, group_rt *g);
void consumer_kick(sim *s, group_rt *g);  /* start deliveries while messages and slots allow */
void consumer_on_done(sim *s, caller *c, status st);
void consumer_lost(sim *s, caller *c);    /* its replica crashed */
void consumer_replicas_changed(sim *s, service_rt *v);
replica *consumer_replica(service_rt *v, req *r);
void consumer_gauge(sim *s, group_rt *g);

/* ledger.c: write records, dedupe, and the integrity counts */
void ledger_init(sim *s);
void ledger_free(sim *s);
wrec *ledger_new(sim *s);
static inline void ledger_ref(wrec *w);
void ledger_owe(wrec *w, int site);      /* the request now expects this write */
void ledger_told(wrec *w, bool ok);      /* what the user was told */
void ledger_apply(sim *s, int site, wrec *w, uint64_t akey);
wrec *ledger_of(const caller *c);        /* the record a caller's attempts carry */
wrec *ledger_batch(sim *s, msg *const *m, uint32_t n); /* one record for a batch's messages, or NULL */

/* fault.c */
void fault_init(sim *s);
void fault_on_event(sim *s, fault_rt *f);
void action_on_event(sim *s, action_rt *a);

/* respond.c: conditional actions, judged on each closed row */
void respond_init(sim *s);
void respond_sample(sim *s, const double *row, simtime start, simtime end);
void respond_free(sim *s);

/* stats.c */
void stats_init(sim *s);
void stats_sample(sim *s);
void stats_totals(sim *s, eddy_result *out);

struct wrec {
    uint64_t id;
    uint32_t refs;     /* the user request, attempts and messages carrying it */
    uint16_t nmembers; /* a batch's record: the records of its messages (ledger_batch) */
    uint8_t told;      /* 0 not yet, 1 success, 2 failure */
    uint8_t pad_;
    uint16_t applied[]; /* per site: times applied (bit 15: owed); a batch's: its members */
};
static inline void ledger_ref(wrec *w) { w->refs++; }

static inline void sim_at(sim *s, ev *e, int kind, simtime t)
{
    e->kind = (uint16_t)kind;
    evq_push(&s->q, e, t);
}

/* A timer: an event that is usually cancelled before it fires (a timeout,
 * a deadline, a hedge delay, a wait for a permit).  Same order as sim_at;
 * cheaper when it is cancelled (see core/evq.h). */
static inline void sim_timer(sim *s, ev *e, int kind, simtime t)
{
    e->kind = (uint16_t)kind;
    evq_push_timer(&s->q, e, t);
}

/* Stream purposes: each entity's streams are named by entity and purpose, so
 * changing one part of a model leaves the others' random numbers alone. */
enum {
    RNG_ARRIVAL = 1,
    RNG_SHED,
    RNG_THINK,
    RNG_EDGE,
    RNG_SERVICE_TIME,
    RNG_ERRORS,
    RNG_ROUTE,
    RNG_INSTANCE,
    RNG_SERVICE_SHED,
    RNG_CACHE_KEY, /* a cache: which key each request asks for */
    RNG_CACHE_TTL, /* a cache: the ttl_jitter of each fill */
};

#endif
