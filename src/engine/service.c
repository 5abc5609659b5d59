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

#include "sim.h"

void service_init(sim *s, service_rt *v, const service_spec *spec)
{
    v->spec = spec;
    v->nreps = v->nup = spec->replicas;
    v->reps = calloc((size_t)v->nreps, sizeof *v->reps);
    if (!v->reps)
        abort();
    for (long i = 0; i < v->nreps; i++)
        v->reps[i].svc = v;
    v->slow = 1.0;
    rng_stream(&v->rng_time, s->seed, spec->name, RNG_SERVICE_TIME);
    rng_stream(&v->rng_errors, s->seed, spec->name, RNG_ERRORS);
    rng_stream(&v->rng_route, s->seed, spec->name, RNG_ROUTE);
    hist_init(&v->lat_cur);
    hist_init(&v->lat_tot);
    v->calls = calloc(spec->ncalls ? spec->ncalls : 1, sizeof *v->calls);
    if (!v->calls)
        abort();
    for (size_t i = 0; i < spec->ncalls; i++) {
        edge_rt *e = &v->calls[i];
        e->spec = &spec->calls[i];
        e->to = &s->services[spec->calls[i].to];
        e->retry_enabled = true;
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
        edge_init(e, name, spec->replicas);
    }
}

void service_free(service_rt *v)
{
    for (size_t i = 0; i < v->spec->ncalls; i++)
        edge_free(&v->calls[i]);
    for (long i = 0; i < v->nreps; i++)
        free(v->reps[i].q);
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

/* ---- the queue: a ring buffer, served from the head (FIFO) or tail (LIFO) */

static void q_push(replica *p, req *r)
{
    if (p->qlen == p->qcap) {
        size_t cap = p->qcap ? p->qcap * 2 : 16;
        req **q = malloc(cap * sizeof *q);
        if (!q)
            abort();
        for (size_t i = 0; i < p->qlen; i++)
            q[i] = p->q[(p->qhead + i) % p->qcap];
        free(p->q);
        p->q = q;
        p->qcap = cap;
        p->qhead = 0;
    }
    p->q[(p->qhead + p->qlen) % p->qcap] = r;
    p->qlen++;
}

static req *q_pop(replica *p, discipline d)
{
    req *r;
    if (d == DISC_LIFO) {
        r = p->q[(p->qhead + p->qlen - 1) % p->qcap];
    } else {
        r = p->q[p->qhead];
        p->qhead = (p->qhead + 1) % p->qcap;
    }
    p->qlen--;
    return r;
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
    status st = (status)r->status;
    assert(!ev_pending(&r->ev) && !ev_pending(&r->down.timer));
    req_free(s, r);
    if (c)
        call_on_response(s, c, st);
}

/* ---- work ----------------------------------------------------------------- */

static void start_work(sim *s, replica *p, req *r)
{
    service_rt *v = p->svc;
    const service_spec *sp = v->spec;
    p->busy++;
    v->busy++;
    r->state = REQ_WORKING;
    r->rep = p;
    r->prev = NULL;
    r->next = p->working;
    if (p->working)
        p->working->prev = r;
    p->working = r;

    double t = (double)dist_sample(&sp->service_time, &v->rng_time) * v->slow;
    if (sp->sigma > 0 || sp->kappa > 0) {
        double n = (double)p->busy; /* in service now, this request included */
        t *= 1.0 + sp->sigma * (n - 1) + sp->kappa * n * (n - 1);
    }
    sim_at(s, &r->ev, EV_REQ_DONE, s->now + (simtime)(t + 0.5));
}

/* The worker is free again: take the next request from the queue. */
static void finish_work(sim *s, req *r, status st)
{
    replica *p = r->rep;
    service_rt *v = p->svc;
    service_gauge(s, v);
    p->busy--;
    v->busy--;
    if (r->prev)
        r->prev->next = r->next;
    else
        p->working = r->next;
    if (r->next)
        r->next->prev = r->prev;

    v->cur.completed++;
    if (st == ST_ERROR)
        v->cur.errors++;
    else
        hist_add(&v->lat_cur, s->now - r->arrived);
    if (!r->from)
        v->cur.wasted++;

    if (p->qlen > 0) {
        req *next = q_pop(p, v->spec->discipline);
        v->queued--;
        start_work(s, p, next);
    }
    respond(s, r, st);
}

void service_arrive(sim *s, req *r)
{
    service_rt *v = r->edge->to;
    const service_spec *sp = v->spec;
    v->cur.arrivals++;
    r->arrived = s->now;
    if (v->nup == 0) { /* every replica down: connection refused */
        v->cur.rejected++;
        respond(s, r, ST_REJECT);
        return;
    }
    replica *p = &v->reps[v->nup == 1 ? 0 : rng_below(&v->rng_route, (uint64_t)v->nup)];
    service_gauge(s, v);
    if (sp->workers == MODEL_UNLIMITED || p->busy < sp->workers) {
        start_work(s, p, r);
        return;
    }
    if (sp->queue != MODEL_UNLIMITED && (long)p->qlen >= sp->queue) {
        v->cur.rejected++;
        respond(s, r, ST_REJECT);
        return;
    }
    r->state = REQ_QUEUED;
    r->rep = p;
    q_push(p, r);
    v->queued++;
}

static void next_call_or_finish(sim *s, req *r)
{
    service_rt *v = r->rep->svc;
    if (r->next_call < v->spec->ncalls) {
        r->state = REQ_CALLING;
        edge_rt *e = &v->calls[r->next_call++];
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
    if (st != ST_OK) {
        finish_work(s, r, ST_ERROR);
        return;
    }
    next_call_or_finish(s, r);
}

/* ---- replicas going down and coming back ---------------------------------- */

/* A request lost with its replica: its caller never hears back and will
 * time out, as with a real crash. */
static void lose(sim *s, req *r)
{
    if (r->from)
        r->from->out = NULL;
    assert(!ev_pending(&r->ev) && !ev_pending(&r->down.timer));
    req_free(s, r);
}

static void crash(sim *s, replica *p)
{
    service_rt *v = p->svc;
    while (p->qlen > 0) {
        lose(s, q_pop(p, DISC_FIFO));
        v->queued--;
    }
    while (p->working) {
        req *r = p->working;
        p->working = r->next;
        evq_cancel(&s->q, &r->ev);
        if (r->state == REQ_CALLING)
            call_abandon(s, &r->down);
        p->busy--;
        v->busy--;
        lose(s, r);
    }
}

void service_set_up(sim *s, service_rt *v, long nup)
{
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
    for (long i = nup; i < old; i++)
        crash(s, &v->reps[i]);
}
