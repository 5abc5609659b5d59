/* review_teams.c -- the review's checks of the organisation around the
 * code (review.h): teams, and the platform's defaults.
 *
 *   conway   a call between teams that do not talk to each other (neither
 *            lists the other in talks_to) whose contract is inconsistent:
 *            no timeout; a timeout below the p99 of the callee's own work;
 *            a callee whose own calls may outlast this timeout; or retries
 *            on both sides of the boundary, which multiply.  Conway's law
 *            says the interface mirrors the communication: where the teams
 *            do not talk, nobody reconciles the two halves of the contract.
 *   unowned  a component on a reinforcing loop that no team owns: nobody
 *            is paged for its part of the loop.
 *
 *   weakens-platform
 *            with `platform:`, an edge's own timeout, retry or breaker (or a
 *            service's own deadlines) that gives up a platform guarantee:
 *            "team storefront raised attempts from 3 to 5 and removed the
 *            budget".
 *
 * For a queue edge (publisher → queue → consumer group with effect:
 * write), conway judges the delivery contract: acked before processing, or
 * delivered at least once to a service that does not dedupe by request. */
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
}

static void rt_conway(review *r)
{
    const model *m = r->m;
    for (size_t i = 0; i < r->nedges; i++) {
        const review_edge *e = &r->edges[i];
        const char *caller = e->client >= 0 ? m->clients[e->client].name : m->services[e->service].name;
        const char *callee = m->services[e->callee].name;
        int a = model_owner(m, caller), b = model_owner(m, callee);
        if (a < 0 || b < 0 || a == b || model_teams_talk(m, a, b))
            continue;
        lu_buf why = {0};
        rt_contract(m, e->spec, callee, &why);
        if (why.len)
            review_flag_add(r, "conway", (int)i, e->callee, e->spec->pos,
                            "%s crosses from %s to %s, which do not talk to each other, and its contract is "
                            "inconsistent: %s. Nobody reconciles the two halves of an interface between teams that do "
                            "not talk (Conway)",
                            e->name, m->teams[a].name, m->teams[b].name, why.s);
        lu_buf_free(&why);
    }
}

/* The same for the queue edges of the messaging model: a publisher and
 * the consumer group that drains its queue, in teams that do not talk,
 * where the delivery contract of a write is inconsistent: delivered at
 * least once to a service that does not dedupe by the request's key
 * (duplicates), or acked before processing (lost on a failure). */
static void rt_conway_queue(review *r, const char *publisher, const call_spec *pub)
{
    const model *m = r->m;
    int a = model_owner(m, publisher);
    for (size_t g = 0; a >= 0 && g < m->nconsumers; g++) {
        const consumer_spec *cg = &m->consumers[g];
        if (cg->queue != pub->queue || cg->effect != EFFECT_WRITE)
            continue;
        const service_spec *sv = &m->services[cg->service];
        const bqueue_spec *q = &m->queues[cg->queue];
        int b = model_owner(m, sv->name);
        if (b < 0 || a == b || model_teams_talk(m, a, b))
            continue;
        lu_buf why = {0};
        if (cg->ack == ACK_BEFORE_PROCESSING)
            lu_buf_printf(&why, "consumer group %s acks before processing, so a delivery that fails loses its write",
                          cg->name);
        else if (q->delivery == DELIVERY_AT_LEAST_ONCE && sv->dedupe.key != DEDUPE_REQUEST)
            lu_buf_printf(&why,
                          "queue %s delivers at least once and %s does not dedupe by the request's key, so a "
                          "redelivered or republished message applies its write twice",
                          q->name, sv->name);
        if (why.len)
            review_flag_add(r, "conway", -1, cg->service, cg->pos,
                            "%s\xe2\x86\x92%s\xe2\x86\x92%s (consumer group %s) crosses from %s to %s, which do not "
                            "talk to each other, and its delivery contract is inconsistent: %s. Nobody reconciles the "
                            "two halves of an interface between teams that do not talk (Conway)",
                            publisher, q->name, sv->name, cg->name, m->teams[a].name, m->teams[b].name, why.s);
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
    char **seen = lu_alloc(g->nvars + 1, sizeof *seen);
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
