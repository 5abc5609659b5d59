/* autoscale.c -- autoscalers, as the Kubernetes HorizontalPodAutoscaler.
 *
 * Each autoscaler wakes every `sync` (the controller manager's
 * --horizontal-pod-autoscaler-sync-period, 15 s), measures its metric
 * averaged over the service's serving replicas since its last sync, and
 * sets the service's replica count.  The arithmetic follows the Kubernetes
 * documentation ("Horizontal Pod Autoscaling": algorithm details,
 * configurable scaling behavior) and the controller it describes
 * (pkg/controller/podautoscaler: replica_calculator.go, horizontal.go):
 *
 *  1. desired = ceil(ready * metric/target), or no change while
 *     |metric/target - 1| <= tolerance (0.1).  Pods not yet ready (here:
 *     starting) are set aside; on a scale-up they count as using nothing,
 *     and if that reverses the direction or brings the ratio within the
 *     tolerance, nothing changes (hpa_calc).
 *  2. Stabilization: every recommendation is kept with its time.  The
 *     count moves up only to the lowest recommendation within the scale-up
 *     window (default 0 s: at once), and down only to the highest within
 *     the scale-down window (default 300 s).
 *  3. Rate policies: over the last `period`, a Percent policy allows
 *     ceil(start * (1 + percent/100)) replicas up or
 *     trunc(start * (1 - percent/100)) down, a Pods policy start +/- pods,
 *     where start is the count at the period's start (the count now less
 *     this controller's own changes within the period); `select: max`
 *     takes the policy allowing the largest change, `min` the smallest,
 *     `disabled` none.  Defaults: up max(100%, 4 pods) per 15 s, down 100%
 *     per 15 s.
 *  4. The result stays within [min, max]; a count outside them (set by
 *     someone else) is brought back first, without the steps above.
 *
 * Several controllers may act on one service: each keeps its own
 * recommendations and scale events and writes the service's count when its
 * decision differs from the count it finds, and the service follows the
 * most recent write, as two controllers writing one Deployment's
 * .spec.replicas do.  Nothing here runs unless a model has autoscalers. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "sim.h"
#include "../core/xalloc.h"

/* ---- the HPA arithmetic --------------------------------------------------- */

long hpa_calc(double ratio, long ready, long unready, long current, double tolerance)
{
    if (ready <= 0)
        return current; /* no metrics: the controller does not act */
    if (!(unready > 0 && ratio > 1.0)) {
        if (fabs(1.0 - ratio) <= tolerance)
            return current;
        return (long)ceil(ratio * (double)ready);
    }
    /* scale-up with pods not yet ready: they count as using nothing */
    double r = ratio * (double)ready / (double)(ready + unready);
    if (fabs(1.0 - r) <= tolerance || r < 1.0)
        return current;
    long n = (long)ceil(r * (double)(ready + unready));
    return n < current ? current : n;
}

static void grow(hpa_rec **v, size_t *cap)
{
    *cap = *cap ? *cap * 2 : 8;
    *v = xrealloc(*v, *cap * sizeof **v);
}

void hpa_init(hpa_rt *h, const autoscaler_spec *spec)
{
    h->spec = spec;
}

void hpa_free(hpa_rt *h)
{
    free(h->recs);
    free(h->ups);
    free(h->downs);
}

/* Record a value, in place of one older than the cutoff if there is one, so
 * the list holds only what a window or period can still see. */
static void keep(hpa_rec **v, size_t *n, size_t *cap, simtime cutoff, hpa_rec r)
{
    for (size_t i = 0; i < *n; i++) {
        if ((*v)[i].at < cutoff) {
            (*v)[i] = r;
            return;
        }
    }
    if (*n == *cap)
        grow(v, cap);
    (*v)[(*n)++] = r;
}

static long changed_since(const hpa_rec *v, size_t n, simtime cutoff)
{
    long sum = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i].at > cutoff)
            sum += v[i].value;
    return sum;
}

static long pick(scale_select sel, bool up, long a, long b)
{
    /* max picks the largest change: the highest limit up, the lowest down */
    bool highest = (sel == SELECT_MAX) == up;
    return highest ? (a > b ? a : b) : (a < b ? a : b);
}

static long rate_limit(const hpa_rt *h, simtime now, long current, bool up)
{
    const scale_rules *r = up ? &h->spec->up : &h->spec->down;
    if (r->select == SELECT_DISABLED)
        return current;
    simtime cutoff = now - r->period;
    long start = current - changed_since(h->ups, h->nups, cutoff) + changed_since(h->downs, h->ndowns, cutoff);
    bool highest = (r->select == SELECT_MAX) == up;
    long limit = highest ? LONG_MIN : LONG_MAX;
    if (r->pods >= 0)
        limit = pick(r->select, up, limit, up ? start + r->pods : start - r->pods);
    if (r->percent >= 0) {
        long p = up ? (long)ceil((double)start * (1 + r->percent / 100))
                    : (long)((double)start * (1 - r->percent / 100)); /* truncated, as Go's int32() */
        limit = pick(r->select, up, limit, p);
    }
    return limit;
}

long hpa_normalize(hpa_rt *h, simtime now, long current, long proposal)
{
    const autoscaler_spec *sp = h->spec;
    /* stabilization windows */
    simtime up_cut = now - sp->up.stabilization, down_cut = now - sp->down.stabilization;
    long up = proposal, down = proposal;
    for (size_t i = 0; i < h->nrecs; i++) {
        const hpa_rec *r = &h->recs[i];
        if (r->at > up_cut && r->value < up)
            up = r->value;
        if (r->at > down_cut && r->value > down)
            down = r->value;
    }
    long n = current;
    if (n < up)
        n = up;
    if (n > down)
        n = down;
    keep(&h->recs, &h->nrecs, &h->caprecs, up_cut < down_cut ? up_cut : down_cut, (hpa_rec){now, proposal});
    /* rate policies, and [min, max] */
    if (n > current) {
        long limit = rate_limit(h, now, current, true);
        if (limit < current)
            limit = current;
        long hi = sp->max < limit ? sp->max : limit;
        if (n > hi)
            n = hi;
    } else if (n < current) {
        long limit = rate_limit(h, now, current, false);
        if (limit > current)
            limit = current;
        long lo = sp->min > limit ? sp->min : limit;
        if (n < lo)
            n = lo;
    }
    return n;
}

void hpa_store_event(hpa_rt *h, simtime now, long from, long to)
{
    if (to > from)
        keep(&h->ups, &h->nups, &h->capups, now - h->spec->up.period, (hpa_rec){now, to - from});
    else if (to < from)
        keep(&h->downs, &h->ndowns, &h->capdowns, now - h->spec->down.period, (hpa_rec){now, from - to});
}

/* ---- the controllers ------------------------------------------------------ */

void autoscale_init(sim *s)
{
    const model *m = s->m;
    if (!m->nautoscalers)
        return;
    s->autoscalers = xcalloc(m->nautoscalers, sizeof *s->autoscalers);
    for (size_t i = 0; i < m->nautoscalers; i++) {
        autoscaler_rt *a = &s->autoscalers[i];
        const autoscaler_spec *sp = &m->autoscalers[i];
        hpa_init(&a->hpa, sp);
        a->svc = &s->services[sp->service];
        a->mark_busy = xcalloc((size_t)a->svc->nreps, sizeof *a->mark_busy);
        a->metric = NAN;
        a->desired = a->svc->desired;
        sim_at(s, &a->ev, EV_AUTOSCALE, sp->sync);
    }
}

void autoscale_free(sim *s)
{
    for (size_t i = 0; s->autoscalers && i < s->m->nautoscalers; i++) {
        hpa_free(&s->autoscalers[i].hpa);
        free(s->autoscalers[i].mark_busy);
    }
    free(s->autoscalers);
}

/* The metric over the serving replicas since the last sync; false when no
 * replica served in that time.  cpu is the busy time over the worker time
 * of the replicas serving now (a metrics pipeline's usage / request); queue
 * and rps divide the service's time-averaged queue and its arrival rate by
 * the time-averaged number of serving replicas (an external metric with an
 * AverageValue target). */
static bool measure(sim *s, autoscaler_rt *a, double *out)
{
    service_rt *v = a->svc;
    const autoscaler_spec *sp = a->hpa.spec;
    bool ok = false;
    service_gauge(s, v);
    replicas_gauge(s, v);
    double serving = v->area_serving - a->mark_serving;
    switch (sp->metric) {
    case METRIC_CPU: {
        double busy = 0, span = 0;
        for (long k = 0; k < v->nserving; k++) {
            replica *p = &v->reps[v->serving[k]];
            replica_gauge(s->now, p);
            bool fresh = p->since > a->mark_t; /* began to serve within the window */
            busy += p->area_busy - (fresh ? p->area_since : a->mark_busy[v->serving[k]]);
            span += (double)(s->now - (fresh ? p->since : a->mark_t));
        }
        if (span > 0) {
            *out = busy / (span * (double)v->spec->workers);
            ok = true;
        }
        for (long i = 0; i < v->nreps; i++) {
            replica_gauge(s->now, &v->reps[i]);
            a->mark_busy[i] = v->reps[i].area_busy;
        }
        break;
    }
    case METRIC_QUEUE: {
        double q = v->tot_area_queue + v->area_queue;
        if (serving > 0) {
            *out = (q - a->mark_queue) / serving;
            ok = true;
        }
        a->mark_queue = q;
        break;
    }
    case METRIC_LAG: { /* at the sync, as a queue scaler reads its broker */
        long held = 0;
        for (size_t g = 0; g < v->ngroups; g++)
            held += v->groups[g]->q->held;
        if (v->nserving > 0) {
            *out = (double)held / (double)v->nserving;
            ok = true;
        }
        break;
    }
    case METRIC_RPS: {
        uint64_t n = v->tot.arrivals + v->cur.arrivals;
        if (serving > 0) {
            *out = (double)(n - a->mark_arrivals) / (serving / 1e9);
            ok = true;
        }
        a->mark_arrivals = n;
        break;
    }
    }
    a->mark_serving = v->area_serving;
    a->mark_t = s->now;
    return ok;
}

void autoscale_on_sync(sim *s, autoscaler_rt *a)
{
    const autoscaler_spec *sp = a->hpa.spec;
    service_rt *v = a->svc;
    double metric = NAN;
    bool ok = measure(s, a, &metric);
    a->metric = ok ? metric : NAN;
    long current = v->desired, want;
    if (current == 0)
        want = 0; /* as the HPA: scaled to zero by hand, autoscaling is off */
    else if (current > sp->max)
        want = sp->max;
    else if (current < sp->min)
        want = sp->min;
    else if (!ok)
        want = current;
    else
        want = hpa_normalize(&a->hpa, s->now, current,
                             hpa_calc(metric / sp->target, v->nserving, v->nstarting, current, sp->tolerance));
    if (want != current) {
        hpa_store_event(&a->hpa, s->now, current, want);
        replicas_set_desired(s, v, want);
    }
    a->desired = want;
    sim_at(s, &a->ev, EV_AUTOSCALE, s->now + sp->sync);
}
