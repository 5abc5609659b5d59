/* ltm_find.c -- the loops that matter of a stock-and-flow model found
 * without enumerating them all (ltm.h, ltm_find): the strongest-path
 * search of Eberlein and Schoenberg (2020) with the links weighed by the
 * magnitude of their link scores, at save steps along the run. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../sd/causal.h"
#include "ltm.h"
#include "strongest.h"
#include "util.h"

/* Save steps searched: at most this many, evenly spread over the run,
 * and fewer on a big graph so that their link scores (held, rows x links)
 * stay under FIND_HOLD doubles. */
#define FIND_ROWS 200
#define FIND_HOLD 4000000
/* Loops kept from one search (one start, one save step): the strongest
 * close first, and past a few the rest are weaker variants. */
#define FIND_PER_SEARCH 8

typedef struct finder {
    sd_graph *s;
    strong_search *S;
    double *w;       /* per link: |link score| at the save step searched */
    double *held;    /* nheld rows x links: |link score| at each sampled save step */
    size_t nheld, maxheld;
    int *starts;     /* where a search starts: stocks, and the heads of delayed arrows */
    size_t nstarts;
    size_t stride, row, budget, max;
    cycle_set found; /* each loop rotated to start at its lowest-numbered variable */
    uint64_t *hash;  /* open addressing: hash | 1, or 0 empty; found index in slot */
    size_t *slot;
    size_t cap;      /* table size, a power of two */
    size_t kept;     /* loops kept from the current search */
    size_t per;      /* and how many it may keep */
    int *rot;        /* room for one rotated loop */
    bool full;
} finder;

static uint64_t loop_hash(const int *links, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (uint64_t)(unsigned)links[i];
        h *= 1099511628211ULL;
    }
    return h | 1;
}

static void table_grow(finder *F)
{
    size_t cap = F->cap ? F->cap * 2 : 1024;
    uint64_t *h = xcalloc(cap, sizeof *h);
    size_t *sl = xcalloc(cap, sizeof *sl);
    for (size_t i = 0; i < F->cap; i++)
        if (F->hash[i]) {
            size_t k = (size_t)F->hash[i] & (cap - 1);
            while (h[k])
                k = (k + 1) & (cap - 1);
            h[k] = F->hash[i];
            sl[k] = F->slot[i];
        }
    free(F->hash);
    free(F->slot);
    F->hash = h;
    F->slot = sl;
    F->cap = cap;
}

/* Keep a loop the search closed, once, if it scores at all. */
static bool take(void *ud, const int *links, size_t len)
{
    finder *F = ud;
    const cld_graph *g = F->s->g;
    double score = 1;
    size_t low = 0;
    for (size_t i = 0; i < len; i++) {
        score *= F->w[links[i]];
        if (g->links[links[i]].from < g->links[links[low]].from)
            low = i;
    }
    if (!(score > 0))
        return true;
    for (size_t i = 0; i < len; i++)
        F->rot[i] = links[(low + i) % len];
    uint64_t h = loop_hash(F->rot, len);
    if (2 * (F->found.n + 1) > F->cap)
        table_grow(F);
    size_t k = (size_t)h & (F->cap - 1);
    for (; F->hash[k]; k = (k + 1) & (F->cap - 1))
        if (F->hash[k] == h && cycles_len(&F->found, F->slot[k]) == len &&
            !memcmp(cycles_links(&F->found, F->slot[k]), F->rot, len * sizeof *F->rot))
            return ++F->kept < F->per;
    if (F->max && F->found.n == F->max) {
        F->full = true;
        return false;
    }
    cycle_set *cs = &F->found;
    lu_reserve((void **)&cs->start, &cs->cap_start, cs->n + 2, sizeof *cs->start);
    size_t at = cs->start[cs->n];
    lu_reserve((void **)&cs->links, &cs->cap_links, at + len, sizeof *cs->links);
    memcpy(cs->links + at, F->rot, len * sizeof *F->rot);
    cs->start[cs->n + 1] = at + len;
    F->hash[k] = h;
    F->slot[k] = cs->n++;
    return ++F->kept < F->per;
}

/* Hold every stride-th save step's link scores. */
static void on_row(void *ud, double t, const double *link_ls)
{
    (void)t;
    finder *F = ud;
    if (F->row++ % F->stride != 0 || F->nheld == F->maxheld)
        return;
    size_t nl = F->s->g->nlinks;
    double *w = F->held + F->nheld++ * nl;
    for (size_t i = 0; i < nl; i++)
        w[i] = fabs(link_ls[i]);
}

/* Search one held save step from every start. */
static void search_row(finder *F, size_t row)
{
    const cld_graph *g = F->s->g;
    memcpy(F->w, F->held + row * g->nlinks, g->nlinks * sizeof *F->w);
    strong_reweigh(F->S, F->w);
    for (size_t k = 0; k < F->nstarts && !F->full; k++) {
        strong_filter f = {.s = F->starts[k], .first = -1, .below = g->nlinks};
        F->kept = 0;
        strong_loops(F->S, &f, F->budget, take, F);
    }
}

/* k with its lowest `bits` bits reversed. */
static size_t reversed(size_t k, size_t bits)
{
    size_t r = 0;
    for (size_t b = 0; b < bits; b++)
        if (k >> b & 1)
            r |= (size_t)1 << (bits - 1 - b);
    return r;
}

loop_analysis *ltm_find(sd_graph *s, size_t max, ltm_formula f, eddy_error *err)
{
    const cld_graph *g = s->g;
    finder F = {.s = s, .max = max};
    F.found.start = xcalloc(1, sizeof *F.found.start);
    F.found.cap_start = 1;
    F.found.max = max;
    F.w = xcalloc(g->nlinks + 1, sizeof *F.w);
    F.rot = xcalloc(g->nvars + 1, sizeof *F.rot);
    F.starts = xcalloc(g->nvars + 1, sizeof *F.starts);
    unsigned char *is_start = xcalloc(g->nvars + 1, 1);
    for (size_t v = 0; v < g->nvars; v++)
        is_start[v] = sdc_kind(s->m, s->var_of[v]) == SD_STOCK;
    /* a loop through a builtin's hidden stock (SMTH1) has a delayed arrow
     * and perhaps no stock the file names */
    for (size_t i = 0; i < g->nlinks; i++)
        if (g->links[i].delay)
            is_start[g->links[i].to] = 1;
    for (size_t v = 0; v < g->nvars; v++)
        if (is_start[v])
            F.starts[F.nstarts++] = (int)v;
    free(is_start);
    double span = sd_stop(s->m) - sd_start(s->m), save = sd_save_step(s->m);
    double rows = save > 0 ? floor(span / save + 1e-9) + 1 : 1;
    size_t keep = FIND_HOLD / (g->nlinks + 1);
    keep = keep < 8 ? 8 : keep > FIND_ROWS ? FIND_ROWS : keep;
    F.stride = rows > (double)keep ? (size_t)ceil(rows / (double)keep) : 1;
    F.maxheld = keep;
    F.held = xcalloc(keep * (g->nlinks + 1), sizeof *F.held);
    F.budget = 8 * (g->nvars + g->nlinks) + 64;
    F.S = strong_new(g);
    int rc = ltm_link_scores(s, f, on_row, &F, err);
    /* the rows in van der Corput order (0, 1/2, 1/4, 3/4, ... of the run),
     * each once: if the cap stops the search, the loops found still come
     * from the whole run, not from its start */
    size_t bits = 0;
    while (((size_t)1 << bits) < F.nheld)
        bits++;
    /* first the strongest loop out of each start at each time, then the
     * next strongest: a cap keeps the best of every time and start */
    for (F.per = 1; F.per <= FIND_PER_SEARCH; F.per *= FIND_PER_SEARCH)
        for (size_t k = 0; rc == 0 && k < ((size_t)1 << bits) && !F.full; k++)
            if (reversed(k, bits) < F.nheld)
                search_row(&F, reversed(k, bits));
    strong_free(F.S);
    free(F.held);
    free(F.w);
    free(F.rot);
    free(F.starts);
    free(F.hash);
    free(F.slot);
    if (rc < 0) {
        cycles_free(&F.found);
        return NULL;
    }
    F.found.capped = F.full;
    return loops_analyze_found(g, &F.found);
}
