/* yedit.c -- setting values and merging patches into a libyaml document.
 *
 * libyaml's document API can add nodes but not remove or change them, so
 * an edit adds the new nodes and re-points the pair that held the old
 * value; the orphaned nodes are freed with the document.  Adding a node
 * may move the node array, so everything here holds node ids, never
 * pointers, across an add. */
#include "yedit.h"

#include <stdlib.h>
#include <string.h>

static yaml_node_t *node(yaml_document_t *d, int id) { return yaml_document_get_node(d, id); }

static int scalar_is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    const char *s = (const char *)n->data.scalar.value;
    return !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL") || !*s;
}

/* The value id of key `k` in mapping `map`, or 0; *pair gets the pair. */
static int map_get(yaml_document_t *d, int map, const char *k, yaml_node_pair_t **pair)
{
    yaml_node_t *m = node(d, map);
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *key = node(d, p->key);
        if (key->type == YAML_SCALAR_NODE && !strcmp((const char *)key->data.scalar.value, k)) {
            if (pair)
                *pair = p;
            return p->value;
        }
    }
    return 0;
}

static int add_scalar(yaml_document_t *d, const char *text, yaml_mark_t mark)
{
    int id = yaml_document_add_scalar(d, NULL, (yaml_char_t *)text, (int)strlen(text), YAML_PLAIN_SCALAR_STYLE);
    if (id) {
        node(d, id)->start_mark = mark;
        node(d, id)->end_mark = mark;
    }
    return id;
}

/* Copy node `id` of `src`, with its children, into `dst`; 0 on failure. */
static int copy_node(yaml_document_t *dst, yaml_document_t *src, int id, int depth)
{
    if (depth > 64)
        return 0;
    yaml_node_t n = *node(src, id);
    int out = 0;
    switch (n.type) {
    case YAML_SCALAR_NODE:
        out = yaml_document_add_scalar(dst, NULL, n.data.scalar.value, (int)n.data.scalar.length,
                                       n.data.scalar.style);
        break;
    case YAML_SEQUENCE_NODE:
        out = yaml_document_add_sequence(dst, NULL, n.data.sequence.style);
        for (yaml_node_item_t *it = n.data.sequence.items.start; out && it < n.data.sequence.items.top; it++) {
            int c = copy_node(dst, src, *it, depth + 1);
            if (!c || !yaml_document_append_sequence_item(dst, out, c))
                return 0;
        }
        break;
    case YAML_MAPPING_NODE:
        out = yaml_document_add_mapping(dst, NULL, n.data.mapping.style);
        for (yaml_node_pair_t *p = n.data.mapping.pairs.start; out && p < n.data.mapping.pairs.top; p++) {
            int k = copy_node(dst, src, p->key, depth + 1);
            int v = k ? copy_node(dst, src, p->value, depth + 1) : 0;
            if (!v || !yaml_document_append_mapping_pair(dst, out, k, v))
                return 0;
        }
        break;
    default:
        return 0;
    }
    if (out) {
        node(dst, out)->start_mark = n.start_mark;
        node(dst, out)->end_mark = n.end_mark;
    }
    return out;
}

static void set_marks(yaml_document_t *d, int id, yaml_mark_t mark, int depth)
{
    yaml_node_t *n = node(d, id);
    n->start_mark = n->end_mark = mark;
    if (depth > 64)
        return;
    if (n->type == YAML_SEQUENCE_NODE)
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
            set_marks(d, *it, mark, depth + 1);
    else if (n->type == YAML_MAPPING_NODE)
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
            set_marks(d, p->key, mark, depth + 1);
            set_marks(d, p->value, mark, depth + 1);
        }
}

/* The value text as YAML ("40", "[error, reject]", "{}"), added to doc
 * with every node at `mark`; 0 if it is not valid YAML. */
static int add_value(yaml_document_t *doc, const char *text, yaml_mark_t mark)
{
    if (text[0] != '[' && text[0] != '{')
        return add_scalar(doc, text, mark);
    yaml_parser_t p;
    yaml_document_t v;
    if (!yaml_parser_initialize(&p))
        return 0;
    yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
    int ok = yaml_parser_load(&p, &v);
    yaml_parser_delete(&p);
    if (!ok)
        return 0;
    int id = node(&v, 1) ? copy_node(doc, &v, 1, 0) : 0;
    yaml_document_delete(&v);
    if (id)
        set_marks(doc, id, mark, 0);
    return id;
}

int yedit_set(yaml_document_t *doc, const char *path, const char *value, const char *what, eddy_error *err)
{
    int cur = 1; /* the root */
    if (!node(doc, cur))
        return err_set(err, what, 0, 0, "the model is empty; cannot set %s", path);
    char buf[512];
    if (strlen(path) >= sizeof buf)
        return err_set(err, what, 0, 0, "path too long: %s", path);
    strcpy(buf, path);
    char *save = NULL;
    char *part = strtok_r(buf, ".", &save);
    while (part) {
        char *next = strtok_r(NULL, ".", &save);
        yaml_node_t *n = node(doc, cur);
        yaml_mark_t mark = n->start_mark;
        if (n->type == YAML_SEQUENCE_NODE) {
            char *end;
            long i = strtol(part, &end, 10);
            long len = n->data.sequence.items.top - n->data.sequence.items.start;
            if (*end || end == part || i < 0 || i >= len)
                return err_set(err, what, (int)mark.line + 1, (int)mark.column + 1,
                               "%s: '%s' is not an item of this list (it has %ld, counted from 0)", path, part, len);
            yaml_node_item_t *item = &n->data.sequence.items.start[i];
            if (!next) {
                int v = add_value(doc, value, node(doc, *item)->start_mark);
                if (!v)
                    return err_set(err, what, 0, 0, "%s: '%s' is not a YAML value", path, value);
                node(doc, cur)->data.sequence.items.start[i] = v;
                return 0;
            }
            cur = *item;
        } else if (n->type == YAML_MAPPING_NODE) {
            yaml_node_pair_t *pair = NULL;
            int v = map_get(doc, cur, part, &pair);
            if (!next) {
                int s = add_value(doc, value, v ? node(doc, v)->start_mark : mark);
                if (!s)
                    return err_set(err, what, 0, 0, "%s: '%s' is not a YAML value", path, value);
                if (v) {
                    map_get(doc, cur, part, &pair); /* the add may have moved it */
                    pair->value = s;
                    return 0;
                }
                int k = add_scalar(doc, part, mark);
                if (!k || !yaml_document_append_mapping_pair(doc, cur, k, s))
                    return err_set(err, what, 0, 0, "out of memory");
                return 0;
            }
            if (!v) {
                int k = add_scalar(doc, part, mark);
                v = k ? yaml_document_add_mapping(doc, NULL, YAML_BLOCK_MAPPING_STYLE) : 0;
                if (!v || !yaml_document_append_mapping_pair(doc, cur, k, v))
                    return err_set(err, what, 0, 0, "out of memory");
                node(doc, v)->start_mark = mark;
            }
            cur = v;
        } else {
            return err_set(err, what, (int)mark.line + 1, (int)mark.column + 1,
                           "%s: '%s' cannot be looked up in a scalar", path, part);
        }
        part = next;
    }
    return 0;
}

/* The deepest node below id, up to a bound. */
static int node_depth(yaml_document_t *d, int id, int depth)
{
    yaml_node_t *n = node(d, id);
    int most = depth;
    if (depth > 64)
        return depth;
    if (n->type == YAML_SEQUENCE_NODE)
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
            int k = node_depth(d, *it, depth + 1);
            most = k > most ? k : most;
        }
    else if (n->type == YAML_MAPPING_NODE)
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
            int k = node_depth(d, p->value, depth + 1);
            most = k > most ? k : most;
        }
    return most;
}

/* Why copy_node failed: the depth guard, or memory. */
static int copy_error(eddy_error *err, const char *file, yaml_document_t *patch, int id, int depth)
{
    const yaml_node_t *n = node(patch, id);
    if (node_depth(patch, id, depth) > 64)
        return err_set(err, file, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1,
                       "the patch is nested more than 64 deep (the depth guard); no model key is that deep");
    return err_set(err, file, 0, 0, "out of memory copying the patch");
}

static int merge(yaml_document_t *doc, int dst, yaml_document_t *patch, int src, const char *file, eddy_error *err,
                 int depth)
{
    if (depth > 64)
        return err_set(err, file, 0, 0, "the patch is nested more than 64 deep (the depth guard); no model key is that deep");
    yaml_node_t *p = node(patch, src);
    for (yaml_node_pair_t *pp = p->data.mapping.pairs.start; pp < p->data.mapping.pairs.top; pp++) {
        yaml_node_t *k = node(patch, pp->key), *v = node(patch, pp->value);
        if (k->type != YAML_SCALAR_NODE)
            return err_set(err, file, (int)k->start_mark.line + 1, (int)k->start_mark.column + 1,
                           "expected a key, got %s", k->type == YAML_SEQUENCE_NODE ? "a list" : "a mapping");
        const char *key = (const char *)k->data.scalar.value;
        yaml_node_pair_t *pair = NULL;
        int have = map_get(doc, dst, key, &pair);
        if (scalar_is_null(v)) { /* delete the key */
            if (have) {
                yaml_node_t *m = node(doc, dst);
                memmove(pair, pair + 1, (size_t)(m->data.mapping.pairs.top - pair - 1) * sizeof *pair);
                m->data.mapping.pairs.top--;
            }
            continue;
        }
        if (have && v->type == YAML_MAPPING_NODE && node(doc, have)->type == YAML_MAPPING_NODE) {
            if (merge(doc, have, patch, pp->value, file, err, depth + 1) < 0)
                return -1;
            p = node(patch, src); /* the patch document does not move, but be tidy */
            continue;
        }
        int c = copy_node(doc, patch, pp->value, depth + 1);
        if (!c)
            return copy_error(err, file, patch, pp->value, depth + 1);
        if (have) {
            map_get(doc, dst, key, &pair);
            pair->value = c;
        } else {
            int kc = copy_node(doc, patch, pp->key, depth + 1);
            if (!kc || !yaml_document_append_mapping_pair(doc, dst, kc, c))
                return copy_error(err, file, patch, pp->key, depth + 1);
        }
    }
    return 0;
}

int yedit_merge(yaml_document_t *doc, yaml_document_t *patch, int patch_node, const char *patch_file,
                eddy_error *err)
{
    yaml_node_t *root = node(patch, patch_node), *droot = node(doc, 1);
    if (!root)
        return 0; /* an empty patch changes nothing */
    if (root->type != YAML_MAPPING_NODE)
        return err_set(err, patch_file, (int)root->start_mark.line + 1, (int)root->start_mark.column + 1,
                       "expected a mapping of model keys to change, got a %s",
                       root->type == YAML_SEQUENCE_NODE ? "list" : "scalar");
    if (!droot || droot->type != YAML_MAPPING_NODE)
        return err_set(err, patch_file, 0, 0, "the model is not a mapping; cannot patch it");
    return merge(doc, 1, patch, patch_node, patch_file, err, 0);
}
