/* test_sd_init.c -- <init_eqn>: a flow's or auxiliary's value at the start,
 * which INIT gives, PREVIOUS gives at the first step and the stocks'
 * initial values are computed from, while its <eqn> gives its value from
 * the start on. */
#include "testutil.h"

#include <math.h>

#include "../src/sd/sd.h"

static sd_model *load(const char *vars, eddy_error *err)
{
    static const char head[] = "<?xml version=\"1.0\"?>\n<xmile version=\"1.0\" xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">\n"
                               "<header><vendor>t</vendor><product>t</product></header>\n"
                               "<sim_specs method=\"Euler\"><start>0</start><stop>3</stop><dt>1</dt></sim_specs>\n"
                               "<dimensions><dim name=\"D\" size=\"2\"/></dimensions>\n";
    size_t n = strlen(head) + strlen(vars) + 200;
    char *s = malloc(n);
    snprintf(s, n, "%s<model><variables>\n%s\n</variables></model></xmile>\n",
             head, vars);
    sd_model *m = sd_load_string(s, strlen(s), "t.xmile", NULL, 0, err);
    free(s);
    return m;
}

typedef struct rows {
    size_t n;
    double v[8][12];
} rows;

static void on_row(double t, const double *c, size_t n, void *ud)
{
    (void)t;
    rows *r = ud;
    for (size_t i = 0; i < n && i < 12 && r->n < 8; i++)
        r->v[r->n][i] = c[i];
    r->n++;
}

static double at(const sd_model *m, const rows *r, size_t k, const char *name)
{
    int c = sd_col_find(m, name);
    if (c < 0)
        fail_msg("no column %s", name);
    return r->v[k][c];
}

static void test_init_eqn(void **state)
{
    (void)state;
    eddy_error err = {0};
    sd_model *m = load("<aux name=\"x\"><eqn>10 + TIME</eqn><init_eqn>3</init_eqn></aux>"
                       "<aux name=\"ix\"><eqn>INIT(x)</eqn></aux>"
                       "<aux name=\"px\"><eqn>PREVIOUS(x, -1)</eqn></aux>"
                       "<stock name=\"S\"><eqn>2 * x</eqn><inflow>f</inflow></stock>"
                       "<flow name=\"f\"><eqn>x</eqn><init_eqn>100</init_eqn></flow>"
                       /* circular without it: T's initial value needs g, g needs T */
                       "<stock name=\"T\"><eqn>2 * g</eqn><inflow>g</inflow></stock>"
                       "<flow name=\"g\"><eqn>T / 10</eqn><init_eqn>5</init_eqn></flow>"
                       "<aux name=\"arr\"><dimensions><dim name=\"D\"/></dimensions>"
                       "<element subscript=\"1\"><eqn>TIME</eqn><init_eqn>-7</init_eqn></element>"
                       "<element subscript=\"2\"><eqn>TIME</eqn></element></aux>"
                       "<aux name=\"iarr\"><eqn>INIT(arr[1]) + INIT(arr[2])</eqn></aux>",
                       &err);
    if (!m)
        fail_msg("load: %s", err.msg);
    rows r = {0};
    if (sd_run(m, on_row, &r, NULL, &err))
        fail_msg("run: %s", err.msg);
    assert_int_equal(r.n, 4);
    /* the start's row shows the <eqn>s' values */
    assert_true(at(m, &r, 0, "x") == 10);
    assert_true(at(m, &r, 0, "f") == 10);
    /* INIT: the <init_eqn>'s value, throughout */
    for (size_t k = 0; k < 4; k++)
        assert_true(at(m, &r, k, "ix") == 3);
    /* PREVIOUS: its initial value at the start, the <init_eqn>'s at the
     * first step, then the <eqn>'s */
    assert_true(at(m, &r, 0, "px") == -1);
    assert_true(at(m, &r, 1, "px") == 3);
    assert_true(at(m, &r, 2, "px") == 11);
    /* the stocks start from the <init_eqn>s, and flow by the <eqn>s */
    assert_true(at(m, &r, 0, "S") == 6);
    assert_true(at(m, &r, 1, "S") == 16);
    assert_true(at(m, &r, 0, "T") == 10);
    assert_true(at(m, &r, 0, "g") == 1);
    assert_true(at(m, &r, 1, "T") == 11);
    /* an element's own <init_eqn> */
    assert_true(at(m, &r, 0, "iarr") == -7);
    assert_true(at(m, &r, 0, "arr[1]") == 0);
    sd_free(m);
}

static void test_init_eqn_errors(void **state)
{
    (void)state;
    eddy_error err = {0};
    sd_model *m = load("<stock name=\"S\"><eqn>1</eqn><init_eqn>2</init_eqn></stock>", &err);
    assert_null(m);
    assert_non_null(strstr(err.msg, "S: a stock's <eqn> is its initial value; <init_eqn> is for flows and auxiliaries"));
    assert_int_equal(err.line, 7);
    m = load("<aux name=\"a\"><eqn>1</eqn><init_eqn>nosuch + 1</init_eqn></aux>", &err);
    assert_null(m);
    assert_non_null(strstr(err.msg, "unknown variable \"nosuch\""));
    assert_int_equal(err.line, 7);
    assert_int_equal(err.col, 37);
    /* an <init_eqn> that makes the initial values circular is named so */
    m = load("<aux name=\"a\"><eqn>1</eqn><init_eqn>b</init_eqn></aux><aux name=\"b\"><eqn>a</eqn></aux>", &err);
    assert_null(m);
    assert_non_null(strstr(err.msg, "circular definition of initial values"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_eqn),
        cmocka_unit_test(test_init_eqn_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
