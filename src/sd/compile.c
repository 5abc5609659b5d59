/* compile.c -- names resolved, arrays expanded, stateful builtins made
 * stocks, equations ordered, instruction lists emitted.
 *
 * The stateful builtins follow their XMILE 1.0 definitions (section 3.5.6)
 * as stocks, the way Stella builds them: SMTH1 is a first-order
 * exponential smooth (one stock), SMTH3 three in series each with a third
 * of the time, DELAY1/DELAY3/DELAYN material delays of one, three or n
 * stocks, TREND the fractional rate of change against a SMTH1.  DELAY, the
 * pipeline delay, keeps its input's history instead (vm.c). */
#include "compile.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/err.h"
#include "builtin.h"
#include "name.h"
#include "rand.h"
#include "../core/xalloc.h"

#define SD_MAX_DIMS 4

typedef struct arr {
    int src;   /* xm_var */
    int ndims;
    int dim[SD_MAX_DIMS];
    int first; /* first element's variable; elements are row-major */
    int count;
} arr;

/* The element binding of an apply-to-all equation: dim[i] is at elem[i]. */
typedef struct ctx {
    int n;
    int dim[SD_MAX_DIMS];
    int elem[SD_MAX_DIMS];
} ctx;

typedef struct cc {
    sd_model *m;
    xm_doc *d;
    eddy_error *err;
    int failed;
    symtab dims;  /* canonical dimension name -> index */
    symtab elems; /* "dim:canonical element" -> index */
    symtab arrs;  /* canonical array name -> arr */
    signed char *rel; /* ndims x ndims: cc_rel's answers, 0 until asked */
    arr *arr;
    size_t narr;
    symtab gfs;   /* canonical name -> m->gfs index */
    /* the equation being compiled, for positions */
    int owner;
    const char *text;
    int line, col;
    int ncapture; /* INIT and PREVIOUS slots, numbered here */
    const char *scope; /* module instance of the equation ("hares."), NULL at the root */
    symtab macros;   /* canonical macro name -> index in d->macros */
    int macro_depth; /* expansions in progress, to stop a macro calling itself */
    size_t macro_calls; /* expansions made, to stop macros calling macros twice over */
    int *deps_init, *deps_step; /* scratch */
    int rand_owner;     /* the variable whose statistical-function calls are being numbered */
    uint32_t rand_ord;  /* the next one's number in it */
} cc;

static void cc_pos(const cc *c, int pos, int *line, int *col)
{
    int l = c->line, co = c->col;
    for (int i = 0; c->text && i < pos && c->text[i]; i++) {
        if (c->text[i] == '\n') {
            l++;
            co = 1;
        } else
            co++;
    }
    *line = l;
    *col = co;
}

static void cc_fail(cc *c, int pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void cc_fail(cc *c, int pos, const char *fmt, ...)
{
    if (c->failed)
        return;
    c->failed = 1;
    int line, col;
    cc_pos(c, pos, &line, &col);
    va_list ap;
    va_start(ap, fmt);
    err_vset(c->err, c->d->file, line, col, fmt, ap);
    va_end(ap);
}

/* ---- variables ---- */

static int cc_add_var(cc *c, const char *name, const char *key, int kind, int src)
{
    sd_model *m = c->m;
    if (m->nvars == m->capvars) {
        m->capvars = m->capvars ? m->capvars * 2 : 64;
        m->vars = xrealloc(m->vars, m->capvars * sizeof *m->vars);
    }
    int i = (int)m->nvars++;
    sd_var *v = &m->vars[i];
    memset(v, 0, sizeof *v);
    v->name = xstrdup(name);
    v->key = xstrdup(key);
    v->kind = kind;
    v->src = src;
    v->hidden = src < 0;
    if (src >= 0)
        st_put(&m->keys, key, i);
    return i;
}

static int cc_hidden(cc *c, int kind, const char *what)
{
    char name[256];
    snprintf(name, sizeof name, "%s in %s", what, c->m->vars[c->owner].name);
    char key[64];
    snprintf(key, sizeof key, "#%zu", c->m->nvars);
    int i = cc_add_var(c, name, key, kind, -1);
    sd_var *v = &c->m->vars[i];
    v->line = c->line;
    v->col = c->col;
    return i;
}

/* ---- expression helpers ---- */

static ex_node *cc_num(double x)
{
    ex_node *n = ex_new(EX_NUM, 0);
    n->num = x;
    return n;
}

static ex_node *cc_slot(int s)
{
    ex_node *n = ex_new(EX_SLOT, 0);
    n->slot = s;
    return n;
}

static ex_node *cc_bin(int op, ex_node *a, ex_node *b)
{
    ex_node *n = ex_new(EX_BIN, a->pos);
    n->op = op;
    ex_add_arg(n, a);
    ex_add_arg(n, b);
    return n;
}

static ex_node *cc_call(int id, int slot, int pos)
{
    ex_node *n = ex_new(EX_CALL, pos);
    n->op = id;
    n->slot = slot;
    return n;
}

/* "did you mean" over the visible variables' names */
static void cc_suggest(cc *c, const char *key, char *out, size_t size)
{
    out[0] = 0;
    size_t best[3] = {(size_t)-1, (size_t)-1, (size_t)-1};
    int who[3] = {-1, -1, -1};
    size_t limit = strlen(key) / 3 + 2;
    for (size_t i = 0; i < c->m->nvars; i++) {
        sd_var *v = &c->m->vars[i];
        if (v->hidden)
            continue;
        const char *k = v->key;
        char base[512];
        snprintf(base, sizeof base, "%s", k);
        char *br = strchr(base, '[');
        if (br) {
            /* an array is offered once, by its name */
            if (strchr(v->name, '[') && i > 0 && strncmp(c->m->vars[i - 1].key, base, (size_t)(br - base + 1)) == 0)
                continue;
            *br = 0;
        }
        size_t dd = sdn_distance(key, base);
        if (dd > limit)
            continue;
        for (int j = 0; j < 3; j++)
            if (dd < best[j]) {
                for (int q = 2; q > j; q--) {
                    best[q] = best[q - 1];
                    who[q] = who[q - 1];
                }
                best[j] = dd;
                who[j] = (int)i;
                break;
            }
    }
    if (who[0] < 0)
        return;
    size_t o = (size_t)snprintf(out, size, "; did you mean ");
    for (int j = 0; j < 3 && who[j] >= 0 && o < size; j++) {
        char nm[512];
        snprintf(nm, sizeof nm, "%s", c->m->vars[who[j]].name);
        char *br = strchr(nm, '[');
        if (br)
            *br = 0;
        o += (size_t)snprintf(out + o, size - o, "%s\"%s\"", j ? ", " : "", nm);
    }
    if (o < size)
        snprintf(out + o, size - o, "?");
}

/* ---- arrays (XMILE 1.0 section 3.7.1) ---- */

static int cc_elem(cc *c, int dim, const char *canon)
{
    char key[512];
    snprintf(key, sizeof key, "%d:%s", dim, canon);
    return st_get(&c->elems, key);
}

/* The variable of array a at the element tuple e. */
static int cc_arr_at(cc *c, const arr *a, const int *e)
{
    int off = 0;
    for (int i = 0; i < a->ndims; i++)
        off = off * (int)c->d->dims[a->dim[i]].n + e[i];
    return a->first + off;
}

enum { REL_NONE = 1, REL_NAME, REL_POSITION };

/* How the elements of dimension `from` correspond to those of `to`:
 * REL_NAME when one's elements are all among the other's (a subrange and
 * the dimension it is taken from, either way round: xmutil writes
 * Vensim's subranges as dimensions of their own whose elements are some
 * of another's, `SubA: A2, A3` beside `DimA: A1, A2, A3`); REL_POSITION
 * when one maps to the other (<isee:maps_to>, Vensim's `DimB: B1, B2 ->
 * DimA`); REL_NONE otherwise.  Cached: arrays ask for every element. */
static int cc_rel(cc *c, int from, int to)
{
    size_t nd = c->d->ndims;
    signed char none = 0, *r = &none;
    if (nd <= 4096) { /* a cache of 16 MB at most; past that, ask anew */
        if (!c->rel)
            c->rel = xcalloc(nd * nd, 1);
        r = &c->rel[(size_t)from * nd + (size_t)to];
    }
    if (*r)
        return *r;
    const xm_dim *f = &c->d->dims[from], *t = &c->d->dims[to];
    int rel = REL_NONE;
    if (!f->numbered && !t->numbered) {
        int sub = 1, sup = 1;
        for (size_t i = 0; i < f->n && sub; i++) {
            char *k = sdn_canon(f->elems[i]);
            sub = cc_elem(c, to, k) >= 0;
            free(k);
        }
        for (size_t i = 0; i < t->n && sup; i++) {
            char *k = sdn_canon(t->elems[i]);
            sup = cc_elem(c, from, k) >= 0;
            free(k);
        }
        if (sub || sup)
            rel = REL_NAME;
    }
    if (rel == REL_NONE) {
        char *fk = sdn_canon(f->name), *tk = sdn_canon(t->name);
        char *fm = f->maps_to ? sdn_canon(f->maps_to) : NULL, *tm = t->maps_to ? sdn_canon(t->maps_to) : NULL;
        if ((fm && strcmp(fm, tk) == 0) || (tm && strcmp(tm, fk) == 0))
            rel = REL_POSITION;
        free(fk);
        free(tk);
        free(fm);
        free(tm);
    }
    *r = (signed char)rel;
    return rel;
}

/* Element e of dimension `from` in dimension `to`: itself, or by cc_rel;
 * `loose` (a dimension named in a subscript) also maps two unrelated
 * dimensions of the same size by position.  -1: e has no counterpart in
 * `to`; -2: the dimensions do not correspond. */
static int cc_dim_map(cc *c, int from, int to, int e, int loose)
{
    if (from == to)
        return e;
    const xm_dim *t = &c->d->dims[to];
    int rel = cc_rel(c, from, to);
    if (rel == REL_NAME) {
        char *k = sdn_canon(c->d->dims[from].elems[e]);
        int m = cc_elem(c, to, k);
        free(k);
        return m;
    }
    if (rel == REL_POSITION || (loose && c->d->dims[from].n == t->n))
        return (size_t)e < t->n ? e : -1;
    return -2;
}

/* "did you mean" over the elements of a dimension */
static void cc_suggest_elem(cc *c, int dim, const char *key, char *out, size_t size)
{
    const xm_dim *d = &c->d->dims[dim];
    size_t best = strlen(key) / 3 + 2;
    int who = -1;
    out[0] = 0;
    for (size_t i = 0; i < d->n; i++) {
        char *k = sdn_canon(d->elems[i]);
        size_t dd = sdn_distance(key, k);
        free(k);
        if (dd <= best && (who < 0 || dd < best)) {
            best = dd;
            who = (int)i;
        }
    }
    if (who >= 0)
        snprintf(out, size, "; did you mean \"%s\"?", d->elems[who]);
}

/* The position of the equation's dimension dim in the context, or -1;
 * an unused one first (a[Dim, Dim] takes both of a square's). */
static int cc_ctx_find(const ctx *x, int dim, const int *used)
{
    int any = -1;
    for (int j = 0; j < x->n; j++)
        if (x->dim[j] == dim) {
            if (!used[j])
                return j;
            if (any < 0)
                any = j;
        }
    return any;
}

static ex_node *rs(cc *c, const ctx *x, ex_node *n);
static ex_node *cc_parse(cc *c, const xm_eqn *q);
static char *cc_key(cc *c, const char *name);

/* Whether subscript s of dimension dim is computed during the run (a
 * variable, an expression) rather than an element, a number, a
 * dimension, a range, @n or *.  Element names win over variables of the
 * same name (section 3.7.1's footnote). */
static int cc_dynamic(cc *c, int dim, const ex_node *s)
{
    switch (s->kind) {
    case EX_NUM: case EX_STAR: case EX_RANGE: case EX_AT: return 0;
    case EX_VAR: {
        if (s->nargs)
            return 1;
        char *k = sdn_canon(s->name), *vk = cc_key(c, s->name);
        int stat = cc_elem(c, dim, k) >= 0 || st_get(&c->dims, k) >= 0;
        int var = st_get(&c->m->keys, vk) >= 0 || strcmp(k, "time") == 0;
        free(k);
        free(vk);
        return !stat && var;
    }
    default: return 1;
    }
}

/* An element name (or Dim.elem) or a whole number as an index of
 * dimension dim, for a subscript or a range's end; -1 if not one, after
 * saying why. */
static int cc_index(cc *c, int dim, const ex_node *s)
{
    const xm_dim *d = &c->d->dims[dim];
    if (s->kind == EX_NUM) {
        if (s->num != floor(s->num) || s->num < 1 || s->num > (double)d->n) {
            cc_fail(c, s->pos, "subscript %g is out of range: %s has elements 1 to %zu", s->num, d->name, d->n);
            return -1;
        }
        return (int)s->num - 1;
    }
    if (s->kind != EX_VAR || s->nargs) {
        cc_fail(c, s->pos, "a subscript of %s must be one of its elements, a number, a dimension, a range lo:hi, "
                           "@n or *", d->name);
        return -1;
    }
    char *k = sdn_canon(s->name);
    char *dot = strchr(k, '.');
    int e = cc_elem(c, dim, k);
    if (e < 0 && dot) {
        *dot = 0;
        if (st_get(&c->dims, k) == dim)
            e = cc_elem(c, dim, dot + 1);
        *dot = '.';
    }
    if (e < 0) {
        const char *other = NULL;
        for (size_t i = 0; i < c->d->ndims && !other; i++)
            if ((int)i != dim && cc_elem(c, (int)i, k) >= 0)
                other = c->d->dims[i].name;
        char sug[300] = "";
        if (other)
            cc_fail(c, s->pos, "%s is not an element of %s: it is one of %s", s->name, d->name, other);
        else if (st_get(&c->m->keys, k) >= 0 || st_get(&c->arrs, k) >= 0)
            cc_fail(c, s->pos, "%s is a variable, not an element of %s", s->name, d->name);
        else {
            cc_suggest_elem(c, dim, k, sug, sizeof sug);
            cc_fail(c, s->pos, "%s is not an element of %s%s", s->name, d->name, sug);
        }
    }
    free(k);
    return e;
}

/* One subscript s of a reference to array a, position i: a fixed index
 * (*fixed), or a slice of the array's dimension (*span, *nspan indices;
 * '*', a range, a dimension the equation does not bind).  A dimension
 * the equation binds takes that element, mapped by cc_dim_map; used[]
 * marks the equation's dimensions so taken. */
static void cc_subscript(cc *c, const ctx *x, const arr *a, int i, const ex_node *s, int *fixed, int **span,
                         int *nspan, int *used)
{
    int dim = a->dim[i];
    const xm_dim *d = &c->d->dims[dim];
    *nspan = 0;
    *fixed = 0;
    if (s->kind == EX_STAR || s->kind == EX_RANGE) {
        int lo = 0, hi = (int)d->n - 1;
        if (s->kind == EX_RANGE) {
            for (int k = 0; k < 2; k++) {
                const ex_node *b = s->args[k];
                if (b->kind == EX_VAR && !b->nargs) {
                    char *bk = sdn_canon(b->name);
                    int isdim = st_get(&c->dims, bk) >= 0;
                    free(bk);
                    if (isdim) {
                        cc_fail(c, b->pos, "a range runs between two elements of %s or two numbers, not from "
                                           "dimension %s", d->name, b->name);
                        return;
                    }
                }
                int e = cc_index(c, dim, b);
                if (e < 0)
                    return;
                if (k == 0)
                    lo = e;
                else
                    hi = e;
            }
            if (hi < lo) {
                cc_fail(c, s->pos, "the range %d:%d of %s runs backwards", lo + 1, hi + 1, d->name);
                return;
            }
        }
        *span = xcalloc(1, (size_t)(hi - lo + 1) * sizeof **span);
        for (int k = lo; k <= hi; k++)
            (*span)[(*nspan)++] = k;
        return;
    }
    if (s->kind == EX_AT) {
        int p = (int)s->num;
        if (p > x->n) {
            cc_fail(c, s->pos, "@%d: this equation has %d dimension%s", p, x->n, x->n == 1 ? "" : "s");
            return;
        }
        int e = x->elem[p - 1];
        if ((size_t)e >= d->n) {
            cc_fail(c, s->pos, "@%d: element %d of %s is out of range for %s (1 to %zu)", p, e + 1,
                    c->d->dims[x->dim[p - 1]].name, d->name, d->n);
            return;
        }
        used[p - 1] = 1;
        *fixed = e;
        return;
    }
    if (s->kind == EX_VAR && s->nargs == 0) {
        char *k = sdn_canon(s->name);
        int dd = cc_elem(c, dim, k) >= 0 ? -1 : st_get(&c->dims, k);
        free(k);
        if (dd >= 0) {
            /* a dimension: the element the equation is at, or a slice */
            int j = cc_ctx_find(x, dd, used), e = -1, via = dd;
            if (j >= 0)
                e = x->elem[j];
            else
                for (j = 0; j < x->n; j++)
                    if (!used[j] && cc_rel(c, x->dim[j], dd) != REL_NONE) {
                        /* the equation is over a subrange of dd, or dd of it */
                        e = cc_dim_map(c, x->dim[j], dd, x->elem[j], 0);
                        via = x->dim[j];
                        break;
                    }
            if (j >= 0 && j < x->n) {
                if (e < 0) {
                    cc_fail(c, s->pos, "element %s of %s is not in %s", c->d->dims[via].elems[x->elem[j]],
                            c->d->dims[via].name, c->d->dims[dd].name);
                    return;
                }
                used[j] = 1;
                int m = cc_dim_map(c, dd, dim, e, 1);
                if (m == -2)
                    cc_fail(c, s->pos, "dimension %s does not map onto %s (neither is a subrange of the other, "
                                       "and their sizes differ)", s->name, d->name);
                else if (m < 0)
                    cc_fail(c, s->pos, "element %s of %s is not in %s", c->d->dims[dd].elems[e], s->name, d->name);
                *fixed = m < 0 ? 0 : m;
                return;
            }
            /* not bound: every element of dd, in a's dimension */
            const xm_dim *sd = &c->d->dims[dd];
            *span = xcalloc(1, sd->n * sizeof **span);
            for (size_t q = 0; q < sd->n; q++) {
                int m = cc_dim_map(c, dd, dim, (int)q, 1);
                if (m < 0) {
                    if (m == -2)
                        cc_fail(c, s->pos, "dimension %s does not map onto %s (neither is a subrange of the other, "
                                           "and their sizes differ)", s->name, d->name);
                    else
                        cc_fail(c, s->pos, "element %s of %s is not in %s", sd->elems[q], s->name, d->name);
                    free(*span);
                    *span = NULL;
                    return;
                }
                (*span)[(*nspan)++] = m;
            }
            return;
        }
    }
    int e = cc_index(c, dim, s);
    *fixed = e < 0 ? 0 : e;
}

/* The variables a reference to array a covers, in row-major order, count
 * in *n.  In an array function (infn) every slice is enumerated and a bare
 * name is the whole array.  Elsewhere a bare name takes each of its
 * dimensions from the equation's (by name: the same dimension, then a
 * subrange or a mapped one; a dimension that occurs twice takes them in
 * order, reversed when transposed), and each slice takes the element of
 * one of the equation's dimensions not otherwise used, by position, so
 * the reference is one variable.  NULL after an error. */
static int *cc_arr_refs(cc *c, const ctx *x, const arr *a, const ex_node *ref, const char *name, int infn,
                        int transposed, int *n)
{
    int nd = a->ndims, fixed[SD_MAX_DIMS] = {0}, nspan[SD_MAX_DIMS] = {0}, used[SD_MAX_DIMS] = {0};
    int bound[SD_MAX_DIMS] = {0};
    int *span[SD_MAX_DIMS] = {0};
    int *out = NULL;
    *n = 0;
    if (ref->nargs && ref->nargs != nd) {
        cc_fail(c, ref->pos, "%s has %d dimension%s, not %d subscripts", name, nd, nd == 1 ? "" : "s", ref->nargs);
        return NULL;
    }
    for (int i = 0; i < nd && ref->nargs && !c->failed; i++) {
        cc_subscript(c, x, a, i, ref->args[i], &fixed[i], &span[i], &nspan[i], used);
        bound[i] = 1;
    }
    if (!ref->nargs && !infn) {
        /* the same dimensions first, so that a subrange does not take
         * the place of the dimension itself */
        for (int pass = 0; pass < 2 && !c->failed; pass++)
            for (int k = 0; k < nd && !c->failed; k++) {
                int i = transposed ? nd - 1 - k : k;
                for (int j = 0; j < x->n && !bound[i]; j++) {
                    if (used[j] || (pass == 0 ? x->dim[j] != a->dim[i] : cc_rel(c, x->dim[j], a->dim[i]) == REL_NONE))
                        continue;
                    int e = cc_dim_map(c, x->dim[j], a->dim[i], x->elem[j], 0);
                    if (e < 0) {
                        const xm_dim *cd = &c->d->dims[x->dim[j]];
                        cc_fail(c, ref->pos, "%s is over %s, which has no element %s (this equation is over %s)",
                                name, c->d->dims[a->dim[i]].name, cd->elems[x->elem[j]], cd->name);
                        break;
                    }
                    fixed[i] = e;
                    used[j] = bound[i] = 1;
                }
            }
    }
    for (int i = 0; i < nd && !c->failed; i++)
        if (!bound[i]) {
            const xm_dim *d = &c->d->dims[a->dim[i]];
            if (!infn && x->n > 0) {
                /* a bare name over a dimension the equation has nothing
                 * to do with: no silent mapping by position */
                char have[256];
                size_t o = 0;
                have[0] = 0;
                for (int j = 0; j < x->n && o < sizeof have; j++)
                    o += (size_t)snprintf(have + o, sizeof have - o, "%s%s", j ? ", " : "", c->d->dims[x->dim[j]].name);
                cc_fail(c, ref->pos, "%s is over %s, which is not this equation's dimension%s (%s) nor a subrange "
                                     "or mapping of one: subscript it",
                        name, d->name, x->n == 1 ? "" : "s", have);
                break;
            }
            span[i] = xcalloc(1, d->n * sizeof *span[i]);
            for (size_t q = 0; q < d->n; q++)
                span[i][nspan[i]++] = (int)q;
        }
    if (!infn && !c->failed) {
        for (int k = 0; k < nd && !c->failed; k++) {
            int i = transposed ? nd - 1 - k : k;
            if (!nspan[i])
                continue;
            int j = 0;
            while (j < x->n && used[j])
                j++;
            if (j == x->n) {
                long total = 1;
                for (int q = 0; q < nd; q++)
                    total *= nspan[q] ? nspan[q] : 1;
                if (x->n == 0)
                    cc_fail(c, ref->pos, "%s names %ld elements here; use it inside an array function such as SUM",
                            name, total);
                else
                    cc_fail(c, ref->pos, "%s names %ld elements here, more than this equation's dimensions take; "
                                         "use it inside an array function such as SUM", name, total);
                break;
            }
            const xm_dim *cd = &c->d->dims[x->dim[j]];
            if ((size_t)nspan[i] != cd->n) {
                cc_fail(c, ref->pos, "%s: a slice of %d element%s of %s where this equation's dimension %s has %zu",
                        name, nspan[i], nspan[i] == 1 ? "" : "s", c->d->dims[a->dim[i]].name, cd->name, cd->n);
                break;
            }
            fixed[i] = span[i][x->elem[j]];
            nspan[i] = 0;
            used[j] = 1;
        }
    }
    if (!c->failed) {
        long total = 1;
        for (int i = 0; i < nd; i++)
            total *= nspan[i] ? nspan[i] : 1;
        out = xcalloc(1, (size_t)total * sizeof *out);
        int pos[SD_MAX_DIMS] = {0}, e[SD_MAX_DIMS];
        for (long k = 0; k < total; k++) {
            for (int i = 0; i < nd; i++)
                e[i] = nspan[i] ? span[i][pos[i]] : fixed[i];
            out[k] = cc_arr_at(c, a, e);
            for (int i = nd - 1; i >= 0; i--) {
                if (nspan[i] && ++pos[i] < nspan[i])
                    break;
                pos[i] = 0;
            }
        }
        *n = (int)total;
    }
    for (int i = 0; i < nd; i++)
        free(span[i]);
    return out;
}

/* ---- resolution ---- */

static ex_node *cc_unknown_var(cc *c, ex_node *n, const char *key)
{
    char sug[600];
    cc_suggest(c, key, sug, sizeof sug);
    cc_fail(c, n->pos, "unknown variable \"%s\"%s", n->name, sug);
    return cc_num(0);
}

/* The canonical key a name in the equation being compiled refers to.  A
 * leading '.' names the root model's variable (".area"); any other name
 * is looked up in the module instance the equation belongs to, then in
 * each one around it, out to the root, whose key it is if no module has
 * it ("lynxes.lynxes" from inside "hares." is the root's module lynxes). */
static char *cc_key(cc *c, const char *name)
{
    if (name[0] == '.')
        return sdn_canon(name + 1);
    char *bare = sdn_canon(name);
    if (!c->scope)
        return bare;
    char *sc = sdn_canon(c->scope); /* ends in '.' */
    size_t len = strlen(sc), blen = strlen(bare);
    while (len > 0) {
        char *k = xcalloc(1, len + blen + 1);
        memcpy(k, sc, len);
        memcpy(k + len, bare, blen + 1);
        if (st_get(&c->m->keys, k) >= 0 || st_get(&c->arrs, k) >= 0 || st_get(&c->gfs, k) >= 0) {
            free(sc);
            free(bare);
            return k;
        }
        free(k);
        size_t j = len - 1; /* drop the innermost module */
        while (j > 0 && sc[j - 1] != '.')
            j--;
        len = j;
    }
    free(sc);
    return bare;
}

/* The key of a name in the equation being compiled: cc_key, and SELF (the
 * variable the equation defines, XMILE 1.0 section 3.5.6) when no
 * variable has that name. */
static char *cc_ref_key(cc *c, const char *name)
{
    char *key = cc_key(c, name);
    if (strcmp(key, "self") == 0 && st_get(&c->m->keys, key) < 0 && st_get(&c->arrs, key) < 0 && c->owner >= 0 &&
        !c->m->vars[c->owner].hidden) {
        free(key);
        key = xstrdup(c->m->vars[c->owner].key);
        char *br = strchr(key, '[');
        if (br)
            *br = 0;
    }
    return key;
}

/* A name that is no variable but a dimension or Dim.element, outside
 * brackets: the position of the element (section 3.7.1: Location.Boston
 * is 1, and a dimension the equation is over is the position of the
 * element being computed).  NULL if the name is neither. */
static ex_node *cc_dim_value(cc *c, const ctx *x, const ex_node *n, const char *key)
{
    int dd = st_get(&c->dims, key);
    if (dd >= 0) {
        for (int j = 0; j < x->n; j++)
            if (x->dim[j] == dd)
                return cc_num(x->elem[j] + 1);
        cc_fail(c, n->pos, "dimension %s is used as a value, but this equation is not over it", n->name);
        return cc_num(0);
    }
    const char *dot = strrchr(key, '.');
    if (!dot)
        return NULL;
    char *dk = xstrdup(key);
    dk[dot - key] = 0;
    dd = st_get(&c->dims, dk);
    free(dk);
    if (dd < 0)
        return NULL;
    int e = cc_elem(c, dd, dot + 1);
    if (e < 0) {
        char sug[300];
        cc_suggest_elem(c, dd, dot + 1, sug, sizeof sug);
        const char *shown = strrchr(n->name, '.');
        cc_fail(c, n->pos, "%s is not an element of %s%s", shown ? shown + 1 : dot + 1, c->d->dims[dd].name, sug);
        return cc_num(0);
    }
    return cc_num(e + 1);
}

/* a[i] with i computed during the run (XMILE 1.0 section 3.7.1: a
 * subscript is an expression): the elements i may pick, the others'
 * subscripts fixed, become the arguments of one BI_ELEM after i, which
 * gives 0 for an i out of range.  One such subscript per reference; NULL
 * if the reference has none. */
static ex_node *rs_dynamic(cc *c, const ctx *x, const arr *a, const ex_node *n)
{
    int which = -1;
    for (int i = 0; i < n->nargs && i < a->ndims; i++)
        if (cc_dynamic(c, a->dim[i], n->args[i])) {
            if (which >= 0) {
                cc_fail(c, n->args[i]->pos, "%s: one subscript computed during the run per reference, not two",
                        n->name);
                return cc_num(0);
            }
            which = i;
        }
    if (which < 0 || n->nargs != a->ndims)
        return NULL;
    ex_node *sl = ex_copy(n);
    ex_free(sl->args[which]);
    sl->args[which] = ex_new(EX_STAR, n->args[which]->pos);
    int cnt = 0;
    int *refs = cc_arr_refs(c, x, a, sl, n->name, 1, 0, &cnt);
    ex_free(sl);
    size_t want = c->d->dims[a->dim[which]].n;
    ex_node *out = NULL;
    if (refs && !c->failed && (size_t)cnt != want)
        cc_fail(c, n->pos, "%s: a subscript computed during the run cannot be combined with a slice", n->name);
    else if (refs && !c->failed) {
        out = cc_call(BI_ELEM, -1, n->pos);
        ex_add_arg(out, rs(c, x, n->args[which]));
        for (int k = 0; k < cnt; k++)
            ex_add_arg(out, cc_slot(refs[k]));
    }
    free(refs);
    return out ? out : cc_num(0);
}

/* A reference, scalar or one element of an array (transposed: A'). */
static ex_node *rs_var(cc *c, const ctx *x, ex_node *n, int transposed)
{
    char *key = cc_ref_key(c, n->name);
    ex_node *out = NULL;
    int v = n->nargs == 0 ? st_get(&c->m->keys, key) : -1;
    int ai = st_get(&c->arrs, key);
    if (v >= 0) {
        if (transposed)
            cc_fail(c, n->pos, "' transposes an array, and %s is not one", n->name);
        out = cc_slot(v);
    } else if (ai >= 0 && (out = rs_dynamic(c, x, &c->arr[ai], n)) != NULL) {
        /* a subscript computed during the run */
    } else if (ai >= 0) {
        int cnt;
        int *refs = cc_arr_refs(c, x, &c->arr[ai], n, n->name, 0, transposed, &cnt);
        if (refs && !c->failed)
            out = cc_slot(refs[0]);
        free(refs);
    } else if (n->nargs) {
        if (st_get(&c->m->keys, key) >= 0)
            cc_fail(c, n->pos, "%s is not an array: it takes no subscripts", n->name);
        else
            out = cc_unknown_var(c, n, key);
    } else if (strcmp(key, "time") == 0)
        out = cc_call(BI_TIME, -1, n->pos);
    else if (strcmp(key, "dt") == 0)
        out = cc_call(BI_DT, -1, n->pos);
    else if (strcmp(key, "starttime") == 0 || strcmp(key, "start_time") == 0)
        out = cc_call(BI_STARTTIME, -1, n->pos);
    else if (strcmp(key, "stoptime") == 0 || strcmp(key, "stop_time") == 0)
        out = cc_call(BI_STOPTIME, -1, n->pos);
    else if (strcmp(key, "pi") == 0)
        out = cc_num(3.14159265358979323846);
    else if (!(out = cc_dim_value(c, x, n, key)))
        out = cc_unknown_var(c, n, key);
    free(key);
    if (!out)
        out = cc_num(0);
    out->pos = n->pos;
    return out;
}

/* The slot holding e's value: e itself if it is a plain reference, else a
 * hidden auxiliary computing it. */
static int cc_as_slot(cc *c, ex_node *e, const char *what)
{
    if (e->kind == EX_SLOT) {
        int s = e->slot;
        ex_free(e);
        return s;
    }
    int h = cc_hidden(c, SD_AUX, what);
    c->m->vars[h].eqn = e;
    return h;
}

static int cc_order_arg(cc *c, ex_node *e, const char *fn)
{
    if (e->kind != EX_NUM || e->num < 1 || e->num != floor(e->num) || e->num > 1000) {
        cc_fail(c, e->pos, "%s: the order must be a whole number from 1 to 1000", fn);
        return 1;
    }
    return (int)e->num;
}

/* SMTH1/SMTH3/SMTHN: n first-order smooths in series, each with T/n. */
static ex_node *rs_smooth(cc *c, ex_node **a, int na, int order, const char *fn)
{
    ex_node *in = a[0], *T = a[1], *init = na > 2 ? a[2] : NULL;
    int prev = -1, s = -1;
    for (int k = 0; k < order; k++) {
        s = cc_hidden(c, SD_STOCK, fn);
        ex_node *src = prev < 0 ? ex_copy(in) : cc_slot(prev);
        ex_node *Tk = order == 1 ? ex_copy(T) : cc_bin('/', ex_copy(T), cc_num(order));
        c->m->vars[s].eqn = init ? ex_copy(init) : ex_copy(in);
        c->m->vars[s].rate = cc_bin('/', cc_bin('-', src, cc_slot(s)), Tk);
        prev = s;
    }
    for (int i = 0; i < na; i++)
        ex_free(a[i]);
    return cc_slot(s);
}

/* DELAY1/DELAY3/DELAYN: a material delay of n stocks, each holding D/n. */
static ex_node *rs_matdelay(cc *c, ex_node **a, int na, int order, const char *fn)
{
    ex_node *in = a[0], *D = a[1], *init = na > 2 ? a[2] : NULL;
    int prev = -1;
    ex_node *Dk = order == 1 ? ex_copy(D) : cc_bin('/', ex_copy(D), cc_num(order));
    for (int k = 0; k < order; k++) {
        int s = cc_hidden(c, SD_STOCK, fn);
        ex_node *inflow = prev < 0 ? ex_copy(in) : cc_bin('/', cc_slot(prev), ex_copy(Dk));
        c->m->vars[s].eqn = cc_bin('*', init ? ex_copy(init) : ex_copy(in), ex_copy(Dk));
        c->m->vars[s].rate = cc_bin('-', inflow, cc_bin('/', cc_slot(s), ex_copy(Dk)));
        prev = s;
    }
    ex_node *out = cc_bin('/', cc_slot(prev), Dk);
    for (int i = 0; i < na; i++)
        ex_free(a[i]);
    return out;
}

static ex_node *rs_trend(cc *c, ex_node **a, int na)
{
    ex_node *in = a[0], *T = a[1];
    ex_node *init = na > 2 ? a[2] : cc_num(0);
    int s = cc_hidden(c, SD_STOCK, "TREND");
    c->m->vars[s].eqn = cc_bin('/', ex_copy(in), cc_bin('+', cc_num(1), cc_bin('*', ex_copy(init), ex_copy(T))));
    c->m->vars[s].rate = cc_bin('/', cc_bin('-', ex_copy(in), cc_slot(s)), ex_copy(T));
    ex_node *out = cc_bin('/', cc_bin('-', ex_copy(in), cc_slot(s)), cc_bin('*', cc_slot(s), ex_copy(T)));
    for (int i = 0; i < na; i++)
        ex_free(a[i]);
    if (na <= 2)
        ex_free(init);
    return out;
}

/* Functions of Stella or Vensim that XMILE 1.0 does not define and eddy
 * does not implement: named in the error rather than "unknown".  The
 * statistical functions beyond section 3.5.2's five are Stella's own. */
static const char *cc_unsupported[] = {
    "uniform", "triangular", "weibull", "gamma", "beta", "binomial", "negbinomial", "logistic", "pareto",
    "geometric", "normalcdf", "montecarlo", "delay_fixed", "converted", NULL};

/* A graphical function by name: a <gf> or an aux that carries one. */
static int cc_gf_by_name(cc *c, ex_node *n)
{
    if (n->kind != EX_VAR || n->nargs)
        return -1;
    char *k = cc_key(c, n->name);
    int g = st_get(&c->gfs, k);
    free(k);
    return g;
}

/* Index of the macro's own variable of that name, or -1. */
static int mc_local(const xm_macro *mc, const char *name)
{
    char *k = sdn_canon(name);
    int found = -1;
    for (size_t i = 0; i < mc->nvars && found < 0; i++) {
        char *vk = sdn_canon(mc->vars[i].name);
        if (strcmp(k, vk) == 0)
            found = (int)i;
        free(vk);
    }
    free(k);
    return found;
}

/* A copy of a macro's equation with each parameter replaced by a copy of
 * its argument (unresolved: it is resolved where the macro is called) and
 * each of the macro's own variables by the slot of this call's instance
 * of it (locals[i]).  The macro's own nodes take the call's position, so
 * that an error inside the macro points at the call. */
static ex_node *mc_subst(cc *c, const xm_macro *mc, const ex_node *n, ex_node *const *args, const int *locals,
                         int pos)
{
    if (n->kind == EX_VAR && n->nargs == 0) {
        char *k = sdn_canon(n->name);
        for (size_t i = 0; i < mc->nparms; i++) {
            char *pk = sdn_canon(mc->parms[i]);
            int same = strcmp(k, pk) == 0;
            free(pk);
            if (same) {
                free(k);
                return ex_copy(args[i]);
            }
        }
        free(k);
        int l = mc_local(mc, n->name);
        if (l >= 0)
            return cc_slot(locals[l]);
        cc_fail(c, pos, "macro %s: %s is not one of its parameters or variables (a macro sees only those)",
                mc->name, n->name);
        return cc_num(0);
    }
    ex_node *o = ex_new(n->kind, pos);
    o->op = n->op;
    o->num = n->num;
    o->slot = n->slot;
    if (n->name)
        o->name = xstrdup(n->name);
    for (int i = 0; i < n->nargs; i++)
        ex_add_arg(o, mc_subst(c, mc, n->args[i], args, locals, pos));
    return o;
}

/* Parse macro text (its equation or a parameter's default) with errors
 * pointing into the macro. */
static ex_node *mc_parse(cc *c, const char *text, int line, int col)
{
    const char *t = c->text;
    int l = c->line, co = c->col;
    xm_eqn q = {(char *)text, line, col};
    ex_node *e = cc_parse(c, &q);
    c->text = t;
    c->line = l;
    c->col = co;
    return e;
}

static ex_node *rs_macro(cc *c, const ctx *x, ex_node *n, int mi)
{
    const xm_macro *mc = &c->d->macros[mi];
    if ((size_t)n->nargs > mc->nparms) {
        cc_fail(c, n->pos, "macro %s takes %zu argument%s, not %d", mc->name, mc->nparms, mc->nparms == 1 ? "" : "s",
                n->nargs);
        return cc_num(0);
    }
    if (c->macro_depth >= 32) {
        cc_fail(c, n->pos, "macro %s calls itself (32 expansions deep)", mc->name);
        return cc_num(0);
    }
    if (++c->macro_calls > 100000) {
        cc_fail(c, n->pos, "macro %s: more than 100,000 macro expansions in the model", mc->name);
        return cc_num(0);
    }
    ex_node **args = xcalloc(1, (mc->nparms + 1) * sizeof *args);
    for (size_t i = 0; i < mc->nparms && !c->failed; i++) {
        if (i < (size_t)n->nargs)
            args[i] = ex_copy(n->args[i]);
        else if (mc->defaults[i])
            args[i] = mc_parse(c, mc->defaults[i], mc->line, 1);
        else
            cc_fail(c, n->pos, "macro %s: no argument for %s, which has no default", mc->name, mc->parms[i]);
    }
    /* A macro with variables of its own gets an instance of them for this
     * call, hidden variables as the stateful builtins' are ("Stock in
     * macro output"): their equations see the call's arguments. */
    int *locals = mc->nvars ? xcalloc(1, mc->nvars * sizeof *locals) : NULL;
    for (size_t i = 0; i < mc->nvars && !c->failed; i++) {
        const xm_var *lv = &mc->vars[i];
        locals[i] = cc_hidden(c, lv->kind == XM_STOCK ? SD_STOCK : lv->kind == XM_FLOW ? SD_FLOW : SD_AUX, lv->name);
    }
    c->macro_depth++;
    for (size_t i = 0; i < mc->nvars && !c->failed; i++) {
        const xm_var *lv = &mc->vars[i];
        ex_node *tree = mc_parse(c, lv->eqn.text, lv->eqn.line, lv->eqn.col);
        ex_node *e = tree && !c->failed ? mc_subst(c, mc, tree, args, locals, n->pos) : NULL;
        ex_free(tree);
        ex_node *r = e && !c->failed ? rs(c, x, e) : NULL;
        ex_free(e);
        c->m->vars[locals[i]].eqn = r ? r : cc_num(0);
        c->m->vars[locals[i]].non_negative = lv->non_negative;
        if (lv->kind != XM_STOCK)
            continue;
        ex_node *rate = NULL;
        for (size_t j = 0; j < lv->nin + lv->nout && !c->failed; j++) {
            const char *fn = j < lv->nin ? lv->inflows[j] : lv->outflows[j - lv->nin];
            int l = mc_local(mc, fn);
            if (l < 0) {
                cc_fail(c, n->pos, "macro %s: %s flows through %s, which is not one of the macro's variables",
                        mc->name, lv->name, fn);
                break;
            }
            ex_node *f = cc_slot(locals[l]);
            rate = !rate ? (j < lv->nin ? f : cc_bin('-', cc_num(0), f)) : cc_bin(j < lv->nin ? '+' : '-', rate, f);
        }
        c->m->vars[locals[i]].rate = rate ? rate : cc_num(0);
    }
    c->macro_depth--;
    ex_node *body = NULL, *out = NULL;
    if (!c->failed) {
        ex_node *tree = mc_parse(c, mc->eqn.text ? mc->eqn.text : "", mc->eqn.line, mc->eqn.col);
        if (tree) {
            body = mc_subst(c, mc, tree, args, locals, n->pos);
            ex_free(tree);
        }
    }
    free(locals);
    if (body && !c->failed) {
        c->macro_depth++;
        out = rs(c, x, body);
        c->macro_depth--;
    }
    ex_free(body);
    for (size_t i = 0; i < mc->nparms; i++)
        ex_free(args[i]);
    free(args);
    return out ? out : cc_num(0);
}

/* The array functions (XMILE 1.0 section 3.7.1.3).  An argument that
 * names an array gives every element it covers (a bare name the whole
 * array, a slice its elements; a dimension the equation is over picks
 * its element, so SUM(A[M, *]) is row M's sum); any other argument is
 * one value, so MAX(A, 0) is the largest of A's elements and 0.  SIZE is
 * the count, a constant.  RANK(A, r[, B]) is the position (row-major, from
 * 1) of A's r-th smallest element, ties broken by B, then by position. */
static ex_node *rs_array_fn(cc *c, const ctx *x, ex_node *n, bi_id id)
{
    ctx none = {0};
    int counts[3] = {0, 0, 0};
    ex_node *parts[3] = {NULL, NULL, NULL}; /* RANK: A, r, B */
    ex_node *out = cc_call(id, -1, n->pos);
    for (int i = 0; i < n->nargs && !c->failed; i++) {
        ex_node *a = n->args[i];
        if (a->kind == EX_UN && a->op == '\'')
            a = a->args[0]; /* a transposed array has the same elements */
        int ai = -1;
        if (a->kind == EX_VAR) {
            char *k = cc_ref_key(c, a->name);
            ai = st_get(&c->arrs, k);
            free(k);
            for (int q = 0; ai >= 0 && q < a->nargs && q < c->arr[ai].ndims; q++)
                if (cc_dynamic(c, c->arr[ai].dim[q], a->args[q]))
                    ai = -1; /* a[i]: one value */
        }
        ex_node *dst = out;
        if (id == BI_RANK)
            dst = parts[i] = cc_call(id, -1, n->pos);
        if (ai >= 0) {
            int cnt = 0;
            int *refs = cc_arr_refs(c, a->nargs ? x : &none, &c->arr[ai], a, a->name, 1, 0, &cnt);
            for (int k = 0; k < cnt; k++)
                ex_add_arg(dst, cc_slot(refs[k]));
            free(refs);
            counts[i] = cnt;
        } else {
            if (id == BI_RANK && i != 1) {
                cc_fail(c, a->pos, "RANK: argument %d must be an array", i + 1);
                break;
            }
            ex_add_arg(dst, rs(c, x, n->args[i]));
        }
    }
    if (id == BI_SIZE) {
        int total = out->nargs;
        ex_free(out);
        return cc_num(total);
    }
    if (id != BI_RANK)
        return out;
    if (!c->failed && n->nargs == 3 && counts[2] != counts[0])
        cc_fail(c, n->args[2]->pos, "RANK: the array that breaks ties has %d elements, the ranked one %d", counts[2],
                counts[0]);
    if (!c->failed) {
        /* rank, A's elements, then B's */
        out->op = n->nargs == 3 ? BI_RANK2 : BI_RANK;
        static const int order[3] = {1, 0, 2};
        if (parts[1] && parts[1]->nargs != 1)
            cc_fail(c, n->args[1]->pos, "RANK: the rank must be one value, not %d", parts[1]->nargs);
        for (int i = 0; i < 3 && !c->failed; i++) {
            ex_node *p = parts[order[i]];
            for (int k = 0; p && k < p->nargs; k++) {
                ex_add_arg(out, p->args[k]);
                p->args[k] = NULL;
            }
        }
    }
    for (int i = 0; i < 3; i++) {
        if (!parts[i])
            continue;
        for (int k = 0; k < parts[i]->nargs; k++)
            if (!parts[i]->args[k])
                parts[i]->args[k] = cc_num(0);
        ex_free(parts[i]);
    }
    return out;
}

/* ---- statistical functions, FORCST, HISTORY, NPV ---- */

/* A number written in the equation (with its sign), or not. */
static int cc_literal(const ex_node *n, double *v)
{
    if (n->kind == EX_NUM) {
        *v = n->num;
        return 1;
    }
    if (n->kind == EX_UN && (n->op == '-' || n->op == '+') && cc_literal(n->args[0], v)) {
        if (n->op == '-')
            *v = -*v;
        return 1;
    }
    return 0;
}

/* RANDOM, NORMAL, LOGNORMAL, EXPRND, POISSON (XMILE 1.0 section 3.5.2):
 * a call with a stream of its own (rand.h), its optional last argument the
 * seed, "0 <= seed < 2^32".  Arguments written as numbers are checked
 * here; computed ones when the call is evaluated. */
static ex_node *rs_random(cc *c, const ctx *x, ex_node *n, const bi_info *bi)
{
    sd_model *m = c->m;
    int nparams = bi->max_args - 1;
    sd_rand s = {.fn = bi->id};
    if (n->nargs > nparams) {
        const ex_node *sa = n->args[nparams];
        double sv = -1;
        if (!cc_literal(sa, &sv) || sv < 0 || sv >= 4294967296.0 || sv != floor(sv)) {
            cc_fail(c, sa->pos, "%s: the seed must be a whole number from 0 to 4294967295, written as a number",
                    n->name);
            return cc_num(0);
        }
        s.fixed = true;
        s.seed = (uint64_t)sv;
    }
    double lit[2] = {0, 0};
    int literal = 1;
    for (int i = 0; i < nparams; i++)
        literal = literal && cc_literal(n->args[i], &lit[i]);
    const char *bad = literal ? sd_rand_domain(bi->id, lit, nparams) : NULL;
    if (bad) {
        cc_fail(c, n->pos, "%s is called with %s", n->name, bad);
        return cc_num(0);
    }
    if (c->rand_owner != c->owner) {
        c->rand_owner = c->owner;
        c->rand_ord = 0;
    }
    s.name = xstrdup(m->vars[c->owner].key);
    s.ord = c->rand_ord++;
    s.cap = c->ncapture++;
    m->rands = xreallocarray(m->rands, m->nrands + 1, sizeof *m->rands);
    m->rands[m->nrands] = s;
    ex_node *out = cc_call(bi->id, (int)m->nrands++, n->pos);
    for (int i = 0; i < nparams; i++)
        ex_add_arg(out, rs(c, x, n->args[i]));
    return out;
}

/* FORCST(input, averaging time, horizon[, initial trend]) (section 3.5.3):
 * the input extrapolated along its TREND over the horizon,
 * input * (1 + TREND(input, averaging time, initial trend) * horizon), as
 * Stella defines it (and Vensim's FORECAST). */
static ex_node *rs_forcst(cc *c, ex_node **a, int na)
{
    ex_node *b[3] = {ex_copy(a[0]), ex_copy(a[1]), na > 3 ? ex_copy(a[3]) : NULL};
    ex_node *trend = rs_trend(c, b, na > 3 ? 3 : 2);
    ex_node *out = cc_bin('*', a[0], cc_bin('+', cc_num(1), cc_bin('*', trend, a[2])));
    ex_free(a[1]);
    if (na > 3)
        ex_free(a[3]);
    return out;
}

/* HISTORY(variable, time): the variable's value at a past time of this
 * run.  Not in XMILE 1.0 (its section 3.6 names isee.HISTORY only as an
 * example of a vendor's function); Stella's.  It keeps the variable's
 * whole trajectory, as DELAY keeps its input's (vm.c), read at the time
 * asked: a time after the current one, or before the start, stops the run. */
static ex_node *rs_history(cc *c, ex_node **a, int pos)
{
    sd_model *m = c->m;
    m->delays = xreallocarray(m->delays, m->ndelays + 1, sizeof *m->delays);
    sd_delay *dl = &m->delays[m->ndelays];
    memset(dl, 0, sizeof *dl);
    dl->history = true;
    dl->in = cc_as_slot(c, a[0], "HISTORY");
    ex_node *out = cc_call(BI_DELAY, (int)m->ndelays++, pos);
    ex_add_arg(out, cc_slot(dl->in));
    ex_add_arg(out, a[1]);
    return out;
}

/* NPV(stream, discount rate[, initial value[, factor]]): the net present
 * value of the stream so far.  Not in XMILE 1.0; Stella's and Vensim's,
 * here as Vensim documents it: a discount factor df (a stock from 1,
 * changing by -df * rate / (1 + rate * DT)), the discounted stream
 * accumulated from the initial value (default 0), and
 * (accumulated + stream * DT * df) * factor (default 1).  With Euler
 * steps, df is (1 + rate * DT)^-k after k steps, and a constant stream s
 * gives s * DT * (1 - q^(k+1)) / (1 - q), q = 1 / (1 + rate * DT): the
 * present value of an annuity due. */
static ex_node *rs_npv(cc *c, ex_node **a, int na, int pos)
{
    ex_node *stream = a[0], *rate = a[1];
    int df = cc_hidden(c, SD_STOCK, "NPV discount factor");
    c->m->vars[df].eqn = cc_num(1);
    c->m->vars[df].rate = cc_bin('/', cc_bin('*', cc_bin('-', cc_num(0), cc_slot(df)), ex_copy(rate)),
                                 cc_bin('+', cc_num(1), cc_bin('*', ex_copy(rate), cc_call(BI_DT, -1, pos))));
    int acc = cc_hidden(c, SD_STOCK, "NPV");
    c->m->vars[acc].eqn = na > 2 ? a[2] : cc_num(0);
    c->m->vars[acc].rate = cc_bin('*', ex_copy(stream), cc_slot(df));
    ex_node *out = cc_bin('+', cc_slot(acc), cc_bin('*', cc_bin('*', stream, cc_call(BI_DT, -1, pos)), cc_slot(df)));
    ex_free(rate);
    return na > 3 ? cc_bin('*', out, a[3]) : out;
}

static ex_node *rs_call(cc *c, const ctx *x, ex_node *n)
{
    char *key = sdn_canon(n->name);
    int mi = st_get(&c->macros, key);
    if (mi >= 0) {
        free(key);
        return rs_macro(c, x, n, mi);
    }
    const bi_info *bi = bi_find(key);
    char *gk = cc_key(c, n->name);
    int g = st_get(&c->gfs, gk);
    free(gk);
    if (!bi && g >= 0) {
        free(key);
        if (n->nargs != 1) {
            cc_fail(c, n->pos, "graphical function %s takes one argument, not %d", n->name, n->nargs);
            return cc_num(0);
        }
        ex_node *out = cc_call(BI_LOOKUP, g, n->pos);
        ex_add_arg(out, rs(c, x, n->args[0]));
        return out;
    }
    if (!bi) {
        char *ak = cc_ref_key(c, n->name);
        int ai = st_get(&c->arrs, ak);
        free(ak);
        if (ai >= 0) {
            /* A(10): the element at flat (row-major) index 10 (XMILE 1.0
             * section 3.3.2) */
            free(key);
            const arr *ar = &c->arr[ai];
            const ex_node *k = n->nargs == 1 ? n->args[0] : NULL;
            if (!k || k->kind != EX_NUM || k->num != floor(k->num) || k->num < 1 || k->num > ar->count) {
                cc_fail(c, n->pos, "%s(i) is the element at flat index i, a whole number from 1 to %d", n->name,
                        ar->count);
                return cc_num(0);
            }
            return cc_slot(ar->first + (int)k->num - 1);
        }
        int unsupported = 0;
        for (int i = 0; cc_unsupported[i]; i++)
            if (strcmp(key, cc_unsupported[i]) == 0)
                unsupported = 1;
        if (unsupported)
            cc_fail(c, n->pos, "function %s is not supported", n->name);
        else {
            char sug[600];
            cc_suggest(c, key, sug, sizeof sug);
            cc_fail(c, n->pos, "unknown function %s: not an XMILE builtin, a graphical function or a macro in this file%s",
                    n->name, sug);
        }
        free(key);
        return cc_num(0);
    }
    free(key);
    if (n->nargs < bi->min_args || (bi->max_args >= 0 && n->nargs > bi->max_args)) {
        if (bi->min_args == bi->max_args)
            cc_fail(c, n->pos, "%s takes %d argument%s, not %d", n->name, bi->min_args,
                    bi->min_args == 1 ? "" : "s", n->nargs);
        else
            cc_fail(c, n->pos, "%s takes %d to %d arguments, not %d", n->name, bi->min_args,
                    bi->max_args, n->nargs);
        return cc_num(0);
    }
    bi_id id = bi->id;
    if (id == BI_LOOKUP) {
        g = cc_gf_by_name(c, n->args[0]);
        if (g < 0) {
            cc_fail(c, n->args[0]->pos, "LOOKUP: the first argument must name a graphical function");
            return cc_num(0);
        }
        ex_node *out = cc_call(BI_LOOKUP, g, n->pos);
        ex_add_arg(out, rs(c, x, n->args[1]));
        return out;
    }
    if (id == BI_SUM || id == BI_MEAN || id == BI_MIN || id == BI_MAX || id == BI_PROD || id == BI_SIZE ||
        id == BI_STDDEV || id == BI_RANK)
        return rs_array_fn(c, x, n, id);
    if (bi_is_random(id))
        return rs_random(c, x, n, bi);
    if (id == BI_IF_THEN_ELSE) {
        ex_node *out = ex_new(EX_IF, n->pos);
        for (int i = 0; i < 3; i++)
            ex_add_arg(out, rs(c, x, n->args[i]));
        return out;
    }
    ex_node *a[4] = {0};
    int na = n->nargs;
    switch (id) {
    case BI_INIT:
    case BI_PREVIOUS:
    case BI_DELAY:
    case BI_SMTH1:
    case BI_SMTH3:
    case BI_SMTHN:
    case BI_DELAY1:
    case BI_DELAY3:
    case BI_DELAYN:
    case BI_TREND:
    case BI_FORCST:
    case BI_HISTORY:
    case BI_NPV:
        for (int i = 0; i < na; i++)
            a[i] = rs(c, x, n->args[i]);
        break;
    default: {
        ex_node *out = cc_call(id, -1, n->pos);
        for (int i = 0; i < na; i++)
            ex_add_arg(out, rs(c, x, n->args[i]));
        return out;
    }
    }
    ex_node *out;
    switch (id) {
    case BI_INIT: {
        out = cc_call(BI_INIT, c->ncapture++, n->pos);
        ex_add_arg(out, cc_slot(cc_as_slot(c, a[0], "INIT")));
        return out;
    }
    case BI_PREVIOUS: {
        out = cc_call(BI_PREVIOUS, c->ncapture++, n->pos);
        ex_add_arg(out, cc_slot(cc_as_slot(c, a[0], "PREVIOUS")));
        if (na > 1)
            ex_add_arg(out, a[1]);
        return out;
    }
    case BI_DELAY: {
        sd_model *m = c->m;
        m->delays = xrealloc(m->delays, (m->ndelays + 1) * sizeof *m->delays);
        sd_delay *dl = &m->delays[m->ndelays];
        memset(dl, 0, sizeof *dl);
        dl->in = cc_as_slot(c, a[0], "DELAY");
        out = cc_call(BI_DELAY, (int)m->ndelays++, n->pos);
        ex_add_arg(out, cc_slot(dl->in));
        for (int i = 1; i < na; i++)
            ex_add_arg(out, a[i]);
        return out;
    }
    case BI_SMTH1: return rs_smooth(c, a, na, 1, "SMTH1");
    case BI_SMTH3: return rs_smooth(c, a, na, 3, "SMTH3");
    case BI_SMTHN: {
        int order = cc_order_arg(c, a[2], "SMTHN");
        ex_node *b[3] = {a[0], a[1], na > 3 ? a[3] : NULL};
        ex_free(a[2]);
        return rs_smooth(c, b, na > 3 ? 3 : 2, order, "SMTHN");
    }
    case BI_DELAY1: return rs_matdelay(c, a, na, 1, "DELAY1");
    case BI_DELAY3: return rs_matdelay(c, a, na, 3, "DELAY3");
    case BI_DELAYN: {
        int order = cc_order_arg(c, a[2], "DELAYN");
        ex_node *b[3] = {a[0], a[1], na > 3 ? a[3] : NULL};
        ex_free(a[2]);
        return rs_matdelay(c, b, na > 3 ? 3 : 2, order, "DELAYN");
    }
    case BI_TREND: return rs_trend(c, a, na);
    case BI_FORCST: return rs_forcst(c, a, na);
    case BI_HISTORY: return rs_history(c, a, n->pos);
    case BI_NPV: return rs_npv(c, a, na, n->pos);
    default: break;
    }
    return cc_num(0);
}

static ex_node *rs(cc *c, const ctx *x, ex_node *n)
{
    if (c->failed)
        return cc_num(0);
    switch (n->kind) {
    case EX_NUM: {
        ex_node *o = cc_num(n->num);
        o->pos = n->pos;
        return o;
    }
    case EX_VAR: return rs_var(c, x, n, 0);
    case EX_CALL: return rs_call(c, x, n);
    case EX_SLOT: { /* already resolved: a macro's own variable */
        ex_node *o = cc_slot(n->slot);
        o->pos = n->pos;
        return o;
    }
    case EX_STAR:
    case EX_RANGE:
    case EX_AT:
        cc_fail(c, n->pos, "%s is only a subscript", n->kind == EX_STAR ? "*" : n->kind == EX_AT ? "@n" : "a range lo:hi");
        return cc_num(0);
    case EX_UN:
        if (n->op != '\'')
            break;
        if (n->args[0]->kind != EX_VAR) {
            cc_fail(c, n->pos, "' transposes an array variable (A' or A[..]')");
            return cc_num(0);
        }
        return rs_var(c, x, n->args[0], 1);
    case EX_LIST:
        cc_fail(c, n->pos, "a list of values is only the whole equation of an array");
        return cc_num(0);
    default: break;
    }
    ex_node *o = ex_new(n->kind, n->pos);
    o->op = n->op;
    for (int i = 0; i < n->nargs; i++)
        ex_add_arg(o, rs(c, x, n->args[i]));
    return o;
}

/* ---- building the variables from the document ---- */

static ex_node *cc_parse(cc *c, const xm_eqn *q)
{
    c->text = q->text;
    c->line = q->line;
    c->col = q->col;
    int errpos = 0;
    char msg[256];
    ex_node *n = ex_parse(q->text, &errpos, msg, sizeof msg);
    if (!n)
        cc_fail(c, errpos, "%s", msg);
    return n;
}

/* Does "A, D" name the element tuple e of a? */
static int cc_subscript_matches(cc *c, const arr *a, const char *sub, const int *e)
{
    char *s = xstrdup(sub);
    int ok = 1, i = 0;
    for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ","), i++) {
        if (i >= a->ndims) {
            ok = 0;
            break;
        }
        char *k = sdn_canon(tok);
        if (cc_elem(c, a->dim[i], k) != e[i])
            ok = 0;
        free(k);
    }
    free(s);
    return ok && i == a->ndims;
}

static void cc_flows(cc *c, const ctx *x, char **names, size_t n, int sign, ex_node **rate)
{
    for (size_t i = 0; i < n && !c->failed; i++) {
        ex_node ref = {0};
        ref.kind = EX_VAR;
        ref.name = names[i];
        ex_node *r = rs_var(c, x, &ref, 0);
        if (c->failed) {
            ex_free(r);
            return;
        }
        if (r->kind == EX_SLOT && c->m->vars[r->slot].kind != SD_FLOW)
            c->m->vars[r->slot].kind = SD_FLOW; /* an aux named as a flow is one */
        if (!*rate)
            *rate = sign > 0 ? r : cc_bin('-', cc_num(0), r);
        else
            *rate = cc_bin(sign > 0 ? '+' : '-', *rate, r);
    }
}

/* A flow's or auxiliary's <init_eqn>: its value at the start time, which
 * INIT gives, PREVIOUS gives at the first step and the stocks' initial
 * values are computed from; its <eqn> gives its value from the start on
 * (the start's row too).  XMILE 1.0 does not define the tag; Stella writes
 * it (simlin reads it the same way).  A stock's <eqn> is its initial value
 * already. */
static void cc_define_init(cc *c, int vi, const xm_var *xv, const xm_eqn *iq, const ctx *x)
{
    if (xv->kind == XM_STOCK) {
        c->failed = 1;
        err_set(c->err, c->d->file, iq->line, iq->col,
                "%s: a stock's <eqn> is its initial value; <init_eqn> is for flows and auxiliaries", xv->name);
        return;
    }
    ex_node *p = cc_parse(c, iq);
    if (!p)
        return;
    c->m->vars[vi].init_eqn = rs(c, x, p);
    ex_free(p);
}

/* The equation of variable vi (element e of xm_var xv when arrayed). */
static void cc_define(cc *c, int vi, const xm_var *xv, const arr *a, const int *e, int flat)
{
    ctx x = {0};
    c->scope = xv->scope;
    const xm_eqn *q = &xv->eqn;
    const xm_eqn *iq = xv->init_eqn.text ? &xv->init_eqn : NULL;
    const xm_gf *gf = xv->gf;
    if (a) {
        x.n = a->ndims;
        for (int i = 0; i < a->ndims; i++) {
            x.dim[i] = a->dim[i];
            x.elem[i] = e[i];
        }
        if (xv->nelems) {
            q = NULL;
            for (size_t k = 0; k < xv->nelems; k++)
                if (cc_subscript_matches(c, a, xv->elems[k].subscript, e)) {
                    q = &xv->elems[k].eqn;
                    if (xv->elems[k].init_eqn.text)
                        iq = &xv->elems[k].init_eqn;
                    if (xv->elems[k].gf)
                        gf = xv->elems[k].gf;
                    break;
                }
            if (!q || !q->text) {
                c->failed = 1;
                err_set(c->err, c->d->file, xv->line, 1, "%s has no equation", c->m->vars[vi].name);
                return;
            }
        }
    }
    c->owner = vi;
    sd_var *v = &c->m->vars[vi];
    v->gf = gf;
    if (!q->text) {
        c->failed = 1;
        err_set(c->err, c->d->file, xv->line, 1, "%s has no <eqn>", xv->name);
        return;
    }
    v->line = q->line;
    v->col = q->col;
    ex_node *p = cc_parse(c, q);
    if (!p)
        return;
    ex_node *use = p;
    if (a && xv->nmore && !xv->nelems) {
        /* Vensim's exports: one <eqn> per element, in order */
        if ((int)xv->nmore + 1 != a->count) {
            c->failed = 1;
            err_set(c->err, c->d->file, xv->line, 1, "%s has %zu <eqn> elements for %d array elements",
                    xv->name, xv->nmore + 1, a->count);
            ex_free(p);
            return;
        }
        if (flat > 0) {
            ex_free(p);
            q = &xv->more[flat - 1];
            v = &c->m->vars[vi];
            v->line = q->line;
            v->col = q->col;
            if (!(p = cc_parse(c, q)))
                return;
        }
        use = p;
    }
    if (p->kind == EX_LIST) {
        int total = a ? a->count : 1;
        if (!a || p->nargs != total) {
            cc_fail(c, 0, "a list of %d values for %s, which has %d element%s", p->nargs, xv->name,
                    total, total == 1 ? "" : "s");
            ex_free(p);
            return;
        }
        use = p->args[flat];
    }
    ex_node *r = rs(c, &x, use);
    ex_free(p);
    c->m->vars[vi].eqn = r;
    if (iq && !c->failed)
        cc_define_init(c, vi, xv, iq, &x);
    if (xv->kind == XM_STOCK) {
        ex_node *rate = NULL;
        cc_flows(c, &x, xv->inflows, xv->nin, +1, &rate);
        cc_flows(c, &x, xv->outflows, xv->nout, -1, &rate);
        c->m->vars[vi].rate = rate ? rate : cc_num(0);
    }
}

static int cc_declare(cc *c)
{
    xm_doc *d = c->d;
    for (size_t i = 0; i < d->ndims; i++) {
        char *k = sdn_canon(d->dims[i].name);
        st_put(&c->dims, k, (int)i);
        free(k);
        for (size_t j = 0; j < d->dims[i].n; j++) {
            char *e = sdn_canon(d->dims[i].elems[j]);
            char key[512];
            snprintf(key, sizeof key, "%zu:%s", i, e);
            st_put(&c->elems, key, (int)j);
            free(e);
        }
    }
    for (size_t i = 0; i < d->nvars; i++) {
        xm_var *xv = &d->vars[i];
        char *key = sdn_canon(xv->name);
        int kind = xv->kind == XM_STOCK ? SD_STOCK : xv->kind == XM_FLOW ? SD_FLOW : SD_AUX;
        if (st_get(&c->m->keys, key) >= 0 || st_get(&c->arrs, key) >= 0 || st_get(&c->gfs, key) >= 0) {
            free(key);
            return err_set(c->err, d->file, xv->line, 1, "%s is defined twice", xv->name);
        }
        if (xv->gf) {
            c->m->gfs = xrealloc(c->m->gfs, (c->m->ngfs + 1) * sizeof *c->m->gfs);
            c->m->gfs[c->m->ngfs] = xv->gf;
            st_put(&c->gfs, key, (int)c->m->ngfs++);
        }
        if (xv->kind == XM_GF) {
            free(key);
            continue;
        }
        if (xv->ndims == 0) {
            int v = cc_add_var(c, xv->name, key, kind, (int)i);
            c->m->vars[v].non_negative = xv->non_negative;
            c->m->vars[v].units = xv->units;
            c->m->vars[v].line = xv->line;
            free(key);
            continue;
        }
        if (xv->ndims > SD_MAX_DIMS) {
            free(key);
            return err_set(c->err, d->file, xv->line, 1, "%s has %zu dimensions; at most %d are supported",
                           xv->name, xv->ndims, SD_MAX_DIMS);
        }
        arr a = {.src = (int)i, .ndims = (int)xv->ndims, .first = (int)c->m->nvars, .count = 1};
        for (size_t k = 0; k < xv->ndims; k++) {
            char *dk = sdn_canon(xv->dims[k]);
            a.dim[k] = st_get(&c->dims, dk);
            free(dk);
            if (a.dim[k] < 0) {
                free(key);
                return err_set(c->err, d->file, xv->line, 1, "%s: unknown dimension %s", xv->name, xv->dims[k]);
            }
            if ((long long)a.count * (long long)d->dims[a.dim[k]].n > 10000000) {
                free(key);
                return err_set(c->err, d->file, xv->line, 1, "%s has more than 10,000,000 elements", xv->name);
            }
            a.count *= (int)d->dims[a.dim[k]].n;
        }
        int e[SD_MAX_DIMS] = {0};
        for (int k = 0; k < a.count; k++) {
            char name[1024], ekey[1024];
            size_t o = (size_t)snprintf(name, sizeof name, "%s[", xv->name);
            size_t ok = (size_t)snprintf(ekey, sizeof ekey, "%s[", key);
            for (int j = 0; j < a.ndims; j++) {
                const char *en = d->dims[a.dim[j]].elems[e[j]];
                char *ec = sdn_canon(en);
                o += (size_t)snprintf(name + o, sizeof name - o, "%s%s", j ? "," : "", en);
                ok += (size_t)snprintf(ekey + ok, sizeof ekey - ok, "%s%s", j ? "," : "", ec);
                free(ec);
            }
            snprintf(name + o, sizeof name - o, "]");
            snprintf(ekey + ok, sizeof ekey - ok, "]");
            int v = cc_add_var(c, name, ekey, kind, (int)i);
            c->m->vars[v].non_negative = xv->non_negative;
            c->m->vars[v].units = xv->units;
            c->m->vars[v].line = xv->line;
            for (int j = a.ndims - 1; j >= 0; j--) {
                if (++e[j] < (int)d->dims[a.dim[j]].n)
                    break;
                e[j] = 0;
            }
        }
        c->arr = xrealloc(c->arr, (c->narr + 1) * sizeof *c->arr);
        c->arr[c->narr] = a;
        st_put(&c->arrs, key, (int)c->narr++);
        free(key);
    }
    return 0;
}

static int cc_define_all(cc *c)
{
    size_t ndeclared = c->m->nvars;
    for (size_t i = 0; i < ndeclared && !c->failed; i++) {
        sd_var *v = &c->m->vars[i];
        const xm_var *xv = &c->d->vars[v->src];
        if (xv->ndims == 0) {
            cc_define(c, (int)i, xv, NULL, NULL, 0);
            continue;
        }
        char *key = sdn_canon(xv->name);
        const arr *a = &c->arr[st_get(&c->arrs, key)];
        free(key);
        int flat = (int)i - a->first, e[SD_MAX_DIMS], r = flat;
        for (int j = a->ndims - 1; j >= 0; j--) {
            int n = (int)c->d->dims[a->dim[j]].n;
            e[j] = r % n;
            r /= n;
        }
        cc_define(c, (int)i, xv, a, e, flat);
    }
    return c->failed ? -1 : 0;
}

/* ---- overrides ---- */

static int cc_constant(const ex_node *n)
{
    if (n->kind == EX_SLOT || n->kind == EX_CALL)
        return n->kind == EX_CALL && n->op == BI_PI;
    for (int i = 0; i < n->nargs; i++)
        if (!cc_constant(n->args[i]))
            return 0;
    return 1;
}

static int cc_override(cc *c, const sd_override *ov, size_t nov)
{
    for (size_t i = 0; i < nov; i++) {
        char *k = sdn_canon(ov[i].name);
        int v = st_get(&c->m->keys, k);
        if (v < 0) {
            char sug[600];
            cc_suggest(c, k, sug, sizeof sug);
            free(k);
            return err_set(c->err, c->d->file, 0, 0, "--set %s: no such variable%s", ov[i].name, sug);
        }
        free(k);
        sd_var *sv = &c->m->vars[v];
        if (sv->kind == SD_STOCK || !cc_constant(sv->eqn))
            return err_set(c->err, c->d->file, sv->line, sv->col,
                           "--set %s: %s is not a constant (a %s whose equation depends on the run)",
                           ov[i].name, sv->name, sv->kind == SD_STOCK ? "stock" : "variable");
        ex_free(sv->eqn);
        sv->eqn = cc_num(ov[i].value);
        ex_free(sv->init_eqn); /* the constant's value from the start */
        sv->init_eqn = NULL;
    }
    return 0;
}

/* ---- dependency order ---- */

/* MODE_INIT0: the flows and auxiliaries at the start from their <eqn>s
 * (INIT and PREVIOUS as at the start), the stocks already initialised. */
enum { MODE_INIT, MODE_STEP, MODE_INIT0 };

static void cc_deps(const sd_model *m, const ex_node *n, int mode, int **out, size_t *cnt, size_t *cap)
{
    if (n->kind == EX_SLOT) {
        if (mode != MODE_INIT && m->vars[n->slot].kind == SD_STOCK)
            return;
        if (*cnt == *cap) {
            *cap = *cap ? *cap * 2 : 8;
            *out = xrealloc(*out, *cap * sizeof **out);
        }
        (*out)[(*cnt)++] = n->slot;
        return;
    }
    if (n->kind == EX_CALL && n->op == BI_INIT) {
        if (mode != MODE_STEP)
            cc_deps(m, n->args[0], mode, out, cnt, cap);
        return;
    }
    if (n->kind == EX_CALL && n->op == BI_PREVIOUS) {
        if (mode != MODE_STEP)
            cc_deps(m, n->args[n->nargs > 1 ? 1 : 0], mode, out, cnt, cap);
        return;
    }
    for (int i = 0; i < n->nargs; i++)
        cc_deps(m, n->args[i], mode, out, cnt, cap);
}

typedef struct topo {
    const sd_model *m;
    int mode;
    char *state; /* 0 new, 1 on the path, 2 done */
    int *order;
    size_t n;
    int *path;
    size_t depth;
    eddy_error *err;
    int failed;
} topo;

/* Kept out of cc_visit so that its buffer is not on every frame of a
 * deep (10,000-variable) dependency chain. */
static __attribute__((noinline)) void cc_cycle(topo *t, int v)
{
    const sd_var *sv = &t->m->vars[v];
    /* spell the cycle out from where it closes */
    char msg[900];
    size_t o = 0, from = 0;
    while (from < t->depth && t->path[from] != v)
        from++;
    for (size_t i = from; i < t->depth && o < sizeof msg; i++)
        o += (size_t)snprintf(msg + o, sizeof msg - o, "%s -> ", t->m->vars[t->path[i]].name);
    if (o < sizeof msg)
        snprintf(msg + o, sizeof msg - o, "%s", sv->name);
    /* name the first declared variable of the cycle */
    int at = v;
    for (size_t i = from; i < t->depth; i++)
        if (!t->m->vars[t->path[i]].hidden) {
            at = t->path[i];
            break;
        }
    err_set(t->err, t->m->file, t->m->vars[at].line, t->m->vars[at].col,
            "circular definition%s: %s", t->mode == MODE_INIT ? " of initial values" : "", msg);
    t->failed = 1;
}

static void cc_visit(topo *t, int v)
{
    if (t->failed || t->state[v] == 2)
        return;
    const sd_var *sv = &t->m->vars[v];
    if (t->mode != MODE_INIT && sv->kind == SD_STOCK)
        return;
    if (t->state[v] == 1) {
        cc_cycle(t, v);
        return;
    }
    t->state[v] = 1;
    t->path[t->depth++] = v;
    int *deps = NULL;
    size_t nd = 0, cap = 0;
    const ex_node *e = t->mode == MODE_INIT && sv->init_eqn ? sv->init_eqn : sv->eqn;
    if (e)
        cc_deps(t->m, e, t->mode, &deps, &nd, &cap);
    for (size_t i = 0; i < nd && !t->failed; i++)
        cc_visit(t, deps[i]);
    free(deps);
    t->depth--;
    t->state[v] = 2;
    t->order[t->n++] = v;
}

static int *cc_order(const sd_model *m, int mode, size_t *n, eddy_error *err)
{
    topo t = {m, mode, xcalloc(1, m->nvars), xcalloc(1, m->nvars * sizeof(int)), 0,
              xcalloc(1, m->nvars * sizeof(int)), 0, err, 0};
    for (size_t v = 0; v < m->nvars && !t.failed; v++)
        cc_visit(&t, (int)v);
    free(t.state);
    free(t.path);
    if (t.failed) {
        free(t.order);
        return NULL;
    }
    *n = t.n;
    return t.order;
}

/* ---- code ----
 *
 * Three-address code over one array of slots.  Constants get slots of
 * their own (one per distinct value) and TIME, DT, STARTTIME and
 * STOPTIME are slots the VM fills, so a reference to any of them costs
 * no instruction: "c * S" is one MUL, "0.5 * p + 1" one MULADD.
 * Temporaries are numbered from G_TEMP and constants from G_CONST while
 * emitting (how many there are is known only at the end); g_place then
 * moves both to their slots. */

#define G_CONST (1 << 28)
#define G_TEMP (1 << 29)

typedef struct gen {
    sd_model *m;
    sd_prog *p;
    int owner;
    int mode;
    int capture_base;
    int top, max; /* temporaries in use, and the most ever */
    symtab kidx;  /* constant's bits -> its number */
} gen;

static void g_emit(gen *g, int op, int dst, int a, int b, int c)
{
    sd_prog *p = g->p;
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 256;
        p->code = xrealloc(p->code, p->cap * sizeof *p->code);
        p->owner = xrealloc(p->owner, p->cap * sizeof *p->owner);
    }
    p->code[p->n] = (sd_ins){op, dst, a, b, c};
    p->owner[p->n] = g->owner;
    p->n++;
}

static int g_temp(gen *g, int n)
{
    int t = G_TEMP + g->top;
    g->top += n;
    if (g->top > g->max)
        g->max = g->top;
    return t;
}

static int g_const(gen *g, double x)
{
    char key[32];
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    snprintf(key, sizeof key, "%016llx", (unsigned long long)bits);
    int i = st_get(&g->kidx, key);
    if (i < 0) {
        sd_model *m = g->m;
        i = (int)m->nconsts;
        m->consts = xrealloc(m->consts, (m->nconsts + 1) * sizeof *m->consts);
        m->consts[m->nconsts++] = x;
        st_put(&g->kidx, key, i);
    }
    return G_CONST + i;
}

static int g_binop(int op)
{
    switch (op) {
    case '+': return VM_ADD;
    case '-': return VM_SUB;
    case '*': return VM_MUL;
    case '/': return VM_DIV;
    case '^': return VM_POW;
    case OP_MOD: return VM_MODI;
    case '<': return VM_LT;
    case OP_LE: return VM_LE;
    case '>': return VM_GT;
    case OP_GE: return VM_GE;
    case '=': return VM_EQ;
    case OP_NE: return VM_NE;
    case OP_AND: return VM_AND;
    default: return VM_OR;
    }
}

static void g_into(gen *g, const ex_node *n, int dst);

/* The slot of a value that is already in one (a variable, a constant, a
 * captured value, the time), or -1. */
static int g_leaf(gen *g, const ex_node *n)
{
    switch (n->kind) {
    case EX_NUM: return g_const(g, n->num);
    case EX_SLOT: return n->slot;
    case EX_UN:
        return n->op == '+' ? g_leaf(g, n->args[0]) : -1;
    case EX_CALL:
        switch (n->op) {
        case BI_TIME: return G_CONST - 4;
        case BI_DT: return G_CONST - 3;
        case BI_STARTTIME: return G_CONST - 2;
        case BI_STOPTIME: return G_CONST - 1;
        case BI_INIT: /* captured once the initial pass is done */
            return g->mode != MODE_INIT ? g->capture_base + n->slot : -1;
        case BI_PREVIOUS:
            return g->mode == MODE_STEP ? g->capture_base + n->slot : -1;
        default: return -1;
        }
    default: return -1;
    }
}

/* A slot holding n's value: its own, or a temporary computed into. */
static int g_val(gen *g, const ex_node *n)
{
    int s = g_leaf(g, n);
    if (s >= 0)
        return s;
    s = g_temp(g, 1);
    g_into(g, n, s);
    return s;
}

/* Emit code that computes n into slot dst. */
static void g_into(gen *g, const ex_node *n, int dst)
{
    int s = g_leaf(g, n);
    if (s >= 0) {
        g_emit(g, VM_MOV, dst, s, 0, 0);
        return;
    }
    int top = g->top;
    switch (n->kind) {
    case EX_UN:
        s = g_val(g, n->args[0]);
        g_emit(g, n->op == '-' ? VM_NEG : VM_NOT, dst, s, 0, 0);
        break;
    case EX_BIN: {
        const ex_node *l = n->args[0], *r = n->args[1];
        if (n->op == '+' && (l->kind == EX_BIN && l->op == '*')) {
            int x = g_val(g, l->args[0]), y = g_val(g, l->args[1]), z = g_val(g, r);
            g_emit(g, VM_MULADD, dst, x, y, z);
        } else if (n->op == '+' && (r->kind == EX_BIN && r->op == '*')) {
            /* a + b*c is b*c + a: IEEE addition commutes exactly */
            int z = g_val(g, l), x = g_val(g, r->args[0]), y = g_val(g, r->args[1]);
            g_emit(g, VM_MULADD, dst, x, y, z);
        } else {
            int x = g_val(g, l), y = g_val(g, r);
            g_emit(g, g_binop(n->op), dst, x, y, 0);
        }
        break;
    }
    case EX_IF: {
        int c = g_val(g, n->args[0]);
        size_t jz = g->p->n;
        g_emit(g, VM_JZ, 0, c, 0, 0);
        g->top = top;
        g_into(g, n->args[1], dst);
        size_t jmp = g->p->n;
        g_emit(g, VM_JMP, 0, 0, 0, 0);
        g->p->code[jz].b = (int)g->p->n;
        g_into(g, n->args[2], dst);
        g->p->code[jmp].b = (int)g->p->n;
        break;
    }
    case EX_CALL:
        switch (n->op) {
        case BI_LOOKUP:
            s = g_val(g, n->args[0]);
            g_emit(g, VM_GF, dst, s, n->slot, 0);
            break;
        case BI_INIT: /* MODE_INIT: the value itself */
            g_into(g, n->args[0], dst);
            break;
        case BI_PREVIOUS:
            g_into(g, n->args[n->nargs > 1 ? 1 : 0], dst);
            break;
        case BI_DELAY: {
            /* args[0] is the input's slot (for the order); the VM reads it */
            int k = n->nargs - 1, t = g_temp(g, k);
            for (int i = 0; i < k; i++)
                g_into(g, n->args[1 + i], t + i);
            g_emit(g, VM_DELAY, dst, t, k > 1, n->slot);
            break;
        }
        default: {
            int k = n->nargs, t = k ? g_temp(g, k) : 0;
            for (int i = 0; i < k; i++)
                g_into(g, n->args[i], t + i);
            /* a statistical function: c is its call's number (rand.h) */
            if (bi_is_random(n->op))
                g_emit(g, VM_RAND, dst, t, k, n->slot);
            else
                g_emit(g, VM_CALL, dst, t, k, n->op);
            break;
        }
        }
        break;
    default: break;
    }
    g->top = top;
}

/* Flag the instructions of code[from..] that write slot v: their value is
 * a variable's, and the VM checks that it is a number. */
static void g_check(gen *g, size_t from, int v)
{
    for (size_t i = from; i < g->p->n; i++) {
        sd_ins *in = &g->p->code[i];
        if (in->op != VM_JZ && in->op != VM_JMP && in->op != VM_NN && in->dst == v)
            in->op |= VM_CHECK;
    }
}

static void g_var(gen *g, int v, int mode)
{
    const sd_var *sv = &g->m->vars[v];
    g->owner = v;
    g->mode = mode;
    size_t from = g->p->n;
    if (mode == MODE_INIT && sv->init_eqn) /* the value itself, not through a graphical function */
        g_into(g, sv->init_eqn, v);
    else if (sv->gf && sv->kind != SD_STOCK) {
        int x = g_val(g, sv->eqn);
        g_emit(g, VM_GF, v, x, -1 - v, 0); /* negative: the variable's own table */
        g->top = 0;
    } else
        g_into(g, sv->eqn, v);
    g_check(g, from, v);
    if (sv->kind == SD_FLOW && sv->non_negative)
        g_emit(g, VM_NN, v, 0, 0, 0);
}

/* Move the temporaries and constants to their slots.  Fields that are
 * not slots (jump targets, counts, builtin and table numbers) are far
 * below G_CONST - 4 or negative, so every field can be mapped alike. */
static void g_place(sd_prog *p, int const_base, int time_slot, int temp_base)
{
    for (size_t i = 0; i < p->n; i++) {
        sd_ins *in = &p->code[i];
        int *f[4] = {&in->dst, &in->a, &in->b, &in->c};
        for (int j = 0; j < 4; j++) {
            int x = *f[j];
            if (x >= G_TEMP)
                *f[j] = temp_base + (x - G_TEMP);
            else if (x >= G_CONST)
                *f[j] = const_base + (x - G_CONST);
            else if (x >= G_CONST - 4)
                *f[j] = time_slot + (x - (G_CONST - 4));
        }
    }
}

static int cc_emit(cc *c)
{
    sd_model *m = c->m;
    size_t ninit, nstep;
    /* the step order first: a cycle among auxiliaries is reported as such,
     * not as a cycle of initial values */
    int *step = cc_order(m, MODE_STEP, &nstep, c->err);
    if (!step)
        return -1;
    int *init = cc_order(m, MODE_INIT, &ninit, c->err);
    if (!init) {
        free(step);
        return -1;
    }
    size_t ninit0 = 0;
    int *init0 = NULL;
    for (size_t v = 0; v < m->nvars && !init0; v++)
        if (m->vars[v].init_eqn && !(init0 = cc_order(m, MODE_INIT0, &ninit0, c->err))) {
            free(step);
            free(init);
            return -1;
        }
    m->rate_slot = xcalloc(1, m->nvars * sizeof *m->rate_slot);
    m->stocks = xcalloc(1, m->nvars * sizeof *m->stocks);
    m->nn_stocks = xcalloc(1, m->nvars * sizeof *m->nn_stocks);
    for (size_t v = 0; v < m->nvars; v++) {
        m->rate_slot[v] = -1;
        if (m->vars[v].kind == SD_STOCK) {
            m->stocks[m->nstocks++] = (int)v;
            if (m->vars[v].non_negative)
                m->nn_stocks[m->nnn++] = (int)v;
        }
    }
    for (size_t i = 0; i < m->nstocks; i++)
        m->rate_slot[m->stocks[i]] = (int)(m->nvars + i);
    int capture_base = (int)(m->nvars + m->nstocks);
    gen g = {.m = m, .p = &m->init, .mode = MODE_INIT, .capture_base = capture_base};
    st_init(&g.kidx);
    for (size_t i = 0; i < ninit; i++)
        g_var(&g, init[i], MODE_INIT);
    g.p = &m->init0;
    for (size_t i = 0; i < ninit0; i++)
        if (m->vars[init0[i]].kind != SD_STOCK)
            g_var(&g, init0[i], MODE_INIT0);
    g.p = &m->step;
    for (size_t i = 0; i < nstep; i++)
        g_var(&g, step[i], MODE_STEP);
    g.p = &m->rates;
    for (size_t i = 0; i < m->nstocks; i++) {
        int s = m->stocks[i];
        g.owner = s;
        g.mode = MODE_STEP;
        size_t from = g.p->n;
        g_into(&g, m->vars[s].rate, m->rate_slot[s]);
        g_check(&g, from, m->rate_slot[s]);
    }
    st_free(&g.kidx);
    m->const_base = capture_base + c->ncapture;
    m->time_slot = m->const_base + (int)m->nconsts;
    int temp_base = m->time_slot + 4;
    m->nslots = (size_t)temp_base + (size_t)g.max;
    g_place(&m->init, m->const_base, m->time_slot, temp_base);
    g_place(&m->step, m->const_base, m->time_slot, temp_base);
    g_place(&m->rates, m->const_base, m->time_slot, temp_base);
    g_place(&m->init0, m->const_base, m->time_slot, temp_base);
    free(init0);
    free(init);
    free(step);
    return 0;
}

/* INIT and PREVIOUS captures: (source slot, capture slot) pairs. */
static void cc_captures_in(sd_model *m, const ex_node *n, int base)
{
    if (n->kind == EX_CALL && (n->op == BI_INIT || n->op == BI_PREVIOUS)) {
        int src = n->args[0]->slot, dst = base + n->slot;
        if (n->op == BI_INIT) {
            m->init_src = xrealloc(m->init_src, (m->ninit + 1) * sizeof(int));
            m->init_dst = xrealloc(m->init_dst, (m->ninit + 1) * sizeof(int));
            m->init_src[m->ninit] = src;
            m->init_dst[m->ninit++] = dst;
        } else {
            m->prev_src = xrealloc(m->prev_src, (m->nprev + 1) * sizeof(int));
            m->prev_dst = xrealloc(m->prev_dst, (m->nprev + 1) * sizeof(int));
            m->prev_src[m->nprev] = src;
            m->prev_dst[m->nprev++] = dst;
        }
    }
    for (int i = 0; i < n->nargs; i++)
        cc_captures_in(m, n->args[i], base);
}

sd_model *sd_compile(xm_doc *doc, const sd_override *ov, size_t nov, eddy_error *err)
{
    sd_model *m = xcalloc(1, sizeof *m);
    m->doc = doc;
    m->file = xstrdup(doc->file);
    m->start = doc->start;
    m->stop = doc->stop;
    m->dt = doc->dt;
    m->save_step = doc->save_step > 0 ? doc->save_step : doc->dt;
    m->method = doc->method == XM_RK4 ? SD_RK4 : doc->method == XM_RK2 ? SD_RK2 : SD_EULER;
    st_init(&m->keys);
    m->seed = 1;
    cc c = {0};
    c.m = m;
    c.rand_owner = -1;
    c.d = doc;
    c.err = err;
    st_init(&c.dims);
    st_init(&c.elems);
    st_init(&c.arrs);
    st_init(&c.gfs);
    st_init(&c.macros);
    for (size_t i = 0; i < doc->nmacros; i++) {
        char *k = sdn_canon(doc->macros[i].name);
        st_put(&c.macros, k, (int)i);
        free(k);
    }
    int rc = cc_declare(&c);
    if (!rc)
        rc = cc_define_all(&c);
    if (!rc)
        rc = cc_override(&c, ov, nov);
    if (!rc)
        rc = cc_emit(&c);
    if (!rc) {
        int base = (int)(m->nvars + m->nstocks);
        for (size_t i = 0; i < m->nrands; i++)
            m->rands[i].slot = base + m->rands[i].cap;
        for (size_t v = 0; v < m->nvars; v++) {
            if (m->vars[v].eqn)
                cc_captures_in(m, m->vars[v].eqn, base);
            if (m->vars[v].rate)
                cc_captures_in(m, m->vars[v].rate, base);
        }
        m->cols = xcalloc(1, m->nvars * sizeof *m->cols);
        for (size_t v = 0; v < m->nvars; v++)
            if (!m->vars[v].hidden)
                m->cols[m->ncols++] = (int)v;
        m->v = xcalloc(1, m->nslots * sizeof *m->v);
    }
    st_free(&c.dims);
    st_free(&c.elems);
    st_free(&c.arrs);
    st_free(&c.gfs);
    st_free(&c.macros);
    free(c.arr);
    free(c.rel);
    if (rc) {
        sd_free(m);
        return NULL;
    }
    return m;
}
