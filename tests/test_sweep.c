/* test_sweep.c -- `eddy sweep`: goodput against offered load.
 *
 * Checked against theory: a database with Universal Scalability Law
 * contention (kappa > 0) and no limit on concurrency has a throughput
 * ceiling X(N*) at N* = sqrt((1 - sigma) / kappa); offered more than that,
 * concurrency climbs and throughput falls, so goodput must fall past its
 * peak.  A plain M/M/c queue (no contention, no retries, no timeouts) gives
 * goodput min(demand, c / S) and must show no collapse.  Also: the collapse
 * rule on synthetic curves, -j 1 and -j 2 giving byte-identical JSON, usage
 * errors (exit 2), --help, and the refusal to overwrite a user's file. */
#include "testutil.h"
#include "testproc.h"

#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <unistd.h>

#include "analysis/sweep.h"

/* USL: S = 100 ms, sigma = 0, kappa = 0.002: N* = sqrt(1 / 0.002) = 22.4,
 * X(N*) = N* / (S (1 + kappa N* (N* - 1))) = 114 per second. */
static const char usl_yaml[] = "name: usl\n"
                               "duration: 60s\n"
                               "seed: 7\n"
                               "clients:\n"
                               "  users: {rate: 100/s, call: db}\n"
                               "services:\n"
                               "  db:\n"
                               "    workers: unlimited\n"
                               "    service_time: {dist: exponential, mean: 100ms}\n"
                               "    contention: {sigma: 0, kappa: 0.002}\n";
#define USL_S 0.1
#define USL_KAPPA 0.002

/* M/M/4, S = 10 ms: capacity 400 per second. */
static const char mmc_yaml[] = "name: plain\n"
                               "duration: 60s\n"
                               "seed: 7\n"
                               "clients:\n"
                               "  users: {rate: 300/s, call: srv}\n"
                               "services:\n"
                               "  srv:\n"
                               "    workers: 4\n"
                               "    queue: unlimited\n"
                               "    service_time: {dist: exponential, mean: 10ms}\n";

static char usl_path[128], mmc_path[128];

static int setup(void **state)
{
    (void)state;
    if (proc_begin("sweep") < 0)
        return -1;
    tmp_path(usl_path, sizeof usl_path, "usl.yaml");
    tmp_path(mmc_path, sizeof mmc_path, "mmc.yaml");
    write_file(usl_path, usl_yaml);
    write_file(mmc_path, mmc_yaml);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return proc_end();
}

static void sweep_ok(const char *path, sweep_opts *o, sweep_result *r)
{
    eddy_error err;
    if (sweep_run(path, o, r, &err) != 0)
        fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
}

/* ---- theory ------------------------------------------------------------------ */

static void test_usl_collapses(void **state)
{
    (void)state;
    sweep_opts o = sweep_defaults();
    o.lo = 0.2;
    o.hi = 2.0;
    o.points = 10;
    o.warmup = 5;
    sweep_result r;
    sweep_ok(usl_path, &o, &r);
    double nstar = sqrt(1 / USL_KAPPA);
    double xmax = nstar / (USL_S * (1 + USL_KAPPA * nstar * (nstar - 1)));
    const sweep_point *pk = &r.points[r.peak];
    /* No point can beat the USL ceiling; below it goodput follows demand. */
    for (size_t i = 0; i < r.npoints; i++)
        if (r.points[i].goodput.mean > 1.03 * xmax)
            fail_msg("goodput %.1f/s at x%g is above the USL ceiling %.1f/s", r.points[i].goodput.mean,
                     r.points[i].load, xmax);
    assert_within_rel(r.points[1].goodput.mean, r.points[1].demand.mean, 0.03);
    /* The peak sits near the ceiling, not at the highest load. */
    assert_true(pk->goodput.mean > 0.6 * xmax);
    assert_true(r.peak < (int)r.npoints - 1);
    /* Collapse: past the peak, offered more than the ceiling, goodput falls
     * and keeps falling. */
    if (r.collapse < 0)
        fail_msg("no collapse found; peak %.1f/s at x%g, last %.1f/s", pk->goodput.mean, pk->load,
                 r.points[r.npoints - 1].goodput.mean);
    assert_true(r.collapse > r.peak);
    assert_true(r.points[r.collapse].demand.mean > 0.8 * xmax);
    for (size_t i = (size_t)r.collapse; i < r.npoints; i++)
        assert_true(r.points[i].goodput.mean < 0.95 * pk->goodput.mean);
    assert_true(r.points[r.npoints - 1].goodput.mean < 0.5 * pk->goodput.mean);
    sweep_free(&r);
}

static void test_mmc_does_not_collapse(void **state)
{
    (void)state;
    sweep_opts o = sweep_defaults();
    o.lo = 0.2;
    o.hi = 2.0;
    o.points = 10;
    sweep_result r;
    sweep_ok(mmc_path, &o, &r);
    assert_int_equal(r.collapse, -1);
    /* Goodput = min(demand, c / S) = min(demand, 400/s); no retries, so one
     * attempt per request; throughput equals goodput (nothing is wasted). */
    for (size_t i = 0; i < r.npoints; i++) {
        const sweep_point *p = &r.points[i];
        double want = p->demand.mean < 400 ? p->demand.mean : 400;
        assert_within_rel(p->goodput.mean, want, 0.03);
        assert_within_rel(p->amplification.mean, 1.0, 1e-9);
        assert_within_rel(p->throughput.mean, p->goodput.mean, 0.01);
    }
    assert_within_rel(r.points[r.peak].goodput.mean, 400, 0.03);
    sweep_free(&r);
}

/* ---- the collapse rule ---------------------------------------------------------- */

static void test_collapse_rule(void **state)
{
    (void)state;
    int peak, collapse;
    /* A plateau wobbling by 2% is not a collapse. */
    sweep_stat plateau[] = {{100, 1}, {200, 2}, {300, 3}, {400, 4}, {396, 4}, {404, 4}, {398, 4}, {401, 4}};
    sweep_find_collapse(plateau, 8, 3, 0.05, &peak, &collapse);
    assert_int_equal(peak, 5);
    assert_int_equal(collapse, -1);
    /* A fall that stays down: the collapse is where it starts. */
    sweep_stat fall[] = {{100, 1}, {200, 2}, {300, 3}, {290, 3}, {250, 3}, {200, 3}, {150, 3}};
    sweep_find_collapse(fall, 7, 3, 0.05, &peak, &collapse);
    assert_int_equal(peak, 2);
    assert_int_equal(collapse, 4);
    /* A dip that comes back within the drop is not yet the collapse. */
    sweep_stat dip[] = {{100, 1}, {300, 3}, {250, 3}, {295, 3}, {200, 3}, {150, 3}};
    sweep_find_collapse(dip, 6, 3, 0.05, &peak, &collapse);
    assert_int_equal(peak, 1);
    assert_int_equal(collapse, 4);
    /* A fall inside the noise between seeds is not a collapse. */
    sweep_stat noisy[] = {{100, 1}, {300, 60}, {270, 60}, {260, 60}};
    sweep_find_collapse(noisy, 4, 3, 0.05, &peak, &collapse);
    assert_int_equal(collapse, -1);
}

static void test_parse_range(void **state)
{
    (void)state;
    double lo, hi;
    char unit[32], why[256];
    bool integer;
    assert_int_equal(sweep_parse_range("0.1..2x", &lo, &hi, unit, sizeof unit, &integer, why, sizeof why), 0);
    assert_true(lo == 0.1 && hi == 2.0);
    assert_string_equal(unit, "x");
    assert_false(integer);
    assert_int_equal(sweep_parse_range("1s..60s", &lo, &hi, unit, sizeof unit, &integer, why, sizeof why), 0);
    assert_string_equal(unit, "s");
    assert_int_equal(sweep_parse_range("10..40", &lo, &hi, unit, sizeof unit, &integer, why, sizeof why), 0);
    assert_true(integer);
    assert_int_equal(sweep_parse_range("100/s..400/s", &lo, &hi, unit, sizeof unit, &integer, why, sizeof why), 0);
    assert_string_equal(unit, "/s");
    assert_int_equal(sweep_parse_range("2..1x", &lo, &hi, unit, sizeof unit, &integer, why, sizeof why), -1);
    EXPECT_HAS(why, "LO < HI");
    assert_int_equal(sweep_parse_range("500ms..2s", &lo, &hi, unit, sizeof unit, &integer, why, sizeof why), -1);
    EXPECT_HAS(why, "same unit");
    assert_int_equal(sweep_parse_range("1x", &lo, &hi, unit, sizeof unit, &integer, why, sizeof why), -1);
    assert_int_equal(sweep_parse_range("a..b", &lo, &hi, unit, sizeof unit, &integer, why, sizeof why), -1);
}

/* ---- the command ----------------------------------------------------------------- */

static void test_deterministic_across_jobs(void **state)
{
    (void)state;
    run_result a = run("sweep --json -j 1 --points 5 --seeds 3 --load 0.5..1.5x %s", usl_path);
    run_result b = run("sweep --json -j 2 --points 5 --seeds 3 --load 0.5..1.5x %s", usl_path);
    EXPECT_STATUS(a, 0, "sweep -j 1");
    EXPECT_STATUS(b, 0, "sweep -j 2");
    assert_string_equal(a.out, b.out);
    assert_string_equal(a.err, ""); /* not a terminal: no progress bar */
    json_error_t je;
    json_t *j = json_loads(a.out, 0, &je);
    assert_non_null(j);
    json_t *pts = json_object_get(j, "points");
    assert_int_equal(json_array_size(pts), 5);
    json_t *p0 = json_array_get(pts, 0);
    assert_non_null(json_object_get(json_object_get(p0, "goodput"), "mean"));
    assert_non_null(json_object_get(json_object_get(json_object_get(p0, "clients"), "users"), "amplification"));
    assert_non_null(json_object_get(json_object_get(p0, "services"), "db"));
    assert_non_null(json_object_get(j, "summary"));
    json_decref(j);
    run_free(&a);
    run_free(&b);
}

static void test_csv_and_overwrite(void **state)
{
    (void)state;
    char csv[160], mine[160];
    tmp_path(csv, sizeof csv, "curve.csv");
    tmp_path(mine, sizeof mine, "notes.csv");
    run_result r = run("sweep -q --points 3 --seeds 1 -o %s %s", csv, mmc_path);
    EXPECT_STATUS(r, 0, "sweep -o");
    EXPECT_HAS(r.out, "<- peak");
    run_free(&r);
    char *text = slurp(csv, NULL);
    assert_non_null(text);
    static const char head[] = "# eddy sweep, curve: steady state: the model has no faults\n"
                               "load,users.demand,users.goodput,users.goodput_sd,users.latency_p99,"
                               "users.amplification,srv.throughput,srv.throughput_sd\n0.1,";
    assert_memory_equal(text, head, strlen(head));
    size_t lines = 0;
    for (char *c = text; *c; c++)
        lines += *c == '\n';
    assert_int_equal(lines, 5);
    free(text);
    /* Its own CSV may be written again; a user's file may not. */
    r = run("sweep -q --points 3 --seeds 1 -o %s %s", csv, mmc_path);
    EXPECT_STATUS(r, 0, "sweep -o again");
    run_free(&r);
    write_file(mine, "my,own,notes\n");
    r = run("sweep -q --points 3 --seeds 1 -o %s %s", mine, mmc_path);
    EXPECT_STATUS(r, 2, "sweep -o over a user's file");
    EXPECT_HAS(r.err, "--force");
    run_free(&r);
    text = slurp(mine, NULL);
    assert_string_equal(text, "my,own,notes\n");
    free(text);
    r = run("sweep -q --points 3 --seeds 1 --force -o %s %s", mine, mmc_path);
    EXPECT_STATUS(r, 0, "sweep --force");
    run_free(&r);
}

/* A load curve is a steady-state property: the sweep drops the model's
 * faults unless --with-faults keeps them, and every output says which
 * curve it is.  On the retry storm, with the faults, the 30 s database
 * slowdown tips even light loads into the storm (goodput far below demand
 * at 1x); without them goodput follows demand up to about 1.2x and
 * collapses from 1.3x, where checkout's queue outgrows the 1 s timeout. */
static void test_faults_dropped_by_default(void **state)
{
    (void)state;
    char csv[160];
    tmp_path(csv, sizeof csv, "storm.csv");
    run_result r = run("sweep -q --json --seeds 2 --load 1.1..1.4x --points 4 -o %s examples/retry-storm.yaml", csv);
    EXPECT_STATUS(r, 0, "sweep, faults dropped");
    json_error_t je;
    json_t *j = json_loads(r.out, 0, &je);
    assert_non_null(j);
    assert_false(json_is_true(json_object_get(j, "faults")));
    assert_string_equal(json_string_value(json_object_get(j, "curve")), "steady_state");
    EXPECT_HAS(json_string_value(json_object_get(j, "curve_label")), "faults dropped");
    EXPECT_HAS(json_string_value(json_object_get(j, "summary")), "(steady state)");
    json_t *pts = json_object_get(j, "points");
    double g11 = json_real_value(json_object_get(json_object_get(json_array_get(pts, 0), "goodput"), "mean"));
    double d11 = json_real_value(json_object_get(json_object_get(json_array_get(pts, 0), "demand"), "mean"));
    assert_within_rel(g11, d11, 0.02); /* 1.1x: every request served */
    assert_within_rel(json_real_value(json_object_get(j, "peak_load")), 1.2, 1e-9);
    assert_within_rel(json_real_value(json_object_get(j, "collapse_load")), 1.3, 1e-9);
    json_decref(j);
    run_free(&r);
    char *text = slurp(csv, NULL);
    assert_non_null(text);
    EXPECT_HAS(text, "# eddy sweep, curve: steady state: the model's faults dropped");
    free(text);

    r = run("sweep -q --seeds 1 --load 1..1.1x --points 2 examples/retry-storm.yaml");
    EXPECT_STATUS(r, 0, "sweep text, faults dropped");
    EXPECT_HAS(r.out, "curve: steady state: the model's faults dropped (--with-faults keeps them)");
    run_free(&r);

    r = run("sweep -q --json --with-faults --seeds 1 --load 1..1.1x --points 2 examples/retry-storm.yaml");
    EXPECT_STATUS(r, 0, "sweep --with-faults");
    j = json_loads(r.out, 0, &je);
    assert_non_null(j);
    assert_true(json_is_true(json_object_get(j, "faults")));
    assert_string_equal(json_string_value(json_object_get(j, "curve")), "with_faults");
    EXPECT_HAS(json_string_value(json_object_get(j, "summary")), "(with the faults)");
    pts = json_object_get(j, "points");
    double g1 = json_real_value(json_object_get(json_object_get(json_array_get(pts, 0), "goodput"), "mean"));
    double d1 = json_real_value(json_object_get(json_object_get(json_array_get(pts, 0), "demand"), "mean"));
    assert_true(g1 < 0.5 * d1); /* the storm the faults start, which outlives them */
    json_decref(j);
    run_free(&r);
    r = run("sweep -q --with-faults --seeds 1 --load 1..1.1x --points 2 examples/retry-storm.yaml");
    EXPECT_HAS(r.out, "curve: with the model's faults (--with-faults)");
    run_free(&r);
}

static void test_help_and_usage_errors(void **state)
{
    (void)state;
    run_result r = run("sweep --help");
    EXPECT_STATUS(r, 0, "sweep --help");
    EXPECT_HAS(r.out, "usage: eddy sweep [options] MODEL.yaml");
    EXPECT_HAS(r.out, "--load");
    EXPECT_HAS(r.out, "-j, --jobs N");
    assert_string_equal(r.err, "");
    run_free(&r);

    static const struct {
        const char *args, *msg;
    } bad[] = {
        {"--load 2..1x", "LO < HI"},
        {"--load 0.5", "expected a range"},
        {"--load 0..2x", "greater than 0"},
        {"--load 1s..2s", "unit 's'"},
        {"--points 1", "--points expects a whole number from 2"},
        {"--seeds 0", "--seeds expects"},
        {"-j 0", "-j expects"},
        {"--warmup 10", "--warmup expects a duration"},
        {"--drop 2", "--drop expects"},
        {"--seed -1", "--seed expects"},
        {"--bogus", "unknown option '--bogus'"},
        {"--load", "needs a value"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = run("sweep %s %s", mmc_path, bad[i].args);
        EXPECT_STATUS(r, 2, bad[i].args);
        EXPECT_HAS(r.err, bad[i].msg);
        EXPECT_HAS(r.err, "eddy sweep --help");
        assert_string_equal(r.out, "");
        run_free(&r);
    }
    r = run("sweep");
    EXPECT_STATUS(r, 2, "sweep without a model");
    EXPECT_HAS(r.err, "missing MODEL.yaml");
    run_free(&r);
    r = run("sweep %s/nope.yaml", tmpdir);
    EXPECT_STATUS(r, 2, "sweep of a missing file");
    EXPECT_HAS(r.err, "nope.yaml");
    run_free(&r);
    r = run("sweep --warmup 2m %s", mmc_path);
    EXPECT_STATUS(r, 2, "a warmup longer than the run");
    EXPECT_HAS(r.err, "warmup");
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usl_collapses),
        cmocka_unit_test(test_mmc_does_not_collapse),
        cmocka_unit_test(test_collapse_rule),
        cmocka_unit_test(test_parse_range),
        cmocka_unit_test(test_deterministic_across_jobs),
        cmocka_unit_test(test_csv_and_overwrite),
        cmocka_unit_test(test_faults_dropped_by_default),
        cmocka_unit_test(test_help_and_usage_errors),
    };
    return cmocka_run_group_tests_name("sweep", tests, setup, teardown);
}
