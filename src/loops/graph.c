/* graph.c -- building a causal loop diagram: variables and signed links. */
#include "graph.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

cld_graph *cld_new(const char *source)
{
    cld_graph *g = xcalloc(1, sizeof *g);
    g->source = lu_strdup(source);
    return g;
}

void cld_free(cld_graph *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->nvars; i++) {
        free(g->vars[i].id);
        free(g->vars[i].name);
        free(g->vars[i].entity);
    }
    for (size_t i = 0; i < g->nlinks; i++) {
        free(g->links[i].note);
        free(g->links[i].origin);
    }
    for (size_t i = 0; i < g->nnotes; i++)
        free(g->notes[i]);
    free(g->notes);
    hidx_free(&g->by_id);
    hidx_free(&g->by_link);
    free(g->vars);
    free(g->links);
    free(g->source);
    free(g);
}

typedef struct id_key {
    const cld_graph *g;
    const char *id;
} id_key;

static bool id_eq(const void *ctx, int i)
{
    const id_key *k = ctx;
    return !strcmp(k->g->vars[i].id, k->id);
}

int cld_find(const cld_graph *g, const char *id)
{
    id_key k = {g, id};
    return hidx_find(&g->by_id, hidx_hash_str(id), id_eq, &k);
}

int cld_find_name(const cld_graph *g, const char *name)
{
    for (size_t i = 0; i < g->nvars; i++)
        if (!strcmp(g->vars[i].name, name))
            return (int)i;
    return cld_find(g, name);
}

int cld_var_add(cld_graph *g, const char *id, const char *name, int line, int col)
{
    int v = cld_find(g, id);
    bool named = name && *name;
    if (v >= 0) {
        /* Only an id-only variable takes a later label: the first label a
         * reader sees is the one the output should repeat. */
        cld_var *x = &g->vars[v];
        if (named && !strcmp(x->name, x->id) && strcmp(name, x->id)) {
            free(x->name);
            x->name = lu_strdup(name);
            if (!strcmp(x->entity, x->id)) {
                free(x->entity);
                x->entity = lu_strdup(name);
            }
        }
        return v;
    }
    lu_reserve((void **)&g->vars, &g->capvars, g->nvars + 1, sizeof *g->vars);
    cld_var *x = &g->vars[g->nvars];
    x->id = lu_strdup(id);
    x->name = lu_strdup(named ? name : id);
    x->entity = lu_strdup(x->name);
    x->kind = NULL;
    x->cut = NULL;
    x->line = line;
    x->col = col;
    hidx_put(&g->by_id, hidx_hash_str(id), (int)g->nvars);
    return (int)g->nvars++;
}

void cld_var_set_entity(cld_graph *g, int v, const char *entity, const char *kind)
{
    g->vars[v].kind = kind;
    free(g->vars[v].entity);
    g->vars[v].entity = lu_strdup(entity);
}

typedef struct link_key {
    const cld_graph *g;
    int from, to, sign;
} link_key;

static bool link_eq(const void *ctx, int i)
{
    const link_key *k = ctx;
    const cld_link *l = &k->g->links[i];
    return l->from == k->from && l->to == k->to && l->sign == k->sign;
}

/* Append `add` to *s with "; " unless it is empty or already there. */
static void join_text(char **s, const char *add)
{
    if (!add || !*add || strstr(*s, add))
        return;
    char *n = **s ? lu_printf("%s; %s", *s, add) : lu_strdup(add);
    free(*s);
    *s = n;
}

int cld_link_add(cld_graph *g, int from, int to, int sign, bool delay, const char *note, const char *origin, int line,
                 int col)
{
    sign = sign < 0 ? -1 : sign > 0 ? 1 : 0;
    link_key k = {g, from, to, sign};
    uint64_t h = hidx_hash_ints(from, to, sign);
    int i = hidx_find(&g->by_link, h, link_eq, &k);
    if (i >= 0) {
        cld_link *l = &g->links[i];
        l->delay = l->delay || delay;
        join_text(&l->note, note);
        join_text(&l->origin, origin);
        return i;
    }
    lu_reserve((void **)&g->links, &g->caplinks, g->nlinks + 1, sizeof *g->links);
    cld_link *l = &g->links[g->nlinks];
    l->from = from;
    l->to = to;
    l->sign = sign;
    l->gain = 1;
    l->delay = delay;
    l->note = lu_strdup(note);
    l->origin = lu_strdup(origin);
    l->line = line;
    l->col = col;
    hidx_put(&g->by_link, h, (int)g->nlinks);
    return (int)g->nlinks++;
}

const char *cld_sign_str(int sign) { return sign < 0 ? "-" : sign > 0 ? "+" : "\xc2\xb1"; }

void cld_note_add(cld_graph *g, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = xcalloc((size_t)(n < 0 ? 0 : n) + 1, 1);
    vsnprintf(s, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap2);
    va_end(ap2);
    lu_reserve((void **)&g->notes, &g->capnotes, g->nnotes + 1, sizeof *g->notes);
    g->notes[g->nnotes++] = s;
}
