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

typedef struct jn {
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

    int *path;   /* vertices on the current path */
    size_t *via; /* via[i]: the successor entry taken from path[i] */
    size_t *pos; /* next successor to try at path[i] */
    unsigned char *found;
    size_t depth;

    size_t max;
    cycle_set *out;
    bool stop;
} jn;

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
    J->grouped = lu_alloc(m, sizeof *J->grouped);
    for (size_t i = 0; i < m; i++)
        J->grouped[i] = (int)i;
    sort_graph = g;
    qsort(J->grouped, m, sizeof *J->grouped, cmp_link_q);

    J->off = lu_alloc((size_t)n + 1, sizeof *J->off);
    J->succs = lu_alloc(m, sizeof *J->succs);
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

    J->roff = lu_alloc((size_t)n + 1, sizeof *J->roff);
    J->preds = lu_alloc(ns, sizeof *J->preds);
    for (size_t i = 0; i < ns; i++)
        J->roff[J->succs[i].to + 1]++;
    for (int v = 0; v < n; v++)
        J->roff[v + 1] += J->roff[v];
    size_t *fill = lu_alloc((size_t)n, sizeof *fill);
    for (int v = 0; v < n; v++)
        for (size_t k = J->off[v]; k < J->off[v + 1]; k++) {
            int w = J->succs[k].to;
            J->preds[J->roff[w] + fill[w]++] = v;
        }
    free(fill);
}

/* Mark in_comp with the strongly connected component of s among vertices
 * >= s: the vertices reachable from s that can also reach s.  Returns its
 * size. */
static int component(jn *J, int s)
{
    int n = J->n;
    unsigned char *fwd = J->blocked; /* reused as scratch; reset below */
    memset(fwd, 0, (size_t)n);
    memset(J->in_comp, 0, (size_t)n);
    size_t top = 0;
    J->work[top++] = s;
    fwd[s] = 1;
    while (top) {
        int v = J->work[--top];
        for (size_t k = J->off[v]; k < J->off[v + 1]; k++) {
            int w = J->succs[k].to;
            if (w >= s && !fwd[w]) {
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
            if (u >= s && fwd[u] && !J->in_comp[u]) {
                J->in_comp[u] = 1;
                J->work[top++] = u;
            }
        }
    }
    memset(fwd, 0, (size_t)n);
    return size;
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

static void emit_one(jn *J, const size_t *pick, size_t len)
{
    cycle_set *cs = J->out;
    if (J->max && cs->n == J->max) {
        cs->capped = true;
        J->stop = true;
        return;
    }
    lu_reserve((void **)&cs->start, &cs->cap_start, cs->n + 2, sizeof *cs->start);
    size_t at = cs->start[cs->n];
    lu_reserve((void **)&cs->links, &cs->cap_links, at + len, sizeof *cs->links);
    for (size_t i = 0; i < len; i++) {
        const succ *e = &J->succs[J->via[i]];
        cs->links[at + i] = J->grouped[e->first + pick[i]];
    }
    cs->start[cs->n + 1] = at + len;
    cs->n++;
}

/* The current path closed back to s: report it once per choice of
 * parallel link on each step (an odometer over the multiplicities). */
static void emit(jn *J, size_t *pick)
{
    size_t len = J->depth;
    memset(pick, 0, len * sizeof *pick);
    for (;;) {
        emit_one(J, pick, len);
        if (J->stop)
            return;
        size_t i = len;
        while (i > 0) {
            i--;
            if (++pick[i] < J->succs[J->via[i]].count)
                break;
            pick[i] = 0;
            if (i == 0)
                return;
        }
        if (len == 0)
            return;
    }
}

/* Johnson's CIRCUIT(s), iteratively: each frame is a vertex on the path,
 * the next successor to try, and whether a cycle was found below it. */
static void circuit(jn *J, int s, size_t *pick)
{
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
            if (w == s) {
                J->via[d] = e;
                emit(J, pick);
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

void cycles_find(const cld_graph *g, size_t max, cycle_set *out)
{
    memset(out, 0, sizeof *out);
    out->max = max;
    out->start = lu_alloc(1, sizeof *out->start);
    out->cap_start = 1;
    jn J = {0};
    J.g = g;
    J.n = (int)g->nvars;
    J.max = max;
    J.out = out;
    int n = J.n;
    if (n == 0 || g->nlinks == 0)
        return;
    build(&J);
    J.in_comp = lu_alloc((size_t)n, 1);
    J.blocked = lu_alloc((size_t)n, 1);
    J.bl = lu_alloc((size_t)n, sizeof *J.bl);
    J.bln = lu_alloc((size_t)n, sizeof *J.bln);
    J.blcap = lu_alloc((size_t)n, sizeof *J.blcap);
    J.words = ((size_t)n + 63) / 64;
    /* The bit matrix makes "is v in B(w)" O(1); beyond 8192 variables it
     * would cost more memory than the diagrams are worth, so fall back to
     * scanning the (usually short) lists. */
    if (n <= 8192)
        J.bbits = lu_alloc((size_t)n * J.words, sizeof *J.bbits);
    J.work = lu_alloc((size_t)n + 1, sizeof *J.work);
    J.path = lu_alloc((size_t)n + 1, sizeof *J.path);
    J.via = lu_alloc((size_t)n + 1, sizeof *J.via);
    J.pos = lu_alloc((size_t)n + 1, sizeof *J.pos);
    J.found = lu_alloc((size_t)n + 1, 1);
    size_t *pick = lu_alloc((size_t)n + 1, sizeof *pick);

    for (int s = 0; s < n && !J.stop; s++) {
        if (J.off[s] == J.off[s + 1])
            continue;
        int size = component(&J, s);
        bool self = false;
        for (size_t k = J.off[s]; k < J.off[s + 1]; k++)
            self = self || J.succs[k].to == s;
        if (size < 2 && !self)
            continue;
        for (int v = s; v < n; v++)
            if (J.in_comp[v]) {
                J.blocked[v] = 0;
                clear_b(&J, v);
            }
        circuit(&J, s, pick);
        for (int v = s; v < n; v++)
            if (J.in_comp[v]) {
                J.blocked[v] = 0;
                clear_b(&J, v);
            }
    }

    for (int v = 0; v < n; v++)
        free(J.bl[v]);
    free(J.bl);
    free(J.bln);
    free(J.blcap);
    free(J.bbits);
    free(J.in_comp);
    free(J.blocked);
    free(J.work);
    free(J.path);
    free(J.via);
    free(J.pos);
    free(J.found);
    free(pick);
    free(J.off);
    free(J.succs);
    free(J.roff);
    free(J.preds);
    free(J.grouped);
}

void cycles_free(cycle_set *cs)
{
    free(cs->links);
    free(cs->start);
    memset(cs, 0, sizeof *cs);
}
