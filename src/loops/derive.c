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

#include "describe.h"
#include "util.h"

const char *const derive_not_covered =
    "caches, circuit breakers, autoscalers, connection pools, retry budgets and throttling, hedging, "
    "adaptive concurrency limits, CoDel/adaptive LIFO, bulkheads and deadline propagation are not in the "
    "model yet, so their loops (cold cache R, breaker B, autoscaler B, budget limits) are not derived";

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

/* A variable owned by an entity: "checkout.latency". */
static int var(dv *D, const char *entity, const char *kind, const char *what)
{
    char *id = lu_printf("%s.%s", entity, what);
    int v = cld_var_add(D->g, id, NULL, 0, 0);
    cld_var_set_entity(D->g, v, entity, kind);
    free(id);
    return v;
}

/* A variable of a call edge, owned by the caller: "shoppers→checkout.retries". */
static int edge_var(dv *D, const char *caller, const char *kind, const char *callee, const char *what)
{
    char *id = lu_printf("%s\xe2\x86\x92%s.%s", caller, callee, what);
    int v = cld_var_add(D->g, id, NULL, 0, 0);
    cld_var_set_entity(D->g, v, caller, kind);
    free(id);
    return v;
}

static void link(dv *D, int from, int to, int sign, bool delay, const char *note, const char *origin, model_pos at)
{
    cld_link_add(D->g, from, to, sign, delay, note, origin, at.line, at.col);
}

/* Which services can fail, reject, or slow down under load.  The call
 * graph is acyclic (the loader checks), so a fixed point over it is quick. */
static void classify(dv *D)
{
    const model *m = D->m;
    for (size_t i = 0; i < m->nservices; i++) {
        const service_spec *s = &m->services[i];
        D->can_reject[i] = bounded(s);
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
                bool fail = s->calls[c].timeout > 0 || D->can_fail[t] || D->can_reject[t];
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
                 s->discipline == DISC_LIFO ? "lifo" : "fifo", workers);
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
        link(D, cload, tload, +1, false, "", origin, c->pos);
    }

    int timeouts = -1;
    if (c->timeout > 0) {
        timeouts = edge_var(D, caller, kind, callee, "timeouts");
        snprintf(origin, sizeof origin, "%s\xe2\x86\x92%s timeout %s", caller, callee, tmo);
        link(D, tlat, timeouts, +1, true, "the caller gives up; the callee keeps the work", origin, c->timeout_pos);
    }

    /* retries: what triggers them, and the load they add */
    bool on_timeout = c->retry.attempts > 1 && (c->retry.on & RETRY_ON_TIMEOUT) && timeouts >= 0;
    bool on_error = c->retry.attempts > 1 && (c->retry.on & RETRY_ON_ERROR) && D->can_fail[c->to];
    bool on_reject = c->retry.attempts > 1 && (c->retry.on & RETRY_ON_REJECT) && D->can_reject[c->to];
    int retries = -1;
    if (on_timeout || on_error || on_reject) {
        retries = edge_var(D, caller, kind, callee, "retries");
        if (on_timeout)
            link(D, timeouts, retries, +1, false, "retry on timeout", retry_origin, c->retry.pos);
        if (on_error)
            link(D, var(D, callee, "service", "errors"), retries, +1, false, "retry on error", retry_origin,
                 c->retry.pos);
        if (on_reject)
            link(D, var(D, callee, "service", "rejects"), retries, +1, false, "retry on reject", retry_origin,
                 c->retry.pos);
        link(D, retries, tload, +1, c->retry.backoff != BACKOFF_NONE,
             c->retry.backoff != BACKOFF_NONE ? "each retry is a new attempt, after a backoff"
                                              : "each retry is a new attempt, at once",
             retry_origin, c->retry.pos);
    }
    if (c->retry.attempts > 1 && (c->retry.on & RETRY_ON_TIMEOUT) && timeouts >= 0 && !D->slows[c->to])
        cld_note_add(
            D->g,
            "%s\xe2\x86\x92%s retries on timeout, but the latency of %s does not rise with its load (unlimited "
            "workers or no queue, no contention, no dependency that slows), so no retry-storm loop forms "
            "through it",
            caller, callee, callee);

    if (ci >= 0)
        return;
    /* A synchronous call holds the caller's worker: the callee's latency
     * becomes the caller's hold time (up to the timeout), and retries hold
     * it longer still. */
    int cheld = var(D, caller, "service", "held");
    if (c->timeout > 0)
        snprintf(origin, sizeof origin, "%s\xe2\x86\x92%s call holds a %s worker (up to timeout %s per attempt)",
                 caller, callee, caller, tmo);
    else
        snprintf(origin, sizeof origin, "%s\xe2\x86\x92%s call holds a %s worker (no timeout: as long as %s takes)",
                 caller, callee, caller, callee);
    link(D, tlat, cheld, +1, false, "slowness climbs the call graph", origin, c->pos);
    if (retries >= 0)
        link(D, retries, cheld, +1, false, "the worker is held through every attempt", retry_origin, c->retry.pos);
    int cerr = -1;
    if (timeouts >= 0 || D->can_fail[c->to] || D->can_reject[c->to])
        cerr = var(D, caller, "service", "errors");
    if (timeouts >= 0) {
        snprintf(origin, sizeof origin, "%s\xe2\x86\x92%s timeout %s", caller, callee, tmo);
        link(D, timeouts, cerr, +1, false, "a call out of attempts fails the caller's request", origin, c->timeout_pos);
    }
    snprintf(origin, sizeof origin, "%s\xe2\x86\x92%s call", caller, callee);
    if (D->can_fail[c->to])
        link(D, var(D, callee, "service", "errors"), cerr, +1, false, "a failed call fails the caller's request",
             origin, c->pos);
    if (D->can_reject[c->to])
        link(D, var(D, callee, "service", "rejects"), cerr, +1, false, "a refused call fails the caller's request",
             origin, c->pos);
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
    D.linked = lu_alloc(ns, sizeof *D.linked);
    D.walked = lu_alloc(ns, sizeof *D.walked);
    D.limited = lu_alloc(ns, sizeof *D.limited);
    D.can_fail = lu_alloc(ns, sizeof *D.can_fail);
    D.can_reject = lu_alloc(ns, sizeof *D.can_reject);
    D.slows = lu_alloc(ns, sizeof *D.slows);
    classify(&D);
    for (size_t ci = 0; ci < m->nclients; ci++) {
        int t = m->clients[ci].call.to;
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
    cld_note_add(D.g, "not covered yet: %s", derive_not_covered);
    free(D.linked);
    free(D.walked);
    free(D.limited);
    free(D.can_fail);
    free(D.can_reject);
    free(D.slows);
    return D.g;
}
