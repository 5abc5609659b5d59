/* teams_out.h -- the teams of each loop (loops/owners.h), printed: a text
 * section after `eddy loops`' own, keys added to its JSON, and the
 * per-variable swimlanes `eddy loops --by-team` draws. */
#ifndef EDDY_OUTPUT_TEAMS_OUT_H
#define EDDY_OUTPUT_TEAMS_OUT_H

#include <jansson.h>
#include <stdio.h>

#include "../loops/owners.h"

/* "Teams: ..." then one sentence per loop (cross-team ones first, at most
 * `max` lines; 0: all), then the unowned components. */
void teamsout_text(FILE *f, const owners_report *r, size_t max);
/* Add `teams` and `cross_team` to each loop of `loops eddy --json`'s
 * document, and a top-level `teams` summary. */
void teamsout_json_add(json_t *doc, const owners_report *r);
/* The lane of each variable: its owner's name, or "no owner" (malloc'ed
 * array of static or model strings; free the array only). */
const char **teamsout_lanes(const owners_report *r);

#endif
