/* util.h -- string building shared by the loops layer.
 *
 * Allocation is src/core/xalloc.h's (included here for the layer): out of
 * memory ends the program with a message and exit status 2, since every
 * caller would only pass the failure up to a CLI that can do nothing
 * better. */
#ifndef EDDY_LOOPS_UTIL_H
#define EDDY_LOOPS_UTIL_H

#include <stdarg.h>
#include <stddef.h>

#include "../core/xalloc.h"

char *lu_strdup(const char *s); /* NULL gives "" */
char *lu_strndup(const char *s, size_t n);
char *lu_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow *v (of *cap elements of `size` bytes) so it holds at least `need`. */
void lu_reserve(void **v, size_t *cap, size_t need, size_t size);

/* A growing string; s is always NUL-terminated once anything was added. */
typedef struct lu_buf {
    char *s;
    size_t len, cap;
} lu_buf;

void lu_buf_add(lu_buf *b, const char *s);
void lu_buf_addn(lu_buf *b, const char *s, size_t n);
void lu_buf_printf(lu_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand the string over (never NULL) and reset the buffer. */
char *lu_buf_take(lu_buf *b);
void lu_buf_free(lu_buf *b);

/* The offset of the first byte of s[0..n) that is not valid UTF-8, or
 * (size_t)-1 when all of it is. */
size_t lu_utf8_bad(const char *s, size_t n);

/* Display width of UTF-8 text: code points, so "a→b" is 3 columns wide. */
size_t lu_width(const char *s);

#endif
