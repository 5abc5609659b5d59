/* svg.c -- line plots and heatmaps as plain SVG (svg.h).
 *
 * Numbers are written with one decimal place of a pixel: finer than any
 * screen, and it keeps a 300-point series under 4 kB. */
#include "svg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                      "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};
#define NPALETTE (sizeof palette / sizeof palette[0])

const char *svg_color(size_t i) { return palette[i % NPALETTE]; }

void svg_escape(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            /* control characters other than tab and newline are not
             * allowed in XML 1.0: drop them */
            if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n')
                break;
            fputc(*s, f);
        }
    }
}

void svg_prolog(FILE *f) { fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f); }

svg_plot svg_plot_init(void)
{
    svg_plot p;
    memset(&p, 0, sizeof p);
    p.xmin = p.xmax = p.ymin = p.ymax = NAN;
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
} frame;

static double px(const frame *F, double v)
{
    if (F->xlog)
        return F->x + (log10(v) - log10(F->xmin)) / (log10(F->xmax) - log10(F->xmin)) * F->w;
    return F->x + (v - F->xmin) / (F->xmax - F->xmin) * F->w;
}

static double py(const frame *F, double v) { return F->y + F->h - (v - F->ymin) / (F->ymax - F->ymin) * F->h; }

static void open_svg(FILE *f, const char *id, int W, int H, const char *title)
{
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\"",
            W, H, W, H);
    if (id) {
        fputs(" id=\"", f);
        svg_escape(f, id);
        fputc('"', f);
    }
    fputs(" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\" role=\"img\" aria-label=\"", f);
    svg_escape(f, title ? title : "plot");
    fputs("\">\n<title>", f);
    svg_escape(f, title ? title : "plot");
    fputs("</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n", f);
    if (title) {
        fputs("<text x=\"8\" y=\"16\" font-size=\"13\" font-weight=\"bold\" fill=\"#222\">", f);
        svg_escape(f, title);
        fputs("</text>\n", f);
    }
}

/* Axes, grid and tick labels; the area's rect carries the mapping. */
static void axes(FILE *f, const frame *F, const char *xlabel, const char *ylabel, int H)
{
    fprintf(f,
            "<rect class=\"area\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#fcfcfc\" "
            "stroke=\"#999\" data-xmin=\"%.17g\" data-xmax=\"%.17g\" data-ymin=\"%.17g\" data-ymax=\"%.17g\"%s/>\n",
            F->x, F->y, F->w, F->h, F->xmin, F->xmax, F->ymin, F->ymax, F->xlog ? " data-xlog=\"1\"" : "");
    double t[64];
    char lab[48];
    /* y ticks */
    size_t n = svg_ticks(F->ymin, F->ymax, 5, t, 64);
    double ystep = n > 1 ? t[1] - t[0] : 1;
    fputs("<g class=\"yticks\" fill=\"#444\" text-anchor=\"end\">\n", f);
    for (size_t i = 0; i < n; i++) {
        double y = py(F, t[i]);
        svg_tick_label(t[i], ystep, lab, sizeof lab);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e6e6e6\"/>", F->x, y, F->x + F->w, y);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" data-v=\"%.17g\">%s</text>\n", F->x - 5, y + 4, t[i], lab);
    }
    fputs("</g>\n", f);
    /* x ticks */
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
                if (k == 1 || k == 2 || k == 5) {
                    svg_tick_label(v, v, lab, sizeof lab);
                    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" data-v=\"%.17g\">%s</text>\n", x, F->y + F->h + 16, v, lab);
                }
            }
    } else {
        n = svg_ticks(F->xmin, F->xmax, 8, t, 64);
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
        fprintf(f, "<text class=\"xlabel\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#222\">", F->x + F->w / 2,
                H - 6);
        svg_escape(f, xlabel);
        fputs("</text>\n", f);
    }
    if (ylabel) {
        fprintf(f,
                "<text class=\"ylabel\" transform=\"translate(13 %.1f) rotate(-90)\" text-anchor=\"middle\" "
                "fill=\"#222\">",
                F->y + F->h / 2);
        svg_escape(f, ylabel);
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
        fprintf(f, "<polyline class=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"%s%s data-label=\"",
                s->faint ? "baseline" : "series", s->color, s->faint ? "1.2" : "1.6",
                s->faint ? " stroke-opacity=\"0.45\"" : "", s->dashed ? " stroke-dasharray=\"5 3\"" : "");
        svg_escape(f, s->label);
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
        svg_escape(f, s->label);
        fputs("</title></polyline>\n", f);
    }
}

static double text_width(const char *s) { return 6.2 * (double)(s ? strlen(s) : 0); }

void svg_plot_write(FILE *f, const svg_plot *p)
{
    int W = p->width > 0 ? p->width : 720, H = p->height > 0 ? p->height : 260;
    /* the series with their colours settled */
    svg_series *S = calloc(p->nseries ? p->nseries : 1, sizeof *S);
    if (!S)
        return;
    size_t next = 0;
    for (size_t i = 0; i < p->nseries; i++) {
        S[i] = p->series[i];
        if (!S[i].color)
            S[i].color = svg_color(next++);
    }
    frame F = {.x = 64, .y = p->legend ? 46 : 30};
    F.w = W - F.x - 16;
    F.h = H - F.y - 42;
    /* ranges */
    double dx0 = INFINITY, dx1 = -INFINITY, dy0 = INFINITY, dy1 = -INFINITY;
    for (size_t i = 0; i < p->nseries; i++)
        for (size_t k = 0; k < S[i].n; k++) {
            if (ok(S[i].x[k])) {
                dx0 = fmin(dx0, S[i].x[k]);
                dx1 = fmax(dx1, S[i].x[k]);
            }
            if (ok(S[i].y[k])) {
                dy0 = fmin(dy0, S[i].y[k]);
                dy1 = fmax(dy1, S[i].y[k]);
            }
        }
    F.xmin = ok(p->xmin) ? p->xmin : ok(dx0) ? dx0 : 0;
    F.xmax = ok(p->xmax) ? p->xmax : ok(dx1) ? dx1 : 1;
    if (!(F.xmax > F.xmin))
        F.xmax = F.xmin + 1;
    F.ymin = ok(p->ymin) ? p->ymin : ok(dy0) && dy0 < 0 ? dy0 : 0;
    if (ok(p->ymax)) {
        F.ymax = p->ymax;
    } else {
        double top = ok(dy1) ? dy1 : 1;
        if (!(top > F.ymin))
            top = F.ymin + 1;
        double step = nice_step(top - F.ymin, 5);
        F.ymax = ceil(top / step - 1e-9) * step;
        if (!(F.ymax > F.ymin))
            F.ymax = F.ymin + step;
    }
    open_svg(f, p->id, W, H, p->title);
    axes(f, &F, p->xlabel, p->ylabel, H);
    /* fault windows: shaded, labelled at the top */
    for (size_t i = 0; i < p->nbands; i++) {
        double a = fmax(p->bands[i].x0, F.xmin), b = fmin(p->bands[i].x1, F.xmax);
        if (!(b > a))
            continue;
        fprintf(f, "<g class=\"fault\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#f4a582\" "
                   "fill-opacity=\"0.3\"/>",
                px(&F, a), F.y, px(&F, b) - px(&F, a), F.h);
        if (p->bands[i].label) {
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"#8a3b12\">", px(&F, a) + 3,
                    F.y + 11 + 11 * (double)(i % 2));
            svg_escape(f, p->bands[i].label);
            fputs("</text>", f);
        }
        fputs("</g>\n", f);
    }
    /* the series: faint ones (baselines) first, so the observed run is on top */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < p->nseries; i++)
            if (S[i].faint == (pass == 0))
                series_points(f, &F, &S[i]);
    /* operator actions: a dashed line and a label */
    for (size_t i = 0; i < p->nmarks; i++) {
        double x = p->marks[i].x;
        if (x < F.xmin || x > F.xmax)
            continue;
        fprintf(f, "<g class=\"action\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\" "
                   "stroke-dasharray=\"2 2\"/><path d=\"M%.1f %.1f l-4 -6 h8 z\" fill=\"#333\"/>",
                px(&F, x), F.y, px(&F, x), F.y + F.h, px(&F, x), F.y);
        if (p->marks[i].label) {
            double lx = px(&F, x) + 3;
            bool left = lx + text_width(p->marks[i].label) > F.x + F.w;
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"#222\"%s>", left ? lx - 6 : lx,
                    F.y + F.h - 6 - 11 * (double)(i % 3), left ? " text-anchor=\"end\"" : "");
            svg_escape(f, p->marks[i].label);
            fputs("</text>", f);
        }
        fputs("</g>\n", f);
    }
    /* the legend, one line under the title */
    if (p->legend) {
        double x = 64, y = 34;
        fputs("<g class=\"legend\">\n", f);
        for (size_t i = 0; i < p->nseries; i++) {
            if (!S[i].label)
                continue;
            double w = 26 + text_width(S[i].label) + 14;
            if (x + w > W - 8 && x > 64)
                break; /* no room: the rest are named by their hover titles */
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s%s/>", x,
                    y - 4, x + 20, y - 4, S[i].color, S[i].faint ? " stroke-opacity=\"0.45\"" : "",
                    S[i].dashed ? " stroke-dasharray=\"5 3\"" : "");
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#333\">", x + 24, y);
            svg_escape(f, S[i].label);
            fputs("</text>\n", f);
            x += w;
        }
        fputs("</g>\n", f);
    }
    fputs("</svg>\n", f);
    free(S);
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
    frame F = {.x = 64, .y = 30, .xlog = h->xlog};
    F.w = W - F.x - 90;
    F.h = H - F.y - 42;
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
    open_svg(f, h->id, W, H, h->title);
    axes(f, &F, h->xlabel, h->ylabel, H);
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
            svg_escape(f, c->tip);
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
            svg_escape(f, h->blabel);
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
        svg_escape(f, h->vlabel);
        fputs("</text>", f);
    }
    fputs("\n</g>\n", f);
    if (h->blabel) {
        fprintf(f, "<g class=\"legend\"><line x1=\"%.1f\" y1=\"20\" x2=\"%.1f\" y2=\"20\" stroke=\"#111\" "
                   "stroke-width=\"2.5\"/><text x=\"%.1f\" y=\"24\" fill=\"#333\">",
                F.x + F.w - 200, F.x + F.w - 180, F.x + F.w - 176);
        svg_escape(f, h->blabel);
        fputs("</text></g>\n", f);
    }
    fputs("</svg>\n", f);
}
