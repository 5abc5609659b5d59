/* pool.c -- chunked free-list allocation of fixed-size objects. */
#include "pool.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK_BYTES (64 * 1024)

typedef struct chunk {
    struct chunk *next;
    max_align_t data[];
} chunk;

void pool_init(pool *p, size_t size)
{
    size_t a = sizeof(max_align_t);
    if (size < sizeof(void *))
        size = sizeof(void *);
    p->size = (size + a - 1) / a * a;
    p->per = (CHUNK_BYTES - sizeof(chunk)) / p->size;
    if (p->per < 1)
        p->per = 1;
    p->free_list = p->chunks = NULL;
    p->live = p->peak = 0;
}

static void grow(pool *p)
{
    chunk *c = xcalloc(1, sizeof(chunk) + p->per * p->size); /* pool_take hands out new objects zeroed */
    c->next = p->chunks;
    p->chunks = c;
    char *base = (char *)c->data;
    for (size_t i = p->per; i-- > 0;) {
        void *obj = base + i * p->size;
        *(void **)obj = p->free_list;
        p->free_list = obj;
    }
}

void *pool_get(pool *p)
{
    if (!p->free_list)
        grow(p);
    void *obj = p->free_list;
    p->free_list = *(void **)obj;
    memset(obj, 0, p->size);
    if (++p->live > p->peak)
        p->peak = p->live;
    return obj;
}

void *pool_take(pool *p)
{
    if (!p->free_list)
        grow(p);
    void *obj = p->free_list;
    p->free_list = *(void **)obj;
    *(void **)obj = NULL;
    if (++p->live > p->peak)
        p->peak = p->live;
    return obj;
}

void pool_put(pool *p, void *obj)
{
    *(void **)obj = p->free_list;
    p->free_list = obj;
    p->live--;
}

void pool_free_all(pool *p)
{
    chunk *c = p->chunks;
    while (c) {
        chunk *next = c->next;
        free(c);
        c = next;
    }
    p->free_list = p->chunks = NULL;
    p->live = 0;
}
