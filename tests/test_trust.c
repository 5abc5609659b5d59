/* test_trust.c -- verdicts and figures a user can trust, on the bundled
 * examples (issue 15, "Outputs that mislead").
 *
 * Each test pins one output that used to contradict its example or read
 * wrong: an oscillation called healthy, "at 0% load" on a 5000/s model, a
 * usual rate of "0/s", a success rate above 100%, attempts "7.6x" a cap of
 * 4 with no word of why, the sustaining loop listed among the loops its
 * cut "also" cuts. */
#include "testutil.h"
#include "testproc.h"

#include <jansson.h>
#include <math.h>

static int setup(void **state)
{
    (void)state;
    return proc_begin("trust");
}

static int teardown(void **state)
{
    (void)state;
    return proc_end();
}

static json_t *run_json(const char *args)
{
    run_result r = run("%s", args);
    if (r.status != 0)
        fail_msg("eddy %s: status %d\n%s", args, r.status, r.err);
    json_error_t je;
    json_t *j = json_loads(r.out, 0, &je);
    if (!j)
        fail_msg("eddy %s: not JSON: %s", args, je.text);
    run_free(&r);
    return j;
}

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    assert_non_null(s);
    return s;
}

/* Two autoscalers fighting over api's replicas: goodput holds, but the
 * control loop never settles.  That is a verdict (oscillating), with what
 * it costs against each controller alone, which settles (the example's
 * comment: hpa alone at ~21 replicas, depth alone at 14). */
static void test_fighting_autoscalers_oscillate(void **state)
{
    (void)state;
    json_t *j = run_json("diagnose -q --json --seeds 1 examples/fighting-autoscalers.yaml");
    assert_string_equal(jstr(j, "verdict"), "oscillating");
    json_t *oc = json_object_get(j, "oscillation_cost");
    assert_int_equal(json_array_size(oc), 3);
    json_t *as = json_array_get(oc, 0), *a = json_array_get(oc, 1), *b = json_array_get(oc, 2);
    assert_string_equal(jstr(as, "run"), "as written");
    assert_string_equal(jstr(as, "service"), "api");
    assert_true(json_integer_value(json_object_get(as, "reversals")) >= 4);
    /* each controller alone settles */
    assert_true(json_integer_value(json_object_get(a, "reversals")) <= 2);
    assert_true(json_integer_value(json_object_get(b, "reversals")) <= 2);
    /* replica-minutes: between depth alone's ~14 replicas and hpa alone's
     * ~21, over 30 minutes; hpa (on cpu) holds more than depth */
    double rm = json_real_value(json_object_get(as, "replica_minutes"));
    double ra = json_real_value(json_object_get(a, "replica_minutes"));
    double rb = json_real_value(json_object_get(b, "replica_minutes"));
    assert_true(rm > 10 * 30 && rm < 25 * 30);
    assert_true(ra > rb);
    assert_true(json_real_value(json_object_get(as, "p99")) > 0);
    EXPECT_HAS(jstr(j, "coupling"), "replica-minutes");
    json_decref(j);

    run_result r = run("diagnose -q --seeds 1 examples/fighting-autoscalers.yaml");
    EXPECT_STATUS(r, 0, "diagnose fighting-autoscalers");
    EXPECT_HAS(r.out, "verdict: oscillating");
    EXPECT_HAS(r.out, "what the oscillation costs");
    EXPECT_HAS(r.out, "hpa alone");
    run_free(&r);
}

/* "load" names what it measures: the offered rate and the busiest service
 * with its utilisation.  thundering-herd offers 5000/s to a database with
 * 2000 workers: its utilisation rounds to 0%, which is not "0% load". */
static void test_load_named(void **state)
{
    (void)state;
    json_t *j = run_json("diagnose -q --json --seeds 1 examples/thundering-herd.yaml");
    const char *c = jstr(j, "coupling");
    if (strstr(c, "0% load") || strstr(c, " 0% busy"))
        fail_msg("a 5000/s model described as idle: %s", c);
    EXPECT_HAS(c, "offered (db, the busiest service, ");
    assert_within_rel(json_real_value(json_object_get(j, "demand")), 5000, 0.01);
    json_decref(j);
    j = run_json("diagnose -q --json --seeds 1 examples/retry-storm.yaml");
    EXPECT_HAS(jstr(j, "coupling"), "at 401/s offered (db, the busiest service, 81% busy)");
    json_decref(j);
}

/* hourly-spikes: the api sees almost nothing between the hours.  Its usual
 * rate is a fraction of one per second, and must be printed as one, not
 * as "0/s" under a 573x spike. */
static void test_herd_usual_rate(void **state)
{
    (void)state;
    json_t *j = run_json("diagnose -q --json --seeds 1 examples/hourly-spikes.yaml");
    json_t *modes = json_object_get(j, "modes");
    const char *ev = NULL;
    for (size_t i = 0; i < json_array_size(modes); i++)
        if (!strcmp(jstr(json_array_get(modes, i), "mode"), "thundering_herd"))
            ev = jstr(json_array_get(modes, i), "evidence");
    assert_non_null(ev);
    if (strstr(ev, " 0/s"))
        fail_msg("a rate printed as 0/s: %s", ev);
    EXPECT_HAS(ev, "the median sample has none");
    json_decref(j);
}

/* The success column counts the requests that finished in a phase: it can
 * not exceed 100%, even while a backlog from the fault drains (the after
 * phase of admission-control read 100.4%). */
static void test_success_at_most_one(void **state)
{
    (void)state;
    static const char *const models[] = {"examples/admission-control.yaml", "examples/retry-storm.yaml",
                                         "examples/budget-vs-storm.yaml", "examples/deadlines.yaml"};
    for (size_t k = 0; k < sizeof models / sizeof models[0]; k++) {
        char args[256];
        snprintf(args, sizeof args, "run -q --json %s", models[k]);
        json_t *j = run_json(args);
        json_t *clients = json_object_get(j, "clients");
        const char *name;
        json_t *c;
        json_object_foreach(clients, name, c) {
            json_t *ph = json_object_get(c, "phases");
            assert_true(json_array_size(ph) >= 2);
            for (size_t i = 0; i < json_array_size(ph); i++) {
                json_t *s = json_object_get(json_array_get(ph, i), "success");
                if (json_is_number(s) && json_number_value(s) > 1.0)
                    fail_msg("%s: %s phase %zu success %.4f > 1", models[k], name, i, json_number_value(s));
            }
        }
        if (k == 0) { /* admission control recovers at once: nearly every request succeeds after */
            json_t *ph = json_object_get(json_object_get(clients, "shoppers"), "phases");
            double after = json_number_value(json_object_get(json_array_get(ph, json_array_size(ph) - 1), "success"));
            assert_true(after >= 0.99 && after <= 1.0);
        }
        json_decref(j);
    }
}

/* Attempts in an interval against the requests new in it can exceed the
 * attempts one request may make (retries of earlier requests land in it):
 * the evidence says so.  And the loops a cut "also" cuts are the others,
 * not the sustaining loop itself. */
static void test_storm_words(void **state)
{
    (void)state;
    run_result r = run("diagnose -q --seeds 1 examples/retry-storm.yaml");
    EXPECT_STATUS(r, 0, "diagnose retry-storm");
    EXPECT_HAS(r.out, "the attempts include retries of earlier requests, so this can exceed the 4 attempts");
    const char *sl = strstr(r.out, "sustaining loop: ");
    assert_non_null(sl);
    char id[16] = "";
    sscanf(sl, "sustaining loop: %15s", id);
    assert_true(id[0] == 'R');
    const char *also = strstr(r.out, "it also cuts");
    assert_non_null(also);
    const char *eol = strchr(also, '\n');
    char line[512];
    snprintf(line, sizeof line, "%.*s ", (int)(eol - also), also);
    char needle[20];
    snprintf(needle, sizeof needle, " %s ", id);
    if (strstr(line, needle))
        fail_msg("the sustaining loop %s listed among the loops its cut also cuts: %s", id, line);
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fighting_autoscalers_oscillate),
        cmocka_unit_test(test_load_named),
        cmocka_unit_test(test_herd_usual_rate),
        cmocka_unit_test(test_success_at_most_one),
        cmocka_unit_test(test_storm_words),
    };
    return cmocka_run_group_tests_name("trust", tests, setup, teardown);
}
