/* ltm.c -- link, loop and relative loop scores along a run, and the phases
 * of loop dominance (ltm.h). */
#include "ltm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../sd/causal.h"
#include "util.h"

int ltm_formula_parse(const char *s, ltm_formula *f)
{
    if (!strcmp(s, "2020"))
        *f = LTM_2020;
    else if (!strcmp(s, "2023"))
        *f = LTM_2023;
    else
        return -1;
    return 0;
}

const char *ltm_formula_name(ltm_formula f) { return f == LTM_2020 ? "2020" : "2023"; }

const char *ltm_formula_cite(ltm_formula f)
{
    return f == LTM_2020 ? "Schoenberg, Davidsen and Eberlein 2020" : "Schoenberg, Hayward and Eberlein 2023";
}

typedef struct scorer {
    sd_graph *s;
    const loop_analysis *a;
    ltm_result *r;
    ltm_formula formula;
    int *need;        /* edges the loops run through */
    size_t nneed;
    double *edge_ls;  /* per edge, this step */
    double *link_ls;  /* per diagram link, this step */
    double *loop_ls;  /* per loop, this step */
    double *psum;     /* per partition */
    size_t *pinf;     /* per partition: infinite scores */
    int *fedges;      /* LTM_2023: every flow -> visible stock edge */
    size_t nfedges;
    double *fscale;   /* LTM_2023: per model variable (a stock), the size of
                       * its flows this step, for the rounding guard */
    sdc_state prev, cur;
    bool have_prev, prev_saved, scored;
    size_t caprows;
    ltm_link_fn fn; /* ltm_link_scores: hand on the link scores, record nothing */
    void *fn_ud;
} scorer;

static double sgn(double x) { return x > 0 ? 1 : x < 0 ? -1 : 0; }

/* A change of a net flow within this fraction of the size of its flows is
 * rounding, not change: the net flow of a stock whose flows cancel
 * exactly (an inflow in + r and an outflow r) moves by 1e-13 of them from
 * one step to the next, and equation 3 would divide by that. */
#define LTM_NET_NOISE 1e-12

/* LTM_2023 needs each stock's flows: the edges into a stock the file
 * names come from its flows (causal.h). */
static void scorer_flows(scorer *sc)
{
    sd_graph *s = sc->s;
    if (sc->formula != LTM_2023)
        return;
    sc->fedges = xcalloc(s->nedges + 1, sizeof *sc->fedges);
    sc->fscale = xcalloc(sdc_nvars(s->m) + 1, sizeof *sc->fscale);
    for (size_t i = 0; i < s->nedges; i++) {
        int z = s->edges[i].to;
        if (sdc_kind(s->m, z) == SD_STOCK && !sdc_hidden(s->m, z))
            sc->fedges[sc->nfedges++] = (int)i;
    }
}

/* Each stock's sum of |flow| at t and t+dt. */
static void scorer_scale(scorer *sc)
{
    const sd_graph *s = sc->s;
    for (size_t i = 0; i < sc->nfedges; i++)
        sc->fscale[s->edges[sc->fedges[i]].to] = 0;
    for (size_t i = 0; i < sc->nfedges; i++) {
        const sdg_edge *e = &s->edges[sc->fedges[i]];
        sc->fscale[e->to] += fabs(sdc_value(s->m, &sc->prev, e->from)) + fabs(sdc_value(s->m, &sc->cur, e->from));
    }
}

/* The score of one model arrow from t-dt (loaded) to t (cur). */
static double edge_score(scorer *sc, const sdg_edge *e)
{
    sd_model *m = sc->s->m;
    const sdc_state *p = &sc->prev, *c = &sc->cur;
    int z = e->to, x = e->from;
    bool stock = sdc_kind(m, z) == SD_STOCK;
    if (stock && !sdc_hidden(m, z)) {
        double pol = e->sign < 0 ? -1 : 1;
        if (sc->formula == LTM_2020) {
            /* 2020, equation 2: the flow's share of the net flow that moved
             * the stock */
            double net = sdc_rate(m, p, z), flow = sdc_value(m, p, x);
            return net == 0 ? 0 : fabs(flow / net) * pol;
        }
        /* 2023, equation 3: the flow's change over the net flow's change,
         * the same arithmetic as equation 1 on a net flow in - out */
        double dnet = sdc_rate(m, c, z) - sdc_rate(m, p, z);
        double dflow = sdc_value(m, c, x) - sdc_value(m, p, x);
        if (fabs(dnet) <= LTM_NET_NOISE * sc->fscale[z])
            return 0;
        return fabs(dflow / dnet) * pol;
    }
    /* equation 1; a hidden stock's rate stands for its single flow */
    double z0 = stock ? sdc_rate(m, p, z) : sdc_value(m, p, z);
    double z1 = stock ? sdc_rate(m, c, z) : sdc_value(m, c, z);
    double dz = z1 - z0, dx = sdc_value(m, c, x) - sdc_value(m, p, x);
    if (dz == 0 || (dx == 0 && !e->delayed))
        return 0;
    double part;
    if (sdc_eval(m, z, p->t, x, c, 0, &part) < 0)
        return 0;
    part -= z0;
    double pol = e->delayed ? (e->sign ? e->sign : sgn(part)) : sgn(part) * sgn(dx);
    return fabs(part / dz) * pol;
}

static void score_step(scorer *sc)
{
    sd_graph *s = sc->s;
    const loop_analysis *a = sc->a;
    sdc_load(s->m, &sc->prev);
    if (sc->fscale)
        scorer_scale(sc);
    for (size_t i = 0; i < sc->nneed; i++)
        sc->edge_ls[sc->need[i]] = edge_score(sc, &s->edges[sc->need[i]]);
    sdc_load(s->m, &sc->cur);
    for (size_t li = 0; li < s->g->nlinks; li++) {
        double best = 0;
        for (size_t k = 0; k < s->npaths[li]; k++) {
            const sdg_path *P = &s->paths[li][k];
            double x = 1;
            for (size_t j = 0; j < P->n; j++)
                x *= sc->edge_ls[P->edges[j]];
            if (fabs(x) > fabs(best))
                best = x;
        }
        sc->link_ls[li] = best;
    }
    for (size_t i = 0; a && i < a->n; i++) {
        double x = 1;
        for (size_t j = 0; j < a->loops[i].len; j++)
            x *= sc->link_ls[a->loops[i].links[j]];
        sc->loop_ls[i] = x;
    }
}

static void record(scorer *sc, double t, bool scored)
{
    ltm_result *r = sc->r;
    size_t n = r->nloops;
    if (r->nrows == sc->caprows) {
        sc->caprows = sc->caprows ? sc->caprows * 2 : 256;
        r->t = xreallocarray(r->t, sc->caprows, sizeof *r->t);
        r->score = xreallocarray(r->score, sc->caprows * (n ? n : 1), sizeof *r->score);
        r->rel = xreallocarray(r->rel, sc->caprows * (n ? n : 1), sizeof *r->rel);
    }
    double *score = r->score + r->nrows * n, *rel = r->rel + r->nrows * n;
    r->t[r->nrows++] = t;
    for (size_t p = 0; p < r->npartitions; p++) {
        sc->psum[p] = 0;
        sc->pinf[p] = 0;
    }
    for (size_t i = 0; i < n; i++) {
        score[i] = scored ? sc->loop_ls[i] : 0;
        if (isinf(score[i]))
            sc->pinf[r->partition[i]]++;
        else
            sc->psum[r->partition[i]] += fabs(score[i]);
    }
    for (size_t i = 0; i < n; i++) {
        size_t p = r->partition[i];
        /* Scores overflow only where a dominance shift drives a change to
         * 0; the infinite ones then share the whole. */
        if (sc->pinf[p])
            rel[i] = isinf(score[i]) ? sgn(score[i]) / (double)sc->pinf[p] : 0;
        else
            rel[i] = sc->psum[p] > 0 ? score[i] / sc->psum[p] : 0;
    }
}

/* The scores of the step from t-dt to t belong to t-dt, as a flow's value
 * at t-dt is the one that moves the stocks to t: the convention of Stella
 * and of the paper's tables. */
static void step(sd_model *m, double t, bool saved, void *ud)
{
    scorer *sc = ud;
    sdc_capture(m, t, &sc->cur);
    if (sc->have_prev) {
        score_step(sc);
        sc->scored = true;
        if (sc->prev_saved && sc->fn)
            sc->fn(sc->fn_ud, sc->prev.t, sc->link_ls);
        else if (sc->prev_saved)
            record(sc, sc->prev.t, true);
    }
    sdc_state tmp = sc->prev;
    sc->prev = sc->cur;
    sc->cur = tmp;
    sc->have_prev = true;
    sc->prev_saved = saved;
}

static size_t uf_find(size_t *up, size_t i)
{
    while (up[i] != i)
        i = up[i] = up[up[i]];
    return i;
}

/* Loops sharing a variable are in one partition (one strongly connected
 * part of the graph): numbered in the order of their first loop. */
static void partitions(ltm_result *r, const loop_analysis *a)
{
    size_t nv = a->g->nvars;
    size_t *up = xcalloc(a->n + 1, sizeof *up);
    long *first = xcalloc(nv + 1, sizeof *first);
    for (size_t v = 0; v < nv; v++)
        first[v] = -1;
    for (size_t i = 0; i < a->n; i++)
        up[i] = i;
    for (size_t i = 0; i < a->n; i++)
        for (size_t j = 0; j < a->loops[i].len; j++) {
            int v = a->loops[i].vars[j];
            if (first[v] < 0)
                first[v] = (long)i;
            else
                up[uf_find(up, i)] = uf_find(up, (size_t)first[v]);
        }
    size_t *num = xcalloc(a->n + 1, sizeof *num);
    for (size_t i = 0; i < a->n; i++)
        num[i] = (size_t)-1;
    r->partition = xcalloc(a->n + 1, sizeof *r->partition);
    for (size_t i = 0; i < a->n; i++) {
        size_t root = uf_find(up, i);
        if (num[root] == (size_t)-1)
            num[root] = r->npartitions++;
        r->partition[i] = num[root];
    }
    free(num);
    free(first);
    free(up);
}

ltm_result *ltm_compute(sd_graph *s, const loop_analysis *a, ltm_formula f, eddy_error *err)
{
    ltm_result *r = xcalloc(1, sizeof *r);
    r->formula = f;
    r->nloops = a->n;
    partitions(r, a);
    scorer sc = {.s = s, .a = a, .r = r, .formula = f};
    unsigned char *seen = xcalloc(s->nedges + 1, 1);
    sc.need = xcalloc(s->nedges + 1, sizeof *sc.need);
    for (size_t i = 0; i < a->n; i++)
        for (size_t j = 0; j < a->loops[i].len; j++) {
            int li = a->loops[i].links[j];
            for (size_t k = 0; k < s->npaths[li]; k++)
                for (size_t e = 0; e < s->paths[li][k].n; e++) {
                    int x = s->paths[li][k].edges[e];
                    if (!seen[x]) {
                        seen[x] = 1;
                        sc.need[sc.nneed++] = x;
                    }
                }
        }
    free(seen);
    sc.edge_ls = xcalloc(s->nedges + 1, sizeof *sc.edge_ls);
    sc.link_ls = xcalloc(s->g->nlinks + 1, sizeof *sc.link_ls);
    sc.loop_ls = xcalloc(a->n + 1, sizeof *sc.loop_ls);
    sc.psum = xcalloc(r->npartitions + 1, sizeof *sc.psum);
    sc.pinf = xcalloc(r->npartitions + 1, sizeof *sc.pinf);
    scorer_flows(&sc);
    int rc = sdc_run(s->m, step, &sc, err);
    /* the stop time has no step after it: it keeps the last step's scores */
    if (rc == 0 && sc.have_prev && sc.prev_saved)
        record(&sc, sc.prev.t, sc.scored);
    free(sc.need);
    free(sc.edge_ls);
    free(sc.link_ls);
    free(sc.loop_ls);
    free(sc.psum);
    free(sc.pinf);
    free(sc.fedges);
    free(sc.fscale);
    sdc_state_free(&sc.prev);
    sdc_state_free(&sc.cur);
    if (rc < 0) {
        ltm_free(r);
        return NULL;
    }
    return r;
}

int ltm_link_scores(sd_graph *s, ltm_formula f, ltm_link_fn fn, void *ud, eddy_error *err)
{
    scorer sc = {.s = s, .formula = f, .fn = fn, .fn_ud = ud};
    sc.need = xcalloc(s->nedges + 1, sizeof *sc.need);
    for (size_t i = 0; i < s->nedges; i++)
        sc.need[sc.nneed++] = (int)i;
    sc.edge_ls = xcalloc(s->nedges + 1, sizeof *sc.edge_ls);
    sc.link_ls = xcalloc(s->g->nlinks + 1, sizeof *sc.link_ls);
    scorer_flows(&sc);
    int rc = sdc_run(s->m, step, &sc, err);
    free(sc.need);
    free(sc.edge_ls);
    free(sc.link_ls);
    free(sc.fedges);
    free(sc.fscale);
    sdc_state_free(&sc.prev);
    sdc_state_free(&sc.cur);
    return rc < 0 ? -1 : 0;
}

void ltm_free(ltm_result *r)
{
    if (!r)
        return;
    free(r->t);
    free(r->score);
    free(r->rel);
    free(r->partition);
    free(r);
}

/* ---- phases ---- */

typedef struct ranked {
    size_t loop;
    double mag;
} ranked;

static int by_mag(const void *x, const void *y)
{
    const ranked *a = x, *b = y;
    if (a->mag != b->mag)
        return a->mag > b->mag ? -1 : 1;
    return a->loop < b->loop ? -1 : a->loop > b->loop;
}

/* The smallest set of the partition's loops whose |relative scores| add
 * up to at least one half, strongest first; *share their sum. */
static size_t dominant(const ltm_result *r, size_t row, size_t part, ranked *buf, double *share)
{
    size_t n = 0;
    const double *rel = r->rel + row * r->nloops;
    for (size_t i = 0; i < r->nloops; i++)
        if (r->partition[i] == part && rel[i] != 0)
            buf[n++] = (ranked){i, fabs(rel[i])};
    qsort(buf, n, sizeof *buf, by_mag);
    double sum = 0;
    size_t k = 0;
    while (k < n && sum < 0.5)
        sum += buf[k++].mag;
    *share = sum;
    return k;
}

size_t ltm_phases(const ltm_result *r, size_t part, ltm_phase **out)
{
    ranked *buf = xcalloc(r->nloops + 1, sizeof *buf);
    ltm_phase *ph = NULL;
    size_t n = 0, cap = 0, rows_in = 0;
    for (size_t row = 0; row < r->nrows; row++) {
        double share;
        size_t k = dominant(r, row, part, buf, &share);
        bool same = n > 0 && ph[n - 1].n == k;
        for (size_t j = 0; same && j < k; j++) {
            /* the same set, in any order */
            bool found = false;
            for (size_t q = 0; q < k && !found; q++)
                found = ph[n - 1].loops[q] == buf[j].loop;
            same = found;
        }
        if (same) {
            ph[n - 1].to = r->t[row];
            ph[n - 1].mean += (share - ph[n - 1].mean) / (double)++rows_in;
            continue;
        }
        lu_reserve((void **)&ph, &cap, n + 1, sizeof *ph);
        ph[n] = (ltm_phase){r->t[row], r->t[row], xcalloc(k + 1, sizeof(size_t)), k, share};
        for (size_t j = 0; j < k; j++)
            ph[n].loops[j] = buf[j].loop;
        n++;
        rows_in = 1;
    }
    free(buf);
    *out = ph;
    return n;
}

void ltm_phases_free(ltm_phase *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(p[i].loops);
    free(p);
}
