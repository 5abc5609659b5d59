/* test_mechanisms.c -- retry budgets, circuit breakers and connection pools.
 *
 * Each mechanism is pinned down twice: its arithmetic or state machine
 * against the reference implementation's rules, called directly; and its
 * effect inside a run, against queueing theory where there is one (a pool
 * that refuses when full is an Erlang loss system) and against the example
 * that shows why it matters. */
#include "testsim.h"

#include <math.h>

#include "eddy.h"
#include "engine/sim.h"

/* ---- helpers ------------------------------------------------------------- */

/* ---- retry budgets: the arithmetic of each reference design -------------- */

static void test_budget_grpc_tokens(void **state)
{
    (void)state;
    /* gRPC A6: tokens start at max_tokens (10); a failure takes 1; a retry
     * is allowed only while tokens > max_tokens / 2; a success adds 0.1. */
    budget_spec sp = {.kind = BUDGET_GRPC, .max_tokens = 10, .token_ratio = 0.1};
    budget_rt b;
    caller c = {0};
    budget_init(&b, &sp);
    for (int i = 0; i < 4; i++)
        budget_on_result(&b, ST_ERROR, &c, false);
    assert_true(budget_allow_retry(&b, 0, ST_ERROR, &c)); /* 6 > 5 */
    budget_on_result(&b, ST_TIMEOUT, &c, false);
    assert_true(fabs(b.tokens - 5.0) < 1e-12);
    assert_false(budget_allow_retry(&b, 0, ST_ERROR, &c)); /* 5 is not > 5 */
    budget_on_result(&b, ST_OK, &c, false);
    assert_true(fabs(b.tokens - 5.1) < 1e-12);
    assert_true(budget_allow_retry(&b, 0, ST_ERROR, &c));
    for (int i = 0; i < 100; i++)
        budget_on_result(&b, ST_OK, &c, false);
    assert_true(fabs(b.tokens - 10.0) < 1e-12); /* capped at max_tokens */
    for (int i = 0; i < 20; i++)
        budget_on_result(&b, ST_ERROR, &c, false);
    assert_true(b.tokens == 0); /* floored at 0 */
    budget_free(&b);
}

static void test_budget_aws_quota(void **state)
{
    (void)state;
    /* AWS SDK standard mode: quota 500, a retry costs 5 (10 after a
     * timeout); a success refunds the last retry's cost, or 1 if the call
     * needed no retry; never above 500. */
    budget_spec sp = {.kind = BUDGET_AWS, .quota = 500, .cost = 5, .timeout_cost = 10, .no_retry_increment = 1};
    budget_rt b;
    caller c = {0};
    budget_init(&b, &sp);
    int allowed = 0;
    while (budget_allow_retry(&b, 0, ST_ERROR, &c))
        allowed++;
    assert_int_equal(allowed, 100); /* 500 / 5 */
    assert_true(b.tokens == 0);
    /* a call that succeeded on its second attempt refunds that retry */
    c.attempt = 2;
    budget_on_result(&b, ST_OK, &c, true);
    assert_true(b.tokens == 5);
    /* a first-try success adds no_retry_increment */
    c.attempt = 1;
    budget_on_result(&b, ST_OK, &c, true);
    assert_true(b.tokens == 6);
    /* a timeout retry costs 10: not affordable with 6 */
    assert_false(budget_allow_retry(&b, 0, ST_TIMEOUT, &c));
    assert_true(budget_allow_retry(&b, 0, ST_ERROR, &c));
    assert_true(b.tokens == 1);
    /* an attempt's own outcome does not touch the quota */
    budget_on_result(&b, ST_ERROR, &c, false);
    assert_true(b.tokens == 1);
    for (int i = 0; i < 1000; i++)
        budget_on_result(&b, ST_OK, &c, true);
    assert_true(b.tokens == 500);
    budget_free(&b);
}

static void test_budget_finagle_window(void **state)
{
    (void)state;
    /* Finagle RetryBudget: balance = min_per_s * ttl + percent * requests
     * - retries, over the last ttl. */
    budget_spec sp = {.kind = BUDGET_FINAGLE, .ttl = 10 * T_SEC, .min_per_s = 10, .percent = 0.2};
    budget_rt b;
    caller c = {0};
    budget_init(&b, &sp);
    /* no requests: only the reserve, 10/s * 10 s = 100 retries */
    int allowed = 0;
    while (budget_allow_retry(&b, T_SEC, ST_ERROR, &c))
        allowed++;
    assert_int_equal(allowed, 100);
    /* 1000 requests earn 200 more */
    for (int i = 0; i < 1000; i++)
        budget_on_attempt(&b, 2 * T_SEC, true);
    allowed = 0;
    while (budget_allow_retry(&b, 2 * T_SEC, ST_ERROR, &c))
        allowed++;
    assert_int_equal(allowed, 200);
    /* a retry attempt deposits nothing */
    budget_on_attempt(&b, 2 * T_SEC, false);
    assert_false(budget_allow_retry(&b, 2 * T_SEC, ST_ERROR, &c));
    /* a ttl later, the window has forgotten both: the reserve is back */
    assert_true(fabs(budget_level(&b, 13 * T_SEC) - 100.0) < 1e-9);
    budget_free(&b);
}

static void test_budget_envoy_concurrency(void **state)
{
    (void)state;
    /* Envoy: retries in flight < max(min_retry_concurrency, budget_percent
     * * attempts in flight). */
    budget_spec sp = {.kind = BUDGET_ENVOY, .budget_percent = 0.2, .min_retry_concurrency = 3};
    budget_rt b;
    caller c = {0};
    budget_init(&b, &sp);
    for (int i = 0; i < 10; i++)
        budget_on_attempt(&b, 0, true);
    /* 20% of 10 is 2 < 3: the floor of 3 applies */
    for (int i = 0; i < 3; i++) {
        assert_true(budget_allow_retry(&b, 0, ST_ERROR, &c));
        budget_on_attempt(&b, 0, false);
    }
    /* now 13 in flight, 3 of them retries: 20% of 13 = 2.6 < 3, so no */
    assert_false(budget_allow_retry(&b, 0, ST_ERROR, &c));
    for (int i = 0; i < 7; i++)
        budget_on_attempt(&b, 0, true); /* 20 in flight: cap 4 */
    assert_true(budget_allow_retry(&b, 0, ST_ERROR, &c));
    budget_on_attempt_end(&b, true); /* a retry finishes: 2 retries of 19 */
    assert_int_equal(b.active_retries, 2);
    assert_int_equal(b.active, 19);
    budget_free(&b);
}

/* ---- the circuit breaker's state machine ---------------------------------- */

static breaker_spec count_breaker(void)
{
    breaker_spec sp = {.on = true,
                       .window = WINDOW_COUNT,
                       .size = 10,
                       .min_calls = 10,
                       .failure_rate = 0.5,
                       .slow_rate = 1.0,
                       .slow_duration = 60 * T_SEC,
                       .open_for = 5 * T_SEC,
                       .half_open_calls = 3,
                       .record = RETRY_ON_TIMEOUT | RETRY_ON_ERROR | RETRY_ON_REJECT};
    return sp;
}

static void test_breaker_count_window(void **state)
{
    (void)state;
    breaker_spec sp = count_breaker();
    breaker_rt b;
    breaker_init(&b, &sp);
    /* fewer than min_calls: never opens, however bad */
    for (int i = 0; i < 9; i++)
        breaker_record(&b, 0, ST_ERROR, 0);
    assert_int_equal(b.state, BREAKER_CLOSED);
    /* the 10th call makes 9/10 failed: open */
    breaker_record(&b, 0, ST_OK, 0);
    assert_int_equal(b.state, BREAKER_OPEN);
    breaker_free(&b);

    /* 4 failures in the last 10 stay closed; the window slides */
    breaker_init(&b, &sp);
    for (int i = 0; i < 4; i++)
        breaker_record(&b, 0, ST_TIMEOUT, 0);
    for (int i = 0; i < 6; i++)
        breaker_record(&b, 0, ST_OK, 0);
    assert_int_equal(b.state, BREAKER_CLOSED);
    /* 4 more successes push the 4 failures out of the window */
    for (int i = 0; i < 4; i++)
        breaker_record(&b, 0, ST_OK, 0);
    assert_int_equal(b.fails, 0);
    /* 5 failures now make 5/10: the threshold is >= 50% */
    for (int i = 0; i < 4; i++)
        breaker_record(&b, 0, ST_REJECT, 0);
    assert_int_equal(b.state, BREAKER_CLOSED);
    breaker_record(&b, 0, ST_ERROR, 0);
    assert_int_equal(b.state, BREAKER_OPEN);
    breaker_free(&b);
}

static void test_breaker_open_half_open_close(void **state)
{
    (void)state;
    breaker_spec sp = count_breaker();
    breaker_rt b;
    breaker_init(&b, &sp);
    for (int i = 0; i < 10; i++)
        breaker_record(&b, T_SEC, ST_ERROR, 0);
    assert_int_equal(b.state, BREAKER_OPEN);
    /* open: nothing permitted for open_for */
    assert_false(breaker_permit(&b, T_SEC));
    assert_false(breaker_permit(&b, 6 * T_SEC - 1));
    /* then half-open: exactly half_open_calls probes */
    assert_true(breaker_permit(&b, 6 * T_SEC));
    assert_int_equal(b.state, BREAKER_HALF_OPEN);
    assert_true(breaker_permit(&b, 6 * T_SEC));
    assert_true(breaker_permit(&b, 6 * T_SEC));
    assert_false(breaker_permit(&b, 6 * T_SEC));
    /* two of three probes fail: back to open, for another open_for */
    breaker_record(&b, 7 * T_SEC, ST_ERROR, 0);
    breaker_record(&b, 7 * T_SEC, ST_OK, 0);
    assert_int_equal(b.state, BREAKER_HALF_OPEN);
    breaker_record(&b, 7 * T_SEC, ST_ERROR, 0);
    assert_int_equal(b.state, BREAKER_OPEN);
    assert_false(breaker_permit(&b, 11 * T_SEC));
    /* the next probes succeed: closed, with an empty window */
    for (int i = 0; i < 3; i++)
        assert_true(breaker_permit(&b, 12 * T_SEC));
    for (int i = 0; i < 3; i++)
        breaker_record(&b, 12 * T_SEC, ST_OK, 0);
    assert_int_equal(b.state, BREAKER_CLOSED);
    assert_int_equal(b.calls, 0);
    assert_true(breaker_permit(&b, 12 * T_SEC));
    breaker_free(&b);
}

static void test_breaker_slow_calls_and_record(void **state)
{
    (void)state;
    breaker_spec sp = count_breaker();
    sp.slow_rate = 0.6;
    sp.slow_duration = T_SEC;
    sp.record = RETRY_ON_TIMEOUT; /* errors are not failures here */
    breaker_rt b;
    breaker_init(&b, &sp);
    for (int i = 0; i < 10; i++)
        breaker_record(&b, 0, ST_ERROR, 0);
    assert_int_equal(b.state, BREAKER_CLOSED); /* not recorded as failures */
    for (int i = 0; i < 5; i++)
        breaker_record(&b, 0, ST_OK, 2 * T_SEC); /* slow successes */
    assert_int_equal(b.state, BREAKER_CLOSED);  /* 5/10 < 60% */
    breaker_record(&b, 0, ST_OK, T_SEC + 1);
    assert_int_equal(b.state, BREAKER_OPEN); /* 6/10 slow */
    breaker_free(&b);
}

static void test_breaker_time_window(void **state)
{
    (void)state;
    breaker_spec sp = count_breaker();
    sp.window = WINDOW_TIME;
    sp.size = 10; /* seconds */
    sp.min_calls = 5;
    breaker_rt b;
    breaker_init(&b, &sp);
    for (int i = 0; i < 4; i++)
        breaker_record(&b, (simtime)i * T_SEC, ST_ERROR, 0);
    assert_int_equal(b.state, BREAKER_CLOSED); /* 4 < min_calls */
    /* 20 s later those failures have left the window */
    for (int i = 0; i < 4; i++)
        breaker_record(&b, 20 * T_SEC, ST_OK, 0);
    assert_int_equal(b.calls, 4);
    assert_int_equal(b.fails, 0);
    breaker_record(&b, 21 * T_SEC, ST_ERROR, 0);
    breaker_record(&b, 21 * T_SEC, ST_ERROR, 0);
    assert_int_equal(b.state, BREAKER_CLOSED); /* 2 of 6 */
    breaker_record(&b, 22 * T_SEC, ST_ERROR, 0);
    breaker_record(&b, 22 * T_SEC, ST_ERROR, 0);
    assert_int_equal(b.state, BREAKER_OPEN); /* 4 of 8 */
    breaker_free(&b);
}

/* ---- connection pools in a run ------------------------------------------- */

static void test_pool_without_wait_is_erlang_loss(void **state)
{
    (void)state;
    /* 5 connections, no waiting, the callee never queues: an M/M/5/5 loss
     * system at the pool.  Refused attempts = Erlang B(5, a). */
    eddy_model *m = load_text("duration: 1000s\n"
                              "clients: {c: {rate: 400/s, call: s, pool: {size: 5, wait: false}}}\n"
                              "services: {s: {workers: unlimited, service_time: {dist: exponential, mean: 10ms}}}\n");
    eddy_result r;
    run_model_seed(m, &r);
    double a = 400 * 0.010, B = erlang_b(5, a);
    const eddy_edge_totals *e = tot_edge(&r, "c->s");
    assert_within_rel((double)e->pool_timeouts / (double)e->attempts, B, 0.03);
    /* the pool caps the callee's concurrency: at most 5 in service */
    assert_true(col_max(&r, "s.busy", 0, 1000) <= 5.0 + 1e-9);
    assert_within_rel(r.services[0].busy_mean, a * (1 - B), 0.02);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_pool_with_wait_is_erlang_c(void **state)
{
    (void)state;
    /* With waiting and no timeouts, the pool is the server set of an
     * M/M/4 queue: the client's response time is Erlang C's W. */
    eddy_model *m = load_text("duration: 400s\n"
                              "clients: {c: {rate: 300/s, call: s, pool: {size: 4, wait_timeout: none}}}\n"
                              "services: {s: {workers: unlimited, service_time: {dist: exponential, mean: 10ms}}}\n");
    eddy_result r;
    run_model_seed(m, &r);
    double lambda = 300, mu = 100;
    double W = 1 / mu + erlang_c(4, lambda / mu) / (4 * mu - lambda);
    assert_true(r.clients[0].goodput > 100000);
    assert_within_rel(r.clients[0].latency_mean, W, 0.03);
    /* the waiters, time-averaged, are Erlang C's Lq = lambda Wq */
    assert_within_rel(col_mean(&r, "c->s.pool_waiters", 0, 400), lambda * (W - 1 / mu), 0.05);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_pool_wait_counts_toward_timeout(void **state)
{
    (void)state;
    /* One connection and 100 ms calls: a second attempt that waits more
     * than the 150 ms timeout times out while still waiting. */
    eddy_model *m = load_text("duration: 60s\n"
                              "clients: {c: {rate: 15/s, call: s, timeout: 150ms, pool: {size: 1}}}\n"
                              "services: {s: {workers: unlimited, service_time: 100ms}}\n");
    eddy_result r;
    run_model_seed(m, &r);
    const eddy_client_totals *c = &r.clients[0];
    assert_true(c->timeouts > 50);
    /* An attempt times out either while it waits (it never reaches the
     * callee) or after it got its connection (the callee finishes it:
     * wasted).  Both kinds happen, and they add up to the timeouts, but
     * for the few attempts in flight when the run ends. */
    double in_wait = (double)c->offered - (double)r.services[0].arrivals;
    assert_true(in_wait > 20);
    assert_true(r.services[0].wasted > 20);
    assert_true(fabs((double)c->timeouts - in_wait - (double)r.services[0].wasted) <= 3);
    /* every success took at least the 100 ms of work, none more than 150 */
    assert_true(c->latency_p99 <= 0.150 * (1 + HIST_REL_ERROR));
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_pool_connection_held_by_abandoned_work(void **state)
{
    (void)state;
    /* Callers give up at 50 ms but the callee takes 200 ms: the connection
     * stays busy with the abandoned query, so the callee never runs more
     * than the pool's 3 at once, and a full pool refuses after 20 ms. */
    eddy_model *m = load_text("duration: 30s\n"
                              "clients: {c: {rate: 100/s, call: s, timeout: 50ms,\n"
                              "              pool: {size: 3, wait_timeout: 20ms}}}\n"
                              "services: {s: {workers: unlimited, service_time: 200ms}}\n");
    eddy_result r;
    run_model_seed(m, &r);
    assert_true(col_max(&r, "s.busy", 1, 30) <= 3.0 + 1e-9);
    assert_within_rel(r.services[0].busy_mean, 3.0, 0.05);
    assert_true(r.services[0].wasted > 0);
    assert_int_equal(r.services[0].wasted, r.services[0].completed);
    assert_true(tot_edge(&r, "c->s")->pool_timeouts > 1000);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* ---- the examples ----------------------------------------------------------- */

static void test_budget_vs_storm_recovers_within_budget(void **state)
{
    (void)state;
    eddy_model *m = load_file_replacing("examples/budget-vs-storm.yaml", NULL, NULL);
    eddy_result r;
    run_model_seed(m, &r);
    double before = col_mean(&r, "shoppers.goodput", 10, 60);
    /* recovers where the naked retries did not: back above 90% of the
     * pre-fault goodput from 110 s (20 s after the fault) to the end */
    assert_true(col_mean(&r, "shoppers.goodput", 110, 300) > 0.9 * before);
    for (size_t i = 0; i < r.series.nrows; i++)
        if (eddy_series_at(&r.series, i, 0) >= 120)
            assert_true(eddy_series_at(&r.series, i, (size_t)eddy_series_column(&r.series, "shoppers.goodput")) >
                        0.75 * before);
    /* amplification within the budget: retries <= 20% of first attempts
     * plus the reserve of 10/s, over the fault window and the whole run */
    double off = col_mean(&r, "shoppers.offered", 60, 90), ret = col_mean(&r, "shoppers.retries", 60, 90);
    assert_true(ret <= 0.2 * off + 10 + 0.02 * off);
    const eddy_client_totals *c = &r.clients[0];
    assert_true((double)c->retries <= 0.2 * (double)c->offered + 10.0 * 300);
    assert_true(tot_edge(&r, "shoppers->checkout")->retries_denied > 1000);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_backoff_alone_does_not_stop_this_storm(void **state)
{
    (void)state;
    /* A measured finding, pinned so a change to the engine that alters it
     * is noticed: exponential backoff with full jitter delays retries but
     * does not reduce them when every attempt times out, so the storm of
     * retry-storm.yaml outlives its trigger all the same. */
    eddy_model *m = load_file_replacing("examples/retry-storm.yaml", "backoff: none", "backoff: exponential, base: 1s, max: 20s");
    eddy_result r;
    run_model_seed(m, &r);
    double before = col_mean(&r, "shoppers.goodput", 10, 60);
    assert_true(col_mean(&r, "shoppers.goodput", 150, 300) < 0.1 * before);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_breaker_example(void **state)
{
    (void)state;
    eddy_model *m = load_file_replacing("examples/breaker.yaml", NULL, NULL);
    eddy_result r;
    run_model_seed(m, &r);
    /* opens during the fault (60-90 s) ... */
    assert_true(col_mean(&r, "checkout->db.breaker_open", 70, 90) > 0.9);
    assert_true(col_mean(&r, "checkout->db.breaker_open", 10, 60) == 0);
    /* ... so the load on the dependency falls while it is open ... */
    double db_before = col_mean(&r, "db.arrivals", 10, 60);
    assert_true(col_mean(&r, "db.arrivals", 70, 90) < 0.2 * db_before);
    assert_true(col_mean(&r, "checkout->db.short_circuited", 70, 90) > 100);
    /* ... checkout's workers are not held by the slow calls ... */
    assert_true(col_mean(&r, "checkout.busy", 70, 90) < 0.25 * col_max(&r, "checkout.busy", 60, 70));
    /* ... and it closes again after the fault: goodput is back */
    assert_true(col_mean(&r, "checkout->db.breaker_open", 100, 180) == 0);
    assert_true(col_mean(&r, "shoppers.goodput", 100, 180) > 0.95 * col_mean(&r, "shoppers.goodput", 10, 60));
    eddy_result_free(&r);
    eddy_model_free(m);

    /* Without the breaker, checkout's workers fill with calls waiting on db
     * for the whole fault. */
    m = load_file_replacing("examples/breaker.yaml",
                  "        breaker:\n"
                  "          window: time\n"
                  "          size: 10           # seconds\n"
                  "          min_calls: 20\n"
                  "          failure_rate: 50%\n"
                  "          slow_rate: 50%\n"
                  "          slow_duration: 200ms\n"
                  "          open_for: 5s\n"
                  "          half_open_calls: 10\n",
                  "");
    run_model_seed(m, &r);
    assert_int_equal(eddy_series_column(&r.series, "checkout->db.breaker_open"), -1);
    assert_true(col_mean(&r, "checkout.busy", 70, 90) > 100);
    assert_true(col_mean(&r, "db.arrivals", 70, 90) > 0.5 * db_before);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_contention_spiral_smaller_pool_wins(void **state)
{
    (void)state;
    eddy_model *big = load_file_replacing("examples/contention-spiral.yaml", NULL, NULL);
    eddy_model *small = load_file_replacing("examples/contention-spiral.yaml", "pool: {size: 200,", "pool: {size: 50,");
    eddy_result rb, rs;
    run_model_seed(big, &rb);
    run_model_seed(small, &rs);
    double gb = col_mean(&rb, "app.goodput", 60, 120), gs = col_mean(&rs, "app.goodput", 60, 120);
    /* the counter-intuitive fix: fewer connections, more goodput */
    assert_true(gs > 1.1 * gb);
    assert_within_rel(gs, 1800, 0.03);
    /* because the database runs past its peak concurrency with 200 */
    assert_true(col_mean(&rb, "db.busy", 60, 120) > 100);
    assert_true(col_mean(&rs, "db.busy", 60, 120) <= 50 + 1e-9);
    eddy_result_free(&rb);
    eddy_result_free(&rs);
    eddy_model_free(big);
    eddy_model_free(small);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_budget_grpc_tokens),
        cmocka_unit_test(test_budget_aws_quota),
        cmocka_unit_test(test_budget_finagle_window),
        cmocka_unit_test(test_budget_envoy_concurrency),
        cmocka_unit_test(test_breaker_count_window),
        cmocka_unit_test(test_breaker_open_half_open_close),
        cmocka_unit_test(test_breaker_slow_calls_and_record),
        cmocka_unit_test(test_breaker_time_window),
        cmocka_unit_test(test_pool_without_wait_is_erlang_loss),
        cmocka_unit_test(test_pool_with_wait_is_erlang_c),
        cmocka_unit_test(test_pool_wait_counts_toward_timeout),
        cmocka_unit_test(test_pool_connection_held_by_abandoned_work),
        cmocka_unit_test(test_budget_vs_storm_recovers_within_budget),
        cmocka_unit_test(test_backoff_alone_does_not_stop_this_storm),
        cmocka_unit_test(test_breaker_example),
        cmocka_unit_test(test_contention_spiral_smaller_pool_wins),
    };
    return cmocka_run_group_tests_name("mechanisms", tests, NULL, NULL);
}
