/* call.c -- one logical call along an edge: attempts, timeouts, retries.
 *
 * A call sends an attempt and starts the attempt's timer.  The attempt ends
 * in one of four ways: a success, an error, a rejection (full queue, service
 * down) or the timeout.  A timeout *abandons* the attempt: the callee is
 * not told and finishes the work anyway (DESIGN.md 3.3).  Each failure may
 * be retried, after a backoff, as a new and independent attempt (3.7).
 * When the call ends it reports to its owner: a user request, or a service
 * job waiting on a downstream call. */
#include <math.h>

#include "sim.h"

static void send_attempt(sim *s, caller *c);

void call_begin(sim *s, caller *c, edge_rt *e, int kind)
{
    c->edge = e;
    c->kind = (uint8_t)kind;
    c->attempt = 0;
    c->prev_sleep = e->spec->retry.base;
    send_attempt(s, c);
}

static void call_end(sim *s, caller *c, status st)
{
    c->state = CALL_IDLE;
    if (c->kind == CALLER_USER)
        client_call_done(s, container_of(c, ureq, call), st);
    else
        service_call_done(s, container_of(c, req, down), st);
}

static void send_attempt(sim *s, caller *c)
{
    edge_rt *e = c->edge;
    const call_spec *spec = e->spec;
    c->attempt++;
    s->attempts++;
    e->attempts++;
    if (c->attempt > 1)
        e->retries++;
    if (e->client) {
        if (c->attempt == 1)
            e->client->cur.offered++;
        else
            e->client->cur.retries++;
    }
    req *r = pool_get(&s->reqs);
    r->from = c;
    r->edge = e;
    r->state = REQ_TRANSIT;
    c->out = r;
    c->state = CALL_WAITING;
    if (spec->timeout > 0)
        sim_at(s, &c->timer, EV_CALL_TIMER, s->now + spec->timeout);

    simtime delay = e->to->add_latency;
    if (spec->has_latency)
        delay += dist_sample(&spec->latency, &e->rng);
    if (delay > 0)
        sim_at(s, &r->ev, EV_REQ_ARRIVE, s->now + delay);
    else
        service_arrive(s, r);
}

/* Backoff before retry number n = c->attempt (the retry about to be made is
 * attempt n+1), following AWS's "Exponential Backoff and Jitter" formulas. */
simtime call_backoff(const retry_policy *r, caller *c, rng *g)
{
    if (r->backoff == BACKOFF_NONE)
        return 0;
    double cap = (double)r->base;
    if (r->backoff == BACKOFF_EXPONENTIAL) {
        cap = (double)r->base * pow(r->multiplier, c->attempt - 1);
        if (cap > (double)r->max)
            cap = (double)r->max;
    }
    double d;
    switch (r->jitter) {
    case JITTER_FULL:
        d = cap * rng_unif(g);
        break;
    case JITTER_EQUAL:
        d = cap / 2 + cap / 2 * rng_unif(g);
        break;
    case JITTER_DECORRELATED: {
        /* sleep = min(max, uniform(base, prev_sleep * 3)) */
        double lo = (double)r->base, hi = (double)c->prev_sleep * 3;
        d = lo + (hi - lo) * rng_unif(g);
        if (d > (double)r->max)
            d = (double)r->max;
        c->prev_sleep = (simtime)d;
        break;
    }
    default:
        d = cap;
        break;
    }
    return (simtime)(d + 0.5);
}

static bool may_retry(const caller *c, status st)
{
    const retry_policy *r = &c->edge->spec->retry;
    if (c->attempt >= r->attempts || !c->edge->retry_enabled)
        return false;
    unsigned bit = st == ST_TIMEOUT ? RETRY_ON_TIMEOUT : st == ST_ERROR ? RETRY_ON_ERROR : RETRY_ON_REJECT;
    return (r->on & bit) != 0;
}

static void retry_or_end(sim *s, caller *c, status st)
{
    if (!may_retry(c, st)) {
        call_end(s, c, st);
        return;
    }
    simtime d = call_backoff(&c->edge->spec->retry, c, &c->edge->rng);
    if (d > 0) {
        c->state = CALL_BACKOFF;
        sim_at(s, &c->timer, EV_CALL_TIMER, s->now + d);
    } else {
        send_attempt(s, c);
    }
}

void call_on_response(sim *s, caller *c, status st)
{
    evq_cancel(&s->q, &c->timer);
    c->out = NULL;
    if (st == ST_OK)
        call_end(s, c, ST_OK);
    else
        retry_or_end(s, c, st);
}

void call_on_timer(sim *s, caller *c)
{
    if (c->state == CALL_BACKOFF) {
        send_attempt(s, c);
        return;
    }
    /* The attempt's timeout: give up on it, but do not cancel it. */
    if (c->out) {
        c->out->from = NULL;
        c->out = NULL;
    }
    c->edge->timeouts++;
    if (c->edge->client)
        c->edge->client->cur.timeouts++;
    retry_or_end(s, c, ST_TIMEOUT);
}

/* The owner gives up on the whole call (a deadline, a crash of the caller):
 * abandon the outstanding attempt and stop the timer, without reporting. */
void call_abandon(sim *s, caller *c)
{
    evq_cancel(&s->q, &c->timer);
    if (c->out) {
        c->out->from = NULL;
        c->out = NULL;
    }
    c->state = CALL_IDLE;
}
