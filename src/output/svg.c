/* svg.c -- line plots and heatmaps as plain SVG (svg.h).
 *
 * Numbers are written with one decimal place of a pixel: finer than any
 * screen, and it keeps a 300-point series under 4 kB. */
#include "svg.h"
#include "xml_text.h"
#include "../core/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                      "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};
#define NPALETTE (sizeof palette / sizeof palette[0])

const char *svg_color(size_t i) { return palette[i % NPALETTE]; }

void svg_prolog(FILE *f) { fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f); }

svg_plot svg_plot_init(void)
{
    svg_plot p;
    memset(&p, 0, sizeof p);
    p.xmin = p.xmax = p.ymin = p.ymax = p.ymin2 = p.ymax2 = NAN;
    return p;
}

/* ---- ticks ------------------------------------------------------------------- */

static double nice_step(double range, int target)
{
    if (!(range > 0) || !isfinite(range))
        return 1;
    double raw = range / (target > 0 ? target : 5);
    double mag = pow(10, floor(log10(raw)));
    double r = raw / mag;
    double m = r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10;
    return m * mag;
}

size_t svg_ticks(double lo, double hi, int target, double *out, size_t max)
{
    if (!isfinite(lo) || !isfinite(hi) || hi < lo)
        return 0;
    double step = nice_step(hi - lo, target);
    size_t n = 0;
    for (double k = ceil(lo / step - 1e-9); n < max; k++) {
        double v = k * step;
        if (v > hi + step * 1e-9)
            break;
        out[n++] = fabs(v) < step * 1e-9 ? 0 : v;
    }
    return n;
}

void svg_tick_label(double v, double step, char *buf, size_t size)
{
    if (v == 0) {
        snprintf(buf, size, "0");
        return;
    }
    if (fabs(v) >= 10000 && step >= 100) {
        int dec = step >= 1000 ? 0 : 1;
        snprintf(buf, size, "%.*fk", dec, v / 1000);
        return;
    }
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (dec > 9)
        dec = 9;
    snprintf(buf, size, "%.*f", dec, v);
}

/* ---- the frame ------------------------------------------------------------------ */

typedef struct frame {
    double x, y, w, h; /* the plot area, pixels */
    double xmin, xmax, ymin, ymax;
    bool xlog;
    int panel;
} frame;

static double px(const frame *F, double v)
{
    if (F->xlog)
        return F->x + (log10(v) - log10(F->xmin)) / (log10(F->xmax) - log10(F->xmin)) * F->w;
    return F->x + (v - F->xmin) / (F->xmax - F->xmin) * F->w;
}

static double py(const frame *F, double v) { return F->y + F->h - (v - F->ymin) / (F->ymax - F->ymin) * F->h; }

/* The width of s at SVG_MIN_FONT px in Helvetica, roughly (its average
 * advance is about 0.56 em; UTF-8 continuation bytes take no width).  No
 * font metrics library is worth it for placing labels. */
static double text_width(const char *s)
{
    double n = 0;
    for (; s && *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return 6.2 * n;
}

static void open_svg(FILE *f, const char *id, const char *cls, int W, int H, const char *title)
{
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot%s%s\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\"",
            cls ? " " : "", cls ? cls : "", W, H, W, H);
    if (id) {
        fputs(" id=\"", f);
        xml_text(f, id);
        fputc('"', f);
    }
    fprintf(f, " font-family=\"Helvetica, Arial, sans-serif\" font-size=\"%d\" role=\"img\" aria-label=\"",
            SVG_MIN_FONT);
    xml_text(f, title ? title : "plot");
    fputs("\">\n<title>", f);
    xml_text(f, title ? title : "plot");
    fputs("</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n", f);
    if (title) {
        fputs("<text x=\"8\" y=\"16\" font-size=\"13\" font-weight=\"bold\" fill=\"#222\">", f);
        xml_text(f, title);
        fputs("</text>\n", f);
    }
}

/* About one x tick per 80 px, so the labels never crowd on a narrow plot. */
static int xtarget(const frame *F)
{
    int n = (int)(F->w / 80);
    return n < 3 ? 3 : n > 8 ? 8 : n;
}

/* The area's rect (which carries the mapping), the grid and the y ticks
 * of one panel; the x ticks when xticks (the bottom panel), with xlabel
 * at xlabel_y. */
static void axes(FILE *f, const frame *F, bool xticks, const char *xlabel, double xlabel_y, const char *ylabel)
{
    fprintf(f,
            "<rect class=\"area\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#fcfcfc\" "
            "stroke=\"#999\" data-xmin=\"%.17g\" data-xmax=\"%.17g\" data-ymin=\"%.17g\" data-ymax=\"%.17g\"%s%s/>\n",
            F->x, F->y, F->w, F->h, F->xmin, F->xmax, F->ymin, F->ymax, F->xlog ? " data-xlog=\"1\"" : "",
            F->panel ? " data-panel=\"1\"" : "");
    double t[64];
    char lab[48];
    /* y ticks: fewer on a short panel */
    size_t n = svg_ticks(F->ymin, F->ymax, F->h >= 140 ? 5 : 3, t, 64);
    double ystep = n > 1 ? t[1] - t[0] : 1;
    fputs("<g class=\"yticks\" fill=\"#444\" text-anchor=\"end\">\n", f);
    for (size_t i = 0; i < n; i++) {
        double y = py(F, t[i]);
        svg_tick_label(t[i], ystep, lab, sizeof lab);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e6e6e6\"/>", F->x, y, F->x + F->w, y);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" data-v=\"%.17g\">%s</text>\n", F->x - 5, y + 4, t[i], lab);
    }
    fputs("</g>\n", f);
    if (ylabel) {
        fprintf(f,
                "<text class=\"ylabel\" transform=\"translate(13 %.1f) rotate(-90)\" text-anchor=\"middle\" "
                "fill=\"#222\">",
                F->y + F->h / 2);
        xml_text(f, ylabel);
        fputs("</text>\n", f);
    }
    if (!xticks)
        return;
    fputs("<g class=\"xticks\" fill=\"#444\" text-anchor=\"middle\">\n", f);
    if (F->xlog) {
        for (double d = pow(10, floor(log10(F->xmin))); d <= F->xmax * 1.0001; d *= 10)
            for (int k = 1; k < 10; k++) {
                double v = d * k;
                if (v < F->xmin * 0.9999 || v > F->xmax * 1.0001)
                    continue;
                double x = px(F, v);
                fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>", x, F->y + F->h, x,
                        F->y + F->h + (k == 1 ? 5 : 3));
                /* 1, 2, 5 per decade; only 1 when the axis is narrow */
                if (k == 1 || ((k == 2 || k == 5) && F->w >= 300)) {
                    svg_tick_label(v, v, lab, sizeof lab);
                    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" data-v=\"%.17g\">%s</text>\n", x, F->y + F->h + 16, v, lab);
                }
            }
    } else {
        n = svg_ticks(F->xmin, F->xmax, xtarget(F), t, 64);
        double xstep = n > 1 ? t[1] - t[0] : 1;
        for (size_t i = 0; i < n; i++) {
            double x = px(F, t[i]);
            svg_tick_label(t[i], xstep, lab, sizeof lab);
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>", x, F->y + F->h, x,
                    F->y + F->h + 5);
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" data-v=\"%.17g\">%s</text>\n", x, F->y + F->h + 16, t[i], lab);
        }
    }
    fputs("</g>\n", f);
    if (xlabel) {
        fprintf(f, "<text class=\"xlabel\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#222\">",
                F->x + F->w / 2, xlabel_y);
        xml_text(f, xlabel);
        fputs("</text>\n", f);
    }
}

/* ---- line plots ------------------------------------------------------------------- */

static bool ok(double v) { return isfinite(v); }

/* Write the points of one series.  Past two points per pixel column the
 * series is thinned to each column's first, lowest, highest and last
 * point, which keeps every peak and trough that could show. */
static void series_points(FILE *f, const frame *F, const svg_series *s)
{
    size_t i = 0;
    bool thin = s->n > 2 * (size_t)F->w;
    while (i < s->n) {
        while (i < s->n && !ok(s->y[i]))
            i++;
        if (i >= s->n)
            break;
        fprintf(f, "<polyline class=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"%s%s%s data-label=\"",
                s->faint ? "baseline" : "series", s->color, s->faint ? "1.2" : "1.6",
                s->faint ? " stroke-opacity=\"0.45\"" : "", s->dashed ? " stroke-dasharray=\"5 3\"" : "",
                F->panel ? " data-panel=\"1\"" : "");
        xml_text(f, s->label);
        fputs("\" points=\"", f);
        bool first = true;
        while (i < s->n && ok(s->y[i])) {
            if (thin) {
                /* one pixel column: [i, j) */
                long col = (long)floor(px(F, s->x[i]));
                size_t j = i, lo = i, hi = i;
                while (j < s->n && ok(s->y[j]) && (long)floor(px(F, s->x[j])) == col) {
                    if (s->y[j] < s->y[lo])
                        lo = j;
                    if (s->y[j] > s->y[hi])
                        hi = j;
                    j++;
                }
                size_t pick[4] = {i, lo < hi ? lo : hi, lo < hi ? hi : lo, j - 1};
                for (int k = 0; k < 4; k++) {
                    if (k && pick[k] == pick[k - 1])
                        continue;
                    fprintf(f, "%s%.1f,%.1f", first ? "" : " ", px(F, s->x[pick[k]]), py(F, s->y[pick[k]]));
                    first = false;
                }
                i = j;
                continue;
            }
            fprintf(f, "%s%.1f,%.1f", first ? "" : " ", px(F, s->x[i]), py(F, s->y[i]));
            first = false;
            if (s->step) {
                double xn = i + 1 < s->n ? s->x[i + 1] : F->xmax;
                fprintf(f, " %.1f,%.1f", px(F, xn), py(F, s->y[i]));
            }
            i++;
        }
        fputs("\"><title>", f);
        xml_text(f, s->label);
        fputs("</title></polyline>\n", f);
    }
}

/* A panel's y range: given, or from its series' data (from 0 unless the
 * data go below 0, up to a whole tick step). */
static void y_range(frame *F, const svg_series *S, size_t ns, int panel, double ymin, double ymax)
{
    double dy0 = INFINITY, dy1 = -INFINITY;
    for (size_t i = 0; i < ns; i++)
        for (size_t k = 0; k < S[i].n && S[i].panel == panel; k++)
            if (ok(S[i].y[k])) {
                dy0 = fmin(dy0, S[i].y[k]);
                dy1 = fmax(dy1, S[i].y[k]);
            }
    F->ymin = ok(ymin) ? ymin : ok(dy0) && dy0 < 0 ? dy0 : 0;
    if (ok(ymax)) {
        F->ymax = ymax;
    } else {
        double top = ok(dy1) ? dy1 : 1;
        if (!(top > F->ymin))
            top = F->ymin + 1;
        double step = nice_step(top - F->ymin, F->h >= 140 ? 5 : 3);
        F->ymax = ceil(top / step - 1e-9) * step;
        if (!(F->ymax > F->ymin))
            F->ymax = F->ymin + step;
    }
}

/* The labels of the fault windows and instants, in a strip above the plot
 * area so that they never cover the data: each starts at its event's x
 * (moved left to stay inside the area) and a leader runs from it down to
 * the area.  Taken from left to right, each goes in the first row where it
 * clears the labels already placed, and below every label whose text its
 * leader would otherwise cross. */
typedef struct ev_label {
    double x;     /* the event's x, pixels */
    double start; /* the label's left end */
    int row;
    const char *text;
} ev_label;

static int place_labels(ev_label *L, size_t n, double left, double right)
{
    size_t *ord = xcalloc(n + 1, sizeof *ord);
    double *end = xcalloc(n + 1, sizeof *end);
    for (size_t i = 0; i < n; i++) {
        size_t k = i;
        for (; k > 0 && L[ord[k - 1]].x > L[i].x; k--)
            ord[k] = ord[k - 1];
        ord[k] = i;
    }
    int rows = 0;
    for (size_t q = 0; q < n; q++) {
        ev_label *l = &L[ord[q]];
        double w = text_width(l->text);
        double s = l->x + 3;
        if (s + w > right)
            s = right - w;
        if (s < left - 60)
            s = left - 60; /* into the y axis margin, at most */
        l->start = s;
        int r = 0;
        for (size_t p = 0; p < q; p++) {
            const ev_label *o = &L[ord[p]];
            if (l->x >= o->start - 2 && l->x <= o->start + text_width(o->text) + 2 && o->row + 1 > r)
                r = o->row + 1;
        }
        while (r < rows && end[r] + 8 > s)
            r++;
        if (r == rows)
            rows++;
        l->row = r;
        end[r] = s + w;
    }
    free(ord);
    free(end);
    return rows;
}

/* Legend entries in rows from x = 8: returns the number of rows; each
 * entry's position in lx, and its row in lrow. */
static int legend_rows(const svg_series *S, size_t ns, int W, double *lx, int *lrow)
{
    double x = 8;
    int row = 0;
    bool any = false;
    for (size_t i = 0; i < ns; i++) {
        lrow[i] = -1;
        if (!S[i].label)
            continue;
        double w = 24 + text_width(S[i].label) + 14;
        if (any && x + w - 14 > W - 8) {
            row++;
            x = 8;
        }
        lx[i] = x;
        lrow[i] = row;
        x += w;
        any = true;
    }
    return any ? row + 1 : 0;
}

void svg_plot_write(FILE *f, const svg_plot *p)
{
    int W = p->width > 0 ? p->width : 720, H0 = p->height > 0 ? p->height : 260;
    /* the series with their colours settled */
    size_t ns = p->nseries;
    svg_series *S = xcalloc(ns ? ns : 1, sizeof *S);
    double *lx = xcalloc(ns ? ns : 1, sizeof *lx);
    int *lrow = xcalloc(ns ? ns : 1, sizeof *lrow);
    ev_label *L = xcalloc(p->nbands + p->nmarks + 1, sizeof *L);
    size_t next = 0;
    bool two = false;
    for (size_t i = 0; i < ns; i++) {
        S[i] = p->series[i];
        if (!S[i].color)
            S[i].color = svg_color(next++);
        S[i].panel = S[i].panel ? 1 : 0;
        two |= S[i].panel;
    }
    frame F = {.x = 64};
    F.w = W - F.x - 16;
    /* x range */
    double dx0 = INFINITY, dx1 = -INFINITY;
    for (size_t i = 0; i < ns; i++)
        for (size_t k = 0; k < S[i].n; k++)
            if (ok(S[i].x[k])) {
                dx0 = fmin(dx0, S[i].x[k]);
                dx1 = fmax(dx1, S[i].x[k]);
            }
    F.xmin = ok(p->xmin) ? p->xmin : ok(dx0) ? dx0 : 0;
    F.xmax = ok(p->xmax) ? p->xmax : ok(dx1) ? dx1 : 1;
    if (!(F.xmax > F.xmin))
        F.xmax = F.xmin + 1;
    /* the header, top down: title, legend rows, event-label rows */
    double y = p->title ? 24 : 6;
    int nleg = p->legend ? legend_rows(S, ns, W, lx, lrow) : 0;
    double leg_y = y + 11;
    y += 15 * nleg;
    size_t nl = 0;
    for (size_t i = 0; i < p->nbands; i++) {
        double a = fmax(p->bands[i].x0, F.xmin), b = fmin(p->bands[i].x1, F.xmax);
        if (b > a && p->bands[i].label)
            L[nl++] = (ev_label){px(&F, a), 0, 0, p->bands[i].label};
    }
    size_t nbl = nl;
    for (size_t i = 0; i < p->nmarks; i++)
        if (p->marks[i].x >= F.xmin && p->marks[i].x <= F.xmax && p->marks[i].label)
            L[nl++] = (ev_label){px(&F, p->marks[i].x), 0, 0, p->marks[i].label};
    int nev = place_labels(L, nl, F.x, F.x + F.w);
    double ev_y = y + 13;
    y += 14 * nev + (nev ? 2 : 0);
    /* the panels */
    F.y = y + 8; /* room for the instants' triangles */
    double AH = H0 - 88 < 60 ? 60 : H0 - 88;
    frame G = F;
    G.panel = 1;
    if (two) {
        F.h = G.h = (AH - 14) / 2;
        G.y = F.y + F.h + 14;
    } else {
        F.h = AH;
    }
    y_range(&F, S, ns, 0, p->ymin, p->ymax);
    if (two)
        y_range(&G, S, ns, 1, p->ymin2, p->ymax2);
    const frame *bottom = two ? &G : &F;
    double ybot = bottom->y + bottom->h;
    int H = (int)ceil(ybot + 42 + (p->note ? 16 : 0));

    open_svg(f, p->id, p->cls, W, H, p->title);
    axes(f, &F, !two, p->xlabel, ybot + 36, p->ylabel);
    if (two)
        axes(f, &G, true, p->xlabel, ybot + 36, p->ylabel2);
    /* fault windows: shaded in each panel, labelled in the strip with a
     * leader down to the window */
    size_t li = 0;
    for (size_t i = 0; i < p->nbands; i++) {
        double a = fmax(p->bands[i].x0, F.xmin), b = fmin(p->bands[i].x1, F.xmax);
        if (!(b > a))
            continue;
        fputs("<g class=\"fault\">", f);
        for (int k = 0; k < (two ? 2 : 1); k++) {
            const frame *P = k ? &G : &F;
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#f4a582\" "
                       "fill-opacity=\"0.3\"/>",
                    px(P, a), P->y, px(P, b) - px(P, a), P->h);
        }
        if (p->bands[i].label) {
            const ev_label *l = &L[li++];
            double ly = ev_y + 14 * l->row;
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e0956b\"/>", l->x, ly + 3, l->x,
                    F.y);
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#8a3b12\">", l->start, ly);
            xml_text(f, p->bands[i].label);
            fputs("</text>", f);
        }
        fputs("</g>\n", f);
    }
    /* the series: faint ones (baselines) first, so the observed run is on
     * top of them; dashed ones last, so that a reference line such as the
     * offered load stays visible where a solid line runs along it */
    for (int pass = 0; pass < 3; pass++)
        for (size_t i = 0; i < ns; i++)
            if ((pass == 0) == S[i].faint && (pass != 1 || !S[i].dashed) && (pass != 2 || S[i].dashed))
                series_points(f, S[i].panel ? &G : &F, &S[i]);
    /* instants (operator actions, a flush, a restart): a dashed line down
     * through every panel, a triangle on top, the label in the strip */
    li = nbl;
    for (size_t i = 0; i < p->nmarks; i++) {
        double x = p->marks[i].x;
        if (x < F.xmin || x > F.xmax)
            continue;
        const ev_label *l = p->marks[i].label ? &L[li++] : NULL;
        double top = l ? ev_y + 14 * l->row + 3 : F.y;
        fprintf(f, "<g class=\"action\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\" "
                   "stroke-dasharray=\"2 2\"/><path d=\"M%.1f %.1f l-4 -6 h8 z\" fill=\"#333\"/>",
                px(&F, x), top, px(&F, x), ybot, px(&F, x), F.y);
        if (l) {
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#222\">", l->start,
                    ev_y + 14 * l->row);
            xml_text(f, p->marks[i].label);
            fputs("</text>", f);
        }
        fputs("</g>\n", f);
    }
    /* the legend */
    if (nleg) {
        fputs("<g class=\"legend\">\n", f);
        for (size_t i = 0; i < ns; i++) {
            if (lrow[i] < 0)
                continue;
            double x = lx[i], ly = leg_y + 15 * lrow[i];
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s%s/>", x,
                    ly - 4, x + 20, ly - 4, S[i].color, S[i].faint ? " stroke-opacity=\"0.45\"" : "",
                    S[i].dashed ? " stroke-dasharray=\"5 3\"" : "");
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#333\">", x + 24, ly);
            xml_text(f, S[i].label);
            fputs("</text>\n", f);
        }
        fputs("</g>\n", f);
    }
    if (p->note) {
        fprintf(f, "<text class=\"note\" x=\"8\" y=\"%.1f\" fill=\"#555\" font-style=\"italic\">", ybot + 52);
        xml_text(f, p->note);
        fputs("</text>\n", f);
    }
    fputs("</svg>\n", f);
    free(S);
    free(lx);
    free(lrow);
    free(L);
}

/* ---- heatmap ------------------------------------------------------------------------ */

static void heat_color(double v, char *buf, size_t size)
{
    if (!ok(v)) {
        snprintf(buf, size, "#dddddd");
        return;
    }
    v = v < 0 ? 0 : v > 1 ? 1 : v;
    /* white -> orange -> dark red */
    double r, g, b;
    if (v < 0.5) {
        double t = v / 0.5;
        r = 255 + t * (244 - 255), g = 255 + t * (165 - 255), b = 255 + t * (130 - 255);
    } else {
        double t = (v - 0.5) / 0.5;
        r = 244 + t * (140 - 244), g = 165 + t * (10 - 165), b = 130 + t * (30 - 130);
    }
    snprintf(buf, size, "#%02x%02x%02x", (int)lround(r), (int)lround(g), (int)lround(b));
}

void svg_heatmap_write(FILE *f, const svg_heatmap *h)
{
    int W = h->width > 0 ? h->width : 720, H = h->height > 0 ? h->height : 360;
    /* the boundary's legend right of the title, or under it when the
     * two do not fit on one line (13 px bold is about 7.6 px a character) */
    double legw = h->blabel ? 24 + text_width(h->blabel) : 0;
    double title_w = h->title ? 7.6 * (double)strlen(h->title) : 0;
    bool legend_below = h->blabel && 8 + title_w + 24 + legw > W - 8;
    frame F = {.x = 64, .y = legend_below ? 46 : 30, .xlog = h->xlog};
    F.w = W - F.x - 90;
    F.h = (H > 0 ? H : 360) - 72;
    H = (int)(F.y + F.h + 42);
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (size_t i = 0; i < h->ncells; i++) {
        x0 = fmin(x0, h->cells[i].x0);
        x1 = fmax(x1, h->cells[i].x1);
        y0 = fmin(y0, h->cells[i].y0);
        y1 = fmax(y1, h->cells[i].y1);
    }
    F.xmin = ok(h->xmin) ? h->xmin : ok(x0) ? x0 : 0;
    F.xmax = ok(h->xmax) ? h->xmax : ok(x1) ? x1 : 1;
    F.ymin = ok(h->ymin) ? h->ymin : ok(y0) ? y0 : 0;
    F.ymax = ok(h->ymax) ? h->ymax : ok(y1) ? y1 : 1;
    if (F.xlog && !(F.xmin > 0))
        F.xlog = false;
    if (!(F.xmax > F.xmin))
        F.xmax = F.xmin + 1;
    if (!(F.ymax > F.ymin))
        F.ymax = F.ymin + 1;
    open_svg(f, h->id, h->cls, W, H, h->title);
    axes(f, &F, true, h->xlabel, H - 6, h->ylabel);
    char col[16];
    fputs("<g class=\"cells\">\n", f);
    for (size_t i = 0; i < h->ncells; i++) {
        const svg_cell *c = &h->cells[i];
        double a = px(&F, fmax(c->x0, F.xmin)), b = px(&F, fmin(c->x1, F.xmax));
        double top = py(&F, fmin(c->y1, F.ymax)), bot = py(&F, fmax(c->y0, F.ymin));
        if (!(b > a) || !(bot > top))
            continue;
        heat_color(c->v, col, sizeof col);
        /* a faint outline, so the cells tried show even where P is 0 */
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" stroke=\"#d9d9d9\" "
                   "stroke-width=\"0.5\" data-p=\"%.4g\">",
                a, top, b - a, bot - top, col, c->v);
        if (c->tip) {
            fputs("<title>", f);
            xml_text(f, c->tip);
            fputs("</title>", f);
        }
        fputs("</rect>\n", f);
    }
    fputs("</g>\n", f);
    /* the boundary */
    size_t i = 0;
    while (i < h->nb) {
        while (i < h->nb && !(ok(h->bx[i]) && ok(h->by[i])))
            i++;
        if (i >= h->nb)
            break;
        fputs("<polyline class=\"boundary\" fill=\"none\" stroke=\"#111\" stroke-width=\"2.5\" points=\"", f);
        bool first = true;
        size_t start = i;
        for (; i < h->nb && ok(h->bx[i]) && ok(h->by[i]); i++) {
            fprintf(f, "%s%.1f,%.1f", first ? "" : " ", px(&F, h->bx[i]), py(&F, h->by[i]));
            first = false;
        }
        fputs("\">", f);
        if (h->blabel) {
            fputs("<title>", f);
            xml_text(f, h->blabel);
            fputs("</title>", f);
        }
        fputs("</polyline>\n", f);
        for (size_t k = start; k < i; k++)
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#111\"/>\n", px(&F, h->bx[k]), py(&F, h->by[k]));
    }
    /* the colour bar */
    double bx = F.x + F.w + 18, bw = 14;
    fputs("<g class=\"colorbar\">\n", f);
    for (int k = 0; k < 20; k++) {
        heat_color((k + 0.5) / 20, col, sizeof col);
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>", bx,
                F.y + F.h - (k + 1) * F.h / 20, bw, F.h / 20 + 0.5, col);
    }
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#999\"/>\n", bx, F.y,
            bw, F.h);
    for (int k = 0; k <= 4; k++)
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#444\">%g</text>", bx + bw + 4, F.y + F.h - k * F.h / 4 + 4,
                k / 4.0);
    if (h->vlabel) {
        fprintf(f, "\n<text transform=\"translate(%.1f %.1f) rotate(-90)\" text-anchor=\"middle\" fill=\"#222\">",
                bx + bw + 40, F.y + F.h / 2);
        xml_text(f, h->vlabel);
        fputs("</text>", f);
    }
    fputs("\n</g>\n", f);
    if (h->blabel) {
        double lx = legend_below ? 8 : W - 8 - legw, ly = legend_below ? 38 : 20;
        fprintf(f, "<g class=\"legend\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#111\" "
                   "stroke-width=\"2.5\"/><text x=\"%.1f\" y=\"%.1f\" fill=\"#333\">",
                lx, ly - 4, lx + 20, ly - 4, lx + 24, ly);
        xml_text(f, h->blabel);
        fputs("</text></g>\n", f);
    }
    fputs("</svg>\n", f);
}
