/* group.c -- grouping loops by their cut, and searching each group on its
 * own (group.h). */
#include "group.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "strongest.h"
#include "util.h"

void group_key(const cld_graph *g, const int *links, size_t len, int *var, int *link)
{
    *var = *link = -1;
    for (size_t i = 0; i < len; i++) {
        int v = g->links[links[i]].from;
        if (g->vars[v].cut && (*var < 0 || v < *var))
            *var = v;
        if (*link < 0 || links[i] > *link)
            *link = links[i];
    }
    if (*var >= 0)
        *link = -1;
}

double group_gain(const cld_graph *g, const int *links, size_t len)
{
    double x = 1;
    for (size_t i = 0; i < len; i++)
        x *= fabs(g->links[links[i]].gain);
    return x;
}

double *group_weights(const cld_graph *g)
{
    double *w = xcalloc(g->nlinks + 1, sizeof *w);
    size_t *in = xcalloc(g->nvars + 1, sizeof *in);
    for (size_t i = 0; i < g->nlinks; i++)
        in[g->links[i].to]++;
    for (size_t i = 0; i < g->nlinks; i++)
        w[i] = fabs(g->links[i].gain) / (double)in[g->links[i].to];
    free(in);
    return w;
}

double group_score(const double *w, const int *links, size_t len)
{
    double x = 1;
    for (size_t i = 0; i < len; i++)
        x *= w[links[i]];
    return x;
}

/* ---- the strongly connected components, for the groups by closing link ---- */

/* Tarjan's algorithm, iteratively, on g without the variables in skip.
 * comp[v] is v's component, or -1 for a skipped variable. */
static void components(const cld_graph *g, const unsigned char *skip, int *comp)
{
    int n = (int)g->nvars;
    size_t *off = xcalloc((size_t)n + 2, sizeof *off);
    int *adj = xcalloc(g->nlinks + 1, sizeof *adj);
    for (size_t i = 0; i < g->nlinks; i++)
        off[g->links[i].from + 1]++;
    for (int v = 0; v < n; v++)
        off[v + 1] += off[v];
    size_t *fill = xcalloc((size_t)n + 1, sizeof *fill);
    for (size_t i = 0; i < g->nlinks; i++) {
        int v = g->links[i].from;
        adj[off[v] + fill[v]++] = g->links[i].to;
    }
    free(fill);
    int *index = xcalloc((size_t)n + 1, sizeof *index), *low = xcalloc((size_t)n + 1, sizeof *low);
    int *stack = xcalloc((size_t)n + 1, sizeof *stack), *call = xcalloc((size_t)n + 1, sizeof *call);
    size_t *pos = xcalloc((size_t)n + 1, sizeof *pos);
    unsigned char *on = xcalloc((size_t)n + 1, 1);
    for (int v = 0; v < n; v++) {
        index[v] = -1;
        comp[v] = -1;
    }
    int next = 0, ncomp = 0;
    size_t top = 0;
    for (int r = 0; r < n; r++) {
        if (index[r] >= 0 || skip[r])
            continue;
        size_t depth = 0;
        call[depth++] = r;
        index[r] = low[r] = next++;
        pos[r] = off[r];
        stack[top++] = r;
        on[r] = 1;
        while (depth) {
            int v = call[depth - 1];
            if (pos[v] < off[v + 1]) {
                int w = adj[pos[v]++];
                if (skip[w])
                    continue;
                if (index[w] < 0) {
                    index[w] = low[w] = next++;
                    pos[w] = off[w];
                    stack[top++] = w;
                    on[w] = 1;
                    call[depth++] = w;
                } else if (on[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            depth--;
            if (depth && low[v] < low[call[depth - 1]])
                low[call[depth - 1]] = low[v];
            if (low[v] == index[v]) {
                int w;
                do {
                    w = stack[--top];
                    on[w] = 0;
                    comp[w] = ncomp;
                } while (w != v);
                ncomp++;
            }
        }
    }
    free(off);
    free(adj);
    free(index);
    free(low);
    free(stack);
    free(call);
    free(pos);
    free(on);
}

/* ---- one group ------------------------------------------------------------------ */

typedef struct gs {
    const cld_graph *g;
    cycle_set *reps;
    loop_group *grp;
    size_t cap;
    /* the strongest loop the strongest-path search closed, so far */
    int *best;
    size_t bestlen, closed;
    double bestscore;
    const double *w;
} gs;

static bool count_one(void *ud, const int *links, size_t len)
{
    gs *c = ud;
    int neg = 0;
    for (size_t i = 0; i < len; i++)
        neg += c->g->links[links[i]].sign < 0;
    if (c->cap && c->grp->count == c->cap) {
        c->grp->exact = false;
        return false;
    }
    c->grp->count++;
    if (neg % 2)
        c->grp->nb++;
    else
        c->grp->nr++;
    return true;
}

/* Keep the strongest loop closed: the highest gain, then the shortest.
 * The search closes its strongest loops first; a few more are looked at
 * in case a later one is as strong and shorter. */
static bool keep_strongest(void *ud, const int *links, size_t len)
{
    gs *c = ud;
    double sc = group_score(c->w, links, len);
    if (!c->bestlen || sc > c->bestscore || (sc == c->bestscore && len < c->bestlen)) {
        memcpy(c->best, links, len * sizeof *links);
        c->bestlen = len;
        c->bestscore = sc;
    }
    return ++c->closed < 16;
}

static size_t add_rep(cycle_set *cs, const int *links, size_t len)
{
    lu_reserve((void **)&cs->start, &cs->cap_start, cs->n + 2, sizeof *cs->start);
    size_t at = cs->start[cs->n];
    lu_reserve((void **)&cs->links, &cs->cap_links, at + len, sizeof *cs->links);
    memcpy(cs->links + at, links, len * sizeof *links);
    cs->start[cs->n + 1] = at + len;
    return cs->n++;
}

static bool same(const cycle_set *cs, size_t i, const int *links, size_t len)
{
    return cycles_len(cs, i) == len && !memcmp(cycles_links(cs, i), links, len * sizeof *links);
}

/* Search the group of loops through f->s (and f->first): count, strongest,
 * shortest.  Adds it to *groups if it has any loop. */
static void one_group(gs *c, cycle_search *J, strong_search *T, const strong_filter *f, int var, int link,
                      loop_group **groups, size_t *n, size_t *capg, int *scratch)
{
    size_t len = strong_shortest(T, f, scratch);
    if (!len)
        return;
    loop_group G = {.var = var, .link = link, .exact = true};
    c->grp = &G;
    cycles_through(J, f->s, f->first, f->skip, f->below, count_one, c);
    c->bestlen = c->closed = 0;
    /* budget: enough to walk the graph a few times over */
    size_t budget = 8 * (c->g->nvars + c->g->nlinks) + 1024;
    G.searched = strong_loops(T, f, budget, keep_strongest, c);
    size_t s = add_rep(c->reps, scratch, len);
    G.shortest = G.strongest = s;
    G.score = group_score(c->w, scratch, len);
    if (c->bestlen && !same(c->reps, s, c->best, c->bestlen) &&
        (c->bestscore > G.score || (c->bestscore == G.score && c->bestlen < len))) {
        G.strongest = add_rep(c->reps, c->best, c->bestlen);
        G.score = c->bestscore;
    }
    G.gain = group_gain(c->g, cycles_links(c->reps, G.strongest), cycles_len(c->reps, G.strongest));
    if (G.count == 0) { /* cannot be: BFS found one; but never claim none */
        G.count = 1;
        G.exact = false;
    }
    lu_reserve((void **)groups, capg, *n + 1, sizeof **groups);
    (*groups)[(*n)++] = G;
}

void group_search(const cld_graph *g, size_t count_cap, cycle_set *reps, loop_group **groups, size_t *ngroups)
{
    memset(reps, 0, sizeof *reps);
    reps->start = xcalloc(1, sizeof *reps->start);
    reps->cap_start = 1;
    *groups = NULL;
    *ngroups = 0;
    size_t capg = 0;
    int n = (int)g->nvars;
    if (n == 0 || g->nlinks == 0)
        return;
    cycle_search *J = cycles_search_new(g);
    strong_search *T = strong_new(g);
    unsigned char *skip = xcalloc((size_t)n + 1, 1);
    int *scratch = xcalloc((size_t)n + 2, sizeof *scratch);
    double *w = group_weights(g);
    gs c = {.g = g, .reps = reps, .cap = count_cap, .w = w};
    c.best = xcalloc((size_t)n + 2, sizeof *c.best);

    /* groups by cut variable, each avoiding the earlier ones */
    for (int v = 0; v < n; v++) {
        if (!g->vars[v].cut)
            continue;
        strong_filter f = {.s = v, .first = -1, .skip = skip, .below = g->nlinks, .comp = NULL};
        one_group(&c, J, T, &f, v, -1, groups, ngroups, &capg, scratch);
        skip[v] = 1;
    }
    /* the rest by closing link, inside the components left without them */
    int *comp = xcalloc((size_t)n + 1, sizeof *comp);
    components(g, skip, comp);
    for (size_t i = 0; i < g->nlinks; i++) {
        const cld_link *l = &g->links[i];
        if (skip[l->from] || skip[l->to] || comp[l->from] != comp[l->to])
            continue;
        strong_filter f = {.s = l->from, .first = (int)i, .skip = skip, .below = i, .comp = comp};
        one_group(&c, J, T, &f, -1, (int)i, groups, ngroups, &capg, scratch);
    }
    free(comp);
    free(c.best);
    free(w);
    free(scratch);
    free(skip);
    strong_free(T);
    cycles_search_free(J);
}
