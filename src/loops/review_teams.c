/* review_teams.c -- the review's checks of the organisation around the
 * code (review.h): teams, and the platform's defaults.
 *
 *   conway   a call between two teams whose contract is inconsistent: no
 *            timeout; a timeout below the p99 of the callee's own work; a
 *            callee whose own calls may outlast this timeout; retries on
 *            both sides of the boundary, which multiply; or a retried call
 *            that carries a write, anywhere down the chain it starts, that
 *            is not deduped by request.  Conway's law says the interface
 *            mirrors the communication: where the teams do not talk (neither
 *            lists the other in talks_to), nobody reconciles the two halves
 *            of the contract (a warning).  Where they talk, the contract is
 *            no less inconsistent, so it is still flagged, as a note: the
 *            channel to agree on it exists, the agreement does not yet.
 *   unowned  a component on a reinforcing loop that no team owns: nobody
 *            is paged for its part of the loop.
 *
 *   weakens-platform
 *            with `platform:`, an edge's own timeout, retry or breaker (or a
 *            service's own deadlines) that gives up a platform guarantee:
 *            "team storefront raised attempts from 3 to 5 and removed the
 *            budget".
 *
 * conway judges the edge's whole contract: timeout against the callee's
 * p99, retry against idempotency (a retried or hedged call that carries a
 * write, its own `effect: write` or one made anywhere down the chain of
 * calls and publishes it starts, into a service that does not dedupe by the
 * request's key), and for a queue edge
 * (publisher → queue → consumer group) the ack mode and the delivery: acked
 * before processing (a failed delivery is lost), an at_most_once queue
 * carrying writes, a retried publish or a redelivery that the writing
 * service's dedupe key does not catch (docs/messaging.md). */
#include <stdlib.h>
#include <string.h>

#include "../model/platform.h"
#include "analyze.h"
#include "derive.h"
#include "describe.h"
#include "owners.h"
#include "review.h"
#include "util.h"

/* At most this many loops are held when looking for the reinforcing loops
 * a component is on (past it, the strongest of each group). */
#define RT_MAX_LOOPS 5000

static void rt_dur(simtime t, char *buf, size_t size) { desc_duration(t, buf, size); }

static const char *const rt_dedupe_name[] = {"none", "request", "attempt"};

/* One hop of the search below: how the search reached a service. */
typedef struct rt_hop {
    int from;              /* the service it was reached from; -1 for the callee */
    const char *via;       /* a queue's name when it was reached through one, or NULL */
} rt_hop;

/* "checkout→inventory→ledger", the services the search went through from
 * the callee to s (a queue hop shows the queue), into b. */
static void rt_path(const model *m, const rt_hop *hop, int s, lu_buf *b)
{
    if (hop[s].from >= 0) {
        rt_path(m, hop, hop[s].from, b);
        if (hop[s].via)
            lu_buf_printf(b, "\xe2\x86\x92%s", hop[s].via);
        lu_buf_add(b, "\xe2\x86\x92");
    }
    lu_buf_add(b, m->services[s].name);
}

/* A retried or hedged call re-sends what it carries: a write it applies
 * itself, or every write made further down the chain it starts, since
 * each attempt runs the callee's calls again, each with a fresh attempt
 * key, and publishes its messages again, each with a new publish key.
 * Only a dedupe by the request's key catches the copy (docs/messaging.md).
 * The chain is searched breadth first from the callee through calls and
 * through the consumer groups of the queues published to, each service
 * once (so a cycle ends, and the search is bounded by the graph's size),
 * and the first write found, on a shortest path, is reported with it. */
static void rt_idempotency(const model *m, const call_spec *c, const char *callee, lu_buf *b)
{
    if (c->retry.attempts < 2 && !c->hedge.on)
        return;
    const service_spec *t = &m->services[c->to];
    char how[64];
    if (c->hedge.on)
        snprintf(how, sizeof how, "hedged (%d copies)", c->hedge.attempts);
    else
        snprintf(how, sizeof how, "retried (%d attempts)", c->retry.attempts);
    if (c->effect == EFFECT_WRITE && t->dedupe.key != DEDUPE_REQUEST) {
        lu_buf_printf(b,
                      "%sit is a write (effect: write) that is %s, and %s dedupes by %s: an attempt that timed out "
                      "may already have been applied, so its retry applies the write again",
                      b->len ? "; " : "", how, callee, rt_dedupe_name[t->dedupe.key]);
        return;
    }
    rt_hop *hop = xcalloc(m->nservices, sizeof *hop);
    bool *seen = xcalloc(m->nservices, sizeof *seen);
    int *fifo = xcalloc(m->nservices, sizeof *fifo);
    size_t head = 0, tail = 0;
    fifo[tail++] = c->to;
    seen[c->to] = true;
    hop[c->to] = (rt_hop){-1, NULL};
    while (head < tail) {
        int u = fifo[head++];
        const service_spec *sv = &m->services[u];
        for (size_t k = 0; k < sv->ncalls; k++) {
            const call_spec *d = &sv->calls[k];
            if (d->to < 0)
                continue;
            const service_spec *w = &m->services[d->to];
            if (d->effect == EFFECT_WRITE && w->dedupe.key != DEDUPE_REQUEST) {
                lu_buf_printf(b, "%sit is %s, and each attempt makes %s write to %s again (effect: write", b->len ? "; " : "",
                              how, sv->name, w->name);
                if (u != c->to) {
                    lu_buf_add(b, ", along ");
                    rt_path(m, hop, u, b);
                    lu_buf_printf(b, "\xe2\x86\x92%s", w->name);
                }
                lu_buf_printf(b, "), which dedupes by %s: a retry after a timeout applies the write twice",
                              rt_dedupe_name[w->dedupe.key]);
                goto done;
            }
            if (!seen[d->to]) {
                seen[d->to] = true;
                hop[d->to] = (rt_hop){u, NULL};
                fifo[tail++] = d->to;
            }
        }
        for (size_t k = 0; k < sv->npublishes; k++) {
            const call_spec *p = &sv->publishes[k];
            for (size_t g = 0; g < m->nconsumers; g++) {
                const consumer_spec *cg = &m->consumers[g];
                if (cg->queue != p->queue)
                    continue;
                const service_spec *w = &m->services[cg->service];
                if (cg->effect == EFFECT_WRITE && w->dedupe.key != DEDUPE_REQUEST) {
                    lu_buf_printf(b,
                                  "%sit is %s, and each attempt makes %s publish to %s again, under a new key, and "
                                  "consumer group %s writes each message at %s (effect: write, along ",
                                  b->len ? "; " : "", how, sv->name, m->queues[p->queue].name, cg->name, w->name);
                    rt_path(m, hop, u, b);
                    lu_buf_printf(b, "\xe2\x86\x92%s\xe2\x86\x92%s), which dedupes by %s: a retry after a timeout "
                                     "applies the write twice",
                                  m->queues[p->queue].name, w->name, rt_dedupe_name[w->dedupe.key]);
                    goto done;
                }
                if (!seen[cg->service]) {
                    seen[cg->service] = true;
                    hop[cg->service] = (rt_hop){u, m->queues[p->queue].name};
                    fifo[tail++] = cg->service;
                }
            }
        }
    }
done:
    free(fifo);
    free(seen);
    free(hop);
}

/* The reasons an edge's contract is inconsistent, "; "-joined into b. */
static void rt_contract(const model *m, const call_spec *c, const char *callee, lu_buf *b)
{
    const service_spec *t = &m->services[c->to];
    char x[32], y[32];
    if (c->timeout == 0) {
        lu_buf_printf(b, "%sit has no timeout, so the caller waits as long as %s takes", b->len ? "; " : "", callee);
    } else {
        double p99 = dist_p99(&t->service_time);
        if ((double)c->timeout < p99) {
            rt_dur(c->timeout, x, sizeof x);
            rt_dur((simtime)p99, y, sizeof y);
            lu_buf_printf(b,
                          "%sits %s timeout is below the p99 of %s's own work (%s), before any queueing or call: more "
                          "than 1%% of attempts time out on a healthy %s",
                          b->len ? "; " : "", x, callee, y, callee);
        }
    }
    for (size_t k = 0; k < t->ncalls; k++) {
        const call_spec *d = &t->calls[k];
        const char *next = m->services[d->to].name;
        if (c->timeout > 0 && (d->timeout == 0 || d->timeout * d->retry.attempts > c->timeout)) {
            rt_dur(c->timeout, x, sizeof x);
            if (d->timeout == 0)
                lu_buf_printf(b, "%s%s's call to %s has no timeout, so it may outlast this %s timeout", b->len ? "; " : "",
                              callee, next, x);
            else {
                rt_dur(d->timeout * d->retry.attempts, y, sizeof y);
                lu_buf_printf(b,
                              "%s%s's call to %s may take %s (%d x its timeout), longer than this %s timeout: the "
                              "caller gives up while %s works on",
                              b->len ? "; " : "", callee, next, y, d->retry.attempts, x, callee);
            }
        }
        if (c->retry.attempts > 1 && d->retry.attempts > 1)
            lu_buf_printf(b, "%sboth sides retry: %d attempts here times %d at %s\xe2\x86\x92%s, up to %d attempts on %s per request",
                          b->len ? "; " : "", c->retry.attempts, d->retry.attempts, callee, next,
                          c->retry.attempts * d->retry.attempts, next);
    }
    rt_idempotency(m, c, callee, b);
}

/* The conway flag of an interface from team a to team b whose contract is
 * inconsistent.  Where the teams do not talk, nobody reconciles its two
 * halves: a warning.  Talking does not make the contract consistent, so
 * the flag stays, but as a note: the teams have the channel to agree on
 * it, and what they have to agree on is the same. */
static void rt_conway_flag(review *r, int edge, int service, model_pos at, const char *what, int a, int b,
                           const char *kind, const char *why)
{
    const model *m = r->m;
    if (!model_teams_talk(m, a, b)) {
        review_flag_add(r, "conway", edge, service, at,
                        "%s crosses from %s to %s, which do not talk to each other, and its %s is inconsistent: %s. "
                        "Nobody reconciles the two halves of an interface between teams that do not talk (Conway)",
                        what, m->teams[a].name, m->teams[b].name, kind, why);
        return;
    }
    review_flag_add(r, "conway", edge, service, at,
                    "%s crosses from %s to %s, which talk to each other, but its %s is still inconsistent: %s. "
                    "Talking is not agreeing: the two teams have yet to reconcile the two halves of the interface "
                    "and give the %s one owner (Conway)",
                    what, m->teams[a].name, m->teams[b].name, kind, why, kind);
    r->flags[r->nflags - 1].severity = REVIEW_NOTE;
}

static void rt_conway(review *r)
{
    const model *m = r->m;
    for (size_t i = 0; i < r->nedges; i++) {
        const review_edge *e = &r->edges[i];
        const char *caller = e->client >= 0 ? m->clients[e->client].name : m->services[e->service].name;
        const char *callee = m->services[e->callee].name;
        int a = model_owner(m, caller), b = model_owner(m, callee);
        if (a < 0 || b < 0 || a == b)
            continue;
        lu_buf why = {0};
        rt_contract(m, e->spec, callee, &why);
        if (why.len)
            rt_conway_flag(r, (int)i, e->callee, e->spec->pos, e->name, a, b, "contract", why.s);
        lu_buf_free(&why);
    }
}

/* The same for the queue edges of the messaging model: a publisher and
 * the consumer group that drains its queue, in teams that do not talk
 * (the group's owner, or its service's), where the delivery contract is
 * inconsistent.  The ack mode: a group that acks before processing turns
 * the queue's at-least-once into at-most-once, so a delivery that fails is
 * lost.  For a write: an at_most_once queue loses it the same way; a
 * retried publish stores the message twice, with a new publish key, which
 * only dedupe by request catches; a redelivery repeats the publish key,
 * which dedupe by attempt catches too. */
static void rt_conway_queue(review *r, const char *publisher, const call_spec *pub)
{
    const model *m = r->m;
    int a = model_owner(m, publisher);
    for (size_t g = 0; a >= 0 && g < m->nconsumers; g++) {
        const consumer_spec *cg = &m->consumers[g];
        if (cg->queue != pub->queue)
            continue;
        const service_spec *sv = &m->services[cg->service];
        const bqueue_spec *q = &m->queues[cg->queue];
        int b = model_owner(m, cg->name);
        if (b < 0)
            b = model_owner(m, sv->name);
        if (b < 0 || a == b)
            continue;
        bool write = cg->effect == EFFECT_WRITE, alo = q->delivery == DELIVERY_AT_LEAST_ONCE;
        const char *key = rt_dedupe_name[sv->dedupe.key];
        lu_buf why = {0};
        model_pos at = cg->pos;
        if (cg->ack == ACK_BEFORE_PROCESSING && alo) {
            lu_buf_printf(&why,
                          "consumer group %s acks before processing, so queue %s's at-least-once delivery is at most "
                          "once: a delivery that fails loses its %s",
                          cg->name, q->name, write ? "write" : "message");
            if (cg->ack_pos.line)
                at = cg->ack_pos;
        }
        /* the flag points at the first part of the contract at fault */
        if (write && !alo) {
            if (!why.len && q->delivery_pos.line)
                at = q->delivery_pos;
            lu_buf_printf(&why, "%squeue %s delivers at most once, so a delivery that fails loses its write",
                          why.len ? "; " : "", q->name);
        }
        if (!why.len && cg->effect_pos.line)
            at = cg->effect_pos;
        if (write && pub->retry.attempts > 1 && sv->dedupe.key != DEDUPE_REQUEST)
            lu_buf_printf(&why,
                          "%s%s retries its publishes (%d attempts) and %s dedupes by %s: a publish retried after a "
                          "lost ack stores the message twice, under a new key, and its write is applied twice",
                          why.len ? "; " : "", publisher, pub->retry.attempts, sv->name, key);
        else if (write && alo && cg->ack == ACK_AFTER_PROCESSING && sv->dedupe.key == DEDUPE_NONE)
            lu_buf_printf(&why,
                          "%squeue %s redelivers a message whose ack did not come within its visibility timeout, "
                          "and %s does not dedupe: the redelivered write is applied twice",
                          why.len ? "; " : "", q->name, sv->name);
        if (why.len) {
            lu_buf what = {0};
            lu_buf_printf(&what, "%s\xe2\x86\x92%s\xe2\x86\x92%s (consumer group %s)", publisher, q->name, sv->name,
                          cg->name);
            rt_conway_flag(r, -1, cg->service, at, what.s, a, b, "delivery contract", why.s);
            lu_buf_free(&what);
        }
        lu_buf_free(&why);
    }
}

/* Where a component was declared. */
static model_pos rt_pos(const model *m, const char *name)
{
    int k;
    if ((k = model_find_service(m, name)) >= 0)
        return m->services[k].pos;
    if ((k = model_find_client(m, name)) >= 0)
        return m->clients[k].pos;
    if ((k = model_find_cache(m, name)) >= 0)
        return m->caches[k].pos;
    for (size_t i = 0; i < m->nautoscalers; i++)
        if (!strcmp(m->autoscalers[i].name, name))
            return m->autoscalers[i].pos;
    return (model_pos){0, 0};
}

static void rt_unowned(review *r)
{
    const model *m = r->m;
    cld_graph *g = derive_graph(m);
    loop_analysis *a = loops_analyze_bounded(g, RT_MAX_LOOPS, 1);
    owners_report o;
    owners_analyze(a, m, &o);
    char **seen = xcalloc(g->nvars + 1, sizeof *seen);
    size_t nseen = 0;
    for (size_t i = 0; i < a->n; i++) {
        const cld_loop *L = &a->loops[i];
        if (L->type != 'R' || !o.loops[i].unowned)
            continue;
        for (size_t j = 0; j < L->len; j++) {
            const cld_var *v = &g->vars[L->vars[j]];
            if (o.var_team[L->vars[j]] >= 0)
                continue;
            bool dup = false;
            for (size_t k = 0; k < nseen && !dup; k++)
                dup = !strcmp(seen[k], v->entity);
            if (dup)
                continue;
            seen[nseen++] = v->entity;
            char *teams = owners_team_list(&o, i);
            review_flag_add(r, "unowned", -1, model_find_service(m, v->entity), rt_pos(m, v->entity),
                            "%s is on reinforcing loop %s%s%s%s and no team owns it: nobody is paged for its part of "
                            "the loop; give it an owner in teams:",
                            v->entity, L->name, teams[0] ? " (with " : "", teams, teams[0] ? ")" : "");
            free(teams);
        }
    }
    free(seen);
    owners_free(&o);
    loops_free(a);
    cld_free(g);
}

/* "team storefront", or the component itself when no team owns it. */
static void rt_who(const model *m, const char *component, char *buf, size_t size)
{
    int t = model_owner(m, component);
    if (t >= 0)
        snprintf(buf, size, "team %s", m->teams[t].name);
    else
        snprintf(buf, size, "%s", component);
}

static void rt_platform(review *r)
{
    const model *m = r->m;
    char what[512], who[160];
    for (size_t i = 0; i < r->nedges; i++) {
        const review_edge *e = &r->edges[i];
        const call_spec *c = e->spec;
        platform_weakened(m, c, what, sizeof what);
        if (!what[0])
            continue;
        const char *caller = e->client >= 0 ? m->clients[e->client].name : m->services[e->service].name;
        rt_who(m, caller, who, sizeof who);
        unsigned over = c->written & m->platform.has;
        model_pos at = over & PLATFORM_RETRY ? c->retry.pos : over & PLATFORM_TIMEOUT ? c->timeout_pos : c->pos;
        review_flag_add(r, "weakens-platform", (int)i, e->callee, at,
                        "%s %s on %s: the platform's guarantee does not hold on this edge", who, what, e->name);
    }
    for (size_t s = 0; s < m->nservices; s++) {
        platform_weakened_service(m, &m->services[s], what, sizeof what);
        if (!what[0])
            continue;
        rt_who(m, m->services[s].name, who, sizeof who);
        review_flag_add(r, "weakens-platform", -1, (int)s, m->services[s].pos,
                        "%s %s on %s: work whose caller has given up is still done there", who, what,
                        m->services[s].name);
    }
}

void review_teams(review *r)
{
    if (r->m->nteams) {
        rt_conway(r);
        const model *m = r->m;
        for (size_t c = 0; c < m->nclients; c++)
            if (m->clients[c].call.to < 0)
                rt_conway_queue(r, m->clients[c].name, &m->clients[c].call);
        for (size_t s = 0; s < m->nservices; s++)
            for (size_t k = 0; k < m->services[s].npublishes; k++)
                rt_conway_queue(r, m->services[s].name, &m->services[s].publishes[k]);
        rt_unowned(r);
    }
    if (r->m->platform.has)
        rt_platform(r);
}
