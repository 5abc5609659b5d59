/* test_teams.c -- `teams:` in the model: ownership, talks_to, oncall, and
 * the file:line:col errors for what a team cannot say. */
#include "testsim.h"

#include "model/model.h"

#define BASE                                                                                                          \
    "duration: 1m\n"                                                                                                  \
    "clients:\n"                                                                                                      \
    "  shoppers: {rate: 10/s, call: checkout, cache: sessions}\n"                                                      \
    "services:\n"                                                                                                     \
    "  checkout: {workers: 4, service_time: 5ms, calls: [{to: db}]}\n"                                                \
    "  db: {workers: 4, service_time: 5ms}\n"                                                                         \
    "caches:\n"                                                                                                       \
    "  sessions: {keys: 100}\n"

static void test_teams_loaded(void **state)
{
    (void)state;
    eddy_model *m = load_text(BASE "teams:\n"
                                   "  storefront: {owns: [shoppers, checkout], talks_to: [data], oncall: 10m}\n"
                                   "  data: {owns: [db]}\n"
                                   "  ops: {}\n");
    assert_int_equal(m->nteams, 3);
    assert_int_equal(model_owner(m, "checkout"), 0);
    assert_int_equal(model_owner(m, "shoppers"), 0);
    assert_int_equal(model_owner(m, "db"), 1);
    assert_int_equal(model_owner(m, "sessions"), -1); /* unowned is allowed */
    assert_true(m->teams[0].has_oncall);
    assert_true(m->teams[0].oncall == 600 * T_SEC);
    assert_false(m->teams[1].has_oncall);
    /* talking is symmetric: either side's talks_to counts */
    assert_true(model_teams_talk(m, 0, 1));
    assert_true(model_teams_talk(m, 1, 0));
    assert_false(model_teams_talk(m, 0, 2));
    assert_false(model_teams_talk(m, 1, 2));
    assert_int_equal(model_find_team(m, "ops"), 2);
    eddy_model_free(m);
}

/* The cache must be used by a call to load at all; with it used, it is ownable. */
static void test_teams_own_any_component(void **state)
{
    (void)state;
    eddy_model *m = load_text("duration: 1m\n"
                              "clients:\n  shoppers: {rate: 10/s, call: checkout, cache: sessions}\n"
                              "services:\n  checkout: {workers: 4, service_time: 5ms}\n"
                              "caches:\n  sessions: {keys: 100}\n"
                              "autoscalers:\n  hpa: {service: checkout, metric: cpu, target: 50%, max: 4}\n"
                              "infra:\n  dns: {mtbf: 720h, mttr: 1h}\n"
                              "teams:\n  platform: {owns: [sessions, hpa, dns]}\n");
    assert_int_equal(model_owner(m, "sessions"), 0);
    assert_int_equal(model_owner(m, "hpa"), 0);
    assert_int_equal(model_owner(m, "dns"), 0);
    eddy_model_free(m);
}

static void test_teams_errors(void **state)
{
    (void)state;
    /* line 10 is the first teams entry after the 8-line BASE and "teams:" */
    expect_load_error(BASE "teams:\n  a: {owns: [checkout]}\n  b: {owns: [shoppers, checkout]}\n", 11, 24,
                      "teams.b.owns[1]: 'checkout' is already owned by team a (line 10, column 14); a component has "
                      "at most one owner");
    expect_load_error(BASE "teams:\n  a: {owns: [db, db]}\n", 10, 18, "teams.a.owns[1]: 'db' is listed twice");
    expect_load_error(BASE "teams:\n  a: {owns: [chekout]}\n", 10, 14,
                      "teams.a.owns[0]: no component named 'chekout' (did you mean 'checkout'?)");
    expect_load_error(BASE "teams:\n  a: {talks_to: [dta]}\n  data: {}\n", 10, 18,
                      "teams.a.talks_to[0]: no team named 'dta' (did you mean 'data'?)");
    expect_load_error(BASE "teams:\n  a: {talks_to: [a]}\n", 10, 18, "does not list itself");
    expect_load_error(BASE "teams:\n  a: {owns: checkout}\n", 10, 13, "teams.a.owns: expected a list of names");
    expect_load_error(BASE "teams:\n  a: {own: [db]}\n", 10, 7, "unknown key 'own' (did you mean 'owns'?)");
    expect_load_error(BASE "teams:\n  a: {oncall: soon}\n", 10, 15, "teams.a.oncall");
    expect_load_error(BASE "teams:\n  a: {}\n  a: {}\n", 11, 3, "duplicate");
}

/* The same errors from files, as a user meets them. */
static void test_teams_bad_files(void **state)
{
    (void)state;
    struct {
        const char *file;
        int line, col;
        const char *words;
    } cases[] = {
        {"tests/data/bad/teams-two-owners.yaml", 10, 17, "'db' is already owned by team storefront (line 9"},
        {"tests/data/bad/teams-unknown-component.yaml", 9, 22, "no component named 'chekout' (did you mean"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        eddy_error err;
        eddy_model *m = eddy_model_load(cases[i].file, &err);
        if (m)
            fail_msg("%s loaded", cases[i].file);
        if (err.line != cases[i].line || err.col != cases[i].col || !strstr(err.msg, cases[i].words))
            fail_msg("%s: got %d:%d %s", cases[i].file, err.line, err.col, err.msg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_teams_loaded),
        cmocka_unit_test(test_teams_own_any_component),
        cmocka_unit_test(test_teams_errors),
        cmocka_unit_test(test_teams_bad_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
