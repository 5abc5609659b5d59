/* test_check.c -- `hypotheses:` and `eddy check`.
 *
 * The loader's checks on hypotheses (every error a file:line:col with a
 * "did you mean" where one fits), the measurement of a metric over a
 * window against values worked out by hand on a series built here, and
 * the command as CI runs it: exit 0 when every hypothesis holds, 1 when
 * one fails (the timeout cut of examples/timeout-cut.yaml), 2 for input
 * errors; JUnit XML read back with libxml2; output independent of -j. */
#include "testutil.h"
#include "testproc.h"

#include <math.h>

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "analysis/check.h"
#include "model/hypotheses.h"
#include "model/model.h"

#define EXAMPLE "examples/timeout-cut.yaml"

static int setup(void **state)
{
    (void)state;
    return proc_begin("check");
}

static int teardown(void **state)
{
    (void)state;
    return proc_end();
}

/* ---- the loader ------------------------------------------------------------ */

/* A small model; %s is its hypotheses section. */
static const char base[] = "duration: 2m\n"
                           "clients:\n"
                           "  shoppers:\n"
                           "    rate: 100/s\n"
                           "    call: api\n"
                           "    timeout: 1s\n"
                           "services:\n"
                           "  api:\n"
                           "    workers: 8\n"
                           "    service_time: 10ms\n"
                           "    calls:\n"
                           "      - to: db\n"
                           "        timeout: 500ms\n"
                           "  db:\n"
                           "    workers: 4\n"
                           "    service_time: 5ms\n"
                           "faults:\n"
                           "  - {at: 30s, for: 20s, target: db, slow: 3}\n"
                           "%s";

static model *load_hyp(const char *hyp, eddy_error *err)
{
    char yaml[4096];
    snprintf(yaml, sizeof yaml, base, hyp);
    return model_load_string(yaml, strlen(yaml), "h.yaml", err);
}

/* The hypotheses section must fail at `line` (of the whole file), at the
 * column where `at` first occurs on that line, with `want` in the message. */
static void expect_error(const char *hyp, int line, const char *at, const char *want)
{
    char yaml[4096];
    snprintf(yaml, sizeof yaml, base, hyp);
    const char *l = yaml;
    for (int i = 1; i < line && l; i++) {
        l = strchr(l, '\n');
        l = l ? l + 1 : NULL;
    }
    assert_non_null(l);
    const char *end = strchr(l, '\n'), *p = strstr(l, at);
    if (!p || (end && p > end))
        fail_msg("'%s' is not on line %d of:\n%s", at, line, yaml);
    int col = (int)(p - l) + 1;
    eddy_error err = {0};
    model *m = load_hyp(hyp, &err);
    if (m) {
        model_free(m);
        fail_msg("accepted:\n%s", hyp);
    }
    if (!strstr(err.msg, want) || err.line != line || err.col != col)
        fail_msg("got %s:%d:%d: %s\nwant %d:%d: ...%s...", err.file, err.line, err.col, err.msg, line, col, want);
    assert_string_equal(err.file, "h.yaml");
}

static void test_good_parsed(void **state)
{
    (void)state;
    eddy_error err = {0};
    model *m = load_hyp("hypotheses:\n"
                        "  - name: fast\n"
                        "    metric: shoppers.latency_p99\n"
                        "    window: during\n"
                        "    stat: max\n"
                        "    at_most: 200ms\n"
                        "  - name: back\n"
                        "    metric: shoppers.goodput\n"
                        "    window: after\n"
                        "    within: 10s\n"
                        "    at_least: 95% of baseline\n"
                        "  - name: range\n"
                        "    metric: db.queue\n"
                        "    window: {from: 10s, to: 20s}\n"
                        "    below: 3\n"
                        "  - name: ok\n"
                        "    metric: shoppers.success\n"
                        "    window: run\n"
                        "    above: 99.5%\n"
                        "    baseline: no_faults\n",
                        &err);
    assert_null(m); /* baseline with an absolute threshold */
    assert_non_null(strstr(err.msg, "'baseline' is for a threshold"));
    assert_int_equal(err.line, 38);

    m = load_hyp("hypotheses:\n"
                 "  - name: fast\n"
                 "    metric: shoppers.latency_p99\n"
                 "    window: during\n"
                 "    stat: max\n"
                 "    at_most: 200ms\n"
                 "  - name: back\n"
                 "    metric: shoppers.goodput\n"
                 "    window: after\n"
                 "    within: 10s\n"
                 "    at_least: 95% of baseline\n"
                 "  - name: range\n"
                 "    metric: db.queue\n"
                 "    window: {from: 10s, to: 20s}\n"
                 "    below: 3\n"
                 "  - name: ratio\n"
                 "    metric: shoppers.amplification\n"
                 "    window: run\n"
                 "    at_most: 150% of baseline\n"
                 "    baseline: no_faults\n",
                 &err);
    if (!m)
        fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    assert_int_equal(m->nhypotheses, 4);
    const hypothesis *h = m->hypotheses;
    assert_string_equal(h[0].name, "fast");
    assert_string_equal(h[0].entity, "shoppers");
    assert_string_equal(h[0].metric, "latency_p99");
    assert_int_equal(h[0].unit, HU_SECONDS);
    assert_int_equal(h[0].window, HW_DURING);
    assert_int_equal(h[0].stat, HS_MAX);
    assert_int_equal(h[0].cmp, HC_AT_MOST);
    assert_true(fabs(h[0].threshold - 0.2) < 1e-12);
    assert_false(h[0].relative);
    assert_int_equal(h[0].pos.line, 20);

    assert_int_equal(h[1].window, HW_AFTER);
    assert_int_equal(h[1].within, 10 * T_SEC);
    assert_int_equal(h[1].stat, HS_MEAN); /* the default */
    assert_true(h[1].relative);
    assert_true(fabs(h[1].threshold - 0.95) < 1e-12);
    assert_int_equal(h[1].baseline, HB_BEFORE);

    assert_int_equal(h[2].window, HW_RANGE);
    assert_int_equal(h[2].from, 10 * T_SEC);
    assert_int_equal(h[2].to, 20 * T_SEC);
    assert_int_equal(h[2].unit, HU_NUMBER);
    assert_int_equal(h[2].cmp, HC_BELOW);

    assert_int_equal(h[3].derived, HD_AMPLIFICATION);
    assert_int_equal(h[3].baseline, HB_NO_FAULTS);
    assert_true(fabs(h[3].threshold - 1.5) < 1e-12);

    /* the windows, in seconds: faults 30s-50s in a 120s run */
    double a[HYP_MAX_INTERVALS] = {0}, b[HYP_MAX_INTERVALS] = {0};
    assert_int_equal(hyp_window_intervals(m, &h[0], HW_BEFORE, a, b, HYP_MAX_INTERVALS), 1);
    assert_true(a[0] == 0 && b[0] == 30);
    assert_int_equal(hyp_window_intervals(m, &h[0], HW_DURING, a, b, HYP_MAX_INTERVALS), 1);
    assert_true(a[0] == 30 && b[0] == 50);
    assert_int_equal(hyp_window_intervals(m, &h[1], HW_AFTER, a, b, HYP_MAX_INTERVALS), 1);
    assert_true(a[0] == 60 && b[0] == 120); /* within 10s */
    assert_int_equal(hyp_window_intervals(m, &h[2], HW_RANGE, a, b, HYP_MAX_INTERVALS), 1);
    assert_true(a[0] == 10 && b[0] == 20);
    model_free(m);
}

/* `during` is the union of the fault windows: overlapping ones merge,
 * separate ones stay apart, instants have none. */
static void test_during_union(void **state)
{
    (void)state;
    const char *yaml = "duration: 100s\n"
                       "clients: {c: {rate: 10/s, call: s}}\n"
                       "services: {s: {workers: 2, service_time: 1ms, replicas: 3}}\n"
                       "faults:\n"
                       "  - {at: 50s, for: 10s, target: s, slow: 2}\n"
                       "  - {at: 10s, for: 10s, target: s, slow: 2}\n"
                       "  - {at: 15s, for: 10s, target: s, lose_replicas: 1}\n"
                       "  - {at: 90s, for: 30s, target: s, slow: 2}\n"
                       "hypotheses:\n"
                       "  - {name: x, metric: c.goodput, window: during, within: 2s, above: 1/s}\n";
    eddy_error err = {0};
    model *m = model_load_string(yaml, strlen(yaml), "u.yaml", &err);
    if (!m)
        fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    double a[HYP_MAX_INTERVALS] = {0}, b[HYP_MAX_INTERVALS] = {0};
    size_t n = hyp_window_intervals(m, &m->hypotheses[0], HW_DURING, a, b, HYP_MAX_INTERVALS);
    assert_int_equal(n, 3);
    assert_true(a[0] == 12 && b[0] == 25); /* 10-20 and 15-25 merged, from 2s in */
    assert_true(a[1] == 52 && b[1] == 60);
    assert_true(a[2] == 92 && b[2] == 100); /* clipped to the run */
    model_free(m);
}

static void test_errors(void **state)
{
    (void)state;
    /* the hypotheses start at line 19 */
    expect_error("hypotheses: {a: 1}\n", 19, "{a", "hypotheses: expected a list of hypotheses");
    expect_error("hypotheses:\n  - 3\n", 20, "3", "expected a hypothesis");
    expect_error("hypotheses:\n  - {name: a, metric: shoppers.goodput, window: run, at_least: 1/s, windw: run}\n",
                 20, "windw", "hypotheses[0]: unknown key 'windw' (did you mean 'window'?)");
    expect_error("hypotheses:\n  - {metric: shoppers.goodput, window: run, at_least: 1/s}\n", 20, "{",
                 "missing key 'name'");
    expect_error("hypotheses:\n  - {name: a, window: run, at_least: 1/s}\n", 20, "{", "missing key 'metric'");
    expect_error("hypotheses:\n  - {name: a, metric: shoppers.goodput, at_least: 1/s}\n", 20, "{",
                 "missing key 'window'");
    expect_error("hypotheses:\n  - {name: a, metric: shoppers.goodput, window: run}\n", 20, "{",
                 "missing a comparison");
    expect_error("hypotheses:\n  - {name: a, metric: shopers.goodput, window: run, at_least: 1/s}\n", 20, "shopers",
                 "hypotheses[0].metric: no client, service, call edge, autoscaler or cache named 'shopers' (did you "
                 "mean 'shoppers'?)");
    expect_error("hypotheses:\n  - {name: a, metric: api-db.goodput, window: run, at_least: 1/s}\n", 20, "api-db",
                 "(did you mean 'api->db'?)");
    expect_error("hypotheses:\n  - {name: a, metric: shoppers.godput, window: run, at_least: 1/s}\n", 20, "shoppers",
                 "a client has no metric 'godput' (did you mean 'goodput'?)");
    expect_error("hypotheses:\n  - {name: a, metric: db.latency_p90, window: run, at_most: 1s}\n", 20, "db.",
                 "a service has no metric 'latency_p90' (did you mean 'latency_p50'?)");
    expect_error("hypotheses:\n  - {name: a, metric: goodput, window: run, at_least: 1/s}\n", 20, "goodput",
                 "expected entity.metric");
    expect_error("hypotheses:\n  - {name: a, metric: api->db.budget, window: run, at_least: 1}\n", 20, "api->db",
                 "call edge 'api->db' has no column 'budget': only an edge with a `retry.budget` has it");
    expect_error("hypotheses:\n  - {name: a, metric: db.shed, window: run, at_most: 1/s}\n", 20, "db.shed",
                 "service 'db' has no column 'shed'");
    expect_error("hypotheses:\n  - {name: a, metric: shoppers.goodput, window: durng, at_least: 1/s}\n", 20, "durng",
                 "expected one of before|during|after|run, got 'durng' (did you mean 'during'?)");
    expect_error("hypotheses:\n  - {name: a, metric: shoppers.goodput, window: {from: 10s, til: 20s}, at_least: 1/s}\n",
                 20, "til", "unknown key 'til'");
    expect_error("hypotheses:\n  - {name: a, metric: shoppers.goodput, window: {from: 20s, to: 10s}, at_least: 1/s}\n",
                 20, "10s}", "must end after it starts");
    expect_error("hypotheses:\n  - {name: a, metric: shoppers.goodput, window: {from: 5m}, at_least: 1/s}\n", 20, "5m",
                 "the run lasts only 120s");
    expect_error("hypotheses:\n  - {name: a, metric: shoppers.goodput, window: run, within: 5s, at_least: 1/s}\n", 20,
                 "within", "'within' delays the start of a during or after window");
    expect_error("hypotheses:\n  - {name: a, metric: shoppers.goodput, window: after, within: 70s, at_least: 1/s}\n",
                 20, "70s", "this window is empty");
    expect_error("hypotheses:\n  - {name: a, metric: shoppers.goodput, window: run, stat: median, at_least: 1/s}\n",
                 20, "median", "expected one of mean|max|min");
    expect_error("hypotheses:\n  - {name: a, metric: shoppers.goodput, window: run, at_least: 1/s, at_most: 9/s}\n",
                 20, "1/s", "a hypothesis has one comparison; 'at_most' and 'at_least' are both given");
    expect_error("hypotheses:\n  - {name: a, metric: shoppers.latency_p99, window: run, at_most: 200}\n", 20, "200",
                 "shoppers.latency_p99 is a latency; expected a duration such as 200ms");
    expect_error("hypotheses:\n  - {name: a, metric: shoppers.goodput, window: run, at_least: 100}\n", 20, "100",
                 "expected a rate such as 400/s");
    expect_error("hypotheses:\n  - {name: a, metric: shoppers.success, window: run, at_least: 120%}\n", 20, "120%",
                 "expected a fraction such as 99% or 0.99");
    expect_error("hypotheses:\n  - {name: a, metric: shoppers.goodput, window: run, at_least: 95 % of baseline}\n", 20,
                 "95 %", "expected a percentage >= 0 before");
    expect_error("hypotheses:\n  - {name: a, metric: shoppers.goodput, window: before, at_least: 95% of baseline}\n", 20,
                 "95%", "the window is the baseline itself");
    expect_error("hypotheses:\n"
                 "  - {name: a, metric: shoppers.goodput, window: run, at_least: 1/s}\n"
                 "  - {name: a, metric: shoppers.failed, window: run, at_most: 1/s}\n",
                 21, "a,", "another hypothesis is named 'a' (at line 20)");
    /* the keys are schema-table keys: the walker's "did you mean" for keys and words */
    expect_error("hypotheses:\n  - {name: a, metric: shoppers.goodput, window: run, stat: mx, at_least: 1/s}\n", 20,
                 "mx", "hypotheses[0].stat: expected one of mean|max|min, got 'mx' (did you mean 'max'?)");
    expect_error("hypotheses:\n  - {name: a, metric: shoppers.goodput, window: {frm: 10s}, at_least: 1/s}\n", 20,
                 "frm", "unknown key 'frm' (did you mean 'from'?)");
    expect_error("hypotheses:\n  - {name: a, metric: shoppers.goodput, window: run, at_least: 90% of baseline, "
                 "baseline: no_fault}\n",
                 20, "no_fault", "got 'no_fault' (did you mean 'no_faults'?)");
    expect_error("hypotheses:\n  - {name: a, metric: shoppers.goodput, window: during, within: 5 s, at_least: 1/s}\n",
                 20, "5 s", "hypotheses[0].within: expected a duration");
    expect_error("hypotheses:\n  - {name: a, metric: shoppers.goodput, window: run, at_least: 1/s, name: b}\n", 20,
                 "name: b", "duplicate key 'name' (first given at line 20)");
}

/* Without faults, windows and baselines that need them are errors. */
static void test_errors_no_faults(void **state)
{
    (void)state;
    const char *y1 = "duration: 1m\n"
                     "clients: {c: {rate: 10/s, call: s}}\n"
                     "services: {s: {workers: 2, service_time: 1ms}}\n"
                     "hypotheses:\n"
                     "  - {name: a, metric: c.goodput, window: after, at_least: 1/s}\n";
    eddy_error err = {0};
    model *m = model_load_string(y1, strlen(y1), "nf.yaml", &err);
    assert_null(m);
    assert_int_equal(err.line, 5);
    assert_int_equal(err.col, (int)(strstr(y1, "after") - strstr(y1, "  - {name")) + 1);
    assert_non_null(strstr(err.msg, "'after' is relative to the faults, and this model has none"));
    const char *y2 = "duration: 1m\n"
                     "clients: {c: {rate: 10/s, call: s}}\n"
                     "services: {s: {workers: 2, service_time: 1ms}}\n"
                     "hypotheses:\n"
                     "  - {name: a, metric: c.goodput, window: run, at_least: 90% of baseline}\n";
    m = model_load_string(y2, strlen(y2), "nf.yaml", &err);
    assert_null(m);
    assert_int_equal(err.line, 5);
    assert_non_null(strstr(err.msg, "this model has none"));
}

/* ---- measuring over a window, against hand-worked values -------------------- */

/* A 4 s run sampled each second, faults 1.5 s - 2.5 s; the series is made
 * here so every number below can be worked out by hand. */
static void test_measure(void **state)
{
    (void)state;
    const char *yaml = "duration: 4s\n"
                       "clients: {c: {rate: 10/s, call: s}}\n"
                       "services: {s: {workers: 2, service_time: 1ms}}\n"
                       "faults: [{at: 1500ms, for: 1s, target: s, slow: 2}]\n"
                       "hypotheses:\n"
                       "  - {name: g, metric: c.goodput, window: before, at_least: 1/s}\n"
                       "  - {name: gmax, metric: c.goodput, window: during, stat: max, at_least: 1/s}\n"
                       "  - {name: s, metric: c.success, window: during, at_least: 50%}\n"
                       "  - {name: a, metric: c.amplification, window: after, stat: min, at_most: 2}\n"
                       "  - {name: p, metric: c.latency_p99, window: run, at_most: 1s}\n"
                       "  - {name: pmax, metric: c.latency_p99, window: run, stat: max, at_most: 1s}\n";
    eddy_error err = {0};
    model *m = model_load_string(yaml, strlen(yaml), "w.yaml", &err);
    if (!m)
        fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    static const char *names[] = {"time", "c.offered", "c.retries", "c.goodput", "c.failed", "c.latency_p99"};
    double v[4][6] = {
        {0, 10, 0, 10, 0, 0.1},
        {1, 20, 10, 20, 0, NAN}, /* no successful request's latency */
        {2, 40, 40, 10, 30, 0.3},
        {3, 10, 5, 10, 0, 0.2},
    };
    eddy_result r = {0};
    r.series.ncols = 6;
    r.series.nrows = 4;
    r.series.names = (char **)names;
    r.series.values = &v[0][0];
    r.duration = 4;
    bool miss;
    const hypothesis *h = m->hypotheses;
    /* before = [0, 1.5): (10 x 1 + 20 x 0.5) / 1.5 */
    assert_true(fabs(check_measure(m, &h[0], h[0].window, h[0].stat, &r, &miss) - 20.0 / 1.5) < 1e-12);
    assert_false(miss);
    /* during = [1.5, 2.5): max of rows 1 and 2 */
    assert_true(check_measure(m, &h[1], h[1].window, h[1].stat, &r, &miss) == 20);
    /* success during: goodput over goodput + failed, as totals:
     * (20 x .5 + 10 x .5) / ((20 + 0) x .5 + (10 + 30) x .5) = 15 / 30 */
    assert_true(fabs(check_measure(m, &h[2], h[2].window, h[2].stat, &r, &miss) - 0.5) < 1e-12);
    /* amplification after = [2.5, 4): per row (40+40)/40 = 2, (10+5)/10 = 1.5; min 1.5 */
    assert_true(fabs(check_measure(m, &h[3], h[3].window, h[3].stat, &r, &miss) - 1.5) < 1e-12);
    /* p99 mean over the run skips the empty interval: (0.1 + 0.3 + 0.2) / 3 */
    assert_true(fabs(check_measure(m, &h[4], h[4].window, h[4].stat, &r, &miss) - 0.2) < 1e-12);
    assert_true(check_measure(m, &h[5], h[5].window, h[5].stat, &r, &miss) == 0.3);
    /* the baseline of a relative threshold is the mean before the faults */
    assert_true(fabs(check_measure(m, &h[1], HW_BEFORE, HS_MEAN, &r, &miss) - 20.0 / 1.5) < 1e-12);
    /* nothing to measure: a window holding only the empty interval */
    hypothesis only = h[4];
    only.window = HW_RANGE;
    only.from = T_SEC;
    only.to = 2 * T_SEC;
    assert_true(isnan(check_measure(m, &only, HW_RANGE, HS_MEAN, &r, &miss)));
    assert_false(hyp_holds(HC_AT_MOST, NAN, 1)); /* no data never passes */
    /* a column the series lacks is reported, not read as 0 */
    r.series.ncols = 3;
    check_measure(m, &h[0], h[0].window, h[0].stat, &r, &miss);
    assert_true(miss);
    model_free(m);
}

/* Against theory: an open-loop client at 200/s into a service far from
 * saturation succeeds at its offered rate, and the judge agrees. */
static void test_theory(void **state)
{
    (void)state;
    char path[256];
    tmp_path(path, sizeof path, "mm.yaml");
    write_file(path, "duration: 10m\n"
                     "clients: {c: {rate: 200/s, call: s}}\n"
                     "services: {s: {workers: 4, service_time: {dist: exponential, mean: 5ms}}}\n"
                     "hypotheses:\n"
                     "  - {name: served, metric: c.goodput, window: run, at_least: 196/s}\n"
                     "  - {name: not more, metric: c.goodput, window: run, at_most: 204/s}\n"
                     "  - {name: busy, metric: s.busy, window: run, at_least: 0.9}\n"
                     "  - {name: idle, metric: s.busy, window: run, at_most: 1.1}\n"
                     "  - {name: too much, metric: c.goodput, window: run, at_least: 210/s}\n");
    check_opts o = {.seeds = 2};
    check_report R;
    eddy_error err = {0};
    if (check_run(path, &o, &R, &err) < 0)
        fail_msg("%s", err.msg);
    assert_int_equal(R.n, 5);
    /* goodput = 200/s; busy workers = 200/s x 5 ms = 1 (Little's law) */
    for (size_t k = 0; k < 4; k++)
        if (!R.v[k].pass)
            fail_msg("%s: mean %g", R.v[k].h->name, R.v[k].mean);
    assert_false(R.v[4].pass);
    assert_int_equal(R.v[4].passed, 0);
    assert_int_equal(R.failed, 1);
    assert_within_rel(R.v[0].mean, 200, 0.02);
    assert_within_rel(R.v[2].mean, 1.0, 0.05);
    /* the seeds are distinct runs: replication 0 is the model's seed */
    assert_int_equal(R.v[0].seeds[0].seed, 1);
    assert_true(R.v[0].seeds[0].value != R.v[0].seeds[1].value);
    check_report_free(&R);
}

/* A hypothesis on a call edge's `retries` column: api retries db on
 * timeout.  db (1 worker, 5 ms, 100/s: half busy) slowed x4 for 20 s can
 * do 50/s; its queue grows past api's 500 ms timeout and api retries.
 * Before the fault nothing times out, so nothing is retried. */
static void test_edge_retries(void **state)
{
    (void)state;
    eddy_error err = {0};
    const char *text = "duration: 1m\n"
                       "clients: {shoppers: {rate: 100/s, call: api, timeout: 5s}}\n"
                       "services:\n"
                       "  api:\n"
                       "    workers: 100\n"
                       "    service_time: 1ms\n"
                       "    calls:\n"
                       "      - {to: db, timeout: 500ms, retry: {attempts: 3, on: [timeout]}}\n"
                       "  db: {workers: 1, service_time: 5ms}\n"
                       "faults:\n"
                       "  - {at: 20s, for: 20s, target: db, slow: 4}\n"
                       "hypotheses:\n"
                       "  - {name: quiet before, metric: api->db.retries, window: before, at_most: 0/s}\n"
                       "  - {name: none during, metric: api->db.retries, window: during, at_most: 0/s}\n"
                       "  - {name: some during, metric: api->db.retries, window: during, at_least: 1/s}\n";
    char path[256];
    tmp_path(path, sizeof path, "edge-retries.yaml");
    write_file(path, text);
    check_opts o = {.seeds = 2};
    check_report R;
    if (check_run(path, &o, &R, &err) < 0)
        fail_msg("%s", err.msg);
    assert_int_equal(R.n, 3);
    assert_true(R.v[0].pass);
    assert_within_rel(R.v[0].mean + 1, 1, 1e-9); /* exactly 0 */
    assert_false(R.v[1].pass);
    assert_true(R.v[2].pass);
    assert_int_equal(R.failed, 1);
    check_report_free(&R);
    /* without a retry policy the edge has no such column: an error at load */
    expect_error("hypotheses:\n  - {name: a, metric: api->db.retries, window: run, at_most: 1/s}\n", 20, "api->db",
                 "only an edge with a `retry` of 2 or more `attempts` has it");
}

/* ---- the command ------------------------------------------------------------ */

/* The example with the API's timeout cut from 10s to 2s. */
static void write_cut(char *path, size_t size)
{
    tmp_path(path, size, "timeout-cut-2s.yaml");
    char *text = slurp(EXAMPLE, NULL);
    assert_non_null(text);
    char *at = strstr(text, "timeout: 10s");
    assert_non_null(at);
    memcpy(at, "timeout:  2s", 12);
    write_file(path, text);
    free(text);
}

static xmlDoc *read_xml(const char *path)
{
    xmlDoc *d = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!d)
        fail_msg("%s is not well-formed XML", path);
    return d;
}

static long xml_long(xmlNode *n, const char *attr)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)attr);
    assert_non_null(v);
    long x = strtol((const char *)v, NULL, 10);
    xmlFree(v);
    return x;
}

static void test_pass_and_fail(void **state)
{
    (void)state;
    char junit[256], cut[256];
    tmp_path(junit, sizeof junit, "report.xml");
    run_result r = run("check -q %s --junit %s", EXAMPLE, junit);
    EXPECT_STATUS(r, 0, "eddy check on the example");
    EXPECT_HAS(r.out, "PASS  no shopper's request fails while the database is slow");
    EXPECT_HAS(r.out, "4 hypotheses: 4 passed, 0 failed");
    assert_string_equal(r.err, "");
    run_free(&r);
    xmlDoc *d = read_xml(junit);
    xmlNode *root = xmlDocGetRootElement(d);
    assert_string_equal((const char *)root->name, "testsuites");
    assert_int_equal(xml_long(root, "tests"), 4);
    assert_int_equal(xml_long(root, "failures"), 0);
    xmlFreeDoc(d);

    /* the change under review: the timeout cut to 2s fails the build */
    write_cut(cut, sizeof cut);
    r = run("check -q %s --junit %s", cut, junit);
    EXPECT_STATUS(r, 1, "eddy check with the timeout cut");
    EXPECT_HAS(r.out, "FAIL  no shopper's request fails while the database is slow");
    EXPECT_HAS(r.out, "FAIL  retries do not multiply the load");
    EXPECT_HAS(r.out, "PASS  goodput is back to its baseline within 30 s");
    EXPECT_HAS(r.out, "held on 0 of 3 seeds");
    run_free(&r);
    d = read_xml(junit);
    root = xmlDocGetRootElement(d);
    assert_int_equal(xml_long(root, "tests"), 4);
    assert_int_equal(xml_long(root, "failures"), 2);
    size_t cases = 0, failures = 0;
    for (xmlNode *s = root->children; s; s = s->next) {
        if (s->type != XML_ELEMENT_NODE)
            continue;
        assert_string_equal((const char *)s->name, "testsuite");
        for (xmlNode *c = s->children; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "testcase"))
                continue;
            cases++;
            for (xmlNode *f = c->children; f; f = f->next)
                if (f->type == XML_ELEMENT_NODE && !strcmp((const char *)f->name, "failure")) {
                    failures++;
                    xmlChar *name = xmlGetProp(c, (const xmlChar *)"name");
                    assert_true(!strcmp((const char *)name, "no shopper's request fails while the database is slow") ||
                                !strcmp((const char *)name, "retries do not multiply the load"));
                    xmlFree(name);
                }
        }
    }
    assert_int_equal(cases, 4);
    assert_int_equal(failures, 2);
    xmlFreeDoc(d);
}

/* Same seeds, same bytes, however many threads ran them. */
static void test_deterministic(void **state)
{
    (void)state;
    char cut[256], j1[256], j2[256];
    write_cut(cut, sizeof cut);
    tmp_path(j1, sizeof j1, "j1.xml");
    tmp_path(j2, sizeof j2, "j2.xml");
    run_result a = run("check -q -j 1 --seeds 4 %s %s --junit %s", EXAMPLE, cut, j1);
    run_result b = run("check -q -j 3 --seeds 4 %s %s --junit %s", EXAMPLE, cut, j2);
    EXPECT_STATUS(a, 1, "check -j 1");
    EXPECT_STATUS(b, 1, "check -j 3");
    assert_string_equal(a.out, b.out);
    EXPECT_HAS(a.out, "2 models, 8 hypotheses: 6 passed, 2 failed");
    char *x1 = slurp(j1, NULL), *x2 = slurp(j2, NULL);
    assert_non_null(x1);
    assert_non_null(x2);
    assert_string_equal(x1, x2);
    free(x1);
    free(x2);
    run_free(&a);
    run_free(&b);
}

static void test_json(void **state)
{
    (void)state;
    run_result r = run("check -q --json --seeds 2 %s", EXAMPLE);
    EXPECT_STATUS(r, 0, "check --json");
    json_error_t je;
    json_t *j = json_loads(r.out, 0, &je);
    if (!j)
        fail_msg("not JSON (%s): %s", je.text, r.out);
    json_t *m0 = json_array_get(json_object_get(j, "models"), 0);
    assert_int_equal(json_integer_value(json_object_get(m0, "seeds")), 2);
    json_t *h3 = json_array_get(json_object_get(m0, "hypotheses"), 3);
    assert_string_equal(json_string_value(json_object_get(h3, "metric")), "shoppers.goodput");
    assert_string_equal(json_string_value(json_object_get(h3, "window")), "after");
    assert_true(json_is_true(json_object_get(h3, "relative")));
    assert_string_equal(json_string_value(json_object_get(h3, "baseline")), "before");
    json_t *s0 = json_array_get(json_object_get(h3, "per_seed"), 0);
    /* the limit is 95% of that seed's baseline */
    assert_true(fabs(json_real_value(json_object_get(s0, "limit")) -
                     0.95 * json_real_value(json_object_get(s0, "baseline"))) < 1e-6);
    assert_int_equal(json_integer_value(json_object_get(j, "failed")), 0);
    json_decref(j);
    run_free(&r);
}

static void test_input_errors(void **state)
{
    (void)state;
    char p[256], junit[256];
    run_result r = run("check");
    EXPECT_STATUS(r, 2, "check without a model");
    EXPECT_HAS(r.err, "missing MODEL.yaml");
    run_free(&r);
    r = run("check --seeds 0 %s", EXAMPLE);
    EXPECT_STATUS(r, 2, "check --seeds 0");
    run_free(&r);
    r = run("check --bogus %s", EXAMPLE);
    EXPECT_STATUS(r, 2, "check --bogus");
    run_free(&r);
    r = run("check --help");
    EXPECT_STATUS(r, 0, "check --help");
    EXPECT_HAS(r.out, "usage: eddy check");
    run_free(&r);
    r = run("check -q examples/mmc.yaml");
    EXPECT_STATUS(r, 2, "a model without hypotheses");
    EXPECT_HAS(r.err, "examples/mmc.yaml: error: the model has no `hypotheses:` to check");
    run_free(&r);
    tmp_path(p, sizeof p, "bad.yaml");
    write_file(p, "duration: 1m\n"
                  "clients: {c: {rate: 10/s, call: s}}\n"
                  "services: {s: {workers: 2, service_time: 1ms}}\n"
                  "hypotheses:\n"
                  "  - {name: a, metric: c.latency_p99, window: run, at_most: 200}\n");
    tmp_path(junit, sizeof junit, "errors.xml");
    r = run("check -q %s %s --junit %s", EXAMPLE, p, junit);
    EXPECT_STATUS(r, 2, "an invalid model among good ones");
    EXPECT_HAS(r.err, "bad.yaml:5:60: error: hypotheses[0].at_most: c.latency_p99 is a latency");
    EXPECT_HAS(r.out, "4 hypotheses: 4 passed, 0 failed"); /* the good one is still judged */
    run_free(&r);
    xmlDoc *d = read_xml(junit);
    xmlNode *root = xmlDocGetRootElement(d);
    assert_int_equal(xml_long(root, "errors"), 1);
    assert_int_equal(xml_long(root, "tests"), 5);
    xmlFreeDoc(d);

    /* a file eddy did not write is kept */
    tmp_path(junit, sizeof junit, "mine.xml");
    write_file(junit, "<notes>mine</notes>\n");
    r = run("check -q %s --junit %s", EXAMPLE, junit);
    EXPECT_STATUS(r, 2, "--junit over a user's file");
    EXPECT_HAS(r.err, "use --force");
    run_free(&r);
    char *kept = slurp(junit, NULL);
    assert_string_equal(kept, "<notes>mine</notes>\n");
    free(kept);
    r = run("check -q %s --junit %s --force", EXAMPLE, junit);
    EXPECT_STATUS(r, 0, "--junit --force");
    run_free(&r);
}

/* Names with XML's special characters survive the round trip. */
static void test_escaping(void **state)
{
    (void)state;
    char p[256], junit[256];
    tmp_path(p, sizeof p, "esc.yaml");
    tmp_path(junit, sizeof junit, "esc.xml");
    write_file(p, "duration: 1m\n"
                  "clients: {c: {rate: 10/s, call: s}}\n"
                  "services: {s: {workers: 2, service_time: 1ms}}\n"
                  "hypotheses:\n"
                  "  - name: \"p99 < 1 ms & \\\"fast\\\" <it's> ]]>\"\n"
                  "    metric: c.latency_p99\n"
                  "    window: run\n"
                  "    at_most: 1us\n");
    run_result r = run("check -q --seeds 1 %s --junit %s", p, junit);
    EXPECT_STATUS(r, 1, "an impossible latency");
    run_free(&r);
    xmlDoc *d = read_xml(junit);
    xmlNode *root = xmlDocGetRootElement(d);
    xmlNode *suite = root->children;
    while (suite && suite->type != XML_ELEMENT_NODE)
        suite = suite->next;
    assert_non_null(suite);
    xmlNode *tc = suite->children;
    while (tc && (tc->type != XML_ELEMENT_NODE || strcmp((const char *)tc->name, "testcase")))
        tc = tc->next;
    assert_non_null(tc);
    xmlChar *name = xmlGetProp(tc, (const xmlChar *)"name");
    assert_string_equal((const char *)name, "p99 < 1 ms & \"fast\" <it's> ]]>");
    xmlFree(name);
    xmlFreeDoc(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_parsed),
        cmocka_unit_test(test_during_union),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_errors_no_faults),
        cmocka_unit_test(test_measure),
        cmocka_unit_test(test_theory),
        cmocka_unit_test(test_edge_retries),
        cmocka_unit_test(test_pass_and_fail),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_input_errors),
        cmocka_unit_test(test_escaping),
    };
    int rc = cmocka_run_group_tests_name("check", tests, setup, teardown);
    xmlCleanupParser();
    return rc;
}
