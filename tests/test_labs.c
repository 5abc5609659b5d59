/* test_labs.c -- the labs of docs/labs/ stay true: `eddy lab run N --check`
 * for every lab directory there (a lab that lands later is picked up by
 * the scan), each of which runs the lab's eddy commands and holds them to
 * the claims its answer makes; and `eddy lab` itself: list, the search for
 * the labs, claims that fail (exit 1), and malformed lab.yaml files
 * (tests/data/bad/labs/, exit 2 with file:line:col). */
#include "testutil.h"

#include "testproc.h"

#define LABS "docs/labs"
#define BAD "tests/data/bad/labs"

static int setup(void **state)
{
    (void)state;
    unsetenv("EDDY_LABS"); /* the search order is under test */
    return proc_begin("labs");
}

static int teardown(void **state)
{
    (void)state;
    return proc_end();
}

/* Every lab directory NN-name of docs/labs: its claims hold. */
static void test_every_lab_checks(void **state)
{
    (void)state;
    DIR *d = opendir(LABS);
    assert_non_null(d);
    struct dirent *e;
    int labs = 0;
    while ((e = readdir(d))) {
        const char *n = e->d_name;
        if (!(n[0] >= '0' && n[0] <= '9' && n[1] >= '0' && n[1] <= '9' && n[2] == '-'))
            continue;
        int num = (n[0] - '0') * 10 + (n[1] - '0');
        run_result r = run("lab run %d --check --labs " LABS, num);
        char what[300];
        snprintf(what, sizeof what, "eddy lab run %d --check (%s)", num, n);
        EXPECT_STATUS(r, 0, what);
        char tail[64];
        snprintf(tail, sizeof tail, "\nlab %d: ", num);
        EXPECT_HAS(r.out, tail);
        assert_null(strstr(r.err, "claim")); /* no claim failed */
        run_free(&r);
        labs++;
    }
    closedir(d);
    assert_true(labs >= 1);
}

/* `eddy lab list`: one line per lab, in order, with the commands used. */
static void test_list(void **state)
{
    (void)state;
    run_result r = run("lab list --labs " LABS);
    EXPECT_STATUS(r, 0, "eddy lab list");
    EXPECT_HAS(r.out, " 1  Local or emergent");
    EXPECT_HAS(r.out, "diagnose");
    /* $EDDY_LABS is the second place looked */
    setenv("EDDY_LABS", LABS, 1);
    run_result r2 = run("lab list");
    unsetenv("EDDY_LABS");
    EXPECT_STATUS(r2, 0, "EDDY_LABS=docs/labs eddy lab list");
    assert_string_equal(r.out, r2.out);
    run_free(&r);
    run_free(&r2);
}

/* Without --labs or $EDDY_LABS the labs are beside the binary; the test's
 * binary (build/eddy) has none there, and the error names every place. */
static void test_search_order(void **state)
{
    (void)state;
    char bin[4096], dir[4096];
    assert_non_null(realpath(eddy, bin));
    snprintf(dir, sizeof dir, "%s", bin);
    *strrchr(dir, '/') = 0;
    char there[4200];
    snprintf(there, sizeof there, "%s/docs/labs", dir);
    if (access(there, F_OK) == 0)
        skip(); /* ./eddy at the project root: the labs are beside it */
    run_result r = run("lab list");
    EXPECT_STATUS(r, 2, "eddy lab list (no labs anywhere)");
    EXPECT_HAS(r.err, "--labs (not given)");
    EXPECT_HAS(r.err, "$EDDY_LABS (not set)");
    EXPECT_HAS(r.err, there);
    EXPECT_HAS(r.err, "/../share/eddy/labs");
    run_free(&r);
    r = run("lab run 1 --labs /nonexistent-labs");
    EXPECT_STATUS(r, 2, "--labs to nowhere");
    EXPECT_HAS(r.err, "no labs directory at '/nonexistent-labs' (--labs)");
    run_free(&r);
}

/* Claims that do not hold: exit 1, each named with its lab, step and regex;
 * without --check the same lab only prints. */
static void test_claims_fail(void **state)
{
    (void)state;
    run_result r = run("lab run 90 --check --labs " BAD);
    EXPECT_STATUS(r, 1, "a lab whose claims fail");
    EXPECT_HAS(r.err, "lab 90, step 1 (The version): expected /no such text/ in the output of `eddy --version`");
    EXPECT_HAS(r.err, "lab 90, step 1 (The version): /eddy/ must not match");
    EXPECT_HAS(r.err, "lab 90, step 2 (A command with no model): exit status 2, expected 0");
    EXPECT_HAS(r.err, "lab 90: 3 claims failed");
    EXPECT_HAS(r.out, "Lab 90: Claims that fail\n\nEvery claim below is false on purpose.\n");
    EXPECT_HAS(r.out, "[1/2] The version\n$ eddy --version\neddy ");
    EXPECT_HAS(r.out, "-- check: 2 of 4 claims hold");
    run_free(&r);
    r = run("lab run 90 --labs " BAD);
    EXPECT_STATUS(r, 0, "the same lab without --check");
    EXPECT_HAS(r.out, "(exit status 2)");
    assert_null(strstr(r.out, "-- check"));
    run_free(&r);
}

/* Malformed lab.yaml: exit 2, file:line:col and what was expected. */
static void test_bad_lab_files(void **state)
{
    (void)state;
    static const struct {
        int lab;
        const char *msg;
    } cases[] = {
        {91, "91-unknown-key/lab.yaml:2:1: error: unknown key 'titel' (did you mean 'title'?)"},
        {92, "92-not-eddy/lab.yaml:6:10: error: steps[0].run: expected an eddy command"},
        {93, "93-bad-regex/lab.yaml:8:9: error: steps[0].expect[0]: not a POSIX extended regular expression"},
        {94, "94-wrong-number/lab.yaml:1:6: error: lab: the lab's number is 3 but its directory says 94"},
        {95, "95-no-steps/lab.yaml:1:1: error: missing key 'steps'"},
        {96, "96-step-unknown-key/lab.yaml:7:5: error: steps[0]: unknown key 'expects' (did you mean 'expect'?)"},
        {97, "97-tab/lab.yaml:5:1: error: not valid YAML: a tab character"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_result r = run("lab run %d --check --labs " BAD, cases[i].lab);
        EXPECT_STATUS(r, 2, cases[i].msg);
        EXPECT_HAS(r.err, cases[i].msg);
        assert_string_equal(r.out, ""); /* nothing runs from a bad lab */
        run_free(&r);
    }
    /* list stops at the first bad lab, by number */
    run_result r = run("lab list --labs " BAD);
    EXPECT_STATUS(r, 2, "eddy lab list of bad labs");
    EXPECT_HAS(r.err, "91-unknown-key/lab.yaml:2:1: error:");
    run_free(&r);
}

/* Usage errors are 2, --help is 0. */
static void test_usage(void **state)
{
    (void)state;
    static const struct {
        const char *args, *msg;
    } cases[] = {
        {"lab", "missing the subcommand"},
        {"lab frobnicate", "unknown subcommand 'frobnicate'"},
        {"lab run", "missing the lab's number"},
        {"lab run x1", "run expects a whole number from 1 to 99"},
        {"lab run 1 2", "got also '2'"},
        {"lab run 42 --labs " LABS, "no lab 42 in"},
        {"lab list --check", "--check goes with `run N`"},
        {"lab list --frob", "unknown option '--frob'"},
        {"lab list --labs", "needs a value"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_result r = run("%s", cases[i].args);
        EXPECT_STATUS(r, 2, cases[i].args);
        EXPECT_HAS(r.err, cases[i].msg);
        run_free(&r);
    }
    run_result r = run("lab --help");
    EXPECT_STATUS(r, 0, "eddy lab --help");
    EXPECT_HAS(r.out, "usage: eddy lab list");
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_lab_checks), cmocka_unit_test(test_list),
        cmocka_unit_test(test_search_order),     cmocka_unit_test(test_claims_fail),
        cmocka_unit_test(test_bad_lab_files),    cmocka_unit_test(test_usage),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
