/* pool.h -- a free-list allocator for fixed-size objects.
 *
 * Requests are created and retired millions of times a run; malloc per
 * request would dominate the profile.  A pool hands out objects from large
 * chunks and keeps freed ones on a list, so memory grows with the peak
 * number of objects alive (requests in flight), never with the number ever
 * made.  pool_free_all releases every chunk at the end of a run. */
#ifndef EDDY_POOL_H
#define EDDY_POOL_H

#include <stddef.h>

typedef struct pool {
    size_t size;     /* object size, rounded up */
    size_t per;      /* objects per chunk */
    void *free_list; /* singly linked through the objects' first word */
    void *chunks;    /* singly linked list of chunks */
    size_t live, peak;
} pool;

void pool_init(pool *p, size_t size);
void *pool_get(pool *p); /* zeroed */
/* An object as it was when last put back, except its first word (the
 * free-list link), which is zeroed; a new object is all zeros.  For owners
 * that put objects back in a known state: it saves clearing the whole
 * object on every request (a memset was ~4% of all instructions). */
void *pool_take(pool *p);
void pool_put(pool *p, void *obj);
void pool_free_all(pool *p);

#endif
