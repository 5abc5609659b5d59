/* cld_yaml.c -- reading the YAML form of a causal loop diagram, through
 * libyaml's document API so every node keeps its line and column. */
#include "cld_yaml.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "../model/yamldoc.h"

typedef yamldoc cy; /* the document being read, for errors */


static int scalar(cy *Y, yaml_node_t *n, const char *what, const char *expected, const char **out)
{
    *out = yd_scalar(Y, n, what, expected);
    return *out ? 0 : -1;
}

static int get_link(cy *Y, cld_graph *g, yaml_node_t *n, size_t idx)
{
    char where[64];
    snprintf(where, sizeof where, "links[%zu]", idx);
    if (n->type != YAML_MAPPING_NODE)
        return yd_fail(Y, n, "%s: expected a link such as {from: Load, to: Latency, polarity: +}, got %s", where,
                    yd_type_name(n));
    static const char *const keys[] = {"from", "to", "polarity", "delay", "note", "origin", NULL};
    yaml_node_t *val[6] = {0}, *key[6] = {0};
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(Y->doc, p->key);
        if (k->type != YAML_SCALAR_NODE)
            return yd_fail(Y, k, "%s: keys must be words, got %s", where, yd_type_name(k));
        int which = -1;
        for (int i = 0; keys[i]; i++)
            if (!strcmp(yd_text(k), keys[i]))
                which = i;
        if (which < 0)
            return yd_fail(Y, k, "%s: unknown key '%s'; expected from, to, polarity, delay, note or origin", where,
                        yd_text(k));
        if (val[which])
            return yd_fail(Y, k, "%s: duplicate key '%s' (first given at line %zu)", where, yd_text(k),
                        key[which]->start_mark.line + 1);
        key[which] = k;
        val[which] = yaml_document_get_node(Y->doc, p->value);
    }
    const char *from = "", *to = "", *pol = "", *note = "", *origin = "";
    if (!val[0])
        return yd_fail(Y, n, "%s: missing key 'from' (the variable the link starts at)", where);
    if (!val[1])
        return yd_fail(Y, n, "%s: missing key 'to' (the variable the link points at)", where);
    if (!val[2])
        return yd_fail(Y, n, "%s: missing key 'polarity' (+ when both move the same way, - when opposite)", where);
    if (scalar(Y, val[0], where, "a variable name", &from) < 0 ||
        scalar(Y, val[1], where, "a variable name", &to) < 0 || scalar(Y, val[2], where, "+ or -", &pol) < 0)
        return -1;
    if (!*from)
        return yd_fail(Y, val[0], "%s.from: expected a variable name, got an empty string", where);
    if (!*to)
        return yd_fail(Y, val[1], "%s.to: expected a variable name, got an empty string", where);
    int sign;
    if (!strcmp(pol, "+") || !strcmp(pol, "(+)") || !strcmp(pol, "positive"))
        sign = 1;
    else if (!strcmp(pol, "-") || !strcmp(pol, "(-)") || !strcmp(pol, "negative") || !strcmp(pol, "\xe2\x88\x92"))
        sign = -1;
    else
        return yd_fail(Y, val[2], "%s.polarity: expected + or - (or positive/negative), got '%s'", where, pol);
    bool delay = false;
    if (val[3]) {
        const char *d = "";
        if (scalar(Y, val[3], where, "true or false", &d) < 0)
            return -1;
        if (!strcmp(d, "true") || !strcmp(d, "yes") || !strcmp(d, "on"))
            delay = true;
        else if (strcmp(d, "false") && strcmp(d, "no") && strcmp(d, "off"))
            return yd_fail(Y, val[3], "%s.delay: expected true or false, got '%s'", where, d);
    }
    if (val[4] && scalar(Y, val[4], where, "a string", &note) < 0)
        return -1;
    if (val[5] && scalar(Y, val[5], where, "a string", &origin) < 0)
        return -1;
    int a = cld_var_add(g, from, NULL, (int)val[0]->start_mark.line + 1, (int)val[0]->start_mark.column + 1);
    int b = cld_var_add(g, to, NULL, (int)val[1]->start_mark.line + 1, (int)val[1]->start_mark.column + 1);
    cld_link_add(g, a, b, sign, delay, note, origin, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1);
    return 0;
}

int cldyaml_from_document(cld_graph *g, yaml_document_t *doc, const char *file, eddy_error *err)
{
    cy Y = {.doc = doc, .file = file, .err = err};
    yaml_node_t *root = yaml_document_get_root_node(doc);
    if (!root)
        return err_set(err, file, 1, 1, "the file is empty; expected a mapping with 'links'");
    if (root->type != YAML_MAPPING_NODE)
        return yd_fail(&Y, root, "expected a mapping with 'links', got %s", yd_type_name(root));
    yaml_node_t *links = NULL;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        const char *name = k->type == YAML_SCALAR_NODE ? yd_text(k) : "";
        if (!strcmp(name, "links")) {
            if (links)
                return yd_fail(&Y, k, "duplicate key 'links'");
            links = yaml_document_get_node(doc, p->value);
        } else if (strcmp(name, "name") && strcmp(name, "description")) {
            return yd_fail(&Y, k, "unknown key '%s'; a causal loop diagram has links (and optionally name, description)",
                        name);
        }
    }
    if (!links)
        return yd_fail(&Y, root, "missing key 'links' (a list of {from, to, polarity})");
    if (links->type != YAML_SEQUENCE_NODE)
        return yd_fail(&Y, links, "links: expected a list of {from, to, polarity}, got %s", yd_type_name(links));
    size_t i = 0;
    for (yaml_node_item_t *it = links->data.sequence.items.start; it < links->data.sequence.items.top; it++, i++)
        if (get_link(&Y, g, yaml_document_get_node(doc, *it), i) < 0)
            return -1;
    return 0;
}

int cldyaml_load_document(const char *text, size_t len, const char *file, yaml_document_t *doc, eddy_error *err)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return err_set(err, file, 0, 0, "out of memory");
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    int rc = 0;
    if (!yaml_parser_load(&p, doc)) {
        const char *hint = "";
        /* The classic trap of this form: `polarity: -` reads as a list. */
        if (p.problem && strstr(p.problem, "block sequence entries are not allowed"))
            hint = " (a negative polarity must be quoted: polarity: \"-\")";
        if (p.error == YAML_MEMORY_ERROR) /* libyaml has no allocation hook */
            rc = err_set(err, file, 0, 0, "out of memory reading the YAML");
        else
            rc = err_set(err, file, (int)p.problem_mark.line + 1, (int)p.problem_mark.column + 1,
                         "invalid YAML: %s%s%s%s", p.problem ? p.problem : "syntax error", p.context ? " " : "",
                         p.context ? p.context : "", hint);
    }
    yaml_parser_delete(&p);
    return rc;
}

int cldyaml_parse(cld_graph *g, const char *text, size_t len, const char *file, eddy_error *err)
{
    yaml_document_t doc;
    if (cldyaml_load_document(text, len, file, &doc, err) < 0)
        return -1;
    int rc = cldyaml_from_document(g, &doc, file, err);
    yaml_document_delete(&doc);
    return rc;
}
