/* hidx.h -- an open-addressing hash index from keys to small integers.
 *
 * The table stores only (hash, index) pairs; the keys themselves live in
 * the caller's array (a graph's variables or links), and the caller says
 * whether index i holds the key it is looking for.  That keeps one table
 * type for every key shape (a variable's id, a link's ends and polarity)
 * without copying keys.  Linear probing, grown at half full, so a look-up
 * is O(1) expected and building a graph of n variables is O(n), not the
 * O(n^2) of a linear search. */
#ifndef EDDY_LOOPS_HIDX_H
#define EDDY_LOOPS_HIDX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct hidx_slot {
    uint64_t hash;
    int idx; /* -1: empty */
} hidx_slot;

typedef struct hidx {
    hidx_slot *slot;
    size_t cap, n; /* cap is a power of two, or 0 before the first insert */
} hidx;

/* Does caller's element idx have the key looked for? */
typedef bool (*hidx_eq)(const void *ctx, int idx);

/* The index stored under a key of this hash for which eq holds, or -1. */
int hidx_find(const hidx *h, uint64_t hash, hidx_eq eq, const void *ctx);
/* Store idx under hash (the caller has checked it is not there). */
void hidx_put(hidx *h, uint64_t hash, int idx);
void hidx_free(hidx *h);

/* FNV-1a over a string, and a mix of integers, for callers' keys. */
uint64_t hidx_hash_str(const char *s);
uint64_t hidx_hash_ints(int a, int b, int c);

#endif
