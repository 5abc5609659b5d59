/* test_loops_cli.c -- `eddy loops` and `eddy review`, run as a user would.
 *
 * The binary is $EDDY (set by `make test`) or ./eddy; output goes to files
 * in a private mkdtemp directory.  Checked: exit statuses (0; 2 for a bad
 * input file or for usage), --help on stdout, FILE:LINE:COL errors, each
 * output form, --max-loops saying it capped, --boundary, and review's
 * table and JSON.  If the binary does not have the commands yet, the
 * suite says so and skips rather than failing on someone else's file. */
#include "testutil.h"
#include "testproc.h"

#include <jansson.h>
#include <stdbool.h>
#include <unistd.h>

#define DATA "tests/data/loops/"

static bool have_commands;

static int setup(void **state)
{
    (void)state;
    if (proc_begin("loops-cli") < 0)
        return -1;
    run_result r = run("loops --help");
    have_commands = r.status == 0 && strstr(r.out, "usage: eddy loops");
    run_free(&r);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return proc_end();
}

#define NEED_COMMANDS()                                                                                                \
    do {                                                                                                               \
        if (!have_commands) {                                                                                          \
            print_message("%s has no `loops` command yet (src/cli/main.c's table); skipped\n", eddy);                  \
            skip();                                                                                                    \
        }                                                                                                              \
    } while (0)

static void test_help_and_usage(void **state)
{
    (void)state;
    NEED_COMMANDS();
    run_result r = run("loops --help");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "--max-loops N"));
    assert_non_null(strstr(r.out, "--boundary"));
    assert_string_equal(r.err, "");
    run_free(&r);
    r = run("review --help");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "usage: eddy review [--strict [--severity LEVEL]] [--json] MODEL.yaml"));
    run_free(&r);
    static const char *const usage_errors[] = {
        "loops",
        "loops --frobnicate " DATA "retry_storm.mmd",
        "loops --json --dot " DATA "retry_storm.mmd",
        "loops --max-loops lots " DATA "retry_storm.mmd",
        "loops --max-loops",
        "loops a.mmd b.mmd",
        "loops --block 0 examples/loops/checkout-design.md",
        "loops --block 2 " DATA "retry_storm.mmd",
        "review",
        "review --table examples/mmc.yaml",
        "review --severity error examples/mmc.yaml",
        "review --strict --severity fatal examples/mmc.yaml",
        "review --strict --severity",
    };
    for (size_t i = 0; i < sizeof usage_errors / sizeof usage_errors[0]; i++) {
        r = run("%s", usage_errors[i]);
        if (r.status != 2)
            fail_msg("`eddy %s` exited %d, want 2 (usage); stderr: %s", usage_errors[i], r.status, r.err);
        assert_non_null(strstr(r.err, "eddy "));
        assert_string_equal(r.out, "");
        run_free(&r);
    }
}

static void test_bad_input_exits_2_with_the_place(void **state)
{
    (void)state;
    NEED_COMMANDS();
    run_result r = run("loops " DATA "bad_no_polarity.mmd");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, DATA "bad_no_polarity.mmd:3:9: error: link Latency --> Timeouts has no polarity"));
    assert_string_equal(r.out, "");
    run_free(&r);
    r = run("loops " DATA "nonexistent.mmd");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "cannot open"));
    run_free(&r);
    r = run("loops " DATA "bad_model.yaml");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, DATA "bad_model.yaml:9:5: error:"));
    run_free(&r);
    r = run("review " DATA "bad_model.yaml");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, DATA "bad_model.yaml:9:5: error:"));
    run_free(&r);
    r = run("loops examples/retry-storm.yaml --boundary payments");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "'payments' is not an entity here"));
    run_free(&r);
}

static void test_output_forms(void **state)
{
    (void)state;
    NEED_COMMANDS();
    run_result r = run("loops " DATA "complex_reality.mmd");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "R1 reinforcing: Load"));
    assert_non_null(strstr(r.out, "B3 balancing: Load"));
    run_free(&r);

    r = run("loops --json " DATA "complex_reality.mmd");
    assert_int_equal(r.status, 0);
    json_error_t jerr;
    json_t *j = json_loads(r.out, 0, &jerr);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "kind")), "mermaid");
    assert_int_equal(json_array_size(json_object_get(j, "loops")), 3);
    json_decref(j);
    run_free(&r);

    r = run("loops --mermaid " DATA "complex_reality.mmd");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "flowchart LR\n"));
    assert_non_null(strstr(r.out, "linkStyle"));
    run_free(&r);

    r = run("loops --dot " DATA "complex_reality.mmd");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "digraph loops {"));
    run_free(&r);

    r = run("loops " DATA "retry_storm.yaml");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "2 loops (1 reinforcing, 1 balancing)"));
    run_free(&r);

    r = run("loops examples/loops/checkout-design.md --block 3");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "3 loops (1 reinforcing, 2 balancing)"));
    run_free(&r);
}

static void test_max_loops_says_it_capped(void **state)
{
    (void)state;
    NEED_COMMANDS();
    /* past --max-loops, the groups are searched one by one: still every
     * group, with exact counts here, and it says the list is not whole */
    run_result r = run("loops --max-loops 2 " DATA "complex_reality.mmd");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "3 loops (1 reinforcing, 2 balancing) in 3 groups"));
    assert_non_null(strstr(r.out, "More than 2 loops (--max-loops)"));
    run_free(&r);
    r = run("loops --max-loops=2 --json " DATA "complex_reality.mmd");
    assert_int_equal(r.status, 0);
    json_error_t jerr;
    json_t *j = json_loads(r.out, 0, &jerr);
    assert_non_null(j);
    assert_true(json_is_true(json_object_get(json_object_get(j, "summary"), "capped")));
    assert_true(json_is_false(json_object_get(json_object_get(j, "summary"), "complete")));
    assert_int_equal(json_array_size(json_object_get(j, "groups")), 3);
    json_decref(j);
    run_free(&r);
    /* --all with --max-loops stops there and says so */
    r = run("loops --all --max-loops 2 " DATA "complex_reality.mmd");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "CAPPED: stopped at 2 loops (--max-loops 2)"));
    run_free(&r);
    /* exactly as many as there are is not capped */
    r = run("loops --max-loops 3 " DATA "complex_reality.mmd");
    assert_null(strstr(r.out, "CAPPED"));
    assert_null(strstr(r.out, "More than"));
    run_free(&r);
}

static void test_boundary_and_derivation(void **state)
{
    (void)state;
    NEED_COMMANDS();
    run_result r = run("loops examples/retry-storm.yaml --boundary checkout");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "R1 reinforcing: checkout.load"));
    assert_non_null(strstr(r.out, "shoppers.retry (attempts 4, no backoff)"));
    assert_non_null(strstr(r.out, "Boundary {checkout}"));
    assert_non_null(strstr(r.out, "R1 crosses the boundary at shoppers (client)"));
    assert_null(strstr(r.out, "not covered yet")); /* every mechanism is derived */
    run_free(&r);
}

static void test_review(void **state)
{
    (void)state;
    NEED_COMMANDS();
    run_result r = run("review examples/local-optima.yaml");
    assert_int_equal(r.status, 0); /* flags are findings, not failures */
    assert_non_null(strstr(r.out, "naked-retry"));
    assert_non_null(strstr(r.out, "= 4x"));
    run_free(&r);
    r = run("review --json " DATA "three_layers.yaml");
    assert_int_equal(r.status, 0);
    json_error_t jerr;
    json_t *j = json_loads(r.out, 0, &jerr);
    assert_non_null(j);
    assert_within_rel(json_real_value(json_object_get(j, "worst_amplification")), 27.0, 0);
    json_decref(j);
    run_free(&r);
}

/* --all lists every loop: held and ranked up to --max-loops (the same
 * names as the default view), streamed as found beyond, never all in
 * memory; the counts are the exact ones either way. */
static void test_all_lists_every_loop(void **state)
{
    (void)state;
    NEED_COMMANDS();
    static const struct {
        const char *file, *count;
    } cases[] = {
        {DATA "complex_reality.mmd", "3 loops (1 reinforcing, 2 balancing)"},
        {DATA "three_layers.yaml", "27 loops (27 reinforcing, 0 balancing)"},
        {DATA "platform10.yaml", "1274 loops (1269 reinforcing, 5 balancing)"},
        {DATA "platform50.yaml", "6308 loops (6283 reinforcing, 25 balancing)"}, /* past 5000: streamed */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_result r = run("loops --all %s", cases[i].file);
        assert_int_equal(r.status, 0);
        if (!strstr(r.out, cases[i].count))
            fail_msg("eddy loops --all %s: no '%s' in its output", cases[i].file, cases[i].count);
        run_free(&r);
    }
    /* the default view of the same 1,274 loops is a page, not a book */
    json_error_t jerr;
    json_t *j0;
    run_result r = run("loops " DATA "platform10.yaml");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "1274 loops (1269 reinforcing, 5 balancing) in 18 groups"));
    assert_true(strlen(r.out) < 20000);
    run_free(&r);
    r = run("loops --all " DATA "platform10.yaml");
    assert_true(strlen(r.out) > 500000);
    assert_non_null(strstr(r.out, "\nR1274 reinforcing: ") || strstr(r.out, "\nB1274 balancing: "));
    run_free(&r);
    /* --json lists what the text lists: each group's shortest and strongest
     * loop, not 1,274 loops with their links (8.3 MB); --all lists them all */
    r = run("loops --json " DATA "platform10.yaml");
    assert_int_equal(r.status, 0);
    j0 = json_loads(r.out, 0, &jerr);
    assert_non_null(j0);
    size_t listed = json_array_size(json_object_get(j0, "loops"));
    assert_true(listed >= 18 && listed <= 36);
    assert_int_equal(json_array_size(json_object_get(j0, "groups")), 18);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j0, "summary"), "loops")), 1274);
    assert_non_null(strstr(json_string_value(json_object_get(j0, "loops_listed")), "every loop with --all"));
    assert_true(strlen(r.out) < 1000000);
    json_decref(j0);
    run_free(&r);
    r = run("loops --json --all " DATA "platform10.yaml");
    j0 = json_loads(r.out, 0, &jerr);
    assert_non_null(j0);
    assert_int_equal(json_array_size(json_object_get(j0, "loops")), 1274);
    assert_string_equal(json_string_value(json_object_get(j0, "loops_listed")), "all");
    json_decref(j0);
    run_free(&r);
    /* streamed JSON is one valid document with every loop */
    r = run("loops --all --json " DATA "platform50.yaml");
    assert_int_equal(r.status, 0);
    json_t *j = json_loads(r.out, 0, &jerr);
    if (!j)
        fail_msg("streamed --json does not parse: %s at line %d", jerr.text, jerr.line);
    assert_int_equal(json_array_size(json_object_get(j, "loops")), 6308);
    json_t *sum = json_object_get(j, "summary");
    assert_int_equal(json_integer_value(json_object_get(sum, "balancing")), 25);
    assert_true(json_is_false(json_object_get(sum, "capped")));
    json_decref(j);
    run_free(&r);
    /* --mermaid and --dot draw the diagram: --all is not theirs */
    r = run("loops --all --dot " DATA "complex_reality.mmd");
    assert_int_equal(r.status, 2);
    run_free(&r);
}

/* Findings of fuzzing the loops readers and the review, kept in
 * tests/data/bad/ as regression inputs (issue 17, section 4). */
static void test_fuzz_findings(void **state)
{
    (void)state;
    NEED_COMMANDS();
    /* invalid UTF-8 in a label: refused with its place, for text and JSON alike */
    static const char *const forms[] = {"", "--json "};
    for (size_t k = 0; k < 2; k++) {
        run_result r = run("loops %stests/data/bad/mermaid_label_invalid_utf8.mmd", forms[k]);
        assert_int_equal(r.status, 2);
        assert_non_null(strstr(r.err, "tests/data/bad/mermaid_label_invalid_utf8.mmd:4:32: error: byte 0xFF is not "
                                      "valid UTF-8"));
        assert_string_equal(r.out, "");
        run_free(&r);
    }
    /* an amplification that overflows a double: held and said, never "infx" */
    run_result r = run("review tests/data/bad/review_amplification_overflow.yaml");
    assert_int_equal(r.status, 0);
    assert_null(strstr(r.out, "inf"));
    assert_non_null(strstr(r.out, "worst-case amplification 1e+15x (saturated"));
    run_free(&r);
    r = run("review --json tests/data/bad/review_amplification_overflow.yaml");
    assert_int_equal(r.status, 0);
    json_error_t jerr;
    json_t *j = json_loads(r.out, 0, &jerr);
    assert_non_null(j);
    assert_true(json_is_true(json_object_get(j, "amplification_saturated")));
    assert_within_rel(json_real_value(json_object_get(j, "worst_amplification")), 1e15, 0);
    json_decref(j);
    run_free(&r);
    /* and an ordinary model is not saturated */
    r = run("review --json " DATA "three_layers.yaml");
    j = json_loads(r.out, 0, &jerr);
    assert_non_null(j);
    assert_true(json_is_false(json_object_get(j, "amplification_saturated")));
    json_decref(j);
    run_free(&r);
}

/* `eddy review --strict`, for CI: exit 1 when a flag is at or above the
 * severity (default warning), 0 otherwise, with the same review printed;
 * each flag line says its severity, as a compiler's does. */
static void test_review_strict(void **state)
{
    (void)state;
    NEED_COMMANDS();
    static const struct {
        const char *model;
        int dflt, note, warning, error; /* exit status: --strict, then each --severity */
    } cases[] = {
        {DATA "review_flags.yaml", 1, 1, 1, 1},    /* errors, warnings and a note */
        {"examples/mmc.yaml", 1, 1, 1, 0},         /* one warning: no-timeout */
        {"examples/noisy-neighbour.yaml", 0, 1, 0, 0}, /* one note: shared-dependency */
        {"examples/breaker.yaml", 0, 0, 0, 0},     /* no flags */
    };
    static const char *const levels[] = {"note", "warning", "error"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_result plain = run("review %s", cases[i].model);
        assert_int_equal(plain.status, 0); /* without --strict flags never fail */
        run_result r = run("review --strict %s", cases[i].model);
        if (r.status != cases[i].dflt)
            fail_msg("review --strict %s: exit %d, want %d", cases[i].model, r.status, cases[i].dflt);
        assert_string_equal(r.out, plain.out);
        if (r.status && !strstr(r.err, "at or above warning (--strict)"))
            fail_msg("review --strict %s: stderr does not say why: %s", cases[i].model, r.err);
        run_free(&r);
        int want[3] = {cases[i].note, cases[i].warning, cases[i].error};
        for (size_t k = 0; k < 3; k++) {
            r = run("review --strict --severity %s %s", levels[k], cases[i].model);
            if (r.status != want[k])
                fail_msg("review --strict --severity %s %s: exit %d, want %d", levels[k], cases[i].model, r.status,
                         want[k]);
            run_free(&r);
        }
        run_free(&plain);
    }
    run_result r = run("review examples/mmc.yaml");
    assert_non_null(strstr(r.out, ": warning: no-timeout: "));
    run_free(&r);
    r = run("review --json examples/retry-storm.yaml");
    assert_non_null(strstr(r.out, "\"severity\": \"error\""));
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_and_usage),
        cmocka_unit_test(test_bad_input_exits_2_with_the_place),
        cmocka_unit_test(test_output_forms),
        cmocka_unit_test(test_max_loops_says_it_capped),
        cmocka_unit_test(test_boundary_and_derivation),
        cmocka_unit_test(test_review),
        cmocka_unit_test(test_review_strict),
        cmocka_unit_test(test_all_lists_every_loop),
        cmocka_unit_test(test_fuzz_findings),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
