/* sim.c -- the event loop, and the library's public entry points.
 *
 * eddy_run builds the runtime state from a model, takes events from the
 * queue in (time, sequence) order and hands each to the file that owns it,
 * until the last sample interval closes at the model's duration.  Work still
 * in flight then is simply dropped with the run. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"
#include "../core/xalloc.h"

#define SIM_MAX_EVENTS_AT_ONE_INSTANT 20000000

eddy_options eddy_options_default(void)
{
    eddy_options o;
    memset(&o, 0, sizeof o);
    return o;
}

eddy_model *eddy_model_load(const char *path, eddy_error *err) { return model_load(path, err); }

eddy_model *eddy_model_load_string(const char *yaml, size_t len, const char *name, eddy_error *err)
{
    return model_load_string(yaml, len, name, err);
}

void eddy_model_free(eddy_model *m) { model_free(m); }

void eddy_error_format(const eddy_error *err, char *buf, int size) { err_format(err, buf, size); }

int eddy_series_column(const eddy_series *s, const char *name)
{
    for (size_t i = 0; i < s->ncols; i++)
        if (!strcmp(s->names[i], name))
            return (int)i;
    return -1;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Called once per event: keep it in the loop. */
static inline __attribute__((always_inline)) void dispatch(sim *s, ev *e)
{
    switch (e->kind) {
    case EV_ARRIVAL:
        client_on_arrival(s, container_of(e, client_rt, arrival));
        break;
    case EV_THINK:
        client_on_think(s, container_of(e, user, think));
        break;
    case EV_REQ_ARRIVE:
        service_arrive(s, container_of(e, req, ev));
        break;
    case EV_REQ_DONE:
        service_on_done(s, container_of(e, req, ev));
        break;
    case EV_REQ_EXPIRE:
        service_on_expire(s, container_of(e, req, ev));
        break;
    case EV_REQ_RETURN:
        service_on_return(s, container_of(e, req, ev));
        break;
    case EV_CALL_TIMER:
        call_on_timer(s, container_of(e, caller, timer));
        break;
    case EV_POOL_TIMER:
        call_on_pool_timer(s, container_of(e, caller, pool_timer));
        break;
    case EV_HEDGE_TIMER:
        hedge_on_timer(s, container_of(e, caller, pool_timer));
        break;
    case EV_BULKHEAD_TIMER:
        bulkhead_on_timer(s, container_of(e, caller, pool_timer));
        break;
    case EV_DEADLINE:
        client_on_deadline(s, container_of(e, ureq, deadline));
        break;
    case EV_FAULT:
        fault_on_event(s, container_of(e, fault_rt, ev));
        break;
    case EV_ACTION:
        action_on_event(s, container_of(e, action_rt, ev));
        break;
    case EV_REPLICA_UP:
        replica_on_up(s, container_of(e, replica, start));
        break;
    case EV_AUTOSCALE:
        autoscale_on_sync(s, container_of(e, autoscaler_rt, ev));
        break;
    case EV_CACHE_HIT:
        cache_on_hit(s, container_of(e, caller, timer));
        break;
    case EV_VISIBILITY:
        broker_on_visibility(s, container_of(e, msg, vis));
        break;
    case EV_SAMPLE:
        stats_sample(s);
        if (s->now >= s->end) {
            s->stop = true;
            break;
        }
        simtime next = s->now + s->m->sample;
        sim_at(s, &s->sample, EV_SAMPLE, next < s->end ? next : s->end);
        break;
    }
}

static void sim_free(sim *s)
{
    const model *m = s->m;
    for (size_t i = 0; i < m->nclients; i++) {
        hist_free(&s->clients[i].lat_cur);
        hist_free(&s->clients[i].lat_tot);
        free(s->clients[i].users);
        edge_free(&s->clients[i].edge);
    }
    free(s->edges);
    autoscale_free(s);
    for (size_t i = 0; i < m->nconsumers; i++)
        consumer_free(s, &s->groups[i]);
    free(s->groups);
    for (size_t i = 0; i < m->nqueues; i++)
        broker_free(s, &s->queues[i]);
    free(s->queues);
    ledger_free(s);
    pool_free_all(&s->msgs);
    for (size_t i = 0; i < m->nservices; i++)
        service_free(&s->services[i]);
    for (size_t i = 0; i < m->ncaches; i++)
        cache_free(&s->caches[i]);
    free(s->caches);
    free(s->clients);
    free(s->services);
    free(s->faults);
    free(s->actions);
    respond_free(s);
    free(s->row);
    pool_free_all(&s->reqs);
    pool_free_all(&s->ureqs);
    evq_free(&s->q);
}

int eddy_run(const eddy_model *m, const eddy_options *opt, eddy_result *out, eddy_error *err)
{
    eddy_options defaults = eddy_options_default();
    if (!opt)
        opt = &defaults;
    memset(out, 0, sizeof *out);
    if (!m)
        return err_set(err, "", 0, 0, "no model to run");

    sim S, *s = &S;
    memset(s, 0, sizeof *s);
    s->m = m;
    s->seed = opt->use_seed ? opt->seed : m->seed;
    s->end = m->duration;
    s->series = &out->series;
    s->opt = opt;
    evq_init(&s->q);
    pool_init(&s->reqs, sizeof(req));
    pool_init(&s->ureqs, sizeof(ureq));

    s->services = xcalloc(m->nservices, sizeof *s->services);
    s->clients = xcalloc(m->nclients, sizeof *s->clients);
    s->queues = xcalloc(m->nqueues ? m->nqueues : 1, sizeof *s->queues);
    s->groups = xcalloc(m->nconsumers ? m->nconsumers : 1, sizeof *s->groups);
    pool_init(&s->msgs, sizeof(msg));
    for (size_t i = 0; i < m->nqueues; i++)
        broker_init(s, &s->queues[i], &m->queues[i]);
    for (size_t i = 0; i < m->nqueues; i++)
        if (m->queues[i].dlq >= 0)
            s->queues[i].dlq = &s->queues[m->queues[i].dlq];
    for (size_t i = 0; i < m->nservices; i++)
        service_init(s, &s->services[i], &m->services[i]);
    for (size_t i = 0; i < m->nclients; i++)
        client_init(s, &s->clients[i], &m->clients[i]);
    /* every edge, clients' first, in model order: for telemetry */
    for (size_t i = 0; i < m->nclients; i++)
        s->nedges++;
    for (size_t i = 0; i < m->nservices; i++)
        s->nedges += m->services[i].ncalls + m->services[i].npublishes;
    s->edges = xcalloc(s->nedges ? s->nedges : 1, sizeof *s->edges);
    size_t ne = 0;
    for (size_t i = 0; i < m->nclients; i++)
        s->edges[ne++] = &s->clients[i].edge;
    for (size_t i = 0; i < m->nservices; i++)
        for (size_t k = 0; k < m->services[i].ncalls; k++)
            s->edges[ne++] = &s->services[i].calls[k];
    /* publishes last, so the calls keep their places (hypotheses name edges by them) */
    for (size_t i = 0; i < m->nservices; i++)
        for (size_t k = 0; k < m->services[i].npublishes; k++)
            s->edges[ne++] = &s->services[i].pubs[k];
    for (size_t i = 0; i < m->nconsumers; i++)
        consumer_init(s, &s->groups[i], &m->consumers[i]);
    s->caches = xcalloc(m->ncaches ? m->ncaches : 1, sizeof *s->caches);
    for (size_t i = 0; i < m->ncaches; i++)
        cache_init(s, &s->caches[i], &m->caches[i]);
    for (size_t i = 0; i < s->nedges; i++)
        if (s->edges[i]->spec->has_cache)
            s->edges[i]->cache = &s->caches[s->edges[i]->spec->cache];
    ledger_init(s);
    stats_init(s);
    fault_init(s);
    respond_init(s);
    autoscale_init(s);
    sim_at(s, &s->sample, EV_SAMPLE, m->sample < s->end ? m->sample : s->end);
    for (size_t i = 0; i < m->nclients; i++)
        client_start(s, &s->clients[i]);

    double wall0 = wall_now();
    uint64_t same_instant = 0;
    int rc = 0;
    while (!s->stop) {
        simtime t;
        ev *e = evq_pop(&s->q, &t);
        if (!e)
            break; /* cannot happen: the sample event is always pending */
        /* A model can loop without time passing (zero think time against a
         * service that rejects at once with no latency): report it rather
         * than spin forever. */
        same_instant = t == s->now ? same_instant + 1 : 0;
        if (same_instant > SIM_MAX_EVENTS_AT_ONE_INSTANT) {
            rc = err_set(err, m->file, 0, 0,
                         "the simulation makes no progress: more than %d events at t = %.6f s without time "
                         "advancing (a closed loop with zero think time or backoff against instant answers?)",
                         SIM_MAX_EVENTS_AT_ONE_INSTANT, t_sec(t));
            break;
        }
        s->now = t;
        s->events++;
        dispatch(s, e);
        if (opt->progress && (s->events & 0xfffff) == 0)
            opt->progress((double)s->now / (double)s->end, opt->progress_ud);
    }
    if (opt->progress)
        opt->progress(1.0, opt->progress_ud);

    if (rc < 0) {
        eddy_result_free(out);
        sim_free(s);
        return -1;
    }
    out->engine.events = s->events;
    out->engine.attempts = s->attempts;
    out->engine.peak_inflight = s->reqs.peak;
    out->engine.wall_seconds = wall_now() - wall0;
    out->seed = s->seed;
    out->duration = t_sec(m->duration);
    stats_totals(s, out);
    sim_free(s);
    return 0;
}

void eddy_result_free(eddy_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->series.ncols; i++)
        free(r->series.names[i]);
    free(r->series.names);
    free(r->series.values);
    for (size_t i = 0; i < r->nedges; i++)
        free((char *)r->edges[i].name);
    free(r->clients);
    free(r->services);
    free(r->edges);
    free(r->caches);
    free(r->queues);
    free(r->groups);
    free(r->integrity);
    memset(r, 0, sizeof *r);
}
