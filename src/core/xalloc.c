/* xalloc.c -- the one place that decides what out-of-memory does.
 *
 * A command-line simulator cannot carry on without the memory it asked
 * for, and a failure handled file by file ended in a bare abort with no
 * word of why.  So, as git's xmalloc does, every allocation goes through here: on
 * failure it says so on stderr and exits 2 (input too big for this
 * machine).  See docs/reliability.md, "Out of memory and internal errors". */
#include "xalloc.h"

#include <jansson.h>
#include <libxml/xmlmemory.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Noreturn void xalloc_die(size_t n)
{
    fprintf(stderr, "eddy: out of memory (allocating %zu bytes)\n", n);
    fflush(stderr);
    exit(2);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        xalloc_die(n);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        xalloc_die(SIZE_MAX);
    void *p = n && size ? calloc(n, size) : calloc(1, 1);
    if (!p)
        xalloc_die(n * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    /* realloc(p, 0) may free p and return NULL: ask for a byte instead. */
    void *q = realloc(p, n ? n : 1);
    if (!q)
        xalloc_die(n);
    return q;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        xalloc_die(SIZE_MAX);
    return xrealloc(p, n * size);
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

char *xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = 0;
    return p;
}

FILE *xopen_memstream(char **buf, size_t *size)
{
    FILE *f = open_memstream(buf, size);
    if (!f) {
        fprintf(stderr, "eddy: out of memory (opening an in-memory stream)\n");
        fflush(stderr);
        exit(2);
    }
    return f;
}

void xalloc_libraries(void)
{
    json_set_alloc_funcs(xmalloc, free);
    xmlMemSetup(free, xmalloc, xrealloc, xstrdup);
}
