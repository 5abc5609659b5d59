/* test_teams.c -- `teams:` in the model: ownership, talks_to, oncall, and
 * the file:line:col errors for what a team cannot say. */
#include "testsim.h"

#include <math.h>

#include "core/dist.h"
#include "loops/analyze.h"
#include "loops/derive.h"
#include "loops/owners.h"
#include "loops/review.h"
#include "model/model.h"

#define BASE                                                                                                          \
    "duration: 1m\n"                                                                                                  \
    "clients:\n"                                                                                                      \
    "  shoppers: {rate: 10/s, call: checkout, cache: sessions}\n"                                                      \
    "services:\n"                                                                                                     \
    "  checkout: {workers: 4, service_time: 5ms, calls: [{to: db}]}\n"                                                \
    "  db: {workers: 4, service_time: 5ms}\n"                                                                         \
    "caches:\n"                                                                                                       \
    "  sessions: {keys: 100}\n"

static void test_teams_loaded(void **state)
{
    (void)state;
    eddy_model *m = load_text(BASE "teams:\n"
                                   "  storefront: {owns: [shoppers, checkout], talks_to: [data], oncall: 10m}\n"
                                   "  data: {owns: [db]}\n"
                                   "  ops: {}\n");
    assert_int_equal(m->nteams, 3);
    assert_int_equal(model_owner(m, "checkout"), 0);
    assert_int_equal(model_owner(m, "shoppers"), 0);
    assert_int_equal(model_owner(m, "db"), 1);
    assert_int_equal(model_owner(m, "sessions"), -1); /* unowned is allowed */
    assert_true(m->teams[0].has_oncall);
    assert_true(m->teams[0].oncall == 600 * T_SEC);
    assert_false(m->teams[1].has_oncall);
    /* talking is symmetric: either side's talks_to counts */
    assert_true(model_teams_talk(m, 0, 1));
    assert_true(model_teams_talk(m, 1, 0));
    assert_false(model_teams_talk(m, 0, 2));
    assert_false(model_teams_talk(m, 1, 2));
    assert_int_equal(model_find_team(m, "ops"), 2);
    eddy_model_free(m);
}

/* The cache must be used by a call to load at all; with it used, it is ownable. */
static void test_teams_own_any_component(void **state)
{
    (void)state;
    eddy_model *m = load_text("duration: 1m\n"
                              "clients:\n  shoppers: {rate: 10/s, call: checkout, cache: sessions}\n"
                              "services:\n  checkout: {workers: 4, service_time: 5ms}\n"
                              "caches:\n  sessions: {keys: 100}\n"
                              "autoscalers:\n  hpa: {service: checkout, metric: cpu, target: 50%, max: 4}\n"
                              "infra:\n  dns: {mtbf: 720h, mttr: 1h}\n"
                              "teams:\n  platform: {owns: [sessions, hpa, dns]}\n");
    assert_int_equal(model_owner(m, "sessions"), 0);
    assert_int_equal(model_owner(m, "hpa"), 0);
    assert_int_equal(model_owner(m, "dns"), 0);
    eddy_model_free(m);
}

static void test_teams_errors(void **state)
{
    (void)state;
    /* line 10 is the first teams entry after the 8-line BASE and "teams:" */
    expect_load_error(BASE "teams:\n  a: {owns: [checkout]}\n  b: {owns: [shoppers, checkout]}\n", 11, 24,
                      "teams.b.owns[1]: 'checkout' is already owned by team a (line 10, column 14); a component has "
                      "at most one owner");
    expect_load_error(BASE "teams:\n  a: {owns: [db, db]}\n", 10, 18, "teams.a.owns[1]: 'db' is listed twice");
    expect_load_error(BASE "teams:\n  a: {owns: [chekout]}\n", 10, 14,
                      "teams.a.owns[0]: no component named 'chekout' (did you mean 'checkout'?)");
    expect_load_error(BASE "teams:\n  a: {talks_to: [dta]}\n  data: {}\n", 10, 18,
                      "teams.a.talks_to[0]: no team named 'dta' (did you mean 'data'?)");
    expect_load_error(BASE "teams:\n  a: {talks_to: [a]}\n", 10, 18, "does not list itself");
    expect_load_error(BASE "teams:\n  a: {owns: checkout}\n", 10, 13, "teams.a.owns: expected a list of names");
    expect_load_error(BASE "teams:\n  a: {own: [db]}\n", 10, 7, "unknown key 'own' (did you mean 'owns'?)");
    expect_load_error(BASE "teams:\n  a: {oncall: soon}\n", 10, 15, "teams.a.oncall");
    expect_load_error(BASE "teams:\n  a: {}\n  a: {}\n", 11, 3, "duplicate");
}

/* The same errors from files, as a user meets them. */
static void test_teams_bad_files(void **state)
{
    (void)state;
    expect_file_error("tests/data/bad/teams-two-owners.yaml", 10, 17,
                      "'db' is already owned by team storefront (line 9");
    expect_file_error("tests/data/bad/teams-unknown-component.yaml", 9, 22,
                      "no component named 'chekout' (did you mean");
}

/* ---- which teams each loop crosses ----------------------------------------- */

#define STORM                                                                                                         \
    "duration: 1m\n"                                                                                                  \
    "clients:\n"                                                                                                      \
    "  shoppers: {rate: 400/s, call: checkout, timeout: 1s, retry: {attempts: 4}}\n"                                  \
    "services:\n"                                                                                                     \
    "  checkout: {workers: 40, queue: 1000, service_time: 5ms, calls: [{to: db, timeout: %s}]}\n"                     \
    "  db: {workers: 20, service_time: 35ms}\n"                                                                       \
    "teams:\n"                                                                                                        \
    "  storefront: {owns: [shoppers, checkout]%s}\n"                                                                  \
    "%s"

static eddy_model *storm(const char *timeout, const char *talks, const char *data)
{
    char buf[2048];
    snprintf(buf, sizeof buf, STORM, timeout, talks, data);
    return load_text(buf);
}

/* The storm loop through db crosses storefront and data; the loops that
 * stay in checkout lie within storefront; with db unowned, no loop is
 * cross-team and db is reported. */
static void test_owners_of_loops(void **state)
{
    (void)state;
    eddy_model *m = storm("5s", "", "  data: {owns: [db]}\n");
    cld_graph *g = derive_graph(m);
    loop_analysis *a = loops_analyze(g, 0);
    owners_report r;
    owners_analyze(a, m, &r);
    size_t cross = 0, within = 0;
    for (size_t i = 0; i < a->n; i++) {
        bool via_db = false;
        for (size_t j = 0; j < a->loops[i].len; j++)
            via_db |= !strcmp(g->vars[a->loops[i].vars[j]].entity, "db");
        /* a loop crosses teams exactly when it runs through db */
        assert_int_equal(r.loops[i].cross_team, via_db);
        char *s = owners_sentence(&r, i);
        if (via_db) {
            cross++;
            assert_non_null(strstr(s, " crosses "));
            assert_non_null(strstr(s, "storefront ("));
            assert_non_null(strstr(s, "data (db: "));
            assert_non_null(strstr(s, ": neither team sees the whole loop."));
        } else {
            within++;
            assert_non_null(strstr(s, " lies within storefront ("));
        }
        free(s);
    }
    assert_true(cross >= 1 && within >= 1);
    assert_int_equal(r.ncross, cross);
    assert_int_equal(r.nunowned, 0);
    owners_free(&r);
    loops_free(a);
    cld_free(g);
    eddy_model_free(m);

    m = storm("5s", "", "");
    g = derive_graph(m);
    a = loops_analyze(g, 0);
    owners_analyze(a, m, &r);
    assert_int_equal(r.ncross, 0);
    assert_int_equal(r.nunowned, 1);
    assert_string_equal(r.unowned[0], "db");
    assert_string_equal(r.unowned_kind[0], "service");
    for (size_t i = 0; i < a->n; i++)
        if (r.loops[i].unowned) {
            char *s = owners_sentence(&r, i);
            assert_non_null(strstr(s, "but nobody owns db: "));
            free(s);
        }
    owners_free(&r);
    loops_free(a);
    cld_free(g);
    eddy_model_free(m);
}

static size_t count_flags(const review *r, const char *code)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nflags; i++)
        n += !strcmp(r->flags[i].code, code);
    return n;
}

/* conway needs two owning teams and an inconsistent contract (here a
 * timeout below db's p99 of 35ms).  Where the teams talk it stays, worded
 * for teams that talk, and as a note rather than a warning. */
static void test_review_conway(void **state)
{
    (void)state;
    struct {
        const char *timeout, *talks, *data;
        size_t conway, unowned;
    } cases[] = {
        {"20ms", "", "  data: {owns: [db]}\n", 1, 0},                       /* inconsistent, not talking */
        {"20ms", ", talks_to: [data]", "  data: {owns: [db]}\n", 1, 0},     /* they talk: still inconsistent */
        {"5s", ", talks_to: [data]", "  data: {owns: [db]}\n", 0, 0},      /* they talk, and it is consistent */
        {"5s", "", "  data: {owns: [db]}\n", 0, 0},                         /* the contract is consistent */
        {"20ms", "", "", 0, 1},                                             /* db unowned: no boundary, but unowned */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        eddy_model *m = storm(cases[k].timeout, cases[k].talks, cases[k].data);
        review *r = review_model(m);
        if (count_flags(r, "conway") != cases[k].conway || count_flags(r, "unowned") != cases[k].unowned)
            fail_msg("case %zu: %zu conway, %zu unowned; want %zu, %zu", k, count_flags(r, "conway"),
                     count_flags(r, "unowned"), cases[k].conway, cases[k].unowned);
        for (size_t i = 0; i < r->nflags; i++)
            if (!strcmp(r->flags[i].code, "conway")) {
                assert_non_null(strstr(r->flags[i].msg, "checkout\xe2\x86\x92" "db crosses from storefront to data"));
                assert_non_null(strstr(r->flags[i].msg, "its 20ms timeout is below the p99 of db's own work (35ms)"));
                bool talk = cases[k].talks[0] != 0;
                assert_int_equal(r->flags[i].severity, talk ? REVIEW_NOTE : REVIEW_WARNING);
                assert_non_null(strstr(r->flags[i].msg, talk ? "which talk to each other, but its contract is still "
                                                               "inconsistent: "
                                                             : "which do not talk to each other, and its contract is "
                                                               "inconsistent: "));
                assert_int_equal(r->flags[i].pos.line, 5); /* the call's mapping */
                assert_int_equal(r->flags[i].pos.col, 67);
            } else if (!strcmp(r->flags[i].code, "unowned")) {
                assert_non_null(strstr(r->flags[i].msg, "db is on reinforcing loop R"));
                assert_int_equal(r->flags[i].pos.line, 6); /* db's name */
            }
        review_free(r);
        eddy_model_free(m);
    }
}

/* A queue edge: payments publishes, ledger's consumer group writes, and
 * the consumer acks before processing; flagged whether or not the teams
 * talk, as a note where they do. */
static void test_review_conway_queue(void **state)
{
    (void)state;
    static const char *const teams[] = {
        "teams:\n  p: {owns: [payments, ledger-entries]}\n  l: {owns: [ledger, ledger-writer]}\nfaults:",
        "teams:\n  p: {owns: [payments], talks_to: [l]}\n  l: {owns: [ledger, ledger-writer]}\nfaults:",
    };
    for (int k = 0; k < 2; k++) {
        eddy_model *m = load_file_replacing("examples/payments-ledger.yaml", "faults:", teams[k]);
        review *r = review_model(m);
        size_t n = 0;
        for (size_t i = 0; i < r->nflags; i++)
            if (!strcmp(r->flags[i].code, "conway")) {
                n++;
                assert_non_null(strstr(r->flags[i].msg, "payments\xe2\x86\x92ledger-entries\xe2\x86\x92ledger "
                                                        "(consumer group ledger-writer) crosses from p to l"));
                assert_non_null(strstr(r->flags[i].msg, "acks before processing"));
                /* payments retries its publishes and ledger dedupes by attempt */
                assert_non_null(strstr(r->flags[i].msg, "payments retries its publishes (3 attempts) and ledger "
                                                        "dedupes by attempt"));
                /* at the ack mode: `ack: before_processing` */
                assert_int_equal(r->flags[i].pos.line, m->consumers[0].ack_pos.line);
                assert_int_equal(r->flags[i].pos.col, m->consumers[0].ack_pos.col);
                assert_int_equal(r->flags[i].severity, k == 0 ? REVIEW_WARNING : REVIEW_NOTE);
                assert_non_null(strstr(r->flags[i].msg, k == 0 ? "which do not talk to each other"
                                                               : "which talk to each other, but its delivery contract "
                                                                 "is still inconsistent"));
            }
        assert_int_equal(n, 1);
        review_free(r);
        eddy_model_free(m);
    }
}

/* The model's review has one conway flag, at line:col, with `words` in
 * it; or none (line 0).  k names the case.  The flag is a note exactly
 * when it is worded for teams that talk. */
static void expect_conway(const char *yaml, size_t k, int line, int col, const char *words)
{
    eddy_model *m = load_text(yaml);
    review *r = review_model(m);
    size_t n = count_flags(r, "conway");
    if (n != (line ? 1u : 0u))
        fail_msg("case %zu: %zu conway flags", k, n);
    for (size_t i = 0; i < r->nflags; i++)
        if (!strcmp(r->flags[i].code, "conway") &&
            (r->flags[i].pos.line != line || r->flags[i].pos.col != col || !strstr(r->flags[i].msg, words)))
            fail_msg("case %zu: %d:%d %s", k, r->flags[i].pos.line, r->flags[i].pos.col, r->flags[i].msg);
    for (size_t i = 0; i < r->nflags; i++)
        if (!strcmp(r->flags[i].code, "conway") &&
            (r->flags[i].severity == REVIEW_NOTE) != (strstr(r->flags[i].msg, "which talk to each other") != NULL))
            fail_msg("case %zu: severity %d for %s", k, (int)r->flags[i].severity, r->flags[i].msg);
    review_free(r);
    eddy_model_free(m);
}

/* The delivery contract of a queue edge, judged part by part: the ack
 * mode, an at_most_once queue, a retried publish, a redelivery.  The flag
 * points at the first part at fault: the group's `ack:` (10:66), the
 * queue's `delivery:` (8:23), or else the group's `effect: write` (10:92). */
#define QUEUE                                                                                                         \
    "duration: 1m\n"                                                                                                  \
    "clients:\n"                                                                                                      \
    "  checkout: {rate: 10/s, call: payments, timeout: 3s}\n"                                                         \
    "services:\n"                                                                                                     \
    "  payments: {workers: 4, service_time: 5ms, calls: [{publish: entries, timeout: 100ms, retry: {attempts: %d}}]}\n"\
    "  ledger: {workers: 4, service_time: 5ms%s}\n"                                                                   \
    "queues:\n"                                                                                                       \
    "  entries: {%s}\n"                                                                                               \
    "consumers:\n"                                                                                                    \
    "  writer: {queue: entries, service: ledger, concurrency: 4, ack: %s%s}\n"                                        \
    "teams:\n"                                                                                                        \
    "  p: {owns: [checkout, payments]%s}\n"                                                                           \
    "  l: {owns: [ledger, writer]}\n"

static void test_review_conway_queue_contract(void **state)
{
    (void)state;
    static const char *const alo = "visibility_timeout: 30s", *const amo = "delivery: at_most_once";
    struct {
        int attempts;
        const char *dedupe, *queue, *ack, *effect, *talks;
        int line, col; /* of the one conway flag; 0: none */
        const char *words;
    } cases[] = {
        {3, "", alo, "before_processing", ", effect: write", "", 10, 66,
         "payments\xe2\x86\x92" "entries\xe2\x86\x92ledger (consumer group writer) crosses from p to l, which do not "
         "talk to each other, and its delivery contract is inconsistent: consumer group writer acks before "
         "processing, so queue entries's at-least-once delivery is at most once: a delivery that fails loses its "
         "write; payments retries its publishes (3 attempts) and ledger dedupes by none: a publish retried after a "
         "lost ack stores the message twice, under a new key, and its write is applied twice. Nobody reconciles"},
        /* the same where the teams talk: still inconsistent, worded for teams that talk */
        {3, "", alo, "before_processing", ", effect: write", ", talks_to: [l]", 10, 66,
         "crosses from p to l, which talk to each other, but its delivery contract is still inconsistent: consumer "
         "group writer acks before processing"},
        /* the teams talk and the contract is consistent: nothing to say */
        {3, ", dedupe: {key: request}", alo, "after_processing", ", effect: write", ", talks_to: [l]", 0, 0, NULL},
        /* the ack mode alone, on a consumer that writes nothing */
        {1, "", alo, "before_processing", "", "", 10, 66, "a delivery that fails loses its message. Nobody"},
        /* a redelivery after a late ack, with no dedupe; a key per attempt catches it */
        {1, "", alo, "after_processing", ", effect: write", "", 10, 92,
         "its delivery contract is inconsistent: queue entries redelivers a message whose ack did not come within its "
         "visibility timeout, and ledger does not dedupe: the redelivered write is applied twice. Nobody"},
        {1, ", dedupe: {key: attempt}", alo, "after_processing", ", effect: write", "", 0, 0, NULL},
        /* a retried publish: only the request's key catches it */
        {3, ", dedupe: {key: attempt}", alo, "after_processing", ", effect: write", "", 10, 92,
         "inconsistent: payments retries its publishes (3 attempts) and ledger dedupes by attempt"},
        {3, ", dedupe: {key: request}", alo, "after_processing", ", effect: write", "", 0, 0, NULL},
        /* an at_most_once queue carrying writes */
        {1, ", dedupe: {key: request}", amo, "after_processing", ", effect: write", "", 8, 23,
         "inconsistent: queue entries delivers at most once, so a delivery that fails loses its write. Nobody"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char y[2048];
        snprintf(y, sizeof y, QUEUE, cases[k].attempts, cases[k].dedupe, cases[k].queue, cases[k].ack,
                 cases[k].effect, cases[k].talks);
        expect_conway(y, k, cases[k].line, cases[k].col, cases[k].words);
    }
}

/* Retry against idempotency on a plain call edge: a retried write into a
 * service that does not dedupe by the request's key, across a boundary
 * between teams that do not talk.  Line 5 is the call's mapping. */
#define WRITES                                                                                                        \
    "duration: 1m\n"                                                                                                  \
    "clients:\n"                                                                                                      \
    "  shoppers: {rate: 10/s, call: checkout, timeout: 5s, retry: {attempts: %d}}\n"                                  \
    "services:\n"                                                                                                     \
    "  checkout: {workers: 4, service_time: 5ms, calls: [{to: ledger, timeout: 1s, retry: {attempts: %d}%s}]}\n"      \
    "  ledger: {workers: 4, service_time: 5ms%s}\n"                                                                   \
    "teams:\n"                                                                                                        \
    "  storefront: {owns: [shoppers]%s}\n"                                                                            \
    "  pay: {owns: [checkout]}\n"                                                                                     \
    "  books: {owns: [ledger]}\n"

static void test_review_conway_idempotency(void **state)
{
    (void)state;
    struct {
        int client_attempts, call_attempts;
        const char *effect, *dedupe, *talks;
        int line, col; /* of the one conway flag; 0: none */
        const char *words;
    } cases[] = {
        /* checkout retries its write to ledger, which does not dedupe */
        {1, 3, ", effect: write", "", "", 5, 53,
         "checkout\xe2\x86\x92ledger crosses from pay to books, which do not talk to each other, and its contract is "
         "inconsistent: it is a write (effect: write) that is retried (3 attempts), and ledger dedupes by none: an "
         "attempt that timed out may already have been applied, so its retry applies the write again. Nobody"},
        /* a key per attempt does not catch a retry */
        {1, 3, ", effect: write", ", dedupe: {key: attempt}", "", 5, 53, "and ledger dedupes by attempt"},
        /* the request's key does; and a write that is not retried is consistent */
        {1, 3, ", effect: write", ", dedupe: {key: request}", "", 0, 0, NULL},
        {1, 1, ", effect: write", "", "", 0, 0, NULL},
        /* shoppers retries a call whose callee writes downstream, one boundary up */
        {3, 1, ", effect: write", "", "", 3, 13,
         "shoppers\xe2\x86\x92" "checkout crosses from storefront to pay, which do not talk to each other, and its "
         "contract is inconsistent: it is retried (3 attempts), and each attempt makes checkout write to ledger again "
         "(effect: write), which dedupes by none: a retry after a timeout applies the write twice"},
        /* the same, where the teams talk: still flagged, worded for teams that talk */
        {3, 1, ", effect: write", "", ", talks_to: [pay]", 3, 13,
         "shoppers\xe2\x86\x92" "checkout crosses from storefront to pay, which talk to each other, but its contract is "
         "still inconsistent: it is retried (3 attempts), and each attempt makes checkout write to ledger again"},
        /* the teams talk and ledger dedupes by the request's key: consistent */
        {3, 1, ", effect: write", ", dedupe: {key: request}", ", talks_to: [pay]", 0, 0, NULL},
        /* no write, no idempotency to judge */
        {3, 1, "", "", "", 0, 0, NULL},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char y[2048];
        snprintf(y, sizeof y, WRITES, cases[k].client_attempts, cases[k].call_attempts, cases[k].effect,
                 cases[k].dedupe, cases[k].talks);
        expect_conway(y, k, cases[k].line, cases[k].col, cases[k].words);
    }
}

/* Retry against idempotency down a chain: shoppers retries its call into
 * pay's checkout, and the write is made three calls further down
 * (checkout→orders→inventory→ledger).  Each attempt runs the chain again,
 * so the write is applied twice unless ledger dedupes by the request's
 * key.  Line 3 is shoppers' mapping. */
#define CHAIN                                                                                                         \
    "duration: 1m\n"                                                                                                  \
    "clients:\n"                                                                                                      \
    "  shoppers: {rate: 10/s, call: checkout, timeout: 5s, retry: {attempts: 3}}\n"                                   \
    "services:\n"                                                                                                     \
    "  checkout: {workers: 4, service_time: 5ms, calls: [{to: orders, timeout: 2s}]}\n"                               \
    "  orders: {workers: 4, service_time: 5ms, calls: [{to: inventory, timeout: 1s}]}\n"                              \
    "  inventory: {workers: 4, service_time: 5ms, calls: [{to: ledger, timeout: 500ms%s}]}\n"                         \
    "  ledger: {workers: 4, service_time: 5ms%s}\n"                                                                   \
    "teams:\n"                                                                                                        \
    "  storefront: {owns: [shoppers]}\n"                                                                              \
    "  pay: {owns: [checkout, orders, inventory, ledger]}\n"

/* A cycle through a queue (checkout publishes to events, whose consumer
 * group runs at orders, which calls checkout): the search visits each
 * service once, and still finds a write beyond the cycle (orders→ledger). */
#define CYCLE                                                                                                         \
    "duration: 1m\n"                                                                                                  \
    "clients:\n"                                                                                                      \
    "  shoppers: {rate: 10/s, call: checkout, timeout: 5s, retry: {attempts: 3}}\n"                                   \
    "services:\n"                                                                                                     \
    "  checkout: {workers: 4, service_time: 5ms, calls: [{publish: events, timeout: 1s}]}\n"                          \
    "  orders: {workers: 4, service_time: 5ms, calls: [{to: checkout, timeout: 1s}, {to: ledger, timeout: 1s%s}]}\n"  \
    "  ledger: {workers: 4, service_time: 5ms}\n"                                                                     \
    "queues: {events: {}}\n"                                                                                          \
    "consumers: {g: {queue: events, service: orders%s}}\n"                                                            \
    "teams:\n"                                                                                                        \
    "  storefront: {owns: [shoppers]}\n"                                                                              \
    "  pay: {owns: [checkout, orders, ledger, events, g]}\n"

static void test_review_conway_idempotency_chain(void **state)
{
    (void)state;
    struct {
        const char *fmt, *a, *b;
        int line, col; /* of the one conway flag; 0: none */
        const char *words;
    } cases[] = {
        {CHAIN, ", effect: write", "", 3, 13,
         "it is retried (3 attempts), and each attempt makes inventory write to ledger again (effect: write, along "
         "checkout\xe2\x86\x92orders\xe2\x86\x92inventory\xe2\x86\x92ledger), which dedupes by none: a retry after a "
         "timeout applies the write twice"},
        {CHAIN, ", effect: write", ", dedupe: {key: attempt}", 3, 13, "ledger), which dedupes by attempt"},
        /* the request's key, carried down the chain, catches it; and no write, nothing to judge */
        {CHAIN, ", effect: write", ", dedupe: {key: request}", 0, 0, NULL},
        {CHAIN, "", "", 0, 0, NULL},
        /* the cycle with nothing to find ends; the write beyond it is found, through the queue */
        {CYCLE, "", "", 0, 0, NULL},
        {CYCLE, ", effect: write", "", 3, 13,
         "each attempt makes orders write to ledger again (effect: write, along checkout\xe2\x86\x92" "events"
         "\xe2\x86\x92orders\xe2\x86\x92ledger), which dedupes by none"},
        /* a write made by the consumer group of a queue the chain publishes to: a retry publishes again */
        {CYCLE, "", ", effect: write", 3, 13,
         "each attempt makes checkout publish to events again, under a new key, and consumer group g writes each "
         "message at orders (effect: write, along checkout\xe2\x86\x92" "events\xe2\x86\x92orders), which dedupes by none"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char y[2048];
        snprintf(y, sizeof y, cases[k].fmt, cases[k].a, cases[k].b);
        expect_conway(y, k, cases[k].line, cases[k].col, cases[k].words);
    }
}

/* The p99 the conway check compares timeouts with, against closed forms. */
static void test_dist_p99(void **state)
{
    (void)state;
    dist e = dist_exponential(10 * T_MS);
    assert_float_equal(dist_p99(&e), 10e6 * log(100.0), 1);
    dist l = dist_lognormal_median_p99(35 * T_MS, 120 * T_MS);
    assert_float_equal(dist_p99(&l), 120e6, 120e6 * 1e-9);
    dist u = dist_uniform(0, 100 * T_MS);
    assert_float_equal(dist_p99(&u), 99e6, 1);
    /* gamma with shape 1 is the exponential: Wilson-Hilferty within 1% */
    dist g = dist_gamma_mean_cv(10 * T_MS, 1.0);
    assert_true(fabs(dist_p99(&g) / (10e6 * log(100.0)) - 1) < 0.01);
}

/* ---- platform defaults ------------------------------------------------------ */

#define PLATFORM                                                                                                      \
    "duration: 1m\n"                                                                                                  \
    "platform:\n"                                                                                                     \
    "  timeout: 1s\n"                                                                                                 \
    "  retry: {attempts: 3, backoff: exponential, budget: {type: finagle}}\n"                                         \
    "  breaker: {failure_rate: 50%}\n"                                                                                \
    "  deadlines: cancel\n"                                                                                           \
    "  shed: {codel: true}\n"

static void test_platform_inherited(void **state)
{
    (void)state;
    eddy_model *m = load_text(PLATFORM "clients:\n"
                                       "  a: {rate: 10/s, call: s}\n"
                                       "  b: {rate: 10/s, call: s, timeout: 3s, retry: {attempts: 5}, breaker: off}\n"
                                       "services:\n"
                                       "  s: {workers: 4, service_time: 5ms, deadlines: ignore, calls: [{to: t}]}\n"
                                       "  t: {workers: 4, service_time: 5ms}\n"
                                       "teams:\n  bee: {owns: [b]}\n");
    const call_spec *a = &m->clients[0].call, *b = &m->clients[1].call, *st = &m->services[0].calls[0];
    unsigned all = PLATFORM_TIMEOUT | PLATFORM_RETRY | PLATFORM_BREAKER;
    /* a and s->t write nothing: everything from the platform */
    assert_int_equal(a->inherited, all);
    assert_int_equal(a->written, 0);
    assert_int_equal(st->inherited, all);
    assert_true(a->timeout == T_SEC);
    assert_int_equal(a->retry.attempts, 3);
    assert_int_equal(a->retry.budget.kind, BUDGET_FINAGLE);
    assert_int_equal(a->retry.backoff, BACKOFF_EXPONENTIAL);
    assert_true(a->breaker.on);
    assert_int_equal(a->timeout_pos.line, 3); /* flags about it point at the platform */
    /* b overrides all three */
    assert_int_equal(b->inherited, 0);
    assert_int_equal(b->written, all);
    assert_true(b->timeout == 3 * T_SEC);
    assert_int_equal(b->retry.attempts, 5);
    assert_int_equal(b->retry.budget.kind, BUDGET_NONE);
    assert_false(b->breaker.on);
    /* services: s writes deadlines, inherits shed; t inherits both */
    assert_int_equal(m->services[0].deadlines, DEADLINES_IGNORE);
    assert_int_equal(m->services[0].inherited, PLATFORM_SHED);
    assert_true(m->services[0].shed.codel);
    assert_int_equal(m->services[1].deadlines, DEADLINES_CANCEL);
    assert_int_equal(m->services[1].inherited, PLATFORM_DEADLINES | PLATFORM_SHED);

    review *r = review_model(m);
    size_t weak = 0;
    for (size_t i = 0; i < r->nflags; i++) {
        if (strcmp(r->flags[i].code, "weakens-platform"))
            continue;
        weak++;
        if (r->flags[i].edge >= 0) {
            assert_string_equal(r->flags[i].msg,
                                "team bee raised the timeout from 1s to 3s, raised attempts from 3 to 5, removed the "
                                "budget, removed the backoff and turned the breaker off on b\xe2\x86\x92s: the "
                                "platform's guarantee does not hold on this edge");
            assert_int_equal(r->flags[i].pos.line, 10); /* b's retry */
        } else {
            assert_non_null(strstr(r->flags[i].msg, "s set deadlines to ignore (the platform's is cancel) on s"));
        }
    }
    assert_int_equal(weak, 2);
    review_free(r);
    eddy_model_free(m);
}

/* examples/platform-defaults.yaml without its teams' retry overrides
 * (every `retry:` below the platform's own): the platform's policy alone.
 * The slowdown (60 s to 90 s) is then a component fault that ends with it:
 * by 120 s both clients are back to 90% of their goodput before it, where
 * as written they serve nothing. */
static void test_platform_alone_recovers(void **state)
{
    (void)state;
    FILE *fp = fopen("examples/platform-defaults.yaml", "rb");
    assert_non_null(fp);
    static char text[1 << 16];
    size_t n = 0;
    char line[512];
    int dropped = 0;
    while (fgets(line, sizeof line, fp)) {
        size_t ind = strspn(line, " ");
        if (ind >= 4 && !strncmp(line + ind, "retry:", 6)) {
            dropped++;
            continue;
        }
        n += (size_t)snprintf(text + n, sizeof text - n, "%s", line);
    }
    fclose(fp);
    assert_int_equal(dropped, 4);
    eddy_model *ms[2] = {load_file_replacing("examples/platform-defaults.yaml", NULL, NULL), load_text(text)};
    for (int k = 0; k < 2; k++) {
        eddy_result r;
        run_model(ms[k], 1, &r);
        for (int c = 0; c < 2; c++) {
            char col[32];
            snprintf(col, sizeof col, "%s.goodput", c ? "mobile" : "web");
            double before = col_mean(&r, col, 10, 60), after = col_mean(&r, col, 120, 240);
            if (k ? after < 0.9 * before : after > 0.01 * before)
                fail_msg("%s: %s goodput %.1f/s before, %.1f/s after", k ? "platform alone" : "as written", col,
                         before, after);
        }
        eddy_result_free(&r);
        eddy_model_free(ms[k]);
    }
}

static void test_platform_errors(void **state)
{
    (void)state;
    expect_load_error("duration: 1m\nplatform: {}\nclients:\n  a: {rate: 1/s, call: s}\nservices:\n  s: {workers: 1, "
                      "service_time: 1ms}\n",
                      2, 11, "platform: an empty platform gives nothing");
    expect_load_error("duration: 1m\nplatform: {retry: {attemps: 3}}\nclients:\n  a: {rate: 1/s, call: s}\nservices:\n  "
                      "s: {workers: 1, service_time: 1ms}\n",
                      2, 20, "unknown key 'attemps' (did you mean 'attempts'?)");
    expect_load_error("duration: 1m\nclients:\n  a: {rate: 1/s, call: s, breaker: of}\nservices:\n  s: {workers: 1, "
                      "service_time: 1ms}\n",
                      3, 36, "expected 'off' or a mapping");
    expect_file_error("tests/data/bad/platform-budget-one-attempt.yaml", 4, 24,
                      "platform.retry: a retry budget has no effect with attempts: 1");
    expect_file_error("tests/data/bad/platform-shed-priority.yaml", 5, 9,
                      "platform.shed: priority: retries_first needs a bounded queue or codel, and services.checkout "
                      "has an unlimited queue");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_teams_loaded),
        cmocka_unit_test(test_teams_own_any_component),
        cmocka_unit_test(test_teams_errors),
        cmocka_unit_test(test_teams_bad_files),
        cmocka_unit_test(test_owners_of_loops),
        cmocka_unit_test(test_review_conway),
        cmocka_unit_test(test_review_conway_queue),
        cmocka_unit_test(test_review_conway_idempotency),
        cmocka_unit_test(test_review_conway_idempotency_chain),
        cmocka_unit_test(test_review_conway_queue_contract),
        cmocka_unit_test(test_dist_p99),
        cmocka_unit_test(test_platform_inherited),
        cmocka_unit_test(test_platform_alone_recovers),
        cmocka_unit_test(test_platform_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
