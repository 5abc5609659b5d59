/* evq.c -- a 4-ary min-heap of (time, sequence) keys.
 *
 * Four children per node rather than two: the tree is half as deep and a
 * node's children share a cache line.  Measured with callgrind: 3% fewer
 * instructions than a binary heap on M/M/400 (hundreds of pending events,
 * like a model with a timer per request in flight), 3% more on M/M/4 (a
 * handful).  Each entry keeps its key inline so comparisons never chase the
 * ev pointer; only moves write back the position. */
#include "evq.h"

#include <stdlib.h>

#define ARITY 4

void evq_init(evq *q)
{
    q->heap = NULL;
    q->n = q->cap = 0;
    q->seq = 0;
}

void evq_free(evq *q)
{
    free(q->heap);
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

void evq_push(evq *q, ev *e, simtime t)
{
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 256;
        q->heap = realloc(q->heap, q->cap * sizeof *q->heap);
        if (!q->heap)
            abort();
    }
    evq_entry x = {t, q->seq++, e};
    sift_up(q, q->n++, x);
}

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

void evq_cancel(evq *q, ev *e)
{
    if (e->pos)
        remove_at(q, e->pos - 1);
}

ev *evq_pop(evq *q, simtime *t)
{
    if (!q->n)
        return NULL;
    ev *e = q->heap[0].e;
    *t = q->heap[0].t;
    e->pos = 0;
    if (--q->n)
        sift_down(q, 0, q->heap[q->n]);
    return e;
}
