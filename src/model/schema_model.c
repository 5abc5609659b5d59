/* schema_model.c -- the model format: one schema table per section.
 *
 * Each key's type, default, range, words and meaning are data here; the
 * walker (schema.c) reads them, `eddy schema` prints them as JSON Schema
 * and `make docs` writes them into docs/model.md.  What involves several
 * keys at once (one of two keys, a key that has no effect without another,
 * min below max) is a table's `rule`, below its table.  Defaults are written
 * as a user would write them and converted by the loader's own code. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "avail_load.h"
#include "cond.h"
#include "hypotheses.h"
#include "schema.h"
#include "units.h"
#include "../core/xalloc.h"

#define OFF(T, f) offsetof(T, f)
#define POS(T, f) (offsetof(T, f) + 1)
#define F(name) sk_field_of(self, f, name)
#define BIT(i) (1u << (i))

static model_pos pos_of(const yaml_node_t *n) { return (model_pos){yd_line(n), yd_col(n)}; }

static const char *const W_OUTCOMES[] = {"timeout", "error", "reject", NULL};
static const char *const W_FALLBACK[] = {"none", "default", NULL};
static const char *const W_OFF[] = {"off", "none", "false", NULL};
static const char *const W_EFFECT[] = {"read", "write", NULL};

/* ---- keys read elsewhere --------------------------------------------------- */

/* `hypotheses:` is read by hypotheses.c, from load.c, once every entity
 * is known; the walker only places it (unknown, duplicate keys). */
static int read_later(schema_ctx *S, const schema_key *k, yaml_node_t *v, const char *path, void *obj)
{
    (void)S, (void)k, (void)v, (void)path, (void)obj;
    return 0;
}

/* ---- distributions ------------------------------------------------------ */

/* What a distribution mapping is read into, before dist_* builds it. */
typedef struct dist_in {
    int kind;
    simtime value, mean, median, p99, min, max;
    double cv;
    dist out;
} dist_in;

static const char *const W_DIST[] = {"constant", "exponential", "lognormal", "gamma", "uniform", NULL};
enum { D_CONST = BIT(DIST_CONSTANT), D_EXP = BIT(DIST_EXPONENTIAL), D_LOGN = BIT(DIST_LOGNORMAL),
       D_GAMMA = BIT(DIST_GAMMA), D_UNI = BIT(DIST_UNIFORM) };

static int dist_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path);

static const schema_key dist_keys[] = {
    {.name = "dist", .type = SK_ENUM, .flags = SKF_REQUIRED, .off = OFF(dist_in, kind), .words = W_DIST,
     .hint = "one of exponential, lognormal, gamma, uniform or constant", .doc = "The family."},
    {.name = "value", .type = SK_DURATION, .off = OFF(dist_in, value), .only = D_CONST, .doc = "constant: the value"},
    {.name = "mean", .type = SK_DURATION, .off = OFF(dist_in, mean), .only = D_EXP | D_LOGN | D_GAMMA,
     .doc = "exponential, lognormal, gamma: the mean"},
    {.name = "median", .type = SK_DURATION, .off = OFF(dist_in, median), .only = D_LOGN,
     .doc = "lognormal: the median (with `p99`)"},
    {.name = "p99", .type = SK_DURATION, .off = OFF(dist_in, p99), .only = D_LOGN,
     .doc = "lognormal: the 99th percentile (with `median`)"},
    {.name = "cv", .type = SK_NUMBER, .off = OFF(dist_in, cv), .only = D_LOGN | D_GAMMA,
     .doc = "lognormal, gamma: the coefficient of variation (with `mean`)"},
    {.name = "min", .type = SK_DURATION, .off = OFF(dist_in, min), .only = D_UNI, .doc = "uniform: the least value"},
    {.name = "max", .type = SK_DURATION, .off = OFF(dist_in, max), .only = D_UNI, .doc = "uniform: the greatest value"},
    {0},
};
static const schema_table dist_table = {
    .id = "distribution", .noun = "distribution", .keys = dist_keys, .selector = "dist", .rule = dist_rule,
    .expected = "a duration or a distribution such as {dist: exponential, mean: 5ms}",
};

static int dist_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path)
{
    const schema_table *self = &dist_table;
    dist_in *d = obj;
    static const char *const needs[] = {"value", "mean", "median and p99, or mean and cv", "mean and cv",
                                        "min and max"};
    bool v = F("value")->val, mean = F("mean")->val, med = F("median")->val, p99 = F("p99")->val,
         cv = F("cv")->val, lo = F("min")->val, hi = F("max")->val;
    bool ok = d->kind == DIST_CONSTANT    ? v
              : d->kind == DIST_EXPONENTIAL ? mean
              : d->kind == DIST_LOGNORMAL   ? (med && p99 && !mean && !cv) || (mean && cv && !med && !p99)
              : d->kind == DIST_GAMMA       ? mean && cv
                                            : lo && hi;
    if (!ok)
        return sk_fail(S, n, "%s: %s %s distribution needs %s", path, d->kind == DIST_EXPONENTIAL ? "an" : "a",
                       W_DIST[d->kind], needs[d->kind]);
    switch (d->kind) {
    case DIST_CONSTANT:
        d->out = dist_constant(d->value);
        break;
    case DIST_EXPONENTIAL:
        d->out = dist_exponential(d->mean);
        break;
    case DIST_LOGNORMAL:
        if (med) {
            if (d->median <= 0 || d->p99 <= d->median)
                return sk_fail(S, F("p99")->val, "%s: p99 must be greater than median, and median greater than zero",
                               path);
            d->out = dist_lognormal_median_p99(d->median, d->p99);
            break;
        }
        /* mean and cv */
        __attribute__((fallthrough));
    case DIST_GAMMA:
        if (d->mean <= 0 || d->cv <= 0)
            return sk_fail(S, n, "%s: mean and cv must be greater than zero", path);
        d->out = d->kind == DIST_GAMMA ? dist_gamma_mean_cv(d->mean, d->cv) : dist_lognormal_mean_cv(d->mean, d->cv);
        break;
    case DIST_UNIFORM:
        if (d->max < d->min)
            return sk_fail(S, F("max")->val, "%s: max must not be less than min", path);
        d->out = dist_uniform(d->min, d->max);
        break;
    }
    return 0;
}

/* A duration (a constant) or a distribution mapping, into a dist. */
static int read_dist(schema_ctx *S, const schema_key *k, yaml_node_t *v, const char *path, void *obj)
{
    dist *out = (dist *)((char *)obj + k->off);
    if (v->type == YAML_SCALAR_NODE) {
        simtime t;
        if (units_duration(yd_text(v), &t) < 0) {
            char hint[128];
            return sk_fail(S, v,
                           "%s: expected a duration such as 5ms, or a distribution such as {dist: exponential, mean: "
                           "5ms}; got '%s'%s",
                           path, yd_text(v), schema_unit_hint(yd_text(v), SK_DURATION, hint, sizeof hint));
        }
        *out = dist_constant(t);
        return 0;
    }
    dist_in d = {0};
    if (schema_read(S, &dist_table, v, v, path, &d) < 0)
        return -1;
    *out = d.out;
    return 0;
}

#define DIST_KEY(NAME, OFFSET, FLAGS, HINT, DEF, DOC)                                                                \
    {.name = NAME, .type = SK_MAP, .flags = FLAGS, .off = OFFSET, .sub = &dist_table, .alt = SK_DURATION,           \
     .read = read_dist, .hint = HINT, .def = DEF, .doc = DOC,                                                        \
     .what = "a duration or a distribution (§4.2)"}

/* ---- availability (§10): failure processes, infra, depends_on, ccf ------ */

/* A repair-time distribution, read before repair_* builds it.  Its words
 * follow repair.h's kinds; a bare duration is an exponential's mean. */
typedef struct repair_in {
    int kind;
    simtime value, mean, median, p99, scale;
    double cv, shape;
    repair out;
} repair_in;

static const char *const W_REPAIR[] = {"constant", "exponential", "lognormal", "weibull", NULL};
enum { R_CONST = BIT(REPAIR_CONSTANT), R_EXP = BIT(REPAIR_EXPONENTIAL), R_LOGN = BIT(REPAIR_LOGNORMAL),
       R_WEIB = BIT(REPAIR_WEIBULL) };

static int repair_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path);

static const schema_key repair_keys[] = {
    {.name = "dist", .type = SK_ENUM, .flags = SKF_REQUIRED, .off = OFF(repair_in, kind), .words = W_REPAIR,
     .hint = "one of exponential, lognormal, weibull or constant", .doc = "The family."},
    {.name = "value", .type = SK_DURATION, .flags = SKF_POSITIVE, .off = OFF(repair_in, value), .only = R_CONST,
     .doc = "constant: every repair takes this long"},
    {.name = "mean", .type = SK_DURATION, .flags = SKF_POSITIVE, .off = OFF(repair_in, mean),
     .only = R_EXP | R_LOGN | R_WEIB, .doc = "exponential, lognormal (with `cv`), weibull (with `shape`): the mean"},
    {.name = "median", .type = SK_DURATION, .flags = SKF_POSITIVE, .off = OFF(repair_in, median), .only = R_LOGN,
     .doc = "lognormal: the median (with `p99`)"},
    {.name = "p99", .type = SK_DURATION, .flags = SKF_POSITIVE, .off = OFF(repair_in, p99), .only = R_LOGN,
     .doc = "lognormal: the 99th percentile (with `median`)"},
    {.name = "cv", .type = SK_NUMBER, .flags = SKF_POSITIVE, .off = OFF(repair_in, cv), .only = R_LOGN,
     .doc = "lognormal: the coefficient of variation (with `mean`)"},
    {.name = "shape", .type = SK_NUMBER, .off = OFF(repair_in, shape), .min = 0.1, .max = 20, .only = R_WEIB,
     .doc = "weibull: the shape k, 0.1 to 20 (with `mean` or `scale`)"},
    {.name = "scale", .type = SK_DURATION, .flags = SKF_POSITIVE, .off = OFF(repair_in, scale), .only = R_WEIB,
     .doc = "weibull: the scale λ (with `shape`)"},
    {0},
};
static const schema_table repair_table = {
    .id = "repair", .noun = "repair time", .keys = repair_keys, .selector = "dist", .rule = repair_rule,
    .expected = "a duration such as 30m, or a distribution such as {dist: lognormal, median: 20m, p99: 4h}",
};

static double secs(simtime t) { return (double)t / T_SEC; }

static int repair_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path)
{
    const schema_table *self = &repair_table;
    repair_in *r = obj;
    static const char *const needs[] = {"value", "mean", "mean and cv, or median and p99",
                                        "shape and mean, or shape and scale"};
    bool v = F("value")->val, mean = F("mean")->val, med = F("median")->val, p99 = F("p99")->val,
         cv = F("cv")->val, shape = F("shape")->val, scale = F("scale")->val;
    bool ok = r->kind == REPAIR_CONSTANT      ? v
              : r->kind == REPAIR_EXPONENTIAL ? mean
              : r->kind == REPAIR_LOGNORMAL   ? (med && p99 && !mean && !cv) || (mean && cv && !med && !p99)
                                              : shape && mean != scale;
    if (!ok)
        return sk_fail(S, n, "%s: a%s %s repair time needs %s", path, r->kind == REPAIR_EXPONENTIAL ? "n" : "",
                       W_REPAIR[r->kind], needs[r->kind]);
    switch (r->kind) {
    case REPAIR_CONSTANT:
        r->out = repair_constant(secs(r->value));
        break;
    case REPAIR_EXPONENTIAL:
        r->out = repair_exponential(secs(r->mean));
        break;
    case REPAIR_LOGNORMAL:
        if (med) {
            if (r->p99 <= r->median)
                return sk_fail(S, F("p99")->val, "%s: p99 must be greater than median", path);
            r->out = repair_lognormal_median_p99(secs(r->median), secs(r->p99));
        } else {
            r->out = repair_lognormal_mean_cv(secs(r->mean), r->cv);
        }
        break;
    default:
        r->out = mean ? repair_weibull_mean(r->shape, secs(r->mean)) : repair_weibull(r->shape, secs(r->scale));
        break;
    }
    return 0;
}

/* mttr: a duration (the mean of an exponential repair) or a distribution. */
static int read_repair(schema_ctx *S, const schema_key *k, yaml_node_t *v, const char *path, void *obj)
{
    repair *out = (repair *)((char *)obj + k->off);
    if (v->type == YAML_SCALAR_NODE) {
        static const schema_key mean = {.name = "mttr", .type = SK_DURATION, .flags = SKF_POSITIVE};
        simtime t = 0;
        if (schema_conv(S, &mean, v, path, &t) < 0)
            return -1;
        *out = repair_exponential(secs(t));
        return 0;
    }
    repair_in r = {0};
    if (schema_read(S, &repair_table, v, v, path, &r) < 0)
        return -1;
    *out = r.out;
    return 0;
}

/* The keys of a failure process, in a struct whose failures_spec is at
 * BASE: a service's `failures:` and an infra entry (which is one). */
#define FAILURE_KEYS(BASE)                                                                                           \
    {.name = "mtbf", .type = SK_DURATION, .flags = SKF_POSITIVE, .off = (BASE) + OFF(failures_spec, mtbf_given),     \
     .def_doc = "one of `mtbf` and `availability`", .doc = "Mean time between failures (up time), e.g. `720h`."},    \
    {.name = "availability", .type = SK_FRACTION, .off = (BASE) + OFF(failures_spec, availability),                  \
     .def_doc = "one of `mtbf` and `availability`",                                                                 \
     .doc = "Instead of `mtbf`: the fraction of time up, above 0 and below 1; `mtbf = mean(mttr) a / (1 - a)`."},    \
    {.name = "mttr", .type = SK_MAP, .flags = SKF_REQUIRED, .off = (BASE) + OFF(failures_spec, mttr),                \
     .sub = &repair_table, .alt = SK_DURATION, .read = read_repair,                                                 \
     .what = "a duration (an exponential's mean) or a repair distribution",                                         \
     .hint = "the mean time to repair, e.g. 30m, or a distribution",                                                \
     .doc = "The repair time: a duration is the mean of an exponential repair; or a distribution (below)."}

/* mtbf from `mtbf` or from `availability` and the repair's mean. */
static int failures_derive(schema_ctx *S, failures_spec *fs, const sk_field *mtbf, const sk_field *avail,
                           yaml_node_t *n, const char *path)
{
    if (!mtbf->val == !avail->val)
        return sk_fail(S, n, "%s: give one of 'mtbf' (e.g. 720h) or 'availability' (e.g. 99.9%%), with 'mttr'", path);
    if (mtbf->val) {
        fs->mtbf = secs(fs->mtbf_given);
    } else {
        if (fs->availability <= 0 || fs->availability >= 1) {
            char p[SK_PATH];
            sk_join(p, path, "availability");
            return sk_fail(S, avail->val, "%s: expected an availability above 0%% and below 100%%, got '%s'", p,
                           yd_text(avail->val));
        }
        fs->mtbf = repair_mean(&fs->mttr) * fs->availability / (1 - fs->availability);
    }
    fs->on = true;
    fs->pos = pos_of(n);
    return 0;
}

static int failures_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path);
static const schema_key failures_keys[] = {FAILURE_KEYS(0), {0}};
static const schema_table failures_table = {
    .id = "failures", .noun = "failure process", .keys = failures_keys, .rule = failures_rule,
    .expected = "a mapping such as {mtbf: 720h, mttr: 30m}",
};
static int failures_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path)
{
    const schema_table *self = &failures_table;
    return failures_derive(S, obj, F("mtbf"), F("availability"), n, path);
}

static int infra_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path);
static const schema_key infra_keys[] = {FAILURE_KEYS(OFF(infra_spec, failures)), {0}};
static const schema_table infra_table = {
    .id = "infra", .noun = "infra entry", .keys = infra_keys, .size = sizeof(infra_spec), .kind = KIND_INFRA,
    .name_off = POS(infra_spec, name), .pos_off = POS(infra_spec, pos), .rule = infra_rule,
    .expected = "a failure process such as {mtbf: 720h, mttr: 20m}",
};
static int infra_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path)
{
    const schema_table *self = &infra_table;
    return failures_derive(S, &((infra_spec *)obj)->failures, F("mtbf"), F("availability"), n, path);
}

/* An infra entry named at node n, into r (resolved as soon as infra: is read). */
static int infra_ref_read(schema_ctx *S, yaml_node_t *n, const char *path, infra_ref *r)
{
    if (n->type != YAML_SCALAR_NODE)
        return sk_fail(S, n, "%s: expected the name of an infra entry, got %s", path, yd_type_name(n));
    r->name = xstrdup(yd_text(n));
    r->infra = -1;
    r->pos = pos_of(n);
    return schema_ref(S, KIND_INFRA, &r->infra, n, path);
}

/* zones: [zone-a, zone-b, zone-c] */
static int read_zones(schema_ctx *S, const schema_key *k, yaml_node_t *v, const char *path, void *obj)
{
    (void)k;
    service_spec *s = obj;
    if (v->type != YAML_SEQUENCE_NODE)
        return sk_fail(S, v, "%s: expected a list such as [zone-a, zone-b, zone-c], got %s", path, yd_type_name(v));
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    if (n == 0)
        return sk_fail(S, v, "%s: expected at least one zone", path);
    s->zones = xcalloc(n, sizeof *s->zones);
    for (size_t i = 0; i < n; i++) {
        char p[SK_PATH];
        snprintf(p, sizeof p, "%s[%zu]", path, i);
        s->nzones++; /* owned from here: freed with the service */
        if (infra_ref_read(S, sk_node(S, v->data.sequence.items.start[i]), p, &s->zones[i]) < 0)
            return -1;
    }
    return 0;
}

static const schema_key depends_keys[] = {
    {.name = "stale", .type = SK_DURATION, .flags = SKF_REQUIRED | SKF_POSITIVE, .off = OFF(depends_spec, stale),
     .hint = "how long the service keeps serving cached data, e.g. 10m",
     .doc = "The service keeps serving cached data this long; only an outage longer than that fails it."},
    {0},
};
static const schema_table depends_table = {
    .id = "depends", .noun = "dependency", .keys = depends_keys,
    .expected = "what an outage does: 'fail', or {stale: 10m} (served from cached data for that long)",
};

/* depends_on: [config, {dns: fail}, {auth: {stale: 10m}}] */
static int read_depends(schema_ctx *S, const schema_key *k, yaml_node_t *v, const char *path, void *obj)
{
    (void)k;
    service_spec *s = obj;
    if (v->type != YAML_SEQUENCE_NODE)
        return sk_fail(S, v, "%s: expected a list such as [config, {dns: {stale: 10m}}], got %s", path,
                       yd_type_name(v));
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    s->depends_on = xcalloc(n ? n : 1, sizeof *s->depends_on);
    for (size_t i = 0; i < n; i++) {
        char p[SK_PATH], q[SK_PATH];
        snprintf(p, sizeof p, "%s[%zu]", path, i);
        yaml_node_t *e = sk_node(S, v->data.sequence.items.start[i]);
        depends_spec *d = &s->depends_on[s->ndepends];
        if (e->type == YAML_SCALAR_NODE) {
            s->ndepends++;
            if (infra_ref_read(S, e, p, &d->on) < 0)
                return -1;
            continue;
        }
        if (e->type != YAML_MAPPING_NODE || e->data.mapping.pairs.top - e->data.mapping.pairs.start != 1)
            return sk_fail(S, e, "%s: expected an infra name, or {NAME: fail} or {NAME: {stale: 10m}}, got %s", p,
                           e->type == YAML_MAPPING_NODE ? "a mapping of several keys" : yd_type_name(e));
        yaml_node_t *key = sk_node(S, e->data.mapping.pairs.start->key);
        yaml_node_t *val = sk_node(S, e->data.mapping.pairs.start->value);
        s->ndepends++;
        if (infra_ref_read(S, key, p, &d->on) < 0)
            return -1;
        snprintf(q, sizeof q, "%s.%s", p, d->on.name);
        if (val->type == YAML_MAPPING_NODE) {
            if (schema_read(S, &depends_table, val, val, q, d) < 0)
                return -1;
        } else if (val->type != YAML_SCALAR_NODE || strcmp(yd_text(val), "fail") != 0) {
            static const char *const fail[] = {"fail", NULL};
            const char *near = val->type == YAML_SCALAR_NODE ? schema_suggest_words(yd_text(val), fail) : NULL;
            return sk_fail(S, val,
                           "%s: expected what an outage of %s does: 'fail', or {stale: 10m} (served from cached data "
                           "for that long)%s",
                           q, d->on.name, near ? " (did you mean 'fail'?)" : "");
        }
    }
    return 0;
}

/* ccf members: services or infra entries, resolved by avail_load_check
 * once both are known (a name of either kind). */
static int read_members(schema_ctx *S, const schema_key *k, yaml_node_t *v, const char *path, void *obj)
{
    (void)k;
    ccf_spec *c = obj;
    if (v->type != YAML_SEQUENCE_NODE)
        return sk_fail(S, v, "%s: expected a list such as [api, web], got %s", path, yd_type_name(v));
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    c->members = xcalloc(n ? n : 1, sizeof *c->members);
    for (size_t j = 0; j < n; j++) {
        char p[SK_PATH];
        snprintf(p, sizeof p, "%s[%zu]", path, j);
        yaml_node_t *mn = sk_node(S, v->data.sequence.items.start[j]);
        if (mn->type != YAML_SCALAR_NODE)
            return sk_fail(S, mn, "%s: expected a service or infra name, got %s", p, yd_type_name(mn));
        c->members[j] = (ccf_member){xstrdup(yd_text(mn)), -1, -1, pos_of(mn)};
        c->nmembers++;
    }
    return 0;
}

static const schema_key ccf_keys[] = {
    {.name = "members", .type = SK_CUSTOM, .flags = SKF_REQUIRED, .read = read_members,
     .what = "a list of service or infra names", .json = "{\"type\": \"array\", \"items\": {\"type\": \"string\"}}",
     .hint = "services, whose replicas fail together, or infra",
     .doc = "Services (all their replicas are members) or infra entries; each must have a failure process, and all "
            "must be down the same fraction of the time."},
    {.name = "beta", .type = SK_FRACTION, .flags = SKF_REQUIRED, .off = OFF(ccf_spec, beta),
     .hint = "the fraction of a member's failures that hit every member", .doc = "β: the share of a member's "
                                                                                  "failures that hit every member."},
    {.name = "model", .type = SK_ENUM, .off = OFF(ccf_spec, model), .words = (const char *const[]){"beta-factor", NULL},
     .def = "beta-factor", .doc = "The one model eddy implements."},
    {.name = "name", .type = SK_STRING, .off = OFF(ccf_spec, name), .def_doc = "`ccf-N`",
     .doc = "For the tree and the MEF."},
    {0},
};
static const schema_table ccf_table = {
    .id = "ccf", .noun = "common-cause group", .keys = ccf_keys, .size = sizeof(ccf_spec),
    .pos_off = POS(ccf_spec, pos), .expected = "a mapping {members: [...], model: beta-factor, beta: 5%}",
};

/* ---- retries ------------------------------------------------------------ */

static const char *const W_BUDGET[] = {"grpc", "finagle", "envoy", "aws", NULL};
enum { B_GRPC = BIT(0), B_FINAGLE = BIT(1), B_ENVOY = BIT(2), B_AWS = BIT(3) };

static const schema_key budget_keys[] = {
    {.name = "type", .type = SK_ENUM, .flags = SKF_REQUIRED, .off = OFF(budget_spec, kind), .words = W_BUDGET,
     .enum_base = BUDGET_GRPC, .hint = "one of grpc, finagle, envoy or aws", .doc = "Which reference design (below)."},
    {.name = "scope", .type = SK_ENUM, .off = OFF(budget_spec, scope), .words = (const char *const[]){"instance", "shared", NULL},
     .def = "instance",
     .doc = "One budget per caller instance (client instance, service replica), or one shared by every instance of the caller."},
    {.name = "max_tokens", .type = SK_NUMBER, .off = OFF(budget_spec, max_tokens), .min = 1, .def = "10", .only = B_GRPC,
     .doc = "grpc: the tokens it starts with and holds at most."},
    {.name = "token_ratio", .type = SK_NUMBER, .flags = SKF_POSITIVE, .off = OFF(budget_spec, token_ratio), .def = "0.1",
     .only = B_GRPC, .doc = "grpc: tokens a successful attempt adds (gRPC rejects 0)."},
    {.name = "ttl", .type = SK_DURATION, .flags = SKF_POSITIVE, .off = OFF(budget_spec, ttl), .def = "10s",
     .only = B_FINAGLE, .doc = "finagle: the sliding window."},
    {.name = "min_per_s", .type = SK_NUMBER, .off = OFF(budget_spec, min_per_s), .def = "10", .only = B_FINAGLE,
     .doc = "finagle: retries a second always allowed."},
    {.name = "percent", .type = SK_FRACTION, .off = OFF(budget_spec, percent), .def = "20%", .only = B_FINAGLE,
     .doc = "finagle: retries allowed as a share of first attempts."},
    {.name = "budget_percent", .type = SK_FRACTION, .off = OFF(budget_spec, budget_percent), .def = "20%",
     .only = B_ENVOY, .doc = "envoy: retries in flight allowed as a share of attempts in flight."},
    {.name = "min_retry_concurrency", .type = SK_COUNT, .off = OFF(budget_spec, min_retry_concurrency), .def = "3",
     .only = B_ENVOY, .doc = "envoy: retries in flight always allowed."},
    {.name = "quota", .type = SK_COUNT, .off = OFF(budget_spec, quota), .min = 1, .def = "500", .only = B_AWS,
     .doc = "aws: the retry quota, and its cap."},
    {.name = "cost", .type = SK_COUNT, .off = OFF(budget_spec, cost), .min = 1, .def = "5", .only = B_AWS,
     .doc = "aws: what a retry takes from the quota."},
    {.name = "timeout_cost", .type = SK_COUNT, .off = OFF(budget_spec, timeout_cost), .min = 1, .def = "10",
     .only = B_AWS, .doc = "aws: what a retry after a timeout takes."},
    {.name = "no_retry_increment", .type = SK_COUNT, .off = OFF(budget_spec, no_retry_increment), .def = "1",
     .only = B_AWS, .doc = "aws: what a call that needed no retry gives back."},
    {0},
};
static const schema_table budget_table = {
    .id = "budget", .noun = "budget", .keys = budget_keys, .selector = "type", .pos_off = POS(budget_spec, pos),
    .expected = "a budget such as {type: grpc, max_tokens: 10, token_ratio: 0.1}",
};

static const char *const W_BACKOFF[] = {"none", "constant", "exponential", NULL};
static const char *const W_JITTER[] = {"none", "full", "equal", "decorrelated", NULL};

static void retry_init(void *obj)
{
    retry_policy *r = obj;
    memset(r, 0, sizeof *r);
    r->attempts = 1;
    r->base = 100 * T_MS;
    r->max = 10 * T_SEC;
    r->multiplier = 2.0;
    r->on = RETRY_ON_TIMEOUT | RETRY_ON_ERROR | RETRY_ON_REJECT;
}

static int retry_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path);

static const schema_key retry_keys[] = {
    {.name = "attempts", .type = SK_COUNT, .flags = SKF_REQUIRED | SKF_INT, .off = OFF(retry_policy, attempts),
     .min = 1, .max = 100, .hint = "the number of tries, counting the first",
     .doc = "Attempts in total, **counting the first** (gRPC's maxAttempts). `attempts: 4` = the first try plus up to 3 retries."},
    {.name = "backoff", .type = SK_ENUM, .off = OFF(retry_policy, backoff), .words = W_BACKOFF, .def = "none",
     .doc = "How long to wait before a retry (formulas below)."},
    {.name = "base", .type = SK_DURATION, .off = OFF(retry_policy, base), .def = "100ms",
     .doc = "The first (or constant) backoff."},
    {.name = "max", .type = SK_DURATION, .off = OFF(retry_policy, max), .def_doc = "`10s`, or `base` if that is longer",
     .doc = "Cap on the backoff. Must be ≥ `base`."},
    {.name = "multiplier", .type = SK_NUMBER, .off = OFF(retry_policy, multiplier), .min = 1, .def = "2",
     .doc = "Growth factor of exponential backoff."},
    {.name = "jitter", .type = SK_ENUM, .off = OFF(retry_policy, jitter), .words = W_JITTER,
     .def_doc = "`full` if `backoff: exponential`, else `none`", .doc = "Randomisation of the wait."},
    {.name = "on", .type = SK_FLAGS, .off = OFF(retry_policy, on), .words = W_OUTCOMES,
     .def_doc = "`[timeout, error, reject]`", .doc = "Which failures are retried. An empty list `[]` retries nothing."},
    {.name = "budget", .type = SK_MAP, .off = OFF(retry_policy, budget), .sub = &budget_table,
     .doc = "A retry budget or throttle (§3.6)."},
    {0},
};
static const schema_table retry_table = {
    .id = "retry", .noun = "retry policy", .keys = retry_keys, .init = retry_init, .rule = retry_rule,
    .pos_off = POS(retry_policy, pos),
    .expected = "a mapping such as {attempts: 3, backoff: exponential, base: 100ms}",
};

static int retry_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path)
{
    (void)n;
    const schema_table *self = &retry_table;
    retry_policy *r = obj;
    /* gRPC and the AWS SDKs jitter exponential backoff fully by default. */
    if (r->backoff == BACKOFF_EXPONENTIAL && !F("jitter")->val)
        r->jitter = JITTER_FULL;
    if (!F("max")->val && r->base > r->max)
        r->max = r->base; /* a long base with no max: never cut below base */
    if (r->max < r->base)
        return sk_fail(S, F("max")->val, "%s: max backoff must not be less than base", path);
    /* A setting that would be ignored is a mistake to point out, not to
     * swallow: `{attempts: 3, base: 1s}` without `backoff` means no wait. */
    static const char *const waits[] = {"base", "max", "multiplier", "jitter", NULL};
    for (int i = 0; waits[i] && r->backoff == BACKOFF_NONE; i++)
        if (F(waits[i])->key)
            return sk_fail(S, F(waits[i])->key,
                           "%s: '%s' has no effect with backoff: none; set backoff: constant or exponential", path,
                           waits[i]);
    if (r->backoff == BACKOFF_CONSTANT && (F("multiplier")->key || F("max")->key)) {
        yaml_node_t *k = F("multiplier")->key ? F("multiplier")->key : F("max")->key;
        return sk_fail(S, k, "%s: '%s' has no effect with backoff: constant; use backoff: exponential", path,
                       yd_text(k));
    }
    return 0;
}

/* `retry: off` (or none, false): one attempt. */
static int retry_off(schema_ctx *S, const schema_key *k, yaml_node_t *v, const char *path, void *obj)
{
    retry_policy *r = (retry_policy *)((char *)obj + k->off);
    retry_init(r);
    r->pos = pos_of(v);
    for (int i = 0; W_OFF[i]; i++)
        if (!strcmp(yd_text(v), W_OFF[i]))
            return 0;
    return sk_fail(S, v, "%s: expected 'off' or a mapping such as {attempts: 3, backoff: exponential}; got '%s'", path,
                   yd_text(v));
}

/* ---- circuit breakers, pools, hedges, bulkheads on a call ------------------ */

static void breaker_init(void *obj) { ((breaker_spec *)obj)->record = RETRY_ON_TIMEOUT | RETRY_ON_ERROR | RETRY_ON_REJECT; }

static const schema_key breaker_keys[] = {
    {.name = "window", .type = SK_ENUM, .off = OFF(breaker_spec, window), .words = (const char *const[]){"count", "time", NULL},
     .def = "count", .doc = "Sliding window of the last `size` calls, or of the last `size` seconds (one bucket per second)."},
    {.name = "size", .type = SK_COUNT, .off = OFF(breaker_spec, size), .min = 1, .def = "100",
     .doc = "Window size: calls, or seconds."},
    {.name = "min_calls", .type = SK_COUNT, .off = OFF(breaker_spec, min_calls), .min = 1, .def = "100",
     .doc = "Calls the window must hold before the rates are judged."},
    {.name = "failure_rate", .type = SK_FRACTION, .off = OFF(breaker_spec, failure_rate), .def = "50%",
     .doc = "Open when failures / calls ≥ this."},
    {.name = "slow_rate", .type = SK_FRACTION, .off = OFF(breaker_spec, slow_rate), .def = "100%",
     .doc = "... or when slow calls / calls ≥ this."},
    {.name = "slow_duration", .type = SK_DURATION, .flags = SKF_POSITIVE, .off = OFF(breaker_spec, slow_duration),
     .def = "60s", .doc = "A call that took longer than this is slow. A timed-out call took its timeout."},
    {.name = "open_for", .type = SK_DURATION, .flags = SKF_POSITIVE, .off = OFF(breaker_spec, open_for), .def = "60s",
     .doc = "How long it stays open before it lets probes through."},
    {.name = "half_open_calls", .type = SK_COUNT, .off = OFF(breaker_spec, half_open_calls), .min = 1, .def = "10",
     .doc = "Probes permitted in half-open."},
    {.name = "record", .type = SK_FLAGS, .off = OFF(breaker_spec, record), .words = W_OUTCOMES,
     .def_doc = "all three", .doc = "The outcomes that count as failures."},
    {.name = "fallback", .type = SK_ENUM, .off = OFF(breaker_spec, fallback), .words = W_FALLBACK, .def = "none",
     .doc = "What a refused call gets: with `none`, it fails at once (status \"not permitted\", never retried). With "
            "`default`, it gets an immediate success carrying a default value, counted in `fallbacks`."},
    {0},
};
/* `breaker: off`: no breaker on this call, even with one in `platform:`. */
static int breaker_off(schema_ctx *S, const schema_key *k, yaml_node_t *v, const char *path, void *obj)
{
    breaker_spec *b = (breaker_spec *)((char *)obj + k->off);
    memset(b, 0, sizeof *b);
    breaker_init(b);
    b->pos = pos_of(v);
    for (int i = 0; W_OFF[i]; i++)
        if (!strcmp(yd_text(v), W_OFF[i]))
            return 0;
    return sk_fail(S, v, "%s: expected 'off' or a mapping such as {failure_rate: 50%%, open_for: 30s}; got '%s'", path,
                   yd_text(v));
}

static const schema_table breaker_table = {
    .id = "breaker", .noun = "breaker", .keys = breaker_keys, .init = breaker_init,
    .pos_off = POS(breaker_spec, pos), .on_off = POS(breaker_spec, on),
    .expected = "a breaker such as {failure_rate: 50%, open_for: 30s}",
};

static int pool_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path);
static const schema_key pool_keys[] = {
    {.name = "size", .type = SK_COUNT, .flags = SKF_REQUIRED, .off = OFF(pool_spec, size), .min = 1,
     .hint = "connections per caller instance",
     .doc = "Connections per caller instance (client instance, or replica of the calling service)."},
    {.name = "wait", .type = SK_BOOL, .off = OFF(pool_spec, wait), .def = "true",
     .doc = "Wait in FIFO order for a free connection. With `false`, an attempt that finds none fails at once as a rejection."},
    {.name = "wait_timeout", .type = SK_DURATION, .flags = SKF_POSITIVE | SKF_NONE, .off = OFF(pool_spec, wait_timeout),
     .def = "30s",
     .doc = "Give up waiting after this (HikariCP's `connectionTimeout`). The attempt then fails as a rejection (which "
            "`retry.on: [reject]` retries) and is counted in `pool_timeouts`. With `none`, it waits as long as its "
            "`timeout` allows. An error with `wait: false`."},
    {0},
};
static const schema_table pool_table = {
    .id = "pool", .noun = "pool", .keys = pool_keys, .rule = pool_rule, .pos_off = POS(pool_spec, pos),
    .on_off = POS(pool_spec, on), .expected = "a pool such as {size: 50, wait: true, wait_timeout: 1s}",
};
static int pool_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path)
{
    (void)n;
    const schema_table *self = &pool_table;
    if (!((pool_spec *)obj)->wait && F("wait_timeout")->key)
        return sk_fail(S, F("wait_timeout")->key, "%s: wait_timeout has no effect with wait: false", path);
    return 0;
}

static const schema_key hedge_keys[] = {
    {.name = "delay", .type = SK_DURATION, .flags = SKF_REQUIRED | SKF_POSITIVE, .off = OFF(hedge_spec, delay),
     .hint = "how long to wait for an answer before sending a hedge",
     .doc = "gRPC's `hedgingDelay`: how long to wait for an answer before the next copy. Must be shorter than the "
            "call's `timeout`. Dean and Barroso suggest the callee's p95 (about 5% more load)."},
    {.name = "attempts", .type = SK_COUNT, .flags = SKF_INT, .off = OFF(hedge_spec, attempts), .min = 2, .max = 5,
     .def = "2", .doc = "gRPC's `maxAttempts`: copies in all, the first included. gRPC caps it at 5."},
    {.name = "max_outstanding", .type = SK_COUNT, .flags = SKF_UNLIMITED, .off = OFF(hedge_spec, max_outstanding),
     .min = 1, .def = "unlimited",
     .doc = "Hedge copies (not first copies) in flight per caller instance. Over the cap no hedge is sent, and it is "
            "counted in `hedges_denied`."},
    {.name = "non_fatal", .type = SK_FLAGS, .off = OFF(hedge_spec, non_fatal),
     .words = (const char *const[]){"error", "reject", NULL},
     .bits = (const unsigned[]){RETRY_ON_ERROR, RETRY_ON_REJECT}, .def_doc = "`[]`",
     .doc = "gRPC's `nonFatalStatusCodes`. A copy failing with one of these lets the other copies go on, and sends "
            "the next hedge at once instead of after its delay. Any other failure ends the attempt at once with that "
            "failure, as in gRPC. The attempt fails with the last non-fatal failure once every copy has failed and "
            "none is left to send."},
    {.name = "budget", .type = SK_BOOL, .off = OFF(hedge_spec, budget), .def_doc = "`true` when the call has a `retry.budget`",
     .doc = "Each hedge draws on the call's retry budget as a retry does (gRPC throttles hedges with the same "
            "tokens): it goes out only while the budget has room, and counts as a retry in flight for `envoy` (as a "
            "retry after a timeout for `aws`'s `timeout_cost`). `true` needs a `retry.budget`; a budget may then be "
            "used with `retry.attempts: 1` for hedges alone."},
    {0},
};
static const schema_table hedge_table = {
    .id = "hedge", .noun = "hedging policy", .keys = hedge_keys, .pos_off = POS(hedge_spec, pos),
    .on_off = POS(hedge_spec, on),
    .expected = "a hedging policy such as {delay: 50ms, attempts: 2, max_outstanding: 10}",
};

static const schema_key call_bulkhead_keys[] = {
    {.name = "max_concurrent", .type = SK_COUNT, .flags = SKF_REQUIRED, .off = OFF(call_bulkhead_spec, max_concurrent),
     .min = 1, .hint = "calls in flight per caller instance",
     .doc = "Permits per caller instance (client instance, or replica of the calling service)."},
    {.name = "max_wait", .type = SK_DURATION, .off = OFF(call_bulkhead_spec, max_wait), .def = "0s",
     .doc = "resilience4j's `maxWaitDuration`: how long an attempt waits, in FIFO order, for a permit. `0s` refuses "
            "at once. The attempt's `timeout` is already running while it waits."},
    {.name = "fallback", .type = SK_ENUM, .off = OFF(call_bulkhead_spec, fallback), .words = W_FALLBACK, .def = "none",
     .doc = "What a refused call gets: with `none` it fails with the outcome `bulkhead`; with `default` it gets an "
            "immediate success carrying a default value (resilience4j's `fallbackMethod`)."},
    {0},
};
static const schema_table call_bulkhead_table = {
    .id = "bulkhead", .noun = "bulkhead", .keys = call_bulkhead_keys, .pos_off = POS(call_bulkhead_spec, pos),
    .on_off = POS(call_bulkhead_spec, on), .expected = "a bulkhead such as {max_concurrent: 20, max_wait: 10ms}",
};

/* The keys a client's call and a service's call share; B is where the
 * call_spec sits in the table's struct. */
#define CALL_KEYS(B, WHO)                                                                                            \
    {.name = "timeout", .type = SK_DURATION, .flags = SKF_POSITIVE | SKF_NONE, .off = (B) + OFF(call_spec, timeout), \
     .pos = (B) + POS(call_spec, timeout_pos), .def = "none", .doc = "Per attempt (§3.3)."},                         \
    {.name = "retry", .type = SK_MAP, .off = (B) + OFF(call_spec, retry), .sub = &retry_table, .alt = SK_ENUM,      \
     .alt_words = W_OFF, .alt_read = retry_off, .def_doc = "`off` (1 attempt)",                                      \
     .doc = "Retry policy (§3.5), with an optional retry budget (§3.6)."},                                           \
    DIST_KEY("latency", (B) + OFF(call_spec, latency), 0, NULL, NULL,                                                           \
             "One-way network delay, drawn independently for the request trip and for the response trip of every "   \
             "attempt."),                                                                                            \
    {.name = "breaker", .type = SK_MAP, .off = (B) + OFF(call_spec, breaker), .sub = &breaker_table,                \
     .alt = SK_ENUM, .alt_words = W_OFF, .alt_read = breaker_off,                                                    \
     .doc = "A circuit breaker on this call" WHO " (§3.7); `off`: none, whatever `platform:` says."},                 \
    {.name = "pool", .type = SK_MAP, .off = (B) + OFF(call_spec, pool), .sub = &pool_table,                         \
     .doc = "A connection pool on this call" WHO " (§3.8)."},                                                        \
    {.name = "hedge", .type = SK_MAP, .off = (B) + OFF(call_spec, hedge), .sub = &hedge_table,                      \
     .doc = "Hedged requests on this call (§3.9)."},                                                                 \
    {.name = "bulkhead", .type = SK_MAP, .off = (B) + OFF(call_spec, bulkhead), .sub = &call_bulkhead_table,        \
     .doc = "A bulkhead on this call, at the caller" WHO " (§3.10)."},                                               \
    {.name = "cache", .type = SK_REF, .kind = KIND_CACHE, .off = (B) + OFF(call_spec, cache),                       \
     .pos = (B) + POS(call_spec, cache_pos), .doc = "A look-aside cache in front of the service called (§9): only misses reach it."}, \
    {.name = "publish", .type = SK_REF, .kind = KIND_QUEUE, .off = (B) + OFF(call_spec, queue),                     \
     .pos = (B) + POS(call_spec, queue_pos), .def_doc = "none",                                                      \
     .doc = "Publish to this broker queue (§14) instead of calling a service: the attempt waits only for the "       \
            "broker's ack, with this `timeout` and `retry`. A publish into a full queue is rejected."},              \
    {.name = "effect", .type = SK_ENUM, .off = (B) + OFF(call_spec, effect), .pos = (B) + POS(call_spec, effect_pos), \
     .words = W_EFFECT, .def = "read",                                                                               \
     .doc = "`write`: the service called changes state when it completes the attempt; the integrity ledger (§14.4) " \
            "counts how often each user request's write is applied. Not on a publish: the consumer applies it."}

/* What the call keys mean together, for a client's call or a service's. */
static int call_rule(schema_ctx *S, const schema_table *self, call_spec *c, const sk_field *f, const char *path,
                     const char *to_key, model_pos missing_at)
{
    const sk_field *retry = F("retry"), *hedge = F("hedge"), *publish = F("publish");
    c->written = (F("timeout")->key ? PLATFORM_TIMEOUT : 0) | (retry->key ? PLATFORM_RETRY : 0) |
                 (F("breaker")->key ? PLATFORM_BREAKER : 0);
    /* a call goes to a service or to a broker queue, never both */
    if (publish->val && F(to_key)->val)
        return sk_fail(S, publish->key, "%s: give either '%s' (a synchronous call) or 'publish' (a broker queue), not both",
                       path, to_key);
    if (!publish->val && !F(to_key)->val) /* where a missing key is reported */
        return err_set(S->y.err, S->y.file, missing_at.line, missing_at.col,
                       "%s: missing key '%s' (the service called) or 'publish' (the queue published to)", path, to_key);
    if (publish->val) {
        c->to = -1;
        static const char *const not_on_publish[] = {"hedge", "cache", NULL};
        for (int i = 0; not_on_publish[i]; i++)
            if (F(not_on_publish[i])->key)
                return sk_fail(S, F(not_on_publish[i])->key,
                               "%s: '%s' has no effect on a publish (it goes to a broker queue, not to a service)", path,
                               not_on_publish[i]);
        if (c->effect == EFFECT_WRITE)
            return sk_fail(S, F("effect")->val,
                           "%s: effect: write belongs on the consumer group that applies the message, not on the publish",
                           path);
    } else {
        c->queue = -1;
    }
    c->has_latency = F("latency")->val && !dist_is_zero(&c->latency);
    c->has_cache = F("cache")->val != NULL;
    if (!c->has_cache)
        c->cache = 0;
    bool has_budget = c->retry.budget.kind != BUDGET_NONE;
    yaml_node_t *bkey = NULL;
    if (has_budget)
        sk_get(S, retry->val, "budget", &bkey);
    /* a hedged edge may keep a budget for its hedges alone */
    if (has_budget && c->retry.attempts == 1 && !hedge->val)
        return sk_fail(S, bkey, "%s.retry: a retry budget has no effect with attempts: 1", path);
    if (!hedge->val)
        return 0;
    char p[SK_PATH];
    sk_join(p, path, "hedge");
    if (!sk_get(S, hedge->val, "budget", NULL))
        c->hedge.budget = has_budget;
    if (c->hedge.budget && !has_budget)
        return sk_fail(S, hedge->val, "%s: budget: true needs a retry budget on this call (retry.budget)", p);
    if (c->retry.attempts == 1 && has_budget && !c->hedge.budget)
        return err_set(S->y.err, S->y.file, c->retry.budget.pos.line, c->retry.budget.pos.col,
                       "%s.retry.budget: a retry budget has no effect with attempts: 1 and hedge.budget: false", path);
    if (c->timeout > 0 && c->hedge.delay >= c->timeout)
        return sk_fail(S, hedge->val, "%s: delay must be shorter than the call's timeout, or no hedge is ever sent", p);
    return 0;
}

/* ---- clients ------------------------------------------------------------- */

static const schema_key step_keys[] = {
    {.name = "at", .type = SK_DURATION, .flags = SKF_REQUIRED, .off = OFF(rate_step, at), .hint = "when the step starts",
     .doc = "When the rate changes."},
    {.name = "rate", .type = SK_RATE, .flags = SKF_REQUIRED, .off = OFF(rate_step, rate), .hint = "the rate from then on",
     .doc = "The rate from then on."},
    {0},
};
static const schema_table step_table = {
    .id = "step", .noun = "step", .keys = step_keys, .size = sizeof(rate_step), .min_one = true,
    .expected = "a step {at: 10s, rate: 80/s}",
};

/* `rate: 800/s`: one step from t = 0. */
static int rate_scalar(schema_ctx *S, const schema_key *k, yaml_node_t *v, const char *path, void *obj)
{
    client_spec *c = obj;
    (void)k;
    c->steps = xcalloc(1, sizeof *c->steps);
    c->nsteps = 1;
    return schema_conv(S, &step_keys[1], v, path, &c->steps[0]);
}

static int client_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path);
static void client_init(void *obj)
{
    client_spec *c = obj;
    retry_init(&c->call.retry);
    c->call.to = c->call.queue = -1;
}

#define CB OFF(client_spec, call)
static const schema_key client_keys[] = {
    {.name = "call", .type = SK_REF, .kind = KIND_SERVICE, .off = CB + OFF(call_spec, to),
     .pos = CB + POS(call_spec, to_pos), .def_doc = "one of `call`/`publish` is required",
     .doc = "The service each user request calls. It may be defined anywhere in the file."},
    {.name = "rate", .type = SK_LIST, .off = OFF(client_spec, steps), .count = OFF(client_spec, nsteps),
     .sub = &step_table, .alt = SK_RATE, .alt_read = rate_scalar, .def_doc = "one of `rate`/`users` is required",
     .what = "a rate such as 800/s, or a list of steps [{at: 0s, rate: 40/s}, ...]", .doc = "Open loop. See §3.1."},
    {.name = "users", .type = SK_COUNT, .off = OFF(client_spec, users), .min = 1,
     .doc = "Closed loop: the number of users. Requires `think`."},
    DIST_KEY("think", OFF(client_spec, think), 0, NULL, NULL,
             "Closed loop: each user's think time between the end of one request and the start of the next. "
             "Required with `users`, an error with `rate`."),
    CALL_KEYS(CB, ""),
    {.name = "deadline", .type = SK_DURATION, .flags = SKF_POSITIVE, .off = OFF(client_spec, deadline),
     .doc = "For the whole user request, retries and backoff included (§3.4)."},
    {.name = "instances", .type = SK_COUNT, .off = OFF(client_spec, instances), .min = 1, .max = 100000, .def = "1",
     .doc = "Client instances (processes) the load is spread over. Budgets, breakers, pools, hedge caps and "
            "bulkheads keep state per instance. An open-loop user request goes to an instance chosen at random; "
            "closed-loop users are spread evenly."},
    {0},
};
#undef CB
static const schema_table client_table = {
    .id = "client", .noun = "client", .keys = client_keys, .size = sizeof(client_spec), .kind = KIND_CLIENT,
    .name_off = POS(client_spec, name), .pos_off = POS(client_spec, pos), .rule = client_rule, .min_one = true,
    .init = client_init,
    .expected = "a mapping with 'call' and either 'rate' or 'users'",
};

static int client_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path)
{
    const schema_table *self = &client_table;
    client_spec *c = obj;
    c->call.pos = pos_of(n);
    if (call_rule(S, self, &c->call, f, path, "call", c->pos) < 0)
        return -1;
    const sk_field *rate = F("rate"), *users = F("users"), *think = F("think");
    if (rate->val && users->val)
        return sk_fail(S, users->key,
                       "%s: give either 'rate' (open loop) or 'users' with 'think' (closed loop), not both", path);
    if (rate->val && think->val)
        return sk_fail(S, think->key, "%s: 'think' belongs to a closed-loop client with 'users', not with 'rate'", path);
    if (users->val && !think->val)
        return sk_fail(S, users->key, "%s: a closed-loop client with 'users' needs 'think' (a duration or distribution)",
                       path);
    if (!rate->val && !users->val) /* at the client's name, as a missing key is */
        return err_set(S->y.err, S->y.file, c->pos.line, c->pos.col,
                       "%s: missing load: give 'rate' (open loop, e.g. 800/s) or 'users' with 'think' (closed loop)",
                       path);
    c->closed = users->val != NULL;
    for (size_t i = 1; rate->val && rate->val->type == YAML_SEQUENCE_NODE && i < c->nsteps; i++)
        if (c->steps[i].at <= c->steps[i - 1].at) {
            char p[SK_PATH];
            snprintf(p, sizeof p, "%s.rate[%zu].at", path, i);
            return sk_fail(S, sk_get(S, sk_node(S, rate->val->data.sequence.items.start[i]), "at", NULL),
                           "%s: steps must be in increasing order of 'at'", p);
        }
    return 0;
}

/* ---- services -------------------------------------------------------------- */

static int service_call_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path);
static void service_call_init(void *obj)
{
    call_spec *c = obj;
    retry_init(&c->retry);
    c->to = c->queue = -1;
}
static const schema_key service_call_keys[] = {
    {.name = "to", .type = SK_REF, .kind = KIND_SERVICE, .off = OFF(call_spec, to), .pos = POS(call_spec, to_pos),
     .def_doc = "one of `to`/`publish` is required",
     .doc = "The service called. It may be defined further down the file."},
    CALL_KEYS(0, ", per replica of the calling service"),
    {0},
};
static const schema_table service_call_table = {
    .id = "call", .noun = "call", .keys = service_call_keys, .size = sizeof(call_spec), .rule = service_call_rule,
    .init = service_call_init,
    .pos_off = POS(call_spec, pos), .expected = "a call such as {to: db, timeout: 2s}",
};
static int service_call_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path)
{
    return call_rule(S, &service_call_table, obj, f, path, "to", pos_of(n));
}

static const schema_key contention_keys[] = {
    {.name = "sigma", .type = SK_NUMBER, .off = OFF(service_spec, sigma), .def = "0",
     .doc = "Contention: the serial fraction of the Universal Scalability Law."},
    {.name = "kappa", .type = SK_NUMBER, .off = OFF(service_spec, kappa), .def = "0",
     .doc = "Coherency: the crosstalk coefficient of the Universal Scalability Law."},
    {0},
};
static const schema_table contention_table = {
    .id = "contention", .noun = "contention", .keys = contention_keys, .expected = "a mapping {sigma, kappa}",
};

static const char *const W_ALGO[] = {"fixed", "aimd", "gradient2", NULL};
enum { L_FIXED = BIT(0), L_AIMD = BIT(1), L_G2 = BIT(2) };
static int limit_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path);
static const schema_key limit_keys[] = {
    {.name = "algorithm", .type = SK_ENUM, .flags = SKF_REQUIRED, .off = OFF(limit_spec, kind), .words = W_ALGO,
     .enum_base = LIMIT_FIXED, .hint = "fixed, aimd or gradient2", .doc = "The limit's algorithm (below)."},
    {.name = "initial", .type = SK_COUNT, .flags = SKF_DOUBLE, .off = OFF(limit_spec, initial), .min = 1, .def = "20",
     .only = L_FIXED | L_AIMD | L_G2, .doc = "The limit at the start (**required** for `fixed`: the limit)."},
    {.name = "min", .type = SK_COUNT, .flags = SKF_DOUBLE, .off = OFF(limit_spec, min), .min = 1, .def = "20",
     .only = L_AIMD | L_G2, .doc = "The least the limit falls to."},
    {.name = "max", .type = SK_COUNT, .flags = SKF_DOUBLE, .off = OFF(limit_spec, max), .min = 1, .def = "200",
     .only = L_AIMD | L_G2, .doc = "The most the limit grows to."},
    {.name = "backoff", .type = SK_FRACTION, .flags = SKF_EXCL, .off = OFF(limit_spec, backoff), .min = 0, .max = 1,
     .def = "0.9", .only = L_AIMD, .doc = "aimd: the factor applied on a drop."},
    {.name = "timeout", .type = SK_DURATION, .flags = SKF_POSITIVE, .off = OFF(limit_spec, timeout), .def = "5s",
     .only = L_AIMD, .doc = "aimd: a response slower than this is a drop."},
    {.name = "smoothing", .type = SK_FRACTION, .flags = SKF_POSITIVE, .off = OFF(limit_spec, smoothing), .def = "0.2",
     .only = L_G2, .doc = "gradient2: how far each update moves the limit."},
    {.name = "tolerance", .type = SK_NUMBER, .off = OFF(limit_spec, tolerance), .min = 1, .def = "1.5", .only = L_G2,
     .doc = "gradient2: rttTolerance."},
    {.name = "long_window", .type = SK_COUNT, .off = OFF(limit_spec, long_window), .min = 1, .def = "600",
     .only = L_G2, .doc = "gradient2: samples in the long-term response time average."},
    {.name = "queue_size", .type = SK_NUMBER, .off = OFF(limit_spec, queue_size), .min = 0, .def = "4", .only = L_G2,
     .doc = "gradient2: headroom added at each update."},
    {0},
};
static const schema_table limit_table = {
    .id = "limit", .noun = "limit", .keys = limit_keys, .selector = "algorithm", .rule = limit_rule,
    .pos_off = POS(limit_spec, pos), .expected = "a limit such as {algorithm: aimd, initial: 20, max: 200}",
};
static int limit_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path)
{
    const schema_table *self = &limit_table;
    limit_spec *l = obj;
    if (l->kind == LIMIT_FIXED) {
        if (!F("initial")->val)
            return sk_fail(S, n, "%s: missing key 'initial' (the fixed limit on requests a replica admits)", path);
        l->min = l->max = l->initial;
        return 0;
    }
    if (l->min > l->max)
        return sk_fail(S, F("min")->val ? F("min")->val : n, "%s: min (%g) must not exceed max (%g)", path, l->min,
                       l->max);
    if (l->initial < l->min || l->initial > l->max)
        return sk_fail(S, F("initial")->val ? F("initial")->val : n,
                       "%s: initial (%g) must lie between min (%g) and max (%g)", path, l->initial, l->min, l->max);
    return 0;
}

static const schema_key codel_keys[] = {
    {.name = "target", .type = SK_DURATION, .flags = SKF_POSITIVE, .off = OFF(shed_spec, codel_target), .def = "5ms",
     .doc = "CoDel's target queueing delay."},
    {.name = "interval", .type = SK_DURATION, .flags = SKF_POSITIVE, .off = OFF(shed_spec, codel_interval),
     .def = "100ms", .doc = "CoDel's interval."},
    {0},
};
static const schema_table codel_table = {
    .id = "codel", .noun = "codel", .keys = codel_keys, .on_off = POS(shed_spec, codel),
    .expected = "true, or a mapping {target: 5ms, interval: 100ms}",
};
/* `codel: true`: on, with the defaults. */
static int codel_scalar(schema_ctx *S, const schema_key *k, yaml_node_t *v, const char *path, void *obj)
{
    static const schema_key on = {.name = "codel", .type = SK_BOOL, .off = OFF(shed_spec, codel)};
    (void)k;
    schema_defaults(S, &codel_table, obj);
    return schema_conv(S, &on, v, path, obj);
}

static const schema_key shed_keys[] = {
    {.name = "queue_timeout", .type = SK_DURATION, .flags = SKF_POSITIVE, .off = OFF(shed_spec, queue_timeout),
     .doc = "An attempt that waited in the queue longer than this is dropped when a worker reaches it, instead of "
            "being served."},
    {.name = "codel", .type = SK_MAP, .sub = &codel_table, .alt = SK_BOOL, .alt_read = codel_scalar,
     .def_doc = "off",
     .doc = "CoDel on the request queue, as folly's `Codel` (which Facebook applies to RPC queues). Defaults: "
            "`target: 5ms`, `interval: 100ms`."},
    {.name = "limit", .type = SK_MAP, .off = OFF(shed_spec, limit), .sub = &limit_table,
     .doc = "A concurrency limit on the attempts a replica has admitted and not yet answered (queued + in service), "
            "in the manner of Netflix's concurrency-limits. An arrival that finds the limit reached is refused."},
    {.name = "priority", .type = SK_ENUM, .flags = SKF_BOOL, .off = OFF(shed_spec, priority),
     .words = (const char *const[]){"none", "retries_first", NULL}, .def = "none",
     .doc = "Shed retries before first attempts. Needs a bounded `queue` or `codel`."},
    {0},
};
static void shed_init(void *obj)
{
    shed_spec *sh = obj;
    sh->codel_target = 5 * T_MS;
    sh->codel_interval = 100 * T_MS;
}
static const schema_table shed_table = {
    .id = "shed", .noun = "shed", .keys = shed_keys, .init = shed_init, .pos_off = POS(shed_spec, pos),
    .expected = "a mapping with queue_timeout, codel, limit or priority",
};

static const schema_key bulkhead_keys[] = {
    {.name = "workers", .type = SK_COUNT, .flags = SKF_REQUIRED, .off = OFF(bulkhead_spec, workers), .min = 1,
     .hint = "the workers reserved for this caller, per replica", .doc = "Workers reserved for the caller, per replica."},
    {.name = "queue", .type = SK_COUNT, .flags = SKF_UNLIMITED, .off = OFF(bulkhead_spec, queue), .def = "unlimited",
     .doc = "The partition's own queue, per replica."},
    {0},
};
static const schema_table bulkhead_table = {
    .id = "bulkheads", .noun = "caller", .keys = bulkhead_keys, .size = sizeof(bulkhead_spec), .kind = KIND_NONE,
    .name_off = POS(bulkhead_spec, caller), .pos_off = POS(bulkhead_spec, pos), .min_one = true,
    .expected = "a partition such as {workers: 8, queue: 100}",
};

static const schema_key dedupe_keys[] = {
    {.name = "key", .type = SK_ENUM, .flags = SKF_REQUIRED, .off = OFF(dedupe_spec, key),
     .words = (const char *const[]){"none", "request", "attempt", NULL}, .hint = "request, attempt or none",
     .doc = "The idempotency key a write is checked by: `request`, carried by the user request across every retry "
            "and redelivery; `attempt`, made afresh per attempt (per publish attempt, for a message: a redelivery "
            "keeps it, a retried publish does not); `none`, no check."},
    {.name = "window", .type = SK_DURATION, .flags = SKF_POSITIVE, .off = OFF(dedupe_spec, window), .def = "10m",
     .doc = "How long a key is remembered: a repeat that arrives within this long of the first is answered "
            "without being applied again. Memory grows with the writes in one window."},
    {0},
};
static const schema_table dedupe_table = {
    .id = "dedupe", .noun = "dedupe", .keys = dedupe_keys, .pos_off = POS(dedupe_spec, pos),
    .expected = "a mapping such as {key: request, window: 10m}",
};

static int service_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path);
static const schema_key service_keys[] = {
    {.name = "workers", .type = SK_COUNT, .flags = SKF_REQUIRED | SKF_UNLIMITED, .off = OFF(service_spec, workers),
     .min = 1, .hint = "the concurrency limit per replica, or 'unlimited'",
     .doc = "Concurrent requests per replica. A worker is held from the start of local work until the response is "
            "sent, downstream calls included."},
    {.name = "queue", .type = SK_COUNT, .flags = SKF_UNLIMITED, .off = OFF(service_spec, queue), .def = "unlimited",
     .doc = "Waiting room per replica. `0` means no queue: an attempt that finds every worker busy is rejected. With "
            "`unlimited` workers the queue is never used."},
    {.name = "discipline", .type = SK_ENUM, .off = OFF(service_spec, discipline),
     .words = (const char *const[]){"fifo", "lifo", "adaptive_lifo", NULL}, .def = "fifo",
     .doc = "Which queued attempt a freed worker takes: the oldest (`fifo`), the newest (`lifo`), or the oldest until "
            "the queue has not been empty for a CoDel interval and then the newest (`adaptive_lifo`, §4.7)."},
    DIST_KEY("service_time", OFF(service_spec, service_time), SKF_REQUIRED,
             "a duration, or e.g. {dist: exponential, mean: 5ms}", NULL,
             "Local work per attempt, before contention (§4.3) and `slow` faults."),
    {.name = "contention", .type = SK_MAP, .off = 0, .sub = &contention_table, .def_doc = "`{sigma: 0, kappa: 0}`",
     .doc = "Universal Scalability Law coefficients, numbers ≥ 0; either may be omitted (0)."},
    {.name = "errors", .type = SK_FRACTION, .off = OFF(service_spec, errors), .def = "0",
     .doc = "Probability that an attempt fails after its local work (§4.4)."},
    {.name = "replicas", .type = SK_COUNT, .off = OFF(service_spec, replicas), .min = 1, .max = 100000, .def = "1",
     .doc = "Number of replicas."},
    {.name = "calls", .type = SK_LIST, .off = OFF(service_spec, calls), .count = OFF(service_spec, ncalls),
     .sub = &service_call_table, .what = "a list of calls such as [{to: db, timeout: 2s}]",
     .doc = "Synchronous downstream calls, and publishes to broker queues (`{publish: q}`), made in order (§4.5)."},
    {.name = "dedupe", .type = SK_MAP, .off = OFF(service_spec, dedupe), .sub = &dedupe_table, .def_doc = "none",
     .doc = "An idempotency check on the writes this service applies (§14.4): `{key: request | attempt | none, "
            "window: 10m}`."},
    {.name = "shed", .type = SK_MAP, .off = OFF(service_spec, shed), .sub = &shed_table,
     .doc = "Load shedding and admission control: `queue_timeout`, `codel`, `limit`, `priority` (§4.7)."},
    {.name = "deadlines", .type = SK_ENUM, .off = OFF(service_spec, deadlines),
     .words = (const char *const[]){"ignore", "drop", "cancel", NULL}, .def = "ignore",
     .doc = "What the service does with an attempt whose caller's deadline has passed (§4.8)."},
    {.name = "bulkheads", .type = SK_ENTITIES, .off = OFF(service_spec, bulkheads),
     .count = OFF(service_spec, nbulkheads), .sub = &bulkhead_table,
     .what = "a mapping from caller name to {workers: N, queue: M}",
     .doc = "Workers (and a queue) reserved per replica for a caller (§4.9)."},
    {.name = "startup", .type = SK_DURATION, .off = OFF(service_spec, startup), .pos = POS(service_spec, startup_pos),
     .def = "0s", .doc = "A new replica's start-up delay: it serves this long after it is created (§4.10)."},
    {.name = "failures", .type = SK_MAP, .off = OFF(service_spec, failures), .sub = &failures_table,
     .what = "a failure process (§10)",
     .doc = "`eddy avail`: each replica fails and is repaired independently with this process (§10)."},
    {.name = "zones", .type = SK_CUSTOM, .read = read_zones, .what = "list of infra names",
     .json = "{\"type\": \"array\", \"items\": {\"type\": \"string\"}}",
     .doc = "`eddy avail`: replicas are spread round-robin over these infra entries; a zone's outage takes its "
            "replicas down (§10)."},
    {.name = "depends_on", .type = SK_CUSTOM, .read = read_depends, .what = "list of infra names or `{NAME: ...}`",
     .json = "{\"type\": \"array\"}",
     .doc = "`eddy avail`: infra the service needs; `{NAME: {stale: 10m}}` keeps serving cached data that long (§10)."},
    {0},
};
static const schema_table service_table = {
    .id = "service", .noun = "service", .keys = service_keys, .size = sizeof(service_spec), .kind = KIND_SERVICE,
    .name_off = POS(service_spec, name), .pos_off = POS(service_spec, pos), .rule = service_rule, .min_one = true,
    .expected = "a mapping with 'workers' and 'service_time'",
};
static int service_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path)
{
    (void)n;
    const schema_table *self = &service_table;
    service_spec *s = obj;
    char p[SK_PATH];
    s->written = (F("deadlines")->key ? PLATFORM_DEADLINES : 0) | (F("shed")->key ? PLATFORM_SHED : 0);
    if (s->shed.priority && s->queue == MODEL_UNLIMITED && !s->shed.codel) {
        sk_join(p, path, "shed");
        return sk_fail(S, F("shed")->val,
                       "%s: priority: retries_first needs a bounded queue or codel (it acts when the queue is full "
                       "or the replica is overloaded)",
                       p);
    }
    if (s->nbulkheads) {
        yaml_node_t *b = F("bulkheads")->val;
        sk_join(p, path, "bulkheads");
        long total = 0;
        for (size_t i = 0; i < s->nbulkheads; i++)
            total += s->bulkheads[i].workers;
        if (s->workers == MODEL_UNLIMITED)
            return sk_fail(S, b, "%s: bulkheads partition a service's workers; workers must be a number, not 'unlimited'",
                           p);
        if (total > s->workers)
            return sk_fail(S, b, "%s: the partitions take %ld workers, more than the service's %ld", p, total,
                           s->workers);
    }
    return 0;
}

/* ---- faults ------------------------------------------------------------------ */

static int fault_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path);
static const schema_key fault_keys[] = {
    {.name = "at", .type = SK_DURATION, .flags = SKF_REQUIRED, .off = OFF(fault_spec, at),
     .hint = "when the fault starts", .doc = "When the window opens (or the instant, for `flush` and `restart`)."},
    {.name = "for", .type = SK_DURATION, .flags = SKF_POSITIVE, .off = OFF(fault_spec, dur),
     .def_doc = "**required**, except for `flush` and `restart`",
     .doc = "How long it lasts. An error with `flush` and `restart`, which happen at an instant."},
    {.name = "target", .type = SK_NAME, .flags = SKF_REQUIRED, .kind = KIND_SERVICE,
     .hint = "the service or cache the fault hits", .doc = "The service it hits (a cache, for `flush`)."},
    {.name = "slow", .type = SK_FACTOR, .flags = SKF_POSITIVE, .off = OFF(fault_spec, factor),
     .doc = "Effect: service time × factor, for work that **starts** during the window."},
    {.name = "add_latency", .type = SK_DURATION, .flags = SKF_POSITIVE, .off = OFF(fault_spec, latency),
     .doc = "Effect: added to the one-way request trip of every attempt **sent** to the target during the window."},
    {.name = "errors", .type = SK_FRACTION, .off = OFF(fault_spec, errors),
     .doc = "Effect: extra error probability, combined with the service's own `errors` (§4.4)."},
    {.name = "down", .type = SK_BOOL, .flags = SKF_TRUE, .doc = "Effect: every replica is down."},
    {.name = "lose_replicas", .type = SK_COUNT, .off = OFF(fault_spec, replicas), .pos = POS(fault_spec, value_pos),
     .min = 1, .doc = "Effect: that many replicas are down."},
    {.name = "flush", .type = SK_BOOL, .flags = SKF_TRUE, .doc = "Effect, at an instant: the target cache is emptied."},
    {.name = "restart", .type = SK_BOOL, .flags = SKF_TRUE,
     .doc = "Effect, at an instant: every replica of the target crashes and comes straight back, empty."},
    {0},
};
static const schema_table fault_table = {
    .id = "fault", .noun = "fault window", .keys = fault_keys, .size = sizeof(fault_spec), .rule = fault_rule,
    .pos_off = POS(fault_spec, pos), .expected = "a fault window such as {at: 60s, for: 30s, target: db, slow: 10}",
};
static int fault_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path)
{
    const schema_table *self = &fault_table;
    fault_spec *ft = obj;
    static const char *const effects[] = {"slow", "add_latency", "errors", "down", "lose_replicas", "flush", "restart",
                                          NULL};
    static const fault_kind kinds[] = {FAULT_SLOW, FAULT_ADD_LATENCY, FAULT_ERRORS, FAULT_DOWN,
                                       FAULT_LOSE_REPLICAS, FAULT_FLUSH, FAULT_RESTART};
    int which = -1;
    for (int i = 0; effects[i]; i++) {
        if (!F(effects[i])->key)
            continue;
        if (which >= 0)
            return sk_fail(S, F(effects[i])->key,
                           "%s: a fault has exactly one effect; write a second fault window for '%s'", path, effects[i]);
        which = i;
    }
    if (which < 0)
        return sk_fail(S, n,
                       "%s: a fault needs one effect: slow, add_latency, errors, down, lose_replicas, flush or restart",
                       path);
    ft->kind = kinds[which];
    bool instant = fault_is_instant(ft->kind);
    if (!F("for")->val && !instant)
        return sk_fail(S, n, "%s: missing key 'for' (how long the fault lasts; faults are windows)", path);
    if (F("for")->val && instant)
        return sk_fail(S, F("for")->key, "%s: '%s' happens at an instant; remove 'for'", path, effects[which]);
    char p[SK_PATH];
    sk_join(p, path, "target");
    yaml_node_t *t = F("target")->val;
    if (ft->kind != FAULT_FLUSH)
        return schema_ref(S, KIND_SERVICE, &ft->target, t, p);
    ft->target = model_find_cache(S->m, yd_text(t));
    if (ft->target < 0)
        return sk_fail(S, t, "%s: no cache named '%s' (flush empties a cache)", p, yd_text(t));
    return 0;
}

/* ---- actions ---------------------------------------------------------------- */

/* A stale_while_revalidate window: a duration > 0, or true (forever) or
 * false (off). */
static int read_swr(schema_ctx *S, const schema_key *k, yaml_node_t *v, const char *path, void *obj)
{
    static const char *const words[] = {"true", "false", "on", "off", "yes", "no", NULL};
    simtime *out = (simtime *)((char *)obj + k->off);
    const char *t = yd_scalar(&S->y, v, path, "a duration such as 30s, or true or false");
    if (!t)
        return -1;
    for (int i = 0; words[i]; i++)
        if (!strcmp(t, words[i])) {
            *out = i % 2 == 0 ? CACHE_SWR_FOREVER : 0;
            return 0;
        }
    if (units_duration(t, out) < 0 || *out <= 0)
        return sk_fail(S, v, "%s: expected a duration greater than zero (such as 30s), or true or false; got '%s'",
                       path, t);
    return 0;
}

static int action_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path);
static const schema_table action_table; /* `then` is an action too */
static void action_init(void *obj)
{
    action_spec *a = obj;
    a->client = a->service = a->cache = -1;
    a->by = -1;
}

/* `when:` a condition (cond.h), parsed here; the metric is checked once
 * the whole model is read (cond_check_actions).  Errors point into the
 * string. */
static int read_when(schema_ctx *S, const schema_key *k, yaml_node_t *v, const char *path, void *obj)
{
    (void)k;
    action_spec *a = obj;
    const char *t = yd_scalar(&S->y, v, path, "a condition such as 'shoppers.goodput < 50% of baseline for 2m'");
    if (!t)
        return -1;
    cond_spec *c = xcalloc(1, sizeof *c);
    a->when = c;
    size_t off = 0;
    char msg[512];
    int quoted = v->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                 v->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    model_pos at = {yd_line(v), yd_col(v) + quoted};
    int rc = cond_parse(t, c, &off, msg, sizeof msg);
    c->pos = at; /* cond_parse starts from a clean slate */
    if (rc < 0)
        return err_set(S->y.err, S->y.file, at.line, at.col + (int)off, "%s: %s", path, msg);
    return 0;
}

/* `by:` the team that responds; it needs an `oncall` delay. */
static int read_by(schema_ctx *S, const schema_key *k, yaml_node_t *v, const char *path, void *obj)
{
    (void)k;
    action_spec *a = obj;
    const char *t = yd_scalar(&S->y, v, path, "a team name");
    if (!t)
        return -1;
    const model *m = S->m;
    a->by_pos = pos_of(v);
    a->by = model_find_team(m, t);
    if (a->by < 0) {
        const char **names = xcalloc(m->nteams + 1, sizeof *names);
        for (size_t i = 0; i < m->nteams; i++)
            names[i] = m->teams[i].name;
        const char *near = schema_suggest(t, names, m->nteams);
        int rc = sk_fail(S, v, "%s: no team named '%s'%s%s%s%s", path, t, near ? " (did you mean '" : "",
                         near ? near : "", near ? "'?)" : "", m->nteams ? "" : "; define teams under the top-level 'teams:'");
        free(names);
        return rc;
    }
    if (!m->teams[a->by].has_oncall)
        return sk_fail(S, v,
                       "%s: team %s has no oncall; a response by a team waits out its page-response delay, so set "
                       "teams.%s.oncall (or leave 'by' out for an automatic response)",
                       path, t, t);
    return 0;
}

static const schema_key action_keys[] = {
    {.name = "at", .type = SK_DURATION, .off = OFF(action_spec, at), .def_doc = "**required**, unless `when`",
     .hint = "the moment of the action", .doc = "When it happens."},
    {.name = "client", .type = SK_REF, .kind = KIND_CLIENT, .off = OFF(action_spec, client),
     .def_doc = "one of `client`/`service`/`cache`", .doc = "The client it applies to."},
    {.name = "service", .type = SK_REF, .kind = KIND_SERVICE, .off = OFF(action_spec, service),
     .doc = "The service it applies to."},
    {.name = "retry", .type = SK_BOOL, .off = OFF(action_spec, retry_on), .def_doc = "exactly one of the keys below",
     .doc = "`off`: from now on the call makes no new retries. Retries already waiting out their backoff are still "
            "sent. `on`: retries are allowed again. For a client, its own call; for a service, every one of its "
            "downstream calls."},
    {.name = "shed", .type = SK_FRACTION, .off = OFF(action_spec, shed),
     .doc = "For a client: from now on, each new user request is refused at the client with this probability, "
            "counted as `shed` and as `failed`, and never sent. For a service: each arriving attempt is refused with "
            "this probability, answered with a rejection and counted in the service's `shed`. A later `shed` action "
            "replaces the fraction; `shed: 0` stops shedding."},
    {.name = "drain", .type = SK_BOOL, .flags = SKF_TRUE,
     .doc = "Services only. Every attempt waiting in the service's queues (all replicas, all lanes) is answered at "
            "once with a rejection and counted in `shed`. Work in progress is not touched."},
    {.name = "scale", .type = SK_COUNT, .off = OFF(action_spec, replicas), .max = 100000,
     .doc = "Services only. Sets the service's desired replica count, as `kubectl scale`: new replicas serve after "
            "`startup`, removed ones terminate (§4.10). An autoscaler on the service acts on the new count at its "
            "next sync (and brings it back within its `min`/`max`). `scale: 0` turns its autoscalers off, as the HPA "
            "is off for a target scaled to zero."},
    {.name = "cache", .type = SK_REF, .kind = KIND_CACHE, .off = OFF(action_spec, cache),
     .doc = "The cache it applies to (§9)."},
    {.name = "flush", .type = SK_BOOL, .flags = SKF_TRUE,
     .doc = "Caches only: `{at: 3m, cache: sessions, flush: true}` empties the cache, as the `flush` fault does."},
    {.name = "coalesce", .type = SK_BOOL, .off = OFF(action_spec, coalesce),
     .doc = "Caches only: switches coalescing on or off from now on, as a feature flag would (`{at: 3m, cache: "
            "sessions, coalesce: on}`). Origin calls already in flight finish as they started."},
    {.name = "stale_while_revalidate", .type = SK_DURATION, .flags = SKF_POSITIVE, .off = OFF(action_spec, swr),
     .alt = SK_BOOL, .read = read_swr,
     .doc = "Caches only: the new stale-while-revalidate window (`true`: forever, `false`: off), with the key's "
            "meaning in §9."},
    {.name = "hedge", .type = SK_BOOL, .off = OFF(action_spec, hedge_on),
     .doc = "`off`: from now on the call sends each attempt as one copy, with no hedges (not counted as "
            "`hedges_denied`); copies already out go on. `on`: hedging again. For a client, its own call; for a "
            "service, every one of its calls. Only meaningful on a call with `hedge` (§3.9)."},
    {.name = "when", .type = SK_CUSTOM, .read = read_when, .what = "condition (§6)",
     .json = "{\"type\": \"string\"}",
     .doc = "Instead of `at`: a condition, such as `\"shoppers.goodput < 50% of baseline for 2m\"`; the action is a "
            "response, taken once after the condition has held, with `then` and optionally `by` (§6, "
            "[teams.md](teams.md))."},
    {.name = "then", .type = SK_MAP, .off = 0, .sub = &action_table,
     .doc = "With `when`: what the response does, an action without `at`, such as `{client: shoppers, retry: off}`."},
    {.name = "by", .type = SK_CUSTOM, .read = read_by, .what = "team name", .json = "{\"type\": \"string\"}",
     .def_doc = "automatic",
     .doc = "With `when`: the team that responds; the response takes effect its `oncall` delay after the condition "
            "has held. Without `by` it is automatic (no delay)."},
    {0},
};
static const schema_table action_table = {
    .id = "action", .noun = "action", .keys = action_keys, .size = sizeof(action_spec), .init = action_init,
    .rule = action_rule, .pos_off = POS(action_spec, pos),
    .expected = "an action such as {at: 20m, client: shoppers, retry: off}",
};
/* What an action (or a response's `then`) does, and to what. */
static int action_what(schema_ctx *S, action_spec *a, const sk_field *f, yaml_node_t *n, const char *path);

static int action_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path)
{
    const schema_table *self = &action_table;
    action_spec *a = obj;
    size_t pl = strlen(path);
    bool then = pl >= 5 && !strcmp(path + pl - 5, ".then");
    static const char *const outer[] = {"at", "when", "then", "by"};
    if (then) { /* the response: what it does, nothing about when */
        for (int i = 0; i < 4; i++)
            if (F(outer[i])->key)
                return sk_fail(S, F(outer[i])->key, "%s: '%s' belongs to the conditional action, not to its 'then'", path,
                               outer[i]);
        return action_what(S, a, f, n, path);
    }
    a->pos = pos_of(n); /* reading `then` moved it */
    if (F("when")->key) {
        if (F("at")->key)
            return sk_fail(S, F("at")->key,
                           "%s: an action happens at a time ('at') or in response to a condition ('when'), not both",
                           path);
        if (!F("then")->key)
            return sk_fail(S, n, "%s: missing key 'then' (what the response does, such as {client: shoppers, retry: off})",
                           path);
        for (size_t i = 0; self->keys[i].name; i++) {
            const char *k = self->keys[i].name;
            if (F(k)->key && strcmp(k, "when") && strcmp(k, "then") && strcmp(k, "by"))
                return sk_fail(S, F(k)->key, "%s: with 'when', write what the action does under 'then:' ('%s' here)",
                               path, k);
        }
        return 0;
    }
    if (F("then")->key || F("by")->key) {
        yaml_node_t *k = F("then")->key ? F("then")->key : F("by")->key;
        return sk_fail(S, k, "%s: '%s' belongs to a conditional action; add 'when: CONDITION' (or write the action "
                             "with 'at')",
                       path, yd_text(k));
    }
    if (!F("at")->key)
        return sk_fail(S, n, "%s: missing key 'at' (the moment of the action), or 'when' (a condition it responds to)",
                       path);
    return action_what(S, a, f, n, path);
}

static int action_what(schema_ctx *S, action_spec *a, const sk_field *f, yaml_node_t *n, const char *path)
{
    const schema_table *self = &action_table;
    /* an action names exactly one of client, service, cache; point at the
     * second of them in the file */
    static const char *const whom[] = {"client", "service", "cache"};
    yaml_node_t *first = NULL, *second = NULL;
    for (int i = 0; i < 3; i++) {
        yaml_node_t *k = F(whom[i])->key;
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
        return sk_fail(S, second, "%s: an action applies to exactly one client, service or cache, not more", path);
    if (!first)
        return sk_fail(S, n, "%s: missing key 'client', 'service' or 'cache' (what the action applies to)", path);
    static const char *const what[] = {"retry", "shed", "drain", "scale", "flush", "coalesce", "stale_while_revalidate",
                                       "hedge", NULL};
    static const action_kind kinds[] = {ACTION_RETRY, ACTION_SHED,     ACTION_DRAIN, ACTION_SCALE,
                                        ACTION_FLUSH, ACTION_COALESCE, ACTION_SWR,   ACTION_HEDGE};
    int w = -1;
    for (int i = 0; what[i]; i++) {
        if (!F(what[i])->key)
            continue;
        if (w >= 0) {
            /* point at whichever of the two comes second in the file */
            int later = F(what[i])->key->start_mark.index > F(what[w])->key->start_mark.index ? i : w;
            return sk_fail(S, F(what[later])->key, "%s: an action does one thing; write a second action for '%s'",
                           path, what[later]);
        }
        w = i;
    }
    if (w < 0) {
        if (a->cache >= 0)
            return sk_fail(S, n,
                           "%s: a cache action needs 'flush: true', 'coalesce: on|off' or 'stale_while_revalidate'",
                           path);
        return sk_fail(S, n,
                       "%s: an action needs one of: retry (on|off), shed (a fraction such as 40%%), drain (true), "
                       "scale (a replica count), hedge (on|off)",
                       path);
    }
    a->kind = kinds[w];
    yaml_node_t *key = F(what[w])->key;
    char p[SK_PATH];
    sk_join(p, path, what[w]);
    bool cache = F("cache")->key != NULL, service = F("service")->key != NULL;
    if (cache && (a->kind == ACTION_RETRY || a->kind == ACTION_SHED || a->kind == ACTION_DRAIN ||
                  a->kind == ACTION_SCALE))
        return sk_fail(S, key,
                       "%s: a cache action is flush, coalesce or stale_while_revalidate; '%s' applies to a client or a "
                       "service",
                       path, what[w]);
    if (!cache && (a->kind == ACTION_COALESCE || a->kind == ACTION_SWR))
        return sk_fail(S, key, "%s: %s changes a cache; name the cache with 'cache:'", path, what[w]);
    if (a->kind == ACTION_DRAIN && !service)
        return sk_fail(S, key, "%s: drain empties a service's queues; name the service with 'service:'", p);
    if (a->kind == ACTION_SCALE && !service)
        return sk_fail(S, key, "%s: scale sets a service's replica count; name the service with 'service:'", p);
    if (a->kind == ACTION_FLUSH && !cache)
        return sk_fail(S, key, "%s: flush empties a cache; name the cache with 'cache:'", p);
    if (a->kind == ACTION_HEDGE && cache)
        return sk_fail(S, key, "%s: hedge switches a client's or a service's hedging; a cache has none", p);
    return 0;
}

/* ---- autoscalers -------------------------------------------------------------- */

static const char *const W_SELECT[] = {"max", "min", "disabled", NULL};
static int scale_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path);
static const schema_key scale_keys[] = {
    {.name = "stabilization", .type = SK_DURATION, .off = OFF(scale_rules, stabilization), .max = 3600,
     .def_doc = "`0s` up, `300s` down", .doc = "stabilizationWindowSeconds."},
    {.name = "percent", .type = SK_PERCENT, .flags = SKF_OFF, .off = OFF(scale_rules, percent),
     .def_doc = "`100%`",
     .doc = "A Percent policy: change by this share of the replicas at the period's start, per `period` (may exceed 100%)."},
    {.name = "pods", .type = SK_COUNT, .flags = SKF_OFF, .off = OFF(scale_rules, pods), .min = 1,
     .def_doc = "`4` up, `off` down", .doc = "A Pods policy: change by this many, per `period`."},
    {.name = "period", .type = SK_DURATION, .flags = SKF_POSITIVE, .off = OFF(scale_rules, period), .max = 1800,
     .def_doc = "`15s`", .doc = "periodSeconds, of both policies."},
    {.name = "select", .type = SK_ENUM, .off = OFF(scale_rules, select), .words = W_SELECT, .def_doc = "`max`",
     .doc = "selectPolicy: the policy allowing the largest change, the smallest, or no change this way."},
    {0},
};
static const schema_table scale_table = {
    .id = "scale_rules", .noun = "scaling rules", .keys = scale_keys, .rule = scale_rule,
    .pos_off = POS(scale_rules, pos),
    .expected = "a mapping such as {stabilization: 300s, percent: 100%, period: 15s}",
};
static int scale_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path)
{
    (void)f;
    scale_rules *r = obj;
    if (r->percent < 0 && r->pods < 0 && r->select != SELECT_DISABLED)
        return sk_fail(S, n, "%s: percent and pods are both off; keep one policy, or write select: disabled", path);
    return 0;
}

/* The target's unit depends on the metric, read before it. */
static int read_target(schema_ctx *S, const schema_key *k, yaml_node_t *v, const char *path, void *obj)
{
    autoscaler_spec *a = obj;
    static const schema_key as[] = {
        {.name = "target", .type = SK_FRACTION, .off = OFF(autoscaler_spec, target)},
        {.name = "target", .type = SK_NUMBER, .off = OFF(autoscaler_spec, target)},
        {.name = "target", .type = SK_RATE, .off = OFF(autoscaler_spec, target)},
        {.name = "target", .type = SK_NUMBER, .off = OFF(autoscaler_spec, target)},
    };
    (void)k;
    if (schema_conv(S, &as[a->metric], v, path, obj) < 0)
        return -1;
    if (a->target <= 0)
        return sk_fail(S, v, "%s: expected a target greater than zero, got '%s'", path, yd_text(v));
    return 0;
}

static int autoscaler_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path);
static void autoscaler_init(void *obj)
{
    autoscaler_spec *a = obj;
    a->up = (scale_rules){.stabilization = 0, .percent = 100, .pods = 4, .period = 15 * T_SEC, .select = SELECT_MAX};
    a->down = (scale_rules){.stabilization = 300 * T_SEC, .percent = 100, .pods = -1, .period = 15 * T_SEC,
                            .select = SELECT_MAX};
}
static const schema_key autoscaler_keys[] = {
    {.name = "service", .type = SK_REF, .kind = KIND_SERVICE, .flags = SKF_REQUIRED, .off = OFF(autoscaler_spec, service),
     .pos = POS(autoscaler_spec, service_pos), .hint = "the service whose replicas it sets",
     .doc = "The service whose replicas it sets."},
    {.name = "metric", .type = SK_ENUM, .flags = SKF_REQUIRED, .off = OFF(autoscaler_spec, metric),
     .pos = POS(autoscaler_spec, metric_pos), .words = (const char *const[]){"cpu", "queue", "rps", "lag", NULL},
     .hint = "cpu, queue, rps or lag",
     .doc = "What it measures, averaged over the service's serving replicas since its last sync (below); `lag` is "
            "the messages held by the broker queues its consumer groups drain, at the sync, per serving replica "
            "(KEDA's queue scalers, §14)."},
    {.name = "target", .type = SK_CUSTOM, .flags = SKF_REQUIRED, .read = read_target,
     .what = "`cpu`: fraction; `queue`, `lag`: number > 0; `rps`: rate",
     .json = "{\"anyOf\": [{\"type\": \"number\", \"exclusiveMinimum\": 0}, {\"type\": \"string\"}]}",
     .hint = "the metric's value per replica it aims for", .doc = "The metric's value per replica it aims for."},
    {.name = "tolerance", .type = SK_FRACTION, .off = OFF(autoscaler_spec, tolerance), .def = "0.1",
     .doc = "No change while \\|metric/target − 1\\| ≤ tolerance."},
    {.name = "sync", .type = SK_DURATION, .flags = SKF_POSITIVE, .off = OFF(autoscaler_spec, sync), .def = "15s",
     .doc = "How often it acts (the controller manager's sync period). The first sync is at `sync`."},
    {.name = "min", .type = SK_COUNT, .off = OFF(autoscaler_spec, min), .min = 1, .def = "1", .doc = "minReplicas."},
    {.name = "max", .type = SK_COUNT, .flags = SKF_REQUIRED, .off = OFF(autoscaler_spec, max), .min = 1, .max = 100000,
     .hint = "the most replicas it may set", .doc = "maxReplicas, at least `min`; also sizes the service's slots (§4.10)."},
    {.name = "scale_up", .type = SK_MAP, .off = OFF(autoscaler_spec, up), .sub = &scale_table,
     .def_doc = "see below", .doc = "HPAScalingRules for scaling up."},
    {.name = "scale_down", .type = SK_MAP, .off = OFF(autoscaler_spec, down), .sub = &scale_table,
     .def_doc = "see below", .doc = "HPAScalingRules for scaling down."},
    {0},
};
static const schema_table autoscaler_table = {
    .id = "autoscaler", .noun = "autoscaler", .keys = autoscaler_keys, .size = sizeof(autoscaler_spec),
    .kind = KIND_AUTOSCALER, .name_off = POS(autoscaler_spec, name), .pos_off = POS(autoscaler_spec, pos),
    .init = autoscaler_init, .rule = autoscaler_rule,
    .expected = "a mapping with service, metric, target and max",
};
static int autoscaler_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path)
{
    (void)n;
    const schema_table *self = &autoscaler_table;
    autoscaler_spec *a = obj;
    const service_spec *sv = &S->m->services[a->service];
    if (a->metric == METRIC_CPU && sv->workers == MODEL_UNLIMITED) {
        char p[SK_PATH];
        sk_join(p, path, "metric");
        return sk_fail(S, F("metric")->val,
                       "%s: cpu is busy workers over workers, and %s has unlimited workers; use queue or rps", p,
                       sv->name);
    }
    if (a->max < a->min) {
        char p[SK_PATH];
        sk_join(p, path, "max");
        return sk_fail(S, F("max")->val, "%s: max (%ld) must not be less than min (%ld)", p, a->max, a->min);
    }
    return 0;
}

/* ---- caches --------------------------------------------------------------------- */

static int cache_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path);
static void cache_init(void *obj) { ((cache_spec *)obj)->owner = -1; }
static const schema_key cache_keys[] = {
    {.name = "keys", .type = SK_COUNT, .flags = SKF_REQUIRED, .off = OFF(cache_spec, keys), .min = 1, .max = 1e8,
     .hint = "how many distinct keys requests ask for",
     .doc = "Distinct keys. Memory is about 8 bytes a key (16 more with a `capacity`, 8 more with `coalesce` or "
            "`stale_while_revalidate`)."},
    {.name = "zipf", .type = SK_NUMBER, .off = OFF(cache_spec, zipf), .min = 0, .max = 100, .def = "1.0",
     .doc = "The popularity exponent s: key *k* (ranked 1 = most popular) is asked for with probability ∝ *k*^−s. "
            "`0` is uniform."},
    {.name = "ttl", .type = SK_DURATION, .flags = SKF_POSITIVE | SKF_NONE, .off = OFF(cache_spec, ttl),
     .pos = POS(cache_spec, ttl_pos), .def = "none",
     .doc = "How long an entry lives after its fill. `none`: entries never expire."},
    {.name = "ttl_jitter", .type = SK_DURATION, .off = OFF(cache_spec, ttl_jitter), .def = "0s",
     .doc = "Each fill adds a uniform U(0, `ttl_jitter`) to its `ttl`, so entries filled together do not expire "
            "together. Needs a `ttl`."},
    {.name = "capacity", .type = SK_COUNT, .flags = SKF_UNLIMITED, .off = OFF(cache_spec, capacity), .min = 1,
     .def = "unlimited",
     .doc = "Entries held at most. A fill into a full cache evicts the least recently used entry (a hit or a fill "
            "makes an entry most recent)."},
    {.name = "hit_time", .type = SK_DURATION, .off = OFF(cache_spec, hit_time), .def = "1ms",
     .doc = "What a hit costs the caller."},
    {.name = "coalesce", .type = SK_BOOL, .off = OFF(cache_spec, coalesce), .def = "false",
     .doc = "A miss on a key whose origin call is already in flight waits for that call instead of making its own, "
            "and gets the same answer, success or failure (Go's singleflight, a CDN's request collapsing)."},
    {.name = "stale_while_revalidate", .type = SK_DURATION, .flags = SKF_POSITIVE, .off = OFF(cache_spec, swr),
     .alt = SK_BOOL, .read = read_swr, .def_doc = "`false`",
     .doc = "An entry that expired less than this long ago is served stale, at hit cost, and starts one background "
            "refresh if no origin call for the key is in flight. `true`: with no limit. Needs a `ttl`."},
    {.name = "warm", .type = SK_BOOL, .off = OFF(cache_spec, warm), .pos = POS(cache_spec, warm_pos), .def = "false",
     .doc = "Every key is filled at t = 0 (the `capacity` most popular ones, if that is smaller), all with the same "
            "fill time: without `ttl_jitter` they expire together. `false` is a cold start."},
    {.name = "owner", .type = SK_REF, .kind = KIND_SERVICE, .off = OFF(cache_spec, owner),
     .doc = "The service whose `restart` fault flushes the cache (§5)."},
    {0},
};
static const schema_table cache_table = {
    .id = "cache", .noun = "cache", .keys = cache_keys, .size = sizeof(cache_spec), .kind = KIND_CACHE,
    .name_off = POS(cache_spec, name), .pos_off = POS(cache_spec, pos), .init = cache_init, .rule = cache_rule,
    .expected = "a cache such as {keys: 10000, ttl: 5m}",
};
static int cache_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path)
{
    (void)n;
    const schema_table *self = &cache_table;
    cache_spec *c = obj;
    if (F("ttl_jitter")->key && !c->ttl)
        return sk_fail(S, F("ttl_jitter")->key, "%s: ttl_jitter needs a ttl (entries without one never expire)", path);
    if (c->swr && !c->ttl)
        return sk_fail(S, F("stale_while_revalidate")->key,
                       "%s: stale_while_revalidate needs a ttl (entries without one never go stale)", path);
    return 0;
}

/* ---- the platform's defaults ------------------------------------------------------ */

static int platform_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path);
static void platform_init(void *obj)
{
    platform_spec *p = obj;
    retry_init(&p->retry);
    breaker_init(&p->breaker);
    shed_init(&p->shed);
}
static const schema_key platform_keys[] = {
    {.name = "timeout", .type = SK_DURATION, .flags = SKF_POSITIVE, .off = OFF(platform_spec, timeout),
     .pos = POS(platform_spec, timeout_pos), .def_doc = "none",
     .doc = "Every call's timeout per attempt, unless the call sets its own (§3.3)."},
    {.name = "retry", .type = SK_MAP, .off = OFF(platform_spec, retry), .sub = &retry_table, .alt = SK_ENUM,
     .alt_words = W_OFF, .alt_read = retry_off, .def_doc = "none",
     .doc = "Every call's retry policy, with its `budget`, unless the call sets its own `retry` (§3.5, §3.6)."},
    {.name = "breaker", .type = SK_MAP, .off = OFF(platform_spec, breaker), .sub = &breaker_table, .def_doc = "none",
     .doc = "A circuit breaker on every call, unless the call sets its own `breaker` (or `breaker: off`) (§3.7)."},
    {.name = "deadlines", .type = SK_ENUM, .off = OFF(platform_spec, deadlines), .pos = POS(platform_spec, deadlines_pos),
     .words = (const char *const[]){"ignore", "drop", "cancel", NULL}, .def_doc = "none",
     .doc = "Deadline propagation: every service's `deadlines` (§4.8), unless the service sets its own."},
    {.name = "shed", .type = SK_MAP, .off = OFF(platform_spec, shed), .sub = &shed_table, .def_doc = "none",
     .doc = "Service-side load shedding: every service's `shed` (§4.7), unless the service sets its own."},
    {0},
};
static const schema_table platform_table = {
    .id = "platform", .noun = "platform", .keys = platform_keys, .init = platform_init, .rule = platform_rule,
    .pos_off = POS(platform_spec, pos),
    .expected = "a mapping such as {timeout: 1s, retry: {attempts: 3, backoff: exponential, budget: {type: finagle}}}",
};
static int platform_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path)
{
    const schema_table *self = &platform_table;
    platform_spec *p = obj;
    static const char *const keys[] = {"timeout", "retry", "breaker", "deadlines", "shed"};
    for (int i = 0; i < 5; i++)
        if (F(keys[i])->key)
            p->has |= 1u << i;
    if (!p->has)
        return sk_fail(S, n, "%s: an empty platform gives nothing; set timeout, retry, breaker, deadlines or shed", path);
    if (p->retry.budget.kind != BUDGET_NONE && p->retry.attempts == 1) {
        yaml_node_t *bkey = NULL;
        sk_get(S, F("retry")->val, "budget", &bkey);
        return sk_fail(S, bkey, "%s.retry: a retry budget has no effect with attempts: 1", path);
    }
    return 0;
}

/* ---- broker queues and consumer groups (§14, docs/messaging.md) ----------------- */

static int bqueue_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path);
static void bqueue_init(void *obj) { ((bqueue_spec *)obj)->dlq = -1; }
static const schema_key bqueue_keys[] = {
    {.name = "kind", .type = SK_ENUM, .flags = SKF_BOOL, .off = OFF(bqueue_spec, topic),
     .words = (const char *const[]){"queue", "topic", NULL}, .def = "queue",
     .doc = "`queue`: one consumer group drains it, and each message is handled once. `topic`: every consumer "
            "group on it is a subscription with its own copy of each message, and its own depth, lag, in-flight "
            "messages and acks, as Pub/Sub subscriptions and Kafka consumer groups; `capacity`, `retention`, "
            "`visibility_timeout`, `max_receives` and `dlq` apply to each subscription. A publish is rejected if any "
            "subscription is full, and a topic with no consumer group keeps nothing."},
    {.name = "capacity", .type = SK_COUNT, .flags = SKF_UNLIMITED, .off = OFF(bqueue_spec, capacity), .min = 1,
     .def = "unlimited",
     .doc = "Messages held at most, ready and in flight (received, not yet acked). A publish into a full queue is "
            "rejected."},
    {.name = "retention", .type = SK_DURATION, .flags = SKF_POSITIVE | SKF_NONE, .off = OFF(bqueue_spec, retention),
     .def = "none",
     .doc = "A message older than this (since it was published) is deleted, and counted in `expired`: a ready "
            "one before it is delivered, an unacked one in flight when its age reaches `retention` (its delivery "
            "goes on, but it never comes back, and its late ack deletes nothing), as SQS does."},
    {.name = "delivery", .type = SK_ENUM, .off = OFF(bqueue_spec, delivery), .pos = POS(bqueue_spec, delivery_pos),
     .words = (const char *const[]){"at_least_once", "at_most_once", NULL}, .def = "at_least_once",
     .doc = "`at_most_once`: a message is deleted when it is handed to a consumer. `at_least_once`: it is deleted "
            "when the consumer acks it, and comes back if it is not acked in time."},
    {.name = "visibility_timeout", .type = SK_DURATION, .flags = SKF_POSITIVE,
     .off = OFF(bqueue_spec, visibility_timeout), .def = "30s",
     .doc = "`at_least_once`: a received message that is not acked within this long becomes visible again and is "
            "redelivered, as SQS and Pub/Sub do (SQS's default is 30 s)."},
    {.name = "max_receives", .type = SK_COUNT, .flags = SKF_UNLIMITED, .off = OFF(bqueue_spec, max_receives),
     .min = 1, .def = "unlimited",
     .doc = "`at_least_once`: a message received this many times without an ack goes to the `dlq` instead of "
            "coming back (SQS's maxReceiveCount). Needs `dlq`."},
    {.name = "dlq", .type = SK_REF, .kind = KIND_QUEUE, .off = OFF(bqueue_spec, dlq), .pos = POS(bqueue_spec, dlq_pos),
     .def_doc = "none", .doc = "The dead-letter queue: another queue. Needs `max_receives`."},
    {.name = "order", .type = SK_ENUM, .flags = SKF_BOOL, .off = OFF(bqueue_spec, fifo),
     .words = (const char *const[]){"none", "fifo", NULL}, .def = "fifo",
     .doc = "`fifo`: the oldest ready message is delivered first, and a message that comes back goes to the front. "
            "`none`: a message that comes back joins the back, behind newer ones, as in SQS standard queues."},
    {0},
};
static const schema_table bqueue_table = {
    .id = "queue", .noun = "queue", .keys = bqueue_keys, .size = sizeof(bqueue_spec), .kind = KIND_QUEUE,
    .name_off = POS(bqueue_spec, name), .pos_off = POS(bqueue_spec, pos), .init = bqueue_init, .rule = bqueue_rule,
    .expected = "a broker queue such as {capacity: 100000, delivery: at_least_once, visibility_timeout: 30s}",
};
static int bqueue_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path)
{
    (void)n;
    const schema_table *self = &bqueue_table;
    bqueue_spec *q = obj;
    if (q->delivery == DELIVERY_AT_MOST_ONCE) {
        static const char *const redelivery[] = {"visibility_timeout", "max_receives", "dlq", NULL};
        for (int i = 0; redelivery[i]; i++)
            if (F(redelivery[i])->key)
                return sk_fail(S, F(redelivery[i])->key,
                               "%s: '%s' has no effect with delivery: at_most_once (a message is deleted when it is "
                               "handed out, so it never comes back)",
                               path, redelivery[i]);
    }
    if (F("max_receives")->key && !F("dlq")->key)
        return sk_fail(S, F("max_receives")->key,
                       "%s: max_receives needs a dlq (the queue a message goes to after its last receive)", path);
    if (F("dlq")->key && !F("max_receives")->key)
        return sk_fail(S, F("dlq")->key, "%s: dlq needs max_receives (how many receives send a message there)", path);
    return 0;
}

static void consumer_init(void *obj)
{
    consumer_spec *c = obj;
    c->queue = c->service = -1;
}
static const schema_key consumer_keys[] = {
    {.name = "queue", .type = SK_REF, .kind = KIND_QUEUE, .flags = SKF_REQUIRED, .off = OFF(consumer_spec, queue),
     .pos = POS(consumer_spec, queue_pos), .hint = "the broker queue it drains", .doc = "The broker queue it drains."},
    {.name = "service", .type = SK_REF, .kind = KIND_SERVICE, .flags = SKF_REQUIRED,
     .off = OFF(consumer_spec, service), .pos = POS(consumer_spec, service_pos),
     .hint = "the service whose workers handle the messages",
     .doc = "The service whose workers handle the messages: a delivery is an attempt at one of its replicas (its "
            "`service_time`, `errors` and `calls`). A replica that crashes loses the deliveries it holds."},
    {.name = "concurrency", .type = SK_COUNT, .off = OFF(consumer_spec, concurrency), .min = 1, .max = 1000000,
     .def = "1", .doc = "Deliveries in flight per serving replica of `service`."},
    {.name = "batch", .type = SK_COUNT, .off = OFF(consumer_spec, batch), .min = 1, .max = 10000, .def = "1",
     .doc = "Messages per delivery (at most): one attempt handles them together, and they are acked, failed or "
            "lost together. The attempt's downstream calls and publishes are made once for the batch; a write "
            "they apply counts once for every message of the batch."},
    {.name = "ack", .type = SK_ENUM, .off = OFF(consumer_spec, ack), .pos = POS(consumer_spec, ack_pos),
     .words = (const char *const[]){"after_processing", "before_processing", NULL}, .def = "after_processing",
     .doc = "When the consumer acks: `before_processing`, on receipt (the broker deletes the message, so a crash or "
            "a failure loses it); `after_processing`, once the attempt succeeds."},
    {.name = "on_failure", .type = SK_ENUM, .off = OFF(consumer_spec, on_failure),
     .words = (const char *const[]){"retry_later", "nack", "drop", NULL}, .def = "retry_later",
     .doc = "What a failed delivery does with `ack: after_processing`: `nack`, the messages are visible again at "
            "once; `retry_later`, they come back after the visibility timeout; `drop`, they are acked anyway."},
    {.name = "effect", .type = SK_ENUM, .off = OFF(consumer_spec, effect), .pos = POS(consumer_spec, effect_pos),
     .words = W_EFFECT, .def = "read",
     .doc = "`write`: handling a message changes state; the integrity ledger counts how often each one is applied."},
    {0},
};
static const schema_table consumer_table = {
    .id = "consumer", .noun = "consumer", .keys = consumer_keys, .size = sizeof(consumer_spec),
    .kind = KIND_CONSUMER, .name_off = POS(consumer_spec, name), .pos_off = POS(consumer_spec, pos),
    .init = consumer_init, .expected = "a consumer group such as {queue: orders, service: worker, concurrency: 8}",
};
/* ---- teams ------------------------------------------------------------------- */

/* A list of names (`owns`, `talks_to`), each kept with its place: they are
 * checked against the whole model once it is read (teams.c). */
static int read_refs(schema_ctx *S, const schema_key *k, yaml_node_t *v, const char *path, void *obj)
{
    if (v->type != YAML_SEQUENCE_NODE)
        return sk_fail(S, v, "%s: expected a list of names such as [checkout, db], got %s", path, yd_type_name(v));
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    team_ref *r = xcalloc(n ? n : 1, sizeof *r);
    *(team_ref **)((char *)obj + k->off) = r;
    *(size_t *)((char *)obj + k->count) = n;
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *e = sk_node(S, v->data.sequence.items.start[i]);
        char p[SK_PATH];
        snprintf(p, sizeof p, "%s[%zu]", path, i);
        const char *t = yd_scalar(&S->y, e, p, "a name");
        if (!t)
            return -1;
        r[i].name = xstrdup(t);
        r[i].index = -1;
        r[i].pos = pos_of(e);
    }
    return 0;
}

static const schema_key team_keys[] = {
    {.name = "owns", .type = SK_CUSTOM, .off = OFF(team_spec, owns), .count = OFF(team_spec, nowns),
     .read = read_refs, .what = "list of component names", .def_doc = "`[]`",
     .json = "{\"type\": \"array\", \"items\": {\"type\": \"string\"}}",
     .doc = "The components the team owns: clients, services, caches, autoscalers, infra entries. A component has "
            "at most one owner; an unowned one is allowed, and reported."},
    {.name = "talks_to", .type = SK_CUSTOM, .off = OFF(team_spec, talks_to), .count = OFF(team_spec, ntalks),
     .read = read_refs, .what = "list of team names", .def_doc = "`[]`",
     .json = "{\"type\": \"array\", \"items\": {\"type\": \"string\"}}",
     .doc = "The teams it actually talks to (the informal graph, not the org chart). Two teams talk when either "
            "lists the other."},
    {.name = "oncall", .type = SK_DURATION, .off = OFF(team_spec, oncall), .pos = POS(team_spec, oncall_pos),
     .def_doc = "none",
     .doc = "How long the team takes to act on a page."},
    {0},
};
static int team_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path);
static const schema_table team_table = {
    .id = "team", .noun = "team", .keys = team_keys, .size = sizeof(team_spec), .kind = KIND_NONE,
    .name_off = POS(team_spec, name), .pos_off = POS(team_spec, pos), .rule = team_rule,
    .expected = "a team such as {owns: [checkout], talks_to: [payments], oncall: 10m}",
};
static int team_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path)
{
    (void)S, (void)n, (void)path;
    const schema_table *self = &team_table;
    ((team_spec *)obj)->has_oncall = F("oncall")->val != NULL;
    return 0;
}

/* ---- the whole model ------------------------------------------------------------ */

static int read_seed(schema_ctx *S, const schema_key *k, yaml_node_t *v, const char *path, void *obj)
{
    (void)k;
    model *m = obj;
    const char *sv = yd_scalar(&S->y, v, path, "a whole number");
    if (!sv)
        return -1;
    char *end;
    errno = 0;
    m->seed = strtoull(sv, &end, 10);
    if (errno || *end || !*sv || sv[0] == '-' || sv[0] == '+')
        return sk_fail(S, v, "%s: expected a whole number from 0 to 2^64-1, got '%s'", path, sv);
    return 0;
}

static int model_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path);
static void model_init(void *obj) { ((model *)obj)->seed = 1; }

/* Sections are read in `pass` order: caches first (calls, faults and
 * actions name them), then services, clients, and what acts on them. */
/* ---- hypotheses (§13; hypotheses.c reads them once the whole model is) ---- */

static const schema_key hyp_range_keys[] = {
    {.name = "from", .type = SK_DURATION, .flags = SKF_REQUIRED, .off = OFF(hyp_range, from),
     .hint = "when the window starts, e.g. 60s", .doc = "When the window starts, from the start of the run."},
    {.name = "to", .type = SK_DURATION, .off = OFF(hyp_range, to), .def_doc = "the end of the run",
     .doc = "When it ends; after `from`."},
    {0},
};
const schema_table hyp_range_table = {
    .id = "window", .noun = "window", .keys = hyp_range_keys, .size = sizeof(hyp_range),
    .expected = "a mapping with 'from' and optionally 'to', such as {from: 60s, to: 120s}",
};

static const char *const W_HYP_STAT[] = {"mean", "max", "min", NULL};
static const char *const W_HYP_BASELINE[] = {"before", "no_faults", NULL};
#define HYP_THRESHOLD_JSON "{\"type\": [\"string\", \"number\"]}"
#define HYP_THRESHOLD_WHAT "threshold in the metric's unit, or `N% of baseline`"

static const schema_key hypothesis_keys[] = {
    {.name = "name", .type = SK_STRING, .flags = SKF_REQUIRED, .off = OFF(hypothesis, name),
     .hint = "what the hypothesis claims, in words: it names the test case",
     .doc = "What the hypothesis claims, in words. It names the test case in JUnit; names within a model must "
            "differ."},
    {.name = "metric", .type = SK_CUSTOM, .flags = SKF_REQUIRED, .read = hyp_read_metric,
     .pos = OFF(hypothesis, metric_pos) + 1, .what = "`entity.metric`", .json = "{\"type\": \"string\"}",
     .hint = "a CSV column such as shoppers.latency_p99",
     .doc = "A column of `eddy run -o`, or a client's `success` or `amplification` ([check.md](check.md#metrics))."},
    {.name = "window", .type = SK_CUSTOM, .flags = SKF_REQUIRED, .read = hyp_read_window,
     .pos = OFF(hypothesis, window_pos) + 1, .what = "`before`, `during`, `after`, `run`, or `{from: DUR, to: DUR}`",
     .json = "{\"anyOf\": [{\"enum\": [\"before\", \"during\", \"after\", \"run\"]}, {\"$ref\": "
             "\"#/$defs/window\"}]}",
     .hint = "before, during, after, run, or {from: 60s, to: 120s}",
     .doc = "The part of the run it is about: before, during or after the faults, the whole run, or a time "
            "range."},
    {.name = "within", .type = SK_DURATION, .off = OFF(hypothesis, within), .def = "0s",
     .doc = "Only with `during` or `after`: the window starts this long after the faults start or end."},
    {.name = "stat", .type = SK_ENUM, .off = OFF(hypothesis, stat), .words = W_HYP_STAT, .def = "mean",
     .doc = "What is taken of the metric over the window."},
    {.name = "below", .type = SK_CUSTOM, .read = hyp_read_threshold, .pass = 1, .what = HYP_THRESHOLD_WHAT,
     .json = HYP_THRESHOLD_JSON, .doc = "The value must be `<` this. Exactly one comparison is required."},
    {.name = "at_most", .type = SK_CUSTOM, .read = hyp_read_threshold, .pass = 1, .what = HYP_THRESHOLD_WHAT,
     .json = HYP_THRESHOLD_JSON, .doc = "`<=`."},
    {.name = "above", .type = SK_CUSTOM, .read = hyp_read_threshold, .pass = 1, .what = HYP_THRESHOLD_WHAT,
     .json = HYP_THRESHOLD_JSON, .doc = "`>`."},
    {.name = "at_least", .type = SK_CUSTOM, .read = hyp_read_threshold, .pass = 1, .what = HYP_THRESHOLD_WHAT,
     .json = HYP_THRESHOLD_JSON, .doc = "`>=`."},
    {.name = "baseline", .type = SK_ENUM, .off = OFF(hypothesis, baseline), .words = W_HYP_BASELINE,
     .def = "before",
     .doc = "Only with `N% of baseline`: the mean before the first fault in the same run, or the same window in a "
            "run of the same seed without the faults."},
    {0},
};
const schema_table hypothesis_table = {
    .id = "hypothesis", .noun = "hypothesis", .keys = hypothesis_keys, .size = sizeof(hypothesis),
    .pos_off = OFF(hypothesis, pos) + 1, .rule = hyp_rule,
    .expected = "a hypothesis such as {name: ..., metric: shoppers.latency_p99, window: during, at_most: 200ms}",
};

static const schema_key model_keys[] = {
    {.name = "name", .type = SK_STRING, .off = OFF(model, name), .what = "a string",
     .doc = "A title, printed under the first line of the text summary and as `name` in JSON."},
    {.name = "description", .type = SK_STRING, .off = OFF(model, description), .what = "a string",
     .doc = "Free text for people. Not used by the engine or printed."},
    {.name = "duration", .type = SK_DURATION, .flags = SKF_REQUIRED | SKF_POSITIVE, .off = OFF(model, duration),
     .hint = "how long to simulate, e.g. 10m",
     .doc = "Simulated time. The run stops when the last telemetry interval closes at `duration`."},
    {.name = "seed", .type = SK_CUSTOM, .read = read_seed, .what = "whole number, 0 to 2⁶⁴−1",
     .json = "{\"type\": \"integer\", \"minimum\": 0}", .def_doc = "`1`",
     .doc = "The run seed. `eddy run --seed N` overrides it."},
    {.name = "sample", .type = SK_DURATION, .flags = SKF_POSITIVE, .off = OFF(model, sample),
     .def_doc = "`1s` (or `duration`, if that is shorter)",
     .doc = "The telemetry interval: one CSV row per interval. Must not be longer than `duration`, and `duration / "
            "sample` must not exceed 10,000,000 rows. If `duration` is not a multiple of `sample`, the last interval "
            "is shorter."},
    {.name = "clients", .type = SK_ENTITIES, .flags = SKF_REQUIRED, .off = OFF(model, clients),
     .count = OFF(model, nclients), .sub = &client_table, .pass = 3, .hint = "where the load comes from",
     .what = "a mapping of client names to clients", .doc = "At least one. See §3."},
    {.name = "services", .type = SK_ENTITIES, .flags = SKF_REQUIRED, .off = OFF(model, services),
     .count = OFF(model, nservices), .sub = &service_table, .pass = 2, .hint = "the services requests flow through",
     .what = "a mapping of service names to services", .doc = "At least one. See §4."},
    {.name = "faults", .type = SK_LIST, .off = OFF(model, faults), .count = OFF(model, nfaults), .sub = &fault_table,
     .pass = 4, .what = "a list of fault windows", .doc = "See §5."},
    {.name = "actions", .type = SK_LIST, .off = OFF(model, actions), .count = OFF(model, nactions),
     .sub = &action_table, .pass = 5, .what = "a list of actions", .doc = "See §6."},
    {.name = "autoscalers", .type = SK_ENTITIES, .off = OFF(model, autoscalers), .count = OFF(model, nautoscalers),
     .sub = &autoscaler_table, .pass = 6, .what = "a mapping of autoscaler names to autoscalers",
     .doc = "Controllers that set services' replica counts, as the Kubernetes HorizontalPodAutoscaler. See §8."},
    {.name = "caches", .type = SK_ENTITIES, .off = OFF(model, caches), .count = OFF(model, ncaches),
     .sub = &cache_table, .pass = 1, .what = "a mapping of cache names to caches",
     .doc = "Look-aside caches that calls name with `cache:`. See §9."},
    {.name = "queues", .type = SK_ENTITIES, .off = OFF(model, queues), .count = OFF(model, nqueues),
     .sub = &bqueue_table, .pass = 1, .what = "a mapping of queue names to broker queues",
     .doc = "Broker queues that clients and services `publish:` to and consumer groups drain. Not a service's "
            "`queue` (its request queue). See §14."},
    {.name = "consumers", .type = SK_ENTITIES, .off = OFF(model, consumers), .count = OFF(model, nconsumers),
     .sub = &consumer_table, .pass = 3, .what = "a mapping of consumer group names to consumer groups",
     .doc = "Consumer groups: the service that drains each queue. See §14."},
    {.name = "infra", .type = SK_ENTITIES, .off = OFF(model, infra), .count = OFF(model, ninfra), .sub = &infra_table,
     .pass = 1, .what = "a mapping of names to failure processes",
     .doc = "Shared things that serve no requests: config, DNS, a control plane, a zone. See §10."},
    {.name = "ccf", .type = SK_LIST, .off = OFF(model, ccf), .count = OFF(model, nccf), .sub = &ccf_table,
     .what = "a list of common-cause groups", .doc = "Members that fail together (beta-factor). See §10."},
    {.name = "platform", .type = SK_MAP, .off = OFF(model, platform), .sub = &platform_table,
     .doc = "Defaults every call edge and service inherits unless it sets its own: timeout, retry (with its budget), "
            "breaker, deadlines, shed. See §16 and [teams.md](teams.md)."},
    {.name = "teams", .type = SK_ENTITIES, .off = OFF(model, teams), .count = OFF(model, nteams),
     .sub = &team_table, .what = "a mapping of team names to teams",
     .doc = "Who owns each component, whom each team talks to, and how fast it answers a page. See §15 and "
            "[teams.md](teams.md)."},
    {.name = "hypotheses", .type = SK_CUSTOM, .read = read_later, .what = "list of hypotheses",
     .json = "{\"type\": \"array\", \"items\": {\"$ref\": \"#/$defs/hypothesis\"}}",
     .doc = "What the model claims about its own run (a metric, a window, a statistic, a threshold), judged by `eddy "
            "check`. See §13 and [check.md](check.md)."},
    {0},
};
const schema_table schema_model = {
    .id = "model", .noun = "model", .keys = model_keys, .init = model_init, .rule = model_rule,
    .expected = "a mapping with duration, clients and services",
};

static int model_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *n, const char *path)
{
    (void)n;
    (void)path;
    const schema_table *self = &schema_model;
    model *m = obj;
    /* one row a second, or a single row for a run shorter than that */
    if (!F("sample")->val)
        m->sample = m->duration < T_SEC ? m->duration : T_SEC;
    if (m->sample > m->duration)
        return sk_fail(S, F("sample")->val, "sample: the telemetry interval must not be longer than duration");
    if (m->duration / m->sample > 10000000)
        return sk_fail(S, F("sample")->val ? F("sample")->val : F("duration")->val,
                       "sample: %lld intervals is too many rows; use a longer sample",
                       (long long)(m->duration / m->sample));
    return 0;
}

/* Every table, for `eddy schema` and the docs. */
const schema_table *const schema_tables[] = {
    &schema_model,   &client_table,  &step_table,   &retry_table,    &budget_table,   &breaker_table,
    &pool_table,     &hedge_table,   &call_bulkhead_table, &service_table, &dist_table, &contention_table,
    &service_call_table, &shed_table, &codel_table,  &limit_table,    &bulkhead_table, &fault_table,
    &action_table,   &autoscaler_table, &scale_table, &cache_table,   &dedupe_table, &bqueue_table,
    &consumer_table, &failures_table, &repair_table, &infra_table, &depends_table, &ccf_table, &team_table,
    &platform_table, &hypothesis_table, &hyp_range_table, NULL,
};
