/* test_sd_random.c -- XMILE's statistical functions (section 3.5.2) against
 * their distributions' theory, their streams (seeds, independence, one draw
 * per DT), and FORCST, HISTORY and NPV against values computed by hand. */
#include "testutil.h"
#include "testxm.h"
#include "testproc.h"

#include <math.h>

#include "../src/sd/sd.h"

static int setup(void **state)
{
    (void)state;
    return proc_begin("sdrand");
}

static int teardown(void **state)
{
    (void)state;
    return proc_end();
}

/* ---- collecting a run ---- */

#define MAXC 12
#define MAXR 2048

/* Each column's count, sum and sum of squares, the first MAXR rows, the
 * uniform column's histogram, and the other columns' checks. */
typedef struct stats {
    size_t n, ncols;
    double sum[MAXC], sq[MAXC], cross; /* cross: the product of columns 0 and 1, summed */
    double t[MAXR], v[MAXR][MAXC];
    int hist_col;
    long hist[20];
    int ok_range; /* every value of every column within its domain */
} stats;

static void on_row(double t, const double *c, size_t n, void *ud)
{
    stats *s = ud;
    if (s->n < MAXR) {
        s->t[s->n] = t;
        for (size_t i = 0; i < n && i < MAXC; i++)
            s->v[s->n][i] = c[i];
    }
    for (size_t i = 0; i < n && i < MAXC; i++) {
        s->sum[i] += c[i];
        s->sq[i] += c[i] * c[i];
    }
    if (n > 1)
        s->cross += c[0] * c[1];
    if (s->hist_col >= 0) {
        double u = c[s->hist_col];
        if (u < 0 || u >= 1)
            s->ok_range = 0;
        else
            s->hist[(int)(u * 20)]++;
    }
    s->ncols = n;
    s->n++;
}

static void run_stats(sd_model *m, stats *s, int hist_col)
{
    memset(s, 0, sizeof *s);
    s->hist_col = hist_col;
    s->ok_range = 1;
    eddy_error err = {0};
    if (sd_run(m, on_row, s, NULL, &err))
        fail_msg("run failed: %s", err.msg);
}

static int col(const sd_model *m, const char *name)
{
    int c = sd_col_find(m, name);
    if (c < 0)
        fail_msg("no column %s", name);
    return c;
}

/* The sample mean lies within 5 standard errors of the distribution's
 * mean, and the sample variance within 5 standard errors of its variance
 * (the variance of a sample variance is (mu4 - sigma^4) / n; mu4 =
 * kurtosis * sigma^4). */
static void expect_moments(const stats *s, int c, const char *what, double mean, double var, double kurtosis)
{
    double n = (double)s->n;
    double m = s->sum[c] / n, v = (s->sq[c] - n * m * m) / (n - 1);
    double se_mean = sqrt(var / n), se_var = sqrt((kurtosis - 1) * var * var / n);
    if (fabs(m - mean) > 5 * se_mean)
        fail_msg("%s: sample mean %.6g, theory %.6g, more than 5 standard errors (%.3g) apart", what, m, mean, se_mean);
    if (fabs(v - var) > 5 * se_var)
        fail_msg("%s: sample variance %.6g, theory %.6g, more than 5 standard errors (%.3g) apart", what, v, var, se_var);
}

/* ---- the distributions ---- */

#define NSTEPS 20000

/* 20,000 draws of each: moments against theory, RANDOM's histogram
 * against a uniform one (chi-square), the values in their domains. */
static void test_distributions_match_theory(void **state)
{
    (void)state;
    eddy_error err;
    sd_model *m = xm_load(XM_SPECS(1, 20000, 1, "Euler"),
                       "<aux name=\"u\"><eqn>RANDOM(0, 1)</eqn></aux>"
                       "<aux name=\"unif\"><eqn>RANDOM(2, 5)</eqn></aux>"
                       "<aux name=\"norm\"><eqn>NORMAL(10, 2)</eqn></aux>"
                       "<aux name=\"expo\"><eqn>EXPRND(2)</eqn></aux>"
                       "<aux name=\"pois\"><eqn>POISSON(3)</eqn></aux>"
                       "<aux name=\"poisbig\"><eqn>POISSON(50)</eqn></aux>"
                       "<aux name=\"logn\"><eqn>LOGNORMAL(10, 1)</eqn></aux>"
                       "<aux name=\"lognwide\"><eqn>LOGNORMAL(1, 0.5)</eqn></aux>",
                       &err);
    assert_non_null(m);
    stats *s = calloc(1, sizeof *s);
    run_stats(m, s, col(m, "u"));
    assert_int_equal(s->n, NSTEPS);
    assert_true(s->ok_range);
    expect_moments(s, col(m, "u"), "RANDOM(0, 1)", 0.5, 1.0 / 12, 1.8);
    expect_moments(s, col(m, "unif"), "RANDOM(2, 5)", 3.5, 9.0 / 12, 1.8);
    expect_moments(s, col(m, "norm"), "NORMAL(10, 2)", 10, 4, 3);
    expect_moments(s, col(m, "expo"), "EXPRND(2)", 2, 4, 9);
    expect_moments(s, col(m, "pois"), "POISSON(3)", 3, 3, 3 + 1.0 / 3);
    expect_moments(s, col(m, "poisbig"), "POISSON(50)", 50, 50, 3 + 1.0 / 50);
    /* LOGNORMAL's arguments are the value's own mean and standard
     * deviation; w = 1 + cv^2, kurtosis w^4 + 2w^3 + 3w^2 - 3 */
    double w = 1.01;
    expect_moments(s, col(m, "logn"), "LOGNORMAL(10, 1)", 10, 1, w * w * w * w + 2 * w * w * w + 3 * w * w - 3);
    w = 1.25;
    expect_moments(s, col(m, "lognwide"), "LOGNORMAL(1, 0.5)", 1, 0.25, w * w * w * w + 2 * w * w * w + 3 * w * w - 3);
    /* chi-square of 20 equal bins, 19 degrees of freedom: 43.82 is its
     * 0.999 quantile */
    double chi = 0, expect = NSTEPS / 20.0;
    for (int i = 0; i < 20; i++)
        chi += (s->hist[i] - expect) * (s->hist[i] - expect) / expect;
    if (chi >= 43.82)
        fail_msg("RANDOM(0, 1): chi-square %.2f over 20 bins, above the 0.1%% critical value 43.82", chi);
    /* the domains: RANDOM in [min, max), POISSON whole and >= 0, EXPRND >= 0,
     * LOGNORMAL > 0 */
    for (size_t i = 0; i < MAXR; i++) {
        double un = s->v[i][col(m, "unif")], p = s->v[i][col(m, "pois")], e = s->v[i][col(m, "expo")];
        assert_true(un >= 2 && un < 5);
        assert_true(p >= 0 && p == floor(p));
        assert_true(s->v[i][col(m, "poisbig")] == floor(s->v[i][col(m, "poisbig")]));
        assert_true(e >= 0);
        assert_true(s->v[i][col(m, "logn")] > 0);
    }
    free(s);
    sd_free(m);
}

/* Two calls draw from independent streams: two NORMAL(0, 1) in two
 * variables are uncorrelated (|r| within 5 / sqrt(n)), and so are two in
 * one equation; and no call's series equals another's. */
static void test_calls_are_independent(void **state)
{
    (void)state;
    eddy_error err;
    sd_model *m = xm_load(XM_SPECS(1, 20000, 1, "Euler"),
                       "<aux name=\"a\"><eqn>NORMAL(0, 1)</eqn></aux>"
                       "<aux name=\"b\"><eqn>NORMAL(0, 1)</eqn></aux>"
                       "<aux name=\"both\"><eqn>NORMAL(0, 1) - NORMAL(0, 1)</eqn></aux>",
                       &err);
    assert_non_null(m);
    stats *s = calloc(1, sizeof *s);
    run_stats(m, s, -1);
    double n = (double)s->n;
    double ma = s->sum[0] / n, mb = s->sum[1] / n;
    double r = (s->cross / n - ma * mb) / sqrt((s->sq[0] / n - ma * ma) * (s->sq[1] / n - mb * mb));
    if (fabs(r) > 5 / sqrt(n))
        fail_msg("a and b correlate: r = %.4f", r);
    /* the difference of two independent N(0, 1) is N(0, 2): had the two
     * calls of one equation shared a draw it would be 0 throughout */
    expect_moments(s, 2, "NORMAL(0, 1) - NORMAL(0, 1)", 0, 2, 3);
    int same = 0;
    for (size_t i = 0; i < MAXR; i++)
        same += s->v[i][0] == s->v[i][1];
    assert_int_equal(same, 0);
    free(s);
    sd_free(m);
}

/* Each element of an apply-to-all array draws from its own stream. */
static void test_array_elements_draw_apart(void **state)
{
    (void)state;
    static const char doc[] =
        "<?xml version=\"1.0\"?>\n<xmile version=\"1.0\" xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">\n"
        "<header><vendor>t</vendor><product>t</product></header>\n" XM_SPECS(0, 50, 1, "Euler") "\n"
        "<dimensions><dim name=\"D\" size=\"3\"/></dimensions>\n"
        "<model><variables><aux name=\"noise\"><dimensions><dim name=\"D\"/></dimensions>"
        "<eqn>NORMAL(0, 1)</eqn></aux></variables></model></xmile>\n";
    eddy_error err = {0};
    sd_model *m = sd_load_string(doc, strlen(doc), "t.xmile", NULL, 0, &err);
    if (!m)
        fail_msg("load: %s", err.msg);
    stats *s = calloc(1, sizeof *s);
    run_stats(m, s, -1);
    assert_int_equal(s->ncols, 3);
    int same = 0;
    for (size_t i = 0; i < s->n; i++)
        same += s->v[i][0] == s->v[i][1] || s->v[i][1] == s->v[i][2] || s->v[i][0] == s->v[i][2];
    assert_int_equal(same, 0);
    free(s);
    sd_free(m);
}

/* A seed argument fixes the call's stream whatever the run seed, and two
 * calls with one seed give one sequence ("if seed is provided, the
 * sequence of numbers will always be identical"); a call without one
 * follows the run seed. */
static void test_seed_argument_reproduces(void **state)
{
    (void)state;
    eddy_error err;
    const char *vars = "<aux name=\"fixed\"><eqn>NORMAL(0, 1, 42)</eqn></aux>"
                       "<aux name=\"again\"><eqn>NORMAL(0, 1, 42)</eqn></aux>"
                       "<aux name=\"free\"><eqn>NORMAL(0, 1)</eqn></aux>";
    sd_model *m = xm_load(XM_SPECS(0, 100, 1, "Euler"), vars, &err);
    assert_non_null(m);
    assert_true(sd_seed(m) == 1);
    stats *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    run_stats(m, a, -1);
    sd_set_seed(m, 99);
    run_stats(m, b, -1);
    int free_differs = 0;
    for (size_t i = 0; i < a->n; i++) {
        assert_true(a->v[i][0] == b->v[i][0]);
        assert_true(a->v[i][0] == a->v[i][1]);
        free_differs += a->v[i][2] != b->v[i][2];
    }
    assert_int_equal(free_differs, (int)a->n);
    /* back to seed 1: the same numbers again, to the bit */
    sd_set_seed(m, 1);
    run_stats(m, b, -1);
    assert_memory_equal(a->v, b->v, a->n * sizeof a->v[0]);
    free(a);
    free(b);
    sd_free(m);
}

/* A call's stream is its variable's and its place in that equation, not
 * its place in the file: a variable added before it leaves its draws as
 * they were. */
static void test_adding_a_variable_keeps_draws(void **state)
{
    (void)state;
    eddy_error err;
    sd_model *m1 = xm_load(XM_SPECS(0, 50, 1, "Euler"), "<aux name=\"demand\"><eqn>EXPRND(5) + RANDOM(0, 1)</eqn></aux>", &err);
    sd_model *m2 = xm_load(XM_SPECS(0, 50, 1, "Euler"),
                        "<aux name=\"extra\"><eqn>NORMAL(0, 1)</eqn></aux>"
                        "<aux name=\"demand\"><eqn>EXPRND(5) + RANDOM(0, 1)</eqn></aux>",
                        &err);
    assert_non_null(m1);
    assert_non_null(m2);
    stats *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    run_stats(m1, a, -1);
    run_stats(m2, b, -1);
    int d1 = col(m1, "demand"), d2 = col(m2, "demand");
    for (size_t i = 0; i < a->n; i++)
        assert_true(a->v[i][d1] == b->v[i][d2]);
    free(a);
    free(b);
    sd_free(m1);
    sd_free(m2);
}

/* One draw per DT: under RK4 a stock fed by RANDOM gains exactly dt times
 * the value the row shows (the four stages of a step see one draw), and
 * the flow's value changes from step to step. */
static void test_one_draw_per_dt_under_rk4(void **state)
{
    (void)state;
    eddy_error err;
    sd_model *m = xm_load(XM_SPECS(0, 10, 0.25, "RK4"),
                       "<stock name=\"S\"><eqn>0</eqn><inflow>f</inflow></stock>"
                       "<flow name=\"f\"><eqn>RANDOM(0, 4)</eqn></flow>",
                       &err);
    assert_non_null(m);
    stats *s = calloc(1, sizeof *s);
    run_stats(m, s, -1);
    int S = col(m, "S"), f = col(m, "f");
    assert_int_equal(s->n, 41);
    int changes = 0;
    for (size_t i = 0; i + 1 < s->n; i++) {
        assert_within_rel(s->v[i + 1][S] - s->v[i][S], 0.25 * s->v[i][f], 1e-12);
        changes += s->v[i + 1][f] != s->v[i][f];
    }
    assert_int_equal(changes, 40);
    free(s);
    sd_free(m);
}

/* The same model and seed give a byte-identical CSV; another seed another. */
static void test_run_is_byte_identical(void **state)
{
    (void)state;
    const char *model = "tests/data/sd/noisy-population.xmile";
    char a[128], b[128], c[128];
    tmp_path(a, sizeof a, "a.csv");
    tmp_path(b, sizeof b, "b.csv");
    tmp_path(c, sizeof c, "c.csv");
    run_result r = run("run --seed 5 -o %s %s", a, model);
    EXPECT_STATUS(r, 0, "run --seed 5");
    run_free(&r);
    r = run("run --seed 5 -o %s %s", b, model);
    EXPECT_STATUS(r, 0, "run --seed 5 again");
    run_free(&r);
    r = run("run --seed 6 -o %s %s", c, model);
    EXPECT_STATUS(r, 0, "run --seed 6");
    run_free(&r);
    size_t na, nb, nc;
    char *ta = slurp(a, &na), *tb = slurp(b, &nb), *tc = slurp(c, &nc);
    assert_non_null(ta);
    assert_true(na > 1000);
    assert_int_equal(na, nb);
    assert_memory_equal(ta, tb, na);
    assert_true(nc != na || memcmp(ta, tc, na) != 0);
    free(ta);
    free(tb);
    free(tc);
    /* the JSON summary names the seed; a bad seed is a usage error */
    r = run("run --json --seed 77 %s", model);
    EXPECT_STATUS(r, 0, "run --json --seed 77");
    EXPECT_HAS(r.out, "\"seed\": 77");
    run_free(&r);
    /* sweep takes --seed for every run: the same seed the same table */
    run_result s1 = run("sweep --x lifetime=4..10 --points 3 --seed 9 %s", model),
               s2 = run("sweep --x lifetime=4..10 --points 3 --seed 9 %s", model),
               s3 = run("sweep --x lifetime=4..10 --points 3 --seed 10 %s", model);
    EXPECT_STATUS(s1, 0, "sweep --seed 9");
    EXPECT_STATUS(s3, 0, "sweep --seed 10");
    assert_string_equal(s1.out, s2.out);
    assert_true(strcmp(s1.out, s3.out) != 0);
    run_free(&s1);
    run_free(&s2);
    run_free(&s3);
    r = run("run --seed -3 %s", model);
    EXPECT_STATUS(r, 2, "run --seed -3");
    EXPECT_HAS(r.err, "--seed expects a non-negative whole number");
    run_free(&r);
}

/* eddy loops on a model with NORMAL: the same output twice, the noise's
 * arrow + (the draw is held while the input is perturbed), and --seed
 * accepted. */
static void test_loops_with_noise_are_deterministic(void **state)
{
    (void)state;
    const char *model = "tests/data/sd/noisy-population.xmile";
    run_result r1 = run("loops --dominance %s", model), r2 = run("loops --dominance %s", model);
    EXPECT_STATUS(r1, 0, "loops --dominance");
    EXPECT_STATUS(r2, 0, "loops --dominance again");
    assert_string_equal(r1.out, r2.out);
    EXPECT_HAS(r1.out, "R1 reinforcing: Population");
    EXPECT_HAS(r1.out, "B2 balancing: Population");
    run_free(&r1);
    run_free(&r2);
    r1 = run("loops --json --seed 3 %s", model);
    EXPECT_STATUS(r1, 0, "loops --json --seed 3");
    EXPECT_HAS(r1.out, "birth_rate");
    run_free(&r1);
}

/* ---- FORCST, HISTORY, NPV ---- */

/* FORCST of a ramp x = a + b t: the smooth S of TREND lags it, with Euler
 * steps S_k = x_k - bT (1 - (1 - dt/T)^k) from S_0 = x_0 (initial trend
 * 0), and FORCST = x (1 + h (x - S) / (S T)).  With the initial trend
 * b / (x_0 - bT) the smooth starts at its steady lag: S = x - bT at every
 * step. */
static void test_forcst_of_a_ramp(void **state)
{
    (void)state;
    eddy_error err;
    const double a = 20, b = 2, T = 4, h = 3, dt = 0.5;
    sd_model *m = xm_load(XM_SPECS(0, 30, 0.5, "Euler"),
                       "<aux name=\"x\"><eqn>20 + 2 * TIME</eqn></aux>"
                       "<aux name=\"f\"><eqn>FORCST(x, 4, 3)</eqn></aux>"
                       "<aux name=\"g\"><eqn>FORCST(x, 4, 3, 2 / (20 - 8))</eqn></aux>",
                       &err);
    assert_non_null(m);
    stats *s = calloc(1, sizeof *s);
    run_stats(m, s, -1);
    int F = col(m, "f"), G = col(m, "g");
    for (size_t k = 0; k < s->n; k++) {
        double t = s->t[k], x = a + b * t;
        double S = x - b * T * (1 - pow(1 - dt / T, (double)k));
        assert_within_rel(s->v[k][F], x * (1 + h * (x - S) / (S * T)), 1e-9);
        S = x - b * T;
        assert_within_rel(s->v[k][G], x * (1 + h * b / S), 1e-9);
    }
    free(s);
    sd_free(m);
}

/* HISTORY(x, t) is x at time t: exact at the steps, linear between them;
 * of a stock too. */
static void test_history(void **state)
{
    (void)state;
    eddy_error err;
    sd_model *m = xm_load(XM_SPECS(0, 10, 0.5, "Euler"),
                       "<aux name=\"x\"><eqn>TIME * TIME</eqn></aux>"
                       "<aux name=\"back2\"><eqn>HISTORY(x, MAX(TIME - 2, 0))</eqn></aux>"
                       "<aux name=\"between\"><eqn>HISTORY(x, MAX(TIME - 0.25, 0))</eqn></aux>"
                       "<aux name=\"first\"><eqn>HISTORY(S, 0)</eqn></aux>"
                       "<stock name=\"S\"><eqn>7</eqn><inflow>grow</inflow></stock>"
                       "<flow name=\"grow\"><eqn>1</eqn></flow>",
                       &err);
    assert_non_null(m);
    stats *s = calloc(1, sizeof *s);
    run_stats(m, s, -1);
    int B = col(m, "back2"), W = col(m, "between"), F = col(m, "first");
    assert_int_equal(s->n, 21);
    for (size_t k = 0; k < s->n; k++) {
        double t = s->t[k], p = t > 2 ? t - 2 : 0;
        assert_within_rel(s->v[k][B], p * p, 1e-12);
        if (k > 0)
            assert_within_rel(s->v[k][W], ((t - 0.5) * (t - 0.5) + t * t) / 2, 1e-12);
        assert_within_rel(s->v[k][F], 7, 1e-12);
    }
    free(s);
    sd_free(m);
}

/* NPV of a constant stream s at rate r, dt 1: the present value of an
 * annuity due of k + 1 payments, s (1 + r) (1 - (1 + r)^-(k+1)) / r; with
 * an initial value and a factor, (initial + that) * factor; at dt 0.25 the
 * discrete rate is r dt per step, q = 1 / (1 + r dt). */
static void test_npv_annuity(void **state)
{
    (void)state;
    eddy_error err;
    sd_model *m = xm_load(XM_SPECS(0, 20, 1, "Euler"),
                       "<aux name=\"pv\"><eqn>NPV(100, 0.1)</eqn></aux>"
                       "<aux name=\"pv2\"><eqn>NPV(100, 0.1, 50, 2)</eqn></aux>",
                       &err);
    assert_non_null(m);
    stats *s = calloc(1, sizeof *s);
    run_stats(m, s, -1);
    for (size_t k = 0; k < s->n; k++) {
        double annuity = 100 * 1.1 * (1 - pow(1.1, -(double)(k + 1))) / 0.1;
        assert_within_rel(s->v[k][0], annuity, 1e-12);
        assert_within_rel(s->v[k][1], 2 * (50 + annuity), 1e-12);
    }
    /* toward s (1 + r) / r as the horizon grows */
    assert_within_rel(s->v[20][0], 1100 * (1 - pow(1.1, -21)), 1e-12);
    sd_free(m);
    m = xm_load(XM_SPECS(0, 5, 0.25, "Euler"), "<aux name=\"pv\"><eqn>NPV(100, 0.1)</eqn></aux>", &err);
    assert_non_null(m);
    run_stats(m, s, -1);
    double q = 1 / (1 + 0.1 * 0.25);
    for (size_t k = 0; k < s->n; k++)
        assert_within_rel(s->v[k][0], 100 * 0.25 * (1 - pow(q, (double)(k + 1))) / (1 - q), 1e-12);
    free(s);
    sd_free(m);
}

/* ---- errors ---- */

/* Every call below is on line 6 of its document. */
static void expect_error(const char *vars, int col, const char *needle)
{
    xm_expect_error(XM_SPECS(0, 1, 1, "Euler"), vars, 6, col, needle);
}

static void expect_run_error(const char *vars, const char *needle)
{
    eddy_error err = {0};
    sd_model *m = xm_load(XM_SPECS(0, 5, 1, "Euler"), vars, &err);
    assert_non_null(m);
    if (sd_run(m, NULL, NULL, NULL, &err) == 0)
        fail_msg("ran, expected an error containing \"%s\"", needle);
    if (!strstr(err.msg, needle))
        fail_msg("error \"%s\" does not contain \"%s\"", err.msg, needle);
    sd_free(m);
}

static void test_malformed_calls(void **state)
{
    (void)state;
    expect_error("<aux name=\"a\"><eqn>NORMAL(1)</eqn></aux>", 20, "NORMAL takes 2 to 3 arguments, not 1");
    expect_error("<aux name=\"a\"><eqn>EXPRND(1, 2, 3)</eqn></aux>", 20, "EXPRND takes 1 to 2 arguments, not 3");
    expect_error("<aux name=\"a\"><eqn>NORMAL(0, -1)</eqn></aux>", 20, "NORMAL is called with a negative standard deviation");
    expect_error("<aux name=\"a\"><eqn>LOGNORMAL(0, 1)</eqn></aux>", 20, "LOGNORMAL is called with a mean that is not above 0");
    expect_error("<aux name=\"a\"><eqn>RANDOM(5, 1)</eqn></aux>", 20, "a maximum below its minimum");
    expect_error("<aux name=\"a\"><eqn>POISSON(-2)</eqn></aux>", 20, "POISSON is called with a negative mean");
    expect_error("<aux name=\"a\"><eqn>1 + NORMAL(0, 1, b)</eqn></aux><aux name=\"b\"><eqn>3</eqn></aux>", 37,
                 "NORMAL: the seed must be a whole number from 0 to 4294967295");
    expect_error("<aux name=\"a\"><eqn>RANDOM(0, 1, 2.5)</eqn></aux>", 0, "the seed must be a whole number");
    expect_error("<aux name=\"a\"><eqn>HISTORY(TIME)</eqn></aux>", 20, "HISTORY takes 2 arguments, not 1");
    expect_error("<aux name=\"a\"><eqn>NPV(1)</eqn></aux>", 20, "NPV takes 2 to 4 arguments, not 1");
    expect_error("<aux name=\"a\"><eqn>FORCST(1, 2)</eqn></aux>", 20, "FORCST takes 3 to 4 arguments, not 2");
    expect_error("<aux name=\"a\"><eqn>TRIANGULAR(0, 1, 2)</eqn></aux>", 20, "function TRIANGULAR is not supported");
    /* computed arguments are checked when the call is evaluated */
    expect_run_error("<aux name=\"sd\"><eqn>2 - TIME</eqn></aux><aux name=\"noisy\"><eqn>NORMAL(0, sd)</eqn></aux>",
                     "at time 3: noisy calls NORMAL with a negative standard deviation");
    expect_run_error("<aux name=\"x\"><eqn>TIME</eqn></aux><aux name=\"ahead\"><eqn>HISTORY(x, TIME + 1)</eqn></aux>",
                     "at time 0: ahead asks HISTORY for time 1, after the current time");
    expect_run_error("<aux name=\"x\"><eqn>TIME</eqn></aux><aux name=\"early\"><eqn>HISTORY(x, TIME - 3)</eqn></aux>",
                     "at time 0: early asks HISTORY for time -3, before the start time 0");
    /* the files under tests/data/bad, through the command */
    run_result r = run("run tests/data/bad/xmile_normal_negative_sd.xmile");
    EXPECT_STATUS(r, 2, "run xmile_normal_negative_sd.xmile");
    EXPECT_HAS(r.err, "tests/data/bad/xmile_normal_negative_sd.xmile:7:");
    EXPECT_HAS(r.err, "error: NORMAL is called with a negative standard deviation");
    run_free(&r);
    r = run("run tests/data/bad/xmile_history_future.xmile");
    EXPECT_STATUS(r, 2, "run xmile_history_future.xmile");
    EXPECT_HAS(r.err, "tests/data/bad/xmile_history_future.xmile:9:");
    EXPECT_HAS(r.err, "at time 0: ahead asks HISTORY for time 1, after the current time");
    run_free(&r);
}

int main(void)
{
    eddy = eddy_path();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distributions_match_theory),
        cmocka_unit_test(test_calls_are_independent),
        cmocka_unit_test(test_array_elements_draw_apart),
        cmocka_unit_test(test_seed_argument_reproduces),
        cmocka_unit_test(test_adding_a_variable_keeps_draws),
        cmocka_unit_test(test_one_draw_per_dt_under_rk4),
        cmocka_unit_test(test_run_is_byte_identical),
        cmocka_unit_test(test_loops_with_noise_are_deterministic),
        cmocka_unit_test(test_forcst_of_a_ramp),
        cmocka_unit_test(test_history),
        cmocka_unit_test(test_npv_annuity),
        cmocka_unit_test(test_malformed_calls),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
