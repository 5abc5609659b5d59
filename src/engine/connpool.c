/* connpool.c -- a connection pool on a call edge, per caller instance.
 *
 * An attempt needs a connection before it is sent.  With one free it goes
 * at once; otherwise it waits in FIFO order (its timeout is already
 * running: waiting counts toward it), or fails at once with `wait: false`,
 * or fails as a rejection after wait_timeout (HikariCP's connectionTimeout).
 *
 * A connection is held until the callee's answer comes back, and, when the
 * caller gave up first, until the callee finishes the abandoned work: the
 * socket stays busy with a query nobody waits for.  That is how a pool
 * caps the callee's concurrency, and why a smaller pool can beat a larger
 * one in front of a database that slows with contention. */
#include "sim.h"

static void unlink_waiter(connpool_rt *p, caller *c)
{
    if (c->wprev)
        c->wprev->wnext = c->wnext;
    else
        p->whead = c->wnext;
    if (c->wnext)
        c->wnext->wprev = c->wprev;
    else
        p->wtail = c->wprev;
    c->wprev = c->wnext = NULL;
    p->nwait--;
}

int connpool_acquire(sim *s, connpool_rt *p, caller *c)
{
    edge_rt *e = c->edge;
    if (p->busy < p->spec->size) {
        edge_gauge(s, e);
        p->busy++;
        e->pool_busy++;
        return 1;
    }
    if (!p->spec->wait)
        return -1;
    edge_gauge(s, e);
    c->wprev = p->wtail;
    c->wnext = NULL;
    if (p->wtail)
        p->wtail->wnext = c;
    else
        p->whead = c;
    p->wtail = c;
    p->nwait++;
    e->pool_wait++;
    c->state = CALL_POOL_WAIT;
    if (p->spec->wait_timeout > 0)
        sim_timer(s, &c->pool_timer, EV_POOL_TIMER, s->now + p->spec->wait_timeout);
    return 0;
}

/* A connection if one is free now; no waiting (for hedge copies). */
bool connpool_try(sim *s, connpool_rt *p)
{
    if (p->busy >= p->spec->size)
        return false;
    edge_gauge(s, p->edge);
    p->busy++;
    p->edge->pool_busy++;
    return true;
}

void connpool_leave(sim *s, connpool_rt *p, caller *c)
{
    edge_gauge(s, c->edge);
    unlink_waiter(p, c);
    c->edge->pool_wait--;
    evq_cancel(&s->q, &c->pool_timer);
}

/* A connection comes back: the first waiter, if any, takes it and goes. */
void connpool_release(sim *s, connpool_rt *p)
{
    caller *c = p->whead;
    if (!c) {
        edge_gauge(s, p->edge);
        p->busy--;
        p->edge->pool_busy--;
        return;
    }
    connpool_leave(s, p, c);
    call_dispatch(s, c); /* the connection passes straight to it */
}
