/* test_loops_johnson.c -- Johnson's algorithm against a brute-force
 * enumerator, on dense graphs, and under a cap.
 *
 * The brute force is the naive backtracking search (every simple path from
 * each start vertex through higher-numbered vertices), which is obviously
 * correct and exponentially slow: exactly what a fast algorithm should be
 * checked against.  Random graphs come from a fixed seed, so a failure
 * reproduces. */
#include "testutil.h"

#include <time.h>

#include "loops/analyze.h"
#include "loops/graph.h"
#include "loops/johnson.h"

/* ---- a small deterministic generator (splitmix64) ------------------------- */

static uint64_t seed_state;

static uint64_t next_u64(void)
{
    uint64_t z = (seed_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double next_unit(void) { return (double)(next_u64() >> 11) / 9007199254740992.0; }

static cld_graph *graph_of(int n)
{
    cld_graph *g = cld_new("generated");
    for (int v = 0; v < n; v++) {
        char id[16];
        snprintf(id, sizeof id, "v%d", v);
        cld_var_add(g, id, NULL, 0, 0);
    }
    return g;
}

/* ---- canonical cycle lists ---------------------------------------------------- */

typedef struct cyc {
    int *links;
    size_t len;
} cyc;

typedef struct cycs {
    cyc *v;
    size_t n, cap;
} cycs;

static void cycs_add(cycs *c, const int *links, size_t len)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->v = realloc(c->v, c->cap * sizeof *c->v);
        assert_non_null(c->v);
    }
    c->v[c->n].links = malloc((len ? len : 1) * sizeof(int));
    assert_non_null(c->v[c->n].links);
    memcpy(c->v[c->n].links, links, len * sizeof(int));
    c->v[c->n].len = len;
    c->n++;
}

static void cycs_free(cycs *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i].links);
    free(c->v);
    memset(c, 0, sizeof *c);
}

static int cmp_cyc(const void *a, const void *b)
{
    const cyc *x = a, *y = b;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    for (size_t i = 0; i < x->len; i++)
        if (x->links[i] != y->links[i])
            return x->links[i] < y->links[i] ? -1 : 1;
    return 0;
}

static void from_set(const cycle_set *cs, cycs *out)
{
    for (size_t i = 0; i < cs->n; i++)
        cycs_add(out, cycles_links(cs, i), cycles_len(cs, i));
    if (out->n)
        qsort(out->v, out->n, sizeof *out->v, cmp_cyc);
}

/* ---- the brute force ------------------------------------------------------------ */

static void brute_dfs(const cld_graph *g, int s, int v, bool *on, int *path, size_t depth, cycs *out)
{
    for (size_t i = 0; i < g->nlinks; i++) {
        const cld_link *l = &g->links[i];
        if (l->from != v)
            continue;
        path[depth] = (int)i;
        if (l->to == s)
            cycs_add(out, path, depth + 1);
        else if (l->to > s && !on[l->to]) {
            on[l->to] = true;
            brute_dfs(g, s, l->to, on, path, depth + 1, out);
            on[l->to] = false;
        }
    }
}

static void brute_force(const cld_graph *g, cycs *out)
{
    bool *on = calloc(g->nvars + 1, sizeof *on);
    int *path = calloc(g->nlinks + 1, sizeof *path);
    for (size_t s = 0; s < g->nvars; s++) {
        on[s] = true;
        brute_dfs(g, (int)s, (int)s, on, path, 0, out);
        on[s] = false;
    }
    free(on);
    free(path);
    if (out->n)
        qsort(out->v, out->n, sizeof *out->v, cmp_cyc);
}

/* Every reported cycle must be a closed walk with no repeated variable,
 * starting at its lowest-numbered variable. */
static void check_valid(const cld_graph *g, const cycle_set *cs)
{
    bool *seen = calloc(g->nvars + 1, sizeof *seen);
    for (size_t i = 0; i < cs->n; i++) {
        const int *l = cycles_links(cs, i);
        size_t len = cycles_len(cs, i);
        assert_true(len >= 1);
        int first = g->links[l[0]].from;
        for (size_t j = 0; j < len; j++) {
            const cld_link *a = &g->links[l[j]], *b = &g->links[l[(j + 1) % len]];
            assert_int_equal(a->to, b->from);
            assert_false(seen[a->from]);
            seen[a->from] = true;
            assert_true(a->from >= first);
        }
        for (size_t j = 0; j < len; j++)
            seen[g->links[l[j]].from] = false;
    }
    free(seen);
}

static void assert_same(const cycs *a, const cycs *b, const char *what)
{
    if (a->n != b->n)
        fail_msg("%s: %zu cycles, brute force finds %zu", what, a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        if (cmp_cyc(&a->v[i], &b->v[i]))
            fail_msg("%s: cycle %zu differs", what, i);
}

static void test_matches_brute_force_on_random_graphs(void **state)
{
    (void)state;
    seed_state = 20260601;
    size_t total = 0;
    for (int trial = 0; trial < 400; trial++) {
        int n = 1 + (int)(next_u64() % 9);
        double p = 0.1 + 0.8 * next_unit();
        cld_graph *g = graph_of(n);
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++) {
                if (next_unit() >= p)
                    continue;
                if (a == b && next_unit() < 0.7)
                    continue; /* fewer self-loops than other links */
                int sign = next_unit() < 0.3 ? -1 : 1;
                cld_link_add(g, a, b, sign, false, "", "", 0, 0);
                /* sometimes a parallel link of the other polarity */
                if (next_unit() < 0.1)
                    cld_link_add(g, a, b, -sign, false, "", "", 0, 0);
            }
        cycle_set cs;
        cycles_find(g, 0, &cs);
        assert_false(cs.capped);
        check_valid(g, &cs);
        cycs got = {0}, want = {0};
        from_set(&cs, &got);
        brute_force(g, &want);
        char what[64];
        snprintf(what, sizeof what, "trial %d (n=%d, p=%.2f, %zu links)", trial, n, p, g->nlinks);
        assert_same(&got, &want, what);
        total += got.n;

        /* the cap: exactly `max` cycles, each a real one, and the flag set
         * only when some were left out */
        if (want.n >= 2) {
            size_t max = 1 + next_u64() % (want.n - 1);
            cycle_set capped;
            cycles_find(g, max, &capped);
            assert_int_equal(capped.n, max);
            assert_true(capped.capped);
            check_valid(g, &capped);
            cycs part = {0};
            from_set(&capped, &part);
            for (size_t i = 0; i < part.n; i++) {
                assert_non_null(bsearch(&part.v[i], want.v, want.n, sizeof *want.v, cmp_cyc));
                if (i)
                    assert_int_not_equal(cmp_cyc(&part.v[i - 1], &part.v[i]), 0);
            }
            cycs_free(&part);
            cycles_free(&capped);
            cycles_find(g, want.n, &capped);
            assert_int_equal(capped.n, want.n);
            assert_false(capped.capped);
            cycles_free(&capped);
        }
        cycs_free(&got);
        cycs_free(&want);
        cycles_free(&cs);
        cld_free(g);
    }
    /* the trials must have exercised something */
    assert_true(total > 1000);
}

static void test_small_cases(void **state)
{
    (void)state;
    /* no links, a self-loop, a 2-cycle with both polarities */
    cld_graph *g = graph_of(3);
    cycle_set cs;
    cycles_find(g, 0, &cs);
    assert_int_equal(cs.n, 0);
    cycles_free(&cs);
    cld_link_add(g, 2, 2, -1, false, "", "", 0, 0);
    cld_link_add(g, 0, 1, 1, false, "", "", 0, 0);
    cld_link_add(g, 1, 0, 1, false, "", "", 0, 0);
    cld_link_add(g, 1, 0, -1, false, "", "", 0, 0);
    loop_analysis *a = loops_analyze(g, 0);
    assert_int_equal(a->n, 3);
    /* ordered by latest link: v0->v1->v0 (+) closes at link 2, the self
     * loop is link 0, the negative return is link 3 */
    assert_string_equal(a->loops[0].name, "B1");
    assert_int_equal(a->loops[0].len, 1);
    assert_string_equal(a->loops[1].name, "R2");
    assert_string_equal(a->loops[2].name, "B3");
    loops_free(a);
    cld_free(g);
}

/* 60 variables and exactly 118,099 loops: ten stages of three parallel
 * paths and one of two, closed by one back link (3^10 * 2 loops), plus a
 * separate ring of 16 (one more). */
static cld_graph *layered_graph(void)
{
    cld_graph *g = graph_of(60);
    int next = 12; /* junctions are 0..11, middles from 12 */
    for (int stage = 0; stage < 11; stage++) {
        int width = stage < 10 ? 3 : 2;
        for (int k = 0; k < width; k++) {
            int m = next++;
            cld_link_add(g, stage, m, 1, false, "", "", 0, 0);
            cld_link_add(g, m, stage + 1, 1, false, "", "", 0, 0);
        }
    }
    cld_link_add(g, 11, 0, -1, true, "", "", 0, 0);
    assert_int_equal(next, 44);
    for (int v = 44; v < 60; v++)
        cld_link_add(g, v, v == 59 ? 44 : v + 1, 1, false, "", "", 0, 0);
    return g;
}

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_sixty_variables_a_hundred_thousand_loops(void **state)
{
    (void)state;
    cld_graph *g = layered_graph();
    double t0 = now_sec();
    loop_analysis *a = loops_analyze(g, 0);
    double dt = now_sec() - t0;
    /* timing is reported, not asserted: performance belongs in bench/ */
    print_message("60 variables, %zu loops found, ordered and flagged in %.3f s\n", a->n, dt);
    assert_int_equal(a->n, 118099);
    assert_false(a->capped);
    assert_int_equal(a->nb, 118098); /* one negative link on every staged loop */
    assert_int_equal(a->nr, 1);
    assert_int_equal(a->noscillate, 118098);
    /* the ring is a separate loop that nothing balances */
    assert_int_equal(a->nunguarded, 1);
    loops_free(a);

    a = loops_analyze(g, 100000);
    assert_int_equal(a->n, 100000);
    assert_true(a->capped);
    loops_free(a);
    cld_free(g);
}

/* A complete digraph on 60 variables has astronomically many loops: the
 * cap must stop the search promptly and say that it did. */
static void test_complete_graph_is_capped(void **state)
{
    (void)state;
    cld_graph *g = graph_of(60);
    seed_state = 7;
    for (int a = 0; a < 60; a++)
        for (int b = 0; b < 60; b++)
            if (a != b)
                cld_link_add(g, a, b, next_unit() < 0.2 ? -1 : 1, false, "", "", 0, 0);
    double t0 = now_sec();
    cycle_set cs;
    cycles_find(g, 100000, &cs);
    double dt = now_sec() - t0;
    print_message("complete digraph on 60 variables: first %zu loops in %.3f s\n", cs.n, dt);
    assert_int_equal(cs.n, 100000);
    assert_true(cs.capped);
    check_valid(g, &cs);
    cycs got = {0};
    from_set(&cs, &got);
    for (size_t i = 1; i < got.n; i++)
        assert_int_not_equal(cmp_cyc(&got.v[i - 1], &got.v[i]), 0);
    cycs_free(&got);
    cycles_free(&cs);

    loop_analysis *a = loops_analyze(g, 5000);
    assert_true(a->capped);
    assert_int_equal(a->n, 5000);
    assert_int_equal(a->nr + a->nb, 5000);
    loops_free(a);
    cld_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_cases),
        cmocka_unit_test(test_matches_brute_force_on_random_graphs),
        cmocka_unit_test(test_sixty_variables_a_hundred_thousand_loops),
        cmocka_unit_test(test_complete_graph_is_capped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
