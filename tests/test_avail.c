/* test_avail.c -- the availability analysis core: the BDD, the fault tree's
 * exact probability, minimal cut sets and importance, the repair-time
 * arithmetic, Monte Carlo against the exact figure, and SCRAM reading the
 * MEF eddy writes and agreeing with eddy.
 *
 * Hand-computed cases check the formulas; random trees are checked against
 * brute force over every assignment of the basic events, which is the
 * definition of both the probability and the minimal cut sets. */
#include "testutil.h"
#include "testproc.h"

#include <ctype.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis/avail.h"
#include "analysis/ftree.h"
#include "analysis/ftree_exact.h"
#include "analysis/ftree_mc.h"
#include "core/bdd.h"
#include "model/model.h"
#include "output/mef.h"

/* ---- brute force --------------------------------------------------------- */

/* The truth of gate g when analysis variable v is down iff bit v of x. */
static int bf_gate(const fault_tree *t, int g, uint64_t x)
{
    const ft_gate *G = &t->gates[g];
    int n = 0;
    for (size_t i = 0; i < G->nargs; i++) {
        int a = G->args[i], d;
        if (FT_IS_GATE(a))
            d = bf_gate(t, FT_GATE_INDEX(a), x);
        else
            d = (int)((x >> a) & 1) |
                (t->events[a].ccf >= 0 ? (int)((x >> (t->nevents + (size_t)t->events[a].ccf)) & 1) : 0);
        n += d;
    }
    if (G->kind == FT_AND)
        return n == (int)G->nargs;
    if (G->kind == FT_OR)
        return n > 0;
    return n >= G->k;
}

static double bf_prob(const fault_tree *t, int top, const double *p)
{
    size_t nv = ft_nvars(t);
    double sum = 0;
    for (uint64_t x = 0; x < (1ull << nv); x++) {
        if (!bf_gate(t, top, x))
            continue;
        double w = 1;
        for (size_t v = 0; v < nv; v++)
            w *= (x >> v) & 1 ? p[v] : 1 - p[v];
        sum += w;
    }
    return sum;
}

/* Minimal cut sets as bit masks: failing assignments none of whose proper
 * subsets fail.  Returns the count; masks in out (sorted ascending). */
static size_t bf_mcs(const fault_tree *t, int top, uint64_t *out, size_t cap)
{
    size_t nv = ft_nvars(t), n = 0;
    for (uint64_t x = 1; x < (1ull << nv); x++) {
        if (!bf_gate(t, top, x))
            continue;
        bool minimal = true;
        for (uint64_t y = x; y && minimal; y &= y - 1)
            if (bf_gate(t, top, x & ~(y & -y)))
                minimal = false;
        if (minimal && n < cap)
            out[n++] = x;
    }
    return n;
}

static uint64_t cs_mask(const ft_cutset *c)
{
    uint64_t m = 0;
    for (size_t i = 0; i < c->order; i++)
        m |= 1ull << c->vars[i];
    return m;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* ---- the BDD -------------------------------------------------------------- */

static void test_bdd_basics(void **state)
{
    (void)state;
    bdd *b = bdd_new(3);
    bdd_ref x = bdd_var(b, 0), y = bdd_var(b, 1), z = bdd_var(b, 2);
    /* Canonical: the same function built two ways is the same node. */
    bdd_ref f1 = bdd_or(b, bdd_and(b, x, y), bdd_and(b, x, z));
    bdd_ref f2 = bdd_and(b, x, bdd_or(b, y, z));
    assert_int_equal(f1, f2);
    assert_int_equal(bdd_and(b, x, BDD_FALSE), BDD_FALSE);
    assert_int_equal(bdd_or(b, x, BDD_TRUE), BDD_TRUE);
    double p[3] = {0.5, 0.2, 0.1};
    /* P(x and (y or z)) = 0.5 * (1 - 0.8 * 0.9) = 0.14 */
    assert_within_rel(bdd_prob(b, f1, p), 0.14, 1e-12);
    /* 2-of-3 */
    bdd_ref fs[3] = {x, y, z};
    bdd_ref v = bdd_atleast(b, 2, fs, 3);
    double want = 0.5 * 0.2 * 0.9 + 0.5 * 0.8 * 0.1 + 0.5 * 0.2 * 0.1 + 0.5 * 0.2 * 0.1 * 0 + 0.5 * 0.2 * 0.1 * 0;
    want = 0.5 * 0.2 + 0.5 * 0.1 + 0.2 * 0.1 - 2 * 0.5 * 0.2 * 0.1;
    assert_within_rel(bdd_prob(b, v, p), want, 1e-12);
    /* Birnbaum of x in x and (y or z): P(y or z) = 0.28 */
    double bi[3];
    bdd_birnbaum(b, f1, p, bi);
    assert_within_rel(bi[0], 0.28, 1e-12);
    assert_within_rel(bi[1], 0.5 * 0.9, 1e-12);
    assert_within_rel(bi[2], 0.5 * 0.8, 1e-12);
    bdd_free(b);
}

/* ---- hand-computed trees --------------------------------------------------- */

/* Three replicas at 99.9% each behind one config server at 99.95%: the
 * service is down when config is, or when too few replicas are up. */
static fault_tree *three_replicas(int needed, int *cfg)
{
    fault_tree *t = ft_new();
    int top = ft_add_gate(t, "api_down", "api cannot serve", FT_OR, 0);
    int reps = ft_add_gate(t, "api_replicas", "too few api replicas", FT_ATLEAST, 3 - needed + 1);
    for (int i = 1; i <= 3; i++) {
        char n[32];
        snprintf(n, sizeof n, "api_%d", i);
        ft_gate_add(t, reps, ft_add_fixed(t, n, NULL, 0.001));
    }
    *cfg = ft_add_fixed(t, "config", "config server", 0.0005);
    ft_gate_add(t, top, FT_GATE(reps));
    ft_gate_add(t, top, *cfg);
    ft_add_top(t, top);
    return t;
}

static void test_three_replicas_shared_config(void **state)
{
    (void)state;
    int cfg;
    ft_options o = {.importance = true};
    /* One of three needed: replicas fail together with probability 1e-9. */
    fault_tree *t = three_replicas(1, &cfg);
    ft_exact *x = ft_exact_run(t, &o);
    double q = 0.001, qc = 0.0005;
    double want = 1 - (1 - q * q * q) * (1 - qc);
    assert_within_rel(x->tops[0].p, want, 1e-12);
    /* "Paper" says 1e-9; the shared config makes it 5e-4: config is the only
     * order-1 cut set and comes first. */
    assert_int_equal(x->tops[0].ncutsets, 2);
    assert_int_equal(x->tops[0].cutsets[0].order, 1);
    assert_int_equal(x->tops[0].cutsets[0].vars[0], cfg);
    assert_int_equal(x->tops[0].cutsets[1].order, 3);
    assert_within_rel(x->tops[0].cutsets[1].p, 1e-9, 1e-12);
    /* Importance of config: P(top | config) = 1, P(top | no config) = q^3. */
    const ft_importance *im = &x->tops[0].imp[cfg];
    assert_within_rel(im->mif, 1 - q * q * q, 1e-9);
    assert_within_rel(im->raw, 1 / want, 1e-9);
    assert_within_rel(im->rrw, want / (q * q * q), 1e-9);
    assert_within_rel(im->dif, qc * 1 / want, 1e-9);
    assert_within_rel(im->cif, qc * (1 - q * q * q) / want, 1e-9);
    ft_exact_free(x);
    ft_free(t);

    /* Two of three needed: a 2-of-3 gate, three order-2 cut sets. */
    t = three_replicas(2, &cfg);
    x = ft_exact_run(t, &o);
    double rep = 3 * q * q * (1 - q) + q * q * q;
    assert_within_rel(x->tops[0].p, 1 - (1 - rep) * (1 - qc), 1e-12);
    assert_int_equal(x->tops[0].ncutsets, 4);
    for (int i = 1; i < 4; i++) {
        assert_int_equal(x->tops[0].cutsets[i].order, 2);
        assert_within_rel(x->tops[0].cutsets[i].p, q * q, 1e-12);
    }
    ft_exact_free(x);

    /* A cut-off above q^2 discards the pairs (and says so), not the
     * probability. */
    o.cutoff = 1e-5;
    x = ft_exact_run(t, &o);
    assert_int_equal(x->tops[0].ncutsets, 1);
    assert_true(x->tops[0].truncated);
    assert_within_rel(x->tops[0].p, 1 - (1 - rep) * (1 - qc), 1e-12);
    ft_exact_free(x);
    o.cutoff = 0;
    o.limit_order = 1;
    x = ft_exact_run(t, &o);
    assert_int_equal(x->tops[0].ncutsets, 1);
    assert_true(x->tops[0].truncated);
    ft_exact_free(x);
    ft_free(t);
}

/* SCRAM's TwoTrain common-cause example: two trains of a valve and a pump,
 * beta-factor groups over the valves and the pumps (Q 0.1, beta 0.2). */
static fault_tree *two_trains(void)
{
    fault_tree *t = ft_new();
    int top = ft_add_gate(t, "TopEvent", NULL, FT_AND, 0);
    int t1 = ft_add_gate(t, "TrainOne", NULL, FT_OR, 0), t2 = ft_add_gate(t, "TrainTwo", NULL, FT_OR, 0);
    int v1 = ft_add_fixed(t, "ValveOne", NULL, 0.1), p1 = ft_add_fixed(t, "PumpOne", NULL, 0.1);
    int v2 = ft_add_fixed(t, "ValveTwo", NULL, 0.1), p2 = ft_add_fixed(t, "PumpTwo", NULL, 0.1);
    ft_gate_add(t, t1, v1);
    ft_gate_add(t, t1, p1);
    ft_gate_add(t, t2, v2);
    ft_gate_add(t, t2, p2);
    ft_gate_add(t, top, FT_GATE(t1));
    ft_gate_add(t, top, FT_GATE(t2));
    ft_add_top(t, top);
    char why[256];
    int pumps[2] = {p1, p2}, valves[2] = {v1, v2};
    assert_true(ft_add_ccf(t, "Pumps", NULL, 0.2, pumps, 2, why, sizeof why) >= 0);
    assert_true(ft_add_ccf(t, "Valves", NULL, 0.2, valves, 2, why, sizeof why) >= 0);
    return t;
}

static void test_ccf_beta_factor(void **state)
{
    (void)state;
    fault_tree *t = two_trains();
    ft_options o = {.importance = true};
    ft_exact *x = ft_exact_run(t, &o);
    /* Common failures 0.02 each; own failures 0.08 each.
     * P = P(a CCF) + P(no CCF) P(train)^2, P(train) = 1 - 0.92^2. */
    double pccf = 1 - 0.98 * 0.98, ptrain = 1 - 0.92 * 0.92;
    double want = pccf + (1 - pccf) * ptrain * ptrain;
    assert_within_rel(x->tops[0].p, want, 1e-12);
    assert_within_rel(want, 0.0622587, 1e-6); /* SCRAM 0.16.2's figure */
    /* 2 order-1 (the groups) + 4 order-2 (one own failure from each train) */
    assert_int_equal(x->tops[0].ncutsets, 6);
    assert_int_equal(x->tops[0].cutsets[0].order, 1);
    assert_within_rel(x->tops[0].cutsets[0].p, 0.02, 1e-12);
    assert_within_rel(x->tops[0].cutsets[5].p, 0.0064, 1e-12);
    /* SCRAM's importance of ValveOne's own failure. */
    int v1 = ft_find_event(t, "ValveOne");
    const ft_importance *im = &x->tops[0].imp[v1];
    assert_within_rel(im->mif, 0.135716, 1e-5);
    assert_within_rel(im->cif, 0.17439, 1e-5);
    assert_within_rel(im->dif, 0.240439, 1e-5);
    assert_within_rel(im->raw, 3.00548, 1e-5);
    assert_within_rel(im->rrw, 1.21123, 1e-5);
    /* A member with a different probability is refused, with the reason. */
    char why[256];
    int odd = ft_add_fixed(t, "Odd", NULL, 0.3), fresh = ft_add_fixed(t, "Fresh", NULL, 0.1);
    int m[2] = {fresh, odd};
    assert_int_equal(ft_add_ccf(t, "Bad", NULL, 0.1, m, 2, why, sizeof why), -1);
    assert_non_null(strstr(why, "one failure probability"));
    m[1] = ft_find_event(t, "ValveTwo");
    assert_int_equal(ft_add_ccf(t, "Bad", NULL, 0.1, m, 2, why, sizeof why), -1);
    assert_non_null(strstr(why, "already in common-cause group Valves"));
    ft_exact_free(x);
    ft_free(t);
}

/* Random trees of up to 12 variables, with k-of-n gates, shared events and
 * a CCF group, against brute force. */
static void test_random_trees_against_brute_force(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, 12);
    for (int round = 0; round < 60; round++) {
        fault_tree *t = ft_new();
        int ne = 5 + (int)rng_below(&r, 6);
        for (int i = 0; i < ne; i++) {
            char n[16];
            snprintf(n, sizeof n, "e%d", i);
            ft_add_fixed(t, n, NULL, i < 3 ? 0.2 : 0.05 + 0.4 * rng_unif(&r));
        }
        char why[128];
        int members[3] = {0, 1, 2};
        if (round % 2)
            ft_add_ccf(t, "g", NULL, 0.1 + 0.3 * rng_unif(&r), members, 3, why, sizeof why);
        int ng = 3 + (int)rng_below(&r, 4);
        for (int g = 0; g < ng; g++) {
            char n[16];
            snprintf(n, sizeof n, "g%d", g);
            int kind = (int)rng_below(&r, 3);
            int nargs = 2 + (int)rng_below(&r, 3);
            int gi = ft_add_gate(t, n, NULL, (ft_gate_kind)kind, 1 + (int)rng_below(&r, (uint64_t)nargs));
            for (int a = 0; a < nargs; a++) {
                if (g > 0 && rng_below(&r, 3) == 0)
                    ft_gate_add(t, gi, FT_GATE(rng_below(&r, (uint64_t)g)));
                else
                    ft_gate_add(t, gi, (int)rng_below(&r, (uint64_t)ne));
            }
            if (t->gates[gi].kind == FT_ATLEAST && t->gates[gi].k > (int)t->gates[gi].nargs)
                t->gates[gi].k = (int)t->gates[gi].nargs;
        }
        ft_add_top(t, ng - 1);
        ft_options o = {.importance = true};
        ft_exact *x = ft_exact_run(t, &o);
        double p[16];
        ft_var_probs(t, p);
        double want = bf_prob(t, ng - 1, p);
        if (fabs(x->tops[0].p - want) > 1e-12)
            fail_msg("round %d: BDD %.15g, brute force %.15g", round, x->tops[0].p, want);
        uint64_t bm[4096], em[4096];
        size_t nb = bf_mcs(t, ng - 1, bm, 4096);
        assert_int_equal(x->tops[0].ncutsets, nb);
        for (size_t i = 0; i < nb; i++)
            em[i] = cs_mask(&x->tops[0].cutsets[i]);
        qsort(em, nb, sizeof *em, cmp_u64);
        for (size_t i = 0; i < nb; i++)
            if (em[i] != bm[i])
                fail_msg("round %d: cut set %zu is %#llx, brute force %#llx", round, i, (unsigned long long)em[i],
                         (unsigned long long)bm[i]);
        /* Birnbaum against the definition P(top | x) - P(top | not x). */
        for (size_t v = 0; v < ft_nvars(t); v++) {
            double pv = p[v];
            p[v] = 1;
            double p1 = bf_prob(t, ng - 1, p);
            p[v] = 0;
            double p0 = bf_prob(t, ng - 1, p);
            p[v] = pv;
            if (fabs(x->tops[0].imp[v].mif - (p1 - p0)) > 1e-12)
                fail_msg("round %d: Birnbaum of %zu is %.15g, want %.15g", round, v, x->tops[0].imp[v].mif, p1 - p0);
        }
        ft_exact_free(x);
        ft_free(t);
    }
}

/* ---- repair times and grace periods ------------------------------------------ */

/* E[(R-g)+]/E[R] by the trapezoid rule on the survival function. */
static double numeric_beyond(const repair *rp, double g, double (*surv)(const repair *, double))
{
    double hi = 200 * repair_mean(rp), h = (hi - g) / 400000, s = 0;
    for (int i = 0; i <= 400000; i++) {
        double w = i == 0 || i == 400000 ? 0.5 : 1;
        s += w * surv(rp, g + i * h);
    }
    return s * h / repair_mean(rp);
}

static double surv_lognormal(const repair *r, double x)
{
    return x <= 0 ? 1 : 0.5 * erfc((log(x) - r->a) / (r->b * sqrt(2.0)));
}

static double surv_weibull(const repair *r, double x) { return exp(-pow(x / r->b, r->a)); }

static void test_repair_beyond(void **state)
{
    (void)state;
    repair e = repair_exponential(600);
    assert_within_rel(repair_beyond(&e, 600), exp(-1), 1e-12);
    repair c = repair_constant(300);
    assert_within_rel(repair_beyond(&c, 100), 200.0 / 300, 1e-12);
    assert_true(repair_beyond(&c, 400) == 0);
    repair ln = repair_lognormal_mean_cv(600, 2);
    assert_within_rel(repair_mean(&ln), 600, 1e-12);
    assert_within_rel(repair_beyond(&ln, 600), numeric_beyond(&ln, 600, surv_lognormal), 1e-3);
    repair w = repair_weibull(0.7, 400);
    assert_within_rel(repair_beyond(&w, 600), numeric_beyond(&w, 600, surv_weibull), 1e-3);
    repair w2 = repair_weibull(2.5, 400);
    assert_within_rel(repair_beyond(&w2, 300), numeric_beyond(&w2, 300, surv_weibull), 1e-3);
    /* Equilibrium ages: P(age > g) from samples matches the closed form. */
    rng r;
    rng_seed(&r, 5);
    const repair *rs[] = {&e, &ln, &w, &w2};
    for (size_t k = 0; k < 4; k++) {
        int n = 400000, over = 0;
        for (int i = 0; i < n; i++)
            over += repair_sample_age(rs[k], &r) > 500;
        double want = repair_beyond(rs[k], 500), se = sqrt(want * (1 - want) / n);
        if (fabs((double)over / n - want) > 5 * se)
            fail_msg("%s: sampled P(age > 500) = %.5f, closed form %.5f", repair_kind_name(rs[k]->kind),
                     (double)over / n, want);
    }
}

/* ---- Monte Carlo against the exact figure ------------------------------------ */

/* api: 3 replicas, 2 needed, each with failures; config with a repair
 * distribution and api caching config for 10 minutes; a zone; a CCF group. */
static fault_tree *grace_tree(repair cfg_repair)
{
    fault_tree *t = ft_new();
    int top = ft_add_gate(t, "client_fails", NULL, FT_OR, 0);
    int reps = ft_add_gate(t, "api_replicas", NULL, FT_ATLEAST, 2);
    int r[3];
    for (int i = 0; i < 3; i++) {
        char n[16];
        snprintf(n, sizeof n, "api_%d", i + 1);
        r[i] = ft_add_process(t, n, NULL, 30 * 86400, repair_exponential(3600));
        ft_gate_add(t, reps, r[i]);
    }
    char why[128];
    assert_true(ft_add_ccf(t, "api_image", NULL, 0.1, r, 3, why, sizeof why) >= 0);
    int cfg = ft_add_process(t, "config", NULL, 7 * 86400, cfg_repair);
    int stale = ft_add_gate(t, "config_long", NULL, FT_AND, 0);
    ft_gate_add(t, stale, cfg);
    ft_gate_add(t, stale, ft_add_beyond(t, cfg, 600));
    ft_gate_add(t, top, FT_GATE(reps));
    ft_gate_add(t, top, FT_GATE(stale));
    ft_gate_add(t, top, ft_add_process(t, "zone_a", NULL, 90 * 86400, repair_exponential(1800)));
    ft_add_top(t, top);
    return t;
}

static void test_monte_carlo_agrees_with_exact(void **state)
{
    (void)state;
    repair reps[] = {repair_exponential(1800), repair_lognormal_mean_cv(1800, 1.5),
                        repair_weibull(0.6, 1200)};
    for (size_t k = 0; k < 3; k++) {
        fault_tree *t = grace_tree(reps[k]);
        ft_options o = {0};
        ft_exact *x = ft_exact_run(t, &o);
        ft_mc_top mc;
        ft_mc_run(t, 20000000, 42, &mc);
        if (!(x->tops[0].p >= mc.lo && x->tops[0].p <= mc.hi))
            fail_msg("%s repairs: exact %.6g outside the Monte Carlo interval [%.6g, %.6g]",
                     repair_kind_name(reps[k].kind), x->tops[0].p, mc.lo, mc.hi);
        /* and the interval is tight enough to mean something: a few % */
        assert_true(mc.hi - mc.lo < 0.1 * x->tops[0].p);
        ft_exact_free(x);
        ft_free(t);
    }
    /* A deliberately wrong figure is outside the interval: the check can fail. */
    fault_tree *t = grace_tree(reps[0]);
    ft_mc_top mc;
    ft_mc_run(t, 20000000, 42, &mc);
    ft_options o = {0};
    ft_exact *x = ft_exact_run(t, &o);
    assert_false(x->tops[0].p * 1.1 >= mc.lo && x->tops[0].p * 1.1 <= mc.hi);
    ft_exact_free(x);
    ft_free(t);
}

/* Histories (renewal processes over a long horizon) against the exact
 * figure: on exponential repairs, and on lognormal and Weibull repairs
 * under a grace period, where the shape of the repair matters.  The grace
 * event is timed by the history itself, not by the equilibrium age law the
 * exact analysis and instant sampling use: an independent route. */
static void test_histories_agree_with_exact(void **state)
{
    (void)state;
    repair reps[] = {repair_exponential(1800), repair_lognormal_mean_cv(1800, 1.5), repair_weibull(0.6, 1200)};
    double horizon = 20 * 365.25 * 86400;
    for (size_t k = 0; k < 3; k++) {
        fault_tree *t = grace_tree(reps[k]);
        ft_options o = {0};
        ft_exact *x = ft_exact_run(t, &o);
        ft_mc_hist h;
        uint64_t changes = ft_mc_histories(t, horizon, 400, 7, 2, &h);
        assert_true(changes > 400 * 100);
        if (!(x->tops[0].p >= h.lo && x->tops[0].p <= h.hi))
            fail_msg("%s repairs: exact %.6g outside the histories' interval [%.6g, %.6g]",
                     repair_kind_name(reps[k].kind), x->tops[0].p, h.lo, h.hi);
        assert_true(h.hi - h.lo < 0.1 * x->tops[0].p);
        /* the same figures on one thread: deterministic */
        ft_mc_hist h1;
        ft_mc_histories(t, horizon, 400, 7, 1, &h1);
        assert_true(h1.p == h.p && h1.lo == h.lo);
        ft_exact_free(x);
        ft_free(t);
    }
    /* The exponential three-replica tree with a common cause (two trains:
     * fixed probabilities, a time scale of their own). */
    fault_tree *t = two_trains();
    ft_options o = {0};
    ft_exact *x = ft_exact_run(t, &o);
    ft_mc_hist h;
    ft_mc_histories(t, 2 * 365.25 * 86400, 200, 11, 2, &h);
    if (!(x->tops[0].p >= h.lo && x->tops[0].p <= h.hi))
        fail_msg("two trains: exact %.6g outside the histories' interval [%.6g, %.6g]", x->tops[0].p, h.lo, h.hi);
    /* A deliberately wrong figure is outside the interval: the check can fail. */
    assert_false(x->tops[0].p * 1.1 >= h.lo && x->tops[0].p * 1.1 <= h.hi);
    ft_exact_free(x);
    ft_free(t);
}

/* ---- SCRAM ------------------------------------------------------------------ */

static const char *scram_path(void)
{
    static const char *const where[] = {"/usr/bin/scram", "/usr/local/bin/scram"};
    for (size_t i = 0; i < 2; i++)
        if (access(where[i], X_OK) == 0)
            return where[i];
    return NULL;
}

/* One product of SCRAM's report as a sorted, space-joined list of eddy's
 * variable names (a CCF event of the whole group is the group's name, an
 * order-1 CCF event its member's own failure). */
static void scram_product_name(xmlNode *prod, char *out, size_t cap)
{
    const char *names[64];
    xmlChar *own[64];
    size_t n = 0, nown = 0;
    for (xmlNode *c = prod->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)c->name, "basic-event") == 0) {
            own[nown] = xmlGetProp(c, (const xmlChar *)"name");
            names[n++] = (const char *)own[nown++];
        } else if (strcmp((const char *)c->name, "ccf-event") == 0) {
            xmlChar *order = xmlGetProp(c, (const xmlChar *)"order");
            if (strcmp((const char *)order, "1") == 0) {
                for (xmlNode *m = c->children; m; m = m->next)
                    if (m->type == XML_ELEMENT_NODE) {
                        own[nown] = xmlGetProp(m, (const xmlChar *)"name");
                        names[n++] = (const char *)own[nown++];
                    }
            } else {
                own[nown] = xmlGetProp(c, (const xmlChar *)"ccf-group");
                names[n++] = (const char *)own[nown++];
            }
            xmlFree(order);
        }
    }
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            const char *s = names[j];
            names[j] = names[j - 1];
            names[j - 1] = s;
        }
    out[0] = 0;
    for (size_t i = 0; i < n; i++) {
        strncat(out, names[i], cap - strlen(out) - 1);
        if (i + 1 < n)
            strncat(out, " ", cap - strlen(out) - 1);
    }
    for (size_t i = 0; i < nown; i++)
        xmlFree(own[i]);
}

static void eddy_product_name(const fault_tree *t, const ft_cutset *c, char *out, size_t cap)
{
    const char *names[64];
    for (size_t i = 0; i < c->order; i++)
        names[i] = ft_var_name(t, c->vars[i]);
    for (size_t i = 1; i < c->order; i++)
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            const char *s = names[j];
            names[j] = names[j - 1];
            names[j - 1] = s;
        }
    out[0] = 0;
    for (size_t i = 0; i < c->order; i++) {
        strncat(out, names[i], cap - strlen(out) - 1);
        if (i + 1 < c->order)
            strncat(out, " ", cap - strlen(out) - 1);
    }
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* One of SCRAM's importance factors (6 significant digits) against eddy's. */
static void scram_factor(xmlNode *e, const char *attr, double ours, const char *event)
{
    xmlChar *v = xmlGetProp(e, (const xmlChar *)attr);
    if (!v)
        fail_msg("SCRAM reported no %s for %s", attr, event);
    double theirs = strtod((const char *)v, NULL);
    xmlFree(v);
    if (isinf(theirs) || isinf(ours)) {
        if (!(isinf(theirs) && isinf(ours)))
            fail_msg("%s of %s: SCRAM %g, eddy %g", attr, event, theirs, ours);
        return;
    }
    if (fabs(theirs - ours) > 1e-5 * fabs(theirs) + 1e-12)
        fail_msg("%s of %s: SCRAM %.6g, eddy %.6g", attr, event, theirs, ours);
}

/* SCRAM's <importance> block for one top event against eddy's measures:
 * every variable under the top, each of MIF, CIF, DIF, RAW and RRW.  A
 * ccf-event of order 1 is its member's own failure, a larger one the
 * group's common failure. */
static void check_scram_importance(const fault_tree *t, const ft_exact *x, xmlNode *imp)
{
    xmlChar *top = xmlGetProp(imp, (const xmlChar *)"name");
    int g = ft_find_gate(t, (const char *)top);
    assert_true(g >= 0);
    size_t k = 0;
    while (k < t->ntops && t->tops[k] != g)
        k++;
    assert_true(k < t->ntops);
    const ft_top_result *r = &x->tops[k];
    size_t reported = 0, in_tree = 0;
    for (size_t v = 0; v < x->nvars; v++)
        in_tree += r->imp[v].in_tree;
    for (xmlNode *e = imp->children; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE)
            continue;
        xmlChar *name = NULL;
        bool group = false;
        if (strcmp((const char *)e->name, "basic-event") == 0) {
            name = xmlGetProp(e, (const xmlChar *)"name");
        } else if (strcmp((const char *)e->name, "ccf-event") == 0) {
            xmlChar *order = xmlGetProp(e, (const xmlChar *)"order");
            group = strcmp((const char *)order, "1") != 0;
            xmlFree(order);
            if (group) {
                name = xmlGetProp(e, (const xmlChar *)"ccf-group");
            } else {
                for (xmlNode *m = e->children; m && !name; m = m->next)
                    if (m->type == XML_ELEMENT_NODE)
                        name = xmlGetProp(m, (const xmlChar *)"name");
            }
        } else {
            continue;
        }
        assert_non_null(name);
        size_t v = group ? t->nevents : 0, end = group ? x->nvars : t->nevents;
        while (v < end && strcmp(ft_var_name(t, v), (const char *)name) != 0)
            v++;
        if (v == end)
            fail_msg("SCRAM's importance names %s, which eddy's tree lacks", (const char *)name);
        const ft_importance *I = &r->imp[v];
        assert_true(I->in_tree);
        scram_factor(e, "probability", I->p, (const char *)name);
        scram_factor(e, "MIF", I->mif, (const char *)name);
        scram_factor(e, "CIF", I->cif, (const char *)name);
        scram_factor(e, "DIF", I->dif, (const char *)name);
        scram_factor(e, "RAW", I->raw, (const char *)name);
        scram_factor(e, "RRW", I->rrw, (const char *)name);
        reported++;
        xmlFree(name);
    }
    assert_int_equal(reported, in_tree);
    xmlFree(top);
}

/* Write t as MEF, run SCRAM on it, and check every top event's probability,
 * minimal cut sets and importance measures against eddy's. */
static void check_against_scram(const fault_tree *t)
{
    char dir[] = "/tmp/eddy-scram-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char mef[128], rep[128], cmd[512];
    snprintf(mef, sizeof mef, "%s/tree.xml", dir);
    snprintf(rep, sizeof rep, "%s/report.xml", dir);
    FILE *f = fopen(mef, "w");
    assert_non_null(f);
    assert_int_equal(mef_write(f, t, "eddy"), 0);
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s --bdd --probability true --importance true --ccf true %s -o %s >%s/log 2>&1",
             scram_path(), mef, rep, dir);
    int rc = system(cmd);
    if (rc != 0) {
        snprintf(cmd, sizeof cmd, "cat %s/log", dir);
        (void)!system(cmd);
        fail_msg("scram failed on the MEF eddy wrote (%s)", mef);
    }
    xmlDoc *doc = xmlReadFile(rep, NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    ft_options o = {.importance = true};
    ft_exact *x = ft_exact_run(t, &o);
    size_t seen = 0, seen_imp = 0;
    for (xmlNode *n = xmlDocGetRootElement(doc)->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, "results") != 0)
            continue;
        for (xmlNode *s = n->children; s; s = s->next) {
            if (s->type != XML_ELEMENT_NODE || strcmp((const char *)s->name, "sum-of-products") != 0)
                continue;
            xmlChar *name = xmlGetProp(s, (const xmlChar *)"name");
            xmlChar *prob = xmlGetProp(s, (const xmlChar *)"probability");
            int g = -1; /* by its MEF name (ft_find_gate looks up the key eddy built it by) */
            for (size_t i = 0; i < t->ngates && g < 0; i++)
                if (strcmp(t->gates[i].name, (const char *)name) == 0)
                    g = (int)i;
            assert_true(g >= 0);
            size_t k = 0;
            while (k < t->ntops && t->tops[k] != g)
                k++;
            assert_true(k < t->ntops);
            const ft_top_result *r = &x->tops[k];
            /* SCRAM prints 6 significant digits. */
            assert_within_rel(r->p, atof((const char *)prob), 1e-5);
            char *theirs[4096], *ours[4096], buf[1024];
            size_t nt = 0;
            for (xmlNode *pr = s->children; pr; pr = pr->next)
                if (pr->type == XML_ELEMENT_NODE && nt < 4096) {
                    scram_product_name(pr, buf, sizeof buf);
                    theirs[nt++] = strdup(buf);
                }
            assert_int_equal(nt, r->ncutsets);
            for (size_t c = 0; c < r->ncutsets; c++) {
                eddy_product_name(t, &r->cutsets[c], buf, sizeof buf);
                ours[c] = strdup(buf);
            }
            qsort(theirs, nt, sizeof *theirs, cmp_str);
            qsort(ours, nt, sizeof *ours, cmp_str);
            for (size_t c = 0; c < nt; c++) {
                if (strcmp(theirs[c], ours[c]) != 0)
                    fail_msg("top %s: SCRAM's cut set '%s', eddy's '%s'", name, theirs[c], ours[c]);
                free(theirs[c]);
                free(ours[c]);
            }
            xmlFree(name);
            xmlFree(prob);
            seen++;
        }
        for (xmlNode *s = n->children; s; s = s->next)
            if (s->type == XML_ELEMENT_NODE && strcmp((const char *)s->name, "importance") == 0) {
                check_scram_importance(t, x, s);
                seen_imp++;
            }
    }
    assert_int_equal(seen, t->ntops);
    assert_int_equal(seen_imp, t->ntops);
    ft_exact_free(x);
    xmlFreeDoc(doc);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    (void)!system(cmd);
}

static void test_scram_agrees(void **state)
{
    (void)state;
    if (!scram_path()) {
        print_message("scram is not installed (Debian package `scram`): skipping the SCRAM comparison\n");
        skip();
    }
    fault_tree *t = two_trains();
    check_against_scram(t);
    ft_free(t);
    t = grace_tree(repair_lognormal_mean_cv(1800, 1.5));
    check_against_scram(t);
    ft_free(t);
    int cfg;
    t = three_replicas(2, &cfg);
    check_against_scram(t);
    ft_free(t);
}

/* ---- the model: loading and deriving the tree ---------------------------------- */

static const char base_model[] =
    "duration: 1m\n"
    "infra:\n"
    "  config: {mtbf: 100h, mttr: 30m}\n"
    "  zone-a: {availability: 99.99%%, mttr: 1h}\n"
    "  zone-b: {availability: 99.99%%, mttr: 1h}\n"
    "clients:\n"
    "  web: {rate: 1500/s, call: api}\n"
    "services:\n"
    "  api:\n"
    "    replicas: 3\n"
    "    workers: 8\n"
    "    service_time: 10ms\n"
    "    failures: {mtbf: 500h, mttr: 30m}\n"
    "    zones: [zone-a, zone-b]\n"
    "    depends_on: [%s]\n";

static model *load_fmt(const char *fmt, const char *arg, eddy_error *err)
{
    char yaml[4096];
    snprintf(yaml, sizeof yaml, fmt, arg);
    return model_load_string(yaml, strlen(yaml), "m.yaml", err);
}

/* 1500/s over replicas of 800/s each: 2 of 3 needed.  Replicas 1 and 3 sit
 * in zone-a, 2 in zone-b (round robin).  Checked by brute force over the
 * six basic events. */
static void test_model_tree(void **state)
{
    (void)state;
    eddy_error err = {0};
    model *m = load_fmt(base_model, "config", &err);
    if (!m)
        fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    char why[256];
    avail_model *a = avail_derive(m, why, sizeof why);
    assert_non_null(a);
    assert_int_equal(a->services[0].needed, 2);
    const fault_tree *t = a->t;
    assert_int_equal(t->ntops, 1);
    ft_options o = {.importance = true};
    ft_exact *x = ft_exact_run(t, &o);
    double q = 0.5 / 500.5, qc = 0.5 / 100.5, qz = 1e-4;
    double want = 0;
    /* enumerate replicas r1..r3 and zones za, zb; config independent */
    for (int s = 0; s < 32; s++) {
        int r1 = s & 1, r2 = s >> 1 & 1, r3 = s >> 2 & 1, za = s >> 3 & 1, zb = s >> 4 & 1;
        double w = (r1 ? q : 1 - q) * (r2 ? q : 1 - q) * (r3 ? q : 1 - q) * (za ? qz : 1 - qz) * (zb ? qz : 1 - qz);
        int down = (r1 | za) + (r2 | zb) + (r3 | za);
        if (down >= 2)
            want += w;
    }
    want = 1 - (1 - want) * (1 - qc);
    assert_within_rel(x->tops[0].p, want, 1e-9);
    /* zone-a holds two of the three replicas: with 2 needed it is a single
     * point of failure, and the words say so. */
    char words[1024];
    bool zone_a_spof = false;
    for (size_t i = 0; i < x->tops[0].ncutsets; i++) {
        avail_cutset_words(a, &x->tops[0].cutsets[i], words, sizeof words);
        if (strstr(words, "zone-a is a cut set of order 1"))
            zone_a_spof = true;
    }
    assert_true(zone_a_spof);
    /* Paper: 1 - q^3, the box diagram's one tier. */
    assert_within_rel(a->paper[0], 1 - q * q * q, 1e-12);
    ft_exact_free(x);
    avail_free(a);
    model_free(m);
}

/* A stale grace: config's outage fails api only after 10 minutes; the
 * tree's probability uses P(outage age > 10m) = exp(-10/30) on
 * exponential repairs. */
static void test_model_stale_grace(void **state)
{
    (void)state;
    eddy_error err = {0};
    model *mf = load_fmt(base_model, "config", &err), *ms = load_fmt(base_model, "{config: {stale: 10m}}", &err);
    assert_non_null(mf);
    if (!ms)
        fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    char why[256];
    avail_model *af = avail_derive(mf, why, sizeof why), *as = avail_derive(ms, why, sizeof why);
    ft_options o = {0};
    ft_exact *xf = ft_exact_run(af->t, &o), *xs = ft_exact_run(as->t, &o);
    double qc = 0.5 / 100.5, qc_long = qc * exp(-10.0 / 30);
    double rest = 1 - (1 - xf->tops[0].p) / (1 - qc); /* the replica part */
    assert_within_rel(xs->tops[0].p, 1 - (1 - rest) * (1 - qc_long), 1e-9);
    assert_true(xs->tops[0].p < xf->tops[0].p);
    ft_exact_free(xf);
    ft_exact_free(xs);
    avail_free(af);
    avail_free(as);
    model_free(mf);
    model_free(ms);
}

/* Bad input: the error names file:line:col and what was expected. */
static void test_model_errors(void **state)
{
    (void)state;
    static const struct {
        const char *dep, *want;
        int line;
    } cases[] = {
        {"nope", "no infra entry named 'nope'; the infra entries are: config, zone-a, zone-b", 15},
        {"confg", "no infra entry named 'confg' (did you mean 'config'?)", 15},
        {"{config: fial}", "(did you mean 'fail'?)", 15},
        {"{config: {stael: 10m}}", "unknown key 'stael' (did you mean 'stale'?)", 15},
        {"{config: {stale: 10mn}}", "expected a duration with a unit", 15},
        {"{config: fail, auth: fail}", "expected an infra name, or {NAME: fail}", 15},
        {"{config: sometimes}", "expected what an outage of config does: 'fail', or {stale: 10m}", 15},
        {"{config: {stale: soon}}", "expected a duration with a unit", 15},
        {"{config: {grace: 10m}}", "unknown key 'grace'; expected one of: stale", 15},
        {"config, config", "config is listed twice", 15},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        eddy_error err = {0};
        model *m = load_fmt(base_model, cases[i].dep, &err);
        if (m)
            fail_msg("depends_on: [%s] loaded", cases[i].dep);
        if (!strstr(err.msg, cases[i].want) || err.line != cases[i].line || strcmp(err.file, "m.yaml") != 0)
            fail_msg("depends_on: [%s]: got %s:%d:%d: %s; want line %d and \"%s\"", cases[i].dep, err.file, err.line,
                     err.col, err.msg, cases[i].line, cases[i].want);
    }
    static const struct {
        const char *from, *to, *want;
    } edits[] = {
        {"{mtbf: 500h, mttr: 30m}", "{mtbf: 500h, mttr: 30m, mtff: 1h}", "unknown key 'mtff'"},
        {"{mtbf: 500h, mttr: 30m}", "{mtbf: 500h}", "missing key 'mttr'"},
        {"{mtbf: 500h, mttr: 30m}", "{mtbf: 500h, availability: 99%, mttr: 30m}", "give one of 'mtbf'"},
        {"{mtbf: 500h, mttr: 30m}", "{mtbf: 500h, mttr: {dist: weibull, mean: 30m}}", "needs shape and mean"},
        {"{mtbf: 500h, mttr: 30m}", "{mtbf: 500h, mttr: {dist: gamma, mean: 30m}}",
         "expected one of constant|exponential|lognormal|weibull, got 'gamma'"},
        /* typos in the availability keys: did you mean, like every key */
        {"{mtbf: 500h, mttr: 30m}", "{mtbf: 500h, mtr: 30m}", "unknown key 'mtr' (did you mean 'mttr'?)"},
        {"{mtbf: 500h, mttr: 30m}", "{mtbf: 500h, mttr: {dist: lognormla, median: 30m, p99: 2h}}",
         "got 'lognormla' (did you mean 'lognormal'?)"},
        {"{mtbf: 500h, mttr: 30m}", "{mtbf: 500h, mttr: {dist: weibull, shape: 1.5, men: 30m}}",
         "unknown key 'men' (did you mean 'mean'?)"},
        {"{mtbf: 500h, mttr: 30m}", "{mtbf: 500h, mttr: {dist: lognormal, median: 30m, shape: 2}}",
         "a lognormal repair time does not take 'shape'"},
        {"{mtbf: 500h, mttr: 30m}", "{mtbf: 500h, mttr: {dist: weibull, shape: 50, mean: 30m}}",
         "expected a number of at most 20"},
        {"{mtbf: 500h, mttr: 30m}", "{mtbf: 500h, mttr: 30}", "expected a duration with a unit"},
        {"    failures:", "    failure:", "unknown key 'failure' (did you mean 'failures'?)"},
        {"    zones:", "    zone:", "unknown key 'zone' (did you mean 'zones'?)"},
        {"    depends_on:", "    depend_on:", "unknown key 'depend_on' (did you mean 'depends_on'?)"},
        {"infra:\n", "infr:\n", "unknown key 'infr' (did you mean 'infra'?)"},
        {"[zone-a, zone-b]", "[zone-a, zone-bb]", "no infra entry named 'zone-bb' (did you mean 'zone-b'?)"},
        {"[zone-a, zone-b]", "[]", "expected at least one zone"},
        {"  zone-b: {", "  zone-a: {", "duplicate infra entry name 'zone-a'"},
        {"  config: {mtbf: 100h, mttr: 30m}", "  config: {mtbf: 100h, mttr: 30m, mtbff: 1h}",
         "unknown key 'mtbff' (did you mean 'mtbf'?)"},
        {"{mtbf: 500h, mttr: 30m}", "{mtbf: 500h, mttr: {dist: lognormal, median: 30m, p99: 10m}}",
         "p99 must be greater than median"},
        {"{availability: 99.99%, mttr: 1h}\n  zone-b", "{availability: 100%, mttr: 1h}\n  zone-b",
         "expected an availability above 0% and below 100%"},
        {"[zone-a, zone-b]", "[zone-a, zone-c]", "no infra entry named 'zone-c'"},
        {"  config: {", "  api: {", "'api' is also an infra entry name (line 3)"},
    };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        char yaml[4096], fixed[4096];
        snprintf(yaml, sizeof yaml, base_model, "config");
        char *at = strstr(yaml, edits[i].from);
        assert_non_null(at);
        snprintf(fixed, sizeof fixed, "%.*s%s%s", (int)(at - yaml), yaml, edits[i].to, at + strlen(edits[i].from));
        eddy_error err = {0};
        model *m = model_load_string(fixed, strlen(fixed), "m.yaml", &err);
        if (m)
            fail_msg("edit %zu loaded", i);
        if (!strstr(err.msg, edits[i].want) || err.line <= 0 || err.col <= 0)
            fail_msg("edit %zu: got %d:%d: %s; want \"%s\"", i, err.line, err.col, err.msg, edits[i].want);
    }
    /* Typos and errors in ccf: entries. */
    static const struct {
        const char *ccf, *want;
        int line;
    } groups[] = {
        {"  - {membres: [api], beta: 5%}\n", "unknown key 'membres' (did you mean 'members'?)", 17},
        {"  - {members: [api], beta: 5%, modle: beta-factor}\n", "unknown key 'modle' (did you mean 'model'?)", 17},
        {"  - {members: [api], beta: 5%, model: alpha-factor}\n", "expected one of beta-factor, got 'alpha-factor'",
         17},
        {"  - {members: [api]}\n", "missing key 'beta'", 17},
        {"  - {members: [ap], beta: 5%}\n", "'ap' is neither a service nor an infra entry (did you mean 'api'?)", 17},
        {"  - {members: [api], beta: 5}\n", "expected a fraction between 0 and 1", 17},
        {"  - {members: [zone-a, zone-b], beta: 5%}\n  - {members: [zone-b, config], beta: 5%}\n",
         "zone-b is already in ccf-1", 18},
        {"  - [api]\n", "expected a mapping {members: [...], model: beta-factor, beta: 5%}", 17},
    };
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
        char yaml[4096];
        snprintf(yaml, sizeof yaml, base_model, "config");
        strcat(yaml, "ccf:\n");
        strcat(yaml, groups[i].ccf);
        eddy_error err = {0};
        model *m = model_load_string(yaml, strlen(yaml), "m.yaml", &err);
        if (m)
            fail_msg("ccf %zu loaded", i);
        if (!strstr(err.msg, groups[i].want) || err.line != groups[i].line)
            fail_msg("ccf %zu: got %d:%d: %s; want line %d and \"%s\"", i, err.line, err.col, err.msg, groups[i].line,
                     groups[i].want);
    }
    /* A common-cause group over members that fail at different rates. */
    char yaml[4096];
    snprintf(yaml, sizeof yaml, base_model, "config");
    strcat(yaml, "ccf:\n  - {members: [api, config], beta: 10%}\n");
    eddy_error err = {0};
    model *m = model_load_string(yaml, strlen(yaml), "m.yaml", &err);
    assert_null(m);
    assert_non_null(strstr(err.msg, "one failure probability"));
    assert_int_equal(err.line, 17);
}

/* The examples, through SCRAM. */
static void test_examples_against_scram(void **state)
{
    (void)state;
    if (!scram_path()) {
        print_message("scram is not installed (Debian package `scram`): skipping the SCRAM comparison\n");
        skip();
    }
    static const char *const ex[] = {"examples/three-replicas.yaml", "examples/shared-auth.yaml",
                                     "examples/control-plane.yaml", "examples/control-plane-decoupled.yaml",
                                     "tests/data/bad/mef_names.yaml"};
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        if (access(ex[i], R_OK) != 0)
            continue;
        eddy_error err = {0};
        model *m = model_load(ex[i], &err);
        if (!m)
            fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
        char why[256];
        avail_model *a = avail_derive(m, why, sizeof why);
        assert_non_null(a);
        check_against_scram(a->t);
        avail_free(a);
        model_free(m);
    }
}

/* Names that meet once made MEF identifiers (fuzzing found them): each
 * element keeps a name of its own, valid in the MEF, and the look-ups by
 * the names eddy built them from do not mix them up. */
static void test_mef_names(void **state)
{
    (void)state;
    eddy_error err = {0};
    model *m = model_load("tests/data/bad/mef_names.yaml", &err);
    if (!m)
        fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    char why[256];
    avail_model *a = avail_derive(m, why, sizeof why);
    assert_non_null(a);
    const fault_tree *t = a->t;
    const char *names[64];
    size_t n = 0;
    for (size_t i = 0; i < t->nevents; i++)
        names[n++] = t->events[i].name;
    for (size_t i = 0; i < t->ngates; i++)
        names[n++] = t->gates[i].name;
    for (size_t i = 0; i < n; i++) {
        assert_true(isalpha((unsigned char)names[i][0]) || names[i][0] == '_');
        for (size_t j = 0; j < i; j++)
            if (!strcmp(names[i], names[j]))
                fail_msg("'%s' names two elements", names[i]);
    }
    assert_int_equal(ft_find_event(t, "a-b"), 3);
    assert_int_equal(ft_find_event(t, "a_b"), 5);
    assert_string_equal(t->events[5].name, "a_b_2");
    /* two stale-grace gates, one per infra entry, not one taken for both */
    int g1 = ft_find_gate(t, "a-b_down_over_5m"), g2 = ft_find_gate(t, "a_b_down_over_5m");
    assert_true(g1 >= 0 && g2 >= 0 && g1 != g2);
    assert_int_equal(t->gates[g1].args[0], 3);
    assert_int_equal(t->gates[g2].args[0], 5);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(mef_write(f, t, m->name), 0);
    fclose(f);
    EXPECT_HAS(buf, "<define-fault-tree name=\"_1_shop\">");
    EXPECT_HAS(buf, "<define-basic-event name=\"_1api_1\">");
    free(buf);
    avail_free(a);
    model_free(m);
}

/* Found by fuzz_mef: a load of 1e66 replicas' worth overflowed a long. */
static void test_huge_load_is_overloaded(void **state)
{
    (void)state;
    eddy_error err = {0};
    model *m = model_load("tests/data/bad/avail_huge_rate.yaml", &err);
    if (!m)
        fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    char why[256];
    avail_model *a = avail_derive(m, why, sizeof why);
    assert_non_null(a);
    assert_true(a->services[0].overloaded);
    assert_int_equal(a->services[0].needed, 3);
    avail_free(a);
    model_free(m);
}

/* ---- the command --------------------------------------------------------------- */

static void test_cli_three_replicas(void **state)
{
    (void)state;
    run_result r = run("avail examples/three-replicas.yaml");
    EXPECT_STATUS(r, 0, "eddy avail");
    EXPECT_HAS(r.out, "paper availability       99.9999999%");
    EXPECT_HAS(r.out, "api's 3 replicas fail together when config is down: config is a cut set of order 1");
    EXPECT_HAS(r.out, "api's 3 replicas fail together when auth is down: auth is a cut set of order 1");
    run_free(&r);
    r = run("avail examples/three-replicas.yaml --json");
    EXPECT_STATUS(r, 0, "eddy avail --json");
    json_error_t je;
    json_t *j = json_loads(r.out, 0, &je);
    assert_non_null(j);
    json_t *c = json_array_get(json_object_get(j, "clients"), 0);
    double paper = json_real_value(json_object_get(c, "paper"));
    double st = json_real_value(json_object_get(c, "structural"));
    /* the example's comment: nine nines on paper, about 99.5% delivered */
    assert_within_rel(paper, 1 - 1e-9, 1e-12);
    assert_true(st > 0.994 && st < 0.996);
    json_t *mc = json_object_get(c, "monte_carlo");
    assert_true(json_real_value(json_object_get(mc, "low")) <= st);
    assert_true(json_real_value(json_object_get(mc, "high")) >= st);
    /* the outage histories (200 of 10 years, the default) agree too */
    json_t *h = json_object_get(c, "histories");
    assert_int_equal(json_integer_value(json_object_get(h, "histories")), 200);
    assert_true(json_real_value(json_object_get(h, "low")) <= st);
    assert_true(json_real_value(json_object_get(h, "high")) >= st);
    assert_true(json_integer_value(json_object_get(h, "state_changes")) > 200 * 100);
    json_t *cs = json_array_get(json_object_get(c, "cutsets"), 0);
    assert_true(json_is_true(json_object_get(cs, "single_point_of_failure")));
    json_decref(j);
    run_free(&r);
    /* deterministic */
    run_result r1 = run("avail examples/three-replicas.yaml --trials 100000 -j 1"),
               r2 = run("avail examples/three-replicas.yaml --trials 100000 -j 2");
    assert_string_equal(r1.out, r2.out);
    run_free(&r1);
    run_free(&r2);
}

/* examples/shared-auth.yaml, for what its comment claims. */
static void test_cli_shared_auth(void **state)
{
    (void)state;
    run_result r = run("review examples/shared-auth.yaml");
    EXPECT_STATUS(r, 0, "eddy review");
    EXPECT_HAS(r.out, "correlated-coupling: config is a dependency of web's 2 replicas, auth: one outage of config "
                      "takes them down together");
    EXPECT_HAS(r.out, "correlated-coupling: web's 2 replicas all call auth (1 replica): when auth is down they fail "
                      "together");
    run_free(&r);
    r = run("avail examples/shared-auth.yaml --json --trials 0");
    EXPECT_STATUS(r, 0, "eddy avail");
    json_error_t je;
    json_t *j = json_loads(r.out, 0, &je);
    assert_non_null(j);
    json_t *c = json_array_get(json_object_get(j, "clients"), 0);
    double paper = json_real_value(json_object_get(c, "paper"));
    double st = json_real_value(json_object_get(c, "structural"));
    assert_within_rel(paper, (1 - 1e-6) * 0.999, 1e-9);
    /* config and auth, each down 0.1% of the time, independent: */
    assert_within_rel(st, 0.999 * 0.999 * (1 - 1e-6), 1e-9);
    size_t spof = 0;
    json_t *cs = json_object_get(c, "cutsets");
    for (size_t i = 0; i < json_array_size(cs); i++)
        spof += json_is_true(json_object_get(json_array_get(cs, i), "single_point_of_failure"));
    assert_int_equal(spof, 2);
    json_decref(j);
    run_free(&r);
}

/* examples/control-plane.yaml and its decoupled twin, for what their
 * comments claim: the coupled cluster turns control-plane blips into
 * outages several times longer (a metastable tail); decoupled, the same
 * draws cost nothing. */
static void test_cli_dynamic_control_plane(void **state)
{
    (void)state;
    run_result r = run("avail examples/control-plane.yaml --dynamic --top 1 --draws 2 --trials 0 --json -q -j 2");
    EXPECT_STATUS(r, 0, "eddy avail --dynamic");
    json_error_t je;
    json_t *j = json_loads(r.out, 0, &je);
    assert_non_null(j);
    json_t *d = json_object_get(j, "dynamic");
    json_t *c = json_array_get(json_object_get(d, "cases"), 0);
    /* --top 1: the most frequent of the 13 cut sets of order 1 or 2 (of 17) */
    assert_int_equal(json_array_size(json_object_get(d, "cases")), 1);
    assert_int_equal(json_integer_value(json_object_get(d, "cutsets_order_1_2")), 13);
    assert_string_equal(json_string_value(json_array_get(json_object_get(c, "events"), 0)), "control_plane");
    double rep = json_real_value(json_object_get(c, "mean_repair_s"));
    double out = json_real_value(json_object_get(c, "mean_outage_s"));
    double freq = json_real_value(json_object_get(c, "per_year"));
    if (!(out > 3 * rep))
        fail_msg("control-plane outage %.1f s against a repair of %.1f s: expected amplification", out, rep);
    assert_within_rel(freq, 8766.0 / 2190, 0.01);
    assert_within_rel(json_real_value(json_object_get(c, "expected_min_per_year")), freq * out / 60, 1e-9);
    assert_true(json_real_value(json_object_get(d, "expected_min_per_year")) >
                3 * json_real_value(json_object_get(d, "structural_min_per_year")));
    EXPECT_HAS(json_string_value(json_object_get(d, "what_this_system_does")),
               "what this system does: it turns a ");
    /* one revealed purpose: with --dynamic the report's closing line is the
     * measured one, not the structural promise */
    assert_string_equal(json_string_value(json_object_get(j, "purpose")),
                         json_string_value(json_object_get(d, "what_this_system_does")) +
                             strlen("what this system does: "));
    json_t *draws = json_object_get(c, "repair_s");
    double maxrep = 0;
    for (size_t i = 0; i < json_array_size(draws); i++)
        if (json_real_value(json_array_get(draws, i)) > maxrep)
            maxrep = json_real_value(json_array_get(draws, i));
    json_decref(j);
    run_free(&r);

    /* The same seeds and draws, decoupled: outages under 10 minutes never
     * reach the users. */
    assert_true(maxrep < 600);
    r = run("avail examples/control-plane-decoupled.yaml --dynamic --top 1 --draws 2 --trials 0 --json -q -j 2");
    EXPECT_STATUS(r, 0, "eddy avail --dynamic, decoupled");
    j = json_loads(r.out, 0, &je);
    assert_non_null(j);
    d = json_object_get(j, "dynamic");
    c = json_array_get(json_object_get(d, "cases"), 0);
    assert_true(json_real_value(json_object_get(c, "mean_outage_s")) == 0);
    assert_true(json_real_value(json_object_get(d, "expected_min_per_year")) == 0);
    json_decref(j);
    run_free(&r);
}

/* One mitigation of control-plane-decoupled.yaml at a time, on the same
 * draws: examples/control-plane.yaml with one substitution.  Returns the
 * mean user-visible outage of the control-plane cut set, and its repair. */
static double one_mitigation(const char *name, const char *from, const char *to, const char *from2,
                             const char *to2, double *repair)
{
    size_t len;
    char *text = slurp("examples/control-plane.yaml", &len);
    assert_non_null(text);
    char *out = malloc(len + 1024), *w = out;
    assert_non_null(out);
    const char *pairs[2][2] = {{from, to}, {from2, to2}};
    const char *p = text;
    /* the substitutions, in file order */
    for (int k = 0; k < 2; k++) {
        if (!pairs[k][0])
            continue;
        const char *at = strstr(p, pairs[k][0]);
        if (!at)
            fail_msg("%s: '%s' is not in examples/control-plane.yaml", name, pairs[k][0]);
        memcpy(w, p, (size_t)(at - p));
        w += at - p;
        w += sprintf(w, "%s", pairs[k][1]);
        p = at + strlen(pairs[k][0]);
    }
    strcpy(w, p);
    char path[256];
    tmp_path(path, sizeof path, name);
    write_file(path, out);
    free(out);
    free(text);
    run_result r = run("avail %s --dynamic --top 1 --draws 2 --trials 0 --histories 0 --json -q -j 2", path);
    EXPECT_STATUS(r, 0, name);
    json_error_t je;
    json_t *j = json_loads(r.out, 0, &je);
    assert_non_null(j);
    json_t *c = json_array_get(json_object_get(json_object_get(j, "dynamic"), "cases"), 0);
    assert_string_equal(json_string_value(json_array_get(json_object_get(c, "events"), 0)), "control_plane");
    double outage = json_real_value(json_object_get(c, "mean_outage_s"));
    *repair = json_real_value(json_object_get(c, "mean_repair_s"));
    json_decref(j);
    run_free(&r);
    return outage;
}

/* What each of control-plane-decoupled.yaml's three changes does alone
 * (its comment and docs/avail.md): the retry budget alone leaves the
 * amplified outage as it was (the cold cache's misses alone outrun the
 * database); stale sessions alone shorten it; stale config alone removes
 * it for outages under its 10 minutes. */
static void test_cli_dynamic_one_mitigation(void **state)
{
    (void)state;
    double rep0, rep;
    double coupled = one_mitigation("coupled.yaml", NULL, NULL, NULL, NULL, &rep0);
    assert_true(coupled > 3 * rep0);
    double budget = one_mitigation("budget.yaml", "retry: {attempts: 3, backoff: none}",
                                   "retry: {attempts: 3, backoff: none, budget: {type: finagle, ttl: 10s, min_per_s: "
                                   "10, percent: 10%}}",
                                   NULL, NULL, &rep);
    assert_true(rep == rep0); /* the same draws */
    if (!(budget > 3 * rep && budget > 0.8 * coupled))
        fail_msg("budget alone: %.0f s of outage against %.0f s coupled, repair %.0f s", budget, coupled, rep);
    double sessions = one_mitigation("sessions.yaml", "    warm: true\n",
                                     "    warm: true\n    coalesce: true\n    stale_while_revalidate: 10m\n", NULL,
                                     NULL, &rep);
    if (!(sessions > 0 && sessions < 0.5 * coupled))
        fail_msg("stale sessions alone: %.0f s of outage against %.0f s coupled", sessions, coupled);
    double config = one_mitigation("config.yaml", "    depends_on: [control-plane]\n",
                                   "    depends_on: [{control-plane: {stale: 10m}}]\n",
                                   "    depends_on: [control-plane]\n",
                                   "    depends_on: [{control-plane: {stale: 10m}}]\n", &rep);
    assert_true(config == 0);
}

static void test_cli_mef(void **state)
{
    (void)state;
    char mef[256];
    tmp_path(mef, sizeof mef, "mine.xml");
    write_file(mef, "my notes\n");
    run_result r = run("avail examples/three-replicas.yaml --mef %s", mef);
    EXPECT_STATUS(r, 2, "eddy avail --mef over a user's file");
    EXPECT_HAS(r.err, "is not a MEF file eddy wrote; use --force");
    run_free(&r);
    char *kept = slurp(mef, NULL);
    assert_string_equal(kept, "my notes\n");
    free(kept);
    tmp_path(mef, sizeof mef, "tree.xml");
    r = run("avail examples/three-replicas.yaml --mef %s --trials 0", mef);
    EXPECT_STATUS(r, 0, "eddy avail --mef");
    run_free(&r);
    char *x = slurp(mef, NULL);
    assert_non_null(x);
    EXPECT_HAS(x, "<define-CCF-group name=\"base_image\" model=\"beta-factor\">");
    EXPECT_HAS(x, "<define-gate name=\"shoppers_fails\">");
    free(x);
    /* rewriting our own file is fine */
    r = run("avail examples/three-replicas.yaml --mef %s --trials 0", mef);
    EXPECT_STATUS(r, 0, "eddy avail --mef again");
    run_free(&r);
    r = run("avail examples/three-replicas.yaml --cutoff 2");
    EXPECT_STATUS(r, 2, "eddy avail --cutoff 2");
    run_free(&r);
    r = run("avail --help");
    EXPECT_STATUS(r, 0, "eddy avail --help");
    EXPECT_HAS(r.out, "usage: eddy avail MODEL.yaml");
    run_free(&r);
    r = run("avail examples/three-replicas.yaml --tree");
    EXPECT_STATUS(r, 0, "eddy avail --tree");
    EXPECT_HAS(r.out, "too few api replicas up (1 of 3 needed): all of");
    run_free(&r);
}

static int suite_setup(void **state)
{
    (void)state;
    return proc_begin("avail");
}

static int suite_teardown(void **state)
{
    (void)state;
    return proc_end();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bdd_basics),
        cmocka_unit_test(test_three_replicas_shared_config),
        cmocka_unit_test(test_ccf_beta_factor),
        cmocka_unit_test(test_random_trees_against_brute_force),
        cmocka_unit_test(test_repair_beyond),
        cmocka_unit_test(test_monte_carlo_agrees_with_exact),
        cmocka_unit_test(test_histories_agree_with_exact),
        cmocka_unit_test(test_scram_agrees),
        cmocka_unit_test(test_model_tree),
        cmocka_unit_test(test_model_stale_grace),
        cmocka_unit_test(test_model_errors),
        cmocka_unit_test(test_examples_against_scram),
        cmocka_unit_test(test_cli_three_replicas),
        cmocka_unit_test(test_cli_shared_auth),
        cmocka_unit_test(test_cli_dynamic_control_plane),
        cmocka_unit_test(test_cli_dynamic_one_mitigation),
        cmocka_unit_test(test_cli_mef),
        cmocka_unit_test(test_mef_names),
        cmocka_unit_test(test_huge_load_is_overloaded),
    };
    return cmocka_run_group_tests(tests, suite_setup, suite_teardown);
}
