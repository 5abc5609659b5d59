/* test_basin.c -- `eddy basin`: where a model tips into a metastable failure.
 *
 * The model is one server (S = 10 ms, capacity 100/s) under 60 requests/s
 * whose clients time out after 1 s and retry twice.  It is bistable: once
 * the queue holds more than a timeout's worth of work, everything served
 * has been abandoned and the retries (up to 3 x 60 = 180/s) keep it full.
 * A slowdown x2 (capacity 50/s) builds the queue at >= 10/s, so a long
 * enough one tips it.  Checked: the critical duration found by bisection
 * agrees with a brute-force grid at a coarse resolution; P(metastable)
 * along that grid changes once; without retries there is no feedback, the
 * queue drains (capacity 100/s > 60/s) and nothing tips; -j 1 and -j 2
 * give byte-identical JSON; axis parsing; edit and usage errors. */
#include "testutil.h"
#include "testproc.h"

#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <unistd.h>

#include "analysis/basin.h"

#define SINGLE(attempts)                                                                                              \
    "name: single server with retries\n"                                                                             \
    "duration: 120s\n"                                                                                               \
    "seed: 3\n"                                                                                                      \
    "clients:\n"                                                                                                     \
    "  users:\n"                                                                                                     \
    "    rate: 60/s\n"                                                                                               \
    "    call: srv\n"                                                                                                \
    "    timeout: 1s\n"                                                                                              \
    "    retry: {attempts: " attempts ", backoff: none, on: [timeout, error, reject]}\n"                             \
    "services:\n"                                                                                                    \
    "  srv:\n"                                                                                                       \
    "    workers: 1\n"                                                                                               \
    "    queue: 1000\n"                                                                                              \
    "    service_time: {dist: exponential, mean: 10ms}\n"                                                            \
    "faults:\n"                                                                                                      \
    "  - {at: 20s, for: 10s, target: srv, slow: 2}\n"

static char retry_path[128], noretry_path[128], nofault_path[128];

static int setup(void **state)
{
    (void)state;
    if (proc_begin("basin") < 0)
        return -1;
    tmp_path(retry_path, sizeof retry_path, "retry.yaml");
    tmp_path(noretry_path, sizeof noretry_path, "noretry.yaml");
    tmp_path(nofault_path, sizeof nofault_path, "nofault.yaml");
    write_file(retry_path, SINGLE("3"));
    write_file(noretry_path, SINGLE("1"));
    write_file(nofault_path, "name: calm\nduration: 30s\nclients:\n  c: {rate: 10/s, call: s}\n"
                             "services:\n  s: {workers: 1, service_time: 10ms}\n");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return proc_end();
}

static basin_opts opts_for(const char *x, const char *y, int rows)
{
    basin_opts o = basin_defaults();
    char why[256];
    if (basin_parse_axis(x, &o.x, why, sizeof why) < 0)
        fail_msg("%s: %s", x, why);
    if (basin_parse_axis(y, &o.y, why, sizeof why) < 0)
        fail_msg("%s: %s", y, why);
    o.x_set = o.y_set = true;
    o.rows = rows;
    return o;
}

static void basin_ok(const char *path, const basin_opts *o, basin_result *r)
{
    eddy_error err;
    if (basin_run(path, o, r, &err) != 0)
        fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
}

/* ---- theory --------------------------------------------------------------------- */

static void test_bisection_agrees_with_grid(void **state)
{
    (void)state;
    /* One row at the model's load; x from 1 s to 50 s. */
    basin_opts o = opts_for("faults.0.for=1s..50s", "load=1..1.2x", 1);
    basin_result bis, grid;
    basin_ok(retry_path, &o, &bis);
    o.grid = 8; /* a step of 7 s */
    basin_ok(retry_path, &o, &grid);
    double step = 7;

    const basin_row *b = &bis.rows[0], *g = &grid.rows[0];
    assert_int_equal(b->status, BASIN_CROSSES);
    assert_int_equal(g->status, BASIN_CROSSES);
    assert_true(b->rising && g->rising); /* longer slowdowns tip it */
    /* The grid brackets the crossing within one step; bisection's critical
     * duration must fall inside that bracket (allowing one more step for
     * the noise of 5 seeds near the boundary). */
    assert_true(g->tips - g->safe <= step + 1e-9);
    if (!(b->critical >= g->safe - step && b->critical <= g->tips + step))
        fail_msg("bisection's critical %.3gs is outside the grid's bracket %.3gs..%.3gs (+- %gs)", b->critical,
                 g->safe, g->tips, step);
    /* Bisection ends with a bracket 1/128 of the range, in ratio (the x
     * range spans 50x, so it is split geometrically). */
    assert_true(b->tips / b->safe <= pow(50.0, 1.0 / 64));
    assert_true(b->safe < b->critical && b->critical < b->tips);
    /* The grid changes outcome once: below the crossing P < 1/2, above it
     * P >= 1/2 (what bisection assumes). */
    for (size_t i = 0; i < grid.npoints; i++) {
        const basin_point *p = &grid.points[i];
        if (p->x <= g->safe)
            assert_true(p->p < 0.5);
        else
            assert_true(p->p >= 0.5);
    }
    assert_int_equal(grid.npoints, 8);
    /* A storm: the runs that did not recover retry hard. */
    assert_string_equal(bis.outcome, "a retry storm");
    char line[512];
    basin_summary(&bis, line, sizeof line);
    EXPECT_HAS(line, "at 1x load a srv slow x2 for longer than ");
    EXPECT_HAS(line, "tips the system into a retry storm");
    basin_free(&bis);
    basin_free(&grid);
}

static void test_without_retries_nothing_tips(void **state)
{
    (void)state;
    /* Without retries the load stays 60/s; after the slowdown the server
     * (100/s) drains its queue, however long the slowdown was. */
    basin_opts o = opts_for("faults.0.for=1s..50s", "load=0.8..1x", 2);
    basin_result r;
    basin_ok(noretry_path, &o, &r);
    for (size_t j = 0; j < r.nrows; j++)
        assert_int_equal(r.rows[j].status, BASIN_NEVER);
    for (size_t i = 0; i < r.npoints; i++)
        assert_true(r.points[i].p == 0);
    assert_int_equal(r.npoints, 4); /* only the ends: nothing to bisect */
    char line[512];
    basin_summary(&r, line, sizeof line);
    EXPECT_HAS(line, "does not tip the system");
    basin_free(&r);
}

static void test_integer_axis_and_falling(void **state)
{
    (void)state;
    /* More workers make the server faster to drain: P falls with workers.
     * Only whole numbers of workers are tried. */
    basin_opts o = opts_for("services.srv.workers=1..4", "load=1..1.2x", 1);
    o.seeds = 3;
    basin_result r;
    basin_ok(retry_path, &o, &r);
    assert_int_equal(r.rows[0].status, BASIN_CROSSES);
    assert_false(r.rows[0].rising);
    for (size_t i = 0; i < r.npoints; i++)
        assert_true(r.points[i].x == floor(r.points[i].x));
    assert_true(r.rows[0].tips < r.rows[0].safe);
    assert_true(r.rows[0].safe - r.rows[0].tips == 1);
    basin_free(&r);
}

static void test_parse_axis(void **state)
{
    (void)state;
    basin_axis a;
    char why[256];
    assert_int_equal(basin_parse_axis("services.db.workers=10..40", &a, why, sizeof why), 0);
    assert_string_equal(a.path, "services.db.workers");
    assert_true(a.integer && !a.load && a.lo == 10 && a.hi == 40);
    assert_int_equal(basin_parse_axis("faults.0.for=1s..60s", &a, why, sizeof why), 0);
    assert_string_equal(a.unit, "s");
    assert_false(a.integer);
    assert_int_equal(basin_parse_axis("load=0.2..1x", &a, why, sizeof why), 0);
    assert_true(a.load);
    assert_int_equal(basin_parse_axis("load=0.2..1", &a, why, sizeof why), 0);
    assert_string_equal(a.unit, "x");
    assert_int_equal(basin_parse_axis("faults.0.slow", &a, why, sizeof why), -1);
    EXPECT_HAS(why, "PATH=LO..HI");
    assert_int_equal(basin_parse_axis("load=1s..2s", &a, why, sizeof why), -1);
    assert_int_equal(basin_parse_axis("=1..2", &a, why, sizeof why), -1);
    char v[64];
    assert_int_equal(basin_parse_axis("faults.0.for=1s..60s", &a, why, sizeof why), 0);
    basin_format_value(&a, 7.5, v, sizeof v);
    assert_string_equal(v, "7.5s");
}

/* ---- the command ------------------------------------------------------------------ */

static void test_deterministic_across_jobs(void **state)
{
    (void)state;
    const char *args = "basin --json --x faults.0.for=1s..40s --y load=0.8..1x --rows 2 --iterations 3 --seeds 3";
    run_result a = run("%s -j 1 %s", args, retry_path);
    run_result b = run("%s -j 2 %s", args, retry_path);
    EXPECT_STATUS(a, 0, "basin -j 1");
    EXPECT_STATUS(b, 0, "basin -j 2");
    assert_string_equal(a.out, b.out);
    assert_string_equal(a.err, "");
    json_error_t je;
    json_t *j = json_loads(a.out, 0, &je);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "x"), "path")), "faults.0.for");
    json_t *rows = json_object_get(j, "rows"), *pts = json_object_get(j, "points");
    assert_int_equal(json_array_size(rows), 2);
    assert_true(json_array_size(pts) >= 4);
    json_t *p = json_array_get(pts, 0);
    assert_non_null(json_object_get(p, "x"));
    assert_non_null(json_object_get(p, "y"));
    assert_non_null(json_object_get(p, "p"));
    assert_int_equal(json_integer_value(json_object_get(p, "n")), 3);
    json_t *r1 = json_array_get(rows, 1);
    assert_non_null(json_object_get(r1, "critical"));
    assert_non_null(json_object_get(r1, "status"));
    EXPECT_HAS(json_string_value(json_object_get(j, "summary")), "at 1x load");
    json_decref(j);
    run_free(&a);
    run_free(&b);
}

static void test_csv_and_text(void **state)
{
    (void)state;
    char csv[160];
    tmp_path(csv, sizeof csv, "basin.csv");
    run_result r = run("basin -q --x faults.0.for=1s..40s --y load=0.9..1x --rows 2 --grid 3 --seeds 2 -o %s %s", csv,
                       retry_path);
    EXPECT_STATUS(r, 0, "basin -o");
    EXPECT_HAS(r.out, "trigger: srv slow x2");
    EXPECT_HAS(r.out, "P over x");
    run_free(&r);
    char *text = slurp(csv, NULL);
    assert_non_null(text);
    const char *head = "load,faults.0.for,basin.p_metastable,basin.runs,basin.metastable,basin.critical\n";
    assert_memory_equal(text, head, strlen(head));
    size_t lines = 0;
    for (char *c = text; *c; c++)
        lines += *c == '\n';
    assert_int_equal(lines, 1 + 2 * 3);
    free(text);
    /* eddy's own basin CSV may be overwritten. */
    r = run("basin -q --x faults.0.for=1s..40s --y load=0.9..1x --rows 2 --grid 3 --seeds 1 -o %s %s", csv,
            retry_path);
    EXPECT_STATUS(r, 0, "basin -o again");
    run_free(&r);
}

static void test_help_and_errors(void **state)
{
    (void)state;
    run_result r = run("basin --help");
    EXPECT_STATUS(r, 0, "basin --help");
    EXPECT_HAS(r.out, "usage: eddy basin [options] MODEL.yaml");
    EXPECT_HAS(r.out, "--x PATH=LO..HI");
    assert_string_equal(r.err, "");
    run_free(&r);

    static const struct {
        const char *args, *msg;
    } bad[] = {
        {"--x faults.0.for", "PATH=LO..HI"},
        {"--x faults.0.for=50s..1s", "LO < HI"},
        {"--x faults.0.for=500ms..2s", "same unit"},
        {"--y load=0..1x", "greater than 0"},
        {"--grid 1", "--grid expects"},
        {"--rows 0", "--rows expects"},
        {"--seeds x", "--seeds expects"},
        {"--x load=0.5..1x --y load=0.2..1x", "the same value"},
        {"--frobnicate", "unknown option"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = run("basin %s %s", retry_path, bad[i].args);
        EXPECT_STATUS(r, 2, bad[i].args);
        EXPECT_HAS(r.err, bad[i].msg);
        assert_string_equal(r.out, "");
        run_free(&r);
    }
    /* An edit the model rejects names the option it came from. */
    r = run("basin --x services.nope.workers=1..3 --rows 1 %s", retry_path);
    EXPECT_STATUS(r, 2, "an edit of a service that does not exist");
    EXPECT_HAS(r.err, "--x services.nope.workers");
    run_free(&r);
    r = run("basin --x faults.0.slow=abc..def --rows 1 %s", retry_path);
    EXPECT_STATUS(r, 2, "a range that is not numbers");
    run_free(&r);
    /* No fault, no trigger, no basin. */
    r = run("basin %s", nofault_path);
    EXPECT_STATUS(r, 2, "a model without faults");
    EXPECT_HAS(r.err, "no faults");
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bisection_agrees_with_grid),
        cmocka_unit_test(test_without_retries_nothing_tips),
        cmocka_unit_test(test_integer_axis_and_falling),
        cmocka_unit_test(test_parse_axis),
        cmocka_unit_test(test_deterministic_across_jobs),
        cmocka_unit_test(test_csv_and_text),
        cmocka_unit_test(test_help_and_errors),
    };
    return cmocka_run_group_tests_name("basin", tests, setup, teardown);
}
