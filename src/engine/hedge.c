/* hedge.c -- hedged requests on a call edge, as gRPC's hedgingPolicy.
 *
 * Dean and Barroso's "The Tail at Scale": when an answer is late, ask
 * again, elsewhere, and take whichever answer comes first.  An attempt on
 * a hedged edge is a group of copies.  The first goes out as any attempt
 * does; while no copy has answered, another goes out every `delay` (to a
 * replica none of the others went to), up to `attempts` copies in all.
 * The first success wins and the other copies are abandoned: their callee
 * finishes them all the same (wasted work), unless deadlines cancel them.
 * A failure in `non_fatal` (gRPC's nonFatalStatusCodes) lets the other
 * copies go on, and sends the next hedge at once instead of after its
 * delay; any other failure decides the group.  The attempt's timeout runs
 * from the first copy and covers them all, and the group is one attempt
 * for the retry policy, the breaker and the retry budget's accounting.
 *
 * What stops a hedge: `max_outstanding` hedge copies already in flight
 * from this caller instance, the edge's retry budget (with `budget`), no
 * free bulkhead permit or connection (a hedge never waits for one).  A
 * hedge so denied ends the hedging of that attempt.  These are the caps on
 * the reinforcing loop latency -> hedges -> load -> latency: at high load
 * hedges add load where it hurts most.
 *
 * The copies of an attempt are chained through req.hnext from caller.out;
 * the hedge timer is the caller's second timer (caller.pool_timer), free
 * once the first copy is on its way. */
#include <stdlib.h>

#include "sim.h"
#include "../core/xalloc.h"

void hedge_init(edge_rt *e, long ninst)
{
    if (!e->spec->hedge.on)
        return;
    e->hedge_out = xcalloc((size_t)ninst, sizeof *e->hedge_out);
}

static budget_rt *hedge_budget(const caller *c)
{
    edge_rt *e = c->edge;
    if (!e->spec->hedge.budget || !e->budgets)
        return NULL;
    return &e->budgets[e->nbudgets == 1 ? 0 : c->inst];
}

/* A copy stops counting against the caps: answered, lost or abandoned. */
static void copy_gone(caller *c, req *r)
{
    if (!r->hcopy)
        return;
    c->edge->hedge_out[c->inst]--;
    budget_rt *b = hedge_budget(c);
    if (b)
        budget_on_attempt_end(b, true);
}

static void unlink_copy(caller *c, req *r)
{
    req **pp = &c->out;
    while (*pp != r)
        pp = &(*pp)->hnext;
    *pp = r->hnext;
    c->copies--;
    copy_gone(c, r);
}

/* The first copy of an attempt goes out: the group starts, and its timer. */
void hedge_dispatch(sim *s, caller *c, req *r)
{
    r->hcopy = 0;
    r->hnext = NULL;
    c->copies = 1;
    c->hsent = 1;
    c->hlast = ST_OK;
    sim_timer(s, &c->pool_timer, EV_HEDGE_TIMER, s->now + c->edge->spec->hedge.delay);
    call_put_on_wire(s, r);
}

void hedge_drop_all(sim *s, caller *c)
{
    evq_cancel(&s->q, &c->pool_timer);
    for (req *r = c->out; r; r = r->hnext) {
        r->from = NULL;
        copy_gone(c, r);
    }
    c->out = NULL;
    c->copies = 0;
}

/* Send the next copy, if the caps allow; the last thing done, since the
 * copy may be answered (and the group decided) before it returns. */
static void send_hedge(sim *s, caller *c)
{
    edge_rt *e = c->edge;
    const hedge_spec *h = &e->spec->hedge;
    connpool_rt *p = e->pools ? &e->pools[c->inst] : NULL;
    budget_rt *b = hedge_budget(c);
    if (e->hedge_off) { /* switched off by an action: not a denial, no hedge at all */
        c->hsent = (uint8_t)h->attempts;
        if (c->copies == 0 && c->hlast != ST_OK)
            call_group_done(s, c, (status)c->hlast);
        return;
    }
    bool ok = h->max_outstanding == MODEL_UNLIMITED || e->hedge_out[c->inst] < h->max_outstanding;
    /* a hedge never waits for a permit or a connection */
    if (ok && e->bulkheads && e->bulkheads[c->inst].busy >= e->spec->bulkhead.max_concurrent)
        ok = false;
    if (ok && p && p->busy >= p->spec->size)
        ok = false;
    /* last, since a budget that allows also charges the hedge */
    if (ok && b && !budget_allow_retry(b, s->now, ST_TIMEOUT, c))
        ok = false;
    if (!ok) {
        e->hedges_denied++;
        c->hsent = (uint8_t)h->attempts; /* no more hedges for this attempt */
        if (c->copies == 0 && c->hlast != ST_OK)
            call_group_done(s, c, (status)c->hlast);
        return;
    }
    if (e->bulkheads)
        bulkhead_try(s, c);
    if (p)
        connpool_try(s, p);
    if (b)
        budget_on_attempt(b, s->now, false);
    req *r = call_new_copy(s, c);
    r->conn = p;
    r->hcopy = c->hsent;
    r->attempt = (uint16_t)(c->attempt + r->hcopy); /* not a first try: priority shedding sheds it first */
    r->hnext = c->out;
    c->out = r;
    c->copies++;
    c->hsent++;
    e->hedge_out[c->inst]++;
    e->hedges++;
    if (c->hsent < h->attempts)
        sim_timer(s, &c->pool_timer, EV_HEDGE_TIMER, s->now + h->delay);
    call_put_on_wire(s, r);
}

void hedge_on_timer(sim *s, caller *c)
{
    if (c->state == CALL_WAITING && c->hsent < c->edge->spec->hedge.attempts)
        send_hedge(s, c);
}

void hedge_on_return(sim *s, caller *c, req *r, status st)
{
    edge_rt *e = r->edge;
    const hedge_spec *h = &e->spec->hedge;
    bool hedge_copy = r->hcopy != 0;
    unlink_copy(c, r);
    req_free(s, r);
    if (e->bulkheads && c->permits)
        bulkhead_release(s, c, 1); /* this copy's permit */
    if (st == ST_OK) {
        if (hedge_copy)
            e->hedge_wins++;
        call_group_done(s, c, ST_OK);
        return;
    }
    unsigned bit = st == ST_ERROR ? RETRY_ON_ERROR : st == ST_REJECT ? RETRY_ON_REJECT : 0;
    if (!(h->non_fatal & bit)) {
        call_group_done(s, c, st); /* fatal: the group fails with it */
        return;
    }
    c->hlast = (uint8_t)st;
    if (c->hsent < h->attempts) {
        evq_cancel(&s->q, &c->pool_timer);
        send_hedge(s, c); /* gRPC: the next hedge goes at once */
        return;
    }
    if (c->copies == 0)
        call_group_done(s, c, st); /* every copy failed */
}

/* The copy's replica crashed: the caller is not told (its other copies,
 * hedge timer and timeout go on), but the copy is gone. */
void hedge_lost(sim *s, req *r)
{
    (void)s;
    unlink_copy(r->from, r);
}

/* A replica for a copy that none of its siblings already reached, when
 * there is one: a hedge to the replica that is being slow would not help.
 * The first copy has no siblings and goes anywhere, as every attempt does. */
replica *hedge_replica(service_rt *v, req *r)
{
    long nup = v->nup, j = 0;
    if (nup > 1) {
        long used[8];
        int nu = 0;
        for (req *q = r->from ? r->from->out : NULL; q; q = q->hnext) {
            if (q == r || q->state == REQ_TRANSIT || nu == 8)
                continue;
            long i = q->rep - v->reps;
            if (v->scaled) { /* a scaled service: positions in its serving list */
                if (q->rep->state != REP_SERVING)
                    continue;
                i = q->rep->at;
            }
            if (i >= nup)
                continue;
            int k = 0;
            while (k < nu && used[k] < i)
                k++;
            if (k < nu && used[k] == i)
                continue;
            for (int m = nu; m > k; m--)
                used[m] = used[m - 1];
            used[k] = i;
            nu++;
        }
        if (nu >= nup) {
            j = (long)rng_below(&v->rng_route, (uint64_t)nup);
        } else {
            /* the j-th replica not in `used` (sorted) */
            j = (long)rng_below(&v->rng_route, (uint64_t)(nup - nu));
            for (int k = 0; k < nu; k++)
                if (used[k] <= j)
                    j++;
        }
    }
    r->rep = &v->reps[v->scaled ? v->serving[j] : j];
    return r->rep;
}
