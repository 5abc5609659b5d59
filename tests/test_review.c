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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_local_optima),
        cmocka_unit_test(test_three_layers_is_27x),
        cmocka_unit_test(test_every_flag),
        cmocka_unit_test(test_retry_storm_example_flags),
        cmocka_unit_test(test_retries_that_cannot_fire),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
