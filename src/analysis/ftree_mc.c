/* ftree_mc.c -- bit-parallel Monte Carlo over a fault tree (ftree_mc.h). */
#include "ftree_mc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "../core/xalloc.h"

typedef struct mc_var {
    uint64_t next;    /* the next trial this variable is down in */
    double inv_log;   /* 1 / log(1 - p): geometric gaps */
    int mode;         /* 0 never, 1 always, 2 geometric, 3 beyond */
} mc_var;

#define MC_NEVER UINT64_MAX

static uint64_t mc_gap(const mc_var *v, rng *r)
{
    double g = floor(log(rng_unif_pos(r)) * v->inv_log);
    return g >= 9e18 ? MC_NEVER / 2 : (uint64_t)g;
}

void ft_mc_wilson(uint64_t hits, uint64_t n, double *lo, double *hi)
{
    if (n == 0) {
        *lo = 0;
        *hi = 1;
        return;
    }
    double z = 1.959963984540054, p = (double)hits / (double)n, nn = (double)n;
    double den = 1 + z * z / nn, mid = (p + z * z / (2 * nn)) / den;
    double half = z * sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn)) / den;
    *lo = mid - half < 0 ? 0 : mid - half;
    *hi = mid + half > 1 ? 1 : mid + half;
}

void ft_mc_run(const fault_tree *t, uint64_t trials, uint64_t seed, ft_mc_top *out)
{
    size_t nv = ft_nvars(t), ne = t->nevents;
    double *p = xcalloc(nv ? nv : 1, sizeof *p);
    mc_var *v = xcalloc(nv ? nv : 1, sizeof *v);
    uint64_t *mask = xcalloc(nv ? nv : 1, sizeof *mask);
    uint64_t *gv = xcalloc(t->ngates ? t->ngates : 1, sizeof *gv);
    int *order = xcalloc(t->ngates ? t->ngates : 1, sizeof *order);
    size_t ng = ft_topo_order(t, order);
    size_t maxk = 0;
    for (size_t g = 0; g < t->ngates; g++)
        if (t->gates[g].kind == FT_ATLEAST && (size_t)t->gates[g].k > maxk)
            maxk = (size_t)t->gates[g].k;
    uint64_t *atl = xcalloc(maxk + 1, sizeof *atl); /* k-of-n: atl[j] = "at least j down" */
    ft_var_probs(t, p);
    rng r;
    rng_stream(&r, seed, "avail-monte-carlo", 0);
    for (size_t i = 0; i < nv; i++) {
        if (i < ne && t->events[i].kind == FT_EVENT_BEYOND) {
            v[i].mode = 3;
        } else if (p[i] <= 0) {
            v[i].mode = 0;
        } else if (p[i] >= 1) {
            v[i].mode = 1;
        } else {
            v[i].mode = 2;
            v[i].inv_log = 1 / log1p(-p[i]);
            v[i].next = mc_gap(&v[i], &r);
        }
    }
    for (size_t k = 0; k < t->ntops; k++)
        out[k].hits = 0;

    for (uint64_t base = 0; base < trials; base += 64) {
        uint64_t live = trials - base >= 64 ? ~0ull : (1ull << (trials - base)) - 1;
        for (size_t i = 0; i < nv; i++) {
            uint64_t m = 0;
            switch (v[i].mode) {
            case 1:
                m = ~0ull;
                break;
            case 2:
                while (v[i].next < base + 64) {
                    m |= 1ull << (v[i].next - base);
                    uint64_t gap = mc_gap(&v[i], &r);
                    v[i].next += 1 + gap;
                }
                break;
            case 3: { /* parent (a lower index) is decided: time its outages */
                const ft_event *e = &t->events[i];
                for (uint64_t pm = mask[e->parent]; pm; pm &= pm - 1)
                    if (repair_sample_age(&t->events[e->parent].mttr, &r) > e->grace)
                        m |= pm & -pm;
                break;
            }
            default:
                break;
            }
            mask[i] = m;
        }
        for (size_t oi = 0; oi < ng; oi++) {
            const ft_gate *G = &t->gates[order[oi]];
            uint64_t acc = G->kind == FT_AND ? ~0ull : 0;
            if (G->kind == FT_ATLEAST) {
                atl[0] = ~0ull;
                for (int j = 1; j <= G->k; j++)
                    atl[j] = 0;
            }
            for (size_t j = 0; j < G->nargs; j++) {
                int a = G->args[j];
                uint64_t x;
                if (FT_IS_GATE(a)) {
                    x = gv[FT_GATE_INDEX(a)];
                } else {
                    x = mask[a];
                    if (t->events[a].ccf >= 0)
                        x |= mask[ne + (size_t)t->events[a].ccf];
                }
                if (G->kind == FT_AND)
                    acc &= x;
                else if (G->kind == FT_OR)
                    acc |= x;
                else
                    for (int c = G->k; c >= 1; c--)
                        atl[c] |= atl[c - 1] & x;
            }
            gv[order[oi]] = G->kind == FT_ATLEAST ? atl[G->k] : acc;
        }
        for (size_t k = 0; k < t->ntops; k++)
            out[k].hits += (uint64_t)__builtin_popcountll(gv[t->tops[k]] & live);
    }
    for (size_t k = 0; k < t->ntops; k++) {
        out[k].p = trials ? (double)out[k].hits / (double)trials : 0;
        ft_mc_wilson(out[k].hits, trials, &out[k].lo, &out[k].hi);
    }
    free(p);
    free(v);
    free(mask);
    free(gv);
    free(order);
    free(atl);
}

/* ---- histories ------------------------------------------------------------- */

enum { H_NEVER, H_ALWAYS, H_PROCESS, H_BEYOND };

/* What every history shares, read-only. */
typedef struct hist_ctx {
    const fault_tree *t;
    size_t nv, ne, ng, maxk;
    int *order;
    int *kind;              /* H_* per variable */
    double *p, *up_mean;    /* P(down), mean up time (seconds) */
    const repair **rep;     /* repair law per variable */
    int *first_child, *next_child; /* beyond events by parent: a linked list */
    /* A change re-evaluates only what it reaches: the gates each variable
     * feeds, and each gate's parents (compressed rows), in topological
     * order (pos: a gate's place in it, -1 if no top reaches it). */
    int *pos, *vg_start, *vg, *par_start, *par;
    repair fixed;           /* for events with a bare probability */
    double horizon;
    size_t reps;
    uint64_t seed;
    double *u;              /* reps x ntops: each history's time fraction down */
    uint64_t *changes;      /* per history */
} hist_ctx;

/* An indexed binary min-heap of variables by their next change. */
typedef struct hist_heap {
    int *h, *pos;
    size_t n;
    const double *key;
} hist_heap;

static void hh_swap(hist_heap *H, size_t i, size_t j)
{
    int a = H->h[i], b = H->h[j];
    H->h[i] = b;
    H->h[j] = a;
    H->pos[b] = (int)i;
    H->pos[a] = (int)j;
}

static void hh_fix(hist_heap *H, size_t i)
{
    while (i > 0 && H->key[H->h[i]] < H->key[H->h[(i - 1) / 2]]) {
        hh_swap(H, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < H->n && H->key[H->h[l]] < H->key[H->h[m]])
            m = l;
        if (r < H->n && H->key[H->h[r]] < H->key[H->h[m]])
            m = r;
        if (m == i)
            return;
        hh_swap(H, i, m);
        i = m;
    }
}

static double hist_exp(double mean, rng *r) { return -mean * log(rng_unif_pos(r)); }

/* Gate g's value over the state x and its inputs' values gv. */
static uint8_t hist_gate(const hist_ctx *c, int g, const uint8_t *x, const uint8_t *gv)
{
    const fault_tree *t = c->t;
    const ft_gate *G = &t->gates[g];
    int count = 0, acc = G->kind == FT_AND;
    for (size_t j = 0; j < G->nargs; j++) {
        int a = G->args[j], v;
        if (FT_IS_GATE(a))
            v = gv[FT_GATE_INDEX(a)];
        else
            v = x[a] | (t->events[a].ccf >= 0 ? x[c->ne + (size_t)t->events[a].ccf] : 0);
        if (G->kind == FT_AND)
            acc &= v;
        else if (G->kind == FT_OR)
            acc |= v;
        else
            count += v;
    }
    return (uint8_t)(G->kind == FT_ATLEAST ? count >= G->k : acc);
}

/* After variable v changed: the gates it reaches, in topological order,
 * stopping where a gate's value does not change. */
static void hist_update(const hist_ctx *c, int v, const uint8_t *x, uint8_t *gv, uint8_t *dirty)
{
    size_t from = c->ng;
    for (int i = c->vg_start[v]; i < c->vg_start[v + 1]; i++) {
        int g = c->vg[i];
        dirty[g] = 1;
        if ((size_t)c->pos[g] < from)
            from = (size_t)c->pos[g];
    }
    for (size_t oi = from; oi < c->ng; oi++) {
        int g = c->order[oi];
        if (!dirty[g])
            continue;
        dirty[g] = 0;
        uint8_t nv = hist_gate(c, g, x, gv);
        if (nv == gv[g])
            continue;
        gv[g] = nv;
        for (int i = c->par_start[g]; i < c->par_start[g + 1]; i++)
            dirty[c->par[i]] = 1;
    }
}

/* One history: every variable's up/down renewal process over [0, horizon),
 * started in its stationary state, and the time each top spends down. */
static void hist_one(size_t rep, void *ud)
{
    const hist_ctx *c = ud;
    const fault_tree *t = c->t;
    size_t nv = c->nv;
    uint8_t *x = xcalloc(nv ? nv : 1, 1), *gv = xcalloc(t->ngates ? t->ngates : 1, 1);
    uint8_t *dirty = xcalloc(t->ngates ? t->ngates : 1, 1);
    double *next = xcalloc(nv ? nv : 1, sizeof *next), *acc = xcalloc(t->ntops ? t->ntops : 1, sizeof *acc);
    int *heap = xcalloc(nv ? nv : 1, sizeof *heap), *pos = xcalloc(nv ? nv : 1, sizeof *pos);
    rng r;
    rng_stream(&r, c->seed, "avail-histories", (uint32_t)rep);
    for (size_t v = 0; v < nv; v++)
        next[v] = INFINITY;
    for (size_t v = 0; v < nv; v++) {
        if (c->kind[v] == H_ALWAYS) {
            x[v] = 1;
        } else if (c->kind[v] == H_PROCESS) {
            if (rng_unif(&r) < c->p[v]) {
                double age, left;
                repair_sample_in_progress(c->rep[v], &r, &age, &left);
                x[v] = 1;
                next[v] = left;
                for (int b = c->first_child[v]; b >= 0; b = c->next_child[b]) {
                    double g = t->events[b].grace;
                    if (age > g)
                        x[b] = 1;
                    else if (age + left > g)
                        next[b] = g - age;
                }
            } else {
                next[v] = hist_exp(c->up_mean[v], &r);
            }
        }
    }
    hist_heap H = {heap, pos, 0, next};
    for (size_t v = 0; v < nv; v++) {
        H.h[H.n] = (int)v;
        H.pos[v] = (int)H.n;
        hh_fix(&H, H.n++);
    }
    for (size_t oi = 0; oi < c->ng; oi++)
        gv[c->order[oi]] = hist_gate(c, c->order[oi], x, gv);
    double now = 0;
    uint64_t changes = 0;
    for (;;) {
        int v = H.h[0];
        double tn = next[v];
        if (!(tn < c->horizon))
            break;
        for (size_t k = 0; k < t->ntops; k++)
            if (gv[t->tops[k]])
                acc[k] += tn - now;
        now = tn;
        changes++;
        if (c->kind[v] == H_BEYOND) { /* its parent's outage has lasted the grace */
            x[v] = 1;
            next[v] = INFINITY;
            hist_update(c, v, x, gv, dirty);
        } else if (!x[v]) { /* fails: a repair starts */
            double R = repair_sample(c->rep[v], &r);
            x[v] = 1;
            next[v] = now + R;
            for (int b = c->first_child[v]; b >= 0; b = c->next_child[b])
                if (R > t->events[b].grace) {
                    next[b] = now + t->events[b].grace;
                    hh_fix(&H, (size_t)H.pos[b]);
                }
        } else { /* repaired */
            x[v] = 0;
            next[v] = now + hist_exp(c->up_mean[v], &r);
            for (int b = c->first_child[v]; b >= 0; b = c->next_child[b]) {
                if (x[b]) {
                    x[b] = 0;
                    hist_update(c, b, x, gv, dirty);
                }
                next[b] = INFINITY;
                hh_fix(&H, (size_t)H.pos[b]);
            }
        }
        if (c->kind[v] != H_BEYOND)
            hist_update(c, v, x, gv, dirty);
        hh_fix(&H, (size_t)H.pos[v]);
    }
    for (size_t k = 0; k < t->ntops; k++) {
        if (gv[t->tops[k]])
            acc[k] += c->horizon - now;
        c->u[rep * t->ntops + k] = acc[k] / c->horizon;
    }
    c->changes[rep] = changes;
    free(x);
    free(gv);
    free(dirty);
    free(next);
    free(acc);
    free(heap);
    free(pos);
}

/* The compressed rows of hist_ctx: which gates each variable feeds (a
 * common-cause group feeds its members' gates), and each gate's parents. */
static void hist_links(hist_ctx *c)
{
    const fault_tree *t = c->t;
    size_t ng = t->ngates, nv = c->nv;
    c->pos = xmalloc((ng ? ng : 1) * sizeof *c->pos);
    c->vg_start = xcalloc(nv + 2, sizeof *c->vg_start);
    c->par_start = xcalloc(ng + 2, sizeof *c->par_start);
    for (size_t g = 0; g < ng; g++)
        c->pos[g] = -1;
    for (size_t oi = 0; oi < c->ng; oi++)
        c->pos[c->order[oi]] = (int)oi;
    /* two passes: count, then fill */
    for (int pass = 0; pass < 2; pass++) {
        int *vfill = NULL, *pfill = NULL;
        if (pass) {
            for (size_t v = 0; v < nv; v++)
                c->vg_start[v + 1] += c->vg_start[v];
            for (size_t g = 0; g < ng; g++)
                c->par_start[g + 1] += c->par_start[g];
            c->vg = xmalloc(((size_t)c->vg_start[nv] + 1) * sizeof *c->vg);
            c->par = xmalloc(((size_t)c->par_start[ng] + 1) * sizeof *c->par);
            vfill = xcalloc(nv + 1, sizeof *vfill);
            pfill = xcalloc(ng + 1, sizeof *pfill);
        }
        for (size_t oi = 0; oi < c->ng; oi++) {
            int g = c->order[oi];
            const ft_gate *G = &t->gates[g];
            for (size_t j = 0; j < G->nargs; j++) {
                int a = G->args[j];
                if (FT_IS_GATE(a)) {
                    int child = FT_GATE_INDEX(a);
                    if (pass)
                        c->par[c->par_start[child] + pfill[child]++] = g;
                    else
                        c->par_start[child + 1]++;
                    continue;
                }
                int vs[2] = {a, t->events[a].ccf >= 0 ? (int)c->ne + t->events[a].ccf : -1};
                for (int k = 0; k < 2; k++) {
                    if (vs[k] < 0)
                        continue;
                    if (pass)
                        c->vg[c->vg_start[vs[k]] + vfill[vs[k]]++] = g;
                    else
                        c->vg_start[vs[k] + 1]++;
                }
            }
        }
        free(vfill);
        free(pfill);
    }
}

uint64_t ft_mc_histories(const fault_tree *t, double horizon, size_t reps, uint64_t seed, int threads,
                         ft_mc_hist *out)
{
    hist_ctx c = {.t = t, .nv = ft_nvars(t), .ne = t->nevents, .horizon = horizon, .reps = reps, .seed = seed,
                  .fixed = repair_exponential(3600)};
    size_t nv = c.nv;
    c.order = xcalloc(t->ngates ? t->ngates : 1, sizeof *c.order);
    c.kind = xcalloc(nv ? nv : 1, sizeof *c.kind);
    c.p = xcalloc(nv ? nv : 1, sizeof *c.p);
    c.up_mean = xcalloc(nv ? nv : 1, sizeof *c.up_mean);
    c.rep = xcalloc(nv ? nv : 1, sizeof *c.rep);
    c.first_child = xcalloc(nv ? nv : 1, sizeof *c.first_child);
    c.next_child = xcalloc(nv ? nv : 1, sizeof *c.next_child);
    c.u = xcalloc(reps * t->ntops + 1, sizeof *c.u);
    c.changes = xcalloc(reps + 1, sizeof *c.changes);
    c.ng = ft_topo_order(t, c.order);
    hist_links(&c);
    ft_var_probs(t, c.p);
    for (size_t v = 0; v < nv; v++)
        c.first_child[v] = c.next_child[v] = -1;
    for (size_t v = 0; v < nv; v++) {
        if (v < t->nevents && t->events[v].kind == FT_EVENT_BEYOND) {
            int e = t->events[v].parent;
            c.kind[v] = H_BEYOND;
            c.next_child[v] = c.first_child[e];
            c.first_child[e] = (int)v;
            continue;
        }
        /* a group's common failure is repaired as its members are */
        const ft_event *e = &t->events[v < t->nevents ? v : (size_t)t->ccfs[v - t->nevents].members[0]];
        c.rep[v] = e->kind == FT_EVENT_PROCESS ? &e->mttr : &c.fixed;
        if (c.p[v] <= 0) {
            c.kind[v] = H_NEVER;
        } else if (c.p[v] >= 1) {
            c.kind[v] = H_ALWAYS;
        } else {
            /* the up time that makes the stationary P(down) exactly p: a
             * CCF member's own part and its group's share split q */
            c.kind[v] = H_PROCESS;
            c.up_mean[v] = repair_mean(c.rep[v]) * (1 - c.p[v]) / c.p[v];
        }
    }
    batch_for(reps, threads, hist_one, &c, NULL, NULL);
    uint64_t changes = 0;
    for (size_t i = 0; i < reps; i++)
        changes += c.changes[i];
    for (size_t k = 0; k < t->ntops; k++) {
        double s = 0, ss = 0;
        for (size_t i = 0; i < reps; i++)
            s += c.u[i * t->ntops + k];
        double mean = reps ? s / (double)reps : 0;
        for (size_t i = 0; i < reps; i++) {
            double d = c.u[i * t->ntops + k] - mean;
            ss += d * d;
        }
        double sd = reps > 1 ? sqrt(ss / (double)(reps - 1)) : 0;
        double half = reps > 1 ? 1.959963984540054 * sd / sqrt((double)reps) : 1;
        out[k] = (ft_mc_hist){.p = mean, .sd = sd, .lo = mean - half < 0 ? 0 : mean - half,
                              .hi = mean + half > 1 ? 1 : mean + half};
    }
    free(c.order);
    free(c.kind);
    free(c.p);
    free(c.up_mean);
    free(c.rep);
    free(c.first_child);
    free(c.next_child);
    free(c.pos);
    free(c.vg_start);
    free(c.vg);
    free(c.par_start);
    free(c.par);
    free(c.u);
    free(c.changes);
    return changes;
}
