/* fix_out.h -- the interventions table of `eddy fix`, as text and JSON. */
#ifndef EDDY_FIX_OUT_H
#define EDDY_FIX_OUT_H

#include <stdio.h>

#include <jansson.h>

#include "../analysis/fix.h"

void fix_text(FILE *fp, const fix_report *r, const char *path);
json_t *fix_json(const fix_report *r, const char *path);
/* The capacity an intervention provisions in steady state, against the
 * model as written: "+60 workers (+100%)", "same"; as written: "60 workers". */
void fix_capacity_str(char *buf, size_t n, const fix_report *r, const fix_outcome *o, bool as_written);

#endif
