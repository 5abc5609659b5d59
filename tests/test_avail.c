/* test_avail.c -- the availability analysis core: the BDD, the fault tree's
 * exact probability, minimal cut sets and importance, the repair-time
 * arithmetic, Monte Carlo against the exact figure, and SCRAM reading the
 * MEF eddy writes and agreeing with eddy.
 *
 * Hand-computed cases check the formulas; random trees are checked against
 * brute force over every assignment of the basic events, which is the
 * definition of both the probability and the minimal cut sets. */
#include "testutil.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis/ftree.h"
#include "analysis/ftree_exact.h"
#include "analysis/ftree_mc.h"
#include "core/bdd.h"
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
static double numeric_beyond(const ft_repair *rp, double g, double (*surv)(const ft_repair *, double))
{
    double hi = 200 * ft_repair_mean(rp), h = (hi - g) / 400000, s = 0;
    for (int i = 0; i <= 400000; i++) {
        double w = i == 0 || i == 400000 ? 0.5 : 1;
        s += w * surv(rp, g + i * h);
    }
    return s * h / ft_repair_mean(rp);
}

static double surv_lognormal(const ft_repair *r, double x)
{
    return x <= 0 ? 1 : 0.5 * erfc((log(x) - r->a) / (r->b * sqrt(2.0)));
}

static double surv_weibull(const ft_repair *r, double x) { return exp(-pow(x / r->b, r->a)); }

static void test_repair_beyond(void **state)
{
    (void)state;
    ft_repair e = ft_repair_exponential(600);
    assert_within_rel(ft_repair_beyond(&e, 600), exp(-1), 1e-12);
    ft_repair c = ft_repair_constant(300);
    assert_within_rel(ft_repair_beyond(&c, 100), 200.0 / 300, 1e-12);
    assert_true(ft_repair_beyond(&c, 400) == 0);
    ft_repair ln = ft_repair_lognormal_mean_cv(600, 2);
    assert_within_rel(ft_repair_mean(&ln), 600, 1e-12);
    assert_within_rel(ft_repair_beyond(&ln, 600), numeric_beyond(&ln, 600, surv_lognormal), 1e-3);
    ft_repair w = ft_repair_weibull(0.7, 400);
    assert_within_rel(ft_repair_beyond(&w, 600), numeric_beyond(&w, 600, surv_weibull), 1e-3);
    ft_repair w2 = ft_repair_weibull(2.5, 400);
    assert_within_rel(ft_repair_beyond(&w2, 300), numeric_beyond(&w2, 300, surv_weibull), 1e-3);
    /* Equilibrium ages: P(age > g) from samples matches the closed form. */
    rng r;
    rng_seed(&r, 5);
    const ft_repair *rs[] = {&e, &ln, &w, &w2};
    for (size_t k = 0; k < 4; k++) {
        int n = 400000, over = 0;
        for (int i = 0; i < n; i++)
            over += ft_repair_sample_age(rs[k], &r) > 500;
        double want = ft_repair_beyond(rs[k], 500), se = sqrt(want * (1 - want) / n);
        if (fabs((double)over / n - want) > 5 * se)
            fail_msg("%s: sampled P(age > 500) = %.5f, closed form %.5f", ft_repair_kind_name(rs[k]->kind),
                     (double)over / n, want);
    }
}

/* ---- Monte Carlo against the exact figure ------------------------------------ */

/* api: 3 replicas, 2 needed, each with failures; config with a repair
 * distribution and api caching config for 10 minutes; a zone; a CCF group. */
static fault_tree *grace_tree(ft_repair cfg_repair)
{
    fault_tree *t = ft_new();
    int top = ft_add_gate(t, "client_fails", NULL, FT_OR, 0);
    int reps = ft_add_gate(t, "api_replicas", NULL, FT_ATLEAST, 2);
    int r[3];
    for (int i = 0; i < 3; i++) {
        char n[16];
        snprintf(n, sizeof n, "api_%d", i + 1);
        r[i] = ft_add_process(t, n, NULL, 30 * 86400, ft_repair_exponential(3600));
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
    ft_gate_add(t, top, ft_add_process(t, "zone_a", NULL, 90 * 86400, ft_repair_exponential(1800)));
    ft_add_top(t, top);
    return t;
}

static void test_monte_carlo_agrees_with_exact(void **state)
{
    (void)state;
    ft_repair reps[] = {ft_repair_exponential(1800), ft_repair_lognormal_mean_cv(1800, 1.5),
                        ft_repair_weibull(0.6, 1200)};
    for (size_t k = 0; k < 3; k++) {
        fault_tree *t = grace_tree(reps[k]);
        ft_options o = {0};
        ft_exact *x = ft_exact_run(t, &o);
        ft_mc_top mc;
        ft_mc_run(t, 20000000, 42, &mc);
        if (!(x->tops[0].p >= mc.lo && x->tops[0].p <= mc.hi))
            fail_msg("%s repairs: exact %.6g outside the Monte Carlo interval [%.6g, %.6g]",
                     ft_repair_kind_name(reps[k].kind), x->tops[0].p, mc.lo, mc.hi);
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

/* Write t as MEF, run SCRAM on it, and check every top event's probability
 * and minimal cut sets against eddy's. */
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
    snprintf(cmd, sizeof cmd, "%s --bdd --probability true --ccf true %s -o %s >%s/log 2>&1", scram_path(), mef, rep,
             dir);
    int rc = system(cmd);
    if (rc != 0) {
        snprintf(cmd, sizeof cmd, "cat %s/log", dir);
        (void)!system(cmd);
        fail_msg("scram failed on the MEF eddy wrote (%s)", mef);
    }
    xmlDoc *doc = xmlReadFile(rep, NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    ft_options o = {0};
    ft_exact *x = ft_exact_run(t, &o);
    size_t seen = 0;
    for (xmlNode *n = xmlDocGetRootElement(doc)->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, "results") != 0)
            continue;
        for (xmlNode *s = n->children; s; s = s->next) {
            if (s->type != XML_ELEMENT_NODE || strcmp((const char *)s->name, "sum-of-products") != 0)
                continue;
            xmlChar *name = xmlGetProp(s, (const xmlChar *)"name");
            xmlChar *prob = xmlGetProp(s, (const xmlChar *)"probability");
            int g = ft_find_gate(t, (const char *)name);
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
    }
    assert_int_equal(seen, t->ntops);
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
    t = grace_tree(ft_repair_lognormal_mean_cv(1800, 1.5));
    check_against_scram(t);
    ft_free(t);
    int cfg;
    t = three_replicas(2, &cfg);
    check_against_scram(t);
    ft_free(t);
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
        cmocka_unit_test(test_scram_agrees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
