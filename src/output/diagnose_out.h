/* diagnose_out.h -- a diagnosis for people (text) and for scripts (JSON). */
#ifndef EDDY_DIAGNOSE_OUT_H
#define EDDY_DIAGNOSE_OUT_H

#include <stdio.h>

#include <jansson.h>

#include "../analysis/diagnose.h"

void diagnose_text(FILE *fp, const diagnosis *d, const char *path);
/* A new JSON object (the caller json_decref's it).  Keys: verdict, modes,
 * sustaining_loop, coupling, timeline, baseline, observed, recovery_time,
 * why_not_a_component, knockouts, seeds, settle, runs. */
json_t *diagnose_json(const diagnosis *d, const char *path);

#endif
