/* loops_out.h -- printing the loops of a causal loop diagram.
 *
 * Four forms of one analysis: text for people, JSON for tools, Mermaid
 * (the diagram again, with the loops' links coloured: red on a reinforcing
 * loop, blue on balancing loops only) to paste back into a design doc, and
 * Graphviz DOT.  The boundary report is optional (NULL when --boundary was
 * not given). */
#ifndef EDDY_OUTPUT_LOOPS_OUT_H
#define EDDY_OUTPUT_LOOPS_OUT_H

#include <jansson.h>
#include <stdio.h>

#include "../loops/analyze.h"
#include "../loops/boundary.h"

void loopsout_text(FILE *f, const loop_analysis *a, const boundary_report *b);
/* The JSON document; the caller json_decref()s it.  kind names the input
 * ("mermaid", "markdown", "yaml", "model"). */
json_t *loopsout_json(const loop_analysis *a, const boundary_report *b, const char *kind);
/* Print the JSON document, indented, with a final newline. */
void loopsout_json_print(FILE *f, const loop_analysis *a, const boundary_report *b, const char *kind);
void loopsout_mermaid(FILE *f, const loop_analysis *a);
void loopsout_dot(FILE *f, const loop_analysis *a);

/* "Load -(+)-> Latency", "A -(-, delay)-> B" */
void loopsout_link_text(FILE *f, const cld_graph *g, int link);

#endif
