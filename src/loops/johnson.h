/* johnson.h -- every elementary cycle of a causal loop diagram.
 *
 * Johnson's algorithm (D. B. Johnson, "Finding all the elementary circuits
 * of a directed graph", SIAM J. Comput. 4(1), 1975) runs in
 * O((V + E)(C + 1)) for C cycles: the blocking sets stop it from walking
 * the same dead end twice, which is what makes dense diagrams tractable
 * where naive backtracking is exponential in the dead ends.
 *
 * Cycles are reported as sequences of link indices, not of variables,
 * because two links between the same variables with opposite polarities
 * make two loops of different types. */
#ifndef EDDY_LOOPS_JOHNSON_H
#define EDDY_LOOPS_JOHNSON_H

#include <stdbool.h>
#include <stddef.h>

#include "graph.h"

typedef struct cycle_set {
    int *links;    /* all cycles, back to back */
    size_t *start; /* cycle i is links[start[i] .. start[i+1]) */
    size_t n;      /* number of cycles kept (at most max) */
    size_t cap_links, cap_start;
    size_t max;  /* the cap asked for; 0 means none */
    bool capped; /* true if the graph has more than max cycles */
} cycle_set;

/* Find the elementary cycles of g, at most `max` of them (0: no cap).
 * Each cycle starts with a link out of its lowest-numbered variable.
 * When there are more than `max`, the first `max` found are kept and
 * `capped` is set: callers must say so, never present a partial list as
 * complete. */
void cycles_find(const cld_graph *g, size_t max, cycle_set *out);
void cycles_free(cycle_set *cs);

/* ---- streaming, and cycles through one place ----------------------------------
 *
 * A cycle_search holds the graph's adjacency (O(V + E)) and the search
 * state, so many searches on one graph share one setup.  Each cycle is
 * handed to a callback, never stored: memory stays O(V + E) whatever the
 * number of cycles.  The callback returns false to stop the search. */
typedef struct cycle_search cycle_search;
typedef bool (*cycle_fn)(void *ud, const int *links, size_t len);

cycle_search *cycles_search_new(const cld_graph *g);
void cycles_search_free(cycle_search *S);

/* Every elementary cycle, in the order cycles_find finds them.  Returns
 * false when fn stopped the search. */
bool cycles_each(cycle_search *S, cycle_fn fn, void *ud);

/* Every elementary cycle through variable s (each reported once, starting
 * with a link out of s) that avoids the variables with skip[v] set (skip
 * may be NULL) and uses only links of index < below.  With first >= 0 (a
 * link out of s, whatever its index), only the cycles that start with that
 * link.  Returns false when fn stopped the search. */
bool cycles_through(cycle_search *S, int s, int first, const unsigned char *skip, size_t below, cycle_fn fn,
                    void *ud);

static inline size_t cycles_len(const cycle_set *cs, size_t i) { return cs->start[i + 1] - cs->start[i]; }
static inline const int *cycles_links(const cycle_set *cs, size_t i) { return cs->links + cs->start[i]; }

#endif
