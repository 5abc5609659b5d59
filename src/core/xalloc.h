/* xalloc.h -- the one allocator every layer uses, and what out-of-memory does.
 *
 * eddy is a command-line program: when the machine has no memory left for
 * a model, nothing in it can recover, so every allocation that fails ends
 * the program here, with a message, exit status 2 (the model is too big for
 * this machine's memory: an input error), never a bare abort.  As with
 * git's xmalloc, callers then never see NULL and need no check of their
 * own.  Zero-size requests allocate one byte, so they never return NULL
 * either.  Memory from these functions is released with plain free(). */
#ifndef EDDY_XALLOC_H
#define EDDY_XALLOC_H

#include <stddef.h>
#include <stdio.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* realloc to n * size bytes; a product that overflows size_t is out of
 * memory too. */
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
/* At most n bytes of s, NUL-terminated. */
char *xstrndup(const char *s, size_t n);

/* open_memstream, which fails only for want of memory. */
FILE *xopen_memstream(char **buf, size_t *size);

/* Print "eddy: out of memory (allocating N bytes)" and exit(2).  For the
 * rare caller that allocates by other means (a library call that returned
 * NULL for want of memory). */
_Noreturn void xalloc_die(size_t n);

/* Route jansson's and libxml2's allocations through the functions above, so
 * that they too end in the message rather than a NULL they may not check.
 * Call once at start-up, before either library allocates (the CLI mains). */
void xalloc_libraries(void);

#endif
