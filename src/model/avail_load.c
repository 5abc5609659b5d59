/* avail_load.c -- the availability sections of a model file: `infra:`,
 * `ccf:`, and a service's `failures:`, `zones:` and `depends_on:`.
 *
 * Kept in its own file, with a small hook in load.c, while the loader moves
 * to a declarative schema (issue 18): these readers use only yamldoc.h and
 * units.h, so they fold into the schema table as they are.  The errors
 * follow the loader's: file:line:col, the key's path, what was expected. */
#include "avail_load.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

#define AL_PATH 256

static void *al_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        abort();
    return p;
}

static char *al_xstrdup(const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p)
        abort();
    return p;
}

/* A key path for messages; a path too long for the buffer is cut, which
 * only shortens a message (vsnprintf: no truncation warning to silence). */
static void al_pathf(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void al_pathf(char *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, AL_PATH, fmt, ap);
    va_end(ap);
}

static model_pos al_pos(const yaml_node_t *n) { return (model_pos){yd_line(n), yd_col(n)}; }

/* A mapping's values by key; unknown and duplicate keys are errors. */
static int al_fields(const yamldoc *y, yaml_node_t *map, const char *path, const char *const *keys, yaml_node_t **vals,
                     yaml_node_t **knodes)
{
    size_t nk = 0;
    while (keys[nk])
        nk++;
    for (size_t i = 0; i < nk; i++)
        vals[i] = knodes[i] = NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yd_node(y, p->key);
        if (k->type != YAML_SCALAR_NODE)
            return yd_fail(y, k, "%s: keys must be plain words, got %s", path, yd_type_name(k));
        size_t i = 0;
        while (i < nk && strcmp(keys[i], yd_text(k)) != 0)
            i++;
        if (i == nk) {
            char list[256] = "";
            for (size_t j = 0; j < nk; j++) {
                strncat(list, keys[j], sizeof list - strlen(list) - 1);
                if (j + 1 < nk)
                    strncat(list, ", ", sizeof list - strlen(list) - 1);
            }
            return yd_fail(y, k, "%s: unknown key '%s'; expected one of: %s", path, yd_text(k), list);
        }
        if (vals[i])
            return yd_fail(y, k, "%s: duplicate key '%s' (first given at line %d)", path, yd_text(k),
                           yd_line(knodes[i]));
        vals[i] = yd_node(y, p->value);
        knodes[i] = k;
    }
    return 0;
}

/* A positive duration, in seconds. */
static int al_seconds(const yamldoc *y, yaml_node_t *n, const char *path, double *out)
{
    const char *s = yd_scalar(y, n, path, "a duration with a unit, such as 30m or 720h");
    simtime t;
    if (!s)
        return -1;
    if (units_duration(s, &t) < 0)
        return yd_fail(y, n, "%s: expected a duration with a unit (ns, us, ms, s, m, h), such as 30m or 720h; got '%s'",
                       path, s);
    if (t <= 0)
        return yd_fail(y, n, "%s: expected a duration greater than zero, got '%s'", path, s);
    *out = (double)t / T_SEC;
    return 0;
}

static int al_number(const yamldoc *y, yaml_node_t *n, const char *path, double *out)
{
    const char *s = yd_scalar(y, n, path, "a number");
    if (!s)
        return -1;
    if (units_number(s, out) < 0 || !(*out > 0) || !isfinite(*out))
        return yd_fail(y, n, "%s: expected a number greater than zero, got '%s'", path, s);
    return 0;
}

static int al_fraction(const yamldoc *y, yaml_node_t *n, const char *path, double *out)
{
    const char *s = yd_scalar(y, n, path, "a fraction such as 5% or 0.05");
    if (!s)
        return -1;
    if (units_fraction(s, out) < 0)
        return yd_fail(y, n, "%s: expected a fraction between 0 and 1, such as 5%% or 0.05; got '%s'", path, s);
    return 0;
}

/* mttr: a duration (the mean of an exponential repair) or a distribution. */
static int al_repair(const yamldoc *y, yaml_node_t *n, const char *path, repair *out)
{
    if (n->type == YAML_SCALAR_NODE) {
        double m;
        if (al_seconds(y, n, path, &m) < 0)
            return -1;
        *out = repair_exponential(m);
        return 0;
    }
    if (n->type != YAML_MAPPING_NODE)
        return yd_fail(y, n, "%s: expected a duration such as 30m, or a distribution such as "
                             "{dist: lognormal, median: 20m, p99: 4h}; got %s", path, yd_type_name(n));
    static const char *const keys[] = {"dist", "mean", "median", "p99", "cv", "shape", "scale", "value", NULL};
    enum { K_DIST, K_MEAN, K_MEDIAN, K_P99, K_CV, K_SHAPE, K_SCALE, K_VALUE, K_N };
    yaml_node_t *v[K_N], *k[K_N];
    if (al_fields(y, n, path, keys, v, k) < 0)
        return -1;
    static const char *const kinds[] = {"constant", "exponential", "lognormal", "weibull", NULL};
    static const char *const needs[] = {"value", "mean", "mean and cv, or median and p99", "shape and mean, or shape and scale"};
    static const unsigned takes[] = {1u << K_VALUE, 1u << K_MEAN,
                                     (1u << K_MEAN) | (1u << K_CV) | (1u << K_MEDIAN) | (1u << K_P99),
                                     (1u << K_SHAPE) | (1u << K_MEAN) | (1u << K_SCALE)};
    if (!v[K_DIST])
        return yd_fail(y, n, "%s: missing key 'dist'; expected one of exponential|lognormal|weibull|constant", path);
    char p[AL_PATH];
    al_pathf(p, "%s.dist", path);
    const char *d = yd_scalar(y, v[K_DIST], p, "exponential|lognormal|weibull|constant");
    if (!d)
        return -1;
    int kind = -1;
    for (int i = 0; kinds[i]; i++)
        if (!strcmp(d, kinds[i]))
            kind = i;
    if (kind < 0)
        return yd_fail(y, v[K_DIST], "%s: expected one of exponential|lognormal|weibull|constant, got '%s'", p, d);
    for (int i = K_MEAN; i < K_N; i++)
        if (v[i] && !(takes[kind] & (1u << i)))
            return yd_fail(y, k[i], "%s: a %s repair time does not take '%s'; it takes %s", path, kinds[kind], keys[i],
                           needs[kind]);
    double a = 0, b = 0;
#define SEC(K, VAR) (al_pathf(p, "%s.%s", path, keys[K]), al_seconds(y, v[K], p, &(VAR)))
#define NUM(K, VAR) (al_pathf(p, "%s.%s", path, keys[K]), al_number(y, v[K], p, &(VAR)))
#define MISSING() yd_fail(y, n, "%s: a %s repair time needs %s", path, kinds[kind], needs[kind])
    switch (kind) {
    case REPAIR_CONSTANT:
        if (!v[K_VALUE])
            return MISSING();
        if (SEC(K_VALUE, a) < 0)
            return -1;
        *out = repair_constant(a);
        break;
    case REPAIR_EXPONENTIAL:
        if (!v[K_MEAN])
            return MISSING();
        if (SEC(K_MEAN, a) < 0)
            return -1;
        *out = repair_exponential(a);
        break;
    case REPAIR_LOGNORMAL:
        if (v[K_MEAN] && v[K_CV] && !v[K_MEDIAN] && !v[K_P99]) {
            if (SEC(K_MEAN, a) < 0 || NUM(K_CV, b) < 0)
                return -1;
            *out = repair_lognormal_mean_cv(a, b);
        } else if (v[K_MEDIAN] && v[K_P99] && !v[K_MEAN] && !v[K_CV]) {
            if (SEC(K_MEDIAN, a) < 0 || SEC(K_P99, b) < 0)
                return -1;
            if (b <= a)
                return yd_fail(y, v[K_P99], "%s: p99 must be greater than median", path);
            *out = repair_lognormal_median_p99(a, b);
        } else {
            return MISSING();
        }
        break;
    case REPAIR_WEIBULL:
        if (!v[K_SHAPE] || !!v[K_MEAN] == !!v[K_SCALE])
            return MISSING();
        if (NUM(K_SHAPE, a) < 0)
            return -1;
        if (a < 0.1 || a > 20)
            return yd_fail(y, v[K_SHAPE], "%s.shape: expected a Weibull shape from 0.1 to 20, got '%s'", path,
                           yd_text(v[K_SHAPE]));
        if (v[K_MEAN]) {
            if (SEC(K_MEAN, b) < 0)
                return -1;
            *out = repair_weibull_mean(a, b);
        } else {
            if (SEC(K_SCALE, b) < 0)
                return -1;
            *out = repair_weibull(a, b);
        }
        break;
    }
#undef SEC
#undef NUM
#undef MISSING
    return 0;
}

/* {mtbf, mttr} or {availability, mttr}: a failure process. */
static int al_failures(const yamldoc *y, yaml_node_t *n, const char *path, failures_spec *f)
{
    if (n->type != YAML_MAPPING_NODE)
        return yd_fail(y, n, "%s: expected a mapping such as {mtbf: 720h, mttr: 30m}, got %s", path,
                       yd_type_name(n));
    static const char *const keys[] = {"mtbf", "mttr", "availability", NULL};
    yaml_node_t *v[3], *k[3];
    if (al_fields(y, n, path, keys, v, k) < 0)
        return -1;
    char p[AL_PATH];
    if (!v[1])
        return yd_fail(y, n, "%s: missing key 'mttr' (the mean time to repair, e.g. 30m, or a distribution)", path);
    if (!v[0] == !v[2])
        return yd_fail(y, n, "%s: give one of 'mtbf' (e.g. 720h) or 'availability' (e.g. 99.9%%), with 'mttr'", path);
    al_pathf(p, "%s.mttr", path);
    if (al_repair(y, v[1], p, &f->mttr) < 0)
        return -1;
    double m = repair_mean(&f->mttr);
    if (v[0]) {
        al_pathf(p, "%s.mtbf", path);
        if (al_seconds(y, v[0], p, &f->mtbf) < 0)
            return -1;
    } else {
        double a;
        al_pathf(p, "%s.availability", path);
        if (al_fraction(y, v[2], p, &a) < 0)
            return -1;
        if (a <= 0 || a >= 1)
            return yd_fail(y, v[2], "%s: expected an availability above 0%% and below 100%%, got '%s'", p,
                           yd_text(v[2]));
        f->mtbf = m * a / (1 - a);
    }
    f->on = true;
    f->pos = al_pos(n);
    return 0;
}

static int al_list(const yamldoc *y, yaml_node_t *n, const char *path, const char *example)
{
    if (n->type != YAML_SEQUENCE_NODE)
        return yd_fail(y, n, "%s: expected a list such as %s, got %s", path, example, yd_type_name(n));
    return 0;
}

static int al_ref(const yamldoc *y, yaml_node_t *n, const char *path, infra_ref *r)
{
    const char *s = yd_scalar(y, n, path, "the name of an infra entry");
    if (!s)
        return -1;
    r->name = al_xstrdup(s);
    r->infra = -1;
    r->pos = al_pos(n);
    return 0;
}

int avail_load_service(const yamldoc *y, const char *path, yaml_node_t *failures, yaml_node_t *zones,
                       yaml_node_t *depends_on, service_spec *s)
{
    char p[AL_PATH];
    if (failures) {
        al_pathf(p, "%s.failures", path);
        if (al_failures(y, failures, p, &s->failures) < 0)
            return -1;
    }
    if (zones) {
        al_pathf(p, "%s.zones", path);
        if (al_list(y, zones, p, "[zone-a, zone-b, zone-c]") < 0)
            return -1;
        size_t n = (size_t)(zones->data.sequence.items.top - zones->data.sequence.items.start);
        if (n == 0)
            return yd_fail(y, zones, "%s: expected at least one zone", p);
        s->zones = al_xcalloc(n, sizeof *s->zones);
        for (size_t i = 0; i < n; i++) {
            char q[AL_PATH];
            al_pathf(q, "%s[%zu]", p, i);
            if (al_ref(y, yd_node(y, zones->data.sequence.items.start[i]), q, &s->zones[i]) < 0)
                return -1;
            s->nzones++;
        }
    }
    if (depends_on) {
        al_pathf(p, "%s.depends_on", path);
        if (al_list(y, depends_on, p, "[config, {dns: {stale: 10m}}]") < 0)
            return -1;
        size_t n = (size_t)(depends_on->data.sequence.items.top - depends_on->data.sequence.items.start);
        s->depends_on = al_xcalloc(n ? n : 1, sizeof *s->depends_on);
        for (size_t i = 0; i < n; i++) {
            char q[AL_PATH];
            al_pathf(q, "%s[%zu]", p, i);
            yaml_node_t *e = yd_node(y, depends_on->data.sequence.items.start[i]);
            depends_spec *d = &s->depends_on[s->ndepends];
            if (e->type == YAML_SCALAR_NODE) {
                if (al_ref(y, e, q, &d->on) < 0)
                    return -1;
            } else if (e->type == YAML_MAPPING_NODE && e->data.mapping.pairs.top - e->data.mapping.pairs.start == 1) {
                yaml_node_pair_t *pr = e->data.mapping.pairs.start;
                yaml_node_t *k = yd_node(y, pr->key), *v = yd_node(y, pr->value);
                if (al_ref(y, k, q, &d->on) < 0)
                    return -1;
                s->ndepends++; /* owned from here: freed with the service */
                char r[AL_PATH];
                al_pathf(r, "%s.%s", q, d->on.name);
                if (v->type == YAML_SCALAR_NODE && !strcmp(yd_text(v), "fail")) {
                    d->stale = 0;
                } else if (v->type == YAML_MAPPING_NODE) {
                    static const char *const keys[] = {"stale", NULL};
                    yaml_node_t *sv[1], *sk[1];
                    if (al_fields(y, v, r, keys, sv, sk) < 0)
                        return -1;
                    if (!sv[0])
                        return yd_fail(y, v, "%s: expected {stale: DURATION}", r);
                    double g;
                    snprintf(r + strlen(r), sizeof r - strlen(r), ".stale");
                    if (al_seconds(y, sv[0], r, &g) < 0)
                        return -1;
                    d->stale = (simtime)llround(g * T_SEC);
                } else {
                    return yd_fail(y, v,
                                   "%s: expected what an outage of %s does: 'fail', or {stale: 10m} (served from "
                                   "cached data for that long)",
                                   r, d->on.name);
                }
                continue;
            } else {
                return yd_fail(y, e, "%s: expected an infra name, or {NAME: fail} or {NAME: {stale: 10m}}, got %s", q,
                               yd_type_name(e));
            }
            s->ndepends++;
        }
    }
    return 0;
}

int avail_load_infra(const yamldoc *y, yaml_node_t *n, model *m)
{
    if (n->type != YAML_MAPPING_NODE)
        return yd_fail(y, n, "infra: expected a mapping of names to failure processes, such as "
                             "{config: {mtbf: 720h, mttr: 20m}}; got %s", yd_type_name(n));
    size_t cnt = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    m->infra = al_xcalloc(cnt, sizeof *m->infra);
    for (size_t i = 0; i < cnt; i++) {
        yaml_node_pair_t *pr = &n->data.mapping.pairs.start[i];
        yaml_node_t *k = yd_node(y, pr->key), *v = yd_node(y, pr->value);
        const char *name = yd_scalar(y, k, "infra", "a name");
        if (!name)
            return -1;
        for (const char *c = name; *c; c++)
            if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_' ||
                  *c == '-'))
                return yd_fail(y, k, "infra: name '%s' may hold only letters, digits, '_' and '-'", name);
        if (!*name)
            return yd_fail(y, k, "infra: a name must not be empty");
        for (size_t j = 0; j < m->ninfra; j++)
            if (!strcmp(m->infra[j].name, name))
                return yd_fail(y, k, "infra: duplicate name '%s'", name);
        if (model_find_service(m, name) >= 0 || model_find_client(m, name) >= 0)
            return yd_fail(y, k, "infra: '%s' is also a service or client name; one name must mean one thing", name);
        infra_spec *e = &m->infra[m->ninfra++];
        e->name = al_xstrdup(name);
        e->pos = al_pos(k);
        char p[AL_PATH];
        al_pathf(p, "infra.%s", name);
        if (al_failures(y, v, p, &e->failures) < 0)
            return -1;
    }
    return 0;
}

int avail_load_ccf(const yamldoc *y, yaml_node_t *n, model *m)
{
    if (al_list(y, n, "ccf", "[{members: [api], model: beta-factor, beta: 5%}]") < 0)
        return -1;
    size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    m->ccf = al_xcalloc(cnt ? cnt : 1, sizeof *m->ccf);
    for (size_t i = 0; i < cnt; i++) {
        yaml_node_t *e = yd_node(y, n->data.sequence.items.start[i]);
        char p[AL_PATH], q[AL_PATH];
        al_pathf(p, "ccf[%zu]", i);
        if (e->type != YAML_MAPPING_NODE)
            return yd_fail(y, e, "%s: expected a mapping {members: [...], model: beta-factor, beta: 5%%}, got %s", p,
                           yd_type_name(e));
        static const char *const keys[] = {"name", "members", "model", "beta", NULL};
        yaml_node_t *v[4], *k[4];
        if (al_fields(y, e, p, keys, v, k) < 0)
            return -1;
        ccf_spec *c = &m->ccf[m->nccf++];
        c->pos = al_pos(e);
        if (v[0]) {
            al_pathf(q, "%s.name", p);
            const char *s = yd_scalar(y, v[0], q, "a name");
            if (!s)
                return -1;
            c->name = al_xstrdup(s);
        } else {
            char def[32];
            snprintf(def, sizeof def, "ccf-%zu", i + 1);
            c->name = al_xstrdup(def);
        }
        if (v[2]) {
            al_pathf(q, "%s.model", p);
            const char *s = yd_scalar(y, v[2], q, "beta-factor");
            if (!s)
                return -1;
            if (strcmp(s, "beta-factor") != 0)
                return yd_fail(y, v[2], "%s: expected beta-factor (the one model eddy implements), got '%s'", q, s);
        }
        if (!v[3])
            return yd_fail(y, e, "%s: missing key 'beta' (the fraction of a member's failures that hit every member)",
                           p);
        al_pathf(q, "%s.beta", p);
        if (al_fraction(y, v[3], q, &c->beta) < 0)
            return -1;
        if (!v[1])
            return yd_fail(y, e, "%s: missing key 'members' (services, whose replicas fail together, or infra)", p);
        al_pathf(q, "%s.members", p);
        if (al_list(y, v[1], q, "[api, web]") < 0)
            return -1;
        size_t nm = (size_t)(v[1]->data.sequence.items.top - v[1]->data.sequence.items.start);
        c->members = al_xcalloc(nm ? nm : 1, sizeof *c->members);
        for (size_t j = 0; j < nm; j++) {
            char r[AL_PATH];
            al_pathf(r, "%s[%zu]", q, j);
            yaml_node_t *mn = yd_node(y, v[1]->data.sequence.items.start[j]);
            const char *s = yd_scalar(y, mn, r, "a service or infra name");
            if (!s)
                return -1;
            c->members[j] = (ccf_member){al_xstrdup(s), -1, -1, al_pos(mn)};
            c->nmembers++;
        }
    }
    return 0;
}

static int al_resolve(const yamldoc *y, const model *m, infra_ref *r, const char *what)
{
    for (size_t i = 0; i < m->ninfra; i++)
        if (!strcmp(m->infra[i].name, r->name)) {
            r->infra = (int)i;
            return 0;
        }
    return err_set(y->err, y->file, r->pos.line, r->pos.col, "%s: '%s' is not an infra entry%s", what, r->name,
                   m->ninfra ? "" : " (the model has no infra: section)");
}

/* The probability a member is down, for the beta-factor check. */
static double al_q(const failures_spec *f)
{
    double mr = repair_mean(&f->mttr);
    return mr / (f->mtbf + mr);
}

int avail_load_check(const yamldoc *y, model *m)
{
    for (size_t s = 0; s < m->nservices; s++) {
        service_spec *S = &m->services[s];
        char what[AL_PATH];
        for (size_t i = 0; i < S->nzones; i++) {
            snprintf(what, sizeof what, "services.%s.zones[%zu]", S->name, i);
            if (al_resolve(y, m, &S->zones[i], what) < 0)
                return -1;
        }
        for (size_t i = 0; i < S->ndepends; i++) {
            snprintf(what, sizeof what, "services.%s.depends_on[%zu]", S->name, i);
            if (al_resolve(y, m, &S->depends_on[i].on, what) < 0)
                return -1;
            for (size_t j = 0; j < i; j++)
                if (S->depends_on[j].on.infra == S->depends_on[i].on.infra)
                    return err_set(y->err, y->file, S->depends_on[i].on.pos.line, S->depends_on[i].on.pos.col,
                                   "%s: %s is listed twice", what, S->depends_on[i].on.name);
        }
    }
    for (size_t c = 0; c < m->nccf; c++) {
        ccf_spec *C = &m->ccf[c];
        double q0 = -1;
        const char *first = NULL;
        for (size_t j = 0; j < C->nmembers; j++) {
            ccf_member *r = &C->members[j];
            r->service = model_find_service(m, r->name);
            r->infra = -1;
            const failures_spec *f = NULL;
            if (r->service >= 0) {
                f = &m->services[r->service].failures;
            } else {
                for (size_t i = 0; i < m->ninfra; i++)
                    if (!strcmp(m->infra[i].name, r->name))
                        r->infra = (int)i;
                if (r->infra < 0)
                    return err_set(y->err, y->file, r->pos.line, r->pos.col,
                                   "ccf[%zu].members[%zu]: '%s' is neither a service nor an infra entry", c, j, r->name);
                f = &m->infra[r->infra].failures;
            }
            if (!f->on)
                return err_set(y->err, y->file, r->pos.line, r->pos.col,
                               "ccf[%zu].members[%zu]: %s has no failures: {mtbf, mttr} to share", c, j, r->name);
            for (size_t i = 0; i < c; i++)
                for (size_t k = 0; k < m->ccf[i].nmembers; k++)
                    if (!strcmp(m->ccf[i].members[k].name, r->name))
                        return err_set(y->err, y->file, r->pos.line, r->pos.col,
                                       "ccf[%zu].members[%zu]: %s is already in %s", c, j, r->name, m->ccf[i].name);
            double q = al_q(f);
            if (q0 < 0) {
                q0 = q;
                first = r->name;
            } else if (fabs(q - q0) > 1e-9 * q0) {
                return err_set(y->err, y->file, r->pos.line, r->pos.col,
                               "ccf[%zu].members[%zu]: the beta-factor model gives a group one failure probability, "
                               "but %s is down %.4g%% of the time and %s %.4g%%",
                               c, j, first, 100 * q0, r->name, 100 * q);
            }
            if (r->infra >= 0)
                for (size_t s = 0; s < m->nservices; s++)
                    for (size_t d = 0; d < m->services[s].ndepends; d++)
                        if (m->services[s].depends_on[d].on.infra == r->infra && m->services[s].depends_on[d].stale)
                            return err_set(y->err, y->file, r->pos.line, r->pos.col,
                                           "ccf[%zu].members[%zu]: %s has a stale grace period (services.%s."
                                           "depends_on); eddy cannot yet time a grace over a common-cause group",
                                           c, j, r->name, m->services[s].name);
        }
        size_t units = 0;
        for (size_t j = 0; j < C->nmembers; j++)
            units += C->members[j].service >= 0 ? (size_t)m->services[C->members[j].service].replicas : 1;
        if (units < 2)
            return err_set(y->err, y->file, C->pos.line, C->pos.col,
                           "ccf[%zu]: a common-cause group needs at least two members (replicas count)", c);
    }
    return 0;
}

void avail_load_free_service(service_spec *s)
{
    for (size_t i = 0; i < s->nzones; i++)
        free(s->zones[i].name);
    free(s->zones);
    for (size_t i = 0; i < s->ndepends; i++)
        free(s->depends_on[i].on.name);
    free(s->depends_on);
}

void avail_load_free(model *m)
{
    for (size_t i = 0; i < m->ninfra; i++)
        free(m->infra[i].name);
    free(m->infra);
    for (size_t c = 0; c < m->nccf; c++) {
        for (size_t j = 0; j < m->ccf[c].nmembers; j++)
            free(m->ccf[c].members[j].name);
        free(m->ccf[c].members);
        free(m->ccf[c].name);
    }
    free(m->ccf);
}
