/* loops_out.c -- text, JSON, Mermaid and DOT forms of a loop analysis. */
#include "loops_out.h"

#include <stdlib.h>
#include <string.h>

#include "../model/todo.h"
#include "../loops/johnson.h"
#include "../loops/util.h"
#include "../core/xalloc.h"

#define ARROW "\xe2\x86\x92" /* → */

static const char *type_word(char t)
{
    return t == 'R' ? "reinforcing" : t == 'B' ? "balancing" : "of changing polarity";
}

/* ", 2 of changing polarity" when some loops run through a "±" link. */
static void changing_count(FILE *f, size_t nu)
{
    if (nu)
        fprintf(f, ", %zu of changing polarity", nu);
}

void loopsout_link_text(FILE *f, const cld_graph *g, int li)
{
    const cld_link *l = &g->links[li];
    fprintf(f, "%s -(%s%s)-> %s", g->vars[l->from].name, cld_sign_str(l->sign), l->delay ? ", delay" : "",
            g->vars[l->to].name);
}

static char *link_string(const cld_graph *g, int li)
{
    char *s = NULL;
    size_t n = 0;
    FILE *m = xopen_memstream(&s, &n);
    loopsout_link_text(m, g, li);
    fclose(m);
    return s;
}

/* What to show after a link: where it comes from, and its note. */
static void link_source(FILE *f, const cld_graph *g, int li)
{
    const cld_link *l = &g->links[li];
    bool any = false;
    if (l->origin[0]) {
        fprintf(f, "%s", l->origin);
        any = true;
    } else if (l->line > 0) {
        fprintf(f, "line %d", l->line);
        any = true;
    }
    if (l->note[0])
        fprintf(f, "%s%s", any ? "; " : "", l->note);
}

static void pad(FILE *f, size_t w, size_t to)
{
    for (; w < to; w++)
        fputc(' ', f);
}

/* Names of up to `max` loops in idx, then "and N more". */
static void loop_names(FILE *f, const loop_analysis *a, const size_t *idx, size_t n, bool more)
{
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%s", i ? ", " : "", a->loops[idx[i]].name);
    if (more)
        fprintf(f, ", ...");
}

static void text_loop(FILE *f, const loop_analysis *a, size_t i)
{
    const cld_graph *g = a->g;
    const cld_loop *L = &a->loops[i];
    fprintf(f, "%s %s: ", L->name, type_word(L->type));
    for (size_t j = 0; j < L->len; j++)
        fprintf(f, "%s " ARROW " ", g->vars[L->vars[j]].name);
    fprintf(f, "%s\n", g->vars[L->vars[0]].name);
    fprintf(f, "    %zu link%s, %d negative, %d delay%s", L->len, L->len == 1 ? "" : "s", L->negatives, L->delays,
            L->delays == 1 ? "" : "s");
    size_t idx[8];
    bool more;
    if (L->type == 'R') {
        size_t n = loops_touching(a, i, 'B', idx, 8, &more);
        if (n) {
            fprintf(f, "; guarded by ");
            loop_names(f, a, idx, n, more);
        } else {
            fprintf(f, "; UNGUARDED: no balancing loop touches it");
        }
    } else if (L->can_oscillate) {
        fprintf(f, "; CAN OSCILLATE: it corrects through a delay");
    }
    fprintf(f, "\n");
    size_t w = 0;
    char **txt = xcalloc(L->len, sizeof *txt);
    for (size_t j = 0; j < L->len; j++) {
        txt[j] = link_string(g, L->links[j]);
        size_t lw = lu_width(txt[j]);
        w = lw > w ? lw : w;
    }
    if (w > 64)
        w = 64;
    for (size_t j = 0; j < L->len; j++) {
        fprintf(f, "      %s", txt[j]);
        const cld_link *l = &g->links[L->links[j]];
        if (l->origin[0] || l->note[0] || l->line > 0) {
            pad(f, lu_width(txt[j]), w);
            fprintf(f, "   ");
            link_source(f, g, L->links[j]);
        }
        fprintf(f, "\n");
        free(txt[j]);
    }
    free(txt);
}

/* The boundary report and the notes, after either form of the loops. */
static void text_tail(FILE *f, const loop_analysis *a, const boundary_report *b)
{
    const cld_graph *g = a->g;
    if (b) {
        fprintf(f, "\nBoundary {");
        for (size_t i = 0; i < b->nnames; i++)
            fprintf(f, "%s%s", i ? ", " : "", b->names[i]);
        fprintf(f, "}: contains %zu of %zu loop%s\n", b->ncontained, b->n, b->n == 1 ? "" : "s");
        for (size_t i = 0; i < b->n; i++) {
            const boundary_loop *bl = &b->loops[i];
            const char *name = a->loops[i].name;
            if (bl->contained) {
                fprintf(f, "  %s is inside the boundary\n", name);
                continue;
            }
            fprintf(f, "  %s crosses the boundary at ", name);
            for (size_t j = 0; j < bl->noutside; j++) {
                const char *kind = boundary_entity_kind(g, bl->outside[j]);
                fprintf(f, "%s%s", j ? ", " : "", bl->outside[j]);
                if (kind)
                    fprintf(f, " (%s)", kind);
            }
            fprintf(f, "\n");
            for (size_t j = 0; j < bl->ncrossing; j++) {
                fprintf(f, "      crossing: ");
                loopsout_link_text(f, g, bl->crossing[j]);
                if (g->links[bl->crossing[j]].origin[0])
                    fprintf(f, "   %s", g->links[bl->crossing[j]].origin);
                fprintf(f, "\n");
            }
            fprintf(f, "      smallest boundary containing it: ");
            for (size_t j = 0; j < bl->nneeded; j++)
                fprintf(f, "%s%s", j ? ", " : "", bl->needed[j]);
            fprintf(f, "\n");
        }
    }
    if (g->nnotes) {
        fprintf(f, "\n");
        for (size_t i = 0; i < g->nnotes; i++)
            fprintf(f, "note: %s\n", g->notes[i]);
    }
}

/* Loops found by link score (ltm_find), not enumerated: say so. */
static void found_note(FILE *f, const loop_analysis *a)
{
    fprintf(f, "More than %zu loops (--max-loops), so not every loop is enumerated: these are the %zu loops the "
               "strongest-path search found by link score along the run (Eberlein and Schoenberg 2020), the "
               "strongest at some time; the dominance below is among them.%s\n",
            a->max, a->n, a->n >= a->max ? " The search stopped at --max-loops loops found: raise it for more." : "");
}

static void text_all(FILE *f, const loop_analysis *a, const boundary_report *b)
{
    const cld_graph *g = a->g;
    fprintf(f, "%s: %zu variable%s, %zu link%s, %zu loop%s (%zu reinforcing, %zu balancing", g->source, g->nvars,
            g->nvars == 1 ? "" : "s", g->nlinks, g->nlinks == 1 ? "" : "s", a->n, a->n == 1 ? "" : "s", a->nr, a->nb);
    changing_count(f, a->nu);
    fprintf(f, ")\n");
    if (a->found_by_score)
        found_note(f, a);
    else if (a->capped)
        fprintf(f, "CAPPED: stopped at %zu loops (--max-loops %zu); the diagram has more, so this list is partial\n",
                a->n, a->max);
    for (size_t i = 0; i < a->n; i++) {
        fprintf(f, "\n");
        text_loop(f, a, i);
    }

    bool header = false;
    size_t nw = 0;
    for (size_t v = 0; v < g->nvars; v++)
        if (a->var_nloops[v] >= 2 && lu_width(g->vars[v].name) > nw)
            nw = lu_width(g->vars[v].name);
    for (size_t v = 0; v < g->nvars; v++) {
        size_t n = a->var_nloops[v];
        if (n < 2)
            continue;
        if (!header) {
            fprintf(f, "\nShared variables (loops through the same variable interact):\n");
            header = true;
        }
        fprintf(f, "  %s", g->vars[v].name);
        pad(f, lu_width(g->vars[v].name), nw);
        fprintf(f, "  ");
        size_t shown = n > 12 ? 12 : n;
        loop_names(f, a, a->var_loops[v], shown, n > shown);
        if (n > shown)
            fprintf(f, " (%zu loops)", n);
        fprintf(f, "\n");
    }

    fprintf(f, "\nFlags:\n");
    if (a->nunguarded == 0 && a->noscillate == 0)
        fprintf(f,
                "  none: every reinforcing loop is touched by a balancing loop, and no balancing loop has a delay\n");
    if (a->nunguarded) {
        fprintf(f, "  unguarded (a reinforcing loop no balancing loop touches: nothing drawn limits it, so it runs "
                   "until something breaks; a breaker, a retry budget or a bounded queue on it would):\n   ");
        for (size_t i = 0, k = 0; i < a->n; i++)
            if (a->loops[i].unguarded)
                fprintf(f, "%s%s", k++ ? ", " : " ", a->loops[i].name);
        fprintf(f, "\n");
    }
    if (a->noscillate) {
        fprintf(f, "  can oscillate (a balancing loop with a delay corrects late and overshoots):\n   ");
        for (size_t i = 0, k = 0; i < a->n; i++)
            if (a->loops[i].can_oscillate)
                fprintf(f, "%s%s", k++ ? ", " : " ", a->loops[i].name);
        fprintf(f, "\n");
    }

    text_tail(f, a, b);
}


/* ---- by group ------------------------------------------------------------------- */

void loopsout_group_label(FILE *f, const cld_graph *g, const loop_group *G)
{
    if (G->var >= 0) {
        const cld_var *v = &g->vars[G->var];
        const char *dot = strrchr(v->id, '.');
        fprintf(f, "%s at %.*s", v->cut, dot ? (int)(dot - v->id) : (int)strlen(v->id), v->id);
    } else {
        fprintf(f, "closing arrow ");
        loopsout_link_text(f, g, G->link);
    }
}

static char *group_label(const cld_graph *g, const loop_group *G)
{
    char *s = NULL;
    size_t n = 0;
    FILE *m = xopen_memstream(&s, &n);
    loopsout_group_label(m, g, G);
    fclose(m);
    return s;
}

/* The loops listed in full by default: the strongest of the groups that
 * matter most. */
#define GROUP_ROWS 20
#define GROUP_LOOPS 5

static void text_grouped(FILE *f, const loop_analysis *a, const boundary_report *b)
{
    const cld_graph *g = a->g;
    size_t total = a->nr + a->nb + a->nu;
    bool exact = true;
    for (size_t k = 0; k < a->ngroups; k++)
        exact = exact && a->groups[k].exact;
    fprintf(f, "%s: %zu variable%s, %zu link%s, %s%zu loop%s (%zu reinforcing, %zu balancing) in %zu group%s by the "
               "arrow that cuts them\n",
            g->source, g->nvars, g->nvars == 1 ? "" : "s", g->nlinks, g->nlinks == 1 ? "" : "s",
            exact ? "" : "at least ", total, total == 1 ? "" : "s", a->nr, a->nb, a->ngroups,
            a->ngroups == 1 ? "" : "s");
    if (a->found_by_score) {
        found_note(f, a);
    } else if (!a->complete) {
        fprintf(f, "More than %zu loops (--max-loops), so they are not listed one by one: each group was searched on "
                   "its own",
                a->max);
        if (a->count_cap)
            fprintf(f, ", its loops counted up to %zu (\xe2\x89\xa5: there are more)", a->count_cap);
        fprintf(f, ", and its shortest loop and its strongest (by strongest-path search, Eberlein and Schoenberg "
                   "2020) kept. --all lists every loop.\n");
    }
    if (a->ngroups == 0) {
        text_tail(f, a, b);
        return;
    }
    fprintf(f, "\nGroups, the ones that matter first (gain: the worst-case amplification around the strongest loop; "
               "cutting the arrow cuts every loop of its group):\n");
    size_t rows = a->ngroups < GROUP_ROWS ? a->ngroups : GROUP_ROWS;
    char **lab = xcalloc(rows, sizeof *lab);
    size_t w = 3;
    for (size_t r = 0; r < rows; r++) {
        lab[r] = group_label(g, &a->groups[a->order[r]]);
        size_t lw = lu_width(lab[r]);
        w = lw > w ? lw : w;
    }
    if (w > 72)
        w = 72;
    fprintf(f, "  %s", "cut");
    pad(f, 3, w);
    fprintf(f, "  %-22s %8s  %s\n", "loops", "gain", "shortest loop");
    for (size_t r = 0; r < rows; r++) {
        const loop_group *G = &a->groups[a->order[r]];
        fprintf(f, "  %s", lab[r]);
        pad(f, lu_width(lab[r]), w);
        char cnt[64];
        snprintf(cnt, sizeof cnt, "%s%zu (%zu R, %zu B)", G->exact ? "" : ">=", G->count, G->nr, G->nb);
        const cld_loop *S = &a->loops[G->shortest];
        fprintf(f, "  %-22s %7gx  %s (%zu link%s)\n", cnt, G->gain, S->name, S->len, S->len == 1 ? "" : "s");
        free(lab[r]);
    }
    free(lab);
    if (a->ngroups > rows)
        fprintf(f, "  ... and %zu more group%s (--json lists them all)\n", a->ngroups - rows,
                a->ngroups - rows == 1 ? "" : "s");

    size_t nshow = a->ngroups < GROUP_LOOPS ? a->ngroups : GROUP_LOOPS;
    fprintf(f, "\nThe strongest loop of the %zu group%s that matter%s most:\n", nshow, nshow == 1 ? "" : "s",
            nshow == 1 ? "s" : "");
    bool any_unguarded = false, any_osc = false;
    for (size_t r = 0; r < nshow; r++) {
        const loop_group *G = &a->groups[a->order[r]];
        fprintf(f, "\n");
        text_loop(f, a, G->strongest);
        any_unguarded = any_unguarded || a->loops[G->strongest].unguarded;
        any_osc = any_osc || a->loops[G->strongest].can_oscillate;
    }
    if (a->complete && a->n > 0)
        fprintf(f, "\n%zu more loop%s: --all lists every loop.\n", a->n - nshow, a->n - nshow == 1 ? "" : "s");
    if (any_unguarded || any_osc) {
        fprintf(f, "\nFlags (on the loops above):\n");
        if (any_unguarded)
            fprintf(f, "  unguarded: no balancing loop%s touches it, so nothing drawn limits it; a breaker, a retry "
                       "budget or a bounded queue on it would\n",
                    a->complete ? "" : " found");
        if (any_osc)
            fprintf(f, "  can oscillate: a balancing loop with a delay corrects late and overshoots\n");
    }
    text_tail(f, a, b);
}

/* Small diagrams are listed whole, as they always were: every loop with
 * its links, the shared variables, the flags. */
#define LIST_WHOLE_MAX 12

void loopsout_text(FILE *f, const loop_analysis *a, const boundary_report *b)
{
    if (a->complete && a->n <= LIST_WHOLE_MAX)
        text_all(f, a, b);
    else
        text_grouped(f, a, b);
}

void loopsout_text_all(FILE *f, const loop_analysis *a, const boundary_report *b) { text_all(f, a, b); }

/* ---- JSON ------------------------------------------------------------------- */

static json_t *link_json(const cld_graph *g, int li)
{
    const cld_link *l = &g->links[li];
    json_t *o = json_object();
    json_object_set_new(o, "from", json_string(g->vars[l->from].name));
    json_object_set_new(o, "to", json_string(g->vars[l->to].name));
    json_object_set_new(o, "polarity", json_string(cld_sign_str(l->sign)));
    json_object_set_new(o, "delay", json_boolean(l->delay));
    json_object_set_new(o, "note", json_string(l->note));
    json_object_set_new(o, "origin", json_string(l->origin));
    if (l->line > 0) {
        json_object_set_new(o, "line", json_integer(l->line));
        json_object_set_new(o, "col", json_integer(l->col));
    }
    return o;
}

static json_t *names_json(const loop_analysis *a, const size_t *idx, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_string(a->loops[idx[i]].name));
    return arr;
}

/* The JSON of the analysis: every loop held with `all`, else what the
 * text lists -- every loop of a short analysis, else the shortest and
 * the strongest loop of each group (a 1.6 KB model has 4,785 loops, and
 * each with its links made 34 MB). */
static json_t *json_build(const loop_analysis *a, const boundary_report *b, const char *kind, bool all)
{
    const cld_graph *g = a->g;
    /* past --max-loops only a few loops are held (two a group, or those
     * found by score): all of them are listed, as before */
    bool whole = all || !a->complete || a->n <= LIST_WHOLE_MAX;
    bool *listed = xcalloc(a->n ? a->n : 1, sizeof *listed);
    for (size_t i = 0; i < a->n; i++)
        listed[i] = whole;
    for (size_t k = 0; k < a->ngroups && !whole; k++)
        listed[a->groups[k].shortest] = listed[a->groups[k].strongest] = true;
    json_t *root = json_object();
    json_object_set_new(root, "source", json_string(g->source));
    json_object_set_new(root, "kind", json_string(kind ? kind : ""));

    json_t *vars = json_array();
    for (size_t v = 0; v < g->nvars; v++) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(g->vars[v].id));
        json_object_set_new(o, "name", json_string(g->vars[v].name));
        json_object_set_new(o, "entity", json_string(g->vars[v].entity));
        if (g->vars[v].kind)
            json_object_set_new(o, "entity_kind", json_string(g->vars[v].kind));
        json_array_append_new(vars, o);
    }
    json_object_set_new(root, "variables", vars);
    json_t *links = json_array();
    for (size_t i = 0; i < g->nlinks; i++)
        json_array_append_new(links, link_json(g, (int)i));
    json_object_set_new(root, "links", links);

    json_t *summary = json_object();
    json_object_set_new(summary, "loops", json_integer((json_int_t)a->n));
    json_object_set_new(summary, "reinforcing", json_integer((json_int_t)a->nr));
    json_object_set_new(summary, "balancing", json_integer((json_int_t)a->nb));
    if (a->nu)
        json_object_set_new(summary, "changing_polarity", json_integer((json_int_t)a->nu));
    json_object_set_new(summary, "unguarded", json_integer((json_int_t)a->nunguarded));
    json_object_set_new(summary, "can_oscillate", json_integer((json_int_t)a->noscillate));
    json_object_set_new(summary, "max_loops", a->max ? json_integer((json_int_t)a->max) : json_null());
    json_object_set_new(summary, "capped", json_boolean(a->capped));
    json_object_set_new(summary, "complete", json_boolean(a->complete));
    json_object_set_new(summary, "groups", json_integer((json_int_t)a->ngroups));
    json_object_set_new(root, "summary", summary);
    json_object_set_new(root, "loops_listed",
                        json_string(!a->complete        ? (a->found_by_score
                                                                   ? "the loops found by strongest-path search on link scores"
                                                                   : "the shortest and the strongest loop of each group")
                                    : whole ? "all"
                                            : "the shortest and the strongest loop of each group (every loop with --all)"));

    /* the groups, the ones that matter first */
    json_t *groups = json_array();
    for (size_t r = 0; r < a->ngroups; r++) {
        const loop_group *G = &a->groups[a->order[r]];
        json_t *o = json_object();
        char *lab = group_label(g, G);
        json_object_set_new(o, "cut", json_string(lab));
        free(lab);
        if (G->var >= 0) {
            json_object_set_new(o, "cut_variable", json_string(g->vars[G->var].name));
            json_object_set_new(o, "switch", json_string(g->vars[G->var].cut));
        } else {
            json_object_set_new(o, "closing_link", link_json(g, G->link));
        }
        json_object_set_new(o, "loops", json_integer((json_int_t)G->count));
        json_object_set_new(o, "reinforcing", json_integer((json_int_t)G->nr));
        json_object_set_new(o, "balancing", json_integer((json_int_t)G->nb));
        json_object_set_new(o, "exact", json_boolean(G->exact));
        json_object_set_new(o, "gain", json_real(G->gain));
        json_object_set_new(o, "shortest", json_string(a->loops[G->shortest].name));
        json_object_set_new(o, "strongest", json_string(a->loops[G->strongest].name));
        json_array_append_new(groups, o);
    }
    json_object_set_new(root, "groups", groups);

    json_t *loops = json_array();
    size_t idx[16];
    bool more;
    for (size_t i = 0; i < a->n; i++) {
        if (!listed[i])
            continue;
        const cld_loop *L = &a->loops[i];
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(L->name));
        json_object_set_new(o, "type", json_string(L->type == 'R' ? "R" : L->type == 'B' ? "B" : "U"));
        json_object_set_new(o, "kind", json_string(type_word(L->type)));
        json_t *vs = json_array();
        for (size_t j = 0; j < L->len; j++)
            json_array_append_new(vs, json_string(g->vars[L->vars[j]].name));
        json_object_set_new(o, "variables", vs);
        json_t *ls = json_array();
        for (size_t j = 0; j < L->len; j++)
            json_array_append_new(ls, link_json(g, L->links[j]));
        json_object_set_new(o, "links", ls);
        json_object_set_new(o, "negative_links", json_integer(L->negatives));
        json_object_set_new(o, "delays", json_integer(L->delays));
        json_object_set_new(o, "unguarded", json_boolean(L->unguarded));
        json_object_set_new(o, "can_oscillate", json_boolean(L->can_oscillate));
        json_object_set_new(o, "gain", json_real(L->gain));
        if (L->type == 'R') {
            size_t n = loops_touching(a, i, 'B', idx, 16, &more);
            json_object_set_new(o, "guarded_by", names_json(a, idx, n));
            json_object_set_new(o, "guarded_by_truncated", json_boolean(more));
        }
        size_t n = loops_touching(a, i, 0, idx, 16, &more);
        json_object_set_new(o, "shares_variables_with", names_json(a, idx, n));
        json_object_set_new(o, "shares_variables_with_truncated", json_boolean(more));
        json_array_append_new(loops, o);
    }
    json_object_set_new(root, "loops", loops);

    json_t *shared = json_array();
    for (size_t v = 0; v < g->nvars; v++) {
        json_t *names = json_array();
        for (size_t k = 0; k < a->var_nloops[v]; k++)
            if (listed[a->var_loops[v][k]])
                json_array_append_new(names, json_string(a->loops[a->var_loops[v][k]].name));
        if (json_array_size(names) < 2) {
            json_decref(names);
            continue;
        }
        json_t *o = json_object();
        json_object_set_new(o, "variable", json_string(g->vars[v].name));
        json_object_set_new(o, "loops", names);
        json_array_append_new(shared, o);
    }
    json_object_set_new(root, "shared_variables", shared);

    if (b) {
        json_t *bo = json_object();
        json_t *names = json_array();
        for (size_t i = 0; i < b->nnames; i++)
            json_array_append_new(names, json_string(b->names[i]));
        json_object_set_new(bo, "entities", names);
        json_object_set_new(bo, "contained", json_integer((json_int_t)b->ncontained));
        json_t *bl = json_array();
        for (size_t i = 0; i < b->n; i++) {
            const boundary_loop *x = &b->loops[i];
            json_t *o = json_object();
            json_object_set_new(o, "loop", json_string(a->loops[i].name));
            json_object_set_new(o, "contained", json_boolean(x->contained));
            json_t *out = json_array();
            for (size_t j = 0; j < x->noutside; j++) {
                json_t *e = json_object();
                const char *k = boundary_entity_kind(g, x->outside[j]);
                json_object_set_new(e, "entity", json_string(x->outside[j]));
                json_object_set_new(e, "kind", k ? json_string(k) : json_null());
                json_array_append_new(out, e);
            }
            json_object_set_new(o, "outside", out);
            json_t *cr = json_array();
            for (size_t j = 0; j < x->ncrossing; j++)
                json_array_append_new(cr, link_json(g, x->crossing[j]));
            json_object_set_new(o, "crossing", cr);
            json_t *nd = json_array();
            for (size_t j = 0; j < x->nneeded; j++)
                json_array_append_new(nd, json_string(x->needed[j]));
            json_object_set_new(o, "smallest_boundary", nd);
            json_array_append_new(bl, o);
        }
        json_object_set_new(bo, "loops", bl);
        json_object_set_new(root, "boundary", bo);
    }
    json_t *notes = json_array();
    for (size_t i = 0; i < g->nnotes; i++)
        json_array_append_new(notes, json_string(g->notes[i]));
    json_object_set_new(root, "notes", notes);
    if (todo_assumed_line()) /* a model read under --assume says so in its JSON */
        json_object_set_new(root, "assumed", json_string(todo_assumed_line()));
    free(listed);
    return root;
}

json_t *loopsout_json(const loop_analysis *a, const boundary_report *b, const char *kind)
{
    return json_build(a, b, kind, false);
}

json_t *loopsout_json_all(const loop_analysis *a, const boundary_report *b, const char *kind)
{
    return json_build(a, b, kind, true);
}

void loopsout_json_print(FILE *f, const loop_analysis *a, const boundary_report *b, const char *kind)
{
    json_t *j = loopsout_json(a, b, kind);
    json_dumpf(j, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', f);
    json_decref(j);
}

/* ---- Mermaid and DOT ------------------------------------------------------------ */

/* Which loops each link is on: 'R' if any reinforcing, else 'B', else 0. */
static char *link_colours(const loop_analysis *a)
{
    char *c = xcalloc(a->g->nlinks + 1, 1);
    for (size_t i = 0; i < a->n; i++) {
        const cld_loop *L = &a->loops[i];
        for (size_t j = 0; j < L->len && L->type != 'U'; j++)
            if (c[L->links[j]] != 'R')
                c[L->links[j]] = L->type;
    }
    return c;
}

static char *var_colours(const loop_analysis *a)
{
    char *c = xcalloc(a->g->nvars + 1, 1);
    for (size_t i = 0; i < a->n; i++) {
        const cld_loop *L = &a->loops[i];
        for (size_t j = 0; j < L->len && L->type != 'U'; j++)
            if (c[L->vars[j]] != 'R')
                c[L->vars[j]] = L->type;
    }
    return c;
}

/* Mermaid labels cannot hold a double quote; it has its own escape. */
static void mermaid_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '"')
            fputs("#quot;", f);
        else if (*s == '\n')
            fputc(' ', f);
        else
            fputc(*s, f);
    }
}

#define RED "#c0392b"
#define BLUE "#2874a6"
/* Name the loops on each link only while the diagram stays readable. */
#define LABEL_LOOPS_MAX 12

/* The distinct lanes, in the order their first variable was declared. */
static size_t lanes_of(const cld_graph *g, const char *const *lane, const char ***out)
{
    const char **v = xcalloc(g->nvars + 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; lane && i < g->nvars; i++) {
        bool seen = !lane[i];
        for (size_t k = 0; k < n && !seen; k++)
            seen = !strcmp(v[k], lane[i]);
        if (!seen)
            v[n++] = lane[i];
    }
    *out = v;
    return n;
}

void loopsout_mermaid(FILE *f, const loop_analysis *a) { loopsout_mermaid_lanes(f, a, NULL); }

static void mermaid_var(FILE *f, const cld_graph *g, size_t v, const char *indent)
{
    fprintf(f, "%sv%zu[\"", indent, v);
    mermaid_text(f, g->vars[v].name);
    fprintf(f, "\"]\n");
}

void loopsout_mermaid_lanes(FILE *f, const loop_analysis *a, const char *const *lane)
{
    const cld_graph *g = a->g;
    char *lc = link_colours(a), *vc = var_colours(a);
    fprintf(f, "%%%% eddy loops: %zu loop%s in %s", a->n, a->n == 1 ? "" : "s", g->source);
    if (a->capped)
        fprintf(f, " (capped at %zu; there are more)", a->max);
    fprintf(f, "\n");
    for (size_t i = 0; i < a->n && i < 1000; i++) {
        const cld_loop *L = &a->loops[i];
        fprintf(f, "%%%% %s %s: ", L->name, type_word(L->type));
        for (size_t j = 0; j < L->len; j++)
            fprintf(f, "%s%s", j ? " -> " : "", g->vars[L->vars[j]].name);
        fprintf(f, "\n");
    }
    fprintf(f, "flowchart LR\n");
    const char **lanes;
    size_t nl = lanes_of(g, lane, &lanes);
    for (size_t k = 0; k < nl; k++) { /* one swimlane per lane */
        fprintf(f, "  subgraph lane%zu[\"", k);
        mermaid_text(f, lanes[k]);
        fprintf(f, "\"]\n");
        for (size_t v = 0; v < g->nvars; v++)
            if (lane[v] && !strcmp(lane[v], lanes[k]))
                mermaid_var(f, g, v, "    ");
        fprintf(f, "  end\n");
    }
    for (size_t v = 0; v < g->nvars; v++)
        if (!lane || !lane[v])
            mermaid_var(f, g, v, "  ");
    free(lanes);
    for (size_t i = 0; i < g->nlinks; i++) {
        const cld_link *l = &g->links[i];
        fprintf(f, "  v%d -->|\"(%s)%s", l->from, cld_sign_str(l->sign), l->delay ? " ||" : "");
        if (l->note[0]) {
            fputc(' ', f);
            mermaid_text(f, l->note);
        }
        if (a->n <= LABEL_LOOPS_MAX && lc[i]) {
            fprintf(f, " [");
            bool first = true;
            for (size_t k = 0; k < a->n; k++)
                for (size_t j = 0; j < a->loops[k].len; j++)
                    if (a->loops[k].links[j] == (int)i) {
                        fprintf(f, "%s%s", first ? "" : " ", a->loops[k].name);
                        first = false;
                    }
            fprintf(f, "]");
        }
        fprintf(f, "\"| v%d\n", l->to);
    }
    fprintf(f, "  classDef reinforcing stroke:" RED ",stroke-width:3px\n");
    fprintf(f, "  classDef balancing stroke:" BLUE ",stroke-width:3px\n");
    for (int pass = 0; pass < 2; pass++) {
        char want = pass == 0 ? 'R' : 'B';
        bool any = false;
        for (size_t v = 0; v < g->nvars; v++)
            if (vc[v] == want) {
                fprintf(f, "%sv%zu", any ? "," : "  class ", v);
                any = true;
            }
        if (any)
            fprintf(f, " %s\n", want == 'R' ? "reinforcing" : "balancing");
        any = false;
        for (size_t i = 0; i < g->nlinks; i++)
            if (lc[i] == want) {
                fprintf(f, "%s%zu", any ? "," : "  linkStyle ", i);
                any = true;
            }
        if (any)
            fprintf(f, " stroke:%s,stroke-width:3px\n", want == 'R' ? RED : BLUE);
    }
    free(lc);
    free(vc);
}

static void dot_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        if (*s == '\n')
            fputs("\\n", f);
        else
            fputc(*s, f);
    }
}

void loopsout_dot(FILE *f, const loop_analysis *a) { loopsout_dot_lanes(f, a, NULL); }

static void dot_var(FILE *f, const cld_graph *g, const char *vc, size_t v, const char *indent)
{
    fprintf(f, "%sv%zu [label=\"", indent, v);
    dot_text(f, g->vars[v].name);
    fprintf(f, "\"");
    if (vc[v])
        fprintf(f, ", color=\"%s\", penwidth=2", vc[v] == 'R' ? RED : BLUE);
    fprintf(f, "];\n");
}

void loopsout_dot_lanes(FILE *f, const loop_analysis *a, const char *const *lane)
{
    const cld_graph *g = a->g;
    char *lc = link_colours(a), *vc = var_colours(a);
    fprintf(f, "// eddy loops: %zu loop%s in %s", a->n, a->n == 1 ? "" : "s", g->source);
    if (a->capped)
        fprintf(f, " (capped at %zu; there are more)", a->max);
    fprintf(f, "\n");
    for (size_t i = 0; i < a->n && i < 1000; i++) {
        const cld_loop *L = &a->loops[i];
        fprintf(f, "// %s %s: ", L->name, type_word(L->type));
        for (size_t j = 0; j < L->len; j++)
            fprintf(f, "%s%s", j ? " -> " : "", g->vars[L->vars[j]].name);
        fprintf(f, "\n");
    }
    fprintf(f, "digraph loops {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
               "  edge [fontname=\"Helvetica\"];\n");
    const char **lanes;
    size_t nl = lanes_of(g, lane, &lanes);
    for (size_t k = 0; k < nl; k++) { /* one cluster per lane */
        fprintf(f, "  subgraph cluster_%zu {\n    label=\"", k);
        dot_text(f, lanes[k]);
        fprintf(f, "\";\n    style=rounded;\n");
        for (size_t v = 0; v < g->nvars; v++)
            if (lane[v] && !strcmp(lane[v], lanes[k]))
                dot_var(f, g, vc, v, "    ");
        fprintf(f, "  }\n");
    }
    for (size_t v = 0; v < g->nvars; v++)
        if (!lane || !lane[v])
            dot_var(f, g, vc, v, "  ");
    free(lanes);
    for (size_t i = 0; i < g->nlinks; i++) {
        const cld_link *l = &g->links[i];
        fprintf(f, "  v%d -> v%d [label=\"%s%s\"", l->from, l->to, cld_sign_str(l->sign), l->delay ? " ||" : "");
        if (l->origin[0] || l->note[0]) {
            fprintf(f, ", tooltip=\"");
            dot_text(f, l->origin[0] ? l->origin : l->note);
            fprintf(f, "\"");
        }
        if (lc[i])
            fprintf(f, ", color=\"%s\", penwidth=2", lc[i] == 'R' ? RED : BLUE);
        if (l->sign < 0)
            fprintf(f, ", style=dashed");
        fprintf(f, "];\n");
    }
    fprintf(f, "}\n");
    free(lc);
    free(vc);
}

/* ---- --all, streamed ------------------------------------------------------------- */

typedef struct stream {
    FILE *f;
    const cld_graph *g;
    size_t max, n, nr, nb;
    bool capped, json;
} stream;

static void stream_counts(stream *st, const int *links, size_t len, char *type, int *neg, int *delays)
{
    *neg = *delays = 0;
    for (size_t j = 0; j < len; j++) {
        *neg += st->g->links[links[j]].sign < 0;
        *delays += st->g->links[links[j]].delay;
    }
    *type = *neg % 2 ? 'B' : 'R';
    if (*type == 'R')
        st->nr++;
    else
        st->nb++;
    st->n++;
}

static bool stream_text_one(void *ud, const int *links, size_t len)
{
    stream *st = ud;
    if (st->max && st->n == st->max) {
        st->capped = true;
        return false;
    }
    const cld_graph *g = st->g;
    char type;
    int neg, delays;
    stream_counts(st, links, len, &type, &neg, &delays);
    FILE *f = st->f;
    fprintf(f, "\n%c%zu %s: ", type, st->n, type_word(type));
    for (size_t j = 0; j < len; j++)
        fprintf(f, "%s " ARROW " ", g->vars[g->links[links[j]].from].name);
    fprintf(f, "%s\n", g->vars[g->links[links[0]].from].name);
    fprintf(f, "    %zu link%s, %d negative, %d delay%s, gain %gx%s\n", len, len == 1 ? "" : "s", neg, delays,
            delays == 1 ? "" : "s", group_gain(g, links, len),
            type == 'B' && delays ? "; CAN OSCILLATE: it corrects through a delay" : "");
    for (size_t j = 0; j < len; j++) {
        const cld_link *l = &g->links[links[j]];
        fprintf(f, "      ");
        loopsout_link_text(f, g, links[j]);
        if (l->origin[0] || l->note[0] || l->line > 0) {
            fprintf(f, "   ");
            link_source(f, g, links[j]);
        }
        fprintf(f, "\n");
    }
    return !ferror(f);
}

void loopsout_stream_text(FILE *f, const cld_graph *g, size_t max)
{
    fprintf(f, "%s: %zu variable%s, %zu link%s; every loop, numbered in the order found (Johnson's algorithm, "
               "from each loop's first-declared variable)\n",
            g->source, g->nvars, g->nvars == 1 ? "" : "s", g->nlinks, g->nlinks == 1 ? "" : "s");
    stream st = {.f = f, .g = g, .max = max};
    if (g->nvars && g->nlinks) {
        cycle_search *S = cycles_search_new(g);
        cycles_each(S, stream_text_one, &st);
        cycles_search_free(S);
    }
    fprintf(f, "\n%zu loop%s (%zu reinforcing, %zu balancing)\n", st.n, st.n == 1 ? "" : "s", st.nr, st.nb);
    if (st.capped)
        fprintf(f, "CAPPED: stopped at %zu loops (--max-loops %zu); the diagram has more, so this list is partial\n",
                st.n, max);
    for (size_t i = 0; i < g->nnotes; i++)
        fprintf(f, "note: %s\n", g->notes[i]);
}

static void dump_inline(FILE *f, json_t *j)
{
    json_dumpf(j, f, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    json_decref(j);
}

static bool stream_json_one(void *ud, const int *links, size_t len)
{
    stream *st = ud;
    if (st->max && st->n == st->max) {
        st->capped = true;
        return false;
    }
    const cld_graph *g = st->g;
    char type;
    int neg, delays;
    stream_counts(st, links, len, &type, &neg, &delays);
    char name[32];
    snprintf(name, sizeof name, "%c%zu", type, st->n);
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(name));
    json_object_set_new(o, "type", json_string(type == 'R' ? "R" : "B"));
    json_object_set_new(o, "kind", json_string(type_word(type)));
    json_t *vs = json_array();
    for (size_t j = 0; j < len; j++)
        json_array_append_new(vs, json_string(g->vars[g->links[links[j]].from].name));
    json_object_set_new(o, "variables", vs);
    /* links by their index in the document's "links": a copy of every
     * link's note in every loop is what made --json run out of memory */
    json_t *ls = json_array();
    for (size_t j = 0; j < len; j++)
        json_array_append_new(ls, json_integer(links[j]));
    json_object_set_new(o, "link_indexes", ls);
    json_object_set_new(o, "negative_links", json_integer(neg));
    json_object_set_new(o, "delays", json_integer(delays));
    json_object_set_new(o, "gain", json_real(group_gain(g, links, len)));
    json_object_set_new(o, "can_oscillate", json_boolean(type == 'B' && delays > 0));
    fputs(st->n > 1 ? ",\n    " : "\n    ", st->f);
    dump_inline(st->f, o);
    return !ferror(st->f);
}

void loopsout_stream_json(FILE *f, const cld_graph *g, const char *kind, size_t max)
{
    fputs("{\n  \"source\": ", f);
    dump_inline(f, json_string(g->source));
    fputs(",\n  \"kind\": ", f);
    dump_inline(f, json_string(kind ? kind : ""));
    fputs(",\n  \"order\": \"found\",\n  \"variables\": [", f);
    for (size_t v = 0; v < g->nvars; v++) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(g->vars[v].id));
        json_object_set_new(o, "name", json_string(g->vars[v].name));
        json_object_set_new(o, "entity", json_string(g->vars[v].entity));
        fputs(v ? ",\n    " : "\n    ", f);
        dump_inline(f, o);
    }
    fputs("\n  ],\n  \"links\": [", f);
    for (size_t i = 0; i < g->nlinks; i++) {
        fputs(i ? ",\n    " : "\n    ", f);
        dump_inline(f, link_json(g, (int)i));
    }
    fputs("\n  ],\n  \"loops\": [", f);
    stream st = {.f = f, .g = g, .max = max, .json = true};
    if (g->nvars && g->nlinks) {
        cycle_search *S = cycles_search_new(g);
        cycles_each(S, stream_json_one, &st);
        cycles_search_free(S);
    }
    fputs("\n  ],\n  \"summary\": ", f);
    json_t *sum = json_object();
    json_object_set_new(sum, "loops", json_integer((json_int_t)st.n));
    json_object_set_new(sum, "reinforcing", json_integer((json_int_t)st.nr));
    json_object_set_new(sum, "balancing", json_integer((json_int_t)st.nb));
    json_object_set_new(sum, "max_loops", max ? json_integer((json_int_t)max) : json_null());
    json_object_set_new(sum, "capped", json_boolean(st.capped));
    dump_inline(f, sum);
    fputs(",\n  \"notes\": ", f);
    json_t *notes = json_array();
    for (size_t i = 0; i < g->nnotes; i++)
        json_array_append_new(notes, json_string(g->notes[i]));
    dump_inline(f, notes);
    fputs("\n}\n", f);
}
