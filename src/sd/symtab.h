/* symtab.h -- a string-to-index hash table (open addressing, FNV-1a).
 *
 * Name lookup in a 10,000-variable model happens once per reference at
 * compile time; a linear scan would make compiling quadratic. */
#ifndef EDDY_SD_SYMTAB_H
#define EDDY_SD_SYMTAB_H

#include <stddef.h>

typedef struct symtab {
    char **keys; /* owned copies */
    int *vals;
    size_t cap, n;
} symtab;

void st_init(symtab *t);
void st_free(symtab *t);
/* Insert or replace. */
void st_put(symtab *t, const char *key, int val);
/* The value, or -1. */
int st_get(const symtab *t, const char *key);

#endif
