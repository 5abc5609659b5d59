/* test_messaging_fanout.c -- topics, batched writes, retention in flight,
 * and hypotheses and diagnosis on the messaging metrics.
 *
 * As in test_messaging.c, the counts asserted are exact: each case is built
 * so that the number of times each message is delivered and each write is
 * applied follows from the model (constant times, a known number of
 * receives), whatever the Poisson arrivals. */
#include "testsim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "eddy.h"
#include "analysis/check.h"
#include "analysis/diagnose.h"
#include "loops/analyze.h"
#include "loops/derive.h"


/* A scratch model file: the build directory may not be there (make test-asan). */
static void scratch(char *path, size_t n, const char *what, const char *text)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, n, "%s/eddy-%s-%d.yaml", dir && *dir ? dir : "/tmp", what, (int)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static bool has_column(const eddy_result *r, const char *name)
{
    for (size_t i = 0; i < r->series.ncols; i++)
        if (!strcmp(r->series.names[i], name))
            return true;
    return false;
}

/* ---- topics ------------------------------------------------------------------ */

/* About 200 messages in 10 s to a topic with two subscriptions: audit
 * drains 4000/s, billing 5/s (one 200 ms delivery at a time), so at 30 s
 * billing's subscription still holds what it has not handled. */
static const char *topic_model = "duration: 30s\n"
                                 "clients: {pay: {rate: [{at: 0s, rate: 20/s}, {at: 10s, rate: 0/s}], publish: "
                                 "events}}\n"
                                 "services:\n"
                                 "  fast: {workers: 4, service_time: 1ms}\n"
                                 "  slow: {workers: 1, service_time: 200ms}\n"
                                 "queues: {events: {kind: topic%s}}\n"
                                 "consumers:\n"
                                 "  audit: {queue: events, service: fast, concurrency: 4, effect: write}\n"
                                 "  billing: {queue: events, service: slow, concurrency: 1, effect: write}\n";

static void test_topic_fans_out(void **state)
{
    (void)state;
    eddy_result r;
    eddy_model *m = run_fmt(&r, topic_model, "");
    uint64_t n = tot_client(&r, "pay")->requests;
    assert_true(n > 150);
    const eddy_queue_totals *t = queue_named(&r, "events");
    const eddy_group_totals *a = group_named(&r, "audit"), *b = group_named(&r, "billing");
    assert_int_equal(t->published, n);
    assert_true(a->subscription && b->subscription);
    /* each subscription got its own copy of every message */
    assert_int_equal(a->sub.published, n);
    assert_int_equal(b->sub.published, n);
    assert_int_equal(a->sub.delivered, n);
    assert_int_equal(a->processed, n);
    assert_int_equal(a->sub.held, 0);
    /* billing is 5/s: 150 handled in 30 s (the last one may be mid-delivery) */
    assert_true(b->processed >= 149 && b->processed <= 150);
    assert_int_equal(b->sub.held, (long)(n - b->processed));
    /* the topic's counts are its subscriptions' */
    assert_int_equal(t->delivered, a->sub.delivered + b->sub.delivered);
    assert_int_equal(t->held, a->sub.held + b->sub.held);
    assert_true(b->sub.age_p99 > 10 * a->sub.age_p99);
    /* each group's writes: audit all once, billing's rest still pending */
    assert_int_equal(integrity_of(&r, "fast")->exactly_once + integrity_of(&r, "fast")->duplicated, n - r.writes_pending);
    assert_int_equal(integrity_of(&r, "slow")->exactly_once, b->processed);
    assert_int_equal(integrity_of(&r, "fast")->duplicated + integrity_of(&r, "slow")->duplicated, 0);
    /* per-group columns: each subscription's depth and lag */
    assert_true(has_column(&r, "billing.depth") && has_column(&r, "audit.age_p99"));
    assert_true(has_column(&r, "billing.redelivered") && has_column(&r, "events.depth"));
    assert_true(col_mean(&r, "billing.depth", 5, 30) > 20);
    assert_true(col_mean(&r, "audit.depth", 5, 30) < 1);
    run_done(m, &r);

    /* capacity is per subscription: billing's fills, and a publish is
     * refused for both */
    m = run_fmt(&r, topic_model, ", capacity: 10");
    n = tot_client(&r, "pay")->requests;
    t = queue_named(&r, "events");
    a = group_named(&r, "audit");
    b = group_named(&r, "billing");
    assert_true(t->rejected > 50);
    assert_int_equal(t->published + t->rejected, n);
    assert_int_equal(a->sub.published, t->published);
    assert_int_equal(b->sub.published, t->published);
    assert_int_equal(a->processed, t->published);
    run_done(m, &r);

    /* a subscription acking late sees its own redeliveries, the other none */
    m = run_fmt(&r, topic_model, ", visibility_timeout: 100ms, max_receives: 1, dlq: dead}, dead: {");
    a = group_named(&r, "audit");
    b = group_named(&r, "billing");
    assert_int_equal(a->sub.dead_lettered, 0);
    assert_true(b->sub.dead_lettered > 100);
    assert_int_equal(queue_named(&r, "dead")->published, b->sub.dead_lettered);
    run_done(m, &r);

    /* a topic nobody subscribes to keeps nothing */
    m = load_text("duration: 10s\n"
                  "clients: {pay: {rate: 20/s, publish: events}}\n"
                  "services: {w: {workers: 1, service_time: 1ms}}\n"
                  "queues: {events: {kind: topic}}\n");
    run_model_seed(m, &r);
    t = queue_named(&r, "events");
    assert_int_equal(t->published, tot_client(&r, "pay")->requests);
    assert_int_equal(t->held, 0);
    assert_true(t->depth_mean == 0);
    run_done(m, &r);

    /* loops: each subscription is its own stock, drained by its own group,
     * with its own redelivery loop; the topic holds nothing */
    m = load_text("duration: 10s\n"
                  "clients: {pay: {rate: 20/s, publish: events}}\n"
                  "services: {fast: {workers: 1, service_time: 1ms}, slow: {workers: 1, service_time: 1s}}\n"
                  "queues: {events: {kind: topic}}\n"
                  "consumers: {audit: {queue: events, service: fast}, billing: {queue: events, service: slow}}\n");
    cld_graph *g = derive_graph(m);
    assert_true(cld_find(g, "events.depth") < 0);
    int pay = cld_find(g, "pay.load"), ad = cld_find(g, "audit.depth"), bd = cld_find(g, "billing.depth");
    assert_true(pay >= 0 && ad >= 0 && bd >= 0);
    assert_true(cld_find(g, "billing.redeliveries") >= 0 && cld_find(g, "audit.redeliveries") >= 0);
    int fills = 0;
    for (size_t i = 0; i < g->nlinks; i++)
        fills += g->links[i].from == pay && (g->links[i].to == ad || g->links[i].to == bd);
    assert_int_equal(fills, 2); /* a copy to every subscription */
    cld_free(g);
    eddy_model_free(m);

    /* the subscription's columns are only a topic group's */
    expect_load_error("duration: 10s\n"
                      "clients: {pay: {rate: 20/s, publish: q}}\n"
                      "services: {w: {workers: 1, service_time: 1ms}}\n"
                      "queues: {q: {}}\n"
                      "consumers: {g: {queue: q, service: w}}\n"
                      "hypotheses: [{name: h, window: run, metric: g.depth, below: 10}]\n",
                      6, 45, "only a consumer group on a topic");
}

/* ---- batched writes ------------------------------------------------------------ */

/* About 500 messages in 10 s, handled 10 at a time by one 100 ms delivery
 * (so most batches hold several), whose handler writes to db once per
 * batch. */
static const char *batch_model = "duration: 40s\n"
                                 "clients: {pay: {rate: [{at: 0s, rate: 50/s}, {at: 10s, rate: 0/s}], publish: "
                                 "entries}}\n"
                                 "services:\n"
                                 "  worker:\n"
                                 "    workers: 4\n"
                                 "    service_time: 100ms\n"
                                 "    calls: [{to: db, effect: write, timeout: 50ms}, {publish: audit}]\n"
                                 "  db: {workers: 8, service_time: %s%s}\n"
                                 "  auditor: {workers: 8, service_time: 1ms}\n"
                                 "queues: {entries: {%s}, audit: {}, dead: {}}\n"
                                 "consumers:\n"
                                 "  g: {queue: entries, service: worker, concurrency: 1, batch: 10%s}\n"
                                 "  a: {queue: audit, service: auditor, concurrency: 8, effect: write}\n"
                                 "  d: {queue: dead, service: auditor, concurrency: 8}\n";

static void test_batch_writes_count_per_message(void **state)
{
    (void)state;
    eddy_model *m;
    eddy_result r;
    /* every batch succeeds: each message's write applied once at db, and
     * the one message the batch publishes per message... is one per batch,
     * carrying every message of it: applied once for each */
    m = run_fmt(&r, batch_model, "1ms", "", "", "");
    uint64_t n = tot_client(&r, "pay")->requests;
    assert_true(n > 400);
    assert_int_equal(group_named(&r, "g")->processed, n);
    uint64_t deliveries = tot_service(&r, "worker")->completed;
    assert_true(deliveries < n / 2); /* the batches are real */
    const eddy_integrity_totals *d = integrity_of(&r, "db");
    assert_int_equal(d->exactly_once, n);
    assert_int_equal(d->duplicated + d->lost + d->ghost + d->deduped, 0);
    assert_int_equal(queue_named(&r, "audit")->published, deliveries);
    assert_int_equal(integrity_of(&r, "auditor")->exactly_once, n);
    assert_int_equal(r.writes_pending, 0);
    run_done(m, &r);

    /* db answers after the 50 ms timeout, having applied the batch: every
     * delivery fails.  Nacked, each message is received twice, then dead-
     * lettered (and read there): each write applied twice */
    m = run_fmt(&r, batch_model, "80ms", "", "max_receives: 2, dlq: dead", ", on_failure: nack");
    n = tot_client(&r, "pay")->requests;
    d = integrity_of(&r, "db");
    assert_int_equal(group_named(&r, "g")->failed, 2 * n);
    assert_int_equal(queue_named(&r, "entries")->redelivered, n);
    assert_int_equal(queue_named(&r, "entries")->dead_lettered, n);
    assert_int_equal(d->duplicated, n);
    assert_int_equal(d->exactly_once + d->lost + d->ghost, 0);
    assert_int_equal(queue_named(&r, "audit")->published, 0); /* the calls stop at db's failure */
    run_done(m, &r);

    /* the same with dedupe by request at db: applied once each */
    m = run_fmt(&r, batch_model, "80ms", ", dedupe: {key: request}", "max_receives: 2, dlq: dead", ", on_failure: nack");
    n = tot_client(&r, "pay")->requests;
    d = integrity_of(&r, "db");
    assert_int_equal(d->exactly_once, n);
    assert_int_equal(d->deduped, n);
    assert_int_equal(d->duplicated, 0);
    run_done(m, &r);

    /* dedupe by attempt: the redelivered batch's db attempt is a new
     * attempt, so the key misses: applied twice each */
    m = run_fmt(&r, batch_model, "80ms", ", dedupe: {key: attempt}", "max_receives: 2, dlq: dead", ", on_failure: nack");
    n = tot_client(&r, "pay")->requests;
    assert_int_equal(integrity_of(&r, "db")->duplicated, n);
    run_done(m, &r);

    /* a failed batch dropped: acked anyway, each applied once */
    m = run_fmt(&r, batch_model, "80ms", "", "", ", on_failure: drop");
    n = tot_client(&r, "pay")->requests;
    assert_int_equal(integrity_of(&r, "db")->exactly_once, n);
    assert_int_equal(queue_named(&r, "entries")->redelivered, 0);
    run_done(m, &r);
}

/* ---- retention in flight ---------------------------------------------------------- */

/* 20 messages in 2 s, each handled for 3 s by its own slot; retention 1 s. */
static const char *retention_model = "duration: 20s\n"
                                     "clients: {pay: {rate: [{at: 0s, rate: 10/s}, {at: 2s, rate: 0/s}], publish: "
                                     "entries}}\n"
                                     "services: {w: {workers: unlimited, service_time: 3s}}\n"
                                     "queues: {entries: {retention: 1s, visibility_timeout: %s}}\n"
                                     "consumers: {g: {queue: entries, service: w, concurrency: 1000, effect: write}}\n";

static void test_retention_expires_in_flight(void **state)
{
    (void)state;
    /* in flight past its retention (visibility 2 s): deleted at 1 s and
     * counted, never redelivered; its delivery goes on and applies it once */
    eddy_result r;
    eddy_model *m = run_fmt(&r, retention_model, "2s");
    uint64_t n = tot_client(&r, "pay")->requests;
    assert_true(n > 5);
    const eddy_queue_totals *q = queue_named(&r, "entries");
    assert_int_equal(q->expired, n);
    assert_int_equal(q->delivered, n);
    assert_int_equal(q->redelivered, 0);
    assert_int_equal(q->held, 0);
    assert_int_equal(group_named(&r, "g")->processed, n);
    assert_int_equal(integrity_of(&r, "w")->exactly_once, n);
    /* the queue holds each message for 1 s: depth = n x 1 s / 20 s */
    assert_within_rel(q->depth_mean, (double)n / 20.0, 1e-6);
    run_done(m, &r);

    /* visibility 0.5 s: redelivered once at 0.5 s, then expired at 1 s
     * while the second delivery holds it; both deliveries apply it */
    m = run_fmt(&r, retention_model, "500ms");
    n = tot_client(&r, "pay")->requests;
    q = queue_named(&r, "entries");
    assert_int_equal(q->redelivered, n);
    assert_int_equal(q->expired, n);
    assert_int_equal(integrity_of(&r, "w")->duplicated, n);
    run_done(m, &r);
}

/* ---- eddy check on the messaging metrics ------------------------------------------ */

static void test_check_on_integrity_metrics(void **state)
{
    (void)state;
    char path[256], y[4096];
    snprintf(y, sizeof y, retention_model, "%s");
    char text[4096];
    snprintf(text, sizeof text, y, "500ms");
    snprintf(y, sizeof y,
             "%shypotheses:\n"
             "  - {name: no duplicates, metric: w.duplicated, window: run, at_most: 0/s}\n"
             "  - {name: nothing lost, metric: w.lost, window: run, at_most: 0/s}\n"
             "  - {name: expiry, metric: entries.expired, window: run, at_least: 0.5/s}\n"
             "  - {name: lag, metric: entries.age_p99, window: run, below: 2s}\n"
             "  - {name: in flight, metric: g.in_flight, window: run, below: 1}\n",
             text);
    scratch(path, sizeof path, "msg-check", y);
    check_opts o = {.seeds = 2, .threads = 1};
    check_report R;
    eddy_error err = {0};
    if (check_run(path, &o, &R, &err) < 0)
        fail_msg("%s", err.msg);
    assert_int_equal(R.n, 5);
    assert_false(R.v[0].pass); /* every write is applied twice */
    assert_true(R.v[1].pass);
    assert_true(R.v[2].pass);
    assert_true(R.v[3].pass);
    assert_false(R.v[4].pass); /* n x 3 s / 20 s: about 3 messages in deliveries on average */
    assert_int_equal(R.failed, 2);
    check_report_free(&R);
    unlink(path);
}

/* ---- backlog growth: which flow moved ------------------------------------------------ */

/* Retries make the inflow go up: an api slower than its clients' timeout
 * while it publishes one message per attempt it completes. */
static const char *inflow_model = "duration: 2m\n"
                                  "seed: 1\n"
                                  "clients: {c: {rate: 50/s, call: api, timeout: 100ms, retry: {attempts: 3}}}\n"
                                  "services:\n"
                                  "  api: {workers: 64, service_time: 1ms, calls: [{publish: q}]}\n"
                                  "  w: {workers: 8, service_time: 100ms}\n"
                                  "queues: {q: {}}\n"
                                  "consumers: {g: {queue: q, service: w, concurrency: 8}}\n"
                                  "faults: [{at: 30s, for: 30s, target: api, add_latency: 150ms}]\n";

/* Diagnose the model (2 seeds from 1): backlog growth must be found once, with
 * `has` in its evidence, and `has2` too unless NULL, and `lacks` not,
 * unless NULL. */
static void expect_backlog(const char *name, const char *model, const char *has, const char *has2, const char *lacks)
{
    char path[256];
    scratch(path, sizeof path, name, model);
    diagnose_opts o = {.seeds = 2, .seed = 1, .threads = 1};
    diagnosis d;
    eddy_error err;
    assert_int_equal(diagnose_run(path, &o, &d, &err), 0);
    size_t backlogs = 0;
    for (size_t i = 0; i < d.nmodes; i++)
        if (d.modes[i].mode == MODE_BACKLOG_GROWTH) {
            backlogs++;
            assert_non_null(strstr(d.modes[i].evidence, has));
            if (has2)
                assert_non_null(strstr(d.modes[i].evidence, has2));
            if (lacks)
                assert_null(strstr(d.modes[i].evidence, lacks));
        }
    assert_int_equal(backlogs, 1); /* one stock grows: q, or billing's subscription (audit keeps up) */
    diagnosis_free(&d);
    unlink(path);
}

static void test_backlog_growth_inflow(void **state)
{
    (void)state;
    expect_backlog("msg-inflow", inflow_model, "inflow went up", NULL, "outflow went down");
}

/* On a topic the stock is each subscription: a slow subscriber's backlog
 * grows, blamed on its outflow, while the other keeps up. */
static void test_backlog_growth_topic_subscription(void **state)
{
    (void)state;
    expect_backlog("msg-topic",
                   "duration: 2m\n"
                   "seed: 1\n"
                   "clients: {pay: {rate: 50/s, publish: events}}\n"
                   "services:\n"
                   "  fast: {workers: 8, service_time: 1ms}\n"
                   "  slow: {workers: 8, service_time: 100ms}\n"
                   "queues: {events: {kind: topic}}\n"
                   "consumers:\n"
                   "  audit: {queue: events, service: fast, concurrency: 8}\n"
                   "  billing: {queue: events, service: slow, concurrency: 8}\n"
                   "faults: [{at: 30s, for: 30s, target: slow, slow: 4}]\n",
                   "billing's subscription to events", "outflow went down", "audit's subscription");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_topic_fans_out),
        cmocka_unit_test(test_batch_writes_count_per_message),
        cmocka_unit_test(test_retention_expires_in_flight),
        cmocka_unit_test(test_check_on_integrity_metrics),
        cmocka_unit_test(test_backlog_growth_inflow),
        cmocka_unit_test(test_backlog_growth_topic_subscription),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
