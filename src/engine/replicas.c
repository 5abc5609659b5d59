/* replicas.c -- the lifecycle of a scaled service's replicas.
 *
 * A service whose replica count can change (an autoscaler or a `scale`
 * action acts on it, or it has a `startup` delay) gets a slot for the most
 * replicas it can have, allocated once with its lanes, so memory stays
 * bounded however its controllers act.  Each slot is
 *
 *   idle         no pod;
 *   starting     a new pod, not yet ready: it serves after `startup`;
 *   serving      ready: routing chooses among these only;
 *   terminating  removed from routing: it takes no new work, finishes the
 *                requests it holds (queued and in service), then its slot
 *                is idle again.
 *
 * A terminating replica finishes its queue as well as its in-flight work
 * because what it has queued it has already accepted: a server shutting
 * down gracefully (SIGTERM, then drain) answers those connections rather
 * than dropping them; it has no grace-period cut-off here.
 *
 * `desired` is the replica count the service is set to (a Deployment's
 * .spec.replicas).  Reconciling, as a ReplicaSet does, starts pods in the
 * lowest idle slots, or removes the pods Kubernetes removes first: not yet
 * ready ones, then the most recently ready.  When every slot is taken
 * (terminating pods still draining) a new pod waits for a slot, as a pod
 * waits Pending on a node pool sized for `max` pods.
 *
 * A fault window that loses replicas takes slots away: the newest live
 * pods crash with everything they hold, and their slots stay down until the
 * window ends, while the service starts replacements in any free slots. */
#include <stdlib.h>

#include "sim.h"
#include "../core/xalloc.h"

void replicas_gauge(sim *s, service_rt *v)
{
    v->area_serving += (double)(s->now - v->serving_t) * (double)v->nserving;
    v->serving_t = s->now;
}

static void serving_add(sim *s, service_rt *v, replica *p)
{
    replicas_gauge(s, v);
    replica_gauge(s->now, p);
    p->state = REP_SERVING;
    p->since = s->now;
    p->area_since = p->area_busy;
    p->at = v->nserving;
    v->serving[v->nserving++] = p - v->reps;
    v->nup = v->nserving;
    if (v->ngroups) { /* a new consumer replica polls at once */
        consumer_replicas_changed(s, v);
        for (size_t k = 0; k < v->ngroups; k++)
            consumer_kick(s, v->groups[k]);
    }
}

static void serving_remove(sim *s, service_rt *v, replica *p)
{
    replicas_gauge(s, v);
    long last = v->serving[--v->nserving];
    v->serving[p->at] = last;
    v->reps[last].at = p->at;
    v->nup = v->nserving;
    if (v->ngroups)
        consumer_replicas_changed(s, v);
}

void replicas_init(sim *s, service_rt *v)
{
    (void)s;
    v->scaled = true;
    v->serving = xcalloc((size_t)v->nreps, sizeof *v->serving);
    /* the initial replicas are up and serving when the run starts */
    v->desired = v->spec->replicas;
    for (long i = 0; i < v->spec->replicas; i++)
        serving_add(s, v, &v->reps[i]);
}

void replicas_free(service_rt *v) { free(v->serving); }

static void start(sim *s, service_rt *v, replica *p)
{
    if (v->spec->startup == 0) {
        serving_add(s, v, p);
        return;
    }
    p->state = REP_STARTING;
    v->nstarting++;
    sim_at(s, &p->start, EV_REPLICA_UP, s->now + v->spec->startup);
}

replica *replica_route(service_rt *v)
{
    long i = v->nserving == 1 ? 0 : (long)rng_below(&v->rng_route, (uint64_t)v->nserving);
    return &v->reps[v->serving[i]];
}

void replica_on_up(sim *s, replica *p)
{
    p->svc->nstarting--;
    serving_add(s, p->svc, p);
}

/* Take a pod out of service: a starting one just goes, a serving one
 * terminates (or goes at once if it holds nothing). */
static void stop(sim *s, service_rt *v, replica *p)
{
    if (p->state == REP_STARTING) {
        evq_cancel(&s->q, &p->start);
        v->nstarting--;
        p->state = REP_IDLE;
        return;
    }
    serving_remove(s, v, p);
    /* not replica_check_done: reconcile is the caller */
    p->state = p->busy || p->queued ? REP_TERMINATING : REP_IDLE;
}

/* The pod a ReplicaSet deletes first when scaling down: not-ready before
 * ready, then the most recently ready (highest slot on a tie). */
static replica *victim(service_rt *v)
{
    replica *best = NULL;
    for (long i = v->nreps; i-- > 0;) {
        replica *p = &v->reps[i];
        if (p->state == REP_STARTING)
            return p;
        if (p->state == REP_SERVING && (!best || p->since > best->since))
            best = p;
    }
    return best;
}

static void reconcile(sim *s, service_rt *v)
{
    long live = v->nserving + v->nstarting;
    for (long i = 0; i < v->nreps && live < v->desired; i++) {
        replica *p = &v->reps[i];
        if (p->state == REP_IDLE && !p->lost) {
            start(s, v, p);
            live++;
        }
    }
    while (live > v->desired) {
        stop(s, v, victim(v));
        live--;
    }
}

void replicas_set_desired(sim *s, service_rt *v, long n)
{
    v->desired = n;
    reconcile(s, v);
}

void replica_check_done(sim *s, replica *p)
{
    if (p->busy || p->queued)
        return;
    p->state = REP_IDLE;
    reconcile(s, p->svc); /* a start may have been waiting for the slot */
}

/* The slot a fault takes next: the newest live pod's, else an empty one;
 * highest slot first. */
static replica *to_lose(service_rt *v)
{
    static const uint8_t order[] = {REP_SERVING, REP_STARTING, REP_TERMINATING, REP_IDLE};
    for (size_t k = 0; k < sizeof order; k++) {
        replica *best = NULL;
        for (long i = v->nreps; i-- > 0;) {
            replica *p = &v->reps[i];
            if (p->lost || p->state != order[k])
                continue;
            if (!best || (order[k] == REP_SERVING && p->since > best->since))
                best = p;
        }
        if (best)
            return best;
    }
    return NULL;
}

void replicas_set_lost(sim *s, service_rt *v, long lost)
{
    if (lost > v->nreps)
        lost = v->nreps;
    while (v->nlost < lost) {
        replica *p = to_lose(v);
        if (p->state == REP_SERVING)
            serving_remove(s, v, p);
        else if (p->state == REP_STARTING) {
            evq_cancel(&s->q, &p->start);
            v->nstarting--;
        }
        p->state = REP_IDLE;
        p->lost = true;
        v->nlost++;
        service_crash(s, p);
    }
    for (long i = 0; i < v->nreps && v->nlost > lost; i++) {
        if (v->reps[i].lost) {
            v->reps[i].lost = false;
            v->nlost--;
        }
    }
    reconcile(s, v);
}
