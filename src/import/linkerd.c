/* linkerd.c -- a Linkerd ServiceProfile for `eddy import`: its retryBudget
 * (eddy's finagle budget, the design Linkerd's comes from), whether its
 * routes are retryable, and their timeouts, on every call to the service.
 *
 * Linkerd's documented defaults (linkerd.io, Service Profiles reference
 * and "Configuring Retries"): a retry budget of retryRatio 0.2,
 * minRetriesPerSecond 10, ttl 10s; a route timeout of 10s covering the
 * request with its retries; failures are 5xx answers unless responseClasses
 * say otherwise; the count of retries is bounded only by the budget. */
#include <string.h>

#include "imp.h"

int imp_linkerd(importer *im, const yamldoc *y, yaml_node_t *root)
{
    yaml_node_t *meta = imp_get(y, root, "metadata"), *spec = imp_get(y, root, "spec"), *n;
    const char *raw = imp_str(y, meta, "name", NULL);
    if (!raw)
        return yd_fail(y, root, "ServiceProfile: metadata.name: expected the service's FQDN");
    if (imp_want(y, spec, YAML_MAPPING_NODE, "ServiceProfile spec") < 0)
        return -1;
    char svc[128], ent[200], from[600], v[64];
    if (imp_name(im, y, root, "ServiceProfile: metadata.name", raw, svc, sizeof svc) < 0)
        return -1;
    snprintf(ent, sizeof ent, "edge:*>%s", svc);
    yaml_node_t *routes = imp_get(y, spec, "routes");
    if (routes && imp_want(y, routes, YAML_SEQUENCE_NODE, "spec.routes") < 0)
        return -1;
    yaml_node_t *retryable = NULL, *timed = NULL;
    size_t nroutes = 0, nretry = 0;
    for (yaml_node_item_t *i = routes ? routes->data.sequence.items.start : NULL;
         routes && i < routes->data.sequence.items.top; i++) {
        yaml_node_t *r = yd_node(y, *i);
        if (imp_want(y, r, YAML_MAPPING_NODE, "spec.routes[]") < 0)
            return -1;
        nroutes++;
        const char *rt = imp_str(y, r, "isRetryable", &n);
        if (rt && strcmp(rt, "true") && strcmp(rt, "false"))
            return yd_fail(y, n, "isRetryable: expected true or false, got '%s'", rt);
        if (rt && !strcmp(rt, "true")) {
            nretry++;
            if (!retryable)
                retryable = r;
        }
        if (!timed && imp_get(y, r, "timeout"))
            timed = r;
    }
    yaml_node_t *pick = retryable ? retryable : timed;
    if (nroutes > 1 && pick)
        imp_warn(im, "%s: %zu routes (%zu retryable): eddy has one policy per call; the route at line %d is imported",
                 imp_from(y, routes, from, sizeof from), nroutes, nretry, yd_line(pick));
    /* timeout: the route's, or Linkerd's default */
    if (pick && (n = imp_get(y, pick, "timeout"))) {
        if (imp_duration(y, n, "timeout", 0, v, sizeof v) < 0)
            return -1;
        imp_set(im, IMP_LINKERD, ent, "timeout", v, imp_from(y, n, from, sizeof from),
                "Linkerd's route timeout covers the request with its retries; eddy's is per attempt (nearest)");
    } else if (nroutes) {
        imp_set(im, IMP_LINKERD, ent, "timeout", "10s", imp_from(y, pick ? pick : routes, from, sizeof from),
                "no route timeout: Linkerd's default is 10s (the request with its retries; eddy: per attempt)");
    }
    if (!retryable)
        return 0;
    imp_from(y, retryable, from, sizeof from);
    imp_set(im, IMP_LINKERD, ent, "retry.attempts", "100", from,
            "isRetryable: Linkerd bounds retries by its budget alone; eddy needs a count, and 100 is its most");
    imp_set(im, IMP_LINKERD, ent, "retry.on", "[error, reject]", from,
            "Linkerd retries responses classified as failures (5xx by default), not timeouts");
    yaml_node_t *rb = imp_get(y, spec, "retryBudget");
    imp_set(im, IMP_LINKERD, ent, "retry.budget.type", "finagle", imp_from(y, rb ? rb : spec, from, sizeof from),
            "Linkerd's retry budget is Finagle's: retries within retryRatio of requests over ttl, plus "
            "minRetriesPerSecond%s",
            rb ? "" : "; no retryBudget: Linkerd's default 0.2, 10/s, 10s");
    static const struct {
        const char *src, *dst, *def;
    } keys[] = {{"retryRatio", "retry.budget.percent", "20%"},
                {"minRetriesPerSecond", "retry.budget.min_per_s", "10"},
                {"ttl", "retry.budget.ttl", "10s"}};
    for (int k = 0; k < 3; k++) {
        n = rb ? imp_get(y, rb, keys[k].src) : NULL;
        if (!n) {
            imp_set(im, IMP_LINKERD, ent, keys[k].dst, keys[k].def, from, "no %s: Linkerd's default", keys[k].src);
            continue;
        }
        double x;
        if (k == 2) {
            if (imp_duration(y, n, "retryBudget.ttl", 0, v, sizeof v) < 0)
                return -1;
        } else {
            if (imp_number(y, n, keys[k].src, &x) < 0)
                return -1;
            if (x < 0)
                return yd_fail(y, n, "retryBudget.%s: expected a number >= 0, got %s", keys[k].src, yd_text(n));
            if (k == 0)
                snprintf(v, sizeof v, "%g%%", x * 100);
            else
                snprintf(v, sizeof v, "%g", x);
        }
        imp_set(im, IMP_LINKERD, ent, keys[k].dst, v, imp_from(y, n, from, sizeof from), NULL);
    }
    return 0;
}
