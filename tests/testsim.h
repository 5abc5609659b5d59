/* testsim.h -- helpers for suites that run models through the engine:
 * load a model from text or from a file (optionally with one piece of text
 * replaced), run it, and read the series by column name and time. */
#ifndef EDDY_TESTSIM_H
#define EDDY_TESTSIM_H

#include <stdarg.h>
#include <stdio.h>

#include "testutil.h"

#include "eddy.h"

static inline eddy_model *load_text(const char *yaml)
{
    eddy_error err;
    eddy_model *m = eddy_model_load_string(yaml, strlen(yaml), "test.yaml", &err);
    if (!m)
        fail_msg("model did not load: %d:%d %s", err.line, err.col, err.msg);
    return m;
}

/* The model in `path`, with the first occurrence of `from` replaced by
 * `to` (from NULL: as it is). */
static inline eddy_model *load_file_replacing(const char *path, const char *from, const char *to)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = 0;
    static char text[1 << 16];
    if (from) {
        char *at = strstr(buf, from);
        if (!at)
            fail_msg("%s has no '%s'", path, from);
        snprintf(text, sizeof text, "%.*s%s%s", (int)(at - buf), buf, to, at + strlen(from));
    } else {
        snprintf(text, sizeof text, "%s", buf);
    }
    eddy_error err;
    eddy_model *m = eddy_model_load_string(text, strlen(text), path, &err);
    if (!m)
        fail_msg("%s did not load: %d:%d %s", path, err.line, err.col, err.msg);
    return m;
}

/* Load the model that fmt makes with the arguments (a table of cases on
 * one model), and run it with its own seed. */
static inline eddy_model *run_fmt(eddy_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Free a run and its model. */
static inline void run_done(eddy_model *m, eddy_result *r)
{
    eddy_result_free(r);
    eddy_model_free(m);
}

/* Run with the given seed. */
static inline void run_model(eddy_model *m, uint64_t seed, eddy_result *r)
{
    eddy_error err;
    eddy_options o = eddy_options_default();
    o.seed = seed;
    o.use_seed = true;
    assert_int_equal(eddy_run(m, &o, r, &err), 0);
}

/* Run with the model's own seed. */
static inline void run_model_seed(eddy_model *m, eddy_result *r)
{
    eddy_error err;
    assert_int_equal(eddy_run(m, NULL, r, &err), 0);
}

static inline eddy_model *run_fmt(eddy_result *r, const char *fmt, ...)
{
    char y[8192];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(y, sizeof y, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof y)
        fail_msg("a model of %d characters: at most %zu fit", n, sizeof y - 1);
    eddy_model *m = load_text(y);
    run_model_seed(m, r);
    return m;
}

static inline size_t col_index(const eddy_result *r, const char *name)
{
    int c = eddy_series_column(&r->series, name);
    if (c < 0)
        fail_msg("no column %s", name);
    return (size_t)c;
}

static inline double col_at(const eddy_result *r, const char *name, size_t row)
{
    return eddy_series_at(&r->series, row, col_index(r, name));
}

/* Mean, and maximum, of a column over the rows whose time is in [t0, t1). */
static inline double col_mean(const eddy_result *r, const char *name, double t0, double t1)
{
    size_t c = col_index(r, name);
    double sum = 0;
    int n = 0;
    for (size_t i = 0; i < r->series.nrows; i++) {
        double t = eddy_series_at(&r->series, i, 0);
        if (t >= t0 && t < t1) {
            sum += eddy_series_at(&r->series, i, c);
            n++;
        }
    }
    assert_true(n > 0);
    return sum / n;
}

static inline double col_max(const eddy_result *r, const char *name, double t0, double t1)
{
    size_t c = col_index(r, name);
    double mx = -1;
    for (size_t i = 0; i < r->series.nrows; i++) {
        double t = eddy_series_at(&r->series, i, 0), v = eddy_series_at(&r->series, i, c);
        if (t >= t0 && t < t1 && v > mx)
            mx = v;
    }
    return mx;
}

/* ---- queueing theory ------------------------------------------------------ */

/* A run's totals by name; the test fails if there is none. */
#define TESTSIM_FIND(type, field, count)                                                   \
    static inline const type *tot_##field(const eddy_result *r, const char *name)          \
    {                                                                                      \
        for (size_t i = 0; i < r->count; i++)                                              \
            if (!strcmp(r->field##s[i].name, name))                                        \
                return &r->field##s[i];                                                    \
        fail_msg("no " #field " named %s in the result", name);                            \
        return NULL;                                                                       \
    }
TESTSIM_FIND(eddy_service_totals, service, nservices)
TESTSIM_FIND(eddy_client_totals, client, nclients)
TESTSIM_FIND(eddy_edge_totals, edge, nedges)
TESTSIM_FIND(eddy_cache_totals, cache, ncaches)
#undef TESTSIM_FIND

/* Erlang B: the probability that an M/M/c/c loss system refuses an arrival,
 * for offered load a = lambda/mu, by the stable recurrence. */
static inline double erlang_b(int c, double a)
{
    double b = 1;
    for (int k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    return b;
}

/* Erlang C: the probability that an M/M/c arrival waits (a < c). */
static inline double erlang_c(int c, double a)
{
    double b = erlang_b(c, a);
    return c * b / (c - a * (1 - b));
}

/* ---- malformed input -------------------------------------------------------- */

/* The model must fail to load, at line:col, with `needle` in the message. */
static inline void expect_load_error(const char *yaml, int line, int col, const char *needle)
{
    eddy_error err;
    eddy_model *m = eddy_model_load_string(yaml, strlen(yaml), "bad.yaml", &err);
    if (m) {
        eddy_model_free(m);
        fail_msg("loaded, but should fail with '%s'", needle);
    }
    if (!strstr(err.msg, needle) || err.line != line || err.col != col)
        fail_msg("got %d:%d %s; want %d:%d ...%s...", err.line, err.col, err.msg, line, col, needle);
}

/* The same for a model file, as a user meets the error
 * (tests/data/bad/). */
static inline void expect_file_error(const char *path, int line, int col, const char *needle)
{
    eddy_error err;
    eddy_model *m = eddy_model_load(path, &err);
    if (m) {
        eddy_model_free(m);
        fail_msg("%s loaded, but should fail with '%s'", path, needle);
    }
    if (!strstr(err.msg, needle) || err.line != line || err.col != col)
        fail_msg("%s: got %d:%d %s; want %d:%d ...%s...", path, err.line, err.col, err.msg, line, col, needle);
}

/* A run's broker queue, consumer group and write-integrity totals by name. */
static inline const eddy_queue_totals *queue_named(const eddy_result *r, const char *name)
{
    for (size_t i = 0; i < r->nqueues; i++)
        if (!strcmp(r->queues[i].name, name))
            return &r->queues[i];
    fail_msg("no queue %s", name);
    return NULL;
}

static inline const eddy_group_totals *group_named(const eddy_result *r, const char *name)
{
    for (size_t i = 0; i < r->ngroups; i++)
        if (!strcmp(r->groups[i].name, name))
            return &r->groups[i];
    fail_msg("no consumer group %s", name);
    return NULL;
}

static inline const eddy_integrity_totals *integrity_of(const eddy_result *r, const char *service)
{
    for (size_t i = 0; i < r->nintegrity; i++)
        if (!strcmp(r->integrity[i].service, service))
            return &r->integrity[i];
    fail_msg("no integrity counts for %s", service);
    return NULL;
}

#endif
