/* sd_graph.c -- a causal loop diagram from a stock-and-flow model's
 * equations: arrows from what each equation reads, polarities from
 * numerical partial derivatives along a run (sd_graph.h). */
#include "sd_graph.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../sd/causal.h"
#include "util.h"

/* How far an input is moved to see the sign of the derivative: small
 * against its value (a derivative, not a different run), large against
 * rounding.  A change in the output below NOISE of its size is no change. */
#define STEP_REL 1e-6
#define NOISE 1e-9
/* Chains followed through hidden variables into one target, at most. */
#define MAX_CHAINS 64

typedef struct sampler {
    sd_graph *s;
    size_t *in_lo, *in_hi; /* per model variable: its in-edges */
} sampler;

static void sample(sd_model *m, double t, bool saved, void *ud)
{
    sampler *sp = ud;
    sd_graph *s = sp->s;
    if (!saved)
        return;
    s->samples++;
    sdc_state cur = {0};
    sdc_capture(m, t, &cur);
    for (size_t i = 0; i < s->nedges; i++) {
        sdg_edge *e = &s->edges[i];
        double u = sdc_value(m, &cur, e->from);
        double h = STEP_REL * (fabs(u) + 1);
        double up, down;
        if (sdc_eval(m, e->to, t, e->from, NULL, h, &up) < 0 || sdc_eval(m, e->to, t, e->from, NULL, -h, &down) < 0)
            continue;
        double d = up - down, size = fmax(fabs(up), fabs(down));
        if (!isfinite(d) || fabs(d) <= NOISE * size)
            continue;
        if (d > 0)
            e->pos++;
        else
            e->neg++;
    }
    sdc_state_free(&cur);
}

/* ---- contraction of hidden variables ---- */

typedef struct chain {
    int from;  /* the visible source */
    int *edges; /* from the source to the target */
    size_t n;
} chain;

typedef struct walker {
    const sd_model *m;
    const sd_graph *s;
    const size_t *in_lo, *in_hi;
    int *stack; /* edges, from the target backwards */
    size_t depth;
    unsigned char *on_path;
    chain *out;
    size_t nout;
} walker;

static void walk(walker *w, int x)
{
    for (size_t i = w->in_lo[x]; i < w->in_hi[x] && w->nout < MAX_CHAINS; i++) {
        const sdg_edge *e = &w->s->edges[i];
        int u = e->from;
        w->stack[w->depth++] = (int)i;
        if (!sdc_hidden(w->m, u)) {
            chain *c = &w->out[w->nout++];
            c->from = u;
            c->n = w->depth;
            c->edges = xcalloc(w->depth, sizeof *c->edges);
            for (size_t k = 0; k < w->depth; k++)
                c->edges[k] = w->stack[w->depth - 1 - k];
        } else if (!w->on_path[u]) {
            w->on_path[u] = 1;
            walk(w, u);
            w->on_path[u] = 0;
        }
        w->depth--;
    }
}

/* The hidden variable a chain first passes through, for the note. */
static const char *chain_via(const sd_model *m, const sd_graph *s, const chain *c)
{
    return c->n > 1 ? sdc_name(m, s->edges[c->edges[0]].to) : NULL;
}

static void contract(sd_graph *s, const size_t *in_lo, const size_t *in_hi)
{
    sd_model *m = s->m;
    size_t nv = sdc_nvars(m);
    int *diag = xcalloc(nv, sizeof *diag); /* model variable -> diagram variable, -1 */
    for (size_t i = 0; i < nv; i++)
        diag[i] = -1;
    for (size_t i = 0; i < s->g->nvars; i++)
        diag[s->var_of[i]] = (int)i;
    walker w = {m, s, in_lo, in_hi, xcalloc(nv + 1, sizeof(int)), 0, xcalloc(nv + 1, 1),
                xcalloc(MAX_CHAINS, sizeof(chain)), 0};
    size_t caplinks = 0;
    for (size_t xi = 0; xi < s->g->nvars; xi++) {
        int x = s->var_of[xi];
        w.nout = 0;
        w.depth = 0;
        walk(&w, x);
        if (w.nout == MAX_CHAINS)
            cld_note_add(s->g, "%s: more than %d chains of arrows through builtins; only the first %d are followed",
                         sdc_name(m, x), MAX_CHAINS, MAX_CHAINS);
        bool *done = xcalloc(w.nout + 1, sizeof *done);
        for (size_t a = 0; a < w.nout; a++) {
            if (done[a])
                continue;
            int u = w.out[a].from;
            int sign = 2; /* none yet */
            bool delay = false, active = false;
            const char *via = NULL;
            size_t nthis = 0;
            for (size_t b = a; b < w.nout; b++) {
                if (w.out[b].from != u)
                    continue;
                nthis++;
                int ps = 1;
                for (size_t k = 0; k < w.out[b].n; k++) {
                    const sdg_edge *e = &s->edges[w.out[b].edges[k]];
                    ps *= e->sign;
                    delay = delay || e->delayed || (k > 0 && sdc_kind(m, e->from) == SD_STOCK);
                    active = active || e->pos || e->neg;
                }
                sign = sign == 2 ? ps : sign == ps ? sign : 0;
                if (!via)
                    via = chain_via(m, s, &w.out[b]);
            }
            int line, col;
            sdc_where(m, x, &line, &col);
            char *origin;
            if (sdc_kind(m, x) == SD_STOCK && nthis == 1 && w.out[a].n == 1 && sdc_kind(m, u) == SD_FLOW)
                origin = lu_printf("%s of %s", sign < 0 ? "outflow" : "inflow", sdc_name(m, x));
            else if (via)
                origin = lu_printf("equation of %s, through %s", sdc_name(m, x), via);
            else
                origin = lu_printf("equation of %s", sdc_name(m, x));
            const char *note = "";
            if (sign == 0)
                note = "\xc2\xb1: the partial derivative took both signs along the run";
            else if (!active)
                note = "no effect seen along the run (the partial derivative was 0 at every save step)";
            int li = cld_link_add(s->g, diag[u], (int)xi, sign, delay, note, origin, line, col);
            free(origin);
            lu_reserve((void **)&s->paths, &caplinks, (size_t)li + 1, sizeof *s->paths);
            s->npaths = xreallocarray(s->npaths, caplinks, sizeof *s->npaths);
            s->paths[li] = xcalloc(nthis, sizeof **s->paths);
            s->npaths[li] = 0;
            for (size_t b = a; b < w.nout; b++) {
                if (w.out[b].from != u)
                    continue;
                done[b] = true;
                s->paths[li][s->npaths[li]++] = (sdg_path){w.out[b].edges, w.out[b].n};
                w.out[b].edges = NULL;
            }
        }
        free(done);
    }
    free(w.stack);
    free(w.on_path);
    free(w.out);
    free(diag);
}

sd_graph *sdg_build(sd_model *m, eddy_error *err)
{
    sd_graph *s = xcalloc(1, sizeof *s);
    s->m = m;
    s->g = cld_new(sd_file(m));
    size_t nv = sdc_nvars(m), cap = 0;
    size_t *in_lo = xcalloc(nv + 1, sizeof *in_lo), *in_hi = xcalloc(nv + 1, sizeof *in_hi);
    for (size_t x = 0; x < nv; x++) {
        sdc_input *in;
        size_t n = sdc_inputs(m, (int)x, &in);
        in_lo[x] = s->nedges;
        for (size_t i = 0; i < n; i++) {
            lu_reserve((void **)&s->edges, &cap, s->nedges + 1, sizeof *s->edges);
            s->edges[s->nedges++] = (sdg_edge){in[i].var, (int)x, in[i].delayed, 0, 0, 0};
        }
        in_hi[x] = s->nedges;
        free(in);
    }
    sampler sp = {s, in_lo, in_hi};
    if (sdc_run(m, sample, &sp, err) < 0) {
        free(in_lo);
        free(in_hi);
        sdg_free(s);
        return NULL;
    }
    for (size_t i = 0; i < s->nedges; i++) {
        sdg_edge *e = &s->edges[i];
        e->sign = e->pos && e->neg ? 0 : e->neg ? -1 : 1;
    }
    size_t ncols = sd_ncols(m);
    s->var_of = xcalloc(ncols + 1, sizeof *s->var_of);
    for (size_t c = 0; c < ncols; c++) {
        int x = sdc_col_var(m, c), line, col;
        sdc_where(m, x, &line, &col);
        int v = cld_var_add(s->g, sdc_name(m, x), sdc_name(m, x), line, col);
        s->var_of[v] = x;
    }
    contract(s, in_lo, in_hi);
    free(in_lo);
    free(in_hi);
    return s;
}

void sdg_free(sd_graph *s)
{
    if (!s)
        return;
    if (s->g)
        for (size_t i = 0; i < s->g->nlinks && s->paths; i++) {
            for (size_t k = 0; k < s->npaths[i]; k++)
                free(s->paths[i][k].edges);
            free(s->paths[i]);
        }
    free(s->paths);
    free(s->npaths);
    cld_free(s->g);
    free(s->var_of);
    free(s->edges);
    free(s);
}
