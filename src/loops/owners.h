/* owners.h -- which teams each loop of a derived diagram crosses.
 *
 * Conway's law, made measurable: every variable of a diagram derived from
 * a model belongs to an entity (derive.h), and with `teams:` every entity
 * has at most one owner.  A loop whose variables belong to two or more
 * teams is cross-team: each team perceives only its own part of it (its
 * retries, its queue), no team perceives the whole loop, and no single
 * team's change is sure to break it.  Entities no team owns are reported
 * (on a reinforcing loop, `eddy review` flags them `unowned`). */
#ifndef EDDY_LOOPS_OWNERS_H
#define EDDY_LOOPS_OWNERS_H

#include <stdbool.h>
#include <stddef.h>

#include "../model/model.h"
#include "analyze.h"

/* One team's part of a loop: the entities of it the team owns, each with
 * the quantities of the loop that live there ("shoppers: retries,
 * timeouts; checkout: latency").  team -1 gathers the unowned entities. */
typedef struct owners_part {
    int team;
    char *what;
} owners_part;

typedef struct owners_loop {
    owners_part *parts; /* in the order the loop meets the teams */
    size_t nparts;
    size_t nteams;   /* distinct owning teams (not counting unowned) */
    bool cross_team; /* nteams >= 2 */
    bool unowned;    /* some entity of the loop has no owner */
} owners_loop;

typedef struct owners_report {
    const model *m;
    const loop_analysis *a;
    owners_loop *loops; /* one per loop of a, same order */
    size_t n, ncross;
    int *var_team; /* per variable of a->g: the owning team, or -1 */
    /* every component of the model no team owns, and its kind */
    char **unowned;
    const char **unowned_kind;
    size_t nunowned;
} owners_report;

/* For a diagram derived from m (a->g's entities are m's). */
void owners_analyze(const loop_analysis *a, const model *m, owners_report *out);
void owners_free(owners_report *r);
/* The teams of loop i in a sentence: "R2 crosses payments (pay: retries)
 * and ledger (queue: latency): neither team sees the whole loop." or "B3
 * lies within storefront."  The caller frees it. */
char *owners_sentence(const owners_report *r, size_t i);
/* "storefront, data": the teams of loop i, the caller frees it. */
char *owners_team_list(const owners_report *r, size_t i);

#endif
