/* test_loops_derive.c -- loops derived from service models, and boundaries.
 *
 * The models are the project's examples (examples/retry-storm.yaml,
 * examples/local-optima.yaml) and small ones under tests/data/loops/ that
 * each exercise one mechanism.  The key property: every edge whose caller
 * retries on timeout closes its own retry-storm loop, and each link names
 * the model element that creates it. */
#include "testutil.h"
#include "testloops.h"

#include <jansson.h>

#include "loops/analyze.h"
#include "loops/boundary.h"
#include "loops/derive.h"
#include "loops/source.h"
#include "model/model.h"
#include "output/loops_out.h"

#define DATA "tests/data/loops/"
#define ARROW "\xe2\x86\x92"
#define ARROW_OPEN "checkout\xe2\x86\x92" "db.breaker_open"

/* Load a service model (not a drawn diagram) and find its loops. */
static loaded load_model(const char *path)
{
    loaded l = load(path);
    assert_int_equal(l.src.kind, SOURCE_MODEL);
    assert_non_null(l.src.m);
    return l;
}

static int find_link(const cld_graph *g, const char *from, const char *to)
{
    int a = cld_find(g, from), b = cld_find(g, to);
    if (a < 0 || b < 0)
        return -1;
    for (size_t i = 0; i < g->nlinks; i++)
        if (g->links[i].from == a && g->links[i].to == b)
            return (int)i;
    return -1;
}

static bool loop_has_link(const cld_loop *L, int link)
{
    for (size_t j = 0; j < L->len; j++)
        if (L->links[j] == link)
            return true;
    return false;
}

/* For every edge whose caller retries on timeout, the R loop
 *   callee.load → callee.in_flight → callee.latency → caller→callee.timeouts
 *   → caller→callee.retries → callee.load
 * must be among the loops, classified R, with the links named by their
 * model elements.  Returns how many edges were checked. */
static int check_retry_storms(const loaded *l)
{
    const model *m = l->src.m;
    const cld_graph *g = l->src.g;
    int checked = 0;
    for (size_t c = 0; c <= m->nservices; c++) {
        /* c == nservices stands for "the clients" */
        size_t ncalls = c == m->nservices ? m->nclients : m->services[c].ncalls;
        for (size_t k = 0; k < ncalls; k++) {
            const call_spec *cs = c == m->nservices ? &m->clients[k].call : &m->services[c].calls[k];
            const char *caller = c == m->nservices ? m->clients[k].name : m->services[c].name;
            const char *callee = m->services[cs->to].name;
            if (cs->retry.attempts < 2 || !(cs->retry.on & RETRY_ON_TIMEOUT) || cs->timeout == 0)
                continue;
            char want[1024], tmo[256], ret[256], load_[128];
            snprintf(tmo, sizeof tmo, "%s" ARROW "%s.timeouts", caller, callee);
            snprintf(ret, sizeof ret, "%s" ARROW "%s.retries", caller, callee);
            snprintf(load_, sizeof load_, "%s.load", callee);
            snprintf(want, sizeof want, "%s.load, %s.in_flight, %s.latency, %s, %s", callee, callee, callee, tmo, ret);
            int l1 = find_link(g, tmo, ret), l2 = find_link(g, ret, load_);
            if (l1 < 0 || l2 < 0)
                fail_msg("edge %s" ARROW "%s: no retry links", caller, callee);
            bool found = false;
            for (size_t i = 0; i < l->a->n && !found; i++) {
                const cld_loop *L = &l->a->loops[i];
                if (L->len != 5 || !loop_has_link(L, l1) || !loop_has_link(L, l2))
                    continue;
                const char *d = strchr(describe(l->a, i), ':') + 2;
                if (strcmp(d, want))
                    continue;
                assert_int_equal(L->type, 'R');
                found = true;
            }
            if (!found)
                fail_msg("edge %s" ARROW "%s retries on timeout but has no retry-storm loop %s", caller, callee, want);
            /* the retry links name the policy, the timeout link the timeout */
            char origin[256];
            if (c == m->nservices)
                snprintf(origin, sizeof origin, "%s.retry (attempts %d, ", caller, cs->retry.attempts);
            else
                snprintf(origin, sizeof origin, "%s" ARROW "%s retry (attempts %d, ", caller, callee,
                         cs->retry.attempts);
            assert_non_null(strstr(g->links[l1].origin, origin));
            assert_non_null(strstr(g->links[l2].origin, origin));
            char lat[128];
            snprintf(lat, sizeof lat, "%s.latency", callee);
            int lt = find_link(g, lat, tmo);
            assert_true(lt >= 0);
            snprintf(origin, sizeof origin, "%s" ARROW "%s timeout ", caller, callee);
            assert_non_null(strstr(g->links[lt].origin, origin));
            checked++;
        }
    }
    return checked;
}

static void test_retry_storm_example(void **state)
{
    (void)state;
    loaded l = load_model("examples/retry-storm.yaml");
    /* the loop through the retrying client comes first */
    assert_string_equal(describe(l.a, 0), "R1: checkout.load, checkout.in_flight, checkout.latency, "
                                          "shoppers" ARROW "checkout.timeouts, shoppers" ARROW "checkout.retries");
    assert_int_equal(check_retry_storms(&l), 1);
    const cld_graph *g = l.src.g;
    int r = find_link(g, "shoppers" ARROW "checkout.retries", "checkout.load");
    assert_string_equal(g->links[r].origin, "shoppers.retry (attempts 4, no backoff)");
    assert_false(g->links[r].delay); /* no backoff: the retry goes at once */
    int t = find_link(g, "checkout.latency", "shoppers" ARROW "checkout.timeouts");
    assert_string_equal(g->links[t].origin, "shoppers" ARROW "checkout timeout 1s");
    /* links keep the model's line numbers */
    assert_true(g->links[t].line > 0);
    /* the synchronous call holds checkout's worker: slowness climbs */
    int h = find_link(g, "db.latency", "checkout.held");
    assert_true(h >= 0);
    assert_non_null(strstr(g->links[h].origin, "checkout" ARROW "db call holds a checkout worker"));
    /* checkout's bounded queue sheds load: a balancing loop */
    bool queue_b = false;
    for (size_t i = 0; i < l.a->n; i++)
        queue_b = queue_b || !strcmp(strchr(describe(l.a, i), ':'), ": checkout.in_flight, checkout.rejects");
    assert_true(queue_b);
    /* and every entity's variables belong to it */
    int v = cld_find(g, "shoppers" ARROW "checkout.retries");
    assert_string_equal(g->vars[v].entity, "shoppers");
    assert_string_equal(g->vars[v].kind, "client");
    for (size_t i = 0; i < g->nnotes; i++) /* every mechanism is derived now */
        assert_null(strstr(g->notes[i], "not covered yet"));
    unload(&l);
}

/* Each autoscaler closes a balancing loop through the service's replicas,
 * with the delays of its metric window, its sync and the start-up; two on
 * one service (the fighting-autoscalers example) give two, and a note
 * names the fight. */
static void test_autoscaler_loops(void **state)
{
    (void)state;
    loaded l = load_model("examples/fighting-autoscalers.yaml");
    const cld_graph *g = l.src.g;
    const char *names[] = {"hpa", "depth"};
    int down = find_link(g, "api.replicas", "api.per_replica_load");
    assert_true(down >= 0);
    assert_int_equal(g->links[down].sign, -1);
    for (int k = 0; k < 2; k++) {
        char metric[64], desired[64];
        snprintf(metric, sizeof metric, "%s.metric", names[k]);
        snprintf(desired, sizeof desired, "%s.desired", names[k]);
        int a = find_link(g, "api.per_replica_load", metric), b = find_link(g, metric, desired),
            c = find_link(g, desired, "api.replicas");
        assert_true(a >= 0 && b >= 0 && c >= 0);
        assert_true(g->links[a].delay && g->links[b].delay && g->links[c].delay); /* startup: 10s */
        assert_non_null(strstr(g->links[b].origin, names[k]));
        assert_string_equal(g->vars[cld_find(g, metric)].kind, "autoscaler");
        bool found = false;
        for (size_t i = 0; i < l.a->n; i++) {
            const cld_loop *L = &l.a->loops[i];
            if (loop_has_link(L, a) && loop_has_link(L, c) && loop_has_link(L, down)) {
                assert_int_equal(L->type, 'B');
                assert_int_equal(L->len, 4);
                found = true;
            }
        }
        assert_true(found);
    }
    bool fight = false;
    for (size_t i = 0; i < g->nnotes; i++)
        fight = fight || (strstr(g->notes[i], "fighting controllers") && strstr(g->notes[i], "different goals"));
    assert_true(fight);
    unload(&l);
}

static void test_local_optima_example(void **state)
{
    (void)state;
    loaded l = load_model("examples/local-optima.yaml");
    assert_int_equal(check_retry_storms(&l), 1);
    /* the api's 2 s timeouts become errors the client retries: a loop
     * through the database that no per-service view shows */
    const cld_graph *g = l.src.g;
    const model *m = l.src.m;
    char err_retry_from[128], err_retry_to[256], tmo[128];
    const char *client = m->clients[0].name, *api = m->services[m->clients[0].call.to].name;
    const char *db = m->services[m->services[m->clients[0].call.to].calls[0].to].name;
    snprintf(err_retry_from, sizeof err_retry_from, "%s.errors", api);
    snprintf(err_retry_to, sizeof err_retry_to, "%s" ARROW "%s.retries", client, api);
    snprintf(tmo, sizeof tmo, "%s" ARROW "%s.timeouts", api, db);
    int e = find_link(g, err_retry_from, err_retry_to);
    int t = find_link(g, tmo, err_retry_from);
    assert_true(e >= 0 && t >= 0);
    assert_non_null(strstr(g->links[t].origin, "timeout 2s"));
    bool found = false;
    for (size_t i = 0; i < l.a->n; i++)
        if (loop_has_link(&l.a->loops[i], e) && loop_has_link(&l.a->loops[i], t)) {
            assert_int_equal(l.a->loops[i].type, 'R');
            found = true;
        }
    assert_true(found);
    unload(&l);
}

static void test_three_layers_every_edge_storms(void **state)
{
    (void)state;
    loaded l = load_model(DATA "three_layers.yaml");
    assert_int_equal(check_retry_storms(&l), 3);
    assert_int_equal(l.a->n, 27);
    assert_int_equal(l.a->nr, 27);
    assert_string_equal(describe(l.a, 0), "R1: edge.load, edge.in_flight, edge.latency, web" ARROW
                                          "edge.timeouts, web" ARROW "edge.retries");
    assert_string_equal(describe(l.a, 1), "R2: orders.load, orders.in_flight, orders.latency, edge" ARROW
                                          "orders.timeouts, edge" ARROW "orders.retries");
    /* exponential backoff puts a delay on the retry link */
    const cld_graph *g = l.src.g;
    int r = find_link(g, "orders" ARROW "ledger.retries", "ledger.load");
    assert_true(g->links[r].delay);
    assert_string_equal(g->links[r].origin,
                        "orders" ARROW "ledger retry (attempts 3, exponential backoff 50ms..400ms x2, full jitter)");
    unload(&l);
}

static void test_contention_and_closed_loop(void **state)
{
    (void)state;
    loaded l = load_model(DATA "contention.yaml");
    assert_int_equal(l.a->n, 3);
    assert_string_equal(describe(l.a, 0), "B1: db.load, db.in_flight, db.latency, analysts.load");
    assert_string_equal(describe(l.a, 1), "R2: db.in_flight, db.service_time, db.held");
    assert_string_equal(describe(l.a, 2), "B3: db.load, db.in_flight, db.service_time, db.held, db.latency, "
                                          "analysts.load");
    /* closed-loop users self-throttle, late: think time is the delay */
    assert_true(l.a->loops[0].can_oscillate);
    const cld_graph *g = l.src.g;
    int c = find_link(g, "db.in_flight", "db.service_time");
    assert_string_equal(g->links[c].origin, "db.contention (sigma 0.02, kappa 0.001)");
    int back = find_link(g, "db.latency", "analysts.load");
    assert_int_equal(g->links[back].sign, -1);
    assert_non_null(strstr(g->links[back].origin, "analysts.users 40, think 2s (closed loop)"));
    /* the contention spiral is touched by the closed loop */
    assert_false(l.a->loops[1].unguarded);
    unload(&l);
}

static void test_no_storm_without_a_queue(void **state)
{
    (void)state;
    loaded l = load_model(DATA "unlimited.yaml");
    assert_int_equal(l.a->n, 0);
    assert_int_equal(l.src.g->nnotes, 1);
    assert_non_null(strstr(l.src.g->notes[0], "batch" ARROW "lambda retries on timeout, but the latency of lambda "
                                              "does not rise with its load"));
    unload(&l);
}

static void test_review_flags_model_loops(void **state)
{
    (void)state;
    loaded l = load_model(DATA "review_flags.yaml");
    assert_int_equal(l.a->n, 2);
    assert_string_equal(describe(l.a, 0), "B1: checkout.in_flight, checkout.rejects");
    assert_string_equal(describe(l.a, 1), "R2: payments.load, payments.in_flight, payments.latency, checkout" ARROW
                                          "payments.timeouts, checkout" ARROW "payments.retries");
    assert_int_equal(check_retry_storms(&l), 1);
    /* a constant backoff is a delay too */
    int r = find_link(l.src.g, "checkout" ARROW "payments.retries", "payments.load");
    assert_true(l.src.g->links[r].delay);
    unload(&l);
}

/* ---- edge mechanisms: breakers, retry budgets, pools ---------------------- */

/* The link from -> to, which must exist with this polarity and origin. */
static const cld_link *must_link(const cld_graph *g, const char *from, const char *to, int sign, const char *origin)
{
    int a = cld_find(g, from), b = cld_find(g, to);
    for (size_t i = 0; a >= 0 && b >= 0 && i < g->nlinks; i++)
        if (g->links[i].from == a && g->links[i].to == b && g->links[i].sign == sign) {
            if (strcmp(g->links[i].origin, origin))
                fail_msg("link %s -> %s: origin '%s', want '%s'", from, to, g->links[i].origin, origin);
            return &g->links[i];
        }
    fail_msg("no link %s -(%s)-> %s", from, sign > 0 ? "+" : "-", to);
    return NULL;
}

/* The loop whose variables, listed from the first declared, are `vars`. */
static int find_loop(const loop_analysis *a, const char *vars)
{
    for (size_t i = 0; i < a->n; i++)
        if (!strcmp(strchr(describe(a, i), ':') + 2, vars))
            return (int)i;
    return -1;
}

static bool loop_has_var(const loop_analysis *a, size_t i, const char *id)
{
    int v = cld_find(a->g, id);
    for (size_t j = 0; j < a->loops[i].len; j++)
        if (a->loops[i].vars[j] == v)
            return true;
    return false;
}

/* Is loop i touched by a balancing loop through the variable `via`? */
static bool guarded_via(const loop_analysis *a, size_t i, const char *via)
{
    size_t out[256];
    bool more;
    size_t n = loops_touching(a, i, 'B', out, 256, &more);
    for (size_t k = 0; k < n; k++)
        if (loop_has_var(a, out[k], via))
            return true;
    return false;
}

typedef struct derived {
    model *m;
    cld_graph *g;
    loop_analysis *a;
} derived;

static derived derive_text(const char *text, const char *name)
{
    derived d;
    eddy_error err = {0};
    d.m = model_load_string(text, strlen(text), name, &err);
    if (!d.m)
        fail_with_error(&err);
    d.g = derive_graph(d.m);
    d.a = loops_analyze(d.g, 0);
    return d;
}

static void derived_free(derived *d)
{
    loops_free(d->a);
    cld_free(d->g);
    model_free(d->m);
}

#define BRK "checkout" ARROW "db breaker (time window 10s, failure 50%, open 5s)"

static void test_breaker_example(void **state)
{
    (void)state;
    loaded l = load_model("examples/breaker.yaml");
    const cld_graph *g = l.src.g;
    const char *open = "checkout" ARROW "db.breaker_open";
    /* failures over the window open it: a delay */
    const cld_link *t = must_link(g, "checkout" ARROW "db.timeouts", open, +1, BRK);
    assert_true(t->delay);
    assert_non_null(strstr(t->note, "a failure rate of 50% over the last 10s (at least 20 calls) opens it"));
    const cld_link *slow = must_link(g, "db.latency", open, +1, BRK);
    assert_non_null(strstr(slow->note, "calls slower than 200ms are slow: a slow-call rate of 50%"));
    /* open, it takes load off db, frees checkout's workers, and (no
     * fallback) fails checkout's requests */
    const cld_link *shed = must_link(g, open, "db.load", -1, BRK);
    assert_false(shed->delay);
    assert_non_null(strstr(shed->note, "after 5s, 10 probes test db"));
    must_link(g, open, "checkout.held", -1, BRK);
    must_link(g, open, "checkout.errors", +1, BRK);
    assert_true(shed->line > 0);
    int v = cld_find(g, open);
    assert_string_equal(g->vars[v].entity, "checkout");
    /* the balancing loop of DESIGN.md 6, through the timeouts and through
     * slow calls; it corrects through the window's delay */
    int b = find_loop(l.a, "db.load, db.in_flight, db.latency, checkout" ARROW "db.timeouts, " ARROW_OPEN);
    assert_true(b >= 0);
    assert_int_equal(l.a->loops[b].type, 'B');
    assert_true(l.a->loops[b].can_oscillate);
    b = find_loop(l.a, "db.load, db.in_flight, db.latency, " ARROW_OPEN);
    assert_true(b >= 0);
    assert_int_equal(l.a->loops[b].type, 'B');
    assert_int_equal(l.a->nr, 0); /* nobody retries here: no storm to guard */
    unload(&l);
}

/* A retry storm with nothing else to stop it is unguarded; a breaker on
 * the same edge closes a balancing loop through it. */
static void test_breaker_guards_the_retry_storm(void **state)
{
    (void)state;
    static const char base[] = "duration: 1m\n"
                               "clients:\n"
                               "  shoppers:\n"
                               "    rate: 400/s\n"
                               "    call: checkout\n"
                               "    timeout: 1s\n"
                               "    retry: {attempts: 3, on: [timeout]}\n"
                               "services:\n"
                               "  checkout:\n"
                               "    workers: 40\n"
                               "    queue: unlimited\n"
                               "    service_time: 5ms\n";
    const char *storm = "checkout.load, checkout.in_flight, checkout.latency, shoppers" ARROW
                        "checkout.timeouts, shoppers" ARROW "checkout.retries";
    derived d = derive_text(base, "storm.yaml");
    int r = find_loop(d.a, storm);
    assert_true(r >= 0);
    assert_true(d.a->loops[r].unguarded);
    assert_int_equal(d.a->nb, 0);
    derived_free(&d);

    char *text = replace_once(base, "    retry: {attempts: 3, on: [timeout]}\n",
                              "    retry: {attempts: 3, on: [timeout]}\n"
                              "    breaker: {window: count, size: 50, min_calls: 10, failure_rate: 50%,\n"
                              "              open_for: 10s}\n");
    d = derive_text(text, "storm.yaml");
    free(text);
    const char *origin = "shoppers.breaker (count window 50 calls, failure 50%, open 10s)";
    const char *open = "shoppers" ARROW "checkout.breaker_open";
    must_link(d.g, "shoppers" ARROW "checkout.timeouts", open, +1, origin);
    must_link(d.g, open, "checkout.load", -1, origin);
    const cld_link *nr = must_link(d.g, open, "shoppers" ARROW "checkout.retries", -1, origin);
    assert_non_null(strstr(nr->note, "not retried"));
    r = find_loop(d.a, storm);
    assert_true(r >= 0);
    assert_int_equal(d.a->loops[r].type, 'R');
    assert_false(d.a->loops[r].unguarded);
    assert_true(guarded_via(d.a, (size_t)r, open));
    int b = find_loop(d.a, "checkout.load, checkout.in_flight, checkout.latency, shoppers" ARROW
                           "checkout.timeouts, shoppers" ARROW "checkout.breaker_open");
    assert_true(b >= 0);
    assert_int_equal(d.a->loops[b].type, 'B');
    assert_int_equal(d.a->nunguarded, 0);
    derived_free(&d);
}

static void test_breaker_fallback(void **state)
{
    (void)state;
    char *yaml = slurp("examples/breaker.yaml");
    char *text = replace_once(yaml, "half_open_calls: 10\n", "half_open_calls: 10\n          fallback: default\n");
    derived d = derive_text(text, "breaker.yaml");
    const char *o = "checkout" ARROW "db breaker (time window 10s, failure 50%, open 5s, fallback default)";
    const char *open = "checkout" ARROW "db.breaker_open";
    const cld_link *held = must_link(d.g, open, "checkout.held", -1, o);
    assert_non_null(strstr(held->note, "fallback"));
    /* a fallback is an answer: the refused call does not fail checkout */
    int e = cld_find(d.g, "checkout.errors"), v = cld_find(d.g, open);
    for (size_t i = 0; i < d.g->nlinks; i++)
        assert_false(d.g->links[i].from == v && d.g->links[i].to == e);
    derived_free(&d);
    free(text);
    free(yaml);
}

#define BUDGET "shoppers.retry.budget (finagle, percent 20%, min_per_s 10, ttl 10s)"

static void test_budget_example(void **state)
{
    (void)state;
    loaded l = load_model("examples/budget-vs-storm.yaml");
    const cld_graph *g = l.src.g;
    const char *retries = "shoppers" ARROW "checkout.retries", *spent = "shoppers" ARROW "checkout.budget_spent";
    const cld_link *draw = must_link(g, retries, spent, +1, BUDGET);
    assert_non_null(strstr(draw->note, "each retry withdraws 1"));
    const cld_link *cap = must_link(g, spent, retries, -1, BUDGET);
    assert_non_null(strstr(cap->note, "only while the budget has room"));
    /* requests refill a Finagle budget */
    must_link(g, "shoppers.load", spent, -1, BUDGET);
    assert_string_equal(g->vars[cld_find(g, spent)].entity, "shoppers");
    /* the budget's balancing loop */
    int b = find_loop(l.a, "shoppers" ARROW "checkout.retries, shoppers" ARROW "checkout.budget_spent");
    assert_true(b >= 0);
    assert_int_equal(l.a->loops[b].type, 'B');
    assert_false(l.a->loops[b].can_oscillate);
    /* the storm is still derived, and every loop through the retries is
     * touched by the budget's loop: it limits each one's gain */
    assert_int_equal(check_retry_storms(&l), 1);
    size_t through = 0;
    for (size_t i = 0; i < l.a->n; i++)
        if (l.a->loops[i].type == 'R' && loop_has_var(l.a, i, retries)) {
            assert_true(guarded_via(l.a, i, spent));
            through++;
        }
    assert_true(through >= 2);
    assert_int_equal(l.a->nunguarded, 0); /* retry-storm.yaml has two unguarded */
    unload(&l);
}

/* The other budget designs, and a pool that refuses, from one model. */
static void test_budget_designs_and_pool_refusals(void **state)
{
    (void)state;
    loaded l = load_model(DATA "mechanisms.yaml");
    const cld_graph *g = l.src.g;
    /* Envoy: a slower callee keeps more attempts in flight, which widens
     * the cap: with the storm, a reinforcing loop */
    const char *env = "web.retry.budget (envoy, budget_percent 20%, min_retry_concurrency 3)";
    must_link(g, "web" ARROW "front.retries", "web" ARROW "front.budget_spent", +1, env);
    must_link(g, "front.latency", "web" ARROW "front.budget_spent", -1, env);
    int r = find_loop(l.a, "front.load, front.in_flight, front.latency, web" ARROW "front.budget_spent, web" ARROW
                           "front.retries");
    assert_true(r >= 0);
    assert_int_equal(l.a->loops[r].type, 'R');
    /* gRPC: every failed attempt takes a token */
    const char *grpc = "front" ARROW "mid retry budget (grpc, max_tokens 10, token_ratio 0.1, shared)";
    const cld_link *tok = must_link(g, "front" ARROW "mid.timeouts", "front" ARROW "mid.budget_spent", +1, grpc);
    assert_non_null(strstr(tok->note, "every failed attempt takes a token"));
    must_link(g, "mid.errors", "front" ARROW "mid.budget_spent", +1, grpc);
    const cld_link *half = must_link(g, "front" ARROW "mid.budget_spent", "front" ARROW "mid.retries", -1, grpc);
    assert_non_null(strstr(half->note, "max_tokens/2 = 5 tokens"));
    /* AWS: a retry after a timeout costs more */
    const char *aws = "front" ARROW "db retry budget (aws, quota 500, cost 5, timeout_cost 10, no_retry_increment 1)";
    const cld_link *dear = must_link(g, "front" ARROW "db.timeouts", "front" ARROW "db.budget_spent", +1, aws);
    assert_non_null(strstr(dear->note, "costs 10, not 5"));
    /* a pool with wait: false refuses at once, and the refusals are
     * retried on reject; a refused attempt is not sent */
    const char *pool = "web.pool (size 20, wait: false)";
    must_link(g, "front.in_flight", "web" ARROW "front.pool_rejects", +1, pool);
    const cld_link *cap = must_link(g, "web" ARROW "front.pool_rejects", "front.load", -1, pool);
    assert_non_null(strstr(cap->note, "at 80 (20 per instance x 4)"));
    must_link(g, "web" ARROW "front.pool_rejects", "web" ARROW "front.retries", +1,
              "web.retry (attempts 3, no backoff)");
    int b = find_loop(l.a, "front.load, front.in_flight, web" ARROW "front.pool_rejects");
    assert_true(b >= 0);
    assert_int_equal(l.a->loops[b].type, 'B');
    /* the client's breaker records only timeouts: rejections do not open it */
    assert_true(find_link(g, "web" ARROW "front.pool_rejects", "web" ARROW "front.breaker_open") < 0);
    assert_true(find_link(g, "web" ARROW "front.timeouts", "web" ARROW "front.breaker_open") >= 0);
    /* the count-window breaker on front→mid sees mid's errors */
    must_link(g, "mid.errors", "front" ARROW "mid.breaker_open", +1,
              "front" ARROW "mid breaker (count window 50 calls, failure 50%, open 1m)");
    /* the pool in front of db is above db's peak, and a note says so */
    bool said = false;
    for (size_t i = 0; i < g->nnotes; i++)
        said = said || strstr(g->notes[i], "front" ARROW "db pool (size 30, no wait_timeout): the pool lets up to 90 "
                                           "(30 per replica x 3) attempts run on db at once (45 on each of its 2 "
                                           "replicas), above its USL peak N* = sqrt((1 - sigma) / kappa) = 30");
    assert_true(said);
    unload(&l);
}

#define POOL "api" ARROW "db pool (size 200, wait_timeout 500ms)"

static void test_pool_contention_spiral(void **state)
{
    (void)state;
    loaded l = load_model("examples/contention-spiral.yaml");
    const cld_graph *g = l.src.g;
    const char *waiters = "api" ARROW "db.pool_waiters";
    const cld_link *busy = must_link(g, "db.in_flight", waiters, +1, POOL);
    assert_non_null(strstr(busy->note, "even after the caller gave up"));
    const cld_link *cap = must_link(g, waiters, "db.load", -1, POOL);
    assert_non_null(strstr(cap->note, "the pool caps db's concurrency from api at 200"));
    must_link(g, waiters, "api.held", +1, POOL);
    must_link(g, waiters, "api" ARROW "db.timeouts", +1, POOL);
    must_link(g, waiters, "api" ARROW "db.pool_rejects", +1, POOL);
    must_link(g, "api" ARROW "db.pool_rejects", "api.errors", +1, POOL);
    assert_string_equal(g->vars[cld_find(g, waiters)].entity, "api");
    /* the pool's balancing loop touches the contention spiral */
    int b = find_loop(l.a, "db.load, db.in_flight, api" ARROW "db.pool_waiters");
    int r = find_loop(l.a, "db.in_flight, db.service_time, db.held");
    assert_true(b >= 0 && r >= 0);
    assert_int_equal(l.a->loops[b].type, 'B');
    assert_int_equal(l.a->loops[r].type, 'R');
    assert_false(l.a->loops[r].unguarded);
    assert_true(guarded_via(l.a, (size_t)r, waiters));
    /* ... but 200 connections is above db's peak of 70 */
    bool said = false;
    for (size_t i = 0; i < g->nnotes; i++)
        said = said || strstr(g->notes[i], POOL ": the pool lets up to 200 attempts run on db at once, above its USL "
                                                "peak N* = sqrt((1 - sigma) / kappa) = 70");
    assert_true(said);
    unload(&l);

    /* without the pool nothing caps db, and the spiral is unguarded */
    char *yaml = slurp("examples/contention-spiral.yaml");
    char *text = replace_once(yaml, "        pool: {size: 200, wait: true, wait_timeout: 500ms}\n", "");
    derived d = derive_text(text, "spiral.yaml");
    r = find_loop(d.a, "db.in_flight, db.service_time, db.held");
    assert_true(r >= 0);
    assert_true(d.a->loops[r].unguarded);
    assert_true(cld_find(d.g, waiters) < 0);
    derived_free(&d);
    free(text);
    /* with 50 connections the pool holds db below its peak: no note */
    text = replace_once(yaml, "{size: 200,", "{size: 50,");
    d = derive_text(text, "spiral.yaml");
    for (size_t i = 0; i < d.g->nnotes; i++)
        assert_null(strstr(d.g->notes[i], "USL peak"));
    derived_free(&d);
    free(text);
    free(yaml);
}

/* Every variable and link of a derived diagram, one a line, and its notes
 * but the last (what is not covered, which is shortened as mechanisms are
 * added). */
static char *dump_graph(const cld_graph *g)
{
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    assert_non_null(f);
    for (size_t i = 0; i < g->nvars; i++)
        fprintf(f, "var %s [%s %s]\n", g->vars[i].id, g->vars[i].entity ? g->vars[i].entity : "-",
                g->vars[i].kind ? g->vars[i].kind : "-");
    for (size_t i = 0; i < g->nlinks; i++) {
        const cld_link *l = &g->links[i];
        fprintf(f, "link %s -(%s%s)-> %s | %s | %s | %d:%d\n", g->vars[l->from].id, cld_sign_str(l->sign),
                l->delay ? ", delay" : "", g->vars[l->to].id, l->note, l->origin, l->line, l->col);
    }
    for (size_t i = 0; i < g->nnotes; i++)
        if (strncmp(g->notes[i], "not covered yet: ", 17))
            fprintf(f, "note %s\n", g->notes[i]);
    fclose(f);
    return s;
}

/* Models without breakers, budgets or pools derive exactly the diagram
 * they derived before those were added (tests/data/loops/unchanged_*.
 * derive.txt were written by the derivation before the change). */
/* Load shedding and deadlines close balancing loops at the service
 * (DESIGN.md 6): queue delay -> shed (+) -> admitted load (-). */
static void test_shedding_and_deadline_loops(void **state)
{
    (void)state;
    loaded l = load_model("examples/admission-control.yaml");
    const cld_graph *g = l.src.g;
    must_link(g, "checkout.latency", "checkout.shed", +1,
              "checkout.shed (codel: drops waits > 2 x 5ms while overloaded)");
    must_link(g, "checkout.shed", "checkout.in_flight", -1, "checkout.shed (shed work is answered at once)");
    int b = find_loop(l.a, "checkout.in_flight, checkout.latency, checkout.shed");
    assert_true(b >= 0);
    assert_int_equal(l.a->loops[b].type, 'B');
    /* the storm's loop through checkout is guarded by it */
    assert_true(guarded_via(l.a, 0, "checkout.shed"));
    unload(&l);

    static const char text[] = "duration: 1m\n"
                               "clients: {c: {rate: 10/s, call: s, timeout: 1s, retry: {attempts: 3}}}\n"
                               "services:\n"
                               "  s: {workers: 4, service_time: 10ms, deadlines: cancel,\n"
                               "      shed: {limit: {algorithm: aimd}}}\n";
    derived d = derive_text(text, "limit.yaml");
    const cld_link *k = must_link(d.g, "s.in_flight", "s.shed", +1,
                                  "s.shed.limit (aimd, refuses arrivals beyond the limit)");
    assert_true(k->delay); /* an adaptive limit moves after the fact */
    must_link(d.g, "s.latency", "s.expired", +1, "s.deadlines cancel (work past its deadline is dropped or stopped)");
    must_link(d.g, "s.expired", "s.in_flight", -1, "s.deadlines cancel (work past its deadline is dropped or stopped)");
    /* a limit refuses work: the client's retries on reject now load s */
    must_link(d.g, "s.shed", "s.in_flight", -1, "s.shed (shed work is answered at once)");
    derived_free(&d);
}

static void test_unchanged_without_mechanisms(void **state)
{
    (void)state;
    static const char *const models[][2] = {
        {"examples/retry-storm.yaml", "retry-storm"},   {"examples/local-optima.yaml", "local-optima"},
        {"examples/mmc.yaml", "mmc"},                   {DATA "three_layers.yaml", "three_layers"},
        {DATA "contention.yaml", "contention"},         {DATA "review_flags.yaml", "review_flags"},
        {DATA "unlimited.yaml", "unlimited"},
    };
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        loaded l = load_model(models[i][0]);
        char path[256];
        snprintf(path, sizeof path, DATA "unchanged_%s.derive.txt", models[i][1]);
        char *want = slurp(path), *got = dump_graph(l.src.g);
        if (strcmp(got, want))
            fail_msg("%s derives a different diagram:\n%s\nwant:\n%s", models[i][0], got, want);
        free(want);
        free(got);
        unload(&l);
    }
}

static void test_bad_model_error(void **state)
{
    (void)state;
    loops_source src;
    eddy_error err = {0};
    assert_int_equal(source_load(DATA "bad_model.yaml", 0, &src, &err), -1);
    assert_string_equal(err.file, DATA "bad_model.yaml");
    assert_int_equal(err.line, 9);
    assert_int_equal(err.col, 5);
    assert_non_null(strstr(err.msg, "unknown key 'service_tme'"));
}

/* ---- boundaries -------------------------------------------------------------- */

static void test_boundary_checkout_crosses_at_the_client(void **state)
{
    (void)state;
    loaded l = load_model("examples/retry-storm.yaml");
    boundary_report b;
    eddy_error err = {0};
    assert_int_equal(boundary_check(l.a, "checkout", &b, &err), 0);
    assert_int_equal(b.nnames, 1);
    assert_int_equal(b.n, l.a->n);
    /* R1, the retry storm through shoppers, crosses at the client */
    const boundary_loop *r1 = &b.loops[0];
    assert_false(r1->contained);
    assert_int_equal(r1->noutside, 1);
    assert_string_equal(r1->outside[0], "shoppers");
    assert_string_equal(boundary_entity_kind(l.src.g, "shoppers"), "client");
    assert_int_equal(r1->ncrossing, 2);
    const cld_graph *g = l.src.g;
    assert_int_equal(r1->crossing[0], find_link(g, "checkout.latency", "shoppers" ARROW "checkout.timeouts"));
    assert_int_equal(r1->crossing[1], find_link(g, "shoppers" ARROW "checkout.retries", "checkout.load"));
    assert_int_equal(r1->nneeded, 2);
    assert_string_equal(r1->needed[0], "checkout");
    assert_string_equal(r1->needed[1], "shoppers");
    /* the queue's balancing loop lives inside checkout */
    size_t inside = 0;
    for (size_t i = 0; i < b.n; i++)
        if (b.loops[i].contained) {
            inside++;
            assert_int_equal(l.a->loops[i].type, 'B');
        }
    assert_int_equal(inside, 1);
    assert_int_equal(b.ncontained, 1);

    /* the text names the client; JSON carries the same */
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    loopsout_text(f, l.a, &b);
    fclose(f);
    assert_non_null(strstr(s, "Boundary {checkout}: contains 1 of "));
    assert_non_null(strstr(s, "  R1 crosses the boundary at shoppers (client)\n"));
    assert_non_null(strstr(s, "smallest boundary containing it: checkout, shoppers\n"));
    free(s);
    json_t *j = loopsout_json(l.a, &b, "model");
    json_t *bl = json_array_get(json_object_get(json_object_get(j, "boundary"), "loops"), 0);
    assert_string_equal(json_string_value(json_object_get(bl, "loop")), "R1");
    assert_false(json_is_true(json_object_get(bl, "contained")));
    json_t *out = json_array_get(json_object_get(bl, "outside"), 0);
    assert_string_equal(json_string_value(json_object_get(out, "entity")), "shoppers");
    assert_string_equal(json_string_value(json_object_get(out, "kind")), "client");
    assert_int_equal(json_array_size(json_object_get(bl, "crossing")), 2);
    json_decref(j);
    boundary_free(&b);

    /* the whole system contains every loop */
    assert_int_equal(boundary_check(l.a, "shoppers, checkout,db", &b, &err), 0);
    assert_int_equal(b.ncontained, l.a->n);
    boundary_free(&b);

    /* an unknown name is an error that lists the entities */
    assert_int_equal(boundary_check(l.a, "checkout,payments", &b, &err), -1);
    assert_non_null(strstr(err.msg, "'payments' is not an entity here; the entities are: checkout, shoppers, db"));
    assert_int_equal(boundary_check(l.a, " , ", &b, &err), -1);
    unload(&l);
}

static void test_boundary_on_a_drawn_diagram(void **state)
{
    (void)state;
    loops_source src;
    eddy_error err = {0};
    assert_int_equal(source_load(DATA "complex_reality.mmd", 0, &src, &err), 0);
    loop_analysis *a = loops_analyze(src.g, 0);
    boundary_report b;
    /* variables are named by label or by Mermaid id */
    assert_int_equal(boundary_check(a, "Load,Latency,Timeouts,Retries", &b, &err), 0);
    assert_true(b.loops[0].contained);  /* R1 */
    assert_false(b.loops[1].contained); /* B2 needs Pods */
    assert_int_equal(b.loops[1].ncrossing, 2);
    assert_string_equal(b.loops[1].outside[0], "Pods");
    assert_null(boundary_entity_kind(src.g, "Pods"));
    assert_false(b.loops[2].contained); /* B3 needs Circuit */
    assert_string_equal(b.loops[2].outside[0], "Circuit");
    assert_int_equal(b.loops[2].nneeded, 4);
    boundary_free(&b);
    loops_free(a);
    source_free(&src);
}

/* ---- hedging and caller-side bulkheads --------------------------------------- */

#define HEDGE "users.hedge (delay 80ms, 2 copies, at most 5 in flight)"

static void test_hedging_loop(void **state)
{
    (void)state;
    loaded l = load_model("examples/hedging.yaml");
    const cld_graph *g = l.src.g;
    /* late answers send hedges, and hedges are load: the R loop */
    must_link(g, "search.latency", "users" ARROW "search.hedges", +1, HEDGE);
    must_link(g, "users" ARROW "search.hedges", "search.load", +1, HEDGE);
    int r = find_loop(l.a, "search.load, search.in_flight, search.latency, users" ARROW "search.hedges");
    assert_true(r >= 0);
    assert_int_equal(l.a->loops[r].type, 'R');
    /* max_outstanding closes a balancing loop on the hedges */
    must_link(g, "users" ARROW "search.hedges_in_flight", "users" ARROW "search.hedges", -1, HEDGE);
    int b = find_loop(l.a, "users" ARROW "search.hedges, users" ARROW "search.hedges_in_flight");
    assert_true(b >= 0);
    assert_int_equal(l.a->loops[b].type, 'B');
    assert_true(guarded_via(l.a, (size_t)r, "users" ARROW "search.hedges_in_flight"));
    unload(&l);

    /* uncapped, no loop holds the hedges back; with a budget, it does */
    const char *yaml = "duration: 1m\n"
                       "clients: {u: {rate: 100/s, call: s, timeout: 1s%s}}\n"
                       "services: {s: {workers: 4, queue: 20, service_time: {dist: exponential, mean: 10ms}}}\n";
    char text[1024];
    snprintf(text, sizeof text, yaml, ", hedge: {delay: 50ms}");
    derived d = derive_text(text, "uncapped.yaml");
    assert_true(cld_find(d.g, "u" ARROW "s.hedges") >= 0);
    assert_true(cld_find(d.g, "u" ARROW "s.hedges_in_flight") < 0);
    assert_true(cld_find(d.g, "u" ARROW "s.budget_spent") < 0);
    derived_free(&d);
    snprintf(text, sizeof text, yaml,
             ", retry: {attempts: 2, on: [timeout], budget: {type: grpc}}, hedge: {delay: 50ms, non_fatal: [reject]}");
    d = derive_text(text, "budget.yaml");
    const char *origin = "u.hedge (delay 50ms, 2 copies, no cap on hedges in flight, budget)";
    must_link(d.g, "u" ARROW "s.budget_spent", "u" ARROW "s.hedges", -1, origin);
    must_link(d.g, "s.rejects", "u" ARROW "s.hedges", +1, origin);
    assert_true(find_loop(d.a, "u" ARROW "s.budget_spent, u" ARROW "s.hedges") >= 0 ||
                find_loop(d.a, "u" ARROW "s.hedges, u" ARROW "s.budget_spent") >= 0);
    derived_free(&d);
}

static void test_bulkhead_loop(void **state)
{
    (void)state;
    /* api's calls to a queueing db pass a bulkhead: a slow db holds the
     * permits, calls beyond them are refused and not sent: B loop */
    const char *yaml = "duration: 1m\n"
                       "clients: {u: {rate: 100/s, call: api, timeout: 1s}}\n"
                       "services:\n"
                       "  api: {workers: 20, service_time: 1ms,\n"
                       "        calls: [{to: db, timeout: 500ms, bulkhead: {max_concurrent: 5%s}}]}\n"
                       "  db: {workers: 4, queue: 20, service_time: {dist: exponential, mean: 10ms}}\n";
    char text[1024];
    snprintf(text, sizeof text, yaml, "");
    derived d = derive_text(text, "bulkhead.yaml");
    const char *origin = "api" ARROW "db bulkhead (max_concurrent 5, max_wait 0)";
    must_link(d.g, "db.latency", "api" ARROW "db.bulkhead_busy", +1, origin);
    must_link(d.g, "api" ARROW "db.bulkhead_busy", "api" ARROW "db.bulkhead_rejects", +1, origin);
    must_link(d.g, "api" ARROW "db.bulkhead_rejects", "db.load", -1, origin);
    must_link(d.g, "api" ARROW "db.bulkhead_rejects", "api.held", -1, origin);
    must_link(d.g, "api" ARROW "db.bulkhead_rejects", "api.errors", +1, origin);
    int b = find_loop(d.a, "db.load, db.in_flight, db.latency, api" ARROW "db.bulkhead_busy, api" ARROW
                           "db.bulkhead_rejects");
    assert_true(b >= 0);
    assert_int_equal(d.a->loops[b].type, 'B');
    derived_free(&d);
    /* with a fallback a refusal is not an error */
    snprintf(text, sizeof text, yaml, ", max_wait: 10ms, fallback: default");
    d = derive_text(text, "fallback.yaml");
    assert_true(find_link(d.g, "api" ARROW "db.bulkhead_rejects", "api.errors") < 0);
    const cld_link *w = must_link(d.g, "api" ARROW "db.bulkhead_busy", "api" ARROW "db.bulkhead_rejects", +1,
                                  "api" ARROW "db bulkhead (max_concurrent 5, max_wait 10ms, fallback)");
    assert_non_null(strstr(w->note, "waits up to 10ms"));
    derived_free(&d);
}

/* The cold-cache loop: misses load the origin, a slow origin fills late or
 * not at all, the hit ratio falls, misses rise.  Unguarded in the example;
 * coalesce and stale_while_revalidate each close a balancing loop on it. */
static void test_cold_cache_loop(void **state)
{
    (void)state;
    loaded l = load_model("examples/cold-cache.yaml");
    const cld_graph *g = l.src.g;
    int r = find_loop(l.a, "db.load, db.in_flight, db.latency, sessions.hit_ratio, sessions.misses");
    assert_true(r >= 0);
    assert_int_equal(l.a->loops[r].type, 'R');
    assert_true(l.a->loops[r].unguarded);
    int k = find_link(g, "db.latency", "sessions.hit_ratio");
    assert_true(k >= 0);
    assert_int_equal(g->links[k].sign, -1);
    assert_true(g->links[k].delay);
    assert_non_null(strstr(g->links[k].note, "later than the 1s timeout never fills"));
    assert_non_null(strstr(g->links[k].origin, "caches.sessions (keys 2000, ttl 30s + jitter 30s, warm)"));
    assert_true(g->links[k].line > 0);
    /* only misses reach the origin: no direct link from the client */
    assert_int_equal(find_link(g, "app.load", "db.load"), -1);
    assert_true(find_link(g, "app.load", "sessions.misses") >= 0);
    int v = cld_find(g, "sessions.misses");
    assert_string_equal(g->vars[v].entity, "sessions");
    assert_string_equal(g->vars[v].kind, "cache");
    unload(&l);

    /* both ways out, on a service's call: guarded twice */
    l = load_model(DATA "cache.yaml");
    r = find_loop(l.a, "db.load, db.in_flight, db.latency, sessions.hit_ratio, sessions.misses");
    assert_true(r >= 0);
    assert_false(l.a->loops[r].unguarded);
    int co = find_loop(l.a, "db.load, db.in_flight, db.latency, sessions.coalesced");
    int st = find_loop(l.a, "db.load, db.in_flight, db.latency, sessions.stale, sessions.misses");
    assert_true(co >= 0 && st >= 0);
    assert_int_equal(l.a->loops[co].type, 'B');
    assert_int_equal(l.a->loops[st].type, 'B');
    /* no reinforcing loop is left unguarded through the cache */
    for (size_t i = 0; i < l.a->n; i++)
        if (strstr(describe(l.a, i), "sessions."))
            assert_false(l.a->loops[i].type == 'R' && l.a->loops[i].unguarded);
    /* the api's own call still loads db, through the cache */
    assert_int_equal(find_link(l.src.g, "api.load", "db.load"), -1);
    assert_true(find_link(l.src.g, "api.load", "sessions.misses") >= 0);
    unload(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retry_storm_example),
        cmocka_unit_test(test_local_optima_example),
        cmocka_unit_test(test_three_layers_every_edge_storms),
        cmocka_unit_test(test_contention_and_closed_loop),
        cmocka_unit_test(test_no_storm_without_a_queue),
        cmocka_unit_test(test_review_flags_model_loops),
        cmocka_unit_test(test_breaker_example),
        cmocka_unit_test(test_breaker_guards_the_retry_storm),
        cmocka_unit_test(test_breaker_fallback),
        cmocka_unit_test(test_budget_example),
        cmocka_unit_test(test_budget_designs_and_pool_refusals),
        cmocka_unit_test(test_pool_contention_spiral),
        cmocka_unit_test(test_shedding_and_deadline_loops),
        cmocka_unit_test(test_unchanged_without_mechanisms),
        cmocka_unit_test(test_autoscaler_loops),
        cmocka_unit_test(test_cold_cache_loop),
        cmocka_unit_test(test_bad_model_error),
        cmocka_unit_test(test_boundary_checkout_crosses_at_the_client),
        cmocka_unit_test(test_boundary_on_a_drawn_diagram),
        cmocka_unit_test(test_hedging_loop),
        cmocka_unit_test(test_bulkhead_loop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
