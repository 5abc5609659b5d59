/* group.h -- loops grouped by the arrow that cuts them.
 *
 * Nobody reads thousands of loops, and a platform has millions: every path
 * through its layers closes its own loop through each retry edge.  What a
 * reader acts on is the cut: the one switch that removes a whole family of
 * loops.  So every loop belongs to exactly one group:
 *
 *   - in a diagram derived from a model, its first variable (in the order
 *     declared) that a switch removes (cld_var.cut): the retries of a call
 *     edge, its hedges, a cache's misses.  Turning that switch off cuts
 *     every loop of the group, and the other loops through the variable
 *     are in earlier groups;
 *   - otherwise (a loop no switch reaches, or any loop of a hand-drawn
 *     diagram), its latest-declared link: the arrow that closes it as a
 *     reader goes down the diagram, which is on every loop of the group
 *     and so cuts them all.
 *
 * A group's loops are found on their own, so a cap never starves one group
 * for another: a bounded queue's balancing loop is found as surely as the
 * millions of reinforcing loops of a retry storm. */
#ifndef EDDY_LOOPS_GROUP_H
#define EDDY_LOOPS_GROUP_H

#include <stdbool.h>
#include <stddef.h>

#include "graph.h"
#include "johnson.h"

typedef struct loop_group {
    int var;       /* the cut variable, or -1 */
    int link;      /* else the closing link, or -1 */
    size_t count;  /* loops in the group: exact, or a lower bound when !exact */
    size_t nr, nb; /* of them reinforcing and balancing (lower bounds when !exact) */
    bool exact;
    size_t shortest, strongest; /* indexes into the analysis' loops */
    double gain;                /* the strongest loop's gain */
    double score;               /* and its score (group_score) */
    bool searched;              /* the strongest-path search finished in its budget */
} loop_group;

/* The group key of a loop (given by its links): *var and *link as in
 * loop_group. */
void group_key(const cld_graph *g, const int *links, size_t len, int *var, int *link);

/* A loop's gain: the product of its links' gains. */
double group_gain(const cld_graph *g, const int *links, size_t len);

/* Each link's weight in the strongest-path search: its gain times its
 * share of what moves its target, taken as equal among the target's
 * incoming links (1 / in-degree).  In the loops-that-matter analysis the
 * link scores into a variable share its change; without a simulation,
 * equal shares are the neutral guess, and they keep a loop that wanders
 * through half the platform from outranking the direct one.  The caller
 * frees the array. */
double *group_weights(const cld_graph *g);
/* A loop's score: the product of its links' weights. */
double group_score(const double *w, const int *links, size_t len);

/* Search every group of g on its own: count its loops with Johnson's
 * algorithm up to count_cap (0: no cap), find its strongest loops by the
 * strongest-path search and its shortest by breadth-first search.  The
 * loops found are stored in reps, group by group (strongest first); each
 * group's shortest and strongest index into reps.  Memory: O(V + E) plus
 * a few loops per group. */
void group_search(const cld_graph *g, size_t count_cap, cycle_set *reps, loop_group **groups, size_t *ngroups);

#endif
