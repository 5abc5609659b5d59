/* analyze.c -- ordering, naming, classifying and flagging loops. */
#include "analyze.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "johnson.h"
#include "util.h"

/* The sort key of a loop: its link indices, latest-declared first. */
typedef struct keyed {
    int *key;
    size_t len;
    size_t cycle; /* index in the cycle_set */
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    for (size_t i = 0; i < n; i++)
        if (x->key[i] != y->key[i])
            return x->key[i] < y->key[i] ? -1 : 1;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return 0;
}

/* Descending insertion sort: loops are short, and this runs once per loop. */
static void sort_desc(int *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        int x = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1] < x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* The groups by importance: the strongest loop's gain, then the number of
 * loops, then the order of the cut. */
static const loop_group *sort_groups;
static int cmp_order(const void *x, const void *y)
{
    const loop_group *a = &sort_groups[*(const size_t *)x], *b = &sort_groups[*(const size_t *)y];
    if (a->gain != b->gain)
        return a->gain > b->gain ? -1 : 1;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return *(const size_t *)x < *(const size_t *)y ? -1 : 1;
}

static void order_groups(loop_analysis *a)
{
    a->order = xcalloc(a->ngroups + 1, sizeof *a->order);
    for (size_t i = 0; i < a->ngroups; i++)
        a->order[i] = i;
    sort_groups = a->groups;
    qsort(a->order, a->ngroups, sizeof *a->order, cmp_order);
}

/* Every loop is known: put each in its group, in the order the groups'
 * first loops come. */
static void assign_groups(loop_analysis *a)
{
    const cld_graph *g = a->g;
    double *w = group_weights(g);
    /* group + 1 of each cut variable and closing link, 0 for none yet */
    size_t *by_var = xcalloc(g->nvars + 1, sizeof *by_var), *by_link = xcalloc(g->nlinks + 1, sizeof *by_link);
    size_t cap = 0;
    for (size_t i = 0; i < a->n; i++) {
        cld_loop *L = &a->loops[i];
        int var, link;
        group_key(g, L->links, L->len, &var, &link);
        size_t *slot = var >= 0 ? &by_var[var] : &by_link[link];
        size_t gi = *slot - 1;
        if (*slot == 0) {
            lu_reserve((void **)&a->groups, &cap, a->ngroups + 1, sizeof *a->groups);
            gi = a->ngroups++;
            *slot = gi + 1;
            a->groups[gi] = (loop_group){.var = var, .link = link, .exact = true, .searched = true,
                                         .shortest = i, .strongest = i, .gain = L->gain,
                                         .score = group_score(w, L->links, L->len)};
        }
        loop_group *G = &a->groups[gi];
        L->group = gi;
        G->count++;
        if (L->type == 'R')
            G->nr++;
        else if (L->type == 'B')
            G->nb++;
        if (L->len < a->loops[G->shortest].len)
            G->shortest = i;
        double sc = group_score(w, L->links, L->len);
        if (sc > G->score || (sc == G->score && L->len < a->loops[G->strongest].len)) {
            G->strongest = i;
            G->gain = L->gain;
            G->score = sc;
        }
    }
    free(by_var);
    free(by_link);
    free(w);
    if (a->capped)
        for (size_t k = 0; k < a->ngroups; k++)
            a->groups[k].exact = false;
}

/* Fill a from the cycles in cs; with `ranked`, in rank order (analyze.h),
 * else in the order given. */
static void fill(loop_analysis *a, cycle_set *cs, bool ranked);

loop_analysis *loops_analyze(const cld_graph *g, size_t max)
{
    loop_analysis *a = xcalloc(1, sizeof *a);
    a->g = g;
    a->max = max;
    cycle_set cs;
    cycles_find(g, max, &cs);
    a->capped = cs.capped;
    a->complete = !cs.capped;
    fill(a, &cs, true);
    assign_groups(a);
    order_groups(a);
    return a;
}

loop_analysis *loops_analyze_bounded(const cld_graph *g, size_t budget, size_t count_cap)
{
    cycle_set cs;
    cycles_find(g, budget, &cs);
    if (!cs.capped || budget == 0) {
        loop_analysis *a = xcalloc(1, sizeof *a);
        a->g = g;
        a->max = budget;
        a->complete = true;
        fill(a, &cs, true);
        assign_groups(a);
        order_groups(a);
        return a;
    }
    cycles_free(&cs);
    loop_analysis *a = xcalloc(1, sizeof *a);
    a->g = g;
    a->max = budget;
    a->capped = true;
    a->count_cap = count_cap;
    group_search(g, count_cap, &cs, &a->groups, &a->ngroups);
    fill(a, &cs, false);
    for (size_t k = 0; k < a->ngroups; k++) {
        loop_group *G = &a->groups[k];
        a->loops[G->shortest].group = k;
        a->loops[G->strongest].group = k;
    }
    /* the totals are the groups' counts (lower bounds where not exact) */
    a->nr = a->nb = 0;
    for (size_t k = 0; k < a->ngroups; k++) {
        a->nr += a->groups[k].nr;
        a->nb += a->groups[k].nb;
    }
    order_groups(a);
    return a;
}

loop_analysis *loops_analyze_found(const cld_graph *g, cycle_set *cs)
{
    loop_analysis *a = xcalloc(1, sizeof *a);
    a->g = g;
    a->max = cs->max;
    a->capped = true; /* the groups' counts are of the loops found */
    a->found_by_score = true;
    fill(a, cs, true);
    assign_groups(a);
    order_groups(a);
    return a;
}

static void fill(loop_analysis *a, cycle_set *cs_in, bool ranked)
{
    const cld_graph *g = a->g;
    cycle_set cs = *cs_in;
    a->n = cs.n;

    /* All keys, links and variables live in three flat arrays (one
     * allocation each, not three per loop): a dense diagram has 10^5 loops. */
    size_t total = cs.start[cs.n];
    int *keys = xcalloc(total, sizeof *keys);
    keyed *k = xcalloc(cs.n, sizeof *k);
    for (size_t i = 0; i < cs.n; i++) {
        k[i].len = cycles_len(&cs, i);
        k[i].key = keys + cs.start[i];
        memcpy(k[i].key, cycles_links(&cs, i), k[i].len * sizeof *k[i].key);
        sort_desc(k[i].key, k[i].len);
        k[i].cycle = i;
    }
    if (ranked)
        qsort(k, cs.n, sizeof *k, cmp_keyed);

    a->loops = xcalloc(cs.n, sizeof *a->loops);
    a->all_links = xcalloc(total, sizeof *a->all_links);
    a->all_vars = xcalloc(total, sizeof *a->all_vars);
    size_t at = 0;
    for (size_t r = 0; r < cs.n; r++) {
        cld_loop *L = &a->loops[r];
        size_t c = k[r].cycle;
        L->len = cycles_len(&cs, c);
        L->links = a->all_links + at;
        L->vars = a->all_vars + at;
        at += L->len;
        /* Johnson starts each cycle at its lowest-numbered variable, which
         * is the first declared: the rotation we list it in. */
        memcpy(L->links, cycles_links(&cs, c), L->len * sizeof *L->links);
        for (size_t j = 0; j < L->len; j++) {
            const cld_link *l = &g->links[L->links[j]];
            L->vars[j] = l->from;
            L->negatives += l->sign < 0;
            L->changing += l->sign == 0;
            L->delays += l->delay;
        }
        L->gain = group_gain(g, L->links, L->len);
        L->type = L->changing ? 'U' : L->negatives % 2 ? 'B' : 'R';
        snprintf(L->name, sizeof L->name, "%c%zu", L->type, r + 1);
        if (L->type == 'R')
            a->nr++;
        else if (L->type == 'B')
            a->nb++;
        else
            a->nu++;
        L->can_oscillate = L->type == 'B' && L->delays > 0;
        a->noscillate += L->can_oscillate;
    }
    free(k);
    free(keys);
    cycles_free(&cs);

    /* Per-variable loop lists, sized by a counting pass first: growing
     * millions of entries by doubling would spend its time copying. */
    size_t nv = g->nvars;
    a->var_loops = xcalloc(nv, sizeof *a->var_loops);
    a->var_nloops = xcalloc(nv, sizeof *a->var_nloops);
    a->var_bloops = xcalloc(nv, sizeof *a->var_bloops);
    a->var_nbloops = xcalloc(nv, sizeof *a->var_nbloops);
    for (size_t r = 0; r < a->n; r++) {
        const cld_loop *L = &a->loops[r];
        for (size_t j = 0; j < L->len; j++) {
            a->var_nloops[L->vars[j]]++;
            a->var_nbloops[L->vars[j]] += L->type == 'B';
        }
    }
    for (size_t v = 0; v < nv; v++) {
        a->var_loops[v] = xcalloc(a->var_nloops[v], sizeof **a->var_loops);
        a->var_bloops[v] = xcalloc(a->var_nbloops[v], sizeof **a->var_bloops);
        a->var_nloops[v] = a->var_nbloops[v] = 0;
    }
    for (size_t r = 0; r < a->n; r++) {
        const cld_loop *L = &a->loops[r];
        for (size_t j = 0; j < L->len; j++) {
            int v = L->vars[j];
            a->var_loops[v][a->var_nloops[v]++] = r;
            if (L->type == 'B')
                a->var_bloops[v][a->var_nbloops[v]++] = r;
        }
    }
    for (size_t r = 0; r < a->n; r++) {
        cld_loop *L = &a->loops[r];
        if (L->type != 'R')
            continue;
        bool touched = false;
        for (size_t j = 0; j < L->len && !touched; j++)
            touched = a->var_nbloops[L->vars[j]] > 0;
        L->unguarded = !touched;
        a->nunguarded += L->unguarded;
    }
}

void loops_free(loop_analysis *a)
{
    if (!a)
        return;
    free(a->all_links);
    free(a->all_vars);
    free(a->loops);
    if (a->g)
        for (size_t v = 0; v < a->g->nvars; v++) {
            free(a->var_loops[v]);
            free(a->var_bloops[v]);
        }
    free(a->var_loops);
    free(a->var_nloops);
    free(a->var_bloops);
    free(a->var_nbloops);
    free(a->groups);
    free(a->order);
    free(a);
}

/* A k-way merge of the (sorted) per-variable loop lists of loop i's
 * variables: the first `max` distinct loops touching it, in rank order,
 * without ever materialising the (possibly quadratic) full relation. */
size_t loops_touching(const loop_analysis *a, size_t i, char type, size_t *out, size_t max, bool *more)
{
    const cld_loop *L = &a->loops[i];
    size_t **lists = type == 'B' ? a->var_bloops : a->var_loops;
    size_t *counts = type == 'B' ? a->var_nbloops : a->var_nloops;
    size_t *at = xcalloc(L->len, sizeof *at);
    size_t n = 0;
    *more = false;
    for (;;) {
        size_t best = (size_t)-1;
        for (size_t j = 0; j < L->len; j++) {
            int v = L->vars[j];
            while (at[j] < counts[v] && lists[v][at[j]] == i)
                at[j]++;
            if (at[j] < counts[v] && lists[v][at[j]] < best)
                best = lists[v][at[j]];
        }
        if (best == (size_t)-1)
            break;
        if (n == max) {
            *more = true;
            break;
        }
        out[n++] = best;
        for (size_t j = 0; j < L->len; j++) {
            int v = L->vars[j];
            if (at[j] < counts[v] && lists[v][at[j]] == best)
                at[j]++;
        }
    }
    free(at);
    return n;
}

int loops_find(const loop_analysis *a, const char *name)
{
    for (size_t i = 0; i < a->n; i++)
        if (!strcmp(a->loops[i].name, name))
            return (int)i;
    return -1;
}
