/* review_out.h -- printing an arrow review (`eddy review`) as a table for
 * people or as JSON for tools. */
#ifndef EDDY_OUTPUT_REVIEW_OUT_H
#define EDDY_OUTPUT_REVIEW_OUT_H

#include <jansson.h>
#include <stdio.h>

#include "../loops/review.h"

void reviewout_text(FILE *f, const review *r);
json_t *reviewout_json(const review *r); /* the caller json_decref()s it */
void reviewout_json_print(FILE *f, const review *r);

/* The table's cells for edge i, as the text table prints them (for other
 * renderings, such as the HTML report). */
#define REVIEWOUT_NCOL 6
#define REVIEWOUT_CELL 512
void reviewout_cells(const review *r, size_t i, char c[REVIEWOUT_NCOL][REVIEWOUT_CELL]);
const char *reviewout_head(int k);

#endif
