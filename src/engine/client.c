/* client.c -- where load comes from: open-loop arrivals and closed-loop users.
 *
 * Open loop is the default (DESIGN.md 3.1): user requests arrive as a
 * Poisson process at the offered rate however slow the system gets, which
 * is what makes collapse possible.  The rate may step over time; because
 * the exponential is memoryless, a gap that crosses a step boundary is
 * simply redrawn from the boundary at the new rate, which is exact.
 * Closed-loop users wait for their answer, then think, then ask again. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim.h"
#include "../core/xalloc.h"

static void schedule_arrival(sim *s, client_rt *c, simtime from)
{
    const client_spec *sp = c->spec;
    simtime t = from;
    for (;;) {
        while (c->step < sp->nsteps && sp->steps[c->step].at <= t)
            c->step++;
        double rate = c->step > 0 ? sp->steps[c->step - 1].rate : 0;
        simtime boundary = c->step < sp->nsteps ? sp->steps[c->step].at : T_NEVER;
        if (rate <= 0) {
            if (boundary == T_NEVER)
                return; /* no more load from this client */
            t = boundary;
            continue;
        }
        double gap = dist_exp(&c->rng_arrival, 1e9 / rate);
        if ((double)t + gap >= (double)boundary) {
            t = boundary;
            continue;
        }
        simtime at = t + (simtime)(gap + 0.5);
        if (at > s->end)
            return;
        sim_at(s, &c->arrival, EV_ARRIVAL, at);
        return;
    }
}

void client_init(sim *s, client_rt *c, const client_spec *spec)
{
    c->spec = spec;
    c->edge.spec = &spec->call;
    c->edge.client = c;
    c->edge.retry_enabled = true;
    if (spec->call.queue >= 0) { /* a publish */
        c->edge.bq = &s->queues[spec->call.queue];
    } else {
        c->edge.to = &s->services[spec->call.to];
        c->edge.lane = service_lane_for(&s->m->services[spec->call.to], spec->name);
    }
    rng_stream(&c->edge.rng, s->seed, spec->name, RNG_EDGE);
    rng_stream(&c->rng_arrival, s->seed, spec->name, RNG_ARRIVAL);
    rng_stream(&c->rng_shed, s->seed, spec->name, RNG_SHED);
    rng_stream(&c->rng_think, s->seed, spec->name, RNG_THINK);
    rng_stream(&c->rng_instance, s->seed, spec->name, RNG_INSTANCE);
    char name[300];
    snprintf(name, sizeof name, "%s->%s", spec->name, call_target_name(s->m, &spec->call));
    edge_init(&c->edge, name, spec->instances);
    hist_init(&c->lat_cur);
    hist_init(&c->lat_tot);
}

void client_start(sim *s, client_rt *c)
{
    if (!c->spec->closed) {
        schedule_arrival(s, c, 0);
        return;
    }
    c->users = xcalloc((size_t)c->spec->users, sizeof *c->users);
    /* Each user starts with a think drawn from the think distribution, so
     * (unless think is constant) users are not synchronised by the start. */
    for (long i = 0; i < c->spec->users; i++) {
        c->users[i].client = c;
        c->users[i].inst = (uint32_t)(i % c->spec->instances); /* users spread evenly */
        sim_at(s, &c->users[i].think, EV_THINK, dist_sample(&c->spec->think, &c->rng_think));
    }
}

static void new_request(sim *s, client_rt *c, user *u)
{
    c->cur.requests++;
    if (c->shed > 0 && rng_unif(&c->rng_shed) < c->shed) {
        c->cur.shed++;
        c->cur.failed++;
        if (u)
            sim_at(s, &u->think, EV_THINK, s->now + dist_sample(&c->spec->think, &c->rng_think));
        return;
    }
    ureq *q = pool_take(&s->ureqs); /* put back idle: see finish() */
    q->start = s->now;
    q->call.inst = 0;
    q->client = c;
    q->user = u;
    q->w = ledger_new(s);
    /* which client instance: the user's own, or one at random for open
     * loop (a load balancer in front of the client fleet) */
    if (u)
        q->call.inst = u->inst;
    else if (c->spec->instances > 1)
        q->call.inst = (uint32_t)rng_below(&c->rng_instance, (uint64_t)c->spec->instances);
    if (c->spec->deadline > 0)
        sim_timer(s, &q->deadline, EV_DEADLINE, s->now + c->spec->deadline);
    call_begin(s, &q->call, &c->edge, CALLER_USER);
}

void client_on_arrival(sim *s, client_rt *c)
{
    schedule_arrival(s, c, s->now);
    new_request(s, c, NULL);
}

void client_on_think(sim *s, user *u) { new_request(s, u->client, u); }

static void finish(sim *s, ureq *q, status st)
{
    client_rt *c = q->client;
    if (st == ST_OK) {
        c->cur.goodput++;
        hist_add(&c->lat_cur, s->now - q->start);
    } else {
        c->cur.failed++;
    }
    evq_cancel(&s->q, &q->deadline);
    if (q->w) { /* what the user was told; the record lives on while attempts or messages carry it */
        ledger_told(q->w, st == ST_OK);
        ledger_unref(s, q->w);
    }
    user *u = q->user;
    assert(!ev_pending(&q->call.timer));
    pool_put(&s->ureqs, q);
    if (u)
        sim_at(s, &u->think, EV_THINK, s->now + dist_sample(&c->spec->think, &c->rng_think));
}

void client_call_done(sim *s, ureq *q, status st) { finish(s, q, st); }

/* The deadline covers the whole user request, retries and backoff included. */
void client_on_deadline(sim *s, ureq *q)
{
    call_abandon(s, &q->call);
    finish(s, q, ST_DEADLINE);
}
