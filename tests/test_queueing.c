/* test_queueing.c -- the engine against queueing theory.
 *
 * Each model is simulated for at least 10^6 requests and compared with the
 * closed-form result: M/M/1, M/M/c (Erlang C), M/M/1/K blocking, M/D/1 and
 * M/G/1 (Pollaczek-Khinchine), and Little's law on the output itself.  A
 * simulator that got queueing wrong would fail these long before it failed
 * to show a retry storm. */
#include "testsim.h"

#include <math.h>

#include "eddy.h"

/* Load a model from text and run it with its own seed; the model stays
 * alive for the result's names and is returned through *mp. */
static void run_text(const char *yaml, eddy_model **mp, eddy_result *r)
{
    *mp = load_text(yaml);
    run_model_seed(*mp, r);
}

static void test_mm1_mean_response(void **state)
{
    (void)state;
    /* lambda 700/s, mu 1000/s: W = 1/(mu - lambda) = 3.333 ms. */
    const char *y = "duration: 1450s\n"
                    "clients: {load: {rate: 700/s, call: q}}\n"
                    "services: {q: {workers: 1, service_time: {dist: exponential, mean: 1ms}}}\n";
    eddy_model *m;
    eddy_result r;
    run_text(y, &m, &r);
    assert_true(r.services[0].completed >= 1000000);
    assert_within_rel(r.services[0].latency_mean, 1.0 / (1000 - 700), 0.02);
    assert_within_rel(r.services[0].busy_mean, 0.7, 0.02);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_mmc_erlang_c(void **state)
{
    (void)state;
    /* c = 4, lambda 3200/s, mu 1000/s per worker: rho 0.8. */
    const char *y = "duration: 320s\n"
                    "clients: {load: {rate: 3200/s, call: q}}\n"
                    "services: {q: {workers: 4, service_time: {dist: exponential, mean: 1ms}}}\n";
    eddy_model *m;
    eddy_result r;
    run_text(y, &m, &r);
    double lambda = 3200, mu = 1000;
    int c = 4;
    double W = 1 / mu + erlang_c(c, lambda / mu) / (c * mu - lambda);
    assert_true(r.services[0].completed >= 1000000);
    assert_within_rel(r.services[0].latency_mean, W, 0.02);
    /* and the mean queue length, Lq = lambda * Wq */
    assert_within_rel(r.services[0].queue_mean, lambda * (W - 1 / mu), 0.03);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_mmc_erlang_c_replicas(void **state)
{
    (void)state;
    /* 4 replicas of 1 worker each, callers spread at random: that is four
     * M/M/1 queues at lambda/4, not one M/M/4 -- a real difference that
     * the engine must show (random routing loses the pooling gain). */
    const char *y = "duration: 320s\n"
                    "clients: {load: {rate: 3200/s, call: q}}\n"
                    "services: {q: {workers: 1, replicas: 4, service_time: {dist: exponential, mean: 1ms}}}\n";
    eddy_model *m;
    eddy_result r;
    run_text(y, &m, &r);
    assert_within_rel(r.services[0].latency_mean, 1.0 / (1000 - 800), 0.02);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_mm1k_blocking(void **state)
{
    (void)state;
    /* K = 5 in the system (1 in service + 4 waiting), rho = 0.9.
     * P(block) = (1 - rho) rho^K / (1 - rho^(K+1)). */
    const char *y = "duration: 1200s\n"
                    "clients: {load: {rate: 900/s, call: q}}\n"
                    "services: {q: {workers: 1, queue: 4, service_time: {dist: exponential, mean: 1ms}}}\n";
    eddy_model *m;
    eddy_result r;
    run_text(y, &m, &r);
    double rho = 0.9;
    int K = 5;
    double pk = (1 - rho) * pow(rho, K) / (1 - pow(rho, K + 1));
    const eddy_service_totals *t = &r.services[0];
    assert_true(t->arrivals >= 1000000);
    assert_within_rel((double)t->rejected / (double)t->arrivals, pk, 0.05);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_md1_pollaczek_khinchine(void **state)
{
    (void)state;
    /* Constant 1 ms service at rho 0.7: Wq = rho S / (2 (1 - rho)). */
    const char *y = "duration: 1450s\n"
                    "clients: {load: {rate: 700/s, call: q}}\n"
                    "services: {q: {workers: 1, service_time: 1ms}}\n";
    eddy_model *m;
    eddy_result r;
    run_text(y, &m, &r);
    double S = 1e-3, rho = 0.7;
    assert_true(r.services[0].completed >= 1000000);
    assert_within_rel(r.services[0].latency_mean, S + rho * S / (2 * (1 - rho)), 0.02);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_mg1_gamma_pollaczek_khinchine(void **state)
{
    (void)state;
    /* Gamma service, mean 1 ms, cv 2: Wq = lambda E[S^2] / (2 (1 - rho)),
     * E[S^2] = (1 + cv^2) S^2. */
    const char *y = "duration: 2000s\n"
                    "clients: {load: {rate: 600/s, call: q}}\n"
                    "services: {q: {workers: 1, service_time: {dist: gamma, mean: 1ms, cv: 2}}}\n";
    eddy_model *m;
    eddy_result r;
    run_text(y, &m, &r);
    double S = 1e-3, lambda = 600, rho = lambda * S, ES2 = (1 + 4) * S * S;
    assert_within_rel(r.services[0].latency_mean, S + lambda * ES2 / (2 * (1 - rho)), 0.03);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_littles_law_on_output(void **state)
{
    (void)state;
    /* L = lambda W, with L and lambda read from the CSV series (time-
     * averaged queue + busy; completions per second) and W from the run's
     * mean time in system: an independent check of the telemetry. */
    const char *y = "duration: 400s\n"
                    "clients: {load: {rate: 2700/s, call: q}}\n"
                    "services: {q: {workers: 3, queue: 50, service_time: {dist: lognormal, median: 800us, p99: 4ms}}}\n";
    eddy_model *m;
    eddy_result r;
    run_text(y, &m, &r);
    const eddy_series *s = &r.series;
    int cq = eddy_series_column(s, "q.queue"), cb = eddy_series_column(s, "q.busy"),
        cc = eddy_series_column(s, "q.completed"), ce = eddy_series_column(s, "q.errors");
    assert_true(cq > 0 && cb > 0 && cc > 0 && ce > 0);
    double L = 0, X = 0;
    for (size_t i = 0; i < s->nrows; i++) {
        L += eddy_series_at(s, i, (size_t)cq) + eddy_series_at(s, i, (size_t)cb);
        X += eddy_series_at(s, i, (size_t)cc);
    }
    L /= (double)s->nrows;
    X /= (double)s->nrows;
    assert_true(r.services[0].completed >= 1000000);
    assert_true(r.services[0].rejected > 0); /* the queue limit is in play */
    assert_within_rel(L, X * r.services[0].latency_mean, 0.01);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_closed_loop_response_time_law(void **state)
{
    (void)state;
    /* N users thinking Z between requests: X = N / (R + Z), the
     * interactive response time law, whatever the service. */
    const char *y = "duration: 700s\n"
                    "clients: {users: {users: 20, think: {dist: exponential, mean: 10ms}, call: q}}\n"
                    "services: {q: {workers: 2, service_time: {dist: exponential, mean: 1ms}}}\n";
    eddy_model *m;
    eddy_result r;
    run_text(y, &m, &r);
    double X = (double)r.clients[0].goodput / 700.0;
    double R = r.clients[0].latency_mean;
    assert_true(r.clients[0].goodput >= 1000000);
    assert_within_rel(X, 20 / (R + 0.010), 0.01);
    /* Closed loops self-throttle: 20 users cannot overload two workers
     * beyond saturation, so utilisation stays below 1. */
    assert_true(r.services[0].busy_mean < 2.0);
    eddy_result_free(&r);
    eddy_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mm1_mean_response),
        cmocka_unit_test(test_mmc_erlang_c),
        cmocka_unit_test(test_mmc_erlang_c_replicas),
        cmocka_unit_test(test_mm1k_blocking),
        cmocka_unit_test(test_md1_pollaczek_khinchine),
        cmocka_unit_test(test_mg1_gamma_pollaczek_khinchine),
        cmocka_unit_test(test_littles_law_on_output),
        cmocka_unit_test(test_closed_loop_response_time_law),
    };
    return cmocka_run_group_tests_name("queueing theory", tests, NULL, NULL);
}
