/* util.h -- allocation and string building shared by the loops layer.
 *
 * Out of memory ends the program with a message on stderr and exit status
 * 2 (src/core/xalloc.h, which these call): every caller would only pass the failure up to a CLI that can
 * do nothing better, and checking each of hundreds of small allocations
 * hides the logic that matters. */
#ifndef EDDY_LOOPS_UTIL_H
#define EDDY_LOOPS_UTIL_H

#include <stdarg.h>
#include <stddef.h>

void *lu_alloc(size_t n, size_t size); /* zeroed */
/* Print "eddy: out of memory" and exit(2) (xalloc_die); never returns. */
_Noreturn void lu_oom(size_t bytes);
void *lu_realloc(void *p, size_t n, size_t size);
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
