/* load.c -- reading a model file (YAML, through libyaml) into a model.
 *
 * The loader walks libyaml's node tree and checks everything a user could
 * get wrong: unknown keys (a typo must not be silently ignored), duplicate
 * keys, wrong types, missing units, values out of range, calls to services
 * that do not exist, and cycles in the synchronous call graph.  Each error
 * names file:line:col, the key's path (e.g. clients.shoppers.retry.attempts)
 * and what was expected.  Nothing is defaulted silently except the defaults
 * documented in docs/model.md. */
#include "model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "hypotheses.h"
#include "avail_load.h"
#include "units.h"
#include "yamldoc.h"
#include "yedit.h"

typedef struct loader {
    const char *file;
    yaml_document_t doc;
    eddy_error *err;
    yamldoc y; /* doc, file and err, for the shared helpers */
    model *m;
} loader;

/* A key's value, found by map_fields. */
typedef struct field {
    yaml_node_t *key, *val;
} field;

#define MAX_FIELDS 24
#define PATH_MAX_LEN 256

/* ---- small helpers ------------------------------------------------------ */

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        abort();
    return p;
}

static char *xstrdup(const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p)
        abort();
    return p;
}

static yaml_node_t *node_at(loader *L, int id) { return yd_node(&L->y, id); }

static model_pos pos_of(const yaml_node_t *n) { return (model_pos){yd_line(n), yd_col(n)}; }

#define fail(L, n, ...) yd_fail(&(L)->y, (n), __VA_ARGS__)

/* The text of a scalar, or an error naming what was expected instead. */
static const char *need_scalar(loader *L, yaml_node_t *n, const char *path, const char *expected)
{
    return yd_scalar(&L->y, n, path, expected);
}

static int need_mapping(loader *L, yaml_node_t *n, const char *path, const char *expected)
{
    if (n->type != YAML_MAPPING_NODE)
        return fail(L, n, "%s: expected %s, got %s", path, expected, yd_type_name(n));
    return 0;
}

/* Build a key path for messages ("clients.shoppers.retry"); a path too long
 * for the buffer is cut, which only shortens a message. */
static void pathf(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pathf(char *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, PATH_MAX_LEN, fmt, ap);
    va_end(ap);
}

static void join(char *out, const char *path, const char *key)
{
    if (path && *path)
        pathf(out, "%s.%s", path, key);
    else
        pathf(out, "%s", key);
}

/* Match a mapping's keys against `allowed` (NULL-terminated); out[i] gets the
 * key/value of allowed[i].  Unknown and duplicate keys are errors. */
static int map_fields(loader *L, yaml_node_t *map, const char *path, const char *const *allowed, field *out)
{
    size_t nallowed = 0;
    while (allowed[nallowed])
        nallowed++;
    memset(out, 0, nallowed * sizeof *out);
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node_at(L, p->key), *v = node_at(L, p->value);
        if (k->type != YAML_SCALAR_NODE)
            return fail(L, k, "%s: keys must be plain words, got %s", path, yd_type_name(k));
        const char *name = yd_text(k);
        size_t i;
        for (i = 0; i < nallowed; i++)
            if (strcmp(name, allowed[i]) == 0)
                break;
        if (i == nallowed) {
            char list[512] = "";
            for (size_t j = 0; j < nallowed; j++) {
                strncat(list, allowed[j], sizeof list - strlen(list) - 1);
                if (j + 1 < nallowed)
                    strncat(list, ", ", sizeof list - strlen(list) - 1);
            }
            return fail(L, k, "%s%sunknown key '%s'; expected one of: %s", path, *path ? ": " : "", name, list);
        }
        if (out[i].key) {
            return fail(L, k, "%s%sduplicate key '%s' (first given at line %d)", path, *path ? ": " : "", name,
                        pos_of(out[i].key).line);
        }
        out[i].key = k;
        out[i].val = v;
    }
    return 0;
}

/* ---- typed values ------------------------------------------------------- */

static int get_duration(loader *L, yaml_node_t *n, const char *path, simtime *out)
{
    const char *s = need_scalar(L, n, path, "a duration with a unit, such as 250ms or 2s");
    if (!s)
        return -1;
    if (units_duration(s, out) < 0)
        return fail(L, n, "%s: expected a duration with a unit (ns, us, ms, s, m, h), such as 250ms or 2s; got '%s'",
                    path, s);
    return 0;
}

static int get_positive_duration(loader *L, yaml_node_t *n, const char *path, simtime *out)
{
    if (get_duration(L, n, path, out) < 0)
        return -1;
    if (*out <= 0)
        return fail(L, n, "%s: expected a duration greater than zero, got '%s'", path, yd_text(n));
    return 0;
}

static int get_rate(loader *L, yaml_node_t *n, const char *path, double *out)
{
    const char *s = need_scalar(L, n, path, "a rate such as 800/s or 3000/m");
    if (!s)
        return -1;
    if (units_rate(s, out) < 0)
        return fail(L, n, "%s: expected a rate with a unit (/s, /m or /h), such as 800/s; got '%s'", path, s);
    return 0;
}

static int get_fraction(loader *L, yaml_node_t *n, const char *path, double *out)
{
    const char *s = need_scalar(L, n, path, "a fraction such as 0.4 or 40%");
    if (!s)
        return -1;
    if (units_fraction(s, out) < 0)
        return fail(L, n, "%s: expected a fraction between 0 and 1, such as 0.4 or 40%%; got '%s'", path, s);
    return 0;
}

static int get_count(loader *L, yaml_node_t *n, const char *path, long min, bool unlimited_ok, long *out)
{
    const char *what = unlimited_ok ? "a whole number or 'unlimited'" : "a whole number";
    const char *s = need_scalar(L, n, path, what);
    if (!s)
        return -1;
    if (unlimited_ok && strcmp(s, "unlimited") == 0) {
        *out = MODEL_UNLIMITED;
        return 0;
    }
    if (units_count(s, out) < 0)
        return fail(L, n, "%s: expected %s, got '%s'", path, what, s);
    if (*out < min)
        return fail(L, n, "%s: expected at least %ld, got %ld", path, min, *out);
    return 0;
}

static int get_number(loader *L, yaml_node_t *n, const char *path, double min, double *out)
{
    const char *s = need_scalar(L, n, path, "a number");
    if (!s)
        return -1;
    if (units_number(s, out) < 0)
        return fail(L, n, "%s: expected a number, got '%s'", path, s);
    if (*out < min)
        return fail(L, n, "%s: expected a number of at least %g, got '%s'", path, min, s);
    return 0;
}

static int get_bool(loader *L, yaml_node_t *n, const char *path, bool *out)
{
    const char *s = need_scalar(L, n, path, "true or false");
    if (!s)
        return -1;
    if (!strcmp(s, "true") || !strcmp(s, "on") || !strcmp(s, "yes"))
        *out = true;
    else if (!strcmp(s, "false") || !strcmp(s, "off") || !strcmp(s, "no"))
        *out = false;
    else
        return fail(L, n, "%s: expected true or false, got '%s'", path, s);
    return 0;
}

static int get_name(loader *L, yaml_node_t *n, const char *path, const char *what, const char **out)
{
    const char *s = need_scalar(L, n, path, what);
    if (!s)
        return -1;
    *out = s;
    return 0;
}

/* Entity names become CSV column prefixes (name.metric), so they are kept to
 * characters that need no quoting there or in diagrams. */
static int check_entity_name(loader *L, yaml_node_t *k, const char *section)
{
    const char *s = yd_text(k);
    if (!*s)
        return fail(L, k, "%s: a name must not be empty", section);
    for (const char *p = s; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return fail(L, k, "%s: name '%s' may hold only letters, digits, '_' and '-' (it becomes a CSV column prefix)",
                        section, s);
    }
    return 0;
}

/* One of a fixed set of words. */
static int get_enum(loader *L, yaml_node_t *n, const char *path, const char *const *words, int *out)
{
    char list[256] = "";
    for (int i = 0; words[i]; i++) {
        strncat(list, words[i], sizeof list - strlen(list) - 1);
        if (words[i + 1])
            strncat(list, "|", sizeof list - strlen(list) - 1);
    }
    const char *s = need_scalar(L, n, path, list);
    if (!s)
        return -1;
    for (int i = 0; words[i]; i++) {
        if (strcmp(s, words[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    return fail(L, n, "%s: expected one of %s, got '%s'", path, list, s);
}

/* ---- distributions ------------------------------------------------------ */

/* A duration (constant) or {dist: KIND, ...}. */
static int get_dist(loader *L, yaml_node_t *n, const char *path, dist *out)
{
    char p[PATH_MAX_LEN];
    if (n->type == YAML_SCALAR_NODE) {
        simtime t;
        if (units_duration(yd_text(n), &t) < 0)
            return fail(L, n,
                        "%s: expected a duration such as 5ms, or a distribution such as "
                        "{dist: exponential, mean: 5ms}; got '%s'",
                        path, yd_text(n));
        *out = dist_constant(t);
        return 0;
    }
    if (need_mapping(L, n, path, "a duration or a distribution such as {dist: exponential, mean: 5ms}") < 0)
        return -1;
    static const char *const keys[] = {"dist", "value", "mean", "median", "p99", "cv", "min", "max", NULL};
    enum { K_DIST, K_VALUE, K_MEAN, K_MEDIAN, K_P99, K_CV, K_MIN, K_MAX };
    field f[MAX_FIELDS];
    if (map_fields(L, n, path, keys, f) < 0)
        return -1;
    if (!f[K_DIST].val)
        return fail(L, n, "%s: missing key 'dist'; expected one of exponential|lognormal|gamma|uniform|constant", path);
    static const char *const kinds[] = {"constant", "exponential", "lognormal", "gamma", "uniform", NULL};
    int kind;
    join(p, path, "dist");
    if (get_enum(L, f[K_DIST].val, p, kinds, &kind) < 0)
        return -1;

    /* Which parameters each kind takes; anything else given is an error. */
    static const unsigned takes[] = {
        [DIST_CONSTANT] = 1u << K_VALUE,
        [DIST_EXPONENTIAL] = 1u << K_MEAN,
        [DIST_LOGNORMAL] = (1u << K_MEDIAN) | (1u << K_P99) | (1u << K_MEAN) | (1u << K_CV),
        [DIST_GAMMA] = (1u << K_MEAN) | (1u << K_CV),
        [DIST_UNIFORM] = (1u << K_MIN) | (1u << K_MAX),
    };
    static const char *const needs[] = {
        [DIST_CONSTANT] = "value",
        [DIST_EXPONENTIAL] = "mean",
        [DIST_LOGNORMAL] = "median and p99, or mean and cv",
        [DIST_GAMMA] = "mean and cv",
        [DIST_UNIFORM] = "min and max",
    };
    for (int k = K_VALUE; k <= K_MAX; k++)
        if (f[k].key && !(takes[kind] & (1u << k)))
            return fail(L, f[k].key, "%s: %s %s distribution does not take '%s'; it takes %s", path,
                        kind == DIST_EXPONENTIAL ? "an" : "a", kinds[kind],
                        keys[k], needs[kind]);

    simtime a = 0, b = 0;
    double cv = 0;
#define DUR(K, VAR)                                                                                                   \
    (join(p, path, keys[K]), get_duration(L, f[K].val, p, &(VAR)))
#define MISSING()                                                                                                     \
    fail(L, n, "%s: %s %s distribution needs %s", path, kind == DIST_EXPONENTIAL ? "an" : "a", kinds[kind], needs[kind])
    switch (kind) {
    case DIST_CONSTANT:
        if (!f[K_VALUE].val)
            return MISSING();
        if (DUR(K_VALUE, a) < 0)
            return -1;
        *out = dist_constant(a);
        break;
    case DIST_EXPONENTIAL:
        if (!f[K_MEAN].val)
            return MISSING();
        if (DUR(K_MEAN, a) < 0)
            return -1;
        *out = dist_exponential(a);
        break;
    case DIST_LOGNORMAL:
        if (f[K_MEDIAN].val && f[K_P99].val && !f[K_MEAN].val && !f[K_CV].val) {
            if (DUR(K_MEDIAN, a) < 0 || DUR(K_P99, b) < 0)
                return -1;
            if (a <= 0 || b <= a)
                return fail(L, f[K_P99].val, "%s: p99 must be greater than median, and median greater than zero",
                            path);
            *out = dist_lognormal_median_p99(a, b);
        } else if (f[K_MEAN].val && f[K_CV].val && !f[K_MEDIAN].val && !f[K_P99].val) {
            if (DUR(K_MEAN, a) < 0)
                return -1;
            join(p, path, "cv");
            if (get_number(L, f[K_CV].val, p, 0, &cv) < 0)
                return -1;
            if (a <= 0 || cv <= 0)
                return fail(L, n, "%s: mean and cv must be greater than zero", path);
            *out = dist_lognormal_mean_cv(a, cv);
        } else {
            return MISSING();
        }
        break;
    case DIST_GAMMA:
        if (!f[K_MEAN].val || !f[K_CV].val)
            return MISSING();
        if (DUR(K_MEAN, a) < 0)
            return -1;
        join(p, path, "cv");
        if (get_number(L, f[K_CV].val, p, 0, &cv) < 0)
            return -1;
        if (a <= 0 || cv <= 0)
            return fail(L, n, "%s: mean and cv must be greater than zero", path);
        *out = dist_gamma_mean_cv(a, cv);
        break;
    case DIST_UNIFORM:
        if (!f[K_MIN].val || !f[K_MAX].val)
            return MISSING();
        if (DUR(K_MIN, a) < 0 || DUR(K_MAX, b) < 0)
            return -1;
        if (b < a)
            return fail(L, f[K_MAX].val, "%s: max must not be less than min", path);
        *out = dist_uniform(a, b);
        break;
    }
#undef DUR
#undef MISSING
    return 0;
}

/* ---- retries and calls ---------------------------------------------------- */

static void retry_defaults(retry_policy *r)
{
    memset(r, 0, sizeof *r);
    r->attempts = 1;
    r->backoff = BACKOFF_NONE;
    r->base = 100 * T_MS;
    r->max = 10 * T_SEC;
    r->multiplier = 2.0;
    r->jitter = JITTER_NONE;
    r->on = RETRY_ON_TIMEOUT | RETRY_ON_ERROR | RETRY_ON_REJECT;
}

/* The outcomes a breaker counts as failures, or a retry retries on. */
static int get_outcomes(loader *L, yaml_node_t *on, const char *p, unsigned *out)
{
    if (on->type != YAML_SEQUENCE_NODE)
        return fail(L, on, "%s: expected a list drawn from [timeout, error, reject], got %s", p, yd_type_name(on));
    *out = 0;
    for (yaml_node_item_t *it = on->data.sequence.items.start; it < on->data.sequence.items.top; it++) {
        static const char *const w[] = {"timeout", "error", "reject", NULL};
        int v;
        if (get_enum(L, node_at(L, *it), p, w, &v) < 0)
            return -1;
        *out |= 1u << v;
    }
    return 0;
}

/* {type: grpc|finagle|envoy|aws, scope: instance|shared, ...that type's keys} */
static int get_budget(loader *L, yaml_node_t *n, const char *path, budget_spec *b)
{
    char p[PATH_MAX_LEN];
    memset(b, 0, sizeof *b);
    b->pos = pos_of(n);
    if (need_mapping(L, n, path, "a budget such as {type: grpc, max_tokens: 10, token_ratio: 0.1}") < 0)
        return -1;
    static const char *const keys[] = {"type", "scope", "max_tokens", "token_ratio", "ttl", "min_per_s", "percent",
                                       "budget_percent", "min_retry_concurrency", "quota", "cost", "timeout_cost",
                                       "no_retry_increment", NULL};
    enum { K_TYPE, K_SCOPE, K_MAXT, K_RATIO, K_TTL, K_MINPS, K_PCT, K_BPCT, K_MINRC, K_QUOTA, K_COST, K_TCOST, K_NRI };
    field f[MAX_FIELDS];
    if (map_fields(L, n, path, keys, f) < 0)
        return -1;
    if (!f[K_TYPE].val)
        return fail(L, n, "%s: missing key 'type'; expected one of grpc|finagle|envoy|aws", path);
    static const char *const types[] = {"grpc", "finagle", "envoy", "aws", NULL};
    int t;
    join(p, path, "type");
    if (get_enum(L, f[K_TYPE].val, p, types, &t) < 0)
        return -1;
    b->kind = (budget_kind)(t + 1);
    if (f[K_SCOPE].val) {
        static const char *const scopes[] = {"instance", "shared", NULL};
        int sc;
        join(p, path, "scope");
        if (get_enum(L, f[K_SCOPE].val, p, scopes, &sc) < 0)
            return -1;
        b->scope = (budget_scope)sc;
    }
    /* Which keys each type takes; the defaults are the reference ones. */
    static const unsigned takes[] = {
        [BUDGET_GRPC] = (1u << K_MAXT) | (1u << K_RATIO),
        [BUDGET_FINAGLE] = (1u << K_TTL) | (1u << K_MINPS) | (1u << K_PCT),
        [BUDGET_ENVOY] = (1u << K_BPCT) | (1u << K_MINRC),
        [BUDGET_AWS] = (1u << K_QUOTA) | (1u << K_COST) | (1u << K_TCOST) | (1u << K_NRI),
    };
    for (int k = K_MAXT; k <= K_NRI; k++)
        if (f[k].key && !(takes[b->kind] & (1u << k)))
            return fail(L, f[k].key, "%s: a %s budget does not take '%s'", path, types[t], keys[k]);
    b->max_tokens = 10;
    b->token_ratio = 0.1;
    b->ttl = 10 * T_SEC;
    b->min_per_s = 10;
    b->percent = 0.2;
    b->budget_percent = 0.2;
    b->min_retry_concurrency = 3;
    b->quota = 500;
    b->cost = 5;
    b->timeout_cost = 10;
    b->no_retry_increment = 1;
#define NUM(K, VAR, MIN)                                                                                              \
    if (f[K].val) {                                                                                                   \
        join(p, path, keys[K]);                                                                                       \
        if (get_number(L, f[K].val, p, MIN, &(VAR)) < 0)                                                              \
            return -1;                                                                                                \
    }
#define CNT(K, VAR, MIN)                                                                                              \
    if (f[K].val) {                                                                                                   \
        join(p, path, keys[K]);                                                                                       \
        if (get_count(L, f[K].val, p, MIN, false, &(VAR)) < 0)                                                        \
            return -1;                                                                                                \
    }
#define FRAC(K, VAR)                                                                                                  \
    if (f[K].val) {                                                                                                   \
        join(p, path, keys[K]);                                                                                       \
        if (get_fraction(L, f[K].val, p, &(VAR)) < 0)                                                                 \
            return -1;                                                                                                \
    }
    NUM(K_MAXT, b->max_tokens, 1)
    NUM(K_RATIO, b->token_ratio, 0)
    NUM(K_MINPS, b->min_per_s, 0)
    FRAC(K_PCT, b->percent)
    FRAC(K_BPCT, b->budget_percent)
    CNT(K_MINRC, b->min_retry_concurrency, 0)
    CNT(K_QUOTA, b->quota, 1)
    CNT(K_COST, b->cost, 1)
    CNT(K_TCOST, b->timeout_cost, 1)
    CNT(K_NRI, b->no_retry_increment, 0)
    if (f[K_TTL].val) {
        join(p, path, "ttl");
        if (get_positive_duration(L, f[K_TTL].val, p, &b->ttl) < 0)
            return -1;
    }
    if (b->kind == BUDGET_GRPC && b->token_ratio <= 0)
        return fail(L, f[K_RATIO].val, "%s: token_ratio must be greater than 0 (gRPC rejects 0)", path);
    return 0;
}

static int get_retry(loader *L, yaml_node_t *n, const char *path, bool hedged, retry_policy *r)
{
    char p[PATH_MAX_LEN];
    retry_defaults(r);
    r->pos = pos_of(n);
    if (n->type == YAML_SCALAR_NODE) {
        const char *s = yd_text(n);
        if (!strcmp(s, "off") || !strcmp(s, "false") || !strcmp(s, "none"))
            return 0;
        return fail(L, n, "%s: expected 'off' or a mapping such as {attempts: 3, backoff: exponential}; got '%s'",
                    path, s);
    }
    if (need_mapping(L, n, path, "a mapping such as {attempts: 3, backoff: exponential, base: 100ms}") < 0)
        return -1;
    static const char *const keys[] = {"attempts", "backoff", "base", "max", "multiplier", "jitter", "on", "budget", NULL};
    enum { K_ATTEMPTS, K_BACKOFF, K_BASE, K_MAX, K_MULT, K_JITTER, K_ON, K_BUDGET };
    field f[MAX_FIELDS];
    if (map_fields(L, n, path, keys, f) < 0)
        return -1;
    if (!f[K_ATTEMPTS].val)
        return fail(L, n, "%s: missing key 'attempts' (the number of tries, counting the first)", path);
    long attempts;
    join(p, path, "attempts");
    if (get_count(L, f[K_ATTEMPTS].val, p, 1, false, &attempts) < 0)
        return -1;
    if (attempts > 100)
        return fail(L, f[K_ATTEMPTS].val, "%s: expected at most 100 attempts, got %ld", p, attempts);
    r->attempts = (int)attempts;
    if (f[K_BACKOFF].val) {
        static const char *const w[] = {"none", "constant", "exponential", NULL};
        int v;
        join(p, path, "backoff");
        if (get_enum(L, f[K_BACKOFF].val, p, w, &v) < 0)
            return -1;
        r->backoff = (backoff_kind)v;
    }
    /* gRPC and the AWS SDKs jitter exponential backoff fully by default. */
    if (r->backoff == BACKOFF_EXPONENTIAL)
        r->jitter = JITTER_FULL;
    if (f[K_BASE].val) {
        join(p, path, "base");
        if (get_duration(L, f[K_BASE].val, p, &r->base) < 0)
            return -1;
    }
    if (f[K_MAX].val) {
        join(p, path, "max");
        if (get_duration(L, f[K_MAX].val, p, &r->max) < 0)
            return -1;
    }
    if (!f[K_MAX].val && r->base > r->max)
        r->max = r->base; /* a long base with no max: never cut below base */
    if (r->max < r->base)
        return fail(L, f[K_MAX].val, "%s: max backoff must not be less than base", path);
    /* A setting that would be ignored is a mistake to point out, not to
     * swallow: `{attempts: 3, base: 1s}` without `backoff` means no wait. */
    if (r->backoff == BACKOFF_NONE) {
        for (int k = K_BASE; k <= K_JITTER; k++)
            if (f[k].key)
                return fail(L, f[k].key,
                            "%s: '%s' has no effect with backoff: none; set backoff: constant or exponential",
                            path, keys[k]);
    } else if (r->backoff == BACKOFF_CONSTANT && (f[K_MULT].key || f[K_MAX].key)) {
        yaml_node_t *k = f[K_MULT].key ? f[K_MULT].key : f[K_MAX].key;
        return fail(L, k, "%s: '%s' has no effect with backoff: constant; use backoff: exponential", path,
                    yd_text(k));
    }
    if (f[K_MULT].val) {
        join(p, path, "multiplier");
        if (get_number(L, f[K_MULT].val, p, 1.0, &r->multiplier) < 0)
            return -1;
    }
    if (f[K_JITTER].val) {
        static const char *const w[] = {"none", "full", "equal", "decorrelated", NULL};
        int v;
        join(p, path, "jitter");
        if (get_enum(L, f[K_JITTER].val, p, w, &v) < 0)
            return -1;
        r->jitter = (jitter_kind)v;
    }
    if (f[K_ON].val) {
        join(p, path, "on");
        if (get_outcomes(L, f[K_ON].val, p, &r->on) < 0)
            return -1;
    }
    if (f[K_BUDGET].val) {
        join(p, path, "budget");
        if (get_budget(L, f[K_BUDGET].val, p, &r->budget) < 0)
            return -1;
        /* a hedged edge may keep a budget for its hedges alone (see get_call_parts) */
        if (r->attempts == 1 && !hedged)
            return fail(L, f[K_BUDGET].key, "%s: a retry budget has no effect with attempts: 1", path);
    }
    return 0;
}

/* resilience4j's CircuitBreaker; an empty mapping takes its defaults. */
static int get_breaker(loader *L, yaml_node_t *n, const char *path, breaker_spec *b)
{
    char p[PATH_MAX_LEN];
    memset(b, 0, sizeof *b);
    b->on = true;
    b->pos = pos_of(n);
    b->window = WINDOW_COUNT;
    b->size = 100;
    b->min_calls = 100;
    b->failure_rate = 0.5;
    b->slow_rate = 1.0;
    b->slow_duration = 60 * T_SEC;
    b->open_for = 60 * T_SEC;
    b->half_open_calls = 10;
    b->record = RETRY_ON_TIMEOUT | RETRY_ON_ERROR | RETRY_ON_REJECT;
    if (need_mapping(L, n, path, "a breaker such as {failure_rate: 50%, open_for: 30s}") < 0)
        return -1;
    static const char *const keys[] = {"window",        "size",     "min_calls",       "failure_rate", "slow_rate",
                                       "slow_duration", "open_for", "half_open_calls", "record",       "fallback",
                                       NULL};
    enum { K_WINDOW, K_SIZE, K_MIN, K_FAIL, K_SLOWR, K_SLOWD, K_OPEN, K_HALF, K_RECORD, K_FALLBACK };
    field f[MAX_FIELDS];
    if (map_fields(L, n, path, keys, f) < 0)
        return -1;
    if (f[K_WINDOW].val) {
        static const char *const w[] = {"count", "time", NULL};
        int v;
        join(p, path, "window");
        if (get_enum(L, f[K_WINDOW].val, p, w, &v) < 0)
            return -1;
        b->window = (breaker_window)v;
    }
    if (f[K_SIZE].val) {
        join(p, path, "size");
        if (get_count(L, f[K_SIZE].val, p, 1, false, &b->size) < 0)
            return -1;
    }
    if (f[K_MIN].val) {
        join(p, path, "min_calls");
        if (get_count(L, f[K_MIN].val, p, 1, false, &b->min_calls) < 0)
            return -1;
    }
    if (f[K_FAIL].val) {
        join(p, path, "failure_rate");
        if (get_fraction(L, f[K_FAIL].val, p, &b->failure_rate) < 0)
            return -1;
    }
    if (f[K_SLOWR].val) {
        join(p, path, "slow_rate");
        if (get_fraction(L, f[K_SLOWR].val, p, &b->slow_rate) < 0)
            return -1;
    }
    if (f[K_SLOWD].val) {
        join(p, path, "slow_duration");
        if (get_positive_duration(L, f[K_SLOWD].val, p, &b->slow_duration) < 0)
            return -1;
    }
    if (f[K_OPEN].val) {
        join(p, path, "open_for");
        if (get_positive_duration(L, f[K_OPEN].val, p, &b->open_for) < 0)
            return -1;
    }
    if (f[K_HALF].val) {
        join(p, path, "half_open_calls");
        if (get_count(L, f[K_HALF].val, p, 1, false, &b->half_open_calls) < 0)
            return -1;
    }
    if (f[K_RECORD].val) {
        join(p, path, "record");
        if (get_outcomes(L, f[K_RECORD].val, p, &b->record) < 0)
            return -1;
    }
    if (f[K_FALLBACK].val) {
        static const char *const w[] = {"none", "default", NULL};
        int v;
        join(p, path, "fallback");
        if (get_enum(L, f[K_FALLBACK].val, p, w, &v) < 0)
            return -1;
        b->fallback = (fallback_kind)v;
    }
    return 0;
}

static int get_pool(loader *L, yaml_node_t *n, const char *path, pool_spec *c)
{
    char p[PATH_MAX_LEN];
    memset(c, 0, sizeof *c);
    c->on = true;
    c->wait = true;
    c->wait_timeout = 30 * T_SEC; /* HikariCP's connectionTimeout */
    c->pos = pos_of(n);
    if (need_mapping(L, n, path, "a pool such as {size: 50, wait: true, wait_timeout: 1s}") < 0)
        return -1;
    static const char *const keys[] = {"size", "wait", "wait_timeout", NULL};
    field f[MAX_FIELDS];
    if (map_fields(L, n, path, keys, f) < 0)
        return -1;
    if (!f[0].val)
        return fail(L, n, "%s: missing key 'size' (connections per caller instance)", path);
    join(p, path, "size");
    if (get_count(L, f[0].val, p, 1, false, &c->size) < 0)
        return -1;
    if (f[1].val) {
        join(p, path, "wait");
        if (get_bool(L, f[1].val, p, &c->wait) < 0)
            return -1;
    }
    if (f[2].val) {
        join(p, path, "wait_timeout");
        if (!c->wait)
            return fail(L, f[2].key, "%s: wait_timeout has no effect with wait: false", path);
        if (f[2].val->type == YAML_SCALAR_NODE && !strcmp(yd_text(f[2].val), "none"))
            c->wait_timeout = 0;
        else if (get_positive_duration(L, f[2].val, p, &c->wait_timeout) < 0)
            return -1;
    }
    return 0;
}

/* hedge: {delay, attempts, max_outstanding, non_fatal, budget}, gRPC's
 * hedgingPolicy (engine/hedge.c).  `budget` defaults to whether the edge
 * has a retry budget; checked against it in get_call_parts. */
static int get_hedge(loader *L, yaml_node_t *n, const char *path, hedge_spec *h, bool *budget_given)
{
    char p[PATH_MAX_LEN];
    memset(h, 0, sizeof *h);
    h->on = true;
    h->attempts = 2;
    h->max_outstanding = MODEL_UNLIMITED;
    h->pos = pos_of(n);
    *budget_given = false;
    if (need_mapping(L, n, path, "a hedging policy such as {delay: 50ms, attempts: 2, max_outstanding: 10}") < 0)
        return -1;
    static const char *const keys[] = {"delay", "attempts", "max_outstanding", "non_fatal", "budget", NULL};
    enum { K_DELAY, K_ATTEMPTS, K_MAXOUT, K_NONFATAL, K_BUDGET };
    field f[MAX_FIELDS];
    if (map_fields(L, n, path, keys, f) < 0)
        return -1;
    if (!f[K_DELAY].val)
        return fail(L, n, "%s: missing key 'delay' (how long to wait for an answer before sending a hedge)", path);
    join(p, path, "delay");
    if (get_positive_duration(L, f[K_DELAY].val, p, &h->delay) < 0)
        return -1;
    if (f[K_ATTEMPTS].val) {
        long a;
        join(p, path, "attempts");
        if (get_count(L, f[K_ATTEMPTS].val, p, 2, false, &a) < 0)
            return -1;
        if (a > 5) /* gRPC caps maxAttempts at 5 */
            return fail(L, f[K_ATTEMPTS].val, "%s: expected at most 5 copies (gRPC's limit), got %ld", p, a);
        h->attempts = (int)a;
    }
    if (f[K_MAXOUT].val) {
        join(p, path, "max_outstanding");
        if (get_count(L, f[K_MAXOUT].val, p, 1, true, &h->max_outstanding) < 0)
            return -1;
    }
    if (f[K_NONFATAL].val) {
        yaml_node_t *on = f[K_NONFATAL].val;
        join(p, path, "non_fatal");
        if (on->type != YAML_SEQUENCE_NODE)
            return fail(L, on, "%s: expected a list drawn from [error, reject], got %s", p, yd_type_name(on));
        for (yaml_node_item_t *it = on->data.sequence.items.start; it < on->data.sequence.items.top; it++) {
            static const char *const w[] = {"error", "reject", NULL};
            int v;
            if (get_enum(L, node_at(L, *it), p, w, &v) < 0)
                return -1;
            h->non_fatal |= v == 0 ? RETRY_ON_ERROR : RETRY_ON_REJECT;
        }
    }
    if (f[K_BUDGET].val) {
        join(p, path, "budget");
        if (get_bool(L, f[K_BUDGET].val, p, &h->budget) < 0)
            return -1;
        *budget_given = true;
    }
    return 0;
}

/* bulkhead: {max_concurrent, max_wait}, resilience4j's SemaphoreBulkhead on
 * the caller's side of the edge (engine/bulkhead.c). */
static int get_call_bulkhead(loader *L, yaml_node_t *n, const char *path, call_bulkhead_spec *b)
{
    char p[PATH_MAX_LEN];
    memset(b, 0, sizeof *b);
    b->on = true;
    b->pos = pos_of(n);
    if (need_mapping(L, n, path, "a bulkhead such as {max_concurrent: 20, max_wait: 10ms}") < 0)
        return -1;
    static const char *const keys[] = {"max_concurrent", "max_wait", "fallback", NULL};
    field f[MAX_FIELDS];
    if (map_fields(L, n, path, keys, f) < 0)
        return -1;
    if (!f[0].val)
        return fail(L, n, "%s: missing key 'max_concurrent' (calls in flight per caller instance)", path);
    join(p, path, "max_concurrent");
    if (get_count(L, f[0].val, p, 1, false, &b->max_concurrent) < 0)
        return -1;
    if (f[1].val) {
        join(p, path, "max_wait");
        if (get_duration(L, f[1].val, p, &b->max_wait) < 0)
            return -1;
        if (b->max_wait < 0)
            return fail(L, f[1].val, "%s: expected a duration of at least 0, got '%s'", p, yd_text(f[1].val));
    }
    if (f[2].val) {
        static const char *const w[] = {"none", "default", NULL};
        int v;
        join(p, path, "fallback");
        if (get_enum(L, f[2].val, p, w, &v) < 0)
            return -1;
        b->fallback = (fallback_kind)v;
    }
    return 0;
}

/* Fill the parts of a call shared by clients and service calls. */
static int get_call_parts(loader *L, const char *path, field *timeout, field *retry, field *latency, field *breaker,
                          field *pool, field *hedge, field *bulkhead, call_spec *c)
{
    char p[PATH_MAX_LEN];
    retry_defaults(&c->retry);
    if (timeout->val) {
        join(p, path, "timeout");
        c->timeout_pos = pos_of(timeout->val);
        if (timeout->val->type == YAML_SCALAR_NODE && !strcmp(yd_text(timeout->val), "none"))
            c->timeout = 0;
        else if (get_positive_duration(L, timeout->val, p, &c->timeout) < 0)
            return -1;
    }
    if (retry->val) {
        join(p, path, "retry");
        if (get_retry(L, retry->val, p, hedge->val != NULL, &c->retry) < 0)
            return -1;
    }
    if (latency->val) {
        join(p, path, "latency");
        if (get_dist(L, latency->val, p, &c->latency) < 0)
            return -1;
        c->has_latency = !dist_is_zero(&c->latency);
    }
    if (breaker->val) {
        join(p, path, "breaker");
        if (get_breaker(L, breaker->val, p, &c->breaker) < 0)
            return -1;
    }
    if (pool->val) {
        join(p, path, "pool");
        if (get_pool(L, pool->val, p, &c->pool) < 0)
            return -1;
    }
    if (hedge->val) {
        bool budget_given;
        join(p, path, "hedge");
        if (get_hedge(L, hedge->val, p, &c->hedge, &budget_given) < 0)
            return -1;
        bool has_budget = c->retry.budget.kind != BUDGET_NONE;
        if (!budget_given)
            c->hedge.budget = has_budget;
        if (c->hedge.budget && !has_budget)
            return fail(L, hedge->val, "%s: budget: true needs a retry budget on this call (retry.budget)", p);
        if (c->retry.attempts == 1 && has_budget && !c->hedge.budget)
            return err_set(L->err, L->file, c->retry.budget.pos.line, c->retry.budget.pos.col,
                           "%s.retry.budget: a retry budget has no effect with attempts: 1 and hedge.budget: false",
                           path);
        if (c->timeout > 0 && c->hedge.delay >= c->timeout)
            return fail(L, hedge->val, "%s: delay must be shorter than the call's timeout, or no hedge is ever sent", p);
    }
    if (bulkhead->val) {
        join(p, path, "bulkhead");
        if (get_call_bulkhead(L, bulkhead->val, p, &c->bulkhead) < 0)
            return -1;
    }
    return 0;
}

/* `cache: NAME` on a call.  Caches are read before clients and services,
 * so the name resolves at once. */
static int get_call_cache(loader *L, const char *path, field *fc, call_spec *c)
{
    char p[PATH_MAX_LEN];
    if (!fc->val)
        return 0;
    join(p, path, "cache");
    const char *name;
    if (get_name(L, fc->val, p, "a cache name", &name) < 0)
        return -1;
    c->cache = model_find_cache(L->m, name);
    if (c->cache < 0) {
        if (!L->m->ncaches)
            return fail(L, fc->val, "%s: no cache named '%s'; define it under the top-level 'caches:'", p, name);
        char list[512] = "";
        for (size_t j = 0; j < L->m->ncaches; j++) {
            strncat(list, L->m->caches[j].name, sizeof list - strlen(list) - 1);
            if (j + 1 < L->m->ncaches)
                strncat(list, ", ", sizeof list - strlen(list) - 1);
        }
        return fail(L, fc->val, "%s: no cache named '%s'; the caches are: %s", p, name, list);
    }
    c->has_cache = true;
    c->cache_pos = pos_of(fc->val);
    return 0;
}

/* Service references are resolved after every service has been read, so a
 * call may name a service defined further down the file. */
typedef struct pending_ref {
    int *slot;
    yaml_node_t *node;
    char path[PATH_MAX_LEN];
} pending_ref;

typedef struct refs {
    pending_ref *v;
    size_t n, cap;
} refs;

static void ref_add(refs *r, int *slot, yaml_node_t *node, const char *path)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->v = realloc(r->v, r->cap * sizeof *r->v);
        if (!r->v)
            abort();
    }
    r->v[r->n].slot = slot;
    r->v[r->n].node = node;
    pathf(r->v[r->n].path, "%s", path);
    r->n++;
}

/* ---- clients ---------------------------------------------------------------- */

static int get_rate_steps(loader *L, yaml_node_t *n, const char *path, client_spec *c)
{
    char p[PATH_MAX_LEN];
    if (n->type == YAML_SCALAR_NODE) {
        c->steps = xcalloc(1, sizeof *c->steps);
        c->nsteps = 1;
        c->steps[0].at = 0;
        return get_rate(L, n, path, &c->steps[0].rate);
    }
    if (n->type != YAML_SEQUENCE_NODE)
        return fail(L, n, "%s: expected a rate such as 800/s, or a list of steps [{at: 0s, rate: 40/s}, ...]; got %s",
                    path, yd_type_name(n));
    size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (count == 0)
        return fail(L, n, "%s: expected at least one step {at, rate}", path);
    c->steps = xcalloc(count, sizeof *c->steps);
    c->nsteps = count;
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *s = node_at(L, n->data.sequence.items.start[i]);
        char sp[PATH_MAX_LEN];
        pathf(sp, "%s[%zu]", path, i);
        if (need_mapping(L, s, sp, "a step {at: 10s, rate: 80/s}") < 0)
            return -1;
        static const char *const keys[] = {"at", "rate", NULL};
        field f[MAX_FIELDS];
        if (map_fields(L, s, sp, keys, f) < 0)
            return -1;
        if (!f[0].val || !f[1].val)
            return fail(L, s, "%s: a step needs both 'at' and 'rate'", sp);
        join(p, sp, "at");
        if (get_duration(L, f[0].val, p, &c->steps[i].at) < 0)
            return -1;
        join(p, sp, "rate");
        if (get_rate(L, f[1].val, p, &c->steps[i].rate) < 0)
            return -1;
        if (i > 0 && c->steps[i].at <= c->steps[i - 1].at) {
            join(p, sp, "at");
            return fail(L, f[0].val, "%s: steps must be in increasing order of 'at'", p);
        }
    }
    return 0;
}

static int get_client(loader *L, yaml_node_t *k, yaml_node_t *n, client_spec *c, refs *r)
{
    char path[PATH_MAX_LEN], p[PATH_MAX_LEN];
    pathf(path, "clients.%s", yd_text(k));
    c->name = xstrdup(yd_text(k));
    c->pos = pos_of(k);
    if (need_mapping(L, n, path, "a mapping with 'call' and either 'rate' or 'users'") < 0)
        return -1;
    static const char *const keys[] = {"call",     "rate",    "users",   "think", "timeout", "retry",
                                       "deadline", "latency", "breaker", "pool",  "instances", "hedge",
                                       "bulkhead", "cache", NULL};
    enum { K_CALL, K_RATE, K_USERS, K_THINK, K_TIMEOUT, K_RETRY, K_DEADLINE, K_LATENCY, K_BREAKER, K_POOL,
           K_INSTANCES, K_HEDGE, K_BULKHEAD, K_CACHE };
    field f[MAX_FIELDS];
    if (map_fields(L, n, path, keys, f) < 0)
        return -1;
    if (!f[K_CALL].val)
        return fail(L, k, "%s: missing key 'call' (the service this client calls)", path);
    join(p, path, "call");
    const char *target;
    if (get_name(L, f[K_CALL].val, p, "a service name", &target) < 0)
        return -1;
    c->call.pos = pos_of(n);
    c->call.to_pos = pos_of(f[K_CALL].val);
    ref_add(r, &c->call.to, f[K_CALL].val, p);
    if (get_call_parts(L, path, &f[K_TIMEOUT], &f[K_RETRY], &f[K_LATENCY], &f[K_BREAKER], &f[K_POOL], &f[K_HEDGE],
                       &f[K_BULKHEAD], &c->call) < 0)
        return -1;
    if (get_call_cache(L, path, &f[K_CACHE], &c->call) < 0)
        return -1;
    c->instances = 1;
    if (f[K_INSTANCES].val) {
        join(p, path, "instances");
        if (get_count(L, f[K_INSTANCES].val, p, 1, false, &c->instances) < 0)
            return -1;
        if (c->instances > 100000)
            return fail(L, f[K_INSTANCES].val, "%s: expected at most 100000 instances", p);
    }
    if (f[K_DEADLINE].val) {
        join(p, path, "deadline");
        if (get_positive_duration(L, f[K_DEADLINE].val, p, &c->deadline) < 0)
            return -1;
    }
    if (f[K_RATE].val && f[K_USERS].val)
        return fail(L, f[K_USERS].key, "%s: give either 'rate' (open loop) or 'users' with 'think' (closed loop), not both",
                    path);
    if (f[K_RATE].val) {
        if (f[K_THINK].val)
            return fail(L, f[K_THINK].key, "%s: 'think' belongs to a closed-loop client with 'users', not with 'rate'",
                        path);
        join(p, path, "rate");
        return get_rate_steps(L, f[K_RATE].val, p, c);
    }
    if (f[K_USERS].val) {
        c->closed = true;
        join(p, path, "users");
        if (get_count(L, f[K_USERS].val, p, 1, false, &c->users) < 0)
            return -1;
        if (!f[K_THINK].val)
            return fail(L, f[K_USERS].key, "%s: a closed-loop client with 'users' needs 'think' (a duration or distribution)",
                        path);
        join(p, path, "think");
        return get_dist(L, f[K_THINK].val, p, &c->think);
    }
    return fail(L, k, "%s: missing load: give 'rate' (open loop, e.g. 800/s) or 'users' with 'think' (closed loop)",
                path);
}

/* ---- services ------------------------------------------------------------- */

static int get_service_call(loader *L, yaml_node_t *n, const char *path, call_spec *c, refs *r)
{
    char p[PATH_MAX_LEN];
    if (need_mapping(L, n, path, "a call such as {to: db, timeout: 2s}") < 0)
        return -1;
    static const char *const keys[] = {"to",    "timeout",  "retry", "latency", "breaker",
                                       "pool",  "hedge",    "bulkhead", "cache", NULL};
    field f[MAX_FIELDS];
    if (map_fields(L, n, path, keys, f) < 0)
        return -1;
    if (!f[0].val)
        return fail(L, n, "%s: missing key 'to' (the service called)", path);
    if (get_call_cache(L, path, &f[8], c) /* "cache" */ < 0)
        return -1;
    join(p, path, "to");
    const char *target;
    if (get_name(L, f[0].val, p, "a service name", &target) < 0)
        return -1;
    c->pos = pos_of(n);
    c->to_pos = pos_of(f[0].val);
    ref_add(r, &c->to, f[0].val, p);
    return get_call_parts(L, path, &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], c);
}

/* ---- load shedding, deadlines and bulkheads at a service ------------------ */

/* A concurrency limit: {algorithm: fixed|aimd|gradient2, ...}.  The defaults
 * are those of Netflix's concurrency-limits (AIMDLimit, Gradient2Limit). */
static int get_limit(loader *L, yaml_node_t *n, const char *path, limit_spec *l)
{
    char p[PATH_MAX_LEN];
    l->pos = pos_of(n);
    if (need_mapping(L, n, path, "a limit such as {algorithm: aimd, initial: 20, max: 200}") < 0)
        return -1;
    static const char *const keys[] = {"algorithm", "initial",   "min",         "max",        "backoff",
                                       "timeout",   "smoothing", "tolerance",   "long_window", "queue_size",
                                       NULL};
    enum { K_ALG, K_INITIAL, K_MIN, K_MAX, K_BACKOFF, K_TIMEOUT, K_SMOOTH, K_TOL, K_LONG, K_QSIZE };
    field f[MAX_FIELDS];
    if (map_fields(L, n, path, keys, f) < 0)
        return -1;
    if (!f[K_ALG].val)
        return fail(L, n, "%s: missing key 'algorithm' (fixed, aimd or gradient2)", path);
    static const char *const w[] = {"fixed", "aimd", "gradient2", NULL};
    int v;
    join(p, path, "algorithm");
    if (get_enum(L, f[K_ALG].val, p, w, &v) < 0)
        return -1;
    l->kind = (limit_kind)(v + 1);
    l->initial = 20;
    l->min = 20;
    l->max = 200;
    l->backoff = 0.9;
    l->timeout = 5 * T_SEC;
    l->smoothing = 0.2;
    l->tolerance = 1.5;
    l->long_window = 600;
    l->queue_size = 4;
    /* Which keys each algorithm reads: a key another algorithm reads is an
     * error, so a setting that would be silently ignored cannot be written. */
    static const unsigned uses[] = {
        [LIMIT_FIXED] = 1u << K_INITIAL,
        [LIMIT_AIMD] = 1u << K_INITIAL | 1u << K_MIN | 1u << K_MAX | 1u << K_BACKOFF | 1u << K_TIMEOUT,
        [LIMIT_GRADIENT2] = 1u << K_INITIAL | 1u << K_MIN | 1u << K_MAX | 1u << K_SMOOTH | 1u << K_TOL |
                            1u << K_LONG | 1u << K_QSIZE,
    };
    for (int k = K_INITIAL; k <= K_QSIZE; k++)
        if (f[k].val && !(uses[l->kind] & (1u << k)))
            return fail(L, f[k].key, "%s: '%s' is not a setting of the %s limit", path, keys[k], w[v]);
    if (l->kind == LIMIT_FIXED && !f[K_INITIAL].val)
        return fail(L, n, "%s: missing key 'initial' (the fixed limit on requests a replica admits)", path);
    long c;
    if (f[K_INITIAL].val) {
        join(p, path, "initial");
        if (get_count(L, f[K_INITIAL].val, p, 1, false, &c) < 0)
            return -1;
        l->initial = (double)c;
    }
    if (f[K_MIN].val) {
        join(p, path, "min");
        if (get_count(L, f[K_MIN].val, p, 1, false, &c) < 0)
            return -1;
        l->min = (double)c;
    }
    if (f[K_MAX].val) {
        join(p, path, "max");
        if (get_count(L, f[K_MAX].val, p, 1, false, &c) < 0)
            return -1;
        l->max = (double)c;
    }
    if (l->kind == LIMIT_FIXED) {
        l->min = l->max = l->initial;
    } else {
        if (l->min > l->max)
            return fail(L, f[K_MIN].val ? f[K_MIN].val : n, "%s: min (%g) must not exceed max (%g)", path, l->min,
                        l->max);
        if (l->initial < l->min || l->initial > l->max)
            return fail(L, f[K_INITIAL].val ? f[K_INITIAL].val : n, "%s: initial (%g) must lie between min (%g) and max (%g)",
                        path, l->initial, l->min, l->max);
    }
    if (f[K_BACKOFF].val) {
        join(p, path, "backoff");
        if (get_fraction(L, f[K_BACKOFF].val, p, &l->backoff) < 0)
            return -1;
        if (l->backoff <= 0 || l->backoff >= 1)
            return fail(L, f[K_BACKOFF].val, "%s: expected a factor between 0 and 1 (exclusive), such as 0.9", p);
    }
    if (f[K_TIMEOUT].val) {
        join(p, path, "timeout");
        if (get_positive_duration(L, f[K_TIMEOUT].val, p, &l->timeout) < 0)
            return -1;
    }
    if (f[K_SMOOTH].val) {
        join(p, path, "smoothing");
        if (get_fraction(L, f[K_SMOOTH].val, p, &l->smoothing) < 0)
            return -1;
        if (l->smoothing <= 0)
            return fail(L, f[K_SMOOTH].val, "%s: expected a fraction above 0", p);
    }
    if (f[K_TOL].val) {
        join(p, path, "tolerance");
        if (get_number(L, f[K_TOL].val, p, 1, &l->tolerance) < 0)
            return -1;
    }
    if (f[K_LONG].val) {
        join(p, path, "long_window");
        if (get_count(L, f[K_LONG].val, p, 1, false, &l->long_window) < 0)
            return -1;
    }
    if (f[K_QSIZE].val) {
        join(p, path, "queue_size");
        if (get_number(L, f[K_QSIZE].val, p, 0, &l->queue_size) < 0)
            return -1;
    }
    return 0;
}

static int get_shed(loader *L, yaml_node_t *n, const char *path, shed_spec *sh)
{
    char p[PATH_MAX_LEN];
    sh->pos = pos_of(n);
    sh->codel_target = 5 * T_MS;
    sh->codel_interval = 100 * T_MS;
    if (need_mapping(L, n, path, "a mapping with queue_timeout, codel, limit or priority") < 0)
        return -1;
    static const char *const keys[] = {"queue_timeout", "codel", "limit", "priority", NULL};
    enum { K_QT, K_CODEL, K_LIMIT, K_PRIO };
    field f[MAX_FIELDS];
    if (map_fields(L, n, path, keys, f) < 0)
        return -1;
    if (f[K_QT].val) {
        join(p, path, "queue_timeout");
        if (get_positive_duration(L, f[K_QT].val, p, &sh->queue_timeout) < 0)
            return -1;
    }
    if (f[K_CODEL].val) {
        yaml_node_t *c = f[K_CODEL].val;
        join(p, path, "codel");
        if (c->type == YAML_SCALAR_NODE) {
            if (get_bool(L, c, p, &sh->codel) < 0)
                return -1;
        } else {
            if (need_mapping(L, c, p, "true, or a mapping {target: 5ms, interval: 100ms}") < 0)
                return -1;
            static const char *const ck[] = {"target", "interval", NULL};
            field cf[MAX_FIELDS];
            if (map_fields(L, c, p, ck, cf) < 0)
                return -1;
            char q[PATH_MAX_LEN];
            sh->codel = true;
            if (cf[0].val) {
                join(q, p, "target");
                if (get_positive_duration(L, cf[0].val, q, &sh->codel_target) < 0)
                    return -1;
            }
            if (cf[1].val) {
                join(q, p, "interval");
                if (get_positive_duration(L, cf[1].val, q, &sh->codel_interval) < 0)
                    return -1;
            }
        }
    }
    if (f[K_LIMIT].val) {
        join(p, path, "limit");
        if (get_limit(L, f[K_LIMIT].val, p, &sh->limit) < 0)
            return -1;
    }
    if (f[K_PRIO].val) {
        static const char *const w[] = {"none", "retries_first", NULL};
        int v;
        join(p, path, "priority");
        if (get_enum(L, f[K_PRIO].val, p, w, &v) < 0)
            return -1;
        sh->priority = v == 1;
    }
    return 0;
}

/* bulkheads: {CALLER: {workers: N, queue: M}, ...}; callers are checked once
 * every entity is known (check_bulkheads). */
static int get_bulkheads(loader *L, yaml_node_t *n, const char *path, service_spec *s)
{
    char p[PATH_MAX_LEN], q[PATH_MAX_LEN];
    if (need_mapping(L, n, path, "a mapping from caller name to {workers: N, queue: M}") < 0)
        return -1;
    s->nbulkheads = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    if (s->nbulkheads == 0)
        return fail(L, n, "%s: expected at least one caller", path);
    s->bulkheads = xcalloc(s->nbulkheads, sizeof *s->bulkheads);
    long total = 0;
    for (size_t i = 0; i < s->nbulkheads; i++) {
        yaml_node_pair_t *pr = &n->data.mapping.pairs.start[i];
        yaml_node_t *k = node_at(L, pr->key), *v = node_at(L, pr->value);
        bulkhead_spec *b = &s->bulkheads[i];
        if (k->type != YAML_SCALAR_NODE)
            return fail(L, k, "%s: keys must be caller names, got %s", path, yd_type_name(k));
        for (size_t j = 0; j < i; j++)
            if (!strcmp(s->bulkheads[j].caller, yd_text(k)))
                return fail(L, k, "%s: duplicate caller '%s' (first given at line %d)", path, yd_text(k),
                            s->bulkheads[j].pos.line);
        b->caller = xstrdup(yd_text(k));
        b->pos = pos_of(k);
        b->queue = MODEL_UNLIMITED;
        pathf(p, "%s.%s", path, b->caller);
        if (need_mapping(L, v, p, "a partition such as {workers: 8, queue: 100}") < 0)
            return -1;
        static const char *const keys[] = {"workers", "queue", NULL};
        field f[MAX_FIELDS];
        if (map_fields(L, v, p, keys, f) < 0)
            return -1;
        if (!f[0].val)
            return fail(L, v, "%s: missing key 'workers' (the workers reserved for this caller, per replica)", p);
        join(q, p, "workers");
        if (get_count(L, f[0].val, q, 1, false, &b->workers) < 0)
            return -1;
        if (f[1].val) {
            join(q, p, "queue");
            if (get_count(L, f[1].val, q, 0, true, &b->queue) < 0)
                return -1;
        }
        total += b->workers;
    }
    if (s->workers == MODEL_UNLIMITED)
        return fail(L, n, "%s: bulkheads partition a service's workers; workers must be a number, not 'unlimited'", path);
    if (total > s->workers)
        return fail(L, n, "%s: the partitions take %ld workers, more than the service's %ld", path, total, s->workers);
    return 0;
}

static int get_service(loader *L, yaml_node_t *k, yaml_node_t *n, service_spec *s, refs *r)
{
    char path[PATH_MAX_LEN], p[PATH_MAX_LEN];
    pathf(path, "services.%s", yd_text(k));
    s->name = xstrdup(yd_text(k));
    s->pos = pos_of(k);
    s->queue = MODEL_UNLIMITED;
    s->replicas = 1;
    if (need_mapping(L, n, path, "a mapping with 'workers' and 'service_time'") < 0)
        return -1;
    static const char *const keys[] = {"workers",  "queue", "discipline", "service_time", "contention", "errors",
                                       "replicas", "calls", "shed",       "deadlines",    "bulkheads",  "startup",
                                       "failures", "zones", "depends_on", NULL};
    enum { K_WORKERS, K_QUEUE, K_DISC, K_TIME, K_CONT, K_ERRORS, K_REPLICAS, K_CALLS, K_SHED, K_DEADLINES, K_BULKHEADS, K_STARTUP,
           K_FAILURES, K_ZONES, K_DEPENDS };
    field f[MAX_FIELDS];
    if (map_fields(L, n, path, keys, f) < 0)
        return -1;
    if (!f[K_WORKERS].val)
        return fail(L, k, "%s: missing key 'workers' (the concurrency limit per replica, or 'unlimited')", path);
    join(p, path, "workers");
    if (get_count(L, f[K_WORKERS].val, p, 1, true, &s->workers) < 0)
        return -1;
    if (!f[K_TIME].val)
        return fail(L, k, "%s: missing key 'service_time' (a duration, or e.g. {dist: exponential, mean: 5ms})", path);
    join(p, path, "service_time");
    if (get_dist(L, f[K_TIME].val, p, &s->service_time) < 0)
        return -1;
    if (f[K_QUEUE].val) {
        join(p, path, "queue");
        if (get_count(L, f[K_QUEUE].val, p, 0, true, &s->queue) < 0)
            return -1;
    }
    if (f[K_DISC].val) {
        static const char *const w[] = {"fifo", "lifo", "adaptive_lifo", NULL};
        int v;
        join(p, path, "discipline");
        if (get_enum(L, f[K_DISC].val, p, w, &v) < 0)
            return -1;
        s->discipline = (discipline)v;
    }
    if (f[K_CONT].val) {
        join(p, path, "contention");
        if (need_mapping(L, f[K_CONT].val, p, "a mapping {sigma, kappa}") < 0)
            return -1;
        static const char *const ck[] = {"sigma", "kappa", NULL};
        field cf[MAX_FIELDS];
        if (map_fields(L, f[K_CONT].val, p, ck, cf) < 0)
            return -1;
        char q[PATH_MAX_LEN];
        if (cf[0].val) {
            join(q, p, "sigma");
            if (get_number(L, cf[0].val, q, 0, &s->sigma) < 0)
                return -1;
        }
        if (cf[1].val) {
            join(q, p, "kappa");
            if (get_number(L, cf[1].val, q, 0, &s->kappa) < 0)
                return -1;
        }
    }
    if (f[K_ERRORS].val) {
        join(p, path, "errors");
        if (get_fraction(L, f[K_ERRORS].val, p, &s->errors) < 0)
            return -1;
    }
    if (f[K_REPLICAS].val) {
        join(p, path, "replicas");
        if (get_count(L, f[K_REPLICAS].val, p, 1, false, &s->replicas) < 0)
            return -1;
        if (s->replicas > 100000)
            return fail(L, f[K_REPLICAS].val, "%s: expected at most 100000 replicas", p);
    }
    if (f[K_CALLS].val) {
        yaml_node_t *cl = f[K_CALLS].val;
        join(p, path, "calls");
        if (cl->type != YAML_SEQUENCE_NODE)
            return fail(L, cl, "%s: expected a list of calls such as [{to: db, timeout: 2s}], got %s", p, yd_type_name(cl));
        s->ncalls = (size_t)(cl->data.sequence.items.top - cl->data.sequence.items.start);
        s->calls = xcalloc(s->ncalls, sizeof *s->calls);
        for (size_t i = 0; i < s->ncalls; i++) {
            char q[PATH_MAX_LEN];
            pathf(q, "%s[%zu]", p, i);
            if (get_service_call(L, node_at(L, cl->data.sequence.items.start[i]), q, &s->calls[i], r) < 0)
                return -1;
        }
    }
    if (f[K_SHED].val) {
        join(p, path, "shed");
        if (get_shed(L, f[K_SHED].val, p, &s->shed) < 0)
            return -1;
        if (s->shed.priority && s->queue == MODEL_UNLIMITED && !s->shed.codel)
            return fail(L, f[K_SHED].val,
                        "%s: priority: retries_first needs a bounded queue or codel (it acts when the queue is full "
                        "or the replica is overloaded)",
                        p);
    }
    if (f[K_DEADLINES].val) {
        static const char *const w[] = {"ignore", "drop", "cancel", NULL};
        int v;
        join(p, path, "deadlines");
        if (get_enum(L, f[K_DEADLINES].val, p, w, &v) < 0)
            return -1;
        s->deadlines = (deadlines_mode)v;
    }
    if (f[K_BULKHEADS].val) {
        join(p, path, "bulkheads");
        if (get_bulkheads(L, f[K_BULKHEADS].val, p, s) < 0)
            return -1;
    }
    if (f[K_STARTUP].val) {
        join(p, path, "startup");
        if (get_duration(L, f[K_STARTUP].val, p, &s->startup) < 0)
            return -1;
        if (s->startup < 0)
            return fail(L, f[K_STARTUP].val, "%s: expected a duration of zero or more, got '%s'", p,
                        yd_text(f[K_STARTUP].val));
        s->startup_pos = pos_of(f[K_STARTUP].val);
    }
    /* availability: avail_load.c */
    return avail_load_service(&L->y, path, f[K_FAILURES].val, f[K_ZONES].val, f[K_DEPENDS].val, s);
}

/* ---- faults and actions ------------------------------------------------------ */

static int get_fault(loader *L, yaml_node_t *n, const char *path, fault_spec *ft, refs *r)
{
    char p[PATH_MAX_LEN];
    ft->pos = pos_of(n);
    if (need_mapping(L, n, path, "a fault window such as {at: 60s, for: 30s, target: db, slow: 10}") < 0)
        return -1;
    static const char *const keys[] = {"at",     "for",  "target",        "slow",  "add_latency",
                                       "errors", "down", "lose_replicas", "flush", "restart", NULL};
    enum { K_AT, K_FOR, K_TARGET, K_SLOW, K_ADD_LATENCY, K_ERRORS, K_DOWN, K_LOSE, K_FLUSH, K_RESTART };
    field f[MAX_FIELDS];
    if (map_fields(L, n, path, keys, f) < 0)
        return -1;
    /* flush and restart happen at an instant; the others are windows */
    bool instant = f[K_FLUSH].key || f[K_RESTART].key;
    if (!f[K_AT].val)
        return fail(L, n, "%s: missing key 'at' (when the fault starts)", path);
    if (!f[K_FOR].val && !instant)
        return fail(L, n, "%s: missing key 'for' (how long the fault lasts; faults are windows)", path);
    if (f[K_FOR].val && instant)
        return fail(L, f[K_FOR].key, "%s: '%s' happens at an instant; remove 'for'", path,
                    f[K_FLUSH].key ? "flush" : "restart");
    if (!f[K_TARGET].val)
        return fail(L, n, "%s: missing key 'target' (the %s the fault hits)", path, f[K_FLUSH].key ? "cache" : "service");
    join(p, path, "at");
    if (get_duration(L, f[K_AT].val, p, &ft->at) < 0)
        return -1;
    if (!instant) {
        join(p, path, "for");
        if (get_positive_duration(L, f[K_FOR].val, p, &ft->dur) < 0)
            return -1;
    }
    join(p, path, "target");
    const char *t;
    if (f[K_FLUSH].key) {
        if (get_name(L, f[K_TARGET].val, p, "a cache name", &t) < 0)
            return -1;
        ft->target = model_find_cache(L->m, t);
        if (ft->target < 0)
            return fail(L, f[K_TARGET].val, "%s: no cache named '%s' (flush empties a cache)", p, t);
    } else {
        if (get_name(L, f[K_TARGET].val, p, "a service name", &t) < 0)
            return -1;
        ref_add(r, &ft->target, f[K_TARGET].val, p);
    }

    int effects = 0;
    yaml_node_t *second = NULL;
    for (int k = K_SLOW; k <= K_RESTART; k++)
        if (f[k].key && ++effects == 2)
            second = f[k].key;
    if (effects == 0)
        return fail(L, n, "%s: a fault needs one effect: slow, add_latency, errors, down, lose_replicas, flush or restart",
                    path);
    if (effects > 1)
        return fail(L, second, "%s: a fault has exactly one effect; write a second fault window for '%s'", path,
                    yd_text(second));
    if (f[K_SLOW].val) {
        ft->kind = FAULT_SLOW;
        join(p, path, "slow");
        const char *s = need_scalar(L, f[K_SLOW].val, p, "a factor such as 10");
        if (!s)
            return -1;
        if (units_factor(s, &ft->factor) < 0 || ft->factor <= 0)
            return fail(L, f[K_SLOW].val, "%s: expected a positive factor such as 10 (service time x10), got '%s'", p, s);
    } else if (f[K_ADD_LATENCY].val) {
        ft->kind = FAULT_ADD_LATENCY;
        join(p, path, "add_latency");
        if (get_positive_duration(L, f[K_ADD_LATENCY].val, p, &ft->latency) < 0)
            return -1;
    } else if (f[K_ERRORS].val) {
        ft->kind = FAULT_ERRORS;
        join(p, path, "errors");
        if (get_fraction(L, f[K_ERRORS].val, p, &ft->errors) < 0)
            return -1;
    } else if (f[K_DOWN].val) {
        ft->kind = FAULT_DOWN;
        bool down;
        join(p, path, "down");
        if (get_bool(L, f[K_DOWN].val, p, &down) < 0)
            return -1;
        if (!down)
            return fail(L, f[K_DOWN].val, "%s: expected 'true' (a fault with down: false does nothing)", p);
    } else if (f[K_LOSE].val) {
        ft->kind = FAULT_LOSE_REPLICAS;
        join(p, path, "lose_replicas");
        if (get_count(L, f[K_LOSE].val, p, 1, false, &ft->replicas) < 0)
            return -1;
        ft->value_pos = pos_of(f[K_LOSE].val);
    } else {
        int k = f[K_FLUSH].val ? K_FLUSH : K_RESTART;
        bool on;
        ft->kind = k == K_FLUSH ? FAULT_FLUSH : FAULT_RESTART;
        join(p, path, keys[k]);
        if (get_bool(L, f[k].val, p, &on) < 0)
            return -1;
        if (!on)
            return fail(L, f[k].val, "%s: expected 'true' (%s: false does nothing)", p, keys[k]);
    }
    return 0;
}

/* A stale_while_revalidate window: a duration > 0, or true (forever) or
 * false (off). */
static int get_swr(loader *L, yaml_node_t *v, const char *p, simtime *out)
{
    const char *t = need_scalar(L, v, p, "a duration such as 30s, or true or false");
    if (!t)
        return -1;
    bool on;
    if (!strcmp(t, "true") || !strcmp(t, "false") || !strcmp(t, "on") || !strcmp(t, "off") || !strcmp(t, "yes") ||
        !strcmp(t, "no")) {
        if (get_bool(L, v, p, &on) < 0)
            return -1;
        *out = on ? CACHE_SWR_FOREVER : 0;
    } else if (units_duration(t, out) < 0 || *out <= 0) {
        return fail(L, v, "%s: expected a duration greater than zero (such as 30s), or true or false; got '%s'", p, t);
    }
    return 0;
}

static int get_action(loader *L, yaml_node_t *n, const char *path, action_spec *a)
{
    char p[PATH_MAX_LEN];
    a->pos = pos_of(n);
    a->client = a->service = a->cache = -1;
    if (need_mapping(L, n, path, "an action such as {at: 20m, client: shoppers, retry: off}") < 0)
        return -1;
    static const char *const keys[] = {"at",    "client", "service",  "retry",
                                       "shed",  "drain",  "scale",    "cache",
                                       "flush", "coalesce", "stale_while_revalidate", "hedge", NULL};
    enum { K_AT, K_CLIENT, K_SERVICE, K_RETRY, K_SHED, K_DRAIN, K_SCALE, K_CACHE, K_FLUSH, K_COALESCE, K_SWR, K_HEDGE };
    field f[MAX_FIELDS];
    if (map_fields(L, n, path, keys, f) < 0)
        return -1;
    if (!f[K_AT].val)
        return fail(L, n, "%s: missing key 'at' (the moment of the action)", path);
    join(p, path, "at");
    if (get_duration(L, f[K_AT].val, p, &a->at) < 0)
        return -1;
    /* an action names exactly one of client, service, cache; point at the
     * second of them in the file */
    {
        static const int whom[] = {K_CLIENT, K_SERVICE, K_CACHE};
        yaml_node_t *first = NULL, *second = NULL;
        for (int i = 0; i < 3; i++) {
            yaml_node_t *k = f[whom[i]].key;
            if (!k)
                continue;
            if (!first || k->start_mark.index < first->start_mark.index) {
                second = first;
                first = k;
            } else if (!second || k->start_mark.index < second->start_mark.index) {
                second = k;
            }
        }
        if (second)
            return fail(L, second, "%s: an action applies to exactly one client, service or cache, not more", path);
    }
    const char *name;
    if (f[K_CLIENT].val) {
        join(p, path, "client");
        if (get_name(L, f[K_CLIENT].val, p, "a client name", &name) < 0)
            return -1;
        a->client = model_find_client(L->m, name);
        if (a->client < 0)
            return fail(L, f[K_CLIENT].val, "%s: no client named '%s'", p, name);
    } else if (f[K_SERVICE].val) {
        join(p, path, "service");
        if (get_name(L, f[K_SERVICE].val, p, "a service name", &name) < 0)
            return -1;
        a->service = model_find_service(L->m, name);
        if (a->service < 0)
            return fail(L, f[K_SERVICE].val, "%s: no service named '%s'", p, name);
    } else if (f[K_CACHE].val) {
        join(p, path, "cache");
        if (get_name(L, f[K_CACHE].val, p, "a cache name", &name) < 0)
            return -1;
        a->cache = model_find_cache(L->m, name);
        if (a->cache < 0)
            return fail(L, f[K_CACHE].val, "%s: no cache named '%s'", p, name);
    } else {
        return fail(L, n, "%s: missing key 'client', 'service' or 'cache' (what the action applies to)", path);
    }
    int what = 0;
    for (int k = K_RETRY; k <= K_HEDGE; k++) {
        if (!f[k].val || k == K_CACHE)
            continue;
        if (what) {
            /* point at whichever of the two comes second in the file */
            int later = f[k].key->start_mark.index > f[what].key->start_mark.index ? k : what;
            return fail(L, f[later].key, "%s: an action does one thing; write a second action for '%s'", path,
                        keys[later]);
        }
        what = k;
    }
    if (a->cache >= 0 && what && what != K_FLUSH && what != K_COALESCE && what != K_SWR && what != K_HEDGE)
        return fail(L, f[what].key,
                    "%s: a cache action is flush, coalesce or stale_while_revalidate; '%s' applies to a client or a "
                    "service",
                    path, keys[what]);
    if (a->cache < 0 && (what == K_COALESCE || what == K_SWR))
        return fail(L, f[what].key, "%s: %s changes a cache; name the cache with 'cache:'", path, keys[what]);
    switch (what) {
    case K_RETRY:
        a->kind = ACTION_RETRY;
        join(p, path, "retry");
        return get_bool(L, f[K_RETRY].val, p, &a->retry_on);
    case K_SHED:
        a->kind = ACTION_SHED;
        join(p, path, "shed");
        return get_fraction(L, f[K_SHED].val, p, &a->shed);
    case K_DRAIN: {
        bool on;
        a->kind = ACTION_DRAIN;
        join(p, path, "drain");
        if (a->service < 0)
            return fail(L, f[K_DRAIN].key, "%s: drain empties a service's queues; name the service with 'service:'", p);
        if (get_bool(L, f[K_DRAIN].val, p, &on) < 0)
            return -1;
        if (!on)
            return fail(L, f[K_DRAIN].val, "%s: expected true (drain: false does nothing; leave the action out)", p);
        return 0;
    }
    case K_SCALE:
        a->kind = ACTION_SCALE;
        join(p, path, "scale");
        if (a->service < 0)
            return fail(L, f[K_SCALE].key, "%s: scale sets a service's replica count; name the service with 'service:'",
                        p);
        if (get_count(L, f[K_SCALE].val, p, 0, false, &a->replicas) < 0)
            return -1;
        if (a->replicas > 100000)
            return fail(L, f[K_SCALE].val, "%s: expected at most 100000 replicas", p);
        return 0;
    case K_FLUSH: {
        bool on;
        a->kind = ACTION_FLUSH;
        join(p, path, "flush");
        if (a->cache < 0)
            return fail(L, f[K_FLUSH].key, "%s: flush empties a cache; name the cache with 'cache:'", p);
        if (get_bool(L, f[K_FLUSH].val, p, &on) < 0)
            return -1;
        if (!on)
            return fail(L, f[K_FLUSH].val, "%s: expected true (flush: false does nothing; leave the action out)", p);
        return 0;
    }
    case K_HEDGE:
        a->kind = ACTION_HEDGE;
        join(p, path, "hedge");
        if (a->cache >= 0)
            return fail(L, f[K_HEDGE].key, "%s: hedge switches a client's or a service's hedging; a cache has none", p);
        return get_bool(L, f[K_HEDGE].val, p, &a->hedge_on);
    case K_COALESCE:
        a->kind = ACTION_COALESCE;
        join(p, path, "coalesce");
        return get_bool(L, f[K_COALESCE].val, p, &a->coalesce);
    case K_SWR: {
        a->kind = ACTION_SWR;
        join(p, path, "stale_while_revalidate");
        return get_swr(L, f[K_SWR].val, p, &a->swr);
    }
    }
    if (a->cache >= 0)
        return fail(L, n, "%s: a cache action needs 'flush: true', 'coalesce: on|off' or 'stale_while_revalidate'",
                    path);
    return fail(L, n,
                "%s: an action needs one of: retry (on|off), shed (a fraction such as 40%%), drain (true), scale (a "
                "replica count), hedge (on|off)",
                path);
}

/* ---- autoscalers ------------------------------------------------------------ */

/* A percentage such as 100% or 400% (HPA's Percent policy may exceed 100),
 * or `off` for no such policy (stored as -1). */
static int get_percent_policy(loader *L, yaml_node_t *n, const char *path, double *out)
{
    const char *s = need_scalar(L, n, path, "a percentage such as 100% or 'off'");
    if (!s)
        return -1;
    if (!strcmp(s, "off")) {
        *out = -1;
        return 0;
    }
    size_t len = strlen(s);
    char num[64];
    if (len < 2 || len >= sizeof num || s[len - 1] != '%')
        return fail(L, n, "%s: expected a percentage such as 100%% or 'off', got '%s'", path, s);
    memcpy(num, s, len - 1);
    num[len - 1] = 0;
    if (units_number(num, out) < 0 || *out <= 0)
        return fail(L, n, "%s: expected a percentage greater than 0%% such as 100%%, or 'off'; got '%s'", path, s);
    return 0;
}

/* scale_up / scale_down: HPAScalingRules, with the Kubernetes defaults
 * already in *r.  One period serves both policies. */
static int get_scale_rules(loader *L, yaml_node_t *n, const char *path, scale_rules *r)
{
    char p[PATH_MAX_LEN];
    r->pos = pos_of(n);
    if (need_mapping(L, n, path, "a mapping such as {stabilization: 300s, percent: 100%, period: 15s}") < 0)
        return -1;
    static const char *const keys[] = {"stabilization", "percent", "pods", "period", "select", NULL};
    enum { K_STAB, K_PERCENT, K_PODS, K_PERIOD, K_SELECT };
    field f[MAX_FIELDS];
    if (map_fields(L, n, path, keys, f) < 0)
        return -1;
    if (f[K_STAB].val) {
        join(p, path, "stabilization");
        if (get_duration(L, f[K_STAB].val, p, &r->stabilization) < 0)
            return -1;
        /* the API's bounds for stabilizationWindowSeconds: 0 to 3600 */
        if (r->stabilization < 0 || r->stabilization > 3600 * T_SEC)
            return fail(L, f[K_STAB].val, "%s: expected a duration from 0s to 1h, got '%s'", p,
                        yd_text(f[K_STAB].val));
    }
    if (f[K_PERCENT].val) {
        join(p, path, "percent");
        if (get_percent_policy(L, f[K_PERCENT].val, p, &r->percent) < 0)
            return -1;
    }
    if (f[K_PODS].val) {
        join(p, path, "pods");
        const char *s = need_scalar(L, f[K_PODS].val, p, "a whole number of pods or 'off'");
        if (!s)
            return -1;
        if (!strcmp(s, "off"))
            r->pods = -1;
        else if (get_count(L, f[K_PODS].val, p, 1, false, &r->pods) < 0)
            return -1;
    }
    if (f[K_PERIOD].val) {
        join(p, path, "period");
        if (get_positive_duration(L, f[K_PERIOD].val, p, &r->period) < 0)
            return -1;
        /* the API's bounds for periodSeconds: 1 to 1800 */
        if (r->period > 1800 * T_SEC)
            return fail(L, f[K_PERIOD].val, "%s: expected a period of at most 30m, got '%s'", p,
                        yd_text(f[K_PERIOD].val));
    }
    if (f[K_SELECT].val) {
        static const char *const w[] = {"max", "min", "disabled", NULL};
        int v;
        join(p, path, "select");
        if (get_enum(L, f[K_SELECT].val, p, w, &v) < 0)
            return -1;
        r->select = (scale_select)v;
    }
    if (r->percent < 0 && r->pods < 0 && r->select != SELECT_DISABLED)
        return fail(L, n, "%s: percent and pods are both off; keep one policy, or write select: disabled", path);
    return 0;
}

static int get_autoscaler(loader *L, yaml_node_t *k, yaml_node_t *n, autoscaler_spec *a)
{
    char path[PATH_MAX_LEN], p[PATH_MAX_LEN];
    pathf(path, "autoscalers.%s", yd_text(k));
    a->pos = pos_of(k);
    /* the HorizontalPodAutoscaler's defaults (docs/model.md) */
    a->tolerance = 0.1;
    a->sync = 15 * T_SEC;
    a->min = 1;
    a->up = (scale_rules){.stabilization = 0, .percent = 100, .pods = 4, .period = 15 * T_SEC, .select = SELECT_MAX};
    a->down = (scale_rules){.stabilization = 300 * T_SEC, .percent = 100, .pods = -1, .period = 15 * T_SEC,
                            .select = SELECT_MAX};
    if (need_mapping(L, n, path, "a mapping with service, metric, target and max") < 0)
        return -1;
    static const char *const keys[] = {"service", "metric", "target",   "tolerance",  "sync",
                                       "min",     "max",    "scale_up", "scale_down", NULL};
    enum { K_SERVICE, K_METRIC, K_TARGET, K_TOL, K_SYNC, K_MIN, K_MAX, K_UP, K_DOWN };
    field f[MAX_FIELDS];
    if (map_fields(L, n, path, keys, f) < 0)
        return -1;
    if (!f[K_SERVICE].val)
        return fail(L, k, "%s: missing key 'service' (the service whose replicas it sets)", path);
    if (!f[K_METRIC].val)
        return fail(L, k, "%s: missing key 'metric' (cpu, queue or rps)", path);
    if (!f[K_TARGET].val)
        return fail(L, k, "%s: missing key 'target' (the metric's value per replica it aims for)", path);
    if (!f[K_MAX].val)
        return fail(L, k, "%s: missing key 'max' (the most replicas it may set)", path);
    const char *name;
    join(p, path, "service");
    if (get_name(L, f[K_SERVICE].val, p, "a service name", &name) < 0)
        return -1;
    a->service = model_find_service(L->m, name);
    if (a->service < 0)
        return fail(L, f[K_SERVICE].val, "%s: no service named '%s'", p, name);
    a->service_pos = pos_of(f[K_SERVICE].val);
    const service_spec *sv = &L->m->services[a->service];
    static const char *const metrics[] = {"cpu", "queue", "rps", NULL};
    int v;
    join(p, path, "metric");
    if (get_enum(L, f[K_METRIC].val, p, metrics, &v) < 0)
        return -1;
    a->metric = (scale_metric)v;
    a->metric_pos = pos_of(f[K_METRIC].val);
    if (a->metric == METRIC_CPU && sv->workers == MODEL_UNLIMITED)
        return fail(L, f[K_METRIC].val,
                    "%s: cpu is busy workers over workers, and %s has unlimited workers; use queue or rps", p,
                    sv->name);
    join(p, path, "target");
    switch (a->metric) {
    case METRIC_CPU:
        if (get_fraction(L, f[K_TARGET].val, p, &a->target) < 0)
            return -1;
        break;
    case METRIC_QUEUE:
        if (get_number(L, f[K_TARGET].val, p, 0, &a->target) < 0)
            return -1;
        break;
    case METRIC_RPS:
        if (get_rate(L, f[K_TARGET].val, p, &a->target) < 0)
            return -1;
        break;
    }
    if (a->target <= 0)
        return fail(L, f[K_TARGET].val, "%s: expected a target greater than zero, got '%s'", p,
                    yd_text(f[K_TARGET].val));
    if (f[K_TOL].val) {
        join(p, path, "tolerance");
        if (get_fraction(L, f[K_TOL].val, p, &a->tolerance) < 0)
            return -1;
    }
    if (f[K_SYNC].val) {
        join(p, path, "sync");
        if (get_positive_duration(L, f[K_SYNC].val, p, &a->sync) < 0)
            return -1;
    }
    if (f[K_MIN].val) {
        join(p, path, "min");
        if (get_count(L, f[K_MIN].val, p, 1, false, &a->min) < 0)
            return -1;
    }
    join(p, path, "max");
    if (get_count(L, f[K_MAX].val, p, 1, false, &a->max) < 0)
        return -1;
    if (a->max > 100000)
        return fail(L, f[K_MAX].val, "%s: expected at most 100000 replicas", p);
    if (a->max < a->min)
        return fail(L, f[K_MAX].val, "%s: max (%ld) must not be less than min (%ld)", p, a->max, a->min);
    if (f[K_UP].val) {
        join(p, path, "scale_up");
        if (get_scale_rules(L, f[K_UP].val, p, &a->up) < 0)
            return -1;
    }
    if (f[K_DOWN].val) {
        join(p, path, "scale_down");
        if (get_scale_rules(L, f[K_DOWN].val, p, &a->down) < 0)
            return -1;
    }
    return 0;
}

static int get_autoscalers(loader *L, yaml_node_t *n)
{
    model *m = L->m;
    if (need_mapping(L, n, "autoscalers", "a mapping of autoscaler names to autoscalers") < 0)
        return -1;
    yaml_node_pair_t *pairs = n->data.mapping.pairs.start;
    size_t count = (size_t)(n->data.mapping.pairs.top - pairs);
    m->autoscalers = xcalloc(count, sizeof *m->autoscalers);
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *k = node_at(L, pairs[i].key);
        if (k->type != YAML_SCALAR_NODE)
            return fail(L, k, "autoscalers: names must be plain words, got %s", yd_type_name(k));
        if (check_entity_name(L, k, "autoscalers") < 0)
            return -1;
        const char *name = yd_text(k);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(m->autoscalers[j].name, name))
                return fail(L, k, "autoscalers: duplicate name '%s'", name);
        if (model_find_service(m, name) >= 0 || model_find_client(m, name) >= 0)
            return fail(L, k,
                        "autoscalers: '%s' is also a %s name; one name must mean one thing (it prefixes CSV columns)",
                        name, model_find_service(m, name) >= 0 ? "service" : "client");
        m->autoscalers[i].name = xstrdup(name);
        m->nautoscalers = i + 1; /* counted as soon as it owns memory, for model_free */
        if (get_autoscaler(L, k, node_at(L, pairs[i].value), &m->autoscalers[i]) < 0)
            return -1;
    }
    return 0;
}

/* Which services can change their replica count, and the replica slots
 * each needs: the engine allocates that many up front, so memory stays
 * bounded however the controllers act. */
static void set_slots(model *m)
{
    for (size_t i = 0; i < m->nservices; i++) {
        service_spec *s = &m->services[i];
        s->slots = s->replicas;
        s->scaled = s->startup > 0;
    }
    for (size_t i = 0; i < m->nautoscalers; i++) {
        service_spec *s = &m->services[m->autoscalers[i].service];
        s->scaled = true;
        if (m->autoscalers[i].max > s->slots)
            s->slots = m->autoscalers[i].max;
    }
    for (size_t i = 0; i < m->nactions; i++) {
        if (m->actions[i].kind != ACTION_SCALE)
            continue;
        service_spec *s = &m->services[m->actions[i].service];
        s->scaled = true;
        if (m->actions[i].replicas > s->slots)
            s->slots = m->actions[i].replicas;
    }
}

/* ---- caches ------------------------------------------------------------------ */

/* A duration, or `none` (0). */
static int get_duration_or_none(loader *L, yaml_node_t *n, const char *path, simtime *out)
{
    if (n->type == YAML_SCALAR_NODE && !strcmp(yd_text(n), "none")) {
        *out = 0;
        return 0;
    }
    return get_positive_duration(L, n, path, out);
}

static int get_cache(loader *L, yaml_node_t *k, yaml_node_t *n, cache_spec *c, refs *r)
{
    char path[PATH_MAX_LEN], p[PATH_MAX_LEN];
    pathf(path, "caches.%s", yd_text(k));
    c->name = xstrdup(yd_text(k));
    c->pos = pos_of(k);
    c->zipf = 1.0;
    c->capacity = MODEL_UNLIMITED;
    c->hit_time = T_MS;
    c->owner = -1;
    if (need_mapping(L, n, path, "a cache such as {keys: 10000, ttl: 5m}") < 0)
        return -1;
    static const char *const keys[] = {"keys",     "zipf",     "ttl",      "ttl_jitter", "capacity",
                                       "hit_time", "coalesce", "stale_while_revalidate", "warm", "owner", NULL};
    enum { K_KEYS, K_ZIPF, K_TTL, K_JITTER, K_CAPACITY, K_HIT, K_COALESCE, K_SWR, K_WARM, K_OWNER };
    field f[MAX_FIELDS];
    if (map_fields(L, n, path, keys, f) < 0)
        return -1;
    if (!f[K_KEYS].val)
        return fail(L, k, "%s: missing key 'keys' (how many distinct keys requests ask for)", path);
    join(p, path, "keys");
    if (get_count(L, f[K_KEYS].val, p, 1, false, &c->keys) < 0)
        return -1;
    if (c->keys > 100000000)
        return fail(L, f[K_KEYS].val, "%s: expected at most 100000000 keys", p);
    if (f[K_ZIPF].val) {
        join(p, path, "zipf");
        if (get_number(L, f[K_ZIPF].val, p, 0, &c->zipf) < 0)
            return -1;
        if (c->zipf > 100)
            return fail(L, f[K_ZIPF].val, "%s: expected an exponent of at most 100, got '%s'", p, yd_text(f[K_ZIPF].val));
    }
    if (f[K_TTL].val) {
        join(p, path, "ttl");
        c->ttl_pos = pos_of(f[K_TTL].val);
        if (get_duration_or_none(L, f[K_TTL].val, p, &c->ttl) < 0)
            return -1;
    }
    if (f[K_JITTER].val) {
        join(p, path, "ttl_jitter");
        if (!c->ttl)
            return fail(L, f[K_JITTER].key, "%s: ttl_jitter needs a ttl (entries without one never expire)", path);
        if (get_duration(L, f[K_JITTER].val, p, &c->ttl_jitter) < 0)
            return -1;
    }
    if (f[K_CAPACITY].val) {
        join(p, path, "capacity");
        if (get_count(L, f[K_CAPACITY].val, p, 1, true, &c->capacity) < 0)
            return -1;
    }
    if (f[K_HIT].val) {
        join(p, path, "hit_time");
        if (get_duration(L, f[K_HIT].val, p, &c->hit_time) < 0)
            return -1;
    }
    if (f[K_COALESCE].val) {
        join(p, path, "coalesce");
        if (get_bool(L, f[K_COALESCE].val, p, &c->coalesce) < 0)
            return -1;
    }
    if (f[K_SWR].val) {
        join(p, path, "stale_while_revalidate");
        if (get_swr(L, f[K_SWR].val, p, &c->swr) < 0)
            return -1;
        if (c->swr && !c->ttl)
            return fail(L, f[K_SWR].key, "%s: stale_while_revalidate needs a ttl (entries without one never go stale)",
                        path);
    }
    if (f[K_WARM].val) {
        join(p, path, "warm");
        c->warm_pos = pos_of(f[K_WARM].val);
        if (get_bool(L, f[K_WARM].val, p, &c->warm) < 0)
            return -1;
    }
    if (f[K_OWNER].val) {
        join(p, path, "owner");
        const char *t;
        if (get_name(L, f[K_OWNER].val, p, "a service name", &t) < 0)
            return -1;
        ref_add(r, &c->owner, f[K_OWNER].val, p);
    }
    return 0;
}

/* A cache must be used by a call (else it is a typo), and fronts one
 * origin: every call that uses it calls the same service. */
static int check_caches(loader *L)
{
    const model *m = L->m;
    for (size_t i = 0; i < m->ncaches; i++) {
        const cache_spec *c = &m->caches[i];
        if (model_find_service(m, c->name) >= 0 || model_find_client(m, c->name) >= 0)
            return err_set(L->err, L->file, c->pos.line, c->pos.col,
                           "caches: '%s' is also a %s name; one name must mean one thing (it prefixes CSV columns)",
                           c->name, model_find_service(m, c->name) >= 0 ? "service" : "client");
        const call_spec *first = NULL;
        for (size_t k = 0; k < m->nclients + m->nservices; k++) {
            const call_spec *calls = k < m->nclients ? &m->clients[k].call : m->services[k - m->nclients].calls;
            size_t n = k < m->nclients ? 1 : m->services[k - m->nclients].ncalls;
            for (size_t j = 0; j < n; j++) {
                const call_spec *cs = &calls[j];
                if (!cs->has_cache || cs->cache != (int)i)
                    continue;
                if (!first)
                    first = cs;
                else if (cs->to != first->to)
                    return err_set(L->err, L->file, cs->cache_pos.line, cs->cache_pos.col,
                                   "cache: '%s' already fronts %s; a cache fronts one origin, so every call using it "
                                   "must call the same service (this one calls %s)",
                                   c->name, m->services[first->to].name, m->services[cs->to].name);
            }
        }
        if (!first)
            return err_set(L->err, L->file, c->pos.line, c->pos.col,
                           "caches.%s: no call uses this cache; add 'cache: %s' to the call it fronts", c->name,
                           c->name);
    }
    return 0;
}

/* ---- the whole model -------------------------------------------------------- */

static int resolve_refs(loader *L, refs *r)
{
    for (size_t i = 0; i < r->n; i++) {
        const char *name = yd_text(r->v[i].node);
        int idx = model_find_service(L->m, name);
        if (idx < 0) {
            char list[512] = "";
            for (size_t j = 0; j < L->m->nservices; j++) {
                strncat(list, L->m->services[j].name, sizeof list - strlen(list) - 1);
                if (j + 1 < L->m->nservices)
                    strncat(list, ", ", sizeof list - strlen(list) - 1);
            }
            return fail(L, r->v[i].node, "%s: no service named '%s'; the services are: %s", r->v[i].path, name, list);
        }
        *r->v[i].slot = idx;
    }
    return 0;
}

/* Synchronous calls hold the caller's worker, so a cycle would deadlock the
 * simulated system (and the simulator's recursion); reject it and name it. */
static int find_cycle(loader *L, int s, int *state, int *stack, int depth)
{
    state[s] = 1;
    stack[depth] = s;
    service_spec *sv = &L->m->services[s];
    for (size_t i = 0; i < sv->ncalls; i++) {
        int t = sv->calls[i].to;
        if (state[t] == 1) {
            char chain[1024] = "";
            int from = depth;
            while (stack[from] != t)
                from--;
            for (int j = from; j <= depth; j++) {
                strncat(chain, L->m->services[stack[j]].name, sizeof chain - strlen(chain) - 1);
                strncat(chain, " -> ", sizeof chain - strlen(chain) - 1);
            }
            strncat(chain, L->m->services[t].name, sizeof chain - strlen(chain) - 1);
            return err_set(L->err, L->file, sv->calls[i].to_pos.line, sv->calls[i].to_pos.col,
                           "services.%s.calls[%zu].to: the call graph has a cycle (%s); synchronous calls must not "
                           "loop back, because each holds its caller's worker",
                           sv->name, i, chain);
        }
        if (state[t] == 0 && find_cycle(L, t, state, stack, depth + 1) < 0)
            return -1;
    }
    state[s] = 2;
    return 0;
}

static int check_calls_acyclic(loader *L)
{
    size_t n = L->m->nservices;
    int *state = xcalloc(n, sizeof *state), *stack = xcalloc(n + 1, sizeof *stack);
    int rc = 0;
    for (size_t s = 0; s < n && rc == 0; s++)
        if (state[s] == 0)
            rc = find_cycle(L, (int)s, state, stack, 0);
    free(state);
    free(stack);
    return rc;
}

/* Check a section's names; *count is set only when all are good, because
 * model_free walks that many entries. */
static int get_entities(loader *L, yaml_node_t *n, const char *section, size_t *count, yaml_node_pair_t **pairs)
{
    size_t nentries;
    if (need_mapping(L, n, section,
                     !strcmp(section, "clients")  ? "a mapping of client names to clients"
                     : !strcmp(section, "caches") ? "a mapping of cache names to caches"
                                                  : "a mapping of service names to services") < 0)
        return -1;
    *pairs = n->data.mapping.pairs.start;
    nentries = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    if (nentries == 0)
        return fail(L, n, "%s: expected at least one entry", section);
    for (size_t i = 0; i < nentries; i++) {
        yaml_node_t *k = node_at(L, (*pairs)[i].key);
        if (k->type != YAML_SCALAR_NODE)
            return fail(L, k, "%s: names must be plain words, got %s", section, yd_type_name(k));
        if (check_entity_name(L, k, section) < 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(yd_text(node_at(L, (*pairs)[j].key)), yd_text(k)))
                return fail(L, k, "%s: duplicate name '%s'", section, yd_text(k));
    }
    *count = nentries;
    return 0;
}

/* A bulkhead names a caller: it must be a client or a service that calls
 * the service, or the partition would never be used (a typo, most likely). */
static int check_bulkheads(loader *L)
{
    const model *m = L->m;
    for (size_t i = 0; i < m->nservices; i++) {
        const service_spec *s = &m->services[i];
        long spare = s->workers;
        for (size_t j = 0; j < s->nbulkheads; j++)
            spare -= s->bulkheads[j].workers;
        for (size_t j = 0; j < s->nbulkheads; j++) {
            const bulkhead_spec *b = &s->bulkheads[j];
            bool calls = false;
            int c = model_find_client(m, b->caller), v = model_find_service(m, b->caller);
            if (c >= 0)
                calls = m->clients[c].call.to == (int)i;
            for (size_t k = 0; v >= 0 && k < m->services[v].ncalls; k++)
                calls |= m->services[v].calls[k].to == (int)i;
            if (!calls)
                return err_set(L->err, L->file, b->pos.line, b->pos.col,
                               "services.%s.bulkheads: '%s' %s", s->name, b->caller,
                               c < 0 && v < 0 ? "is neither a client nor a service" : "does not call this service");
        }
        /* Callers without a partition of their own share what is left. */
        if (s->nbulkheads && spare == 0) {
            for (size_t c = 0; c < m->nclients; c++) {
                bool own = false;
                for (size_t j = 0; j < s->nbulkheads; j++)
                    own |= !strcmp(s->bulkheads[j].caller, m->clients[c].name);
                if (m->clients[c].call.to == (int)i && !own)
                    return err_set(L->err, L->file, s->bulkheads[0].pos.line, s->bulkheads[0].pos.col,
                                   "services.%s.bulkheads: the partitions take every worker, leaving none for '%s'",
                                   s->name, m->clients[c].name);
            }
            for (size_t v = 0; v < m->nservices; v++) {
                bool own = false, calls = false;
                for (size_t j = 0; j < s->nbulkheads; j++)
                    own |= !strcmp(s->bulkheads[j].caller, m->services[v].name);
                for (size_t k = 0; k < m->services[v].ncalls; k++)
                    calls |= m->services[v].calls[k].to == (int)i;
                if (calls && !own)
                    return err_set(L->err, L->file, s->bulkheads[0].pos.line, s->bulkheads[0].pos.col,
                                   "services.%s.bulkheads: the partitions take every worker, leaving none for '%s'",
                                   s->name, m->services[v].name);
            }
        }
    }
    return 0;
}

static int get_model(loader *L, yaml_node_t *root)
{
    model *m = L->m;
    char p[PATH_MAX_LEN];
    if (!root)
        return err_set(L->err, L->file, 1, 1, "the file is empty; expected a model with duration, clients and services");
    if (need_mapping(L, root, "model", "a mapping with duration, clients and services") < 0)
        return -1;
    static const char *const keys[] = {"name",    "description", "duration", "seed",    "sample",
                                       "clients", "services",    "faults",   "actions", "autoscalers", "caches",
                                       "infra",   "ccf",         "hypotheses", NULL};
    enum { K_NAME, K_DESC, K_DURATION, K_SEED, K_SAMPLE, K_CLIENTS, K_SERVICES, K_FAULTS, K_ACTIONS, K_AUTOSCALERS,
           K_CACHES, K_INFRA, K_CCF, K_HYPOTHESES };
    field f[MAX_FIELDS];
    if (map_fields(L, root, "", keys, f) < 0)
        return -1;
    if (f[K_NAME].val) {
        const char *s = need_scalar(L, f[K_NAME].val, "name", "a string");
        if (!s)
            return -1;
        m->name = xstrdup(s);
    }
    if (f[K_DESC].val) {
        const char *s = need_scalar(L, f[K_DESC].val, "description", "a string");
        if (!s)
            return -1;
        m->description = xstrdup(s);
    }
    if (!f[K_DURATION].val)
        return fail(L, root, "missing key 'duration' (how long to simulate, e.g. 10m)");
    if (get_positive_duration(L, f[K_DURATION].val, "duration", &m->duration) < 0)
        return -1;
    /* one row a second, or a single row for a run shorter than that */
    m->sample = m->duration < T_SEC ? m->duration : T_SEC;
    if (f[K_SAMPLE].val && get_positive_duration(L, f[K_SAMPLE].val, "sample", &m->sample) < 0)
        return -1;
    if (m->sample > m->duration)
        return fail(L, f[K_SAMPLE].val, "sample: the telemetry interval must not be longer than duration");
    if (m->duration / m->sample > 10000000)
        return fail(L, f[K_SAMPLE].val ? f[K_SAMPLE].val : f[K_DURATION].val,
                    "sample: %lld intervals is too many rows; use a longer sample",
                    (long long)(m->duration / m->sample));
    m->seed = 1;
    if (f[K_SEED].val) {
        const char *sv = need_scalar(L, f[K_SEED].val, "seed", "a whole number");
        if (!sv)
            return -1;
        char *end;
        errno = 0;
        m->seed = strtoull(sv, &end, 10);
        if (errno || *end || !*sv || sv[0] == '-' || sv[0] == '+')
            return fail(L, f[K_SEED].val, "seed: expected a whole number from 0 to 2^64-1, got '%s'", sv);
    }

    if (!f[K_SERVICES].val)
        return fail(L, root, "missing key 'services' (the services requests flow through)");
    if (!f[K_CLIENTS].val)
        return fail(L, root, "missing key 'clients' (where the load comes from)");
    refs r = {0};
    int rc = -1;
    yaml_node_pair_t *pairs;
    /* caches first: calls, faults and actions name them */
    if (f[K_CACHES].val) {
        if (get_entities(L, f[K_CACHES].val, "caches", &m->ncaches, &pairs) < 0)
            goto out;
        m->caches = xcalloc(m->ncaches, sizeof *m->caches);
        for (size_t i = 0; i < m->ncaches; i++)
            if (get_cache(L, node_at(L, pairs[i].key), node_at(L, pairs[i].value), &m->caches[i], &r) < 0)
                goto out;
    }
    if (get_entities(L, f[K_SERVICES].val, "services", &m->nservices, &pairs) < 0)
        goto out;
    m->services = xcalloc(m->nservices, sizeof *m->services);
    for (size_t i = 0; i < m->nservices; i++)
        if (get_service(L, node_at(L, pairs[i].key), node_at(L, pairs[i].value), &m->services[i], &r) < 0)
            goto out;
    if (get_entities(L, f[K_CLIENTS].val, "clients", &m->nclients, &pairs) < 0)
        goto out;
    m->clients = xcalloc(m->nclients, sizeof *m->clients);
    for (size_t i = 0; i < m->nclients; i++) {
        yaml_node_t *k = node_at(L, pairs[i].key);
        if (model_find_service(m, yd_text(k)) >= 0) {
            fail(L, k, "clients: '%s' is also a service name; one name must mean one thing (it prefixes CSV columns)",
                 yd_text(k));
            goto out;
        }
        if (get_client(L, k, node_at(L, pairs[i].value), &m->clients[i], &r) < 0)
            goto out;
    }
    if (f[K_FAULTS].val) {
        yaml_node_t *fl = f[K_FAULTS].val;
        if (fl->type != YAML_SEQUENCE_NODE) {
            fail(L, fl, "faults: expected a list of fault windows, got %s", yd_type_name(fl));
            goto out;
        }
        m->nfaults = (size_t)(fl->data.sequence.items.top - fl->data.sequence.items.start);
        m->faults = xcalloc(m->nfaults, sizeof *m->faults);
        for (size_t i = 0; i < m->nfaults; i++) {
            pathf(p, "faults[%zu]", i);
            if (get_fault(L, node_at(L, fl->data.sequence.items.start[i]), p, &m->faults[i], &r) < 0)
                goto out;
        }
    }
    if (f[K_ACTIONS].val) {
        yaml_node_t *al = f[K_ACTIONS].val;
        if (al->type != YAML_SEQUENCE_NODE) {
            fail(L, al, "actions: expected a list of actions, got %s", yd_type_name(al));
            goto out;
        }
        m->nactions = (size_t)(al->data.sequence.items.top - al->data.sequence.items.start);
        m->actions = xcalloc(m->nactions, sizeof *m->actions);
        for (size_t i = 0; i < m->nactions; i++) {
            pathf(p, "actions[%zu]", i);
            if (get_action(L, node_at(L, al->data.sequence.items.start[i]), p, &m->actions[i]) < 0)
                goto out;
        }
    }
    if (f[K_AUTOSCALERS].val && get_autoscalers(L, f[K_AUTOSCALERS].val) < 0)
        goto out;
    set_slots(m);
    if (resolve_refs(L, &r) < 0)
        goto out;
    for (size_t i = 0; i < m->nfaults; i++) {
        fault_spec *ft = &m->faults[i];
        /* a scaled service loses replica slots: at most as many as it has */
        if (ft->kind == FAULT_LOSE_REPLICAS && ft->replicas > m->services[ft->target].slots) {
            err_set(L->err, L->file, ft->value_pos.line, ft->value_pos.col,
                    "faults[%zu].lose_replicas: %s has only %ld replicas, cannot lose %ld", i,
                    m->services[ft->target].name, m->services[ft->target].slots, ft->replicas);
            goto out;
        }
    }
    if (check_bulkheads(L) < 0)
        goto out;
    if (check_caches(L) < 0)
        goto out;
    /* availability: avail_load.c */
    if (f[K_INFRA].val && avail_load_infra(&L->y, f[K_INFRA].val, m) < 0)
        goto out;
    if (f[K_CCF].val && avail_load_ccf(&L->y, f[K_CCF].val, m) < 0)
        goto out;
    if (avail_load_check(&L->y, m) < 0)
        goto out;
    rc = check_calls_acyclic(L);
    /* last: a hypothesis names any entity, and its window the faults */
    if (rc == 0 && f[K_HYPOTHESES].val)
        rc = hypotheses_read(&L->y, f[K_HYPOTHESES].val, m);
out:
    free(r.v);
    return rc;
}

static int apply_edits(loader *L, const model_edit *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (L->y.norigins < 8) {
            L->y.origin_first[L->y.norigins] = (int)(L->doc.nodes.top - L->doc.nodes.start) + 1;
            L->y.origin_file[L->y.norigins++] = e[i].origin ? e[i].origin : L->file;
        }
        int rc = e[i].patch ? yedit_merge(&L->doc, e[i].patch, e[i].patch_node, e[i].origin, L->err)
                            : yedit_set(&L->doc, e[i].set_path, e[i].set_value, e[i].origin, L->err);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static model *load(yaml_parser_t *parser, const char *name, const model_edit *edits, size_t nedits, eddy_error *err)
{
    loader L = {.file = name, .err = err};
    L.y = (yamldoc){.doc = &L.doc, .file = name, .err = err};
    L.m = xcalloc(1, sizeof *L.m);
    L.m->file = xstrdup(name);
    if (!yaml_parser_load(parser, &L.doc)) {
        err_set(err, name, (int)parser->problem_mark.line + 1, (int)parser->problem_mark.column + 1,
                "not valid YAML: %s%s%s", parser->problem ? parser->problem : "syntax error",
                parser->context ? " " : "", parser->context ? parser->context : "");
        model_free(L.m);
        return NULL;
    }
    int rc = apply_edits(&L, edits, nedits);
    if (rc == 0)
        rc = get_model(&L, yaml_document_get_root_node(&L.doc));
    yaml_document_delete(&L.doc);
    if (rc < 0) {
        model_free(L.m);
        return NULL;
    }
    return L.m;
}

model *model_load_string(const char *text, size_t len, const char *name, eddy_error *err)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        err_set(err, name, 0, 0, "out of memory");
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    model *m = load(&parser, name, NULL, 0, err);
    yaml_parser_delete(&parser);
    return m;
}

model *model_load_edited(const char *path, const model_edit *edits, size_t nedits, eddy_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        err_set(err, path, 0, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        fclose(fp);
        err_set(err, path, 0, 0, "out of memory");
        return NULL;
    }
    yaml_parser_set_input_file(&parser, fp);
    model *m = load(&parser, path, edits, nedits, err);
    yaml_parser_delete(&parser);
    fclose(fp);
    return m;
}

model *model_load(const char *path, eddy_error *err) { return model_load_edited(path, NULL, 0, err); }

void model_free(model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nclients; i++) {
        free(m->clients[i].name);
        free(m->clients[i].steps);
    }
    for (size_t i = 0; i < m->nservices; i++) {
        free(m->services[i].name);
        free(m->services[i].calls);
        for (size_t j = 0; j < m->services[i].nbulkheads; j++)
            free(m->services[i].bulkheads[j].caller);
        free(m->services[i].bulkheads);
        avail_load_free_service(&m->services[i]);
    }
    avail_load_free(m);
    free(m->clients);
    free(m->services);
    free(m->faults);
    free(m->actions);
    for (size_t i = 0; i < m->nautoscalers; i++)
        free(m->autoscalers[i].name);
    free(m->autoscalers);
    for (size_t i = 0; i < m->ncaches; i++)
        free(m->caches[i].name);
    free(m->caches);
    hypotheses_free(m);
    free(m->file);
    free(m->name);
    free(m->description);
    free(m);
}

int model_find_service(const model *m, const char *name)
{
    for (size_t i = 0; i < m->nservices; i++)
        if (m->services[i].name && !strcmp(m->services[i].name, name))
            return (int)i;
    return -1;
}

int model_find_client(const model *m, const char *name)
{
    for (size_t i = 0; i < m->nclients; i++)
        if (m->clients[i].name && !strcmp(m->clients[i].name, name))
            return (int)i;
    return -1;
}

int model_find_cache(const model *m, const char *name)
{
    for (size_t i = 0; i < m->ncaches; i++)
        if (m->caches[i].name && !strcmp(m->caches[i].name, name))
            return (int)i;
    return -1;
}

const char *fault_target_name(const model *m, const fault_spec *f)
{
    return f->kind == FAULT_FLUSH ? m->caches[f->target].name : m->services[f->target].name;
}

const char *backoff_name(backoff_kind k)
{
    static const char *n[] = {"none", "constant", "exponential"};
    return n[k];
}

const char *jitter_name(jitter_kind k)
{
    static const char *n[] = {"none", "full", "equal", "decorrelated"};
    return n[k];
}

const char *scale_metric_name(scale_metric k)
{
    static const char *n[] = {"cpu", "queue", "rps"};
    return n[k];
}

const char *fault_kind_name(fault_kind k)
{
    static const char *n[] = {"slow", "add_latency", "errors", "down", "lose_replicas", "flush", "restart"};
    return n[k];
}
