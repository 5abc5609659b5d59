/* schema_doc.c -- the schema tables as a JSON Schema and as the key tables
 * of docs/model.md.
 *
 * Both are generated from the tables the loader reads with, so an editor's
 * completion, the docs and the loader agree by construction.  The JSON
 * Schema (draft 2020-12) describes YAML as both YAML 1.1 parsers (PyYAML:
 * `off` is false) and YAML 1.2 ones (the yaml-language-server: `off` is a
 * string) read it, so a word such as `off` is accepted in either form. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "schema.h"
#include "units.h"
#include "../core/xalloc.h"

/* ---- JSON Schema ---------------------------------------------------------- */

#define NUM "([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?"

static json_t *pattern(const char *re) { return json_pack("{s:s, s:s}", "type", "string", "pattern", re); }

/* Words, with the booleans a YAML 1.1 parser makes of some of them. */
static json_t *words_enum(const char *const *w)
{
    json_t *e = json_array();
    bool t = false, f = false;
    for (size_t i = 0; w[i]; i++) {
        json_array_append_new(e, json_string(w[i]));
        t |= !strcmp(w[i], "on") || !strcmp(w[i], "true") || !strcmp(w[i], "yes");
        f |= !strcmp(w[i], "off") || !strcmp(w[i], "false") || !strcmp(w[i], "no");
    }
    if (t)
        json_array_append_new(e, json_true());
    if (f)
        json_array_append_new(e, json_false());
    return json_pack("{s:o}", "enum", e);
}

static json_t *any_of(json_t *a, json_t *b) { return json_pack("{s:[o,o]}", "anyOf", a, b); }

static json_t *ref(const schema_table *t)
{
    char buf[96];
    snprintf(buf, sizeof buf, "#/$defs/%s", t->id);
    return json_pack("{s:s}", "$ref", buf);
}

static json_t *scalar_schema(sk_type type, unsigned flags, double min, double max, const char *const *words)
{
    json_t *s = NULL;
    switch (type) {
    case SK_STRING:
        return json_pack("{s:[s,s,s]}", "type", "string", "number", "boolean");
    case SK_DURATION:
        s = pattern("^[+]?" NUM "(ns|us|µs|ms|s|m|min|h)$");
        return flags & SKF_NONE ? any_of(s, json_pack("{s:s}", "const", "none")) : s;
    case SK_RATE:
        return pattern("^[+]?" NUM "/(s|m|min|h)$");
    case SK_FRACTION:
        return any_of(json_pack("{s:s, s:i, s:i}", "type", "number", "minimum", 0, "maximum", 1),
                      pattern("^[+]?" NUM "%$"));
    case SK_PERCENT:
        s = pattern("^[+]?" NUM "%$");
        return flags & SKF_OFF ? any_of(s, words_enum((const char *const[]){"off", NULL})) : s;
    case SK_COUNT:
        s = json_pack("{s:s, s:i}", "type", "integer", "minimum", (json_int_t)min);
        if (max > 0)
            json_object_set_new(s, "maximum", json_integer((json_int_t)max));
        if (flags & SKF_UNLIMITED)
            return any_of(s, json_pack("{s:s}", "const", "unlimited"));
        if (flags & SKF_OFF)
            return any_of(s, words_enum((const char *const[]){"off", NULL}));
        return s;
    case SK_NUMBER:
        s = json_pack("{s:s}", "type", "number");
        json_object_set_new(s, flags & SKF_POSITIVE ? "exclusiveMinimum" : "minimum", json_real(min));
        if (max > 0)
            json_object_set_new(s, "maximum", json_real(max));
        return s;
    case SK_FACTOR:
        return any_of(json_pack("{s:s, s:i}", "type", "number", "exclusiveMinimum", 0), pattern("^[+]?" NUM "x$"));
    case SK_BOOL:
        if (flags & SKF_TRUE)
            return words_enum((const char *const[]){"true", "on", "yes", NULL});
        return words_enum((const char *const[]){"true", "on", "yes", "false", "off", "no", NULL});
    case SK_ENUM:
        return words_enum(words);
    case SK_REF:
    case SK_NAME:
        return json_pack("{s:s}", "type", "string");
    default:
        return json_object();
    }
}

static json_t *key_schema(const schema_key *k)
{
    json_t *s;
    switch (k->type) {
    case SK_MAP:
        s = ref(k->sub);
        break;
    case SK_LIST:
        s = json_pack("{s:s, s:o}", "type", "array", "items", ref(k->sub));
        if (k->sub->min_one)
            json_object_set_new(s, "minItems", json_integer(1));
        break;
    case SK_ENTITIES:
        s = json_pack("{s:s, s:o, s:o}", "type", "object", "additionalProperties", ref(k->sub), "propertyNames",
                      k->sub->kind != KIND_NONE ? pattern("^[A-Za-z0-9_-]+$") : json_object());
        if (k->sub->min_one)
            json_object_set_new(s, "minProperties", json_integer(1));
        break;
    case SK_FLAGS:
        s = json_pack("{s:s, s:o}", "type", "array", "items", words_enum(k->words));
        break;
    case SK_CUSTOM:
        s = json_loads(k->json, 0, NULL);
        if (!s) { /* a bug in a schema table, not in the user's input */
            fprintf(stderr, "eddy: internal error: the JSON schema of '%s' does not parse: %s\n", k->name, k->json);
            abort();
        }
        break;
    default:
        s = scalar_schema(k->type, k->flags, k->min, k->max, k->words);
    }
    if (k->alt)
        s = any_of(scalar_schema(k->alt, 0, 0, 0, k->alt_words), s);
    if (k->doc) /* beside a $ref too: 2020-12 allows it */
        json_object_set_new(s, "description", json_string(k->doc));
    return s;
}

static json_t *table_schema(const schema_table *t)
{
    json_t *props = json_object(), *req = json_array();
    for (size_t i = 0; t->keys[i].name; i++) {
        json_object_set_new(props, t->keys[i].name, key_schema(&t->keys[i]));
        if (t->keys[i].flags & SKF_REQUIRED)
            json_array_append_new(req, json_string(t->keys[i].name));
    }
    json_t *s = json_pack("{s:s, s:s, s:o, s:o, s:b}", "type", "object", "title", t->noun, "properties", props,
                          "required", req, "additionalProperties", 0);
    if (!t->selector)
        return s;
    /* variants: a key the selected word does not take is not allowed */
    const schema_key *sel = NULL;
    for (size_t i = 0; t->keys[i].name; i++)
        if (!strcmp(t->keys[i].name, t->selector))
            sel = &t->keys[i];
    json_t *all = json_array();
    for (size_t w = 0; sel->words[w]; w++) {
        json_t *no = json_object();
        for (size_t i = 0; t->keys[i].name; i++)
            if (t->keys[i].only && !(t->keys[i].only & (1u << w)))
                json_object_set_new(no, t->keys[i].name, json_false());
        json_array_append_new(all, json_pack("{s:{s:{s:{s:s}}, s:[s]}, s:{s:o}}", "if", "properties", t->selector,
                                             "const", sel->words[w], "required", t->selector, "then", "properties",
                                             no));
    }
    json_object_set_new(s, "allOf", all);
    return s;
}

json_t *schema_json(void)
{
    json_t *defs = json_object();
    for (size_t i = 0; schema_tables[i]; i++)
        json_object_set_new(defs, schema_tables[i]->id, table_schema(schema_tables[i]));
    return json_pack("{s:s, s:s, s:s, s:s, s:o}", "$schema", "https://json-schema.org/draft/2020-12/schema", "title",
                     "eddy model", "description",
                     "An eddy model file (docs/model.md), generated by `eddy schema` from the loader's own tables.",
                     "$ref", "#/$defs/model", "$defs", defs);
}

/* ---- docs/model.md ------------------------------------------------------------ */

/* A key's type in words, for the docs' "type" column. */
static void type_words(sk_type type, const schema_key *k, char *out, size_t size)
{
    char r[96] = "";
    switch (type) {
    case SK_STRING:
        snprintf(out, size, "string");
        return;
    case SK_DURATION:
        if (k->flags & SKF_POSITIVE)
            snprintf(r, sizeof r, " > 0");
        if (k->max > 0) {
            char lim[32];
            units_format_duration((simtime)(k->max * T_SEC), lim, sizeof lim);
            snprintf(r + strlen(r), sizeof r - strlen(r), ", at most %s", lim);
        }
        snprintf(out, size, "duration%s%s", r, k->flags & SKF_NONE ? ", or `none`" : "");
        return;
    case SK_RATE:
        snprintf(out, size, "rate");
        return;
    case SK_FRACTION:
        snprintf(out, size, "fraction%s%s", k->flags & SKF_POSITIVE ? " > 0" : "",
                 k->flags & SKF_EXCL ? ", strictly between 0 and 1" : "");
        return;
    case SK_PERCENT:
        snprintf(out, size, "percentage (e.g. `100%%`, may exceed 100%%)%s", k->flags & SKF_OFF ? ", or `off`" : "");
        return;
    case SK_COUNT:
        if (k->max > 0)
            snprintf(r, sizeof r, ", %ld to %ld", (long)k->min, (long)k->max);
        else
            snprintf(r, sizeof r, " ≥ %ld", (long)k->min);
        snprintf(out, size, "count%s%s", r,
                 k->flags & SKF_UNLIMITED ? ", or `unlimited`" : k->flags & SKF_OFF ? ", or `off`" : "");
        return;
    case SK_NUMBER:
        if (k->flags & SKF_POSITIVE)
            snprintf(r, sizeof r, " > 0");
        else if (k->max > 0)
            snprintf(r, sizeof r, ", %g to %g", k->min, k->max);
        else
            snprintf(r, sizeof r, " ≥ %g", k->min);
        snprintf(out, size, "number%s", r);
        return;
    case SK_FACTOR:
        snprintf(out, size, "factor > 0 (`10` or `10x`)");
        return;
    case SK_BOOL:
        snprintf(out, size, k->flags & SKF_TRUE ? "`true`" : "boolean");
        return;
    case SK_ENUM: {
        const char *const *w = k->alt == type && k->alt_words ? k->alt_words : k->words;
        out[0] = 0;
        for (size_t i = 0; w[i]; i++)
            snprintf(out + strlen(out), size - strlen(out), "%s`%s`", i ? ", " : "", w[i]);
        return;
    }
    case SK_FLAGS:
        snprintf(out, size, "list drawn from ");
        for (size_t i = 0; k->words[i]; i++)
            snprintf(out + strlen(out), size - strlen(out), "%s`%s`", i ? ", " : "", k->words[i]);
        return;
    case SK_REF:
    case SK_NAME:
        snprintf(out, size, "%s name", schema_kind_name(k->kind));
        return;
    case SK_MAP:
        snprintf(out, size, "mapping");
        return;
    case SK_LIST:
        snprintf(out, size, "list of %ss", k->sub->noun);
        return;
    case SK_ENTITIES:
        snprintf(out, size, "mapping name → %s", k->sub->noun);
        return;
    case SK_CUSTOM:
        snprintf(out, size, "%s", k->what);
        return;
    }
}

static void key_row(FILE *out, const schema_key *k)
{
    char type[256], alt[160] = "";
    type_words(k->type, k, type, sizeof type);
    if (k->alt) {
        schema_key a = *k;
        a.type = k->alt;
        a.words = k->alt_words;
        a.flags &= ~(unsigned)(SKF_NONE | SKF_TRUE);
        type_words(k->alt, &a, alt, sizeof alt);
        if (k->type == SK_MAP && k->sub && !strcmp(k->sub->id, "distribution"))
            snprintf(type, sizeof type, "duration or distribution (§4.2)");
        else {
            char both[420];
            snprintf(both, sizeof both, "%s, or %s", alt, type);
            snprintf(type, sizeof type, "%s", both);
        }
    }
    char def[256];
    if (k->flags & SKF_REQUIRED)
        snprintf(def, sizeof def, "**required**");
    else if (k->def)
        snprintf(def, sizeof def, "`%s`", k->def);
    else if (k->def_doc)
        snprintf(def, sizeof def, "%s", k->def_doc);
    else
        snprintf(def, sizeof def, "none");
    fprintf(out, "| `%s` | %s | %s | %s |\n", k->name, type, def, k->doc ? k->doc : "");
}

void schema_markdown(FILE *out, const schema_table *t)
{
    fprintf(out, "| key | type | default | meaning |\n|---|---|---|---|\n");
    for (size_t i = 0; t->keys[i].name; i++)
        key_row(out, &t->keys[i]);
}

/* docs/model.md with every block between `<!-- schema:ID -->` and
 * `<!-- /schema:ID -->` replaced by table ID.  Returns the number of tables
 * with no block (named in `missing`), or -1 if a block is not closed. */
int schema_docs(const char *text, FILE *out, char *missing, size_t size)
{
    bool *seen = xcalloc(64, sizeof *seen);
    const char *p = text;
    int rc = 0;
    while (*p) {
        const char *open = strstr(p, "<!-- schema:");
        if (!open) {
            fputs(p, out);
            break;
        }
        const char *id = open + strlen("<!-- schema:"), *idend = strstr(id, " -->");
        if (!idend) {
            rc = -1;
            break;
        }
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(idend - id), id);
        char close[96];
        snprintf(close, sizeof close, "<!-- /schema:%s -->", name);
        const char *end = strstr(idend, close);
        size_t ti;
        for (ti = 0; schema_tables[ti] && strcmp(schema_tables[ti]->id, name); ti++)
            ;
        if (!end || !schema_tables[ti]) {
            snprintf(missing, size, "%s block '%s'", !end ? "an unclosed" : "no table for the", name);
            rc = -1;
            break;
        }
        fwrite(p, 1, (size_t)(idend + 4 - p), out);
        fputc('\n', out);
        seen[ti] = true;
        schema_markdown(out, schema_tables[ti]);
        fputs(close, out);
        p = end + strlen(close);
    }
    if (rc == 0) {
        missing[0] = 0;
        for (size_t i = 0; schema_tables[i]; i++)
            if (!seen[i]) {
                snprintf(missing + strlen(missing), size - strlen(missing), "%s%s", rc ? ", " : "",
                         schema_tables[i]->id);
                rc++;
            }
    }
    free(seen);
    return rc;
}
