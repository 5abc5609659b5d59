/* r4j.c -- a resilience4j application.yml (Spring Boot) for `eddy import`:
 * its circuitbreaker, retry, bulkhead and timelimiter instances, each on
 * the calls to the service it is named after, from the application named
 * by spring.application.name (or from every caller, without one).
 *
 * Spring's relaxed binding is followed: slidingWindowSize,
 * sliding-window-size and sliding_window_size are one key; a bare number
 * for a duration is milliseconds.  An instance takes the keys of its
 * baseConfig (or of configs.default) where it sets none.  resilience4j's
 * documented defaults (resilience4j.readme.io): CircuitBreaker COUNT_BASED
 * window of 100, minimumNumberOfCalls 100, failureRateThreshold 50,
 * slowCallRateThreshold 100, slowCallDurationThreshold 60s,
 * waitDurationInOpenState 60s, permittedNumberOfCallsInHalfOpenState 10
 * (eddy's breaker has the same defaults); Retry maxAttempts 3 and
 * waitDuration 500ms, on every exception; Bulkhead maxConcurrentCalls 25,
 * maxWaitDuration 0; TimeLimiter timeoutDuration 1s. */
#include <math.h>
#include <ctype.h>
#include <string.h>

#include "imp.h"

/* A key compared Spring's way: case, '-' and '_' ignored. */
static bool same_key(const char *a, const char *b)
{
    for (;;) {
        while (*a == '-' || *a == '_')
            a++;
        while (*b == '-' || *b == '_')
            b++;
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
        if (!*a)
            return true;
        a++, b++;
    }
}

static yaml_node_t *get(const yamldoc *y, const yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yd_node(y, p->key);
        if (k->type == YAML_SCALAR_NODE && same_key(yd_text(k), key))
            return yd_node(y, p->value);
    }
    return NULL;
}

typedef struct inst {
    yaml_node_t *own, *base; /* the instance's keys, its base config's */
} inst;

static yaml_node_t *prop(const yamldoc *y, const inst *in, const char *key)
{
    yaml_node_t *n = get(y, in->own, key);
    return n ? n : get(y, in->base, key);
}

static int percent(const yamldoc *y, yaml_node_t *n, const char *what, char *v, size_t size)
{
    double x;
    if (imp_number(y, n, what, &x) < 0)
        return -1;
    if (x < 0 || x > 100)
        return yd_fail(y, n, "%s: expected a percentage from 0 to 100, got %s", what, yd_text(n));
    snprintf(v, size, "%g%%", x);
    return 0;
}

static int count(const yamldoc *y, yaml_node_t *n, const char *what, char *v, size_t size)
{
    double x;
    if (imp_number(y, n, what, &x) < 0)
        return -1;
    if (!(x >= 0 && x <= 1e9) || x != floor(x)) /* bounded before any conversion */
        return yd_fail(y, n, "%s: expected a whole number from 0 to 1000000000, got %s", what, yd_text(n));
    snprintf(v, size, "%.0f", x);
    return 0;
}

static int breaker(importer *im, const yamldoc *y, const inst *in, const char *ent, const char *from0)
{
    static const struct {
        const char *src, *dst;
        char type; /* c count, p percent, d duration, w window type */
    } keys[] = {{"slidingWindowType", "breaker.window", 'w'},
                {"slidingWindowSize", "breaker.size", 'c'},
                {"minimumNumberOfCalls", "breaker.min_calls", 'c'},
                {"failureRateThreshold", "breaker.failure_rate", 'p'},
                {"slowCallRateThreshold", "breaker.slow_rate", 'p'},
                {"slowCallDurationThreshold", "breaker.slow_duration", 'd'},
                {"waitDurationInOpenState", "breaker.open_for", 'd'},
                {"permittedNumberOfCallsInHalfOpenState", "breaker.half_open_calls", 'c'}};
    char v[64], from[600];
    int got = 0;
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        yaml_node_t *n = prop(y, in, keys[k].src);
        if (!n)
            continue;
        int rc = 0;
        if (keys[k].type == 'c')
            rc = count(y, n, keys[k].src, v, sizeof v);
        else if (keys[k].type == 'p')
            rc = percent(y, n, keys[k].src, v, sizeof v);
        else if (keys[k].type == 'd')
            rc = imp_duration(y, n, keys[k].src, 'm', v, sizeof v);
        else {
            const char *t = n->type == YAML_SCALAR_NODE ? yd_text(n) : "";
            if (!strcmp(t, "COUNT_BASED"))
                snprintf(v, sizeof v, "count");
            else if (!strcmp(t, "TIME_BASED"))
                snprintf(v, sizeof v, "time");
            else
                rc = yd_fail(y, n, "slidingWindowType: expected COUNT_BASED or TIME_BASED, got '%s'", t);
        }
        if (rc < 0)
            return -1;
        imp_set(im, IMP_R4J, ent, keys[k].dst, v, imp_from(y, n, from, sizeof from), NULL);
        got++;
    }
    if (!got)
        imp_set(im, IMP_R4J, ent, "breaker.window", "count", from0,
                "no settings: resilience4j's defaults, which eddy's breaker shares");
    return 0;
}

static int retry(importer *im, const yamldoc *y, const inst *in, const char *ent, const char *from0)
{
    char v[64], from[600];
    yaml_node_t *n = prop(y, in, "maxAttempts");
    if (n) {
        if (count(y, n, "maxAttempts", v, sizeof v) < 0)
            return -1;
        imp_set(im, IMP_R4J, ent, "retry.attempts", v, imp_from(y, n, from, sizeof from),
                "maxAttempts counts the first call, as eddy's attempts");
    } else {
        imp_set(im, IMP_R4J, ent, "retry.attempts", "3", from0, "no maxAttempts: resilience4j's default, 3");
    }
    yaml_node_t *exp = prop(y, in, "enableExponentialBackoff");
    bool expo = exp && exp->type == YAML_SCALAR_NODE && !strcmp(yd_text(exp), "true");
    n = prop(y, in, "waitDuration");
    if (n) {
        if (imp_duration(y, n, "waitDuration", 'm', v, sizeof v) < 0)
            return -1;
        imp_from(y, n, from, sizeof from);
    } else {
        snprintf(v, sizeof v, "500ms");
        snprintf(from, sizeof from, "%s", from0);
    }
    imp_set(im, IMP_R4J, ent, "retry.backoff", expo ? "exponential" : "constant", from,
            expo ? "enableExponentialBackoff" : "resilience4j waits waitDuration between attempts");
    imp_set(im, IMP_R4J, ent, "retry.base", v, from, n ? NULL : "no waitDuration: resilience4j's default, 500ms");
    if (expo) {
        n = prop(y, in, "exponentialBackoffMultiplier");
        double m = 1.5;
        if (n && imp_number(y, n, "exponentialBackoffMultiplier", &m) < 0)
            return -1;
        snprintf(v, sizeof v, "%g", m < 1 ? 1 : m);
        imp_set(im, IMP_R4J, ent, "retry.multiplier", v, n ? imp_from(y, n, from, sizeof from) : from0,
                n ? NULL : "no exponentialBackoffMultiplier: resilience4j's default, 1.5");
        if ((n = prop(y, in, "exponentialMaxWaitDuration"))) {
            if (imp_duration(y, n, "exponentialMaxWaitDuration", 'm', v, sizeof v) < 0)
                return -1;
            imp_set(im, IMP_R4J, ent, "retry.max", v, imp_from(y, n, from, sizeof from), NULL);
        }
    }
    yaml_node_t *rnd = prop(y, in, "enableRandomizedWait");
    if (rnd && rnd->type == YAML_SCALAR_NODE && !strcmp(yd_text(rnd), "true"))
        imp_set(im, IMP_R4J, ent, "retry.jitter", "equal", imp_from(y, rnd, from, sizeof from),
                "enableRandomizedWait spreads each wait over +-50%%; eddy's equal jitter over 50-100%% (nearest)");
    else
        imp_set(im, IMP_R4J, ent, "retry.jitter", "none", from0, NULL);
    imp_set(im, IMP_R4J, ent, "retry.on", "[timeout, error, reject]",
            (n = prop(y, in, "retryExceptions")) ? imp_from(y, n, from, sizeof from) : from0,
            "resilience4j retries every exception unless retryExceptions/ignoreExceptions say otherwise; eddy "
            "cannot tell exceptions apart beyond timeout, error and reject");
    return 0;
}

static int bulkhead(importer *im, const yamldoc *y, const inst *in, const char *ent, const char *from0)
{
    char v[64], from[600];
    yaml_node_t *n = prop(y, in, "maxConcurrentCalls");
    if (n) {
        if (count(y, n, "maxConcurrentCalls", v, sizeof v) < 0)
            return -1;
        imp_set(im, IMP_R4J, ent, "bulkhead.max_concurrent", v, imp_from(y, n, from, sizeof from), NULL);
    } else {
        imp_set(im, IMP_R4J, ent, "bulkhead.max_concurrent", "25", from0,
                "no maxConcurrentCalls: resilience4j's default, 25");
    }
    if ((n = prop(y, in, "maxWaitDuration"))) {
        if (imp_duration(y, n, "maxWaitDuration", 'm', v, sizeof v) < 0)
            return -1;
        imp_set(im, IMP_R4J, ent, "bulkhead.max_wait", v, imp_from(y, n, from, sizeof from), NULL);
    }
    return 0;
}

static int timelimiter(importer *im, const yamldoc *y, const inst *in, const char *ent, const char *from0)
{
    char v[64], from[600];
    yaml_node_t *n = prop(y, in, "timeoutDuration");
    if (n) {
        if (imp_duration(y, n, "timeoutDuration", 'm', v, sizeof v) < 0)
            return -1;
        imp_set(im, IMP_R4J, ent, "timeout", v, imp_from(y, n, from, sizeof from),
                "the TimeLimiter bounds each call inside the Retry: a per-attempt timeout");
    } else {
        imp_set(im, IMP_R4J, ent, "timeout", "1s", from0, "no timeoutDuration: resilience4j's default, 1s");
    }
    return 0;
}

int imp_r4j(importer *im, const yamldoc *y, yaml_node_t *root)
{
    static const char *mods[] = {"circuitbreaker", "retry", "bulkhead", "timelimiter"};
    int (*const fns[])(importer *, const yamldoc *, const inst *, const char *, const char *) = {breaker, retry,
                                                                                                  bulkhead, timelimiter};
    yaml_node_t *r = get(y, root, "resilience4j"), *n;
    const char *app = imp_str(y, imp_path(y, root, "spring.application"), "name", &n);
    char caller[128] = "*", from[600];
    if (app)
        if (imp_name(im, y, n, "spring.application.name", app, caller, sizeof caller) < 0)
            return -1;
    for (int m = 0; m < 4; m++) {
        char dotted[64];
        snprintf(dotted, sizeof dotted, "resilience4j.%s", mods[m]);
        yaml_node_t *mod = r ? get(y, r, mods[m]) : NULL;
        if (!mod)
            mod = get(y, root, dotted);
        if (!mod)
            continue;
        if (imp_want(y, mod, YAML_MAPPING_NODE, dotted) < 0)
            return -1;
        yaml_node_t *configs = get(y, mod, "configs"), *insts = get(y, mod, "instances");
        if (!insts) {
            if (configs)
                imp_warn(im, "%s: %s configs without instances: nothing names a call to put them on",
                         imp_from(y, mod, from, sizeof from), dotted);
            continue;
        }
        if (imp_want(y, insts, YAML_MAPPING_NODE, "instances") < 0)
            return -1;
        for (yaml_node_pair_t *p = insts->data.mapping.pairs.start; p < insts->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yd_node(y, p->key), *v = yd_node(y, p->value);
            if (imp_want(y, v, YAML_MAPPING_NODE, "an instance") < 0)
                return -1;
            inst in = {v, NULL};
            yaml_node_t *bn = get(y, v, "baseConfig");
            const char *base = bn && bn->type == YAML_SCALAR_NODE ? yd_text(bn) : "default";
            in.base = get(y, configs, base);
            if (bn && !in.base)
                return yd_fail(y, bn, "baseConfig: no config named '%s' under %s.configs", base, dotted);
            char svc[128], ent[300];
            if (imp_name(im, y, k, "an instance's name", yd_text(k), svc, sizeof svc) < 0)
                return -1;
            snprintf(ent, sizeof ent, "edge:%s>%s", caller, svc);
            if (fns[m](im, y, &in, ent, imp_from(y, k, from, sizeof from)) < 0)
                return -1;
        }
    }
    if (!app)
        imp_warn(im, "%s: no spring.application.name: the resilience4j instances are put on every caller of the "
                     "services they are named after",
                 y->file);
    return 0;
}
