/* teams_out.c -- printing the teams each loop crosses (teams_out.h). */
#include "teams_out.h"
#include "../core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static void teamsout_one(FILE *f, const owners_report *r, size_t i)
{
    char *s = owners_sentence(r, i);
    fprintf(f, "  %s%s\n", s, r->loops[i].cross_team ? "  [cross-team]" : "");
    free(s);
}

void teamsout_text(FILE *f, const owners_report *r, size_t max)
{
    const model *m = r->m;
    fprintf(f, "\nTeams: %zu (", m->nteams);
    for (size_t t = 0; t < m->nteams; t++)
        fprintf(f, "%s%s", t ? ", " : "", m->teams[t].name);
    fprintf(f, "); %zu of %zu loop%s cross%s teams.\n", r->ncross, r->n, r->n == 1 ? "" : "s",
            r->ncross == 1 ? "es" : "");
    size_t shown = 0;
    /* the cross-team loops first: they are the ones no team can see */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < r->n; i++) {
            if (r->loops[i].cross_team != (pass == 0))
                continue;
            if (max && shown == max) {
                fprintf(f, "  ... and %zu more loops (--json lists every loop's teams)\n", r->n - shown);
                goto unowned;
            }
            teamsout_one(f, r, i);
            shown++;
        }
unowned:
    if (r->nunowned) {
        fprintf(f, "Unowned: ");
        for (size_t i = 0; i < r->nunowned; i++)
            fprintf(f, "%s%s (%s)", i ? ", " : "", r->unowned[i], r->unowned_kind[i]);
        fprintf(f, ": no team owns %s.\n", r->nunowned == 1 ? "it" : "them");
    }
}

void teamsout_json_add(json_t *doc, const owners_report *r)
{
    /* the document lists all the loops or some (loopsout_json), in the
     * analysis's order: each is found by name, moving forward */
    json_t *loops = json_object_get(doc, "loops");
    size_t i = 0;
    for (size_t k = 0; k < json_array_size(loops); k++, i++) {
        json_t *o = json_array_get(loops, k);
        const char *name = json_string_value(json_object_get(o, "name"));
        while (i < r->n && (!name || strcmp(r->a->loops[i].name, name)))
            i++;
        if (i >= r->n)
            break;
        const owners_loop *L = &r->loops[i];
        json_t *parts = json_array();
        for (size_t p = 0; p < L->nparts; p++) {
            json_t *e = json_object();
            json_object_set_new(e, "team", L->parts[p].team >= 0 ? json_string(r->m->teams[L->parts[p].team].name)
                                                                 : json_null());
            json_object_set_new(e, "sees", json_string(L->parts[p].what));
            json_array_append_new(parts, e);
        }
        json_object_set_new(o, "teams", parts);
        json_object_set_new(o, "cross_team", json_boolean(L->cross_team));
        char *s = owners_sentence(r, i);
        json_object_set_new(o, "ownership", json_string(s));
        free(s);
    }
    json_t *t = json_object();
    json_t *names = json_array();
    for (size_t k = 0; k < r->m->nteams; k++)
        json_array_append_new(names, json_string(r->m->teams[k].name));
    json_object_set_new(t, "names", names);
    json_object_set_new(t, "cross_team_loops", json_integer((json_int_t)r->ncross));
    json_t *un = json_array();
    for (size_t i = 0; i < r->nunowned; i++) {
        json_t *e = json_object();
        json_object_set_new(e, "component", json_string(r->unowned[i]));
        json_object_set_new(e, "kind", json_string(r->unowned_kind[i]));
        json_array_append_new(un, e);
    }
    json_object_set_new(t, "unowned", un);
    json_object_set_new(doc, "teams", t);
}

const char **teamsout_lanes(const owners_report *r)
{
    const cld_graph *g = r->a->g;
    const char **lane = xcalloc(g->nvars ? g->nvars : 1, sizeof *lane);
    for (size_t v = 0; v < g->nvars; v++)
        lane[v] = r->var_team[v] >= 0 ? r->m->teams[r->var_team[v]].name : "no owner";
    return lane;
}
