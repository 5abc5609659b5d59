/* emit_edit.c -- editing a user's YAML or JSON config by splicing its text,
 * for `eddy fix --emit`: a value replaced where it stands, a missing key
 * added beside its siblings in the file's own style (block or flow, one
 * key a line or not), a comment above an edit saying why.  Everything else
 * in the file (comments, order, layout) stays as the user wrote it.  Each
 * edit re-parses the document, so positions are always current. */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../model/ysafe.h"
#include "emit.h"
#include "../core/xalloc.h"

/* Byte offset of (line, col), both 0-based, col counted in characters. */
static size_t offset_of(const char *text, size_t line, size_t col)
{
    size_t i = 0, l = 0;
    while (text[i] && l < line) {
        if (text[i] == '\n')
            l++;
        i++;
    }
    for (size_t c = 0; text[i] && c < col; c++) {
        i++;
        while (((unsigned char)text[i] & 0xC0) == 0x80)
            i++;
    }
    return i;
}

static bool doc_sep(const char *s)
{
    return !strncmp(s, "---", 3) && (s[3] == '\n' || s[3] == ' ' || s[3] == '\t' || s[3] == '\r' || !s[3]);
}

/* Parse the document of text that holds `line` (1-based; 0 or 1: the
 * first), with the text before it blanked so positions are the file's. */
static int parse_at(const char *text, const char *file, int line, yaml_document_t *doc, eddy_error *err)
{
    size_t len = strlen(text), i = 0, start = 0, end = len;
    int l = 1;
    if (line < 1)
        line = 1;
    while (i < len) {
        bool sep = doc_sep(text + i);
        if (sep && l > line) {
            end = i;
            break;
        }
        while (i < len && text[i] != '\n')
            i++;
        if (i < len)
            i++;
        l++;
        if (sep)
            start = i;
    }
    char *buf = xmalloc(len + 1);
    for (size_t k = 0; k < start; k++)
        buf[k] = text[k] == '\n' ? '\n' : ' ';
    memcpy(buf + start, text + start, end - start);
    buf[end] = 0;
    int rc = ysafe_load(buf, end, file, doc, err);
    free(buf);
    return rc;
}

static yaml_node_t *node(yaml_document_t *d, int id) { return yaml_document_get_node(d, id); }

yaml_node_t *emit_get(yaml_document_t *d, yaml_node_t *m, const char *key)
{
    if (!m || m->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(d, p->key);
        if (k->type == YAML_SCALAR_NODE && !strcmp((char *)k->data.scalar.value, key))
            return node(d, p->value);
    }
    return NULL;
}

yaml_node_t *emit_item(yaml_document_t *d, yaml_node_t *s, long i)
{
    if (!s || s->type != YAML_SEQUENCE_NODE || i < 0 || i >= s->data.sequence.items.top - s->data.sequence.items.start)
        return NULL;
    return node(d, s->data.sequence.items.start[i]);
}

/* A token for a value: JSON quotes strings and keys; YAML leaves them plain. */
static void token(const srcfile *f, const char *v, char type, char *out, size_t size)
{
    if (type == 's' && f->json)
        snprintf(out, size, "\"%s\"", v);
    else
        snprintf(out, size, "%s", v);
}

static void splice(srcfile *f, size_t at, size_t del, const char *ins)
{
    size_t len = strlen(f->text), il = strlen(ins);
    char *n = xmalloc(len - del + il + 1);
    memcpy(n, f->text, at);
    memcpy(n + at, ins, il);
    memcpy(n + at + il, f->text + at + del, len - at - del + 1);
    free(f->text);
    f->text = n;
}

/* The flow text of the keys path[from..] ending in value: {a: {b: v}} or
 * [{...}] where a segment is a list index. */
static void nest(const srcfile *f, char **seg, int nseg, int from, const char *value, char *out, size_t size)
{
    if (from == nseg) {
        snprintf(out, size, "%s", value);
        return;
    }
    char inner[1024];
    nest(f, seg, nseg, from + 1, value, inner, sizeof inner);
    if (isdigit((unsigned char)seg[from][0]))
        snprintf(out, size, "[%s]", inner);
    else if (f->json)
        snprintf(out, size, "{\"%s\": %s}", seg[from], inner);
    else
        snprintf(out, size, "{%s: %s}", seg[from], inner);
}

/* Add key: value to mapping m (block or flow). */
static size_t add_key(srcfile *f, yaml_document_t *d, yaml_node_t *m, const char *key, const char *value)
{
    char kv[2048];
    if (f->json)
        snprintf(kv, sizeof kv, "\"%s\": %s", key, value);
    else
        snprintf(kv, sizeof kv, "%s: %s", key, value);
    if (m->data.mapping.pairs.start == m->data.mapping.pairs.top) {
        /* empty: `{}` */
        size_t at = offset_of(f->text, m->start_mark.line, m->start_mark.column);
        char ins[2100];
        snprintf(ins, sizeof ins, "%s", kv);
        splice(f, at + 1, 0, ins);
        return at + 1;
    }
    yaml_node_t *k0 = node(d, m->data.mapping.pairs.start->key);
    size_t line = k0->start_mark.line, col = k0->start_mark.column;
    if (m->data.mapping.style == YAML_FLOW_MAPPING_STYLE) {
        /* after the last value: ", key: value", on a line of its own at the
         * first key's indentation when the keys are one a line (pretty JSON) */
        yaml_node_t *last = node(d, (m->data.mapping.pairs.top - 1)->value);
        size_t at = offset_of(f->text, last->end_mark.line, last->end_mark.column);
        size_t ls = offset_of(f->text, line, 0), first = offset_of(f->text, line, col);
        bool own_line = true;
        for (size_t i = ls; i < first; i++)
            own_line &= f->text[i] == ' ' || f->text[i] == '\t';
        char ins[2200];
        if (own_line && last->end_mark.line != m->start_mark.line)
            snprintf(ins, sizeof ins, ",\n%.*s%s", (int)(first - ls), f->text + ls, kv);
        else
            snprintf(ins, sizeof ins, ", %s", kv);
        splice(f, at, 0, ins);
        return at;
    }
    /* block: a line before the first key's, at its indentation; when the
     * first key follows "- " on its line, the new key takes the dash */
    size_t ls = offset_of(f->text, line, 0), at = offset_of(f->text, line, col);
    bool spaces = true;
    for (size_t i = ls; i < at; i++)
        spaces &= f->text[i] == ' ';
    char ins[2200];
    if (spaces) {
        snprintf(ins, sizeof ins, "%*s%s\n", (int)col, "", kv);
        splice(f, ls, 0, ins);
        return ls;
    }
    /* "    - route:" -> "    - key: value\n      route:" */
    snprintf(ins, sizeof ins, "%s\n%*s", kv, (int)col, "");
    splice(f, at, 0, ins);
    return at;
}

int emit_set(srcfile *f, int doc_line, const char *base_path, const char *path, const char *value, char type,
             eddy_error *err)
{
    yaml_document_t d;
    if (parse_at(f->text, f->path, doc_line, &d, err) < 0)
        return -1;
    char full[512];
    snprintf(full, sizeof full, "%s%s%s", base_path, *base_path && *path ? "." : "", path);
    char *segs[32], buf[512];
    int n = 0;
    snprintf(buf, sizeof buf, "%s", full);
    for (char *s = strtok(buf, "."); s && n < 32; s = strtok(NULL, "."))
        segs[n++] = s;
    yaml_node_t *cur = yaml_document_get_root_node(&d);
    char tok[512];
    token(f, value, type, tok, sizeof tok);
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        yaml_node_t *next = isdigit((unsigned char)segs[i][0]) ? emit_item(&d, cur, atol(segs[i]))
                                                              : emit_get(&d, cur, segs[i]);
        if (!next) {
            if (!cur || cur->type != YAML_MAPPING_NODE || isdigit((unsigned char)segs[i][0])) {
                rc = err_set(err, f->path, cur ? (int)cur->start_mark.line + 1 : 0, 0,
                             "cannot add %s here: not a mapping", full);
                break;
            }
            char v[1024];
            nest(f, segs, n, i + 1, tok, v, sizeof v);
            f->last_at = add_key(f, &d, cur, segs[i], v);
            break;
        }
        if (i == n - 1) {
            if (next->type != YAML_SCALAR_NODE && type != 'f') {
                rc = err_set(err, f->path, (int)next->start_mark.line + 1, (int)next->start_mark.column + 1,
                             "%s: expected a value, found %s", full,
                             next->type == YAML_MAPPING_NODE ? "a mapping" : "a list");
                break;
            }
            size_t a = offset_of(f->text, next->start_mark.line, next->start_mark.column);
            size_t b = offset_of(f->text, next->end_mark.line, next->end_mark.column);
            bool flow = (next->type == YAML_MAPPING_NODE && next->data.mapping.style == YAML_FLOW_MAPPING_STYLE) ||
                        (next->type == YAML_SEQUENCE_NODE && next->data.sequence.style == YAML_FLOW_SEQUENCE_STYLE);
            if (next->type != YAML_SCALAR_NODE && !flow)
                while (b > a && (f->text[b - 1] == '\n' || f->text[b - 1] == ' '))
                    b--; /* a block collection ends at the next key's line: keep the newline */
            splice(f, a, b - a, tok);
            f->last_at = a;
        }
        cur = next;
    }
    yaml_document_delete(&d);
    return rc;
}

bool emit_named(const change *c, const yaml_node_t *n)
{
    for (int i = 0; n && i < c->nlines; i++)
        if ((int)n->start_mark.line + 1 <= c->lines[i] && c->lines[i] <= (int)n->end_mark.line + 1)
            return true;
    return false;
}

int emit_find_doc(const srcfile *f, const importer *im, const char *want_kind, const change *c)
{
    size_t len = strlen(f->text);
    int line = 1;
    for (size_t i = 0; i <= len;) {
        if (i == 0 || doc_sep(f->text + i)) {
            yaml_document_t d;
            eddy_error err; /* a document that does not parse is not the one */
            int at = i == 0 ? 1 : line + 1;
            if (parse_at(f->text, f->path, at, &d, &err) == 0) {
                yaml_node_t *root = yaml_document_get_root_node(&d);
                bool ok = false;
                if (root && root->type == YAML_MAPPING_NODE) {
                    yaml_node_t *k = emit_get(&d, root, "kind");
                    ok = k && k->type == YAML_SCALAR_NODE && !strcmp((char *)k->data.scalar.value, want_kind);
                    if (ok) {
                        /* VirtualService: its route's destination; ServiceProfile: its name */
                        char buf[128];
                        yaml_node_t *h;
                        if (!strcmp(want_kind, "ServiceProfile"))
                            h = emit_get(&d, emit_get(&d, root, "metadata"), "name");
                        else if (!strcmp(want_kind, "DestinationRule"))
                            h = emit_get(&d, emit_get(&d, root, "spec"), "host");
                        else {
                            yaml_node_t *http0 = emit_item(&d, emit_get(&d, emit_get(&d, root, "spec"), "http"), 0);
                            yaml_node_t *dest = emit_get(&d, emit_item(&d, emit_get(&d, http0, "route"), 0), "destination");
                            h = emit_get(&d, dest, "host");
                            if (!h)
                                h = emit_item(&d, emit_get(&d, emit_get(&d, root, "spec"), "hosts"), 0);
                        }
                        const char *host = h && h->type == YAML_SCALAR_NODE ? (char *)h->data.scalar.value : NULL;
                        ok = emit_named(c, root) ||
                             (host && !strcmp(imp_service_name(im, host, buf, sizeof buf), c->callee));
                    }
                }
                int first = root ? (int)root->start_mark.line + 1 : at;
                yaml_document_delete(&d);
                if (ok)
                    return first;
            }
        }
        while (i < len && f->text[i] != '\n')
            i++;
        i++;
        line++;
    }
    return -1;
}


int emit_parse(const srcfile *f, int line, yaml_document_t *doc, eddy_error *err)
{
    return parse_at(f->text, f->path, line, doc, err);
}

yaml_node_t *emit_at(yaml_document_t *d, yaml_node_t *n, const char *path)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *s = strtok(buf, "."); s && n; s = strtok(NULL, "."))
        n = isdigit((unsigned char)s[0]) ? emit_item(d, n, atol(s)) : emit_get(d, n, s);
    return n;
}

bool emit_find(yaml_document_t *d, yaml_node_t *n, emit_match match, const importer *im, const change *c, char *path,
               size_t size)
{
    if (!n)
        return false;
    if (match(d, n, im, c))
        return true;
    size_t len = strlen(path);
    if (n->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
            yaml_node_t *k = node(d, p->key);
            if (k->type != YAML_SCALAR_NODE || strchr((char *)k->data.scalar.value, '.'))
                continue; /* a key with a dot cannot be part of a dotted path */
            snprintf(path + len, size - len, "%s%s", len ? "." : "", (char *)k->data.scalar.value);
            if (emit_find(d, node(d, p->value), match, im, c, path, size))
                return true;
        }
    } else if (n->type == YAML_SEQUENCE_NODE) {
        long i = 0;
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++, i++) {
            snprintf(path + len, size - len, "%s%ld", len ? "." : "", i);
            if (emit_find(d, node(d, *it), match, im, c, path, size))
                return true;
        }
    }
    path[len] = 0;
    return false;
}

void emit_comment(srcfile *f, size_t at, const char *fmt, ...)
{
    if (f->json)
        return; /* JSON has no comments: the patch's header carries the notes */
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t ls = at < strlen(f->text) ? at : strlen(f->text);
    while (ls > 0 && f->text[ls - 1] != '\n')
        ls--;
    int ind = 0;
    while (f->text[ls + ind] == ' ')
        ind++;
    /* wrapped at 100 columns, every line "# eddy fix --emit: ..." */
    char out[4096];
    size_t n = 0;
    const char *p = msg;
    while (*p && n + 200 < sizeof out) {
        int room = 100 - ind - 2;
        if (room < 40)
            room = 40;
        int len = (int)strlen(p);
        int take = len;
        if (len > room) {
            take = room;
            while (take > 0 && p[take] != ' ')
                take--;
            if (take == 0)
                take = room;
        }
        n += (size_t)snprintf(out + n, sizeof out - n, "%*s# %.*s\n", ind, "", take, p);
        p += take;
        while (*p == ' ')
            p++;
    }
    splice(f, ls, 0, out);
}

size_t emit_line_offset(const srcfile *f, const yaml_node_t *n) { return offset_of(f->text, n->start_mark.line, 0); }

void emit_append(srcfile *f, const char *text)
{
    size_t len = strlen(f->text);
    if (len && f->text[len - 1] != '\n')
        splice(f, len++, 0, "\n");
    splice(f, len, 0, text);
}
