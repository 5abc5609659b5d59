/* test_loops.c -- causal loop diagrams read from Mermaid and YAML: the
 * issue's named diagrams checked loop by loop, the flags, the ordering
 * rule, malformed input, and the four output forms.
 *
 * Every diagram is a file under tests/data/loops/, so what is tested is
 * exactly what a user would write in a design doc. */
#include "testutil.h"
#include "testloops.h"

#include <jansson.h>

#include "loops/analyze.h"
#include "loops/graph.h"
#include "loops/mermaid.h"
#include "loops/source.h"
#include "loops/util.h"
#include "output/loops_out.h"

#define DATA "tests/data/loops/"

/* The loops of the file must be exactly `want`, in order. */
static void expect_loops(const char *path, const char *const *want, size_t n)
{
    loaded l = load(path);
    if (l.a->n != n) {
        for (size_t i = 0; i < l.a->n; i++)
            print_message("got %s\n", describe(l.a, i));
        fail_msg("%s: %zu loops, want %zu", path, l.a->n, n);
    }
    for (size_t i = 0; i < n; i++)
        assert_string_equal(describe(l.a, i), want[i]);
    assert_false(l.a->capped);
    unload(&l);
}

/* ---- the issue's test diagrams ---------------------------------------------- */

static void test_retry_storm(void **state)
{
    (void)state;
    static const char *const want[] = {"R1: Load, Latency, Timeouts, Retries"};
    expect_loops(DATA "retry_storm.mmd", want, 1);
    loaded l = load(DATA "retry_storm.mmd");
    const cld_loop *L = &l.a->loops[0];
    assert_int_equal(L->type, 'R');
    assert_int_equal(L->negatives, 0);
    assert_int_equal(L->len, 4);
    /* Alone, the retry storm has nothing to stop it. */
    assert_true(L->unguarded);
    assert_int_equal(l.a->nunguarded, 1);
    unload(&l);
}

static void test_autoscaler(void **state)
{
    (void)state;
    static const char *const want[] = {"B1: CPU Usage, Compare to Target (70%), Scaling Decision, Pod Count"};
    expect_loops(DATA "autoscaler.mmd", want, 1);
    loaded l = load(DATA "autoscaler.mmd");
    assert_int_equal(l.a->loops[0].type, 'B');
    assert_int_equal(l.a->loops[0].negatives, 1);
    /* no delays drawn, so no oscillation flag */
    assert_false(l.a->loops[0].can_oscillate);
    assert_false(l.a->loops[0].unguarded);
    unload(&l);
}

static void test_autoscaler_with_delays_can_oscillate(void **state)
{
    (void)state;
    loaded l = load(DATA "autoscaler_delay.mmd");
    assert_int_equal(l.a->n, 1);
    const cld_loop *L = &l.a->loops[0];
    assert_int_equal(L->type, 'B');
    assert_int_equal(L->delays, 2);
    assert_true(L->can_oscillate);
    assert_int_equal(l.a->noscillate, 1);
    /* "||" and the word "delay" both mark a delay; the rest is the note */
    const cld_graph *g = l.src.g;
    assert_true(g->links[1].delay);
    assert_string_equal(g->links[1].note, "sync every 15s");
    assert_true(g->links[2].delay);
    assert_string_equal(g->links[2].note, "delay: pod start-up");
    assert_false(g->links[0].delay);
    unload(&l);
}

static void test_complex_reality(void **state)
{
    (void)state;
    static const char *const want[] = {
        "R1: Load, Latency, Timeouts, Retries",
        "B2: Latency, Pods",
        "B3: Load, Latency, Timeouts, Circuit",
    };
    expect_loops(DATA "complex_reality.mmd", want, 3);
    loaded l = load(DATA "complex_reality.mmd");
    const loop_analysis *a = l.a;
    assert_int_equal(a->nr, 1);
    assert_int_equal(a->nb, 2);
    /* R1 is touched by both balancing loops, so it is not unguarded */
    assert_false(a->loops[0].unguarded);
    assert_int_equal(a->nunguarded, 0);
    size_t idx[8];
    bool more;
    size_t n = loops_touching(a, 0, 'B', idx, 8, &more);
    assert_int_equal(n, 2);
    assert_string_equal(a->loops[idx[0]].name, "B2");
    assert_string_equal(a->loops[idx[1]].name, "B3");
    assert_false(more);
    /* shared variables: Load (R1, B3), Latency (all three), Timeouts (R1, B3);
     * Retries, Pods and Circuit are each on one loop */
    const cld_graph *g = a->g;
    int lat = cld_find(g, "Latency"), load_ = cld_find(g, "Load"), ret = cld_find(g, "Retries");
    assert_int_equal(a->var_nloops[lat], 3);
    assert_int_equal(a->var_nloops[load_], 2);
    assert_int_equal(a->var_nloops[ret], 1);
    assert_string_equal(a->loops[a->var_loops[load_][1]].name, "B3");
    /* B2 and B3 share Latency; touching with a cap reports the cut */
    n = loops_touching(a, 1, 0, idx, 1, &more);
    assert_int_equal(n, 1);
    assert_string_equal(a->loops[idx[0]].name, "R1");
    assert_true(more);
    unload(&l);
}

static void test_contention_spiral(void **state)
{
    (void)state;
    static const char *const want[] = {"R1: Concurrent Queries, Lock Contention, Query Latency, Connections Held"};
    expect_loops(DATA "contention.mmd", want, 1);
    loaded l = load(DATA "contention.mmd");
    assert_int_equal(l.a->loops[0].type, 'R');
    assert_true(l.a->loops[0].unguarded);
    unload(&l);
}

static void test_cold_cache(void **state)
{
    (void)state;
    static const char *const want[] = {"R1: Cache misses, Origin load, Origin latency, Failed fills"};
    expect_loops(DATA "cache.mmd", want, 1);
    loaded l = load(DATA "cache.mmd");
    assert_int_equal(l.a->loops[0].type, 'R');
    assert_string_equal(l.src.g->links[3].note, "keys stay cold");
    unload(&l);
}

/* ---- the rest of the accepted syntax --------------------------------------------- */

static void test_syntax_tour(void **state)
{
    (void)state;
    /* pipe labels with a space before them, dotted and thick links, an
     * unquoted inline label, two statements on a line, '&' groups, chains,
     * the Unicode minus, nested subgraphs, and the ignored statements */
    static const char *const want[] = {
        "B1: Alpha, Beta, Gamma",
        "B2: Alpha, Delta",
        "B3: E, G",
    };
    expect_loops(DATA "syntax_tour.mmd", want, 3);
    loaded l = load(DATA "syntax_tour.mmd");
    const cld_graph *g = l.src.g;
    assert_int_equal(g->nvars, 7);
    assert_int_equal(g->nlinks, 8);
    /* E & F --> G makes two links; G --> E closes one loop only (F has no
     * way back) */
    int e = cld_find(g, "E"), f = cld_find(g, "F"), gg = cld_find(g, "G");
    int links_into_g = 0;
    for (size_t i = 0; i < g->nlinks; i++)
        links_into_g += g->links[i].to == gg && (g->links[i].from == e || g->links[i].from == f);
    assert_int_equal(links_into_g, 2);
    /* D -->|"(−) ||"| A: Unicode minus, and a delay */
    const cld_loop *b2 = &l.a->loops[1];
    assert_true(b2->can_oscillate);
    unload(&l);
}

static void test_labels_declared_late_and_repeated_links(void **state)
{
    (void)state;
    static const char text[] = "graph TD\n"
                               "  A -->|\"(+)\"| B\n"
                               "  B[\"Pods<br/>count\"] -->|\"(-)\"| A\n"
                               "  A -->|\"(+) again\"| B\n"
                               "  A -->|\"(-)\"| B\n";
    cld_graph *g = cld_new("inline.mmd");
    eddy_error err = {0};
    assert_int_equal(mermaid_parse(g, text, strlen(text), "inline.mmd", 1, &err), 0);
    /* a label given after first use names the variable; <br/> is a space */
    assert_string_equal(g->vars[1].name, "Pods count");
    /* the same link said twice is merged; the opposite polarity is kept */
    assert_int_equal(g->nlinks, 3);
    assert_string_equal(g->links[0].note, "again");
    loop_analysis *a = loops_analyze(g, 0);
    /* A -(+)-> B -(-)-> A is balancing, A -(-)-> B -(-)-> A reinforcing */
    assert_int_equal(a->n, 2);
    assert_string_equal(a->loops[0].name, "B1");
    assert_string_equal(a->loops[1].name, "R2");
    loops_free(a);
    cld_free(g);
}

/* Variables and links are found by hash: a Mermaid line joining 300 x 300
 * variables with '&' gives 90,000 distinct links, said twice (merged), and
 * every look-up still finds its own. */
static void test_hashed_lookups_at_scale(void **state)
{
    (void)state;
    enum { N = 300 };
    lu_buf b = {0};
    lu_buf_add(&b, "flowchart LR\n");
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < N; i++)
            lu_buf_printf(&b, "%sA%d", i ? " & " : "", i);
        lu_buf_add(&b, pass ? " -- \"(+) again\" --> " : " -- \"(+)\" --> ");
        for (int i = 0; i < N; i++)
            lu_buf_printf(&b, "%sB%d", i ? " & " : "", i);
        lu_buf_add(&b, "\n");
    }
    lu_buf_add(&b, "B7 -- \"(-)\" --> A3\n");
    cld_graph *g = cld_new("big.mmd");
    eddy_error err = {0};
    if (mermaid_parse(g, b.s, b.len, "big.mmd", 1, &err) < 0)
        fail_with_error(&err);
    lu_buf_free(&b);
    assert_int_equal(g->nvars, 2 * N);
    assert_int_equal(g->nlinks, N * N + 1);
    char id[16];
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof id, "A%d", i);
        assert_int_equal(cld_find(g, id), i);
        snprintf(id, sizeof id, "B%d", i);
        assert_int_equal(cld_find(g, id), N + i);
    }
    assert_int_equal(cld_find(g, "C0"), -1);
    /* the second line merged into the first: its note on every link */
    assert_string_equal(g->links[N * N - 1].note, "again");
    /* one loop: A3 -> B7 -> A3, balancing */
    loop_analysis *a = loops_analyze(g, 0);
    assert_int_equal(a->n, 1);
    assert_int_equal(a->nb, 1);
    loops_free(a);
    cld_free(g);
}

/* Adding a link at the end of a diagram never renumbers the loops above. */
static void test_numbering_is_stable_under_appending(void **state)
{
    (void)state;
    static const char base[] = "flowchart TD\n"
                               "Load -- \"(+)\" --> Latency\nLatency -- \"(+)\" --> Timeouts\n"
                               "Timeouts -- \"(+)\" --> Retries\nRetries -- \"(+)\" --> Load\n"
                               "Latency -- \"(+)\" --> Pods\nPods -- \"(-)\" --> Latency\n";
    static const char more[] = "Timeouts -- \"(+)\" --> Circuit\nCircuit -- \"(-)\" --> Load\n"
                               "Pods -- \"(+)\" --> Load\n";
    char text[1024];
    snprintf(text, sizeof text, "%s%s", base, more);
    cld_graph *g1 = cld_new("a"), *g2 = cld_new("b");
    eddy_error err;
    assert_int_equal(mermaid_parse(g1, base, strlen(base), "a", 1, &err), 0);
    assert_int_equal(mermaid_parse(g2, text, strlen(text), "b", 1, &err), 0);
    loop_analysis *a1 = loops_analyze(g1, 0), *a2 = loops_analyze(g2, 0);
    assert_int_equal(a1->n, 2);
    assert_true(a2->n > a1->n);
    for (size_t i = 0; i < a1->n; i++) {
        char d1[DESCRIBE_MAX];
        snprintf(d1, sizeof d1, "%s", describe(a1, i));
        assert_string_equal(describe(a2, i), d1);
    }
    loops_free(a1);
    loops_free(a2);
    cld_free(g1);
    cld_free(g2);
}

/* ---- the YAML form ---------------------------------------------------------------- */

static void test_yaml_form(void **state)
{
    (void)state;
    static const char *const want[] = {
        "R1: Load, Latency, Timeouts, Retries",
        "B2: Latency, Pods",
    };
    expect_loops(DATA "retry_storm.yaml", want, 2);
    loaded l = load(DATA "retry_storm.yaml");
    assert_int_equal(l.src.kind, SOURCE_CLD_YAML);
    const cld_graph *g = l.src.g;
    assert_string_equal(g->links[1].note, "timeout 2s");
    assert_true(g->links[4].delay);
    assert_int_equal(g->links[5].sign, -1);
    assert_int_equal(g->links[5].line, 13);
    assert_true(l.a->loops[1].can_oscillate);
    unload(&l);
}

/* ---- malformed input: every error names the line, and the column ----------------- */

typedef struct bad_case {
    const char *file;
    int line, col;
    const char *says;
} bad_case;

static void test_malformed_diagrams(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        {"bad_no_polarity.mmd", 3, 9, "link Latency --> Timeouts has no polarity"},
        {"bad_label_no_polarity.mmd", 3, 9, "labelled 'slows down' but has no polarity"},
        {"bad_unknown_syntax.mmd", 3, 9, "unexpected '~~> Load' after Latency"},
        {"bad_unterminated_subgraph.mmd", 2, 1, "subgraph opened here is never closed"},
        {"bad_stray_end.mmd", 4, 1, "'end' without a matching 'subgraph'"},
        {"bad_open_link.mmd", 3, 11, "has no arrow head"},
        {"bad_header.mmd", 2, 1, "sequenceDiagram, not a flowchart"},
        {"bad_unterminated_label.mmd", 2, 19, "variable Load: expected ']' after its label"},
        {"bad_two_polarities.mmd", 2, 8, "has both (+) and (-)"},
        {"bad_two_way.mmd", 2, 8, "two-way link from Load"},
        {"bad_unclosed_pipe.mmd", 2, 11, "unterminated link label: expected a closing '|'"},
        {"bad_polarity.yaml", 3, 41, "links[1].polarity: expected + or -"},
        {"bad_key.yaml", 2, 44, "unknown key 'dealy'"},
        {"bad_block_minus.yaml", 4, 15, "a negative polarity must be quoted"},
        {"mixed_block.md", 6, 5, "link B --> A has no polarity"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, DATA "%s", cases[i].file);
        loops_source src;
        eddy_error err = {0};
        int rc = source_load(path, 0, &src, &err);
        if (rc == 0) {
            source_free(&src);
            fail_msg("%s: loaded without error", path);
        }
        if (strcmp(err.file, path) || err.line != cases[i].line || err.col != cases[i].col ||
            !strstr(err.msg, cases[i].says))
            fail_msg("%s: got %s:%d:%d: %s; want line %d col %d saying \"%s\"", path, err.file, err.line, err.col,
                     err.msg, cases[i].line, cases[i].col, cases[i].says);
    }
}

static void test_inline_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int line, col;
        const char *says;
    } cases[] = {
        {"", 1, 1, "empty diagram"},
        {"%% only a comment\n", 1, 1, "empty diagram"},
        {"flowchart XY\n", 1, 11, "unknown flowchart direction 'XY'"},
        {"pie title Pets\n", 1, 1, "pie, not a flowchart"},
        {"graph LR\nA -- \"(+)\" B\n", 2, 12, "expected a closing arrow such as -->"},
        {"graph LR\nA -- (+) B\n", 2, 3, "is not closed by an arrow such as -->"},
        {"graph LR\nA --o B\n", 2, 3, "circle and cross heads are not causal arrows"},
        {"graph LR\nA -- \"(+)\" --- B\n", 2, 12, "has no arrow head"},
        {"graph LR\nA -->|\"(+)\"|\n", 2, 13,
         "expected a variable (an id such as Load, or Load[\"Load\"]); got the end"},
        {"graph LR\n\n  A[\"x\" -->|\"(+)\"| B\n", 3, 9, "expected ']' after its label"},
        {"graph LR\nA(unclosed -->|\"(+)\"| B\n", 2, 2, "unterminated label of variable A: expected ')'"},
        {"graph LR\r\nA -->|\"(+)\"| B\r\nB --> A\r\n", 3, 3, "has no polarity"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cld_graph *g = cld_new("t.mmd");
        eddy_error err = {0};
        int rc = mermaid_parse(g, cases[i].text, strlen(cases[i].text), "t.mmd", 1, &err);
        cld_free(g);
        if (rc == 0)
            fail_msg("case %zu parsed without error", i);
        if (err.line != cases[i].line || err.col != cases[i].col || !strstr(err.msg, cases[i].says))
            fail_msg("case %zu: got %d:%d: %s; want %d:%d saying \"%s\"", i, err.line, err.col, err.msg, cases[i].line,
                     cases[i].col, cases[i].says);
    }
}

/* ---- Markdown: a diagram read from a design doc ------------------------------------- */

static void test_markdown_design_doc(void **state)
{
    (void)state;
    static const char *const want[] = {
        "R1: Load, Latency, Timeouts, Retries",
        "B2: Latency, Pods",
        "B3: Load, Latency, Timeouts, Circuit open",
    };
    expect_loops("examples/loops/checkout-design.md", want, 3);
    loaded l = load("examples/loops/checkout-design.md");
    const cld_graph *g = l.src.g;
    assert_int_equal(l.src.kind, SOURCE_MARKDOWN);
    /* errors and lines refer to the Markdown file itself */
    assert_int_equal(g->links[0].line, 32);
    /* the architecture sketch and the sequence diagram are skipped, with notes */
    assert_int_equal(g->nnotes, 2);
    assert_non_null(strstr(g->notes[0], "line 10: none of its links has a polarity"));
    assert_non_null(strstr(g->notes[1], "line 18: it is not a flowchart"));
    assert_true(l.a->loops[1].can_oscillate);
    unload(&l);

    /* --block picks one block, and then it must be a loop diagram */
    loops_source src;
    eddy_error err = {0};
    assert_int_equal(source_load("examples/loops/checkout-design.md", 3, &src, &err), 0);
    source_free(&src);
    assert_int_equal(source_load("examples/loops/checkout-design.md", 1, &src, &err), -1);
    assert_int_equal(err.line, 12);
    assert_non_null(strstr(err.msg, "has no polarity"));
    assert_int_equal(source_load("examples/loops/checkout-design.md", 9, &src, &err), -1);
    assert_non_null(strstr(err.msg, "asked for mermaid block 9, but the file has 3"));
    assert_int_equal(source_load(DATA "no_cld.md", 0, &src, &err), -1);
    assert_non_null(strstr(err.msg, "no causal loop diagram found"));
}

static void test_missing_file(void **state)
{
    (void)state;
    loops_source src;
    eddy_error err = {0};
    assert_int_equal(source_load(DATA "does-not-exist.mmd", 0, &src, &err), -1);
    assert_string_equal(err.file, DATA "does-not-exist.mmd");
    assert_non_null(strstr(err.msg, "cannot open"));
}

/* ---- output forms ---------------------------------------------------------------- */

static char *capture_text(const loop_analysis *a, int form)
{
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    assert_non_null(f);
    if (form == 0)
        loopsout_text(f, a, NULL);
    else if (form == 1)
        loopsout_mermaid(f, a);
    else
        loopsout_dot(f, a);
    fclose(f);
    return s;
}

static void test_text_output(void **state)
{
    (void)state;
    loaded l = load(DATA "complex_reality.mmd");
    char *s = capture_text(l.a, 0);
    assert_non_null(strstr(s, "6 variables, 8 links, 3 loops (1 reinforcing, 2 balancing)"));
    assert_non_null(strstr(s, "R1 reinforcing: Load \xe2\x86\x92 Latency \xe2\x86\x92 Timeouts \xe2\x86\x92 Retries "
                              "\xe2\x86\x92 Load\n"));
    assert_non_null(strstr(s, "guarded by B2, B3"));
    assert_non_null(strstr(s, "B2 balancing: Latency \xe2\x86\x92 Pods \xe2\x86\x92 Latency\n"));
    assert_non_null(strstr(s, "      Pods -(-)-> Latency   line 9\n"));
    assert_non_null(strstr(s, "  Latency   R1, B2, B3\n"));
    assert_null(strstr(s, "unguarded"));
    free(s);
    unload(&l);

    l = load(DATA "retry_storm.mmd");
    s = capture_text(l.a, 0);
    assert_non_null(strstr(s, "  unguarded (a reinforcing loop no balancing loop touches: nothing drawn limits it, so "
                              "it runs until something breaks; a breaker, a retry budget or a bounded queue on it "
                              "would):\n    R1\n"));
    assert_null(strstr(s, "every reinforcing loop needs a circuit breaker"));
    free(s);
    unload(&l);
}

static void test_json_output(void **state)
{
    (void)state;
    loaded l = load(DATA "complex_reality.mmd");
    /* round-trip through text, as a consumer would */
    json_t *j = json_round_trip(loopsout_json(l.a, NULL, "mermaid"));
    json_t *sum = json_object_get(j, "summary");
    assert_int_equal(json_integer_value(json_object_get(sum, "loops")), 3);
    assert_int_equal(json_integer_value(json_object_get(sum, "reinforcing")), 1);
    assert_false(json_is_true(json_object_get(sum, "capped")));
    json_t *loops = json_object_get(j, "loops");
    assert_int_equal(json_array_size(loops), 3);
    json_t *r1 = json_array_get(loops, 0);
    assert_string_equal(json_string_value(json_object_get(r1, "name")), "R1");
    assert_string_equal(json_string_value(json_object_get(r1, "type")), "R");
    assert_false(json_is_true(json_object_get(r1, "unguarded")));
    json_t *vars = json_object_get(r1, "variables");
    assert_int_equal(json_array_size(vars), 4);
    assert_string_equal(json_string_value(json_array_get(vars, 3)), "Retries");
    json_t *gb = json_object_get(r1, "guarded_by");
    assert_int_equal(json_array_size(gb), 2);
    assert_string_equal(json_string_value(json_array_get(gb, 1)), "B3");
    json_t *b3 = json_array_get(loops, 2);
    json_t *last = json_array_get(json_object_get(b3, "links"), 3);
    assert_string_equal(json_string_value(json_object_get(last, "from")), "Circuit");
    assert_string_equal(json_string_value(json_object_get(last, "polarity")), "-");
    assert_int_equal(json_integer_value(json_object_get(last, "line")), 11);
    json_t *shared = json_object_get(j, "shared_variables");
    assert_int_equal(json_array_size(shared), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(shared, 1), "variable")), "Latency");
    assert_int_equal(json_array_size(json_object_get(json_array_get(shared, 1), "loops")), 3);
    json_decref(j);
    unload(&l);
}

/* The Mermaid output is itself a diagram eddy reads back to the same loops. */
static void test_mermaid_output_round_trips(void **state)
{
    (void)state;
    const char *files[] = {DATA "complex_reality.mmd", DATA "autoscaler_delay.mmd", DATA "syntax_tour.mmd"};
    for (size_t k = 0; k < 3; k++) {
        loaded l = load(files[k]);
        char *s = capture_text(l.a, 1);
        assert_non_null(strstr(s, "classDef reinforcing"));
        cld_graph *g = cld_new("out.mmd");
        eddy_error err = {0};
        if (mermaid_parse(g, s, strlen(s), "out.mmd", 1, &err) < 0)
            fail_msg("%s: eddy's own Mermaid output does not parse: %d:%d %s\n%s", files[k], err.line, err.col, err.msg,
                     s);
        loop_analysis *b = loops_analyze(g, 0);
        assert_int_equal(b->n, l.a->n);
        for (size_t i = 0; i < b->n; i++) {
            char d[DESCRIBE_MAX];
            snprintf(d, sizeof d, "%s", describe(l.a, i));
            assert_string_equal(describe(b, i), d);
            assert_int_equal(b->loops[i].delays, l.a->loops[i].delays);
        }
        loops_free(b);
        cld_free(g);
        free(s);
        unload(&l);
    }
    loaded l = load(DATA "complex_reality.mmd");
    char *s = capture_text(l.a, 1);
    /* links on the reinforcing loop are red; links only on balancing loops blue */
    assert_non_null(strstr(s, "  linkStyle 0,1,2,3 stroke:#c0392b"));
    assert_non_null(strstr(s, "  linkStyle 4,5,6,7 stroke:#2874a6"));
    assert_non_null(strstr(s, "%% R1 reinforcing: Load -> Latency -> Timeouts -> Retries\n"));
    free(s);
    unload(&l);
}

static void test_dot_output(void **state)
{
    (void)state;
    loaded l = load(DATA "complex_reality.mmd");
    char *s = capture_text(l.a, 2);
    assert_non_null(strstr(s, "digraph loops {"));
    size_t arrows = 0;
    for (const char *p = s; (p = strstr(p, "  v")); p++)
        if (strstr(p, " -> v") && strchr(p, '\n') > strstr(p, " -> v"))
            arrows++;
    assert_int_equal(arrows, 8);
    assert_non_null(strstr(s, "v5 -> v0 [label=\"-\", color=\"#2874a6\", penwidth=2, style=dashed];"));
    assert_non_null(strstr(s, "// B3 balancing: Load -> Latency -> Timeouts -> Circuit\n"));
    free(s);
    unload(&l);
}

/* docs/loops.md shows real output: the worked example must be what eddy
 * prints today, byte for byte. */
static void test_docs_show_real_output(void **state)
{
    (void)state;
    loaded l = load("examples/loops/checkout-design.md");
    char *s = capture_text(l.a, 0);
    FILE *f = fopen("docs/loops.md", "rb");
    assert_non_null(f);
    static char doc[65536];
    size_t n = fread(doc, 1, sizeof doc - 1, f);
    fclose(f);
    doc[n] = 0;
    if (!strstr(doc, s))
        fail_msg("docs/loops.md no longer shows the output of `eddy loops examples/loops/checkout-design.md`:\n%s", s);
    free(s);
    s = capture_text(l.a, 1);
    assert_non_null(strstr(doc, s));
    free(s);
    unload(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retry_storm),
        cmocka_unit_test(test_hashed_lookups_at_scale),
        cmocka_unit_test(test_autoscaler),
        cmocka_unit_test(test_autoscaler_with_delays_can_oscillate),
        cmocka_unit_test(test_complex_reality),
        cmocka_unit_test(test_contention_spiral),
        cmocka_unit_test(test_cold_cache),
        cmocka_unit_test(test_syntax_tour),
        cmocka_unit_test(test_labels_declared_late_and_repeated_links),
        cmocka_unit_test(test_numbering_is_stable_under_appending),
        cmocka_unit_test(test_yaml_form),
        cmocka_unit_test(test_malformed_diagrams),
        cmocka_unit_test(test_inline_errors),
        cmocka_unit_test(test_markdown_design_doc),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_text_output),
        cmocka_unit_test(test_json_output),
        cmocka_unit_test(test_mermaid_output_round_trips),
        cmocka_unit_test(test_dot_output),
        cmocka_unit_test(test_docs_show_real_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
