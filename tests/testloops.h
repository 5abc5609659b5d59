/* testloops.h -- helpers shared by the loops suites (test_loops,
 * test_loops_derive, test_review): load a diagram or model and analyse its
 * loops, describe a loop in the notation, fail with an error as
 * eddy would print it, and round-trip JSON through text.
 *
 * A suite includes this after testutil.h.  Static functions in a header are
 * fine here: each test suite is a single file. */
#ifndef EDDY_TESTLOOPS_H
#define EDDY_TESTLOOPS_H

#include "testutil.h"

#include <jansson.h>

#include "core/err.h"
#include "loops/analyze.h"
#include "loops/source.h"

/* Fail the test with `err`, formatted as FILE:LINE:COL: error: MESSAGE. */
static inline void fail_with_error(const eddy_error *err)
{
    char buf[2048];
    err_format(err, buf, sizeof buf);
    fail_msg("%s", buf);
}

typedef struct loaded {
    loops_source src;
    loop_analysis *a;
} loaded;

/* Load any source (a diagram or a model) and find its loops; the test fails
 * if it does not load. */
static inline loaded load(const char *path)
{
    loaded l;
    eddy_error err = {0};
    if (source_load(path, 0, &l.src, &err) < 0)
        fail_with_error(&err);
    l.a = loops_analyze(l.src.g, 0);
    return l;
}

static inline void unload(loaded *l)
{
    loops_free(l->a);
    source_free(&l->src);
}

/* The room describe() has: a buffer this size holds a copy of its text. */
#define DESCRIBE_MAX 2048

/* "R1: Load, Latency, Timeouts, Retries" -- the issue's own notation.  The
 * text is in a static buffer, good until the next call. */
static inline char *describe(const loop_analysis *a, size_t i)
{
    static char buf[DESCRIBE_MAX];
    const cld_loop *L = &a->loops[i];
    snprintf(buf, sizeof buf, "%s:", L->name);
    for (size_t j = 0; j < L->len; j++) {
        size_t n = strlen(buf);
        snprintf(buf + n, sizeof buf - n, "%s %s", j ? "," : "", a->g->vars[L->vars[j]].name);
    }
    return buf;
}

/* The whole of a file as a string (the caller frees it); the test fails if
 * it cannot be read. */
static inline char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot read %s", path);
    char *s = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = (n + 4096 + 1) * 2;
            s = realloc(s, cap);
            assert_non_null(s);
        }
        size_t got = fread(s + n, 1, 4096, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    s[n] = 0;
    return s;
}

/* `text` with the first `from` replaced by `to` (the caller frees it); the
 * test fails if `from` is not there.  For variants of an example model. */
static inline char *replace_once(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    if (!at)
        fail_msg("'%s' is not in the text", from);
    size_t n = strlen(text) - strlen(from) + strlen(to);
    char *s = malloc(n + 1);
    assert_non_null(s);
    snprintf(s, n + 1, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    return s;
}

/* Round-trip `j` through text, as a consumer would read it: takes `j` and
 * returns what parsing its dump gives back (the test fails if nothing). */
static inline json_t *json_round_trip(json_t *j)
{
    char *dump = json_dumps(j, 0);
    json_decref(j);
    json_error_t jerr;
    j = json_loads(dump, 0, &jerr);
    free(dump);
    assert_non_null(j);
    return j;
}

#endif
