/* test_sd.c -- the XMILE engine: integrators against closed forms, the
 * stateful builtins against their definitions, and every error a user can
 * make named with its place. */
#include "testutil.h"
#include "testxm.h"

#include <math.h>

#include "../src/sd/sd.h"

typedef struct rows {
    size_t n, ncols;
    double t[4096];
    double v[4096][8];
} rows;

static void on_row(double t, const double *c, size_t n, void *ud)
{
    rows *r = ud;
    if (r->n < 4096) {
        r->t[r->n] = t;
        for (size_t i = 0; i < n && i < 8; i++)
            r->v[r->n][i] = c[i];
        r->ncols = n;
        r->n++;
    }
}

static void run_ok(sd_model *m, rows *r)
{
    eddy_error err = {0};
    memset(r, 0, sizeof *r);
    int rc = sd_run(m, on_row, r, NULL, &err);
    if (rc)
        fail_msg("run failed: %s", err.msg);
}

static const char decay[] = "<stock name=\"Stock\"><eqn>100</eqn><outflow>drain</outflow></stock>"
                            "<flow name=\"drain\"><eqn>Stock * rate</eqn></flow>"
                            "<aux name=\"rate\"><eqn>0.1</eqn></aux>";

/* Exponential decay: Euler is (1 - k dt)^n exactly; RK4 agrees with
 * e^(-kt) to its fourth-order error. */
static void test_integrators_against_theory(void **state)
{
    (void)state;
    eddy_error err;
    rows r;
    sd_model *m = xm_load(XM_SPECS(0, 10, 0.5, "Euler"), decay, &err);
    assert_non_null(m);
    run_ok(m, &r);
    assert_int_equal(r.n, 21);
    int s = sd_col_find(m, "stock");
    assert_true(s >= 0);
    assert_within_rel(r.v[20][s], 100 * pow(1 - 0.1 * 0.5, 20), 1e-12);
    sd_set_method(m, SD_RK4);
    run_ok(m, &r);
    assert_within_rel(r.v[20][s], 100 * exp(-1.0), 1e-6);
    sd_set_method(m, SD_RK2);
    run_ok(m, &r);
    /* Heun's method: the growth factor per step is 1 - h + h^2/2 */
    double h = 0.05;
    assert_within_rel(r.v[20][s], 100 * pow(1 - h + h * h / 2, 20), 1e-12);
    sd_free(m);
}

/* SMTH1 of a step is 1 - e^(-t/T) under RK4; DELAY1 conserves what
 * enters; DELAY is the input shifted by the delay time. */
static void test_stateful_builtins(void **state)
{
    (void)state;
    eddy_error err;
    rows r;
    sd_model *m = xm_load(XM_SPECS(0, 8, 0.125, "RK4"),
                       "<aux name=\"in\"><eqn>STEP(1, 0)</eqn></aux>"
                       "<aux name=\"smooth\"><eqn>SMTH1(in, 2, 0)</eqn></aux>"
                       "<aux name=\"late\"><eqn>DELAY(TIME, 3, -1)</eqn></aux>"
                       "<aux name=\"prev\"><eqn>PREVIOUS(TIME, 42)</eqn></aux>"
                       "<aux name=\"first\"><eqn>INIT(TIME + 5)</eqn></aux>",
                       &err);
    if (!m)
        fail_msg("%s", err.msg);
    run_ok(m, &r);
    int sm = sd_col_find(m, "smooth"), late = sd_col_find(m, "late"), prev = sd_col_find(m, "prev"),
        first = sd_col_find(m, "first");
    assert_within_rel(r.v[r.n - 1][sm], 1 - exp(-8.0 / 2), 1e-5);
    assert_within_rel(r.v[8 * 5][late], 5 - 3, 1e-12);     /* t = 5 */
    assert_within_rel(r.v[8 * 2][late], -1, 1e-12);        /* before 3: the initial value */
    assert_within_rel(r.v[0][prev], 42, 1e-12);
    assert_within_rel(r.v[8][prev], 1 - 0.125, 1e-12);
    assert_within_rel(r.v[r.n - 1][first], 5, 1e-12);
    sd_free(m);
}

static void test_graphical_functions(void **state)
{
    (void)state;
    eddy_error err;
    rows r;
    sd_model *m = xm_load(XM_SPECS(0, 4, 1, "Euler"),
                       "<aux name=\"c\"><eqn>TIME</eqn><gf><xscale min=\"1\" max=\"3\"/><ypts>10,20,40</ypts></gf></aux>"
                       "<aux name=\"e\"><eqn>TIME</eqn><gf type=\"extrapolate\"><xpts>1,2</xpts><ypts>10,20</ypts></gf></aux>"
                       "<aux name=\"d\"><eqn>TIME - 0.5</eqn><gf type=\"discrete\"><xpts>0,2,3</xpts><ypts>1,2,3</ypts></gf></aux>"
                       "<gf name=\"table\"><xpts>0,4</xpts><ypts>0,8</ypts></gf>"
                       "<aux name=\"named\"><eqn>table(TIME) + LOOKUP(table, 1)</eqn></aux>",
                       &err);
    if (!m)
        fail_msg("%s", err.msg);
    run_ok(m, &r);
    int c = sd_col_find(m, "c"), e = sd_col_find(m, "e"), d = sd_col_find(m, "d"), nm = sd_col_find(m, "named");
    double want_c[] = {10, 10, 20, 40, 40}, want_e[] = {0, 10, 20, 30, 40}, want_d[] = {1, 1, 1, 2, 3};
    for (int i = 0; i <= 4; i++) {
        assert_within_rel(r.v[i][c], want_c[i], 1e-12);
        assert_within_rel(r.v[i][e] + 1, want_e[i] + 1, 1e-12);
        assert_within_rel(r.v[i][d], want_d[i], 1e-12);
        assert_within_rel(r.v[i][nm], 2.0 * i + 2, 1e-12);
    }
    sd_free(m);
}

static void test_arrays(void **state)
{
    (void)state;
    static const char doc[] =
        "<?xml version=\"1.0\"?><xmile version=\"1.0\" xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">"
        "<header><vendor>t</vendor><product>t</product></header>" XM_SPECS(0, 2, 1, "Euler")
        "<dimensions><dim name=\"Region\"><elem name=\"North\"/><elem name=\"South\"/></dim></dimensions>"
        "<model><variables>"
        "<aux name=\"growth\"><dimensions><dim name=\"Region\"/></dimensions>"
        "<element subscript=\"North\"><eqn>1</eqn></element><element subscript=\"South\"><eqn>2</eqn></element></aux>"
        "<stock name=\"pop\"><dimensions><dim name=\"Region\"/></dimensions><eqn>10</eqn><inflow>births</inflow></stock>"
        "<flow name=\"births\"><dimensions><dim name=\"Region\"/></dimensions><eqn>growth[Region] * 3</eqn></flow>"
        "<aux name=\"total\"><eqn>SUM(pop[*])</eqn></aux>"
        "<aux name=\"south only\"><eqn>pop[South]</eqn></aux>"
        "</variables></model></xmile>";
    eddy_error err;
    rows r;
    sd_model *m = sd_load_string(doc, strlen(doc), "a.xmile", NULL, 0, &err);
    if (!m)
        fail_msg("%s", err.msg);
    run_ok(m, &r);
    assert_int_equal(sd_col_find(m, "pop[north]") >= 0, 1);
    int tot = sd_col_find(m, "total"), so = sd_col_find(m, "South Only");
    assert_within_rel(r.v[2][tot], 20 + 2 * (3 + 6), 1e-12);
    assert_within_rel(r.v[2][so], 10 + 2 * 6, 1e-12);
    sd_free(m);
}

static void test_set_overrides_a_constant(void **state)
{
    (void)state;
    char *s = xm(XM_SPECS(0, 10, 0.5, "Euler"), decay);
    sd_override ov = {"Rate", 0.2};
    eddy_error err;
    sd_model *m = sd_load_string(s, strlen(s), "t.xmile", &ov, 1, &err);
    assert_non_null(m);
    rows r;
    run_ok(m, &r);
    assert_within_rel(r.v[20][sd_col_find(m, "stock")], 100 * pow(0.9, 20), 1e-12);
    sd_free(m);
    sd_override bad = {"drain", 1};
    assert_null(sd_load_string(s, strlen(s), "t.xmile", &bad, 1, &err));
    assert_non_null(strstr(err.msg, "not a constant"));
    sd_override missing = {"rat", 1};
    assert_null(sd_load_string(s, strlen(s), "t.xmile", &missing, 1, &err));
    assert_non_null(strstr(err.msg, "did you mean \"rate\""));
    free(s);
}

static void test_errors_name_their_place(void **state)
{
    (void)state;
    const char *ok = XM_SPECS(0, 1, 1, "Euler");
    /* the variables start on line 6 of the generated file */
    xm_expect_error(ok, "<aux name=\"a\"><eqn>Stok * 2</eqn></aux><stock name=\"Stock\"><eqn>1</eqn></stock>", 6, 20,
                 "unknown variable \"Stok\"; did you mean \"Stock\"");
    xm_expect_error(ok, "<aux name=\"a\"><eqn>b + 1</eqn></aux>\n<aux name=\"b\"><eqn>c</eqn></aux>\n<aux name=\"c\"><eqn>a * 2</eqn></aux>",
                 6, 20, "circular definition: a -> b -> c -> a");
    xm_expect_error(ok, "<aux name=\"a\"><eqn>GAMMA(2, 1)</eqn></aux>", 6, 20, "function GAMMA is not supported");
    xm_expect_error(ok, "<aux name=\"a\"><eqn>FROB(1)</eqn></aux>", 6, 20, "unknown function FROB");
    xm_expect_error(ok, "<aux name=\"a\"><eqn>1 +</eqn></aux>", 6, 23, "expected a value");
    xm_expect_error(ok, "<aux name=\"a\"><eqn>SMTH1(1)</eqn></aux>", 6, 20, "SMTH1 takes 2 to 3 arguments, not 1");
    xm_expect_error(XM_SPECS(0, 1, 0, "Euler"), "<aux name=\"a\"><eqn>1</eqn></aux>", 4, 0, "dt must be greater than 0");
    xm_expect_error(XM_SPECS(5, 1, 1, "Euler"), "<aux name=\"a\"><eqn>1</eqn></aux>", 4, 0, "stop (1) is before start (5)");
    xm_expect_error(ok, "<aux name=\"a\"><eqn>1</eqn></aux><aux name=\"A\"><eqn>2</eqn></aux>", 6, 0, "defined twice");
    xm_expect_error(ok, "<aux name=\"a\"><eqn>1</eqn>", 0, 0, "XML is not well formed");
    /* found by fuzz_xmile: the second <gf> replaced the first, which leaked */
    xm_expect_error(ok,
                 "<aux name=\"a\"><eqn>0</eqn>\n<gf><ypts>0,1</ypts><xscale min=\"0\" max=\"1\"/></gf>\n"
                 "<gf><ypts>1,0</ypts><xscale min=\"0\" max=\"1\"/></gf></aux>",
                 8, 1, "a second <gf> in one variable");
    eddy_error err = {0};
    assert_null(sd_load("tests/data/bad/xmile_two_gf.xmile", NULL, 0, &err));
    assert_non_null(strstr(err.msg, "a second <gf>"));
    assert_int_equal(err.line, 13);
}

static void test_malformed_xml_line_and_column(void **state)
{
    (void)state;
    static const char doc[] = "<xmile>\n<sim_specs>\n<start>0</start>\n<stop>1</stop oops>\n</sim_specs></xmile>\n";
    eddy_error err;
    assert_null(sd_load_string(doc, strlen(doc), "bad.xmile", NULL, 0, &err));
    assert_int_equal(err.line, 4);
    assert_true(err.col > 1);
    assert_non_null(strstr(err.msg, "not well formed"));
}

/* Macros (XMILE 1.0 section 3.6) of the expression form: parameters with
 * defaults, a macro calling a macro, arguments resolved where called. */
static void test_macros(void **state)
{
    (void)state;
    static const char doc[] =
        "<?xml version=\"1.0\"?>\n<xmile version=\"1.0\" xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">\n"
        "<header><vendor>t</vendor><product>t</product></header>\n"
        "<sim_specs method=\"Euler\"><start>0</start><stop>2</stop><dt>1</dt></sim_specs>\n"
        "<macro name=\"EXPRESSION MACRO\"><parm>input</parm><parm>parameter</parm><eqn>input * parameter</eqn></macro>\n"
        "<macro name=\"LINEAR\"><parm>x</parm><parm default=\"2\">m</parm><parm default=\"1 + 2\">b</parm>"
        "<eqn>m * x + b</eqn></macro>\n"
        "<macro name=\"twice\"><parm>v</parm><eqn>LINEAR(v, 2, 0)</eqn></macro>\n"
        "<model><variables>\n"
        "<aux name=\"macro input\"><eqn>5</eqn></aux><aux name=\"macro parameter\"><eqn>1.1</eqn></aux>\n"
        "<aux name=\"macro output\"><eqn>EXPRESSION MACRO(macro_input, macro_parameter)</eqn></aux>\n"
        "<aux name=\"lin\"><eqn>LINEAR(TIME)</eqn></aux><aux name=\"tw\"><eqn>twice(macro_input + 1)</eqn></aux>\n"
        "</variables></model></xmile>\n";
    eddy_error err;
    sd_model *m = sd_load_string(doc, strlen(doc), "t.xmile", NULL, 0, &err);
    if (!m)
        fail_msg("%s", err.msg);
    rows r;
    run_ok(m, &r);
    assert_int_equal(r.n, 3);
    assert_within_rel(r.v[0][2], 5.5, 1e-12); /* 5 x 1.1, as the test-models' macro tests expect */
    assert_within_rel(r.v[2][3], 2 * 2 + 3, 1e-12);
    assert_within_rel(r.v[1][4], 12, 1e-12);
    sd_free(m);
    /* macros with variables of their own: each call gets its own instance
     * (test-models' macro_stock: a stock starting at the parameter, fed by
     * the input, 1.1 + 5 t; macro_multi_expression: 16.5 from two
     * auxiliaries), the same macro called twice keeps two stocks */
    static const char doc2[] =
        "<?xml version=\"1.0\"?>\n<xmile version=\"1.0\" xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">\n"
        "<header><vendor>t</vendor><product>t</product></header>\n"
        "<sim_specs method=\"Euler\"><start>0</start><stop>10</stop><dt>1</dt></sim_specs>\n"
        "<macro name=\"STOCK MACRO\"><parm>input</parm><parm>parameter</parm><eqn>Stock</eqn>"
        "<variables><stock name=\"Stock\"><eqn>parameter</eqn><inflow>change</inflow></stock>"
        "<flow name=\"change\"><eqn>input</eqn></flow></variables></macro>\n"
        "<macro name=\"MULTI\"><parm>input</parm><parm>parameter</parm><eqn>a + b</eqn>"
        "<variables><aux name=\"a\"><eqn>input * parameter</eqn></aux><aux name=\"b\"><eqn>2 * a</eqn></aux>"
        "</variables></macro>\n"
        "<model><variables>\n"
        "<aux name=\"macro input\"><eqn>5</eqn></aux><aux name=\"macro parameter\"><eqn>1.1</eqn></aux>\n"
        "<aux name=\"macro output\"><eqn>STOCK MACRO(macro_input, macro_parameter)</eqn></aux>\n"
        "<aux name=\"second\"><eqn>STOCK MACRO(1, 0) + MULTI(macro_input, macro_parameter)</eqn></aux>\n"
        "</variables></model></xmile>\n";
    m = sd_load_string(doc2, strlen(doc2), "t.xmile", NULL, 0, &err);
    if (!m)
        fail_msg("%s", err.msg);
    assert_int_equal(sd_ncols(m), 4); /* the macros' variables are hidden */
    run_ok(m, &r);
    assert_int_equal(r.n, 11);
    for (size_t i = 0; i < r.n; i++) {
        assert_within_rel(r.v[i][2], 1.1 + 5 * (double)i, 1e-12);
        assert_within_rel(r.v[i][3], (double)i + 16.5, 1e-12);
    }
    sd_free(m);
    const char *ok = XM_SPECS(0, 1, 1, "Euler");
    /* errors: the macro block goes before the model, so the variables are on line 7 */
    static const char *const bad[][2] = {
        {"<macro name=\"M\"><parm>x</parm><eqn>x * y</eqn></macro>", "macro M: y is not one of its parameters or variables"},
        {"<macro name=\"M\"><parm>x</parm><eqn>x</eqn></macro>", "macro M takes 1 argument, not 2"},
        {"<macro name=\"M\"><parm>x</parm><parm>k</parm><eqn>x * k</eqn></macro>", "no argument for k"},
        {"<macro name=\"M\"><parm>x</parm><eqn>M(x)</eqn></macro>", "macro M calls itself"},
    };
    static const char *const calls[] = {"M(1)", "M(1, 2)", "M(1)", "M(1)"};
    for (size_t i = 0; i < 4; i++) {
        char specs[512], vars[128];
        snprintf(specs, sizeof specs, "%s\n%s", ok, bad[i][0]);
        snprintf(vars, sizeof vars, "<aux name=\"a\"><eqn>%s</eqn></aux>", calls[i]);
        assert_null(xm_load(specs, vars, &err));
        if (!strstr(err.msg, bad[i][1]))
            fail_msg("error \"%s\" does not contain \"%s\"", err.msg, bad[i][1]);
        assert_int_equal(err.line, 7);
    }
    /* macros each calling the next twice, 20 deep, would expand a million
     * times: stopped */
    char chain[4096];
    size_t o = (size_t)snprintf(chain, sizeof chain, "%s\n", ok);
    for (int i = 0; i < 20; i++)
        o += (size_t)snprintf(chain + o, sizeof chain - o, "<macro name=\"M%d\"><parm>x</parm><eqn>M%d(x) + M%d(x)</eqn></macro>",
                              i, i + 1, i + 1);
    snprintf(chain + o, sizeof chain - o, "<macro name=\"M20\"><parm>x</parm><eqn>x</eqn></macro>");
    assert_null(xm_load(chain, "<aux name=\"a\"><eqn>M0(1)</eqn></aux>", &err));
    assert_non_null(strstr(err.msg, "more than 100,000 macro expansions"));
    /* a macro needs its value's equation; its stocks flow through its own flows */
    char specs[512];
    snprintf(specs, sizeof specs, "%s\n<macro name=\"S\"><parm>x</parm><variables/></macro>", ok);
    assert_null(xm_load(specs, "<aux name=\"a\"><eqn>1</eqn></aux>", &err));
    assert_non_null(strstr(err.msg, "macro S has no <eqn>"));
    snprintf(specs, sizeof specs,
             "%s\n<macro name=\"S\"><parm>x</parm><eqn>s</eqn><variables><stock name=\"s\"><eqn>x</eqn>"
             "<inflow>nowhere</inflow></stock></variables></macro>",
             ok);
    assert_null(xm_load(specs, "<aux name=\"a\"><eqn>S(1)</eqn></aux>", &err));
    assert_non_null(strstr(err.msg, "macro S: s flows through nowhere, which is not one of the macro's variables"));
    assert_int_equal(err.line, 7);
}

/* Past line 65,535 (where libxml2 stops counting unless asked to) an
 * error still names its line, and the column is found from the line index. */
/* Modules: each instance's variables are named "module.variable", its
 * connected inputs take the value from outside, and the run is the
 * flattened model's (here the logistic Euler recursion). */
static void test_modules(void **state)
{
    (void)state;
    eddy_error err;
    sd_model *m = sd_load("tests/data/sd/modules.xmile", NULL, 0, &err);
    if (!m)
        fail_msg("%s", err.msg);
    int pop = sd_col_find(m, "colony.population"), total = sd_col_find(m, "total");
    assert_true(pop >= 0 && total >= 0);
    assert_true(sd_col_find(m, "Colony.Births") >= 0);
    assert_true(sd_col_find(m, "other.size") >= 0);
    assert_int_equal(sd_col_find(m, "population"), -1); /* only as colony.population */
    rows r;
    run_ok(m, &r);
    assert_int_equal(r.n, 5);
    double p = 10;
    for (size_t i = 0; i < r.n; i++) {
        assert_within_rel(r.v[i][pop], p, 1e-12);
        assert_within_rel(r.v[i][total], 2 * p, 1e-12);
        p += p * 0.5 * (1 - p / 100);
    }
    sd_free(m);
    /* errors name the module and the place: the module is on line 7 */
    static const char *const bad[][2] = {
        {"<module name=\"ghost\"/>", "module ghost: no <model name=\"ghost\"> in the file"},
        {"<module name=\"inner\"><connect to=\"nosuch\" from=\".a\"/></module>",
         "module inner has no variable nosuch to connect to"},
        {"<module name=\"loop\"/>", "modules nested 16 deep"},
        {"<module name=\"inner\"><connect to=\"x\" from=\".nosuch\"/></module>", "unknown variable \".nosuch\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char doc[2048];
        snprintf(doc, sizeof doc,
                 "<?xml version=\"1.0\"?>\n<xmile version=\"1.0\" xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">\n"
                 "<header><vendor>t</vendor><product>t</product></header>\n"
                 "%s\n<model><variables>\n<aux name=\"a\"><eqn>1</eqn></aux>\n%s\n</variables></model>\n"
                 "<model name=\"inner\"><variables><aux name=\"x\"><eqn>2</eqn></aux></variables></model>\n"
                 "<model name=\"loop\"><variables><module name=\"loop\"/></variables></model>\n</xmile>\n",
                 XM_SPECS(0, 1, 1, "Euler"), bad[i][0]);
        assert_null(sd_load_string(doc, strlen(doc), "t.xmile", NULL, 0, &err));
        if (!strstr(err.msg, bad[i][1]))
            fail_msg("case %zu: %s", i, err.msg);
        if (i != 2)
            assert_int_equal(err.line, 7);
    }
    /* modules inside modules multiply (4 of 4 of 4 ... 15 deep): stopped,
     * not a hang */
    size_t cap = 1 << 16, o = 0;
    char *big = malloc(cap);
    o += (size_t)snprintf(big + o, cap - o,
                          "<xmile xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\" version=\"1.0\">\n%s\n"
                          "<model><variables><module name=\"m\" model=\"L0\"/></variables></model>\n",
                          XM_SPECS(0, 1, 1, "Euler"));
    for (int i = 0; i < 15; i++) {
        o += (size_t)snprintf(big + o, cap - o, "<model name=\"L%d\"><variables>", i);
        for (int j = 0; j < 4; j++)
            o += (size_t)snprintf(big + o, cap - o, "<module name=\"k%d\" model=\"L%d\"/>", j, i + 1);
        o += (size_t)snprintf(big + o, cap - o, "</variables></model>\n");
    }
    snprintf(big + o, cap - o, "<model name=\"L15\"><variables><aux name=\"x\"><eqn>1</eqn></aux></variables></model></xmile>\n");
    assert_null(sd_load_string(big, strlen(big), "t.xmile", NULL, 0, &err));
    assert_non_null(strstr(err.msg, "more than 10,000 module instances"));
    free(big);
}

static void test_errors_far_down_a_large_file(void **state)
{
    (void)state;
    size_t n = 70000, cap = n * 48 + 256, len = 0;
    char *vars = malloc(cap);
    assert_non_null(vars);
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(vars + len, cap - len, "<aux name=\"a%zu\"><eqn>%zu</eqn></aux>\n", i, i);
    snprintf(vars + len, cap - len, "<aux name=\"z\"><eqn>a1 + nosuch</eqn></aux>");
    eddy_error err;
    assert_null(xm_load(XM_SPECS(0, 1, 1, "Euler"), vars, &err));
    free(vars);
    assert_non_null(strstr(err.msg, "unknown variable \"nosuch\""));
    assert_int_equal(err.line, 6 + (int)n);
    assert_int_equal(err.col, 25);
}

/* At run time a division by zero or a NaN stops the run, naming the
 * variable and the time: never a silent NaN column. */
static void test_runtime_errors_name_variable_and_time(void **state)
{
    (void)state;
    eddy_error err;
    sd_model *m = xm_load(XM_SPECS(0, 10, 1, "Euler"), "<aux name=\"ratio\"><eqn>1 / (TIME - 3)</eqn></aux>", &err);
    assert_non_null(m);
    assert_int_equal(sd_run(m, NULL, NULL, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "at time 3: ratio divides by zero"));
    sd_free(m);
    /* inside an equation the arithmetic is IEEE's: at the pole 1/(2 + 1/0)
     * is 1/inf = 0, the equation's limit, and the run goes on */
    m = xm_load(XM_SPECS(0, 4, 1, "Euler"), "<aux name=\"limit\"><eqn>1 / (2 + 1 / (TIME - 3))</eqn></aux>", &err);
    assert_non_null(m);
    rows lr;
    run_ok(m, &lr);
    assert_int_equal(lr.n, 5);
    assert_true(lr.v[3][0] == 0);
    sd_free(m);
    /* 0/0 has no limit */
    m = xm_load(XM_SPECS(0, 4, 1, "Euler"), "<aux name=\"nolimit\"><eqn>1 + 0 * (TIME - 3) / (TIME - 3) * 0</eqn></aux>", &err);
    assert_non_null(m);
    assert_int_equal(sd_run(m, NULL, NULL, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "at time 3: nolimit divides by zero"));
    sd_free(m);
    m = xm_load(XM_SPECS(0, 10, 1, "Euler"), "<aux name=\"root\"><eqn>SQRT(2 - TIME)</eqn></aux>", &err);
    assert_non_null(m);
    assert_int_equal(sd_run(m, NULL, NULL, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "at time 3: root is not a number"));
    sd_free(m);
    /* SAFEDIV, XIDZ and ZIDZ are the sanctioned ways round it */
    m = xm_load(XM_SPECS(0, 4, 1, "Euler"), "<aux name=\"q\"><eqn>SAFEDIV(1, TIME - 3, 7) + XIDZ(1, 0, 1) + ZIDZ(1, 0)</eqn></aux>", &err);
    rows r;
    run_ok(m, &r);
    assert_within_rel(r.v[3][0], 8, 1e-12);
    sd_free(m);
}

static void test_expression_language(void **state)
{
    (void)state;
    eddy_error err;
    rows r;
    sd_model *m = xm_load(XM_SPECS(0, 0, 1, "Euler"),
                       "<aux name=\"a\"><eqn>-2^2</eqn></aux>"
                       "<aux name=\"b\"><eqn>IF 1 &lt; 2 and not 0 THEN 2^3^2 ELSE 0</eqn></aux>"
                       "<aux name=\"c\"><eqn>MIN(3, 1) + MAX(4) + 7 MOD 4 + INT(-2.5)</eqn></aux>"
                       "<aux name=\"d\"><eqn>\"weird name!\" * 2 {a comment}</eqn></aux>"
                       "<aux name=\"weird name!\"><eqn>IF THEN ELSE(0, 1, 5)</eqn></aux>"
                       /* xmutil's postfix form of Vensim's :NOT: */
                       "<aux name=\"e\"><eqn>( IF c &gt; 100 not THEN 2^-1^2 ELSE 0 )</eqn></aux>",
                       &err);
    if (!m)
        fail_msg("%s", err.msg);
    run_ok(m, &r);
    assert_within_rel(r.v[0][0], -4, 1e-12);
    assert_within_rel(r.v[0][1], 512, 1e-12); /* right-associative: 2^(3^2) */
    assert_within_rel(r.v[0][5], 0.5, 1e-12);  /* 2^-(1^2) */
    assert_within_rel(r.v[0][2], 1 + 4 + 3 - 2, 1e-12);
    assert_within_rel(r.v[0][3], 10, 1e-12);
    sd_free(m);
}

static void test_non_negative(void **state)
{
    (void)state;
    eddy_error err;
    rows r;
    sd_model *m = xm_load(XM_SPECS(0, 5, 1, "Euler"),
                       "<stock name=\"s\"><eqn>2</eqn><outflow>out</outflow><non_negative/></stock>"
                       "<flow name=\"out\"><eqn>1</eqn></flow>"
                       "<flow name=\"uni\"><eqn>0 - 3</eqn><non_negative/></flow>",
                       &err);
    assert_non_null(m);
    run_ok(m, &r);
    assert_within_rel(r.v[5][0] + 1, 1, 1e-12); /* drained to 0, not -3 */
    assert_within_rel(r.v[2][2] + 1, 1, 1e-12); /* a uniflow never goes negative */
    sd_free(m);
}

/* A model with no variables runs, with no columns (fuzzing found its run
 * copying constants from a NULL array; make test-asan checks it). */
static void test_no_variables(void **state)
{
    (void)state;
    eddy_error err = {0};
    sd_model *m = sd_load("tests/data/bad/xmile_no_variables.xmile", NULL, 0, &err);
    if (!m)
        fail_msg("%s", err.msg);
    assert_int_equal(sd_ncols(m), 0);
    rows *r = malloc(sizeof *r);
    assert_non_null(r);
    run_ok(m, r);
    assert_int_equal(r->n, 3);
    free(r);
    sd_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integrators_against_theory),
        cmocka_unit_test(test_no_variables),
        cmocka_unit_test(test_stateful_builtins),
        cmocka_unit_test(test_graphical_functions),
        cmocka_unit_test(test_arrays),
        cmocka_unit_test(test_set_overrides_a_constant),
        cmocka_unit_test(test_errors_name_their_place),
        cmocka_unit_test(test_malformed_xml_line_and_column),
        cmocka_unit_test(test_macros),
        cmocka_unit_test(test_modules),
        cmocka_unit_test(test_errors_far_down_a_large_file),
        cmocka_unit_test(test_runtime_errors_name_variable_and_time),
        cmocka_unit_test(test_expression_language),
        cmocka_unit_test(test_non_negative),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
