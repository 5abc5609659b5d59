/* johnson.c -- elementary cycles by Johnson's algorithm (1975).
 *
 * For each start vertex s in turn, only cycles whose lowest vertex is s are
 * looked for, inside the strongly connected component of s in the subgraph
 * of vertices >= s; so each cycle is found exactly once, from its lowest
 * vertex.  The search is iterative (an explicit stack rather than
 * recursion) so that a long chain in a large diagram cannot overflow the C
 * stack. */
#include "johnson.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* One distinct successor w of a vertex, and the links that go there (more
 * than one when a diagram has parallel links of opposite polarity). */
typedef struct succ {
    int to;
    size_t first, count; /* range in jn.grouped */
} succ;

struct cycle_search {
    const cld_graph *g;
    int n;
    size_t *off; /* vertex v's successors are succs[off[v] .. off[v+1]) */
    succ *succs;
    size_t *roff; /* predecessors, for the backward half of the SCC test */
    int *preds;
    int *grouped; /* link indices sorted by (from, to, index) */

    /* state of one search */
    int s;
    unsigned char *in_comp, *blocked;
    int **bl; /* B(v): vertices to unblock when v is */
    size_t *bln, *blcap;
    uint64_t *bbits; /* membership of B(v) as an n x n bit matrix, if small */
    size_t words;
    int *work; /* scratch stack for unblocking and reachability */

    int *cyc;    /* the cycle being reported, as links */
    int *path;   /* vertices on the current path */
    size_t *via; /* via[i]: the successor entry taken from path[i] */
    size_t *pos; /* next successor to try at path[i] */
    unsigned char *found;
    size_t depth;

    /* the current search's filters */
    int minv;                   /* vertices below it are out (Johnson's s) */
    const unsigned char *skip;  /* vertices set here are out, or NULL */
    size_t below;               /* links of this index or above are out */
    int first;                  /* the forced first link, or -1 */
    size_t *pick, *lo, *cnt;    /* the odometer over parallel links */

    cycle_fn fn;
    void *ud;
    bool stop;
};
typedef struct cycle_search jn;

static int cmp_link(const void *a, const void *b, const cld_graph *g)
{
    const cld_link *x = &g->links[*(const int *)a], *y = &g->links[*(const int *)b];
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    if (x->to != y->to)
        return x->to < y->to ? -1 : 1;
    return *(const int *)a < *(const int *)b ? -1 : (*(const int *)a > *(const int *)b);
}

/* qsort has no context argument in C11; a file-local pointer is enough
 * since the sort runs once per call and nothing here is threaded. */
static const cld_graph *sort_graph;
static int cmp_link_q(const void *a, const void *b) { return cmp_link(a, b, sort_graph); }

static void build(jn *J)
{
    const cld_graph *g = J->g;
    int n = J->n;
    size_t m = g->nlinks;
    J->grouped = xcalloc(m, sizeof *J->grouped);
    for (size_t i = 0; i < m; i++)
        J->grouped[i] = (int)i;
    sort_graph = g;
    qsort(J->grouped, m, sizeof *J->grouped, cmp_link_q);

    J->off = xcalloc((size_t)n + 1, sizeof *J->off);
    J->succs = xcalloc(m, sizeof *J->succs);
    size_t ns = 0;
    for (size_t i = 0; i < m;) {
        const cld_link *l = &g->links[J->grouped[i]];
        size_t j = i;
        while (j < m && g->links[J->grouped[j]].from == l->from && g->links[J->grouped[j]].to == l->to)
            j++;
        J->succs[ns++] = (succ){l->to, i, j - i};
        J->off[l->from + 1]++;
        i = j;
    }
    for (int v = 0; v < n; v++)
        J->off[v + 1] += J->off[v];

    J->roff = xcalloc((size_t)n + 1, sizeof *J->roff);
    J->preds = xcalloc(ns, sizeof *J->preds);
    for (size_t i = 0; i < ns; i++)
        J->roff[J->succs[i].to + 1]++;
    for (int v = 0; v < n; v++)
        J->roff[v + 1] += J->roff[v];
    size_t *fill = xcalloc((size_t)n, sizeof *fill);
    for (int v = 0; v < n; v++)
        for (size_t k = J->off[v]; k < J->off[v + 1]; k++) {
            int w = J->succs[k].to;
            J->preds[J->roff[w] + fill[w]++] = v;
        }
    free(fill);
}

static bool pred_ok(const jn *J, int u, int v);

static bool vertex_ok(const jn *J, int w) { return w >= J->minv && !(J->skip && J->skip[w]); }

/* How many of successor entry k's parallel links pass the link filter:
 * they are sorted by index, so the ones that pass come first. */
static size_t links_ok(const jn *J, size_t k)
{
    const succ *e = &J->succs[k];
    size_t c = 0;
    while (c < e->count && (size_t)J->grouped[e->first + c] < J->below)
        c++;
    return c;
}

/* Mark in_comp with the vertices that can be on a cycle through s under
 * the filters: reachable from s (from the forced first link's head, if
 * any) and able to reach s.  Without filters that is s's strongly
 * connected component among vertices >= s.  Returns its size. */
static int component(jn *J, int s)
{
    int n = J->n;
    unsigned char *fwd = J->blocked; /* reused as scratch; reset below */
    memset(fwd, 0, (size_t)n);
    memset(J->in_comp, 0, (size_t)n);
    size_t top = 0;
    int from = J->first >= 0 ? J->g->links[J->first].to : s;
    if (!vertex_ok(J, from) && from != s)
        return 0;
    J->work[top++] = from;
    fwd[from] = 1;
    while (top) {
        int v = J->work[--top];
        if (v == s && from != s)
            continue; /* a cycle does not pass s twice */
        for (size_t k = J->off[v]; k < J->off[v + 1]; k++) {
            int w = J->succs[k].to;
            if (vertex_ok(J, w) && !fwd[w] && links_ok(J, k)) {
                fwd[w] = 1;
                J->work[top++] = w;
            }
        }
    }
    int size = 0;
    J->work[top++] = s;
    J->in_comp[s] = 1;
    while (top) {
        int v = J->work[--top];
        size++;
        for (size_t k = J->roff[v]; k < J->roff[v + 1]; k++) {
            int u = J->preds[k];
            if (vertex_ok(J, u) && fwd[u] && !J->in_comp[u] && pred_ok(J, u, v)) {
                J->in_comp[u] = 1;
                J->work[top++] = u;
            }
        }
    }
    memset(fwd, 0, (size_t)n);
    return size;
}

/* Does some link u -> v pass the link filter?  (For the backward half of
 * the component; only a link limit needs the look.) */
static bool pred_ok(const jn *J, int u, int v)
{
    if (J->below >= J->g->nlinks)
        return true;
    for (size_t k = J->off[u]; k < J->off[u + 1]; k++)
        if (J->succs[k].to == v)
            return links_ok(J, k) > 0;
    return false;
}

static bool in_b(const jn *J, int v, int w) /* is w in B(v)? */
{
    if (J->bbits)
        return (J->bbits[(size_t)v * J->words + (size_t)w / 64] >> (w % 64)) & 1;
    for (size_t i = 0; i < J->bln[v]; i++)
        if (J->bl[v][i] == w)
            return true;
    return false;
}

static void add_b(jn *J, int v, int w)
{
    lu_reserve((void **)&J->bl[v], &J->blcap[v], J->bln[v] + 1, sizeof **J->bl);
    J->bl[v][J->bln[v]++] = w;
    if (J->bbits)
        J->bbits[(size_t)v * J->words + (size_t)w / 64] |= (uint64_t)1 << (w % 64);
}

static void clear_b(jn *J, int v)
{
    if (J->bbits)
        for (size_t i = 0; i < J->bln[v]; i++) {
            int w = J->bl[v][i];
            J->bbits[(size_t)v * J->words + (size_t)w / 64] &= ~((uint64_t)1 << (w % 64));
        }
    J->bln[v] = 0;
}

/* Johnson's UNBLOCK, with a work stack in place of recursion. */
static void unblock(jn *J, int u)
{
    size_t top = 0;
    J->blocked[u] = 0;
    J->work[top++] = u;
    while (top) {
        int v = J->work[--top];
        for (size_t i = 0; i < J->bln[v]; i++) {
            int w = J->bl[v][i];
            if (J->blocked[w]) {
                J->blocked[w] = 0;
                J->work[top++] = w;
            }
        }
        clear_b(J, v);
    }
}

/* The current path closed back to s: report it once per choice of
 * parallel link on each step (an odometer over the multiplicities). */
static void emit(jn *J)
{
    size_t len = J->depth;
    for (size_t i = 0; i < len; i++) {
        const succ *e = &J->succs[J->via[i]];
        J->pick[i] = 0;
        if (i == 0 && J->first >= 0) {
            J->lo[i] = (size_t)-1; /* the forced link alone */
            J->cnt[i] = 1;
        } else {
            J->lo[i] = e->first;
            J->cnt[i] = links_ok(J, J->via[i]);
        }
    }
    for (;;) {
        for (size_t i = 0; i < len; i++)
            J->cyc[i] = J->lo[i] == (size_t)-1 ? J->first : J->grouped[J->lo[i] + J->pick[i]];
        if (!J->fn(J->ud, J->cyc, len)) {
            J->stop = true;
            return;
        }
        size_t i = len;
        while (i > 0) {
            i--;
            if (++J->pick[i] < J->cnt[i])
                break;
            J->pick[i] = 0;
            if (i == 0)
                return;
        }
        if (len == 0)
            return;
    }
}

/* Johnson's CIRCUIT(s), iteratively: each frame is a vertex on the path,
 * the next successor to try, and whether a cycle was found below it. */
static void circuit(jn *J, int s)
{
    int head = J->first >= 0 ? J->g->links[J->first].to : -1;
    J->depth = 1;
    J->path[0] = s;
    J->pos[0] = J->off[s];
    J->found[0] = 0;
    J->blocked[s] = 1;
    while (J->depth && !J->stop) {
        size_t d = J->depth - 1;
        int v = J->path[d];
        if (J->pos[d] < J->off[v + 1]) {
            size_t e = J->pos[d]++;
            int w = J->succs[e].to;
            if (!J->in_comp[w])
                continue;
            if (d == 0 && J->first >= 0 ? w != head : links_ok(J, e) == 0)
                continue;
            if (w == s) {
                J->via[d] = e;
                emit(J);
                J->found[d] = 1;
            } else if (!J->blocked[w]) {
                J->via[d] = e;
                J->path[J->depth] = w;
                J->pos[J->depth] = J->off[w];
                J->found[J->depth] = 0;
                J->blocked[w] = 1;
                J->depth++;
            }
            continue;
        }
        /* v is exhausted.  If no cycle went through it, it stays blocked
         * until one of its successors is unblocked: that is the memo that
         * keeps the search from re-walking dead ends. */
        if (J->found[d]) {
            unblock(J, v);
        } else {
            for (size_t k = J->off[v]; k < J->off[v + 1]; k++) {
                int w = J->succs[k].to;
                if (J->in_comp[w] && !in_b(J, w, v))
                    add_b(J, w, v);
            }
        }
        J->depth--;
        if (J->depth && J->found[d])
            J->found[d - 1] = 1;
    }
}

cycle_search *cycles_search_new(const cld_graph *g)
{
    jn *J = xcalloc(1, sizeof *J);
    J->g = g;
    J->n = (int)g->nvars;
    int n = J->n;
    build(J);
    J->in_comp = xcalloc((size_t)n + 1, 1);
    J->blocked = xcalloc((size_t)n + 1, 1);
    J->bl = xcalloc((size_t)n + 1, sizeof *J->bl);
    J->bln = xcalloc((size_t)n + 1, sizeof *J->bln);
    J->blcap = xcalloc((size_t)n + 1, sizeof *J->blcap);
    J->words = ((size_t)n + 63) / 64;
    /* The bit matrix makes "is v in B(w)" O(1); beyond 8192 variables it
     * would cost more memory than the diagrams are worth, so fall back to
     * scanning the (usually short) lists. */
    if (n <= 8192)
        J->bbits = xcalloc((size_t)n * J->words + 1, sizeof *J->bbits);
    J->work = xcalloc((size_t)n + 1, sizeof *J->work);
    J->path = xcalloc((size_t)n + 1, sizeof *J->path);
    J->via = xcalloc((size_t)n + 1, sizeof *J->via);
    J->pos = xcalloc((size_t)n + 1, sizeof *J->pos);
    J->found = xcalloc((size_t)n + 1, 1);
    J->cyc = xcalloc((size_t)n + 1, sizeof *J->cyc);
    J->pick = xcalloc((size_t)n + 1, sizeof *J->pick);
    J->lo = xcalloc((size_t)n + 1, sizeof *J->lo);
    J->cnt = xcalloc((size_t)n + 1, sizeof *J->cnt);
    return J;
}

void cycles_search_free(cycle_search *J)
{
    if (!J)
        return;
    for (int v = 0; v < J->n; v++)
        free(J->bl[v]);
    free(J->bl);
    free(J->bln);
    free(J->blcap);
    free(J->bbits);
    free(J->in_comp);
    free(J->blocked);
    free(J->work);
    free(J->path);
    free(J->via);
    free(J->pos);
    free(J->found);
    free(J->cyc);
    free(J->pick);
    free(J->lo);
    free(J->cnt);
    free(J->off);
    free(J->succs);
    free(J->roff);
    free(J->preds);
    free(J->grouped);
    free(J);
}

/* One search from s under the filters already set in J. */
static void search_from(jn *J, int s)
{
    if (J->off[s] == J->off[s + 1])
        return;
    int size = component(J, s);
    bool self = false;
    for (size_t k = J->off[s]; k < J->off[s + 1]; k++)
        self = self || J->succs[k].to == s;
    if (size < 2 && !self)
        return;
    for (int v = 0; v < J->n; v++)
        if (J->in_comp[v]) {
            J->blocked[v] = 0;
            clear_b(J, v);
        }
    circuit(J, s);
    for (int v = 0; v < J->n; v++)
        if (J->in_comp[v]) {
            J->blocked[v] = 0;
            clear_b(J, v);
        }
}

bool cycles_each(cycle_search *J, cycle_fn fn, void *ud)
{
    J->fn = fn;
    J->ud = ud;
    J->stop = false;
    J->skip = NULL;
    J->below = J->g->nlinks;
    J->first = -1;
    for (int s = 0; s < J->n && !J->stop; s++) {
        J->minv = s;
        search_from(J, s);
    }
    return !J->stop;
}

bool cycles_through(cycle_search *J, int s, int first, const unsigned char *skip, size_t below, cycle_fn fn,
                    void *ud)
{
    J->fn = fn;
    J->ud = ud;
    J->stop = false;
    J->skip = skip;
    J->below = below;
    J->first = first;
    J->minv = 0;
    if (skip && skip[s])
        return true;
    if (first >= 0 && J->g->links[first].to == s) {
        /* a self-loop: the link alone is the cycle */
        J->stop = !fn(ud, &first, 1);
        return !J->stop;
    }
    search_from(J, s);
    J->first = -1;
    return !J->stop;
}

typedef struct store_ctx {
    cycle_set *cs;
    size_t max;
} store_ctx;

static bool store(void *ud, const int *links, size_t len)
{
    store_ctx *c = ud;
    cycle_set *cs = c->cs;
    if (c->max && cs->n == c->max) {
        cs->capped = true;
        return false;
    }
    lu_reserve((void **)&cs->start, &cs->cap_start, cs->n + 2, sizeof *cs->start);
    size_t at = cs->start[cs->n];
    lu_reserve((void **)&cs->links, &cs->cap_links, at + len, sizeof *cs->links);
    memcpy(cs->links + at, links, len * sizeof *links);
    cs->start[cs->n + 1] = at + len;
    cs->n++;
    return true;
}

void cycles_find(const cld_graph *g, size_t max, cycle_set *out)
{
    memset(out, 0, sizeof *out);
    out->max = max;
    out->start = xcalloc(1, sizeof *out->start);
    out->cap_start = 1;
    if (g->nvars == 0 || g->nlinks == 0)
        return;
    cycle_search *S = cycles_search_new(g);
    store_ctx c = {out, max};
    cycles_each(S, store, &c);
    cycles_search_free(S);
}

void cycles_free(cycle_set *cs)
{
    free(cs->links);
    free(cs->start);
    memset(cs, 0, sizeof *cs);
}
