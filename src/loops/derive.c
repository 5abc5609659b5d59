/* derive.c -- deriving the causal loop diagram of a service model.
 *
 * Links are emitted walking the call graph from each client, depth first:
 * the callee's own links, then the edge into it, then the callee's calls.
 * Loop numbering follows link order (analyze.h), so the loops closed by a
 * client's retries come before the loops deeper in the graph, and the
 * numbering is the same on every run. */
#include "derive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../model/units.h"
#include "describe.h"
#include "util.h"

typedef struct dv {
    const model *m;
    cld_graph *g;
    bool *linked;     /* a service's own links emitted */
    bool *walked;     /* a service's calls emitted */
    bool *limited;    /* a service's contention and queue-limit links emitted */
    bool *can_fail;   /* a service can answer with an error */
    bool *can_reject; /* a service can refuse at once (bounded queue) */
    bool *slows;      /* a service's latency rises with its load */
} dv;

static bool bounded(const service_spec *s) { return s->workers != MODEL_UNLIMITED && s->queue != MODEL_UNLIMITED; }

static bool queues(const service_spec *s) { return s->workers != MODEL_UNLIMITED && s->queue != 0; }

static bool contended(const service_spec *s) { return s->sigma > 0 || s->kappa > 0; }

/* Load shedding that answers refused work with a rejection. */
static bool sheds(const service_spec *s)
{
    const shed_spec *h = &s->shed;
    return h->queue_timeout > 0 || h->codel || h->limit.kind != LIMIT_NONE || h->priority;
}

/* A pool that refuses attempts: at once when full (wait: false), or after
 * wait_timeout.  Either is a rejection, as the engine reports it. */
static bool pool_refuses(const call_spec *c) { return c->pool.on && (!c->pool.wait || c->pool.wait_timeout > 0); }

/* A breaker with no fallback fails the calls it refuses. */
static bool breaker_fails(const call_spec *c) { return c->breaker.on && c->breaker.fallback == FALLBACK_NONE; }

/* Can an attempt through the breaker be slower than slow_duration?  Not
 * when the call's timeout ends every attempt first. */
static bool breaker_sees_slow(const call_spec *c)
{
    return c->breaker.on && (c->timeout == 0 || c->breaker.slow_duration < c->timeout);
}

/* A variable owned by an entity: "checkout.latency". */
static int var(dv *D, const char *entity, const char *kind, const char *what)
{
    char *id = lu_printf("%s.%s", entity, what);
    int v = cld_var_add(D->g, id, NULL, 0, 0);
    cld_var_set_entity(D->g, v, entity, kind);
    free(id);
    return v;
}

static int backlog_var(dv *D, int g, const char *what);

/* A variable of a call edge, owned by the caller: "shoppers→checkout.retries". */
static int edge_var(dv *D, const char *caller, const char *kind, const char *callee, const char *what)
{
    char *id = lu_printf("%s\xe2\x86\x92%s.%s", caller, callee, what);
    int v = cld_var_add(D->g, id, NULL, 0, 0);
    cld_var_set_entity(D->g, v, caller, kind);
    free(id);
    return v;
}

static int link(dv *D, int from, int to, int sign, bool delay, const char *note, const char *origin, model_pos at)
{
    return cld_link_add(D->g, from, to, sign, delay, note, origin, at.line, at.col);
}

/* A link's worst-case multiplication (graph.h): the largest said wins. */
static void gain(dv *D, int li, double g)
{
    if (g > D->g->links[li].gain)
        D->g->links[li].gain = g;
}

/* The variables a switch in the model removes: the retries and hedges of a
 * call edge (retries off, hedging off) and a cache's misses (coalescing and
 * stale-while-revalidate); loops are grouped by them. */
static void mark_cuts(dv *D)
{
    cld_graph *g = D->g;
    for (size_t v = 0; v < g->nvars; v++) {
        cld_var *x = &g->vars[v];
        const char *dot = strrchr(x->id, '.');
        const char *metric = dot ? dot + 1 : x->id;
        if (!x->kind)
            continue;
        if (!strcmp(metric, "retries"))
            x->cut = "retries";
        else if (!strcmp(metric, "hedges"))
            x->cut = "hedging";
        else if (!strcmp(x->kind, "cache") && !strcmp(metric, "misses"))
            x->cut = "cache";
    }
}

/* Which services can fail, reject, or slow down under load.  The call
 * graph is acyclic (the loader checks), so a fixed point over it is quick. */
static void classify(dv *D)
{
    const model *m = D->m;
    for (size_t i = 0; i < m->nservices; i++) {
        const service_spec *s = &m->services[i];
        D->can_reject[i] = bounded(s) || sheds(s);
        D->can_fail[i] = s->errors > 0;
        D->slows[i] = queues(s) || contended(s);
    }
    /* Faults make a service fail or refuse for a while; its callers'
     * retries on error or reject then do load it. */
    for (size_t i = 0; i < m->nfaults; i++) {
        const fault_spec *f = &m->faults[i];
        if (f->kind == FAULT_ERRORS)
            D->can_fail[f->target] = true;
        if (f->kind == FAULT_DOWN)
            D->can_reject[f->target] = true;
    }
    for (bool changed = true; changed;) {
        changed = false;
        for (size_t i = 0; i < m->nservices; i++) {
            const service_spec *s = &m->services[i];
            for (size_t c = 0; c < s->ncalls; c++) {
                int t = s->calls[c].to;
                bool fail = s->calls[c].timeout > 0 || D->can_fail[t] || D->can_reject[t] ||
                            pool_refuses(&s->calls[c]) || breaker_fails(&s->calls[c]);
                if (fail && !D->can_fail[i])
                    D->can_fail[i] = changed = true;
                if (D->slows[t] && !D->slows[i])
                    D->slows[i] = changed = true;
            }
        }
    }
}

/* The links inside one service. */
static void service_links(dv *D, int si)
{
    const service_spec *s = &D->m->services[si];
    const char *n = s->name;
    char workers[32], queue[32], origin[256];
    if (s->workers == MODEL_UNLIMITED)
        snprintf(workers, sizeof workers, "unlimited");
    else
        snprintf(workers, sizeof workers, "%ld", s->workers);
    if (s->queue == MODEL_UNLIMITED)
        snprintf(queue, sizeof queue, "unlimited");
    else
        snprintf(queue, sizeof queue, "%ld", s->queue);

    int load = var(D, n, "service", "load");
    int inflight = var(D, n, "service", "in_flight");
    int latency = var(D, n, "service", "latency");
    int held = var(D, n, "service", "held");

    snprintf(origin, sizeof origin, "%s.workers %s (each arrival holds a worker or waits for one)", n, workers);
    link(D, load, inflight, +1, false, "more arrivals, more work in the service", origin, s->pos);
    if (queues(s)) {
        snprintf(origin, sizeof origin, "%s.queue %s %s (work waits for one of %s workers)", n, queue,
                 s->discipline == DISC_LIFO ? "lifo" : s->discipline == DISC_ADAPTIVE_LIFO ? "adaptive_lifo" : "fifo",
                 workers);
        link(D, inflight, latency, +1, false, "queueing: more work waiting, longer waits", origin, s->pos);
    }
    snprintf(origin, sizeof origin, "%s.workers %s (a request keeps its worker for its whole stay)", n, workers);
    link(D, held, inflight, +1, false, "Little's law: in flight = rate x time held", origin, s->pos);
    snprintf(origin, sizeof origin, "%s (latency = queue wait + time held)", n);
    link(D, held, latency, +1, false, "", origin, s->pos);
}

/* The links that limit or worsen a service under load: contention and a
 * bounded queue.  Emitted after the first edge into the service, so the
 * loops a caller closes through it are numbered before its own loops. */
static void limit_links(dv *D, int si)
{
    const service_spec *s = &D->m->services[si];
    const char *n = s->name;
    char queue[32], origin[256];
    if (s->queue == MODEL_UNLIMITED)
        snprintf(queue, sizeof queue, "unlimited");
    else
        snprintf(queue, sizeof queue, "%ld", s->queue);
    int inflight = var(D, n, "service", "in_flight");
    int held = var(D, n, "service", "held");
    if (contended(s)) {
        int st = var(D, n, "service", "service_time");
        snprintf(origin, sizeof origin, "%s.contention (sigma %g, kappa %g)", n, s->sigma, s->kappa);
        link(D, inflight, st, +1, false, "Universal Scalability Law: concurrency slows each unit of work", origin,
             s->pos);
        snprintf(origin, sizeof origin, "%s.service_time", n);
        link(D, st, held, +1, false, "slower work holds its worker longer", origin, s->pos);
    }
    if (bounded(s)) {
        int rej = var(D, n, "service", "rejects");
        snprintf(origin, sizeof origin, "%s.queue %s (a full queue rejects at once)", n, queue);
        link(D, inflight, rej, +1, false, "", origin, s->pos);
        link(D, rej, inflight, -1, false, "rejected work is not admitted", origin, s->pos);
    }
    /* Load shedding (DESIGN.md 6): queue delay -> shed (+) -> admitted
     * load (-), a balancing loop per rule that acts. */
    const shed_spec *h = &s->shed;
    if (sheds(s)) {
        int shed = var(D, n, "service", "shed");
        int latency = var(D, n, "service", "latency");
        if (h->codel || h->queue_timeout > 0 || h->priority) {
            char rule[160] = "";
            if (h->codel)
                snprintf(rule, sizeof rule, "codel: drops waits > 2 x %gms while overloaded", (double)h->codel_target / 1e6);
            else if (h->queue_timeout > 0)
                snprintf(rule, sizeof rule, "queue_timeout %gms", (double)h->queue_timeout / 1e6);
            else
                snprintf(rule, sizeof rule, "priority: retries_first (refuses retries while overloaded)");
            snprintf(origin, sizeof origin, "%s.shed (%s)", n, rule);
            link(D, latency, shed, +1, false, "longer queue waits, more work dropped", origin, h->pos);
        }
        if (h->limit.kind != LIMIT_NONE) {
            static const char *const alg[] = {"", "fixed", "aimd", "gradient2"};
            snprintf(origin, sizeof origin, "%s.shed.limit (%s, refuses arrivals beyond the limit)", n,
                     alg[h->limit.kind]);
            link(D, inflight, shed, +1, h->limit.kind != LIMIT_FIXED, "more in flight, nearer the limit", origin,
                 h->limit.pos);
        }
        snprintf(origin, sizeof origin, "%s.shed (shed work is answered at once)", n);
        link(D, shed, inflight, -1, false, "shed work is not served", origin, h->pos);
    }
    /* Deadlines: work past its caller's deadline is dropped (or cut short)
     * instead of served for nobody -- another balancing loop. */
    if (s->deadlines != DEADLINES_IGNORE) {
        int exp = var(D, n, "service", "expired");
        int latency = var(D, n, "service", "latency");
        snprintf(origin, sizeof origin, "%s.deadlines %s (work past its deadline is %s)", n,
                 s->deadlines == DEADLINES_DROP ? "drop" : "cancel",
                 s->deadlines == DEADLINES_DROP ? "dropped before it starts" : "dropped or stopped");
        link(D, latency, exp, +1, false, "longer waits, more work past its deadline", origin, s->pos);
        link(D, exp, inflight, -1, false, "expired work frees its place", origin, s->pos);
    }
}

/* One call edge while its links are emitted: who calls whom, and the
 * variables already made for it (-1 when the edge has none). */
typedef struct edge_ctx {
    int ci, si;
    const call_spec *c;
    const char *caller, *callee, *kind;
    int tload, tlat, cload;
    int timeouts, retries, cheld, cerr;
} edge_ctx;

/* The origin of one mechanism on the edge, named as the model file names
 * it: "shoppers.retry.budget (...)" for a client's call (a client has one),
 * "checkout→db breaker (...)" for a service's call. */
static void elem_origin(char *buf, size_t size, const edge_ctx *E, const char *client_key, const char *service_key,
                        const char *desc)
{
    if (E->ci >= 0)
        snprintf(buf, size, "%s.%s (%s)", E->caller, client_key, desc);
    else
        snprintf(buf, size, "%s\xe2\x86\x92%s %s (%s)", E->caller, E->callee, service_key, desc);
}

/* A retry budget: every retry draws on it, and a retry goes out only while
 * it has room.  The B loop retries → budget_spent → retries caps the gain
 * of every retry-storm loop through this edge.  What refills the budget
 * differs by design (engine/budget.c), and so do the other links. */
static void budget_links(dv *D, const edge_ctx *E)
{
    const call_spec *c = E->c;
    const budget_spec *b = &c->retry.budget;
    if (b->kind == BUDGET_NONE || E->retries < 0)
        return;
    char desc[192], origin[384], note[256], ttl[32];
    desc_budget(b, desc, sizeof desc);
    elem_origin(origin, sizeof origin, E, "retry.budget", "retry budget", desc);
    int spent = edge_var(D, E->caller, E->kind, E->callee, "budget_spent");
    switch (b->kind) {
    case BUDGET_GRPC:
        snprintf(note, sizeof note, "a retry that fails takes a token, as every failed attempt does");
        break;
    case BUDGET_FINAGLE:
        desc_duration(b->ttl, ttl, sizeof ttl);
        snprintf(note, sizeof note, "each retry withdraws 1 from a balance of %g/s x %s plus %g%% of requests",
                 b->min_per_s, ttl, b->percent * 100);
        break;
    case BUDGET_ENVOY:
        snprintf(note, sizeof note, "each retry in flight counts against max(%ld, %g%% of attempts in flight)",
                 b->min_retry_concurrency, b->budget_percent * 100);
        break;
    default: /* aws */
        snprintf(note, sizeof note, "each retry costs %ld of the quota of %ld (%ld after a timeout)", b->cost, b->quota,
                 b->timeout_cost);
        break;
    }
    link(D, E->retries, spent, +1, false, note, origin, b->pos);
    if (b->kind == BUDGET_GRPC)
        snprintf(note, sizeof note, "a retry goes out only while more than max_tokens/2 = %g tokens are left",
                 b->max_tokens / 2);
    else
        snprintf(note, sizeof note, "a retry goes out only while the budget has room");
    link(D, spent, E->retries, -1, false, note, origin, b->pos);

    switch (b->kind) {
    case BUDGET_GRPC: {
        /* every failed attempt takes a token, whatever the policy retries on */
        const char *fail = "every failed attempt takes a token";
        if (E->timeouts >= 0)
            link(D, E->timeouts, spent, +1, false, fail, origin, b->pos);
        if (D->can_fail[c->to])
            link(D, var(D, E->callee, "service", "errors"), spent, +1, false, fail, origin, b->pos);
        if (D->can_reject[c->to])
            link(D, var(D, E->callee, "service", "rejects"), spent, +1, false, fail, origin, b->pos);
        if (pool_refuses(c))
            link(D, edge_var(D, E->caller, E->kind, E->callee, "pool_rejects"), spent, +1, false, fail, origin,
                 b->pos);
        break;
    }
    case BUDGET_FINAGLE:
        snprintf(note, sizeof note, "each request deposits %g%% of a retry", b->percent * 100);
        link(D, E->cload, spent, -1, false, note, origin, b->pos);
        break;
    case BUDGET_ENVOY:
        /* the cap is relative to attempts in flight, which is rate x latency:
         * a slower callee allows more retries */
        snprintf(note, sizeof note, "a slower %s keeps more attempts in flight, and %g%% of them may be retries",
                 E->callee, b->budget_percent * 100);
        link(D, E->tlat, spent, -1, false, note, origin, b->pos);
        snprintf(note, sizeof note, "more requests, more attempts in flight, and %g%% of them may be retries",
                 b->budget_percent * 100);
        link(D, E->cload, spent, -1, false, note, origin, b->pos);
        break;
    default: /* aws */
        if (E->timeouts >= 0 && (c->retry.on & RETRY_ON_TIMEOUT) && b->timeout_cost > b->cost) {
            snprintf(note, sizeof note, "a retry after a timeout costs %ld, not %ld", b->timeout_cost, b->cost);
            link(D, E->timeouts, spent, +1, false, note, origin, b->pos);
        }
        break;
    }
}

/* A circuit breaker: failures over its window open it, and an open breaker
 * refuses attempts before they are sent, which takes load off the callee.
 * That is the B loop of DESIGN.md 6, one through each kind of failure the
 * breaker records (and slow calls); each touches the retry-storm loops
 * through the same timeouts, errors and load. */
static void breaker_links(dv *D, const edge_ctx *E)
{
    const call_spec *c = E->c;
    const breaker_spec *b = &c->breaker;
    if (!b->on)
        return;
    char desc[160], origin[384], note[256], open_for[32], window[64], slow[32];
    desc_breaker(b, desc, sizeof desc);
    elem_origin(origin, sizeof origin, E, "breaker", "breaker", desc);
    desc_duration(b->open_for, open_for, sizeof open_for);
    if (b->window == WINDOW_TIME)
        snprintf(window, sizeof window, "the last %lds (at least %ld calls)", b->size, b->min_calls);
    else
        snprintf(window, sizeof window, "the last %ld calls (at least %ld)", b->size, b->min_calls);
    int open = edge_var(D, E->caller, E->kind, E->callee, "breaker_open");

    /* what opens it: the outcomes it records, judged over its window */
    static const char *const what[] = {"timeouts", "errors", "rejections"};
    for (int k = 0; k < 3; k++) {
        unsigned bit = 1u << k;
        if (!(b->record & bit))
            continue;
        snprintf(note, sizeof note, "%s count as failures: a failure rate of %g%% over %s opens it", what[k],
                 b->failure_rate * 100, window);
        if (bit == RETRY_ON_TIMEOUT && E->timeouts >= 0)
            link(D, E->timeouts, open, +1, true, note, origin, b->pos);
        if (bit == RETRY_ON_ERROR && D->can_fail[c->to])
            link(D, var(D, E->callee, "service", "errors"), open, +1, true, note, origin, b->pos);
        if (bit == RETRY_ON_REJECT && D->can_reject[c->to])
            link(D, var(D, E->callee, "service", "rejects"), open, +1, true, note, origin, b->pos);
        if (bit == RETRY_ON_REJECT && pool_refuses(c))
            link(D, edge_var(D, E->caller, E->kind, E->callee, "pool_rejects"), open, +1, true, note, origin, b->pos);
    }
    if (breaker_sees_slow(c)) {
        desc_duration(b->slow_duration, slow, sizeof slow);
        snprintf(note, sizeof note, "calls slower than %s are slow: a slow-call rate of %g%% over %s opens it",
                 slow, b->slow_rate * 100, window);
        link(D, E->tlat, open, +1, true, note, origin, b->pos);
    }

    /* what it does when open */
    snprintf(note, sizeof note, "an open breaker refuses attempts before they are sent; after %s, %ld probes test %s",
             open_for, b->half_open_calls, E->callee);
    link(D, open, E->tload, -1, false, note, origin, b->pos);
    if (E->retries >= 0)
        link(D, open, E->retries, -1, false, "a call the open breaker refuses is not retried", origin, b->pos);
    if (E->ci >= 0)
        return;
    link(D, open, E->cheld, -1, false,
         b->fallback == FALLBACK_DEFAULT ? "a refused call gets the fallback at once: the worker is not held"
                                         : "a refused call fails at once: the worker is not held",
         origin, b->pos);
    if (b->fallback == FALLBACK_NONE)
        link(D, open, E->cerr, +1, false, "fail fast: a refused call fails the caller's request", origin, b->pos);
}

/* A connection pool: an attempt needs one of `size` connections per caller
 * instance, and a connection stays busy while the callee works on it (even
 * after the caller gave up).  So the callee's concurrency from this caller
 * is capped: attempts beyond it wait (or are refused) instead of being
 * sent, the B loop callee.in_flight → pool_waiters → callee.load (-) that
 * bounds the callee's contention loop. */
static void pool_links(dv *D, const edge_ctx *E)
{
    const call_spec *c = E->c;
    const pool_spec *p = &c->pool;
    if (!p->on)
        return;
    const model *m = D->m;
    char desc[128], origin[384], note[256], wt[32];
    desc_pool(p, desc, sizeof desc);
    elem_origin(origin, sizeof origin, E, "pool", "pool", desc);
    long inst = desc_caller_instances(m, E->ci, E->si);
    long cap = p->size * inst;
    char capw[96];
    if (inst > 1)
        snprintf(capw, sizeof capw, "%ld (%ld per %s x %ld)", cap, p->size, E->ci >= 0 ? "instance" : "replica",
                 inst);
    else
        snprintf(capw, sizeof capw, "%ld", cap);
    int tin = var(D, E->callee, "service", "in_flight");
    int rejects = pool_refuses(c) ? edge_var(D, E->caller, E->kind, E->callee, "pool_rejects") : -1;
    if (p->wait) {
        int waiters = edge_var(D, E->caller, E->kind, E->callee, "pool_waiters");
        snprintf(note, sizeof note,
                 "a connection is busy while %s works on the attempt, even after the caller gave up; with all %ld "
                 "busy, attempts wait",
                 E->callee, p->size);
        link(D, tin, waiters, +1, false, note, origin, p->pos);
        snprintf(note, sizeof note,
                 "an attempt waiting for a connection is not sent: the pool caps %s's concurrency from %s at %s",
                 E->callee, E->caller, capw);
        link(D, waiters, E->tload, -1, false, note, origin, p->pos);
        if (E->timeouts >= 0)
            link(D, waiters, E->timeouts, +1, false, "waiting for a connection counts toward the timeout", origin,
                 p->pos);
        if (E->ci < 0)
            link(D, waiters, E->cheld, +1, false, "the worker is held while it waits for a connection", origin,
                 p->pos);
        if (rejects >= 0) {
            desc_duration(p->wait_timeout, wt, sizeof wt);
            snprintf(note, sizeof note, "a wait longer than wait_timeout %s is refused", wt);
            link(D, waiters, rejects, +1, false, note, origin, p->pos);
        }
    } else {
        snprintf(note, sizeof note, "with all %ld connections busy while %s works, an attempt is refused at once",
                 p->size, E->callee);
        link(D, tin, rejects, +1, false, note, origin, p->pos);
        snprintf(note, sizeof note, "a refused attempt is not sent: the pool caps %s's concurrency from %s at %s",
                 E->callee, E->caller, capw);
        link(D, rejects, E->tload, -1, false, note, origin, p->pos);
    }
    if (rejects >= 0 && E->ci < 0)
        link(D, rejects, E->cerr, +1, false, "a refused call fails the caller's request", origin, p->pos);

    /* a pool above the callee's peak concurrency does not stop its spiral */
    const service_spec *t = &m->services[c->to];
    double peak = desc_usl_peak(t);
    double per_replica = (double)cap / (double)t->replicas;
    if (peak > 0 && per_replica > peak && (t->workers == MODEL_UNLIMITED || (double)t->workers > peak)) {
        char spread[96] = "";
        if (t->replicas > 1)
            snprintf(spread, sizeof spread, " (%.0f on each of its %ld replicas)", per_replica, t->replicas);
        cld_note_add(D->g,
                     "%s: the pool lets up to %s attempts run on %s at once%s, above its USL peak N* = sqrt((1 - "
                     "sigma) / kappa) = %.0f: it caps the contention loop of %s only past the point where %s's "
                     "throughput falls as concurrency grows",
                     origin, capw, E->callee, spread, peak, E->callee, E->callee);
    }
}

/* Hedged requests: an answer later than `delay` sends another copy, and
 * every copy is load on the callee (the losers are served all the same).
 * So the callee's latency drives hedges and hedges drive its load: the R
 * loop latency -> hedges -> load -> latency, which at high load turns a
 * tail-cutting policy into an amplifier (examples/hedging.yaml).  What
 * caps it: max_outstanding (B loop through hedges_in_flight) and the
 * retry budget (B loop through budget_spent). */
static void hedge_links(dv *D, const edge_ctx *E)
{
    const call_spec *c = E->c;
    const hedge_spec *h = &c->hedge;
    if (!h->on)
        return;
    char desc[160], origin[384], note[256], delay[32], cap[48];
    desc_duration(h->delay, delay, sizeof delay);
    if (h->max_outstanding == MODEL_UNLIMITED)
        snprintf(cap, sizeof cap, "no cap on hedges in flight");
    else
        snprintf(cap, sizeof cap, "at most %ld in flight", h->max_outstanding);
    snprintf(desc, sizeof desc, "delay %s, %d copies, %s%s", delay, h->attempts, cap, h->budget ? ", budget" : "");
    elem_origin(origin, sizeof origin, E, "hedge", "hedge", desc);
    int hedges = edge_var(D, E->caller, E->kind, E->callee, "hedges");
    snprintf(note, sizeof note, "an answer later than %s sends another copy (up to %d in all)", delay, h->attempts);
    link(D, E->tlat, hedges, +1, false, note, origin, h->pos);
    gain(D, link(D, hedges, E->tload, +1, false, "every copy is served, the losers too (wasted work)", origin, h->pos),
         2);
    if ((h->non_fatal & RETRY_ON_ERROR) && D->can_fail[c->to])
        link(D, var(D, E->callee, "service", "errors"), hedges, +1, false,
             "a non-fatal error sends the next hedge at once", origin, h->pos);
    if ((h->non_fatal & RETRY_ON_REJECT) && D->can_reject[c->to])
        link(D, var(D, E->callee, "service", "rejects"), hedges, +1, false,
             "a non-fatal rejection sends the next hedge at once", origin, h->pos);
    if (E->cheld >= 0)
        link(D, hedges, E->cheld, -1, false, "a hedge that answers first ends the call sooner", origin, h->pos);
    if (h->max_outstanding != MODEL_UNLIMITED) {
        int inflight = edge_var(D, E->caller, E->kind, E->callee, "hedges_in_flight");
        link(D, hedges, inflight, +1, false, "a hedge is in flight until the call is decided", origin, h->pos);
        snprintf(note, sizeof note, "with %ld hedges in flight per %s, no more are sent", h->max_outstanding,
                 E->ci >= 0 ? "instance" : "replica");
        link(D, inflight, hedges, -1, false, note, origin, h->pos);
    }
    if (h->budget && c->retry.budget.kind != BUDGET_NONE) {
        int spent = edge_var(D, E->caller, E->kind, E->callee, "budget_spent");
        link(D, hedges, spent, +1, false, "each hedge draws on the retry budget, as a retry does", origin, h->pos);
        link(D, spent, hedges, -1, false, "a hedge goes out only while the budget has room", origin, h->pos);
    }
}

/* A caller-side bulkhead: at most max_concurrent calls in flight to this
 * callee per caller instance.  A slow callee holds the permits longer
 * (busy = rate x latency), and calls beyond the cap are refused before
 * they are sent: the B loop latency -> bulkhead_busy -> bulkhead_rejects
 * -> load (-) -> latency, and for a service caller the refused call frees
 * the worker at once, which is what isolates the caller's other calls. */
static void bulkhead_links(dv *D, const edge_ctx *E)
{
    const call_spec *c = E->c;
    const call_bulkhead_spec *b = &c->bulkhead;
    if (!b->on)
        return;
    char desc[128], origin[384], note[256], wait[32];
    desc_duration(b->max_wait, wait, sizeof wait);
    snprintf(desc, sizeof desc, "max_concurrent %ld, max_wait %s%s", b->max_concurrent, b->max_wait > 0 ? wait : "0",
             b->fallback == FALLBACK_DEFAULT ? ", fallback" : "");
    elem_origin(origin, sizeof origin, E, "bulkhead", "bulkhead", desc);
    int busy = edge_var(D, E->caller, E->kind, E->callee, "bulkhead_busy");
    int rejects = edge_var(D, E->caller, E->kind, E->callee, "bulkhead_rejects");
    link(D, E->tlat, busy, +1, false, "a slower callee holds each permit longer (busy = rate x latency)", origin,
         b->pos);
    if (b->max_wait > 0)
        snprintf(note, sizeof note, "with all %ld permits busy, a call waits up to %s, then is refused",
                 b->max_concurrent, wait);
    else
        snprintf(note, sizeof note, "with all %ld permits busy, a call is refused at once", b->max_concurrent);
    link(D, busy, rejects, +1, false, note, origin, b->pos);
    link(D, rejects, E->tload, -1, false, "a refused call is not sent, and not retried", origin, b->pos);
    if (E->cheld >= 0) {
        link(D, rejects, E->cheld, -1, false, "a refused call frees the caller's worker at once", origin, b->pos);
        if (b->fallback == FALLBACK_NONE && E->cerr >= 0)
            link(D, rejects, E->cerr, +1, false, "a refused call fails the caller's request", origin, b->pos);
    }
}

/* A look-aside cache on the edge.  Only misses reach the callee (the
 * origin), and an entry is refilled only by an origin answer that comes
 * back in time.  So when the origin slows, entries expire unrefilled, the
 * hit ratio falls, misses rise, and the origin gets slower still: the
 * cold-cache R loop (misses -> origin load -> origin latency -> hit ratio
 * (-) -> misses (-)), which can outlive the slowdown that started it.  Two
 * settings cut it, each a B loop on the same variables:
 *   coalesce                concurrent misses on a key share one origin
 *                           call, and the slower that call the more misses
 *                           wait on it: the load a miss storm adds is
 *                           capped at one call per key in flight;
 *   stale_while_revalidate  an expired entry is served stale while one
 *                           refresh per key goes to the origin: a slow
 *                           origin makes stale hits, not misses.
 * The variables belong to the cache: "sessions.misses". */
static void cache_links(dv *D, const edge_ctx *E)
{
    const call_spec *c = E->c;
    if (!c->has_cache)
        return;
    const cache_spec *k = &D->m->caches[c->cache];
    char desc[256], origin[384], note[320], ttl[32], tmo[32], jit[48] = "";
    if (k->ttl) {
        desc_duration(k->ttl, ttl, sizeof ttl);
    } else {
        snprintf(ttl, sizeof ttl, "none");
    }
    if (k->ttl_jitter) {
        char j[32];
        desc_duration(k->ttl_jitter, j, sizeof j);
        snprintf(jit, sizeof jit, " + jitter %s", j);
    }
    snprintf(desc, sizeof desc, "keys %ld, ttl %s%s%s%s%s", k->keys, ttl, jit, k->coalesce ? ", coalesce" : "",
             k->swr ? ", stale_while_revalidate" : "", k->warm ? ", warm" : "");
    snprintf(origin, sizeof origin, "caches.%s (%s)", k->name, desc);
    int misses = var(D, k->name, "cache", "misses");
    int hit = var(D, k->name, "cache", "hit_ratio");
    link(D, E->cload, misses, +1, false, "each request looks its key up; what is not cached misses", origin, k->pos);
    snprintf(note, sizeof note, "each miss is a call to %s (hits cost %s nothing)", E->callee, E->callee);
    link(D, misses, E->tload, +1, false, note, origin, c->cache_pos);
    link(D, hit, misses, -1, false, "a lower hit ratio, more misses", origin, k->pos);
    if (!k->ttl) {
        cld_note_add(D->g,
                     "%s: entries never expire (no ttl), so a slow %s cannot empty the cache and no cold-cache loop "
                     "forms (a flush or restart still starts cold)",
                     origin, E->callee);
        return;
    }
    if (c->timeout > 0) {
        desc_duration(c->timeout, tmo, sizeof tmo);
        snprintf(note, sizeof note,
                 "an answer later than the %s timeout never fills: entries expire and stay empty while %s is slow",
                 tmo, E->callee);
    } else {
        snprintf(note, sizeof note, "slower answers fill later: expired entries stay empty longer while %s is slow",
                 E->callee);
    }
    link(D, E->tlat, hit, -1, true, note, origin, k->ttl_pos.line ? k->ttl_pos : k->pos);
    if (!D->slows[c->to])
        cld_note_add(D->g,
                     "%s: the latency of %s does not rise with its load (unlimited workers or no queue, no "
                     "contention, no dependency that slows), so misses cannot slow it and no cold-cache loop forms",
                     origin, E->callee);
    if (k->coalesce) {
        int co = var(D, k->name, "cache", "coalesced");
        snprintf(note, sizeof note,
                 "the slower a call to %s, the more misses on its key arrive while it is in flight, and wait for it",
                 E->callee);
        link(D, E->tlat, co, +1, false, note, origin, k->pos);
        snprintf(note, sizeof note, "a coalesced miss makes no call: at most one call per key in flight reaches %s",
                 E->callee);
        link(D, co, E->tload, -1, false, note, origin, k->pos);
    }
    if (k->swr) {
        int st = var(D, k->name, "cache", "stale");
        link(D, E->tlat, st, +1, true,
             "while a refresh is slow, its expired entry is served stale (one refresh per key in flight)", origin,
             k->pos);
        link(D, st, misses, -1, false, "a stale hit is not a miss: it does not call the origin", origin, k->pos);
    }
}

/* The links of one call edge: caller (a client if ci >= 0, else service
 * si's call number k) to the service c->to. */
static void edge_links(dv *D, int ci, int si, const call_spec *c)
{
    const model *m = D->m;
    const service_spec *t = &m->services[c->to];
    const char *callee = t->name;
    const char *caller = ci >= 0 ? m->clients[ci].name : m->services[si].name;
    const char *kind = ci >= 0 ? "client" : "service";
    char origin[384], tmo[32], rdesc[160], ron[64], retry_origin[256];
    desc_duration(c->timeout, tmo, sizeof tmo);
    desc_retry(&c->retry, rdesc, sizeof rdesc);
    desc_retry_on(c->retry.on, ron, sizeof ron);
    if (ci >= 0)
        snprintf(retry_origin, sizeof retry_origin, "%s.retry (%s)", caller, rdesc);
    else
        snprintf(retry_origin, sizeof retry_origin, "%s\xe2\x86\x92%s retry (%s)", caller, callee, rdesc);

    int tload = var(D, callee, "service", "load");
    int tlat = var(D, callee, "service", "latency");
    int cload = var(D, caller, kind, "load");

    /* load flows down the edge */
    if (ci >= 0) {
        const client_spec *cl = &m->clients[ci];
        if (cl->closed) {
            char think[32];
            desc_duration((simtime)dist_mean(&cl->think), think, sizeof think);
            snprintf(origin, sizeof origin, "%s.users %ld, think %s (closed loop)", caller, cl->users, think);
        } else {
            double peak = 0;
            for (size_t i = 0; i < cl->nsteps; i++)
                peak = cl->steps[i].rate > peak ? cl->steps[i].rate : peak;
            snprintf(origin, sizeof origin, "%s.rate %g/s%s (open loop: arrivals do not wait for answers)", caller,
                     peak, cl->nsteps > 1 ? " at peak" : "");
        }
        if (!c->has_cache) /* else only misses flow: cache_links */
            link(D, cload, tload, +1, false, "first attempts", origin, c->pos);
        if (cl->closed) {
            char think[32];
            desc_duration((simtime)dist_mean(&cl->think), think, sizeof think);
            snprintf(origin, sizeof origin, "%s.users %ld, think %s (closed loop)", caller, cl->users, think);
            link(D, tlat, cload, -1, true, "slower answers, fewer requests: closed-loop users wait before asking again",
                 origin, c->pos);
        }
    } else {
        snprintf(origin, sizeof origin, "%s\xe2\x86\x92%s call (each %s request calls %s)", caller, callee, caller,
                 callee);
        if (!c->has_cache)
            link(D, cload, tload, +1, false, "", origin, c->pos);
    }

    int timeouts = -1;
    if (c->timeout > 0) {
        timeouts = edge_var(D, caller, kind, callee, "timeouts");
        snprintf(origin, sizeof origin, "%s\xe2\x86\x92%s timeout %s", caller, callee, tmo);
        link(D, tlat, timeouts, +1, true, "the caller gives up; the callee keeps the work", origin, c->timeout_pos);
    }

    /* retries: what triggers them, and the load they add */
    bool refuses = pool_refuses(c);
    bool on_timeout = c->retry.attempts > 1 && (c->retry.on & RETRY_ON_TIMEOUT) && timeouts >= 0;
    bool on_error = c->retry.attempts > 1 && (c->retry.on & RETRY_ON_ERROR) && D->can_fail[c->to];
    bool on_reject =
        c->retry.attempts > 1 && (c->retry.on & RETRY_ON_REJECT) && (D->can_reject[c->to] || refuses);
    int retries = -1;
    if (on_timeout || on_error || on_reject) {
        retries = edge_var(D, caller, kind, callee, "retries");
        if (on_timeout)
            link(D, timeouts, retries, +1, false, "retry on timeout", retry_origin, c->retry.pos);
        if (on_error)
            link(D, var(D, callee, "service", "errors"), retries, +1, false, "retry on error", retry_origin,
                 c->retry.pos);
        if (on_reject && D->can_reject[c->to])
            link(D, var(D, callee, "service", "rejects"), retries, +1, false, "retry on reject", retry_origin,
                 c->retry.pos);
        if (on_reject && refuses)
            link(D, edge_var(D, caller, kind, callee, "pool_rejects"), retries, +1, false,
                 "retry on reject (the pool refused)", retry_origin, c->retry.pos);
        gain(D,
             link(D, retries, tload, +1, c->retry.backoff != BACKOFF_NONE,
                  c->retry.backoff != BACKOFF_NONE ? "each retry is a new attempt, after a backoff"
                                                   : "each retry is a new attempt, at once",
                  retry_origin, c->retry.pos),
             c->retry.attempts);
    }
    if (c->retry.attempts > 1 && (c->retry.on & RETRY_ON_TIMEOUT) && timeouts >= 0 && !D->slows[c->to])
        cld_note_add(
            D->g,
            "%s\xe2\x86\x92%s retries on timeout, but the latency of %s does not rise with its load (unlimited "
            "workers or no queue, no contention, no dependency that slows), so no retry-storm loop forms "
            "through it",
            caller, callee, callee);

    edge_ctx E = {.ci = ci,
                  .si = si,
                  .c = c,
                  .caller = caller,
                  .callee = callee,
                  .kind = kind,
                  .tload = tload,
                  .tlat = tlat,
                  .cload = cload,
                  .timeouts = timeouts,
                  .retries = retries,
                  .cheld = -1,
                  .cerr = -1};
    if (ci < 0) {
        /* A synchronous call holds the caller's worker: the callee's
         * latency becomes the caller's hold time (up to the timeout), and
         * retries hold it longer still. */
        int cheld = var(D, caller, "service", "held");
        if (c->timeout > 0)
            snprintf(origin, sizeof origin, "%s\xe2\x86\x92%s call holds a %s worker (up to timeout %s per attempt)",
                     caller, callee, caller, tmo);
        else
            snprintf(origin, sizeof origin,
                     "%s\xe2\x86\x92%s call holds a %s worker (no timeout: as long as %s takes)", caller, callee,
                     caller, callee);
        link(D, tlat, cheld, +1, false, "slowness climbs the call graph", origin, c->pos);
        if (retries >= 0)
            link(D, retries, cheld, +1, false, "the worker is held through every attempt", retry_origin,
                 c->retry.pos);
        int cerr = -1;
        if (timeouts >= 0 || D->can_fail[c->to] || D->can_reject[c->to] || refuses || breaker_fails(c) ||
            (c->bulkhead.on && c->bulkhead.fallback == FALLBACK_NONE))
            cerr = var(D, caller, "service", "errors");
        if (timeouts >= 0) {
            snprintf(origin, sizeof origin, "%s\xe2\x86\x92%s timeout %s", caller, callee, tmo);
            link(D, timeouts, cerr, +1, false, "a call out of attempts fails the caller's request", origin,
                 c->timeout_pos);
        }
        snprintf(origin, sizeof origin, "%s\xe2\x86\x92%s call", caller, callee);
        if (D->can_fail[c->to])
            link(D, var(D, callee, "service", "errors"), cerr, +1, false, "a failed call fails the caller's request",
                 origin, c->pos);
        if (D->can_reject[c->to])
            link(D, var(D, callee, "service", "rejects"), cerr, +1, false,
                 "a refused call fails the caller's request", origin, c->pos);
        E.cheld = cheld;
        E.cerr = cerr;
    }

    /* the edge's mechanisms, in the order a client stacks them: the retry
     * budget outside, the breaker and the pool inside */
    budget_links(D, &E);
    hedge_links(D, &E);
    breaker_links(D, &E);
    bulkhead_links(D, &E);
    pool_links(D, &E);
    cache_links(D, &E);
}

/* An autoscaler (DESIGN.md 6): S.load -> S.per_replica_load (+) ->
 * A.metric (+, delay: averaged over its sync window) -> A.desired (+,
 * delay: the sync period and the stabilization windows) -> S.replicas (+,
 * delay: start-up) -> S.per_replica_load (-).  One negative link: a
 * balancing loop, which oscillates when its delays are long.  Two
 * controllers on one service make two such loops around the one replica
 * count; with different goals each undoes the other (fighting controllers,
 * DESIGN.md 7), which the graph notes say. */
static void autoscaler_links(dv *D)
{
    const model *m = D->m;
    static const char *const what[] = {"busy workers / workers", "queued requests per replica",
                                       "requests per second per replica", "messages held per replica"};
    char origin[320], target[64];
    for (size_t i = 0; i < m->nautoscalers; i++) {
        const autoscaler_spec *a = &m->autoscalers[i];
        const service_spec *s = &m->services[a->service];
        char sync[32], up[32], down[32], start[32];
        units_format_duration(a->sync, sync, sizeof sync);
        units_format_duration(a->up.stabilization, up, sizeof up);
        units_format_duration(a->down.stabilization, down, sizeof down);
        units_format_duration(s->startup, start, sizeof start);
        if (a->metric == METRIC_CPU)
            snprintf(target, sizeof target, "%g%%", a->target * 100);
        else if (a->metric == METRIC_RPS)
            snprintf(target, sizeof target, "%g/s", a->target);
        else
            snprintf(target, sizeof target, "%g", a->target);
        int metric = var(D, a->name, "autoscaler", "metric");
        int desired = var(D, a->name, "autoscaler", "desired");
        int replicas = var(D, s->name, "service", "replicas");
        int per = -1;
        if (a->metric == METRIC_LAG) {
            /* on lag: the backlog is the metric, and replicas add delivery slots */
            for (size_t g = 0; g < m->nconsumers; g++) {
                const consumer_spec *cs = &m->consumers[g];
                if (cs->service != a->service)
                    continue;
                int depth = backlog_var(D, (int)g, "depth");
                int drain = var(D, cs->name, "consumer", "drain");
                snprintf(origin, sizeof origin, "autoscalers.%s metric lag (messages held per replica, read at each "
                         "sync %s)", a->name, sync);
                link(D, depth, metric, +1, true, "a longer backlog reads higher", origin, a->metric_pos);
                snprintf(origin, sizeof origin, "consumers.%s concurrency %ld per replica", cs->name, cs->concurrency);
                link(D, replicas, drain, +1, false, "more replicas, more delivery slots", origin, cs->pos);
            }
        } else {
            int load = var(D, s->name, "service", "load");
            per = var(D, s->name, "service", "per_replica_load");
            snprintf(origin, sizeof origin, "%s (load spread over its serving replicas)", s->name);
            link(D, load, per, +1, false, "more arrivals, more on each replica", origin, s->pos);
            snprintf(origin, sizeof origin, "autoscalers.%s metric %s (%s, averaged over sync %s)", a->name,
                     scale_metric_name(a->metric), what[a->metric], sync);
            link(D, per, metric, +1, true, "a busier replica reads higher", origin, a->metric_pos);
        }
        snprintf(origin, sizeof origin,
                 "autoscalers.%s (HPA: ceil(replicas x metric / %s), tolerance %g, stabilization up %s / down %s)",
                 a->name, target, a->tolerance, up, down);
        link(D, metric, desired, +1, true, "above target, more replicas wanted", origin, a->pos);
        snprintf(origin, sizeof origin, "%s.startup %s (a new replica serves after it), min %ld, max %ld", s->name,
                 start, a->min, a->max);
        link(D, desired, replicas, +1, s->startup > 0, "the service follows the latest decision", origin,
             a->service_pos);
        if (per >= 0) {
            snprintf(origin, sizeof origin, "%s replicas (routing spreads load over the serving ones)", s->name);
            link(D, replicas, per, -1, false, "more replicas, less on each", origin, s->pos);
        }
    }
    /* two controllers with different goals on one service */
    for (size_t i = 0; i < m->nautoscalers; i++)
        for (size_t j = i + 1; j < m->nautoscalers; j++) {
            const autoscaler_spec *a = &m->autoscalers[i], *b = &m->autoscalers[j];
            if (a->service != b->service)
                continue;
            cld_note_add(D->g,
                         "fighting controllers: autoscalers %s (%s) and %s (%s) both set %s's replicas: two "
                         "balancing loops%s around one replica count, so unless their goals agree each undoes "
                         "the other and the replicas oscillate; give the service one controller per goal",
                         a->name, scale_metric_name(a->metric), b->name, scale_metric_name(b->metric),
                         m->services[a->service].name,
                         a->metric != b->metric || a->target != b->target ? " with different goals" : "");
        }
}

/* A group's backlog stock: its queue's, or on a topic its own
 * subscription's (what = "depth" or "redeliveries"). */
static int backlog_var(dv *D, int g, const char *what)
{
    const consumer_spec *cs = &D->m->consumers[g];
    const bqueue_spec *q = &D->m->queues[cs->queue];
    return q->topic ? var(D, cs->name, "consumer", what) : var(D, q->name, "queue", what);
}

/* What a publish into queue qi fills: the queue, or each subscription of
 * a topic. */
static void publish_link(dv *D, int from, int qi, const char *origin, model_pos pos)
{
    const model *m = D->m;
    if (!m->queues[qi].topic) {
        link(D, from, var(D, m->queues[qi].name, "queue", "depth"), +1, false, "each request publishes", origin, pos);
        return;
    }
    for (size_t g = 0; g < m->nconsumers; g++)
        if (m->consumers[g].queue == qi)
            link(D, from, backlog_var(D, (int)g, "depth"), +1, false,
                 "each request publishes a copy to every subscription", origin, pos);
}

/* Broker queues (docs/messaging.md): the backlog is a stock that
 * publishers fill and a consumer group drains.  A group acking after
 * processing whose handling outlasts the visibility timeout gets its own
 * messages back: the redelivery loop (R), slow consumer -> redelivery ->
 * more load on the consumer.  The drain itself is a balancing loop. */
static void messaging_links(dv *D)
{
    const model *m = D->m;
    char origin[320], vt[32];
    for (size_t i = 0; i < m->nservices; i++) {
        const service_spec *s = &m->services[i];
        for (size_t k = 0; k < s->npublishes; k++) {
            const bqueue_spec *q = &m->queues[s->publishes[k].queue];
            snprintf(origin, sizeof origin, "services.%s.calls[%zu] publish %s (one message per request%s)", s->name,
                     s->publishes[k].index, q->name,
                     s->publishes[k].retry.attempts > 1 ? "; a retry after a lost ack stores another" : "");
            publish_link(D, var(D, s->name, "service", "load"), s->publishes[k].queue, origin, s->publishes[k].pos);
        }
    }
    for (size_t c = 0; c < m->nclients; c++) {
        const client_spec *cl = &m->clients[c];
        if (cl->call.queue < 0)
            continue;
        snprintf(origin, sizeof origin, "clients.%s publish %s", cl->name, m->queues[cl->call.queue].name);
        publish_link(D, var(D, cl->name, "client", "load"), cl->call.queue, origin, cl->call.pos);
    }
    for (size_t g = 0; g < m->nconsumers; g++) {
        const consumer_spec *cs = &m->consumers[g];
        const bqueue_spec *q = &m->queues[cs->queue];
        const service_spec *s = &m->services[cs->service];
        int depth = backlog_var(D, (int)g, "depth");
        int drain = var(D, cs->name, "consumer", "drain");
        int load = var(D, s->name, "service", "load");
        snprintf(origin, sizeof origin, "consumers.%s (concurrency %ld per replica, batch %ld)", cs->name,
                 cs->concurrency, cs->batch);
        link(D, depth, drain, +1, false, "ready messages keep the delivery slots busy", origin, cs->pos);
        link(D, drain, depth, -1, false, "each message received leaves the backlog", origin, cs->pos);
        snprintf(origin, sizeof origin, "consumers.%s.service %s (a delivery is an attempt there)", cs->name, s->name);
        link(D, drain, load, +1, false, "each delivery is work for the consumer's service", origin, cs->service_pos);
        if (q->delivery != DELIVERY_AT_LEAST_ONCE || cs->ack != ACK_AFTER_PROCESSING)
            continue; /* deleted on receipt: nothing comes back */
        int redel = backlog_var(D, (int)g, "redeliveries");
        units_format_duration(q->visibility_timeout, vt, sizeof vt);
        snprintf(origin, sizeof origin, "queues.%s.visibility_timeout %s (at_least_once, acked after processing)",
                 q->name, vt);
        link(D, var(D, s->name, "service", "latency"), redel, +1, true,
             "handling slower than the visibility timeout: the message comes back while still in flight", origin,
             q->pos);
        snprintf(origin, sizeof origin, "queues.%s (order %s)", q->name, q->fifo ? "fifo" : "none");
        link(D, redel, depth, +1, false, "a message that comes back is ready again", origin, q->pos);
    }
}

static void ensure_links(dv *D, int si)
{
    if (!D->linked[si]) {
        D->linked[si] = true;
        service_links(D, si);
    }
}

static void ensure_limits(dv *D, int si)
{
    if (!D->limited[si]) {
        D->limited[si] = true;
        limit_links(D, si);
    }
}

static void walk_service(dv *D, int si)
{
    if (D->walked[si])
        return;
    D->walked[si] = true;
    const service_spec *s = &D->m->services[si];
    for (size_t k = 0; k < s->ncalls; k++) {
        /* the callee's own links, then the edge into it, then deeper */
        int t = s->calls[k].to;
        ensure_links(D, t);
        edge_links(D, -1, si, &s->calls[k]);
        ensure_limits(D, t);
        walk_service(D, t);
    }
}

cld_graph *derive_graph(const model *m)
{
    dv D = {0};
    D.m = m;
    D.g = cld_new(m->file);
    size_t ns = m->nservices ? m->nservices : 1;
    D.linked = xcalloc(ns, sizeof *D.linked);
    D.walked = xcalloc(ns, sizeof *D.walked);
    D.limited = xcalloc(ns, sizeof *D.limited);
    D.can_fail = xcalloc(ns, sizeof *D.can_fail);
    D.can_reject = xcalloc(ns, sizeof *D.can_reject);
    D.slows = xcalloc(ns, sizeof *D.slows);
    classify(&D);
    for (size_t ci = 0; ci < m->nclients; ci++) {
        int t = m->clients[ci].call.to;
        if (t < 0)
            continue; /* a publish: the queue's loops are derived below */
        ensure_links(&D, t);
        edge_links(&D, (int)ci, -1, &m->clients[ci].call);
        ensure_limits(&D, t);
        walk_service(&D, t);
    }
    /* services no client reaches still have their own loops */
    for (size_t si = 0; si < m->nservices; si++) {
        ensure_links(&D, (int)si);
        ensure_limits(&D, (int)si);
        walk_service(&D, (int)si);
    }
    messaging_links(&D);
    autoscaler_links(&D);
    mark_cuts(&D);
    free(D.linked);
    free(D.walked);
    free(D.limited);
    free(D.can_fail);
    free(D.can_reject);
    free(D.slows);
    return D.g;
}
