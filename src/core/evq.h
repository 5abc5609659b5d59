/* evq.h -- the pending-event queue of a discrete-event simulation.
 *
 * Events are ordered by time, and events at the same time by the order in
 * which they were scheduled (a sequence number), never by address, so runs
 * are deterministic.  An event is an `ev` embedded in the object it concerns
 * (a request, a client, a fault window); the queue never allocates per
 * event, and a scheduled event can be cancelled in O(log n), which keeps the
 * queue as small as the work in flight: a timeout that did not fire leaves
 * nothing behind. */
#ifndef EDDY_EVQ_H
#define EDDY_EVQ_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"

typedef struct ev {
    uint32_t pos;  /* 1 + index in the heap; 0 when not scheduled */
    uint16_t kind; /* what to do when it fires; the engine's to define */
} ev;

typedef struct evq_entry {
    simtime t;
    uint64_t seq;
    ev *e;
} evq_entry;

typedef struct evq {
    evq_entry *heap;
    size_t n, cap;
    uint64_t seq;
} evq;

void evq_init(evq *q);
void evq_free(evq *q);

static inline int ev_pending(const ev *e) { return e->pos != 0; }

/* Schedule e at time t; e must not be pending. */
void evq_push(evq *q, ev *e, simtime t);
/* Remove e if it is pending; harmless otherwise. */
void evq_cancel(evq *q, ev *e);
/* Remove and return the earliest event, or NULL if empty; *t gets its time. */
ev *evq_pop(evq *q, simtime *t);
static inline simtime evq_peek_time(const evq *q) { return q->n ? q->heap[0].t : T_NEVER; }
static inline size_t evq_size(const evq *q) { return q->n; }

#endif
