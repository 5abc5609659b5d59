/* test_report.c -- `eddy report` and the SVG plots (`eddy run --svg`).
 *
 * The plots are checked by parsing them with libxml2 and mapping each
 * polyline point back through the plot area's data-to-pixel mapping to the
 * CSV the same run wrote: every point must land within a pixel of its
 * value.  The page is checked for its sections, its size, that it loads
 * nothing, and that a model whose name and description hold <script>,
 * quotes and & shows them as text. */
#include "testutil.h"
#include "testproc.h"

#include <dirent.h>
#include <math.h>
#include <unistd.h>

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "analysis/diagnose.h"
#include "output/svg.h"

#define STORM "examples/retry-storm.yaml"

#define EXPECT_IN_PAGE(text, sub)                                                                                         \
    do {                                                                                                              \
        if (!strstr((text), (sub)))                                                                                   \
            fail_msg("expected \"%s\" in the output (%zu bytes)", (sub), strlen(text));                              \
    } while (0)
#define EXPECT_LACKS(text, sub)                                                                                       \
    do {                                                                                                              \
        if (strstr((text), (sub)))                                                                                    \
            fail_msg("did not expect \"%s\" in the output", (sub));                                                   \
    } while (0)

static int setup(void **state)
{
    (void)state;
    if (proc_begin("report") < 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return proc_end();
}

static size_t count(const char *text, const char *sub)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, sub)); p += strlen(sub))
        n++;
    return n;
}

/* ---- XML helpers ------------------------------------------------------------------- */

static const char *attr(xmlNode *n, const char *name, char *buf, size_t size)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    if (!v)
        return NULL;
    snprintf(buf, size, "%s", (const char *)v);
    xmlFree(v);
    return buf;
}

static double attr_num(xmlNode *n, const char *name)
{
    char b[64];
    return attr(n, name, b, sizeof b) ? strtod(b, NULL) : NAN;
}

static bool has_class(xmlNode *n, const char *cls)
{
    char b[128];
    if (!attr(n, "class", b, sizeof b))
        return false;
    for (char *t = strtok(b, " "); t; t = strtok(NULL, " "))
        if (!strcmp(t, cls))
            return true;
    return false;
}

/* Depth-first: the first element named `name` (with class cls if not NULL). */
static xmlNode *find(xmlNode *n, const char *name, const char *cls)
{
    for (; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name) && (!cls || has_class(n, cls)))
            return n;
        xmlNode *c = find(n->children, name, cls);
        if (c)
            return c;
    }
    return NULL;
}

/* Every element named `name` with class cls, in document order. */
static size_t find_all(xmlNode *n, const char *name, const char *cls, xmlNode **out, size_t max, size_t k)
{
    for (; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name) && (!cls || has_class(n, cls)) &&
            k < max)
            out[k++] = n;
        k = find_all(n->children, name, cls, out, max, k);
    }
    return k;
}

typedef struct area {
    double x, y, w, h, xmin, xmax, ymin, ymax;
} area;

/* The plot area of panel 0 (the upper or only one) or 1 (the lower). */
static area read_area_panel(xmlNode *root, int panel)
{
    xmlNode *r[4];
    size_t n = find_all(root, "rect", "area", r, 4, 0);
    assert_true((size_t)panel < n);
    assert_int_equal(isfinite(attr_num(r[panel], "data-panel")), panel == 1);
    area a = {attr_num(r[panel], "x"),         attr_num(r[panel], "y"),         attr_num(r[panel], "width"),
              attr_num(r[panel], "height"),    attr_num(r[panel], "data-xmin"), attr_num(r[panel], "data-xmax"),
              attr_num(r[panel], "data-ymin"), attr_num(r[panel], "data-ymax")};
    assert_true(a.w > 100 && a.h > 50);
    assert_true(a.xmax > a.xmin && a.ymax > a.ymin);
    return a;
}

static area read_area(xmlNode *root) { return read_area_panel(root, 0); }

/* The smallest font size of any <text> from n on, each inheriting its
 * ancestors' font-size (inh: the inherited one). */
static double min_font(xmlNode *n, double inh)
{
    double m = INFINITY;
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        double fs = attr_num(n, "font-size");
        if (!isfinite(fs))
            fs = inh;
        if (!strcmp((const char *)n->name, "text"))
            m = fmin(m, fs);
        m = fmin(m, min_font(n->children, fs));
    }
    return m;
}

/* The labels of the fault windows and instants sit above the plot area,
 * clear of the data: each text's baseline at least 3 px over the area's
 * top (its descenders included); and no event's leader line (from its
 * label down to the area) crosses another event's label, taking a label to
 * be 6.2 px a character wide (Helvetica's average at 11 px).  Returns how
 * many labels there are. */
static size_t labels_above(xmlNode *root)
{
    area a = read_area(root);
    xmlNode *g[64];
    size_t ng = find_all(root, "g", "fault", g, 64, 0);
    ng = find_all(root, "g", "action", g, 64, ng);
    double tx[64], ty[64], tw[64], lx[64], ly[64];
    size_t n = 0;
    for (size_t i = 0; i < ng; i++) {
        xmlNode *t = find(g[i]->children, "text", NULL), *ln = find(g[i]->children, "line", NULL);
        lx[i] = ln ? attr_num(ln, "x1") : NAN;
        ly[i] = ln ? fmin(attr_num(ln, "y1"), attr_num(ln, "y2")) : NAN;
        tx[i] = NAN;
        if (!t)
            continue;
        if (!(attr_num(t, "y") <= a.y - 3))
            fail_msg("an event label at y %g, over the plot area (top %g)", attr_num(t, "y"), a.y);
        xmlChar *c = xmlNodeGetContent(t);
        size_t chars = 0;
        for (const unsigned char *u = c; *u; u++)
            chars += (*u & 0xc0) != 0x80;
        xmlFree(c);
        tx[i] = attr_num(t, "x");
        ty[i] = attr_num(t, "y");
        tw[i] = 6.2 * (double)chars;
        n++;
    }
    for (size_t i = 0; i < ng; i++)
        for (size_t j = 0; j < ng; j++)
            if (i != j && isfinite(tx[j]) && isfinite(lx[i]) && lx[i] >= tx[j] - 1 && lx[i] <= tx[j] + tw[j] + 1 &&
                ly[i] <= ty[j] + 2)
                fail_msg("the leader at x %g crosses the label at (%g, %g)", lx[i], tx[j], ty[j]);
    return n;
}

static double map_x(const area *a, double v) { return a->x + (v - a->xmin) / (a->xmax - a->xmin) * a->w; }
static double map_y(const area *a, double v) { return a->y + a->h - (v - a->ymin) / (a->ymax - a->ymin) * a->h; }

/* ---- the CSV --------------------------------------------------------------------------- */

typedef struct csv {
    size_t nrows, ncols;
    char names[128][64];
    double *v;
} csv;

static void csv_read(const char *path, csv *c)
{
    char *text = slurp(path, NULL);
    assert_non_null(text);
    memset(c, 0, sizeof *c);
    char *save, *line = strtok_r(text, "\n", &save);
    assert_non_null(line);
    for (char *s2, *f = strtok_r(line, ",", &s2); f && c->ncols < 128; f = strtok_r(NULL, ",", &s2))
        snprintf(c->names[c->ncols++], 64, "%s", f);
    size_t cap = 1024;
    c->v = malloc(cap * c->ncols * sizeof *c->v);
    while ((line = strtok_r(NULL, "\n", &save))) {
        if (c->nrows == cap)
            c->v = realloc(c->v, (cap *= 2) * c->ncols * sizeof *c->v);
        /* an empty field is a latency with no sample: NaN */
        size_t k = 0;
        for (char *f = line; f && k < c->ncols; k++) {
            char *comma = strchr(f, ',');
            if (comma)
                *comma = 0;
            c->v[c->nrows * c->ncols + k] = *f ? strtod(f, NULL) : NAN;
            f = comma ? comma + 1 : NULL;
        }
        c->nrows++;
    }
    free(text);
}

static int csv_col(const csv *c, const char *name)
{
    for (size_t k = 0; k < c->ncols; k++)
        if (!strcmp(c->names[k], name))
            return (int)k;
    fail_msg("no column %s in the CSV", name);
    return -1;
}

/* The points of the series polylines labelled `label` (class series, or
 * baseline), concatenated; returns how many. */
static size_t points(xmlNode *root, const char *cls, const char *label, double *xs, double *ys, size_t max)
{
    xmlNode *pl[64];
    size_t npl = find_all(root, "polyline", cls, pl, 64, 0), n = 0;
    for (size_t i = 0; i < npl; i++) {
        char lab[256];
        if (!attr(pl[i], "data-label", lab, sizeof lab) || strcmp(lab, label))
            continue;
        xmlChar *p = xmlGetProp(pl[i], (const xmlChar *)"points");
        const char *s = (const char *)p;
        double x, y;
        int used;
        while (n < max && sscanf(s, " %lf,%lf%n", &x, &y, &used) == 2) {
            xs[n] = x;
            ys[n] = y;
            n++;
            s += used;
        }
        xmlFree(p);
    }
    return n;
}

/* Every point of series `label` in the plot file maps back to the CSV
 * column within a pixel, in both directions; rows with NaN are gaps. */
static void check_series(const char *svgfile, const csv *c, const char *label, const char *column, double scale,
                         int panel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/svg/%s", tmpdir, svgfile);
    xmlDoc *doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
    if (!doc)
        fail_msg("%s does not parse as XML", path);
    xmlNode *root = xmlDocGetRootElement(doc);
    area a = read_area_panel(root, panel);
    assert_float_equal(a.xmin, 0, 1e-9);
    assert_float_equal(a.xmax, 300, 1e-9); /* the run's duration */
    double xs[4096], ys[4096];
    size_t n = points(root, "series", label, xs, ys, 4096);
    int ct = csv_col(c, "time"), cv = csv_col(c, column);
    size_t want = 0;
    for (size_t i = 0; i < c->nrows; i++)
        want += isfinite(c->v[i * c->ncols + (size_t)cv]);
    assert_int_equal(n, want);
    assert_true(n >= 50); /* p99 latency has gaps: none succeed after the trigger */
    size_t k = 0;
    for (size_t i = 0; i < c->nrows; i++) {
        double t = c->v[i * c->ncols + (size_t)ct], v = c->v[i * c->ncols + (size_t)cv] * scale;
        if (!isfinite(v))
            continue;
        double ex = map_x(&a, t), ey = map_y(&a, v);
        if (fabs(xs[k] - ex) > 1 || fabs(ys[k] - ey) > 1)
            fail_msg("%s %s row %zu (t=%g, %g): point (%.1f, %.1f), want (%.1f, %.1f)", svgfile, label, i, t, v,
                     xs[k], ys[k], ex, ey);
        /* and back: the pixel read as a value is within a pixel's worth of it */
        double back = a.ymin + (a.y + a.h - ys[k]) / a.h * (a.ymax - a.ymin);
        assert_true(fabs(back - v) <= (a.ymax - a.ymin) / a.h);
        assert_true(v >= a.ymin && v <= a.ymax); /* nothing drawn off the axes */
        k++;
    }
    /* the y ticks of the panel: each label sits where its value maps */
    xmlNode *gs[4];
    assert_true(find_all(root, "g", "yticks", gs, 4, 0) > (size_t)panel);
    xmlNode *g = gs[panel];
    xmlNode *tx[64];
    size_t nt = find_all(g->children, "text", NULL, tx, 64, 0);
    assert_true(nt >= 3 && nt <= 12);
    for (size_t i = 0; i < nt; i++) {
        xmlChar *s = xmlNodeGetContent(tx[i]);
        double lv = strtod((const char *)s, NULL);
        if (strchr((const char *)s, 'k'))
            lv *= 1000;
        xmlFree(s);
        assert_float_equal(lv, attr_num(tx[i], "data-v"), 1e-9);
        assert_true(fabs(attr_num(tx[i], "y") - 4 - map_y(&a, lv)) < 0.11);
    }
    /* the fault window 60s-90s is shaded over exactly that span */
    xmlNode *fault = find(root, "g", "fault");
    assert_non_null(fault);
    xmlNode *band = find(fault->children, "rect", NULL);
    assert_true(fabs(attr_num(band, "x") - map_x(&a, 60)) < 0.11);
    assert_true(fabs(attr_num(band, "x") + attr_num(band, "width") - map_x(&a, 90)) < 0.2);
    xmlChar *bl = xmlNodeGetContent(find(fault->children, "text", NULL));
    assert_string_equal((const char *)bl, "db slow x10");
    xmlFree(bl);
    /* no text under 11 px, and the fault's label is not over the data */
    assert_true(min_font(root, 16) >= SVG_MIN_FONT);
    assert_int_equal(labels_above(root), 1);
    xmlFreeDoc(doc);
}

/* ---- tests ---------------------------------------------------------------------------------- */

static void test_ticks(void **state)
{
    (void)state;
    double t[32];
    size_t n = svg_ticks(0, 300, 8, t, 32);
    assert_int_equal(n, 7); /* 0, 50, ..., 300 */
    assert_float_equal(t[1], 50, 1e-12);
    assert_float_equal(t[6], 300, 1e-12);
    n = svg_ticks(0, 1, 5, t, 32);
    assert_int_equal(n, 6);
    assert_float_equal(t[3], 0.6, 1e-12);
    n = svg_ticks(0.013, 0.047, 5, t, 32); /* steps of 0.005, from 0.015 */
    assert_float_equal(t[0], 0.015, 1e-12);
    assert_float_equal(t[1] - t[0], 0.005, 1e-12);
    char b[32];
    svg_tick_label(0.6000000000000001, 0.2, b, sizeof b);
    assert_string_equal(b, "0.6");
    svg_tick_label(25000, 5000, b, sizeof b);
    assert_string_equal(b, "25k");
    svg_tick_label(2500, 500, b, sizeof b);
    assert_string_equal(b, "2500");
    svg_tick_label(0.015, 0.005, b, sizeof b);
    assert_string_equal(b, "0.015");
    assert_int_equal(svg_ticks(1, 0, 5, t, 32), 0);
}

/* `eddy run --svg`: the plots parse, and their points are the CSV's values. */
static void test_run_svg_maps_back_to_csv(void **state)
{
    (void)state;
    run_result r = run("run -q " STORM " -o %s/storm.csv --svg %s/svg", tmpdir, tmpdir);
    EXPECT_STATUS(r, 0, "eddy run --svg");
    run_free(&r);
    csv c;
    char path[512];
    snprintf(path, sizeof path, "%s/storm.csv", tmpdir);
    csv_read(path, &c);
    assert_int_equal(c.nrows, 300);
    check_series("retries.svg", &c, "shoppers", "shoppers.retries", 1, 0);
    check_series("service-1-checkout.svg", &c, "queue", "checkout.queue", 1, 0);
    check_series("service-1-checkout.svg", &c, "busy workers", "checkout.busy", 1, 1);
    check_series("service-2-db.svg", &c, "busy workers", "db.busy", 1, 1);
    check_series("latency.svg", &c, "shoppers", "shoppers.latency_p99", 1000, 0); /* ms */
    free(c.v);

    /* every plot is there, and each overlays its baseline */
    static const char *const files[] = {"goodput.svg", "retries.svg", "service-1-checkout.svg", "service-2-db.svg",
                                        "latency.svg"};
    for (size_t i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "%s/svg/%s", tmpdir, files[i]);
        char *s = slurp(path, NULL);
        assert_non_null(s);
        EXPECT_IN_PAGE(s, "<?xml");
        EXPECT_IN_PAGE(s, "class=\"baseline\"");
        EXPECT_IN_PAGE(s, "time (s)");
        free(s);
    }
    /* no cache, autoscaler or breaker in this model: no such plots */
    snprintf(path, sizeof path, "%s/svg/breakers.svg", tmpdir);
    assert_int_not_equal(access(path, F_OK), 0);

    /* the baseline of the goodput plot stays near 400/s after the fault,
     * where the observed goodput is near zero */
    snprintf(path, sizeof path, "%s/svg/goodput.svg", tmpdir);
    xmlDoc *doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    xmlNode *root = xmlDocGetRootElement(doc);
    area a = read_area(root);
    double xs[4096], ys[4096];
    size_t n = points(root, "baseline", "goodput (baseline)", xs, ys, 4096);
    assert_int_equal(n, 300);
    double late = a.ymin + (a.y + a.h - ys[250]) / a.h * (a.ymax - a.ymin);
    assert_true(late > 330 && late < 470);
    n = points(root, "series", "goodput", xs, ys, 4096);
    late = a.ymin + (a.y + a.h - ys[250]) / a.h * (a.ymax - a.ymin);
    assert_true(late < 20);
    /* the offered line (dashed, dark) is drawn after the baseline and the
     * goodput, so it shows where they run along it */
    xmlNode *pl[16];
    size_t npl = find_all(root, "polyline", NULL, pl, 16, 0);
    int at_offered = -1, at_base = -1, at_good = -1;
    for (size_t i = 0; i < npl; i++) {
        char lab[64];
        attr(pl[i], "data-label", lab, sizeof lab);
        if (!strcmp(lab, "offered"))
            at_offered = (int)i;
        else if (!strcmp(lab, "goodput (baseline)"))
            at_base = (int)i;
        else if (!strcmp(lab, "goodput"))
            at_good = (int)i;
    }
    assert_true(at_base >= 0 && at_good >= 0 && at_offered > at_base && at_offered > at_good);
    char sa[64];
    assert_non_null(attr(pl[at_offered], "stroke-dasharray", sa, sizeof sa));
    assert_null(attr(pl[at_offered], "stroke-opacity", sa, sizeof sa));
    xmlNode *notes[2];
    assert_int_equal(find_all(root, "text", "note", notes, 2, 0), 0); /* no gaps in goodput: no note */
    xmlFreeDoc(doc);

    /* queue and busy workers on separate axes: the busy workers' line (20
     * to 40 of checkout's 40 workers, against a queue of up to 1000) rises
     * over at least 40% of its own panel's height */
    snprintf(path, sizeof path, "%s/svg/service-1-checkout.svg", tmpdir);
    doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    root = xmlDocGetRootElement(doc);
    area aq = read_area_panel(root, 0), ab = read_area_panel(root, 1);
    assert_true(ab.y >= aq.y + aq.h); /* one under the other */
    assert_float_equal(ab.x, aq.x, 1e-9);
    assert_float_equal(ab.w, aq.w, 1e-9); /* the same time axis */
    assert_true(aq.ymax >= 1000 && ab.ymax <= 100);
    n = points(root, "series", "busy workers", xs, ys, 4096);
    assert_int_equal(n, 300);
    double top = INFINITY, bot = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        top = fmin(top, ys[i]);
        bot = fmax(bot, ys[i]);
        assert_true(ys[i] >= ab.y - 0.05 && ys[i] <= ab.y + ab.h + 0.05);
    }
    assert_true(bot - top >= 0.4 * ab.h);
    xmlFreeDoc(doc);

    /* p99 latency: its line breaks where no request succeeded, and the
     * file says so under the plot */
    snprintf(path, sizeof path, "%s/svg/latency.svg", tmpdir);
    doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    root = xmlDocGetRootElement(doc);
    assert_int_equal(find_all(root, "text", "note", notes, 2, 0), 1);
    xmlChar *nt = xmlNodeGetContent(notes[0]);
    assert_non_null(strstr((const char *)nt, "no request succeeded"));
    xmlFree(nt);
    assert_true(attr_num(notes[0], "y") > read_area(root).y + read_area(root).h); /* under the plot */
    xmlFreeDoc(doc);

    /* a model with a breaker gets the breaker plot, with its state in [0, 1] */
    r = run("run -q examples/breaker.yaml -o /dev/null --svg %s/svgb", tmpdir);
    EXPECT_STATUS(r, 0, "eddy run --svg breaker");
    run_free(&r);
    snprintf(path, sizeof path, "%s/svgb/breakers.svg", tmpdir);
    doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    a = read_area(xmlDocGetRootElement(doc));
    assert_float_equal(a.ymax, 1, 1e-12);
    xmlFreeDoc(doc);

    /* operator actions are marked where they happen, with what they do */
    snprintf(path, sizeof path, "%s/act.yaml", tmpdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("duration: 40s\nseed: 3\nsample: 1s\n"
          "clients:\n  users:\n    rate: 50/s\n    call: api\n    timeout: 1s\n"
          "services:\n  api:\n    workers: 4\n    service_time: {dist: exponential, mean: 10ms}\n"
          "faults:\n  - {at: 5s, for: 5s, target: api, slow: 2}\n  - {at: 30s, target: api, restart: true}\n"
          "actions:\n  - {at: 12s, client: users, retry: off}\n  - {at: 20s, service: api, shed: 50%}\n"
          "  - {at: 22s, service: api, scale: 3}\n  - {at: 26s, client: users, retry: on}\n",
          f);
    fclose(f);
    r = run("run -q %s -o /dev/null --svg %s/svga", path, tmpdir);
    EXPECT_STATUS(r, 0, "eddy run --svg with actions");
    run_free(&r);
    snprintf(path, sizeof path, "%s/svga/goodput.svg", tmpdir);
    doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    root = xmlDocGetRootElement(doc);
    a = read_area(root);
    assert_float_equal(a.xmax, 40, 1e-9);
    /* one shaded window (the restart is an instant: marked, not shaded) */
    xmlNode *faults[8];
    assert_int_equal(find_all(root, "g", "fault", faults, 8, 0), 1);
    xmlNode *acts[8];
    assert_int_equal(find_all(root, "g", "action", acts, 8, 0), 5);
    static const double at[] = {30, 12, 20, 22, 26};
    static const char *const what[] = {"api restarts", "users: retries off", "api: shed 50%", "api: scale to 3",
                                       "users: retries on"};
    for (int i = 0; i < 5; i++) {
        xmlNode *ln = find(acts[i]->children, "line", NULL);
        assert_true(fabs(attr_num(ln, "x1") - map_x(&a, at[i])) < 0.11);
        xmlChar *t = xmlNodeGetContent(find(acts[i]->children, "text", NULL));
        assert_string_equal((const char *)t, what[i]);
        xmlFree(t);
    }
    /* six labels (a window, five instants), all above the data; the scale
     * at 22 s falls under the shed's label at 20 s, so it goes in a lower
     * row; the retries at 26 s would fit in the top row, but their leader
     * would then cross the scale's label, so they go under it */
    assert_int_equal(labels_above(root), 6);
    assert_true(min_font(root, 16) >= SVG_MIN_FONT);
    xmlFreeDoc(doc);

    r = run("run -q " STORM " -o /dev/null --svg /nonexistent/dir/svg");
    EXPECT_STATUS(r, 2, "eddy run --svg into a missing parent");
    EXPECT_IN_PAGE(r.err, "cannot make /nonexistent/dir/svg");
    run_free(&r);
}

/* Every <svg>...</svg> of the page parses as XML, and no text in it is
 * drawn under 11 px: a plot's text is at least SVG_MIN_FONT user units and
 * the page never shows it smaller than its own size (svg.wide is shown at
 * its width, svg.narrow at its width or wider); the loop diagram may
 * shrink, but its min-width keeps its smallest text at 11 px. */
static size_t check_inline_svgs(const char *page)
{
    size_t n = 0;
    for (const char *p = page; (p = strstr(p, "<svg")); n++) {
        const char *e = strstr(p, "</svg>");
        assert_non_null(e);
        /* nested <svg> do not occur: the next <svg starts after this end */
        const char *next = strstr(p + 4, "<svg");
        assert_true(!next || next > e);
        size_t len = (size_t)(e + 6 - p);
        xmlDoc *doc = xmlReadMemory(p, (int)len, "inline.svg", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
        if (!doc)
            fail_msg("inline SVG %zu does not parse: %.200s", n, p);
        xmlNode *root = xmlDocGetRootElement(doc);
        double fs = min_font(root, 16);
        if (has_class(root, "plot")) {
            if (!(fs >= SVG_MIN_FONT))
                fail_msg("inline SVG %zu has text of %g px", n, fs);
        } else {
            char st[128], vb[128];
            assert_non_null(attr(root, "style", st, sizeof st));
            assert_non_null(attr(root, "viewBox", vb, sizeof vb));
            double minw = 0, vbw = 0;
            assert_int_equal(sscanf(st, "min-width:%lfpx", &minw), 1);
            assert_int_equal(sscanf(vb, "%*f %*f %lf", &vbw), 1);
            if (!(fs * minw / vbw >= SVG_MIN_FONT - 1e-9))
                fail_msg("the loop diagram's text can shrink to %g px", fs * minw / vbw);
        }
        xmlFreeDoc(doc);
        p = e;
    }
    return n;
}

static void test_report_page(void **state)
{
    (void)state;
    run_result r = run("report -q --seeds 2 --no-basin " STORM " -o %s/storm.html", tmpdir);
    EXPECT_STATUS(r, 0, "eddy report");
    assert_string_equal(r.out, "");
    run_free(&r);
    char path[512];
    snprintf(path, sizeof path, "%s/storm.html", tmpdir);
    size_t len;
    char *page = slurp(path, &len);
    assert_non_null(page);
    assert_true(len < 600 * 1024); /* small: well under 1 MB */
    EXPECT_IN_PAGE(page, "<!DOCTYPE html>");
    EXPECT_IN_PAGE(page, "<h1>checkout retry storm</h1>");
    EXPECT_IN_PAGE(page, "Shoppers retry checkout on timeout");
    EXPECT_IN_PAGE(page, "verdict: metastable");
    EXPECT_IN_PAGE(page, "shoppers&#39; retries (4 attempts, no backoff) interacting with the 1s timeout");
    EXPECT_IN_PAGE(page, "<h2>Time series</h2>");
    EXPECT_IN_PAGE(page, "<h2>Causal loop diagram</h2>");
    EXPECT_IN_PAGE(page, "<h2>Arrow review</h2>");
    EXPECT_IN_PAGE(page, "<h2>Interventions</h2>");
    EXPECT_IN_PAGE(page, "<h2>Goodput against load</h2>");
    EXPECT_LACKS(page, "<h2>Basin map</h2>");
    EXPECT_IN_PAGE(page, "naked-retry");
    EXPECT_IN_PAGE(page, "no retries on timeout");
    /* self-contained: nothing to fetch; the only URLs are XML namespaces */
    EXPECT_LACKS(page, "<link");
    EXPECT_LACKS(page, "src=");
    EXPECT_LACKS(page, "@import");
    EXPECT_LACKS(page, "url(http");
    assert_int_equal(count(page, "http://") + count(page, "https://"),
                     count(page, "http://www.w3.org/2000/svg") + count(page, "http://www.w3.org/1999/xlink"));
    EXPECT_IN_PAGE(page, "Content-Security-Policy");
    assert_int_equal(count(page, "<script"), 1); /* the hover read-outs, and nothing else */
    /* plots: 5 time series and the sweep, each wide and narrow; the loop
     * diagram; the small multiples (one per intervention, plus the model
     * as written) */
    size_t nsvg = check_inline_svgs(page);
    size_t nfix = count(page, "<tr class=\"ok\">") + count(page, "<tr class=\"no\">") - 1;
    assert_true(nfix >= 5);
    assert_int_equal(nsvg, 2 * 5 + 1 + 1 + nfix + 2);
    assert_int_equal(count(page, "class=\"plot wide\" width=\"720\""), 6);
    assert_int_equal(count(page, "class=\"plot narrow\" width=\"360\""), 6);
    /* the style sheet shows one of each pair, by the width of the screen */
    EXPECT_IN_PAGE(page, "@media (max-width:759.98px)");
    EXPECT_IN_PAGE(page, "svg.wide{display:none}svg.narrow{display:block}");
    /* every table scrolls in its own box, not the page */
    assert_int_equal(count(page, "<table"), 2);
    assert_int_equal(count(page, "<div class=\"scroll\"><table"), 2);
    EXPECT_IN_PAGE(page, ".scroll{overflow-x:auto");
    /* the time-series figures hold the pair, and one read-out */
    for (const char *q = page; (q = strstr(q, "<figure class=\"ts\">")); q++) {
        const char *end = strstr(q, "</figure>");
        assert_non_null(end);
        const char *w = strstr(q, "class=\"plot wide\""), *nw = strstr(q, "class=\"plot narrow\"");
        assert_true(w && w < end && nw && nw < end);
    }
    /* the sustaining loop is highlighted in the diagram */
    EXPECT_IN_PAGE(page, "#c0392b");
    free(page);

    /* deterministic: the same model and seeds give the same page */
    r = run("report -q --seeds 2 --no-fix --no-sweep --no-basin " STORM " -o %s/a.html", tmpdir);
    EXPECT_STATUS(r, 0, "eddy report a");
    run_free(&r);
    r = run("report -q --seeds 2 --no-fix --no-sweep --no-basin -j 1 " STORM " -o %s/b.html", tmpdir);
    EXPECT_STATUS(r, 0, "eddy report b");
    run_free(&r);
    char pa[512], pb[512];
    snprintf(pa, sizeof pa, "%s/a.html", tmpdir);
    snprintf(pb, sizeof pb, "%s/b.html", tmpdir);
    char *a = slurp(pa, NULL), *b = slurp(pb, NULL);
    assert_string_equal(a, b);
    free(a);
    free(b);
}

/* Each section can be switched off. */
static void test_report_sections_off(void **state)
{
    (void)state;
    run_result r = run("report -q --seeds 1 --no-plots --no-loops --no-review --no-fix --no-sweep --no-basin " STORM);
    EXPECT_STATUS(r, 0, "eddy report, header only");
    EXPECT_IN_PAGE(r.out, "verdict: metastable");
    EXPECT_LACKS(r.out, "<h2>");
    EXPECT_LACKS(r.out, "<svg");
    run_free(&r);
    r = run("report -q --seeds 1 --no-plots --no-review --no-fix --no-sweep --no-basin --no-dot " STORM);
    EXPECT_STATUS(r, 0, "eddy report, loops only, plain layout");
    EXPECT_IN_PAGE(r.out, "<h2>Causal loop diagram</h2>");
    EXPECT_IN_PAGE(r.out, "class=\"cld plain\"");
    EXPECT_IN_PAGE(r.out, "eddy's plain circular layout");
    EXPECT_LACKS(r.out, "<h2>Time series</h2>");
    EXPECT_LACKS(r.out, "<h2>Arrow review</h2>");
    /* the sustaining loop (R4 here, 9 links) is drawn highlighted: 9 links
     * and their 9 variables */
    assert_int_equal(count(r.out, "<g class=\"link hi\">"), 9);
    assert_int_equal(count(r.out, "<g class=\"var hi\">"), 9);
    assert_int_equal(check_inline_svgs(r.out), 1);
    run_free(&r);
    /* a model without faults: no interventions to measure, and it says so */
    r = run("report -q --seeds 1 --no-plots --no-loops --no-review --no-sweep examples/mmc.yaml");
    EXPECT_STATUS(r, 0, "eddy report mmc");
    EXPECT_IN_PAGE(r.out, "<h2>Interventions</h2>");
    EXPECT_IN_PAGE(r.out, "Not measured: the model has no faults");
    EXPECT_IN_PAGE(r.out, "<h2>Basin map</h2>");
    EXPECT_IN_PAGE(r.out, "Not mapped: the model has no faults");
    run_free(&r);
    r = run("report --no-such-flag " STORM);
    EXPECT_STATUS(r, 2, "eddy report --no-such-flag");
    run_free(&r);
    r = run("report -q /nonexistent.yaml");
    EXPECT_STATUS(r, 2, "eddy report missing file");
    run_free(&r);
    r = run("report --help");
    EXPECT_STATUS(r, 0, "eddy report --help");
    EXPECT_IN_PAGE(r.out, "--no-fix");
    run_free(&r);
}

/* The author's text is shown, never run. */
static void test_report_escapes(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/evil.yaml", tmpdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("name: \"<script>alert('x')</script> & \\\"quoted\\\" <img src=x onerror=alert(1)>\"\n"
          "description: \"</p><script>document.title='pwned'</script> a & b < c\"\n"
          "duration: 20s\nseed: 3\nsample: 1s\n"
          "clients:\n  users:\n    rate: 50/s\n    call: api\n    timeout: 1s\n"
          "services:\n  api:\n    workers: 4\n    service_time: {dist: exponential, mean: 10ms}\n"
          "faults:\n  - {at: 5s, for: 5s, target: api, slow: 2}\n",
          f);
    fclose(f);
    run_result r = run("report -q --seeds 1 --no-fix --no-sweep --no-basin %s", path);
    EXPECT_STATUS(r, 0, "eddy report evil.yaml");
    EXPECT_LACKS(r.out, "<script>alert");
    EXPECT_LACKS(r.out, "<script>document");
    EXPECT_LACKS(r.out, "<img");
    EXPECT_LACKS(r.out, "</p><script>");
    assert_int_equal(count(r.out, "<script"), 1);
    EXPECT_IN_PAGE(r.out, "<h1>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot; &lt;img "
                      "src=x onerror=alert(1)&gt;</h1>");
    EXPECT_IN_PAGE(r.out, "<title>eddy report: &lt;script&gt;");
    EXPECT_IN_PAGE(r.out, "&lt;/p&gt;&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt; a &amp; b &lt; c");
    /* the file name is the author's too */
    EXPECT_IN_PAGE(r.out, "evil.yaml");
    check_inline_svgs(r.out);
    run_free(&r);
}

/* The first inline SVG after `marker` in the page, parsed. */
static xmlDoc *svg_after(const char *page, const char *marker)
{
    const char *p = strstr(page, marker);
    assert_non_null(p);
    p = strstr(p, "<svg");
    assert_non_null(p);
    const char *e = strstr(p, "</svg>");
    assert_non_null(e);
    xmlDoc *doc = xmlReadMemory(p, (int)(e + 6 - p), "inline.svg", NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    return doc;
}

/* The sweep's curve is `eddy sweep`'s numbers, and the basin map is
 * `eddy basin`'s points and boundary, on the same seeds. */
static void test_report_sweep_and_basin(void **state)
{
    (void)state;
    json_t *sw = run_json("sweep -q --seeds 1 --json " STORM);
    json_t *bs = run_json("basin -q --seeds 1 --json " STORM);
    run_result r = run("report -q --seeds 1 --no-plots --no-loops --no-review --no-fix " STORM);
    EXPECT_STATUS(r, 0, "eddy report, sweep and basin");
    EXPECT_IN_PAGE(r.out, "<h2>Goodput against load</h2>");
    EXPECT_IN_PAGE(r.out, "<h2>Basin map</h2>");
    EXPECT_IN_PAGE(r.out, "Congestion collapse");
    /* which curve it is: the steady state, the storm's faults dropped */
    EXPECT_IN_PAGE(r.out, "Curve: steady state: the model");
    EXPECT_IN_PAGE(r.out, "faults dropped (--with-faults keeps them)");

    /* the sweep: goodput at each load multiple */
    xmlDoc *doc = svg_after(r.out, "<section id=\"sweep\">");
    xmlNode *root = xmlDocGetRootElement(doc);
    area a = read_area(root);
    double xs[256], ys[256];
    size_t n = points(root, "series", "goodput", xs, ys, 256);
    json_t *pts = json_object_get(sw, "points");
    assert_int_equal(n, json_array_size(pts));
    assert_int_equal(n, 20);
    for (size_t i = 0; i < n; i++) {
        json_t *p = json_array_get(pts, i);
        double load = json_real_value(json_object_get(p, "load"));
        double g = json_real_value(json_object_get(json_object_get(p, "goodput"), "mean"));
        assert_true(fabs(xs[i] - map_x(&a, load)) <= 1);
        assert_true(fabs(ys[i] - map_y(&a, g)) <= 1);
    }
    /* the peak and collapse labels sit above the curve, not on it */
    assert_int_equal(labels_above(root), 2);
    xmlFreeDoc(doc);
    /* and in the phone's drawing of it */
    const char *narrow = strstr(r.out, "id=\"sweep-plot-narrow\"");
    assert_non_null(narrow);
    while (narrow > r.out && strncmp(narrow, "<svg", 4))
        narrow--;
    doc = svg_after(narrow, "<svg");
    root = xmlDocGetRootElement(doc);
    assert_int_equal(labels_above(root), 2);
    assert_true(min_font(root, 16) >= SVG_MIN_FONT);
    xmlFreeDoc(doc);

    /* the basin: one cell per point tried, one boundary vertex per row
     * where P crosses 1/2, at its critical value (a log axis here) */
    doc = svg_after(r.out, "<section id=\"basin\">");
    root = xmlDocGetRootElement(doc);
    xmlNode *rect = find(root, "rect", "area");
    assert_non_null(rect);
    char b[8];
    assert_non_null(attr(rect, "data-xlog", b, sizeof b));
    a = read_area(root);
    xmlNode *cells = find(root, "g", "cells");
    assert_non_null(cells);
    xmlNode *cv[1024];
    size_t nc = find_all(cells->children, "rect", NULL, cv, 1024, 0);
    assert_int_equal(nc, json_array_size(json_object_get(bs, "points")));
    for (size_t i = 0; i < nc; i++) {
        double p = attr_num(cv[i], "data-p");
        assert_true(p >= 0 && p <= 1);
    }
    xmlNode *circ[64];
    size_t ncirc = find_all(root, "circle", NULL, circ, 64, 0);
    json_t *rows = json_object_get(bs, "rows");
    size_t crosses = 0;
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *row = json_array_get(rows, i);
        if (strcmp(json_string_value(json_object_get(row, "status")), "crosses"))
            continue;
        double crit = json_real_value(json_object_get(row, "critical"));
        double y = json_real_value(json_object_get(row, "y"));
        double px = a.x + (log10(crit) - log10(a.xmin)) / (log10(a.xmax) - log10(a.xmin)) * a.w;
        bool found = false;
        for (size_t k = 0; k < ncirc; k++)
            found |= fabs(attr_num(circ[k], "cx") - px) <= 1 && fabs(attr_num(circ[k], "cy") - map_y(&a, y)) <= 1;
        if (!found)
            fail_msg("no boundary vertex at critical %g, y %g", crit, y);
        crosses++;
    }
    assert_true(crosses >= 3);
    assert_int_equal(ncirc, crosses);
    xmlFreeDoc(doc);
    json_decref(sw);
    json_decref(bs);
    run_free(&r);
}

/* diagnose keeps replication 0's runs only when asked, and they are the
 * runs its numbers come from. */
static void test_diagnose_keeps_runs(void **state)
{
    (void)state;
    diagnose_opts o = {.seeds = 1, .seed = 1, .threads = 1};
    diagnosis d;
    eddy_error err;
    assert_int_equal(diagnose_run(STORM, &o, &d, &err), 0);
    assert_null(d.observed_run);
    assert_null(d.baseline_run);
    dg_phases obs = d.observed;
    diagnosis_free(&d);
    o.keep_runs = true;
    assert_int_equal(diagnose_run(STORM, &o, &d, &err), 0);
    assert_non_null(d.observed_run);
    assert_non_null(d.baseline_run);
    assert_int_equal(d.observed_run->series.nrows, 300);
    assert_int_equal(d.baseline_run->series.nrows, 300);
    /* the same numbers either way */
    assert_float_equal(d.observed.after, obs.after, 1e-12);
    double after = measure_window(d.m, d.observed_run, d.fault_end, d.end, measure_goodput);
    assert_float_equal(after, d.observed.after, 1e-9);
    double base = measure_window(d.m, d.baseline_run, d.fault_end, d.end, measure_goodput);
    assert_float_equal(base, d.baseline.after, 1e-9);
    assert_true(base > 300 && after < 20);
    diagnosis_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ticks),
        cmocka_unit_test(test_run_svg_maps_back_to_csv),
        cmocka_unit_test(test_report_page),
        cmocka_unit_test(test_report_sections_off),
        cmocka_unit_test(test_report_escapes),
        cmocka_unit_test(test_report_sweep_and_basin),
        cmocka_unit_test(test_diagnose_keeps_runs),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    xmlCleanupParser();
    return rc;
}
