/* strongest.c -- strongest-path loop discovery and shortest loops
 * (strongest.h).  Both walks are iterative, so a long chain cannot
 * overflow the C stack, and reset only what they touched, so a search
 * costs what it visits, not the size of the graph. */
#include "strongest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "group.h"
#include "util.h"

struct strong_search {
    const cld_graph *g;
    int n;
    size_t *off; /* vertex v's links: adj[off[v] .. off[v+1]), strongest first */
    int *adj;
    double *best; /* the strongest path found to each variable in this search */
    size_t *bestlen;
    unsigned char *on_path;
    int *touched;
    size_t ntouched;
    /* the walk */
    int *vert, *via, *cyc;
    size_t *pos;
    double *score;
    /* breadth-first */
    int *queue, *parent;
    double *w; /* each link's weight (group_weights) */
};

static const cld_graph *sort_g;
static const double *sort_w;
static int by_strength(const void *a, const void *b)
{
    const cld_link *x = &sort_g->links[*(const int *)a], *y = &sort_g->links[*(const int *)b];
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    double gx = sort_w[*(const int *)a], gy = sort_w[*(const int *)b];
    if (gx != gy)
        return gx > gy ? -1 : 1;
    return *(const int *)a < *(const int *)b ? -1 : (*(const int *)a > *(const int *)b);
}

strong_search *strong_new(const cld_graph *g)
{
    strong_search *S = xcalloc(1, sizeof *S);
    S->g = g;
    S->n = (int)g->nvars;
    size_t n = g->nvars + 1, m = g->nlinks;
    S->off = xcalloc(n + 1, sizeof *S->off);
    S->adj = xcalloc(m + 1, sizeof *S->adj);
    for (size_t i = 0; i < m; i++) {
        S->adj[i] = (int)i;
        S->off[g->links[i].from + 1]++;
    }
    for (size_t v = 0; v + 1 < n; v++)
        S->off[v + 1] += S->off[v];
    S->w = group_weights(g);
    sort_g = g; /* qsort has no context argument in C11 */
    sort_w = S->w;
    qsort(S->adj, m, sizeof *S->adj, by_strength);
    S->best = xcalloc(n, sizeof *S->best);
    S->bestlen = xcalloc(n, sizeof *S->bestlen);
    S->on_path = xcalloc(n, 1);
    S->touched = xcalloc(n, sizeof *S->touched);
    S->vert = xcalloc(n + 1, sizeof *S->vert);
    S->via = xcalloc(n + 1, sizeof *S->via);
    S->cyc = xcalloc(n + 1, sizeof *S->cyc);
    S->pos = xcalloc(n + 1, sizeof *S->pos);
    S->score = xcalloc(n + 1, sizeof *S->score);
    S->queue = xcalloc(n, sizeof *S->queue);
    S->parent = xcalloc(n, sizeof *S->parent);
    for (size_t v = 0; v < n; v++)
        S->parent[v] = -2; /* unseen */
    return S;
}

void strong_reweigh(strong_search *S, const double *w)
{
    memcpy(S->w, w, S->g->nlinks * sizeof *S->w);
    sort_g = S->g;
    sort_w = S->w;
    qsort(S->adj, S->g->nlinks, sizeof *S->adj, by_strength);
}

void strong_free(strong_search *S)
{
    if (!S)
        return;
    free(S->off);
    free(S->adj);
    free(S->best);
    free(S->bestlen);
    free(S->on_path);
    free(S->touched);
    free(S->vert);
    free(S->via);
    free(S->cyc);
    free(S->pos);
    free(S->score);
    free(S->queue);
    free(S->parent);
    free(S->w);
    free(S);
}

static bool var_ok(const strong_filter *f, int w)
{
    return !(f->skip && f->skip[w]) && !(f->comp && f->comp[w] != f->comp[f->s]);
}

static void touch(strong_search *S, int v)
{
    if (S->bestlen[v] == 0) /* 0: not touched in this search */
        S->touched[S->ntouched++] = v;
}

static void reset(strong_search *S)
{
    for (size_t i = 0; i < S->ntouched; i++) {
        int v = S->touched[i];
        S->best[v] = 0;
        S->bestlen[v] = 0;
    }
    S->ntouched = 0;
}

/* Is a path of strength sc and length len into w stronger than the best
 * seen there: stronger, or as strong and shorter? */
static bool better(const strong_search *S, int w, double sc, size_t len)
{
    if (S->bestlen[w] == 0)
        return true;
    return sc > S->best[w] || (sc == S->best[w] && len < S->bestlen[w]);
}

bool strong_loops(strong_search *S, const strong_filter *f, size_t budget, cycle_fn fn, void *ud)
{
    const cld_graph *g = S->g;
    int s = f->s;
    if (!var_ok(f, s))
        return true;
    size_t steps = 0;
    bool finished = true;
    /* frame 0 is s; with a forced first link, frame 1 is its head */
    size_t depth = 1;
    S->vert[0] = s;
    S->pos[0] = S->off[s];
    S->score[0] = 1;
    S->on_path[s] = 1;
    if (f->first >= 0) {
        const cld_link *l = &g->links[f->first];
        if (l->to == s) {
            S->on_path[s] = 0;
            fn(ud, &f->first, 1);
            return true;
        }
        if (!var_ok(f, l->to)) {
            S->on_path[s] = 0;
            return true;
        }
        S->pos[0] = S->off[s + 1]; /* nothing else out of s */
        S->via[1] = f->first;
        S->vert[1] = l->to;
        S->pos[1] = S->off[l->to];
        S->score[1] = S->w[f->first];
        S->on_path[l->to] = 1;
        touch(S, l->to);
        S->best[l->to] = S->score[1];
        S->bestlen[l->to] = 1;
        depth = 2;
    }
    bool stop = false;
    while (depth && !stop) {
        size_t d = depth - 1;
        int v = S->vert[d];
        if (S->pos[d] == S->off[v + 1]) {
            S->on_path[v] = 0;
            depth--;
            continue;
        }
        int li = S->adj[S->pos[d]++];
        if (budget && ++steps > budget) {
            finished = false;
            break;
        }
        if ((size_t)li >= f->below)
            continue;
        const cld_link *l = &g->links[li];
        int w = l->to;
        double sc = S->score[d] * S->w[li];
        if (w == s) {
            for (size_t i = 1; i <= d; i++)
                S->cyc[i - 1] = S->via[i];
            S->cyc[d] = li;
            if (!fn(ud, S->cyc, d + 1))
                stop = true;
            continue;
        }
        if (S->on_path[w] || !var_ok(f, w) || !better(S, w, sc, d + 1))
            continue;
        touch(S, w);
        S->best[w] = sc;
        S->bestlen[w] = d + 1;
        S->on_path[w] = 1;
        S->via[depth] = li;
        S->vert[depth] = w;
        S->pos[depth] = S->off[w];
        S->score[depth] = sc;
        depth++;
    }
    for (size_t i = 0; i < depth; i++)
        S->on_path[S->vert[i]] = 0;
    reset(S);
    return finished;
}

size_t strong_shortest(strong_search *S, const strong_filter *f, int *out)
{
    const cld_graph *g = S->g;
    int s = f->s;
    if (!var_ok(f, s))
        return 0;
    size_t head = 0, tail = 0, len = 0;
    int close = -1; /* the link back into s that ends the shortest loop */
    if (f->first >= 0) {
        int h = g->links[f->first].to;
        if (h == s) {
            out[0] = f->first;
            return 1;
        }
        if (!var_ok(f, h))
            return 0;
        S->parent[h] = f->first;
        S->queue[tail++] = h;
    } else {
        S->parent[s] = -1;
        S->queue[tail++] = s;
    }
    while (head < tail && close < 0) {
        int v = S->queue[head++];
        for (size_t k = S->off[v]; k < S->off[v + 1]; k++) {
            int li = S->adj[k];
            if ((size_t)li >= f->below)
                continue;
            int w = g->links[li].to;
            if (w == s) {
                close = li;
                break;
            }
            if (S->parent[w] != -2 || !var_ok(f, w))
                continue;
            S->parent[w] = li;
            S->queue[tail++] = w;
        }
    }
    if (close >= 0) {
        /* walk back from the closing link to s (or to the forced link) */
        int li = close;
        for (;;) {
            out[len++] = li;
            int from = g->links[li].from;
            if (from == s)
                break;
            li = S->parent[from];
        }
        for (size_t i = 0; i < len / 2; i++) {
            int t = out[i];
            out[i] = out[len - 1 - i];
            out[len - 1 - i] = t;
        }
    }
    for (size_t i = 0; i < tail; i++)
        S->parent[S->queue[i]] = -2;
    S->parent[s] = -2;
    return len;
}
