/* envoy.c -- Envoy cluster and route config for `eddy import`, YAML or JSON,
 * wherever it sits in the document (a bootstrap's static_resources, an
 * xDS dump, a bare cluster or route_config): a route's timeout and
 * retry_policy, and a cluster's circuit_breakers thresholds (retry_budget
 * included) and outlier_detection, as policy on every call to the
 * cluster's service.
 *
 * Envoy's documented defaults (envoyproxy.io, api v3: route.RouteAction,
 * route.RetryPolicy, cluster.CircuitBreakers, cluster.OutlierDetection): a
 * route timeout of 15 s; num_retries 1; retry back-off 25 ms base, max 10x
 * base, fully jittered; circuit breaker max_retries 3 (retries in flight
 * per cluster); a retry_budget present but empty is budget_percent 20%
 * and min_retry_concurrency 3, and replaces max_retries; outlier
 * detection consecutive_5xx 5, base_ejection_time 30 s. */
#include <stdlib.h>
#include <string.h>

#include "imp.h"

static int duration(const yamldoc *y, yaml_node_t *n, const char *what, char *out, size_t size)
{
    /* JSON/YAML proto Duration: "1.5s"; the {seconds, nanos} object form too */
    if (n && n->type == YAML_MAPPING_NODE) {
        double s = 0, ns = 0;
        yaml_node_t *a = imp_get(y, n, "seconds"), *b = imp_get(y, n, "nanos");
        if ((a && imp_number(y, a, what, &s) < 0) || (b && imp_number(y, b, what, &ns) < 0))
            return -1;
        imp_fmt_seconds(s + ns / 1e9, out, size);
        return 0;
    }
    return imp_duration(y, n, what, 0, out, size);
}

/* A uint32 that protobuf JSON may write as a number, a string, or a
 * wrapper {value: N}. */
static int uint_value(const yamldoc *y, yaml_node_t *n, const char *what, double *out)
{
    if (n && n->type == YAML_MAPPING_NODE)
        n = imp_get(y, n, "value");
    return imp_number(y, n, what, out);
}

static int cluster(importer *im, const yamldoc *y, yaml_node_t *c, const char *name)
{
    char svc[128], ent[200], from[600], v[64];
    if (imp_name(im, y, imp_get(y, c, "name"), "cluster name", name, svc, sizeof svc) < 0)
        return -1;
    snprintf(ent, sizeof ent, "edge:*>%s", svc);
    yaml_node_t *cb = imp_get(y, c, "circuit_breakers"), *n;
    yaml_node_t *th = NULL;
    if (cb) {
        yaml_node_t *list = imp_get(y, cb, "thresholds");
        if (list && imp_want(y, list, YAML_SEQUENCE_NODE, "circuit_breakers.thresholds") < 0)
            return -1;
        for (yaml_node_item_t *i = list ? list->data.sequence.items.start : NULL; list && i < list->data.sequence.items.top; i++) {
            yaml_node_t *t = yd_node(y, *i);
            const char *prio = imp_str(y, t, "priority", NULL);
            if (!prio || !strcmp(prio, "DEFAULT"))
                th = t;
        }
    }
    double x;
    yaml_node_t *rb = th ? imp_get(y, th, "retry_budget") : NULL;
    if (rb) {
        const char *why = "retry_budget: retries in flight < max(min_retry_concurrency, budget_percent x requests in "
                          "flight); it replaces max_retries";
        imp_from(y, rb, from, sizeof from);
        imp_set(im, IMP_ENVOY, ent, "retry.budget.type", "envoy", from, "%s", why);
        if ((n = imp_get(y, rb, "budget_percent"))) {
            if (uint_value(y, n, "retry_budget.budget_percent", &x) < 0)
                return -1;
            snprintf(v, sizeof v, "%g%%", x);
            imp_set(im, IMP_ENVOY, ent, "retry.budget.budget_percent", v, imp_from(y, n, from, sizeof from), NULL);
        } else {
            imp_set(im, IMP_ENVOY, ent, "retry.budget.budget_percent", "20%", from,
                    "no budget_percent: Envoy's default, 20%%");
        }
        if ((n = imp_get(y, rb, "min_retry_concurrency"))) {
            if (uint_value(y, n, "retry_budget.min_retry_concurrency", &x) < 0)
                return -1;
            snprintf(v, sizeof v, "%.0f", x);
            imp_set(im, IMP_ENVOY, ent, "retry.budget.min_retry_concurrency", v, imp_from(y, n, from, sizeof from),
                    NULL);
        } else {
            imp_set(im, IMP_ENVOY, ent, "retry.budget.min_retry_concurrency", "3", from,
                    "no min_retry_concurrency: Envoy's default, 3");
        }
    } else {
        /* max_retries caps retries in flight per cluster: an envoy budget
         * with no percentage */
        double mr = 3;
        n = th ? imp_get(y, th, "max_retries") : NULL;
        if (n && uint_value(y, n, "max_retries", &mr) < 0)
            return -1;
        imp_from(y, n ? n : th ? th : c, from, sizeof from);
        imp_set(im, IMP_ENVOY, ent, "retry.budget.type", "envoy", from,
                n ? "max_retries: at most this many retries in flight, as an envoy budget of 0%% with that minimum"
                  : "no max_retries: Envoy's default circuit breaker allows 3 retries in flight");
        imp_set(im, IMP_ENVOY, ent, "retry.budget.budget_percent", "0%", from, NULL);
        snprintf(v, sizeof v, "%.0f", mr);
        imp_set(im, IMP_ENVOY, ent, "retry.budget.min_retry_concurrency", v, from, NULL);
    }
    if (th && (n = imp_get(y, th, "max_connections"))) {
        if (uint_value(y, n, "max_connections", &x) < 0)
            return -1;
        snprintf(v, sizeof v, "%.0f", x);
        imp_set(im, IMP_ENVOY, ent, "pool.size", v, imp_from(y, n, from, sizeof from),
                "max_connections, per calling Envoy as eddy's pool is per calling replica");
    }
    if (th && (n = imp_get(y, th, "max_requests"))) {
        if (uint_value(y, n, "max_requests", &x) < 0)
            return -1;
        snprintf(v, sizeof v, "%.0f", x);
        imp_set(im, IMP_ENVOY, ent, "bulkhead.max_concurrent", v, imp_from(y, n, from, sizeof from),
                "max_requests: requests in flight per calling Envoy; over it Envoy answers 503 at once");
        imp_set(im, IMP_ENVOY, ent, "bulkhead.max_wait", "0s", from, NULL);
    }
    if (th && (n = imp_get(y, th, "max_pending_requests")))
        imp_warn(im, "%s: max_pending_requests not imported: eddy's pool has no cap on waiting requests",
                 imp_from(y, n, from, sizeof from));
    yaml_node_t *od = imp_get(y, c, "outlier_detection");
    if (od) {
        double k = 5;
        char eject[64] = "30s";
        if ((n = imp_get(y, od, "consecutive_5xx")) && uint_value(y, n, "consecutive_5xx", &k) < 0)
            return -1;
        yaml_node_t *bn = imp_get(y, od, "base_ejection_time");
        if (bn && duration(y, bn, "base_ejection_time", eject, sizeof eject) < 0)
            return -1;
        if (k >= 1)
            imp_outlier(im, IMP_ENVOY, ent, (long)k, eject, imp_from(y, od, from, sizeof from),
                        n && bn ? "Envoy" : "Envoy (consecutive_5xx default 5, base_ejection_time default 30s)");
    }
    return 0;
}

static int retry_policy(importer *im, const yamldoc *y, yaml_node_t *rp, const char *ent, bool *per_try)
{
    char from[600], v[64];
    yaml_node_t *n;
    double num = 1;
    if (imp_want(y, rp, YAML_MAPPING_NODE, "retry_policy") < 0)
        return -1;
    if ((n = imp_get(y, rp, "num_retries")) && uint_value(y, n, "num_retries", &num) < 0)
        return -1;
    if (num < 0 || num > 99)
        return yd_fail(y, n, "num_retries: expected 0 to 99 retries, got %s", yd_text(n));
    snprintf(v, sizeof v, "%.0f", num + 1);
    imp_set(im, IMP_ENVOY, ent, "retry.attempts", v, imp_from(y, n ? n : rp, from, sizeof from),
            n ? "num_retries + 1" : "no num_retries: Envoy's default, 1 retry");
    const char *ro = imp_str(y, rp, "retry_on", &n);
    if (ro) {
        bool known;
        const char *list = imp_retry_on(ro, &known);
        if (!known)
            imp_warn(im, "%s: retry_on '%s' has conditions eddy does not model; imported as %s",
                     imp_from(y, n, from, sizeof from), ro, list);
        imp_set(im, IMP_ENVOY, ent, "retry.on", list, imp_from(y, n, from, sizeof from), "retry_on %s", ro);
    } else {
        imp_warn(im, "%s: retry_policy without retry_on retries nothing in Envoy; imported as on: []",
                 imp_from(y, rp, from, sizeof from));
        imp_set(im, IMP_ENVOY, ent, "retry.on", "[]", from, "no retry_on: Envoy retries nothing");
    }
    if ((n = imp_get(y, rp, "per_try_timeout"))) {
        if (duration(y, n, "per_try_timeout", v, sizeof v) < 0)
            return -1;
        imp_set(im, IMP_ENVOY, ent, "timeout", v, imp_from(y, n, from, sizeof from), "per_try_timeout");
        *per_try = true;
    }
    yaml_node_t *bo = imp_get(y, rp, "retry_back_off");
    char base[64] = "25ms", max[64] = "";
    if (bo) {
        if ((n = imp_get(y, bo, "base_interval")) && duration(y, n, "base_interval", base, sizeof base) < 0)
            return -1;
        if ((n = imp_get(y, bo, "max_interval")) && duration(y, n, "max_interval", max, sizeof max) < 0)
            return -1;
    }
    imp_from(y, bo ? bo : rp, from, sizeof from);
    imp_set(im, IMP_ENVOY, ent, "retry.backoff", "exponential", from,
            "Envoy's back-off is fully jittered exponential%s", bo ? "" : "; no retry_back_off: 25ms base, 10x cap");
    imp_set(im, IMP_ENVOY, ent, "retry.base", base, from, NULL);
    if (!*max) {
        /* Envoy: max_interval defaults to 10 times base_interval */
        char probe[80];
        snprintf(probe, sizeof probe, "%s", base);
        double b = 0;
        char *end;
        b = strtod(probe, &end);
        snprintf(max, sizeof max, "%g%s", b * 10, end);
    }
    imp_set(im, IMP_ENVOY, ent, "retry.max", max, from, NULL);
    imp_set(im, IMP_ENVOY, ent, "retry.jitter", "full", from, NULL);
    return 0;
}

/* A route's action: {cluster, timeout, retry_policy}; vh_retry is the
 * virtual host's retry_policy, for routes with none of their own. */
static int route(importer *im, const yamldoc *y, yaml_node_t *action, yaml_node_t *vh_retry)
{
    const char *cl = imp_str(y, action, "cluster", NULL);
    if (!cl)
        return 0; /* weighted_clusters, redirects: nothing eddy maps */
    char svc[128], ent[200], from[600], v[64];
    if (imp_name(im, y, imp_get(y, action, "cluster"), "route.cluster", cl, svc, sizeof svc) < 0)
        return -1;
    snprintf(ent, sizeof ent, "edge:*>%s", svc);
    yaml_node_t *rp = imp_get(y, action, "retry_policy");
    if (!rp)
        rp = vh_retry;
    bool per_try = false;
    if (rp && retry_policy(im, y, rp, ent, &per_try) < 0)
        return -1;
    yaml_node_t *tn = imp_get(y, action, "timeout");
    if (per_try)
        return 0;
    if (tn) {
        if (duration(y, tn, "timeout", v, sizeof v) < 0)
            return -1;
        if (strcmp(v, "0us"))
            imp_set(im, IMP_ENVOY, ent, "timeout", v, imp_from(y, tn, from, sizeof from),
                    "the route timeout, with no per_try_timeout: Envoy caps all attempts together at it, eddy "
                    "each attempt (nearest)");
    } else {
        imp_set(im, IMP_ENVOY, ent, "timeout", "15s", imp_from(y, action, from, sizeof from),
                "no route timeout: Envoy's default is 15s (all attempts together; eddy: each attempt)");
    }
    return 0;
}

static int walk(importer *im, const yamldoc *y, yaml_node_t *n, yaml_node_t *vh_retry, int depth)
{
    if (!n || depth > 40)
        return 0;
    if (n->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++)
            if (walk(im, y, yd_node(y, *i), vh_retry, depth + 1) < 0)
                return -1;
        return 0;
    }
    if (n->type != YAML_MAPPING_NODE)
        return 0;
    const char *name = imp_str(y, n, "name", NULL);
    if (name && (imp_get(y, n, "circuit_breakers") || imp_get(y, n, "outlier_detection") ||
                 imp_get(y, n, "connect_timeout") || imp_get(y, n, "load_assignment")))
        return cluster(im, y, n, name);
    yaml_node_t *action = imp_get(y, n, "route");
    if (action && action->type == YAML_MAPPING_NODE && imp_get(y, action, "cluster"))
        return route(im, y, action, vh_retry);
    if (imp_get(y, n, "routes") && imp_get(y, n, "retry_policy"))
        vh_retry = imp_get(y, n, "retry_policy");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
        if (walk(im, y, yd_node(y, p->value), vh_retry, depth + 1) < 0)
            return -1;
    return 0;
}

int imp_envoy(importer *im, const yamldoc *y, yaml_node_t *root) { return walk(im, y, root, NULL, 0); }
