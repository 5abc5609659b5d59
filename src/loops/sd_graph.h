/* sd_graph.h -- the causal loop diagram of a stock-and-flow model, derived
 * from its compiled equations.
 *
 * An arrow runs from every variable an equation reads to the variable it
 * defines, and from each flow to its stock.  Each arrow's polarity is the
 * sign of the partial derivative, found numerically along a run: at every
 * save step the input is perturbed up and down (everything else held) and
 * the equation evaluated again.  "+" if the derivative was never negative,
 * "-" if never positive, "±" (sign 0) if it was both.
 *
 * The compiler's hidden variables (a SMTH1's stocks, a DELAY's input) are
 * followed and then contracted: `smoothed = SMTH1(x, 5)` gives one arrow
 * x -> smoothed, marked as a delay since it runs through a stock, whose
 * polarity is the product along the way.  Each arrow keeps the chains of
 * model arrows it stands for (paths), which Loops That Matter scores. */
#ifndef EDDY_LOOPS_SD_GRAPH_H
#define EDDY_LOOPS_SD_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/err.h"
#include "../sd/sd.h"
#include "graph.h"

/* One arrow of the model's own graph, hidden variables included. */
typedef struct sdg_edge {
    int from, to;   /* model variables (causal.h indexes) */
    bool delayed;   /* read through DELAY or PREVIOUS */
    int sign;       /* +1, -1, 0 (±), from the samples */
    size_t pos, neg; /* save steps where the derivative was > 0, < 0 */
} sdg_edge;

/* A chain of model arrows that one diagram link stands for. */
typedef struct sdg_path {
    int *edges; /* indexes into edges, from the link's source to its target */
    size_t n;
} sdg_path;

typedef struct sd_graph {
    cld_graph *g;
    sd_model *m;  /* not owned */
    int *var_of;  /* diagram variable -> model variable */
    sdg_edge *edges;
    size_t nedges;
    sdg_path **paths; /* per diagram link: its chains */
    size_t *npaths;
    size_t samples; /* save steps sampled */
} sd_graph;

/* Build the diagram of m (which must outlive it), running m once.
 * NULL with err set if the run fails (a division by zero, a NaN). */
sd_graph *sdg_build(sd_model *m, eddy_error *err);
void sdg_free(sd_graph *s);

#endif
