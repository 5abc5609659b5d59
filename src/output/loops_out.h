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

/* A small complete analysis (12 loops at most) is listed whole; anything
 * bigger is shown by group: one line per group (its cut, count, gain and
 * shortest loop), the groups that matter first, and the strongest loop of
 * the first few in full.  loopsout_text_all lists every loop of a. */
void loopsout_text(FILE *f, const loop_analysis *a, const boundary_report *b);
void loopsout_text_all(FILE *f, const loop_analysis *a, const boundary_report *b);
/* "retries at shoppers→checkout", "closing arrow A -(+)-> B" */
void loopsout_group_label(FILE *f, const cld_graph *g, const loop_group *G);

/* --all past the budget: every loop, streamed as Johnson's algorithm finds
 * it (numbered in that order), never held in memory.  At most max loops
 * (0: all).  Text, or one JSON document written piece by piece. */
void loopsout_stream_text(FILE *f, const cld_graph *g, size_t max);
void loopsout_stream_json(FILE *f, const cld_graph *g, const char *kind, size_t max);
/* The JSON document; the caller json_decref()s it.  kind names the input
 * ("mermaid", "markdown", "yaml", "model"). */
json_t *loopsout_json(const loop_analysis *a, const boundary_report *b, const char *kind);
/* The same with every loop held, as `--all --json` (loopsout_json lists
 * what the text lists: every loop of a short analysis, else the shortest
 * and the strongest of each group). */
json_t *loopsout_json_all(const loop_analysis *a, const boundary_report *b, const char *kind);
/* Print the JSON document, indented, with a final newline. */
void loopsout_json_print(FILE *f, const loop_analysis *a, const boundary_report *b, const char *kind);
void loopsout_mermaid(FILE *f, const loop_analysis *a);
void loopsout_dot(FILE *f, const loop_analysis *a);
/* The same with swimlanes: variable v is drawn inside the lane named
 * lane[v] (a Mermaid subgraph, a DOT cluster), or outside any when NULL. */
void loopsout_mermaid_lanes(FILE *f, const loop_analysis *a, const char *const *lane);
void loopsout_dot_lanes(FILE *f, const loop_analysis *a, const char *const *lane);

/* "Load -(+)-> Latency", "A -(-, delay)-> B" */
void loopsout_link_text(FILE *f, const cld_graph *g, int link);

#endif
