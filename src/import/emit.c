/* emit.c -- `eddy fix --emit FORMAT DIR`: a measured fix written back in the
 * format the model was imported from.
 *
 * A fix is a list of changes to the model (eddy paths and values).  For
 * each change on a call, the `# from FILE:LINE` comments of the imported
 * model name the files that configured that call; the one of the asked
 * format is edited in its own terms (a VirtualService's retries, a gRPC
 * retryThrottling, an Envoy retry_budget, a Linkerd retryBudget, a
 * resilience4j instance) by splicing its text, so everything else in the
 * file (comments, order, layout) stays as the user wrote it.  The changed
 * file and a unified diff against the imported one are written to DIR.
 * A change the format cannot express is named in a note, not dropped. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../model/units.h"
#include "../model/ysafe.h"
#include "imp.h"

/* ---- notes ------------------------------------------------------------------------- */

static void note(emit_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(emit_result *r, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < r->nnotes; i++)
        if (!strcmp(r->notes[i], buf))
            return;
    char **nv = realloc(r->notes, (r->nnotes + 1) * sizeof *nv);
    if (!nv || !(nv[r->nnotes] = strdup(buf)))
        abort();
    r->notes = nv;
    r->nnotes++;
}

void imp_emit_result_free(emit_result *r)
{
    for (size_t i = 0; i < r->nnotes; i++)
        free(r->notes[i]);
    for (size_t i = 0; i < r->nfiles; i++)
        free(r->files[i]);
    free(r->notes);
    free(r->files);
    memset(r, 0, sizeof *r);
}

imp_kind imp_kind_from_name(const char *s)
{
    static const struct {
        const char *name;
        imp_kind k;
    } m[] = {{"istio", IMP_ISTIO}, {"envoy", IMP_ENVOY}, {"grpc", IMP_GRPC}, {"linkerd", IMP_LINKERD},
             {"resilience4j", IMP_R4J}};
    for (size_t i = 0; i < sizeof m / sizeof *m; i++)
        if (!strcmp(s, m[i].name))
            return m[i].k;
    return IMP_UNKNOWN;
}

/* ---- text and documents ------------------------------------------------------------ */

typedef struct srcfile {
    char *path;
    char *orig, *text; /* as imported; as changed */
    bool json;
} srcfile;

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
    char *buf = malloc(len + 1);
    if (!buf)
        abort();
    for (size_t k = 0; k < start; k++)
        buf[k] = text[k] == '\n' ? '\n' : ' ';
    memcpy(buf + start, text + start, end - start);
    buf[end] = 0;
    int rc = ysafe_load(buf, end, file, doc, err);
    free(buf);
    return rc;
}

static yaml_node_t *node(yaml_document_t *d, int id) { return yaml_document_get_node(d, id); }

static yaml_node_t *map_get(yaml_document_t *d, yaml_node_t *m, const char *key)
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

static yaml_node_t *seq_at(yaml_document_t *d, yaml_node_t *s, long i)
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
    char *n = malloc(len - del + il + 1);
    if (!n)
        abort();
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
static void add_key(srcfile *f, yaml_document_t *d, yaml_node_t *m, const char *key, const char *value)
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
        return;
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
        return;
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
    } else {
        /* "    - route:" -> "    - key: value\n      route:" */
        snprintf(ins, sizeof ins, "%s\n%*s", kv, (int)col, "");
        splice(f, at, 0, ins);
    }
}

/* Set the scalar at a dotted path (list items by index) from the document
 * node `base`, creating what is missing.  Re-parses afterwards is the
 * caller's business: one change per parse. */
static int set_path(srcfile *f, int doc_line, const char *base_path, const char *path, const char *value, char type,
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
        yaml_node_t *next = isdigit((unsigned char)segs[i][0]) ? seq_at(&d, cur, atol(segs[i]))
                                                              : map_get(&d, cur, segs[i]);
        if (!next) {
            if (!cur || cur->type != YAML_MAPPING_NODE || isdigit((unsigned char)segs[i][0])) {
                rc = err_set(err, f->path, cur ? (int)cur->start_mark.line + 1 : 0, 0,
                             "cannot add %s here: not a mapping", full);
                break;
            }
            char v[1024];
            nest(f, segs, n, i + 1, tok, v, sizeof v);
            add_key(f, &d, cur, segs[i], v);
            break;
        }
        if (i == n - 1) {
            if (next->type != YAML_SCALAR_NODE) {
                rc = err_set(err, f->path, (int)next->start_mark.line + 1, (int)next->start_mark.column + 1,
                             "%s: expected a value, found %s", full,
                             next->type == YAML_MAPPING_NODE ? "a mapping" : "a list");
                break;
            }
            size_t a = offset_of(f->text, next->start_mark.line, next->start_mark.column);
            size_t b = offset_of(f->text, next->end_mark.line, next->end_mark.column);
            splice(f, a, b - a, tok);
        }
        cur = next;
    }
    yaml_document_delete(&d);
    return rc;
}

/* ---- finding what to edit ----------------------------------------------------------- */

/* The "# from" files on lines [l0, l1] of the model text. */
static int sources(const char *text, int l0, int l1, char files[][512], int *flines, int max)
{
    int n = 0, line = 1;
    for (const char *p = text; *p && line <= l1; line++) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (line >= l0) {
            const char *c = NULL;
            for (const char *q = p; q + 7 <= p + len; q++)
                if (!strncmp(q, "# from ", 7)) {
                    c = q + 7;
                    break;
                }
            while (c && c < p + len) {
                const char *colon = c;
                while (colon < p + len && *colon != ':' && *colon != ' ' && *colon != ',')
                    colon++;
                if (colon < p + len && *colon == ':' && n < max) {
                    char f[512];
                    snprintf(f, sizeof f, "%.*s", (int)(colon - c), c);
                    bool dup = false;
                    for (int k = 0; k < n; k++)
                        dup |= !strcmp(files[k], f);
                    if (!dup) {
                        flines[n] = atoi(colon + 1);
                        snprintf(files[n++], 512, "%s", f);
                    }
                }
                const char *comma = colon;
                while (comma < p + len && *comma != ',')
                    comma++;
                c = comma < p + len ? comma + 2 : NULL;
            }
        }
        if (!eol)
            break;
        p = eol + 1;
    }
    return n;
}

/* The kind of the file at path, by content (its first document with a kind). */
static imp_kind file_kind(const char *path)
{
    eddy_error err;
    size_t len;
    char *text = ysafe_read_file(path, &len, &err);
    if (!text)
        return IMP_UNKNOWN;
    imp_kind k = IMP_UNKNOWN;
    if (imp_prom_detect(text))
        k = IMP_PROM;
    else {
        importer im;
        imp_init(&im);
        k = imp_detect_text(&im, text, len, path);
        imp_free(&im);
    }
    free(text);
    return k;
}

/* The line of the first document in f of `kind` (and for Kubernetes-style
 * documents, whose host names callee), or -1. */
static int find_doc(const srcfile *f, const importer *im, const char *want_kind, const char *callee, eddy_error *err)
{
    size_t len = strlen(f->text);
    int line = 1;
    for (size_t i = 0; i <= len;) {
        if (i == 0 || doc_sep(f->text + i)) {
            yaml_document_t d;
            int at = i == 0 ? 1 : line + 1;
            if (parse_at(f->text, f->path, at, &d, err) == 0) {
                yaml_node_t *root = yaml_document_get_root_node(&d);
                bool ok = false;
                if (root && root->type == YAML_MAPPING_NODE) {
                    yaml_node_t *k = map_get(&d, root, "kind");
                    ok = k && k->type == YAML_SCALAR_NODE && !strcmp((char *)k->data.scalar.value, want_kind);
                    if (ok) {
                        /* VirtualService: its route's destination; ServiceProfile: its name */
                        char buf[128];
                        yaml_node_t *h;
                        if (!strcmp(want_kind, "ServiceProfile"))
                            h = map_get(&d, map_get(&d, root, "metadata"), "name");
                        else {
                            yaml_node_t *http0 = seq_at(&d, map_get(&d, map_get(&d, root, "spec"), "http"), 0);
                            yaml_node_t *dest = map_get(&d, seq_at(&d, map_get(&d, http0, "route"), 0), "destination");
                            h = map_get(&d, dest, "host");
                            if (!h)
                                h = seq_at(&d, map_get(&d, map_get(&d, root, "spec"), "hosts"), 0);
                        }
                        const char *host = h && h->type == YAML_SCALAR_NODE ? (char *)h->data.scalar.value : NULL;
                        ok = host && !strcmp(imp_service_name(im, host, buf, sizeof buf), callee);
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

/* ---- the formats ---------------------------------------------------------------------- */

typedef struct change {
    const char *key;   /* on the call: "retry.attempts", "retry.budget", "timeout", ... */
    const char *value; /* eddy's value */
    long total;        /* retry.attempts: the model's attempts on the call now (all layers) */
    int line;          /* a line of the source file that configures the call */
} change;

static double seconds(const char *v)
{
    simtime t;
    return units_duration(v, &t) == 0 ? (double)t / T_SEC : -1;
}

/* A flow-mapping value's key ("{type: grpc, max_tokens: 20}" -> "20"). */
static bool flow_get(const char *flow, const char *key, char *out, size_t size)
{
    char pat[64];
    snprintf(pat, sizeof pat, "%s:", key);
    const char *p = strstr(flow, pat);
    if (!p)
        return false;
    p += strlen(pat);
    while (*p == ' ')
        p++;
    size_t n = strcspn(p, ",}");
    while (n && p[n - 1] == ' ')
        n--;
    snprintf(out, size, "%.*s", (int)n, p);
    return true;
}

/* The layer's new attempts when the call's attempts multiply over
 * layers: this layer's share of `want`, the others kept. */
static long layer_attempts(emit_result *r, const char *fmt, long want, long total, long mine)
{
    long others = mine > 0 && total > 0 ? total / mine : 1;
    if (others < 1)
        others = 1;
    long n = want / others;
    if (n < 1)
        n = 1;
    if (others > 1)
        note(r, "%s: the other retrying layer on this call still makes %ld attempts per attempt of this one: %ld x %ld "
                "= %ld attempts, the fix measured %ld; emit that layer's format too",
             fmt, others, n, others, n * others, want);
    return n;
}

static int emit_istio(srcfile *f, const importer *im, const char *callee, const change *c, emit_result *r,
                      eddy_error *err)
{
    int at = c->line > 0 ? c->line : find_doc(f, im, "VirtualService", callee, err);
    if (at < 0) {
        note(r, "%s: no VirtualService for %s", f->path, callee);
        return 0;
    }
    yaml_document_t d;
    if (parse_at(f->text, f->path, at, &d, err) < 0)
        return -1;
    /* the route import read: the default one (no match), or the first */
    yaml_node_t *root = yaml_document_get_root_node(&d), *http = map_get(&d, map_get(&d, root, "spec"), "http");
    long ri = 0, best = -1;
    for (yaml_node_t *rt; (rt = seq_at(&d, http, ri)); ri++)
        if (best < 0 || !map_get(&d, rt, "match"))
            if (best < 0 || map_get(&d, seq_at(&d, http, best), "match"))
                best = ri;
    yaml_node_t *route = seq_at(&d, http, best);
    yaml_node_t *retries = map_get(&d, route, "retries");
    yaml_node_t *an = map_get(&d, retries, "attempts"), *pt = map_get(&d, retries, "perTryTimeout");
    long cur = retries ? (an ? atol((char *)an->data.scalar.value) + 1 : 3) : 3;
    bool has_pt = pt != NULL;
    yaml_document_delete(&d);
    char base[64], v[64];
    snprintf(base, sizeof base, "spec.http.%ld", best < 0 ? 0 : best);
    if (!strcmp(c->key, "retry.attempts")) {
        long n = layer_attempts(r, "istio", atol(c->value), c->total, cur);
        snprintf(v, sizeof v, "%ld", n - 1);
        return set_path(f, at, base, "retries.attempts", v, 'n', err);
    }
    if (!strcmp(c->key, "timeout")) {
        return set_path(f, at, base, has_pt ? "retries.perTryTimeout" : "timeout", c->value, 's', err);
    }
    if (!strcmp(c->key, "retry.on")) {
        const char *ro = strstr(c->value, "timeout") ? "5xx,connect-failure,refused-stream"
                         : strstr(c->value, "error") ? "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes"
                                                     : "connect-failure,refused-stream,unavailable,cancelled";
        if (!strstr(c->value, "timeout") && strstr(c->value, "error"))
            note(r, "istio: retryOn cannot name 5xx answers without timeouts; retriable-status-codes (503) is the "
                    "nearest to eddy's %s",
                 c->value);
        return set_path(f, at, base, "retries.retryOn", ro, 's', err);
    }
    if (!strcmp(c->key, "retry")) { /* off */
        return set_path(f, at, base, "retries.attempts", "0", 'n', err);
    }
    note(r, "istio: a VirtualService cannot express %s: %s (see --emit envoy for retry budgets, or a "
            "DestinationRule by hand)",
         c->key, c->value);
    return 0;
}

static int emit_grpc(srcfile *f, const importer *im, const char *callee, const change *c, emit_result *r,
                     eddy_error *err)
{
    (void)im;
    yaml_document_t d;
    if (parse_at(f->text, f->path, 0, &d, err) < 0)
        return -1;
    yaml_node_t *root = yaml_document_get_root_node(&d), *mcs = map_get(&d, root, "methodConfig");
    long mi = -1;
    for (long i = 0; mi < 0 && seq_at(&d, mcs, i); i++) {
        yaml_node_t *names = map_get(&d, seq_at(&d, mcs, i), "name");
        for (long k = 0; seq_at(&d, names, k); k++) {
            yaml_node_t *s = map_get(&d, seq_at(&d, names, k), "service");
            char buf[128];
            if (s && s->type == YAML_SCALAR_NODE &&
                !strcmp(imp_grpc_service_name((char *)s->data.scalar.value, buf, sizeof buf), callee))
                mi = i;
        }
    }
    yaml_node_t *rp = map_get(&d, seq_at(&d, mcs, mi), "retryPolicy");
    yaml_node_t *ma = map_get(&d, rp, "maxAttempts");
    long cur = ma && ma->type == YAML_SCALAR_NODE ? atol((char *)ma->data.scalar.value) : 1;
    bool hedged = map_get(&d, seq_at(&d, mcs, mi), "hedgingPolicy") != NULL;
    yaml_document_delete(&d);
    if (mi < 0) {
        note(r, "%s: no methodConfig names %s", f->path, callee);
        return 0;
    }
    char base[64], v[64];
    snprintf(base, sizeof base, "methodConfig.%ld", mi);
    if (!strcmp(c->key, "retry.budget")) {
        char mt[32] = "10", tr[32] = "0.1", type[32] = "";
        flow_get(c->value, "type", type, sizeof type);
        if (!strcmp(type, "grpc")) {
            flow_get(c->value, "max_tokens", mt, sizeof mt);
            flow_get(c->value, "token_ratio", tr, sizeof tr);
        } else {
            note(r, "grpc: the fix measured a %s budget; gRPC's is retryThrottling, a token bucket, written with "
                    "eddy's grpc defaults (maxTokens 10, tokenRatio 0.1): nearest, not the same; measure it with "
                    "`eddy fix --patch` before applying",
                 type);
        }
        if (set_path(f, 0, "", "retryThrottling.maxTokens", mt, 'n', err) < 0)
            return -1;
        return set_path(f, 0, "", "retryThrottling.tokenRatio", tr, 'n', err);
    }
    if (!strcmp(c->key, "retry.attempts")) {
        long n = layer_attempts(r, "grpc", atol(c->value), c->total, cur);
        if (n < 2) {
            note(r, "grpc: maxAttempts must be at least 2; %ld attempts means no retryPolicy: remove it by hand", n);
            return 0;
        }
        /* a retryPolicy of maxAttempts alone is not a gRPC service config:
         * gRPC requires its back-off and status codes, and refuses one beside
         * a hedgingPolicy (found by tests/fuzz/fuzz_emit.c) */
        if (!rp) {
            note(r, "grpc: methodConfig %ld has %s; a retryPolicy needs initialBackoff, maxBackoff, "
                    "backoffMultiplier and retryableStatusCodes besides maxAttempts %ld: write it by hand",
                 mi, hedged ? "a hedgingPolicy, and gRPC allows one policy of the two" : "no retryPolicy", n);
            return 0;
        }
        snprintf(v, sizeof v, "%ld", n);
        return set_path(f, 0, base, "retryPolicy.maxAttempts", v, 'n', err);
    }
    if (!strcmp(c->key, "timeout")) {
        snprintf(v, sizeof v, "%gs", seconds(c->value));
        return set_path(f, 0, base, "timeout", v, 's', err);
    }
    if (!strcmp(c->key, "retry.backoff") || !strcmp(c->key, "retry.jitter")) {
        note(r, "grpc: gRPC's retry back-off is already exponential with full jitter: %s needs no change", c->key);
        return 0;
    }
    if (!strcmp(c->key, "retry.on"))
        note(r, "grpc: retryableStatusCodes is not written by this emitter (eddy's %s: UNAVAILABLE for reject, "
                "INTERNAL for error, DEADLINE_EXCEEDED for timeout)",
             c->value);
    else
        note(r, "grpc: a service config cannot express %s: %s", c->key, c->value);
    return 0;
}

static int emit_linkerd(srcfile *f, const importer *im, const char *callee, const change *c, emit_result *r,
                        eddy_error *err)
{
    int at = c->line > 0 ? c->line : find_doc(f, im, "ServiceProfile", callee, err);
    if (at < 0) {
        note(r, "%s: no ServiceProfile for %s", f->path, callee);
        return 0;
    }
    if (!strcmp(c->key, "retry.budget")) {
        char pct[32] = "20%", mps[32] = "10", ttl[32] = "10s", type[32] = "", v[32];
        flow_get(c->value, "type", type, sizeof type);
        if (!strcmp(type, "finagle")) {
            flow_get(c->value, "percent", pct, sizeof pct);
            flow_get(c->value, "min_per_s", mps, sizeof mps);
            flow_get(c->value, "ttl", ttl, sizeof ttl);
        } else
            note(r, "linkerd: the fix measured a %s budget; Linkerd's retryBudget is Finagle's, written with its "
                    "defaults: nearest",
                 type);
        double p = strtod(pct, NULL) / (strchr(pct, '%') ? 100 : 1);
        snprintf(v, sizeof v, "%g", p);
        if (set_path(f, at, "spec", "retryBudget.retryRatio", v, 'n', err) < 0 ||
            set_path(f, at, "spec", "retryBudget.minRetriesPerSecond", mps, 'n', err) < 0)
            return -1;
        return set_path(f, at, "spec", "retryBudget.ttl", ttl, 's', err);
    }
    note(r, "linkerd: a ServiceProfile cannot express %s: %s", c->key, c->value);
    return 0;
}

static int emit_envoy(srcfile *f, const importer *im, const char *callee, const change *c, emit_result *r,
                      eddy_error *err)
{
    /* the cluster of the callee: a mapping with a name and cluster keys,
     * found by path from the root */
    yaml_document_t d;
    if (parse_at(f->text, f->path, 0, &d, err) < 0)
        return -1;
    char cpath[256] = "", rpath[256] = "";
    /* breadth: static_resources.clusters.N, clusters.N, or the root */
    static const char *roots[] = {"static_resources.clusters", "clusters"};
    yaml_node_t *root = yaml_document_get_root_node(&d);
    for (int k = 0; k < 2 && !*cpath; k++) {
        yaml_node_t *list = root;
        char tmp[64];
        snprintf(tmp, sizeof tmp, "%s", roots[k]);
        for (char *s = strtok(tmp, "."); s && list; s = strtok(NULL, "."))
            list = map_get(&d, list, s);
        for (long i = 0; list && seq_at(&d, list, i); i++) {
            yaml_node_t *cl = seq_at(&d, list, i), *nm = map_get(&d, cl, "name");
            char buf[128];
            bool has_line = c->line > 0 && (int)cl->start_mark.line + 1 <= c->line && (int)cl->end_mark.line + 1 >= c->line;
            if (has_line || (nm && nm->type == YAML_SCALAR_NODE &&
                             !strcmp(imp_service_name(im, (char *)nm->data.scalar.value, buf, sizeof buf), callee)))
                snprintf(cpath, sizeof cpath, "%s.%ld", roots[k], i);
        }
    }
    (void)rpath;
    yaml_document_delete(&d);
    if (!strcmp(c->key, "retry.budget")) {
        if (!*cpath) {
            note(r, "%s: no cluster for %s under static_resources.clusters or clusters", f->path, callee);
            return 0;
        }
        char pct[32] = "20%", min[32] = "3", type[32] = "", v[32], p[320];
        flow_get(c->value, "type", type, sizeof type);
        if (!strcmp(type, "envoy")) {
            flow_get(c->value, "budget_percent", pct, sizeof pct);
            flow_get(c->value, "min_retry_concurrency", min, sizeof min);
        } else
            note(r, "envoy: the fix measured a %s budget; Envoy's retry_budget caps retries in flight, written with "
                    "its defaults (20%%, 3): nearest, not the same (docs/model.md 3.6: it does not end every storm); "
                    "measure it with `eddy fix --patch` before applying",
                 type);
        snprintf(v, sizeof v, "%g", strtod(pct, NULL) * (strchr(pct, '%') ? 1 : 100));
        snprintf(p, sizeof p, "%s.circuit_breakers.thresholds.0.retry_budget.budget_percent.value", cpath);
        if (set_path(f, 0, "", p, v, 'n', err) < 0)
            return -1;
        snprintf(p, sizeof p, "%s.circuit_breakers.thresholds.0.retry_budget.min_retry_concurrency", cpath);
        return set_path(f, 0, "", p, min, 'n', err);
    }
    note(r, "envoy: this emitter writes retry budgets only; %s: %s is not written", c->key, c->value);
    return 0;
}

static int emit_r4j(srcfile *f, const importer *im, const char *callee, const change *c, emit_result *r,
                    eddy_error *err)
{
    (void)im;
    char base[256], v[64];
    if (!strcmp(c->key, "retry.attempts")) {
        snprintf(base, sizeof base, "resilience4j.retry.instances.%s", callee);
        return set_path(f, 0, base, "maxAttempts", c->value, 'n', err);
    }
    if (!strcmp(c->key, "timeout")) {
        snprintf(base, sizeof base, "resilience4j.timelimiter.instances.%s", callee);
        return set_path(f, 0, base, "timeoutDuration", c->value, 's', err);
    }
    if (!strcmp(c->key, "breaker")) {
        snprintf(base, sizeof base, "resilience4j.circuitbreaker.instances.%s", callee);
        return set_path(f, 0, base, "slidingWindowType", "COUNT_BASED", 's', err);
    }
    if (!strcmp(c->key, "bulkhead")) {
        flow_get(c->value, "max_concurrent", v, sizeof v);
        snprintf(base, sizeof base, "resilience4j.bulkhead.instances.%s", callee);
        return set_path(f, 0, base, "maxConcurrentCalls", v, 'n', err);
    }
    if (!strcmp(c->key, "retry.backoff") && !strcmp(c->value, "exponential")) {
        snprintf(base, sizeof base, "resilience4j.retry.instances.%s", callee);
        return set_path(f, 0, base, "enableExponentialBackoff", "true", 'n', err);
    }
    if (!strcmp(c->key, "retry.jitter")) {
        snprintf(base, sizeof base, "resilience4j.retry.instances.%s", callee);
        note(r, "resilience4j: randomized wait (+-50%%) is the nearest to eddy's %s jitter", c->value);
        return set_path(f, 0, base, "enableRandomizedWait", "true", 'n', err);
    }
    note(r, "resilience4j: no resilience4j module expresses %s: %s", c->key, c->value);
    return 0;
}

/* ---- unified diff ---------------------------------------------------------------------- */

typedef struct lines {
    const char **p;
    size_t *len;
    size_t n;
} lines;

static void split(const char *text, lines *l)
{
    size_t cap = 64;
    l->p = malloc(cap * sizeof *l->p);
    l->len = malloc(cap * sizeof *l->len);
    l->n = 0;
    for (const char *s = text; *s;) {
        const char *e = strchr(s, '\n');
        size_t n = e ? (size_t)(e - s) + 1 : strlen(s);
        if (l->n == cap) {
            cap *= 2;
            l->p = realloc(l->p, cap * sizeof *l->p);
            l->len = realloc(l->len, cap * sizeof *l->len);
        }
        if (!l->p || !l->len)
            abort();
        l->p[l->n] = s;
        l->len[l->n++] = n;
        s += n;
    }
}

static bool line_eq(const lines *a, size_t i, const lines *b, size_t j)
{
    return a->len[i] == b->len[j] && !memcmp(a->p[i], b->p[j], a->len[i]);
}

static void put_line(FILE *o, char c, const lines *l, size_t i)
{
    fputc(c, o);
    fwrite(l->p[i], 1, l->len[i], o);
    if (l->p[i][l->len[i] - 1] != '\n')
        fputs("\n\\ No newline at end of file\n", o);
}

/* Unified diff of a and b, 3 lines of context, by the longest common
 * subsequence of lines (config files are small). */
static void unified(FILE *o, const char *name, const char *a_text, const char *b_text)
{
    lines a, b;
    split(a_text, &a);
    split(b_text, &b);
    size_t n = a.n, m = b.n;
    unsigned *L = calloc((n + 1) * (m + 1), sizeof *L);
    if (!L)
        abort();
#define LCS(i, j) L[(i) * (m + 1) + (j)]
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;)
            LCS(i, j) = line_eq(&a, i, &b, j) ? LCS(i + 1, j + 1) + 1
                        : LCS(i + 1, j) > LCS(i, j + 1) ? LCS(i + 1, j) : LCS(i, j + 1);
    /* the edit script: ops ' ', '-', '+' with their line indices */
    size_t cap = n + m + 1, k = 0;
    char *op = malloc(cap);
    size_t *ai = malloc(cap * sizeof *ai), *bi = malloc(cap * sizeof *bi);
    size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && line_eq(&a, i, &b, j))
            op[k] = ' ', ai[k] = i++, bi[k] = j++;
        else if (i < n && (j == m || LCS(i + 1, j) >= LCS(i, j + 1)))
            op[k] = '-', ai[k] = i++, bi[k] = j;
        else
            op[k] = '+', ai[k] = i, bi[k] = j++;
        k++;
    }
    fprintf(o, "--- a/%s\n+++ b/%s\n", name, name);
    size_t x = 0;
    while (x < k) {
        while (x < k && op[x] == ' ')
            x++;
        if (x == k)
            break;
        size_t start = x >= 3 ? x - 3 : 0, end = x;
        /* extend the hunk while changes come within 6 lines */
        for (size_t y = x; y < k; y++)
            if (op[y] != ' ') {
                end = y;
            } else if (y - end > 6)
                break;
        size_t stop = end + 4 < k ? end + 4 : k;
        size_t na = 0, nb = 0;
        for (size_t y = start; y < stop; y++) {
            na += op[y] != '+';
            nb += op[y] != '-';
        }
        fprintf(o, "@@ -%zu,%zu +%zu,%zu @@\n", ai[start] + (na ? 1 : 0), na, bi[start] + (nb ? 1 : 0), nb);
        for (size_t y = start; y < stop; y++) {
            if (op[y] == '+')
                put_line(o, '+', &b, bi[y]);
            else
                put_line(o, op[y], &a, ai[y]);
        }
        x = stop;
    }
#undef LCS
    free(L);
    free(op);
    free(ai);
    free(bi);
    free(a.p);
    free(a.len);
    free(b.p);
    free(b.len);
}

/* ---- the whole fix -------------------------------------------------------------------- */

static int mkdirs(const char *path)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, 0777) < 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(buf, 0777) < 0 && errno != EEXIST ? -1 : 0;
}

/* A file name from a fix's name: "retry budget (Finagle, 20%)" -> "retry-budget-finagle-20". */
static void slug(const char *name, char *out, size_t size)
{
    size_t n = 0;
    bool dash = false;
    for (const char *p = name; *p && n + 1 < size; p++) {
        if (isalnum((unsigned char)*p)) {
            if (dash && n)
                out[n++] = '-';
            out[n++] = (char)tolower((unsigned char)*p);
            dash = false;
        } else
            dash = true;
    }
    out[n] = 0;
}

/* A path inside DIR for a source path: no leading '/', no "..". */
static void safe_rel(const char *path, char *out, size_t size)
{
    size_t n = 0;
    for (const char *p = path; *p && n + 1 < size;) {
        if (*p == '/') {
            p++;
            continue;
        }
        if (!strncmp(p, "../", 3) || !strcmp(p, "..")) {
            p += 2;
            continue;
        }
        while (*p && *p != '/' && n + 1 < size)
            out[n++] = *p++;
        if (*p == '/' && n + 1 < size)
            out[n++] = '/';
    }
    while (n && out[n - 1] == '/')
        n--;
    out[n] = 0;
}

int imp_emit(const char *model_path, imp_kind format, const char *fix_name, const emit_change *ch, size_t nch,
             const char *outdir, emit_result *res, eddy_error *err)
{
    memset(res, 0, sizeof *res);
    size_t mlen;
    char *mtext = ysafe_read_file(model_path, &mlen, err);
    if (!mtext)
        return -1;
    yaml_document_t md;
    if (ysafe_load(mtext, mlen, model_path, &md, err) < 0) {
        free(mtext);
        return -1;
    }
    importer im; /* for service names: the aliases are in the model already */
    imp_init(&im);
    srcfile files[16];
    size_t nfiles = 0;
    int rc = 0;
    yaml_node_t *root = yaml_document_get_root_node(&md);
    char offcall[1024] = "";
    for (size_t i = 0; i < nch && rc == 0; i++) {
        /* the call: clients.X or services.S.calls.I */
        char segs[8][128];
        int ns = 0;
        const char *p = ch[i].path;
        while (*p && ns < 8) {
            size_t l = strcspn(p, ".");
            snprintf(segs[ns++], sizeof segs[0], "%.*s", (int)l, p);
            p += l + (p[l] == '.');
        }
        yaml_node_t *call = NULL;
        int keyfrom = 0;
        const char *caller = NULL;
        if (ns >= 3 && !strcmp(segs[0], "clients")) {
            call = map_get(&md, map_get(&md, root, "clients"), segs[1]);
            keyfrom = 2;
            caller = segs[1];
        } else if (ns >= 5 && !strcmp(segs[0], "services") && !strcmp(segs[2], "calls")) {
            call = seq_at(&md, map_get(&md, map_get(&md, map_get(&md, root, "services"), segs[1]), "calls"),
                          atol(segs[3]));
            keyfrom = 4;
            caller = segs[1];
        }
        if (!call) {
            size_t l = strlen(offcall);
            snprintf(offcall + l, sizeof offcall - l, "%s%s: %s", l ? "; " : "", ch[i].path, ch[i].value);
            continue;
        }
        yaml_node_t *to = map_get(&md, call, keyfrom == 2 ? "call" : "to");
        const char *callee = to && to->type == YAML_SCALAR_NODE ? (char *)to->data.scalar.value : "?";
        char key[256] = "";
        for (int k = keyfrom; k < ns; k++) {
            size_t l = strlen(key);
            snprintf(key + l, sizeof key - l, "%s%s", l ? "." : "", segs[k]);
        }
        yaml_node_t *at = map_get(&md, map_get(&md, call, "retry"), "attempts");
        change c = {key, ch[i].value, at && at->type == YAML_SCALAR_NODE ? atol((char *)at->data.scalar.value) : 1, 0};
        /* the file of the asked format among those the call came from */
        char found[16][512];
        int flines[16];
        int nf = sources(mtext, (int)call->start_mark.line + 1, (int)call->end_mark.line + 1, found, flines, 16);
        int pick = -1;
        for (int k = 0; k < nf && pick < 0; k++) {
            FILE *probe = fopen(found[k], "r");
            if (!probe) {
                note(res, "cannot read %s, which the model names: run `eddy fix --emit` from the directory `eddy "
                          "import` ran in",
                     found[k]);
                continue;
            }
            fclose(probe);
            if (file_kind(found[k]) == format)
                pick = k;
        }
        if (pick >= 0)
            c.line = flines[pick];
        if (pick < 0) {
            note(res, "%s: no %s file configures calls %s -> %s (the model's # from comments name none); %s = %s "
                      "is not written",
                 fix_name, imp_kind_name(format), caller, callee, key, ch[i].value);
            continue;
        }
        srcfile *f = NULL;
        for (size_t k = 0; k < nfiles; k++)
            if (!strcmp(files[k].path, found[pick]))
                f = &files[k];
        if (!f && nfiles < 16) {
            size_t l;
            char *t = ysafe_read_file(found[pick], &l, err);
            if (!t) {
                rc = -1;
                break;
            }
            f = &files[nfiles++];
            f->path = strdup(found[pick]);
            f->orig = t;
            f->text = strdup(t);
            const char *q = t;
            while (isspace((unsigned char)*q))
                q++;
            f->json = *q == '{' || *q == '[';
        }
        if (!f)
            continue;
        switch (format) {
        case IMP_ISTIO:
            rc = emit_istio(f, &im, callee, &c, res, err);
            break;
        case IMP_GRPC:
            rc = emit_grpc(f, &im, callee, &c, res, err);
            break;
        case IMP_ENVOY:
            rc = emit_envoy(f, &im, callee, &c, res, err);
            break;
        case IMP_LINKERD:
            rc = emit_linkerd(f, &im, callee, &c, res, err);
            break;
        case IMP_R4J:
            rc = emit_r4j(f, &im, callee, &c, res, err);
            break;
        default:
            break;
        }
    }
    if (*offcall)
        note(res, "not changes to a call's policy, so not %s config: %s", imp_kind_name(format), offcall);
    /* write what changed */
    char sl[160];
    slug(fix_name, sl, sizeof sl);
    FILE *patch = NULL;
    for (size_t k = 0; k < nfiles && rc == 0; k++) {
        if (!strcmp(files[k].orig, files[k].text))
            continue;
        char rel[512], out[1200];
        safe_rel(files[k].path, rel, sizeof rel);
        snprintf(out, sizeof out, "%s/%s/%s", outdir, sl, rel);
        char *slash = strrchr(out, '/');
        *slash = 0;
        if (mkdirs(out) < 0) {
            rc = err_set(err, out, 0, 0, "cannot make the directory: %s", strerror(errno));
            break;
        }
        *slash = '/';
        FILE *fp = fopen(out, "w");
        if (!fp) {
            rc = err_set(err, out, 0, 0, "cannot write: %s", strerror(errno));
            break;
        }
        fputs(files[k].text, fp);
        fclose(fp);
        if (!patch) {
            char pp[1200];
            snprintf(pp, sizeof pp, "%s/%s.patch", outdir, sl);
            if (mkdirs(outdir) < 0 || !(patch = fopen(pp, "w"))) {
                rc = err_set(err, pp, 0, 0, "cannot write: %s", strerror(errno));
                break;
            }
            fprintf(patch, "# eddy fix --emit %s: %s\n", imp_kind_name(format), fix_name);
        }
        unified(patch, rel, files[k].orig, files[k].text);
        char **nv = realloc(res->files, (res->nfiles + 1) * sizeof *nv);
        if (!nv || !(nv[res->nfiles] = strdup(out)))
            abort();
        res->files = nv;
        res->nfiles++;
    }
    if (patch)
        fclose(patch);
    for (size_t k = 0; k < nfiles; k++) {
        free(files[k].path);
        free(files[k].orig);
        free(files[k].text);
    }
    imp_free(&im);
    yaml_document_delete(&md);
    free(mtext);
    return rc;
}
