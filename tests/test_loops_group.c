/* test_loops_group.c -- loops grouped by their cut, and each group
 * searched on its own (group.h, strongest.h).
 *
 * The exact answer is Johnson's: every loop enumerated, then put in its
 * group.  The per-group search must agree with it on every group's count
 * (R and B), find each group's shortest loop exactly (breadth-first), and
 * its strongest-path loop must be a real loop of the group whose score
 * (group_score) is the group's highest on these models. */
#include "testutil.h"
#include "testloops.h"

#include "loops/analyze.h"
#include "loops/group.h"
#include "loops/johnson.h"
#include "loops/strongest.h"

#define DATA "tests/data/loops/"

/* the group of loop i of a complete analysis, looked up by key in groups */
static size_t find_group(const loop_group *v, size_t n, int var, int link)
{
    for (size_t k = 0; k < n; k++)
        if (v[k].var == var && v[k].link == link)
            return k;
    fail_msg("no group for var %d link %d", var, link);
    return 0;
}

static void agree(const char *path)
{
    loaded l = load(path);
    const loop_analysis *a = l.a;
    assert_true(a->complete);
    cycle_set reps;
    loop_group *gv;
    size_t ng;
    group_search(l.src.g, 0, &reps, &gv, &ng);
    if (ng != a->ngroups)
        fail_msg("%s: the search found %zu groups, Johnson %zu", path, ng, a->ngroups);
    for (size_t k = 0; k < a->ngroups; k++) {
        const loop_group *x = &a->groups[k];
        const loop_group *y = &gv[find_group(gv, ng, x->var, x->link)];
        if (x->count != y->count || x->nr != y->nr || x->nb != y->nb)
            fail_msg("%s group %zu: search counts %zu (%zu R, %zu B), Johnson %zu (%zu R, %zu B)", path, k, y->count,
                     y->nr, y->nb, x->count, x->nr, x->nb);
        assert_true(y->exact);
        assert_int_equal(cycles_len(&reps, y->shortest), a->loops[x->shortest].len);
        /* the strongest-path loop is in the group, and as strong as any */
        int var, link;
        group_key(l.src.g, cycles_links(&reps, y->strongest), cycles_len(&reps, y->strongest), &var, &link);
        assert_int_equal(var, x->var);
        assert_int_equal(link, x->link);
        assert_true(y->searched);
        if (y->score != x->score)
            fail_msg("%s group %zu: strongest-path score %g, best %g", path, k, y->score, x->score);
    }
    free(gv);
    cycles_free(&reps);
    unload(&l);
}

static void test_search_agrees_with_johnson(void **state)
{
    (void)state;
    agree(DATA "complex_reality.mmd");
    agree(DATA "three_layers.yaml");
    agree(DATA "mechanisms.yaml");
    agree(DATA "platform10.yaml");
    agree("examples/retry-storm.yaml");
    agree("examples/cold-cache.yaml");
    agree("examples/hedging.yaml");
    agree("examples/budget-vs-storm.yaml");
    agree("examples/breaker.yaml");
    agree("examples/fighting-autoscalers.yaml");
    agree("examples/bulkhead.yaml");
}

/* Past the budget, no list of every loop: each group searched on its own.
 * The 50-service platform has 6,308 loops; its 25 bounded queues each close
 * a balancing loop, and all 25 are found whatever the budget (a single cap
 * over one Johnson search found 0 of them at 100,000 loops, issue 17). */
static void test_bounded_finds_balancing_loops(void **state)
{
    (void)state;
    loops_source src;
    eddy_error err = {0};
    assert_int_equal(source_load(DATA "platform50.yaml", 0, &src, &err), 0);
    loop_analysis *full = loops_analyze(src.g, 0);
    assert_int_equal(full->n, 6308);
    assert_int_equal(full->nb, 25);
    loop_analysis *a = loops_analyze_bounded(src.g, 100, 0);
    assert_false(a->complete);
    assert_int_equal(a->nr + a->nb, 6308);
    assert_int_equal(a->nb, 25);
    assert_int_equal(a->ngroups, full->ngroups);
    size_t b = 0;
    for (size_t i = 0; i < a->n; i++)
        b += a->loops[i].type == 'B';
    assert_true(b >= 25); /* each queue's loop is kept, as its group's shortest */
    /* with a count cap, counts are lower bounds and say so */
    loop_analysis *c = loops_analyze_bounded(src.g, 100, 10);
    size_t inexact = 0;
    for (size_t k = 0; k < c->ngroups; k++) {
        assert_true(c->groups[k].count <= 10);
        inexact += !c->groups[k].exact;
        assert_true(c->groups[k].exact == (c->groups[k].count == a->groups[k].count));
    }
    assert_true(inexact > 0);
    /* the groups that matter come first: the strongest loop's gain */
    for (size_t k = 1; k < a->ngroups; k++)
        assert_true(a->groups[a->order[k - 1]].gain >= a->groups[a->order[k]].gain);
    loops_free(c);
    loops_free(a);
    loops_free(full);
    source_free(&src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_search_agrees_with_johnson),
        cmocka_unit_test(test_bounded_finds_balancing_loops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
