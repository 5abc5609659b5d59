/* queue.c -- a lane's request queue and how it is managed.
 *
 * A lane is a queue with the workers that serve it (sim.h).  The queue is a
 * ring buffer, served from the head (FIFO) or the tail (LIFO).  Queue
 * management decides, at dequeue, which waiting request to serve and which
 * to drop instead:
 *
 *   adaptive LIFO  FIFO normally, LIFO once the queue has not been empty for
 *                  a CoDel interval (Facebook, "Fail at Scale", 2015): under
 *                  overload the newest requests, whose callers still wait,
 *                  are served first.
 *   CoDel          as folly's Codel, which Facebook applies to request
 *                  queues: the lane is *overloaded* when the shortest queue
 *                  delay seen in the last interval exceeded the target, and
 *                  while overloaded a request that waited more than twice
 *                  the target is dropped.
 *   queue_timeout  a request that waited longer than this is dropped.
 *   deadlines      a request whose caller's deadline has passed is dropped
 *                  (services.X.deadlines: drop or cancel).
 *
 * A dropped request is answered at once (a fast 503-style failure, or
 * DEADLINE_EXCEEDED), so a caller that still waits can act on it. */
#include <stdlib.h>

#include "sim.h"
#include "../core/xalloc.h"

void lane_init(lane *l, long workers, long queue)
{
    l->workers = workers;
    l->queue = queue;
}

void lane_free(lane *l) { free(l->q); }

void lane_push(lane *l, req *r, simtime now)
{
    if (l->qlen == l->qcap) {
        size_t cap = l->qcap ? l->qcap * 2 : 16;
        req **q = xmalloc(cap * sizeof *q);
        for (size_t i = 0; i < l->qlen; i++)
            q[i] = l->q[(l->qhead + i) % l->qcap];
        free(l->q);
        l->q = q;
        l->qcap = cap;
        l->qhead = 0;
    }
    if (l->qlen == 0)
        l->last_empty = now; /* it was empty until this moment */
    l->q[(l->qhead + l->qlen) % l->qcap] = r;
    l->qlen++;
}

static req *pop_head(lane *l) { return lane_pop(l, DISC_FIFO); }

static req *pop_tail(lane *l) { return lane_pop(l, DISC_LIFO); }

req *lane_pop_any(lane *l) { return l->qlen ? pop_head(l) : NULL; }

/* folly::Codel::overloaded, for one dequeued request's queue delay.  The
 * interval's verdict is taken when the first request after the interval's
 * end is dequeued; that request starts the next interval's minimum and is
 * never dropped itself. */
static bool codel_drop(lane *l, const shed_spec *sh, simtime now, simtime delay)
{
    if (now > l->codel_next && !l->codel_reset) {
        l->codel_reset = true;
        l->codel_next = now + sh->codel_interval;
        l->overloaded = l->codel_min > sh->codel_target;
    }
    if (l->codel_reset) {
        l->codel_reset = false;
        l->codel_min = delay;
        return false;
    }
    if (delay < l->codel_min)
        l->codel_min = delay;
    return l->overloaded && delay > 2 * sh->codel_target;
}

req *lane_next(sim *s, service_rt *v, lane *l, req **dropped)
{
    const service_spec *sp = v->spec;
    const shed_spec *sh = &sp->shed;
    /* CoDel's overload test also serves priority shedding (retries are
     * refused while the lane is overloaded), so it runs for either. */
    bool codel = sh->codel || sh->priority;
    while (l->qlen > 0) {
        req *r;
        if (sp->discipline == DISC_FIFO)
            r = pop_head(l);
        else if (sp->discipline == DISC_LIFO)
            r = pop_tail(l);
        else /* adaptive LIFO */
            r = s->now - l->last_empty > sh->codel_interval ? pop_tail(l) : pop_head(l);
        if (l->qlen == 0)
            l->last_empty = s->now;
        simtime delay = s->now - r->arrived;
        bool drop = codel && codel_drop(l, sh, s->now, delay) && sh->codel;
        if (sp->deadlines != DEADLINES_IGNORE && s->now >= r->deadline) {
            r->status = ST_DEADLINE;
        } else if (drop || (sh->queue_timeout > 0 && delay > sh->queue_timeout)) {
            r->status = ST_REJECT;
        } else {
            return r;
        }
        r->next = *dropped;
        *dropped = r;
    }
    return NULL;
}

req *lane_evict_retry(lane *l)
{
    for (size_t i = l->qlen; i-- > 0;) {
        size_t at = (l->qhead + i) % l->qcap;
        req *r = l->q[at];
        if (r->attempt <= 1)
            continue;
        /* close the gap: shift the newer entries one place towards the head */
        for (size_t j = i; j + 1 < l->qlen; j++)
            l->q[(l->qhead + j) % l->qcap] = l->q[(l->qhead + j + 1) % l->qcap];
        l->qlen--;
        return r;
    }
    return NULL;
}
