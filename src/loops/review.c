/* review.c -- reviewing the call edges of a model for their dynamics. */
#include "review.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "describe.h"
#include "util.h"

const char *const review_not_covered =
    "the review judges each call edge from the caller's side; what a callee does under overload (shed, "
    "deadlines, per-caller bulkheads) and what autoscalers do are loops in `eddy loops`, measured by `eddy diagnose` "
    "and `eddy fix`";

const char *review_action_name(slow_action a)
{
    static const char *const n[] = {"wait", "time out", "retry", "fail fast", "serve a fallback"};
    return n[a];
}

/* A pool that refuses attempts: at once when full, or after wait_timeout. */
static bool pool_refuses(const call_spec *c) { return c->pool.on && (!c->pool.wait || c->pool.wait_timeout > 0); }

typedef struct rv {
    review *r;
    const model *m;
    size_t capedges, cappaths;
    bool *can_reject, *slow_fails;
    double *amp_at;   /* worst attempts per user request arriving at a service */
    double *bound_at; /* the same with every retry budget held to its bound */
} rv;

/* Each code's severity (review.h says why each is where it is). */
static const struct {
    const char *code;
    review_severity severity;
} severities[] = {
    {"naked-retry", REVIEW_ERROR},
    {"timeout-exceeds-caller", REVIEW_ERROR},
    {"pool-above-peak", REVIEW_ERROR},
    {"fighting-autoscalers", REVIEW_ERROR},
    {"retried-write-without-dedupe", REVIEW_ERROR},
    {"ack-before-write", REVIEW_ERROR},
    {"at-most-once-write", REVIEW_ERROR},
    {"no-timeout", REVIEW_WARNING},
    {"retries-outlast-caller", REVIEW_WARNING},
    {"uncapped-hedge", REVIEW_WARNING},
    {"synchronized-expiry", REVIEW_WARNING},
    {"shared-dependency", REVIEW_NOTE},
    {"correlated-coupling", REVIEW_NOTE},
    {"weakens-platform", REVIEW_WARNING},
    {"conway", REVIEW_WARNING},
    {"unowned", REVIEW_WARNING},
};

review_severity review_severity_of(const char *code)
{
    for (size_t i = 0; i < sizeof severities / sizeof *severities; i++)
        if (!strcmp(severities[i].code, code))
            return severities[i].severity;
    /* a code without a severity is a bug in this file */
    fprintf(stderr, "eddy: internal error: review code '%s' has no severity\n", code);
    abort();
}

static const char *const severity_names[] = {"note", "warning", "error"};

const char *review_severity_name(review_severity s) { return severity_names[s]; }

int review_severity_parse(const char *name, review_severity *out)
{
    for (int i = 0; i < 3; i++)
        if (!strcmp(name, severity_names[i])) {
            *out = (review_severity)i;
            return 0;
        }
    return -1;
}

size_t review_count_at_least(const review *r, review_severity s)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nflags; i++)
        n += r->flags[i].severity >= s;
    return n;
}

static void flag_v(review *r, const char *code, int edge, int service, model_pos pos, const char *fmt, va_list ap)
{
    lu_reserve((void **)&r->flags, &r->capflags, r->nflags + 1, sizeof *r->flags);
    review_flag *f = &r->flags[r->nflags++];
    f->code = code;
    f->severity = review_severity_of(code);
    f->edge = edge;
    f->service = service;
    f->pos = pos;
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    f->msg = xcalloc((size_t)(n < 0 ? 0 : n) + 1, 1);
    vsnprintf(f->msg, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap2);
    va_end(ap2);
}

void review_flag_add(review *r, const char *code, int edge, int service, model_pos pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    flag_v(r, code, edge, service, pos, fmt, ap);
    va_end(ap);
}

static void add_flag(rv *R, const char *code, int edge, int service, model_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static void add_flag(rv *R, const char *code, int edge, int service, model_pos pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    flag_v(R->r, code, edge, service, pos, fmt, ap);
    va_end(ap);
}

static void add_edge(rv *R, int client, int service, int call, const call_spec *c)
{
    review *r = R->r;
    lu_reserve((void **)&r->edges, &R->capedges, r->nedges + 1, sizeof *r->edges);
    review_edge *e = &r->edges[r->nedges++];
    memset(e, 0, sizeof *e);
    e->client = client;
    e->service = service;
    e->call = call;
    e->callee = c->to;
    e->spec = c;
    desc_edge(R->m, client, service, call, e->name, sizeof e->name);
}

/* Does a slow service answer with failures (so retries on error fire)? It
 * does when one of its own calls times out, or a dependency refuses or
 * fails when slow. */
static void classify(rv *R)
{
    const model *m = R->m;
    for (size_t i = 0; i < m->nservices; i++)
        R->can_reject[i] = m->services[i].workers != MODEL_UNLIMITED && m->services[i].queue != MODEL_UNLIMITED;
    for (bool changed = true; changed;) {
        changed = false;
        for (size_t i = 0; i < m->nservices; i++)
            for (size_t k = 0; k < m->services[i].ncalls; k++) {
                const call_spec *c = &m->services[i].calls[k];
                /* a full pool refuses, and an open breaker without a
                 * fallback fails: both fail the service when it is slow */
                bool fails = c->timeout > 0 || R->can_reject[c->to] || R->slow_fails[c->to] || pool_refuses(c) ||
                             (c->breaker.on && c->breaker.fallback == FALLBACK_NONE);
                if (!R->slow_fails[i] && fails)
                    R->slow_fails[i] = changed = true;
            }
    }
}

static void judge(rv *R, review_edge *e)
{
    const call_spec *c = e->spec;
    const retry_policy *rp = &c->retry;
    const char *callee = R->m->services[c->to].name;
    bool retries = rp->attempts > 1;
    if (c->timeout == 0)
        e->when_slow = SLOW_WAIT;
    else if (retries && (rp->on & RETRY_ON_TIMEOUT))
        e->when_slow = SLOW_RETRY;
    else
        e->when_slow = SLOW_TIME_OUT;
    const breaker_spec *bk = &c->breaker;
    bool sees = false; /* does the breaker open when the callee is slow? */
    lu_buf seen = {0};
    if (bk->on) {
        /* what a slow callee gives the breaker to count */
        char slow[32], what[4][64];
        size_t n = 0;
        desc_duration(bk->slow_duration, slow, sizeof slow);
        if (c->timeout > 0 && (bk->record & RETRY_ON_TIMEOUT))
            snprintf(what[n++], sizeof what[0], "timeouts");
        if (c->timeout == 0 || bk->slow_duration < c->timeout)
            snprintf(what[n++], sizeof what[0], "calls slower than %s", slow);
        if ((bk->record & RETRY_ON_REJECT) && (R->can_reject[c->to] || pool_refuses(c)))
            snprintf(what[n++], sizeof what[0], "rejections");
        if ((bk->record & RETRY_ON_ERROR) && R->slow_fails[c->to])
            snprintf(what[n++], sizeof what[0], "errors");
        for (size_t k = 0; k < n; k++)
            lu_buf_printf(&seen, "%s%s", k == 0 ? "" : (k + 1 == n ? " and " : ", "), what[k]);
        sees = n > 0;
        if (sees)
            e->when_slow = bk->fallback == FALLBACK_DEFAULT ? SLOW_FALLBACK : SLOW_FAIL_FAST;
    }
    lu_buf why = {0};
    if (retries && (rp->on & RETRY_ON_TIMEOUT) && c->timeout > 0)
        lu_buf_printf(&why, "retries on timeout send more attempts to a slow %s", callee);
    if (retries && (rp->on & RETRY_ON_REJECT) && R->can_reject[c->to])
        lu_buf_printf(&why, "%sretries on reject hit %s again when its queue is full", why.len ? "; " : "", callee);
    if (retries && (rp->on & RETRY_ON_ERROR) && R->slow_fails[c->to])
        lu_buf_printf(&why, "%sretries on error hit %s again when its own calls fail", why.len ? "; " : "", callee);
    e->amplifying = why.len > 0;
    if (!e->amplifying) {
        if (!retries)
            lu_buf_printf(&why, "no retries");
        else if ((rp->on & RETRY_ON_TIMEOUT) && c->timeout == 0)
            lu_buf_printf(&why, "retries on timeout, but the call has no timeout");
        else
            lu_buf_printf(&why, "retries only on failures a slow %s does not produce", callee);
    }
    if (e->amplifying && rp->budget.kind != BUDGET_NONE) {
        if (e->budget_amp > 0)
            lu_buf_printf(&why, "; the retry budget holds them to %gx attempts per call (%s)", e->budget_amp,
                          e->budget_short);
        else
            lu_buf_printf(&why, "; the retry budget is relative to attempts in flight, which grow as %s slows",
                          callee);
    }
    if (bk->on) {
        char bd[160], open[32];
        desc_breaker(bk, bd, sizeof bd);
        desc_duration(bk->open_for, open, sizeof open);
        if (sees)
            lu_buf_printf(&why,
                          "; the breaker (%s) opens on %s, then %s for %s at a time (then %ld probes), sending "
                          "nothing to %s and retrying nothing",
                          bd, seen.s,
                          bk->fallback == FALLBACK_DEFAULT ? "serves a fallback at once" : "fails calls at once",
                          open, bk->half_open_calls, callee);
        else
            lu_buf_printf(&why,
                          "; the breaker (%s) does not open on slowness: it does not record timeouts, and no "
                          "attempt outlasts its slow_duration before the timeout",
                          bd);
    }
    if (c->pool.on) {
        char wt[32], conns[96];
        desc_duration(c->pool.wait_timeout, wt, sizeof wt);
        if (desc_caller_instances(R->m, e->client, e->service) > 1)
            snprintf(conns, sizeof conns, "all %ld connections of each %s", c->pool.size,
                     e->client >= 0 ? "instance" : "replica");
        else
            snprintf(conns, sizeof conns, "all %ld connections", c->pool.size);
        if (!c->pool.wait)
            lu_buf_printf(&why, "; a slow %s keeps %s busy, and further attempts are refused at once", callee, conns);
        else if (c->pool.wait_timeout > 0)
            lu_buf_printf(&why,
                          "; a slow %s keeps %s busy, and attempts wait for one (up to %s, then refused), their "
                          "timeout running",
                          callee, conns, wt);
        else
            lu_buf_printf(&why, "; a slow %s keeps %s busy, and attempts wait for one%s", callee, conns,
                          c->timeout > 0 ? " until their timeout" : " as long as it takes");
    }
    snprintf(e->why, sizeof e->why, "%s", why.s);
    lu_buf_free(&why);
    lu_buf_free(&seen);
}

/* The bound a retry budget keeps on the attempts per call through its edge
 * (engine/budget.c has the rules; each bound follows from them):
 *   finagle  retries over any ttl are at most min_per_s x ttl + percent x
 *            requests: 1 + percent attempts per call, plus the reserve.
 *   grpc     a retry needs more than max_tokens/2 tokens; every failed
 *            attempt takes 1 and only a success (at most one per call)
 *            returns token_ratio: 1 + token_ratio per call, once a burst of
 *            max_tokens/2 is spent.
 *   aws      a retry that fails keeps its cost, and only a first-try
 *            success adds no_retry_increment: retries that fail are at most
 *            no_retry_increment / cost per call once the quota is spent.  A
 *            retry that succeeds is refunded, so this bounds the storm (when
 *            retries fail), not a healthy callee's retries.
 *   envoy    retries in flight are capped relative to attempts in flight,
 *            which grow as the callee slows: no bound per request. */
static void budget_bound(rv *R, review_edge *e)
{
    const call_spec *c = e->spec;
    const budget_spec *b = &c->retry.budget;
    if (b->kind == BUDGET_NONE)
        return;
    desc_budget(b, e->budget, sizeof e->budget);
    long inst = desc_caller_instances(R->m, e->client, e->service);
    const char *who = e->client >= 0 ? "instance" : "replica";
    char each[96] = "";
    if (b->scope == SCOPE_INSTANCE && inst > 1)
        snprintf(each, sizeof each, " per %s (%ld %ss)", who, inst, who);
    else if (inst > 1)
        snprintf(each, sizeof each, " (one budget shared by %ld %ss)", inst, who);
    int a = c->retry.attempts;
    double amp = 0;
    char ttl[32];
    switch (b->kind) {
    case BUDGET_FINAGLE:
        amp = 1 + b->percent;
        desc_duration(b->ttl, ttl, sizeof ttl);
        snprintf(e->bound, sizeof e->bound,
                 "finagle: retries over any %s are at most min_per_s x ttl + percent of requests, so at most %gx "
                 "attempts per call (1 + percent %g%%), plus a reserve of %g retries/s%s",
                 ttl, amp, b->percent * 100, b->min_per_s, each);
        snprintf(e->budget_short, sizeof e->budget_short, "+ reserve");
        break;
    case BUDGET_GRPC:
        amp = 1 + b->token_ratio;
        snprintf(e->bound, sizeof e->bound,
                 "grpc: bounded by tokens: a retry needs more than max_tokens/2 = %g, every failed attempt takes 1 "
                 "and a success returns token_ratio %g, so at most %gx attempts per call once a burst of %g retries "
                 "is spent%s",
                 b->max_tokens / 2, b->token_ratio, amp, b->max_tokens / 2, each);
        snprintf(e->budget_short, sizeof e->budget_short, "+ burst");
        break;
    case BUDGET_AWS: {
        /* the cheapest retry the policy makes spends the least */
        long cost = b->cost;
        if ((c->retry.on & RETRY_ON_TIMEOUT) && !(c->retry.on & (RETRY_ON_ERROR | RETRY_ON_REJECT)))
            cost = b->timeout_cost;
        else if ((c->retry.on & RETRY_ON_TIMEOUT) && b->timeout_cost < cost)
            cost = b->timeout_cost;
        amp = 1 + (double)b->no_retry_increment / (double)cost;
        snprintf(e->bound, sizeof e->bound,
                 "aws: bounded by the quota: a retry that fails keeps its cost (%ld, %ld after a timeout) and only a "
                 "first-try success adds %ld back, so while retries fail (as they do when the callee is slow) there "
                 "are at most %gx attempts per call once the quota of %ld (%ld retries) is spent%s; a retry that "
                 "succeeds is refunded",
                 b->cost, b->timeout_cost, b->no_retry_increment, amp, b->quota, b->quota / cost, each);
        snprintf(e->budget_short, sizeof e->budget_short, "+ quota");
        break;
    }
    default: /* envoy */
        snprintf(e->bound, sizeof e->bound,
                 "envoy: relative to in-flight, not to requests: at most max(min_retry_concurrency %ld, "
                 "budget_percent %g%% of attempts in flight) retries outstanding%s, and attempts in flight grow as "
                 "the callee slows, so there is no bound per request",
                 b->min_retry_concurrency, b->budget_percent * 100, each);
        snprintf(e->budget_short, sizeof e->budget_short, "relative to in-flight");
        break;
    }
    e->budget_amp = amp < a ? amp : a;
}

/* Attempts per call through an edge with its budget held to its bound. */
static double bounded_factor(const call_spec *c, const review_edge *e)
{
    return e->budget_amp > 0 ? e->budget_amp : c->retry.attempts;
}

/* a * b, held at REVIEW_AMP_MAX (and the review marked saturated). */
static double amp_mul(review *r, double a, double b)
{
    double x = a * b;
    if (!(x <= REVIEW_AMP_MAX)) {
        r->amp_saturated = true;
        return REVIEW_AMP_MAX;
    }
    return x;
}

/* Worst-case attempts arriving at each service per user request.  The
 * call graph is acyclic, so relaxing it n times settles it. */
static void amplification(rv *R)
{
    const model *m = R->m;
    review *r = R->r;
    /* a service nobody calls is its own entry point */
    for (size_t s = 0; s < m->nservices; s++) {
        bool called = false;
        for (size_t i = 0; i < r->nedges && !called; i++)
            called = r->edges[i].callee == (int)s;
        R->amp_at[s] = R->bound_at[s] = called ? 0 : 1;
    }
    for (size_t pass = 0; pass <= m->nservices; pass++) {
        bool changed = false;
        for (size_t i = 0; i < r->nedges; i++) {
            review_edge *e = &r->edges[i];
            double in = e->client >= 0 ? 1.0 : R->amp_at[e->service];
            double out = amp_mul(r, in, e->spec->retry.attempts);
            e->worst_amp = out;
            if (out > R->amp_at[e->callee]) {
                R->amp_at[e->callee] = out;
                changed = true;
            }
            double bin = e->client >= 0 ? 1.0 : R->bound_at[e->service];
            double bout = amp_mul(r, bin, bounded_factor(e->spec, e));
            e->bounded_amp = bout;
            if (bout > R->bound_at[e->callee]) {
                R->bound_at[e->callee] = bout;
                changed = true;
            }
        }
        if (!changed)
            break;
    }
}

/* Every path from a client to a service that calls nothing further. */
static void paths_from(rv *R, int *stack, size_t depth, int service, double amp, double bounded)
{
    review *r = R->r;
    const service_spec *s = &R->m->services[service];
    bool leaf = true;
    for (size_t k = 0; k < s->ncalls && !r->paths_capped; k++) {
        for (size_t i = 0; i < r->nedges; i++)
            if (r->edges[i].client < 0 && r->edges[i].service == service && r->edges[i].call == (int)k) {
                leaf = false;
                stack[depth] = (int)i;
                paths_from(R, stack, depth + 1, s->calls[k].to, amp_mul(r, amp, s->calls[k].retry.attempts),
                           amp_mul(r, bounded, bounded_factor(&s->calls[k], &r->edges[i])));
            }
    }
    if (!leaf || r->paths_capped)
        return;
    if (r->npaths == REVIEW_MAX_PATHS) {
        r->paths_capped = true;
        return;
    }
    lu_reserve((void **)&r->paths, &R->cappaths, r->npaths + 1, sizeof *r->paths);
    review_path *p = &r->paths[r->npaths++];
    p->n = depth;
    p->edges = xcalloc(depth, sizeof *p->edges);
    memcpy(p->edges, stack, depth * sizeof *stack);
    p->amp = amp;
    p->bounded_amp = bounded;
    if (amp > r->worst_amp)
        r->worst_amp = amp;
    if (bounded > r->worst_bounded)
        r->worst_bounded = bounded;
}

/* The timeout the caller of edge e is itself held to: its callers' call
 * timeouts (the shortest), or for a client's call the client's deadline. */
static void check_timeouts(rv *R, int ei)
{
    review *r = R->r;
    const model *m = R->m;
    review_edge *e = &r->edges[ei];
    const call_spec *c = e->spec;
    if (c->timeout == 0)
        return;
    char t[32], ut[32], total[32];
    desc_duration(c->timeout, t, sizeof t);
    /* worst time this edge can keep its caller busy: every attempt timing
     * out, plus the largest backoff between them */
    simtime all = c->timeout * c->retry.attempts;
    simtime wait = c->retry.base;
    for (int n = 1; n < c->retry.attempts; n++) {
        if (c->retry.backoff == BACKOFF_CONSTANT)
            all += c->retry.base;
        else if (c->retry.backoff == BACKOFF_EXPONENTIAL) {
            all += wait < c->retry.max ? wait : c->retry.max;
            wait = (simtime)((double)wait * c->retry.multiplier);
        }
    }
    desc_duration(all, total, sizeof total);
    if (e->client >= 0) {
        const client_spec *cl = &m->clients[e->client];
        if (cl->deadline == 0)
            return;
        desc_duration(cl->deadline, ut, sizeof ut);
        if (c->timeout > cl->deadline)
            add_flag(R, "timeout-exceeds-caller", ei, -1, c->timeout_pos,
                     "%s timeout %s is longer than %s.deadline %s: a slow attempt outlives the user request, so its "
                     "work is always wasted",
                     e->name, t, cl->name, ut);
        else if (c->retry.attempts > 1 && all > cl->deadline)
            add_flag(R, "retries-outlast-caller", ei, -1, c->retry.pos,
                     "%s: %d attempts of %s (up to %s with backoff) outlast %s.deadline %s: the last retries are "
                     "wasted work",
                     e->name, c->retry.attempts, t, total, cl->name, ut);
        return;
    }
    for (size_t i = 0; i < r->nedges; i++) {
        const review_edge *up = &r->edges[i];
        if (up->callee != e->service || up->spec->timeout == 0)
            continue;
        desc_duration(up->spec->timeout, ut, sizeof ut);
        if (c->timeout > up->spec->timeout)
            add_flag(R, "timeout-exceeds-caller", ei, -1, c->timeout_pos,
                     "%s timeout %s is longer than %s timeout %s: when %s is slow, %s gives up first and the wait "
                     "in %s is always wasted work",
                     e->name, t, up->name, ut, m->services[c->to].name,
                     up->client >= 0 ? m->clients[up->client].name : m->services[up->service].name,
                     m->services[e->service].name);
        else if (c->retry.attempts > 1 && all > up->spec->timeout)
            add_flag(R, "retries-outlast-caller", ei, -1, c->retry.pos,
                     "%s: %d attempts of %s (up to %s with backoff) outlast %s timeout %s: the last retries are wasted "
                     "work",
                     e->name, c->retry.attempts, t, total, up->name, ut);
    }
}

/* A pool lets a callee run up to size x caller instances of this edge's
 * attempts at once (spread over its replicas).  Under the Universal
 * Scalability Law its throughput peaks at N* and falls beyond, so a pool
 * above N* does not stop the contention spiral: it only caps it past the
 * peak.  A callee whose own workers stop short of N* is safe anyway. */
static void check_pool(rv *R, int ei)
{
    const model *m = R->m;
    review_edge *e = &R->r->edges[ei];
    const call_spec *c = e->spec;
    if (!c->pool.on)
        return;
    const service_spec *t = &m->services[c->to];
    long inst = desc_caller_instances(m, e->client, e->service);
    e->pool_conns = c->pool.size * inst;
    e->peak = desc_usl_peak(t);
    double per_replica = (double)e->pool_conns / (double)t->replicas;
    if (e->peak <= 0 || per_replica <= e->peak || (t->workers != MODEL_UNLIMITED && (double)t->workers <= e->peak))
        return;
    const char *caller = e->client >= 0 ? m->clients[e->client].name : m->services[e->service].name;
    const char *who = e->client >= 0 ? "instance" : "replica";
    char spread[96] = "", advice[128];
    if (t->replicas > 1) {
        snprintf(spread, sizeof spread, " (%.0f on each of its %ld replicas)", per_replica, t->replicas);
        snprintf(advice, sizeof advice, "%.0f connections in all (%.0f per replica of %s)",
                 e->peak * (double)t->replicas, e->peak, t->name);
    } else {
        snprintf(advice, sizeof advice, "%.0f connections in all", e->peak);
    }
    add_flag(R, "pool-above-peak", ei, -1, c->pool.pos,
             "%s pool size %ld x %ld %s%s of %s = %ld connections lets up to %ld attempts run on %s at once%s, above "
             "its USL peak N* = sqrt((1 - sigma %g) / kappa %g) = %.0f: past N*, %s's throughput falls as "
             "concurrency grows, so a hiccup can push it into the contention spiral and the pool lets it stay "
             "there; at most %s, from every caller of %s together, would hold it at its peak",
             e->name, c->pool.size, inst, who, inst == 1 ? "" : "s", caller, e->pool_conns, e->pool_conns, t->name,
             spread, t->sigma, t->kappa, e->peak, t->name, advice, t->name);
}

/* A warm cache whose entries share one ttl, with nothing to spread or
 * merge their refills: every key expires at the same instants, and each
 * boundary sends a burst of misses to the origin (a thundering herd; the
 * latency spikes "on the hour" of a 1 h TTL). */
static void check_caches(rv *R)
{
    const model *m = R->m;
    for (size_t i = 0; i < m->ncaches; i++) {
        const cache_spec *k = &m->caches[i];
        if (!k->warm || !k->ttl || k->ttl_jitter || k->coalesce)
            continue;
        int origin = -1, edge = -1;
        for (size_t e = 0; e < R->r->nedges && edge < 0; e++)
            if (R->r->edges[e].spec->has_cache && R->r->edges[e].spec->cache == (int)i) {
                edge = (int)e;
                origin = R->r->edges[e].callee;
            }
        if (origin < 0)
            continue;
        char ttl[32];
        desc_duration(k->ttl, ttl, sizeof ttl);
        add_flag(R, "synchronized-expiry", edge, origin, k->warm_pos,
                 "cache %s is filled at start-up (warm) and every entry lives ttl %s, with no ttl_jitter and no "
                 "coalesce: all %ld keys expire together every %s, and each boundary sends a burst of misses to %s "
                 "(one per request until each key's first answer is back); ttl_jitter spreads the expiries, "
                 "coalesce makes it one call per key",
                 k->name, ttl, k->keys, ttl, m->services[origin].name);
    }
}

/* The delivery contract of each write (docs/messaging.md): where the two
 * sides of an edge disagree on retries, acks and idempotency. */
static void check_contracts(rv *R)
{
    const model *m = R->m;
    static const char *const keyname[] = {"none", "request", "attempt"};
    /* a synchronous write that is retried or hedged: each attempt has its own key */
    for (size_t i = 0; i < R->r->nedges; i++) {
        const review_edge *e = &R->r->edges[i];
        const call_spec *c = e->spec;
        const service_spec *t = &m->services[e->callee];
        if (c->effect != EFFECT_WRITE || t->dedupe.key == DEDUPE_REQUEST || (c->retry.attempts < 2 && !c->hedge.on))
            continue;
        add_flag(R, "retried-write-without-dedupe", (int)i, e->callee, c->effect_pos,
                 "%s is a write that is %s, and %s dedupes by %s: an attempt that timed out may still have been "
                 "applied, so in production its retry applies the write again; carry the request's idempotency key "
                 "and set dedupe: {key: request} on %s",
                 e->name, c->hedge.on ? "hedged" : "retried", t->name, keyname[t->dedupe.key], t->name);
    }
    for (size_t g = 0; g < m->nconsumers; g++) {
        const consumer_spec *cs = &m->consumers[g];
        if (cs->effect != EFFECT_WRITE)
            continue;
        const bqueue_spec *q = &m->queues[cs->queue];
        const service_spec *t = &m->services[cs->service];
        /* who retries publishes into the queue */
        const char *retrier = NULL;
        char who[256] = "";
        for (size_t k = 0; k < m->nclients && !retrier; k++)
            if (m->clients[k].call.queue == cs->queue && m->clients[k].call.retry.attempts > 1)
                retrier = m->clients[k].name;
        for (size_t s = 0; s < m->nservices && !retrier; s++)
            for (size_t k = 0; k < m->services[s].npublishes && !retrier; k++)
                if (m->services[s].publishes[k].queue == cs->queue && m->services[s].publishes[k].retry.attempts > 1)
                    retrier = m->services[s].name;
        bool redelivered = q->delivery == DELIVERY_AT_LEAST_ONCE && cs->ack == ACK_AFTER_PROCESSING;
        if (retrier && t->dedupe.key != DEDUPE_REQUEST)
            snprintf(who, sizeof who, "%s retries its publishes to %s (a retry after a lost ack stores the message "
                     "twice)", retrier, q->name);
        else if (redelivered && t->dedupe.key == DEDUPE_NONE)
            snprintf(who, sizeof who, "%s redelivers a message whose ack did not arrive within its visibility "
                     "timeout", q->name);
        if (who[0])
            add_flag(R, "retried-write-without-dedupe", -1, cs->service, cs->effect_pos,
                     "consumer group %s applies writes at %s, %s, and %s dedupes by %s: in production those copies "
                     "are applied twice (a double charge); carry the request's idempotency key and set dedupe: "
                     "{key: request} on %s",
                     cs->name, t->name, who, t->name, keyname[t->dedupe.key], t->name);
        if (cs->ack == ACK_BEFORE_PROCESSING && q->delivery == DELIVERY_AT_LEAST_ONCE)
            add_flag(R, "ack-before-write", -1, cs->service, cs->ack_pos.line ? cs->ack_pos : cs->pos,
                     "consumer group %s acks before processing a write: the broker deletes the message on receipt, "
                     "so in production a failed delivery or a crash of %s loses an entry the publisher was told is "
                     "stored; ack after processing",
                     cs->name, t->name);
        if (q->delivery == DELIVERY_AT_MOST_ONCE)
            add_flag(R, "at-most-once-write", -1, cs->service, q->delivery_pos.line ? q->delivery_pos : q->pos,
                     "queue %s is at_most_once and carries writes (consumer group %s at %s): a message is deleted "
                     "when it is handed out, so in production every delivery that fails or dies with its replica "
                     "is a write lost; use at_least_once with acks after processing",
                     q->name, cs->name, t->name);
    }
}

review *review_model(const model *m)
{
    rv R = {0};
    R.m = m;
    R.r = xcalloc(1, sizeof *R.r);
    R.r->m = m;
    size_t ns = m->nservices ? m->nservices : 1;
    R.can_reject = xcalloc(ns, sizeof *R.can_reject);
    R.slow_fails = xcalloc(ns, sizeof *R.slow_fails);
    R.amp_at = xcalloc(ns, sizeof *R.amp_at);
    R.bound_at = xcalloc(ns, sizeof *R.bound_at);
    classify(&R);

    for (size_t i = 0; i < m->nclients; i++)
        if (m->clients[i].call.to >= 0) /* a publish is reviewed by its contract (review.c, messaging) */
            add_edge(&R, (int)i, -1, -1, &m->clients[i].call);
    for (size_t s = 0; s < m->nservices; s++)
        for (size_t k = 0; k < m->services[s].ncalls; k++)
            add_edge(&R, -1, (int)s, (int)k, &m->services[s].calls[k]);
    review *r = R.r;
    for (size_t i = 0; i < r->nedges; i++) {
        budget_bound(&R, &r->edges[i]);
        judge(&R, &r->edges[i]);
    }
    amplification(&R);
    int *stack = xcalloc(m->nservices + 2, sizeof *stack);
    for (size_t i = 0; i < r->nedges && !r->paths_capped; i++)
        if (r->edges[i].client >= 0) {
            stack[0] = (int)i;
            paths_from(&R, stack, 1, r->edges[i].callee, r->edges[i].spec->retry.attempts,
                       bounded_factor(r->edges[i].spec, &r->edges[i]));
        }
    free(stack);

    /* flags, edge by edge, then the shared dependencies */
    for (size_t i = 0; i < r->nedges; i++) {
        review_edge *e = &r->edges[i];
        const call_spec *c = e->spec;
        const char *callee = m->services[c->to].name;
        const char *caller = e->client >= 0 ? m->clients[e->client].name : m->services[e->service].name;
        if (c->retry.attempts > 1 && c->retry.backoff == BACKOFF_NONE && c->retry.budget.kind == BUDGET_NONE) {
            char rd[160], on[64];
            desc_retry(&c->retry, rd, sizeof rd);
            desc_retry_on(c->retry.on, on, sizeof on);
            add_flag(&R, "naked-retry", (int)i, -1, c->retry.pos,
                     "%s retries with %s and no budget (on %s): every failure is retried at once, multiplying the "
                     "load on %s exactly when it is slowest (up to %gx per user request here)",
                     e->name, rd, on, callee, e->worst_amp);
        }
        if (c->timeout == 0) {
            if (e->client >= 0)
                add_flag(&R, "no-timeout", (int)i, -1, c->pos, "%s has no timeout: users wait as long as %s takes%s",
                         e->name, callee, m->clients[e->client].deadline ? " (up to the deadline)" : "");
            else
                add_flag(&R, "no-timeout", (int)i, -1, c->pos,
                         "%s has no timeout: a slow %s holds the workers of %s for as long as it takes, and the "
                         "slowness climbs to the callers of %s",
                         e->name, callee, caller, caller);
        }
        check_timeouts(&R, (int)i);
        check_pool(&R, (int)i);
        if (c->hedge.on && c->hedge.max_outstanding == MODEL_UNLIMITED && !c->hedge.budget)
            add_flag(&R, "uncapped-hedge", (int)i, -1, c->hedge.pos,
                     "%s hedges with no max_outstanding and no budget: when %s slows under load, every late answer "
                     "sends another copy, up to %dx the load on %s exactly when it is slowest (the hedging loop "
                     "latency -> hedges -> load); cap it with max_outstanding or budget: true",
                     e->name, callee, c->hedge.attempts, callee);
    }
    for (size_t s = 0; s < m->nservices; s++) {
        /* distinct direct callers, in edge order */
        const char *names[64];
        size_t n = 0;
        size_t total = 0;
        for (size_t i = 0; i < r->nedges; i++) {
            const review_edge *e = &r->edges[i];
            if (e->callee != (int)s)
                continue;
            const char *caller = e->client >= 0 ? m->clients[e->client].name : m->services[e->service].name;
            bool seen = false;
            for (size_t j = 0; j < n && !seen; j++)
                seen = !strcmp(names[j], caller);
            if (!seen) {
                if (n < 64)
                    names[n++] = caller;
                total++;
            }
        }
        if (total < 2)
            continue;
        lu_buf list = {0};
        for (size_t j = 0; j < n; j++)
            lu_buf_printf(&list, "%s%s", j == 0 ? "" : (j + 1 == n ? " and " : ", "), names[j]);
        add_flag(&R, "shared-dependency", -1, (int)s, m->services[s].pos,
                 "%s is shared by %s: when %s is slow or down they fail together, so they are not independent",
                 m->services[s].name, list.s, m->services[s].name);
        lu_buf_free(&list);
    }
    /* Correlated couplings the availability sections declare (eddy avail):
     * an infra entry that several replicas depend on, and a callee that
     * every replica of its caller calls.  Replicas drawn as redundant are
     * not independent when one outage takes them all down. */
    for (size_t x = 0; x < m->ninfra; x++) {
        lu_buf list = {0};
        long reps = 0;
        size_t nsvc = 0;
        for (size_t s = 0; s < m->nservices; s++)
            for (size_t d = 0; d < m->services[s].ndepends; d++)
                if (m->services[s].depends_on[d].on.infra == (int)x) {
                    const service_spec *S = &m->services[s];
                    if (S->replicas > 1)
                        lu_buf_printf(&list, "%s%s's %ld replicas", nsvc ? ", " : "", S->name, S->replicas);
                    else
                        lu_buf_printf(&list, "%s%s", nsvc ? ", " : "", S->name);
                    nsvc++;
                    reps += S->replicas;
                }
        if (reps >= 2)
            add_flag(&R, "correlated-coupling", -1, -1, m->infra[x].pos,
                     "%s is a dependency of %s: one outage of %s takes them down together, so they are not "
                     "independent (a common cause; `eddy avail` counts it)",
                     m->infra[x].name, list.s, m->infra[x].name);
        lu_buf_free(&list);
    }
    bool avail_model = m->ninfra > 0;
    for (size_t s = 0; s < m->nservices; s++)
        avail_model = avail_model || m->services[s].failures.on;
    for (size_t i = 0; avail_model && i < r->nedges; i++) {
        const review_edge *e = &r->edges[i];
        if (e->client >= 0 || m->services[e->service].replicas < 2)
            continue;
        const call_spec *c = e->spec;
        if ((c->has_cache && m->caches[c->cache].swr > 0) || (c->breaker.on && c->breaker.fallback == FALLBACK_DEFAULT) ||
            (c->bulkhead.on && c->bulkhead.fallback == FALLBACK_DEFAULT))
            continue; /* stale entries or a fallback answer cover the callee's outage */
        const service_spec *S = &m->services[e->service], *T = &m->services[e->callee];
        add_flag(&R, "correlated-coupling", (int)i, e->callee, e->spec->pos,
                 "%s's %ld replicas all call %s (%ld replica%s): when %s is down they fail together, so %s's "
                 "redundancy does not cover it",
                 S->name, S->replicas, T->name, T->replicas, T->replicas == 1 ? "" : "s", T->name, S->name);
    }
    /* Two autoscalers on one service measuring different things: each
     * controller's goal moves the replica count away from the other's, so
     * they fight (DESIGN.md 7: one controller per goal). */
    for (size_t i = 0; i < m->nautoscalers; i++)
        for (size_t j = i + 1; j < m->nautoscalers; j++) {
            const autoscaler_spec *a = &m->autoscalers[i], *b = &m->autoscalers[j];
            if (a->service != b->service || a->metric == b->metric)
                continue;
            const char *svc = m->services[a->service].name;
            add_flag(&R, "fighting-autoscalers", -1, a->service, b->pos,
                     "%s's replicas are set by autoscalers %s (on %s) and %s (on %s): two balancing loops with "
                     "different goals write one replica count, so each undoes the other and the replicas oscillate "
                     "without settling; give %s one controller per goal (or one autoscaler with both metrics)",
                     svc, a->name, scale_metric_name(a->metric), b->name, scale_metric_name(b->metric), svc);
        }
    check_caches(&R);
    check_contracts(&R);
    if (m->nteams || m->platform.has)
        review_teams(r);
    free(R.can_reject);
    free(R.slow_fails);
    free(R.amp_at);
    free(R.bound_at);
    return r;
}

void review_free(review *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->npaths; i++)
        free(r->paths[i].edges);
    free(r->paths);
    for (size_t i = 0; i < r->nflags; i++)
        free(r->flags[i].msg);
    free(r->flags);
    free(r->edges);
    free(r);
}
