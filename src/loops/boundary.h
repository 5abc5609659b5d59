/* boundary.h -- does a chosen boundary contain each loop's feedback path?
 *
 * A boundary is a set of entities: services and clients of a model, or
 * variables of a hand-drawn diagram.  The rule (Meadows, Thinking in Systems, ch. 4):
 * the boundary must enclose every element in the feedback path of the
 * behaviour, or whatever is studied inside it will be missing its cause.
 * For each loop this names the arrows that cross the boundary, the
 * entities outside it, and the smallest set of entities that does contain
 * the loop (the entities the loop runs through). */
#ifndef EDDY_LOOPS_BOUNDARY_H
#define EDDY_LOOPS_BOUNDARY_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/err.h"
#include "analyze.h"

typedef struct boundary_loop {
    bool contained;
    int *crossing; /* links of the loop with one end inside, one outside */
    size_t ncrossing;
    char **outside; /* entities of the loop outside the boundary */
    size_t noutside;
    char **needed; /* the smallest boundary containing the loop */
    size_t nneeded;
} boundary_loop;

typedef struct boundary_report {
    char **names; /* the boundary, as given */
    size_t nnames;
    boundary_loop *loops; /* one per loop of the analysis, same order */
    size_t n, ncontained;
} boundary_report;

/* Split "a,b,c" into names and check each names an entity of the graph;
 * an unknown name is an error listing the entities. */
int boundary_check(const loop_analysis *a, const char *spec, boundary_report *out, eddy_error *err);
void boundary_free(boundary_report *r);

/* The kind of an entity ("client", "service") or NULL. */
const char *boundary_entity_kind(const cld_graph *g, const char *entity);

#endif
