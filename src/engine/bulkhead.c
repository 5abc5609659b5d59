/* bulkhead.c -- a per-dependency bulkhead at the caller, as resilience4j's
 * SemaphoreBulkhead.
 *
 * Each caller instance holds at most max_concurrent permits for this edge:
 * an attempt takes one before it is sent (after the breaker, before the
 * pool) and gives it back when the caller stops waiting for it (answer,
 * timeout, or the owner giving up).  With none free, the attempt waits up
 * to max_wait (FIFO; its timeout is running) or, with max_wait 0, is
 * refused at once with the outcome `bulkhead`, which is never retried.
 *
 * The point is isolation: a slow dependency can hold at most max_concurrent
 * of the caller's workers, so the caller keeps workers for its other,
 * healthy dependencies.  This is the caller's own cap; a callee's
 * `bulkheads:` partitions the callee's workers instead (service.c). */
#include <stdlib.h>

#include "sim.h"
#include "../core/xalloc.h"

void bulkhead_init(edge_rt *e, long ninst)
{
    if (!e->spec->bulkhead.on)
        return;
    e->bulkheads = xcalloc((size_t)ninst, sizeof *e->bulkheads);
}

/* Permits in use are reported as a time average, like pool_busy. */
void bulkhead_gauge(sim *s, edge_rt *e)
{
    double dt = (double)(s->now - e->bulkhead_last);
    if (dt > 0) {
        e->area_bulkhead_busy += dt * (double)e->bulkhead_busy;
        e->bulkhead_last = s->now;
    }
}

bool bulkhead_try(sim *s, caller *c)
{
    edge_rt *e = c->edge;
    bulkhead_rt *b = &e->bulkheads[c->inst];
    if (b->busy >= e->spec->bulkhead.max_concurrent)
        return false;
    bulkhead_gauge(s, e);
    b->busy++;
    e->bulkhead_busy++;
    c->permits++;
    return true;
}

int bulkhead_acquire(sim *s, caller *c)
{
    if (bulkhead_try(s, c))
        return 1;
    edge_rt *e = c->edge;
    bulkhead_rt *b = &e->bulkheads[c->inst];
    if (e->spec->bulkhead.max_wait <= 0)
        return -1;
    c->wprev = b->wtail;
    c->wnext = NULL;
    if (b->wtail)
        b->wtail->wnext = c;
    else
        b->whead = c;
    b->wtail = c;
    c->state = CALL_BULKHEAD_WAIT;
    sim_timer(s, &c->pool_timer, EV_BULKHEAD_TIMER, s->now + e->spec->bulkhead.max_wait);
    return 0;
}

void bulkhead_leave(sim *s, caller *c)
{
    bulkhead_rt *b = &c->edge->bulkheads[c->inst];
    if (c->wprev)
        c->wprev->wnext = c->wnext;
    else
        b->whead = c->wnext;
    if (c->wnext)
        c->wnext->wprev = c->wprev;
    else
        b->wtail = c->wprev;
    c->wprev = c->wnext = NULL;
    evq_cancel(&s->q, &c->pool_timer);
}

/* Give back n of c's permits; each passes straight to the first waiter. */
void bulkhead_release(sim *s, caller *c, int n)
{
    edge_rt *e = c->edge;
    bulkhead_rt *b = &e->bulkheads[c->inst];
    c->permits = (uint8_t)(c->permits - n);
    while (n-- > 0) {
        caller *w = b->whead;
        if (!w) {
            bulkhead_gauge(s, e);
            b->busy--;
            e->bulkhead_busy--;
            continue;
        }
        bulkhead_leave(s, w);
        w->permits++;
        call_after_bulkhead(s, w);
    }
}

void bulkhead_on_timer(sim *s, caller *c)
{
    bulkhead_leave(s, c);
    call_on_bulkhead_full(s, c);
}
