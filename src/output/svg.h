/* svg.h -- a small SVG plotting module for eddy's pictures.
 *
 * Line plots of time series (axes with units and readable ticks, shaded and
 * labelled fault windows, operator-action markers, a faint baseline overlay)
 * and a heatmap of cells with a boundary line.  The output is plain SVG 1.1
 * with inline presentation attributes, so it renders the same inside an
 * HTML page, opened on its own, or with scripts turned off.
 *
 * Every plot area carries its data-to-pixel mapping as attributes of its
 * <rect class="area"> (data-xmin, data-xmax, data-ymin, data-ymax, and the
 * rectangle's own x, y, width, height), so tests and the page's optional
 * hover script can map pixels back to values: x_px = x + (v - xmin) /
 * (xmax - xmin) * width, and y_px = y + height - (v - ymin) / (ymax - ymin)
 * * height.  A plot with a lower panel has two areas; the second, and
 * every line drawn in it, carries data-panel="1". */
#ifndef EDDY_OUTPUT_SVG_H
#define EDDY_OUTPUT_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Nice tick positions over [lo, hi]: steps of 1, 2 or 5 x 10^k, about
 * `target` of them.  Writes at most max ticks to out; returns how many. */
size_t svg_ticks(double lo, double hi, int target, double *out, size_t max);

/* A tick label: the shortest of %g that tells neighbouring ticks apart
 * (step is the tick spacing), with thousands as "k" ("2.5k"). */
void svg_tick_label(double v, double step, char *buf, size_t size);

typedef struct svg_series {
    const char *label;
    const double *x, *y; /* n points; a NaN y breaks the line */
    size_t n;
    const char *color;   /* CSS colour; NULL: the palette's next */
    bool faint;          /* the baseline overlay: thin, light, behind the rest */
    bool dashed;
    bool step;           /* hold each value until the next x (a state) */
    int panel;           /* 0: the upper (or only) panel; 1: the lower, with its own y axis */
} svg_series;

typedef struct svg_band { /* a shaded window, e.g. a fault */
    double x0, x1;
    const char *label;
} svg_band;

typedef struct svg_mark { /* an instant, e.g. an operator action */
    double x;
    const char *label;
} svg_mark;

typedef struct svg_plot {
    const char *id;     /* the <svg> element's id (may be NULL) */
    const char *cls;    /* a class added to "plot" (may be NULL): "wide", "narrow" */
    const char *title;
    const char *xlabel; /* with its unit: "time (s)" */
    const char *ylabel; /* with its unit: "requests/s" */
    /* Pixels; 0: 720 x 260.  The plot area is height - 88 tall; the
     * picture grows by the rows its legend, event labels and note need. */
    int width, height;
    const svg_series *series;
    size_t nseries;
    const svg_band *bands;
    size_t nbands;
    const svg_mark *marks;
    size_t nmarks;
    /* The axes' ranges; NaN: from the data (y from 0 unless the data go
     * below 0). */
    double xmin, xmax, ymin, ymax;
    bool legend; /* a legend under the title (as many lines as it needs) */
    /* A second panel under the first, sharing its x axis, for series with
     * panel 1 (e.g. busy workers under queue length: on one axis the
     * smaller would be a flat line).  ylabel2 names its axis; its range is
     * ymin2..ymax2 (NaN: from its data). */
    const char *ylabel2;
    double ymin2, ymax2;
    const char *note; /* one line under the x axis label (may be NULL) */
} svg_plot;

/* Every label is at least SVG_MIN_FONT user units: drawn at its natural
 * size or larger, no text is smaller than that many CSS pixels.  Fault
 * windows' and instants' labels sit in a strip above the plot area, never
 * over the data. */
#define SVG_MIN_FONT 11

/* A plot with every field empty and the ranges NaN. */
svg_plot svg_plot_init(void);

/* Write the plot as one <svg> element (no XML prolog: it goes inline into
 * HTML, or after svg_prolog into a file). */
void svg_plot_write(FILE *f, const svg_plot *p);

/* "<?xml ...?>" for a standalone .svg file. */
void svg_prolog(FILE *f);

/* A heatmap: rectangular cells in data coordinates, each with a value in
 * [0, 1] (NaN: not measured, drawn hatched grey), coloured from white (0)
 * to dark red (1), with a colour bar and a boundary polyline drawn over it. */
typedef struct svg_cell {
    double x0, x1, y0, y1;
    double v;
    const char *tip; /* hover text (a <title>), may be NULL */
} svg_cell;

typedef struct svg_heatmap {
    const char *id, *title, *xlabel, *ylabel, *vlabel; /* vlabel: what the colour means */
    const char *cls; /* a class added to "plot" (may be NULL) */
    int width, height;
    const svg_cell *cells;
    size_t ncells;
    const double *bx, *by; /* the boundary, nb points; a NaN breaks it */
    size_t nb;
    const char *blabel;    /* the boundary's legend text */
    double xmin, xmax, ymin, ymax; /* NaN: from the cells */
    bool xlog;             /* a logarithmic x axis */
} svg_heatmap;

void svg_heatmap_write(FILE *f, const svg_heatmap *h);

/* The palette's i-th colour (it cycles). */
const char *svg_color(size_t i);

#endif
