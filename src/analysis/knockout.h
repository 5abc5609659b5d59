/* knockout.h -- cutting a feedback loop of a model from one instant on.
 *
 * A diagnosis asks of each reinforcing loop found by `eddy loops`: if this
 * loop were cut once the trigger is over, would the system recover?  A cut
 * is a change to one model element that removes one arrow of the loop
 * (DESIGN.md section 7): retries off removes "timeouts -> retries";
 * contention off at a service removes "in flight -> service time", the
 * arrow of the hold cycle (work that runs slower holds its worker, its
 * connection, its lock longer, so more runs at once, so it runs slower).  Many
 * loops share an arrow (every retry-storm loop of one client goes through
 * its retries), so cuts are collected once each, with the loops they cut.
 *
 * Cuts are found from the structure of the derived diagram: a variable's
 * owner (client or service) and its metric (the part of its id after the
 * last '.', as derive.h defines them), never from names a user chose. */
#ifndef EDDY_KNOCKOUT_H
#define EDDY_KNOCKOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "../loops/analyze.h"
#include "../loops/graph.h"
#include "../model/model.h"

typedef enum cut_kind {
    CUT_RETRIES,   /* retries off at a client or a service's calls */
    CUT_CACHE,     /* coalescing and stale-while-revalidate on at a cache */
    CUT_HEDGES,    /* hedging off at a client or a service's calls */
    CUT_CONTENTION, /* contention off at a service: a what-if, no operator's lever */
    CUT_LOAD_DROP, /* not a loop: every client sheds half its load for a while */
} cut_kind;

typedef struct cut {
    cut_kind kind;
    int client, service, cache; /* the element changed (-1 when not that kind) */
    char label[160];     /* "retries off at shoppers" */
    size_t *loops;       /* indexes into the loop analysis, in rank order */
    size_t nloops, cap;
} cut;

typedef struct cut_set {
    cut *v;
    size_t n;
} cut_set;

/* The distinct cuts of the reinforcing loops of a, plus a load drop.
 * Contention cuts come after the others: a service that stops slowing
 * with concurrency ends almost any overload through it, so when a
 * mechanism's cut (retries, a cache, hedges) restores the system too, that
 * mechanism is the more specific answer.  Loops no cut reaches are the
 * ones knockout_covers() is false for.  0, or -1 with err
 * set when out of memory (out is left empty). */
int knockout_find(const model *m, const cld_graph *g, const loop_analysis *a, cut_set *out, eddy_error *err);
void knockout_free(cut_set *cs);

/* Whether loop i of a has a cut in cs. */
bool knockout_covers(const cut_set *cs, size_t loop);

/* Apply cut c to m from instant `at`.  A load drop lasts `drop_for`. */
void knockout_apply(model *m, const cut *c, simtime at, simtime drop_for);

#endif
