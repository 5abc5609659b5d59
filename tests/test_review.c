/* test_review.c -- `eddy review`: the dynamics of every call edge.
 *
 * examples/local-optima.yaml is the case (naked client retries in
 * front of an API with a 2 s database timeout); the models under
 * tests/data/loops/ give the 27x of three layers of three attempts, and
 * every flag. */
#include "testutil.h"
#include "testloops.h"

#include <jansson.h>

#include "loops/review.h"
#include "model/model.h"
#include "output/review_out.h"

#define DATA "tests/data/loops/"
#define ARROW "\xe2\x86\x92"

static model *load_model(const char *path)
{
    eddy_error err = {0};
    model *m = model_load(path, &err);
    if (!m)
        fail_with_error(&err);
    return m;
}

static const review_edge *edge(const review *r, const char *name)
{
    for (size_t i = 0; i < r->nedges; i++)
        if (!strcmp(r->edges[i].name, name))
            return &r->edges[i];
    fail_msg("no edge %s", name);
    return NULL;
}

static size_t count_flags(const review *r, const char *code, const char *edge_name)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nflags; i++)
        if (!strcmp(r->flags[i].code, code) &&
            (!edge_name || (r->flags[i].edge >= 0 && !strcmp(r->edges[r->flags[i].edge].name, edge_name))))
            n++;
    return n;
}

static void test_local_optima(void **state)
{
    (void)state;
    model *m = load_model("examples/local-optima.yaml");
    review *r = review_model(m);
    /* the client edge and the api's database edge */
    const client_spec *cl = &m->clients[0];
    const service_spec *api = &m->services[cl->call.to];
    char client_edge[256], db_edge[256];
    snprintf(client_edge, sizeof client_edge, "%s" ARROW "%s", cl->name, api->name);
    snprintf(db_edge, sizeof db_edge, "%s" ARROW "%s", api->name, m->services[api->calls[0].to].name);
    const review_edge *ce = edge(r, client_edge), *de = edge(r, db_edge);

    /* 3 retries on any error or timeout, no backoff: a naked retry */
    assert_int_equal(ce->spec->retry.attempts, 4);
    assert_int_equal(ce->when_slow, SLOW_RETRY);
    assert_true(ce->amplifying);
    assert_int_equal(count_flags(r, "naked-retry", client_edge), 1);
    /* the 2 s database timeout times out and does not retry */
    assert_int_equal(de->spec->timeout, 2 * T_SEC);
    assert_int_equal(de->when_slow, SLOW_TIME_OUT);
    assert_false(de->amplifying);
    assert_int_equal(count_flags(r, "naked-retry", db_edge), 0);
    /* amplification is the product of attempts along the path: 4 x 1 */
    assert_within_rel(ce->worst_amp, 4.0, 0);
    assert_within_rel(de->worst_amp, 4.0, 0);
    assert_int_equal(r->npaths, 1);
    assert_int_equal(r->paths[0].n, 2);
    assert_within_rel(r->paths[0].amp, 4.0, 0);
    assert_within_rel(r->worst_amp, 4.0, 0);

    /* the flag points at the retry policy in the file */
    for (size_t i = 0; i < r->nflags; i++)
        if (!strcmp(r->flags[i].code, "naked-retry")) {
            assert_int_equal(r->flags[i].pos.line, ce->spec->retry.pos.line);
            assert_non_null(strstr(r->flags[i].msg, "attempts 4, no backoff and no budget"));
        }

    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    reviewout_text(f, r);
    fclose(f);
    char want[512];
    snprintf(want, sizeof want, "  %s" ARROW "%s" ARROW "%s   4 x 1 = 4x\n", cl->name, api->name,
             m->services[api->calls[0].to].name);
    assert_non_null(strstr(s, want));
    assert_non_null(strstr(s, "edge     timeout  retry"));
    assert_non_null(strstr(s, ": naked-retry: "));
    free(s);
    review_free(r);
    model_free(m);
}

static void test_three_layers_is_27x(void **state)
{
    (void)state;
    model *m = load_model(DATA "three_layers.yaml");
    review *r = review_model(m);
    assert_int_equal(r->nedges, 3);
    assert_within_rel(edge(r, "web" ARROW "edge")->worst_amp, 3.0, 0);
    assert_within_rel(edge(r, "edge" ARROW "orders")->worst_amp, 9.0, 0);
    assert_within_rel(edge(r, "orders" ARROW "ledger")->worst_amp, 27.0, 0);
    assert_int_equal(r->npaths, 1);
    assert_within_rel(r->paths[0].amp, 27.0, 0);
    assert_within_rel(r->worst_amp, 27.0, 0);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(r->edges[i].when_slow, SLOW_RETRY);
        assert_true(r->edges[i].amplifying);
    }
    /* backoff makes orders→ledger's retry not naked */
    assert_int_equal(count_flags(r, "naked-retry", NULL), 2);
    assert_int_equal(count_flags(r, "naked-retry", "orders" ARROW "ledger"), 0);
    /* each timeout fits inside its caller's, but three attempts do not:
     * 3 x 2s > 3s, and 3 x 1s plus 50ms + 100ms of backoff > 2s */
    assert_int_equal(count_flags(r, "timeout-exceeds-caller", NULL), 0);
    assert_int_equal(count_flags(r, "retries-outlast-caller", "edge" ARROW "orders"), 1);
    assert_int_equal(count_flags(r, "retries-outlast-caller", "orders" ARROW "ledger"), 1);
    assert_int_equal(count_flags(r, "no-timeout", NULL), 0);
    assert_int_equal(count_flags(r, "shared-dependency", NULL), 0);
    assert_int_equal(r->nflags, 4);
    for (size_t i = 0; i < r->nflags; i++)
        if (!strcmp(r->flags[i].code, "retries-outlast-caller") &&
            !strcmp(r->edges[r->flags[i].edge].name, "orders" ARROW "ledger"))
            assert_non_null(strstr(r->flags[i].msg, "3 attempts of 1s (up to 3150ms with backoff) outlast edge" ARROW
                                                    "orders timeout 2s"));

    json_t *j = json_round_trip(reviewout_json(r));
    assert_within_rel(json_real_value(json_object_get(j, "worst_amplification")), 27.0, 0);
    json_t *edges = json_object_get(j, "edges");
    assert_int_equal(json_array_size(edges), 3);
    json_t *e2 = json_array_get(edges, 2);
    assert_string_equal(json_string_value(json_object_get(e2, "edge")), "orders" ARROW "ledger");
    assert_string_equal(json_string_value(json_object_get(e2, "when_slow")), "retry");
    assert_true(json_is_true(json_object_get(e2, "amplifying")));
    assert_within_rel(json_real_value(json_object_get(e2, "timeout_s")), 1.0, 0);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(e2, "retry"), "attempts")), 3);
    assert_string_equal(json_string_value(json_object_get(json_object_get(e2, "retry"), "backoff")), "exponential");
    json_t *p0 = json_array_get(json_object_get(j, "paths"), 0);
    assert_int_equal(json_array_size(json_object_get(p0, "path")), 4);
    assert_within_rel(json_real_value(json_object_get(p0, "amplification")), 27.0, 0);
    assert_int_equal(json_array_size(json_object_get(j, "flags")), 4);
    json_decref(j);
    review_free(r);
    model_free(m);
}

static void test_every_flag(void **state)
{
    (void)state;
    model *m = load_model(DATA "review_flags.yaml");
    review *r = review_model(m);
    static const struct {
        const char *code, *edge;
        int line, col;
        const char *says;
    } want[] = {
        {"timeout-exceeds-caller", "shoppers" ARROW "checkout", 7, 14,
         "timeout 4s is longer than shoppers.deadline 3s"},
        {"no-timeout", "admins" ARROW "reports", 10, 5, "has no timeout: users wait as long as reports takes"},
        {"timeout-exceeds-caller", "checkout" ARROW "db", 19, 18,
         "checkout" ARROW "db timeout 5s is longer than shoppers" ARROW "checkout timeout 4s"},
        {"retries-outlast-caller", "checkout" ARROW "payments", 22, 16,
         "5 attempts of 1s (up to 5800ms with backoff) outlast shoppers" ARROW "checkout timeout 4s"},
        {"no-timeout", "reports" ARROW "db", 27, 9, "a slow db holds the workers of reports"},
        {"shared-dependency", NULL, 31, 3, "db is shared by checkout and reports"},
    };
    size_t n = sizeof want / sizeof want[0];
    if (r->nflags != n) {
        for (size_t i = 0; i < r->nflags; i++)
            print_message("flag %s: %s\n", r->flags[i].code, r->flags[i].msg);
        fail_msg("%zu flags, want %zu", r->nflags, n);
    }
    for (size_t i = 0; i < n; i++) {
        const review_flag *f = &r->flags[i];
        assert_string_equal(f->code, want[i].code);
        if (want[i].edge)
            assert_string_equal(r->edges[f->edge].name, want[i].edge);
        else
            assert_int_equal(f->edge, -1);
        assert_int_equal(f->pos.line, want[i].line);
        assert_int_equal(f->pos.col, want[i].col);
        if (!strstr(f->msg, want[i].says))
            fail_msg("flag %zu: '%s' does not say '%s'", i, f->msg, want[i].says);
    }
    /* severities: two errors (wasted work), three warnings, one note */
    assert_int_equal(r->flags[0].severity, REVIEW_ERROR);
    assert_int_equal(r->flags[1].severity, REVIEW_WARNING);
    assert_int_equal(r->flags[5].severity, REVIEW_NOTE);
    assert_int_equal(review_count_at_least(r, REVIEW_ERROR), 2);
    assert_int_equal(review_count_at_least(r, REVIEW_WARNING), 5);
    assert_int_equal(review_count_at_least(r, REVIEW_NOTE), 6);
    review_severity s;
    assert_int_equal(review_severity_parse("warning", &s), 0);
    assert_int_equal(s, REVIEW_WARNING);
    assert_int_equal(review_severity_parse("warn", &s), -1);
    assert_string_equal(review_severity_name(REVIEW_NOTE), "note");
    /* waiting is not amplifying, and neither is timing out */
    assert_int_equal(edge(r, "admins" ARROW "reports")->when_slow, SLOW_WAIT);
    assert_false(edge(r, "admins" ARROW "reports")->amplifying);
    assert_int_equal(edge(r, "checkout" ARROW "db")->when_slow, SLOW_TIME_OUT);
    /* retries with a backoff are not naked, but they still amplify */
    assert_true(edge(r, "checkout" ARROW "payments")->amplifying);
    assert_int_equal(r->npaths, 3);
    assert_within_rel(r->worst_amp, 5.0, 0);
    review_free(r);
    model_free(m);
}

static void test_retry_storm_example_flags(void **state)
{
    (void)state;
    model *m = load_model("examples/retry-storm.yaml");
    review *r = review_model(m);
    const review_edge *e = edge(r, "shoppers" ARROW "checkout");
    assert_int_equal(e->when_slow, SLOW_RETRY);
    assert_true(e->amplifying);
    assert_int_equal(count_flags(r, "naked-retry", "shoppers" ARROW "checkout"), 1);
    /* checkout waits on db longer than shoppers wait on checkout */
    assert_int_equal(count_flags(r, "timeout-exceeds-caller", "checkout" ARROW "db"), 1);
    review_free(r);
    model_free(m);
}

static void test_retries_that_cannot_fire(void **state)
{
    (void)state;
    static const char text[] = "duration: 1m\n"
                               "clients:\n"
                               "  c: {rate: 1/s, call: s, retry: {attempts: 3, on: [timeout]}}\n"
                               "services:\n"
                               "  s: {workers: 1, service_time: 1ms}\n";
    eddy_error err = {0};
    model *m = model_load_string(text, strlen(text), "inline.yaml", &err);
    assert_non_null(m);
    review *r = review_model(m);
    /* retrying on timeout with no timeout: the caller just waits */
    assert_int_equal(r->edges[0].when_slow, SLOW_WAIT);
    assert_false(r->edges[0].amplifying);
    assert_non_null(strstr(r->edges[0].why, "retries on timeout, but the call has no timeout"));
    assert_int_equal(count_flags(r, "no-timeout", NULL), 1);
    /* still naked, and amplification still counts attempts */
    assert_int_equal(count_flags(r, "naked-retry", NULL), 1);
    assert_within_rel(r->worst_amp, 3.0, 0);
    review_free(r);
    model_free(m);
}

/* ---- edge mechanisms: budgets, breakers, pools -------------------------- */

static model *load_text(const char *text, const char *name)
{
    eddy_error err = {0};
    model *m = model_load_string(text, strlen(text), name, &err);
    if (!m)
        fail_with_error(&err);
    return m;
}

static char *review_text(const review *r)
{
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    assert_non_null(f);
    reviewout_text(f, r);
    fclose(f);
    return s;
}

static void test_budget_is_not_naked(void **state)
{
    (void)state;
    model *m = load_model("examples/budget-vs-storm.yaml");
    review *r = review_model(m);
    const review_edge *e = edge(r, "shoppers" ARROW "checkout"), *db = edge(r, "checkout" ARROW "db");
    /* the same policy as retry-storm.yaml, where it is naked; the budget
     * makes it not */
    assert_int_equal(count_flags(r, "naked-retry", NULL), 0);
    assert_int_equal(e->when_slow, SLOW_RETRY);
    assert_true(e->amplifying);
    assert_string_equal(e->budget, "finagle, percent 20%, min_per_s 10, ttl 10s");
    assert_non_null(strstr(e->why, "the retry budget holds them to 1.2x attempts per call (+ reserve)"));
    /* the worst case is still the product of attempts; the bound is beside */
    assert_within_rel(e->worst_amp, 4.0, 0);
    assert_within_rel(e->budget_amp, 1.2, 1e-12);
    assert_within_rel(e->bounded_amp, 1.2, 1e-12);
    assert_non_null(strstr(e->bound, "at most 1.2x attempts per call (1 + percent 20%), plus a reserve of 10 "
                                     "retries/s"));
    /* and it bounds what reaches db through checkout */
    assert_within_rel(db->worst_amp, 4.0, 0);
    assert_within_rel(db->bounded_amp, 1.2, 1e-12);
    assert_within_rel(r->worst_amp, 4.0, 0);
    assert_within_rel(r->worst_bounded, 1.2, 1e-12);
    assert_within_rel(r->paths[0].bounded_amp, 1.2, 1e-12);

    char *s = review_text(r);
    assert_non_null(strstr(s, "worst-case amplification 4x (\xe2\x89\xa4" "1.2x with the retry budgets' bounds)\n"));
    assert_non_null(strstr(s, "attempts 4, no backoff, on timeout, error, reject, budget (finagle, percent 20%, "
                              "min_per_s 10, ttl 10s)"));
    assert_non_null(strstr(s, "4x; \xe2\x89\xa4" "1.2x by budget + reserve\n"));
    assert_non_null(strstr(s, "4x; \xe2\x89\xa4" "1.2x by budgets upstream\n"));
    assert_non_null(strstr(s, "4 x 1 = 4x (\xe2\x89\xa4" "1.2x with budgets)\n"));
    assert_non_null(strstr(s, "\nRetry budgets "));
    assert_null(strstr(s, "naked-retry"));
    free(s);

    json_t *j = json_round_trip(reviewout_json(r));
    json_t *e0 = json_array_get(json_object_get(j, "edges"), 0);
    json_t *b = json_object_get(json_object_get(e0, "retry"), "budget");
    assert_string_equal(json_string_value(json_object_get(b, "type")), "finagle");
    assert_string_equal(json_string_value(json_object_get(b, "scope")), "instance");
    assert_within_rel(json_real_value(json_object_get(b, "bound_amplification")), 1.2, 1e-12);
    assert_within_rel(json_real_value(json_object_get(e0, "worst_amplification")), 4.0, 0);
    assert_within_rel(json_real_value(json_object_get(j, "worst_bounded_amplification")), 1.2, 1e-12);
    assert_true(json_is_null(json_object_get(e0, "breaker")));
    json_decref(j);
    review_free(r);
    model_free(m);
}

/* gRPC and AWS are bounded by their tokens; Envoy is relative to what is
 * in flight, and says so. */
static void test_budget_bounds(void **state)
{
    (void)state;
    model *m = load_model(DATA "mechanisms.yaml");
    review *r = review_model(m);
    const review_edge *web = edge(r, "web" ARROW "front"), *mid = edge(r, "front" ARROW "mid"),
                      *db = edge(r, "front" ARROW "db");
    assert_within_rel(web->budget_amp, 0.0, 0);
    assert_within_rel(web->bounded_amp, 3.0, 0); /* no bound: the attempts */
    assert_non_null(strstr(web->bound, "envoy: relative to in-flight, not to requests"));
    assert_non_null(strstr(web->bound, "per instance (4 instances)"));
    assert_non_null(strstr(web->why, "the retry budget is relative to attempts in flight, which grow as front slows"));
    assert_within_rel(mid->budget_amp, 1.1, 1e-12);
    assert_within_rel(mid->bounded_amp, 3.3, 1e-12); /* 3 from web, 1.1 here */
    assert_within_rel(mid->worst_amp, 9.0, 0);
    assert_non_null(strstr(mid->bound, "grpc: bounded by tokens"));
    assert_non_null(strstr(mid->bound, "once a burst of 5 retries is spent (one budget shared by 3 replicas)"));
    assert_within_rel(db->budget_amp, 1.2, 1e-12);
    assert_non_null(strstr(db->bound, "aws: bounded by the quota"));
    assert_non_null(strstr(db->bound, "the quota of 500 (100 retries)"));
    /* budgets without backoff are not naked */
    assert_int_equal(count_flags(r, "naked-retry", NULL), 0);
    char *s = review_text(r);
    assert_non_null(strstr(s, "3x; budget relative to in-flight\n"));
    assert_non_null(strstr(s, "9x; \xe2\x89\xa4" "3.3x by budget + burst\n"));
    free(s);
    review_free(r);
    model_free(m);
}

static void test_breaker_fails_fast_or_falls_back(void **state)
{
    (void)state;
    model *m = load_model("examples/breaker.yaml");
    review *r = review_model(m);
    const review_edge *e = edge(r, "checkout" ARROW "db");
    assert_int_equal(e->when_slow, SLOW_FAIL_FAST);
    assert_false(e->amplifying);
    assert_non_null(strstr(e->why, "the breaker (time window 10s, failure 50%, open 5s) opens on timeouts and calls "
                                   "slower than 200ms, then fails calls at once for 5s at a time (then 10 probes)"));
    /* the edge without a breaker only times out */
    assert_int_equal(edge(r, "shoppers" ARROW "checkout")->when_slow, SLOW_TIME_OUT);
    char *s = review_text(r);
    assert_non_null(strstr(s, "  fail fast  "));
    free(s);
    json_t *j = json_round_trip(reviewout_json(r));
    json_t *bj = json_object_get(json_array_get(json_object_get(j, "edges"), 1), "breaker");
    assert_string_equal(json_string_value(json_object_get(bj, "text")), "time window 10s, failure 50%, open 5s");
    assert_string_equal(json_string_value(json_object_get(bj, "fallback")), "none");
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "edges"), 1), "when_slow")),
                        "fail fast");
    json_decref(j);
    review_free(r);
    model_free(m);

    /* with a fallback, the caller serves it */
    char *yaml = slurp("examples/breaker.yaml");
    char *text = replace_once(yaml, "half_open_calls: 10\n", "half_open_calls: 10\n          fallback: default\n");
    m = load_text(text, "breaker.yaml");
    r = review_model(m);
    e = edge(r, "checkout" ARROW "db");
    assert_int_equal(e->when_slow, SLOW_FALLBACK);
    assert_non_null(strstr(e->why, "then serves a fallback at once for 5s"));
    s = review_text(r);
    assert_non_null(strstr(s, "  serve a fallback  "));
    free(s);
    review_free(r);
    model_free(m);
    free(text);

    /* a breaker that records only errors, with slow_duration beyond the
     * timeout, never sees a slow db: the caller just times out */
    text = replace_once(yaml, "slow_duration: 200ms", "slow_duration: 1s\n          record: [error]");
    m = load_text(text, "breaker.yaml");
    r = review_model(m);
    e = edge(r, "checkout" ARROW "db");
    assert_int_equal(e->when_slow, SLOW_TIME_OUT);
    assert_non_null(strstr(e->why, "does not open on slowness"));
    review_free(r);
    model_free(m);
    free(text);
    free(yaml);
}

static void test_pool_above_peak(void **state)
{
    (void)state;
    model *m = load_model("examples/contention-spiral.yaml");
    review *r = review_model(m);
    const review_edge *e = edge(r, "api" ARROW "db");
    assert_int_equal(e->pool_conns, 200);
    assert_within_rel(e->peak, 70.0, 1e-9); /* sqrt((1 - 0.02) / 0.0002) */
    assert_int_equal(count_flags(r, "pool-above-peak", "api" ARROW "db"), 1);
    assert_int_equal(r->nflags, 1);
    const review_flag *f = &r->flags[0];
    assert_string_equal(f->code, "pool-above-peak");
    assert_int_equal(f->pos.line, e->spec->pool.pos.line);
    assert_int_equal(f->pos.col, e->spec->pool.pos.col);
    assert_non_null(strstr(f->msg, "api" ARROW "db pool size 200 x 1 replica of api = 200 connections lets up to 200 "
                                   "attempts run on db at once, above its USL peak N* = sqrt((1 - sigma 0.02) / "
                                   "kappa 0.0002) = 70"));
    assert_non_null(strstr(f->msg, "at most 70 connections in all"));
    char *s = review_text(r);
    assert_non_null(strstr(s, ": pool-above-peak: "));
    assert_non_null(strstr(s, "api" ARROW "db: size 200, wait_timeout 500ms, x 1 replica = 200 connections; db's USL "
                              "peak N* = 70\n"));
    free(s);
    json_t *j = json_round_trip(reviewout_json(r));
    json_t *pj = json_object_get(json_array_get(json_object_get(j, "edges"), 1), "pool");
    assert_int_equal(json_integer_value(json_object_get(pj, "size")), 200);
    assert_within_rel(json_real_value(json_object_get(pj, "callee_peak")), 70.0, 1e-9);
    json_decref(j);
    review_free(r);
    model_free(m);

    /* 50 connections hold db below its peak */
    char *yaml = slurp("examples/contention-spiral.yaml");
    char *text = replace_once(yaml, "{size: 200,", "{size: 50,");
    m = load_text(text, "spiral.yaml");
    r = review_model(m);
    assert_int_equal(count_flags(r, "pool-above-peak", NULL), 0);
    review_free(r);
    model_free(m);
    free(text);
    /* and so do db's own 60 workers, whatever the pool */
    text = replace_once(yaml, "workers: unlimited     # the database", "workers: 60     # the database");
    m = load_text(text, "spiral.yaml");
    r = review_model(m);
    assert_int_equal(count_flags(r, "pool-above-peak", NULL), 0);
    review_free(r);
    model_free(m);
    free(text);
    free(yaml);

    /* the pool is per caller instance: 4 x 20 = 80 > 70, 3 x 20 = 60 < 70 */
    static const char tmpl[] = "duration: 1m\n"
                               "clients:\n"
                               "  app: {rate: 100/s, call: db, timeout: 1s, instances: 4, pool: {size: 20}}\n"
                               "services:\n"
                               "  db: {workers: unlimited, service_time: 10ms, contention: {sigma: 0.02, kappa: "
                               "0.0002}}\n";
    m = load_text(tmpl, "inline.yaml");
    r = review_model(m);
    assert_int_equal(count_flags(r, "pool-above-peak", "app" ARROW "db"), 1);
    assert_non_null(strstr(r->flags[0].msg, "pool size 20 x 4 instances of app = 80 connections"));
    review_free(r);
    model_free(m);
    text = replace_once(tmpl, "instances: 4", "instances: 3");
    m = load_text(text, "inline.yaml");
    r = review_model(m);
    assert_int_equal(count_flags(r, "pool-above-peak", NULL), 0);
    review_free(r);
    model_free(m);
    free(text);
}

/* Models without breakers, budgets or pools are reviewed exactly as before
 * (tests/data/loops/unchanged_*.review.txt were written by the review
 * before those were added; only the closing note has changed). */
static void test_unchanged_without_mechanisms(void **state)
{
    (void)state;
    static const char *const models[][2] = {
        {"examples/retry-storm.yaml", "retry-storm"},   {"examples/local-optima.yaml", "local-optima"},
        {"examples/mmc.yaml", "mmc"},                   {DATA "three_layers.yaml", "three_layers"},
        {DATA "contention.yaml", "contention"},         {DATA "review_flags.yaml", "review_flags"},
        {DATA "unlimited.yaml", "unlimited"},
    };
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        model *m = load_model(models[i][0]);
        review *r = review_model(m);
        char *got = review_text(r);
        /* drop the note line */
        char *note = strstr(got, "\nnote: ");
        assert_non_null(note);
        note[1] = 0;
        char path[256];
        snprintf(path, sizeof path, DATA "unchanged_%s.review.txt", models[i][1]);
        char *want = slurp(path);
        if (strcmp(got, want))
            fail_msg("%s is reviewed differently:\n%s\nwant:\n%s", models[i][0], got, want);
        free(want);
        free(got);
        review_free(r);
        model_free(m);
    }
}

static void test_uncapped_hedge(void **state)
{
    (void)state;
    /* a hedge with neither max_outstanding nor budget is flagged at its key */
    const char *fmt = "duration: 1m\n"
                      "clients:\n  u:\n    rate: 100/s\n    call: s\n    timeout: 1s\n%s"
                      "services: {s: {workers: 4, queue: 20, service_time: 10ms}}\n";
    const char *cases[] = {"    hedge: {delay: 50ms, attempts: 3}\n",
                           "    hedge: {delay: 50ms, max_outstanding: 10}\n",
                           "    retry: {attempts: 2, budget: {type: grpc}}\n    hedge: {delay: 50ms}\n",
                           "    retry: {attempts: 2, budget: {type: grpc}}\n    hedge: {delay: 50ms, budget: false}\n"};
    const size_t want[] = {1, 0, 0, 1};
    for (size_t k = 0; k < 4; k++) {
        char text[1024];
        snprintf(text, sizeof text, fmt, cases[k]);
        eddy_error err = {0};
        model *m = model_load_string(text, strlen(text), "hedge.yaml", &err);
        if (!m)
            fail_with_error(&err);
        review *r = review_model(m);
        assert_int_equal(count_flags(r, "uncapped-hedge", "u" ARROW "s"), want[k]);
        for (size_t i = 0; i < r->nflags && k == 0; i++)
            if (!strcmp(r->flags[i].code, "uncapped-hedge")) {
                assert_int_equal(r->flags[i].pos.line, 7);
                assert_int_equal(r->flags[i].pos.col, 12);
                assert_non_null(strstr(r->flags[i].msg, "up to 3x the load on s"));
            }
        review_free(r);
        model_free(m);
    }
    /* the example caps its hedges */
    model *m = load_model("examples/hedging.yaml");
    review *r = review_model(m);
    assert_int_equal(count_flags(r, "uncapped-hedge", NULL), 0);
    review_free(r);
    model_free(m);
}

/* Two autoscalers on one service with different metrics fight (DESIGN.md
 * 7); one, or two on different services, do not. */
static void test_fighting_autoscalers(void **state)
{
    (void)state;
    model *m = load_model("examples/fighting-autoscalers.yaml");
    review *r = review_model(m);
    assert_int_equal(count_flags(r, "fighting-autoscalers", NULL), 1);
    for (size_t i = 0; i < r->nflags; i++)
        if (!strcmp(r->flags[i].code, "fighting-autoscalers")) {
            assert_non_null(strstr(r->flags[i].msg, "hpa (on cpu) and depth (on queue)"));
            assert_int_equal(r->flags[i].pos.line, m->autoscalers[1].pos.line);
        }
    review_free(r);
    model_free(m);
    eddy_error err = {0};
    const char *one = "duration: 10s\nclients: {c: {rate: 1/s, call: s}}\n"
                      "services: {s: {workers: 2, service_time: 1ms}, t: {workers: 2, service_time: 1ms}}\n"
                      "autoscalers:\n"
                      "  a: {service: s, metric: cpu, target: 50%, max: 4}\n"
                      "  b: {service: t, metric: queue, target: 2, max: 4}\n"
                      "  d: {service: s, metric: cpu, target: 60%, max: 4}\n";
    m = model_load_string(one, strlen(one), "one.yaml", &err);
    assert_non_null(m);
    r = review_model(m);
    assert_int_equal(count_flags(r, "fighting-autoscalers", NULL), 0);
    review_free(r);
    model_free(m);
}

/* A warm cache with one ttl and neither ttl_jitter nor coalesce: every key
 * expires at once (examples/hourly-spikes.yaml).  Either setting, or a cold
 * start, takes the flag away. */
static void test_synchronized_expiry(void **state)
{
    (void)state;
    model *m = load_model("examples/hourly-spikes.yaml");
    review *r = review_model(m);
    assert_int_equal(count_flags(r, "synchronized-expiry", "shop" ARROW "api"), 1);
    for (size_t i = 0; i < r->nflags; i++)
        if (!strcmp(r->flags[i].code, "synchronized-expiry")) {
            assert_non_null(strstr(r->flags[i].msg, "all 500 keys expire together every 1h"));
            assert_int_equal(r->flags[i].pos.line, 27); /* warm: true */
        }
    review_free(r);
    model_free(m);
    static const char *const fixes[] = {"warm: true\n    ttl_jitter: 10m", "warm: true\n    coalesce: true",
                                        "warm: false"};
    for (size_t i = 0; i < 3; i++) {
        FILE *fp = fopen("examples/hourly-spikes.yaml", "rb");
        assert_non_null(fp);
        static char buf[1 << 14], text[1 << 14];
        size_t n = fread(buf, 1, sizeof buf - 1, fp);
        fclose(fp);
        buf[n] = 0;
        char *at = strstr(buf, "warm: true");
        assert_non_null(at);
        snprintf(text, sizeof text, "%.*s%s%s", (int)(at - buf), buf, fixes[i], at + strlen("warm: true"));
        eddy_error err;
        m = model_load_string(text, strlen(text), "fixed.yaml", &err);
        if (!m)
            fail_with_error(&err);
        r = review_model(m);
        assert_int_equal(count_flags(r, "synchronized-expiry", NULL), 0);
        review_free(r);
        model_free(m);
    }
    /* the thundering herd's cache has the flag too; the cold cache's
     * (jittered) does not */
    m = load_model("examples/thundering-herd.yaml");
    r = review_model(m);
    assert_int_equal(count_flags(r, "synchronized-expiry", "web" ARROW "db"), 1);
    review_free(r);
    model_free(m);
    m = load_model("examples/cold-cache.yaml");
    r = review_model(m);
    assert_int_equal(count_flags(r, "synchronized-expiry", NULL), 0);
    review_free(r);
    model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_local_optima),
        cmocka_unit_test(test_three_layers_is_27x),
        cmocka_unit_test(test_every_flag),
        cmocka_unit_test(test_retry_storm_example_flags),
        cmocka_unit_test(test_retries_that_cannot_fire),
        cmocka_unit_test(test_budget_is_not_naked),
        cmocka_unit_test(test_budget_bounds),
        cmocka_unit_test(test_breaker_fails_fast_or_falls_back),
        cmocka_unit_test(test_pool_above_peak),
        cmocka_unit_test(test_unchanged_without_mechanisms),
        cmocka_unit_test(test_uncapped_hedge),
        cmocka_unit_test(test_fighting_autoscalers),
        cmocka_unit_test(test_synchronized_expiry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
