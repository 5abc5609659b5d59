/* evq.c -- the event queue: a 4-ary min-heap of (time, sequence) keys,
 * with a hierarchical timing wheel in front of it for timers.
 *
 * The heap.  Four children per node rather than two: the tree is half as
 * deep and a node's children share a cache line.  Measured with callgrind:
 * 3% fewer instructions than a binary heap on M/M/400 (hundreds of pending
 * events), 3% more on M/M/4 (a handful).  Each entry keeps its key inline so
 * comparisons never chase the ev pointer; only moves write back the
 * position.
 *
 * The wheel.  A timer due at least 2^WHEEL_G ns ahead is linked into a
 * slot of the wheel instead of the heap: O(1) to push, O(1) to cancel, and
 * most timers (timeouts of attempts that succeed) are cancelled there
 * without ever touching the heap.  Level L's slots are 2^(WHEEL_G +
 * WHEEL_B*L) ns wide; a timer goes to the level whose slot width is at most
 * its distance and more than an eighth of it, so a stream of timers with
 * one timeout uses a handful of slots.  Each non-empty slot has one marker
 * in the heap, keyed (slot start, sequence 0): it sorts before every real
 * event at or after the slot's start, so it is popped before any of the
 * slot's timers could be due.  Popping it re-files the slot's timers,
 * with their original sequence numbers, into finer slots or the heap.  The
 * heap therefore always pops the true minimum, and the order of events is
 * exactly that of a plain heap.  (Kafka's purgatory uses the same scheme: a
 * hierarchical wheel whose buckets wait in a priority queue.)  A slot that
 * empties by cancellation takes its marker out of the heap, so the heap
 * stays as small as the events actually due soon.
 *
 * Hand-written rather than taken from a library: no Debian package offers
 * a timer wheel that keeps a total (time, sequence) order. */
#include "evq.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>

#define ARITY 4

#define WHEEL_G 16 /* the finest slot: 2^16 ns = 65.5 us; nearer timers go to the heap */
#define WHEEL_B 3  /* each level's slots are 2^3 times wider than the last's */
#define WHEEL_LEVELS ((63 - WHEEL_G) / WHEEL_B + 1)
/* Slots per level, a power of two.  The live slots of a level have starts
 * between now and now + 2^WHEEL_B widths, so they never share a ring entry;
 * if they ever would (an event pushed before `now`), the timer simply goes
 * to the heap. */
#define WHEEL_RING 16
#define POS_WHEEL 0x80000000u /* ev.pos: a wheel node's index, not a heap slot */
#define NIL UINT32_MAX

typedef struct evq_node {
    simtime t;
    uint64_t seq;
    ev *e;
    uint32_t prev, next, slot;
} evq_node;

typedef struct evq_slot {
    simtime key; /* the slot's start >> its level's shift */
    ev mark;     /* its marker in the heap, pending while the slot has timers */
    uint32_t head;
} evq_slot;

void evq_init(evq *q)
{
    q->heap = NULL;
    q->n = q->cap = 0;
    q->seq = 0;
    q->now = 0;
    q->nslots_live = q->ntimers = 0;
    q->slots = NULL;
    q->nodes = NULL;
    q->nnodes = q->cnodes = 0;
    q->free_node = NIL;
}

void evq_free(evq *q)
{
    free(q->heap);
    free(q->slots);
    free(q->nodes);
    evq_init(q);
}

static inline int before(const evq_entry *a, const evq_entry *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static inline void place(evq *q, size_t i, evq_entry x)
{
    q->heap[i] = x;
    x.e->pos = (uint32_t)(i + 1);
}

static void sift_up(evq *q, size_t i, evq_entry x)
{
    while (i > 0) {
        size_t p = (i - 1) / ARITY;
        if (!before(&x, &q->heap[p]))
            break;
        place(q, i, q->heap[p]);
        i = p;
    }
    place(q, i, x);
}

static void sift_down(evq *q, size_t i, evq_entry x)
{
    size_t n = q->n;
    for (;;) {
        size_t c = i * ARITY + 1;
        if (c >= n)
            break;
        size_t best = c, end = c + ARITY < n ? c + ARITY : n;
        for (size_t k = c + 1; k < end; k++)
            if (before(&q->heap[k], &q->heap[best]))
                best = k;
        if (!before(&q->heap[best], &x))
            break;
        place(q, i, q->heap[best]);
        i = best;
    }
    place(q, i, x);
}

/* A billion events or two billion timers pending: more than ev.pos can
 * index, and more memory than a model of this machine's size should need.
 * A limit of the model's size, so it ends like running out of memory. */
static _Noreturn void evq_full(const char *what)
{
    fprintf(stderr, "eddy: out of memory (more than %zu %s pending in the event queue)\n", (size_t)POS_WHEEL / 2, what);
    exit(2);
}

static inline void heap_insert(evq *q, evq_entry x)
{
    if (q->n == q->cap) {
        if (q->cap >= POS_WHEEL / 2) /* ev.pos could not say where */
            evq_full("events");
        q->cap = q->cap ? q->cap * 2 : 256;
        q->heap = xrealloc(q->heap, q->cap * sizeof *q->heap);
    }
    sift_up(q, q->n++, x);
}

/* Sequence numbers start at 1: 0 is the slot markers' (first at their time). */
void evq_push(evq *q, ev *e, simtime t) { heap_insert(q, (evq_entry){t, ++q->seq, e}); }

static void remove_at(evq *q, size_t i)
{
    q->heap[i].e->pos = 0;
    evq_entry last = q->heap[--q->n];
    if (i == q->n)
        return;
    if (i > 0 && before(&last, &q->heap[(i - 1) / ARITY]))
        sift_up(q, i, last);
    else
        sift_down(q, i, last);
}

/* File a timer in the wheel, or in the heap if it is due within the finest
 * slot of q->now (or its slot's ring entry is taken). */
static void wheel_insert(evq *q, ev *e, simtime t, uint64_t seq)
{
    simtime d = t - q->now;
    if (d < ((simtime)1 << WHEEL_G)) {
        heap_insert(q, (evq_entry){t, seq, e});
        return;
    }
    int level = (63 - __builtin_clzll((unsigned long long)d) - WHEEL_G) / WHEEL_B;
    int shift = WHEEL_G + WHEEL_B * level;
    simtime key = t >> shift;
    if (!q->slots) {
        q->slots = xmalloc(WHEEL_LEVELS * WHEEL_RING * sizeof *q->slots);
        for (size_t i = 0; i < WHEEL_LEVELS * WHEEL_RING; i++)
            q->slots[i] = (evq_slot){.key = -1, .mark = {0, EVQ_KIND_SLOT}, .head = NIL};
    }
    uint32_t si = (uint32_t)(level * WHEEL_RING + (int)(key & (WHEEL_RING - 1)));
    evq_slot *sl = &q->slots[si];
    if (sl->head == NIL) { /* empty: claim it, and put its marker in the heap */
        sl->key = key;
        heap_insert(q, (evq_entry){key << shift, 0, &sl->mark});
        q->nslots_live++;
    } else if (sl->key != key) {
        heap_insert(q, (evq_entry){t, seq, e});
        return;
    }
    uint32_t i = q->free_node;
    if (i != NIL) {
        q->free_node = q->nodes[i].next;
    } else {
        if (q->nnodes == q->cnodes) {
            if (q->cnodes >= POS_WHEEL / 2) /* ev.pos could not say which */
                evq_full("timers");
            q->cnodes = q->cnodes ? q->cnodes * 2 : 256;
            q->nodes = xrealloc(q->nodes, q->cnodes * sizeof *q->nodes);
        }
        i = q->nnodes++;
    }
    evq_node *nd = &q->nodes[i];
    *nd = (evq_node){t, seq, e, NIL, sl->head, si};
    if (sl->head != NIL)
        q->nodes[sl->head].prev = i;
    sl->head = i;
    e->pos = POS_WHEEL | i;
    q->ntimers++;
}

void evq_push_timer(evq *q, ev *e, simtime t) { wheel_insert(q, e, t, ++q->seq); }

static void wheel_remove(evq *q, uint32_t i)
{
    evq_node *nd = &q->nodes[i];
    evq_slot *sl = &q->slots[nd->slot];
    if (nd->prev != NIL)
        q->nodes[nd->prev].next = nd->next;
    else
        sl->head = nd->next;
    if (nd->next != NIL)
        q->nodes[nd->next].prev = nd->prev;
    nd->e->pos = 0;
    nd->next = q->free_node;
    q->free_node = i;
    q->ntimers--;
    if (sl->head == NIL) { /* the slot is empty: its marker leaves the heap */
        remove_at(q, sl->mark.pos - 1);
        q->nslots_live--;
    }
}

void evq_cancel(evq *q, ev *e)
{
    if (!e->pos)
        return;
    if (e->pos & POS_WHEEL)
        wheel_remove(q, e->pos & ~POS_WHEEL);
    else
        remove_at(q, e->pos - 1);
}

/* A slot's marker reached the top of the heap, at the slot's start: re-file
 * its timers, each nearer now, into finer slots or the heap. */
static void wheel_drain(evq *q, evq_slot *sl)
{
    uint32_t i = sl->head;
    sl->head = NIL;
    q->nslots_live--;
    while (i != NIL) {
        evq_node nd = q->nodes[i];
        q->nodes[i].next = q->free_node;
        q->free_node = i;
        q->ntimers--;
        wheel_insert(q, nd.e, nd.t, nd.seq);
        i = nd.next;
    }
}

static inline evq_entry pop_root(evq *q)
{
    evq_entry top = q->heap[0];
    top.e->pos = 0;
    if (--q->n)
        sift_down(q, 0, q->heap[q->n]);
    q->now = top.t;
    return top;
}

ev *evq_pop(evq *q, simtime *t)
{
    while (q->n) {
        evq_entry top = pop_root(q);
        if (top.seq) {
            *t = top.t;
            return top.e;
        }
        wheel_drain(q, (evq_slot *)((char *)top.e - offsetof(evq_slot, mark)));
    }
    return NULL;
}

simtime evq_peek_time(evq *q)
{
    while (q->n && !q->heap[0].seq)
        wheel_drain(q, (evq_slot *)((char *)pop_root(q).e - offsetof(evq_slot, mark)));
    return q->n ? q->heap[0].t : T_NEVER;
}
