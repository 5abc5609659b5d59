/* istio.c -- Istio traffic policy for `eddy import`: a VirtualService's
 * timeout and retries (with Istio's default retry policy when it sets
 * none) and a DestinationRule's connectionPool and outlierDetection, as
 * policy on every call to the destination host.
 *
 * Istio's documented defaults (istio.io, Traffic Management reference,
 * VirtualService HTTPRetry and HTTPRoute.timeout): no route timeout; when a
 * route sets no retries the mesh retries twice, on connect-failure,
 * refused-stream, unavailable, cancelled and retriable-status-codes (503),
 * with Envoy's default back-off (25 ms base, 250 ms cap, jittered). */
#include <stdlib.h>
#include <string.h>

#include "imp.h"

const char *imp_retry_on(const char *retry_on, bool *all_known)
{
    static const struct {
        const char *token;
        int on; /* 1 timeout, 2 error, 4 reject */
    } map[] = {
        {"5xx", 7},  {"gateway-error", 5}, {"reset", 1},         {"connect-failure", 4}, {"refused-stream", 4},
        {"unavailable", 4}, {"cancelled", 4}, {"retriable-status-codes", 4}, {"envoy-ratelimited", 4},
        {"resource-exhausted", 4}, {"deadline-exceeded", 1}, {"internal", 2}, {"retriable-4xx", 0},
        {"retriable-headers", 0}, {"http3-post-connect-failure", 4}, {"reset-before-request", 4},
    };
    int on = 0;
    *all_known = true;
    const char *p = retry_on;
    while (*p) {
        while (*p == ',' || *p == ' ')
            p++;
        size_t len = strcspn(p, ", ");
        if (!len)
            break;
        bool found = false;
        for (size_t i = 0; i < sizeof map / sizeof *map; i++)
            if (strlen(map[i].token) == len && !strncmp(p, map[i].token, len)) {
                on |= map[i].on;
                found = true;
            }
        /* a bare status code ("503") is a retriable status code */
        if (!found && len == 3 && p[0] >= '1' && p[0] <= '5') {
            on |= p[0] == '5' ? (p[2] == '4' ? 1 : p[2] == '3' ? 4 : 2) : 0;
            found = true;
        }
        *all_known &= found;
        p += len;
    }
    static const char *lists[] = {"[]", "[timeout]", "[error]", "[timeout, error]", "[reject]", "[timeout, reject]",
                                  "[error, reject]", "[timeout, error, reject]"};
    return lists[on];
}

void imp_outlier(importer *im, int kind, const char *ent, long consecutive, const char *eject, const char *from,
                 const char *what)
{
    char v[32];
    const char *note = "nearest equivalent: outlier detection ejects the failing host (up to its max ejection "
                       "percent) and keeps calling the others; eddy's breaker stops calls to every replica";
    imp_set(im, kind, ent, "breaker.window", "count", from, "%s", note);
    snprintf(v, sizeof v, "%ld", consecutive);
    imp_set(im, kind, ent, "breaker.size", v, from, "%s consecutive failures", what);
    imp_set(im, kind, ent, "breaker.min_calls", v, from, NULL);
    imp_set(im, kind, ent, "breaker.failure_rate", "100%", from, "all %ld in a row", consecutive);
    imp_set(im, kind, ent, "breaker.open_for", eject, from, "the base ejection time");
    imp_set(im, kind, ent, "breaker.half_open_calls", "1", from, "an ejected host returns to the pool after it");
    imp_set(im, kind, ent, "breaker.record", "[error, reject]", from, "outlier detection counts 5xx answers");
    imp_warn(im, "%s: %s outlier detection imported as a circuit breaker, its nearest equivalent in eddy: it ejects "
                 "hosts, it does not stop calls to the service",
             from, what);
}

/* Envoy's default retry back-off (also Istio's): 25 ms base, cap 10x. */
static void default_backoff(importer *im, const char *ent, const char *from)
{
    imp_set(im, IMP_ISTIO, ent, "retry.backoff", "exponential", from,
            "Envoy's default retry back-off (Istio sets none): 25ms base, 250ms cap, fully jittered");
    imp_set(im, IMP_ISTIO, ent, "retry.base", "25ms", from, NULL);
    imp_set(im, IMP_ISTIO, ent, "retry.max", "250ms", from, NULL);
    imp_set(im, IMP_ISTIO, ent, "retry.jitter", "full", from, NULL);
}

static int virtual_service(importer *im, const yamldoc *y, yaml_node_t *root)
{
    yaml_node_t *spec = imp_get(y, root, "spec");
    if (imp_want(y, spec, YAML_MAPPING_NODE, "VirtualService spec") < 0)
        return -1;
    yaml_node_t *http = imp_get(y, spec, "http");
    if (!http) {
        char from[600];
        imp_warn(im, "%s: VirtualService without http routes: nothing to import", imp_from(y, root, from, sizeof from));
        return 0;
    }
    if (imp_want(y, http, YAML_SEQUENCE_NODE, "spec.http") < 0)
        return -1;
    /* eddy has one policy per call: the default route (the one with no
     * match), or the first */
    yaml_node_t *route = NULL;
    size_t nroutes = 0;
    for (yaml_node_item_t *i = http->data.sequence.items.start; i < http->data.sequence.items.top; i++) {
        yaml_node_t *r = yd_node(y, *i);
        if (imp_want(y, r, YAML_MAPPING_NODE, "spec.http[]") < 0)
            return -1;
        nroutes++;
        if (!route || (!imp_get(y, r, "match") && imp_get(y, route, "match")))
            route = r;
    }
    if (!route)
        return 0;
    char from[600];
    if (nroutes > 1)
        imp_warn(im, "%s: %zu http routes: eddy has one policy per call; the route at line %d is imported",
                 imp_from(y, http, from, sizeof from), nroutes, yd_line(route));
    yaml_node_t *dest = NULL, *rl = imp_get(y, route, "route");
    if (rl && rl->type == YAML_SEQUENCE_NODE && rl->data.sequence.items.start < rl->data.sequence.items.top)
        dest = imp_get(y, yd_node(y, *rl->data.sequence.items.start), "destination");
    yaml_node_t *hn;
    const char *host = imp_str(y, dest, "host", &hn);
    if (!host) {
        yaml_node_t *hosts = imp_get(y, spec, "hosts");
        if (hosts && hosts->type == YAML_SEQUENCE_NODE && hosts->data.sequence.items.start < hosts->data.sequence.items.top) {
            hn = yd_node(y, *hosts->data.sequence.items.start);
            host = hn->type == YAML_SCALAR_NODE ? yd_text(hn) : NULL;
        }
    }
    if (!host)
        return yd_fail(y, route, "spec.http[].route[0].destination.host: expected the host the route sends to");
    char svc[128], ent[200], v[64];
    if (imp_name(im, y, route, "spec.http[].route[0].destination.host", host, svc, sizeof svc) < 0)
        return -1;
    snprintf(ent, sizeof ent, "edge:*>%s", svc);

    yaml_node_t *tn = imp_get(y, route, "timeout"), *retries = imp_get(y, route, "retries");
    yaml_node_t *ptn = retries ? imp_get(y, retries, "perTryTimeout") : NULL;
    if (ptn) {
        if (imp_duration(y, ptn, "retries.perTryTimeout", 0, v, sizeof v) < 0)
            return -1;
        imp_set(im, IMP_ISTIO, ent, "timeout", v, imp_from(y, ptn, from, sizeof from), "perTryTimeout");
        if (tn)
            imp_warn(im, "%s: the route timeout (all attempts together) is not imported: eddy's timeout on a call is "
                         "per attempt, and perTryTimeout is imported as it",
                     imp_from(y, tn, from, sizeof from));
    } else if (tn) {
        if (imp_duration(y, tn, "timeout", 0, v, sizeof v) < 0)
            return -1;
        imp_set(im, IMP_ISTIO, ent, "timeout", v, imp_from(y, tn, from, sizeof from),
                "the route timeout, with no perTryTimeout: Istio caps all attempts together at it, eddy caps "
                "each attempt (nearest)");
    }
    if (!retries) {
        imp_from(y, route, from, sizeof from);
        imp_set(im, IMP_ISTIO, ent, "retry.attempts", "3", from,
                "no retries on the route: Istio's default policy, 2 retries (3 attempts)");
        imp_set(im, IMP_ISTIO, ent, "retry.on", "[reject]", from,
                "Istio's default retryOn: connect-failure, refused-stream, unavailable, cancelled, 503");
        default_backoff(im, ent, from);
        return 0;
    }
    if (imp_want(y, retries, YAML_MAPPING_NODE, "retries") < 0)
        return -1;
    yaml_node_t *an = imp_get(y, retries, "attempts");
    double attempts = 2;
    if (an && imp_number(y, an, "retries.attempts", &attempts) < 0)
        return -1;
    if (attempts < 0 || attempts > 99 || attempts != (long)attempts)
        return yd_fail(y, an, "retries.attempts: expected a whole number of retries from 0 to 99, got %s", yd_text(an));
    if (attempts == 0) {
        imp_set(im, IMP_ISTIO, ent, "retry", "off", imp_from(y, an, from, sizeof from), "attempts: 0");
        return 0;
    }
    snprintf(v, sizeof v, "%.0f", attempts + 1);
    imp_set(im, IMP_ISTIO, ent, "retry.attempts", v, imp_from(y, an ? an : retries, from, sizeof from),
            an ? "Istio counts retries, eddy attempts: retries + 1" : "no attempts: Istio's default, 2 retries");
    yaml_node_t *on;
    const char *ro = imp_str(y, retries, "retryOn", &on);
    if (ro) {
        bool known;
        const char *list = imp_retry_on(ro, &known);
        if (!known)
            imp_warn(im, "%s: retryOn '%s' has conditions eddy does not model; imported as %s",
                     imp_from(y, on, from, sizeof from), ro, list);
        imp_set(im, IMP_ISTIO, ent, "retry.on", list, imp_from(y, on, from, sizeof from),
                "retryOn %s: 5xx -> timeout, error, reject; gateway-error -> timeout, reject; connect-failure, "
                "refused-stream, 503 -> reject",
                ro);
    } else {
        imp_set(im, IMP_ISTIO, ent, "retry.on", "[reject]", imp_from(y, retries, from, sizeof from),
                "no retryOn: Istio's default, connect-failure, refused-stream, unavailable, cancelled, 503");
    }
    default_backoff(im, ent, imp_from(y, retries, from, sizeof from));
    return 0;
}

static int destination_rule(importer *im, const yamldoc *y, yaml_node_t *root)
{
    yaml_node_t *spec = imp_get(y, root, "spec"), *hn, *n;
    if (imp_want(y, spec, YAML_MAPPING_NODE, "DestinationRule spec") < 0)
        return -1;
    const char *host = imp_str(y, spec, "host", &hn);
    if (!host)
        return yd_fail(y, spec, "spec.host: expected the host the rule applies to");
    char svc[128], ent[200], from[600], v[64];
    if (imp_name(im, y, hn, "spec.host", host, svc, sizeof svc) < 0)
        return -1;
    snprintf(ent, sizeof ent, "edge:*>%s", svc);
    yaml_node_t *tp = imp_get(y, spec, "trafficPolicy");
    if (!tp)
        return 0;
    yaml_node_t *cp = imp_get(y, tp, "connectionPool");
    if (cp) {
        double x;
        if ((n = imp_path(y, cp, "tcp.maxConnections"))) {
            if (imp_number(y, n, "tcp.maxConnections", &x) < 0)
                return -1;
            snprintf(v, sizeof v, "%.0f", x);
            imp_set(im, IMP_ISTIO, ent, "pool.size", v, imp_from(y, n, from, sizeof from),
                    "per calling sidecar, as eddy's pool is per calling replica; requests wait for a connection "
                    "(HTTP/1.1)");
        }
        if ((n = imp_path(y, cp, "http.http1MaxPendingRequests")))
            imp_warn(im, "%s: http1MaxPendingRequests not imported: eddy's pool has no cap on waiting requests",
                     imp_from(y, n, from, sizeof from));
        if ((n = imp_path(y, cp, "http.http2MaxRequests"))) {
            if (imp_number(y, n, "http.http2MaxRequests", &x) < 0)
                return -1;
            snprintf(v, sizeof v, "%.0f", x);
            imp_set(im, IMP_ISTIO, ent, "bulkhead.max_concurrent", v, imp_from(y, n, from, sizeof from),
                    "http2MaxRequests: requests in flight per calling sidecar; over it Envoy answers 503 at once");
            imp_set(im, IMP_ISTIO, ent, "bulkhead.max_wait", "0s", from, "Envoy does not queue over max_requests");
        }
        if ((n = imp_path(y, cp, "http.maxRequestsPerConnection")))
            imp_warn(im, "%s: maxRequestsPerConnection not imported: eddy does not model connection reuse",
                     imp_from(y, n, from, sizeof from));
    }
    yaml_node_t *od = imp_get(y, tp, "outlierDetection");
    if (od) {
        if (imp_want(y, od, YAML_MAPPING_NODE, "outlierDetection") < 0)
            return -1;
        double c = 5;
        n = imp_get(y, od, "consecutive5xxErrors");
        if (!n)
            n = imp_get(y, od, "consecutiveErrors");
        if (!n)
            n = imp_get(y, od, "consecutiveGatewayErrors");
        if (n && imp_number(y, n, "consecutive5xxErrors", &c) < 0)
            return -1;
        if (c < 1) {
            imp_warn(im, "%s: outlier detection by consecutive errors is off (0): not imported",
                     imp_from(y, n, from, sizeof from));
            return 0;
        }
        char eject[64] = "30s";
        yaml_node_t *bn = imp_get(y, od, "baseEjectionTime");
        if (bn && imp_duration(y, bn, "baseEjectionTime", 0, eject, sizeof eject) < 0)
            return -1;
        imp_outlier(im, IMP_ISTIO, ent, (long)c, eject, imp_from(y, od, from, sizeof from),
                    n ? "Istio" : "Istio (consecutive5xxErrors default 5, baseEjectionTime default 30s)");
    }
    return 0;
}

int imp_istio(importer *im, const yamldoc *y, yaml_node_t *root)
{
    const char *kind = imp_str(y, root, "kind", NULL);
    return !strcmp(kind, "VirtualService") ? virtual_service(im, y, root) : destination_rule(im, y, root);
}
