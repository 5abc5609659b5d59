/* hist.c -- log-bucketed histogram (see hist.h for the layout).
 *
 * Written by hand: Debian packages no C HdrHistogram, and the layout is a
 * dozen lines.  Buckets are allocated on first use because most entities of
 * a large model see only a few distinct latencies per sample interval. */
#include "hist.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

void hist_init(hist *h)
{
    h->counts = NULL;
    h->n = 0;
    h->sum = 0;
    h->lo = HIST_BUCKETS;
    h->hi = -1;
}

void hist_free(hist *h)
{
    free(h->counts);
    hist_init(h);
}

void hist_reset(hist *h)
{
    if (h->counts && h->hi >= h->lo)
        memset(h->counts + h->lo, 0, (size_t)(h->hi - h->lo + 1) * sizeof *h->counts);
    h->n = 0;
    h->sum = 0;
    h->lo = HIST_BUCKETS;
    h->hi = -1;
}

int hist_index(int64_t v)
{
    if (v < HIST_SUB)
        return v < 0 ? 0 : (int)v;
    int k = 63 - __builtin_clzll((uint64_t)v); /* k >= HIST_SUB_BITS */
    int shift = k - HIST_SUB_BITS;
    int mant = (int)((uint64_t)v >> shift) - HIST_SUB; /* 0..HIST_SUB-1 */
    return (shift + 1) * HIST_SUB + mant;
}

int64_t hist_bucket_low(int i)
{
    if (i < HIST_SUB)
        return i;
    int shift = i / HIST_SUB - 1;
    return (int64_t)(HIST_SUB + i % HIST_SUB) << shift;
}

int64_t hist_bucket_width(int i)
{
    return i < HIST_SUB ? 1 : (int64_t)1 << (i / HIST_SUB - 1);
}

static void touch(hist *h, int i)
{
    if (!h->counts) {
        h->counts = xcalloc(HIST_BUCKETS, sizeof *h->counts);
    }
    if (i < h->lo)
        h->lo = i;
    if (i > h->hi)
        h->hi = i;
}

void hist_add(hist *h, int64_t v)
{
    int i = hist_index(v);
    touch(h, i);
    h->counts[i]++;
    h->n++;
    h->sum += (double)v;
}

void hist_merge(hist *into, const hist *from)
{
    if (!from->n)
        return;
    touch(into, from->lo);
    touch(into, from->hi);
    for (int i = from->lo; i <= from->hi; i++)
        into->counts[i] += from->counts[i];
    into->n += from->n;
    into->sum += from->sum;
}

double hist_quantile(const hist *h, double q)
{
    if (!h->n)
        return 0;
    uint64_t rank = (uint64_t)(q * (double)h->n + 0.999999999);
    if (rank < 1)
        rank = 1;
    if (rank > h->n)
        rank = h->n;
    uint64_t seen = 0;
    for (int i = h->lo; i <= h->hi; i++) {
        seen += h->counts[i];
        if (seen >= rank) {
            if (i < HIST_SUB)
                return (double)i;
            return (double)hist_bucket_low(i) + (double)(hist_bucket_width(i) - 1) / 2.0;
        }
    }
    return (double)hist_bucket_low(h->hi);
}
