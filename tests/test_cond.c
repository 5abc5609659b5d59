/* test_cond.c -- conditional actions: the condition language (cond.h),
 * its errors at file:line:col, and when the engine applies a response. */
#include "testsim.h"

#include "model/cond.h"

/* ---- the parser, on its own ------------------------------------------------- */

static void test_parse_ok(void **state)
{
    (void)state;
    cond_spec c;
    size_t off;
    char msg[256];
    assert_int_equal(cond_parse("shoppers.goodput < 50% of baseline for 2m", &c, &off, msg, sizeof msg), 0);
    assert_string_equal(c.entity, "shoppers");
    assert_string_equal(c.metric, "goodput");
    assert_int_equal(c.cmp, HC_BELOW);
    assert_true(c.relative);
    assert_float_equal(c.threshold, 0.5, 1e-12);
    assert_true(c.hold == 120 * T_SEC);
    cond_free(&c);
    /* an edge's metric (its name holds an arrow, not a dot), >=, no duration */
    assert_int_equal(cond_parse("  web\xe2\x86\x92gateway.retries_denied   >=  3/s ", &c, &off, msg, sizeof msg), 0);
    assert_string_equal(c.entity, "web\xe2\x86\x92gateway");
    assert_string_equal(c.metric, "retries_denied");
    assert_int_equal(c.cmp, HC_AT_LEAST);
    assert_false(c.relative);
    assert_string_equal(c.threshold_text, "3/s");
    assert_true(c.hold == 0);
    cond_free(&c);
    /* an edge as the CSV names it: its "->" is not a comparison */
    assert_int_equal(cond_parse("api->db.retries > 5/s for 2s", &c, &off, msg, sizeof msg), 0);
    assert_string_equal(c.entity, "api->db");
    assert_string_equal(c.metric, "retries");
    assert_int_equal(c.cmp, HC_ABOVE);
    cond_free(&c);
}

static void test_parse_errors(void **state)
{
    (void)state;
    struct {
        const char *text;
        size_t off;
        const char *words;
    } cases[] = {
        {"", 0, "expected a condition such as"},
        {"shoppers", 0, "expected entity.metric first"},
        {".goodput < 1/s", 0, "expected entity.metric first"},
        {"shoppers.goodput", 16, "expected a comparison (<, <=, >, >=) after"},
        {"shoppers.goodput << 5/s", 17, "expected a comparison (<, <=, >, >=, with spaces around it), got '<<'"},
        {"shoppers.goodput<5/s", 16, "a comparison needs a space on each side"},
        {"api->db.retries>5/s", 15, "a comparison needs a space on each side"},
        {"shoppers.goodput <", 18, "expected a threshold after '<'"},
        {"shoppers.goodput < fifty% of baseline", 19, "expected a percentage >= 0 before 'of baseline'"},
        {"shoppers.goodput < 50 of baseline", 19, "expected a percentage before 'of baseline'"},
        {"shoppers.goodput < 50% of baselin", 23, "expected 'N% of baseline' (with both words)"},
        {"shoppers.goodput < 5/s during 2m", 23, "expected 'for' and a duration after the threshold, got 'during'"},
        {"shoppers.goodput < 5/s for", 26, "expected a duration after 'for'"},
        {"shoppers.goodput < 5/s for two", 27, "expected a duration with a unit (ms, s, m, h) after 'for'"},
        {"shoppers.goodput < 5/s for 2m please", 30, "unexpected 'please' after the condition"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cond_spec c;
        size_t off = 999;
        char msg[256];
        int rc = cond_parse(cases[i].text, &c, &off, msg, sizeof msg);
        if (rc == 0 || off != cases[i].off || !strstr(msg, cases[i].words))
            fail_msg("'%s': rc %d, offset %zu (want %zu): %s", cases[i].text, rc, off, cases[i].off, rc ? msg : "");
        cond_free(&c);
    }
}

/* ---- in a model ------------------------------------------------------------- */

#define MODEL(WHEN, BY, ONCALL)                                                                                       \
    "duration: 2m\n"                                                                                                  \
    "sample: 1s\n"                                                                                                    \
    "clients:\n"                                                                                                      \
    "  shoppers: {rate: 200/s, call: checkout}\n"                                                                     \
    "services:\n"                                                                                                     \
    "  checkout: {workers: 20, service_time: 5ms, calls: [{to: db}]}\n"                                               \
    "  db: {workers: 20, service_time: 5ms}\n"                                                                        \
    "faults: [{at: 20s, for: 100s, target: db, down: true}]\n"                                                        \
    "teams:\n"                                                                                                        \
    "  storefront: {owns: [shoppers, checkout]" ONCALL "}\n"                                                          \
    "actions:\n"                                                                                                      \
    "  - when: " WHEN "\n"                                                                                            \
    "    then: {client: shoppers, shed: 100%}\n" BY

static void test_model_errors(void **state)
{
    (void)state;
    /* line 12 is the `when:`; the string starts in column 12 (inside the quote) */
    expect_load_error(MODEL("\"shoppers.godput < 50% of baseline\"", "", ""), 12, 12,
                      "actions[0].when: a client has no metric 'godput' (did you mean 'goodput'?)");
    expect_load_error(MODEL("\"shoppers.goodput < 50ms\"", "", ""), 12, 31,
                      "shoppers.goodput is measured in its own unit: expected a rate such as 400/s");
    expect_load_error(MODEL("shoppers.goodput < 5/s for 2", "", ""), 12, 38, "expected a duration with a unit");
    expect_load_error(MODEL("\"checkout.shed > 1/s\"", "", ""), 12, 12, "service 'checkout' has no column 'shed'");
    expect_load_error(MODEL("\"shoppers.goodput < 5/s\"", "    by: storefront\n", ""), 14, 9,
                      "team storefront has no oncall");
    expect_load_error(MODEL("\"shoppers.goodput < 5/s\"", "    by: storefrnt\n", ", oncall: 1m"), 14, 9,
                      "no team named 'storefrnt' (did you mean 'storefront'?)");
    expect_load_error(MODEL("\"shoppers.goodput < 5/s\"", "    at: 10s\n", ""), 14, 5,
                      "an action happens at a time ('at') or in response to a condition ('when'), not both");
    expect_load_error("duration: 1m\nclients:\n  a: {rate: 1/s, call: s}\nservices:\n  s: {workers: 1, service_time: "
                      "1ms}\nactions:\n  - {when: \"a.goodput < 50% of baseline\", then: {client: a, retry: off}}\n",
                      7, 25, "'of baseline' is the metric's mean before the first fault, and this model has no faults");
    expect_load_error("duration: 1m\nclients:\n  a: {rate: 1/s, call: s}\nservices:\n  s: {workers: 1, service_time: "
                      "1ms}\nactions:\n  - {when: \"a.goodput < 1/s\"}\n",
                      7, 5, "missing key 'then'");
    expect_load_error("duration: 1m\nclients:\n  a: {rate: 1/s, call: s}\nservices:\n  s: {workers: 1, service_time: "
                      "1ms}\nactions:\n  - {when: \"a.goodput < 1/s\", shed: 50%, then: {client: a, retry: off}}\n",
                      7, 31, "with 'when', write what the action does under 'then:' ('shed' here)");
    expect_load_error("duration: 1m\nclients:\n  a: {rate: 1/s, call: s}\nservices:\n  s: {workers: 1, service_time: "
                      "1ms}\nactions:\n  - {when: \"a.goodput < 1/s\", then: {at: 5s, client: a, retry: off}}\n",
                      7, 38, "'at' belongs to the conditional action, not to its 'then'");
    expect_load_error("duration: 1m\nclients:\n  a: {rate: 1/s, call: s}\nservices:\n  s: {workers: 1, service_time: "
                      "1ms}\nactions:\n  - {client: a, retry: off}\n",
                      7, 5, "missing key 'at' (the moment of the action), or 'when'");
    expect_file_error("tests/data/bad/when-bad-comparison.yaml", 11, 29, "got '=<'");
    expect_file_error("tests/data/bad/when-no-oncall.yaml", 13, 9, "team storefront has no oncall");
}

/* The normalised form of an accepted condition is itself accepted, with
 * its unit: tests/data/bad/when-huge-threshold.yaml (found by fuzzing)
 * and a factor as large. */
static void test_format_round_trip(void **state)
{
    (void)state;
    eddy_error err;
    eddy_model *m = eddy_model_load("tests/data/bad/when-huge-threshold.yaml", &err);
    if (!m)
        fail_msg("%d:%d %s", err.line, err.col, err.msg);
    cond_spec extra;
    size_t off;
    char msg[256];
    assert_int_equal(cond_parse("shoppers.amplification > 1e300x", &extra, &off, msg, sizeof msg), 0);
    const cond_spec *cs[] = {m->actions[0].when, &extra};
    for (size_t i = 0; i < 2; i++) {
        if (i == 1)
            assert_int_equal(cond_check(m, &extra, &off, msg, sizeof msg), 0);
        char buf[512];
        cond_format(cs[i], buf, sizeof buf);
        cond_spec again;
        if (cond_parse(buf, &again, &off, msg, sizeof msg) < 0 || cond_check(m, &again, &off, msg, sizeof msg) < 0)
            fail_msg("'%s' is written as '%s', refused: %s", cs[i]->text, buf, msg);
        assert_within_rel(again.threshold, cs[i]->threshold, 0.01);
        cond_free(&again);
    }
    cond_free(&extra);
    eddy_model_free(m);
}

/* The first interval in which shoppers shed anything. */
static double first_shed(const char *yaml)
{
    eddy_model *m = load_text(yaml);
    eddy_result r;
    run_model_seed(m, &r);
    size_t c = col_index(&r, "shoppers.shed");
    double t = -1;
    for (size_t i = 0; i < r.series.nrows && t < 0; i++)
        if (eddy_series_at(&r.series, i, c) > 0)
            t = eddy_series_at(&r.series, i, 0);
    eddy_result_free(&r);
    eddy_model_free(m);
    return t;
}

/* db goes down at 20s, so goodput is 0 from the interval [20s, 21s) on
 * (every call fails at once).  The condition has held for 10s at the end
 * of [29s, 30s): automatic, the shed starts at 30s; by a team with a 30s
 * oncall, at 60s.  A condition that never holds never fires. */
static void test_response_timing(void **state)
{
    (void)state;
    assert_float_equal(first_shed(MODEL("\"shoppers.goodput < 50% of baseline for 10s\"", "", "")), 30, 1e-9);
    assert_float_equal(first_shed(MODEL("\"shoppers.goodput < 50% of baseline for 10s\"", "    by: storefront\n",
                                        ", oncall: 30s")),
                       60, 1e-9);
    /* an absolute threshold, no duration: the first interval it holds in */
    assert_float_equal(first_shed(MODEL("\"shoppers.goodput <= 1/s\"", "", "")), 21, 1e-9);
    /* the failure rate never passes 1000/s: no response */
    assert_float_equal(first_shed(MODEL("\"shoppers.failed > 1000/s\"", "", "")), -1, 1e-9);
    /* a response outside the run never happens either: paged at 30s + 5m */
    assert_float_equal(first_shed(MODEL("\"shoppers.goodput < 50% of baseline for 10s\"", "    by: storefront\n",
                                        ", oncall: 5m")),
                       -1, 1e-9);
}

/* A response to a call edge's retries, named as in the CSV: api retries
 * db on timeout, db (1 worker, 5 ms at 100/s) slowed x4 from 20 s does
 * 50/s, and api's retries pass 5/s in [21s, 22s) and [22s, 23s): held
 * 2 s at 23 s, api's retries go off then; without the response they go on. */
static void test_response_on_edge_retries(void **state)
{
    (void)state;
    const char *yaml = "duration: 40s\n"
                       "clients: {shoppers: {rate: 100/s, call: api, timeout: 5s}}\n"
                       "services:\n"
                       "  api:\n"
                       "    workers: 100\n"
                       "    service_time: 1ms\n"
                       "    calls: [{to: db, timeout: 500ms, retry: {attempts: 3, on: [timeout]}}]\n"
                       "  db: {workers: 1, service_time: 5ms}\n"
                       "faults: [{at: 20s, for: 20s, target: db, slow: 4}]\n"
                       "%s";
    char text[2048];
    for (int respond = 0; respond < 2; respond++) {
        snprintf(text, sizeof text, yaml,
                 respond ? "actions:\n  - {when: \"api->db.retries > 5/s for 2s\", then: {service: api, retry: off}}\n"
                         : "");
        eddy_model *m = load_text(text);
        eddy_result r;
        run_model_seed(m, &r);
        assert_true(col_at(&r, "api->db.retries", 21) > 5);
        assert_true(col_at(&r, "api->db.retries", 22) > 5);
        for (size_t i = 23; i < 40; i++)
            if (respond)
                assert_true(col_at(&r, "api->db.retries", i) == 0);
            else
                assert_true(col_at(&r, "api->db.retries", i) > 5);
        eddy_result_free(&r);
        eddy_model_free(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_ok),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_model_errors),
        cmocka_unit_test(test_format_round_trip),
        cmocka_unit_test(test_response_timing),
        cmocka_unit_test(test_response_on_edge_retries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
