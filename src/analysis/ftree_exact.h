/* ftree_exact.h -- exact analysis of a fault tree through a BDD.
 *
 * For every top event: its exact probability (the BDD's Shannon expansion,
 * no rare-event or min-cut-upper-bound approximation), its minimal cut sets
 * ordered by probability, and the importance of every basic event.  The
 * measures are the ones SCRAM reports, under its names:
 *   MIF  Birnbaum marginal importance   dP/dp = P(top | x) - P(top | not x)
 *   CIF  critical importance            p MIF / P(top)
 *   DIF  Fussell-Vesely (diagnosis)     p P(top | x) / P(top)
 *   RAW  risk achievement worth         P(top | x) / P(top)
 *   RRW  risk reduction worth           P(top) / P(top | not x)
 *
 * Cut sets come from the BDD by Rauzy's algorithm (minimal solutions of a
 * monotone function, Rauzy 1993).  A product whose probability falls below
 * the cut-off, or whose order exceeds the limit, is discarded, as SCRAM's
 * --cut-off and --limit-order define them; the probability stays exact.
 *
 * The variable order is a heuristic: events shared by several gates first
 * (the common causes: zones, config, CCF groups), then the rest in the
 * depth-first order of the tree, so a gate's events sit together. */
#ifndef EDDY_FTREE_EXACT_H
#define EDDY_FTREE_EXACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ftree.h"

typedef struct ft_cutset {
    size_t order;
    uint32_t *vars; /* analysis variables (ftree.h), ascending */
    double p;       /* product of the variables' probabilities */
} ft_cutset;

typedef struct ft_importance {
    double p, mif, cif, dif, raw, rrw;
    bool in_tree; /* the variable appears under this top */
} ft_importance;

typedef struct ft_top_result {
    double p; /* exact */
    ft_cutset *cutsets;
    size_t ncutsets;
    bool truncated; /* some products were cut off by probability or order */
    ft_importance *imp; /* ft_nvars entries */
} ft_top_result;

typedef struct ft_options {
    double cutoff; /* discard products below this probability; 0: none */
    int limit_order; /* discard products of higher order; 0: none */
    bool importance;
} ft_options;

typedef struct ft_exact {
    const fault_tree *t;
    size_t nvars;
    double *p; /* each variable's probability */
    ft_top_result *tops; /* t->ntops */
    size_t bdd_nodes;
    uint32_t *level; /* variable -> its level in the BDD order */
} ft_exact;

ft_exact *ft_exact_run(const fault_tree *t, const ft_options *o);
void ft_exact_free(ft_exact *x);

#endif
