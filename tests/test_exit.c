/* test_exit.c -- one exit-status policy for every command (docs/ci.md):
 * 0 ok, 1 a finding (only where a command has a pass/fail notion: check,
 * diagnose --fail-on, review --strict), 2 a usage error or bad input.
 *
 * Each command is run as CI runs it, on a model that does not load, on a
 * file that does not exist and with an option it does not have: all three
 * must exit 2, never 1, so that a pipeline can tell "the model is fragile"
 * (1) from "eddy could not judge it" (2).  `eddy run` on a stock-and-flow
 * model (XMILE) is a separate path through the program and is run too. */
#include "testutil.h"
#include "testproc.h"

#define BAD "tests/data/model/bare-timeout.yaml"

static int setup(void **state)
{
    (void)state;
    return proc_begin("exit");
}

static int teardown(void **state)
{
    (void)state;
    return proc_end();
}

/* Every command that reads a model FILE, with the options it needs to get
 * as far as reading it. */
static const char *const model_commands[] = {
    "run -q",     "diagnose -q --seeds 1", "fix -q --seeds 1", "sweep -q", "basin -q", "loops",
    "review",     "review --strict",       "report -q",        "avail",    "check -q", "diagnose -q --fail-on any",
};
#define NMODEL (sizeof model_commands / sizeof model_commands[0])

static void test_bad_model_is_2(void **state)
{
    (void)state;
    for (size_t i = 0; i < NMODEL; i++) {
        run_result r = run("%s " BAD, model_commands[i]);
        char what[128];
        snprintf(what, sizeof what, "eddy %s on a bad model", model_commands[i]);
        EXPECT_STATUS(r, 2, what);
        EXPECT_HAS(r.err, BAD ":8:14: error:");
        run_free(&r);
    }
}

static void test_missing_file_is_2(void **state)
{
    (void)state;
    for (size_t i = 0; i < NMODEL; i++) {
        run_result r = run("%s %s/no-such-model.yaml", model_commands[i], tmpdir);
        char what[128];
        snprintf(what, sizeof what, "eddy %s on a missing file", model_commands[i]);
        EXPECT_STATUS(r, 2, what);
        EXPECT_HAS(r.err, "no-such-model.yaml");
        run_free(&r);
    }
}

static void test_bad_flag_is_2(void **state)
{
    (void)state;
    static const char *const commands[] = {"run",    "diagnose", "fix",   "sweep", "basin", "loops",
                                           "review", "report",   "avail", "check", "schema"};
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        run_result r = run("%s --no-such-flag examples/mmc.yaml", commands[i]);
        char what[128];
        snprintf(what, sizeof what, "eddy %s --no-such-flag", commands[i]);
        EXPECT_STATUS(r, 2, what);
        EXPECT_HAS(r.err, "unknown option '--no-such-flag'");
        assert_string_equal(r.out, "");
        run_free(&r);
    }
    /* values the new options do not take */
    run_result r = run("diagnose --fail-on sometimes examples/mmc.yaml");
    EXPECT_STATUS(r, 2, "diagnose --fail-on sometimes");
    EXPECT_HAS(r.err, "--fail-on expects metastable, component or any");
    run_free(&r);
    r = run("review --strict --severity loud examples/mmc.yaml");
    EXPECT_STATUS(r, 2, "review --severity loud");
    EXPECT_HAS(r.err, "--severity expects note, warning or error");
    run_free(&r);
    r = run("run");
    EXPECT_STATUS(r, 2, "eddy run without a FILE");
    run_free(&r);
}

/* `eddy schema` reads no model; its input is the --docs file. */
static void test_schema_bad_input_is_2(void **state)
{
    (void)state;
    run_result r = run("schema --docs %s/no-such.md", tmpdir);
    EXPECT_STATUS(r, 2, "eddy schema --docs MISSING");
    run_free(&r);
    r = run("schema examples/mmc.yaml");
    EXPECT_STATUS(r, 2, "eddy schema FILE");
    run_free(&r);
}

/* `eddy run MODEL.xmile`: a stock-and-flow model that does not parse, and
 * one that is missing, exit 2 as a bad YAML model does. */
static void test_xmile_bad_input_is_2(void **state)
{
    (void)state;
    char path[256];
    tmp_path(path, sizeof path, "broken.xmile");
    write_file(path, "<?xml version=\"1.0\"?>\n<xmile version=\"1.0\" "
                     "xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">\n<model><variables>\n"
                     "<stock name=\"s\"><eqn>1 +</eqn></stock>\n</variables></model></xmile>\n");
    run_result r = run("run -q %s", path);
    EXPECT_STATUS(r, 2, "eddy run broken.xmile");
    EXPECT_HAS(r.err, "broken.xmile");
    run_free(&r);
    r = run("run -q %s/missing.xmile", tmpdir);
    EXPECT_STATUS(r, 2, "eddy run missing.xmile");
    run_free(&r);
    r = run("run --no-such-flag %s", path);
    EXPECT_STATUS(r, 2, "eddy run --no-such-flag broken.xmile");
    run_free(&r);
    /* a run that divides by zero cannot go: 2 from run and from loops,
     * as their --help says */
    tmp_path(path, sizeof path, "divides.xmile");
    write_file(path, "<?xml version=\"1.0\"?>\n<xmile version=\"1.0\" "
                     "xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">\n"
                     "<sim_specs><start>0</start><stop>4</stop><dt>1</dt></sim_specs>\n<model><variables>\n"
                     "<stock name=\"s\"><eqn>1</eqn><inflow>f</inflow></stock>\n"
                     "<flow name=\"f\"><eqn>s / (2 - TIME)</eqn></flow>\n</variables></model></xmile>\n");
    r = run("run -q %s", path);
    EXPECT_STATUS(r, 2, "eddy run divides.xmile");
    EXPECT_HAS(r.err, "f divides by zero");
    run_free(&r);
    r = run("loops --dominance %s", path);
    EXPECT_STATUS(r, 2, "eddy loops --dominance divides.xmile");
    EXPECT_HAS(r.err, "f divides by zero");
    run_free(&r);
}

/* The top level: no command, an unknown one. */
static void test_top_level_is_2(void **state)
{
    (void)state;
    run_result r = run("frobnicate examples/mmc.yaml");
    EXPECT_STATUS(r, 2, "eddy frobnicate");
    run_free(&r);
    r = run("--help");
    EXPECT_STATUS(r, 0, "eddy --help");
    EXPECT_HAS(r.out, "2 usage error or bad input");
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_model_is_2),        cmocka_unit_test(test_missing_file_is_2),
        cmocka_unit_test(test_bad_flag_is_2),         cmocka_unit_test(test_schema_bad_input_is_2),
        cmocka_unit_test(test_xmile_bad_input_is_2), cmocka_unit_test(test_top_level_is_2),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
