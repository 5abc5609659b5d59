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
#include "output/loops_out.h"

#define DATA "tests/data/loops/"
#define ARROW "\xe2\x86\x92"

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
    /* what derivation cannot see is said */
    assert_true(g->nnotes >= 1);
    assert_non_null(strstr(g->notes[g->nnotes - 1], "not covered yet: caches, circuit breakers, autoscalers"));
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
    assert_int_equal(l.src.g->nnotes, 2);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retry_storm_example),
        cmocka_unit_test(test_local_optima_example),
        cmocka_unit_test(test_three_layers_every_edge_storms),
        cmocka_unit_test(test_contention_and_closed_loop),
        cmocka_unit_test(test_no_storm_without_a_queue),
        cmocka_unit_test(test_review_flags_model_loops),
        cmocka_unit_test(test_bad_model_error),
        cmocka_unit_test(test_boundary_checkout_crosses_at_the_client),
        cmocka_unit_test(test_boundary_on_a_drawn_diagram),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
