/* schema.c -- the walker: read a YAML mapping against a schema table.
 *
 * Every rule that is the same for all keys lives here, once: a mapping is
 * expected, keys are plain words, a key is known (else "did you mean", by
 * edit distance), given once (else the first one's line), required keys are
 * there, variant keys fit the selector's value, each value has its unit and
 * lies in its range, and names refer to entities that exist.  Tables and the
 * rules between keys are in schema_model.c. */
#include "schema.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"
#include "../core/xalloc.h"

/* ---- small helpers -------------------------------------------------------- */

yaml_node_t *sk_node(schema_ctx *S, int id) { return yd_node(&S->y, id); }

void sk_join(char *out, const char *path, const char *key)
{
    if (path && *path)
        snprintf(out, SK_PATH, "%s.%s", path, key);
    else
        snprintf(out, SK_PATH, "%s", key);
}

/* "path: " or "" at the top level. */
#define PFX(path) (path), *(path) ? ": " : ""

static void *at(void *obj, size_t off) { return (char *)obj + off; }

static void set_pos(void *obj, size_t pos1, const yaml_node_t *n)
{
    if (pos1)
        *(model_pos *)at(obj, pos1 - 1) = (model_pos){yd_line(n), yd_col(n)};
}

static size_t nkeys(const schema_table *t)
{
    size_t n = 0;
    while (t->keys[n].name)
        n++;
    return n;
}

/* Words joined with sep into buf. */
static const char *words_list(const char *const *w, const char *sep, char *buf, size_t size)
{
    buf[0] = 0;
    for (size_t i = 0; w[i]; i++) {
        if (i)
            strncat(buf, sep, size - strlen(buf) - 1);
        strncat(buf, w[i], size - strlen(buf) - 1);
    }
    return buf;
}

const char *schema_kind_name(sk_kind k)
{
    static const char *const n[] = {"name", "service", "client", "cache", "autoscaler", "queue", "consumer",
                                    "infra entry"};
    return k < KIND_NKINDS ? n[k] : "name";
}

/* ---- did you mean ----------------------------------------------------------- */

/* Optimal string alignment distance (a swap of two neighbours is one edit),
 * capped: names longer than 63 characters are never close. */
static int edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 63 || m > 63)
        return 99;
    int d[64][64];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[n][m];
}

const char *schema_suggest(const char *s, const char *const *cands, size_t n)
{
    size_t len = strlen(s);
    /* a third of the word may be wrong, at least one letter, at most three */
    int limit = len < 3 ? 1 : len / 3 > 3 ? 3 : (int)(len / 3);
    if (limit < 1)
        limit = 1;
    const char *best = NULL;
    int bestd = limit + 1;
    for (size_t i = 0; i < n; i++) {
        if (!cands[i] || !strcmp(cands[i], s))
            continue;
        int d = edit_distance(s, cands[i]);
        if (d < bestd) {
            bestd = d;
            best = cands[i];
        }
    }
    return best;
}

const char *schema_suggest_words(const char *s, const char *const *words)
{
    size_t n = 0;
    while (words[n])
        n++;
    return schema_suggest(s, words, n);
}

/* Units as people also write them, and what eddy calls them. */
static const struct {
    const char *said, *unit;
} unit_words[] = {
    {"sec", "s"},      {"secs", "s"},         {"second", "s"},      {"seconds", "s"},   {"S", "s"},
    {"msec", "ms"},    {"msecs", "ms"},       {"millis", "ms"},     {"millisecond", "ms"}, {"milliseconds", "ms"},
    {"usec", "us"},    {"microsecond", "us"}, {"microseconds", "us"}, {"nsec", "ns"},   {"nanoseconds", "ns"},
    {"mins", "min"},   {"minute", "min"},     {"minutes", "min"},   {"hr", "h"},        {"hrs", "h"},
    {"hour", "h"},     {"hours", "h"},
};
static const struct {
    const char *said, *unit;
} rate_words[] = {
    {"rps", "/s"}, {"qps", "/s"}, {"tps", "/s"}, {"/sec", "/s"}, {"per second", "/s"}, {"per sec", "/s"},
    {"/second", "/s"}, {"per s", "/s"}, {"rpm", "/m"}, {"/minute", "/min"}, {"per minute", "/min"},
    {"/hour", "/h"}, {"per hour", "/h"}, {"rph", "/h"}, {"s", "/s"}, {"m", "/m"}, {"h", "/h"},
};

const char *schema_unit_hint(const char *s, sk_type type, char *buf, size_t size)
{
    buf[0] = 0;
    const char *p = s;
    if (*p == '+')
        p++;
    size_t nlen = strspn(p, "0123456789.");
    if (!nlen || nlen > 40)
        return buf;
    char num[48];
    memcpy(num, s, (size_t)(p - s) + nlen);
    num[(p - s) + nlen] = 0;
    const char *u = p + nlen;
    while (*u == ' ')
        u++;
    const char *fix = NULL;
    if (!*u) {
        if (type == SK_DURATION)
            snprintf(buf, size, " (a number needs a unit: did you mean '%ss' or '%sms'?)", num, num);
        else if (type == SK_RATE)
            snprintf(buf, size, " (a rate needs a unit: did you mean '%s/s'?)", num);
        return buf;
    }
    if (type == SK_DURATION) {
        static const char *const units[] = {"ns", "us", "ms", "s", "m", "min", "h", NULL};
        for (size_t i = 0; i < sizeof unit_words / sizeof unit_words[0] && !fix; i++)
            if (!strcmp(u, unit_words[i].said))
                fix = unit_words[i].unit;
        for (size_t i = 0; units[i] && !fix; i++)
            if (!strcmp(u, units[i]))
                fix = units[i]; /* only the space was wrong */
        if (!fix)
            fix = schema_suggest_words(u, units);
    } else if (type == SK_RATE) {
        static const char *const units[] = {"/s", "/m", "/min", "/h", NULL};
        for (size_t i = 0; i < sizeof rate_words / sizeof rate_words[0] && !fix; i++)
            if (!strcmp(u, rate_words[i].said))
                fix = rate_words[i].unit;
        for (size_t i = 0; units[i] && !fix; i++)
            if (!strcmp(u, units[i]))
                fix = units[i];
        if (!fix)
            fix = schema_suggest_words(u, units);
    }
    if (fix)
        snprintf(buf, size, " (did you mean '%s%s'?)", num, fix);
    return buf;
}

/* ---- entity names: a hash of the first place each name was given --------- */

static size_t name_hash(const char *s)
{
    size_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static sk_name *names_find(schema_ctx *S, const char *name)
{
    if (!S->capnames)
        return NULL;
    for (size_t i = name_hash(name) & (S->capnames - 1);; i = (i + 1) & (S->capnames - 1)) {
        if (!S->names[i].name)
            return NULL;
        if (!strcmp(S->names[i].name, name))
            return &S->names[i];
    }
}

static void names_put(schema_ctx *S, const char *name, sk_kind kind, const yaml_node_t *n)
{
    if (2 * (S->nnames + 1) > S->capnames) {
        size_t cap = S->capnames ? 2 * S->capnames : 64;
        sk_name *old = S->names;
        size_t oldcap = S->capnames;
        S->names = xcalloc(cap, sizeof *S->names);
        S->capnames = cap;
        for (size_t i = 0; i < oldcap; i++)
            if (old[i].name) {
                size_t j = name_hash(old[i].name) & (cap - 1);
                while (S->names[j].name)
                    j = (j + 1) & (cap - 1);
                S->names[j] = old[i];
            }
        free(old);
    }
    size_t j = name_hash(name) & (S->capnames - 1);
    while (S->names[j].name)
        j = (j + 1) & (S->capnames - 1);
    S->names[j] = (sk_name){name, kind, yd_line(n), yd_col(n)};
    S->nnames++;
}

int schema_name_kind(schema_ctx *S, const char *name)
{
    const sk_name *e = names_find(S, name);
    return e ? (int)e->kind : -1;
}

size_t schema_entity_names(schema_ctx *S, const char ***out)
{
    const char **v = xcalloc(S->nnames + 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < S->capnames; i++)
        if (S->names[i].name)
            v[n++] = S->names[i].name;
    *out = v;
    return n;
}

/* Entity names become CSV column prefixes (name.metric), so they are kept
 * to characters that need no quoting there or in diagrams. */
static int check_name(schema_ctx *S, yaml_node_t *k, const char *section)
{
    const char *s = yd_text(k);
    if (!*s)
        return sk_fail(S, k, "%s: a name must not be empty", section);
    for (const char *p = s; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return sk_fail(S, k,
                           "%s: name '%s' may hold only letters, digits, '_' and '-' (it becomes a CSV column prefix)",
                           section, s);
    }
    return 0;
}

/* ---- references -------------------------------------------------------------- */

/* The names of a kind, for "did you mean" and "the services are: ...". */
static size_t kind_names(const model *m, sk_kind kind, const char ***out)
{
    size_t n = kind == KIND_SERVICE ? m->nservices : kind == KIND_CLIENT ? m->nclients
                                                   : kind == KIND_CACHE  ? m->ncaches
                                                   : kind == KIND_QUEUE  ? m->nqueues
                                                   : kind == KIND_INFRA  ? m->ninfra
                                                                         : 0;
    const char **v = xcalloc(n + 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = kind == KIND_SERVICE ? m->services[i].name
               : kind == KIND_CLIENT ? m->clients[i].name
               : kind == KIND_QUEUE  ? m->queues[i].name
               : kind == KIND_INFRA  ? m->infra[i].name
                                     : m->caches[i].name;
    *out = v;
    return n;
}

static int find_kind(const model *m, sk_kind kind, const char *name)
{
    switch (kind) {
    case KIND_SERVICE:
        return model_find_service(m, name);
    case KIND_CLIENT:
        return model_find_client(m, name);
    case KIND_CACHE:
        return model_find_cache(m, name);
    case KIND_QUEUE:
        return model_find_queue(m, name);
    case KIND_INFRA:
        for (size_t i = 0; i < m->ninfra; i++)
            if (!strcmp(m->infra[i].name, name))
                return (int)i;
        return -1;
    default:
        return -1;
    }
}

static int resolve_one(schema_ctx *S, sk_kind kind, int *slot, yaml_node_t *node, const char *path)
{
    const char *name = yd_text(node);
    int idx = find_kind(S->m, kind, name);
    if (idx >= 0) {
        *slot = idx;
        return 0;
    }
    const char **names;
    size_t n = kind_names(S->m, kind, &names);
    const char *near = schema_suggest(name, names, n);
    char list[512];
    words_list(names, ", ", list, sizeof list);
    free(names);
    const char *what = schema_kind_name(kind);
    if (!n && kind == KIND_CACHE)
        return sk_fail(S, node, "%s: no cache named '%s'; define it under the top-level 'caches:'", path, name);
    if (!n && kind == KIND_QUEUE)
        return sk_fail(S, node, "%s: no queue named '%s'; define it under the top-level 'queues:'", path, name);
    if (!n && kind == KIND_INFRA)
        return sk_fail(S, node, "%s: no infra entry named '%s'; define it under the top-level 'infra:'", path, name);
    /* "the services are", "the infra entries are" */
    const char *plural = kind == KIND_INFRA ? "infra entries" : NULL;
    char pl[32];
    if (!plural) {
        snprintf(pl, sizeof pl, "%ss", what);
        plural = pl;
    }
    if (near)
        return sk_fail(S, node, "%s: no %s named '%s' (did you mean '%s'?); the %s are: %s", path, what, name, near,
                       plural, list);
    return sk_fail(S, node, "%s: no %s named '%s'; the %s are: %s", path, what, name, plural, list);
}

int schema_ref(schema_ctx *S, sk_kind kind, int *slot, yaml_node_t *node, const char *path)
{
    if (node->type != YAML_SCALAR_NODE)
        return sk_fail(S, node, "%s: expected a %s name, got %s", path, schema_kind_name(kind), yd_type_name(node));
    if (S->read[kind])
        return resolve_one(S, kind, slot, node, path);
    if (S->nrefs == S->caprefs) {
        S->caprefs = S->caprefs ? 2 * S->caprefs : 16;
        S->refs = xrealloc(S->refs, S->caprefs * sizeof *S->refs);
    }
    S->refs[S->nrefs++] = (sk_ref){kind, slot, node, xstrdup(path)};
    return 0;
}

int schema_resolve(schema_ctx *S)
{
    for (size_t i = 0; i < S->nrefs; i++)
        if (resolve_one(S, S->refs[i].kind, S->refs[i].slot, S->refs[i].node, S->refs[i].path) < 0)
            return -1;
    return 0;
}

void schema_ctx_free(schema_ctx *S)
{
    for (size_t i = 0; i < S->nrefs; i++)
        free(S->refs[i].path);
    free(S->refs);
    free(S->names);
    S->refs = NULL;
    S->names = NULL;
    S->nrefs = S->caprefs = S->nnames = S->capnames = 0;
}

/* ---- scalar values --------------------------------------------------------- */

static const char *scalar(schema_ctx *S, yaml_node_t *n, const char *path, const char *expected)
{
    return yd_scalar(&S->y, n, path, expected);
}

/* A number that is not finite gets its own words: "1e999" is a number a
 * parser turns into infinity, not a typo. */
static bool not_finite(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    return end != s && !*end && !isfinite(v) && strspn(s, "+-0123456789.eE") == strlen(s);
}

static int conv_duration(schema_ctx *S, const schema_key *k, yaml_node_t *n, const char *s, const char *path,
                         simtime *out)
{
    if ((k->flags & SKF_NONE) && !strcmp(s, "none")) {
        *out = 0;
        return 0;
    }
    if (units_duration(s, out) < 0) {
        char hint[128];
        return sk_fail(S, n, "%s: expected a duration with a unit (ns, us, ms, s, m, h), such as 250ms or 2s%s; got '%s'%s",
                       path, k->flags & SKF_NONE ? ", or none" : "", s, schema_unit_hint(s, SK_DURATION, hint, sizeof hint));
    }
    if ((k->flags & SKF_POSITIVE) && *out <= 0)
        return sk_fail(S, n, "%s: expected a duration greater than zero%s, got '%s'", path,
                       k->flags & SKF_NONE ? " (or none)" : "", s);
    if (k->max > 0 && *out > (simtime)(k->max * T_SEC)) {
        char lim[32];
        units_format_duration((simtime)(k->max * T_SEC), lim, sizeof lim);
        return sk_fail(S, n, "%s: expected a duration of at most %s, got '%s'", path, lim, s);
    }
    return 0;
}

static int range_double(schema_ctx *S, const schema_key *k, yaml_node_t *n, const char *s, const char *path, double v,
                        const char *what)
{
    bool excl = k->flags & SKF_EXCL;
    if ((k->flags & SKF_POSITIVE) && v <= 0)
        return sk_fail(S, n, "%s: expected %s greater than 0, got '%s'", path, what, s);
    if (excl ? v <= k->min : v < k->min)
        return sk_fail(S, n, "%s: expected %s %s %g, got '%s'", path, what, excl ? "greater than" : "of at least",
                       k->min, s);
    if (k->max > 0 && (excl ? v >= k->max : v > k->max))
        return sk_fail(S, n, "%s: expected %s %s %g, got '%s'", path, what, excl ? "less than" : "of at most", k->max,
                       s);
    return 0;
}

static int conv_count(schema_ctx *S, const schema_key *k, yaml_node_t *n, const char *s, const char *path, long *out)
{
    if ((k->flags & SKF_UNLIMITED) && !strcmp(s, "unlimited")) {
        *out = MODEL_UNLIMITED;
        return 0;
    }
    if ((k->flags & SKF_OFF) && !strcmp(s, "off")) {
        *out = -1;
        return 0;
    }
    const char *what = k->flags & SKF_UNLIMITED ? "a whole number or 'unlimited'"
                       : k->flags & SKF_OFF     ? "a whole number or 'off'"
                                                : "a whole number";
    if (units_count(s, out) < 0) {
        const char *near = NULL;
        static const char *const unl[] = {"unlimited", NULL}, *const off[] = {"off", NULL};
        if (k->flags & (SKF_UNLIMITED | SKF_OFF))
            near = schema_suggest_words(s, k->flags & SKF_UNLIMITED ? unl : off);
        if (near)
            return sk_fail(S, n, "%s: expected %s, got '%s' (did you mean '%s'?)", path, what, s, near);
        return sk_fail(S, n, "%s: expected %s, got '%s'", path, what, s);
    }
    if (*out < (long)k->min)
        return sk_fail(S, n, "%s: expected at least %ld, got %ld", path, (long)k->min, *out);
    if (k->max > 0 && *out > (long)k->max)
        return sk_fail(S, n, "%s: expected at most %ld, got %ld", path, (long)k->max, *out);
    return 0;
}

static int conv_bool(schema_ctx *S, const schema_key *k, yaml_node_t *n, const char *s, const char *path, bool *out)
{
    static const char *const yes[] = {"true", "on", "yes", NULL}, *const no[] = {"false", "off", "no", NULL};
    static const char *const all[] = {"true", "on", "yes", "false", "off", "no", NULL};
    for (int i = 0; yes[i]; i++)
        if (!strcmp(s, yes[i]))
            *out = true;
    for (int i = 0; no[i]; i++)
        if (!strcmp(s, no[i]))
            *out = false;
    bool known = false;
    for (int i = 0; all[i]; i++)
        known |= !strcmp(s, all[i]);
    if (!known) {
        const char *near = schema_suggest_words(s, all);
        if (near)
            return sk_fail(S, n, "%s: expected true or false, got '%s' (did you mean '%s'?)", path, s, near);
        return sk_fail(S, n, "%s: expected true or false, got '%s'", path, s);
    }
    if ((k->flags & SKF_TRUE) && !*out)
        return sk_fail(S, n, "%s: expected true (%s: false does nothing; leave it out)", path, k->name);
    return 0;
}

static int conv_enum(schema_ctx *S, yaml_node_t *n, const char *s, const char *path, const char *const *words,
                     int *out)
{
    for (int i = 0; words[i]; i++)
        if (!strcmp(s, words[i])) {
            *out = i;
            return 0;
        }
    char list[256];
    words_list(words, "|", list, sizeof list);
    const char *near = schema_suggest_words(s, words);
    if (near)
        return sk_fail(S, n, "%s: expected one of %s, got '%s' (did you mean '%s'?)", path, list, s, near);
    return sk_fail(S, n, "%s: expected one of %s, got '%s'", path, list, s);
}

/* Convert scalar text s (from node n, or a default when n is NULL) by k's
 * type and store it in obj. */
static int conv_scalar(schema_ctx *S, const schema_key *k, yaml_node_t *n, const char *s, const char *path, void *obj)
{
    void *dst = at(obj, k->off);
    double d;
    if (not_finite(s) && k->type != SK_STRING && k->type != SK_NAME)
        return sk_fail(S, n, "%s: '%s' is not a finite number", path, s);
    switch (k->type) {
    case SK_STRING:
        free(*(char **)dst);
        *(char **)dst = xstrdup(s);
        return 0;
    case SK_DURATION:
        return conv_duration(S, k, n, s, path, (simtime *)dst);
    case SK_RATE: {
        if (units_rate(s, &d) < 0) {
            char hint[96];
            return sk_fail(S, n, "%s: expected a rate with a unit (/s, /m or /h), such as 800/s; got '%s'%s", path, s,
                           schema_unit_hint(s, SK_RATE, hint, sizeof hint));
        }
        if (range_double(S, k, n, s, path, d, "a rate") < 0)
            return -1;
        *(double *)dst = d;
        return 0;
    }
    case SK_FRACTION:
        if (units_fraction(s, &d) < 0)
            return sk_fail(S, n, "%s: expected a fraction between 0 and 1, such as 0.4 or 40%%; got '%s'", path, s);
        if (range_double(S, k, n, s, path, d, "a fraction") < 0)
            return -1;
        *(double *)dst = d;
        return 0;
    case SK_PERCENT: {
        if ((k->flags & SKF_OFF) && !strcmp(s, "off")) {
            *(double *)dst = -1;
            return 0;
        }
        size_t len = strlen(s);
        char num[64];
        if (len < 2 || len >= sizeof num || s[len - 1] != '%')
            return sk_fail(S, n, "%s: expected a percentage such as 100%%%s, got '%s'", path,
                           k->flags & SKF_OFF ? " or 'off'" : "", s);
        memcpy(num, s, len - 1);
        num[len - 1] = 0;
        if (units_number(num, &d) < 0 || d <= 0)
            return sk_fail(S, n, "%s: expected a percentage greater than 0%% such as 100%%%s; got '%s'", path,
                           k->flags & SKF_OFF ? ", or 'off'" : "", s);
        *(double *)dst = d;
        return 0;
    }
    case SK_COUNT: {
        long v = 0;
        if (conv_count(S, k, n, s, path, &v) < 0)
            return -1;
        if (k->flags & SKF_INT)
            *(int *)dst = (int)v;
        else if (k->flags & SKF_DOUBLE)
            *(double *)dst = (double)v;
        else
            *(long *)dst = v;
        return 0;
    }
    case SK_NUMBER:
    case SK_FACTOR:
        if (k->type == SK_FACTOR ? units_factor(s, &d) < 0 : units_number(s, &d) < 0)
            return sk_fail(S, n, k->type == SK_FACTOR ? "%s: expected a positive factor such as 10 (x10), got '%s'"
                                                       : "%s: expected a number, got '%s'",
                           path, s);
        if (range_double(S, k, n, s, path, d, k->type == SK_FACTOR ? "a factor" : "a number") < 0)
            return -1;
        *(double *)dst = d;
        return 0;
    case SK_BOOL: {
        bool scratch; /* a must-be-true key is not stored: its presence is what counts */
        return conv_bool(S, k, n, s, path, (k->flags & SKF_TRUE) ? &scratch : (bool *)dst);
    }
    case SK_ENUM: {
        int v = 0;
        if (conv_enum(S, n, s, path, k->words, &v) < 0)
            return -1;
        if (k->flags & SKF_BOOL)
            *(bool *)dst = v != 0;
        else
            *(int *)dst = v + k->enum_base;
        return 0;
    }
    default:
        return sk_fail(S, n, "%s: internal error: no scalar form", path);
    }
}

const char *schema_what(const schema_key *k)
{
    if (k->what)
        return k->what;
    switch (k->type) {
    case SK_STRING:
        return "a string";
    case SK_DURATION:
        return k->flags & SKF_NONE ? "a duration with a unit, such as 250ms or 2s, or none"
                                   : "a duration with a unit, such as 250ms or 2s";
    case SK_RATE:
        return "a rate with a unit, such as 800/s";
    case SK_FRACTION:
        return "a fraction such as 0.4 or 40%";
    case SK_PERCENT:
        return "a percentage such as 100%";
    case SK_COUNT:
        return k->flags & SKF_UNLIMITED ? "a whole number or 'unlimited'"
               : k->flags & SKF_OFF     ? "a whole number or 'off'"
                                        : "a whole number";
    case SK_NUMBER:
        return "a number";
    case SK_FACTOR:
        return "a factor such as 10";
    case SK_BOOL:
        return "true or false";
    case SK_ENUM:
        return "one of its words";
    case SK_REF:
    case SK_NAME:
        return k->kind == KIND_CACHE    ? "a cache name"
               : k->kind == KIND_CLIENT ? "a client name"
               : k->kind == KIND_QUEUE  ? "a queue name"
               : k->kind == KIND_INFRA  ? "an infra entry's name"
                                        : "a service name";
    default:
        return "a value";
    }
}

int schema_conv(schema_ctx *S, const schema_key *k, yaml_node_t *n, const char *path, void *obj)
{
    const char *s = scalar(S, n, path, schema_what(k));
    return s ? conv_scalar(S, k, n, s, path, obj) : -1;
}

/* A default, converted by the same code as the user's text: a default the
 * docs show is the value the loader uses. */
static void apply_default(schema_ctx *S, const schema_key *k, void *obj)
{
    if (conv_scalar(S, k, NULL, k->def, k->name, obj) < 0) {
        fprintf(stderr, "eddy: internal error: the default '%s' of '%s' does not convert\n", k->def, k->name);
        abort();
    }
}

void schema_defaults(schema_ctx *S, const schema_table *t, void *obj)
{
    for (size_t i = 0; t->keys[i].name; i++)
        if (t->keys[i].def)
            apply_default(S, &t->keys[i], obj);
}

yaml_node_t *sk_get(schema_ctx *S, yaml_node_t *map, const char *key, yaml_node_t **keynode)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = sk_node(S, p->key);
        if (k->type == YAML_SCALAR_NODE && !strcmp(yd_text(k), key)) {
            if (keynode)
                *keynode = k;
            return sk_node(S, p->value);
        }
    }
    return NULL;
}

const sk_field *sk_field_of(const schema_table *t, const sk_field *f, const char *name)
{
    for (size_t i = 0; t->keys[i].name; i++)
        if (!strcmp(t->keys[i].name, name))
            return &f[i];
    /* a rule names a key its table lacks: a bug in the tables */
    fprintf(stderr, "eddy: internal error: table '%s' has no key '%s'\n", t->id, name);
    abort();
}

/* ---- the walker ---------------------------------------------------------- */

static int read_value(schema_ctx *S, const schema_key *k, yaml_node_t *v, const char *path, void *obj);

static int read_flags(schema_ctx *S, const schema_key *k, yaml_node_t *v, const char *path, void *obj)
{
    char list[128];
    words_list(k->words, ", ", list, sizeof list);
    if (v->type != YAML_SEQUENCE_NODE)
        return sk_fail(S, v, "%s: expected a list drawn from [%s], got %s", path, list, yd_type_name(v));
    unsigned bits = 0;
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
        yaml_node_t *w = sk_node(S, *it);
        const char *s = scalar(S, w, path, "a word");
        int i = 0;
        if (!s || conv_enum(S, w, s, path, k->words, &i) < 0)
            return -1;
        bits |= k->bits ? k->bits[i] : 1u << i;
    }
    *(unsigned *)at(obj, k->off) = bits;
    return 0;
}

/* A list of sub: allocated at k->off, counted at k->count. */
static int read_list(schema_ctx *S, const schema_key *k, yaml_node_t *v, const char *path, void *obj)
{
    const schema_table *t = k->sub;
    if (v->type != YAML_SEQUENCE_NODE) {
        if (k->what)
            return sk_fail(S, v, "%s: expected %s; got %s", path, k->what, yd_type_name(v));
        return sk_fail(S, v, "%s: expected a list of %ss, got %s", path, t->noun, yd_type_name(v));
    }
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    if (n == 0 && t->min_one)
        return sk_fail(S, v, "%s: expected at least one %s", path, t->noun);
    char *items = xcalloc(n, t->size);
    *(void **)at(obj, k->off) = items;
    *(size_t *)at(obj, k->count) = n;
    for (size_t i = 0; i < n; i++) {
        char p[SK_PATH];
        snprintf(p, sizeof p, "%s[%zu]", path, i);
        yaml_node_t *item = sk_node(S, v->data.sequence.items.start[i]);
        if (schema_read(S, t, item, item, p, items + i * t->size) < 0)
            return -1;
    }
    return 0;
}

/* A mapping of names to sub.  Names of entities are checked and kept in
 * the name hash, so a duplicate (or a name used by two kinds of entity)
 * is found in one step and says where the first one is. */
static int read_entities(schema_ctx *S, const schema_key *k, yaml_node_t *v, const char *path, void *obj)
{
    const schema_table *t = k->sub;
    if (v->type != YAML_MAPPING_NODE) {
        if (k->what)
            return sk_fail(S, v, "%s: expected %s, got %s", path, k->what, yd_type_name(v));
        return sk_fail(S, v, "%s: expected a mapping of %s names to %ss, got %s", path, t->noun, t->noun,
                       yd_type_name(v));
    }
    size_t n = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
    if (n == 0 && t->min_one)
        return sk_fail(S, v, "%s: expected at least one %s", path, t->noun);
    char *items = xcalloc(n, t->size);
    *(void **)at(obj, k->off) = items;
    *(size_t *)at(obj, k->count) = n;
    /* every name first, so an entity may refer to one further down */
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *key = sk_node(S, v->data.mapping.pairs.start[i].key);
        if (key->type != YAML_SCALAR_NODE)
            return sk_fail(S, key, "%s: names must be plain words, got %s", path, yd_type_name(key));
        const char *name = yd_text(key);
        if (t->kind != KIND_NONE && check_name(S, key, path) < 0)
            return -1;
        if (t->kind != KIND_NONE) {
            sk_name *first = names_find(S, name);
            if (first && first->kind == t->kind)
                return sk_fail(S, key, "%s: duplicate %s name '%s' (first given at line %d, column %d)", path, t->noun,
                               name, first->line, first->col);
            if (first && (first->line > yd_line(key) || (first->line == yd_line(key) && first->col > yd_col(key))))
                /* the other one comes later in the file: point at it */
                return err_set(S->y.err, S->y.file, first->line, first->col,
                               "%s%s: '%s' is also a%s %s name (line %d); one name must mean one thing (it prefixes "
                               "CSV columns)",
                               schema_kind_name(first->kind), first->kind == KIND_INFRA ? "" : "s", name,
                               t->kind == KIND_INFRA ? "n" : "", schema_kind_name(t->kind), yd_line(key));
            if (first)
                return sk_fail(S, key,
                               "%s: '%s' is also a%s %s name (line %d); one name must mean one thing (it prefixes CSV "
                               "columns)",
                               path, name, first->kind == KIND_INFRA ? "n" : "", schema_kind_name(first->kind),
                               first->line);
            names_put(S, name, t->kind, key);
        } else {
            for (size_t j = 0; j < i; j++) {
                yaml_node_t *kj = sk_node(S, v->data.mapping.pairs.start[j].key);
                if (!strcmp(yd_text(kj), name))
                    return sk_fail(S, key, "%s: duplicate %s '%s' (first given at line %d)", path, t->noun, name,
                                   yd_line(kj));
            }
        }
        if (t->name_off)
            *(char **)at(items + i * t->size, t->name_off - 1) = xstrdup(name);
    }
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *key = sk_node(S, v->data.mapping.pairs.start[i].key);
        yaml_node_t *val = sk_node(S, v->data.mapping.pairs.start[i].value);
        char p[SK_PATH];
        snprintf(p, sizeof p, "%s.%s", path, yd_text(key));
        void *item = items + i * t->size;
        set_pos(item, t->pos_off, key);
        if (schema_read(S, t, val, key, p, item) < 0)
            return -1;
    }
    S->read[t->kind] = true;
    return 0;
}

static int read_value(schema_ctx *S, const schema_key *k, yaml_node_t *v, const char *path, void *obj)
{
    set_pos(obj, k->pos, v);
    if (k->read && k->type != SK_CUSTOM)
        return k->read(S, k, v, path, obj);
    if (k->alt_read && v->type == YAML_SCALAR_NODE)
        return k->alt_read(S, k, v, path, obj);
    switch (k->type) {
    case SK_CUSTOM:
        return k->read(S, k, v, path, obj);
    case SK_FLAGS:
        return read_flags(S, k, v, path, obj);
    case SK_MAP:
        return schema_read(S, k->sub, v, v, path, at(obj, k->off));
    case SK_LIST:
        return read_list(S, k, v, path, obj);
    case SK_ENTITIES:
        return read_entities(S, k, v, path, obj);
    case SK_REF:
        return schema_ref(S, k->kind, (int *)at(obj, k->off), v, path);
    case SK_NAME:
        return scalar(S, v, path, "a name") ? 0 : -1;
    default: {
        const char *s = scalar(S, v, path, schema_what(k));
        return s ? conv_scalar(S, k, v, s, path, obj) : -1;
    }
    }
}

/* The selector's value, for variant tables (-1 if none). */
static int selected(const schema_table *t, const void *obj, int *sel_idx)
{
    *sel_idx = -1;
    if (!t->selector)
        return -1;
    for (int i = 0; t->keys[i].name; i++)
        if (!strcmp(t->keys[i].name, t->selector)) {
            *sel_idx = i;
            return *(const int *)((const char *)obj + t->keys[i].off) - t->keys[i].enum_base;
        }
    return -1;
}

/* Match the mapping's keys to the table's: unknown and duplicate keys. */
static int match_keys(schema_ctx *S, const schema_table *t, yaml_node_t *n, const char *path, sk_field *f, size_t nk)
{
    memset(f, 0, nk * sizeof *f);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = sk_node(S, p->key), *v = sk_node(S, p->value);
        if (k->type != YAML_SCALAR_NODE)
            return sk_fail(S, k, "%s: keys must be plain words, got %s", path, yd_type_name(k));
        const char *name = yd_text(k);
        size_t i;
        for (i = 0; i < nk; i++)
            if (!strcmp(name, t->keys[i].name))
                break;
        if (i == nk) {
            const char *cand[64];
            char list[640];
            list[0] = 0;
            for (size_t j = 0; j < nk && j < 64; j++) {
                cand[j] = t->keys[j].name;
                if (j)
                    strncat(list, ", ", sizeof list - strlen(list) - 1);
                strncat(list, cand[j], sizeof list - strlen(list) - 1);
            }
            const char *near = schema_suggest(name, cand, nk < 64 ? nk : 64);
            if (near)
                return sk_fail(S, k, "%s%sunknown key '%s' (did you mean '%s'?); expected one of: %s", PFX(path), name,
                               near, list);
            return sk_fail(S, k, "%s%sunknown key '%s'; expected one of: %s", PFX(path), name, list);
        }
        if (f[i].key)
            return sk_fail(S, k, "%s%sduplicate key '%s' (first given at line %d)", PFX(path), name, yd_line(f[i].key));
        f[i].key = k;
        f[i].val = v;
    }
    return 0;
}

int schema_read(schema_ctx *S, const schema_table *t, yaml_node_t *n, yaml_node_t *anchor, const char *path,
                void *obj)
{
    size_t nk = nkeys(t);
    sk_field f[64];
    if (nk > 64) { /* a bug in the tables: f[] holds 64 */
        fprintf(stderr, "eddy: internal error: table '%s' has %zu keys, more than 64\n", t->id, nk);
        abort();
    }
    if (n->type != YAML_MAPPING_NODE)
        return sk_fail(S, n, "%s: expected %s, got %s", *path ? path : "model", t->expected, yd_type_name(n));
    if (t->init)
        t->init(obj);
    set_pos(obj, t->pos_off, anchor);
    if (t->on_off)
        *(bool *)at(obj, t->on_off - 1) = true;
    if (match_keys(S, t, n, path, f, nk) < 0)
        return -1;
    /* required keys, in table order */
    for (size_t i = 0; i < nk; i++) {
        const schema_key *k = &t->keys[i];
        if ((k->flags & SKF_REQUIRED) && !f[i].val) {
            if (k->hint)
                return sk_fail(S, anchor, "%s%smissing key '%s' (%s)", PFX(path), k->name, k->hint);
            return sk_fail(S, anchor, "%s%smissing key '%s'", PFX(path), k->name);
        }
    }
    for (size_t i = 0; i < nk; i++)
        if (!f[i].val && t->keys[i].def)
            apply_default(S, &t->keys[i], obj);
    /* the selector first: it decides which keys the mapping may take */
    int si, sel = -1;
    selected(t, obj, &si);
    if (si >= 0) {
        char p[SK_PATH];
        sk_join(p, path, t->keys[si].name);
        if (read_value(S, &t->keys[si], f[si].val, p, obj) < 0)
            return -1;
        sel = selected(t, obj, &si);
        const char *word = t->keys[si].words[sel];
        for (size_t i = 0; i < nk; i++) {
            const schema_key *k = &t->keys[i];
            if (!f[i].key || !k->only || (k->only & (1u << sel)))
                continue;
            const char *names[64];
            size_t nn = 0;
            for (size_t j = 0; j < nk; j++)
                if (t->keys[j].only & (1u << sel))
                    names[nn++] = t->keys[j].name;
            char takes[256] = "";
            for (size_t j = 0; j < nn; j++) {
                if (j)
                    strncat(takes, j + 1 == nn ? " and " : ", ", sizeof takes - strlen(takes) - 1);
                strncat(takes, names[j], sizeof takes - strlen(takes) - 1);
            }
            bool an = strchr("aeio", word[0]) != NULL; /* "a uniform", "an aimd" */
            return sk_fail(S, f[i].key, "%s: %s %s %s does not take '%s'; it takes %s", path, an ? "an" : "a", word,
                           t->noun, k->name, *takes ? takes : "no other key");
        }
    }
    /* then every key, by pass and in table order */
    int maxpass = 0;
    for (size_t i = 0; i < nk; i++)
        if (t->keys[i].pass > maxpass)
            maxpass = t->keys[i].pass;
    for (int pass = 0; pass <= maxpass; pass++)
        for (size_t i = 0; i < nk; i++) {
            if (!f[i].val || (int)i == si || t->keys[i].pass != pass)
                continue;
            char p[SK_PATH];
            sk_join(p, path, t->keys[i].name);
            if (read_value(S, &t->keys[i], f[i].val, p, obj) < 0)
                return -1;
        }
    return t->rule ? t->rule(S, obj, f, n, path) : 0;
}

/* ---- patches ------------------------------------------------------------------ */

static int base_get(yaml_document_t *d, int map, const char *key)
{
    yaml_node_t *m = yaml_document_get_node(d, map);
    if (!m || m->type != YAML_MAPPING_NODE)
        return 0;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(d, p->key);
        if (k->type == YAML_SCALAR_NODE && !strcmp(yd_text(k), key))
            return p->value;
    }
    return 0;
}

static bool is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *s = yd_text(n);
    return !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL") || !*s;
}

static int patch_table(schema_ctx *S, const schema_table *t, yaml_document_t *pd, yaml_node_t *n, int base,
                       const char *path, int depth);

/* A patch's entities: each must be one the model has, unless the patch
 * gives a whole new one (every required key). */
static int patch_entities(schema_ctx *S, const schema_key *k, yaml_document_t *pd, yaml_node_t *v, int base,
                          const char *path, int depth)
{
    const schema_table *t = k->sub;
    if (v->type != YAML_MAPPING_NODE)
        return 0; /* replaced whole: the loader checks it */
    yaml_node_t *bm = base ? yaml_document_get_node(S->base, base) : NULL;
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        yaml_node_t *key = yaml_document_get_node(pd, p->key), *val = yaml_document_get_node(pd, p->value);
        if (key->type != YAML_SCALAR_NODE)
            return sk_fail(S, key, "%s: names must be plain words, got %s", path, yd_type_name(key));
        const char *name = yd_text(key);
        int have = base_get(S->base, base, name);
        char p2[SK_PATH];
        if (snprintf(p2, sizeof p2, "%s.%s", path, name) >= (int)sizeof p2)
            return sk_fail(S, key, "%s: name too long for a path", path);
        if (have || is_null(val)) {
            if (have && patch_table(S, t, pd, val, have, p2, depth + 1) < 0)
                return -1;
            continue;
        }
        /* a new entity: fine if it is whole, else most likely a typo */
        const char *names[513]; /* 512 names and the NULL that words_list needs */
        size_t nn = 0;
        if (bm && bm->type == YAML_MAPPING_NODE)
            for (yaml_node_pair_t *q = bm->data.mapping.pairs.start; q < bm->data.mapping.pairs.top && nn < 512; q++) {
                yaml_node_t *bk = yaml_document_get_node(S->base, q->key);
                if (bk->type == YAML_SCALAR_NODE)
                    names[nn++] = yd_text(bk);
            }
        const char *near = schema_suggest(name, names, nn);
        bool whole = val->type == YAML_MAPPING_NODE;
        for (size_t i = 0; whole && t->keys[i].name; i++)
            if ((t->keys[i].flags & SKF_REQUIRED) && !base_get(pd, p->value, t->keys[i].name))
                whole = false;
        if (near)
            return sk_fail(S, key, "%s: unknown %s '%s' (did you mean '%s'?)", path, t->noun, name, near);
        if (!whole) {
            char list[512];
            names[nn] = NULL;
            words_list(names, ", ", list, sizeof list);
            if (nn == 0)
                return sk_fail(S, key,
                               "%s: unknown %s '%s'; the model has no %ss (a patch that adds a %s must give all its "
                               "required keys)",
                               path, t->noun, name, t->noun, t->noun);
            return sk_fail(S, key,
                           "%s: unknown %s '%s'; the model's %ss are: %s (a patch that adds a %s must give all its "
                           "required keys)",
                           path, t->noun, name, t->noun, list, t->noun);
        }
        if (patch_table(S, t, pd, val, 0, p2, depth + 1) < 0)
            return -1;
    }
    return 0;
}

static int patch_table(schema_ctx *S, const schema_table *t, yaml_document_t *pd, yaml_node_t *n, int base,
                       const char *path, int depth)
{
    if (depth > 64)
        return sk_fail(S, n, "%s: the patch is nested more than 64 deep (the depth guard); no model key is", path);
    if (n->type != YAML_MAPPING_NODE)
        return 0; /* a replacement: the loader checks its value */
    size_t nk = nkeys(t);
    sk_field f[64];
    int rc = match_keys(S, t, n, path, f, nk);
    for (size_t i = 0; rc == 0 && i < nk; i++) {
        const schema_key *k = &t->keys[i];
        if (!f[i].val)
            continue;
        char p[SK_PATH];
        sk_join(p, path, k->name);
        int b = base ? base_get(S->base, base, k->name) : 0;
        if (k->type == SK_ENTITIES)
            rc = patch_entities(S, k, pd, f[i].val, b, p, depth);
        else if (k->type == SK_MAP)
            rc = patch_table(S, k->sub, pd, f[i].val, b, p, depth + 1);
    }
    return rc;
}

int schema_check_patch(schema_ctx *S, const schema_table *t, yaml_document_t *patch, int pn, int base_node)
{
    S->y.doc = patch; /* errors point into the patch file */
    yaml_node_t *n = yaml_document_get_node(patch, pn);
    if (!n)
        return 0;
    return patch_table(S, t, patch, n, base_node, "", 0);
}
