/* ftree_mc.c -- bit-parallel Monte Carlo over a fault tree (ftree_mc.h). */
#include "ftree_mc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
    double *p = calloc(nv ? nv : 1, sizeof *p);
    mc_var *v = calloc(nv ? nv : 1, sizeof *v);
    uint64_t *mask = calloc(nv ? nv : 1, sizeof *mask);
    uint64_t *gv = calloc(t->ngates ? t->ngates : 1, sizeof *gv);
    int *order = calloc(t->ngates ? t->ngates : 1, sizeof *order);
    if (!p || !v || !mask || !gv || !order)
        abort();
    size_t ng = ft_topo_order(t, order);
    size_t maxk = 0;
    for (size_t g = 0; g < t->ngates; g++)
        if (t->gates[g].kind == FT_ATLEAST && (size_t)t->gates[g].k > maxk)
            maxk = (size_t)t->gates[g].k;
    uint64_t *atl = calloc(maxk + 1, sizeof *atl); /* k-of-n: atl[j] = "at least j down" */
    if (!atl)
        abort();
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
