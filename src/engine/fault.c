/* fault.c -- fault windows and operator actions.
 *
 * A fault is a window: applied at `at`, removed at `at + for` (DESIGN.md
 * 3.9), because whether the system recovers once the trigger is gone is the
 * question eddy exists to answer.  Overlapping windows on one service
 * combine: slowdowns multiply, added latencies add, error fractions combine
 * as independent failures, and lost replicas add up.  The effect on a
 * service is recomputed from the set of active windows each time one opens
 * or closes, so windows can overlap in any order without drift.
 *
 * Two faults are instants, not windows: `flush` empties a cache, and
 * `restart` crashes every replica of a service and brings it straight back
 * (queues and work in progress lost) and flushes the caches it owns.
 *
 * An action is a moment: the operator turns retries off or on, sheds a
 * fraction of a client's new user requests or of a service's arrivals,
 * drains a service's queues, sets its replica count (scale), or flushes a
 * cache.  One kind is a what-if rather than an operator's move: contention
 * off at a service, with which `eddy diagnose` cuts a contention loop. */
#include <stdlib.h>

#include "sim.h"
#include "../core/xalloc.h"

static void recompute(sim *s, service_rt *v)
{
    double slow = 1.0, ok = 1.0;
    simtime add = 0;
    long lost = 0;
    for (size_t i = 0; i < s->m->nfaults; i++) {
        fault_rt *f = &s->faults[i];
        if (!f->active || &s->services[f->spec->target] != v)
            continue;
        switch (f->spec->kind) {
        case FAULT_SLOW:
            slow *= f->spec->factor;
            break;
        case FAULT_ADD_LATENCY:
            add += f->spec->latency;
            break;
        case FAULT_ERRORS:
            ok *= 1 - f->spec->errors;
            break;
        case FAULT_DOWN:
            lost += v->nreps;
            break;
        case FAULT_LOSE_REPLICAS:
            lost += f->spec->replicas;
            break;
        case FAULT_FLUSH:
        case FAULT_RESTART:
            break; /* instants: never active */
        }
    }
    v->slow = slow;
    v->add_latency = add;
    v->fault_errors = 1 - ok;
    if (lost > v->nreps)
        lost = v->nreps;
    if (lost != v->lost) {
        v->lost = lost;
        service_set_up(s, v, v->nreps - lost);
    }
}

void fault_init(sim *s)
{
    const model *m = s->m;
    s->faults = xcalloc(m->nfaults ? m->nfaults : 1, sizeof *s->faults);
    s->actions = xcalloc(m->nactions ? m->nactions : 1, sizeof *s->actions);
    for (size_t i = 0; i < m->nfaults; i++) {
        s->faults[i].spec = &m->faults[i];
        sim_at(s, &s->faults[i].ev, EV_FAULT, m->faults[i].at);
    }
    for (size_t i = 0; i < m->nactions; i++) {
        s->actions[i].spec = &m->actions[i];
        if (!m->actions[i].when) /* a response is scheduled when it fires (respond.c) */
            sim_at(s, &s->actions[i].ev, EV_ACTION, m->actions[i].at);
    }
}

/* A process restart: its replicas crash and come back at once, empty; the
 * caches it owns (an in-process cache, or one that lives and dies with it)
 * start cold. */
static void restart(sim *s, int si)
{
    service_rt *v = &s->services[si];
    service_set_up(s, v, 0);
    /* back to what the open fault windows leave up (a scaled service's
     * replicas go through their start-up again) */
    service_set_up(s, v, v->nreps - v->lost);
    for (size_t i = 0; i < s->m->ncaches; i++)
        if (s->m->caches[i].owner == si)
            cache_flush(&s->caches[i]);
}

void fault_on_event(sim *s, fault_rt *f)
{
    if (fault_is_instant(f->spec->kind)) {
        if (f->spec->kind == FAULT_FLUSH)
            cache_flush(&s->caches[f->spec->target]);
        else
            restart(s, f->spec->target);
        return;
    }
    f->active = !f->active;
    if (f->active)
        sim_at(s, &f->ev, EV_FAULT, f->spec->at + f->spec->dur);
    recompute(s, &s->services[f->spec->target]);
}

/* A client action acts on the client's call and its new user requests; a
 * service action on the service's downstream calls and its arrivals. */
void action_on_event(sim *s, action_rt *a)
{
    const action_spec *sp = a->spec;
    switch (sp->kind) { /* cache actions */
    case ACTION_FLUSH:
        cache_flush(&s->caches[sp->cache]);
        return;
    case ACTION_COALESCE:
        s->caches[sp->cache].coalesce = sp->coalesce;
        return;
    case ACTION_SWR:
        s->caches[sp->cache].swr = sp->swr;
        return;
    default:
        break;
    }
    if (sp->client >= 0) {
        client_rt *c = &s->clients[sp->client];
        if (sp->kind == ACTION_RETRY)
            c->edge.retry_enabled = sp->retry_on;
        else if (sp->kind == ACTION_HEDGE)
            c->edge.hedge_off = !sp->hedge_on;
        else if (sp->kind == ACTION_SHED)
            c->shed = sp->shed;
        return;
    }
    service_rt *v = &s->services[sp->service];
    switch (sp->kind) {
    case ACTION_RETRY:
        for (size_t i = 0; i < v->nseq; i++)
            v->seq[i]->retry_enabled = sp->retry_on;
        break;
    case ACTION_HEDGE:
        for (size_t i = 0; i < v->spec->ncalls; i++)
            v->calls[i].hedge_off = !sp->hedge_on;
        break;
    case ACTION_SHED:
        v->shed = sp->shed;
        break;
    case ACTION_DRAIN:
        service_drain(s, v);
        break;
    case ACTION_SCALE: /* as kubectl scale: the controllers may move it again */
        replicas_set_desired(s, v, sp->replicas);
        break;
    case ACTION_CONTENTION: /* a what-if: work already started keeps its time */
        v->contention_off = !sp->contention_on;
        break;
    case ACTION_FLUSH:
    case ACTION_COALESCE:
    case ACTION_SWR:
        break; /* cache actions, handled above */
    }
}
