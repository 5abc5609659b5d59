/* test_diagnose.c -- `eddy diagnose`: verdicts by counterfactual, the
 * sustaining loop found by knockout, failure modes with evidence, the
 * timeline, and a diagnosis that does not depend on how many threads ran.
 *
 * Each verdict has a small model of its own (tests/data/diagnose/), built
 * so that the answer is known from queueing arithmetic, not from eddy. */
#include "testutil.h"

#include <math.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testproc.h"

#include "analysis/batch.h"
#include "analysis/diagnose.h"
#include "analysis/postmortem.h"
#include "analysis/variant.h"

#define DATA "tests/data/diagnose/"

static int diagnose(const char *path, unsigned seeds, diagnosis *d)
{
    diagnose_opts o = {.seeds = seeds, .seed = 1, .threads = 2};
    eddy_error err = {0};
    int rc = diagnose_run(path, &o, d, &err);
    if (rc < 0)
        print_error("%s:%d:%d: %s\n", err.file, err.line, err.col, err.msg);
    return rc;
}

static bool has_mode(const diagnosis *d, failure_mode f)
{
    for (size_t i = 0; i < d->nmodes; i++)
        if (d->modes[i].mode == f)
            return true;
    return false;
}

static bool loop_has_var(const diagnosis *d, int loop, const char *id)
{
    const cld_loop *l = &d->loops->loops[loop];
    for (size_t k = 0; k < l->len; k++)
        if (!strcmp(d->graph->vars[l->vars[k]].id, id))
            return true;
    return false;
}

/* The checkout retry storm: 400/s at 81% of db's capacity, 4 attempts with
 * no backoff, a 30 s db slowdown.  Once the slowdown ends db is as fast as
 * before, yet the retries keep the offered load above capacity. */
static void test_retry_storm_is_metastable(void **state)
{
    (void)state;
    diagnosis d;
    assert_int_equal(diagnose("examples/retry-storm.yaml", 3, &d), 0);
    assert_int_equal(d.verdict, VERDICT_METASTABLE);
    assert_true(d.after_ratio < 0.2);
    assert_true(isnan(d.recovery_time));
    assert_true(has_mode(&d, MODE_RETRY_STORM));
    /* the sustaining loop is a retry loop of shoppers, found by knockout */
    assert_true(d.sustaining_loop >= 0);
    assert_int_equal(d.cuts.v[d.sustaining_cut].kind, CUT_RETRIES);
    assert_int_equal(d.cuts.v[d.sustaining_cut].client, 0);
    assert_true(loop_has_var(&d, d.sustaining_loop, "shoppers→checkout.retries"));
    assert_int_equal(d.loops->loops[d.sustaining_loop].type, 'R');
    /* the knockout recovered on every seed */
    assert_int_equal(d.knockouts[d.sustaining_cut].recovered, 3);
    /* baseline goodput is the offered 400/s in every phase */
    assert_within_rel(d.baseline.after, 400, 0.03);
    assert_true(d.observed.after < 0.2 * d.baseline.after);
    /* the coupling statement names the interacting parts and the outcome */
    assert_non_null(strstr(d.coupling, "shoppers' retries (4 attempts, no backoff)"));
    assert_non_null(strstr(d.coupling, "1s timeout on shoppers->checkout"));
    assert_non_null(strstr(d.coupling, "db slow x10"));
    assert_non_null(strstr(d.coupling, "outlived"));
    /* timeline: the trigger first, then timeouts, then retries crossing 2x,
     * the trigger ending and the outcome, in time order */
    assert_true(d.ntimeline >= 5);
    assert_non_null(strstr(d.timeline[0].what, "trigger"));
    for (size_t i = 1; i < d.ntimeline; i++)
        assert_true(d.timeline[i].t >= d.timeline[i - 1].t);
    bool timeouts = false, retries = false, ends = false, first_retries = false;
    for (size_t i = 0; i < d.ntimeline; i++) {
        timeouts |= strstr(d.timeline[i].what, "first timeouts") && d.timeline[i].t >= 60;
        /* the first retries follow the first timeouts (each timeout is retried) */
        first_retries |= strstr(d.timeline[i].what, "first retries: ") && timeouts;
        retries |= strstr(d.timeline[i].what, "retries cross") != NULL;
        ends |= strstr(d.timeline[i].what, "trigger ends") && d.timeline[i].t == 90;
    }
    assert_true(timeouts && retries && ends && first_retries);
    assert_non_null(strstr(d.timeline[d.ntimeline - 1].what, "still degraded"));
    /* db, on the loop, is shown to be fault-free after the trigger */
    bool db = false;
    for (size_t i = 0; i < d.nevidence; i++) {
        db |= !strcmp(d.evidence[i].entity, "db") && strstr(d.evidence[i].text, "no fault on it");
        assert_string_equal(d.evidence[i].team, ""); /* the model has no teams: no owner */
    }
    assert_true(db);
    /* the postmortem: the coupling statement and why no single component is
     * at fault, within 120 words counted here independently, naming every
     * part of the loop with its evidence in brief */
    size_t words = 0;
    char buf[2100];
    snprintf(buf, sizeof buf, "%s %s", d.pm_coupling, d.pm_why);
    for (char *save = NULL, *w = strtok_r(buf, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
        words++;
    assert_int_equal(d.pm_words, words);
    assert_true(words > 40 && words <= PM_MAX_WORDS);
    assert_non_null(strstr(d.pm_coupling, "shoppers' retries (4 attempts, no backoff) interacting with"));
    assert_non_null(strstr(d.pm_why, "No single component is at fault"));
    assert_non_null(strstr(d.pm_why, "checkout (no fault; 100% busy"));
    assert_non_null(strstr(d.pm_why, "db (no fault;"));
    assert_non_null(strstr(d.pm_why, "shoppers (4.00 attempts per request, as configured)"));
    assert_non_null(strstr(d.pm_why, d.loops->loops[d.sustaining_loop].name));
    diagnosis_free(&d);
}

static void test_postmortem_words(void **state)
{
    (void)state;
    assert_int_equal(postmortem_words(""), 0);
    assert_int_equal(postmortem_words("   "), 0);
    assert_int_equal(postmortem_words("one"), 1);
    assert_int_equal(postmortem_words(" a  b\tc\nd. e "), 5);
}

/* The same model without retries: the slowdown hurts while it lasts, and
 * db drains its backlog within seconds once it ends. */
static void test_no_retries_is_component(void **state)
{
    (void)state;
    diagnosis d;
    assert_int_equal(diagnose(DATA "no-retries.yaml", 3, &d), 0);
    assert_int_equal(d.verdict, VERDICT_COMPONENT);
    assert_true(d.during_ratio < 0.9);
    assert_true(d.after_ratio > 0.95);
    assert_true(isfinite(d.recovery_time) && d.recovery_time < 30);
    assert_int_equal(d.sustaining_loop, -1);
    assert_false(has_mode(&d, MODE_RETRY_STORM));
    /* Cynefin: complicated; what it does: passes the trigger through */
    assert_string_equal(d.cynefin, "complicated");
    assert_non_null(strstr(d.cynefin_response, "analyse, then fix the box"));
    assert_non_null(strstr(d.purpose, " straight to its users (goodput "));
    assert_non_null(strstr(d.purpose, "and is back "));
    /* nothing emergent to write up: no postmortem */
    assert_int_equal(d.pm_words, 0);
    assert_string_equal(d.pm_why, "");
    diagnosis_free(&d);
}

/* A bad deploy: 100% errors for 30 s, no queueing involved; goodput is
 * zero while it lasts and back the next second. */
static void test_bad_deploy_is_component(void **state)
{
    (void)state;
    diagnosis d;
    assert_int_equal(diagnose(DATA "bad-deploy.yaml", 2, &d), 0);
    assert_int_equal(d.verdict, VERDICT_COMPONENT);
    assert_true(d.observed.during < 1);
    assert_within_rel(d.observed.after, d.baseline.after, 0.02);
    assert_true(d.recovery_time < 2);
    diagnosis_free(&d);
}

/* 700/s offered to 10 workers of 20 ms (500/s): the baseline cannot
 * serve more than 5/7 of demand. */
static void test_overload_is_collapsed(void **state)
{
    (void)state;
    diagnosis d;
    assert_int_equal(diagnose(DATA "overloaded.yaml", 2, &d), 0);
    assert_int_equal(d.verdict, VERDICT_COLLAPSED);
    assert_within_rel(d.baseline_success, 500.0 / 700.0, 0.03);
    assert_string_equal(d.bottleneck, "api");
    assert_true(d.load > 0.98);
    /* Cynefin: chaotic, act first; what it does: serves 5/7 of its demand */
    assert_string_equal(d.cynefin, "chaotic");
    assert_non_null(strstr(d.cynefin_response, "act first (shed load), then sense"));
    char want[96];
    snprintf(want, sizeof want, "it serves %.0f%% of what is asked of it, trigger or not", 100 * d.baseline_success);
    assert_non_null(strstr(d.purpose, want));
    diagnosis_free(&d);
}

/* 150/s to 10 workers of 20 ms is 30% load; 20% slower work is absorbed. */
static void test_small_blip_is_healthy(void **state)
{
    (void)state;
    diagnosis d;
    assert_int_equal(diagnose(DATA "small-blip.yaml", 2, &d), 0);
    assert_int_equal(d.verdict, VERDICT_HEALTHY);
    assert_within_rel(d.load, 0.3, 0.05);
    assert_true(d.during_ratio > 0.97);
    assert_string_equal(d.cynefin, "clear");
    assert_non_null(strstr(d.purpose, "it absorbs "));
    diagnosis_free(&d);
}

/* Two autoscalers with different goals on one service: no trigger at all,
 * yet the replica count never settles.  The mode is read off api.replicas. */
static void test_fighting_autoscalers_oscillate(void **state)
{
    (void)state;
    diagnosis d;
    assert_int_equal(diagnose("examples/fighting-autoscalers.yaml", 1, &d), 0);
    assert_true(has_mode(&d, MODE_OSCILLATION));
    assert_false(has_mode(&d, MODE_RETRY_STORM));
    assert_non_null(strstr(d.coupling, "autoscaler hpa"));
    assert_non_null(strstr(d.coupling, "autoscaler depth"));
    assert_non_null(strstr(d.coupling, "oscillation"));
    diagnosis_free(&d);
}

/* The cold cache with retries on top: both loops are reinforcing and both
 * run through the database, but only switching coalescing and
 * stale-while-revalidate on after the trigger recovers it; retries off
 * leaves every miss still going to an overloaded database. */
static void test_cold_cache_knockout_finds_the_cache_loop(void **state)
{
    (void)state;
    diagnosis d;
    assert_int_equal(diagnose(DATA "cold-cache-retries.yaml", 2, &d), 0);
    assert_int_equal(d.verdict, VERDICT_METASTABLE);
    assert_true(has_mode(&d, MODE_COLD_CACHE));
    assert_true(d.sustaining_loop >= 0);
    const cut *c = &d.cuts.v[d.sustaining_cut];
    assert_int_equal(c->kind, CUT_CACHE);
    assert_true(loop_has_var(&d, d.sustaining_loop, "sessions.misses"));
    assert_false(loop_has_var(&d, d.sustaining_loop, "app→db.retries"));
    /* the retry knockout was run and did not recover */
    bool retry_tried = false;
    for (size_t i = 0; i < d.cuts.n; i++)
        if (d.cuts.v[i].kind == CUT_RETRIES) {
            retry_tried = true;
            assert_int_equal(d.knockouts[i].recovered, 0);
        }
    assert_true(retry_tried);
    assert_non_null(strstr(d.coupling, "cache sessions"));
    assert_non_null(strstr(d.coupling, "cold cache"));
    diagnosis_free(&d);
}

/* 100 keys filled together with one 60 s TTL: the database's arrivals
 * spike at each boundary and are near zero between. */
static void test_thundering_herd_mode(void **state)
{
    (void)state;
    diagnosis d;
    assert_int_equal(diagnose("examples/thundering-herd.yaml", 1, &d), 0);
    assert_true(has_mode(&d, MODE_THUNDERING_HERD));
    assert_false(has_mode(&d, MODE_RETRY_STORM));
    diagnosis_free(&d);
}

/* Uncapped hedges at 65% load: after a 20 s slowdown, late answers keep
 * sending copies that keep search overloaded.  The sustaining loop is the
 * hedging loop, and switching hedging off recovers it. */
static void test_hedge_storm_knockout(void **state)
{
    (void)state;
    diagnosis d;
    assert_int_equal(diagnose(DATA "hedge-storm.yaml", 2, &d), 0);
    assert_int_equal(d.verdict, VERDICT_METASTABLE);
    assert_true(d.sustaining_loop >= 0);
    assert_int_equal(d.cuts.v[d.sustaining_cut].kind, CUT_HEDGES);
    assert_true(loop_has_var(&d, d.sustaining_loop, "users→search.hedges"));
    assert_int_equal(d.knockouts[d.sustaining_cut].recovered, 2);
    assert_non_null(strstr(d.coupling, "users' hedging"));
    diagnosis_free(&d);
}

/* The hold cycle of examples/contention-spiral.yaml: db slows with
 * concurrency (USL, peak N* = 70), a slower query holds its connection
 * longer, so more run at once.  The 10 s hiccup leaves db near the pool's
 * 200 concurrent queries, where it completes ~1,550/s of the 1,800/s
 * offered.  Its knockout, contention off at db from the end of the
 * trigger, must restore goodput on the seeds the outage held on, and
 * diagnose must name that loop and the coupling. */
static void test_hold_cycle_knockout(void **state)
{
    (void)state;
    diagnosis d;
    assert_int_equal(diagnose("examples/contention-spiral.yaml", 3, &d), 0);
    assert_int_equal(d.verdict, VERDICT_METASTABLE);
    assert_int_equal(d.recovered_seeds, 0); /* without the knockout: down on every seed */
    assert_true(d.after_ratio < 0.9);
    assert_true(d.sustaining_loop >= 0);
    const cut *c = &d.cuts.v[d.sustaining_cut];
    assert_int_equal(c->kind, CUT_CONTENTION);
    assert_int_equal(c->service, 1); /* db */
    assert_string_equal(c->label, "contention off at db");
    /* the same seeds, cut: all three recover, within a few seconds */
    const dg_knockout *k = &d.knockouts[d.sustaining_cut];
    assert_int_equal(k->recovered, 3);
    assert_true(k->after_ratio > 0.97);
    assert_true(k->recovery_time < 5);
    /* the loop: db.in_flight -> db.service_time -> db.held, reinforcing */
    const cld_loop *l = &d.loops->loops[d.sustaining_loop];
    assert_int_equal(l->type, 'R');
    assert_int_equal(l->len, 3);
    assert_true(loop_has_var(&d, d.sustaining_loop, "db.in_flight"));
    assert_true(loop_has_var(&d, d.sustaining_loop, "db.service_time"));
    assert_true(loop_has_var(&d, d.sustaining_loop, "db.held"));
    /* the coupling statement: contention, what lets it climb, the cut */
    assert_non_null(strstr(d.coupling, "db's contention (sigma 0.02, kappa 0.0002, peak at 70 in flight)"));
    assert_non_null(strstr(d.coupling, "interacting with the api->db pool (200 connections)"));
    assert_non_null(strstr(d.coupling, "a hold cycle"));
    assert_non_null(strstr(d.coupling, "switching db's contention off after the trigger restores it"));
    assert_non_null(strstr(d.purpose, "until the load drops"));
    diagnosis_free(&d);
}

/* Controls: a model whose contention loop is present but not what holds
 * it down is not blamed on it, and one whose loop cannot tip is not
 * metastable at all. */
static void test_hold_cycle_controls(void **state)
{
    (void)state;
    diagnosis d;
    /* a retry storm on a db with a little contention: retries sustain it */
    assert_int_equal(diagnose(DATA "storm-on-contended-db.yaml", 2, &d), 0);
    assert_int_equal(d.verdict, VERDICT_METASTABLE);
    assert_true(d.sustaining_loop >= 0);
    assert_int_equal(d.cuts.v[d.sustaining_cut].kind, CUT_RETRIES);
    size_t contention = 0;
    for (size_t i = 0; i < d.cuts.n; i++)
        if (d.cuts.v[i].kind == CUT_CONTENTION) {
            contention++;
            assert_false(d.knockouts[i].recovers); /* cut, the storm goes on */
        }
    assert_int_equal(contention, 1);
    assert_null(strstr(d.coupling, "contention"));
    diagnosis_free(&d);
    /* no contention at all: no contention cut */
    assert_int_equal(diagnose("examples/retry-storm.yaml", 1, &d), 0);
    for (size_t i = 0; i < d.cuts.n; i++)
        assert_int_not_equal(d.cuts.v[i].kind, CUT_CONTENTION);
    diagnosis_free(&d);
    /* a 50-connection pool keeps db below its peak: the loop is in the
     * diagram, the system recovers, nothing sustains anything */
    assert_int_equal(diagnose(DATA "hold-cycle-pool50.yaml", 2, &d), 0);
    assert_int_equal(d.verdict, VERDICT_COMPONENT);
    assert_int_equal(d.sustaining_loop, -1);
    assert_null(strstr(d.coupling, "hold cycle"));
    diagnosis_free(&d);
}

/* ---- the command ------------------------------------------------------------ */

static int setup(void **state)
{
    (void)state;
    return proc_begin("diagnose");
}

static int teardown(void **state)
{
    (void)state;
    return proc_end();
}

static void test_json_is_the_same_for_any_jobs(void **state)
{
    (void)state;
    run_result a = run("diagnose --json -j 1 examples/retry-storm.yaml");
    run_result b = run("diagnose --json -j 2 examples/retry-storm.yaml");
    assert_int_equal(a.status, 0);
    assert_int_equal(b.status, 0);
    assert_string_equal(a.out, b.out);
    assert_string_equal(a.err, ""); /* no progress bar when stderr is not a terminal */
    const char *keys[] = {"\"verdict\": \"metastable\"", "\"modes\"", "\"sustaining_loop\"", "\"links\"",
                          "\"coupling\"", "\"timeline\"", "\"baseline\"", "\"observed\"", "\"recovery_time\": null"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!strstr(a.out, keys[i]))
            fail_msg("no %s in the JSON", keys[i]);
    run_free(&a);
    run_free(&b);
}

static void test_cli_errors(void **state)
{
    (void)state;
    run_result r = run("diagnose --help");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "usage: eddy diagnose"));
    run_free(&r);
    r = run("diagnose --seeds 0 examples/retry-storm.yaml");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--seeds"));
    run_free(&r);
    r = run("diagnose --settle 30 examples/retry-storm.yaml");
    assert_int_equal(r.status, 2);
    run_free(&r);
    r = run("diagnose tests/data/diagnose/nope.yaml");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "nope.yaml"));
    run_free(&r);
    r = run("diagnose");
    assert_int_equal(r.status, 2);
    run_free(&r);
}

/* The busiest service of examples/contention-spiral.yaml is db, whose
 * workers are unlimited: its utilisation is the queries in it over its USL
 * peak N* = sqrt((1 - sigma) / kappa) = sqrt(0.98 / 0.0002) = 70, measured
 * here on the baseline run (the model without its fault, seed 1).  It was
 * skipped (no worker count to be busy against) and api named instead. */
static void test_contention_bottleneck_is_db(void **state)
{
    (void)state;
    diagnosis d;
    assert_int_equal(diagnose("examples/contention-spiral.yaml", 1, &d), 0);
    assert_string_equal(d.bottleneck, "db");
    assert_true(d.load_of_peak);
    eddy_error err;
    model *m = model_load("examples/contention-spiral.yaml", &err);
    assert_non_null(m);
    variant_drop_faults(m);
    eddy_options o = eddy_options_default();
    o.seed = m->seed;
    o.use_seed = true;
    eddy_result r;
    assert_int_equal(eddy_run(m, &o, &r, &err), 0);
    double busy = 0;
    size_t c = 0;
    while (c < r.series.ncols && strcmp(r.series.names[c], "db.busy"))
        c++;
    assert_true(c < r.series.ncols);
    for (size_t i = 0; i < r.series.nrows; i++)
        busy += r.series.values[i * r.series.ncols + c];
    busy /= (double)r.series.nrows;
    assert_within_rel(d.load, busy / sqrt(0.98 / 0.0002), 0.05);
    assert_true(d.load > 0.2 && d.load < 1); /* api, 1000 workers, is ~4% busy */
    assert_non_null(strstr(d.coupling, "(db, the busiest service, "));
    assert_non_null(strstr(d.coupling, "of its USL peak concurrency)"));
    eddy_result_free(&r);
    model_free(m);
    diagnosis_free(&d);
}

/* --fail-on, for CI: exit 1 exactly when the verdict is the one named
 * (any: every verdict but healthy), 0 otherwise, with the same diagnosis
 * printed either way. */
static void test_fail_on(void **state)
{
    (void)state;
    static const struct {
        const char *model, *verdict;
        int metastable, component, any;
    } cases[] = {
        {"examples/retry-storm.yaml", "metastable", 1, 0, 1},
        {"tests/data/diagnose/bad-deploy.yaml", "component", 0, 1, 1},
        {"tests/data/diagnose/small-blip.yaml", "healthy", 0, 0, 0},
    };
    static const char *const what[] = {"metastable", "component", "any"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int want[3] = {cases[i].metastable, cases[i].component, cases[i].any};
        run_result plain = run("diagnose --seeds 1 %s", cases[i].model);
        assert_int_equal(plain.status, 0);
        char line[64];
        snprintf(line, sizeof line, "verdict: %s", cases[i].verdict);
        if (!strstr(plain.out, line))
            fail_msg("%s: no \"%s\" in:\n%s", cases[i].model, line, plain.out);
        for (size_t k = 0; k < 3; k++) {
            run_result r = run("diagnose --seeds 1 --fail-on %s %s", what[k], cases[i].model);
            if (r.status != want[k])
                fail_msg("%s --fail-on %s: exit %d, want %d", cases[i].model, what[k], r.status, want[k]);
            assert_string_equal(r.out, plain.out);
            if (want[k] && !strstr(r.err, "(--fail-on "))
                fail_msg("%s --fail-on %s: stderr does not say why: %s", cases[i].model, what[k], r.err);
            run_free(&r);
        }
        run_free(&plain);
    }
    /* with --json the verdict is there for a script, and the status too */
    run_result r = run("diagnose --seeds 1 --json --fail-on metastable examples/retry-storm.yaml");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "\"verdict\": \"metastable\""));
    run_free(&r);
    r = run("diagnose --fail-on collapsed examples/retry-storm.yaml");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--fail-on expects metastable, component or any, got 'collapsed'"));
    run_free(&r);
}

/* batch_for runs every job once whatever the thread count, and replication
 * seeds are distinct with replication 0 the model's own. */
static void count_job(size_t i, void *ud) { ((int *)ud)[i]++; }

static void test_batch(void **state)
{
    (void)state;
    int hits[97] = {0};
    assert_int_equal(batch_for(97, 4, count_job, hits, NULL, NULL), 0);
    for (int i = 0; i < 97; i++)
        assert_int_equal(hits[i], 1);
    assert_true(batch_seed(7, 0) == 7);
    assert_true(batch_seed(7, 1) != batch_seed(7, 2));
    assert_true(batch_seed(7, 1) != batch_seed(8, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch),
        cmocka_unit_test(test_retry_storm_is_metastable),
        cmocka_unit_test(test_postmortem_words),
        cmocka_unit_test(test_no_retries_is_component),
        cmocka_unit_test(test_bad_deploy_is_component),
        cmocka_unit_test(test_overload_is_collapsed),
        cmocka_unit_test(test_small_blip_is_healthy),
        cmocka_unit_test(test_fighting_autoscalers_oscillate),
        cmocka_unit_test(test_cold_cache_knockout_finds_the_cache_loop),
        cmocka_unit_test(test_thundering_herd_mode),
        cmocka_unit_test(test_hedge_storm_knockout),
        cmocka_unit_test(test_json_is_the_same_for_any_jobs),
        cmocka_unit_test(test_cli_errors),
        cmocka_unit_test(test_fail_on),
        cmocka_unit_test(test_contention_bottleneck_is_db),
        cmocka_unit_test(test_hold_cycle_knockout),
        cmocka_unit_test(test_hold_cycle_controls),
    };
    return cmocka_run_group_tests_name("diagnose", tests, setup, teardown);
}
