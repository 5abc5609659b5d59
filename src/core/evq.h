/* evq.h -- the pending-event queue of a discrete-event simulation.
 *
 * Events are ordered by time, and events at the same time by the order in
 * which they were scheduled (a sequence number), never by address, so runs
 * are deterministic.  An event is an `ev` embedded in the object it concerns
 * (a request, a client, a fault window); the queue never allocates per
 * event, and a scheduled event can be cancelled, which keeps the queue as
 * small as the work in flight: a timeout that did not fire leaves nothing
 * behind.
 *
 * Two tiers, one order.  Events due soon live in a heap (push, pop and
 * cancel in O(log n)).  Timers -- events that are usually cancelled before
 * they fire, such as an attempt's timeout -- may be pushed with
 * evq_push_timer instead: a timer due far enough ahead waits in a
 * hierarchical timing wheel (Varghese and Lauck, "Hashed and hierarchical
 * timing wheels", SOSP 1987), where push and cancel are O(1), and enters the
 * heap only if it is still pending when its slot comes due.  It keeps the
 * sequence number it was given when pushed, so the order in which events
 * are popped is exactly the same whichever call scheduled them. */
#ifndef EDDY_EVQ_H
#define EDDY_EVQ_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"

typedef struct ev {
    uint32_t pos;  /* where it waits (heap slot or wheel node); 0 when not scheduled */
    uint16_t kind; /* what to do when it fires; the engine's to define */
} ev;

/* The kind of the queue's own slot markers: engines must not use it. */
#define EVQ_KIND_SLOT 0xffffu

typedef struct evq_entry {
    simtime t;
    uint64_t seq;
    ev *e;
} evq_entry;

struct evq_node;
struct evq_slot;

typedef struct evq {
    evq_entry *heap;
    size_t n, cap;
    uint64_t seq;
    simtime now;              /* the time of the last entry popped */
    size_t nslots_live;       /* slot markers in the heap */
    size_t ntimers;           /* timers waiting in the wheel */
    struct evq_slot *slots;   /* the wheel, allocated at the first timer */
    struct evq_node *nodes;   /* timers in the wheel, linked per slot */
    uint32_t nnodes, cnodes, free_node;
} evq;

void evq_init(evq *q);
void evq_free(evq *q);

static inline int ev_pending(const ev *e) { return e->pos != 0; }

/* Schedule e at time t; e must not be pending. */
void evq_push(evq *q, ev *e, simtime t);
/* The same, for an event that will probably be cancelled before it fires:
 * O(1) to push and to cancel when t is far ahead.  The order of events is
 * the same as with evq_push. */
void evq_push_timer(evq *q, ev *e, simtime t);
/* Remove e if it is pending; harmless otherwise. */
void evq_cancel(evq *q, ev *e);
/* Remove and return the earliest event, or NULL if empty; *t gets its time. */
ev *evq_pop(evq *q, simtime *t);
/* The time of the earliest event, or T_NEVER if empty. */
simtime evq_peek_time(evq *q);
static inline size_t evq_size(const evq *q) { return q->n - q->nslots_live + q->ntimers; }

#endif
