/* mermaid.h -- causal loop diagrams written as Mermaid flowcharts.
 *
 * Engineers already draw loops in design docs and postmortems as Mermaid
 * flowcharts whose links carry a polarity label.  The subset read here:
 *
 *   flowchart TD | graph LR           header (any direction; TB BT RL too)
 *   A["Load"]  A[Load]  A(Load) ...   a variable with a label
 *   A -- "(+)" --> B                  a link with an inline label
 *   A -->|"(-)"| B                    a link with a pipe label
 *   A -.->|"(+)"| B, A ==>|"(+)"| B   dotted and thick links
 *   A & B -->|"(+)"| C                several links at once; chains A-->B-->C
 *   subgraph ... end                  grouping, nested; ignored for analysis
 *   classDef, class, style, linkStyle, click, direction, %% comments: ignored
 *
 * The label must contain the polarity: (+) or (-) (also +, -, or the
 * Unicode minus).  "||" or the word "delay" in the label marks a delay.
 * What remains of the label is kept as the link's note.  A link without a
 * polarity is an error naming its line and column: a causal arrow whose
 * direction of effect is unknown cannot be classified, and guessing would
 * silently turn a B loop into an R loop. */
#ifndef EDDY_LOOPS_MERMAID_H
#define EDDY_LOOPS_MERMAID_H

#include <stddef.h>

#include "../core/err.h"
#include "graph.h"

/* Parse one flowchart (the whole text) into g.  `file` names it in errors;
 * lines are counted from first_line (1 for a whole file). */
int mermaid_parse(cld_graph *g, const char *text, size_t len, const char *file, int first_line, eddy_error *err);

/* Parse the ```mermaid blocks of a Markdown document into g.  block = 0
 * takes every flowchart block that is a causal loop diagram (variables with
 * the same id in two blocks are the same variable); block = N takes only the
 * Nth ```mermaid block.  In the first form, blocks that are not flowcharts,
 * and flowcharts none of whose links has a polarity (architecture sketches,
 * stock-and-flow pictures), are skipped with a note on g; a block with some
 * links signed and others not is an error.  Errors carry the Markdown
 * file's own line numbers. */
int mermaid_parse_markdown(cld_graph *g, const char *text, size_t len, const char *file, int block, eddy_error *err);

#endif
