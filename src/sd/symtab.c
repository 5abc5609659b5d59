/* symtab.c -- open-addressing hash table with linear probing. */
#include "symtab.h"
#include "../core/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t st_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
    return h;
}

void st_init(symtab *t)
{
    t->cap = 64;
    t->n = 0;
    t->keys = xcalloc(t->cap, sizeof *t->keys);
    t->vals = xcalloc(t->cap, sizeof *t->vals);
}

void st_free(symtab *t)
{
    for (size_t i = 0; i < t->cap; i++)
        free(t->keys[i]);
    free(t->keys);
    free(t->vals);
    t->keys = NULL;
    t->vals = NULL;
}

static size_t st_slot(const symtab *t, const char *key)
{
    size_t i = st_hash(key) & (t->cap - 1);
    while (t->keys[i] && strcmp(t->keys[i], key) != 0)
        i = (i + 1) & (t->cap - 1);
    return i;
}

void st_put(symtab *t, const char *key, int val)
{
    if ((t->n + 1) * 2 > t->cap) {
        symtab big = {xcalloc(t->cap * 2, sizeof(char *)), xcalloc(t->cap * 2, sizeof(int)), t->cap * 2, 0};
        for (size_t i = 0; i < t->cap; i++)
            if (t->keys[i]) {
                size_t j = st_slot(&big, t->keys[i]);
                big.keys[j] = t->keys[i];
                big.vals[j] = t->vals[i];
                big.n++;
            }
        free(t->keys);
        free(t->vals);
        *t = big;
    }
    size_t i = st_slot(t, key);
    if (!t->keys[i]) {
        t->keys[i] = xstrdup(key);
        t->n++;
    }
    t->vals[i] = val;
}

int st_get(const symtab *t, const char *key)
{
    size_t i = st_slot(t, key);
    return t->keys[i] ? t->vals[i] : -1;
}
