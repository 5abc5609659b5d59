/* test_trust.c -- verdicts and figures a user can trust, on the bundled
 * examples (issue 15, "Outputs that mislead").
 *
 * Each test pins one output that used to contradict its example or read
 * wrong: an oscillation called healthy, "at 0% load" on a 5000/s model, a
 * usual rate of "0/s", a success rate above 100%, attempts "7.6x" a cap of
 * 4 with no word of why, the sustaining loop listed among the loops its
 * cut "also" cuts, "recovered: NO" under an after phase that serves its
 * demand (a stale-serving cache). */
#include "testutil.h"
#include "testproc.h"

#include <jansson.h>
#include <math.h>

#include "analysis/burst.h"
#include "analysis/variant.h"
#include "model/model.h"

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

/* The intervention named `name` in a fix report, or NULL. */
static json_t *intervention(json_t *fix, const char *name)
{
    json_t *iv = json_object_get(fix, "interventions");
    for (size_t i = 0; i < json_array_size(iv); i++)
        if (!strcmp(jstr(json_array_get(iv, i), "name"), name))
            return json_array_get(iv, i);
    return NULL;
}

/* Every cut `eddy diagnose` makes is measured by `eddy fix`: on cold-cache,
 * diagnose credits coalescing with stale-while-revalidate, and fix used to
 * leave it out.  Each knockout of diagnose (but the load drop, which is
 * not a loop's arrow, and contention off, a what-if no operator has) must
 * have its break-glass intervention in fix. */
static void test_fix_covers_every_cut(void **state)
{
    (void)state;
    static const char *const models[] = {"examples/cold-cache.yaml", "tests/data/diagnose/hedge-storm.yaml"};
    for (size_t k = 0; k < sizeof models / sizeof models[0]; k++) {
        char args[256];
        snprintf(args, sizeof args, "diagnose -q --json --seeds 1 %s", models[k]);
        json_t *dg = run_json(args);
        snprintf(args, sizeof args, "fix -q --json --seeds 2 %s", models[k]);
        json_t *fx = run_json(args);
        json_t *ko = json_object_get(dg, "knockouts");
        size_t cuts = 0;
        for (size_t i = 0; i < json_array_size(ko); i++) {
            const char *label = jstr(json_array_get(ko, i), "cut");
            if (!strncmp(label, "load drop", 9) || !strncmp(label, "contention off", 14))
                continue;
            cuts++;
            char name[256];
            snprintf(name, sizeof name, "break-glass: %s", label);
            if (!intervention(fx, name))
                fail_msg("%s: diagnose cuts '%s', fix does not measure it", models[k], label);
        }
        assert_true(cuts >= 1);
        if (k == 0) { /* and on cold-cache it recovers, as diagnose says */
            json_t *iv = intervention(fx, "break-glass: coalescing and stale-while-revalidate on at sessions");
            assert_non_null(iv);
            assert_true(json_is_true(json_object_get(iv, "recovered")));
        } else { /* no timeout ever fires in the hedge storm: a no-op, left out and named */
            EXPECT_HAS(jstr(fx, "left_out"), "'timeouts x2'");
            assert_null(intervention(fx, "timeouts x2"));
        }
        json_decref(dg);
        json_decref(fx);
    }
}

/* No-ops are left out and named: a model with no retries gets no "retries
 * off", and an intervention whose every run is the model as written's is
 * listed under left_out instead of as a row.  A real change that does not
 * rescue (fewer retries in the storm) is a row, not a no-op. */
static void test_fix_leaves_out_noops(void **state)
{
    (void)state;
    json_t *fx = run_json("fix -q --json --seeds 2 tests/data/diagnose/no-retries.yaml");
    json_t *iv = json_object_get(fx, "interventions");
    assert_true(json_array_size(iv) >= 3);
    for (size_t i = 0; i < json_array_size(iv); i++) {
        const char *n = jstr(json_array_get(iv, i), "name");
        if (strstr(n, "retr") || strstr(n, "backoff"))
            fail_msg("a model with no retries got '%s'", n);
    }
    json_decref(fx);
}

/* Doubling capacity is not free: the capacity column counts the workers
 * provisioned in steady state (workers x replicas). */
static void test_fix_capacity(void **state)
{
    (void)state;
    json_t *fx = run_json("fix -q --json --seeds 2 examples/retry-storm.yaml");
    double base = json_real_value(json_object_get(json_object_get(json_object_get(fx, "as_written"), "steady_workers"), "mean"));
    assert_within_rel(base, 60, 1e-9); /* checkout 40 + db 20 */
    json_t *w = intervention(fx, "workers x2");
    assert_non_null(w);
    assert_within_rel(json_real_value(json_object_get(json_object_get(w, "steady_workers"), "mean")), 120, 1e-9);
    json_t *t = intervention(fx, "timeouts x2");
    assert_within_rel(json_real_value(json_object_get(json_object_get(t, "steady_workers"), "mean")), 60, 1e-9);
    /* a real change that does not rescue is a row, not a no-op */
    assert_non_null(intervention(fx, "fewer retries (2 attempts)"));
    assert_string_equal(jstr(fx, "left_out"), "");
    json_decref(fx);
    run_result r = run("fix -q --seeds 2 examples/retry-storm.yaml");
    EXPECT_HAS(r.out, "capacity");
    EXPECT_HAS(r.out, "+60 workers (+100%)");
    run_free(&r);
}

/* A load burst written as rate steps: found from the schedule alone (base
 * rate = the rate at 0 s; a burst = steps above 1.5x it), flattened in the
 * baseline; a ramp down or a small step is no burst. */
static const char burst_yaml[] = "name: b\nduration: 3m\nseed: 1\n"
                                 "clients:\n"
                                 "  web: {rate: 200/s, call: s}\n"
                                 "  batch:\n"
                                 "    rate: [{at: 0s, rate: 100/s}, {at: 60s, rate: 2000/s}, {at: 90s, rate: 1500/s},\n"
                                 "           {at: 120s, rate: 100/s}, {at: 150s, rate: 120/s}]\n"
                                 "    call: s\n"
                                 "  down: {rate: [{at: 0s, rate: 8/s}, {at: 10s, rate: 0.2/s}], call: s}\n"
                                 "services:\n  s: {workers: 100, service_time: 1ms}\n";

static void test_burst_found_and_flattened(void **state)
{
    (void)state;
    char path[160];
    tmp_path(path, sizeof path, "burst.yaml");
    write_file(path, burst_yaml);
    eddy_error err;
    model *m = model_load(path, &err);
    assert_non_null(m);
    burst b[4];
    assert_int_equal(burst_find(m, b, 4), 1);
    assert_int_equal(b[0].client, 1);
    assert_true(b[0].at == 60 * T_SEC && b[0].dur == 60 * T_SEC);
    assert_within_rel(b[0].base, 100, 1e-12);
    assert_within_rel(b[0].rate, 2000, 1e-12);
    assert_true(variant_has_trigger(m));
    assert_true(variant_fault_start(m) == 60 * T_SEC && variant_fault_end(m) == 120 * T_SEC);
    variant_drop_faults(m);
    assert_false(burst_any(m));
    assert_within_rel(m->clients[1].steps[1].rate, 100, 1e-12);
    assert_within_rel(m->clients[1].steps[4].rate, 120, 1e-12); /* 1.2x: not a burst, kept */
    assert_within_rel(m->clients[2].steps[1].rate, 0.2, 1e-12);
    model_free(m);
}

/* examples/noisy-neighbour.yaml: a batch burst on a shared search service
 * with per-caller bulkheads.  Its comment says the bulkheads keep web
 * served; diagnose used to say "collapsed ... search at 50% utilisation"
 * (the burst counted as steady load) and "failure modes: none seen".  Now
 * the burst is the trigger: healthy, the bulkheads credited.  Without the
 * bulkheads web starves while the burst lasts: component. */
static void test_noisy_neighbour_burst(void **state)
{
    (void)state;
    json_t *j = run_json("diagnose -q --json --seeds 2 examples/noisy-neighbour.yaml");
    assert_string_equal(jstr(j, "verdict"), "healthy");
    const char *c = jstr(j, "coupling");
    EXPECT_HAS(c, "batch bursts to 2000/s (20x its 100/s) for 1m");
    EXPECT_HAS(c, "web kept 100% of its baseline goodput");
    EXPECT_HAS(c, "search's per-caller bulkheads held the burst to its own partition");
    assert_within_rel(json_real_value(json_object_get(json_object_get(j, "trigger"), "start")), 60, 1e-9);
    json_decref(j);

    char *text = slurp("examples/noisy-neighbour.yaml", NULL);
    assert_non_null(text);
    char *bh = strstr(text, "    bulkheads:");
    assert_non_null(bh);
    *bh = 0;
    char path[160];
    tmp_path(path, sizeof path, "nn-no-bulkheads.yaml");
    write_file(path, text);
    free(text);
    char args[256];
    snprintf(args, sizeof args, "diagnose -q --json --seeds 2 %s", path);
    j = run_json(args);
    assert_string_equal(jstr(j, "verdict"), "component");
    assert_true(json_real_value(json_object_get(j, "goodput_during_vs_baseline")) < 0.5);
    EXPECT_HAS(jstr(j, "coupling"), "the burst took capacity the other clients share");
    json_decref(j);

    /* eddy run: the burst is a phase; the sweep's steady state runs batch at its base rate */
    run_result r = run("run -q examples/noisy-neighbour.yaml");
    EXPECT_HAS(r.out, "during batch at 2000/s");
    run_free(&r);
    j = run_json("sweep -q --json --seeds 1 --load 1..2x --points 2 examples/noisy-neighbour.yaml");
    json_t *p0 = json_array_get(json_object_get(j, "points"), 0);
    double batch = json_real_value(json_object_get(json_object_get(json_object_get(json_object_get(p0, "clients"), "batch"), "demand"), "mean"));
    assert_within_rel(batch, 100, 0.05);
    EXPECT_HAS(jstr(j, "curve_label"), "load bursts dropped");
    json_decref(j);
    /* basin varies a fault window: it says why it cannot map a burst */
    r = run("basin -q examples/noisy-neighbour.yaml");
    EXPECT_STATUS(r, 2, "basin on a burst");
    EXPECT_HAS(r.err, "only trigger is a load burst");
    run_free(&r);
}

/* "recovered" agrees with the phase table above it: a client whose after
 * phase serves its demand as before (success >= 95%, goodput >= 90% of the
 * before phase's) has recovered.  Pinned on a stale-serving cache, where
 * `eddy run` once printed "recovered: NO ... 0.0% of demand is served"
 * under an after phase at ~97% goodput, and on every bundled example. */
static void check_recovered_agrees(const char *path)
{
    char args[512];
    snprintf(args, sizeof args, "run -q --json %s", path);
    json_t *j = run_json(args);
    const char *name;
    json_t *c;
    json_object_foreach(json_object_get(j, "clients"), name, c)
    {
        json_t *ph = json_object_get(c, "phases");
        size_t n = json_array_size(ph);
        if (n < 2)
            continue;
        json_t *first = json_array_get(ph, 0), *last = json_array_get(ph, n - 1);
        if (strcmp(json_string_value(json_object_get(first, "phase")), "before") ||
            strcmp(json_string_value(json_object_get(last, "phase")), "after"))
            continue;
        double before = json_real_value(json_object_get(first, "goodput"));
        double after = json_real_value(json_object_get(last, "goodput"));
        double succ = json_real_value(json_object_get(last, "success"));
        if (succ >= 0.95 && after >= 0.9 * before && !json_is_true(json_object_get(c, "recovered")))
            fail_msg("%s: client %s serves %.1f/s after the fault (%.1f/s before, success %.1f%%) but is not "
                     "recovered",
                     path, name, after, before, succ * 100);
    }
    json_decref(j);
}

static void test_recovered_agrees_with_phases(void **state)
{
    (void)state;
    run_result r = run("run -q tests/data/model/stale-cache.yaml");
    EXPECT_STATUS(r, 0, "eddy run stale-cache.yaml");
    EXPECT_HAS(r.out, "recovered: yes");
    if (strstr(r.out, "0.0% of demand"))
        fail_msg("a stale-serving cache said 0.0%% served:\n%s", r.out);
    run_free(&r);
    check_recovered_agrees("tests/data/model/stale-cache.yaml");
    static const char *const examples[] = {
        "admission-control", "breaker",       "budget-vs-storm", "bulkhead",      "cold-cache",
        "contention-spiral", "control-plane", "deadlines",       "local-optima",  "noisy-neighbour",
        "retry-storm",       "timeout-cut",
    };
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++) {
        char p[128];
        snprintf(p, sizeof p, "examples/%s.yaml", examples[i]);
        check_recovered_agrees(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fighting_autoscalers_oscillate),
        cmocka_unit_test(test_load_named),
        cmocka_unit_test(test_herd_usual_rate),
        cmocka_unit_test(test_success_at_most_one),
        cmocka_unit_test(test_storm_words),
        cmocka_unit_test(test_fix_covers_every_cut),
        cmocka_unit_test(test_fix_leaves_out_noops),
        cmocka_unit_test(test_fix_capacity),
        cmocka_unit_test(test_burst_found_and_flattened),
        cmocka_unit_test(test_noisy_neighbour_burst),
        cmocka_unit_test(test_recovered_agrees_with_phases),
    };
    return cmocka_run_group_tests_name("trust", tests, setup, teardown);
}
