/* service.c -- replicas, their queues and workers, and downstream calls.
 *
 * An attempt that reaches a service picks a replica at random among those
 * up (kube-proxy's default), takes a free worker or waits in the queue, and
 * is rejected at once if the queue is full (DESIGN.md 3.5).  Its work takes
 * the sampled service time, stretched by contention (the Universal
 * Scalability Law, 3.6) and by any `slow` fault.  It then makes its
 * downstream calls in order while holding the worker (3.4), so a slow
 * dependency exhausts its callers' workers.  Work whose caller has given up
 * is finished all the same and counted as `wasted` (3.3). */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "../core/xalloc.h"

void service_init(sim *s, service_rt *v, const service_spec *spec)
{
    v->spec = spec;
    /* A scaled service has a slot for the most replicas it can have;
     * otherwise slots == replicas. */
    v->nreps = spec->slots;
    v->nup = spec->replicas;
    v->reps = xcalloc((size_t)v->nreps, sizeof *v->reps);
    v->nlanes = 1 + spec->nbulkheads;
    v->lane_block = xcalloc((size_t)v->nreps * v->nlanes, sizeof *v->lane_block);
    /* Lane 0 serves the callers without a bulkhead of their own, with the
     * workers the partitions leave. */
    long spare = spec->workers;
    for (size_t b = 0; b < spec->nbulkheads; b++)
        spare -= spec->bulkheads[b].workers;
    for (long i = 0; i < v->nreps; i++) {
        replica *p = &v->reps[i];
        p->svc = v;
        p->lanes = &v->lane_block[(size_t)i * v->nlanes];
        lane_init(&p->lanes[0], spare, spec->queue);
        for (size_t b = 0; b < spec->nbulkheads; b++)
            lane_init(&p->lanes[b + 1], spec->bulkheads[b].workers, spec->bulkheads[b].queue);
        if (spec->shed.limit.kind != LIMIT_NONE)
            limit_init(&p->limit, &spec->shed.limit);
    }
    const shed_spec *sh = &spec->shed;
    v->admission = spec->deadlines != DEADLINES_IGNORE || sh->limit.kind != LIMIT_NONE || sh->priority;
    for (size_t a = 0; a < s->m->nactions; a++)
        v->admission |= s->m->actions[a].service == (int)(spec - s->m->services) &&
                        s->m->actions[a].kind == ACTION_SHED;
    v->managed = spec->discipline == DISC_ADAPTIVE_LIFO || sh->codel || sh->priority || sh->queue_timeout > 0 ||
                 spec->deadlines != DEADLINES_IGNORE;
    s->deadlines |= spec->deadlines != DEADLINES_IGNORE;
    v->slow = 1.0;
    rng_stream(&v->rng_time, s->seed, spec->name, RNG_SERVICE_TIME);
    rng_stream(&v->rng_errors, s->seed, spec->name, RNG_ERRORS);
    rng_stream(&v->rng_route, s->seed, spec->name, RNG_ROUTE);
    rng_stream(&v->rng_shed, s->seed, spec->name, RNG_SERVICE_SHED);
    hist_init(&v->lat_cur);
    hist_init(&v->lat_tot);
    v->calls = xcalloc(spec->ncalls ? spec->ncalls : 1, sizeof *v->calls);
    for (size_t i = 0; i < spec->ncalls; i++) {
        edge_rt *e = &v->calls[i];
        e->spec = &spec->calls[i];
        e->to = &s->services[spec->calls[i].to];
        e->retry_enabled = true;
        e->lane = service_lane_for(&s->m->services[spec->calls[i].to], spec->name);
        /* One stream per edge, named "caller->callee#position". */
        char name[300];
        const char *callee = s->m->services[spec->calls[i].to].name;
        snprintf(name, sizeof name, "%s->%s#%zu", spec->name, callee, i);
        rng_stream(&e->rng, s->seed, name, RNG_EDGE);
        /* The column prefix: "api->db", or "api->db#2" for a second call. */
        size_t same = 0;
        for (size_t k = 0; k < i; k++)
            same += spec->calls[k].to == spec->calls[i].to;
        if (same)
            snprintf(name, sizeof name, "%s->%s#%zu", spec->name, callee, same + 1);
        else
            snprintf(name, sizeof name, "%s->%s", spec->name, callee);
        edge_init(e, name, spec->slots); /* the replica slot is the caller instance */
    }
    /* publishes, and every outgoing step in the file's order */
    v->pubs = xcalloc(spec->npublishes ? spec->npublishes : 1, sizeof *v->pubs);
    v->nseq = spec->ncalls + spec->npublishes;
    v->seq = xcalloc(v->nseq ? v->nseq : 1, sizeof *v->seq);
    for (size_t i = 0; i < spec->npublishes; i++) {
        edge_rt *e = &v->pubs[i];
        e->spec = &spec->publishes[i];
        e->bq = &s->queues[spec->publishes[i].queue];
        e->retry_enabled = true;
        const char *q = s->m->queues[spec->publishes[i].queue].name;
        char name[300];
        snprintf(name, sizeof name, "%s->%s#p%zu", spec->name, q, i);
        rng_stream(&e->rng, s->seed, name, RNG_EDGE);
        size_t same = 0;
        for (size_t k = 0; k < i; k++)
            same += spec->publishes[k].queue == spec->publishes[i].queue;
        if (same)
            snprintf(name, sizeof name, "%s->%s#%zu", spec->name, q, same + 1);
        else
            snprintf(name, sizeof name, "%s->%s", spec->name, q);
        edge_init(e, name, spec->slots);
    }
    for (size_t i = 0, c = 0, p = 0; i < v->nseq; i++) {
        if (p < spec->npublishes && spec->publish_at[p] == c)
            v->seq[i] = &v->pubs[p++];
        else
            v->seq[i] = &v->calls[c++];
    }
    if (spec->scaled)
        replicas_init(s, v);
}

void service_free(service_rt *v)
{
    for (size_t i = 0; i < v->spec->ncalls; i++)
        edge_free(&v->calls[i]);
    for (size_t i = 0; i < v->spec->npublishes; i++)
        edge_free(&v->pubs[i]);
    free(v->pubs);
    free(v->seq);
    free(v->groups);
    for (size_t i = 0; i < (size_t)v->nreps * v->nlanes; i++)
        lane_free(&v->lane_block[i]);
    free(v->lane_block);
    replicas_free(v);
    free(v->reps);
    free(v->calls);
    hist_free(&v->lat_cur);
    hist_free(&v->lat_tot);
}

/* Queue length and busy workers are reported as time averages, so the
 * integrals are brought up to date before every change. */
void service_gauge(sim *s, service_rt *v)
{
    double dt = (double)(s->now - v->last_change);
    if (dt > 0) {
        v->area_queue += dt * (double)v->queued;
        v->area_busy += dt * (double)v->busy;
        v->last_change = s->now;
    }
}

/* ---- responses ------------------------------------------------------------ */

/* Hand the response to the caller, now or after the return trip. */
static void respond(sim *s, req *r, status st)
{
    r->status = (uint8_t)st;
    r->state = REQ_RETURNING;
    if (!r->from) {
        assert(!ev_pending(&r->ev) && !ev_pending(&r->down.timer));
        req_free(s, r);
        return;
    }
    const call_spec *spec = r->edge->spec;
    if (spec->has_latency) {
        sim_at(s, &r->ev, EV_REQ_RETURN, s->now + dist_sample(&spec->latency, &r->edge->rng));
        return;
    }
    service_on_return(s, r);
}

void service_on_return(sim *s, req *r)
{
    caller *c = r->from;
    if (__builtin_expect(c && r->edge->hedge_out, 0)) {
        hedge_on_return(s, c, r, (status)r->status); /* one copy of a hedged attempt: a tail call */
        return;
    }
    status st = (status)r->status;
    assert(!ev_pending(&r->ev) && !ev_pending(&r->down.timer));
    req_free(s, r);
    if (c)
        call_on_response(s, c, st);
}

/* ---- work ----------------------------------------------------------------- */

static void start_work(sim *s, replica *p, lane *l, req *r)
{
    service_rt *v = p->svc;
    const service_spec *sp = v->spec;
    if (__builtin_expect(v->scaled, 0))
        replica_gauge(s->now, p);
    p->busy++;
    l->busy++;
    v->busy++;
    r->state = REQ_WORKING;
    r->rep = p;
    r->prev = NULL;
    r->next = p->working;
    if (p->working)
        p->working->prev = r;
    p->working = r;

    double t = (double)dist_sample(&sp->service_time, &v->rng_time) * v->slow;
    if ((sp->sigma > 0 || sp->kappa > 0) && !v->contention_off) {
        double n = (double)p->busy; /* in service now, this request included */
        t *= 1.0 + sp->sigma * (n - 1) + sp->kappa * n * (n - 1);
    }
    simtime done = s->now + (simtime)(t + 0.5);
    if (sp->deadlines == DEADLINES_CANCEL && r->deadline < done) {
        sim_at(s, &r->ev, EV_REQ_EXPIRE, r->deadline);
        return;
    }
    sim_at(s, &r->ev, EV_REQ_DONE, done);
}

/* Answer the requests queue management dropped, chained through `next`. */
static void answer_dropped(sim *s, service_rt *v, req *d)
{
    while (d) {
        req *next = d->next;
        if (d->status == ST_DEADLINE)
            v->cur.expired++;
        else
            v->cur.shed++;
        respond(s, d, (status)d->status);
        d = next;
    }
}

/* The worker is free again: take the next request from its lane's queue. */
static void finish_work(sim *s, req *r, status st)
{
    replica *p = r->rep;
    service_rt *v = p->svc;
    lane *l = &p->lanes[r->edge->lane];
    service_gauge(s, v);
    if (p->limit.spec)
        limit_on_done(&p->limit, s->now - r->arrived, p->busy + p->queued);
    if (__builtin_expect(v->scaled, 0))
        replica_gauge(s->now, p);
    p->busy--;
    l->busy--;
    v->busy--;
    if (r->prev)
        r->prev->next = r->next;
    else
        p->working = r->next;
    if (r->next)
        r->next->prev = r->prev;

    if (st == ST_DEADLINE) {
        v->cur.cancelled++;
    } else {
        v->cur.completed++;
        if (st == ST_ERROR)
            v->cur.errors++;
        else
            hist_add(&v->lat_cur, s->now - r->arrived);
        if (__builtin_expect(r->edge->site >= 0, 0) && st == ST_OK)
            ledger_apply(s, r->edge->site, r->w, r->akey); /* a write commits when its attempt completes */
        if (!r->from)
            v->cur.wasted++;
    }

    req *dropped = NULL;
    if (l->qlen > 0) {
        req *next;
        if (!v->managed) {
            next = lane_pop(l, v->spec->discipline);
            p->queued--;
            v->queued--;
        } else {
            size_t before = l->qlen;
            next = lane_next(s, v, l, &dropped);
            long popped = (long)(before - l->qlen);
            p->queued -= popped;
            v->queued -= popped;
        }
        if (next)
            start_work(s, p, l, next);
    }
    /* Nothing in answering can route work to a terminating replica, so it
     * may be retired first. */
    if (__builtin_expect(v->scaled, 0) && p->state == REP_TERMINATING)
        replica_check_done(s, p);
    respond(s, r, st);
    if (dropped)
        answer_dropped(s, v, dropped);
}

/* Refuse an attempt at once: a full queue, a shed, a passed deadline. */
static void refuse(sim *s, req *r, status st, uint64_t *counter)
{
    (*counter)++;
    respond(s, r, st);
}

/* The checks an arrival meets before it may take a worker or queue: each
 * may refuse it at once.  Only services that configure one come here. */
static bool admit(sim *s, service_rt *v, replica *p, lane *l, req *r)
{
    const service_spec *sp = v->spec;
    if (v->shed > 0 && rng_unif(&v->rng_shed) < v->shed) {
        refuse(s, r, ST_REJECT, &v->cur.shed);
        return false;
    }
    if (sp->deadlines != DEADLINES_IGNORE && s->now >= r->deadline) {
        refuse(s, r, ST_DEADLINE, &v->cur.expired);
        return false;
    }
    if (p->limit.spec && !limit_admit(&p->limit, p->busy + p->queued)) {
        refuse(s, r, ST_REJECT, &v->cur.shed);
        return false;
    }
    if (sp->shed.priority && r->attempt > 1 && l->overloaded) {
        refuse(s, r, ST_REJECT, &v->cur.shed);
        return false;
    }
    return true;
}

void service_arrive(sim *s, req *r)
{
    if (__builtin_expect(r->edge->bq != NULL, 0)) {
        broker_publish(s, r); /* a publish, after its network delay */
        return;
    }
    service_rt *v = r->edge->to;
    const service_spec *sp = v->spec;
    v->cur.arrivals++;
    r->arrived = s->now;
    if (v->nup == 0) { /* every replica down: connection refused */
        refuse(s, r, ST_REJECT, &v->cur.rejected);
        return;
    }
    /* A hedge copy goes to a replica its siblings did not; a scaled service
     * routes among its serving replicas only. */
    replica *p = __builtin_expect(r->edge->group != NULL, 0) ? consumer_replica(v, r) /* a delivery's own replica */
                 : r->edge->hedge_out                ? hedge_replica(v, r)
                 : __builtin_expect(v->scaled, 0) ? replica_route(v)
                                                  : &v->reps[v->nup == 1 ? 0 : rng_below(&v->rng_route, (uint64_t)v->nup)];
    lane *l = &p->lanes[r->edge->lane];
    if (v->admission && !admit(s, v, p, l, r))
        return;
    service_gauge(s, v);
    if (l->workers == MODEL_UNLIMITED || l->busy < l->workers) {
        start_work(s, p, l, r);
        return;
    }
    req *evicted = NULL;
    if (l->queue != MODEL_UNLIMITED && (long)l->qlen >= l->queue) {
        if (sp->shed.priority && r->attempt <= 1)
            evicted = lane_evict_retry(l);
        if (!evicted) {
            refuse(s, r, ST_REJECT, &v->cur.rejected);
            return;
        }
        p->queued--;
        v->queued--;
    }
    r->state = REQ_QUEUED;
    r->rep = p;
    lane_push(l, r, s->now);
    p->queued++;
    v->queued++;
    if (evicted)
        refuse(s, evicted, ST_REJECT, &v->cur.shed);
}

static void next_call_or_finish(sim *s, req *r)
{
    service_rt *v = r->rep->svc;
    if (r->next_call < v->nseq) {
        if (v->spec->deadlines == DEADLINES_CANCEL && r->deadline != T_NEVER) {
            if (s->now >= r->deadline) {
                finish_work(s, r, ST_DEADLINE);
                return;
            }
            /* The req's event is free while it waits on the call: use it
             * for the deadline, so the wait can be cut short. */
            sim_timer(s, &r->ev, EV_REQ_EXPIRE, r->deadline);
        }
        r->state = REQ_CALLING;
        edge_rt *e = v->seq[r->next_call++];
        r->down.inst = (uint32_t)(r->rep - v->reps); /* the replica is the caller instance */
        call_begin(s, &r->down, e, CALLER_JOB);
        return;
    }
    finish_work(s, r, ST_OK);
}

void service_on_done(sim *s, req *r)
{
    service_rt *v = r->rep->svc;
    double p = v->spec->errors;
    if (v->fault_errors > 0)
        p = 1 - (1 - p) * (1 - v->fault_errors);
    if (p > 0 && rng_unif(&v->rng_errors) < p) {
        finish_work(s, r, ST_ERROR);
        return;
    }
    next_call_or_finish(s, r);
}

/* A downstream call has ended.  A failed call fails the request: the
 * service answers its caller with an error, as a 5xx propagates. */
void service_call_done(sim *s, req *r, status st)
{
    evq_cancel(&s->q, &r->ev); /* the deadline, if deadlines: cancel set one */
    if (st != ST_OK) {
        finish_work(s, r, ST_ERROR);
        return;
    }
    next_call_or_finish(s, r);
}

/* deadlines: cancel -- the caller's deadline passed while the request was
 * in service or waiting on a downstream call: stop, free the worker, and
 * abandon the downstream call (whose attempt carries the same deadline, so
 * the cancellation travels on down the call graph). */
void service_on_expire(sim *s, req *r)
{
    if (r->state == REQ_CALLING)
        call_abandon(s, &r->down);
    finish_work(s, r, ST_DEADLINE);
}

/* The `drain` action: every queued attempt is answered with a fast failure,
 * as a process that clears its queues answers 503. */
void service_drain(sim *s, service_rt *v)
{
    service_gauge(s, v);
    req *all = NULL;
    for (long i = 0; i < v->nreps; i++) {
        replica *p = &v->reps[i];
        for (size_t k = 0; k < v->nlanes; k++) {
            req *r;
            while ((r = lane_pop_any(&p->lanes[k]))) {
                r->status = ST_REJECT;
                r->next = all;
                all = r;
                p->queued--;
                v->queued--;
            }
            p->lanes[k].last_empty = s->now;
        }
    }
    answer_dropped(s, v, all);
    for (long i = 0; v->scaled && i < v->nreps; i++)
        if (v->reps[i].state == REP_TERMINATING)
            replica_check_done(s, &v->reps[i]);
}

/* The lane a caller's attempts use at a service: its bulkhead, or lane 0. */
uint16_t service_lane_for(const service_spec *callee, const char *caller)
{
    for (size_t i = 0; i < callee->nbulkheads; i++)
        if (!strcmp(callee->bulkheads[i].caller, caller))
            return (uint16_t)(i + 1);
    return 0;
}

/* ---- replicas going down and coming back ---------------------------------- */

/* A request lost with its replica: its caller never hears back and will
 * time out, as with a real crash. */
static void lose(sim *s, req *r)
{
    caller *c = r->from;
    if (c) {
        if (r->edge->hedge_out)
            hedge_lost(s, r);
        else
            c->out = NULL;
    }
    assert(!ev_pending(&r->ev) && !ev_pending(&r->down.timer));
    req_free(s, r);
    if (c && c->kind == CALLER_CONSUMER)
        consumer_lost(s, c); /* the consumer process went down with it */
}

static void crash(sim *s, replica *p)
{
    service_rt *v = p->svc;
    if (v->scaled)
        replica_gauge(s->now, p);
    for (size_t k = 0; k < v->nlanes; k++) {
        req *r;
        while ((r = lane_pop_any(&p->lanes[k]))) {
            lose(s, r);
            p->queued--;
            v->queued--;
        }
    }
    while (p->working) {
        req *r = p->working;
        p->working = r->next;
        evq_cancel(&s->q, &r->ev);
        if (r->state == REQ_CALLING)
            call_abandon(s, &r->down);
        p->busy--;
        p->lanes[r->edge->lane].busy--;
        v->busy--;
        lose(s, r);
    }
}

void service_crash(sim *s, replica *p)
{
    service_gauge(s, p->svc);
    crash(s, p);
}

void service_set_up(sim *s, service_rt *v, long nup)
{
    if (v->scaled) { /* fault windows take replica slots away (replicas.c) */
        replicas_set_lost(s, v, v->nreps - (nup < 0 ? 0 : nup));
        return;
    }
    if (nup < 0)
        nup = 0;
    if (nup > v->nreps)
        nup = v->nreps;
    service_gauge(s, v);
    /* Lower nup before crashing, so nothing set off by the crash (a freed
     * connection handing its slot to a waiting attempt) routes to a replica
     * that is going down. */
    long old = v->nup;
    v->nup = nup;
    if (v->ngroups)
        consumer_replicas_changed(s, v);
    for (long i = nup; i < old; i++)
        crash(s, &v->reps[i]);
    for (size_t k = 0; nup > old && k < v->ngroups; k++)
        consumer_kick(s, v->groups[k]); /* replicas back: their consumers poll */
}
