/* consumer.c -- consumer groups: the workers that drain a broker queue.
 *
 * A group holds up to `concurrency` deliveries per serving replica of its
 * service.  A delivery receives up to `batch` messages and handles them as
 * one attempt at that replica (its queue, workers, service time, errors and
 * downstream calls), pinned there, so that a replica that crashes loses the
 * deliveries it holds.  What then happens to the messages is the contract:
 *
 *   ack: before_processing, or an at_most_once queue: the broker deleted
 *       them on receipt, so a failure or a crash loses them;
 *   ack: after_processing: a success acks them; a failure nacks them
 *       (visible at once), leaves them for the visibility timeout
 *       (retry_later), or acks them anyway (drop); a crash leaves them in
 *       flight, to come back after the visibility timeout.
 *
 * A group with effect: write applies each message's write on success, at
 * its service (ledger.c); a batch's attempts carry a batch record, so the
 * writes they make downstream count for each of its messages.  On a topic
 * the group drains its own subscription (broker.c).  A freed slot takes the next message at once;
 * free slots are counted so that a publish into a saturated group costs
 * nothing to look for one. */
#include <stdio.h>
#include <stdlib.h>

#include "sim.h"
#include "../core/xalloc.h"

void consumer_init(sim *s, group_rt *g, const consumer_spec *spec)
{
    g->spec = spec;
    bqueue_rt *q = &s->queues[spec->queue];
    if (spec->queue >= 0 && q->spec->topic) { /* its own subscription: a copy of every message */
        broker_init(s, &g->sub, q->spec);
        g->sub.topic = q;
        g->sub.dlq = q->dlq;
        bqueue_rt **v = xrealloc(q->subs, (q->nsubs + 1) * sizeof *v);
        v[q->nsubs++] = &g->sub;
        q->subs = v;
        q = &g->sub;
    }
    g->q = q;
    q->group = g;
    g->svc = &s->services[spec->service];
    g->site = -1;
    g->inflight = xcalloc((size_t)g->svc->nreps, sizeof *g->inflight);
    g->recount = true;
    pool_init(&g->deliveries, sizeof(delivery) + (size_t)spec->batch * sizeof(msg *));
    edge_rt *e = &g->edge;
    e->spec = &spec->call;
    e->to = g->svc;
    e->group = g;
    e->site = -1; /* its writes are applied per message, in consumer_on_done */
    e->retry_enabled = true;
    e->lane = service_lane_for(g->svc->spec, spec->name);
    rng_stream(&e->rng, s->seed, spec->name, RNG_EDGE);
    edge_init(e, spec->name, g->svc->nreps);
    service_rt *v = g->svc;
    group_rt **gs = xrealloc(v->groups, (v->ngroups + 1) * sizeof *gs);
    gs[v->ngroups++] = g;
    v->groups = gs;
}

void consumer_free(sim *s, group_rt *g)
{
    if (g->q == &g->sub)
        broker_free(s, &g->sub);
    edge_free(&g->edge);
    free(g->inflight);
    pool_free_all(&g->deliveries);
}

void consumer_gauge(sim *s, group_rt *g)
{
    g->area_msgs += (double)(s->now - g->last_change) * (double)g->msgs;
    g->last_change = s->now;
}

static bool serving(const service_rt *v, long i)
{
    return v->scaled ? v->reps[i].state == REP_SERVING : i < v->nup;
}

void consumer_replicas_changed(sim *s, service_rt *v)
{
    (void)s;
    for (size_t k = 0; k < v->ngroups; k++)
        v->groups[k]->recount = true;
}

static void recount(group_rt *g)
{
    service_rt *v = g->svc;
    g->free = 0;
    for (long i = 0; i < v->nreps; i++)
        if (serving(v, i) && g->inflight[i] < g->spec->concurrency)
            g->free += g->spec->concurrency - g->inflight[i];
    g->recount = false;
}

static long find_slot(group_rt *g)
{
    service_rt *v = g->svc;
    for (long k = 0; k < v->nreps; k++) {
        long i = (g->cursor + k) % v->nreps;
        if (serving(v, i) && g->inflight[i] < g->spec->concurrency) {
            g->cursor = i;
            return i;
        }
    }
    return -1;
}

/* One delivery on replica slot i, if a message is ready. */
static bool deliver(sim *s, group_rt *g, long i)
{
    delivery *d = pool_get(&g->deliveries);
    d->g = g;
    d->rep = i;
    msg *m;
    while (d->n < (uint32_t)g->spec->batch && (m = broker_take(s, g->q)))
        d->m[d->n++] = m;
    if (!d->n) {
        pool_put(&g->deliveries, d);
        return false;
    }
    d->w = d->n > 1 ? ledger_batch(s, d->m, d->n) : NULL;
    consumer_gauge(s, g);
    g->msgs += d->n;
    g->inflight[i]++;
    g->busy++;
    g->free--;
    d->call.inst = (uint32_t)i;
    call_begin(s, &d->call, &g->edge, CALLER_CONSUMER);
    return true;
}

/* Deliveries are started here only: a delivery that ends at once (its
 * service refused it) calls back in, and is left to the loop running; the
 * loop starts at most as many deliveries as there were free slots when it
 * began, so a message refused and nacked at once waits for the next event
 * instead of spinning at one instant. */
void consumer_kick(sim *s, group_rt *g)
{
    if (g->kicking)
        return;
    g->kicking = true;
    if (g->recount)
        recount(g);
    for (long budget = g->free; budget > 0 && g->free > 0 && g->q->len > 0; budget--) {
        long i = find_slot(g);
        if (i < 0) { /* cannot happen while `free` is exact: recount rather than trust it */
            g->recount = true;
            break;
        }
        if (!deliver(s, g, i))
            break; /* only tombstones and expired messages were left */
        if (g->recount)
            recount(g);
    }
    g->kicking = false;
}

replica *consumer_replica(service_rt *v, req *r)
{
    return &v->reps[container_of(r->from, delivery, call)->rep];
}

/* The delivery no longer holds its slot. */
static void end_delivery(sim *s, delivery *d)
{
    group_rt *g = d->g;
    consumer_gauge(s, g);
    g->msgs -= d->n;
    g->inflight[d->rep]--;
    g->busy--;
    if (!g->recount && serving(g->svc, d->rep))
        g->free++;
}

void consumer_on_done(sim *s, caller *c, status st)
{
    delivery *d = container_of(c, delivery, call);
    group_rt *g = d->g;
    end_delivery(s, d);
    for (uint32_t k = 0; k < d->n; k++) {
        msg *m = d->m[k];
        if (st == ST_OK) {
            g->cur.processed++;
            if (g->site >= 0)
                ledger_apply(s, g->site, m->w, m->akey);
            broker_ack(s, m);
        } else {
            g->cur.failed++;
            if (g->spec->on_failure == ONFAIL_NACK)
                broker_nack(s, m);
            else if (g->spec->on_failure == ONFAIL_DROP)
                broker_ack(s, m);
            /* retry_later: the visibility timeout brings it back */
        }
        broker_release(s, m);
    }
    if (d->w)
        ledger_unref(s, d->w);
    pool_put(&g->deliveries, d);
    consumer_kick(s, g);
}

/* The replica crashed with the delivery: its messages were either deleted
 * on receipt (gone) or are still in flight (back after the visibility
 * timeout).  No new delivery here: the replica is down, and the group
 * recounts its slots when the service's replicas change. */
void consumer_lost(sim *s, caller *c)
{
    delivery *d = container_of(c, delivery, call);
    group_rt *g = d->g;
    end_delivery(s, d);
    g->cur.failed += d->n;
    for (uint32_t k = 0; k < d->n; k++)
        broker_release(s, d->m[k]);
    if (d->w)
        ledger_unref(s, d->w);
    pool_put(&g->deliveries, d);
}
