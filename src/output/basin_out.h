/* basin_out.h -- a basin map for people (a table per row of y: the critical
 * x and P(metastable) at the ends, then the one-line verdict), for scripts
 * and the HTML report's heatmap (JSON: every point tried, and the boundary)
 * and for plotting (CSV: y, x, then basin.* columns). */
#ifndef EDDY_BASIN_OUT_H
#define EDDY_BASIN_OUT_H

#include <stdio.h>

#include <jansson.h>

#include "../analysis/basin.h"

void basin_text(FILE *fp, const char *model_path, const basin_result *r);
/* A new JSON object (json_decref it); the same whatever the thread count. */
json_t *basin_json(const char *model_path, const basin_result *r);
int basin_csv(FILE *fp, const basin_result *r);

#endif
