/* owners.c -- the teams each loop crosses (owners.h). */
#include "owners.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The quantity a variable stands for: the part of its id after the last
 * '.', "retries" for "shoppers→checkout.retries". */
static const char *owners_what(const cld_var *v)
{
    const char *dot = strrchr(v->id, '.');
    return dot ? dot + 1 : v->id;
}

/* Build one team's part of loop L: "shoppers: retries, timeouts; checkout: latency". */
static char *owners_part_text(const cld_graph *g, const cld_loop *L, const int *var_team, int team)
{
    lu_buf b = {0};
    for (size_t j = 0; j < L->len; j++) {
        const cld_var *v = &g->vars[L->vars[j]];
        if (var_team[L->vars[j]] != team)
            continue;
        bool seen = false; /* each entity once, with all its quantities */
        for (size_t k = 0; k < j && !seen; k++)
            seen = var_team[L->vars[k]] == team && !strcmp(g->vars[L->vars[k]].entity, v->entity);
        if (seen)
            continue;
        lu_buf_printf(&b, "%s%s: ", b.len ? "; " : "", v->entity);
        size_t nw = 0;
        for (size_t k = j; k < L->len; k++) {
            const cld_var *w = &g->vars[L->vars[k]];
            if (strcmp(w->entity, v->entity))
                continue;
            bool dup = false;
            for (size_t q = j; q < k && !dup; q++)
                dup = !strcmp(g->vars[L->vars[q]].entity, v->entity) && !strcmp(owners_what(&g->vars[L->vars[q]]), owners_what(w));
            if (!dup)
                lu_buf_printf(&b, "%s%s", nw++ ? ", " : "", owners_what(w));
        }
    }
    return lu_buf_take(&b);
}

static void owners_unowned(owners_report *r, const model *m)
{
    size_t cap = 0;
    struct {
        const char *kind;
        size_t n;
    } kinds[] = {{"client", m->nclients}, {"service", m->nservices}, {"cache", m->ncaches},
                 {"autoscaler", m->nautoscalers}, {"infra", m->ninfra}};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        for (size_t i = 0; i < kinds[k].n; i++) {
            const char *name = k == 0 ? m->clients[i].name
                               : k == 1 ? m->services[i].name
                               : k == 2 ? m->caches[i].name
                               : k == 3 ? m->autoscalers[i].name
                                        : m->infra[i].name;
            if (model_owner(m, name) >= 0)
                continue;
            lu_reserve((void **)&r->unowned, &cap, r->nunowned + 1, sizeof *r->unowned);
            r->unowned_kind = xreallocarray((void *)r->unowned_kind, cap, sizeof *r->unowned_kind);
            r->unowned[r->nunowned] = lu_strdup(name);
            r->unowned_kind[r->nunowned++] = kinds[k].kind;
        }
}

void owners_analyze(const loop_analysis *a, const model *m, owners_report *out)
{
    const cld_graph *g = a->g;
    memset(out, 0, sizeof *out);
    out->m = m;
    out->a = a;
    out->var_team = xcalloc(g->nvars ? g->nvars : 1, sizeof *out->var_team);
    for (size_t v = 0; v < g->nvars; v++)
        out->var_team[v] = model_owner(m, g->vars[v].entity);
    out->n = a->n;
    out->loops = xcalloc(a->n ? a->n : 1, sizeof *out->loops);
    for (size_t i = 0; i < a->n; i++) {
        const cld_loop *L = &a->loops[i];
        owners_loop *o = &out->loops[i];
        size_t cap = 0;
        for (size_t j = 0; j < L->len; j++) {
            int t = out->var_team[L->vars[j]];
            bool seen = false;
            for (size_t p = 0; p < o->nparts && !seen; p++)
                seen = o->parts[p].team == t;
            if (seen)
                continue;
            lu_reserve((void **)&o->parts, &cap, o->nparts + 1, sizeof *o->parts);
            o->parts[o->nparts++] = (owners_part){t, owners_part_text(g, L, out->var_team, t)};
            if (t >= 0)
                o->nteams++;
            else
                o->unowned = true;
        }
        o->cross_team = o->nteams >= 2;
        out->ncross += o->cross_team;
    }
    owners_unowned(out, m);
}

void owners_free(owners_report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        for (size_t p = 0; p < r->loops[i].nparts; p++)
            free(r->loops[i].parts[p].what);
        free(r->loops[i].parts);
    }
    free(r->loops);
    free(r->var_team);
    for (size_t i = 0; i < r->nunowned; i++)
        free(r->unowned[i]);
    free(r->unowned);
    free((void *)r->unowned_kind);
    memset(r, 0, sizeof *r);
}

char *owners_team_list(const owners_report *r, size_t i)
{
    lu_buf b = {0};
    const owners_loop *o = &r->loops[i];
    for (size_t p = 0; p < o->nparts; p++)
        if (o->parts[p].team >= 0)
            lu_buf_printf(&b, "%s%s", b.len ? ", " : "", r->m->teams[o->parts[p].team].name);
    return lu_buf_take(&b);
}

char *owners_sentence(const owners_report *r, size_t i)
{
    const owners_loop *o = &r->loops[i];
    const char *name = r->a->loops[i].name;
    lu_buf b = {0};
    if (o->nteams == 0) {
        lu_buf_printf(&b, "%s: no team owns any part of it.", name);
        return lu_buf_take(&b);
    }
    lu_buf_printf(&b, "%s %s ", name, o->cross_team ? "crosses" : "lies within");
    size_t k = 0;
    for (size_t p = 0; p < o->nparts; p++) {
        if (o->parts[p].team < 0)
            continue;
        k++;
        if (o->cross_team)
            lu_buf_add(&b, k == 1 ? "" : k == o->nteams ? " and " : ", ");
        lu_buf_printf(&b, "%s (%s)", r->m->teams[o->parts[p].team].name, o->parts[p].what);
    }
    if (o->cross_team)
        lu_buf_add(&b, o->nteams == 2 ? ": neither team sees the whole loop" : ": no single team sees the whole loop");
    for (size_t p = 0; p < o->nparts; p++)
        if (o->parts[p].team < 0)
            lu_buf_printf(&b, "%s nobody owns %s", o->cross_team ? ", and" : "; but", o->parts[p].what);
    lu_buf_add(&b, ".");
    return lu_buf_take(&b);
}
