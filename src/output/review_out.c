/* review_out.c -- the arrow review as a table, or as JSON. */
#include "review_out.h"

#include <stdlib.h>
#include <string.h>

#include "../loops/describe.h"
#include "../loops/util.h"

/* One cell per column, so widths can be measured before printing. */
#define NCOL 6
static const char *const heads[NCOL] = {"edge", "timeout", "retry", "when slow", "amplifying", "worst case"};

static void cells(const review *r, size_t i, char c[NCOL][256])
{
    const review_edge *e = &r->edges[i];
    snprintf(c[0], 256, "%s", e->name);
    if (e->spec->timeout > 0)
        desc_duration(e->spec->timeout, c[1], 256);
    else
        snprintf(c[1], 256, "none");
    if (e->spec->retry.attempts > 1) {
        char rd[160], on[64];
        desc_retry(&e->spec->retry, rd, sizeof rd);
        desc_retry_on(e->spec->retry.on, on, sizeof on);
        snprintf(c[2], 256, "%s, on %s", rd, on);
    } else {
        snprintf(c[2], 256, "none");
    }
    snprintf(c[3], 256, "%s", review_action_name(e->when_slow));
    snprintf(c[4], 256, "%s", e->amplifying ? "yes" : "no");
    snprintf(c[5], 256, "%gx", e->worst_amp);
}

static void path_text(FILE *f, const review *r, const review_path *p)
{
    const model *m = r->m;
    const review_edge *first = &r->edges[p->edges[0]];
    fprintf(f, "%s", first->client >= 0 ? m->clients[first->client].name : m->services[first->service].name);
    for (size_t j = 0; j < p->n; j++)
        fprintf(f, "\xe2\x86\x92%s", m->services[r->edges[p->edges[j]].callee].name);
}

void reviewout_text(FILE *f, const review *r)
{
    const model *m = r->m;
    fprintf(f, "%s: %zu call edge%s, worst-case amplification %gx\n\n", m->file, r->nedges, r->nedges == 1 ? "" : "s",
            r->worst_amp);
    size_t w[NCOL];
    for (int k = 0; k < NCOL; k++)
        w[k] = lu_width(heads[k]);
    char c[NCOL][256];
    for (size_t i = 0; i < r->nedges; i++) {
        cells(r, i, c);
        for (int k = 0; k < NCOL; k++)
            if (lu_width(c[k]) > w[k])
                w[k] = lu_width(c[k]);
    }
    for (int k = 0; k < NCOL; k++)
        fprintf(f, "%s%-*s", k ? "  " : "", k + 1 < NCOL ? (int)w[k] : 0, heads[k]);
    fprintf(f, "\n");
    for (size_t i = 0; i < r->nedges; i++) {
        cells(r, i, c);
        for (int k = 0; k < NCOL; k++) {
            fprintf(f, "%s%s", k ? "  " : "", c[k]);
            if (k + 1 < NCOL)
                for (size_t x = lu_width(c[k]); x < w[k]; x++)
                    fputc(' ', f);
        }
        fprintf(f, "\n");
    }

    fprintf(f, "(worst case: attempts reaching the callee per user request, on the worst path through the edge)\n");
    fprintf(f, "\nCall paths (worst-case amplification is the product of attempts along the path):\n");
    size_t pw = 0;
    char **ptext = lu_alloc(r->npaths, sizeof *ptext);
    for (size_t i = 0; i < r->npaths; i++) {
        size_t n = 0;
        FILE *m = open_memstream(&ptext[i], &n);
        if (!m)
            abort();
        path_text(m, r, &r->paths[i]);
        fclose(m);
        if (lu_width(ptext[i]) > pw)
            pw = lu_width(ptext[i]);
    }
    for (size_t i = 0; i < r->npaths; i++) {
        const review_path *p = &r->paths[i];
        fprintf(f, "  %s", ptext[i]);
        for (size_t x = lu_width(ptext[i]); x < pw + 3; x++)
            fputc(' ', f);
        free(ptext[i]);
        for (size_t j = 0; j < p->n; j++)
            fprintf(f, "%s%d", j ? " x " : "", r->edges[p->edges[j]].spec->retry.attempts);
        fprintf(f, " = %gx\n", p->amp);
    }
    free(ptext);
    if (r->paths_capped)
        fprintf(f, "  ... more than %d paths; the list stops here\n", REVIEW_MAX_PATHS);

    fprintf(f, "\nWhen slow, amplifying:\n");
    for (size_t i = 0; i < r->nedges; i++)
        fprintf(f, "  %s: %s; %s\n", r->edges[i].name, review_action_name(r->edges[i].when_slow), r->edges[i].why);

    fprintf(f, "\nFlags (%zu):\n", r->nflags);
    if (r->nflags == 0)
        fprintf(f, "  none\n");
    for (size_t i = 0; i < r->nflags; i++) {
        const review_flag *fl = &r->flags[i];
        fprintf(f, "  %s:%d:%d: %s: %s\n", m->file, fl->pos.line, fl->pos.col, fl->code, fl->msg);
    }
    fprintf(f, "\nnote: %s\n", review_not_covered);
}

json_t *reviewout_json(const review *r)
{
    const model *m = r->m;
    json_t *root = json_object();
    json_object_set_new(root, "model", json_string(m->file));
    json_object_set_new(root, "worst_amplification", json_real(r->worst_amp));
    json_t *edges = json_array();
    for (size_t i = 0; i < r->nedges; i++) {
        const review_edge *e = &r->edges[i];
        const call_spec *c = e->spec;
        json_t *o = json_object();
        json_object_set_new(o, "edge", json_string(e->name));
        json_object_set_new(o, "caller",
                            json_string(e->client >= 0 ? m->clients[e->client].name : m->services[e->service].name));
        json_object_set_new(o, "caller_kind", json_string(e->client >= 0 ? "client" : "service"));
        json_object_set_new(o, "callee", json_string(m->services[e->callee].name));
        json_object_set_new(o, "timeout_s", c->timeout > 0 ? json_real(t_sec(c->timeout)) : json_null());
        json_t *rt = json_object();
        json_object_set_new(rt, "attempts", json_integer(c->retry.attempts));
        json_object_set_new(rt, "backoff", json_string(backoff_name(c->retry.backoff)));
        json_object_set_new(rt, "jitter", json_string(jitter_name(c->retry.jitter)));
        json_t *on = json_array();
        if (c->retry.on & RETRY_ON_TIMEOUT)
            json_array_append_new(on, json_string("timeout"));
        if (c->retry.on & RETRY_ON_ERROR)
            json_array_append_new(on, json_string("error"));
        if (c->retry.on & RETRY_ON_REJECT)
            json_array_append_new(on, json_string("reject"));
        json_object_set_new(rt, "on", on);
        char rd[160];
        desc_retry(&c->retry, rd, sizeof rd);
        json_object_set_new(rt, "text", json_string(rd));
        json_object_set_new(o, "retry", rt);
        json_object_set_new(o, "when_slow", json_string(review_action_name(e->when_slow)));
        json_object_set_new(o, "amplifying", json_boolean(e->amplifying));
        json_object_set_new(o, "why", json_string(e->why));
        json_object_set_new(o, "worst_amplification", json_real(e->worst_amp));
        json_object_set_new(o, "line", json_integer(c->pos.line));
        json_object_set_new(o, "col", json_integer(c->pos.col));
        json_array_append_new(edges, o);
    }
    json_object_set_new(root, "edges", edges);
    json_t *paths = json_array();
    for (size_t i = 0; i < r->npaths; i++) {
        const review_path *p = &r->paths[i];
        json_t *o = json_object(), *hops = json_array(), *att = json_array();
        const review_edge *first = &r->edges[p->edges[0]];
        json_array_append_new(
            hops, json_string(first->client >= 0 ? m->clients[first->client].name : m->services[first->service].name));
        for (size_t j = 0; j < p->n; j++) {
            json_array_append_new(hops, json_string(m->services[r->edges[p->edges[j]].callee].name));
            json_array_append_new(att, json_integer(r->edges[p->edges[j]].spec->retry.attempts));
        }
        json_object_set_new(o, "path", hops);
        json_object_set_new(o, "attempts", att);
        json_object_set_new(o, "amplification", json_real(p->amp));
        json_array_append_new(paths, o);
    }
    json_object_set_new(root, "paths", paths);
    json_object_set_new(root, "paths_capped", json_boolean(r->paths_capped));
    json_t *flags = json_array();
    for (size_t i = 0; i < r->nflags; i++) {
        const review_flag *fl = &r->flags[i];
        json_t *o = json_object();
        json_object_set_new(o, "code", json_string(fl->code));
        json_object_set_new(o, "edge", fl->edge >= 0 ? json_string(r->edges[fl->edge].name) : json_null());
        json_object_set_new(o, "service", fl->service >= 0 ? json_string(m->services[fl->service].name) : json_null());
        json_object_set_new(o, "message", json_string(fl->msg));
        json_object_set_new(o, "line", json_integer(fl->pos.line));
        json_object_set_new(o, "col", json_integer(fl->pos.col));
        json_array_append_new(flags, o);
    }
    json_object_set_new(root, "flags", flags);
    json_object_set_new(root, "not_covered", json_string(review_not_covered));
    return root;
}

void reviewout_json_print(FILE *f, const review *r)
{
    json_t *j = reviewout_json(r);
    json_dumpf(j, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', f);
    json_decref(j);
}
