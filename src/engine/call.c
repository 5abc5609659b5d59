/* call.c -- one logical call along an edge: attempts, timeouts, retries.
 *
 * A call sends an attempt and starts the attempt's timer.  The attempt ends
 * in one of four ways: a success, an error, a rejection (full queue, service
 * down, no connection) or the timeout.  A timeout *abandons* the attempt:
 * the callee is not told and finishes the work anyway (DESIGN.md 3.3).
 * Each failure may be retried, after a backoff, as a new and independent
 * attempt (3.7).  When the call ends it reports to its owner: a user
 * request, or a service job waiting on a downstream call.
 *
 * The edge's mechanisms act here, in the order a real client stacks them
 * (retry outside, breaker and pool inside): the circuit breaker may refuse
 * an attempt before it starts; the attempt then needs a connection from the
 * pool; its outcome feeds the breaker and the retry budget; and a retry
 * goes out only if the budget has room.  A caller-side bulkhead
 * (bulkhead.c) sits between the breaker and the pool: an attempt needs one
 * of its permits before it may take a connection.  A hedged edge (hedge.c)
 * makes each attempt a group of copies sent `delay` apart; the retry loop
 * here sees the group as one attempt.
 *
 * A look-aside cache sits outside all of that (cache.c): a call on an edge
 * with a cache first looks its key up, and only a miss goes to the origin
 * through retries, breaker and pool. */
#include <math.h>

#include "sim.h"

static void send_attempt(sim *s, caller *c);
static void send_gated(sim *s, caller *c);

static budget_rt *budget_of(const caller *c)
{
    edge_rt *e = c->edge;
    return e->budgets ? &e->budgets[e->nbudgets == 1 ? 0 : c->inst] : NULL;
}

void call_begin(sim *s, caller *c, edge_rt *e, int kind)
{
    c->edge = e;
    c->kind = (uint8_t)kind;
    if (e->cache && cache_lookup(s, c))
        return; /* a hit, or waiting on another call's answer */
    c->attempt = 0;
    c->prev_sleep = e->spec->retry.base;
    send_attempt(s, c);
}

void call_start_origin(sim *s, caller *c)
{
    c->attempt = 0;
    c->prev_sleep = c->edge->spec->retry.base;
    send_attempt(s, c);
}

void call_report(sim *s, caller *c, status st)
{
    if (c->kind == CALLER_USER)
        client_call_done(s, container_of(c, ureq, call), st);
    else if (c->kind == CALLER_CONSUMER)
        consumer_on_done(s, c, st);
    else
        service_call_done(s, container_of(c, req, down), st);
}

static void call_end(sim *s, caller *c, status st)
{
    c->state = CALL_IDLE;
    if (c->cache_role) {
        cache_call_end(s, c, st); /* fills, answers the waiters, then reports */
        return;
    }
    call_report(s, c, st);
}

/* The deadline an attempt carries to its callee, as gRPC propagates one:
 * the earlier of the attempt's own timeout and the deadline its owner is
 * under (the user request's, or that of the job making the call).  Only a
 * callee with `deadlines: drop|cancel` acts on it. */
static inline simtime attempt_deadline(const caller *c)
{
    const edge_rt *e = c->edge;
    simtime d = e->spec->timeout > 0 ? c->sent + e->spec->timeout : T_NEVER;
    simtime owner;
    if (c->kind == CALLER_JOB) {
        owner = container_of(c, req, down)->deadline;
    } else if (c->kind == CALLER_REFRESH || c->kind == CALLER_CONSUMER) {
        owner = T_NEVER; /* a background refresh, a delivery: no one waiting */
    } else {
        const ureq *u = container_of(c, ureq, call);
        owner = u->client->spec->deadline > 0 ? u->start + u->client->spec->deadline : T_NEVER;
    }
    return owner < d ? owner : d;
}

/* The attempt carries its user request's write record, and owes the
 * edge's write if it has one (ledger.c). */
static void attach_ledger(caller *c, req *r)
{
    wrec *w = ledger_of(c);
    r->w = w;
    if (!w)
        return;
    ledger_ref(w);
    if (c->edge->site >= 0)
        ledger_owe(w, c->edge->site);
}

/* The attempt has a connection (or needs none): put it on the wire.
 * Inlined into send_attempt, the hot path; call_dispatch is the way in
 * for a pool handing a freed connection to a waiter. */
static inline __attribute__((always_inline)) void dispatch_attempt(sim *s, caller *c)
{
    edge_rt *e = c->edge;
    const call_spec *spec = e->spec;
    /* A req is put back idle (no event pending, its downstream call ended,
     * see req_free), so only what differs per attempt is set here. */
    req *r = pool_take(&s->reqs);
    r->next_call = 0;
    r->from = c;
    r->edge = e;
    r->conn = e->pools ? &e->pools[c->inst] : NULL;
    r->state = REQ_TRANSIT;
    r->attempt = c->attempt;
    r->deadline = s->deadlines ? attempt_deadline(c) : T_NEVER;
    r->akey = c->akey;
    r->w = NULL;
    if (__builtin_expect(s->nsites != 0, 0))
        attach_ledger(c, r);
    c->out = r;
    c->state = CALL_WAITING;
    s->attempts++;
    if (__builtin_expect(e->hedge_out != NULL, 0)) {
        hedge_dispatch(s, c, r); /* a tail call, out of the way of the common path */
        return;
    }
    /* a publish goes to a broker queue (service_arrive hands it on) */
    simtime delay = __builtin_expect(e->bq != NULL, 0) ? 0 : e->to->add_latency;
    if (spec->has_latency)
        delay += dist_sample(&spec->latency, &e->rng);
    if (delay > 0)
        sim_at(s, &r->ev, EV_REQ_ARRIVE, s->now + delay);
    else
        service_arrive(s, r);
}

void call_dispatch(sim *s, caller *c) { dispatch_attempt(s, c); }

/* Another copy of the attempt in flight (a hedge): a req set up as
 * dispatch_attempt sets one up, for hedge.c to link and send. */
req *call_new_copy(sim *s, caller *c)
{
    edge_rt *e = c->edge;
    req *r = pool_take(&s->reqs);
    r->next_call = 0;
    r->from = c;
    r->edge = e;
    r->conn = NULL;
    r->state = REQ_TRANSIT;
    r->attempt = c->attempt;
    r->deadline = s->deadlines ? attempt_deadline(c) : T_NEVER; /* the same as the first copy's */
    r->akey = c->akey; /* a copy of the same attempt: the same key */
    r->w = NULL;
    if (s->nsites)
        attach_ledger(c, r);
    s->attempts++;
    return r;
}

void call_put_on_wire(sim *s, req *r)
{
    edge_rt *e = r->edge;
    simtime delay = e->to->add_latency;
    if (e->spec->has_latency)
        delay += dist_sample(&e->spec->latency, &e->rng);
    if (delay > 0)
        sim_at(s, &r->ev, EV_REQ_ARRIVE, s->now + delay);
    else
        service_arrive(s, r);
}

static void attempt_done(sim *s, caller *c, status st);

static void send_attempt(sim *s, caller *c)
{
    edge_rt *e = c->edge;
    const call_spec *spec = e->spec;
    c->attempt++;
    c->akey = ++s->next_akey;
    e->attempts++;
    if (c->attempt > 1)
        e->retries++;
    if (e->client) {
        /* with a cache, a user request is counted offered at its lookup
         * (cache.c), and a background refresh is not a user's */
        if (c->attempt == 1) {
            if (!e->cache)
                e->client->cur.offered++;
        } else if (c->kind != CALLER_REFRESH) {
            e->client->cur.retries++;
        }
    }
    c->sent = s->now;
    if (e->breakers && !breaker_permit(&e->breakers[c->inst], s->now)) {
        /* Not permitted: fail fast (or serve the fallback), and do not
         * retry: the breaker is open precisely to stop the load. */
        e->short_circuited++;
        if (spec->breaker.fallback == FALLBACK_DEFAULT) {
            e->fallbacks++;
            c->cache_nofill = 1; /* a default value, not the origin's answer */
            call_end(s, c, ST_OK);
        } else {
            call_end(s, c, ST_OPEN);
        }
        return;
    }
    budget_rt *b = budget_of(c);
    if (b)
        budget_on_attempt(b, s->now, c->attempt == 1);
    c->state = CALL_WAITING;
    if (spec->timeout > 0)
        sim_timer(s, &c->timer, EV_CALL_TIMER, s->now + spec->timeout);
    if (e->gated) { /* a bulkhead or a pool to pass first */
        send_gated(s, c);
        return;
    }
    dispatch_attempt(s, c);
}

/* The attempt needs a bulkhead permit, then a connection; kept out of
 * send_attempt so that edges with neither pay nothing for them. */
static __attribute__((noinline)) void send_gated(sim *s, caller *c)
{
    if (c->edge->bulkheads) {
        int got = bulkhead_acquire(s, c);
        if (got == 0)
            return; /* waiting for a permit; its timeout is running */
        if (got < 0) {
            call_on_bulkhead_full(s, c);
            return;
        }
    }
    call_after_bulkhead(s, c);
}

/* A waiting attempt got its bulkhead permit: on to the pool, and out. */
void call_after_bulkhead(sim *s, caller *c)
{
    edge_rt *e = c->edge;
    c->state = CALL_WAITING;
    if (e->pools) {
        int got = connpool_acquire(s, &e->pools[c->inst], c);
        if (got == 0)
            return;
        if (got < 0) {
            e->pool_timeouts++;
            attempt_done(s, c, ST_REJECT);
            return;
        }
    }
    dispatch_attempt(s, c);
}

/* The bulkhead refused a permit (at once, or after max_wait).  The call
 * fails with the outcome `bulkhead` (or, with fallback: default, gets the
 * fallback answer at once, as resilience4j's fallbackMethod gives) and is
 * not retried: the caller is at its own cap on this dependency, and a
 * retry would meet the same cap.
 * The breaker does not count it (the callee never saw it), and a
 * half-open breaker gets its probe permit back, as resilience4j's
 * releasePermission does for an ignored outcome. */
void call_on_bulkhead_full(sim *s, caller *c)
{
    edge_rt *e = c->edge;
    evq_cancel(&s->q, &c->timer);
    e->bulkhead_rejected++;
    budget_rt *b = budget_of(c);
    if (b)
        budget_on_attempt_end(b, c->attempt > 1);
    if (e->breakers)
        breaker_release(&e->breakers[c->inst]);
    if (e->spec->bulkhead.fallback == FALLBACK_DEFAULT)
        c->cache_nofill = 1; /* a default value, not the origin's answer */
    call_end(s, c, e->spec->bulkhead.fallback == FALLBACK_DEFAULT ? ST_OK : ST_BULKHEAD);
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

static bool may_retry(sim *s, caller *c, status st)
{
    const retry_policy *r = &c->edge->spec->retry;
    if (c->attempt >= r->attempts || !c->edge->retry_enabled || st == ST_DEADLINE || st == ST_BULKHEAD)
        return false; /* a passed deadline is final (gRPC: DEADLINE_EXCEEDED) */
    unsigned bit = st == ST_TIMEOUT ? RETRY_ON_TIMEOUT : st == ST_ERROR ? RETRY_ON_ERROR : RETRY_ON_REJECT;
    if (!(r->on & bit))
        return false;
    budget_rt *b = budget_of(c);
    if (b && !budget_allow_retry(b, s->now, st, c)) {
        c->edge->denied++;
        return false;
    }
    return true;
}

static void retry_or_end(sim *s, caller *c, status st)
{
    if (!may_retry(s, c, st)) {
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

/* Every attempt that started ends here, whatever ended it. */
static void attempt_done(sim *s, caller *c, status st)
{
    edge_rt *e = c->edge;
    evq_cancel(&s->q, &c->timer);
    if (__builtin_expect(c->permits, 0)) /* only ever held on an edge with a bulkhead; 0 when idle */
        bulkhead_release(s, c, c->permits);
    budget_rt *b = budget_of(c);
    if (b) {
        budget_on_attempt_end(b, c->attempt > 1);
        budget_on_result(b, st, c, false);
    }
    if (e->breakers)
        breaker_record(&e->breakers[c->inst], s->now, st, s->now - c->sent);
    if (st == ST_OK) {
        if (b)
            budget_on_result(b, ST_OK, c, true);
        call_end(s, c, ST_OK);
    } else {
        retry_or_end(s, c, st);
    }
}

void call_on_response(sim *s, caller *c, status st)
{
    c->out = NULL;
    attempt_done(s, c, st);
}

/* A hedged attempt is decided (hedge.c): abandon the copies still out. */
void call_group_done(sim *s, caller *c, status st)
{
    hedge_drop_all(s, c);
    attempt_done(s, c, st);
}

void call_on_timer(sim *s, caller *c)
{
    if (c->state == CALL_BACKOFF) {
        send_attempt(s, c);
        return;
    }
    /* The attempt's timeout: give up on it, but do not cancel it. */
    if (c->state == CALL_POOL_WAIT)
        connpool_leave(s, &c->edge->pools[c->inst], c);
    else if (c->state == CALL_BULKHEAD_WAIT)
        bulkhead_leave(s, c);
    if (c->edge->hedge_out) {
        hedge_drop_all(s, c); /* the timeout covers every copy, as the first */
    } else if (c->out) {
        c->out->from = NULL;
        c->out = NULL;
    }
    c->edge->timeouts++;
    if (c->edge->client)
        c->edge->client->cur.timeouts++;
    attempt_done(s, c, ST_TIMEOUT);
}

/* Waited wait_timeout for a connection: the pool refuses, like a reject. */
void call_on_pool_timer(sim *s, caller *c)
{
    connpool_leave(s, &c->edge->pools[c->inst], c);
    c->edge->pool_timeouts++;
    attempt_done(s, c, ST_REJECT);
}

/* The owner gives up on the whole call (a deadline, a crash of the caller):
 * abandon the outstanding attempt and stop the timers, without reporting. */
void call_abandon(sim *s, caller *c)
{
    edge_rt *e = c->edge;
    evq_cancel(&s->q, &c->timer);
    if (c->state == CALL_POOL_WAIT)
        connpool_leave(s, &e->pools[c->inst], c);
    else if (c->state == CALL_BULKHEAD_WAIT)
        bulkhead_leave(s, c);
    if (c->state == CALL_WAITING || c->state == CALL_POOL_WAIT || c->state == CALL_BULKHEAD_WAIT) {
        budget_rt *b = budget_of(c);
        if (b)
            budget_on_attempt_end(b, c->attempt > 1);
        /* The breaker permitted this attempt and will never hear how it
         * ended: a half-open breaker must count its probe (as a failure),
         * or it waits for it, half-open, forever.  One still waiting for a
         * bulkhead permit never left: its probe permit goes back. */
        if (e->breakers) {
            if (c->state == CALL_BULKHEAD_WAIT)
                breaker_release(&e->breakers[c->inst]);
            else
                breaker_abandon(&e->breakers[c->inst], s->now);
        }
        if (c->permits)
            bulkhead_release(s, c, c->permits);
    }
    if (e->hedge_out) {
        hedge_drop_all(s, c);
    } else if (c->out) {
        c->out->from = NULL;
        c->out = NULL;
    }
    c->state = CALL_IDLE;
    if (c->cache_role)
        cache_abandon(s, c); /* after: it may hand the key's origin call to a waiter */
}
