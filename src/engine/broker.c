/* broker.c -- broker queues: messages between a publisher and a consumer group.
 *
 * A publish attempt that reaches the broker is answered at once: rejected
 * if the queue holds `capacity` messages, else stored and acked.  The
 * publisher waits only for that ack (with its own timeout and retries), so
 * a retry after a lost ack stores the message twice.
 *
 * Ready messages wait in a ring, so a publish and a receive are O(1)
 * however many messages wait, and memory grows with the messages held.  A
 * received message is either deleted at once (`at_most_once`, or a
 * consumer that acks before processing) or stays in flight, invisible,
 * until it is acked or its visibility timeout fires on the engine's timer
 * wheel; it then comes back (to the front with `order: fifo`), or goes to
 * the dead-letter queue after `max_receives` receives.  A deleted message
 * still in the ring (acked late, after it came back) stays there as a
 * tombstone until it reaches the head.  `retention` is checked at the head:
 * a ready message older than that is deleted unseen and counted `expired`.
 * A message in flight expires when its age reaches `retention` (its timer
 * fires at the earlier of that and the visibility timeout), as SQS deletes
 * it: the delivery goes on, but the message never comes back.
 *
 * A topic (`kind: topic`) holds nothing itself: each consumer group drains
 * its own subscription, a queue of its own, and a publish stores a copy in
 * every subscription (or in none, if one is full).  A subscription's
 * counts, lag and depth also add up in its topic's.  See docs/messaging.md. */
#include <stdlib.h>

#include "sim.h"
#include "../core/xalloc.h"

void broker_init(sim *s, bqueue_rt *q, const bqueue_spec *spec)
{
    (void)s;
    q->spec = spec;
    hist_init(&q->age_cur);
    hist_init(&q->age_tot);
}

void broker_free(sim *s, bqueue_rt *q)
{
    (void)s;
    free(q->ring);
    free(q->subs);
    hist_free(&q->age_cur);
    hist_free(&q->age_tot);
}

/* Q.depth is a time average of the messages held. */
void broker_gauge(sim *s, bqueue_rt *q)
{
    q->area_held += (double)(s->now - q->last_change) * (double)q->held;
    q->last_change = s->now;
}

/* A subscription's messages are also its topic's. */
static void held_add(sim *s, bqueue_rt *q, long d)
{
    broker_gauge(s, q);
    q->held += d;
    if (q->topic) {
        broker_gauge(s, q->topic);
        q->topic->held += d;
    }
}

#define BUMP(q, field)                                                                                               \
    do {                                                                                                             \
        (q)->cur.field++;                                                                                            \
        if ((q)->topic)                                                                                              \
            (q)->topic->cur.field++;                                                                                 \
    } while (0)

static void ring_grow(bqueue_rt *q)
{
    size_t cap = q->cap ? 2 * q->cap : 64;
    msg **r = xmalloc(cap * sizeof *r);
    for (size_t i = 0; i < q->len; i++)
        r[i] = q->ring[(q->head + i) % q->cap];
    free(q->ring);
    q->ring = r;
    q->head = 0;
    q->cap = cap;
}

static void ring_push_back(bqueue_rt *q, msg *m)
{
    m->ringed = 1;
    if (q->len == q->cap)
        ring_grow(q);
    q->ring[(q->head + q->len++) % q->cap] = m;
}

static void ring_push_front(bqueue_rt *q, msg *m)
{
    m->ringed = 1;
    if (q->len == q->cap)
        ring_grow(q);
    q->head = (q->head + q->cap - 1) % q->cap;
    q->ring[q->head] = m;
    q->len++;
}

static msg *ring_pop(bqueue_rt *q)
{
    msg *m = q->ring[q->head];
    q->head = (q->head + 1) % q->cap;
    q->len--;
    m->ringed = 0;
    /* The messages next out were stored long ago when a backlog waits: ask
     * for one a few receives ahead now, so receives do not wait on memory. */
    if (q->len > 4)
        __builtin_prefetch(q->ring[(q->head + 4) % q->cap], 1);
    return m;
}

static void msg_free(sim *s, msg *m)
{
    wrec *w = m->w;
    pool_put(&s->msgs, m);
    if (w)
        ledger_unref(s, w);
}

/* A deleted message is freed once neither the ring (as a tombstone) nor a
 * delivery holds it. */
static void maybe_free(sim *s, msg *m)
{
    if (m->state == MSG_DELETED && !m->holders && !m->ringed)
        msg_free(s, m);
}

/* The queue no longer holds m: acked, expired, dead-lettered, or handed
 * out by at_most_once. */
static void msg_delete(sim *s, msg *m)
{
    bqueue_rt *q = m->q;
    evq_cancel(&s->q, &m->vis);
    held_add(s, q, -1);
    m->state = MSG_DELETED;
    maybe_free(s, m);
}

/* Delete what waits at the head past its retention (and tombstones), so
 * that expired messages neither fill the queue nor wait for a consumer to
 * be counted. */
void broker_expire(sim *s, bqueue_rt *q)
{
    for (size_t i = 0; i < q->nsubs; i++)
        broker_expire(s, q->subs[i]);
    simtime keep = q->spec->retention;
    while (q->len) {
        msg *m = q->ring[q->head];
        if (m->state == MSG_DELETED) {
            ring_pop(q);
            maybe_free(s, m);
        } else if (keep > 0 && s->now - m->published >= keep) {
            ring_pop(q);
            BUMP(q, expired);
            msg_delete(s, m);
        } else {
            break;
        }
    }
}

/* Whether q can take one more message (after retention made room). */
static bool has_room(sim *s, bqueue_rt *q)
{
    /* Only retention needs the head looked at here: with a long backlog
     * the head is the oldest message, far out of cache. */
    if (q->spec->retention > 0)
        broker_expire(s, q);
    return q->spec->capacity == MODEL_UNLIMITED || q->held < q->spec->capacity;
}

static void put(sim *s, bqueue_rt *q, wrec *w, uint64_t akey, simtime published)
{
    msg *m = pool_get(&s->msgs);
    m->q = q;
    m->w = w;
    m->akey = akey;
    m->published = published;
    if (w) {
        ledger_ref(w);
        if (q->group && q->group->site >= 0)
            ledger_owe(w, q->group->site);
    }
    held_add(s, q, 1);
    q->cur.published++;
    ring_push_back(q, m);
}

/* Store a message in a queue, or a copy in each of a topic's
 * subscriptions; false (nothing stored) if one of them is full. */
static bool store(sim *s, bqueue_rt *q, wrec *w, uint64_t akey, simtime published)
{
    if (!q->spec->topic) {
        if (!has_room(s, q))
            return false;
        put(s, q, w, akey, published);
        return true;
    }
    for (size_t i = 0; i < q->nsubs; i++)
        if (!has_room(s, q->subs[i]))
            return false;
    for (size_t i = 0; i < q->nsubs; i++)
        put(s, q->subs[i], w, akey, published);
    q->cur.published++;
    return true;
}

/* Wake the groups that drain q (a topic's: every subscription's). */
static void kick(sim *s, bqueue_rt *q)
{
    if (q->group)
        consumer_kick(s, q->group);
    for (size_t i = 0; i < q->nsubs; i++)
        consumer_kick(s, q->subs[i]->group);
}

void broker_publish(sim *s, req *r)
{
    bqueue_rt *q = r->edge->bq;
    status st = ST_OK;
    if (!store(s, q, r->w, r->akey, s->now)) {
        q->cur.rejected++;
        st = ST_REJECT;
    }
    /* the ack (or the refusal) goes back as a response does */
    r->status = (uint8_t)st;
    r->state = REQ_RETURNING;
    if (!r->from)
        req_free(s, r);
    else if (r->edge->spec->has_latency)
        sim_at(s, &r->ev, EV_REQ_RETURN, s->now + dist_sample(&r->edge->spec->latency, &r->edge->rng));
    else
        service_on_return(s, r);
    if (st == ST_OK)
        kick(s, q);
}

msg *broker_take(sim *s, bqueue_rt *q)
{
    const bqueue_spec *sp = q->spec;
    while (q->len) {
        msg *m = ring_pop(q);
        if (m->state == MSG_DELETED) { /* a tombstone */
            maybe_free(s, m);
            continue;
        }
        if (sp->retention > 0 && s->now - m->published >= sp->retention) {
            BUMP(q, expired);
            msg_delete(s, m);
            continue;
        }
        m->receives++;
        if (m->receives == 1)
            BUMP(q, delivered);
        else
            BUMP(q, redelivered);
        hist_add(&q->age_cur, s->now - m->published);
        if (q->topic)
            hist_add(&q->topic->age_cur, s->now - m->published);
        m->holders++;
        bool gone = sp->delivery == DELIVERY_AT_MOST_ONCE || q->group->spec->ack == ACK_BEFORE_PROCESSING;
        if (gone) {
            msg_delete(s, m);
        } else {
            m->state = MSG_INFLIGHT;
            simtime t = s->now + sp->visibility_timeout;
            if (sp->retention > 0 && m->published + sp->retention < t)
                t = m->published + sp->retention; /* it expires in flight first */
            sim_timer(s, &m->vis, EV_VISIBILITY, t);
        }
        return m;
    }
    return NULL;
}

void broker_ack(sim *s, msg *m)
{
    if (m->state == MSG_DELETED)
        return;
    msg_delete(s, m);
}

static void dead_letter(sim *s, msg *m);

/* Back to the queue (a visibility timeout, a nack), or to the dlq after
 * its last receive, as SQS's maxReceiveCount. */
static void requeue(sim *s, msg *m)
{
    bqueue_rt *q = m->q;
    if (q->spec->max_receives != MODEL_UNLIMITED && (long)m->receives >= q->spec->max_receives) {
        dead_letter(s, m);
        return;
    }
    m->state = MSG_READY;
    if (q->spec->fifo)
        ring_push_front(q, m);
    else
        ring_push_back(q, m);
    if (q->group)
        consumer_kick(s, q->group);
}

void broker_nack(sim *s, msg *m)
{
    if (m->state != MSG_INFLIGHT)
        return;
    evq_cancel(&s->q, &m->vis);
    requeue(s, m);
}

void broker_release(sim *s, msg *m)
{
    m->holders--;
    maybe_free(s, m);
}

/* To the dlq (a full dlq drops it: it is counted dead-lettered all the
 * same).  The copy keeps the message's record and keys. */
static void dead_letter(sim *s, msg *m)
{
    bqueue_rt *q = m->q;
    BUMP(q, dead_lettered);
    if (q->dlq && store(s, q->dlq, m->w, m->akey, m->published))
        kick(s, q->dlq);
    msg_delete(s, m);
}

/* Not acked in time, or past its retention while in flight (SQS deletes
 * it: the ack that may still come deletes nothing, and it never comes back). */
void broker_on_visibility(sim *s, msg *m)
{
    bqueue_rt *q = m->q;
    if (q->spec->retention > 0 && s->now - m->published >= q->spec->retention) {
        BUMP(q, expired);
        msg_delete(s, m);
        return;
    }
    requeue(s, m);
}
