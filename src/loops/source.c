/* source.c -- deciding what kind of file `eddy loops` was given, and
 * turning it into a causal loop diagram. */
#include "source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "cld_yaml.h"
#include "derive.h"
#include "mermaid.h"
#include "util.h"

char *source_read_file(const char *path, size_t *len, eddy_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        err_set(err, path, 0, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    lu_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        lu_buf_addn(&b, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        lu_buf_free(&b);
        err_set(err, path, 0, 0, "cannot read: %s", strerror(errno));
        return NULL;
    }
    *len = b.len;
    return lu_buf_take(&b);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcasecmp(s + n - m, suffix);
}

const char *source_kind_name(source_kind k)
{
    switch (k) {
    case SOURCE_MERMAID:
        return "mermaid";
    case SOURCE_MARKDOWN:
        return "markdown";
    case SOURCE_CLD_YAML:
        return "yaml";
    case SOURCE_MODEL:
        return "model";
    }
    return "?";
}

/* Which top-level keys a YAML document has: 1 for links, 2 for a model. */
static int yaml_kind(yaml_document_t *doc)
{
    yaml_node_t *root = yaml_document_get_root_node(doc);
    if (!root || root->type != YAML_MAPPING_NODE)
        return 0;
    int kind = 0;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        if (k->type != YAML_SCALAR_NODE)
            continue;
        const char *name = (const char *)k->data.scalar.value;
        if (!strcmp(name, "links"))
            return 1;
        if (!strcmp(name, "services") || !strcmp(name, "clients"))
            kind = 2;
    }
    return kind;
}

int source_load(const char *path, int block, loops_source *out, eddy_error *err)
{
    memset(out, 0, sizeof *out);
    size_t len;
    char *text = source_read_file(path, &len, err);
    if (!text)
        return -1;
    int rc = -1;
    if (ends_with(path, ".yaml") || ends_with(path, ".yml")) {
        yaml_document_t doc;
        if (cldyaml_load_document(text, len, path, &doc, err) < 0)
            goto out;
        int kind = yaml_kind(&doc);
        if (kind == 1) {
            out->kind = SOURCE_CLD_YAML;
            out->g = cld_new(path);
            rc = cldyaml_from_document(out->g, &doc, path, err);
        } else if (kind == 2) {
            out->kind = SOURCE_MODEL;
            out->m = model_load_string(text, len, path, err);
            if (out->m) {
                out->g = derive_graph(out->m);
                rc = 0;
            }
        } else {
            yaml_node_t *root = yaml_document_get_root_node(&doc);
            err_set(err, path, root ? (int)root->start_mark.line + 1 : 1, root ? (int)root->start_mark.column + 1 : 1,
                    "expected a top-level 'links' (a causal loop diagram) or 'services' (a service model)");
        }
        yaml_document_delete(&doc);
    } else if (ends_with(path, ".md") || ends_with(path, ".markdown")) {
        out->kind = SOURCE_MARKDOWN;
        out->g = cld_new(path);
        rc = mermaid_parse_markdown(out->g, text, len, path, block, err);
    } else {
        out->kind = SOURCE_MERMAID;
        out->g = cld_new(path);
        rc = mermaid_parse(out->g, text, len, path, 1, err);
    }
out:
    free(text);
    if (rc < 0)
        source_free(out);
    return rc;
}

void source_free(loops_source *s)
{
    cld_free(s->g);
    if (s->m)
        model_free(s->m);
    s->g = NULL;
    s->m = NULL;
}
