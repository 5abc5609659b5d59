/* cld_svg.h -- a causal loop diagram drawn as SVG, one loop highlighted.
 *
 * With Graphviz installed (`dot` on the PATH), eddy writes the diagram as
 * DOT and lets `dot -Tsvg` lay it out; without it (or with try_dot false,
 * or EDDY_NO_DOT set in the environment) it falls back to a plain layout of
 * its own: the variables on a circle, the links as arcs.  Either way the
 * highlighted loop (the one sustaining the incident, as `eddy diagnose`
 * found it) is drawn thick and red, and the other links keep their
 * polarity: solid +, dashed -, "||" on a delay.  A diagram of more than 12
 * loops is drawn in part: the highlighted loop and the strongest loop of
 * the three groups that matter most (analyze.h). */
#ifndef EDDY_OUTPUT_CLD_SVG_H
#define EDDY_OUTPUT_CLD_SVG_H

#include <stdbool.h>
#include <stdio.h>

#include "../loops/analyze.h"

typedef enum cld_layout { CLD_LAYOUT_DOT, CLD_LAYOUT_PLAIN } cld_layout;

/* Write one <svg> element (no XML prolog).  highlight is an index into
 * a->loops, or -1.  Returns the layout used. */
cld_layout cld_svg_write(FILE *f, const loop_analysis *a, int highlight, bool try_dot);

/* The plain layout alone (exposed for tests). */
void cld_svg_plain(FILE *f, const loop_analysis *a, int highlight);

#endif
