/* test_hedge.c -- hedged requests and caller-side bulkheads on call edges.
 *
 * Hedging is pinned where it has exact answers: a copy leaves exactly
 * `delay` after the first, at low load the latency of a hedged call is
 * min(X1, delay + X2) for independent service times (checked against the
 * integral and the quantile of that distribution), every hedged call
 * leaves exactly one loser to be served as waste, and caps hold by
 * Little's law.  Then the dynamics: at high load hedges feed the loop
 * latency -> hedges -> load.  A bulkhead with max_wait 0 in front of a
 * callee with exponential times and unlimited workers is an M/M/c/c loss
 * system (Erlang B); with a long max_wait it is an M/M/c queue (Erlang C). */
#include "testsim.h"

#include <math.h>

#include "eddy.h"

static eddy_model *load_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static eddy_model *load_fmt(const char *fmt, ...)
{
    static char text[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return load_text(text);
}

/* ---- timing -------------------------------------------------------------------- */

static void test_hedge_sent_exactly_at_delay(void **state)
{
    (void)state;
    /* One user asks at t = 1.0002 s; the callee takes 100 ms, so the copy
     * is due at 1.0002 + 35.5 ms = 1.0357 s.  With 1 ms rows the two
     * arrivals fall in the rows starting at 1.000 and 1.035, and nowhere
     * else. */
    eddy_model *m = load_text("duration: 1100ms\nsample: 1ms\n"
                              "clients: {u: {users: 1, think: 1000200us, call: s, timeout: 1s,\n"
                              "              hedge: {delay: 35500us}}}\n"
                              "services: {s: {workers: unlimited, service_time: 100ms}}\n");
    eddy_result r;
    run_model_seed(m, &r);
    size_t ca = col_index(&r, "s.arrivals"), ch = col_index(&r, "u->s.hedges");
    int rows = 0;
    for (size_t i = 0; i < r.series.nrows; i++) {
        double t = eddy_series_at(&r.series, i, 0), a = eddy_series_at(&r.series, i, ca);
        double h = eddy_series_at(&r.series, i, ch);
        if (a == 0 && h == 0)
            continue;
        rows++;
        if (fabs(t - 1.000) < 1e-9) {
            assert_within_rel(a, 1000.0, 1e-9); /* the first copy */
            assert_true(h == 0);
        } else if (fabs(t - 1.035) < 1e-9) {
            assert_within_rel(a, 1000.0, 1e-9); /* the hedge */
            assert_within_rel(h, 1000.0, 1e-9);
        } else {
            fail_msg("arrivals in the row at %.3f s", t);
        }
    }
    assert_int_equal(rows, 2);
    /* one hedge, it lost: the callee finished it for nobody */
    assert_int_equal(tot_edge(&r, "u->s")->hedges, 1);
    assert_int_equal(tot_edge(&r, "u->s")->hedge_wins, 0);
    eddy_result_free(&r);
    eddy_model_free(m);

    /* Statistically too: with uniform(0, 100 ms) service times, a hedge
     * goes out for every call slower than the delay, P(X > 30 ms) = 0.7. */
    m = load_text("duration: 200s\n"
                  "clients: {u: {rate: 200/s, call: s, hedge: {delay: 30ms}}}\n"
                  "services: {s: {workers: unlimited, replicas: 4, service_time: {dist: uniform, min: 0ms, max: 100ms}}}\n");
    run_model_seed(m, &r);
    assert_within_rel((double)tot_edge(&r, "u->s")->hedges / (double)r.clients[0].requests, 0.70, 0.015);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_hedge_goes_to_another_replica(void **state)
{
    (void)state;
    /* Two replicas of one worker each and a constant 100 ms: the hedge at
     * 30 ms finds the other replica idle only if it is sent there; on the
     * same replica it would wait 70 ms (a service latency of 170 ms). */
    eddy_model *m = load_text("duration: 300s\n"
                              "clients: {u: {users: 1, think: 500ms, call: s,\n"
                              "              hedge: {delay: 30ms}}}\n"
                              "services: {s: {workers: 1, queue: unlimited, replicas: 2, service_time: 100ms}}\n");
    eddy_result r;
    run_model_seed(m, &r);
    const eddy_service_totals *s = tot_service(&r, "s");
    assert_true(tot_edge(&r, "u->s")->hedges > 400);
    assert_true(s->latency_p99 < 0.102);
    assert_true(s->queue_mean < 1e-9);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* ---- first answer wins ------------------------------------------------------------ */

static void test_first_answer_wins(void **state)
{
    (void)state;
    /* X1, X2 ~ uniform(0, 100 ms), delay d = 30 ms, no queueing: the call
     * takes L = min(X1, d + X2).  E[L] = integral of P(L > t); a hedge wins
     * when d + X2 < X1, which given X1 > d has probability E[X1 - d | X1 > d]
     * / 100 = 0.35; every hedged call leaves exactly one copy to waste. */
    eddy_model *m = load_text("duration: 300s\n"
                              "clients: {u: {rate: 200/s, call: s, timeout: 1s, hedge: {delay: 30ms}}}\n"
                              "services: {s: {workers: unlimited, replicas: 4, service_time: {dist: uniform, min: 0ms, "
                              "max: 100ms}}}\n");
    eddy_result r;
    run_model_seed(m, &r);
    const eddy_edge_totals *e = tot_edge(&r, "u->s");
    const eddy_service_totals *s = tot_service(&r, "s");
    double mean = 0, dt = 1e-3;
    for (double t = dt / 2; t < 100; t += dt) { /* ms */
        double p = 1 - t / 100;
        if (t > 30)
            p *= 1 - (t - 30) / 100;
        mean += p * dt;
    }
    assert_within_rel(r.clients[0].latency_mean * 1e3, mean, 0.01);
    assert_within_rel((double)e->hedge_wins / (double)e->hedges, 0.35, 0.03);
    /* (less the copies still in flight at the end: busy ~17) */
    assert_true(s->wasted <= e->hedges && e->hedges - s->wasted <= 40);
    assert_true(llabs((long long)s->arrivals - (long long)(r.clients[0].requests + e->hedges)) <= 3);
    assert_int_equal(r.clients[0].failed, 0);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* ---- caps ------------------------------------------------------------------------- */

static void test_max_outstanding_caps_hedges_in_flight(void **state)
{
    (void)state;
    /* Every call takes 1 s and wants a hedge at 10 ms; a hedge stays in
     * flight until its call is decided, ~0.99 s.  By Little's law at most
     * k / 0.99 hedges a second can go out with k in flight; the slot then
     * idles until the next call's timer (10 ms on average at 100/s). */
    for (long k = 1; k <= 5; k += 4) {
        eddy_model *m = load_fmt("duration: 200s\n"
                                 "clients: {u: {rate: 100/s, call: s, hedge: {delay: 10ms, max_outstanding: %ld}}}\n"
                                 "services: {s: {workers: unlimited, service_time: 1s}}\n",
                                 k);
        eddy_result r;
        run_model_seed(m, &r);
        const eddy_edge_totals *e = tot_edge(&r, "u->s");
        double rate = (double)e->hedges / 200.0;
        assert_true(rate <= (double)k / 0.99 * 1.005);
        assert_true(rate >= (double)k * 0.95);
        /* every call that did not get its hedge was denied one */
        assert_true(llabs((long long)(e->hedges + e->hedges_denied) - (long long)r.clients[0].requests) <= 2);
        eddy_result_free(&r);
        eddy_model_free(m);
    }
}

static void test_attempts_caps_copies(void **state)
{
    (void)state;
    /* Calls of 1 s, copies every 100 ms: attempts - 1 hedges per call. */
    for (int a = 3; a <= 5; a += 2) {
        eddy_model *m = load_fmt("duration: 100s\n"
                                 "clients: {u: {rate: 20/s, call: s, hedge: {delay: 100ms, attempts: %d}}}\n"
                                 "services: {s: {workers: unlimited, replicas: 8, service_time: 1s}}\n",
                                 a);
        eddy_result r;
        run_model_seed(m, &r);
        const eddy_edge_totals *e = tot_edge(&r, "u->s");
        uint64_t n = r.clients[0].requests;
        /* calls still in flight at the end have sent fewer */
        assert_true(e->hedges <= (uint64_t)(a - 1) * n);
        assert_true(e->hedges + (uint64_t)(a - 1) * 40 >= (uint64_t)(a - 1) * n);
        assert_int_equal(e->hedge_wins, 0); /* the first copy always answers first */
        assert_int_equal(e->hedges_denied, 0);
        eddy_result_free(&r);
        eddy_model_free(m);
    }
}

static void test_non_fatal(void **state)
{
    (void)state;
    /* Half the answers are errors, fast (10 ms), and the delay (1 s) is
     * never reached.  An error is fatal by default: half the calls fail.
     * With non_fatal: [error] the next copy goes at once, so a call fails
     * only when all 3 copies do: 1/8; hedges per call 1/2 + 1/4. */
    const char *fmt = "duration: 200s\n"
                      "clients: {u: {rate: 200/s, call: s, timeout: 5s, hedge: {delay: 1s, attempts: 3%s}}}\n"
                      "services: {s: {workers: unlimited, service_time: 10ms, errors: 50%%}}\n";
    eddy_model *m = load_fmt(fmt, "");
    eddy_result r;
    run_model_seed(m, &r);
    double n = (double)r.clients[0].requests;
    assert_within_rel((double)r.clients[0].failed / n, 0.5, 0.02);
    assert_int_equal(tot_edge(&r, "u->s")->hedges, 0);
    eddy_result_free(&r);
    eddy_model_free(m);

    m = load_fmt(fmt, ", non_fatal: [error]");
    run_model_seed(m, &r);
    n = (double)r.clients[0].requests;
    assert_within_rel((double)r.clients[0].failed / n, 0.125, 0.05);
    assert_within_rel((double)tot_edge(&r, "u->s")->hedges / n, 0.75, 0.02);
    /* a success needed 1, 2 or 3 copies, each 10 ms, sent back to back */
    assert_within_rel(r.clients[0].latency_p50, 0.010, 0.02);
    assert_true(r.clients[0].latency_p99 < 0.031);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_budget_limits_hedges(void **state)
{
    (void)state;
    /* A gRPC retry budget (10 tokens, a retry or hedge only above 5) on a
     * callee failing 60% of calls runs dry: hedges are denied.  The same
     * model with budget: false sends every hedge. */
    const char *fmt = "duration: 100s\n"
                      "clients: {u: {rate: 100/s, call: s, timeout: 5s,\n"
                      "  retry: {attempts: 2, on: [timeout], budget: {type: grpc, max_tokens: 10, token_ratio: 0.1}},\n"
                      "  hedge: {delay: 5ms%s}}}\n"
                      "services: {s: {workers: unlimited, service_time: 10ms, errors: 60%%}}\n";
    eddy_model *m = load_fmt(fmt, "");
    eddy_result r;
    run_model_seed(m, &r);
    const eddy_edge_totals *e = tot_edge(&r, "u->s");
    assert_true(e->hedges_denied > e->hedges);
    uint64_t with_budget = e->hedges;
    eddy_result_free(&r);
    eddy_model_free(m);

    m = load_fmt(fmt, ", budget: false");
    run_model_seed(m, &r);
    e = tot_edge(&r, "u->s");
    assert_int_equal(e->hedges_denied, 0);
    assert_true(e->hedges > 5 * with_budget);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* ---- the example: the tail at low load, the loop at high load ----------------------- */

/* P(X > t) for the lognormal with median 10 ms and p99 200 ms. */
static double lognormal_tail(double t_ms)
{
    if (t_ms <= 0)
        return 1;
    double sigma = log(20.0) / 2.3263478740408408;
    return 0.5 * erfc(log(t_ms / 10.0) / (sigma * sqrt(2.0)));
}

static const char *const HEDGE_LINE = "    hedge: {delay: 80ms, attempts: 2, max_outstanding: 5}\n";

static void test_hedging_example_cuts_the_tail(void **state)
{
    (void)state;
    eddy_model *mh = load_file_replacing("examples/hedging.yaml", NULL, NULL);
    eddy_result h, p;
    run_model_seed(mh, &h);
    eddy_model *mp = load_file_replacing("examples/hedging.yaml", HEDGE_LINE, "");
    run_model_seed(mp, &p);
    /* At 100/s search is 7% busy: no queueing, so a hedged call takes
     * min(X1, 80 ms + X2).  Its p99 solves P(X > t) P(X > t - 80 ms) = 1%. */
    double lo = 80, hi = 200;
    for (int i = 0; i < 60; i++) {
        double t = (lo + hi) / 2;
        if (lognormal_tail(t) * lognormal_tail(t - 80) > 0.01)
            lo = t;
        else
            hi = t;
    }
    assert_within_rel(h.clients[0].latency_p99 * 1e3, lo, 0.05);
    assert_within_rel(p.clients[0].latency_p99 * 1e3, 200.0, 0.05);
    /* the run gave 198 ms against 101 ms: demand at least 1.7x */
    assert_true(p.clients[0].latency_p99 >= 1.7 * h.clients[0].latency_p99);
    assert_within_rel(h.clients[0].latency_p50, p.clients[0].latency_p50, 0.02);
    /* for about 5% more load: P(X > 80 ms) */
    double amp = (double)tot_service(&h, "search")->arrivals / (double)h.clients[0].offered;
    assert_within_rel(amp - 1, lognormal_tail(80), 0.1);
    assert_int_equal(tot_edge(&h, "users->search")->hedges_denied, 0); /* the cap does not bind at low load */
    eddy_result_free(&h);
    eddy_result_free(&p);
    eddy_model_free(mh);
    eddy_model_free(mp);
}

static void test_hedging_at_high_load_amplifies(void **state)
{
    (void)state;
    /* At 1000/s search is 72% busy without hedges.  Uncapped, queueing
     * delays answers past 80 ms, which sends hedges, which add load, which
     * delays answers more: nearly every call ends up hedged, queues fill,
     * and the tail is worse than with no hedging at all. */
    const char *base = "duration: 300s\nsample: 10s\nseed: 1\n"
                       "clients: {users: {rate: 1000/s, call: search, timeout: 2s%s}}\n"
                       "services: {search: {replicas: 4, workers: 8, queue: 100,\n"
                       "  service_time: {dist: lognormal, median: 10ms, p99: 200ms}}}\n";
    eddy_result plain, loose, capped;
    eddy_model *m1 = load_fmt(base, "");
    run_model_seed(m1, &plain);
    eddy_model *m2 = load_fmt(base, ", hedge: {delay: 80ms}");
    run_model_seed(m2, &loose);
    eddy_model *m3 = load_fmt(base, ", hedge: {delay: 80ms, max_outstanding: 5}");
    run_model_seed(m3, &capped);

    double amp_loose = (double)tot_service(&loose, "search")->arrivals / (double)loose.clients[0].offered;
    double amp_capped = (double)tot_service(&capped, "search")->arrivals / (double)capped.clients[0].offered;
    /* at low load the same policy adds 5%; here the loop drives it up */
    assert_true(amp_loose > 1.5);
    assert_true(loose.clients[0].latency_p99 > 1.5 * plain.clients[0].latency_p99);
    assert_true((double)loose.clients[0].goodput < 0.8 * (double)plain.clients[0].goodput);
    assert_true((double)plain.clients[0].goodput > 0.999 * (double)plain.clients[0].requests);
    /* the cap breaks the loop: little extra load, and the tail is cut */
    assert_true(amp_capped < 1.15);
    assert_true(capped.clients[0].latency_p99 < plain.clients[0].latency_p99);
    assert_true(tot_edge(&capped, "users->search")->hedges_denied > 0);
    eddy_result_free(&plain);
    eddy_result_free(&loose);
    eddy_result_free(&capped);
    eddy_model_free(m1);
    eddy_model_free(m2);
    eddy_model_free(m3);
}

/* ---- bulkheads ------------------------------------------------------------------------ */

static void test_bulkhead_is_erlang_b(void **state)
{
    (void)state;
    /* 800/s into a callee with unlimited workers and 10 ms exponential
     * times, at most 10 calls in flight from the caller, no waiting: an
     * M/M/10/10 loss system, a = 8.  Refused fraction = Erlang B(10, 8). */
    eddy_model *m = load_text("duration: 600s\n"
                              "clients: {c: {rate: 800/s, call: s, bulkhead: {max_concurrent: 10}}}\n"
                              "services: {s: {workers: unlimited, service_time: {dist: exponential, mean: 10ms}}}\n");
    eddy_result r;
    run_model_seed(m, &r);
    double B = erlang_b(10, 8.0);
    const eddy_edge_totals *e = tot_edge(&r, "c->s");
    double n = (double)r.clients[0].requests;
    assert_within_rel((double)e->bulkhead_rejected / n, B, 0.02);
    /* a refusal is the call's outcome: failed, never retried, never sent */
    assert_int_equal(r.clients[0].failed, e->bulkhead_rejected);
    assert_int_equal(tot_service(&r, "s")->arrivals + e->bulkhead_rejected, r.clients[0].requests);
    assert_true(col_max(&r, "c->s.bulkhead_busy", 0, 600) <= 10.0 + 1e-9);
    assert_within_rel(col_mean(&r, "c->s.bulkhead_busy", 0, 600), 8.0 * (1 - B), 0.02);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_bulkhead_max_wait(void **state)
{
    (void)state;
    /* With a long max_wait the bulkhead is an M/M/10 queue (a = 7): no
     * refusals, and a mean wait of Erlang C(10, 7) / (c mu - lambda). */
    const char *fmt = "duration: 600s\n"
                      "clients: {c: {rate: 700/s, call: s, bulkhead: {max_concurrent: 10, max_wait: %s}}}\n"
                      "services: {s: {workers: unlimited, service_time: {dist: exponential, mean: 10ms}}}\n";
    eddy_model *m = load_fmt(fmt, "60s");
    eddy_result r;
    run_model_seed(m, &r);
    assert_int_equal(tot_edge(&r, "c->s")->bulkhead_rejected, 0);
    double wq = erlang_c(10, 7.0) / (1000.0 - 700.0);
    assert_within_rel(r.clients[0].latency_mean, 0.010 + wq, 0.01);
    assert_true(col_max(&r, "c->s.bulkhead_busy", 0, 600) <= 10.0 + 1e-9);
    eddy_result_free(&r);
    eddy_model_free(m);

    /* A short wait refuses fewer than none at all (Erlang B), and only
     * those that waited max_wait: every success waited less. */
    m = load_fmt(fmt, "2ms");
    run_model_seed(m, &r);
    double refused = (double)tot_edge(&r, "c->s")->bulkhead_rejected / (double)r.clients[0].requests;
    assert_true(refused > 0.005);
    assert_true(refused < 0.8 * erlang_b(10, 7.0));
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_bulkhead_example_isolates_the_healthy_path(void **state)
{
    (void)state;
    const char *line = "        bulkhead: {max_concurrent: 10, fallback: default}\n";
    eddy_model *mb = load_file_replacing("examples/bulkhead.yaml", NULL, NULL);
    eddy_result b, n;
    run_model_seed(mb, &b);
    eddy_model *mn = load_file_replacing("examples/bulkhead.yaml", line, "");
    run_model_seed(mn, &n);
    /* during the fault (40-80 s): with the bulkhead the shoppers keep
     * their goodput and inventory its traffic; without, both collapse */
    double gb = col_mean(&b, "shoppers.goodput", 45, 80), gn = col_mean(&n, "shoppers.goodput", 45, 80);
    double ib = col_mean(&b, "inventory.arrivals", 45, 80), in = col_mean(&n, "inventory.arrivals", 45, 80);
    assert_true(gb > 0.97 * col_mean(&b, "shoppers.goodput", 0, 40));
    assert_true(gn < 0.05 * col_mean(&n, "shoppers.goodput", 0, 40));
    assert_true(ib > 380 && in < 40);
    /* the slow calls hold at most 10 workers per api replica */
    assert_true(col_max(&b, "api->recommendations.bulkhead_busy", 0, 120) <= 20.0 + 1e-9);
    assert_true(col_mean(&b, "api->recommendations.bulkhead_busy", 45, 80) > 19.0);
    assert_true(col_mean(&b, "api->recommendations.bulkhead_rejected", 45, 80) > 350);
    assert_true(col_max(&b, "api.busy", 45, 80) < 30);
    assert_true(col_mean(&n, "api.busy", 45, 80) > 39);
    eddy_result_free(&b);
    eddy_result_free(&n);
    eddy_model_free(mb);
    eddy_model_free(mn);
}

/* ---- the breaker's abandoned probe ---------------------------------------------------- */

static void test_abandoned_probe_is_recorded(void **state)
{
    (void)state;
    /* Errors open the breaker at ~10 s; from 15 s to 40 s the callee takes
     * 1 s, so each half-open probe outlives the user's 200 ms deadline and
     * is abandoned.  Unrecorded, the breaker stayed half-open for good and
     * refused every call after the slowdown; recorded (as failures), it
     * opens again, and closes once the callee is fast. */
    eddy_model *m = load_text("duration: 80s\nsample: 1s\nseed: 3\n"
                              "clients: {c: {rate: 50/s, call: s, deadline: 200ms,\n"
                              "  breaker: {size: 20, min_calls: 20, failure_rate: 50%, open_for: 5s, "
                              "half_open_calls: 3}}}\n"
                              "services: {s: {workers: unlimited, service_time: 10ms}}\n"
                              "faults: [{at: 10s, for: 5s, target: s, errors: 100%},\n"
                              "         {at: 15s, for: 25s, target: s, slow: 100}]\n");
    eddy_result r;
    run_model_seed(m, &r);
    assert_within_rel(col_mean(&r, "c->s.breaker_open", 11, 15), 1.0, 1e-9);
    /* abandoned probes reopen it rather than leave it half-open */
    assert_true(col_mean(&r, "c->s.breaker_open", 16, 40) > 0.8);
    assert_true(col_max(&r, "c->s.breaker_open", 50, 80) == 0);
    assert_true(col_mean(&r, "c.goodput", 50, 80) > 45);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* ---- determinism, and everything at once --------------------------------------------- */

static void test_deterministic_with_crashes_and_every_mechanism(void **state)
{
    (void)state;
    /* Hedges with a pool, a bulkhead that waits, a breaker, a budget,
     * deadlines that cancel and replicas that crash under them: the same
     * seed gives the same series, another seed another. */
    const char *yaml = "duration: 60s\nsample: 1s\n"
                       "clients: {c: {rate: 300/s, call: api, timeout: 1s, deadline: 800ms,\n"
                       "  hedge: {delay: 20ms, attempts: 3, max_outstanding: 20, non_fatal: [reject]}}}\n"
                       "services:\n"
                       "  api: {workers: 30, queue: 20, replicas: 3, service_time: 2ms, deadlines: cancel,\n"
                       "    calls: [{to: db, timeout: 300ms, pool: {size: 10}, breaker: {min_calls: 20, size: 40},\n"
                       "             retry: {attempts: 2, budget: {type: envoy}},\n"
                       "             hedge: {delay: 30ms, budget: true, non_fatal: [error, reject]},\n"
                       "             bulkhead: {max_concurrent: 8, max_wait: 5ms}}]}\n"
                       "  db: {workers: 4, queue: 10, replicas: 3, deadlines: cancel,\n"
                       "       service_time: {dist: lognormal, median: 5ms, p99: 100ms}, errors: 2%}\n"
                       "faults: [{at: 10s, for: 10s, target: db, lose_replicas: 2},\n"
                       "         {at: 25s, for: 10s, target: api, lose_replicas: 2},\n"
                       "         {at: 40s, for: 5s, target: db, slow: 20}]\n";
    eddy_model *m = load_text(yaml);
    eddy_result a, b, c;
    run_model(m, 5, &a);
    run_model(m, 5, &b);
    run_model(m, 6, &c);
    assert_int_equal(a.series.nrows, b.series.nrows);
    assert_int_equal(a.series.ncols, b.series.ncols);
    assert_memory_equal(a.series.values, b.series.values, a.series.nrows * a.series.ncols * sizeof(double));
    assert_true(memcmp(a.series.values, c.series.values, a.series.nrows * a.series.ncols * sizeof(double)) != 0);
    const eddy_edge_totals *e = tot_edge(&a, "api->db");
    assert_true(e->hedges > 0 && e->hedge_wins > 0 && e->bulkhead_rejected > 0);
    assert_true(tot_edge(&a, "c->api")->hedges > 0);
    eddy_result_free(&a);
    eddy_result_free(&b);
    eddy_result_free(&c);
    eddy_model_free(m);
}

static void test_columns_only_when_used(void **state)
{
    (void)state;
    eddy_model *m = load_text("duration: 2s\n"
                              "clients: {c: {rate: 10/s, call: s}}\n"
                              "services: {s: {workers: 2, service_time: 1ms}}\n");
    eddy_result r;
    run_model_seed(m, &r);
    for (size_t i = 0; i < r.series.ncols; i++)
        assert_null(strstr(r.series.names[i], "hedge"));
    for (size_t i = 0; i < r.series.ncols; i++)
        assert_null(strstr(r.series.names[i], "bulkhead"));
    assert_false(r.edges[0].has_hedge);
    assert_false(r.edges[0].has_bulkhead);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* ---- malformed input ------------------------------------------------------------------ */

/* `hedge: off` at 150 s: copies stop, first copies go on. */
static void test_hedge_action(void **state)
{
    (void)state;
    eddy_model *m = load_file_replacing("examples/hedging.yaml", "services:",
                                        "actions:\n  - {at: 150s, client: users, hedge: off}\nservices:");
    eddy_result r;
    run_model_seed(m, &r);
    assert_true(col_mean(&r, "users->search.hedges", 0, 150) > 3);        /* ~5/s before */
    assert_true(col_mean(&r, "users->search.hedges", 160, 300) == 0);     /* none after */
    assert_true(col_mean(&r, "users->search.hedges_denied", 160, 300) == 0); /* off is not a denial */
    assert_within_rel(col_mean(&r, "users.goodput", 160, 300), 100, 0.05);
    eddy_result_free(&r);
    eddy_model_free(m);
    /* malformed */
    const char *head = "duration: 1s\ncaches: {k: {keys: 10}}\nclients: {c: {rate: 1/s, call: s, cache: k}}\n"
                       "services: {s: {workers: 2, service_time: 1ms}}\n";
    char y[512];
    snprintf(y, sizeof y, "%sactions: [{at: 1s, client: c, hedge: maybe}]\n", head);
    expect_load_error(y, 5, 38, "expected true or false");
    snprintf(y, sizeof y, "%sactions: [{at: 1s, cache: k, hedge: off}]\n", head);
    expect_load_error(y, 5, 30, "a cache has none");
}

static void test_malformed(void **state)
{
    (void)state;
    char y[1024];
#define BAD(call_extra, line, col, needle)                                                                            \
    do {                                                                                                              \
        snprintf(y, sizeof y,                                                                                         \
                 "duration: 1s\nclients:\n  c:\n    rate: 10/s\n    call: s\n%s"                                                   \
                 "services:\n  s: {workers: 2, service_time: 1ms}\n",                                                 \
                 call_extra);                                                                                         \
        expect_load_error(y, line, col, needle);                                                                      \
    } while (0)
    BAD("    hedge: {delay: 10ms, bogus: 1}\n", 6, 26, "unknown key 'bogus'");
    BAD("    hedge: {attempts: 2}\n", 6, 12, "missing key 'delay'");
    BAD("    hedge: {delay: 10ms, attempts: 6}\n", 6, 36, "expected at most 5, got 6");
    BAD("    hedge: {delay: 10ms, attempts: 1}\n", 6, 36, "expected at least 2");
    BAD("    hedge: {delay: 0ms}\n", 6, 20, "greater than zero");
    BAD("    hedge: {delay: soon}\n", 6, 20, "expected a duration");
    BAD("    hedge: {delay: 10ms, non_fatal: [timeout]}\n", 6, 38, "expected one of error|reject");
    BAD("    hedge: {delay: 10ms, non_fatal: error}\n", 6, 37, "expected a list");
    BAD("    hedge: {delay: 10ms, max_outstanding: 0}\n", 6, 43, "expected at least 1");
    BAD("    hedge: {delay: 10ms, budget: true}\n", 6, 12, "needs a retry budget");
    BAD("    hedge: 10ms\n", 6, 12, "expected a hedging policy");
    BAD("    timeout: 100ms\n    hedge: {delay: 100ms}\n", 7, 12, "shorter than the call's timeout");
    BAD("    retry: {attempts: 1, budget: {type: grpc}}\n    hedge: {delay: 10ms, budget: false}\n", 6, 34,
        "no effect with attempts: 1 and hedge.budget: false");
    BAD("    bulkhead: {max_wait: 1ms}\n", 6, 15, "missing key 'max_concurrent'");
    BAD("    bulkhead: {max_concurrent: 0}\n", 6, 32, "expected at least 1");
    BAD("    bulkhead: {max_concurrent: 2, size: 3}\n", 6, 35, "unknown key 'size'");
    BAD("    bulkhead: {max_concurrent: 2, max_wait: -1ms}\n", 6, 45, "duration");
    BAD("    bulkhead: {max_concurrent: 2, fallback: cached}\n", 6, 45, "expected one of none|default");
    BAD("    hedges: {delay: 1ms}\n", 6, 5, "unknown key 'hedges'");
#undef BAD
    /* a service's call takes the same keys, and says which it takes */
    expect_load_error("duration: 1s\nclients: {c: {rate: 1/s, call: a}}\n"
                      "services:\n  a: {workers: 1, service_time: 1ms, calls: [{to: b, bulkheads: {}}]}\n"
                      "  b: {workers: 1, service_time: 1ms}\n",
                      4, 54, "pool, hedge, bulkhead");
    /* a retry budget may serve hedges alone */
    eddy_model *m = load_text("duration: 1s\nclients:\n  c:\n    rate: 10/s\n    call: s\n"
                              "    retry: {attempts: 1, budget: {type: grpc}}\n    hedge: {delay: 10ms}\n"
                              "services:\n  s: {workers: 2, service_time: 1ms}\n");
    eddy_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hedge_sent_exactly_at_delay),
        cmocka_unit_test(test_hedge_goes_to_another_replica),
        cmocka_unit_test(test_first_answer_wins),
        cmocka_unit_test(test_max_outstanding_caps_hedges_in_flight),
        cmocka_unit_test(test_attempts_caps_copies),
        cmocka_unit_test(test_non_fatal),
        cmocka_unit_test(test_budget_limits_hedges),
        cmocka_unit_test(test_hedging_example_cuts_the_tail),
        cmocka_unit_test(test_hedging_at_high_load_amplifies),
        cmocka_unit_test(test_bulkhead_is_erlang_b),
        cmocka_unit_test(test_bulkhead_max_wait),
        cmocka_unit_test(test_bulkhead_example_isolates_the_healthy_path),
        cmocka_unit_test(test_abandoned_probe_is_recorded),
        cmocka_unit_test(test_deterministic_with_crashes_and_every_mechanism),
        cmocka_unit_test(test_columns_only_when_used),
        cmocka_unit_test(test_hedge_action),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
