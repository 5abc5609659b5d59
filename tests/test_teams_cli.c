/* test_teams_cli.c -- teams in the commands, run as a user would:
 * `eddy loops` (each loop's teams, --by-team swimlanes), `eddy diagnose`
 * (the sustaining loop's teams, Cynefin, what the system does), on
 * examples/teams.yaml. */
#include "testutil.h"

#include "testproc.h"

#include <jansson.h>
#include <stdbool.h>

#define EX "examples/teams.yaml"

static int setup(void **state)
{
    (void)state;
    return proc_begin("teams-cli");
}

static int teardown(void **state)
{
    (void)state;
    return proc_end();
}

static void test_loops_text_and_json(void **state)
{
    (void)state;
    run_result r = run("loops " EX);
    assert_int_equal(r.status, 0);
    /* the figure the example's comment and docs/teams.md state */
    EXPECT_HAS(r.out, "\nTeams: 2 (storefront, data); 8 of 17 loops cross teams.\n");
    assert_non_null(strstr(r.out, "and data (db: load, in_flight, latency): neither team sees the whole loop.  [cross-team]"));
    assert_non_null(strstr(r.out, "Unowned: payments (service): no team owns it."));
    run_free(&r);

    /* every loop, so the cross-team count is the listed loops' (without --all
     * the JSON lists what the text lists) */
    json_t *j = run_json("loops --json --all " EX);
    json_t *loops = json_object_get(j, "loops");
    size_t cross = 0;
    for (size_t i = 0; i < json_array_size(loops); i++) {
        json_t *L = json_array_get(loops, i);
        bool c = json_is_true(json_object_get(L, "cross_team"));
        cross += c;
        /* cross-team exactly when two parts have a team */
        json_t *parts = json_object_get(L, "teams");
        size_t owned = 0;
        for (size_t p = 0; p < json_array_size(parts); p++)
            owned += json_is_string(json_object_get(json_array_get(parts, p), "team"));
        assert_int_equal(c, owned >= 2);
    }
    assert_true(cross > 0);
    json_t *t = json_object_get(j, "teams");
    assert_int_equal(json_integer_value(json_object_get(t, "cross_team_loops")), (json_int_t)cross);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(t, "unowned"), 0), "component")),
                        "payments");
    json_decref(j);
}

static void test_loops_by_team(void **state)
{
    (void)state;
    run_result r = run("loops --by-team " EX);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "flowchart LR\n  subgraph lane0[\"storefront\"]\n"));
    assert_non_null(strstr(r.out, "  subgraph lane1[\"data\"]\n    v"));
    assert_non_null(strstr(r.out, "  subgraph lane2[\"no owner\"]\n    v"));
    /* db's variables are drawn inside data's lane, and only there */
    const char *lane = strstr(r.out, "subgraph lane1");
    const char *end = strstr(lane, "\n  end\n");
    const char *db = strstr(r.out, "[\"db.latency\"]");
    assert_true(db > lane && db < end);
    assert_null(strstr(db + 1, "[\"db.latency\"]"));
    run_free(&r);

    r = run("loops --by-team --dot " EX);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "  subgraph cluster_0 {\n    label=\"storefront\";\n"));
    assert_non_null(strstr(r.out, "  subgraph cluster_1 {\n    label=\"data\";\n"));
    run_free(&r);

    r = run("loops --by-team --json " EX);
    assert_int_equal(r.status, 2);
    run_free(&r);
    r = run("loops --by-team examples/retry-storm.yaml");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--by-team needs a model with a `teams:` section"));
    run_free(&r);
}

static void test_diagnose_teams(void **state)
{
    (void)state;
    json_t *j = run_json("diagnose --seeds 1 --json " EX);
    assert_string_equal(json_string_value(json_object_get(j, "verdict")), "metastable");
    assert_string_equal(json_string_value(json_object_get(j, "cynefin")), "complex");
    assert_true(json_is_true(json_object_get(j, "cross_team")));
    json_t *tn = json_object_get(j, "sustaining_loop_teams");
    assert_int_equal(json_array_size(tn), 2);
    assert_string_equal(json_string_value(json_array_get(tn, 0)), "storefront");
    assert_string_equal(json_string_value(json_array_get(tn, 1)), "data");
    assert_non_null(strstr(json_string_value(json_object_get(j, "coupling")), "neither team sees the whole loop."));
    const char *p = json_string_value(json_object_get(j, "purpose"));
    assert_non_null(strstr(p, "it turns a 30s db slow x10 at "));
    assert_non_null(strstr(p, "into an outage (0% of baseline goodput) that lasts until someone disables retries at shoppers"));
    json_t *ev = json_object_get(j, "why_no_single_component");
    for (size_t i = 0; i < json_array_size(ev); i++) {
        json_t *e = json_array_get(ev, i);
        const char *c = json_string_value(json_object_get(e, "component"));
        const char *t = json_string_value(json_object_get(e, "team"));
        assert_string_equal(t, !strcmp(c, "db") ? "data" : "storefront");
    }
    /* the postmortem names the teams the loop crosses, within 120 words, and
     * its coupling statement leaves the teams sentence to the paragraph */
    json_t *pm = json_object_get(j, "postmortem");
    assert_true(json_integer_value(json_object_get(pm, "words")) <= 120);
    assert_null(strstr(json_string_value(json_object_get(pm, "coupling")), "neither team"));
    assert_non_null(strstr(json_string_value(json_object_get(pm, "why")),
                           "No single team could have fixed it: loop R5 crosses storefront and data"));
    json_decref(j);

    run_result r = run("diagnose --seeds 1 " EX);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\ncynefin: complex: probe by knockout, then break the loop"));
    assert_non_null(strstr(r.out, "\nwhy no single team could have fixed it (after the trigger ended):\n"));
    assert_non_null(strstr(r.out, "The knockout that ends it (retries off at shoppers) is in storefront's hands"));
    assert_non_null(strstr(r.out, "\nWhat this system does: it turns a 30s db slow x10"));
    run_free(&r);
}

/* Without teams, diagnose keeps its heading and has no team keys, but
 * says its Cynefin domain and what the system does. */
static void test_diagnose_without_teams(void **state)
{
    (void)state;
    json_t *j = run_json("diagnose --seeds 1 --json examples/retry-storm.yaml");
    assert_null(json_object_get(j, "cross_team"));
    assert_string_equal(json_string_value(json_object_get(j, "cynefin")), "complex");
    json_decref(j);
    run_result r = run("diagnose --seeds 1 examples/mmc.yaml");
    assert_non_null(strstr(r.out, "\ncynefin: clear: "));
    assert_non_null(strstr(r.out, "\nWhat this system does: it absorbs "));
    run_free(&r);
}

/* The platform's default ends the storm the per-team retries make; no
 * team's fix on its own edges does (examples/platform-defaults.yaml). */
static void test_fix_platform_against_teams(void **state)
{
    (void)state;
    json_t *j = run_json("fix --seeds 1 --json examples/platform-defaults.yaml");
    assert_false(json_is_true(json_object_get(json_object_get(j, "as_written"), "recovered")));
    json_t *iv = json_object_get(j, "interventions");
    size_t teams = 0, platform = 0;
    for (size_t i = 0; i < json_array_size(iv); i++) {
        json_t *x = json_array_get(iv, i);
        const char *name = json_string_value(json_object_get(x, "name"));
        bool rec = json_is_true(json_object_get(x, "recovered"));
        if (!strncmp(name, "platform default: ", 18)) {
            platform++;
            assert_int_equal(json_integer_value(json_object_get(x, "level")), 5);
            if (!rec)
                fail_msg("'%s' did not recover", name);
        } else if (!strncmp(name, "team ", 5) && strstr(name, " alone: retry budget and backoff")) {
            teams++;
            assert_int_equal(json_integer_value(json_object_get(x, "level")), 7);
            if (rec)
                fail_msg("'%s' recovered on its own", name);
        }
    }
    assert_int_equal(platform, 2);
    assert_int_equal(teams, 4); /* web, mobile, edge, orders own retrying edges that override the platform */
    assert_non_null(strstr(json_string_value(json_object_get(j, "platform_summary")), "0 of 4 recover"));
    json_decref(j);
}

/* The same response, earlier: less goodput lost.  Measured on a storm
 * that does not end by itself, paged about 2m in: the team acts after 10m
 * (long), 5m (as written), 1m (short) or at once (automatic), all within
 * the 13m run. */
static void test_fix_response_delay(void **state)
{
    (void)state;
    char path[256];
    tmp_path(path, sizeof path, "respond.yaml");
    write_file(path, "duration: 13m\n"
                     "clients:\n  shoppers: {rate: 400/s, call: checkout, timeout: 1s, retry: {attempts: 4}}\n"
                     "services:\n"
                     "  checkout: {workers: 40, queue: 1000, service_time: 5ms, calls: [{to: db, timeout: 5s}]}\n"
                     "  db: {workers: 20, service_time: {dist: lognormal, median: 35ms, p99: 120ms}}\n"
                     "faults: [{at: 60s, for: 30s, target: db, slow: 10}]\n"
                     "teams:\n  storefront: {owns: [shoppers, checkout, db], oncall: 5m}\n"
                     "actions:\n"
                     "  - {when: \"shoppers.goodput < 50% of baseline for 1m\", then: {client: shoppers, retry: off}, "
                     "by: storefront}\n");
    char args[320];
    snprintf(args, sizeof args, "fix --seeds 1 --json %s", path);
    json_t *j = run_json(args);
    double written = json_real_value(json_object_get(json_object_get(json_object_get(j, "as_written"), "goodput_lost"), "mean"));
    double longd = -1, shortd = -1, autom = -1;
    json_t *iv = json_object_get(j, "interventions");
    for (size_t i = 0; i < json_array_size(iv); i++) {
        json_t *x = json_array_get(iv, i);
        const char *name = json_string_value(json_object_get(x, "name"));
        double lost = json_real_value(json_object_get(json_object_get(x, "goodput_lost"), "mean"));
        if (!strcmp(name, "response after 10m (a human paged, long delay)"))
            longd = lost;
        else if (!strcmp(name, "response after 1m (a human paged, short delay)"))
            shortd = lost;
        else if (!strcmp(name, "automatic response (no human in the loop)"))
            autom = lost;
        if (!strncmp(name, "response after", 14) || !strncmp(name, "automatic response", 18))
            assert_int_equal(json_integer_value(json_object_get(x, "level")), 9);
    }
    assert_true(autom >= 0 && shortd >= 0 && longd >= 0);
    /* the automatic response loses least; each minute of delay more */
    if (!(autom < shortd && shortd < written && written < longd))
        fail_msg("goodput lost: automatic %.3f, 1m %.3f, as written %.3f, 10m %.3f", autom, shortd, written, longd);
    const char *sum = json_string_value(json_object_get(j, "response_summary"));
    assert_non_null(sum);
    assert_non_null(strstr(sum, "Response delay against goodput lost: as written (storefront 5m) "));
    json_decref(j);
}

/* `eddy review` prints the conway flag at FILE:LINE:COL: a retried write
 * from pay's checkout into books' ledger, which does not dedupe, where
 * the teams do not talk.  Line 5 is the call; its mapping opens at 53. */
static void test_review_conway_at(void **state)
{
    (void)state;
    char path[256];
    tmp_path(path, sizeof path, "writes.yaml");
    write_file(path, "duration: 1m\n"
                     "clients:\n  shoppers: {rate: 10/s, call: checkout, timeout: 5s}\n"
                     "services:\n"
                     "  checkout: {workers: 4, service_time: 5ms, calls: [{to: ledger, timeout: 1s, retry: {attempts: "
                     "3}, effect: write}]}\n"
                     "  ledger: {workers: 4, service_time: 5ms}\n"
                     "teams:\n  storefront: {owns: [shoppers]}\n  pay: {owns: [checkout]}\n  books: {owns: [ledger]}\n");
    run_result r = run("review %s", path);
    EXPECT_STATUS(r, 0, "eddy review (warnings only fail with --strict)");
    char want[512];
    snprintf(want, sizeof want,
             "%s:5:53: warning: conway: checkout\xe2\x86\x92" "ledger crosses from pay to books, which do not talk to "
             "each other, and its contract is inconsistent: it is a write (effect: write) that is retried (3 "
             "attempts), and ledger dedupes by none",
             path);
    EXPECT_HAS(r.out, want);
    run_free(&r);
}

/* avail ends with what the system does: the promise of its boxes, what it
 * delivers, its likeliest outage. */
static void test_avail_purpose(void **state)
{
    (void)state;
    run_result r = run("avail examples/control-plane.yaml");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\nWhat this system does: it turns boxes that promise 99.9999999802% to shoppers "
                                  "into 99.999284% (3.766 min of failed requests a year); its likeliest outage: "
                                  "control-plane.\n"));
    run_free(&r);
    json_t *j = run_json("avail --json examples/control-plane.yaml");
    assert_non_null(strstr(json_string_value(json_object_get(j, "purpose")), "its likeliest outage: control-plane"));
    json_decref(j);
}

/* diagnose judges the system before anyone acts: with its response the
 * storm ends 396 s after the slowdown, which would read as a component
 * fault; without it, the storm outlives the trigger. */
static void test_diagnose_leaves_responses_out(void **state)
{
    (void)state;
    json_t *j = run_json("diagnose --seeds 1 --json examples/oncall-response.yaml");
    assert_string_equal(json_string_value(json_object_get(j, "verdict")), "metastable");
    assert_int_equal(json_integer_value(json_object_get(j, "responses_left_out")), 1);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loops_text_and_json),
        cmocka_unit_test(test_loops_by_team),
        cmocka_unit_test(test_diagnose_teams),
        cmocka_unit_test(test_diagnose_without_teams),
        cmocka_unit_test(test_fix_platform_against_teams),
        cmocka_unit_test(test_fix_response_delay),
        cmocka_unit_test(test_review_conway_at),
        cmocka_unit_test(test_avail_purpose),
        cmocka_unit_test(test_diagnose_leaves_responses_out),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
