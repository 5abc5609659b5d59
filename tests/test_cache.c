/* test_cache.c -- look-aside caches: Zipf keys, TTL, LRU, coalescing,
 * stale-while-revalidate, flushes and restarts, and the three examples.
 *
 * Where there is theory it is the reference: the Zipf sampler against the
 * exact pmf (chi-square), a TTL cache under Poisson requests against the
 * renewal argument (a key with rate lambda and TTL T is hit lambda*T times
 * per miss, so its hit ratio is lambda*T / (1 + lambda*T)), and LRU against
 * Che's approximation.  The mechanisms and examples are pinned by what they
 * exist for, each against the same model without them. */
#include "testsim.h"

#include <math.h>

#include "core/zipf.h"
#include "eddy.h"

/* Sum of a rate column over [t0, t1), times the sample interval: a count. */
static double col_count(const eddy_result *r, const char *name, double t0, double t1, double dt)
{
    size_t c = col_index(r, name);
    double n = 0;
    for (size_t i = 0; i < r->series.nrows; i++) {
        double t = eddy_series_at(&r->series, i, 0);
        if (t >= t0 && t < t1)
            n += eddy_series_at(&r->series, i, c) * dt;
    }
    return n;
}

/* ---- the Zipf sampler --------------------------------------------------------- */

/* Chi-square of 10^6 draws against the exact pmf, for exponents on both
 * sides of 1 (where the sampler's formulas change form), 1 itself and 0
 * (uniform).  With 49 degrees of freedom the 99.9% point is 85.4. */
static void test_zipf_matches_exact_pmf(void **state)
{
    (void)state;
    const double exps[] = {0.0, 0.6, 1.0, 1.0 + 1e-9, 1.4, 2.5};
    const int64_t n = 50;
    const long draws = 1000000;
    for (size_t e = 0; e < sizeof exps / sizeof exps[0]; e++) {
        zipf z;
        zipf_init(&z, n, exps[e]);
        rng g;
        rng_stream(&g, 42, "zipf", (uint32_t)e + 1);
        long count[51] = {0};
        for (long i = 0; i < draws; i++) {
            int64_t k = zipf_sample(&z, &g);
            assert_true(k >= 1 && k <= n);
            count[k]++;
        }
        double chi2 = 0;
        for (int64_t k = 1; k <= n; k++) {
            double want = (double)draws * zipf_pmf(n, exps[e], k);
            chi2 += ((double)count[k] - want) * ((double)count[k] - want) / want;
        }
        if (chi2 > 85.4)
            fail_msg("zipf s=%g: chi-square %.1f over 49 degrees of freedom", exps[e], chi2);
        /* and the head, where the mass is, to 1% */
        assert_within_rel((double)count[1] / (double)draws, zipf_pmf(n, exps[e], 1), 0.01);
    }
    /* a large key space needs no table: rank 1 of 10^7 keys at s = 1 */
    zipf z;
    zipf_init(&z, 10000000, 1.0);
    rng g;
    rng_stream(&g, 7, "zipf-large", 1);
    long ones = 0;
    for (long i = 0; i < draws; i++)
        ones += zipf_sample(&z, &g) == 1;
    double h = 0;
    for (long k = 10000000; k >= 1; k--)
        h += 1.0 / (double)k;
    assert_within_rel((double)ones / (double)draws, 1.0 / h, 0.02);
    /* one key is always rank 1 */
    zipf_init(&z, 1, 1.0);
    assert_int_equal(zipf_sample(&z, &g), 1);
}

/* ---- TTL under Poisson requests ---------------------------------------------- */

/* Each key's requests are a Poisson stream (a thinned Poisson stream is
 * Poisson).  A miss fills the key at once (the origin answers in 0 s); the
 * entry then serves Poisson(lambda*T) hits until it expires, and the next
 * request misses again: hit ratio lambda*T / (1 + lambda*T).
 *
 * `zipfed` draws 20 keys from Zipf(1); the keys k1, k3, k10 are keys 1, 3
 * and 10 of the same law on their own (one key each, at rate lambda*p_i),
 * so their hit ratios are per-key figures.  The Zipf cache as a whole must
 * match the sum over its keys. */
static void test_ttl_hit_ratio_matches_renewal_theory(void **state)
{
    (void)state;
    const double lambda = 10.0, T = 1.0;
    char yaml[2048];
    double p1 = zipf_pmf(20, 1.0, 1), p3 = zipf_pmf(20, 1.0, 3), p10 = zipf_pmf(20, 1.0, 10);
    snprintf(yaml, sizeof yaml,
             "duration: 200000s\n"
             "sample: 1000s\n"
             "caches:\n"
             "  zipfed: {keys: 20, zipf: 1.0, ttl: 1s, hit_time: 0s}\n"
             "  k1: {keys: 1, ttl: 1s, hit_time: 0s}\n"
             "  k3: {keys: 1, ttl: 1s, hit_time: 0s}\n"
             "  k10: {keys: 1, ttl: 1s, hit_time: 0s}\n"
             "clients:\n"
             "  all: {rate: %.9f/s, call: origin, cache: zipfed}\n"
             "  c1: {rate: %.9f/s, call: origin, cache: k1}\n"
             "  c3: {rate: %.9f/s, call: origin, cache: k3}\n"
             "  c10: {rate: %.9f/s, call: origin, cache: k10}\n"
             "services:\n"
             "  origin: {workers: unlimited, service_time: 0s}\n",
             lambda, lambda * p1, lambda * p3, lambda * p10);
    eddy_model *m = load_text(yaml);
    eddy_result r;
    run_model_seed(m, &r);
    const char *names[] = {"k1", "k3", "k10"};
    double ps[] = {p1, p3, p10};
    for (int i = 0; i < 3; i++) {
        double lt = lambda * ps[i] * T;
        assert_within_rel(tot_cache(&r, names[i])->hit_ratio, lt / (1 + lt), 0.02);
    }
    double want = 0;
    for (int k = 1; k <= 20; k++) {
        double lt = lambda * zipf_pmf(20, 1.0, k) * T;
        want += zipf_pmf(20, 1.0, k) * lt / (1 + lt);
    }
    const eddy_cache_totals *z = tot_cache(&r, "zipfed");
    assert_within_rel(z->hit_ratio, want, 0.02);
    /* every miss filled (the origin always answers), nothing evicted */
    assert_int_equal(z->fills, z->misses);
    assert_int_equal(z->evictions, 0);
    /* a hit costs no origin call: the origin saw exactly the misses */
    uint64_t misses = 0;
    for (size_t i = 0; i < r.ncaches; i++)
        misses += r.caches[i].misses;
    assert_int_equal(tot_service(&r, "origin")->arrivals, misses);
    /* a user request served by the cache still counts as offered */
    assert_int_equal(tot_client(&r, "all")->offered, z->hits + z->misses);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* ---- LRU ---------------------------------------------------------------------- */

/* Che's approximation of LRU under independent requests: the characteristic
 * time t solves sum_i (1 - exp(-p_i t)) = C, and the hit ratio is
 * sum_i p_i (1 - exp(-p_i t)). */
static double che_hit_ratio(long n, double s, long cap)
{
    double *p = malloc((size_t)n * sizeof *p);
    assert_non_null(p);
    for (long k = 1; k <= n; k++)
        p[k - 1] = zipf_pmf(n, s, k);
    double lo = 0, hi = 1e12;
    for (int it = 0; it < 200; it++) {
        double t = (lo + hi) / 2, occ = 0;
        for (long k = 0; k < n; k++)
            occ += 1 - exp(-p[k] * t);
        if (occ < (double)cap)
            lo = t;
        else
            hi = t;
    }
    double h = 0;
    for (long k = 0; k < n; k++)
        h += p[k] * (1 - exp(-p[k] * lo));
    free(p);
    return h;
}

static void test_lru_arithmetic(void **state)
{
    (void)state;
    /* Uniform popularity: any cache of C of N keys hits C/N of the time.
     * Each miss past the first C fills and evicts one entry. */
    eddy_model *m = load_text("duration: 2000s\n"
                              "caches: {u: {keys: 1000, zipf: 0, capacity: 100, hit_time: 0s},\n"
                              "         z: {keys: 1000, zipf: 0.8, capacity: 100, hit_time: 0s}}\n"
                              "clients:\n"
                              "  a: {rate: 500/s, call: origin, cache: u}\n"
                              "  b: {rate: 500/s, call: origin, cache: z}\n"
                              "services: {origin: {workers: unlimited, service_time: 0s}}\n");
    eddy_result r;
    run_model_seed(m, &r);
    const eddy_cache_totals *u = tot_cache(&r, "u"), *z = tot_cache(&r, "z");
    assert_within_rel(u->hit_ratio, 0.1, 0.02);
    assert_int_equal(u->fills, u->misses);
    assert_int_equal(u->evictions, u->fills - 100);
    assert_int_equal(u->entries, 100);
    assert_int_equal(z->evictions, z->fills - 100);
    /* Zipf: LRU keeps the popular keys, as Che's approximation says */
    assert_within_rel(z->hit_ratio, che_hit_ratio(1000, 0.8, 100), 0.02);
    assert_true(z->hit_ratio > 2 * u->hit_ratio);
    /* entries never exceed the capacity */
    assert_true(col_max(&r, "u.entries", 0, 2000) <= 100);
    eddy_result_free(&r);
    eddy_model_free(m);

    /* warm with a capacity: the most popular `capacity` keys, and nothing
     * else, so with s large enough almost every request hits at once */
    m = load_text("duration: 10s\n"
                  "caches: {w: {keys: 1000, zipf: 3, capacity: 10, warm: true, hit_time: 0s}}\n"
                  "clients: {a: {rate: 1000/s, call: origin, cache: w}}\n"
                  "services: {origin: {workers: unlimited, service_time: 0s}}\n");
    run_model_seed(m, &r);
    double head = 0;
    for (int k = 1; k <= 10; k++)
        head += zipf_pmf(1000, 3, k);
    assert_within_rel(tot_cache(&r, "w")->hit_ratio, head, 0.01);
    assert_int_equal(tot_cache(&r, "w")->entries, 10);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* ---- coalescing ------------------------------------------------------------- */

static void test_coalescing_shares_one_origin_call(void **state)
{
    (void)state;
    /* One key, cold; the origin takes 1 s.  ~1000 requests miss while the
     * first origin call is in flight. */
    const char *base = "duration: 3s\n"
                       "caches: {k: {keys: 1, ttl: 1h, hit_time: 0s%s}}\n"
                       "clients: {c: {rate: 1000/s, call: origin, cache: k}}\n"
                       "services: {origin: {workers: unlimited, service_time: 1s%s}}\n";
    char yaml[1024];
    eddy_result r;
    snprintf(yaml, sizeof yaml, base, ", coalesce: true", "");
    eddy_model *m = load_text(yaml);
    run_model_seed(m, &r);
    const eddy_cache_totals *k = tot_cache(&r, "k");
    assert_true(k->misses > 900);
    assert_int_equal(tot_service(&r, "origin")->arrivals, 1);
    assert_int_equal(k->coalesced, k->misses - 1);
    assert_int_equal(k->fills, 1);
    /* every waiter got the answer: nothing failed, nothing is left waiting */
    const eddy_client_totals *c = tot_client(&r, "c");
    assert_int_equal(c->failed, 0);
    assert_int_equal(c->goodput, c->requests);
    eddy_result_free(&r);
    eddy_model_free(m);

    /* without coalescing, every miss is its own origin call */
    snprintf(yaml, sizeof yaml, base, "", "");
    m = load_text(yaml);
    run_model_seed(m, &r);
    assert_int_equal(tot_service(&r, "origin")->arrivals, tot_cache(&r, "k")->misses);
    assert_true(tot_cache(&r, "k")->misses > 900);
    assert_int_equal(tot_cache(&r, "k")->coalesced, 0);
    eddy_result_free(&r);
    eddy_model_free(m);

    /* an error is shared too: the waiters fail with the leader, and nothing
     * is filled, so each new miss after it makes one new origin call */
    snprintf(yaml, sizeof yaml, base, ", coalesce: true", ", errors: 100%");
    m = load_text(yaml);
    run_model_seed(m, &r);
    k = tot_cache(&r, "k");
    assert_int_equal(k->fills, 0);
    assert_int_equal(tot_client(&r, "c")->goodput, 0);
    assert_true(tot_service(&r, "origin")->arrivals <= 3);
    assert_int_equal(k->coalesced + tot_service(&r, "origin")->arrivals, k->misses);
    eddy_result_free(&r);
    eddy_model_free(m);

    /* the leader gives up (its deadline) before the answer: the key's
     * origin call passes to a waiter, so nobody is stranded */
    m = load_text("duration: 5s\n"
                  "caches: {k: {keys: 1, ttl: 1h, coalesce: true, hit_time: 0s}}\n"
                  "clients: {c: {rate: 200/s, call: origin, cache: k, deadline: 1500ms}}\n"
                  "services: {origin: {workers: unlimited, service_time: 1s}}\n");
    run_model_seed(m, &r);
    c = tot_client(&r, "c");
    assert_int_equal(c->goodput + c->failed, c->requests); /* every request ended */
    assert_true(c->goodput > 0.9 * (double)c->requests);
    assert_int_equal(tot_cache(&r, "k")->fills, 1);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* ---- stale-while-revalidate ------------------------------------------------- */

static void test_stale_while_revalidate(void **state)
{
    (void)state;
    /* One warm key, TTL 1 s, origin 200 ms.  Without SWR each expiry costs
     * ~200 ms of misses (~20 origin calls); with it, the expired entry is
     * served stale and one refresh per expiry goes to the origin. */
    const char *base = "duration: 600s\n"
                       "caches: {k: {keys: 1, ttl: 1s, warm: true%s}}\n"
                       "clients: {c: {rate: 100/s, call: origin, cache: k}}\n"
                       "services: {origin: {workers: unlimited, service_time: 200ms}}\n";
    char yaml[1024];
    eddy_result r;
    snprintf(yaml, sizeof yaml, base, "");
    eddy_model *m = load_text(yaml);
    run_model_seed(m, &r);
    uint64_t plain_origin = tot_service(&r, "origin")->arrivals;
    assert_true(plain_origin > 10 * 450);
    assert_int_equal(tot_cache(&r, "k")->stale, 0);
    eddy_result_free(&r);
    eddy_model_free(m);

    snprintf(yaml, sizeof yaml, base, ", stale_while_revalidate: 10s");
    m = load_text(yaml);
    run_model_seed(m, &r);
    const eddy_cache_totals *k = tot_cache(&r, "k");
    assert_int_equal(k->misses, 0);
    assert_true(k->stale > 0);
    assert_int_equal(tot_service(&r, "origin")->arrivals, k->refreshes);
    assert_true(k->refreshes - k->fills <= 1); /* one may be in flight at the end */
    /* a refresh follows the first stale hit (~10 ms after expiry) and takes
     * 200 ms, so a cycle is ~1.21 s */
    assert_within_rel((double)k->refreshes, 600 / 1.21, 0.03);
    /* every request is served at hit cost: p99 is the 1 ms hit_time */
    assert_within_rel(tot_client(&r, "c")->latency_p99, 0.001, 0.01);
    assert_true(col_max(&r, "k.refreshes", 0, 600) > 0);
    eddy_result_free(&r);
    eddy_model_free(m);

    /* a window shorter than the refresh: stale for 50 ms, then misses */
    snprintf(yaml, sizeof yaml, base, ", stale_while_revalidate: 50ms");
    m = load_text(yaml);
    run_model_seed(m, &r);
    k = tot_cache(&r, "k");
    assert_true(k->stale > 0);
    assert_true(k->misses > 0);
    assert_true(tot_service(&r, "origin")->arrivals < plain_origin);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* ---- flush and restart -------------------------------------------------------- */

static void test_flush_fault_and_action(void **state)
{
    (void)state;
    /* Entries that never expire: misses only after a flush. */
    eddy_model *m = load_text("duration: 30s\n"
                              "caches: {k: {keys: 100, warm: true}}\n"
                              "clients: {c: {rate: 2000/s, call: origin, cache: k}}\n"
                              "services: {origin: {workers: unlimited, service_time: 10ms}}\n"
                              "faults: [{at: 10s, target: k, flush: true}]\n"
                              "actions: [{at: 20s, cache: k, flush: true}]\n");
    eddy_result r;
    run_model_seed(m, &r);
    assert_true(col_max(&r, "k.misses", 0, 10) == 0);
    assert_true(col_at(&r, "k.misses", 10) > 100);
    assert_true(col_max(&r, "k.misses", 12, 20) == 0);
    assert_true(col_at(&r, "k.misses", 20) > 100);
    assert_true(col_max(&r, "k.misses", 22, 30) == 0);
    assert_true(col_at(&r, "k.entries", 8) == 100);
    assert_true(col_at(&r, "k.entries", 9) == 0); /* flushed at its end, 10 s */
    assert_true(col_at(&r, "k.entries", 29) == 100);
    assert_true(col_at(&r, "origin.arrivals", 10) > 100);
    eddy_result_free(&r);
    eddy_model_free(m);
}

static void test_restart_loses_work_and_flushes_owned_caches(void **state)
{
    (void)state;
    /* web keeps an in-process cache of db answers (owner: web).  web
     * restarts at 10 s: its in-flight work is lost (the shoppers time
     * out) and the cache starts cold.  other's cache is not web's. */
    const char *yaml = "duration: 20s\n"
                       "caches: {local: {keys: 100, warm: true, owner: web},\n"
                       "         other: {keys: 100, warm: true}}\n"
                       "clients:\n"
                       "  shoppers: {rate: 1000/s, call: web, timeout: 1s}\n"
                       "  batch: {rate: 100/s, call: db2, cache: other}\n"
                       "services:\n"
                       "  web: {workers: 200, service_time: 50ms, calls: [{to: db, cache: local}]}\n"
                       "  db: {workers: unlimited, service_time: 10ms}\n"
                       "  db2: {workers: unlimited, service_time: 10ms}\n"
                       "faults: [{at: 10s, target: web, restart: true}]\n";
    eddy_model *m = load_text(yaml);
    eddy_result r;
    run_model_seed(m, &r);
    assert_true(col_max(&r, "db.arrivals", 0, 10) == 0);
    assert_true(col_at(&r, "db.arrivals", 10) > 50);
    assert_true(col_at(&r, "local.misses", 10) > 50);
    assert_true(col_max(&r, "other.misses", 0, 20) == 0); /* not web's cache */
    /* ~50 requests were in web (1000/s x 50 ms): lost, they time out 1 s on */
    double lost = col_count(&r, "shoppers.timeouts", 10, 12, 1);
    assert_true(lost > 25 && lost < 100);
    /* web serves again at once */
    assert_within_rel(col_mean(&r, "shoppers.goodput", 12, 20), 1000, 0.05);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* A scaled service (startup: 5s) restarts: its replicas come back through
 * their start-up, so nothing is served for 5 s, then the cold cache fills. */
static void test_restart_of_a_scaled_service(void **state)
{
    (void)state;
    eddy_model *m = load_text("duration: 40s\n"
                              "caches: {local: {keys: 100, warm: true, owner: web}}\n"
                              "clients: {shoppers: {rate: 500/s, call: web, timeout: 1s}}\n"
                              "services:\n"
                              "  web: {workers: 50, replicas: 2, startup: 5s, service_time: 20ms,\n"
                              "        calls: [{to: db, cache: local}]}\n"
                              "  db: {workers: unlimited, service_time: 10ms}\n"
                              "faults: [{at: 20s, target: web, restart: true}]\n");
    eddy_result r;
    run_model_seed(m, &r);
    assert_within_rel(col_mean(&r, "shoppers.goodput", 5, 20), 500, 0.05);
    assert_true(col_max(&r, "shoppers.goodput", 20, 25) == 0);
    assert_true(col_at(&r, "web.replicas", 22) == 0);
    assert_true(col_at(&r, "web.replicas", 26) == 2);
    assert_true(col_max(&r, "db.arrivals", 0, 25) == 0);
    assert_true(col_at(&r, "local.misses", 25) > 50); /* flushed: refilled once serving again */
    assert_within_rel(col_mean(&r, "shoppers.goodput", 27, 40), 500, 0.05);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* ---- determinism ---------------------------------------------------------- */

static void test_deterministic(void **state)
{
    (void)state;
    eddy_model *m = load_file_replacing("examples/cold-cache.yaml", "warm: true",
                                        "warm: true\n    coalesce: true\n    stale_while_revalidate: 10m\n"
                                        "    capacity: 1500");
    eddy_result a, b, c;
    run_model(m, 5, &a);
    run_model(m, 5, &b);
    run_model(m, 6, &c);
    assert_int_equal(a.series.nrows, b.series.nrows);
    assert_int_equal(a.series.ncols, b.series.ncols);
    assert_memory_equal(a.series.values, b.series.values, a.series.nrows * a.series.ncols * sizeof(double));
    assert_true(tot_cache(&a, "sessions")->evictions > 0);
    assert_int_equal(tot_cache(&a, "sessions")->hits, tot_cache(&b, "sessions")->hits);
    assert_true(tot_cache(&a, "sessions")->hits != tot_cache(&c, "sessions")->hits);
    eddy_result_free(&a);
    eddy_result_free(&b);
    eddy_result_free(&c);
    eddy_model_free(m);
}

/* ---- the examples ----------------------------------------------------------- */

static double herd_peak(const char *from, const char *to)
{
    eddy_model *m = load_file_replacing("examples/thundering-herd.yaml", from, to);
    eddy_result r;
    run_model_seed(m, &r);
    double peak = col_max(&r, "db.arrivals", 5, 200);
    /* the same users are served either way */
    assert_true(tot_client(&r, "web")->goodput > 0.99 * (double)tot_client(&r, "web")->requests);
    eddy_result_free(&r);
    eddy_model_free(m);
    return peak;
}

static void test_thundering_herd_example(void **state)
{
    (void)state;
    eddy_model *m = load_file_replacing("examples/thundering-herd.yaml", NULL, NULL);
    eddy_result r;
    run_model_seed(m, &r);
    /* spikes at each TTL boundary, quiet between */
    double quiet = col_max(&r, "db.arrivals", 5, 59);
    for (int b = 60; b <= 180; b += 60) {
        double spike = col_at(&r, "db.arrivals", (size_t)b);
        if (!(spike > 20 * (quiet + 1)))
            fail_msg("db.arrivals at %d s = %.0f, quiet %.0f", b, spike, quiet);
    }
    eddy_result_free(&r);
    eddy_model_free(m);

    double base = herd_peak(NULL, NULL);
    double jitter = herd_peak("warm: true", "warm: true\n    ttl_jitter: 30s");
    double coalesce = herd_peak("warm: true", "warm: true\n    coalesce: true");
    print_message("herd peak db.arrivals: %.0f/s; with ttl_jitter %.0f/s (%.1fx); with coalesce %.0f/s (%.1fx)\n",
                  base, jitter, base / jitter, coalesce, base / coalesce);
    assert_true(base >= 5 * jitter);
    assert_true(base >= 5 * coalesce);
}

/* Success over the last two minutes of cold-cache.yaml, as modified. */
static double cold_final_success(const char *from, const char *to, double *hit)
{
    eddy_model *m = load_file_replacing("examples/cold-cache.yaml", from, to);
    eddy_result r;
    run_model_seed(m, &r);
    double good = col_mean(&r, "app.goodput", 480, 600), off = col_mean(&r, "app.offered", 480, 600);
    *hit = col_mean(&r, "sessions.hit_ratio", 480, 600);
    /* healthy before the fault in every variant */
    assert_true(col_mean(&r, "app.goodput", 60, 120) > 0.99 * col_mean(&r, "app.offered", 60, 120));
    eddy_result_free(&r);
    eddy_model_free(m);
    return good / off;
}

static void test_cold_cache_example(void **state)
{
    (void)state;
    double hit_stuck, hit_swr, hit_shed;
    double stuck = cold_final_success(NULL, NULL, &hit_stuck);
    double swr = cold_final_success("warm: true", "warm: true\n    coalesce: true\n    stale_while_revalidate: 10m",
                                    &hit_swr);
    double shed = cold_final_success("mean: 20ms}", "mean: 20ms}\n    shed: {queue_timeout: 500ms}", &hit_shed);
    print_message("cold cache, success in the last 2 min: stuck %.3f (hit %.2f), coalesce+swr %.3f (hit %.2f), "
                  "shed %.3f (hit %.2f)\n",
                  stuck, hit_stuck, swr, hit_swr, shed, hit_shed);
    /* metastable: 6 minutes after the slowdown ended, still down */
    assert_true(stuck < 0.05);
    assert_true(hit_stuck < 0.5);
    /* each way out recovers, with the cache warm again */
    assert_true(swr > 0.99);
    assert_true(shed > 0.99);
    assert_true(hit_swr > 0.95 && hit_shed > 0.95);
}

/* The same ways out, switched on by operator actions once the cold cache
 * has set in (at 3 m, half a minute after the slowdown ended): what eddy
 * diagnose's knockout of the cache loop does. */
static void test_cache_mode_actions(void **state)
{
    (void)state;
    double hit;
    double both = cold_final_success("faults:", "actions:\n"
                                                "  - {at: 3m, cache: sessions, coalesce: true}\n"
                                                "  - {at: 3m, cache: sessions, stale_while_revalidate: 10m}\n"
                                                "faults:",
                                     &hit);
    assert_true(both > 0.99);
    assert_true(hit > 0.95);
    /* switched on and off again before the slowdown, they change nothing */
    double off = cold_final_success("faults:", "actions:\n"
                                               "  - {at: 10s, cache: sessions, coalesce: on}\n"
                                               "  - {at: 10s, cache: sessions, stale_while_revalidate: true}\n"
                                               "  - {at: 20s, cache: sessions, coalesce: off}\n"
                                               "  - {at: 20s, cache: sessions, stale_while_revalidate: false}\n"
                                               "faults:",
                                    &hit);
    assert_true(off < 0.05);
}

static void test_hourly_spikes_example(void **state)
{
    (void)state;
    eddy_model *m = load_file_replacing("examples/hourly-spikes.yaml", NULL, NULL);
    eddy_result r;
    run_model_seed(m, &r);
    size_t p99 = col_index(&r, "shop.latency_p99");
    /* the intervals starting on the hour against the worst of the rest
     * (leaving out the 30 s after each boundary, where the spike drains) */
    double rest = 0;
    for (size_t i = 0; i < r.series.nrows; i++) {
        double t = eddy_series_at(&r.series, i, 0);
        double off = fmod(t, 3600);
        if (t >= 3600 && off < 30)
            continue;
        double v = eddy_series_at(&r.series, i, p99);
        if (v > rest)
            rest = v;
    }
    for (int h = 1; h <= 3; h++) {
        size_t row = (size_t)(h * 3600 / 10);
        assert_true(eddy_series_at(&r.series, row, 0) == h * 3600);
        double spike = eddy_series_at(&r.series, row, p99);
        print_message("hour %d: p99 %.4f s against at most %.4f s elsewhere\n", h, spike, rest);
        assert_true(spike > 10 * rest);
        assert_true(col_at(&r, "catalog.misses", row) > 0);
    }
    eddy_result_free(&r);
    eddy_model_free(m);

    /* with ttl_jitter the expiries spread, and no interval spikes so */
    m = load_file_replacing("examples/hourly-spikes.yaml", "warm: true", "warm: true\n    ttl_jitter: 10m");
    run_model_seed(m, &r);
    double worst = col_max(&r, "shop.latency_p99", 0, 12600);
    print_message("with ttl_jitter: 10m, the worst p99 is %.4f s\n", worst);
    assert_true(worst < 0.002); /* a hit's 1 ms in every interval */
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* ---- malformed input ------------------------------------------------------------ */

static void test_malformed(void **state)
{
    (void)state;
#define HEAD "duration: 10s\nservices: {s: {workers: 4, service_time: 1ms}}\n"
#define BAD(text, line, col, needle) expect_load_error(HEAD text, line, col, needle)
    /* the cache itself */
    BAD("caches: {k: {kyes: 10}}\nclients: {c: {rate: 1/s, call: s, cache: k}}\n", 3, 14,
        "unknown key 'kyes' (did you mean 'keys'?); expected one of: keys, zipf, ttl");
    BAD("caches: {k: {ttl: 1s}}\nclients: {c: {rate: 1/s, call: s, cache: k}}\n", 3, 10, "missing key 'keys'");
    BAD("caches: {k: {keys: 0}}\nclients: {c: {rate: 1/s, call: s, cache: k}}\n", 3, 20, "expected at least 1");
    BAD("caches: {k: {keys: 10, ttl: 5}}\nclients: {c: {rate: 1/s, call: s, cache: k}}\n", 3, 29,
        "expected a duration with a unit");
    BAD("caches: {k: {keys: 10, ttl_jitter: 5s}}\nclients: {c: {rate: 1/s, call: s, cache: k}}\n", 3, 24,
        "ttl_jitter needs a ttl");
    BAD("caches: {k: {keys: 10, ttl: 1s, stale_while_revalidate: maybe}}\nclients: {c: {rate: 1/s, call: s, cache: "
        "k}}\n",
        3, 57, "or true or false; got 'maybe'");
    BAD("caches: {k: {keys: 10, stale_while_revalidate: true}}\nclients: {c: {rate: 1/s, call: s, cache: k}}\n", 3, 24,
        "stale_while_revalidate needs a ttl");
    BAD("caches: {k: {keys: 10, capacity: 0}}\nclients: {c: {rate: 1/s, call: s, cache: k}}\n", 3, 34,
        "expected at least 1");
    BAD("caches: {k: {keys: 10, zipf: -1}}\nclients: {c: {rate: 1/s, call: s, cache: k}}\n", 3, 30,
        "expected a number of at least 0");
    BAD("caches: {k: {keys: 10, coalesce: sure}}\nclients: {c: {rate: 1/s, call: s, cache: k}}\n", 3, 34,
        "expected true or false");
    BAD("caches: {k: {keys: 10, owner: nobody}}\nclients: {c: {rate: 1/s, call: s, cache: k}}\n", 3, 31,
        "no service named 'nobody'");
    BAD("caches: [k]\nclients: {c: {rate: 1/s, call: s}}\n", 3, 9, "a mapping of cache names to caches");
    BAD("caches: {s: {keys: 10}}\nclients: {c: {rate: 1/s, call: s, cache: s}}\n", 3, 10, "also a service name");
    /* its use */
    BAD("caches: {k: {keys: 10}}\nclients: {c: {rate: 1/s, call: s}}\n", 3, 10, "no call uses this cache");
    BAD("caches: {k: {keys: 10}}\nclients: {c: {rate: 1/s, call: s, cache: kk}}\n", 4, 42,
        "no cache named 'kk' (did you mean 'k'?); the caches are: k");
    BAD("clients: {c: {rate: 1/s, call: s, cache: k}}\n", 3, 42, "define it under the top-level 'caches:'");
    expect_load_error("duration: 10s\n"
                      "caches: {k: {keys: 10}}\n"
                      "services: {s: {workers: 4, service_time: 1ms}, t: {workers: 4, service_time: 1ms}}\n"
                      "clients: {c: {rate: 1/s, call: s, cache: k}, d: {rate: 1/s, call: t, cache: k}}\n",
                      4, 77, "a cache fronts one origin");
    /* cache actions */
    BAD("caches: {k: {keys: 10}}\nclients: {c: {rate: 1/s, call: s, cache: k}}\n"
        "actions: [{at: 1s, cache: k, coalesce: maybe}]\n",
        5, 40, "expected true or false");
    BAD("caches: {k: {keys: 10, ttl: 1s}}\nclients: {c: {rate: 1/s, call: s, cache: k}}\n"
        "actions: [{at: 1s, cache: k, stale_while_revalidate: -1s}]\n",
        5, 54, "expected a duration greater than zero");
    BAD("caches: {k: {keys: 10}}\nclients: {c: {rate: 1/s, call: s, cache: k}}\n"
        "actions: [{at: 1s, client: c, coalesce: true}]\n",
        5, 31, "coalesce changes a cache; name the cache with 'cache:'");
    BAD("caches: {k: {keys: 10}}\nclients: {c: {rate: 1/s, call: s, cache: k}}\n"
        "actions: [{at: 1s, cache: k, coalesce: true, flush: true}]\n",
        5, 46, "an action does one thing");
    /* faults and actions */
    BAD("caches: {k: {keys: 10}}\nclients: {c: {rate: 1/s, call: s, cache: k}}\n"
        "faults: [{at: 1s, for: 2s, target: k, flush: true}]\n",
        5, 19, "'flush' happens at an instant; remove 'for'");
    BAD("caches: {k: {keys: 10}}\nclients: {c: {rate: 1/s, call: s, cache: k}}\n"
        "faults: [{at: 1s, target: s, flush: true}]\n",
        5, 27, "no cache named 's' (flush empties a cache)");
    BAD("caches: {k: {keys: 10}}\nclients: {c: {rate: 1/s, call: s, cache: k}}\n"
        "faults: [{at: 1s, target: k, restart: true}]\n",
        5, 27, "no service named 'k'");
    BAD("caches: {k: {keys: 10}}\nclients: {c: {rate: 1/s, call: s, cache: k}}\n"
        "faults: [{at: 1s, target: k, flush: false}]\n",
        5, 37, "flush: false does nothing");
    BAD("caches: {k: {keys: 10}}\nclients: {c: {rate: 1/s, call: s, cache: k}}\n"
        "faults: [{at: 1s, target: s, restart: true, slow: 2}]\n",
        5, 30, "a fault has exactly one effect");
    BAD("caches: {k: {keys: 10}}\nclients: {c: {rate: 1/s, call: s, cache: k}}\n"
        "actions: [{at: 1s, cache: k, service: s, flush: true}]\n",
        5, 30, "exactly one client, service or cache");
    BAD("caches: {k: {keys: 10}}\nclients: {c: {rate: 1/s, call: s, cache: k}}\n"
        "actions: [{at: 1s, cache: k, shed: 10%}]\n",
        5, 30, "a cache action is flush, coalesce or stale_while_revalidate");
    BAD("caches: {k: {keys: 10}}\nclients: {c: {rate: 1/s, call: s, cache: k}}\n"
        "actions: [{at: 1s, cache: k}]\n",
        5, 11, "a cache action needs 'flush: true'");
    BAD("caches: {k: {keys: 10}}\nclients: {c: {rate: 1/s, call: s, cache: k}}\n"
        "actions: [{at: 1s, service: s, flush: true}]\n",
        5, 32, "name the cache with 'cache:'");
    BAD("caches: {k: {keys: 10}}\nclients: {c: {rate: 1/s, call: s, cache: k}}\n"
        "actions: [{at: 1s, cache: kk, flush: true}]\n",
        5, 27, "no cache named 'kk'");
    /* the existing actions still load, and still reject two targets */
    BAD("clients: {c: {rate: 1/s, call: s}}\nactions: [{at: 1s, client: c, service: s, retry: off}]\n", 4, 31,
        "exactly one client, service or cache");
#undef BAD
#undef HEAD
    eddy_error err;
    const char *ok = "duration: 10s\n"
                     "caches: {k: {keys: 10, ttl: 1s, stale_while_revalidate: false, capacity: unlimited}}\n"
                     "services: {s: {workers: 4, service_time: 1ms}}\n"
                     "clients: {c: {rate: 1/s, call: s, cache: k}}\n"
                     "faults: [{at: 1s, target: k, flush: true}, {at: 2s, target: s, restart: yes}]\n"
                     "actions: [{at: 1s, client: c, retry: off}, {at: 2s, service: s, drain: true},\n"
                     "          {at: 3s, cache: k, flush: true}]\n";
    eddy_model *m = eddy_model_load_string(ok, strlen(ok), "ok.yaml", &err);
    if (!m)
        fail_msg("%d:%d %s", err.line, err.col, err.msg);
    eddy_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zipf_matches_exact_pmf),
        cmocka_unit_test(test_ttl_hit_ratio_matches_renewal_theory),
        cmocka_unit_test(test_lru_arithmetic),
        cmocka_unit_test(test_coalescing_shares_one_origin_call),
        cmocka_unit_test(test_stale_while_revalidate),
        cmocka_unit_test(test_flush_fault_and_action),
        cmocka_unit_test(test_restart_loses_work_and_flushes_owned_caches),
        cmocka_unit_test(test_restart_of_a_scaled_service),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_thundering_herd_example),
        cmocka_unit_test(test_cold_cache_example),
        cmocka_unit_test(test_cache_mode_actions),
        cmocka_unit_test(test_hourly_spikes_example),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
