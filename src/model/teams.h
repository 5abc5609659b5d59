/* teams.h -- checking `teams:` against the whole model (docs/teams.md).
 *
 * The schema walker reads each team's keys; what needs the whole model is
 * here: every name a team owns is a component of the model (any entity: a
 * client, service, cache, autoscaler or infra entry, and whatever entities
 * later sections add), a component has at most one owner, and every team a
 * team talks to exists. */
#ifndef EDDY_MODEL_TEAMS_H
#define EDDY_MODEL_TEAMS_H

#include "schema.h"

/* After every section (infra included) is read.  0, or -1 with the error
 * at the offending name's file:line:col. */
int teams_check(schema_ctx *S, model *m);
void teams_free(model *m);

#endif
