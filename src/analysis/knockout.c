/* knockout.c -- the cuts that remove a loop, and applying them. */
#include "knockout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "variant.h"

static const char *metric_of(const cld_var *v)
{
    const char *dot = strrchr(v->id, '.');
    return dot ? dot + 1 : v->id;
}

/* Loops are visited in rank order, so a loop already listed is the last
 * one: no search, and the list grows by doubling (100,000 loops through
 * one retry edge cost a linear search and a realloc each before). */
static int add_loop(cut *c, size_t loop)
{
    if (c->nloops && c->loops[c->nloops - 1] == loop)
        return 0;
    if (c->nloops == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        size_t *p = realloc(c->loops, cap * sizeof *p);
        if (!p)
            return -1;
        c->loops = p;
        c->cap = cap;
    }
    c->loops[c->nloops++] = loop;
    return 0;
}

/* The cut of that element, added if new; NULL when out of memory. */
static cut *find_or_add(cut_set *cs, cut_kind kind, int client, int service, int cache)
{
    for (size_t i = 0; i < cs->n; i++)
        if (cs->v[i].kind == kind && cs->v[i].client == client && cs->v[i].service == service &&
            cs->v[i].cache == cache)
            return &cs->v[i];
    cut *v = realloc(cs->v, (cs->n + 1) * sizeof *cs->v);
    if (!v)
        return NULL;
    cs->v = v;
    cut *c = &cs->v[cs->n++];
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->client = client;
    c->service = service;
    c->cache = cache;
    return c;
}

/* Move the cuts of `late` to the end of `out` (their loop lists with them). */
static int append_cuts(cut_set *out, cut_set *late)
{
    if (!late->n)
        return 0;
    cut *v = realloc(out->v, (out->n + late->n) * sizeof *v);
    if (!v)
        return -1;
    memcpy(v + out->n, late->v, late->n * sizeof *v);
    out->v = v;
    out->n += late->n;
    free(late->v);
    memset(late, 0, sizeof *late);
    return 0;
}

int knockout_find(const model *m, const cld_graph *g, const loop_analysis *a, cut_set *out, eddy_error *err)
{
    memset(out, 0, sizeof *out);
    cut_set late = {0}; /* contention cuts, listed after the others */
    for (size_t i = 0; i < a->n; i++) {
        const cld_loop *l = &a->loops[i];
        if (l->type != 'R')
            continue;
        for (size_t k = 0; k < l->len; k++) {
            const cld_var *v = &g->vars[l->vars[k]];
            if (v->kind && !strcmp(v->kind, "service") && !strcmp(metric_of(v), "service_time")) {
                /* the hold cycle runs through the service time that
                 * contention stretches (derive.c adds the variable only
                 * for a service with sigma or kappa above 0) */
                int si = model_find_service(m, v->entity);
                if (si < 0)
                    continue;
                cut *c = find_or_add(&late, CUT_CONTENTION, -1, si, -1);
                if (!c || add_loop(c, i) < 0)
                    goto oom;
                snprintf(c->label, sizeof c->label, "contention off at %s", v->entity);
                continue;
            }
            if (v->kind && !strcmp(v->kind, "cache") && !strcmp(metric_of(v), "misses")) {
                /* the cold-cache loop runs through the cache's misses */
                int ki = model_find_cache(m, v->entity);
                const cache_spec *cs = ki >= 0 ? &m->caches[ki] : NULL;
                if (!cs || (cs->coalesce && cs->swr))
                    continue; /* nothing left to switch on */
                cut *c = find_or_add(out, CUT_CACHE, -1, -1, ki);
                if (!c || add_loop(c, i) < 0)
                    goto oom;
                snprintf(c->label, sizeof c->label, "coalescing and stale-while-revalidate on at %s", v->entity);
                continue;
            }
            bool retries = v->kind && !strcmp(metric_of(v), "retries");
            bool hedges = v->kind && !strcmp(metric_of(v), "hedges");
            if (!retries && !hedges)
                continue;
            /* An edge variable is owned by its caller. */
            int ci = !strcmp(v->kind, "client") ? model_find_client(m, v->entity) : -1;
            int si = !strcmp(v->kind, "service") ? model_find_service(m, v->entity) : -1;
            if (ci < 0 && si < 0)
                continue;
            cut *c = find_or_add(out, retries ? CUT_RETRIES : CUT_HEDGES, ci, si, -1);
            if (!c || add_loop(c, i) < 0)
                goto oom;
            snprintf(c->label, sizeof c->label, "%s off at %s", retries ? "retries" : "hedging", v->entity);
        }
    }
    if (append_cuts(out, &late) < 0)
        goto oom;
    cut *d = find_or_add(out, CUT_LOAD_DROP, -1, -1, -1);
    if (!d)
        goto oom;
    snprintf(d->label, sizeof d->label, "load drop (every client sheds 50%% for a while)");
    return 0;
oom:
    knockout_free(&late);
    knockout_free(out);
    return err_set(err, NULL, 0, 0, "out of memory collecting the cuts of %zu loops", a->n);
}

bool knockout_covers(const cut_set *cs, size_t loop)
{
    for (size_t i = 0; i < cs->n; i++)
        for (size_t k = 0; k < cs->v[i].nloops; k++)
            if (cs->v[i].loops[k] == loop)
                return true;
    return false;
}

void knockout_free(cut_set *cs)
{
    for (size_t i = 0; i < cs->n; i++)
        free(cs->v[i].loops);
    free(cs->v);
    memset(cs, 0, sizeof *cs);
}

void knockout_apply(model *m, const cut *c, simtime at, simtime drop_for)
{
    switch (c->kind) {
    case CUT_RETRIES:
        variant_add_action(m, (action_spec){.at = at, .client = c->client, .service = c->service, .cache = -1,
                                            .kind = ACTION_RETRY, .retry_on = false});
        break;
    case CUT_HEDGES:
        variant_add_action(m, (action_spec){.at = at, .client = c->client, .service = c->service, .cache = -1,
                                            .kind = ACTION_HEDGE, .hedge_on = false});
        break;
    case CUT_CACHE:
        /* The rest of the run is the longest an entry can be stale and
         * still served. */
        variant_add_action(m, (action_spec){.at = at, .client = -1, .service = -1, .cache = c->cache,
                                            .kind = ACTION_COALESCE, .coalesce = true});
        variant_add_action(m, (action_spec){.at = at, .client = -1, .service = -1, .cache = c->cache,
                                            .kind = ACTION_SWR, .swr = m->duration});
        break;
    case CUT_CONTENTION:
        variant_add_action(m, (action_spec){.at = at, .client = -1, .service = c->service, .cache = -1,
                                            .kind = ACTION_CONTENTION, .contention_on = false});
        break;
    case CUT_LOAD_DROP:
        for (size_t i = 0; i < m->nclients; i++) {
            variant_add_action(m, (action_spec){.at = at, .client = (int)i, .service = -1, .cache = -1, .kind = ACTION_SHED,
                                                .shed = 0.5});
            if (at + drop_for < m->duration)
                variant_add_action(m, (action_spec){.at = at + drop_for, .client = (int)i, .service = -1,
                                                    .kind = ACTION_SHED, .shed = 0});
        }
        break;
    }
}
