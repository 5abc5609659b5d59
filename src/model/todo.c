/* todo.c -- refusing, or under --assume filling, the TODO values of an
 * imported model (todo.h). */
#include "todo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yamldoc.h"
#include "yedit.h"
#include "../core/xalloc.h"

static bool assume;
static _Atomic int filled_max; /* models are read by several threads (fix, sweep) */

void todo_set_assume(bool on) { assume = on; }
bool todo_assume(void) { return assume; }

const char *todo_assumed_line(void)
{
    static char line[160];
    int n = filled_max;
    if (!assume || !n)
        return NULL;
    snprintf(line, sizeof line,
             "ASSUMED: %d TODO value%s filled by --assume from documented defaults (docs/import.md), not measured", n,
             n == 1 ? "" : "s");
    return line;
}

/* What --assume fills in, by key.  Only workers has a default a project
 * documents; the others are eddy's own stated assumptions (docs/import.md). */
static const struct {
    const char *key, *value, *source;
} table[] = {
    {"workers", "200", "Tomcat's maxThreads default (Spring Boot server.tomcat.threads.max)"},
    {"service_time", "{dist: lognormal, median: 10ms, p99: 50ms}", "eddy's assumption for an unmeasured service"},
    {"rate", "100/s", "eddy's assumption for an unmeasured load"},
    {"queue", "unlimited", "eddy's default"},
};

const char *todo_assumption(const char *key, const char **source)
{
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if (!strcmp(table[i].key, key)) {
            if (source)
                *source = table[i].source;
            return table[i].value;
        }
    return NULL;
}

typedef struct found {
    char path[256]; /* dotted, list items by index: yedit's form */
    const char *key;
    int line, col;
} found;

static void walk(yaml_document_t *doc, yaml_node_t *n, const char *path, const char *key, found **v, size_t *nv,
                 int depth)
{
    if (!n || depth > 64)
        return;
    if (n->type == YAML_SCALAR_NODE) {
        if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !strcmp((const char *)n->data.scalar.value, "TODO")) {
            found *nw = xrealloc(*v, (*nv + 1) * sizeof **v);
            *v = nw;
            snprintf(nw[*nv].path, sizeof nw[*nv].path, "%s", path);
            nw[*nv].key = key;
            nw[*nv].line = (int)n->start_mark.line + 1;
            nw[*nv].col = (int)n->start_mark.column + 1;
            (*nv)++;
        }
        return;
    }
    char sub[256];
    if (n->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yaml_document_get_node(doc, p->key);
            if (!k || k->type != YAML_SCALAR_NODE)
                continue;
            const char *ks = (const char *)k->data.scalar.value;
            snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", ks);
            walk(doc, yaml_document_get_node(doc, p->value), sub, ks, v, nv, depth + 1);
        }
    } else if (n->type == YAML_SEQUENCE_NODE) {
        int i = 0;
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++, i++) {
            snprintf(sub, sizeof sub, "%s.%d", path, i);
            walk(doc, yaml_document_get_node(doc, *it), sub, key, v, nv, depth + 1);
        }
    }
}

int todo_check(yaml_document_t *doc, const char *file, int *filled, eddy_error *err)
{
    found *v = NULL;
    size_t n = 0;
    if (filled)
        *filled = 0;
    walk(doc, yaml_document_get_root_node(doc), "", "", &v, &n, 0);
    if (!n)
        return 0;
    int rc = 0;
    char msg[900] = "";
    size_t len = 0, missing = 0, first = 0;
    for (size_t i = 0; i < n; i++) {
        if (assume && todo_assumption(v[i].key, NULL))
            continue;
        if (!missing++)
            first = i;
        if (len < sizeof msg - 1)
            len += (size_t)snprintf(msg + len, sizeof msg - len, "%s%s at %s:%d:%d", missing > 1 ? "; " : "",
                                    v[i].path, file, v[i].line, v[i].col);
    }
    if (missing) {
        rc = err_set(err, file, v[first].line, v[first].col,
                     "%zu value%s still TODO (no imported file gave %s): %s. Measure %s (the comment beside each "
                     "says how)%s",
                     missing, missing == 1 ? " is" : "s are", missing == 1 ? "it" : "them", msg,
                     missing == 1 ? "it" : "them",
                     assume ? "; --assume has no default for these"
                            : ", or run with --assume to fill them from documented defaults (docs/import.md)");
    } else {
        /* every one has an assumption: put it in (a mapping for service_time) */
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = yedit_set(doc, v[i].path, todo_assumption(v[i].key, NULL), "--assume", err);
        if (rc == 0 && filled)
            *filled = (int)n;
        if (rc == 0 && (int)n > filled_max)
            filled_max = (int)n;
    }
    free(v);
    return rc;
}
