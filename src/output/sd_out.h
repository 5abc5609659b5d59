/* sd_out.h -- the outputs of eddy sweep, eddy basin and eddy report on a
 * stock-and-flow model: text tables, CSV, JSON and the HTML page. */
#ifndef EDDY_OUTPUT_SD_OUT_H
#define EDDY_OUTPUT_SD_OUT_H

#include <jansson.h>
#include <stdio.h>

#include "../analysis/sd_sweep.h"
#include "sd_trace.h"

void sd_sweep_text(FILE *f, const char *path, const sd_sweep *s);
/* "# eddy sweep, constant: NAME", then NAME, STOCK.final, STOCK.min, STOCK.max. */
int sd_sweep_csv(FILE *f, const void *sweep);
json_t *sd_sweep_json(const char *path, const sd_sweep *s);

void sd_basin_text(FILE *f, const char *path, const sd_basin *b);
/* [Y,] X, basin.tipped for every run made. */
int sd_basin_csv(FILE *f, const void *basin);
json_t *sd_basin_json(const char *path, const sd_basin *b);

/* The page: the model's name, sim specs, each stock's initial, final,
 * minimum and maximum, the plots (each unit's stocks with their flows
 * beside them) and the loops (the text of eddy loops --dominance; if NULL,
 * `why` says why there are none).  steps: the run's steps. */
void sd_report_html(FILE *f, const char *path, const sd_trace *tr, size_t steps, const char *loops, const char *why);

#endif
