/* test_engine.c -- the semantics of DESIGN.md section 3, one by one.
 *
 * Retry arithmetic, abandoned (wasted) work, metastability of the retry
 * storm example and its recovery without retries, determinism, contention,
 * faults, actions, deadlines, backoff formulas and memory that tracks
 * requests in flight. */
#include "testsim.h"

#include <math.h>

#include "eddy.h"
#include "analysis/variant.h"
#include "engine/sim.h"
#include "output/csv.h"

/* ---- retries ------------------------------------------------------------- */

static void test_retry_arithmetic_target_down(void **state)
{
    (void)state;
    eddy_model *m = load_text("duration: 60s\n"
                              "clients: {c: {rate: 200/s, call: s, timeout: 1s, retry: {attempts: 4}}}\n"
                              "services: {s: {workers: 2, service_time: 1ms}}\n"
                              "faults: [{at: 0s, for: 60s, target: s, down: true}]\n");
    eddy_result r;
    run_model(m, 1, &r);
    const eddy_client_totals *c = &r.clients[0];
    assert_true(c->offered > 10000);
    assert_int_equal(c->offered + c->retries, 4 * c->offered);
    assert_int_equal(r.engine.attempts, 4 * c->offered);
    assert_int_equal(c->goodput, 0);
    assert_int_equal(c->failed, c->requests);
    assert_int_equal(r.services[0].rejected, r.services[0].arrivals);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_retry_only_on_listed_outcomes(void **state)
{
    (void)state;
    /* A rejection is not retried when `on` lists only timeouts. */
    eddy_model *m = load_text("duration: 20s\n"
                              "clients: {c: {rate: 200/s, call: s, timeout: 1s, retry: {attempts: 4, on: [timeout]}}}\n"
                              "services: {s: {workers: 2, service_time: 1ms}}\n"
                              "faults: [{at: 0s, for: 20s, target: s, down: true}]\n");
    eddy_result r;
    run_model(m, 1, &r);
    assert_int_equal(r.clients[0].retries, 0);
    assert_true(r.clients[0].offered > 1000);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_retry_storm_amplifies_load(void **state)
{
    (void)state;
    /* During a hard outage with timeouts, each user request makes exactly
     * `attempts` attempts, spaced by the timeout: the arrivals at the dead
     * service are 3x the offered load. */
    eddy_model *m = load_text("duration: 40s\n"
                              "clients: {c: {rate: 100/s, call: s, timeout: 100ms, retry: {attempts: 3, on: [timeout]}}}\n"
                              "services: {s: {workers: 1, queue: unlimited, service_time: 1s}}\n");
    eddy_result r;
    run_model(m, 3, &r);
    const eddy_client_totals *c = &r.clients[0];
    /* the service completes only 1/s, so nearly every attempt times out */
    assert_within_rel((double)(c->offered + c->retries) / (double)c->offered, 3.0, 0.01);
    assert_within_rel(col_mean(&r, "s.arrivals", 10, 39), 300, 0.05);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* ---- timeouts abandon, and the callee finishes the work ---------------- */

static void test_abandoned_work_is_wasted(void **state)
{
    (void)state;
    /* Every attempt takes 100 ms and its caller waits only 50 ms. */
    eddy_model *m = load_text("duration: 30s\n"
                              "clients: {c: {rate: 100/s, call: s, timeout: 50ms}}\n"
                              "services: {s: {workers: unlimited, service_time: 100ms}}\n");
    eddy_result r;
    run_model(m, 1, &r);
    const eddy_service_totals *s = &r.services[0];
    assert_true(s->wasted > 2000);
    assert_int_equal(s->wasted, s->completed);
    assert_int_equal(r.clients[0].goodput, 0);
    /* every attempt times out, but for those sent in the last 50 ms */
    assert_true(r.clients[0].timeouts <= r.clients[0].offered);
    assert_true(r.clients[0].offered - r.clients[0].timeouts < 20);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_wasted_counts_exactly_the_abandoned(void **state)
{
    (void)state;
    /* Exponential service with mean = timeout and no queueing: a caller
     * gives up exactly when its service time exceeds the timeout, which
     * happens with probability e^-1. */
    eddy_model *m = load_text("duration: 2000s\n"
                              "clients: {c: {rate: 100/s, call: s, timeout: 100ms}}\n"
                              "services: {s: {workers: unlimited, service_time: {dist: exponential, mean: 100ms}}}\n");
    eddy_result r;
    run_model(m, 1, &r);
    const eddy_service_totals *s = &r.services[0];
    const eddy_client_totals *c = &r.clients[0];
    assert_within_rel((double)s->wasted / (double)s->completed, exp(-1.0), 0.02);
    /* every timed-out attempt was completed later as wasted work, except
     * those still running when the run ended */
    assert_true(c->timeouts >= s->wasted && c->timeouts - s->wasted < 100);
    assert_int_equal(c->goodput + s->wasted, s->completed);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* ---- metastability ----------------------------------------------------- */

static void test_retry_storm_is_metastable(void **state)
{
    (void)state;
    eddy_model *m = load_file_replacing("examples/retry-storm.yaml", NULL, NULL);
    eddy_result r;
    run_model(m, 1, &r);
    double before = col_mean(&r, "shoppers.goodput", 10, 60);
    assert_true(before > 300);
    /* Every interval after the fault window (60s-90s) stays below half. */
    for (size_t i = 0; i < r.series.nrows; i++) {
        double t = eddy_series_at(&r.series, i, 0);
        if (t >= 90)
            assert_true(col_at(&r, "shoppers.goodput", i) < 0.5 * before);
    }
    /* and the database is healthy: it answers at its normal speed, busy
     * with work whose caller has gone (checkout's completions are wasted). */
    assert_true(col_mean(&r, "db.latency_p50", 200, 300) < 0.1);
    assert_true(col_mean(&r, "checkout.wasted", 200, 300) > 0.9 * col_mean(&r, "checkout.completed", 200, 300));
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_retry_storm_without_retries_recovers(void **state)
{
    (void)state;
    eddy_model *m = load_file_replacing("examples/retry-storm.yaml", "attempts: 4", "attempts: 1");
    eddy_result r;
    run_model(m, 1, &r);
    double before = col_mean(&r, "shoppers.goodput", 10, 60);
    /* within a minute of the fault's end, and for the rest of the run */
    for (size_t i = 0; i < r.series.nrows; i++) {
        double t = eddy_series_at(&r.series, i, 0);
        if (t >= 150)
            assert_true(col_at(&r, "shoppers.goodput", i) > 0.8 * before);
    }
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* ---- determinism ----------------------------------------------------------- */

static char *csv_of(eddy_model *m, uint64_t seed, size_t *len)
{
    eddy_result r;
    run_model(m, seed, &r);
    char *buf = NULL;
    FILE *fp = open_memstream(&buf, len);
    assert_non_null(fp);
    assert_int_equal(csv_write_series(fp, &r.series), 0);
    fclose(fp);
    eddy_result_free(&r);
    return buf;
}

static void test_same_seed_same_bytes(void **state)
{
    (void)state;
    eddy_model *m = load_file_replacing("examples/retry-storm.yaml", NULL, NULL);
    size_t a_len, b_len, c_len;
    char *a = csv_of(m, 42, &a_len), *b = csv_of(m, 42, &b_len), *c = csv_of(m, 43, &c_len);
    assert_true(a_len > 1000);
    assert_int_equal(a_len, b_len);
    assert_memory_equal(a, b, a_len);
    assert_true(a_len != c_len || memcmp(a, c, a_len) != 0);
    free(a);
    free(b);
    free(c);
    eddy_model_free(m);
}

static void test_streams_are_per_entity(void **state)
{
    (void)state;
    /* Adding an unrelated client must not change another client's arrivals:
     * the counterfactual analyses compare runs on the same random numbers. */
    eddy_model *a = load_text("duration: 20s\n"
                              "clients: {c: {rate: 50/s, call: s}}\n"
                              "services: {s: {workers: unlimited, service_time: 1ms}}\n");
    eddy_model *b = load_text("duration: 20s\n"
                              "clients: {z: {rate: 70/s, call: s}, c: {rate: 50/s, call: s}}\n"
                              "services: {s: {workers: unlimited, service_time: 1ms}}\n");
    eddy_result ra, rb;
    run_model(a, 5, &ra);
    run_model(b, 5, &rb);
    for (size_t i = 0; i < ra.series.nrows; i++)
        assert_true(col_at(&ra, "c.offered", i) == col_at(&rb, "c.offered", i));
    eddy_result_free(&ra);
    eddy_result_free(&rb);
    eddy_model_free(a);
    eddy_model_free(b);
}

/* ---- contention ------------------------------------------------------------- */

static void test_usl_contention_exact(void **state)
{
    (void)state;
    /* 10 users with no think time keep exactly 10 requests in service, so
     * every request after the first round takes
     * S (1 + sigma (N-1) + kappa N (N-1)) = 10ms * (1 + 0.9 + 0.9) = 28 ms. */
    eddy_model *m = load_text("duration: 30s\n"
                              "clients: {c: {users: 10, think: 0s, call: s}}\n"
                              "services: {s: {workers: unlimited, service_time: 10ms, contention: {sigma: 0.1, kappa: 0.01}}}\n");
    eddy_result r;
    run_model(m, 1, &r);
    assert_within_rel(r.services[0].latency_p50, 0.028, 0.004);
    assert_within_rel(r.services[0].latency_p99, 0.028, 0.004);
    assert_within_rel((double)r.clients[0].goodput / 30.0, 10 / 0.028, 0.01);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* The what-if `eddy diagnose` cuts a contention loop with: from 15 s on,
 * work takes its uncontended 10 ms; before, 28 ms as above. */
static void test_contention_off_action(void **state)
{
    (void)state;
    eddy_model *m = load_text("duration: 30s\n"
                              "clients: {c: {users: 10, think: 0s, call: s}}\n"
                              "services: {s: {workers: unlimited, service_time: 10ms, contention: {sigma: 0.1, kappa: 0.01}}}\n");
    variant_add_action(m, (action_spec){.at = 15 * T_SEC, .client = -1, .service = 0, .cache = -1,
                                        .kind = ACTION_CONTENTION, .contention_on = false});
    eddy_result r;
    run_model(m, 1, &r);
    assert_within_rel(col_mean(&r, "s.latency_p50", 2, 15), 0.028, 0.01);
    assert_within_rel(col_mean(&r, "s.latency_p50", 16, 30), 0.010, 0.01);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_usl_throughput_is_retrograde(void **state)
{
    (void)state;
    /* With kappa > 0 throughput peaks at N* = sqrt((1 - sigma)/kappa) = 10
     * and falls beyond: congestion collapse with no retries at all. */
    const char *fmt = "duration: 30s\n"
                      "clients: {c: {users: %d, think: 0s, call: s}}\n"
                      "services: {s: {workers: unlimited, service_time: {dist: exponential, mean: 10ms}, "
                      "contention: {sigma: 0.0, kappa: 0.01}}}\n";
    double x[3];
    int n[3] = {3, 10, 40};
    for (int i = 0; i < 3; i++) {
        char y[512];
        snprintf(y, sizeof y, fmt, n[i]);
        eddy_model *m = load_text(y);
        eddy_result r;
        run_model(m, 1, &r);
        x[i] = (double)r.clients[0].goodput / 30.0;
        eddy_result_free(&r);
        eddy_model_free(m);
    }
    assert_true(x[1] > x[0]);
    assert_true(x[2] < 0.5 * x[1]);
}

/* ---- the per-edge retries column ------------------------------------------- */

/* `E.retries`, retry attempts sent on an edge per second, is there for an
 * edge with a retry policy of 2 or more attempts: summed over the rows
 * (rate x interval) it is the run total the engine counts (the JSON
 * summary's edges.E.retries), on a client's edge and on a service's. */
static void check_edge_retries(const char *path, const char *service_edge)
{
    eddy_model *m = load_file_replacing(path, NULL, NULL);
    eddy_result r;
    run_model_seed(m, &r);
    size_t tcol = col_index(&r, "time"), checked = 0;
    for (size_t e = 0; e < r.nedges; e++) {
        char name[300];
        snprintf(name, sizeof name, "%s.retries", r.edges[e].name);
        int c = eddy_series_column(&r.series, name);
        if (c < 0)
            continue;
        double sum = 0;
        for (size_t i = 0; i < r.series.nrows; i++) {
            double t0 = eddy_series_at(&r.series, i, tcol);
            double t1 = i + 1 < r.series.nrows ? eddy_series_at(&r.series, i + 1, tcol) : r.duration;
            sum += eddy_series_at(&r.series, i, (size_t)c) * (t1 - t0);
        }
        if (fabs(sum - (double)r.edges[e].retries) > 1e-6 * (double)r.edges[e].retries + 1e-3)
            fail_msg("%s: the column sums to %.3f, the engine counted %llu", name, sum,
                     (unsigned long long)r.edges[e].retries);
        if (!strcmp(r.edges[e].name, service_edge))
            assert_true(r.edges[e].retries > 1000); /* a service's calls retry in this model */
        checked++;
    }
    assert_true(checked >= 2);
    assert_true(eddy_series_column(&r.series, "checkout->payments.retries") < 0); /* no retry policy */
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_edge_retries_column(void **state)
{
    (void)state;
    /* shoppers->checkout and checkout->db retry; checkout->payments does not */
    check_edge_retries("examples/teams.yaml", "checkout->db");
    /* a client's edge without a cache: its column is the client's `retries`, row by row */
    eddy_model *m = load_file_replacing("examples/retry-storm.yaml", NULL, NULL);
    eddy_result r;
    run_model_seed(m, &r);
    double total = 0;
    for (size_t i = 0; i < r.series.nrows; i++) {
        assert_true(col_at(&r, "shoppers->checkout.retries", i) == col_at(&r, "shoppers.retries", i));
        total += col_at(&r, "shoppers->checkout.retries", i);
    }
    assert_true(total > 1000);
    eddy_result_free(&r);
    eddy_model_free(m);
    /* a retry policy that never has a failure to retry: zeros */
    m = load_text("duration: 20s\n"
                  "clients: {c: {rate: 50/s, call: s, timeout: 1s, retry: {attempts: 3}}}\n"
                  "services: {s: {workers: unlimited, service_time: 1ms}}\n");
    run_model(m, 1, &r);
    for (size_t i = 0; i < r.series.nrows; i++)
        assert_true(col_at(&r, "c->s.retries", i) == 0);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* ---- faults and actions -------------------------------------------------------- */

static void test_fault_slow_and_add_latency(void **state)
{
    (void)state;
    eddy_model *m = load_text("duration: 30s\n"
                              "clients: {c: {rate: 100/s, call: s}}\n"
                              "services: {s: {workers: unlimited, service_time: 10ms}}\n"
                              "faults:\n"
                              "  - {at: 10s, for: 5s, target: s, slow: 3}\n"
                              "  - {at: 20s, for: 5s, target: s, add_latency: 50ms}\n");
    eddy_result r;
    run_model(m, 1, &r);
    assert_within_rel(col_mean(&r, "c.latency_p50", 2, 10), 0.010, 0.005);
    assert_within_rel(col_mean(&r, "c.latency_p50", 11, 15), 0.030, 0.005);
    assert_within_rel(col_mean(&r, "c.latency_p50", 21, 25), 0.060, 0.005);
    assert_within_rel(col_mean(&r, "c.latency_p50", 26, 30), 0.010, 0.005);
    /* the service's own time excludes the network */
    assert_within_rel(col_mean(&r, "s.latency_p50", 21, 25), 0.010, 0.005);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_fault_errors_and_down(void **state)
{
    (void)state;
    eddy_model *m = load_text("duration: 40s\n"
                              "clients: {c: {rate: 1000/s, call: s, timeout: 1s}}\n"
                              "services: {s: {workers: unlimited, service_time: 1ms}}\n"
                              "faults:\n"
                              "  - {at: 10s, for: 10s, target: s, errors: 50%}\n"
                              "  - {at: 25s, for: 5s, target: s, down: true}\n");
    eddy_result r;
    run_model(m, 1, &r);
    double arr = col_mean(&r, "s.arrivals", 11, 19);
    assert_within_rel(col_mean(&r, "s.errors", 11, 19) / arr, 0.5, 0.03);
    assert_true(col_mean(&r, "s.errors", 1, 9) == 0);
    assert_within_rel(col_mean(&r, "s.rejected", 26, 30), col_mean(&r, "s.arrivals", 26, 30), 1e-9);
    assert_true(col_mean(&r, "s.completed", 26, 30) == 0);
    assert_within_rel(col_mean(&r, "c.goodput", 31, 40), 1000, 0.05);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_fault_lose_replicas(void **state)
{
    (void)state;
    /* 4 replicas x 1 worker under heavy load; losing 2 halves the
     * capacity, and the lost replicas' queued work never answers. */
    eddy_model *m = load_text("duration: 30s\n"
                              "clients: {c: {rate: 600/s, call: s, timeout: 1s}}\n"
                              "services: {s: {workers: 1, queue: 5, replicas: 4, service_time: 5ms}}\n"
                              "faults: [{at: 10s, for: 10s, target: s, lose_replicas: 2}]\n");
    eddy_result r;
    run_model(m, 1, &r);
    assert_true(col_mean(&r, "s.busy", 2, 10) > 2.5);
    for (size_t i = 0; i < r.series.nrows; i++) {
        double t = eddy_series_at(&r.series, i, 0);
        if (t >= 10 && t < 20)
            assert_true(col_at(&r, "s.busy", i) <= 2.0 + 1e-9);
    }
    assert_within_rel(col_mean(&r, "s.completed", 11, 20), 400, 0.02);
    assert_true(col_mean(&r, "s.busy", 22, 30) > 2.5);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_action_retry_off_and_shed(void **state)
{
    (void)state;
    eddy_model *m = load_text("duration: 40s\n"
                              "clients: {c: {rate: 500/s, call: s, timeout: 1s, retry: {attempts: 3}}}\n"
                              "services: {s: {workers: 2, queue: 0, service_time: 10ms}}\n"
                              "actions:\n"
                              "  - {at: 10s, client: c, retry: off}\n"
                              "  - {at: 20s, client: c, shed: 40%}\n");
    eddy_result r;
    run_model(m, 1, &r);
    assert_true(col_mean(&r, "c.retries", 0, 10) > 100);
    assert_true(col_mean(&r, "c.retries", 10, 40) == 0);
    double shed = col_mean(&r, "c.shed", 20, 40), offered = col_mean(&r, "c.offered", 20, 40);
    assert_true(col_mean(&r, "c.shed", 0, 20) == 0);
    assert_within_rel(shed / (shed + offered), 0.4, 0.03);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_deadline_bounds_the_user_request(void **state)
{
    (void)state;
    /* Attempts time out at 100 ms and would retry 5 times, but the user's
     * deadline of 250 ms ends the request first. */
    eddy_model *m = load_text("duration: 20s\n"
                              "clients: {c: {rate: 100/s, call: s, timeout: 100ms, deadline: 250ms,\n"
                              "              retry: {attempts: 5, on: [timeout]}}}\n"
                              "services: {s: {workers: unlimited, service_time: 1s}}\n");
    eddy_result r;
    run_model(m, 1, &r);
    const eddy_client_totals *c = &r.clients[0];
    assert_int_equal(c->goodput, 0);
    /* attempts at 0, 100 and 200 ms: three per user request */
    assert_within_rel((double)(c->offered + c->retries) / (double)c->offered, 3.0, 0.01);
    assert_true(c->failed > 1900);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_rate_steps(void **state)
{
    (void)state;
    eddy_model *m = load_text("duration: 30s\n"
                              "clients: {c: {rate: [{at: 0s, rate: 100/s}, {at: 10s, rate: 3000/m},\n"
                              "                     {at: 20s, rate: 0/s}], call: s}}\n"
                              "services: {s: {workers: unlimited, service_time: 1ms}}\n");
    eddy_result r;
    run_model(m, 1, &r);
    assert_within_rel(col_mean(&r, "c.offered", 0, 10), 100, 0.1);
    assert_within_rel(col_mean(&r, "c.offered", 10, 20), 50, 0.15);
    assert_true(col_mean(&r, "c.offered", 20, 30) == 0);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_lifo_same_mean_longer_tail(void **state)
{
    (void)state;
    /* LIFO and FIFO are both work-conserving: the same mean response
     * (M/M/1: 1/(mu - lambda)) but LIFO's tail is far longer. */
    const char *fmt = "duration: 1000s\n"
                      "clients: {c: {rate: 800/s, call: s}}\n"
                      "services: {s: {workers: 1, discipline: %s, service_time: {dist: exponential, mean: 1ms}}}\n";
    double mean[2], p99[2];
    const char *d[2] = {"fifo", "lifo"};
    for (int i = 0; i < 2; i++) {
        char y[512];
        snprintf(y, sizeof y, fmt, d[i]);
        eddy_model *m = load_text(y);
        eddy_result r;
        run_model(m, 1, &r);
        mean[i] = r.services[0].latency_mean;
        p99[i] = r.services[0].latency_p99;
        eddy_result_free(&r);
        eddy_model_free(m);
    }
    assert_within_rel(mean[0], 0.005, 0.03);
    assert_within_rel(mean[1], 0.005, 0.03);
    assert_true(p99[1] > 1.5 * p99[0]);
}

static void test_sync_call_holds_callers_worker(void **state)
{
    (void)state;
    /* front calls back, which takes 50 ms; front has 4 workers and no
     * queue.  Because the call holds front's worker, each request occupies
     * a front worker for 51 ms although front's own work is 1 ms: front is
     * an Erlang loss system M/G/4/4 with offered load a = 200/s * 51 ms,
     * and carries a (1 - B(4, a)) workers' worth of it. */
    eddy_model *m = load_text("duration: 300s\n"
                              "clients: {c: {rate: 200/s, call: front}}\n"
                              "services:\n"
                              "  front: {workers: 4, queue: 0, service_time: 1ms, calls: [{to: back}]}\n"
                              "  back: {workers: unlimited, service_time: 50ms}\n");
    eddy_result r;
    run_model(m, 1, &r);
    double a = 200 * 0.051, B = erlang_b(4, a);
    assert_within_rel(r.services[0].busy_mean, a * (1 - B), 0.02);
    assert_within_rel((double)r.services[0].rejected / (double)r.services[0].arrivals, B, 0.02);
    /* back is never the bottleneck: it has unlimited workers */
    assert_int_equal(r.services[1].rejected, 0);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* ---- backoff formulas ----------------------------------------------------------- */

static void test_backoff_formulas(void **state)
{
    (void)state;
    retry_policy p = {.attempts = 10, .backoff = BACKOFF_EXPONENTIAL, .base = 100 * T_MS, .max = 1 * T_SEC,
                      .multiplier = 2, .jitter = JITTER_NONE};
    caller c = {0};
    rng g;
    rng_seed(&g, 1);
    simtime want[] = {100 * T_MS, 200 * T_MS, 400 * T_MS, 800 * T_MS, T_SEC, T_SEC};
    for (int n = 1; n <= 6; n++) {
        c.attempt = (uint16_t)n;
        assert_int_equal(call_backoff(&p, &c, &g), want[n - 1]);
    }
    p.backoff = BACKOFF_CONSTANT;
    c.attempt = 5;
    assert_int_equal(call_backoff(&p, &c, &g), 100 * T_MS);
    p.backoff = BACKOFF_NONE;
    assert_int_equal(call_backoff(&p, &c, &g), 0);

    /* full jitter: U(0, cap), mean cap/2; equal: cap/2 + U(0, cap/2) */
    p.backoff = BACKOFF_EXPONENTIAL;
    c.attempt = 3; /* cap 400 ms */
    double sum = 0;
    for (int i = 0; i < 100000; i++) {
        p.jitter = JITTER_FULL;
        simtime d = call_backoff(&p, &c, &g);
        assert_true(d >= 0 && d <= 400 * T_MS);
        sum += (double)d;
        p.jitter = JITTER_EQUAL;
        d = call_backoff(&p, &c, &g);
        assert_true(d >= 200 * T_MS && d <= 400 * T_MS);
    }
    assert_within_rel(sum / 100000, 200e6, 0.01);

    /* decorrelated: U(base, 3 * previous), capped at max */
    p.jitter = JITTER_DECORRELATED;
    c.prev_sleep = p.base;
    for (int i = 0; i < 1000; i++) {
        simtime prev = c.prev_sleep;
        simtime d = call_backoff(&p, &c, &g);
        assert_true(d >= p.base && d <= p.max);
        assert_true(d <= 3 * prev + 1);
    }
}

/* ---- memory tracks requests in flight --------------------------------------- */

static void test_memory_tracks_inflight_not_total(void **state)
{
    (void)state;
    const char *fmt = "duration: %s\n"
                      "clients: {c: {rate: 3000/s, call: s}}\n"
                      "services: {s: {workers: 4, service_time: {dist: exponential, mean: 1ms}}}\n";
    uint64_t peak[2];
    const char *d[2] = {"30s", "300s"};
    for (int i = 0; i < 2; i++) {
        char y[512];
        snprintf(y, sizeof y, fmt, d[i]);
        eddy_model *m = load_text(y);
        eddy_result r;
        run_model(m, 1, &r);
        peak[i] = r.engine.peak_inflight;
        assert_true(r.engine.attempts > 80000);
        eddy_result_free(&r);
        eddy_model_free(m);
    }
    /* 10x the requests, not 10x the memory */
    assert_true(peak[1] < 2 * peak[0]);
    assert_true(peak[1] < 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retry_arithmetic_target_down),
        cmocka_unit_test(test_retry_only_on_listed_outcomes),
        cmocka_unit_test(test_retry_storm_amplifies_load),
        cmocka_unit_test(test_abandoned_work_is_wasted),
        cmocka_unit_test(test_wasted_counts_exactly_the_abandoned),
        cmocka_unit_test(test_retry_storm_is_metastable),
        cmocka_unit_test(test_retry_storm_without_retries_recovers),
        cmocka_unit_test(test_same_seed_same_bytes),
        cmocka_unit_test(test_streams_are_per_entity),
        cmocka_unit_test(test_usl_contention_exact),
        cmocka_unit_test(test_contention_off_action),
        cmocka_unit_test(test_edge_retries_column),
        cmocka_unit_test(test_usl_throughput_is_retrograde),
        cmocka_unit_test(test_fault_slow_and_add_latency),
        cmocka_unit_test(test_fault_errors_and_down),
        cmocka_unit_test(test_fault_lose_replicas),
        cmocka_unit_test(test_action_retry_off_and_shed),
        cmocka_unit_test(test_deadline_bounds_the_user_request),
        cmocka_unit_test(test_rate_steps),
        cmocka_unit_test(test_lifo_same_mean_longer_tail),
        cmocka_unit_test(test_sync_call_holds_callers_worker),
        cmocka_unit_test(test_backoff_formulas),
        cmocka_unit_test(test_memory_tracks_inflight_not_total),
    };
    return cmocka_run_group_tests_name("engine semantics", tests, NULL, NULL);
}
