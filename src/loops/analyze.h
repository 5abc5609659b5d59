/* analyze.h -- what the loops of a causal loop diagram are and do.
 *
 * Every elementary cycle is a loop.  A loop is reinforcing (R) when it has
 * an even number of negative links, balancing (B) when odd.  Loops are
 * numbered in one overall sequence (R1, B2, B3, ...), in this order:
 *
 *   a loop comes before another when the latest-declared link it uses was
 *   declared earlier (ties: compare the next-latest link, and so on).
 *
 * That is the order in which a reader going down the diagram sees each loop
 * close, so R1 is the loop the author drew first, and adding a link at the
 * end of a file never renumbers the loops above it.  Each loop's variables
 * are listed from the one declared first.
 *
 * A loop through a link whose polarity changes along a run ("±", derived
 * from a stock-and-flow model's equations) is neither: its type is 'U'
 * (undetermined), named U1, U2, ... in the same sequence.
 *
 * Flags, as DESIGN.md section 6 asks:
 *   unguarded      a reinforcing loop that no balancing loop touches (shares
 *                  a variable with): nothing drawn limits it (Meadows: a
 *                  reinforcing loop runs until a balancing loop stops it)
 *   can oscillate  a balancing loop containing a delay: it corrects late
 *                  and overshoots */
#ifndef EDDY_LOOPS_ANALYZE_H
#define EDDY_LOOPS_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>

#include "graph.h"
#include "group.h"

typedef struct cld_loop {
    int *links; /* in the order travelled, from the first-declared variable */
    int *vars;  /* vars[i] is the source of links[i] */
    size_t len;
    char type;     /* 'R', 'B', or 'U' (a "±" link on it) */
    char name[24]; /* "R1", "B2": the letter and the loop's rank */
    int negatives, delays;
    int changing; /* links of polarity "±" */
    bool unguarded, can_oscillate;
    double gain;  /* the product of its links' gains */
    size_t group; /* index into groups */
} cld_loop;

typedef struct loop_analysis {
    const cld_graph *g;
    cld_loop *loops;
    size_t n;
    size_t max;  /* the cap on loops (0: none) */
    bool capped; /* there are more loops than max: the list is partial */
    size_t nr, nb, nunguarded, noscillate;
    size_t nu; /* loops of type 'U' */
    /* For each variable, the loops through it, in rank order; and the
     * balancing ones alone (for "is this R loop guarded"). */
    size_t **var_loops, *var_nloops;
    size_t **var_bloops, *var_nbloops;
    int *all_links, *all_vars; /* the storage the loops point into */
    /* The loops grouped by their cut (group.h), and the groups in the
     * order they matter: the strongest loop's gain, then the count. */
    loop_group *groups;
    size_t ngroups;
    size_t *order;
    /* true: loops holds every loop of the diagram (Johnson's algorithm
     * finished); false: it holds the shortest and strongest loops of each
     * group (loops_analyze_bounded past its budget), and the group counts
     * of at least count_cap are lower bounds. */
    bool complete;
    size_t count_cap;
    /* true: the loops are those a search by link score found (ltm_find),
     * not every loop; complete is false and group counts are lower bounds */
    bool found_by_score;
} loop_analysis;

/* Find, order, classify and flag the loops of g (which must outlive the
 * result).  max caps the number of loops (0: no cap). */
loop_analysis *loops_analyze(const cld_graph *g, size_t max);

/* The same while the diagram has at most `budget` loops (then complete is
 * true and the result is loops_analyze's).  Past it, no list of every loop
 * is made: each group is searched on its own (group_search), its loops
 * counted up to count_cap, and only its shortest and strongest loops kept,
 * so memory stays O(V + E) plus a few loops per group.  The loops are then
 * numbered group by group. */
loop_analysis *loops_analyze_bounded(const cld_graph *g, size_t budget, size_t count_cap);
void loops_free(loop_analysis *a);

/* The analysis of the loops in cs (consumed; each starting with a link out
 * of its lowest-numbered variable), found by a search that does not
 * enumerate them all (ltm_find): ranked, named and grouped as
 * loops_analyze does, with found_by_score set and max its cs->max. */
loop_analysis *loops_analyze_found(const cld_graph *g, cycle_set *cs);

/* The other loops sharing a variable with loop i, in rank order: of type
 * 'B' only, or any type (0).  Writes at most max indexes to out and
 * returns how many; *more says whether some were left out. */
size_t loops_touching(const loop_analysis *a, size_t i, char type, size_t *out, size_t max, bool *more);

/* Index of the loop named e.g. "B2", or -1. */
int loops_find(const loop_analysis *a, const char *name);

#endif
