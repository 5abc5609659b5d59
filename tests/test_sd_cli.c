/* test_sd_cli.c -- the commands on stock-and-flow models, run as a user
 * runs them: eddy run's overrides and plots, eddy sweep and eddy basin over
 * a constant, eddy report's page; their numbers checked against direct
 * runs of the same model, their errors against the exit-status policy. */
#include "testutil.h"
#include "testproc.h"

#include <math.h>

static int setup(void **state)
{
    (void)state;
    return proc_begin("sdcli");
}

static int teardown(void **state)
{
    (void)state;
    return proc_end();
}

/* The number after `"key": ` in JSON text, from `from` on. */
static double json_after(const char *text, const char *from, const char *key)
{
    const char *p = from ? strstr(text, from) : text;
    assert_non_null(p);
    char pat[128];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    p = strstr(p, pat);
    if (!p)
        fail_msg("no %s after %s", key, from ? from : "the start");
    return strtod(p + strlen(pat), NULL);
}

/* --set, --method and --dt change the run as they say. */
static void test_run_overrides(void **state)
{
    (void)state;
    run_result r = run("run --json --set somaxconn=4096 examples/sd/listen-queue.xmile");
    EXPECT_STATUS(r, 0, "run --set somaxconn=4096");
    assert_true(json_after(r.out, "\"Dropped\"", "max") == 0);
    double peak = json_after(r.out, "\"Accept queue\"", "max");
    assert_true(peak > 790 && peak < 810);
    run_free(&r);
    r = run("run --json --method rk4 --dt 0.5 examples/sd/tech-debt.xmile");
    EXPECT_STATUS(r, 0, "run --method rk4 --dt 0.5");
    EXPECT_HAS(r.out, "\"method\": \"rk4\"");
    assert_true(json_after(r.out, NULL, "dt") == 0.5);
    assert_true(json_after(r.out, NULL, "steps") == 208);
    run_free(&r);
    r = run("run --set nosuch=1 examples/sd/tech-debt.xmile");
    EXPECT_STATUS(r, 2, "run --set nosuch=1");
    EXPECT_HAS(r.err, "no such variable");
    run_free(&r);
    r = run("run --set Backlog=1 examples/sd/tech-debt.xmile");
    EXPECT_STATUS(r, 2, "run --set on a stock");
    EXPECT_HAS(r.err, "is not a constant");
    run_free(&r);
    r = run("run --dt 0 examples/sd/tech-debt.xmile");
    EXPECT_STATUS(r, 2, "run --dt 0");
    run_free(&r);
}

/* --svg: one panel per unit for the stocks, and the flows. */
static void test_run_svg(void **state)
{
    (void)state;
    run_result r = run("run -q --svg %s/plots examples/sd/listen-queue.xmile", tmpdir);
    EXPECT_STATUS(r, 0, "run --svg");
    run_free(&r);
    char path[256];
    /* the three stocks share the unit "connections": one panel */
    tmp_path(path, sizeof path, "plots/stocks-1.svg");
    char *s = slurp(path, NULL);
    assert_non_null(s);
    EXPECT_HAS(s, "Stocks in connections");
    EXPECT_HAS(s, "Accept queue");
    EXPECT_HAS(s, "Awaiting retransmission");
    free(s);
    tmp_path(path, sizeof path, "plots/flows-2.svg");
    s = slurp(path, NULL);
    assert_non_null(s);
    EXPECT_HAS(s, "Flows in connections/second");
    free(s);
    tmp_path(path, sizeof path, "plots/stocks-3.svg");
    assert_null(slurp(path, NULL));
}

/* eddy sweep over a constant: each point is the run with --set. */
static void test_sweep(void **state)
{
    (void)state;
    run_result r = run("sweep --x refactor_share=0..0.3 --points 4 --json -o %s/sweep.csv examples/sd/tech-debt.xmile",
                       tmpdir);
    EXPECT_STATUS(r, 0, "sweep --x refactor_share");
    EXPECT_HAS(r.out, "\"refactor_share\": 0.1");
    /* the first point is refactor share 0: the collapse, as run --set says */
    run_result d = run("run --json --set refactor_share=0 examples/sd/tech-debt.xmile");
    double debt = json_after(d.out, "\"Debt\"", "final");
    run_free(&d);
    assert_within_rel(json_after(r.out, "\"Debt\"", "final"), debt, 1e-9);
    assert_true(debt > 100);
    run_free(&r);
    char path[256];
    tmp_path(path, sizeof path, "sweep.csv");
    char *csv = slurp(path, NULL);
    assert_non_null(csv);
    EXPECT_HAS(csv, "# eddy sweep, constant: refactor_share\nrefactor_share,Backlog.final,Backlog.min,Backlog.max,Debt.final");
    /* the rows: 0, 0.1, 0.2, 0.3 */
    EXPECT_HAS(csv, "\n0.2,10.00000001,10,");
    free(csv);
    /* written by eddy: overwritten without --force */
    r = run("sweep --x refactor_share=0..0.3 --points 2 -o %s/sweep.csv examples/sd/tech-debt.xmile", tmpdir);
    EXPECT_STATUS(r, 0, "sweep over its own CSV");
    EXPECT_HAS(r.out, "refactor_share from 0 to 0.3, 2 runs");
    run_free(&r);
    /* errors */
    r = run("sweep examples/sd/tech-debt.xmile");
    EXPECT_STATUS(r, 2, "sweep without --x");
    EXPECT_HAS(r.err, "--x NAME=LO..HI");
    run_free(&r);
    r = run("sweep --x refactor_share=0.3..0 examples/sd/tech-debt.xmile");
    EXPECT_STATUS(r, 2, "sweep --x HI..LO");
    run_free(&r);
    r = run("sweep --x refactr_share=0..1 examples/sd/tech-debt.xmile");
    EXPECT_STATUS(r, 2, "sweep --x misspelt");
    EXPECT_HAS(r.err, "--x refactr_share: no such variable");
    EXPECT_HAS(r.err, "refactor share");
    run_free(&r);
}

/* --method and --dt on sweep and basin: every run integrates as
 * `eddy run --method --dt --set` at the same point does, to the last bit,
 * and the JSON says how the runs were made. */
static void test_sweep_specs(void **state)
{
    (void)state;
    run_result e = run("sweep --x refactor_share=0..0.3 --points 3 --json examples/sd/tech-debt.xmile");
    EXPECT_STATUS(e, 0, "sweep (the file's Euler)");
    EXPECT_HAS(e.out, "\"method\": \"euler\"");
    run_result r = run("sweep --x refactor_share=0..0.3 --points 3 --method rk4 --dt 0.5 --set launch_demand=8 "
                       "--json examples/sd/tech-debt.xmile");
    EXPECT_STATUS(r, 0, "sweep --method rk4 --dt 0.5");
    EXPECT_HAS(r.out, "\"method\": \"rk4\"");
    EXPECT_HAS(r.out, "\"set\": {\n    \"launch_demand\": 8.0\n  }");
    assert_true(json_after(r.out, NULL, "dt") == 0.5);
    run_result d = run("run --json --method rk4 --dt 0.5 --set launch_demand=8 --set refactor_share=0.15 "
                       "examples/sd/tech-debt.xmile");
    EXPECT_STATUS(d, 0, "run --method rk4 at the sweep's middle point");
    const char *mid = strstr(r.out, "\"refactor_share\": 0.15");
    assert_non_null(mid);
    /* the same run: bit for bit, not within a tolerance */
    assert_true(json_after(mid, "\"Debt\"", "final") == json_after(d.out, "\"Debt\"", "final"));
    assert_true(json_after(mid, "\"Backlog\"", "max") == json_after(d.out, "\"Backlog\"", "max"));
    /* and not the Euler run */
    const char *emid = strstr(e.out, "\"refactor_share\": 0.15");
    assert_non_null(emid);
    assert_true(fabs(json_after(mid, "\"Debt\"", "final") - json_after(emid, "\"Debt\"", "final")) > 1e-3);
    run_free(&d);
    run_free(&r);
    run_free(&e);

    r = run("basin --x trigger_incidents=0..5 --method rk2 --dt 0.125 --json examples/sd/oncall-fatigue.xmile");
    EXPECT_STATUS(r, 0, "basin --method rk2 --dt 0.125");
    EXPECT_HAS(r.out, "\"method\": \"rk2\"");
    assert_true(json_after(r.out, NULL, "dt") == 0.125);
    run_free(&r);
    r = run("basin --x trigger_incidents=0..5 --dt 0.125 examples/sd/oncall-fatigue.xmile");
    EXPECT_STATUS(r, 0, "basin --dt, text");
    EXPECT_HAS(r.out, "(every run: euler, dt 0.125)");
    run_free(&r);

    /* bad values: usage errors that say what was expected */
    r = run("sweep --x refactor_share=0..0.3 --method rk5 examples/sd/tech-debt.xmile");
    EXPECT_STATUS(r, 2, "sweep --method rk5");
    EXPECT_HAS(r.err, "--method expects euler, rk2 or rk4, got 'rk5'");
    run_free(&r);
    r = run("sweep --x refactor_share=0..0.3 --dt 0 examples/sd/tech-debt.xmile");
    EXPECT_STATUS(r, 2, "sweep --dt 0");
    EXPECT_HAS(r.err, "--dt expects a number greater than 0, got '0'");
    run_free(&r);
    r = run("basin --x trigger_incidents=0..5 --dt -1 examples/sd/oncall-fatigue.xmile");
    EXPECT_STATUS(r, 2, "basin --dt -1");
    EXPECT_HAS(r.err, "--dt expects a number greater than 0");
    run_free(&r);
    r = run("basin --x trigger_incidents=0..5 --method simpson examples/sd/oncall-fatigue.xmile");
    EXPECT_STATUS(r, 2, "basin --method simpson");
    EXPECT_HAS(r.err, "--method expects euler, rk2 or rk4");
    run_free(&r);
}

/* eddy basin: the on-call rota tips between a trigger of 1 and 3 extra
 * incidents a day (5 days), as test_sd_examples shows at the two ends; a
 * longer trigger tips it with less. */
static void test_basin(void **state)
{
    (void)state;
    run_result r = run("basin --x trigger_incidents=0..5 --y trigger_days=5..10 --rows 2 --json -o %s/basin.csv "
                       "examples/sd/oncall-fatigue.xmile",
                       tmpdir);
    EXPECT_STATUS(r, 0, "basin on oncall-fatigue");
    double below = json_after(r.out, "\"rows\"", "boundary_below");
    double above = json_after(r.out, "\"rows\"", "boundary_above");
    assert_true(below >= 1 && above <= 3 && above - below <= 5.0 / 128 + 1e-9);
    /* the second row (10 days) tips at a smaller trigger */
    const char *row2 = strstr(r.out, "\"trigger_days\": 10");
    assert_non_null(row2);
    assert_true(json_after(row2, NULL, "boundary_above") < below);
    run_free(&r);
    char path[256];
    tmp_path(path, sizeof path, "basin.csv");
    char *csv = slurp(path, NULL);
    assert_non_null(csv);
    EXPECT_HAS(csv, "trigger_days,trigger_incidents,basin.tipped\n5,0,0\n5,5,1\n");
    free(csv);
    /* a trigger that is never enough */
    r = run("basin --x trigger_incidents=0..0.5 examples/sd/oncall-fatigue.xmile");
    EXPECT_STATUS(r, 0, "basin that does not tip");
    EXPECT_HAS(r.out, "does not tip up to trigger_incidents = 0.5");
    run_free(&r);
    /* judged by one stock; a name that is not a stock is an error */
    r = run("basin --x trigger_incidents=0..5 --judge Sleep_debt examples/sd/oncall-fatigue.xmile");
    EXPECT_STATUS(r, 0, "basin --judge");
    EXPECT_HAS(r.out, "trigger_incidents in (");
    run_free(&r);
    r = run("basin --x trigger_incidents=0..5 --judge pages examples/sd/oncall-fatigue.xmile");
    EXPECT_STATUS(r, 2, "basin --judge on an auxiliary");
    EXPECT_HAS(r.err, "not a stock");
    run_free(&r);
    r = run("basin --y trigger_days=1..2 examples/sd/oncall-fatigue.xmile");
    EXPECT_STATUS(r, 2, "basin without --x");
    run_free(&r);
}

/* eddy report: the page with the stocks' table and the plots. */
static void test_report(void **state)
{
    (void)state;
    run_result r = run("report -o %s/page.html --set outage_minutes=0 examples/sd/error-budget.xmile", tmpdir);
    EXPECT_STATUS(r, 0, "report on error-budget");
    run_free(&r);
    char path[256];
    tmp_path(path, sizeof path, "page.html");
    char *html = slurp(path, NULL);
    assert_non_null(html);
    EXPECT_HAS(html, "<!DOCTYPE html>");
    EXPECT_HAS(html, "<h2>Stocks</h2>");
    /* with no outage Pending stays at 10 changes */
    EXPECT_HAS(html, "<tr><td>Pending</td><td>changes</td><td>10</td><td>10</td><td>10</td><td>10</td></tr>");
    EXPECT_HAS(html, "Stocks in minutes");
    EXPECT_HAS(html, "Flows in minutes/day");
    EXPECT_HAS(html, "<svg");
    assert_null(strstr(html, "src=\"http")); /* nothing from the network */
    free(html);
    /* the loops: the shortcuts R loop and the refactoring B loop, and dominance */
    r = run("report -o %s/debt.html examples/sd/tech-debt.xmile", tmpdir);
    EXPECT_STATUS(r, 0, "report on tech-debt");
    run_free(&r);
    tmp_path(path, sizeof path, "debt.html");
    html = slurp(path, NULL);
    assert_non_null(html);
    EXPECT_HAS(html, "<h2>Loops</h2>");
    EXPECT_HAS(html, "reinforcing: Backlog \u2192 pressure \u2192 shortcut fraction \u2192 incurring \u2192 Debt");
    EXPECT_HAS(html, "balancing: Debt \u2192 repaying \u2192 Debt");
    EXPECT_HAS(html, "Loop dominance");
    free(html);
    r = run("report %s/missing.xmile", tmpdir);
    EXPECT_STATUS(r, 2, "report on a missing XMILE file");
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_overrides), cmocka_unit_test(test_run_svg), cmocka_unit_test(test_sweep),
        cmocka_unit_test(test_sweep_specs),
        cmocka_unit_test(test_basin),         cmocka_unit_test(test_report),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
