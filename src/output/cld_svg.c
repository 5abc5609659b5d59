/* cld_svg.c -- the causal loop diagram as SVG: Graphviz when installed, a
 * plain circular layout otherwise (cld_svg.h). */
#include "cld_svg.h"
#include "xml_text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "svg.h"
#include "../core/xalloc.h"

#define HI "#c0392b"  /* the highlighted loop */
#define INK "#555555" /* every other link */

/* The links and variables on the highlighted loop. */
static void marks(const loop_analysis *a, int highlight, char **lk, char **vr)
{
    const cld_graph *g = a->g;
    *lk = xcalloc(g->nlinks + 1, 1);
    *vr = xcalloc(g->nvars + 1, 1);
    if (highlight < 0 || (size_t)highlight >= a->n)
        return;
    const cld_loop *L = &a->loops[highlight];
    for (size_t j = 0; j < L->len; j++) {
        (*lk)[L->links[j]] = 1;
        (*vr)[L->vars[j]] = 1;
    }
}

/* Which links and variables to draw.  A small diagram is drawn whole; a
 * bigger one shows only the loops that matter: the highlighted loop and
 * the strongest loop of the groups that matter most (analyze.h), so a
 * three-tier model is a figure, not a 2000-pixel tower of arrows. */
#define DRAW_WHOLE_MAX 12
#define DRAW_GROUPS 3

static void shown(const loop_analysis *a, int highlight, char **lk, char **vr)
{
    const cld_graph *g = a->g;
    *lk = xcalloc(g->nlinks + 1, 1);
    *vr = xcalloc(g->nvars + 1, 1);
    if (a->complete && a->n <= DRAW_WHOLE_MAX) {
        memset(*lk, 1, g->nlinks);
        memset(*vr, 1, g->nvars);
        return;
    }
    size_t pick[DRAW_GROUPS + 1], n = 0;
    if (highlight >= 0 && (size_t)highlight < a->n)
        pick[n++] = (size_t)highlight;
    for (size_t r = 0; r < a->ngroups && r < DRAW_GROUPS; r++)
        pick[n++] = a->groups[a->order[r]].strongest;
    for (size_t k = 0; k < n; k++) {
        const cld_loop *L = &a->loops[pick[k]];
        for (size_t j = 0; j < L->len; j++) {
            (*lk)[L->links[j]] = 1;
            (*vr)[L->vars[j]] = 1;
        }
    }
}

/* ---- Graphviz -------------------------------------------------------------------- */

static void dot_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        if (*s == '\n') {
            fputs("\\n", f);
            continue;
        }
        fputc(*s, f);
    }
}

static void write_dot(FILE *f, const loop_analysis *a, int highlight)
{
    const cld_graph *g = a->g;
    char *lk, *vr, *sl, *sv;
    marks(a, highlight, &lk, &vr);
    shown(a, highlight, &sl, &sv);
    fprintf(f, "digraph cld {\n  graph [bgcolor=\"transparent\", nodesep=0.35, ranksep=0.45];\n"
               "  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=12, color=\"#888888\"];\n"
               "  edge [fontname=\"Helvetica\", fontsize=11, color=\"" INK "\", fontcolor=\"#333333\"];\n");
    for (size_t v = 0; v < g->nvars; v++) {
        if (!sv[v])
            continue;
        fprintf(f, "  v%zu [label=\"", v);
        dot_text(f, g->vars[v].name);
        fprintf(f, "\"%s];\n", vr[v] ? ", color=\"" HI "\", penwidth=2.5, fontcolor=\"" HI "\"" : "");
    }
    for (size_t i = 0; i < g->nlinks; i++) {
        const cld_link *l = &g->links[i];
        if (!sl[i])
            continue;
        fprintf(f, "  v%d -> v%d [label=\"%s%s\"", l->from, l->to, cld_sign_str(l->sign), l->delay ? " ||" : "");
        if (l->origin[0] || l->note[0]) {
            fprintf(f, ", tooltip=\"");
            dot_text(f, l->origin[0] ? l->origin : l->note);
            fprintf(f, "\"");
        }
        if (lk[i])
            fprintf(f, ", color=\"" HI "\", fontcolor=\"" HI "\", penwidth=3");
        if (l->sign < 0)
            fprintf(f, ", style=dashed");
        fprintf(f, "];\n");
    }
    fprintf(f, "}\n");
    free(lk);
    free(vr);
    free(sl);
    free(sv);
}

/* Run `dot -Tsvg` on the diagram; the SVG it printed (from "<svg" on), or
 * NULL if dot is missing or failed. */
static char *run_dot(const loop_analysis *a, int highlight)
{
    char in[] = "/tmp/eddy-cld-XXXXXX";
    int fd = mkstemp(in);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        unlink(in);
        return NULL;
    }
    write_dot(f, a, highlight);
    if (fclose(f) != 0) {
        unlink(in);
        return NULL;
    }
    char cmd[256];
    snprintf(cmd, sizeof cmd, "dot -Tsvg '%s' 2>/dev/null", in);
    FILE *p = popen(cmd, "r");
    if (!p) {
        unlink(in);
        return NULL;
    }
    size_t n = 0, cap = 1 << 16;
    char *buf = xmalloc(cap);
    size_t k;
    while ((k = fread(buf + n, 1, cap - n - 1, p)) > 0) {
        n += k;
        if (cap - n < 4096) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
    }
    buf[n] = 0;
    int st = pclose(p);
    unlink(in);
    char *svg = strstr(buf, "<svg");
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0 || !svg || !strstr(svg, "</svg>")) {
        free(buf);
        return NULL;
    }
    memmove(buf, svg, strlen(svg) + 1);
    return buf;
}

/* Write dot's SVG without its comments (they repeat the node ids only, but
 * they are noise in a page meant to stay small). */
static void copy_svg(FILE *f, const char *s)
{
    while (*s) {
        const char *c = strstr(s, "<!--");
        if (!c) {
            fputs(s, f);
            return;
        }
        fwrite(s, 1, (size_t)(c - s), f);
        const char *e = strstr(c, "-->");
        if (!e)
            return;
        s = e + 3;
        if (*s == '\n')
            s++;
    }
}

/* ---- the plain layout ---------------------------------------------------------------- */

static double label_w(const char *s)
{
    /* UTF-8 continuation bytes take no width */
    double n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return 7 * n + 16;
}

void cld_svg_plain(FILE *f, const loop_analysis *a, int highlight)
{
    const cld_graph *g = a->g;
    char *lk, *vr, *sl, *sv;
    marks(a, highlight, &lk, &vr);
    shown(a, highlight, &sl, &sv);
    size_t nv = g->nvars, n = 0;
    double maxw = 60;
    for (size_t v = 0; v < nv; v++)
        if (sv[v]) {
            maxw = fmax(maxw, label_w(g->vars[v].name));
            n++;
        }
    double R = fmax(110, (double)n * 30 / M_PI);
    double W = 2 * R + maxw + 40, H = 2 * R + 80;
    double cx = W / 2, cy = H / 2;
    double *x = xcalloc(nv + 1, sizeof *x), *y = xcalloc(nv + 1, sizeof *y);
    for (size_t v = 0, k = 0; v < nv; v++) {
        if (!sv[v])
            continue;
        double th = -M_PI / 2 + 2 * M_PI * (double)k++ / (double)(n ? n : 1);
        x[v] = cx + R * cos(th);
        y[v] = cy + R * sin(th);
    }
    /* shrunk to fit a page, its 12 px labels stay at 11 px or more */
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"cld plain\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\" style=\"min-width:%.0fpx\" font-family=\"Helvetica, Arial, sans-serif\" "
               "font-size=\"12\">\n",
            W, H, W, H, ceil(W * 11 / 12));
    fputs("<title>causal loop diagram</title>\n<defs>"
          "<marker id=\"cld-ah\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
          "orient=\"auto\"><path d=\"M0 0 L10 5 L0 10 z\" fill=\"" INK "\"/></marker>"
          "<marker id=\"cld-ah-hi\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"5\" markerHeight=\"5\" "
          "orient=\"auto\"><path d=\"M0 0 L10 5 L0 10 z\" fill=\"" HI "\"/></marker></defs>\n",
          f);
    /* links: quadratic arcs bent to the right of their direction, so a
     * pair of opposite links shows as two arcs; highlighted ones last, on top */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < g->nlinks; i++) {
            if (lk[i] != pass || !sl[i])
                continue;
            const cld_link *l = &g->links[i];
            double x0 = x[l->from], y0 = y[l->from], x1 = x[l->to], y1 = y[l->to];
            double dx = x1 - x0, dy = y1 - y0, d = hypot(dx, dy);
            if (d < 1)
                continue;
            double ux = dx / d, uy = dy / d;
            /* start and end off the labels' boxes (about 14 px around the centre) */
            double s0 = 16, s1 = 18;
            double ax = x0 + ux * s0, ay = y0 + uy * s0, bx = x1 - ux * s1, by = y1 - uy * s1;
            double bend = 0.18 * d;
            double qx = (ax + bx) / 2 - uy * bend, qy = (ay + by) / 2 + ux * bend;
            fprintf(f, "<g class=\"link%s\"><path d=\"M%.1f %.1f Q%.1f %.1f %.1f %.1f\" fill=\"none\" stroke=\"%s\" "
                       "stroke-width=\"%s\"%s marker-end=\"url(#%s)\"/>",
                    lk[i] ? " hi" : "", ax, ay, qx, qy, bx, by, lk[i] ? HI : INK, lk[i] ? "3" : "1.2",
                    l->sign < 0 ? " stroke-dasharray=\"6 4\"" : "", lk[i] ? "cld-ah-hi" : "cld-ah");
            /* the sign at the arc's middle */
            double mx = 0.25 * ax + 0.5 * qx + 0.25 * bx, my = 0.25 * ay + 0.5 * qy + 0.25 * by;
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-weight=\"bold\" fill=\"%s\">%s%s</text>",
                    mx, my + 4, lk[i] ? HI : "#333", cld_sign_str(l->sign), l->delay ? " ||" : "");
            if (l->origin[0] || l->note[0]) {
                fputs("<title>", f);
                xml_text(f, l->origin[0] ? l->origin : l->note);
                fputs("</title>", f);
            }
            fputs("</g>\n", f);
        }
    for (size_t v = 0; v < nv; v++) {
        if (!sv[v])
            continue;
        double w = label_w(g->vars[v].name);
        fprintf(f, "<g class=\"var%s\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"22\" rx=\"6\" fill=\"#fff\" "
                   "stroke=\"%s\" stroke-width=\"%s\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"%s\">",
                vr[v] ? " hi" : "", x[v] - w / 2, y[v] - 11, w, vr[v] ? HI : "#888", vr[v] ? "2.5" : "1", x[v],
                y[v] + 4, vr[v] ? HI : "#222");
        xml_text(f, g->vars[v].name);
        fputs("</text></g>\n", f);
    }
    fputs("</svg>\n", f);
    free(x);
    free(y);
    free(lk);
    free(vr);
    free(sl);
    free(sv);
}

cld_layout cld_svg_write(FILE *f, const loop_analysis *a, int highlight, bool try_dot)
{
    const char *no = getenv("EDDY_NO_DOT");
    if (try_dot && !(no && *no)) {
        char *svg = run_dot(a, highlight);
        if (svg) {
            /* dot's width is in points, its smallest text 11 pt (the edge
             * labels): shrunk to fit a page, no narrower than as many CSS
             * px as the width has points keeps that text at 11 px */
            const char *end = strchr(svg, '>'), *w = strstr(svg, " width=\"");
            double pt = w && w < end ? strtod(w + 8, NULL) : 0;
            if (pt > 0 && !strncmp(svg, "<svg", 4)) {
                fprintf(f, "<svg style=\"min-width:%.0fpx\"", ceil(pt));
                copy_svg(f, svg + 4);
            } else {
                copy_svg(f, svg);
            }
            free(svg);
            return CLD_LAYOUT_DOT;
        }
    }
    cld_svg_plain(f, a, highlight);
    return CLD_LAYOUT_PLAIN;
}
