/* test_sd_arrays.c -- XMILE arrays (XMILE 1.0 section 3.7.1): subranges,
 * mapped dimensions, ranges, `*`, `@n`, transposition, dimension names
 * as values, SELF, flat indices and the array builtins, each against
 * values computed by hand; and every mistake a user can make with them
 * named with its place and what was expected. */
#include "testutil.h"

#include <math.h>

#include "../src/sd/sd.h"

#define HEAD                                                                                                      \
    "<?xml version=\"1.0\"?>\n<xmile version=\"1.0\" xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\" " \
    "xmlns:isee=\"http://iseesystems.com/XMILE\">\n"                                                             \
    "<header><vendor>t</vendor><product>t</product></header>\n"                                                  \
    "<sim_specs method=\"Euler\"><start>0</start><stop>2</stop><dt>1</dt></sim_specs>\n"

/* Dim1 A1..A3; Sub its subrange A2, A3; DimB mapped onto Dim1 by
 * position; N numbered 1..2.  Lines: the dimensions are lines 5-9, the
 * variables start on line 11. */
#define DIMS                                                                                                     \
    "<dimensions>\n"                                                                                             \
    "<dim name=\"Dim1\"><elem name=\"A1\"/><elem name=\"A2\"/><elem name=\"A3\"/></dim>\n"                       \
    "<dim name=\"Sub\"><elem name=\"A2\"/><elem name=\"A3\"/></dim>\n"                                           \
    "<dim name=\"DimB\"><elem name=\"B1\"/><elem name=\"B2\"/><elem name=\"B3\"/><isee:maps_to>Dim1</isee:maps_to></dim>\n" \
    "<dim name=\"N\" size=\"2\"/>\n"                                                                             \
    "</dimensions>\n<model><variables>\n"

#define TAIL "\n</variables></model></xmile>\n"

#define A1D(name, dim, eqn) "<aux name=\"" name "\"><dimensions><dim name=\"" dim "\"/></dimensions><eqn>" eqn "</eqn></aux>\n"
#define A2D(name, d1, d2, eqn)                                                                                  \
    "<aux name=\"" name "\"><dimensions><dim name=\"" d1 "\"/><dim name=\"" d2 "\"/></dimensions><eqn>" eqn  \
    "</eqn></aux>\n"
#define AUX(name, eqn) "<aux name=\"" name "\"><eqn>" eqn "</eqn></aux>\n"

static const char model[] = HEAD DIMS
    A1D("a", "Dim1", "1, 2, 3")
    /* subranges: a dimension the equation is over, a bare name, a slice */
    A1D("sub vals", "Sub", "a[Sub]")
    A1D("sub bare", "Sub", "a * 10")
    AUX("sum sub", "SUM(a[Sub])")
    /* a stock and its flow over the subrange */
    "<stock name=\"s\"><dimensions><dim name=\"Sub\"/></dimensions><eqn>0</eqn><inflow>f</inflow></stock>\n"
    "<flow name=\"f\"><dimensions><dim name=\"Sub\"/></dimensions><eqn>a[Sub]</eqn></flow>\n"
    /* ranges, by number and by element name; a range outside a function
     * takes the equation's dimension by position */
    AUX("range sum", "SUM(a[2:3])")
    AUX("range named", "SUM(a[A1:A2])")
    A1D("shifted", "Sub", "a[1:2]")
    /* the builtins */
    AUX("mean all", "MEAN(a)")
    AUX("sd", "STDDEV(a[*])")
    AUX("prod", "PROD(a)")
    AUX("size", "SIZE(a[1:2])")
    AUX("max with 5", "MAX(a, 5)")
    AUX("min with 2.5", "MIN(a[2:3], 2.5)")
    /* a dimension mapped by position (isee:maps_to) */
    A1D("b", "DimB", "a[Dim1] * 2")
    A1D("b bare", "DimB", "a")
    /* two dimensions, a dimension as a value, transposition */
    A2D("m", "Dim1", "N", "a[Dim1] * N")
    A2D("mt", "N", "Dim1", "m'")
    A2D("sq", "N", "N", "1, 2; 3, 4")
    A2D("sq same", "N", "N", "sq")
    A2D("sq t", "N", "N", "sq'")
    A2D("sq at", "N", "N", "sq[@2, @1]")
    A1D("row sums", "N", "SUM(sq[N, *])")
    AUX("col 2 sum", "SUM(sq[*, 2])")
    AUX("pos", "Dim1.A3")
    /* RANK, ties broken by a second array, then by position */
    A1D("d", "Dim1", "30, 10, 20")
    A1D("t", "Dim1", "5, 5, 1")
    A1D("tb", "Dim1", "2, 1, 0")
    AUX("rank min", "RANK(d, 1)")
    AUX("rank max", "RANK(d, 3)")
    AUX("rank none", "RANK(d, 4)")
    AUX("rank tie", "RANK(t, 2)")
    AUX("rank tie b", "RANK(t, 2, tb)")
    /* a flat index; SELF */
    AUX("flat", "sq(3)")
    A1D("self size", "Dim1", "SIZE(SELF)")
    AUX("doubling", "PREVIOUS(SELF, 1) * 2")
    /* subscripts computed during the run; out of range they give 0 */
    AUX("dyn", "a[TIME + 1]")
    AUX("dyn out", "a[TIME + 2]")
    A1D("dyn row", "N", "sq[N, TIME + 1]")
    AUX("dyn sum", "SUM(a[TIME + 1], a[3])")
    TAIL;

typedef struct rows {
    size_t n, ncols;
    double v[8][128];
} rows;

static void on_row(double t, const double *c, size_t n, void *ud)
{
    (void)t;
    rows *r = ud;
    if (r->n < 8) {
        for (size_t i = 0; i < n && i < 128; i++)
            r->v[r->n][i] = c[i];
        r->ncols = n;
        r->n++;
    }
}

static double at(sd_model *m, const rows *r, size_t row, const char *name)
{
    int c = sd_col_find(m, name);
    if (c < 0)
        fail_msg("no column %s", name);
    return r->v[row][c];
}

static void test_array_constructs(void **state)
{
    (void)state;
    eddy_error err = {0};
    sd_model *m = sd_load_string(model, strlen(model), "arr.xmile", NULL, 0, &err);
    if (!m)
        fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    rows r;
    memset(&r, 0, sizeof r);
    if (sd_run(m, on_row, &r, NULL, &err))
        fail_msg("run: %s", err.msg);
    assert_int_equal(r.n, 3);
    /* subranges: Sub's A2, A3 are Dim1's second and third */
    assert_true(sd_col_find(m, "sub vals[a1]") < 0);
    assert_int_equal(at(m, &r, 0, "sub vals[a2]"), 2);
    assert_int_equal(at(m, &r, 0, "sub vals[a3]"), 3);
    assert_int_equal(at(m, &r, 0, "sub bare[a2]"), 20);
    assert_int_equal(at(m, &r, 0, "sub bare[a3]"), 30);
    assert_int_equal(at(m, &r, 0, "sum sub"), 5);
    /* s[A3] gains a[A3] = 3 a step */
    assert_int_equal(at(m, &r, 2, "s[a2]"), 4);
    assert_int_equal(at(m, &r, 2, "s[a3]"), 6);
    assert_int_equal(at(m, &r, 0, "range sum"), 5);
    assert_int_equal(at(m, &r, 0, "range named"), 3);
    assert_int_equal(at(m, &r, 0, "shifted[a2]"), 1);
    assert_int_equal(at(m, &r, 0, "shifted[a3]"), 2);
    assert_int_equal(at(m, &r, 0, "mean all"), 2);
    assert_within_rel(at(m, &r, 0, "sd"), 1.0, 1e-15); /* sample deviation of 1, 2, 3 */
    assert_int_equal(at(m, &r, 0, "prod"), 6);
    assert_int_equal(at(m, &r, 0, "size"), 2);
    assert_int_equal(at(m, &r, 0, "max with 5"), 5);
    assert_int_equal(at(m, &r, 0, "min with 2.5"), 2);
    assert_int_equal(at(m, &r, 0, "b[b1]"), 2);
    assert_int_equal(at(m, &r, 0, "b[b3]"), 6);
    assert_int_equal(at(m, &r, 0, "b bare[b2]"), 2);
    /* m[d, n] = a[d] * n; mt[n, d] = m[d, n] */
    assert_int_equal(at(m, &r, 0, "m[a3,2]"), 6);
    assert_int_equal(at(m, &r, 0, "m[a2,1]"), 2);
    assert_int_equal(at(m, &r, 0, "mt[2,a3]"), 6);
    assert_int_equal(at(m, &r, 0, "mt[1,a2]"), 2);
    /* sq = [[1, 2], [3, 4]]: the same, the transpose twice over, row sums */
    assert_int_equal(at(m, &r, 0, "sq same[1,2]"), 2);
    assert_int_equal(at(m, &r, 0, "sq same[2,1]"), 3);
    assert_int_equal(at(m, &r, 0, "sq t[1,2]"), 3);
    assert_int_equal(at(m, &r, 0, "sq t[2,1]"), 2);
    assert_int_equal(at(m, &r, 0, "sq at[1,2]"), 3);
    assert_int_equal(at(m, &r, 0, "sq at[2,2]"), 4);
    assert_int_equal(at(m, &r, 0, "row sums[1]"), 3);
    assert_int_equal(at(m, &r, 0, "row sums[2]"), 7);
    assert_int_equal(at(m, &r, 0, "col 2 sum"), 6);
    assert_int_equal(at(m, &r, 0, "pos"), 3);
    /* d = 30, 10, 20: the smallest is the second, the largest the first */
    assert_int_equal(at(m, &r, 0, "rank min"), 2);
    assert_int_equal(at(m, &r, 0, "rank max"), 1);
    assert_int_equal(at(m, &r, 0, "rank none"), 0);
    /* t = 5, 5, 1: second smallest is A1 by position, A2 by tb */
    assert_int_equal(at(m, &r, 0, "rank tie"), 1);
    assert_int_equal(at(m, &r, 0, "rank tie b"), 2);
    assert_int_equal(at(m, &r, 0, "flat"), 3);
    assert_int_equal(at(m, &r, 0, "self size[a2]"), 3);
    assert_int_equal(at(m, &r, 0, "doubling"), 2);
    assert_int_equal(at(m, &r, 1, "doubling"), 4);
    assert_int_equal(at(m, &r, 2, "doubling"), 8);
    for (size_t t = 0; t < 3; t++) {
        assert_int_equal(at(m, &r, t, "dyn"), t + 1);
        assert_int_equal(at(m, &r, t, "dyn out"), t < 2 ? t + 2 : 0);
        /* sq = [[1, 2], [3, 4]]: column t + 1, then nothing */
        assert_int_equal(at(m, &r, t, "dyn row[1]"), t < 2 ? 1 + t : 0);
        assert_int_equal(at(m, &r, t, "dyn row[2]"), t < 2 ? 3 + t : 0);
        assert_int_equal(at(m, &r, t, "dyn sum"), t + 1 + 3);
    }
    sd_free(m);
}

static int mismatches;

/* vars is put after the dimensions: its first line is line 14. */
static void expect_error(const char *vars, int line, int col, const char *needle)
{
    size_t n = strlen(vars) + 2048;
    char *doc = malloc(n);
    snprintf(doc, n, HEAD DIMS A1D("a", "Dim1", "1, 2, 3") A1D("sub vals", "Sub", "a[Sub]") "%s" TAIL, vars);
    eddy_error err = {0};
    sd_model *m = sd_load_string(doc, strlen(doc), "t.xmile", NULL, 0, &err);
    free(doc);
    if (m) {
        sd_free(m);
        fail_msg("loaded, expected an error containing \"%s\"", needle);
    }
    if (!strstr(err.msg, needle)) {
        print_message("error \"%s\" does not contain \"%s\"\n", err.msg, needle);
        mismatches++;
    }
    assert_string_equal(err.file, "t.xmile");
    if (err.line != line || err.col != col) {
        print_message("\"%s\" at %d:%d, expected %d:%d\n", err.msg, err.line, err.col, line, col);
        mismatches++;
    }
}

/* <aux name="x"><eqn> is 19 characters: an equation's first character is
 * column 20 of line 14 (after a and sub vals). */
static void test_array_errors(void **state)
{
    (void)state;
    expect_error(AUX("x", "a[4]"), 14, 22, "subscript 4 is out of range: Dim1 has elements 1 to 3");
    expect_error(AUX("x", "a[B1]"), 14, 22, "B1 is not an element of Dim1: it is one of DimB");
    expect_error(AUX("x", "a[AA1]"), 14, 22, "AA1 is not an element of Dim1; did you mean \"A1\"?");
    expect_error(AUX("x", "a[1, 2]"), 14, 20, "a has 1 dimension, not 2 subscripts");
    expect_error(AUX("x", "a[sub_vals]"), 14, 22, "sub_vals is a variable, not an element of Dim1");
    expect_error(A2D("x", "N", "N", "x[TIME, TIME] + 1"), 14, 83, "one subscript computed during the run per reference");
    expect_error(AUX("x", "a[1:2, TIME]"), 14, 20, "a has 1 dimension, not 2 subscripts");
    /* shapes */
    expect_error(A1D("x", "Dim1", "a[1:2]"), 14, 63, "a slice of 2 elements of Dim1 where this equation's dimension Dim1 has 3");
    expect_error(A1D("x", "N", "a"), 14, 60, "a is over Dim1, which is not this equation's dimension (N)");
    expect_error(AUX("x", "a + 1"), 14, 20, "a names 3 elements here; use it inside an array function such as SUM");
    expect_error(A1D("x", "Dim1", "sub_vals"), 14, 63, "sub_vals is over Sub, which has no element A1");
    expect_error(A1D("x", "N", "a[N]"), 14, 62, "dimension N does not map onto Dim1");
    expect_error(A1D("x", "N", "a[DimB]"), 14, 60, "a: a slice of 3 elements of Dim1 where this equation's dimension N has 2");
    /* ranges of the wrong kind */
    expect_error(AUX("x", "SUM(a[3:1])"), 14, 26, "the range 3:1 of Dim1 runs backwards");
    expect_error(AUX("x", "SUM(a[Dim1:2])"), 14, 26, "a range runs between two elements of Dim1 or two numbers");
    expect_error(AUX("x", "SUM(a[A1:B2])"), 14, 29, "B2 is not an element of Dim1: it is one of DimB");
    expect_error(AUX("x", "SUM(a[1:2.5])"), 14, 28, "subscript 2.5 is out of range");
    expect_error(A1D("x", "N", "a[@2]"), 14, 62, "@2: this equation has 1 dimension");
    expect_error(AUX("x", "a[1:2] + 1"), 14, 20, "a names 2 elements here");
    expect_error(AUX("x", "4:5"), 14, 21, "unexpected text after the end of the expression");
    expect_error(AUX("x", "a[@x]"), 14, 23, "expected a dimension position after @");
    expect_error(AUX("x", "x'"), 14, 20, "' transposes an array");
    expect_error(AUX("x", "a(7)"), 14, 20, "a(i) is the element at flat index i, a whole number from 1 to 3");
    expect_error(AUX("x", "Dim1 + 1"), 14, 20, "dimension Dim1 is used as a value, but this equation is not over it");
    expect_error(AUX("x", "Dim1.A9"), 14, 20, "A9 is not an element of Dim1");
    expect_error(AUX("x", "RANK(a, a)"), 14, 28, "RANK: the rank must be one value, not 3");
    expect_error(AUX("x", "RANK(a, 1, sub_vals)"), 14, 31, "RANK: the array that breaks ties has 2 elements");
    assert_int_equal(mismatches, 0);
}

/* The malformed files under tests/data/bad/ say where and what. */
static void test_bad_files(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        int line, col;
        const char *needle;
    } cases[] = {
        {"tests/data/bad/sd_array_range_backwards.xmile", 15, 37, "the range 3:2 of Region runs backwards"},
        {"tests/data/bad/sd_array_wrong_dimension.xmile", 15, 33, "Small is not an element of Region: it is one of Size"},
        {"tests/data/bad/sd_array_out_of_range.xmile", 15, 33, "subscript 4 is out of range: Region has elements 1 to 3"},
        {"tests/data/bad/sd_array_shape.xmile", 16, 71, "a slice of 2 elements of Region where this equation's dimension Region has 3"},
        {"tests/data/bad/sd_array_subrange.xmile", 16, 71, "coastal is over Coast, which has no element Inland"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        eddy_error err = {0};
        sd_model *m = sd_load(cases[i].file, NULL, 0, &err);
        if (m) {
            sd_free(m);
            fail_msg("%s loaded", cases[i].file);
        }
        if (!strstr(err.msg, cases[i].needle) || err.line != cases[i].line || err.col != cases[i].col)
            fail_msg("%s: %d:%d: %s", cases[i].file, err.line, err.col, err.msg);
        assert_string_equal(err.file, cases[i].file);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_array_constructs),
        cmocka_unit_test(test_array_errors),
        cmocka_unit_test(test_bad_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
