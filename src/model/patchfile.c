/* patchfile.c -- reading `eddy fix --patch FILE`. */
#include "patchfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yamldoc.h"
#include "ysafe.h"
#include "../core/xalloc.h"

static const char *const levels[13] = {
    NULL,
    "transcending paradigms",    /* 1 */
    "paradigm",                  /* 2 */
    "goals",                     /* 3 */
    "self-organisation",         /* 4 */
    "rules",                     /* 5 */
    "information flows",         /* 6 */
    "reinforcing loop gain",     /* 7 */
    "balancing loops",           /* 8 */
    "delays",                    /* 9 */
    "stock and flow structure",  /* 10 */
    "buffers",                   /* 11 */
    "parameters",                /* 12 */
};

const char *leverage_name(int level) { return level >= 1 && level <= 12 ? levels[level] : "?"; }

static int get_level(const yamldoc *y, yaml_node_t *n, int *out)
{
    const char *s = yd_scalar(y, n, "leverage", "a Meadows level 1-12 or its name");
    if (!s)
        return -1;
    char *end;
    long v = strtol(s, &end, 10);
    if (!*end && end != s && v >= 1 && v <= 12) {
        *out = (int)v;
        return 0;
    }
    for (int i = 1; i <= 12; i++)
        if (!strcmp(s, levels[i])) {
            *out = i;
            return 0;
        }
    return yd_fail(y, n,
                   "leverage: expected a Meadows level 1-12 or its name (parameters, buffers, stock and flow "
                   "structure, delays, balancing loops, reinforcing loop gain, information flows, rules, ...), got "
                   "'%s'",
                   s);
}

static int get_one(const yamldoc *y, patch_file *pf, yaml_node_t *n)
{
    if (n->type != YAML_MAPPING_NODE)
        return yd_fail(y, n, "an intervention: expected a mapping with name, leverage and patch, got %s",
                       yd_type_name(n));
    user_patch u = {.level = 0, .patch_node = 0};
    yaml_node_t *name = NULL;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yd_node(y, p->key), *v = yd_node(y, p->value);
        const char *key = yd_scalar(y, k, "key", "a key");
        if (!key)
            goto bad;
        if (!strcmp(key, "name")) {
            if (!yd_scalar(y, v, "name", "a name"))
                goto bad;
            name = v;
        } else if (!strcmp(key, "leverage")) {
            if (get_level(y, v, &u.level) < 0)
                goto bad;
        } else if (!strcmp(key, "patch")) {
            if (v->type != YAML_MAPPING_NODE) {
                yd_fail(y, v, "patch: expected a mapping of model keys to change, got %s", yd_type_name(v));
                goto bad;
            }
            u.patch_node = p->value;
        } else {
            yd_fail(y, k, "unknown key '%s' in an intervention; expected name, leverage or patch", key);
            goto bad;
        }
    }
    if (!name)
        return yd_fail(y, n, "an intervention needs a name");
    if (!u.level)
        return yd_fail(y, n, "intervention '%s' needs a leverage level (1-12, e.g. 12 for a parameter)", yd_text(name));
    if (!u.patch_node)
        return yd_fail(y, n, "intervention '%s' needs a patch", yd_text(name));
    u.name = xstrdup(yd_text(name));
    pf->v = xrealloc(pf->v, (pf->n + 1) * sizeof *pf->v);
    pf->v[pf->n++] = u;
    return 0;
bad:
    return -1;
}

int patchfile_load(const char *path, patch_file *pf, eddy_error *err)
{
    size_t len;
    char *text = ysafe_read_file(path, &len, err);
    if (!text) {
        memset(pf, 0, sizeof *pf);
        return -1;
    }
    int rc = patchfile_parse(text, len, path, pf, err);
    free(text);
    return rc;
}

int patchfile_parse(const char *text, size_t len, const char *path, patch_file *pf, eddy_error *err)
{
    memset(pf, 0, sizeof *pf);
    pf->path = xstrdup(path);
    if (ysafe_load(text, len, path, &pf->doc, err) < 0) /* the same limits as a model */
        return -1;
    yamldoc y = {.doc = &pf->doc, .file = path, .err = err};
    yaml_node_t *root = yaml_document_get_root_node(&pf->doc);
    if (!root)
        return err_set(err, path, 1, 1, "the file is empty; expected interventions");
    if (root->type != YAML_MAPPING_NODE)
        return yd_fail(&y, root, "expected a mapping (`interventions:` or one intervention), got %s",
                       yd_type_name(root));
    yaml_node_t *list = NULL;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yd_node(&y, p->key);
        if (k->type == YAML_SCALAR_NODE && !strcmp(yd_text(k), "interventions")) {
            if (root->data.mapping.pairs.top - root->data.mapping.pairs.start != 1)
                return yd_fail(&y, k, "`interventions` must be the only top-level key");
            list = yd_node(&y, p->value);
        }
    }
    if (!list)
        return get_one(&y, pf, root);
    if (list->type != YAML_SEQUENCE_NODE)
        return yd_fail(&y, list, "interventions: expected a list, got %s", yd_type_name(list));
    if (list->data.sequence.items.start == list->data.sequence.items.top)
        return yd_fail(&y, list, "interventions: the list is empty");
    for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++)
        if (get_one(&y, pf, yd_node(&y, *it)) < 0)
            return -1;
    return 0;
}

void patchfile_free(patch_file *pf)
{
    for (size_t i = 0; i < pf->n; i++)
        free(pf->v[i].name);
    free(pf->v);
    if (pf->doc.nodes.start)
        yaml_document_delete(&pf->doc);
    free(pf->path);
    memset(pf, 0, sizeof *pf);
}
