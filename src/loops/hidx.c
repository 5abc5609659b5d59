/* hidx.c -- the hash index of hidx.h. */
#include "hidx.h"

#include <stdlib.h>

#include "util.h"

int hidx_find(const hidx *h, uint64_t hash, hidx_eq eq, const void *ctx)
{
    if (!h->cap)
        return -1;
    size_t mask = h->cap - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        const hidx_slot *s = &h->slot[i];
        if (s->idx < 0)
            return -1;
        if (s->hash == hash && eq(ctx, s->idx))
            return s->idx;
    }
}

static void place(hidx_slot *slot, size_t cap, uint64_t hash, int idx)
{
    size_t mask = cap - 1, i = (size_t)hash & mask;
    while (slot[i].idx >= 0)
        i = (i + 1) & mask;
    slot[i] = (hidx_slot){hash, idx};
}

void hidx_put(hidx *h, uint64_t hash, int idx)
{
    if (2 * (h->n + 1) > h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 64;
        hidx_slot *slot = xcalloc(cap, sizeof *slot);
        for (size_t i = 0; i < cap; i++)
            slot[i].idx = -1;
        for (size_t i = 0; i < h->cap; i++)
            if (h->slot[i].idx >= 0)
                place(slot, cap, h->slot[i].hash, h->slot[i].idx);
        free(h->slot);
        h->slot = slot;
        h->cap = cap;
    }
    place(h->slot, h->cap, hash, idx);
    h->n++;
}

void hidx_free(hidx *h)
{
    free(h->slot);
    h->slot = NULL;
    h->cap = h->n = 0;
}

uint64_t hidx_hash_str(const char *s)
{
    uint64_t x = 1469598103934665603ULL;
    for (; *s; s++) {
        x ^= (unsigned char)*s;
        x *= 1099511628211ULL;
    }
    return x;
}

/* splitmix64's finaliser over the three values */
uint64_t hidx_hash_ints(int a, int b, int c)
{
    uint64_t x = (uint64_t)(uint32_t)a * 0x9e3779b97f4a7c15ULL ^ (uint64_t)(uint32_t)b << 21 ^ (uint64_t)(uint32_t)c;
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}
