/* strongest.h -- the loops that matter, found without enumerating them all.
 *
 * The strongest-path search of Eberlein and Schoenberg ("Finding the loops
 * that matter", 2020, appendix I): a depth-first walk out of a variable
 * that follows the strongest links first and enters a variable again only
 * along a path stronger than the best seen there so far.  Each time the
 * walk comes back to where it started, it has closed a loop, and the first
 * ones closed are the strongest.  Where the paper weighs links by their
 * loop score in a simulation, eddy weighs them by group_weights (group.h):
 * the link's gain (a retry policy's attempts, a hedge's 2, 1 elsewhere)
 * times its equal share of what moves its target.  Ties go to the shorter
 * path, so among loops of equal score the search keeps the shortest.
 *
 * It is a heuristic: it can miss a loop whose strongest path to some
 * variable is not the one the loop takes.  It costs about O(V + E) per
 * start instead of O((V + E)(C + 1)) for C loops, and C grows
 * exponentially with the layers of a platform.  Johnson's algorithm
 * (johnson.h) stays the exact answer for small graphs and for --all.
 *
 * Also here: the shortest loop through a variable, exactly, by a
 * breadth-first search. */
#ifndef EDDY_LOOPS_STRONGEST_H
#define EDDY_LOOPS_STRONGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "graph.h"
#include "johnson.h"

typedef struct strong_search strong_search;

strong_search *strong_new(const cld_graph *g);
/* Weigh the links by w (one per link, >= 0; copied) instead of their
 * group_weights, as Loops That Matter weighs them by |link score| at one
 * time (ltm_find). */
void strong_reweigh(strong_search *S, const double *w);
void strong_free(strong_search *S);

/* The filters of one search, as cycles_through's: the loops through
 * variable s (starting with link `first`, if >= 0), avoiding variables
 * with skip[v] set, using links of index < below, and, when comp is not
 * NULL, variables with comp[v] == comp[s] only. */
typedef struct strong_filter {
    int s, first;
    const unsigned char *skip;
    size_t below;
    const int *comp;
} strong_filter;

/* Hand each loop the strongest-path search closes to fn, strongest found
 * first (fn may stop it).  The walk takes at most `budget` steps (0: no
 * limit); returns false if it ran out of them before it finished. */
bool strong_loops(strong_search *S, const strong_filter *f, size_t budget, cycle_fn fn, void *ud);

/* The shortest loop under f, by breadth-first search: its links are
 * written to out (room for V + 1) and its length returned; 0 if none. */
size_t strong_shortest(strong_search *S, const strong_filter *f, int *out);

#endif
