/* test_autoscale.c -- autoscalers (the Kubernetes HPA), the replica
 * lifecycle (startup, serving, terminating), and the `scale` action.
 *
 * The HPA arithmetic is pinned against the Kubernetes documentation and
 * the worked example of its scaling-behaviour proposal (KEP 853), calling
 * the engine's functions directly.  In runs, where theory has an answer it
 * is the reference: at a CPU target of 50%, a service offered a = lambda/mu
 * Erlangs settles at a/0.5 replicas, within the tolerance band; measured at
 * a fixed replica count, the metrics equal the M/M/1 utilisation, queue
 * length and arrival rate per replica.  The fighting-controllers example is
 * measured against itself with either controller removed. */
#include "testsim.h"

#include <math.h>

#include "eddy.h"
#include "engine/sim.h"

#define S(x) ((simtime)(x) * T_SEC)

/* An autoscaler spec with the Kubernetes defaults, as the loader sets them. */
static autoscaler_spec hpa_spec(long min, long max)
{
    autoscaler_spec a;
    memset(&a, 0, sizeof a);
    a.metric = METRIC_CPU;
    a.target = 0.5;
    a.tolerance = 0.1;
    a.sync = S(15);
    a.min = min;
    a.max = max;
    a.up = (scale_rules){.stabilization = 0, .percent = 100, .pods = 4, .period = S(15), .select = SELECT_MAX};
    a.down = (scale_rules){.stabilization = S(300), .percent = 100, .pods = -1, .period = S(15), .select = SELECT_MAX};
    return a;
}

/* ---- the replica calculator ------------------------------------------------- */

static void test_hpa_desired_count(void **state)
{
    (void)state;
    /* desired = ceil(current * metric / target) */
    assert_int_equal(hpa_calc(2.0, 4, 0, 4, 0.1), 8);
    assert_int_equal(hpa_calc(0.5, 10, 0, 10, 0.1), 5);
    assert_int_equal(hpa_calc(1.25, 3, 0, 3, 0.1), 4);  /* ceil(3.75) */
    assert_int_equal(hpa_calc(0.34, 10, 0, 10, 0.1), 4); /* ceil(3.4) */
    /* within the tolerance: no change, whatever the product says */
    assert_int_equal(hpa_calc(1.09, 10, 0, 10, 0.1), 10);
    assert_int_equal(hpa_calc(0.91, 10, 0, 10, 0.1), 10);
    assert_int_equal(hpa_calc(1.11, 10, 0, 10, 0.1), 12);
    assert_int_equal(hpa_calc(1.3, 10, 0, 10, 0.5), 10);
    /* pods still starting count as idle on a scale-up: 3 ready at 2x the
     * target with 1 starting is 1.5x over 4 pods, ceil(6) */
    assert_int_equal(hpa_calc(2.0, 3, 1, 4, 0.1), 6);
    /* ... and if that brings the ratio within the tolerance, nothing moves */
    assert_int_equal(hpa_calc(2.0, 2, 2, 4, 0.1), 4);
    /* ... or reverses the direction */
    assert_int_equal(hpa_calc(1.5, 2, 2, 4, 0.1), 4);
    /* on a scale-down they are left out */
    assert_int_equal(hpa_calc(0.5, 4, 2, 6, 0.1), 2);
    /* no replica serving: no metric, no change */
    assert_int_equal(hpa_calc(3.0, 0, 2, 2, 0.1), 2);
}

/* ---- stabilization windows ------------------------------------------------- */

static void test_scale_down_stabilization_keeps_the_window_max(void **state)
{
    (void)state;
    /* KEP 853's example: a 600 s scale-down window, one recommendation a
     * minute from 10 replicas: 10, 9, 8, 9, 9, 8, 9, 8, 9, then 8 -- the
     * largest in the window is 10, nothing changes.  A minute later the 10
     * has left the window: with 7 recommended, the count goes to 9. */
    autoscaler_spec a = hpa_spec(1, 100);
    a.down.stabilization = S(600);
    a.down.percent = -1;
    a.down.pods = 5;
    a.down.period = S(600);
    hpa_rt h = {0};
    hpa_init(&h, &a);
    const long recs[] = {10, 9, 8, 9, 9, 8, 9, 8, 9, 8};
    for (int k = 0; k < 10; k++)
        assert_int_equal(hpa_normalize(&h, S(60 * k), 10, recs[k]), 10);
    assert_int_equal(hpa_normalize(&h, S(600), 10, 7), 9);
    hpa_free(&h);

    /* the default 300 s: a drop is held for five minutes, then taken */
    a = hpa_spec(1, 100);
    h = (hpa_rt){0};
    hpa_init(&h, &a);
    assert_int_equal(hpa_normalize(&h, 0, 10, 10), 10);
    for (int t = 15; t < 300; t += 15)
        assert_int_equal(hpa_normalize(&h, S(t), 10, 4), 10);
    assert_int_equal(hpa_normalize(&h, S(300), 10, 4), 4);
    hpa_free(&h);
}

static void test_scale_up_stabilization_keeps_the_window_min(void **state)
{
    (void)state;
    autoscaler_spec a = hpa_spec(1, 100);
    a.up.stabilization = S(60);
    hpa_rt h = {0};
    hpa_init(&h, &a);
    assert_int_equal(hpa_normalize(&h, 0, 10, 12), 12);
    assert_int_equal(hpa_normalize(&h, S(15), 10, 15), 12); /* min(12, 15) */
    assert_int_equal(hpa_normalize(&h, S(30), 10, 11), 11);
    assert_int_equal(hpa_normalize(&h, S(59), 10, 20), 11);
    /* the 12 (t=0) and 15 (t=15) have left; the 11 (t=30) has not */
    assert_int_equal(hpa_normalize(&h, S(75), 10, 20), 11);
    assert_int_equal(hpa_normalize(&h, S(91), 10, 20), 20);
    /* without a window (the default) the proposal is taken at once */
    a = hpa_spec(1, 100);
    hpa_rt g = {0};
    hpa_init(&g, &a);
    assert_int_equal(hpa_normalize(&g, 0, 10, 12), 12);
    hpa_free(&g);
    hpa_free(&h);
}

/* ---- rate policies ---------------------------------------------------------- */

static void test_rate_policies(void **state)
{
    (void)state;
    /* The default scale-up: max(100%, 4 pods) per 15 s.  From 2 replicas
     * that is 6 (pods wins); from 10, 20 (percent wins). */
    autoscaler_spec a = hpa_spec(1, 1000);
    hpa_rt h = {0};
    hpa_init(&h, &a);
    assert_int_equal(hpa_normalize(&h, 0, 2, 100), 6);
    hpa_store_event(&h, 0, 2, 6);
    /* within the period the change already made counts: no more */
    assert_int_equal(hpa_normalize(&h, S(5), 6, 100), 6);
    /* once it is out of the period, doubling again (12 > 6 + 4) */
    assert_int_equal(hpa_normalize(&h, S(15), 6, 100), 12);
    hpa_free(&h);

    /* select: min takes the policy allowing the smaller change */
    a = hpa_spec(1, 1000);
    a.up.select = SELECT_MIN;
    h = (hpa_rt){0};
    hpa_init(&h, &a);
    assert_int_equal(hpa_normalize(&h, 0, 2, 100), 4);   /* min(4, 6) */
    assert_int_equal(hpa_normalize(&h, 0, 10, 100), 14); /* min(20, 14) */
    hpa_free(&h);

    /* select: disabled stops scaling that way */
    a = hpa_spec(1, 1000);
    a.up.select = SELECT_DISABLED;
    h = (hpa_rt){0};
    hpa_init(&h, &a);
    assert_int_equal(hpa_normalize(&h, 0, 5, 100), 5);
    hpa_free(&h);

    /* scale-down: 50% or 3 pods per 60 s, no stabilization.  From 10:
     * max picks the larger change (5), min the smaller (7). */
    a = hpa_spec(1, 1000);
    a.down = (scale_rules){.stabilization = 0, .percent = 50, .pods = 3, .period = S(60), .select = SELECT_MAX};
    h = (hpa_rt){0};
    hpa_init(&h, &a);
    assert_int_equal(hpa_normalize(&h, 0, 10, 1), 5);
    hpa_store_event(&h, 0, 10, 5);
    /* the period began at 10: 50% of 10 is 5, already there */
    assert_int_equal(hpa_normalize(&h, S(30), 5, 1), 5);
    assert_int_equal(hpa_normalize(&h, S(61), 5, 1), 2); /* trunc(5 * 0.5) */
    hpa_free(&h);
    a.down.select = SELECT_MIN;
    h = (hpa_rt){0};
    hpa_init(&h, &a);
    assert_int_equal(hpa_normalize(&h, 0, 10, 1), 7);
    hpa_free(&h);
}

static void test_min_max_clamp(void **state)
{
    (void)state;
    autoscaler_spec a = hpa_spec(3, 8);
    a.down.stabilization = 0;
    hpa_rt h = {0};
    hpa_init(&h, &a);
    assert_int_equal(hpa_normalize(&h, 0, 4, 100), 8);
    assert_int_equal(hpa_normalize(&h, S(100), 6, 0), 3);
    assert_int_equal(hpa_normalize(&h, S(200), 6, 2), 3);
    assert_int_equal(hpa_normalize(&h, S(300), 6, 7), 7);
    hpa_free(&h);

    /* In a run: a scale action above max is brought back to max at the
     * next sync, and below min up to min. */
    eddy_model *m = load_text("duration: 120s\n"
                              "clients: {c: {rate: 100/s, call: api}}\n"
                              "services: {api: {workers: 4, service_time: {dist: exponential, mean: 10ms}, replicas: 4}}\n"
                              "autoscalers: {hpa: {service: api, metric: cpu, target: 25%, min: 2, max: 6}}\n"
                              "actions: [{at: 20s, service: api, scale: 9}, {at: 61s, service: api, scale: 1}]\n");
    eddy_result r;
    run_model_seed(m, &r);
    assert_int_equal((long)col_at(&r, "api.desired", 20), 9);
    assert_int_equal((long)col_at(&r, "api.desired", 31), 6); /* the sync at 30 s */
    assert_int_equal((long)col_at(&r, "api.desired", 61), 1);
    assert_int_equal((long)col_at(&r, "api.desired", 76), 2); /* the sync at 75 s */
    assert_true(col_max(&r, "api.replicas", 0, 120) <= 9 + 1e-9);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* ---- runs against theory ----------------------------------------------------- */

static double last(const eddy_result *r, const char *col) { return col_at(r, col, r->series.nrows - 1); }

static void test_cpu_target_settles_where_theory_says(void **state)
{
    (void)state;
    /* lambda = 1000/s, mu = 100/s per single-worker replica: a = 10
     * Erlangs.  At a 50% CPU target the HPA wants a / 0.5 = 20 replicas;
     * with tolerance 0.1 any n with |10/n / 0.5 - 1| <= 0.1 is a rest
     * point: 19 <= n <= 22.  Starting from 2 it overshoots (new pods are
     * idle while they start) and the 300 s window brings it back. */
    eddy_model *m = load_text("duration: 1200s\nsample: 5s\n"
                              "clients: {c: {rate: 1000/s, call: api}}\n"
                              "services: {api: {workers: 1, queue: 50, service_time: {dist: exponential, mean: 10ms},\n"
                              "                 replicas: 2, startup: 10s}}\n"
                              "autoscalers: {hpa: {service: api, metric: cpu, target: 0.5, max: 40}}\n");
    eddy_result r;
    run_model_seed(m, &r);
    double n = last(&r, "api.replicas");
    assert_true(n >= 19 && n <= 22);
    /* settled: the same count for the last 400 s */
    for (size_t i = 0; i < r.series.nrows; i++)
        if (col_at(&r, "time", i) >= 800)
            assert_true(col_at(&r, "api.replicas", i) == n);
    /* and the utilisation it measures is the theory's a/n */
    assert_within_rel(col_mean(&r, "hpa.metric", 800, 1200), 10.0 / n, 0.03);
    assert_within_rel(col_mean(&r, "api.busy", 800, 1200) / n, 10.0 / n, 0.03);
    /* on the way it scaled up by at most max(100%, 4 pods) per 15 s */
    assert_int_equal((long)col_at(&r, "api.desired", 3), 4); /* first sync, 15 s: 2 -> 4 */
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_rps_target_settles_in_band(void **state)
{
    (void)state;
    /* 1000/s at 50/s per replica is 20 replicas; from 2 the default
     * scale-up policy allows 2 -> 6 (4 pods) -> 12 (100%) -> ~20, and it
     * rests within the tolerance band 1000/50/n in [0.9, 1.1]. */
    eddy_model *m = load_text("duration: 300s\n"
                              "clients: {c: {rate: 1000/s, call: api}}\n"
                              "services: {api: {workers: 4, service_time: {dist: exponential, mean: 10ms}, replicas: 2}}\n"
                              "autoscalers: {hpa: {service: api, metric: rps, target: 50/s, max: 40}}\n");
    eddy_result r;
    run_model_seed(m, &r);
    assert_int_equal((long)col_at(&r, "api.desired", 15), 6);
    assert_int_equal((long)col_at(&r, "api.desired", 30), 12);
    double n = last(&r, "api.replicas");
    assert_true(n >= 19 && n <= 22);
    assert_within_rel(col_mean(&r, "hpa.metric", 100, 300) * n, 1000, 0.02);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_metrics_match_mm1(void **state)
{
    (void)state;
    /* Ten single-worker replicas at rho = 0.8, held there (min = max):
     * cpu reads rho, rps lambda/10, queue the M/M/1 mean queue length
     * rho^2 / (1 - rho) = 3.2 per replica. */
    eddy_model *m = load_text("duration: 3000s\nsample: 10s\n"
                              "clients: {c: {rate: 800/s, call: api}}\n"
                              "services: {api: {workers: 1, service_time: {dist: exponential, mean: 10ms}, replicas: 10}}\n"
                              "autoscalers:\n"
                              "  u: {service: api, metric: cpu, target: 0.5, min: 10, max: 10}\n"
                              "  q: {service: api, metric: queue, target: 1, min: 10, max: 10}\n"
                              "  n: {service: api, metric: rps, target: 10/s, min: 10, max: 10}\n");
    eddy_result r;
    run_model_seed(m, &r);
    assert_within_rel(col_mean(&r, "u.metric", 20, 3000), 0.8, 0.01);
    assert_within_rel(col_mean(&r, "n.metric", 20, 3000), 80, 0.01);
    assert_within_rel(col_mean(&r, "q.metric", 20, 3000), 3.2, 0.06);
    assert_true(col_max(&r, "api.desired", 0, 3000) == 10);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* ---- the replica lifecycle ------------------------------------------------------- */

static void test_startup_delay_and_routing(void **state)
{
    (void)state;
    /* 2 single-worker replicas, overloaded at 400/s (mu = 100); at 10 s
     * the service is scaled to 6.  The new pods serve from 30 s (startup
     * 20 s): until then routing gives them nothing, so at most 2 workers
     * are busy. */
    eddy_model *m = load_text("duration: 60s\n"
                              "clients: {c: {rate: 400/s, call: api}}\n"
                              "services: {api: {workers: 1, queue: 100, service_time: {dist: exponential, mean: 10ms},\n"
                              "                 replicas: 2, startup: 20s}}\n"
                              "actions: [{at: 10500ms, service: api, scale: 6}]\n");
    eddy_result r;
    run_model_seed(m, &r);
    for (size_t i = 0; i < r.series.nrows; i++) {
        double t = col_at(&r, "time", i);
        /* serving from 30.5 s: half of the interval at 30 s */
        assert_true(col_at(&r, "api.replicas", i) == (t < 30 ? 2 : t < 31 ? 4 : 6));
        assert_true(col_at(&r, "api.desired", i) == (t < 10 ? 2 : 6));
    }
    assert_true(col_max(&r, "api.busy", 0, 30) <= 2 + 1e-9);
    assert_true(col_mean(&r, "api.busy", 40, 60) > 3.5); /* 4 Erlangs over 6 */
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_terminating_replicas_finish_their_work(void **state)
{
    (void)state;
    /* 4 single-worker replicas (1 s of work) overloaded twice over for
     * 10 s, so each has a queue of ~10, then light load.  Scaling 4 -> 2
     * at 10.5 s takes two replicas out of routing, but they answer what
     * they hold: all four stay busy for seconds, and no attempt times out.
     * Losing them to a fault instead loses their work, which times out. */
    const char *base = "duration: 120s\n"
                       "clients: {c: {rate: [{at: 0s, rate: 8/s}, {at: 10s, rate: 0.2/s}], call: api, timeout: 60s}}\n"
                       "services: {api: {workers: 1, service_time: 1s, replicas: 4}}\n";
    char y[1024];
    snprintf(y, sizeof y, "%sactions: [{at: 10500ms, service: api, scale: 2}]\n", base);
    eddy_model *m = load_text(y);
    eddy_result r;
    run_model_seed(m, &r);
    assert_int_equal(r.clients[0].timeouts, 0);
    assert_true(col_at(&r, "api.replicas", 11) == 2);
    assert_true(col_mean(&r, "api.busy", 11, 15) > 3.5); /* the terminating pods still work */
    assert_int_equal(r.clients[0].goodput, r.clients[0].requests);
    eddy_result_free(&r);
    eddy_model_free(m);
    snprintf(y, sizeof y, "%sfaults: [{at: 10500ms, for: 30s, target: api, lose_replicas: 2}]\n", base);
    m = load_text(y);
    run_model_seed(m, &r);
    assert_true(r.clients[0].timeouts > 0);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_lost_replicas_are_replaced(void **state)
{
    (void)state;
    /* An autoscaler held at 4 (min 4; the load wants fewer) with slots for
     * 8: a fault takes 2 pods at 20 s; replacements start in free slots
     * and serve 5 s later, while the lost slots stay down to 50 s. */
    eddy_model *m = load_text("duration: 70s\n"
                              "clients: {c: {rate: 10/s, call: api}}\n"
                              "services: {api: {workers: 1, service_time: 10ms, replicas: 4, startup: 5s}}\n"
                              "autoscalers: {hpa: {service: api, metric: rps, target: 1000/s, min: 4, max: 8}}\n"
                              "faults: [{at: 20s, for: 30s, target: api, lose_replicas: 2}]\n");
    eddy_result r;
    run_model_seed(m, &r);
    for (size_t i = 0; i < r.series.nrows; i++) {
        double t = col_at(&r, "time", i), n = col_at(&r, "api.replicas", i);
        assert_true(n == (t >= 20 && t < 25 ? 2 : 4));
    }
    eddy_result_free(&r);
    eddy_model_free(m);
    /* down: every slot; the pods come back a startup after the window */
    m = load_text("duration: 70s\n"
                  "clients: {c: {rate: 10/s, call: api}}\n"
                  "services: {api: {workers: 1, service_time: 10ms, replicas: 3, startup: 5s}}\n"
                  "faults: [{at: 20s, for: 30s, target: api, down: true}]\n");
    run_model_seed(m, &r);
    for (size_t i = 0; i < r.series.nrows; i++) {
        double t = col_at(&r, "time", i), n = col_at(&r, "api.replicas", i);
        assert_true(n == (t >= 20 && t < 55 ? 0 : 3));
    }
    assert_true(col_mean(&r, "api.rejected", 21, 54) > 9);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_lanes_on_every_slot(void **state)
{
    (void)state;
    /* bulkheads on a service scaled from 2 to 6: each new replica has its
     * lanes, and each caller keeps its partition (at most 1 worker per
     * replica for batch). */
    eddy_model *m = load_text("duration: 60s\n"
                              "clients:\n"
                              "  web: {rate: 200/s, call: s}\n"
                              "  batch: {rate: 400/s, call: s, timeout: 1s}\n"
                              "services:\n"
                              "  s: {workers: 4, queue: 20, service_time: {dist: exponential, mean: 10ms}, replicas: 2,\n"
                              "      bulkheads: {web: {workers: 3}, batch: {workers: 1, queue: 5}}}\n"
                              "actions: [{at: 20s, service: s, scale: 6}]\n");
    eddy_result r;
    run_model_seed(m, &r);
    assert_true(col_max(&r, "s.busy", 0, 20) <= 8 + 1e-9);
    assert_within_rel(col_mean(&r, "web.goodput", 5, 60), 200, 0.05);
    /* batch's partition: 1 worker per replica, mu = 100 -- 200/s on 2, 400/s on 6 */
    assert_within_rel(col_mean(&r, "batch.goodput", 5, 20), 200, 0.05);
    assert_within_rel(col_mean(&r, "batch.goodput", 25, 60), 400, 0.06);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_hedges_go_to_serving_replicas(void **state)
{
    (void)state;
    /* Hedge copies pick a replica their siblings did not use: on a scaled
     * service, among the serving ones only, so starting replicas get no
     * work (busy never exceeds the serving single-worker replicas). */
    eddy_model *m = load_text("duration: 60s\nsample: 500ms\n"
                              "clients: {c: {rate: 300/s, call: api, timeout: 1s, hedge: {delay: 20ms, attempts: 3}}}\n"
                              "services: {api: {workers: 1, queue: 20, service_time: {dist: exponential, mean: 10ms},\n"
                              "                 replicas: 2, startup: 10s}}\n"
                              "actions: [{at: 10500ms, service: api, scale: 8}, {at: 40500ms, service: api, scale: 3}]\n");
    eddy_result r;
    run_model_seed(m, &r);
    /* (until the scale-down at 40.5 s, after which terminating replicas
     * still work on what they hold) */
    for (size_t i = 0; i < r.series.nrows; i++)
        if (col_at(&r, "time", i) < 40)
            assert_true(col_at(&r, "api.busy", i) <= col_at(&r, "api.replicas", i) + 1e-9);
    assert_true(col_max(&r, "api.busy", 0, 20.5) <= 2 + 1e-9);
    assert_true(col_mean(&r, "c->api.hedges", 0, 60) > 0);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* ---- fighting controllers ---------------------------------------------------------- */

/* Direction reversals of a column over the rows in [t0, t1). */
static int reversals(const eddy_result *r, const char *name, double t0, double t1)
{
    int dir = 0, n = 0;
    double prev = NAN;
    for (size_t i = 0; i < r->series.nrows; i++) {
        double t = col_at(r, "time", i), v = col_at(r, name, i);
        if (t < t0 || t >= t1)
            continue;
        if (!isnan(prev) && v != prev) {
            int d = v > prev ? 1 : -1;
            n += dir && d != dir;
            dir = d;
        }
        prev = v;
    }
    return n;
}

#define FIGHT "examples/fighting-autoscalers.yaml"
#define DEPTH_LINE                                                                                                    \
    "  depth: {service: api, metric: queue, target: 2, tolerance: 0.3, sync: 10s, min: 2, max: 40, scale_down: "      \
    "{stabilization: 0s, pods: 2, percent: off, period: 10s}}\n"
#define HPA_LINE "  hpa: {service: api, metric: cpu, target: 50%, max: 40}\n"

static void test_fighting_autoscalers_never_settle(void **state)
{
    (void)state;
    eddy_model *m = load_file_replacing(FIGHT, NULL, NULL);
    eddy_result r;
    run_model_seed(m, &r);
    int both = reversals(&r, "api.replicas", 900, 1800);
    print_message("fighting: %d reversals of api.replicas in the second half\n", both);
    assert_true(both >= 15);
    /* it keeps swinging by several replicas */
    double lo = 1e9, hi = 0;
    for (size_t i = 0; i < r.series.nrows; i++)
        if (col_at(&r, "time", i) >= 900) {
            double v = col_at(&r, "api.replicas", i);
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
    assert_true(hi - lo >= 3);
    eddy_result_free(&r);
    eddy_model_free(m);

    /* either controller alone settles */
    m = load_file_replacing(FIGHT, DEPTH_LINE, "");
    run_model_seed(m, &r);
    int hpa_alone = reversals(&r, "api.replicas", 900, 1800);
    double n = last(&r, "api.replicas");
    print_message("hpa alone: %d reversals, %g replicas\n", hpa_alone, n);
    assert_true(hpa_alone <= 1);
    assert_true(n >= 19 && n <= 22);
    eddy_result_free(&r);
    eddy_model_free(m);
    m = load_file_replacing(FIGHT, HPA_LINE, "");
    run_model_seed(m, &r);
    int depth_alone = reversals(&r, "api.replicas", 900, 1800);
    print_message("depth alone: %d reversals, %g replicas\n", depth_alone, last(&r, "api.replicas"));
    assert_true(depth_alone <= 1);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_deterministic(void **state)
{
    (void)state;
    eddy_model *m = load_file_replacing(FIGHT, "duration: 30m", "duration: 5m");
    eddy_result a, b, c;
    run_model(m, 11, &a);
    run_model(m, 11, &b);
    run_model(m, 12, &c);
    assert_int_equal(a.series.nrows, b.series.nrows);
    assert_int_equal(a.series.ncols, b.series.ncols);
    assert_memory_equal(a.series.values, b.series.values, a.series.nrows * a.series.ncols * sizeof(double));
    assert_true(memcmp(a.series.values, c.series.values, a.series.nrows * a.series.ncols * sizeof(double)) != 0);
    eddy_result_free(&a);
    eddy_result_free(&b);
    eddy_result_free(&c);
    eddy_model_free(m);
}

static void test_columns_only_when_used(void **state)
{
    (void)state;
    eddy_model *m = load_text("duration: 5s\n"
                              "clients: {c: {rate: 10/s, call: api}}\n"
                              "services: {api: {workers: 1, service_time: 1ms, replicas: 3}}\n");
    eddy_result r;
    run_model_seed(m, &r);
    assert_int_equal(eddy_series_column(&r.series, "api.replicas"), -1);
    assert_int_equal(eddy_series_column(&r.series, "api.desired"), -1);
    eddy_result_free(&r);
    eddy_model_free(m);
    /* a scale action alone gives the service its columns */
    m = load_text("duration: 5s\n"
                  "clients: {c: {rate: 10/s, call: api}}\n"
                  "services: {api: {workers: 1, service_time: 1ms, replicas: 3}}\n"
                  "actions: [{at: 2s, service: api, scale: 1}]\n");
    run_model_seed(m, &r);
    assert_true(col_at(&r, "api.replicas", 0) == 3);
    assert_true(col_at(&r, "api.replicas", 4) == 1);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* ---- malformed input ------------------------------------------------------------- */

static void test_malformed(void **state)
{
    (void)state;
    const char *head = "duration: 10s\nclients: {c: {rate: 1/s, call: s}}\nservices:\n"
                       "  s: {workers: 2, service_time: 1ms}\n"
                       "  u: {workers: unlimited, service_time: 1ms}\n";
    char y[1024];
#define BAD(body, line, col, needle)                        \
    do {                                                    \
        snprintf(y, sizeof y, "%s%s", head, body);          \
        expect_load_error(y, line, col, needle);            \
    } while (0)
    BAD("autoscalers: {a: {service: s, metric: cpu, target: 50%, max: 4, sink: 15s}}\n", 6, 65, "unknown key 'sink'");
    BAD("autoscalers: {a: {service: s, metric: memory, target: 50%, max: 4}}\n", 6, 39, "cpu|queue|rps");
    BAD("autoscalers: {a: {service: x, metric: cpu, target: 50%, max: 4}}\n", 6, 28, "no service named 'x'");
    BAD("autoscalers: {a: {service: s, metric: cpu, target: 50%}}\n", 6, 15, "missing key 'max'");
    BAD("autoscalers: {a: {service: s, metric: cpu, max: 4}}\n", 6, 15, "missing key 'target'");
    BAD("autoscalers: {a: {service: u, metric: cpu, target: 50%, max: 4}}\n", 6, 39, "unlimited workers");
    BAD("autoscalers: {a: {service: s, metric: cpu, target: 150%, max: 4}}\n", 6, 52, "expected a fraction");
    BAD("autoscalers: {a: {service: s, metric: rps, target: 50, max: 4}}\n", 6, 52, "expected a rate");
    BAD("autoscalers: {a: {service: s, metric: queue, target: 0, max: 4}}\n", 6, 54, "greater than zero");
    BAD("autoscalers: {a: {service: s, metric: cpu, target: 50%, min: 5, max: 4}}\n", 6, 70,
        "max (4) must not be less than min (5)");
    BAD("autoscalers: {a: {service: s, metric: cpu, target: 50%, min: 0, max: 4}}\n", 6, 62, "at least 1");
    BAD("autoscalers: {a: {service: s, metric: cpu, target: 50%, max: 4, sync: 0s}}\n", 6, 71, "greater than zero");
    BAD("autoscalers: {a: {service: s, metric: cpu, target: 50%, max: 4, scale_up: {select: fastest}}}\n", 6, 84,
        "max|min|disabled");
    BAD("autoscalers: {a: {service: s, metric: cpu, target: 50%, max: 4, scale_up: {percent: 50}}}\n", 6, 85,
        "expected a percentage");
    BAD("autoscalers: {a: {service: s, metric: cpu, target: 50%, max: 4, scale_up: {percent: off, pods: off}}}\n", 6, 75,
        "both off");
    BAD("autoscalers: {a: {service: s, metric: cpu, target: 50%, max: 4, scale_down: {stabilization: 2h}}}\n", 6, 93,
        "of at most 1h");
    BAD("autoscalers: {a: {service: s, metric: cpu, target: 50%, max: 4, scale_down: {windw: 1s}}}\n", 6, 78,
        "unknown key 'windw'");
    BAD("autoscalers: {s: {service: s, metric: cpu, target: 50%, max: 4}}\n", 6, 15, "also a service name");
    BAD("autoscalers: {a: {service: s, metric: cpu, target: 50%, max: 4}, a: {service: s, metric: rps, target: 1/s, "
        "max: 4}}\n",
        6, 66, "duplicate autoscaler name 'a' (first given at line 6");
    BAD("autoscalers: [a]\n", 6, 14, "a mapping of autoscaler names");
    BAD("actions: [{at: 1s, client: c, scale: 3}]\n", 6, 31, "name the service with 'service:'");
    BAD("actions: [{at: 1s, service: s, scale: many}]\n", 6, 39, "expected a whole number");
    BAD("actions: [{at: 1s, service: s, scale: 3, drain: true}]\n", 6, 42, "an action does one thing");
    snprintf(y, sizeof y, "duration: 10s\nclients: {c: {rate: 1/s, call: s}}\nservices:\n"
                          "  s: {workers: 2, service_time: 1ms, startup: soon}\n");
    expect_load_error(y, 4, 47, "expected a duration");
#undef BAD
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hpa_desired_count),
        cmocka_unit_test(test_scale_down_stabilization_keeps_the_window_max),
        cmocka_unit_test(test_scale_up_stabilization_keeps_the_window_min),
        cmocka_unit_test(test_rate_policies),
        cmocka_unit_test(test_min_max_clamp),
        cmocka_unit_test(test_cpu_target_settles_where_theory_says),
        cmocka_unit_test(test_rps_target_settles_in_band),
        cmocka_unit_test(test_metrics_match_mm1),
        cmocka_unit_test(test_startup_delay_and_routing),
        cmocka_unit_test(test_terminating_replicas_finish_their_work),
        cmocka_unit_test(test_lost_replicas_are_replaced),
        cmocka_unit_test(test_lanes_on_every_slot),
        cmocka_unit_test(test_hedges_go_to_serving_replicas),
        cmocka_unit_test(test_fighting_autoscalers_never_settle),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_columns_only_when_used),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
