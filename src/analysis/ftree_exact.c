/* ftree_exact.c -- a fault tree's exact probability, minimal cut sets and
 * importance, from one BDD (see ftree_exact.h). */
#include "ftree_exact.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/bdd.h"
#include "../core/xalloc.h"

/* ---- the variable order -------------------------------------------------- */

typedef struct fx_order {
    const fault_tree *t;
    int *refs;      /* gates each event is an input of */
    char *seen;     /* variable placed */
    char *gseen;
    uint32_t *level;
    uint32_t next;
    int pass;       /* 0: shared events only, 1: the rest */
} fx_order;

static void fx_place(fx_order *o, size_t v)
{
    if (o->seen[v])
        return;
    o->seen[v] = 1;
    o->level[v] = o->next++;
}

static void fx_place_event(fx_order *o, int e)
{
    const ft_event *ev = &o->t->events[e];
    bool shared = o->refs[e] > 1 || ev->ccf >= 0;
    if (ev->kind == FT_EVENT_BEYOND) /* it is only ever ANDed with its parent: keep them together */
        shared = o->refs[ev->parent] > 1;
    if (o->pass == 0 && !shared)
        return;
    if (ev->kind == FT_EVENT_BEYOND)
        fx_place(o, (size_t)ev->parent);
    fx_place(o, (size_t)e);
    if (ev->ccf >= 0)
        fx_place(o, o->t->nevents + (size_t)ev->ccf);
}

static void fx_visit(fx_order *o, int g)
{
    if (o->gseen[g])
        return;
    o->gseen[g] = 1;
    const ft_gate *G = &o->t->gates[g];
    for (size_t i = 0; i < G->nargs; i++) {
        int a = G->args[i];
        if (FT_IS_GATE(a))
            fx_visit(o, FT_GATE_INDEX(a));
        else
            fx_place_event(o, a);
    }
}

static uint32_t *fx_order_vars(const fault_tree *t)
{
    size_t nv = ft_nvars(t);
    fx_order o = {.t = t};
    o.refs = xcalloc(t->nevents, sizeof *o.refs);
    o.seen = xcalloc(nv, 1);
    o.gseen = xcalloc(t->ngates, 1);
    o.level = xcalloc(nv, sizeof *o.level);
    for (size_t g = 0; g < t->ngates; g++)
        for (size_t i = 0; i < t->gates[g].nargs; i++)
            if (!FT_IS_GATE(t->gates[g].args[i]))
                o.refs[t->gates[g].args[i]]++;
    for (o.pass = 0; o.pass < 2; o.pass++) {
        memset(o.gseen, 0, t->ngates ? t->ngates : 1);
        for (size_t i = 0; i < t->ntops; i++)
            fx_visit(&o, t->tops[i]);
    }
    for (size_t v = 0; v < nv; v++) /* not under any top: last */
        fx_place(&o, v);
    free(o.refs);
    free(o.seen);
    free(o.gseen);
    return o.level;
}

/* ---- minimal cut sets (Rauzy) --------------------------------------------- */

typedef struct fx_list {
    ft_cutset *v;
    size_t n, cap;
    bool done, truncated;
} fx_list;

typedef struct fx_mcs {
    const bdd *b;
    const double *plevel;
    fx_list *memo;
    double cutoff;
    size_t limit;
} fx_mcs;

static void fx_push(fx_list *l, size_t order, uint32_t first, const uint32_t *rest, double p)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 4;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    ft_cutset *c = &l->v[l->n++];
    c->order = order;
    c->p = p;
    c->vars = xcalloc(order, sizeof *c->vars);
    size_t off = 0;
    if (first != UINT32_MAX)
        c->vars[off++] = first;
    if (order > off)
        memcpy(c->vars + off, rest, (order - off) * sizeof *rest);
}

/* a is a subset of b; both ascending. */
static bool fx_subset(const ft_cutset *a, const ft_cutset *b)
{
    if (a->order > b->order)
        return false;
    size_t j = 0;
    for (size_t i = 0; i < a->order; i++) {
        while (j < b->order && b->vars[j] < a->vars[i])
            j++;
        if (j == b->order || b->vars[j] != a->vars[i])
            return false;
        j++;
    }
    return true;
}

static fx_list *fx_solve(fx_mcs *m, bdd_ref f)
{
    fx_list *r = &m->memo[f];
    if (r->done)
        return r;
    r->done = true;
    if (f == BDD_FALSE)
        return r;
    if (f == BDD_TRUE) {
        fx_push(r, 0, UINT32_MAX, NULL, 1.0);
        return r;
    }
    const bdd_node *d = &bdd_nodes(m->b)[f];
    fx_list *lo = fx_solve(m, d->lo), *hi = fx_solve(m, d->hi);
    r = &m->memo[f];
    r->truncated = lo->truncated || hi->truncated;
    for (size_t i = 0; i < lo->n; i++)
        fx_push(r, lo->v[i].order, UINT32_MAX, lo->v[i].vars, lo->v[i].p);
    double pv = m->plevel[d->var];
    for (size_t i = 0; i < hi->n; i++) {
        const ft_cutset *c = &hi->v[i];
        /* The function is monotone, so lo implies hi: a product of hi that
         * contains a product of lo is not minimal once d->var is added.
         * (A product of lo dropped by the cut-off only covers products
         * at least as improbable, which are dropped too.) */
        bool covered = false;
        for (size_t j = 0; j < lo->n && !covered; j++)
            covered = fx_subset(&lo->v[j], c);
        if (covered)
            continue;
        double p = c->p * pv;
        if ((m->cutoff > 0 && p < m->cutoff) || (m->limit && c->order + 1 > m->limit)) {
            r->truncated = true;
            continue;
        }
        fx_push(r, c->order + 1, d->var, c->vars, p);
    }
    return r;
}

static int fx_cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int fx_cmp_cutset(const void *a, const void *b)
{
    const ft_cutset *x = a, *y = b;
    if (x->p != y->p)
        return x->p > y->p ? -1 : 1;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    for (size_t i = 0; i < x->order; i++) /* then by variable: deterministic */
        if (x->vars[i] != y->vars[i])
            return x->vars[i] < y->vars[i] ? -1 : 1;
    return 0;
}

/* ---- the analysis -------------------------------------------------------- */

static void fx_mark_vars(const fault_tree *t, int g, char *gseen, char *in)
{
    if (gseen[g])
        return;
    gseen[g] = 1;
    const ft_gate *G = &t->gates[g];
    for (size_t i = 0; i < G->nargs; i++) {
        int a = G->args[i];
        if (FT_IS_GATE(a)) {
            fx_mark_vars(t, FT_GATE_INDEX(a), gseen, in);
        } else {
            in[a] = 1;
            if (t->events[a].ccf >= 0)
                in[t->nevents + (size_t)t->events[a].ccf] = 1;
        }
    }
}

ft_exact *ft_exact_run(const fault_tree *t, const ft_options *o)
{
    size_t nv = ft_nvars(t);
    ft_exact *x = xcalloc(1, sizeof *x);
    x->t = t;
    x->nvars = nv;
    x->p = xcalloc(nv, sizeof *x->p);
    ft_var_probs(t, x->p);
    x->level = fx_order_vars(t);
    uint32_t *var_at = xcalloc(nv, sizeof *var_at);
    double *plevel = xcalloc(nv, sizeof *plevel);
    for (size_t v = 0; v < nv; v++) {
        var_at[x->level[v]] = (uint32_t)v;
        plevel[x->level[v]] = x->p[v];
    }

    bdd *b = bdd_new((uint32_t)nv);
    int *order = xcalloc(t->ngates, sizeof *order);
    size_t ng = ft_topo_order(t, order);
    bdd_ref *gf = xcalloc(t->ngates, sizeof *gf);
    bdd_ref *args = NULL;
    size_t cap = 0;
    for (size_t i = 0; i < ng; i++) {
        const ft_gate *G = &t->gates[order[i]];
        if (G->nargs > cap) {
            cap = G->nargs;
            args = xrealloc(args, cap * sizeof *args);
        }
        for (size_t j = 0; j < G->nargs; j++) {
            int a = G->args[j];
            if (FT_IS_GATE(a)) {
                args[j] = gf[FT_GATE_INDEX(a)];
            } else {
                args[j] = bdd_var(b, x->level[a]);
                if (t->events[a].ccf >= 0)
                    args[j] = bdd_or(b, args[j], bdd_var(b, x->level[t->nevents + (size_t)t->events[a].ccf]));
            }
        }
        bdd_ref r;
        switch (G->kind) {
        case FT_AND:
            r = BDD_TRUE;
            for (size_t j = 0; j < G->nargs; j++)
                r = bdd_and(b, r, args[j]);
            break;
        case FT_OR:
            r = BDD_FALSE;
            for (size_t j = 0; j < G->nargs; j++)
                r = bdd_or(b, r, args[j]);
            break;
        default:
            r = bdd_atleast(b, G->k, args, G->nargs);
            break;
        }
        gf[order[i]] = r;
    }
    free(args);
    free(order);

    x->tops = xcalloc(t->ntops, sizeof *x->tops);
    double *birn = xcalloc(nv, sizeof *birn);
    char *in = xcalloc(nv, 1), *gseen = xcalloc(t->ngates, 1);
    size_t maxref = 0;
    for (size_t i = 0; i < t->ntops; i++)
        if (gf[t->tops[i]] > maxref)
            maxref = gf[t->tops[i]];
    fx_mcs m = {.b = b, .plevel = plevel, .cutoff = o->cutoff, .limit = o->limit_order > 0 ? (size_t)o->limit_order : 0};
    m.memo = xcalloc(maxref + 1, sizeof *m.memo);
    for (size_t i = 0; i < t->ntops; i++) {
        ft_top_result *r = &x->tops[i];
        bdd_ref f = gf[t->tops[i]];
        r->p = bdd_birnbaum(b, f, plevel, birn);
        if (o->importance) {
            memset(in, 0, nv);
            memset(gseen, 0, t->ngates ? t->ngates : 1);
            fx_mark_vars(t, t->tops[i], gseen, in);
            r->imp = xcalloc(nv, sizeof *r->imp);
            for (size_t v = 0; v < nv; v++) {
                ft_importance *im = &r->imp[v];
                double p = x->p[v], mif = birn[x->level[v]];
                double p1 = r->p + (1 - p) * mif, p0 = r->p - p * mif;
                im->in_tree = in[v];
                im->p = p;
                im->mif = mif;
                im->cif = r->p > 0 ? p * mif / r->p : 0;
                im->dif = r->p > 0 ? p * p1 / r->p : 0;
                im->raw = r->p > 0 ? p1 / r->p : 0;
                im->rrw = p0 > 0 ? r->p / p0 : INFINITY;
            }
        }
        fx_list *l = fx_solve(&m, f);
        r->truncated = l->truncated;
        r->ncutsets = l->n;
        r->cutsets = xcalloc(l->n, sizeof *r->cutsets);
        for (size_t c = 0; c < l->n; c++) {
            ft_cutset *cs = &r->cutsets[c];
            cs->order = l->v[c].order;
            cs->p = l->v[c].p;
            cs->vars = xcalloc(cs->order, sizeof *cs->vars);
            for (size_t k = 0; k < cs->order; k++)
                cs->vars[k] = var_at[l->v[c].vars[k]];
            qsort(cs->vars, cs->order, sizeof *cs->vars, fx_cmp_u32);
        }
        qsort(r->cutsets, r->ncutsets, sizeof *r->cutsets, fx_cmp_cutset);
    }
    for (size_t i = 0; i <= maxref; i++) {
        for (size_t c = 0; c < m.memo[i].n; c++)
            free(m.memo[i].v[c].vars);
        free(m.memo[i].v);
    }
    free(m.memo);
    free(in);
    free(gseen);
    free(birn);
    free(gf);
    free(var_at);
    free(plevel);
    x->bdd_nodes = bdd_size(b);
    bdd_free(b);
    return x;
}

void ft_exact_free(ft_exact *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->t->ntops; i++) {
        for (size_t c = 0; c < x->tops[i].ncutsets; c++)
            free(x->tops[i].cutsets[c].vars);
        free(x->tops[i].cutsets);
        free(x->tops[i].imp);
    }
    free(x->tops);
    free(x->p);
    free(x->level);
    free(x);
}
