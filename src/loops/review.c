/* review.c -- reviewing the call edges of a model for their dynamics. */
#include "review.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "describe.h"
#include "util.h"

const char *const review_not_covered =
    "fail fast and serve a fallback need circuit breakers and caches, and a retry budget would make a retry not "
    "naked; none of these is in the model yet, so no edge can show them";

const char *review_action_name(slow_action a)
{
    static const char *const n[] = {"wait", "time out", "retry", "fail fast", "serve a fallback"};
    return n[a];
}

typedef struct rv {
    review *r;
    const model *m;
    size_t capedges, cappaths, capflags;
    bool *can_reject, *slow_fails;
    double *amp_at; /* worst attempts per user request arriving at a service */
} rv;

static void add_flag(rv *R, const char *code, int edge, int service, model_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static void add_flag(rv *R, const char *code, int edge, int service, model_pos pos, const char *fmt, ...)
{
    review *r = R->r;
    lu_reserve((void **)&r->flags, &R->capflags, r->nflags + 1, sizeof *r->flags);
    review_flag *f = &r->flags[r->nflags++];
    f->code = code;
    f->edge = edge;
    f->service = service;
    f->pos = pos;
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    f->msg = lu_alloc((size_t)(n < 0 ? 0 : n) + 1, 1);
    vsnprintf(f->msg, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap2);
    va_end(ap2);
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
                if (!R->slow_fails[i] && (c->timeout > 0 || R->can_reject[c->to] || R->slow_fails[c->to]))
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
    snprintf(e->why, sizeof e->why, "%s", why.s);
    lu_buf_free(&why);
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
        R->amp_at[s] = called ? 0 : 1;
    }
    for (size_t pass = 0; pass <= m->nservices; pass++) {
        bool changed = false;
        for (size_t i = 0; i < r->nedges; i++) {
            review_edge *e = &r->edges[i];
            double in = e->client >= 0 ? 1.0 : R->amp_at[e->service];
            double out = in * e->spec->retry.attempts;
            e->worst_amp = out;
            if (out > R->amp_at[e->callee]) {
                R->amp_at[e->callee] = out;
                changed = true;
            }
        }
        if (!changed)
            break;
    }
}

/* Every path from a client to a service that calls nothing further. */
static void paths_from(rv *R, int *stack, size_t depth, int service, double amp)
{
    review *r = R->r;
    const service_spec *s = &R->m->services[service];
    bool leaf = true;
    for (size_t k = 0; k < s->ncalls && !r->paths_capped; k++) {
        for (size_t i = 0; i < r->nedges; i++)
            if (r->edges[i].client < 0 && r->edges[i].service == service && r->edges[i].call == (int)k) {
                leaf = false;
                stack[depth] = (int)i;
                paths_from(R, stack, depth + 1, s->calls[k].to, amp * s->calls[k].retry.attempts);
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
    p->edges = lu_alloc(depth, sizeof *p->edges);
    memcpy(p->edges, stack, depth * sizeof *stack);
    p->amp = amp;
    if (amp > r->worst_amp)
        r->worst_amp = amp;
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

review *review_model(const model *m)
{
    rv R = {0};
    R.m = m;
    R.r = lu_alloc(1, sizeof *R.r);
    R.r->m = m;
    size_t ns = m->nservices ? m->nservices : 1;
    R.can_reject = lu_alloc(ns, sizeof *R.can_reject);
    R.slow_fails = lu_alloc(ns, sizeof *R.slow_fails);
    R.amp_at = lu_alloc(ns, sizeof *R.amp_at);
    classify(&R);

    for (size_t i = 0; i < m->nclients; i++)
        add_edge(&R, (int)i, -1, -1, &m->clients[i].call);
    for (size_t s = 0; s < m->nservices; s++)
        for (size_t k = 0; k < m->services[s].ncalls; k++)
            add_edge(&R, -1, (int)s, (int)k, &m->services[s].calls[k]);
    review *r = R.r;
    for (size_t i = 0; i < r->nedges; i++)
        judge(&R, &r->edges[i]);
    amplification(&R);
    int *stack = lu_alloc(m->nservices + 2, sizeof *stack);
    for (size_t i = 0; i < r->nedges && !r->paths_capped; i++)
        if (r->edges[i].client >= 0) {
            stack[0] = (int)i;
            paths_from(&R, stack, 1, r->edges[i].callee, r->edges[i].spec->retry.attempts);
        }
    free(stack);

    /* flags, edge by edge, then the shared dependencies */
    for (size_t i = 0; i < r->nedges; i++) {
        review_edge *e = &r->edges[i];
        const call_spec *c = e->spec;
        const char *callee = m->services[c->to].name;
        const char *caller = e->client >= 0 ? m->clients[e->client].name : m->services[e->service].name;
        if (c->retry.attempts > 1 && c->retry.backoff == BACKOFF_NONE) {
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
    free(R.can_reject);
    free(R.slow_fails);
    free(R.amp_at);
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
