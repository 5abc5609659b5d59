/* xmile.c -- the XMILE reader: libxml2 parses, this walks the tree.
 *
 * libxml2 reports the line of each element but not its column, so the raw
 * text is kept while reading to find where an equation's text begins: an
 * error in an equation then points at the character, as YAML errors do. */
#include "xmile.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "../core/err.h"
#include "name.h"
#include "../core/xalloc.h"

typedef struct reader {
    const char *text;
    size_t len;
    const char *file;
    eddy_error *err;
    bool nn_stock, nn_flow; /* <behavior>: non_negative by default */
    int xml_line, xml_col;  /* the first well-formedness error */
    char xml_msg[256];
    size_t *line_at; /* offset of each line's start, built on first use */
    size_t nlines;
    xmlNodePtr *models; /* the named <model>s, which modules instantiate */
    size_t nmodels;
    int depth; /* modules within modules being read, to stop a cycle */
    size_t instances; /* module instances read, to stop a blow-up */
} reader;

/* Element name without a namespace prefix that libxml2 left in (files
 * that use isee: without declaring it). */
static const char *xm_local(xmlNodePtr n)
{
    const char *s = (const char *)n->name;
    const char *c = strchr(s, ':');
    return c ? c + 1 : s;
}

static bool xm_is(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp(xm_local(n), name) == 0;
}

static xmlNodePtr xm_child(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
        if (xm_is(c, name))
            return c;
    return NULL;
}

static char *xm_text(xmlNodePtr n)
{
    xmlChar *t = xmlNodeGetContent(n);
    char *s = xstrdup(t ? (const char *)t : "");
    xmlFree(t);
    return s;
}

static char *xm_attr(xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    if (!v)
        return NULL;
    char *s = xstrdup((const char *)v);
    xmlFree(v);
    return s;
}

/* Two names are the same as XMILE matches them: in any case, with a
 * space, an underscore and Stella's "\n" all alike. */
static bool xm_same_name(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    char *ka = sdn_canon(a), *kb = sdn_canon(b);
    bool same = strcmp(ka, kb) == 0;
    free(ka);
    free(kb);
    return same;
}

static int xm_line(xmlNodePtr n)
{
    long l = xmlGetLineNo(n);
    return l > 0 ? (int)l : 0;
}

/* Where each line starts: looking a line up by counting newlines from
 * the top made reading a 10,000-variable file quadratic. */
static const char *xm_line_start(reader *r, int line)
{
    if (!r->line_at) {
        size_t n = 1;
        for (size_t i = 0; i < r->len; i++)
            n += r->text[i] == '\n';
        r->line_at = xcalloc(1, n * sizeof *r->line_at);
        r->nlines = 0;
        r->line_at[r->nlines++] = 0;
        for (size_t i = 0; i < r->len; i++)
            if (r->text[i] == '\n')
                r->line_at[r->nlines++] = i + 1;
    }
    if (line < 1 || (size_t)line > r->nlines)
        return r->text + r->len;
    return r->text + r->line_at[line - 1];
}

/* Column just after the '>' of the opening tag of n on its line. */
static int xm_col_after_tag(reader *r, xmlNodePtr n)
{
    const char *p = xm_line_start(r, xm_line(n)), *end = r->text + r->len;
    const char *ls = p;
    char pat[64];
    snprintf(pat, sizeof pat, "<%s", (const char *)n->name);
    size_t pl = strlen(pat);
    while (p < end && *p != '\n') {
        if ((size_t)(end - p) >= pl && memcmp(p, pat, pl) == 0) {
            while (p < end && *p != '>')
                p++;
            return (int)(p - ls) + 2;
        }
        p++;
    }
    return 1;
}

static int xm_number(reader *r, xmlNodePtr n, const char *what, double *out)
{
    char *s = xm_text(n);
    char *e;
    errno = 0;
    double v = strtod(s, &e);
    while (*e == ' ' || *e == '\t' || *e == '\n' || *e == '\r')
        e++;
    int bad = (e == s || *e || errno || !isfinite(v));
    free(s);
    if (bad)
        return err_set(r->err, r->file, xm_line(n), xm_col_after_tag(r, n),
                       "%s: expected a number", what);
    *out = v;
    return 0;
}

/* "0,5,10" (or with another separator attribute) into a fresh array. */
static int xm_points(reader *r, xmlNodePtr n, double **out, size_t *count)
{
    char *sep = xm_attr(n, "sep");
    char *s = xm_text(n);
    size_t cap = 8, k = 0;
    double *v = xcalloc(1, cap * sizeof *v);
    char sepc = sep && *sep ? sep[0] : ',';
    char *p = s;
    int rc = 0;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (!*p)
            break;
        char *e;
        double x = strtod(p, &e);
        if (e == p) {
            rc = err_set(r->err, r->file, xm_line(n), xm_col_after_tag(r, n),
                         "<%s>: expected numbers separated by '%c'", xm_local(n), sepc);
            break;
        }
        if (k == cap)
            v = xrealloc(v, (cap *= 2) * sizeof *v);
        v[k++] = x;
        p = e;
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (*p == sepc)
            p++;
    }
    free(s);
    free(sep);
    if (rc) {
        free(v);
        return rc;
    }
    *out = v;
    *count = k;
    return 0;
}

static int xm_scale(reader *r, xmlNodePtr n, double *lo, double *hi)
{
    char *a = xm_attr(n, "min"), *b = xm_attr(n, "max");
    int rc = 0;
    if (!a || !b)
        rc = err_set(r->err, r->file, xm_line(n), 1, "<%s> needs min and max", xm_local(n));
    else {
        *lo = strtod(a, NULL);
        *hi = strtod(b, NULL);
    }
    free(a);
    free(b);
    return rc;
}

static void xm_gf_free(xm_gf *g)
{
    if (!g)
        return;
    free(g->x);
    free(g->y);
    free(g);
}

static xm_gf *xm_read_gf(reader *r, xmlNodePtr n)
{
    xm_gf *g = xcalloc(1, sizeof *g);
    g->line = xm_line(n);
    char *type = xm_attr(n, "type");
    if (!type || strcasecmp(type, "continuous") == 0)
        g->type = GF_CONTINUOUS;
    else if (strcasecmp(type, "extrapolate") == 0)
        g->type = GF_EXTRAPOLATE;
    else if (strcasecmp(type, "discrete") == 0)
        g->type = GF_DISCRETE;
    else {
        err_set(r->err, r->file, g->line, 1,
                "graphical function type \"%s\": expected continuous, extrapolate or discrete", type);
        free(type);
        free(g);
        return NULL;
    }
    free(type);
    xmlNodePtr xp = xm_child(n, "xpts"), yp = xm_child(n, "ypts"), xs = xm_child(n, "xscale");
    size_t ny = 0, nx = 0;
    if (!yp) {
        err_set(r->err, r->file, g->line, 1, "graphical function without <ypts>");
        free(g);
        return NULL;
    }
    if (xm_points(r, yp, &g->y, &ny))
        goto fail;
    if (xp) {
        if (xm_points(r, xp, &g->x, &nx))
            goto fail;
        if (nx != ny) {
            err_set(r->err, r->file, xm_line(xp), 1,
                    "graphical function has %zu x points and %zu y points", nx, ny);
            goto fail;
        }
    } else if (xs) {
        double lo = 0, hi = 0;
        if (xm_scale(r, xs, &lo, &hi))
            goto fail;
        g->x = xcalloc(1, (ny ? ny : 1) * sizeof *g->x);
        for (size_t i = 0; i < ny; i++)
            g->x[i] = ny > 1 ? lo + (hi - lo) * (double)i / (double)(ny - 1) : lo;
    } else {
        err_set(r->err, r->file, g->line, 1, "graphical function needs <xpts> or <xscale>");
        goto fail;
    }
    if (ny == 0) {
        err_set(r->err, r->file, g->line, 1, "graphical function with no points");
        goto fail;
    }
    for (size_t i = 1; i < ny; i++)
        if (g->x[i] < g->x[i - 1]) {
            err_set(r->err, r->file, g->line, 1, "graphical function x points must not decrease");
            goto fail;
        }
    g->n = ny;
    return g;
fail:
    xm_gf_free(g);
    return NULL;
}

static void xm_push(char ***list, size_t *n, char *s)
{
    *list = xrealloc(*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = s;
}

static void xm_eqn_read(reader *r, xmlNodePtr e, xm_eqn *q)
{
    q->text = xm_text(e);
    q->line = xm_line(e);
    q->col = xm_col_after_tag(r, e);
}

/* <dimensions><dim name="X"/>...</dimensions>; xmutil nests a second
 * <dimensions> inside, which is read through. */
static void xm_var_dims(xmlNodePtr d, xm_var *v)
{
    for (xmlNodePtr c = d->children; c; c = c->next) {
        if (xm_is(c, "dimensions"))
            xm_var_dims(c, v);
        else if (xm_is(c, "dim")) {
            char *nm = xm_attr(c, "name");
            if (nm)
                xm_push(&v->dims, &v->ndims, nm);
        }
    }
}

static int xm_read_var(reader *r, xmlNodePtr n, int kind, xm_var *v)
{
    v->kind = kind;
    v->line = xm_line(n);
    v->col = 1;
    v->name = xm_attr(n, "name");
    v->non_negative = (kind == XM_STOCK && r->nn_stock) || (kind == XM_FLOW && r->nn_flow);
    if (!v->name || !*v->name)
        return err_set(r->err, r->file, v->line, 1, "<%s> without a name", xm_local(n));
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (xm_is(c, "eqn")) {
            if (v->eqn.text) {
                v->more = xrealloc(v->more, (v->nmore + 1) * sizeof *v->more);
                xm_eqn_read(r, c, &v->more[v->nmore++]);
            } else
                xm_eqn_read(r, c, &v->eqn);
        } else if (xm_is(c, "init_eqn")) {
            free(v->init_eqn.text);
            xm_eqn_read(r, c, &v->init_eqn);
        } else if (xm_is(c, "inflow"))
            xm_push(&v->inflows, &v->nin, xm_text(c));
        else if (xm_is(c, "outflow"))
            xm_push(&v->outflows, &v->nout, xm_text(c));
        else if (xm_is(c, "units")) {
            free(v->units);
            v->units = xm_text(c);
        } else if (xm_is(c, "non_negative")) {
            char *t = xm_text(c);
            char *p = t;
            while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
                p++;
            v->non_negative = strncasecmp(p, "false", 5) != 0;
            free(t);
        } else if (xm_is(c, "gf")) {
            /* XMILE gives a variable one graphical function; a second one
             * would silently replace the first */
            if (v->gf)
                return err_set(r->err, r->file, xm_line(c), 1,
                               "a second <gf> in one variable: expected at most one graphical function");
            if (!(v->gf = xm_read_gf(r, c)))
                return -1;
        } else if (xm_is(c, "dimensions"))
            xm_var_dims(c, v);
        else if (xm_is(c, "element")) {
            v->elems = xrealloc(v->elems, (v->nelems + 1) * sizeof *v->elems);
            xm_elem *el = &v->elems[v->nelems++];
            memset(el, 0, sizeof *el);
            el->subscript = xm_attr(c, "subscript");
            if (!el->subscript)
                return err_set(r->err, r->file, xm_line(c), 1, "<element> without subscript");
            xmlNodePtr eq = xm_child(c, "eqn"), g = xm_child(c, "gf"), ie = xm_child(c, "init_eqn");
            if (eq)
                xm_eqn_read(r, eq, &el->eqn);
            if (ie)
                xm_eqn_read(r, ie, &el->init_eqn);
            if (g && !(el->gf = xm_read_gf(r, g)))
                return -1;
        }
    }
    if (v->nmore && v->ndims == 0)
        return err_set(r->err, r->file, v->more[0].line, 1, "%s has %zu <eqn> elements; only an array may have more than one",
                       v->name, v->nmore + 1);
    if (kind == XM_GF && !v->gf) {
        /* a named <gf>: the node itself holds the points */
        if (!(v->gf = xm_read_gf(r, n)))
            return -1;
    }
    return 0;
}

static int xm_read_specs(reader *r, xmlNodePtr s, xm_doc *d)
{
    d->specs_line = xm_line(s);
    char *m = xm_attr(s, "method");
    if (m) {
        if (strcasecmp(m, "euler") == 0)
            d->method = XM_EULER;
        else if (strcasecmp(m, "rk2") == 0)
            d->method = XM_RK2;
        else if (strcasecmp(m, "rk4") == 0)
            d->method = XM_RK4;
        else {
            err_set(r->err, r->file, d->specs_line, 1,
                    "integration method \"%s\": expected Euler, RK2 or RK4", m);
            free(m);
            return -1;
        }
        free(m);
    }
    d->time_units = xm_attr(s, "time_units");
    bool have_start = false, have_stop = false;
    for (xmlNodePtr c = s->children; c; c = c->next) {
        if (xm_is(c, "start")) {
            if (xm_number(r, c, "start", &d->start))
                return -1;
            have_start = true;
        } else if (xm_is(c, "stop")) {
            if (xm_number(r, c, "stop", &d->stop))
                return -1;
            have_stop = true;
        } else if (xm_is(c, "dt")) {
            if (xm_number(r, c, "dt", &d->dt))
                return -1;
            char *rec = xm_attr(c, "reciprocal");
            bool recip = rec && strcasecmp(rec, "true") == 0;
            free(rec);
            if (d->dt <= 0)
                return err_set(r->err, r->file, xm_line(c), xm_col_after_tag(r, c),
                               "dt must be greater than 0, not %g", d->dt);
            if (recip)
                d->dt = 1.0 / d->dt;
        } else if (xm_is(c, "save_step")) {
            if (xm_number(r, c, "save_step", &d->save_step))
                return -1;
            if (d->save_step <= 0)
                return err_set(r->err, r->file, xm_line(c), xm_col_after_tag(r, c),
                               "save_step must be greater than 0, not %g", d->save_step);
        }
    }
    if (!have_start || !have_stop)
        return err_set(r->err, r->file, d->specs_line, 1, "<sim_specs> needs <start> and <stop>");
    if (d->stop < d->start)
        return err_set(r->err, r->file, d->specs_line, 1,
                       "stop (%g) is before start (%g)", d->stop, d->start);
    return 0;
}

static int xm_read_dims(reader *r, xmlNodePtr ds, xm_doc *d)
{
    for (xmlNodePtr c = ds->children; c; c = c->next) {
        if (!xm_is(c, "dim"))
            continue;
        d->dims = xrealloc(d->dims, (d->ndims + 1) * sizeof *d->dims);
        xm_dim *dm = &d->dims[d->ndims++];
        memset(dm, 0, sizeof *dm);
        dm->name = xm_attr(c, "name");
        if (!dm->name)
            return err_set(r->err, r->file, xm_line(c), 1, "<dim> without a name");
        dm->line = xm_line(c);
        for (xmlNodePtr e = c->children; e; e = e->next)
            if (xm_is(e, "elem")) {
                char *nm = xm_attr(e, "name");
                if (!nm)
                    return err_set(r->err, r->file, xm_line(e), 1, "<elem> without a name");
                xm_push(&dm->elems, &dm->n, nm);
            } else if (xm_is(e, "maps_to") && !dm->maps_to)
                dm->maps_to = xm_text(e);
        if (dm->n == 0) {
            dm->numbered = true;
            char *size = xm_attr(c, "size");
            long k = size ? strtol(size, NULL, 10) : 0;
            free(size);
            if (k <= 0)
                return err_set(r->err, r->file, xm_line(c), 1,
                               "dimension %s needs <elem> children or a size", dm->name);
            if (k > 1000000)
                return err_set(r->err, r->file, xm_line(c), 1,
                               "dimension %s: size %ld is more than the 1,000,000 elements supported", dm->name, k);
            for (long i = 1; i <= k; i++) {
                char buf[32];
                snprintf(buf, sizeof buf, "%ld", i);
                xm_push(&dm->elems, &dm->n, xstrdup(buf));
            }
        }
    }
    return 0;
}

static int xm_read_model(reader *r, xmlNodePtr model, xm_doc *d, const char *scope);

/* The named <model> a <module> instantiates: its `model` attribute, or
 * (as Stella writes them) its own name, matched as XMILE matches names. */
static xmlNodePtr xm_find_model(reader *r, const char *name)
{
    for (size_t i = 0; i < r->nmodels; i++) {
        char *nm = xm_attr(r->models[i], "name");
        bool same = xm_same_name(nm, name);
        free(nm);
        if (same)
            return r->models[i];
    }
    return NULL;
}

/* <module name="m" [model="M"]><connect to="x" from="y"/>...</module>: the
 * variables of model M, each named "m.x" (inside the current scope), and
 * each connected input given the equation `y`, a name in the scope around
 * the module (".y" is the root model's y, "other.y" another module's). */
static int xm_read_module(reader *r, xmlNodePtr n, xm_doc *d, const char *scope)
{
    char *nm = xm_attr(n, "name");
    if (!nm || !*nm) {
        free(nm);
        return err_set(r->err, r->file, xm_line(n), 1, "<module> without a name");
    }
    char *mname = xm_attr(n, "model");
    xmlNodePtr model = xm_find_model(r, mname ? mname : nm);
    int rc = 0;
    if (!model)
        rc = err_set(r->err, r->file, xm_line(n), 1, "module %s: no <model name=\"%s\"> in the file", nm,
                     mname ? mname : nm);
    else if (r->depth >= 16)
        rc = err_set(r->err, r->file, xm_line(n), 1, "module %s: modules nested 16 deep (a model that contains itself?)",
                     nm);
    else if (++r->instances > 10000)
        /* modules inside modules multiply: 4 of 4 of 4... */
        rc = err_set(r->err, r->file, xm_line(n), 1, "module %s: more than 10,000 module instances in the model", nm);
    free(mname);
    if (rc) {
        free(nm);
        return rc;
    }
    size_t inner_len = strlen(scope) + strlen(nm) + 2;
    char *inner = xcalloc(1, inner_len);
    snprintf(inner, inner_len, "%s%s.", scope, nm);
    size_t first = d->nvars;
    r->depth++;
    rc = xm_read_model(r, model, d, inner);
    r->depth--;
    for (xmlNodePtr c = n->children; c && !rc; c = c->next) {
        if (!xm_is(c, "connect"))
            continue;
        char *to = xm_attr(c, "to"), *from = xm_attr(c, "from");
        if (!to || !from || !*to || !*from)
            rc = err_set(r->err, r->file, xm_line(c), 1, "<connect> needs to= and from=");
        else {
            /* to= is a name inside the module, written bare or as "m.x" */
            const char *t = to;
            size_t k = strlen(nm);
            if (strncasecmp(t, nm, k) == 0 && t[k] == '.')
                t += k + 1;
            size_t full_len = strlen(inner) + strlen(t) + 1;
            char *full = xcalloc(1, full_len);
            snprintf(full, full_len, "%s%s", inner, t);
            xm_var *v = NULL;
            for (size_t i = first; i < d->nvars && !v; i++)
                if (xm_same_name(d->vars[i].name, full))
                    v = &d->vars[i];
            if (!v)
                rc = err_set(r->err, r->file, xm_line(c), 1, "module %s has no variable %s to connect to", nm, t);
            else {
                /* the input takes its value from outside, whatever it is inside */
                free(v->eqn.text);
                v->eqn.text = xstrdup(from);
                v->eqn.line = xm_line(c);
                v->eqn.col = 1;
                v->kind = XM_AUX;
                for (size_t i = 0; i < v->nin; i++)
                    free(v->inflows[i]);
                for (size_t i = 0; i < v->nout; i++)
                    free(v->outflows[i]);
                v->nin = v->nout = 0;
                free(v->scope);
                v->scope = *scope ? xstrdup(scope) : NULL;
            }
            free(full);
        }
        free(to);
        free(from);
    }
    free(inner);
    free(nm);
    return rc;
}

static int xm_read_model(reader *r, xmlNodePtr model, xm_doc *d, const char *scope)
{
    /* Stella 10 wrote the variables straight into <model> */
    xmlNodePtr vars = xm_child(model, "variables");
    if (!vars)
        vars = model;
    for (xmlNodePtr c = vars->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        int kind;
        if (xm_is(c, "stock"))
            kind = XM_STOCK;
        else if (xm_is(c, "flow"))
            kind = XM_FLOW;
        else if (xm_is(c, "aux"))
            kind = XM_AUX;
        else if (xm_is(c, "gf"))
            kind = XM_GF;
        else if (xm_is(c, "module")) {
            if (xm_read_module(r, c, d, scope))
                return -1;
            continue;
        }
        else if (xm_is(c, "group") || xm_is(c, "views") || xm_is(c, "display") || xm_is(c, "interface") || c->ns != model->ns ||
                 strchr((const char *)c->name, ':'))
            continue; /* groups only gather names; views and vendor extensions are not the model */
        else
            return err_set(r->err, r->file, xm_line(c), 1,
                           "unknown element <%s> in <variables>: expected stock, flow, aux, gf or module",
                           xm_local(c));
        /* grow by doubling: a 65,536-variable file is read in linear time */
        if ((d->nvars & (d->nvars - 1)) == 0) {
            d->vars = xrealloc(d->vars, (d->nvars ? 2 * d->nvars : 1) * sizeof *d->vars);
        }
        xm_var *v = &d->vars[d->nvars++];
        memset(v, 0, sizeof *v);
        if (xm_read_var(r, c, kind, v))
            return -1;
        if (*scope) {
            size_t len = strlen(scope) + strlen(v->name) + 1;
            char *full = xcalloc(1, len);
            snprintf(full, len, "%s%s", scope, v->name);
            free(v->name);
            v->name = full;
            v->scope = xstrdup(scope);
        }
    }
    return 0;
}

/* libxml2 calls this for every error; the first one parsing hit is the
 * one to report (later ones are its consequences). */
static void xm_on_error(void *data, xmlErrorPtr e)
{
    xmlParserCtxtPtr ctxt = data;
    reader *r = ctxt ? ctxt->_private : NULL;
    if (!r || r->xml_line || !e || e->domain == XML_FROM_NAMESPACE || e->level < XML_ERR_ERROR)
        return;
    r->xml_line = e->line > 0 ? e->line : 1;
    r->xml_col = e->int2 > 0 ? e->int2 : 1;
    snprintf(r->xml_msg, sizeof r->xml_msg, "%s", e->message ? e->message : "not well-formed");
    size_t k = strlen(r->xml_msg);
    while (k && (r->xml_msg[k - 1] == '\n' || r->xml_msg[k - 1] == ' '))
        r->xml_msg[--k] = 0;
}

static bool xm_well_formed_error(xmlParserCtxtPtr ctxt, reader *r)
{
    if (r->xml_line) {
        err_set(r->err, r->file, r->xml_line, r->xml_col, "XML is not well formed: %s", r->xml_msg);
        return true;
    }
    const xmlError *e = xmlCtxtGetLastError(ctxt);
    if (!e)
        return err_set(r->err, r->file, 0, 0, "not well-formed XML"), true;
    char msg[512];
    snprintf(msg, sizeof msg, "%s", e->message ? e->message : "not well-formed XML");
    size_t k = strlen(msg);
    while (k && (msg[k - 1] == '\n' || msg[k - 1] == ' '))
        msg[--k] = 0;
    err_set(r->err, r->file, e->line, e->int2 > 0 ? e->int2 : 1, "XML is not well formed: %s", msg);
    return true;
}

/* <macro name="M"><parm default="1">x</parm>...<eqn>...</eqn></macro> */
static int xm_read_macro(reader *r, xmlNodePtr n, xm_doc *d)
{
    char *nm = xm_attr(n, "name");
    if (!nm || !*nm) {
        free(nm);
        return err_set(r->err, r->file, xm_line(n), 1, "<macro> without a name");
    }
    xmlNodePtr eqn = xm_child(n, "eqn");
    if (!eqn) {
        int rc = err_set(r->err, r->file, xm_line(n), 1, "macro %s has no <eqn> (the macro's value)", nm);
        free(nm);
        return rc;
    }
    d->macros = xrealloc(d->macros, (d->nmacros + 1) * sizeof *d->macros);
    xm_macro *mc = &d->macros[d->nmacros++];
    memset(mc, 0, sizeof *mc);
    mc->name = nm;
    mc->line = xm_line(n);
    for (xmlNodePtr c = n->children; c; c = c->next)
        if (xm_is(c, "parm")) {
            mc->parms = xrealloc(mc->parms, (mc->nparms + 1) * sizeof *mc->parms);
            mc->defaults = xrealloc(mc->defaults, (mc->nparms + 1) * sizeof *mc->defaults);
            char *t = xm_text(c);
            /* trim: the name is the element's text */
            char *b = t;
            while (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r')
                b++;
            size_t k = strlen(b);
            while (k && (b[k - 1] == ' ' || b[k - 1] == '\t' || b[k - 1] == '\n' || b[k - 1] == '\r'))
                b[--k] = 0;
            mc->parms[mc->nparms] = xstrdup(b);
            free(t);
            mc->defaults[mc->nparms] = xm_attr(c, "default");
            mc->nparms++;
        }
    xm_eqn_read(r, eqn, &mc->eqn);
    xmlNodePtr vars = xm_child(n, "variables");
    for (xmlNodePtr c = vars ? vars->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || c->ns != n->ns || strchr((const char *)c->name, ':'))
            continue;
        int kind = xm_is(c, "stock") ? XM_STOCK : xm_is(c, "flow") ? XM_FLOW : xm_is(c, "aux") ? XM_AUX : -1;
        if (kind < 0)
            return err_set(r->err, r->file, xm_line(c), 1,
                           "macro %s: unknown element <%s> in its <variables>: expected stock, flow or aux", nm,
                           xm_local(c));
        mc->vars = xrealloc(mc->vars, (mc->nvars + 1) * sizeof *mc->vars);
        xm_var *v = &mc->vars[mc->nvars++];
        memset(v, 0, sizeof *v);
        if (xm_read_var(r, c, kind, v))
            return -1;
        if (v->ndims || v->gf || !v->eqn.text)
            return err_set(r->err, r->file, v->line, 1, "macro %s: %s needs one equation (no arrays or graphical "
                           "functions inside a macro)", nm, v->name);
    }
    return 0;
}

xm_doc *xm_read_memory(const char *text, size_t len, const char *name, eddy_error *err)
{
    reader r = {0};
    r.text = text;
    r.len = len;
    r.file = name;
    r.err = err;
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) /* libxml2 returns NULL only when it could not allocate */
        xalloc_die(sizeof *ctxt);
    ctxt->_private = &r;
    ctxt->sax->serror = xm_on_error;
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, text, (int)len, name, NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES);
    if (!doc || !ctxt->wellFormed) {
        xm_well_formed_error(ctxt, &r);
        if (doc)
            xmlFreeDoc(doc);
        xmlFreeParserCtxt(ctxt);
        return NULL;
    }
    xmlFreeParserCtxt(ctxt);
    xm_doc *d = xcalloc(1, sizeof *d);
    d->file = xstrdup(name ? name : "");
    d->dt = 1;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    int rc = 0;
    if (!root || !xm_is(root, "xmile")) {
        rc = err_set(err, name, root ? xm_line(root) : 1, 1,
                     "expected an <xmile> document, found <%s>", root ? xm_local(root) : "nothing");
        goto done;
    }
    xmlNodePtr specs = xm_child(root, "sim_specs");
    if (!specs) {
        rc = err_set(err, name, xm_line(root), 1, "<xmile> without <sim_specs>");
        goto done;
    }
    if ((rc = xm_read_specs(&r, specs, d)))
        goto done;
    xmlNodePtr beh = xm_child(root, "behavior");
    if (beh) {
        r.nn_stock = r.nn_flow = xm_child(beh, "non_negative") != NULL;
        xmlNodePtr bs = xm_child(beh, "stock"), bf = xm_child(beh, "flow");
        if (bs && xm_child(bs, "non_negative"))
            r.nn_stock = true;
        if (bf && xm_child(bf, "non_negative"))
            r.nn_flow = true;
    }
    xmlNodePtr dims = xm_child(root, "dimensions");
    if (dims && (rc = xm_read_dims(&r, dims, d)))
        goto done;
    for (xmlNodePtr c = root->children; c; c = c->next)
        if (xm_is(c, "macro") && (rc = xm_read_macro(&r, c, d)))
            goto done;
    /* The root model is the one without a name (or the first); the others
     * are the models that modules instantiate. */
    xmlNodePtr root_model = NULL;
    for (xmlNodePtr c = root->children; c; c = c->next)
        if (xm_is(c, "model")) {
            char *nm = xm_attr(c, "name");
            if (!root_model && (!nm || !*nm))
                root_model = c;
            else if (nm && *nm) {
                r.models = xrealloc(r.models, (r.nmodels + 1) * sizeof *r.models);
                r.models[r.nmodels++] = c;
            }
            free(nm);
        }
    if (!root_model && r.nmodels) {
        /* every model named: the first is the root */
        root_model = r.models[0];
        memmove(r.models, r.models + 1, --r.nmodels * sizeof *r.models);
    }
    if (!root_model)
        rc = err_set(err, name, xm_line(root), 1, "<xmile> without <model>");
    else
        rc = xm_read_model(&r, root_model, d, "");
done:
    xmlFreeDoc(doc);
    free(r.line_at);
    free(r.models);
    if (rc) {
        xm_free(d);
        return NULL;
    }
    return d;
}

xm_doc *xm_read(const char *path, eddy_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        err_set(err, path, 0, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    size_t cap = 65536, n = 0;
    char *buf = xcalloc(1, cap);
    size_t k;
    while ((k = fread(buf + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) {
            buf = xrealloc(buf, cap *= 2);
        }
    }
    fclose(f);
    xm_doc *d = xm_read_memory(buf, n, path, err);
    free(buf);
    return d;
}

static void xm_strs_free(char **s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

static void xm_var_free(xm_var *v)
{
    free(v->name);
    free(v->eqn.text);
    free(v->init_eqn.text);
    for (size_t j = 0; j < v->nmore; j++)
        free(v->more[j].text);
    free(v->more);
    free(v->units);
    xm_strs_free(v->inflows, v->nin);
    xm_strs_free(v->outflows, v->nout);
    xm_gf_free(v->gf);
    xm_strs_free(v->dims, v->ndims);
    for (size_t j = 0; j < v->nelems; j++) {
        free(v->elems[j].subscript);
        free(v->elems[j].eqn.text);
        free(v->elems[j].init_eqn.text);
        xm_gf_free(v->elems[j].gf);
    }
    free(v->elems);
    free(v->scope);
}

void xm_free(xm_doc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nvars; i++)
        xm_var_free(&d->vars[i]);
    free(d->vars);
    for (size_t i = 0; i < d->nmacros; i++) {
        xm_macro *mc = &d->macros[i];
        free(mc->name);
        xm_strs_free(mc->parms, mc->nparms);
        for (size_t j = 0; j < mc->nparms; j++)
            free(mc->defaults[j]);
        free(mc->defaults);
        free(mc->eqn.text);
        for (size_t j = 0; j < mc->nvars; j++)
            xm_var_free(&mc->vars[j]);
        free(mc->vars);
    }
    free(d->macros);
    for (size_t i = 0; i < d->ndims; i++) {
        free(d->dims[i].name);
        free(d->dims[i].maps_to);
        xm_strs_free(d->dims[i].elems, d->dims[i].n);
    }
    free(d->dims);
    free(d->time_units);
    free(d->file);
    free(d);
}
