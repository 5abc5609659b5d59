/* imp.c -- the importer's state, reading files and directories, telling
 * each file's kind by its content, and the YAML helpers the readers share.
 * The model is written by write.c. */
#include "imp.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "../model/units.h"
#include "../model/ysafe.h"
#include "../core/xalloc.h"

#define GROW(arr, n, cap)                                                                                              \
    do {                                                                                                               \
        if ((n) == (cap)) {                                                                                            \
            (cap) = (cap) ? 2 * (cap) : 16;                                                                            \
            (arr) = xrealloc((arr), (cap) * sizeof *(arr));                                                            \
        }                                                                                                              \
    } while (0)

const char *imp_kind_name(imp_kind k)
{
    static const char *names[] = {"unknown",  "kubernetes",     "istio",     "envoy", "linkerd",
                                  "grpc",     "resilience4j",   "prometheus", "jaeger"};
    return k <= IMP_JAEGER ? names[k] : "?";
}

void imp_init(importer *im) { memset(im, 0, sizeof *im); }

void imp_free(importer *im)
{
    for (size_t i = 0; i < im->n; i++) {
        free(im->items[i].ent);
        free(im->items[i].key);
        free(im->items[i].value);
        free(im->items[i].from);
        free(im->items[i].note);
    }
    for (size_t i = 0; i < im->nedges; i++) {
        free(im->edges[i].caller);
        free(im->edges[i].callee);
        free(im->edges[i].from);
    }
    for (size_t i = 0; i < im->naliases; i++) {
        free(im->aliases[i].name);
        free(im->aliases[i].service);
    }
    for (size_t i = 0; i < im->nservices; i++)
        free(im->services[i]);
    for (size_t i = 0; i < im->nwarnings; i++)
        free(im->warnings[i]);
    free(im->items);
    free(im->edges);
    free(im->aliases);
    free(im->services);
    free(im->warnings);
    free(im->base);
    memset(im, 0, sizeof *im);
}

void imp_warn(importer *im, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    GROW(im->warnings, im->nwarnings, im->capwarnings);
    im->warnings[im->nwarnings++] = xstrdup(buf);
}

void imp_set(importer *im, int kind, const char *ent, const char *key, const char *value, const char *from,
             const char *note, ...)
{
    char nbuf[1024] = "";
    if (note) {
        va_list ap;
        va_start(ap, note);
        vsnprintf(nbuf, sizeof nbuf, note, ap);
        va_end(ap);
    }
    /* The same file kind saying it twice: the later wins (a second route of
     * the same VirtualService, say). */
    for (size_t i = 0; i < im->n; i++) {
        imp_item *it = &im->items[i];
        if (it->kind == kind && !strcmp(it->ent, ent) && !strcmp(it->key, key)) {
            if (strcmp(it->value, value))
                imp_warn(im, "%s: %s %s = %s replaces %s (from %s)", from ? from : "?", ent, key, value, it->value,
                         it->from ? it->from : "?");
            free(it->value);
            free(it->from);
            free(it->note);
            it->value = xstrdup(value);
            it->from = from ? xstrdup(from) : NULL;
            it->note = *nbuf ? xstrdup(nbuf) : NULL;
            return;
        }
    }
    GROW(im->items, im->n, im->cap);
    im->items[im->n++] = (imp_item){.ent = xstrdup(ent),
                                    .key = xstrdup(key),
                                    .value = xstrdup(value),
                                    .from = from ? xstrdup(from) : NULL,
                                    .note = *nbuf ? xstrdup(nbuf) : NULL,
                                    .kind = kind};
}

void imp_add_service(importer *im, const char *name)
{
    for (size_t i = 0; i < im->nservices; i++)
        if (!strcmp(im->services[i], name))
            return;
    GROW(im->services, im->nservices, im->capservices);
    im->services[im->nservices++] = xstrdup(name);
}

void imp_add_alias(importer *im, const char *name, const char *service)
{
    if (!strcmp(name, service))
        return;
    for (size_t i = 0; i < im->naliases; i++)
        if (!strcmp(im->aliases[i].name, name))
            return;
    GROW(im->aliases, im->naliases, im->capaliases);
    im->aliases[im->naliases++] = (imp_alias){xstrdup(name), xstrdup(service)};
}

void imp_add_edge(importer *im, const char *caller, const char *callee, double rate, const char *from)
{
    for (size_t i = 0; i < im->nedges; i++)
        if (!strcmp(im->edges[i].caller, caller) && !strcmp(im->edges[i].callee, callee)) {
            if (rate >= 0)
                im->edges[i].rate = im->edges[i].rate >= 0 ? im->edges[i].rate + rate : rate;
            return;
        }
    GROW(im->edges, im->nedges, im->capedges);
    im->edges[im->nedges++] = (imp_edge){xstrdup(caller), xstrdup(callee), rate, xstrdup(from ? from : "")};
}

const char *imp_service_name(const importer *im, const char *host, char *buf, size_t size)
{
    size_t n = 0;
    /* "outbound|8080||checkout.shop.svc.cluster.local": Envoy cluster names
     * as Istio writes them end with the host */
    const char *bar = strrchr(host, '|');
    if (bar)
        host = bar + 1;
    for (const char *p = host; *p && *p != '.' && *p != ':' && n + 1 < size; p++)
        buf[n++] = (char)((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                                  *p == '_' || *p == '-'
                              ? *p
                              : '-');
    buf[n] = 0;
    for (size_t i = 0; i < im->naliases; i++)
        if (!strcmp(im->aliases[i].name, buf)) {
            snprintf(buf, size, "%s", im->aliases[i].service);
            break;
        }
    return buf;
}

bool imp_name_ok(const char *name)
{
    for (const char *p = name; *p; p++)
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
            return true;
    return false;
}

int imp_name(const importer *im, const yamldoc *y, const yaml_node_t *n, const char *what, const char *host, char *buf,
             size_t size)
{
    /* A name too long for its field would be cut short, and two long names
     * sharing a prefix would silently become one service. */
    const char *bar = strrchr(host, '|');
    size_t len = strcspn(bar ? bar + 1 : host, ".:");
    if (len >= size)
        return yd_fail(y, n, "%s: the service name in '%.40s...' is %zu characters long; expected at most %zu", what,
                       host, len, size - 1);
    if (imp_name_ok(imp_service_name(im, host, buf, size)))
        return 0;
    return yd_fail(y, n, "%s: expected a service's name or host, got '%s' (no letter or digit before its first '.' or ':')",
                   what, host);
}

/* ---- YAML helpers ---------------------------------------------------------------- */

const char *imp_from(const yamldoc *y, const yaml_node_t *n, char *buf, size_t size)
{
    snprintf(buf, size, "%s:%d", y->file, n ? yd_line(n) : 1);
    return buf;
}

yaml_node_t *imp_get(const yamldoc *y, const yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yd_node(y, p->key);
        if (k && k->type == YAML_SCALAR_NODE && !strcmp(yd_text(k), key))
            return yd_node(y, p->value);
    }
    return NULL;
}

const char *imp_str(const yamldoc *y, const yaml_node_t *map, const char *key, yaml_node_t **node)
{
    yaml_node_t *v = imp_get(y, map, key);
    if (node)
        *node = v;
    return v && v->type == YAML_SCALAR_NODE ? yd_text(v) : NULL;
}

yaml_node_t *imp_path(const yamldoc *y, const yaml_node_t *map, const char *path)
{
    char key[128];
    const yaml_node_t *cur = map;
    while (cur && *path) {
        const char *dot = strchr(path, '.');
        size_t len = dot ? (size_t)(dot - path) : strlen(path);
        if (len >= sizeof key)
            return NULL;
        memcpy(key, path, len);
        key[len] = 0;
        cur = imp_get(y, cur, key);
        path += len + (dot ? 1 : 0);
    }
    return (yaml_node_t *)cur;
}

int imp_want(const yamldoc *y, const yaml_node_t *n, yaml_node_type_t type, const char *what)
{
    if (n && n->type == type)
        return 0;
    const char *want = type == YAML_MAPPING_NODE ? "a mapping" : type == YAML_SEQUENCE_NODE ? "a list" : "a scalar";
    return yd_fail(y, n, "%s: expected %s, got %s", what, want, n ? yd_type_name(n) : "nothing");
}

int imp_number(const yamldoc *y, const yaml_node_t *n, const char *what, double *out)
{
    if (imp_want(y, n, YAML_SCALAR_NODE, what) < 0)
        return -1;
    const char *s = yd_text(n);
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(v))
        return yd_fail(y, n, "%s: expected a number, got '%s'", what, s);
    *out = v;
    return 0;
}

void imp_fmt_seconds(double s, char *out, size_t size)
{
    double ms = s * 1e3;
    if (ms >= 1000 && fmod(ms, 1000) == 0)
        snprintf(out, size, "%.0fs", s);
    else if (ms >= 1 && fabs(ms - round(ms)) < 1e-9)
        snprintf(out, size, "%.0fms", ms);
    else if (ms >= 1)
        snprintf(out, size, "%.3gms", ms);
    else
        snprintf(out, size, "%.0fus", s * 1e6);
}

int imp_duration(const yamldoc *y, const yaml_node_t *n, const char *what, char bare_unit, char *out, size_t size)
{
    if (imp_want(y, n, YAML_SCALAR_NODE, what) < 0)
        return -1;
    const char *s = yd_text(n);
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || !isfinite(v) || v < 0)
        return yd_fail(y, n, "%s: expected a duration such as 250ms or 1.5s, got '%s'", what, s);
    double sec;
    if (!*end) {
        if (bare_unit == 's')
            sec = v;
        else if (bare_unit == 'm')
            sec = v / 1e3;
        else
            return yd_fail(y, n, "%s: expected a duration with a unit such as 250ms or 1.5s, got '%s'", what, s);
    } else if (!strcmp(end, "s"))
        sec = v;
    else if (!strcmp(end, "ms"))
        sec = v / 1e3;
    else if (!strcmp(end, "us") || !strcmp(end, "µs"))
        sec = v / 1e6;
    else if (!strcmp(end, "ns"))
        sec = v / 1e9;
    else if (!strcmp(end, "m"))
        sec = v * 60;
    else if (!strcmp(end, "h"))
        sec = v * 3600;
    else
        return yd_fail(y, n, "%s: expected a duration such as 250ms or 1.5s, got '%s' (unknown unit '%s')", what, s,
                       end);
    imp_fmt_seconds(sec, out, size);
    return 0;
}

/* ---- telling kinds apart ---------------------------------------------------------- */

static bool envoy_like(const yamldoc *y, const yaml_node_t *n, int depth)
{
    if (!n || depth > 12)
        return false;
    if (n->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yd_node(y, p->key), *v = yd_node(y, p->value);
            if (k->type != YAML_SCALAR_NODE)
                continue;
            const char *ks = yd_text(k);
            if (!strcmp(ks, "static_resources") || !strcmp(ks, "circuit_breakers") ||
                !strcmp(ks, "outlier_detection") || !strcmp(ks, "virtual_hosts") || !strcmp(ks, "retry_policy") ||
                !strcmp(ks, "connect_timeout"))
                return true;
            if (!strcmp(ks, "@type") && v->type == YAML_SCALAR_NODE && strstr(yd_text(v), "envoy"))
                return true;
            if (envoy_like(y, v, depth + 1))
                return true;
        }
    } else if (n->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++)
            if (envoy_like(y, yd_node(y, *i), depth + 1))
                return true;
    }
    return false;
}

static bool jaeger_like(const yamldoc *y, const yaml_node_t *n)
{
    if (n && n->type == YAML_MAPPING_NODE)
        n = imp_get(y, n, "data");
    if (!n || n->type != YAML_SEQUENCE_NODE || n->data.sequence.items.start == n->data.sequence.items.top)
        return false;
    yaml_node_t *first = yd_node(y, *n->data.sequence.items.start);
    return imp_get(y, first, "parent") && imp_get(y, first, "child");
}

/* The kind of one document, and its `kind:` (for the warning) in what. */
static imp_kind detect(const yamldoc *y, const yaml_node_t *root, char *what, size_t size)
{
    snprintf(what, size, "%s", !root ? "an empty document" : root->type == YAML_MAPPING_NODE ? "a mapping" : "a list");
    if (!root)
        return IMP_UNKNOWN;
    if (jaeger_like(y, root))
        return IMP_JAEGER;
    if (root->type != YAML_MAPPING_NODE)
        return IMP_UNKNOWN;
    const char *api = imp_str(y, root, "apiVersion", NULL), *kind = imp_str(y, root, "kind", NULL);
    if (api && kind) {
        snprintf(what, size, "a %s (%s)", kind, api);
        if (strstr(api, "istio.io"))
            return !strcmp(kind, "VirtualService") || !strcmp(kind, "DestinationRule") ? IMP_ISTIO : IMP_UNKNOWN;
        if (strstr(api, "linkerd.io"))
            return !strcmp(kind, "ServiceProfile") ? IMP_LINKERD : IMP_UNKNOWN;
        if (!strcmp(kind, "Deployment") || !strcmp(kind, "StatefulSet") || !strcmp(kind, "HorizontalPodAutoscaler") ||
            !strcmp(kind, "Service"))
            return IMP_K8S;
        return IMP_UNKNOWN;
    }
    if (imp_get(y, root, "methodConfig") || imp_get(y, root, "retryThrottling"))
        return IMP_GRPC;
    if (imp_get(y, root, "resilience4j"))
        return IMP_R4J;
    if (envoy_like(y, root, 0))
        return IMP_ENVOY;
    return IMP_UNKNOWN;
}

/* The reader of each kind of YAML/JSON document (the Prometheus text is
 * read apart, by graph.c). */
static int (*const readers[])(importer *, const yamldoc *, yaml_node_t *) = {
    [IMP_K8S] = imp_k8s,         [IMP_ISTIO] = imp_istio, [IMP_ENVOY] = imp_envoy,   [IMP_LINKERD] = imp_linkerd,
    [IMP_GRPC] = imp_grpc,       [IMP_R4J] = imp_r4j,     [IMP_JAEGER] = imp_jaeger,
};

static int read_document(importer *im, const yamldoc *y, yaml_node_t *root, imp_kind *got)
{
    char what[256];
    imp_kind k = detect(y, root, what, sizeof what);
    *got = k;
    if (k < sizeof readers / sizeof *readers && readers[k])
        return readers[k](im, y, root);
    if (root)
        imp_warn(im, "%s:%d: skipped: %s is not a kind eddy import reads (Kubernetes Deployment, StatefulSet, "
                     "HorizontalPodAutoscaler, Service; Istio VirtualService, DestinationRule; Envoy cluster or "
                     "route config; Linkerd ServiceProfile; gRPC service config; resilience4j application.yml; "
                     "service-graph metrics; Jaeger dependencies)",
                 y->file, yd_line(root), what);
    return 0;
}

/* A line holding only "---" (and maybe a comment) starts a new document. */
static bool doc_separator(const char *line)
{
    if (strncmp(line, "---", 3))
        return false;
    const char *p = line + 3;
    while (*p == ' ' || *p == '\t')
        p++;
    return *p == '\n' || *p == 0 || *p == '#';
}

/* Call fn on each document of a multi-document YAML text (Kubernetes
 * manifests are often several): its text, length and the number of lines
 * before it.  Stops at the first non-zero return, which it returns. */
typedef int (*doc_fn)(void *ctx, const char *text, size_t len, size_t lines_before);

static int each_document(const char *text, size_t len, doc_fn fn, void *ctx)
{
    size_t piece = 0, piece_line = 0, line = 0, i = 0;
    for (;;) {
        bool at_end = i >= len, sep = !at_end && doc_separator(text + i);
        if (at_end || sep) {
            int rc = fn(ctx, text + piece, i - piece, piece_line);
            if (rc || at_end)
                return rc;
        }
        while (i < len && text[i] != '\n')
            i++;
        if (i < len)
            i++;
        line++;
        if (sep) {
            piece = i;
            piece_line = line;
        }
    }
}

typedef struct read_ctx {
    importer *im;
    const char *file;
    bool any, known;
    eddy_error *err;
} read_ctx;

/* One document, parsed alone; the text before it is replaced by as many
 * newlines, so libyaml's line numbers are the file's. */
static int read_piece(void *ctx, const char *text, size_t plen, size_t lines_before)
{
    read_ctx *c = ctx;
    char *buf = xmalloc(lines_before + plen + 1);
    memset(buf, '\n', lines_before);
    memcpy(buf + lines_before, text, plen);
    buf[lines_before + plen] = 0;
    yaml_document_t doc;
    if (ysafe_load(buf, lines_before + plen, c->file, &doc, c->err) < 0) {
        free(buf);
        return -1;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    yamldoc y = {.doc = &doc, .file = c->file, .err = c->err};
    imp_kind k = IMP_UNKNOWN;
    int rc = root ? read_document(c->im, &y, root, &k) : 0;
    c->any |= root != NULL;
    c->known |= k != IMP_UNKNOWN;
    yaml_document_delete(&doc);
    free(buf);
    return rc;
}

static int read_yaml(importer *im, const char *text, size_t len, const char *file, eddy_error *err)
{
    read_ctx c = {.im = im, .file = file, .err = err};
    if (each_document(text, len, read_piece, &c) < 0)
        return -1;
    if (!c.any)
        imp_warn(im, "%s: skipped: the file is empty", file);
    if (c.known)
        im->nfiles++;
    return 0;
}

typedef struct detect_ctx {
    const char *file;
    imp_kind kind;
} detect_ctx;

/* 1 when the document is of a known kind (which stops the walk). */
static int detect_piece(void *ctx, const char *text, size_t plen, size_t lines_before)
{
    (void)lines_before;
    detect_ctx *c = ctx;
    eddy_error err;
    yaml_document_t doc;
    if (ysafe_load(text, plen, c->file, &doc, &err) < 0)
        return 0;
    yamldoc y = {.doc = &doc, .file = c->file, .err = &err};
    char what[256];
    c->kind = detect(&y, yaml_document_get_root_node(&doc), what, sizeof what);
    yaml_document_delete(&doc);
    return c->kind != IMP_UNKNOWN;
}

imp_kind imp_detect_text(importer *im, const char *text, size_t len, const char *file)
{
    (void)im;
    detect_ctx c = {.file = file, .kind = IMP_UNKNOWN};
    each_document(text, len, detect_piece, &c);
    return c.kind;
}

int imp_read_text(importer *im, const char *text, size_t len, const char *file, eddy_error *err)
{
    if (imp_prom_detect(text)) {
        int rc = imp_prom(im, text, file, err);
        if (rc == 0)
            im->nfiles++;
        return rc;
    }
    return read_yaml(im, text, len, file, err);
}

static int read_file(importer *im, const char *path, eddy_error *err)
{
    size_t len;
    char *text = ysafe_read_file(path, &len, err);
    if (!text)
        return -1;
    int rc = imp_read_text(im, text, len, path, err);
    free(text);
    return rc;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int imp_read_path(importer *im, const char *path, eddy_error *err)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return err_set(err, path, 0, 0, "cannot read: %s", strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return read_file(im, path, err);
    DIR *d = opendir(path);
    if (!d)
        return err_set(err, path, 0, 0, "cannot read the directory: %s", strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        GROW(names, n, cap);
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (rc == 0) {
            size_t len = strlen(path) + strlen(names[i]) + 2;
            char *sub = xmalloc(len);
            snprintf(sub, len, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", names[i]);
            const char *dot = strrchr(names[i], '.');
            struct stat ss;
            /* inside a directory, only what could be config: sub-directories,
             * YAML, JSON and metrics text (a README is not a config) */
            if (stat(sub, &ss) == 0 &&
                (S_ISDIR(ss.st_mode) ||
                 (dot && (!strcasecmp(dot, ".yaml") || !strcasecmp(dot, ".yml") || !strcasecmp(dot, ".json") ||
                          !strcasecmp(dot, ".prom") || !strcasecmp(dot, ".txt")))))
                rc = imp_read_path(im, sub, err);
            else if (!S_ISDIR(ss.st_mode))
                imp_warn(im, "%s: skipped: not a .yaml, .yml, .json, .prom or .txt file", sub);
            free(sub);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}
