/* boundary.c -- checking a boundary against each loop's feedback path. */
#include "boundary.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static bool in_list(char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i], s))
            return true;
    return false;
}

static void push(char ***v, size_t *n, size_t *cap, const char *s)
{
    lu_reserve((void **)v, cap, *n + 1, sizeof **v);
    (*v)[(*n)++] = lu_strdup(s);
}

const char *boundary_entity_kind(const cld_graph *g, const char *entity)
{
    for (size_t i = 0; i < g->nvars; i++)
        if (!strcmp(g->vars[i].entity, entity))
            return g->vars[i].kind;
    return NULL;
}

/* A name matches an entity, or (in a hand-drawn diagram) a variable's id. */
static const char *resolve(const cld_graph *g, const char *name)
{
    for (size_t i = 0; i < g->nvars; i++)
        if (!strcmp(g->vars[i].entity, name))
            return g->vars[i].entity;
    for (size_t i = 0; i < g->nvars; i++)
        if (!g->vars[i].kind && !strcmp(g->vars[i].id, name))
            return g->vars[i].entity;
    return NULL;
}

int boundary_check(const loop_analysis *a, const char *spec, boundary_report *out, eddy_error *err)
{
    const cld_graph *g = a->g;
    memset(out, 0, sizeof *out);
    size_t cap = 0;
    for (const char *p = spec;;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        while (n && (*p == ' ')) {
            p++;
            n--;
        }
        while (n && p[n - 1] == ' ')
            n--;
        if (n) {
            char *name = lu_strndup(p, n);
            const char *ent = resolve(g, name);
            if (!ent) {
                lu_buf list = {0};
                size_t shown = 0;
                for (size_t i = 0; i < g->nvars && shown < 40; i++) {
                    bool seen = false;
                    for (size_t j = 0; j < i && !seen; j++)
                        seen = !strcmp(g->vars[j].entity, g->vars[i].entity);
                    if (!seen) {
                        lu_buf_printf(&list, "%s%s", shown ? ", " : "", g->vars[i].entity);
                        shown++;
                    }
                }
                err_set(err, g->source, 0, 0, "--boundary: '%s' is not an entity here; the entities are: %s", name,
                        list.s ? list.s : "(none)");
                lu_buf_free(&list);
                free(name);
                boundary_free(out);
                return -1;
            }
            if (!in_list(out->names, out->nnames, ent))
                push(&out->names, &out->nnames, &cap, ent);
            free(name);
        }
        if (!e)
            break;
        p = e + 1;
    }
    if (out->nnames == 0)
        return err_set(err, g->source, 0, 0, "--boundary: expected entity names separated by commas, e.g. checkout,db");

    out->n = a->n;
    out->loops = xcalloc(a->n, sizeof *out->loops);
    for (size_t i = 0; i < a->n; i++) {
        const cld_loop *L = &a->loops[i];
        boundary_loop *b = &out->loops[i];
        size_t capc = 0, capo = 0, capn = 0;
        for (size_t j = 0; j < L->len; j++) {
            const cld_link *l = &g->links[L->links[j]];
            const char *fe = g->vars[l->from].entity, *te = g->vars[l->to].entity;
            bool fin = in_list(out->names, out->nnames, fe), tin = in_list(out->names, out->nnames, te);
            if (fin != tin) {
                lu_reserve((void **)&b->crossing, &capc, b->ncrossing + 1, sizeof *b->crossing);
                b->crossing[b->ncrossing++] = L->links[j];
            }
            if (!fin && !in_list(b->outside, b->noutside, fe))
                push(&b->outside, &b->noutside, &capo, fe);
            if (!in_list(b->needed, b->nneeded, fe))
                push(&b->needed, &b->nneeded, &capn, fe);
        }
        b->contained = b->noutside == 0;
        out->ncontained += b->contained;
    }
    return 0;
}

void boundary_free(boundary_report *r)
{
    for (size_t i = 0; i < r->nnames; i++)
        free(r->names[i]);
    free(r->names);
    for (size_t i = 0; i < r->n; i++) {
        boundary_loop *b = &r->loops[i];
        free(b->crossing);
        for (size_t j = 0; j < b->noutside; j++)
            free(b->outside[j]);
        free(b->outside);
        for (size_t j = 0; j < b->nneeded; j++)
            free(b->needed[j]);
        free(b->needed);
    }
    free(r->loops);
    memset(r, 0, sizeof *r);
}
