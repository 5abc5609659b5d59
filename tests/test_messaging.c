/* test_messaging.c -- broker queues, consumer groups and the integrity ledger.
 *
 * The integrity counts are exact, so most cases here are built so that the
 * answer can be worked out by hand: constant latencies that make every ack
 * arrive after the publisher's timeout, a crash while a known number of
 * messages are in flight.  The consumer group draining a queue is also
 * checked against queueing theory (M/M/c, Erlang C). */
#include "testsim.h"

#include <math.h>
#include <stdio.h>

#include "eddy.h"
#include "analysis/diagnose.h"
#include "analysis/fix.h"
#include "loops/analyze.h"
#include "loops/derive.h"
#include "loops/review.h"


/* ---- the model ------------------------------------------------------------- */

static void test_model_errors(void **state)
{
    (void)state;
    const char *head = "duration: 10s\n"
                       "clients: {c: {rate: 1/s, publish: q}}\n"
                       "services: {w: {workers: 1, service_time: 1ms}}\n";
    char y[2048];
    snprintf(y, sizeof y, "%squeues: {q: {capacityy: 10}}\nconsumers: {g: {queue: q, service: w}}\n", head);
    expect_load_error(y, 4, 14, "did you mean 'capacity'");
    snprintf(y, sizeof y, "%squeues: {q: {}}\nconsumers: {g: {queue: qq, service: w}}\n", head);
    expect_load_error(y, 5, 24, "no queue named 'qq' (did you mean 'q'?)");
    snprintf(y, sizeof y, "%squeues: {q: {max_receives: 3}}\n", head);
    expect_load_error(y, 4, 14, "max_receives needs a dlq");
    snprintf(y, sizeof y, "%squeues: {q: {delivery: at_most_once, visibility_timeout: 5s}}\n", head);
    expect_load_error(y, 4, 38, "'visibility_timeout' has no effect with delivery: at_most_once");
    snprintf(y, sizeof y, "%squeues: {q: {max_receives: 2, dlq: q}}\n", head);
    expect_load_error(y, 4, 36, "cannot be its own dead-letter queue");
    snprintf(y, sizeof y,
             "%squeues: {q: {}}\nconsumers: {g: {queue: q, service: w}, h: {queue: q, service: w}}\n", head);
    expect_load_error(y, 5, 51, "already drained by consumer group 'g'");
    expect_load_error(y, 5, 51, "for fan-out, give the queue 'kind: topic'");
    snprintf(y, sizeof y, "%squeues: {q: {kind: topik}}\n", head);
    expect_load_error(y, 4, 20, "did you mean 'topic'");
    /* a queue's name is a component name like any other */
    snprintf(y, sizeof y, "%squeues: {w: {}}\n", head);
    expect_load_error(y, 4, 10, "is also a service name");
    expect_load_error("duration: 10s\n"
                      "clients: {c: {rate: 1/s, call: w, publish: q}}\n"
                      "services: {w: {workers: 1, service_time: 1ms}}\n"
                      "queues: {q: {}}\n",
                      2, 35, "give either 'call'");
    expect_load_error("duration: 10s\n"
                      "clients: {c: {rate: 1/s, publish: q, hedge: {delay: 1ms}}}\n"
                      "services: {w: {workers: 1, service_time: 1ms}}\n"
                      "queues: {q: {}}\n",
                      2, 38, "'hedge' has no effect on a publish");
    expect_load_error("duration: 10s\n"
                      "clients: {c: {rate: 1/s, call: w}}\n"
                      "services: {w: {workers: 1, service_time: 1ms, dedupe: {key: request}}}\n",
                      3, 55, "no write reaches w");
    expect_load_error("duration: 10s\n"
                      "clients: {c: {rate: 1/s, publish: q, effect: write}}\n"
                      "services: {w: {workers: 1, service_time: 1ms}}\n"
                      "queues: {q: {}}\n",
                      2, 46, "effect: write belongs on the consumer group");
}

/* `eddy check` hypotheses may name the messaging columns. */
static void test_hypotheses_on_messaging(void **state)
{
    (void)state;
    const char *base = "duration: 10s\n"
                       "clients: {c: {rate: 1/s, publish: q}}\n"
                       "services: {w: {workers: 1, service_time: 1ms, dedupe: {key: request}}}\n"
                       "queues: {q: {}}\n"
                       "consumers: {g: {queue: q, service: w, effect: write}}\n"
                       "hypotheses:\n"
                       "  - {name: h, window: run, metric: %s}\n";
    static const char *const good[] = {"q.depth, below: 100", "q.age_p99, below: 10s", "g.in_flight, below: 3",
                                       "w.duplicated, at_most: 0/s", "w.lost, at_most: 0/s", NULL};
    char y[1024];
    for (int i = 0; good[i]; i++) {
        snprintf(y, sizeof y, base, good[i]);
        eddy_model_free(load_text(y));
    }
    snprintf(y, sizeof y, base, "q.dpth, below: 100");
    expect_load_error(y, 7, 36, "did you mean 'depth'");
}

/* ---- hand-computed integrity cases -------------------------------------------- */

/* Every publish attempt's ack comes back 60 ms after it left, and the
 * publisher gives up after 50 ms: each of the 3 attempts stores a message,
 * and the user is told the publish failed.  100 user requests in 10 s. */
static const char *lost_acks = "duration: 30s\n"
                               "clients:\n"
                               "  pay:\n"
                               "    rate: [{at: 0s, rate: 10/s}, {at: 10s, rate: 0/s}]\n"
                               "    publish: entries\n"
                               "    timeout: 50ms\n"
                               "    latency: 30ms\n"
                               "    retry: {attempts: 3}\n"
                               "services:\n"
                               "  ledger: {workers: 10, service_time: 5ms%s}\n"
                               "queues: {entries: {}}\n"
                               "consumers: {writer: {queue: entries, service: ledger, concurrency: 10, effect: write}}\n";

static void run_lost_acks(const char *dedupe, eddy_result *r, eddy_model **m)
{
    char y[2048];
    snprintf(y, sizeof y, lost_acks, dedupe);
    *m = load_text(y);
    run_model_seed(*m, r);
}

static void test_retried_publish_duplicates(void **state)
{
    (void)state;
    eddy_model *m;
    eddy_result r;
    run_lost_acks("", &r, &m);
    uint64_t n = tot_client(&r, "pay")->requests;
    assert_true(n > 50);
    assert_int_equal(tot_client(&r, "pay")->failed, n); /* every user saw a timeout */
    assert_int_equal(queue_named(&r, "entries")->published, 3 * n);
    const eddy_integrity_totals *t = integrity_of(&r, "ledger");
    assert_int_equal(t->duplicated, n); /* each applied 3 times */
    assert_int_equal(t->exactly_once + t->lost + t->ghost + t->deduped, 0);
    assert_int_equal(r.writes_pending, 0);
    eddy_result_free(&r);
    eddy_model_free(m);

    /* a key per publish attempt: the three messages are three keys */
    run_lost_acks(", dedupe: {key: attempt}", &r, &m);
    t = integrity_of(&r, "ledger");
    assert_int_equal(t->duplicated, n);
    assert_int_equal(t->deduped, 0);
    eddy_result_free(&r);
    eddy_model_free(m);

    /* the user request's key: applied once each, though the user was told
     * it failed -- a ghost write, exactly n of them */
    run_lost_acks(", dedupe: {key: request}", &r, &m);
    t = integrity_of(&r, "ledger");
    assert_int_equal(t->duplicated, 0);
    assert_int_equal(t->ghost, n);
    assert_int_equal(t->deduped, 2 * n);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* A consumer saturated with 4 deliveries of 1 s each crashes at 10.5 s:
 * exactly 4 messages are in flight then. */
static const char *crash_model = "duration: 20s\n"
                                 "clients: {pay: {rate: 100/s, publish: entries}}\n"
                                 "services: {ledger: {workers: 4, service_time: 1s}}\n"
                                 "queues: {entries: {%s}}\n"
                                 "consumers: {writer: {queue: entries, service: ledger, concurrency: 4, effect: "
                                 "write%s}}\n"
                                 "faults: [{at: 10500ms, target: ledger, restart: true}]\n";

static void run_crash(const char *queue, const char *group, eddy_result *r, eddy_model **m)
{
    char y[2048];
    snprintf(y, sizeof y, crash_model, queue, group);
    *m = load_text(y);
    run_model_seed(*m, r);
}

static void test_at_most_once_crash_loses_in_flight(void **state)
{
    (void)state;
    eddy_model *m;
    eddy_result r;
    run_crash("delivery: at_most_once", "", &r, &m);
    const eddy_integrity_totals *t = integrity_of(&r, "ledger");
    assert_int_equal(t->lost, 4);
    assert_int_equal(group_named(&r, "writer")->failed, 4);
    assert_int_equal(t->duplicated + t->ghost, 0);
    /* 4 every second, less the 4 that were cut short */
    assert_int_equal(group_named(&r, "writer")->processed, t->exactly_once);
    eddy_result_free(&r);
    eddy_model_free(m);

    /* the same with ack: before_processing on an at_least_once queue */
    run_crash("", ", ack: before_processing", &r, &m);
    assert_int_equal(integrity_of(&r, "ledger")->lost, 4);
    eddy_result_free(&r);
    eddy_model_free(m);

    /* acked after processing: the 4 come back after the visibility timeout,
     * and nothing is lost or applied twice */
    run_crash("visibility_timeout: 2s", "", &r, &m);
    t = integrity_of(&r, "ledger");
    assert_int_equal(t->lost, 0);
    assert_int_equal(t->duplicated, 0);
    assert_int_equal(queue_named(&r, "entries")->redelivered, 4);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* Lost acks, a visibility timeout shorter than slow processing, and a
 * crash: with dedupe by request on an at_least_once queue nothing is
 * applied twice.  Dedupe changes no timing, so the writes applied at least
 * once are the same with and without it. */
static const char *storm = "duration: 60s\n"
                           "clients: {pay: {rate: 100/s, call: payments, timeout: 5s}}\n"
                           "services:\n"
                           "  payments:\n"
                           "    workers: 50\n"
                           "    service_time: 2ms\n"
                           "    calls:\n"
                           "      - publish: entries\n"
                           "        timeout: 40ms\n"
                           "        latency: {dist: lognormal, median: 5ms, p99: 60ms}\n"
                           "        retry: {attempts: 3}\n"
                           "  ledger:\n"
                           "    workers: 16\n"
                           "    service_time: {dist: lognormal, median: 50ms, p99: 2s}\n"
                           "    %s\n"
                           "queues: {entries: {visibility_timeout: 1s}}\n"
                           "consumers: {writer: {queue: entries, service: ledger, concurrency: 16, effect: write}}\n"
                           "faults: [{at: 30s, target: ledger, restart: true}]\n";

static void test_dedupe_by_request_never_duplicates(void **state)
{
    (void)state;
    char y[2048];
    eddy_result a, b;
    snprintf(y, sizeof y, storm, "errors: 0");
    eddy_model *ma = load_text(y);
    run_model_seed(ma, &a);
    snprintf(y, sizeof y, storm, "dedupe: {key: request, window: 10m}");
    eddy_model *mb = load_text(y);
    run_model_seed(mb, &b);
    const eddy_integrity_totals *ta = integrity_of(&a, "ledger"), *tb = integrity_of(&b, "ledger");
    assert_true(ta->duplicated > 100); /* the case is a real test: without dedupe, duplicates */
    assert_true(queue_named(&a, "entries")->redelivered > 100);
    assert_int_equal(tb->duplicated, 0);
    assert_true(tb->deduped > ta->duplicated);
    assert_int_equal(tb->exactly_once + tb->ghost, ta->exactly_once + ta->duplicated + ta->ghost);
    assert_int_equal(tb->lost, ta->lost);
    assert_int_equal(tb->lost, 0);
    eddy_result_free(&a);
    eddy_result_free(&b);
    eddy_model_free(ma);
    eddy_model_free(mb);
}

/* ---- the broker's own rules ------------------------------------------------------- */

static void test_capacity_rejects_and_retention_expires(void **state)
{
    (void)state;
    /* 100/s into a queue of 50 that nobody drains for the first 10 s (the
     * only replica is down): 50 stored, the rest rejected. */
    eddy_model *m = load_text("duration: 10s\n"
                              "clients: {pay: {rate: 100/s, publish: entries}}\n"
                              "services: {w: {workers: 1, service_time: 1ms}}\n"
                              "queues: {entries: {capacity: 50}}\n"
                              "consumers: {g: {queue: entries, service: w}}\n"
                              "faults: [{at: 0s, for: 30s, target: w, down: true}]\n");
    eddy_result r;
    run_model_seed(m, &r);
    const eddy_queue_totals *q = queue_named(&r, "entries");
    const eddy_client_totals *c = tot_client(&r, "pay");
    assert_int_equal(q->published + q->rejected, c->requests);
    assert_int_equal(q->delivered, 0);
    assert_int_equal(q->held, 50);
    assert_true(q->rejected > 800);
    assert_int_equal(c->goodput, q->published);
    eddy_result_free(&r);
    eddy_model_free(m);

    /* with the replica back at 5 s, messages older than 2 s expire unseen */
    m = load_text("duration: 10s\n"
                  "clients: {pay: {rate: [{at: 0s, rate: 100/s}, {at: 1s, rate: 0/s}], publish: entries}}\n"
                  "services: {w: {workers: 1, service_time: 1ms}}\n"
                  "queues: {entries: {retention: 2s}}\n"
                  "consumers: {g: {queue: entries, service: w}}\n"
                  "faults: [{at: 0s, for: 5s, target: w, down: true}]\n");
    run_model_seed(m, &r);
    q = queue_named(&r, "entries");
    assert_int_equal(q->expired, q->published);
    assert_int_equal(q->delivered, 0);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* Processing takes 3 s and the visibility timeout is 1 s: every message is
 * received 3 times (at 0, 1 and 2 s), then goes to the dlq, where nobody
 * drains it. */
static void test_max_receives_dead_letters(void **state)
{
    (void)state;
    eddy_model *m = load_text("duration: 20s\n"
                              "clients: {pay: {rate: [{at: 0s, rate: 2/s}, {at: 5s, rate: 0/s}], publish: entries}}\n"
                              "services: {w: {workers: unlimited, service_time: 3s, errors: 1}}\n"
                              "queues:\n"
                              "  entries: {visibility_timeout: 1s, max_receives: 3, dlq: dead}\n"
                              "  dead: {}\n"
                              "consumers: {g: {queue: entries, service: w, concurrency: 1000}}\n");
    eddy_result r;
    run_model_seed(m, &r);
    const eddy_queue_totals *q = queue_named(&r, "entries"), *d = queue_named(&r, "dead");
    assert_int_equal(q->redelivered, 2 * q->delivered);
    assert_int_equal(q->dead_lettered, q->published);
    assert_int_equal(d->published, q->published);
    assert_int_equal(d->held, q->published);
    assert_int_equal(q->held, 0);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* A handler that always fails: `drop` acks each message once, `nack`
 * sends it straight back until its last receive sends it to the dlq, and
 * `retry_later` waits out the visibility timeout between receives. */
static void test_on_failure(void **state)
{
    (void)state;
    static const char *const modes[] = {"drop", "nack", "retry_later"};
    for (int k = 0; k < 3; k++) {
        char y[1024];
        snprintf(y, sizeof y,
                 "duration: 60s\n"
                 "clients: {pay: {rate: [{at: 0s, rate: 10/s}, {at: 10s, rate: 0/s}], publish: entries}}\n"
                 "services: {w: {workers: 100, service_time: 10ms, errors: 1}}\n"
                 "queues:\n"
                 "  entries: {visibility_timeout: 5s, max_receives: 3, dlq: dead}\n"
                 "  dead: {}\n"
                 "consumers: {g: {queue: entries, service: w, concurrency: 100, on_failure: %s}}\n",
                 modes[k]);
        eddy_model *m = load_text(y);
        eddy_result r;
        run_model_seed(m, &r);
        const eddy_queue_totals *q = queue_named(&r, "entries");
        const eddy_group_totals *g = group_named(&r, "g");
        assert_int_equal(q->held, 0);
        assert_int_equal(g->processed, 0);
        if (k == 0) {
            assert_int_equal(q->redelivered, 0);
            assert_int_equal(g->failed, q->published);
            assert_int_equal(q->dead_lettered, 0);
        } else {
            assert_int_equal(q->redelivered, 2 * q->published);
            assert_int_equal(g->failed, 3 * q->published);
            assert_int_equal(q->dead_lettered, q->published);
            assert_int_equal(queue_named(&r, "dead")->held, q->published);
        }
        /* nack brings a message back at once, retry_later after 5 s: ages differ */
        if (k == 1)
            assert_true(q->age_p99 < 1);
        if (k == 2)
            assert_true(q->age_p99 > 9);
        eddy_result_free(&r);
        eddy_model_free(m);
    }
}

/* ---- queueing theory ------------------------------------------------------------ */

/* Poisson publishes at 3200/s drained by a group of concurrency 4 whose
 * handling is exponential with mean 1 ms: the queue is M/M/4, and a
 * message's wait before it is received is Erlang C's Wq. */
static void test_consumer_group_is_mmc(void **state)
{
    (void)state;
    eddy_model *m = load_text("duration: 320s\n"
                              "clients: {load: {rate: 3200/s, publish: jobs}}\n"
                              "services: {w: {workers: 4, service_time: {dist: exponential, mean: 1ms}}}\n"
                              "queues: {jobs: {}}\n"
                              "consumers: {g: {queue: jobs, service: w, concurrency: 4}}\n");
    eddy_result r;
    run_model_seed(m, &r);
    double lambda = 3200, mu = 1000;
    int c = 4;
    double wq = erlang_c(c, lambda / mu) / (c * mu - lambda);
    const eddy_queue_totals *q = queue_named(&r, "jobs");
    assert_true(q->delivered >= 1000000);
    assert_within_rel(q->age_mean, wq, 0.03);
    /* held = waiting + in flight: L = lambda * (Wq + 1/mu) */
    assert_within_rel(q->depth_mean, lambda * (wq + 1 / mu), 0.03);
    assert_within_rel(group_named(&r, "g")->in_flight_mean, lambda / mu, 0.02);
    assert_int_equal(q->redelivered, 0);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* The CSV has each queue's, group's and applying service's columns. */
static void test_columns(void **state)
{
    (void)state;
    eddy_model *m;
    eddy_result r;
    run_lost_acks("", &r, &m);
    static const char *const cols[] = {"entries.depth",       "entries.age_p99",   "entries.published",
                                       "entries.delivered",   "entries.redelivered", "entries.expired",
                                       "entries.dead_lettered", "writer.processed", "writer.failed",
                                       "writer.in_flight",    "ledger.exactly_once", "ledger.duplicated",
                                       "ledger.lost",         "ledger.ghost",      NULL};
    for (int i = 0; cols[i]; i++)
        if (eddy_series_column(&r.series, cols[i]) < 0)
            fail_msg("no column %s", cols[i]);
    /* the duplicated rate over the run adds up to the count */
    double sum = 0;
    int k = eddy_series_column(&r.series, "ledger.duplicated");
    for (size_t row = 0; row < r.series.nrows; row++)
        sum += eddy_series_at(&r.series, row, (size_t)k);
    assert_within_rel(sum, (double)integrity_of(&r, "ledger")->duplicated, 1e-9);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* ---- review, diagnose, fix on the payments -> ledger example ------------------- */

static const review_flag *flag_coded(const review *r, const char *code)
{
    for (size_t i = 0; i < r->nflags; i++)
        if (!strcmp(r->flags[i].code, code))
            return &r->flags[i];
    return NULL;
}

static void test_review_contract_flags(void **state)
{
    (void)state;
    eddy_error err;
    eddy_model *m = eddy_model_load("examples/payments-ledger.yaml", &err);
    assert_non_null(m);
    review *r = review_model(m);
    const review_flag *f = flag_coded(r, "retried-write-without-dedupe");
    assert_non_null(f);
    assert_int_equal(f->pos.line, m->consumers[0].effect_pos.line); /* at the consumer group's effect: write */
    assert_non_null(strstr(f->msg, "payments retries its publishes"));
    f = flag_coded(r, "ack-before-write");
    assert_non_null(f);
    assert_int_equal(f->pos.line, m->consumers[0].ack_pos.line);
    assert_int_equal(f->severity, REVIEW_ERROR);
    assert_null(flag_coded(r, "at-most-once-write"));
    review_free(r);
    eddy_model_free(m);

    /* the fixed contract raises none of them; an at_most_once queue does */
    m = load_file_replacing("examples/payments-ledger.yaml", "ack: before_processing", "ack: after_processing");
    r = review_model(m);
    assert_null(flag_coded(r, "ack-before-write"));
    assert_non_null(flag_coded(r, "retried-write-without-dedupe")); /* still dedupes by attempt */
    review_free(r);
    eddy_model_free(m);
    m = load_text("duration: 10s\n"
                  "clients: {c: {rate: 1/s, publish: q}}\n"
                  "services: {w: {workers: 1, service_time: 1ms, dedupe: {key: request}}}\n"
                  "queues: {q: {delivery: at_most_once}}\n"
                  "consumers: {g: {queue: q, service: w, effect: write}}\n");
    r = review_model(m);
    f = flag_coded(r, "at-most-once-write");
    assert_non_null(f);
    assert_int_equal(f->pos.line, 4);
    assert_int_equal(f->pos.col, 24);
    assert_null(flag_coded(r, "retried-write-without-dedupe"));
    assert_null(flag_coded(r, "ack-before-write"));
    review_free(r);
    eddy_model_free(m);
}

/* Goodput holds in the example, but writes are duplicated and lost: the
 * verdict must not be healthy, and the backlog's growth is blamed on the
 * outflow (the slow database), not on the inflow. */
static void test_diagnose_integrity_and_backlog(void **state)
{
    (void)state;
    diagnose_opts o = {.seeds = 2, .seed = 1, .threads = 1};
    diagnosis d;
    eddy_error err;
    assert_int_equal(diagnose_run("examples/payments-ledger.yaml", &o, &d, &err), 0);
    assert_int_equal(d.verdict, VERDICT_DATA_INTEGRITY);
    bool integrity = false, backlog = false;
    for (size_t i = 0; i < d.nmodes; i++) {
        integrity |= d.modes[i].mode == MODE_DATA_INTEGRITY;
        if (d.modes[i].mode == MODE_BACKLOG_GROWTH) {
            backlog = true;
            assert_non_null(strstr(d.modes[i].evidence, "outflow went down"));
            assert_null(strstr(d.modes[i].evidence, "inflow went up"));
        }
    }
    assert_true(integrity && backlog);
    /* what the system does quotes the ledger's counts of replication 0:
     * the same as a run with seed 1 */
    eddy_model *m = load_file_replacing("examples/payments-ledger.yaml", NULL, NULL);
    eddy_result r;
    run_model(m, 1, &r);
    const eddy_integrity_totals *t = integrity_of(&r, "ledger");
    assert_true(t->duplicated > 0 && t->lost > 0);
    assert_true(d.writes.duplicated == t->duplicated && d.writes.lost == t->lost && d.writes.ghost == t->ghost);
    assert_string_equal(d.writes_at, "ledger");
    char want[160];
    snprintf(want, sizeof want, "and corrupts its writes doing it: %llu duplicated, %llu lost and %llu ghost at ledger",
             (unsigned long long)t->duplicated, (unsigned long long)t->lost, (unsigned long long)t->ghost);
    if (!strstr(d.purpose, want))
        fail_msg("purpose '%s' lacks '%s'", d.purpose, want);
    eddy_result_free(&r);
    eddy_model_free(m);
    diagnosis_free(&d);
}

/* The example's duplicates need no fault.  Its publish timeout (100 ms) is
 * below the ack's tail: the ack comes back after two draws of the edge's
 * latency (lognormal, median 5 ms, p99 250 ms), so a fraction p =
 * P(L1 + L2 > 100 ms) of first publishes time out on a healthy broker,
 * after the message was stored, and each is retried and stored again:
 * with no dedupe by request, p of the payments are duplicated.  All three
 * attempts time out with p^3: the user is told the payment failed.  Run
 * without the faults: duplicates at p within 3% (about 3 sigma of the
 * count), none lost, no ghost; the faults add the losses, not the
 * duplicates (docs/messaging.md). */
static double pl_tail(double mu, double sigma, double y)
{
    return y <= 0 ? 1.0 : 0.5 * erfc((log(y) - mu) / (sigma * sqrt(2.0)));
}

static void test_example_duplicates_without_faults(void **state)
{
    (void)state;
    eddy_model *m = load_file_replacing("examples/payments-ledger.yaml",
                                        "faults:\n"
                                        "  - {at: 3m, for: 2m, target: ledger-db, slow: 25}\n"
                                        "  - {at: 7m, target: ledger, restart: true}\n",
                                        "");
    assert_int_equal(m->nfaults, 0);
    const call_spec *pub = &m->services[model_find_service(m, "payments")].publishes[0];
    assert_int_equal(pub->latency.kind, DIST_LOGNORMAL);
    double mu = pub->latency.a, sigma = pub->latency.b, T = (double)pub->timeout;
    /* P(L1 + L2 > T) = P(L1 > T) + integral over L1 = x < T of P(L2 > T - x),
     * in z = (ln x - mu) / sigma, by Simpson's rule */
    double z0 = -12, z1 = (log(T) - mu) / sigma, h = (z1 - z0) / 20000, sum = 0;
    for (int i = 0; i <= 20000; i++) {
        double z = z0 + i * h, w = i == 0 || i == 20000 ? 1 : i % 2 ? 4 : 2;
        sum += w * exp(-z * z / 2) / sqrt(2 * M_PI) * pl_tail(mu, sigma, T - exp(mu + sigma * z));
    }
    double p = pl_tail(mu, sigma, T) + sum * h / 3;
    assert_true(p > 0.05 && p < 0.15); /* about 8.6%: far from rare */
    eddy_result r;
    run_model(m, 1, &r);
    const eddy_integrity_totals *t = integrity_of(&r, "ledger");
    double n = (double)(t->exactly_once + t->duplicated + t->lost + t->ghost);
    assert_within_rel((double)t->duplicated / n, p, 0.03);
    assert_int_equal(t->lost, 0);
    assert_int_equal(t->ghost, 0);
    /* the payments whose three publishes all timed out failed for the user:
     * p^3 of them, within 4 sigma of a Poisson count */
    const eddy_client_totals *c = &r.clients[0];
    double want = p * p * p * (double)c->requests;
    assert_true(fabs((double)c->failed - want) < 4 * sqrt(want));
    uint64_t dup_calm = t->duplicated;
    eddy_result_free(&r);
    eddy_model_free(m);
    /* with the faults, about as many duplicates, and the losses on top */
    m = load_file_replacing("examples/payments-ledger.yaml", NULL, NULL);
    run_model(m, 1, &r);
    t = integrity_of(&r, "ledger");
    assert_within_rel((double)t->duplicated, (double)dup_calm, 0.05);
    assert_true(t->lost > 0);
    eddy_result_free(&r);
    eddy_model_free(m);
}

/* A consumer slower than its visibility timeout: every message comes back
 * while the first delivery still holds it, and the group is saturated. */
static void test_diagnose_redelivery_storm(void **state)
{
    (void)state;
    const char *path = "/tmp/eddy_test_redelivery.yaml";
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("duration: 120s\n"
          "clients: {pay: {rate: 20/s, publish: jobs}}\n"
          "services: {w: {workers: 40, service_time: 500ms}}\n"
          "queues: {jobs: {visibility_timeout: 1s}}\n"
          "consumers: {g: {queue: jobs, service: w, concurrency: 40}}\n"
          "faults: [{at: 30s, for: 30s, target: w, slow: 8}]\n",
          fp);
    fclose(fp);
    diagnose_opts o = {.seeds = 1, .seed = 1, .threads = 1};
    diagnosis d;
    eddy_error err;
    assert_int_equal(diagnose_run(path, &o, &d, &err), 0);
    bool storm = false;
    for (size_t i = 0; i < d.nmodes; i++)
        storm |= d.modes[i].mode == MODE_REDELIVERY_STORM;
    assert_true(storm);
    diagnosis_free(&d);
    remove(path);
}

/* The contract fixes are in the catalogue, and each removes what it
 * should: dedupe by request the duplicates, acks after processing the
 * losses. */
static void test_fix_contract_interventions(void **state)
{
    (void)state;
    fix_opts o = {.seeds = 2, .seed = 1, .threads = 1, .lift_after = 60 * T_SEC};
    fix_report r;
    eddy_error err;
    assert_int_equal(fix_run("examples/payments-ledger.yaml", &o, &r, &err), 0);
    assert_true(r.as_written.writes);
    assert_true(r.as_written.duplicated.mean > 1000);
    assert_true(r.as_written.lost.mean > 100);
    int dedupe = -1, ack = -1, both = -1;
    for (size_t i = 0; i < r.n; i++) {
        if (strstr(r.v[i].name, "idempotency key"))
            dedupe = (int)i;
        else if (!strcmp(r.v[i].name, "ack after processing"))
            ack = (int)i;
        else if (!strcmp(r.v[i].name, "ack after processing + dedupe by request"))
            both = (int)i;
    }
    assert_true(dedupe >= 0 && ack >= 0 && both >= 0);
    assert_true(r.out[dedupe].duplicated.mean == 0);
    assert_true(r.out[dedupe].lost.mean > 100);
    assert_true(r.out[ack].lost.mean == 0);
    assert_true(r.out[ack].duplicated.mean > 1000);
    assert_true(r.out[both].lost.mean == 0 && r.out[both].duplicated.mean == 0);
    /* the parameter interventions reach publishes and consumers too: a
     * publish timeout twice as long loses fewer acks, so fewer duplicates */
    int tx2 = -1, wx2 = -1, noretry = -1;
    for (size_t i = 0; i < r.n; i++) {
        if (!strcmp(r.v[i].name, "timeouts x2"))
            tx2 = (int)i;
        else if (!strcmp(r.v[i].name, "workers x2"))
            wx2 = (int)i;
        else if (!strcmp(r.v[i].name, "no retries on timeout"))
            noretry = (int)i;
    }
    assert_true(tx2 >= 0 && wx2 >= 0 && noretry >= 0);
    assert_non_null(strstr(r.v[tx2].change, "services.payments.calls.0.timeout: 200ms"));
    assert_true(r.out[tx2].duplicated.mean < 0.6 * r.as_written.duplicated.mean);
    assert_non_null(strstr(r.v[wx2].change, "consumers.ledger-writer.concurrency: 64"));
    /* no retried publish, no duplicate: the failed ones become ghosts */
    assert_non_null(strstr(r.v[noretry].change, "services.payments.calls.0.retry.on"));
    assert_true(r.out[noretry].duplicated.mean == 0 && r.out[noretry].ghost.mean > 1000);
    fix_report_free(&r);
}

/* ---- loops ------------------------------------------------------------------------ */

/* The loop through the given variables, of the given type, or NULL. */
static const cld_loop *loop_through(const loop_analysis *a, char type, const char *const *vars)
{
    for (size_t i = 0; i < a->n; i++) {
        const cld_loop *L = &a->loops[i];
        if (L->type != type)
            continue;
        bool all = true;
        for (size_t k = 0; vars[k] && all; k++) {
            int v = cld_find(a->g, vars[k]);
            bool in = false;
            for (size_t j = 0; j < L->len; j++)
                in |= L->vars[j] == v;
            all = in && v >= 0;
        }
        if (all)
            return L;
    }
    return NULL;
}

static void test_loops_redelivery_and_lag(void **state)
{
    (void)state;
    eddy_model *m = load_text("duration: 60s\n"
                              "clients: {shop: {rate: 100/s, call: orders}}\n"
                              "services:\n"
                              "  orders: {workers: 20, service_time: 5ms, calls: [{publish: jobs, timeout: 100ms}]}\n"
                              "  worker: {workers: 8, service_time: 50ms}\n"
                              "queues: {jobs: {visibility_timeout: 10s}}\n"
                              "consumers: {g: {queue: jobs, service: worker, concurrency: 8}}\n"
                              "autoscalers: {keda: {service: worker, metric: lag, target: 100, max: 10}}\n");
    cld_graph *g = derive_graph(m);
    loop_analysis *a = loops_analyze(g, 1000);
    /* the redelivery loop: slow consumer -> visibility timeout -> redelivery -> more load */
    static const char *const redelivery[] = {"worker.latency", "jobs.redeliveries", "jobs.depth", "g.drain",
                                             "worker.load", NULL};
    const cld_loop *R = loop_through(a, 'R', redelivery);
    assert_non_null(R);
    assert_int_equal(R->negatives, 0);
    assert_true(R->delays >= 1); /* the visibility timeout */
    /* the consumer autoscaler on lag: a balancing loop, late by its sync */
    static const char *const lag[] = {"jobs.depth", "keda.metric", "keda.desired", "worker.replicas", "g.drain",
                                      NULL};
    const cld_loop *B = loop_through(a, 'B', lag);
    assert_non_null(B);
    assert_true(B->can_oscillate);
    /* the link that makes redeliveries names the visibility timeout, at the queue */
    int lt = cld_find(g, "worker.latency"), rd = cld_find(g, "jobs.redeliveries");
    bool named = false;
    for (size_t i = 0; i < g->nlinks; i++)
        if (g->links[i].from == lt && g->links[i].to == rd)
            named = strstr(g->links[i].origin, "queues.jobs.visibility_timeout 10s") != NULL;
    assert_true(named);
    loops_free(a);
    cld_free(g);
    eddy_model_free(m);

    /* acked before processing: nothing comes back, no redelivery loop */
    m = load_text("duration: 60s\n"
                  "clients: {shop: {rate: 100/s, publish: jobs}}\n"
                  "services: {worker: {workers: 8, service_time: 50ms}}\n"
                  "queues: {jobs: {}}\n"
                  "consumers: {g: {queue: jobs, service: worker, ack: before_processing}}\n");
    g = derive_graph(m);
    assert_true(cld_find(g, "jobs.redeliveries") < 0);
    cld_free(g);
    eddy_model_free(m);
}

/* An autoscaler on lag adds replicas when the backlog grows: a burst of
 * 400/s against 8 slots of 50 ms (160/s) scales the consumers up. */
static void test_lag_autoscaler_scales(void **state)
{
    (void)state;
    eddy_model *m = load_text("duration: 180s\n"
                              "clients: {shop: {rate: [{at: 0s, rate: 100/s}, {at: 60s, rate: 400/s}], publish: jobs}}\n"
                              "services: {worker: {workers: 8, service_time: 50ms}}\n"
                              "queues: {jobs: {}}\n"
                              "consumers: {g: {queue: jobs, service: worker, concurrency: 8}}\n"
                              "autoscalers: {keda: {service: worker, metric: lag, target: 100, max: 10}}\n");
    eddy_result r;
    run_model_seed(m, &r);
    assert_true(col_mean(&r, "worker.replicas", 0, 55) < 1.01);
    assert_true(col_mean(&r, "worker.replicas", 150, 180) >= 3);
    /* and the backlog is drained once it has: 400/s needs 3 replicas */
    assert_true(col_mean(&r, "jobs.depth", 150, 180) < 100);
    eddy_result_free(&r);
    eddy_model_free(m);
    expect_load_error("duration: 10s\n"
                      "clients: {c: {rate: 1/s, call: w}}\n"
                      "services: {w: {workers: 1, service_time: 1ms}}\n"
                      "autoscalers: {a: {service: w, metric: lag, target: 10, max: 3}}\n",
                      4, 39, "no consumer group runs on w");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_errors),
        cmocka_unit_test(test_hypotheses_on_messaging),
        cmocka_unit_test(test_retried_publish_duplicates),
        cmocka_unit_test(test_at_most_once_crash_loses_in_flight),
        cmocka_unit_test(test_dedupe_by_request_never_duplicates),
        cmocka_unit_test(test_capacity_rejects_and_retention_expires),
        cmocka_unit_test(test_max_receives_dead_letters),
        cmocka_unit_test(test_on_failure),
        cmocka_unit_test(test_consumer_group_is_mmc),
        cmocka_unit_test(test_columns),
        cmocka_unit_test(test_review_contract_flags),
        cmocka_unit_test(test_diagnose_integrity_and_backlog),
        cmocka_unit_test(test_example_duplicates_without_faults),
        cmocka_unit_test(test_diagnose_redelivery_storm),
        cmocka_unit_test(test_fix_contract_interventions),
        cmocka_unit_test(test_loops_redelivery_and_lag),
        cmocka_unit_test(test_lag_autoscaler_scales),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
