/* teams.c -- `teams:` checked against the whole model, and the look-ups
 * the loops, review and diagnose layers use (who owns what, who talks). */
#include "teams.h"
#include "../core/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Whether `name` is a component of the model: an entity the schema read
 * (clients, services, caches, autoscalers, ...) or an infra entry. */
static bool teams_is_component(schema_ctx *S, const model *m, const char *name)
{
    if (schema_name_kind(S, name) >= 0)
        return true;
    for (size_t i = 0; i < m->ninfra; i++)
        if (!strcmp(m->infra[i].name, name))
            return true;
    return false;
}

static int teams_unknown_component(schema_ctx *S, const model *m, const team_ref *r, const char *path)
{
    const char **names;
    size_t n = schema_entity_names(S, &names);
    const char **all = xrealloc(names, (n + m->ninfra + 1) * sizeof *all);
    for (size_t i = 0; i < m->ninfra; i++)
        all[n++] = m->infra[i].name;
    const char *near = schema_suggest(r->name, all, n);
    int rc = err_set(S->y.err, S->y.file, r->pos.line, r->pos.col,
                     "%s: no component named '%s'%s%s%s; a team owns clients, services, caches, autoscalers, queues, "
                     "consumer groups and infra entries",
                     path, r->name, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
    free(all);
    return rc;
}

int teams_check(schema_ctx *S, model *m)
{
    for (size_t t = 0; t < m->nteams; t++) {
        team_spec *ts = &m->teams[t];
        char path[SK_PATH];
        for (size_t i = 0; i < ts->nowns; i++) {
            team_ref *r = &ts->owns[i];
            snprintf(path, sizeof path, "teams.%s.owns[%zu]", ts->name, i);
            if (!teams_is_component(S, m, r->name))
                return teams_unknown_component(S, m, r, path);
            /* at most one owner: the first claim stands, the second is the error */
            for (size_t u = 0; u <= t; u++)
                for (size_t j = 0; j < (u == t ? i : m->teams[u].nowns); j++) {
                    const team_ref *q = &m->teams[u].owns[j];
                    if (strcmp(q->name, r->name))
                        continue;
                    if (u == t)
                        return err_set(S->y.err, S->y.file, r->pos.line, r->pos.col,
                                       "%s: '%s' is listed twice (first at line %d, column %d)", path, r->name,
                                       q->pos.line, q->pos.col);
                    return err_set(S->y.err, S->y.file, r->pos.line, r->pos.col,
                                   "%s: '%s' is already owned by team %s (line %d, column %d); a component has at "
                                   "most one owner",
                                   path, r->name, m->teams[u].name, q->pos.line, q->pos.col);
                }
        }
        for (size_t i = 0; i < ts->ntalks; i++) {
            team_ref *r = &ts->talks_to[i];
            snprintf(path, sizeof path, "teams.%s.talks_to[%zu]", ts->name, i);
            r->index = model_find_team(m, r->name);
            if (r->index < 0) {
                const char **names = xcalloc(m->nteams + 1, sizeof *names);
                for (size_t u = 0; u < m->nteams; u++)
                    names[u] = m->teams[u].name;
                const char *near = schema_suggest(r->name, names, m->nteams);
                int rc = err_set(S->y.err, S->y.file, r->pos.line, r->pos.col, "%s: no team named '%s'%s%s%s", path,
                                 r->name, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
                free(names);
                return rc;
            }
            if (r->index == (int)t)
                return err_set(S->y.err, S->y.file, r->pos.line, r->pos.col,
                               "%s: a team does not list itself in talks_to", path);
        }
    }
    return 0;
}

static void teams_free_refs(team_ref *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(r[i].name);
    free(r);
}

void teams_free(model *m)
{
    for (size_t t = 0; t < m->nteams; t++) {
        free(m->teams[t].name);
        teams_free_refs(m->teams[t].owns, m->teams[t].nowns);
        teams_free_refs(m->teams[t].talks_to, m->teams[t].ntalks);
    }
    free(m->teams);
    m->teams = NULL;
    m->nteams = 0;
}

int model_find_team(const model *m, const char *name)
{
    for (size_t t = 0; t < m->nteams; t++)
        if (m->teams[t].name && !strcmp(m->teams[t].name, name))
            return (int)t;
    return -1;
}

int model_owner(const model *m, const char *component)
{
    for (size_t t = 0; t < m->nteams; t++)
        for (size_t i = 0; i < m->teams[t].nowns; i++)
            if (!strcmp(m->teams[t].owns[i].name, component))
                return (int)t;
    return -1;
}

bool model_teams_talk(const model *m, int a, int b)
{
    if (a < 0 || b < 0)
        return false;
    if (a == b)
        return true;
    for (int k = 0; k < 2; k++) {
        const team_spec *t = &m->teams[k ? b : a];
        for (size_t i = 0; i < t->ntalks; i++)
            if (t->talks_to[i].index == (k ? a : b))
                return true;
    }
    return false;
}
