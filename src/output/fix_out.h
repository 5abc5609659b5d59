/* fix_out.h -- the interventions table of `eddy fix`, as text and JSON. */
#ifndef EDDY_FIX_OUT_H
#define EDDY_FIX_OUT_H

#include <stdio.h>

#include <jansson.h>

#include "../analysis/fix.h"

void fix_text(FILE *fp, const fix_report *r, const char *path);
json_t *fix_json(const fix_report *r, const char *path);

#endif
