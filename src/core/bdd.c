/* bdd.c -- reduced ordered BDD: unique table, ITE with a computed cache.
 *
 * Written by hand because Debian packages no BDD library for C (CUDD,
 * BuDDy and Sylvan are not in the archive), and what the availability
 * analysis needs is small: AND, OR, k-of-n over monotone functions of a
 * few thousand variables, then one exact probability pass.  No complement
 * edges and no garbage collection: a diagram lives for one analysis.
 *
 * The unique table is open-addressed (linear probing) over node indexes and
 * grows at half load; the ITE cache is direct-mapped and lossy, which only
 * costs recomputation, never correctness. */
#include "bdd.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

struct bdd {
    bdd_node *nodes;
    size_t n, cap;
    uint32_t *slots; /* unique table: node index, 0 = empty (0 is a terminal) */
    size_t smask;
    struct ite_entry {
        bdd_ref f, g, h, r;
    } *cache;
    size_t cmask;
    uint32_t nvars;
};

static uint64_t bdd_mix(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t h = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull) * 0xC2B2AE3D27D4EB4Full;
    h ^= c * 0x165667B19E3779F9ull;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 32);
}

bdd *bdd_new(uint32_t nvars)
{
    bdd *b = xmalloc(sizeof *b);
    b->cap = 1024;
    b->nodes = xmalloc(b->cap * sizeof *b->nodes);
    b->nodes[0] = (bdd_node){BDD_TERMINAL_VAR, 0, 0};
    b->nodes[1] = (bdd_node){BDD_TERMINAL_VAR, 1, 1};
    b->n = 2;
    b->smask = 2048 - 1;
    b->slots = xcalloc(b->smask + 1, sizeof *b->slots);
    b->cmask = (1u << 16) - 1;
    b->cache = xmalloc((b->cmask + 1) * sizeof *b->cache);
    /* f = 0 never reaches the cache (a terminal case), so 0 marks empty. */
    memset(b->cache, 0, (b->cmask + 1) * sizeof *b->cache);
    b->nvars = nvars;
    return b;
}

void bdd_free(bdd *b)
{
    if (!b)
        return;
    free(b->nodes);
    free(b->slots);
    free(b->cache);
    free(b);
}

const bdd_node *bdd_nodes(const bdd *b) { return b->nodes; }
size_t bdd_size(const bdd *b) { return b->n; }
uint32_t bdd_nvars(const bdd *b) { return b->nvars; }

static void bdd_rehash(bdd *b)
{
    size_t nmask = b->smask * 2 + 1;
    uint32_t *ns = xcalloc(nmask + 1, sizeof *ns);
    for (size_t i = 2; i < b->n; i++) {
        const bdd_node *d = &b->nodes[i];
        size_t s = bdd_mix(d->var, d->lo, d->hi) & nmask;
        while (ns[s])
            s = (s + 1) & nmask;
        ns[s] = (uint32_t)i;
    }
    free(b->slots);
    b->slots = ns;
    b->smask = nmask;
    /* A bigger diagram deserves a bigger cache. */
    if (b->cmask < nmask && b->cmask < (1u << 22) - 1) {
        size_t ncm = b->cmask * 2 + 1;
        free(b->cache);
        b->cache = xmalloc((ncm + 1) * sizeof *b->cache);
        memset(b->cache, 0, (ncm + 1) * sizeof *b->cache);
        b->cmask = ncm;
    }
}

/* The node (var, lo, hi), made once: the reduction rules of a ROBDD. */
static bdd_ref bdd_mk(bdd *b, uint32_t var, bdd_ref lo, bdd_ref hi)
{
    if (lo == hi)
        return lo;
    size_t s = bdd_mix(var, lo, hi) & b->smask;
    for (uint32_t i; (i = b->slots[s]) != 0; s = (s + 1) & b->smask) {
        const bdd_node *d = &b->nodes[i];
        if (d->var == var && d->lo == lo && d->hi == hi)
            return i;
    }
    if (b->n == b->cap) {
        b->cap *= 2;
        bdd_node *nn = xrealloc(b->nodes, b->cap * sizeof *nn);
        b->nodes = nn;
    }
    bdd_ref r = (bdd_ref)b->n++;
    b->nodes[r] = (bdd_node){var, lo, hi};
    b->slots[s] = r;
    if (b->n * 2 > b->smask)
        bdd_rehash(b);
    return r;
}

bdd_ref bdd_var(bdd *b, uint32_t v) { return bdd_mk(b, v, BDD_FALSE, BDD_TRUE); }

bdd_ref bdd_ite(bdd *b, bdd_ref f, bdd_ref g, bdd_ref h)
{
    if (f == BDD_TRUE)
        return g;
    if (f == BDD_FALSE)
        return h;
    if (g == h)
        return g;
    if (g == BDD_TRUE && h == BDD_FALSE)
        return f;
    struct ite_entry *e = &b->cache[bdd_mix(f, g, h) & b->cmask];
    if (e->f == f && e->g == g && e->h == h)
        return e->r;
    uint32_t vf = b->nodes[f].var, vg = b->nodes[g].var, vh = b->nodes[h].var;
    uint32_t v = vf < vg ? vf : vg;
    if (vh < v)
        v = vh;
    bdd_ref f0 = vf == v ? b->nodes[f].lo : f, f1 = vf == v ? b->nodes[f].hi : f;
    bdd_ref g0 = vg == v ? b->nodes[g].lo : g, g1 = vg == v ? b->nodes[g].hi : g;
    bdd_ref h0 = vh == v ? b->nodes[h].lo : h, h1 = vh == v ? b->nodes[h].hi : h;
    bdd_ref lo = bdd_ite(b, f0, g0, h0);
    bdd_ref hi = bdd_ite(b, f1, g1, h1);
    bdd_ref r = bdd_mk(b, v, lo, hi);
    /* The recursion may have resized the cache: look the slot up again. */
    e = &b->cache[bdd_mix(f, g, h) & b->cmask];
    *e = (struct ite_entry){f, g, h, r};
    return r;
}

bdd_ref bdd_and(bdd *b, bdd_ref f, bdd_ref g) { return bdd_ite(b, f, g, BDD_FALSE); }
bdd_ref bdd_or(bdd *b, bdd_ref f, bdd_ref g) { return bdd_ite(b, f, BDD_TRUE, g); }

bdd_ref bdd_atleast(bdd *b, int k, const bdd_ref *fs, size_t n)
{
    if (k <= 0)
        return BDD_TRUE;
    if ((size_t)k > n)
        return BDD_FALSE;
    /* row[j] = "at least j of fs[i..n-1]", built from i = n down to 0. */
    bdd_ref *row = xmalloc(((size_t)k + 1) * sizeof *row);
    row[0] = BDD_TRUE;
    for (int j = 1; j <= k; j++)
        row[j] = BDD_FALSE;
    for (size_t i = n; i-- > 0;)
        for (int j = k; j >= 1; j--)
            row[j] = bdd_ite(b, fs[i], row[j - 1], row[j]);
    bdd_ref r = row[k];
    free(row);
    return r;
}

/* P(node) for every node up to f, children first (index order). */
static double *bdd_probs(const bdd *b, bdd_ref f, const double *p)
{
    double *pr = xmalloc(((size_t)f + 1 > 2 ? (size_t)f + 1 : 2) * sizeof *pr);
    pr[0] = 0;
    pr[1] = 1;
    for (size_t i = 2; i <= f; i++) {
        const bdd_node *d = &b->nodes[i];
        double q = p[d->var];
        pr[i] = q * pr[d->hi] + (1 - q) * pr[d->lo];
    }
    return pr;
}

double bdd_prob(const bdd *b, bdd_ref f, const double *p)
{
    if (f <= BDD_TRUE)
        return f == BDD_TRUE;
    double *pr = bdd_probs(b, f, p);
    double r = pr[f];
    free(pr);
    return r;
}

double bdd_birnbaum(const bdd *b, bdd_ref f, const double *p, double *birnbaum)
{
    memset(birnbaum, 0, b->nvars * sizeof *birnbaum);
    if (f <= BDD_TRUE)
        return f == BDD_TRUE;
    double *pr = bdd_probs(b, f, p);
    double *reach = xcalloc((size_t)f + 1, sizeof *reach);
    reach[f] = 1;
    /* Parents have larger indexes than their children: walking down from f
     * has every node's reach complete before it is passed on.  A node's
     * reach does not depend on its own variable (the order tests it once on
     * any path), so the derivative is reach * (P(hi) - P(lo)). */
    for (size_t i = f; i >= 2; i--) {
        if (reach[i] == 0)
            continue;
        const bdd_node *d = &b->nodes[i];
        double q = p[d->var];
        birnbaum[d->var] += reach[i] * (pr[d->hi] - pr[d->lo]);
        reach[d->hi] += reach[i] * q;
        reach[d->lo] += reach[i] * (1 - q);
    }
    double r = pr[f];
    free(pr);
    free(reach);
    return r;
}
