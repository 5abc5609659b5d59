/* report_html.h -- `eddy report`: one self-contained HTML page.
 *
 * The page loads nothing from the network (its CSS, SVG and the small
 * optional script are inline, and a Content-Security-Policy forbids any
 * fetch), reads correctly with JavaScript off (the script only adds hover
 * read-outs to the plots), and escapes everything the model's author wrote.
 * Sections, each optional (NULL or false leaves it out):
 *   header          the model's name and description; verdict, coupling
 *                   statement, failure modes and timeline from diagnose
 *   time series     ts_plots.h, from the diagnosis's kept runs
 *   loops           the causal loop diagram, sustaining loop highlighted
 *   review          the arrow-review table and its flags
 *   interventions   eddy fix's table, and small multiples of goodput
 *   sweep, basin    added when those analyses are given */
#ifndef EDDY_OUTPUT_REPORT_HTML_H
#define EDDY_OUTPUT_REPORT_HTML_H

#include <stdbool.h>
#include <stdio.h>

#include "../analysis/basin.h"
#include "../analysis/diagnose.h"
#include "../analysis/fix.h"
#include "../analysis/sweep.h"
#include "../loops/review.h"

typedef struct report_input {
    const char *path;      /* the model file, as given */
    const diagnosis *d;    /* required: the header, and the runs for the plots */
    bool plots;            /* the time series (needs d's kept runs) */
    bool loops;            /* the causal loop diagram */
    bool try_dot;          /* lay the diagram out with Graphviz if installed */
    const review *rv;      /* the arrow review, or NULL */
    const fix_report *fx;  /* the interventions (with keep_goodput), or NULL */
    const char *fix_skipped; /* why the interventions are missing, or NULL */
    const sweep_result *sw;  /* goodput against load, or NULL */
    const char *sweep_skipped;
    const basin_result *bs;  /* the basin map, or NULL */
    const char *basin_skipped;
} report_input;

/* Write the page.  Returns 0, or -1 if writing failed. */
int report_html_write(FILE *f, const report_input *in);

/* Write s escaped for HTML text and attribute values. */
void report_html_escape(FILE *f, const char *s);

#endif
