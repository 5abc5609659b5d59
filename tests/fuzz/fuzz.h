/* fuzz.h -- what the libFuzzer harnesses in tests/fuzz/ share.
 *
 * Each harness feeds one input parser with libFuzzer's bytes, exactly as
 * many as it gives (no terminating NUL, so AddressSanitizer sees any read
 * past the end), and then goes on to what eddy does with a parse that
 * succeeded: analysis and output.  Beyond crashes and sanitizer reports a
 * harness checks promises the parser makes -- that a name it accepts can
 * be written as JSON, that a file eddy writes can be read back -- and
 * aborts when one is broken, which libFuzzer reports as a crash.
 *
 * Run from the project root (`make fuzz`, tests/fuzz/run.sh). */
#ifndef EDDY_FUZZ_H
#define EDDY_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "loops/analyze.h"
#include "loops/graph.h"
#include "output/loops_out.h"

/* A broken promise: say which, then abort so libFuzzer keeps the input. */
#define FUZZ_ASSERT(cond, ...)                                                                                         \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "fuzz: broken promise: " __VA_ARGS__);                                                     \
            fputc('\n', stderr);                                                                                       \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

/* Output goes to /dev/null: what is exercised is the formatting. */
static inline FILE *fuzz_sink(void)
{
    static FILE *f;
    if (!f)
        f = fopen("/dev/null", "w");
    if (!f)
        abort();
    return f;
}

/* A diagram that was read: every name is valid UTF-8 (jansson takes it, so
 * --json cannot drop it), and its loops can be found and printed. */
static inline void fuzz_graph(const cld_graph *g)
{
    for (size_t i = 0; i < g->nvars; i++) {
        json_t *s = json_string(g->vars[i].name);
        FUZZ_ASSERT(s, "variable %zu's name is not valid UTF-8", i);
        json_decref(s);
        s = json_string(g->vars[i].id);
        FUZZ_ASSERT(s, "variable %zu's id is not valid UTF-8", i);
        json_decref(s);
    }
    for (size_t i = 0; i < g->nlinks; i++) {
        json_t *s = json_string(g->links[i].note);
        FUZZ_ASSERT(s, "link %zu's note is not valid UTF-8", i);
        json_decref(s);
    }
    /* Smaller bounds than `eddy loops` (5000 loops, 1000 a group), on
     * diagrams of up to 300 links: 5000 loops of a 1.6 KB model already
     * make 34 MB of JSON, seconds under the sanitizers, time better spent
     * on more inputs; past the budget the same group-by-group search runs
     * (bench/loops.sh and tests/test_loops*.c cover large diagrams). */
    if (g->nlinks > 300)
        return;
    loop_analysis *a = loops_analyze_bounded(g, 500, 100);
    FUZZ_ASSERT(a, "loops_analyze_bounded returned NULL");
    json_t *j = loopsout_json(a, NULL, "diagram");
    FUZZ_ASSERT(j, "no JSON for the loops");
    char *text = json_dumps(j, 0);
    FUZZ_ASSERT(text, "the loops' JSON cannot be written");
    free(text);
    json_decref(j);
    loopsout_text(fuzz_sink(), a, NULL);
    loopsout_mermaid(fuzz_sink(), a);
    loopsout_dot(fuzz_sink(), a);
    loops_free(a);
}

#endif
