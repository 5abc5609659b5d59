/* test_fix.c -- `eddy fix`: the intervention catalogue measured against the
 * checkout retry storm, user patches, and malformed patch files. */
#include "testutil.h"

#include <math.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testproc.h"

#include "analysis/fix.h"

#define DATA "tests/data/fix/"

static const fix_outcome *find(const fix_report *r, const char *name, int *level)
{
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->v[i].name, name)) {
            if (level)
                *level = r->v[i].level;
            return &r->out[i];
        }
    fail_msg("no intervention '%s'", name);
    return NULL;
}

/* On the retry storm, the catalogue separates what cuts the loop's gain
 * from the knobs that do not: a retry budget, switching the shoppers' retries off at
 * the incident and not retrying timeouts all recover; a longer timeout, fewer
 * attempts and a bigger queue do not. */
static void test_catalogue_on_retry_storm(void **state)
{
    (void)state;
    fix_opts o = {.seeds = 3, .seed = 1, .threads = 2};
    eddy_error err = {0};
    fix_report r;
    assert_int_equal(fix_run("examples/retry-storm.yaml", &o, &r, &err), 0);
    assert_int_equal(r.runs, (2 + 2 * r.n) * 3);
    /* as written: the storm outlives the trigger on every seed */
    assert_int_equal(r.as_written.recovered, 0);
    assert_true(r.as_written.goodput_lost.mean > 0.9);
    int lv;
    const fix_outcome *x = find(&r, "retry budget (Finagle, 20%)", &lv);
    assert_int_equal(lv, 7);
    assert_int_equal(x->recovered, 3);
    assert_true(x->goodput_lost.mean < 0.3);
    assert_true(isfinite(x->recovery_time.half)); /* an interval from 3 seeds */
    x = find(&r, "break-glass: retries off at shoppers", &lv);
    assert_int_equal(x->recovered, 3); /* and stays recovered after retries come back */
    x = find(&r, "no retries on timeout", &lv);
    assert_int_equal(lv, 5);
    assert_int_equal(x->recovered, 3);
    x = find(&r, "timeouts x2", &lv);
    assert_int_equal(lv, 12);
    assert_int_equal(x->recovered, 0);
    x = find(&r, "fewer retries (2 attempts)", NULL);
    assert_int_equal(x->recovered, 0);
    x = find(&r, "queues x2", &lv);
    assert_int_equal(lv, 11);
    assert_int_equal(x->recovered, 0);
    /* shedding 40% costs 40% of goodput while it lasts, in steady state too */
    x = find(&r, "break-glass: shed 40% at the incident", NULL);
    assert_true(x->steady_goodput.mean < 0.95);
    /* a bigger queue costs nothing in steady state at 81% load */
    x = find(&r, "queues x2", NULL);
    assert_within_rel(x->steady_goodput.mean, 1.0, 0.01);
    /* no pools in this model: no pool intervention */
    for (size_t i = 0; i < r.n; i++)
        assert_null(strstr(r.v[i].name, "pool"));
    /* level 12 first, ascending leverage down the table */
    for (size_t i = 1; i < r.n; i++)
        assert_true(r.v[i].level <= r.v[i - 1].level);
    assert_non_null(strstr(r.summary, "low leverage"));
    fix_report_free(&r);
}

static int setup(void **state)
{
    (void)state;
    return proc_begin("fix");
}

static int teardown(void **state)
{
    (void)state;
    return proc_end();
}

static void test_user_patches(void **state)
{
    (void)state;
    run_result r = run("fix --json --only-patches --patch " DATA "patches.yaml --seeds 2 -j 2 examples/retry-storm.yaml");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\"name\": \"gRPC retry throttling\""));
    assert_non_null(strstr(r.out, "\"name\": \"a faster db disk\""));
    assert_non_null(strstr(r.out, "\"level\": 7"));
    assert_null(strstr(r.out, "timeouts x2")); /* --only-patches */
    run_result s = run("fix --json --only-patches --patch " DATA "patches.yaml --seeds 2 -j 1 examples/retry-storm.yaml");
    assert_string_equal(r.out, s.out); /* the same whatever the number of jobs */
    run_free(&r);
    run_free(&s);
}

static void test_bad_patches(void **state)
{
    (void)state;
    struct {
        const char *file, *where, *what;
    } cases[] = {
        {"bad-level.yaml", "bad-level.yaml:3:15", "Meadows level"},
        {"bad-key.yaml", "bad-key.yaml:3:1", "unknown key 'pacth'"},
        {"bad-value.yaml", "bad-value.yaml:6:16", "workers"},
        /* the patch is checked against the schema before it is merged */
        {"bad-service.yaml", "bad-service.yaml:3:20", "services: unknown service 'dbb' (did you mean 'db'?)"},
        /* a 516-byte billion laughs once reached 2.7 GB */
        {"laughs.yaml", "laughs.yaml:", "aliases expand the document to more than 4000000 nodes"},
        {"deep.yaml", "deep.yaml:", "nested more than 64 deep"},
        {"nope.yaml", "nope.yaml", "cannot open"},
        /* found by fuzzing: the merge followed the cycle for minutes */
        {"../bad/patch_alias_cycle.yaml", "patch_alias_cycle.yaml:7:25",
         "the alias *x is inside the node its anchor &x names"},
        /* found by fuzzing: an empty list of names was read past its end */
        {"../bad/patch_new_section.yaml", "patch_new_section.yaml:10:9",
         "consumers: unknown consumer 'db'; the model has no consumers"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_result r = run("fix --only-patches --patch " DATA "%s --seeds 2 examples/retry-storm.yaml", cases[i].file);
        if (r.status != 2 || !strstr(r.err, cases[i].where) || !strstr(r.err, cases[i].what))
            fail_msg("%s: status %d, stderr: %s", cases[i].file, r.status, r.err);
        run_free(&r);
    }
}

static void test_cli_errors(void **state)
{
    (void)state;
    run_result r = run("fix --help");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "usage: eddy fix"));
    run_free(&r);
    r = run("fix --only-patches examples/retry-storm.yaml");
    assert_int_equal(r.status, 2);
    run_free(&r);
    r = run("fix --lift soon examples/retry-storm.yaml");
    assert_int_equal(r.status, 2);
    run_free(&r);
    r = run("fix examples/mmc.yaml"); /* no faults: nothing to fix */
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "no faults"));
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalogue_on_retry_storm),
        cmocka_unit_test(test_user_patches),
        cmocka_unit_test(test_bad_patches),
        cmocka_unit_test(test_cli_errors),
    };
    return cmocka_run_group_tests_name("fix", tests, setup, teardown);
}
