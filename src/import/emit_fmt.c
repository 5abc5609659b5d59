/* emit_fmt.c -- one change of a measured fix, written in the terms of each
 * format `eddy import` reads (the reverse of istio.c, envoy.c, grpc.c,
 * linkerd.c and r4j.c), for `eddy fix --emit`.
 *
 * A retry budget is written as the budget eddy measured, converted to the
 * format's own parameters, and the conversion is stated (a comment in a
 * YAML file, a note always): eddy's budgets follow the real designs
 * (src/engine/budget.c), so between two designs the conversion keeps what
 * each design bounds: the ratio of retries to requests, and the reserve
 * of retries allowed when there is no traffic to earn them.  A change a
 * format cannot express is a note (and a comment in the file), never
 * dropped silently. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../model/units.h"
#include "emit.h"

/* ---- values ----------------------------------------------------------------------------- */

static double seconds(const char *v)
{
    simtime t;
    return units_duration(v, &t) == 0 ? (double)t / T_SEC : -1;
}

/* "250ms" -> "0.25s": protobuf's Duration text (Envoy, gRPC). */
static void proto_dur(const char *v, char *out, size_t size) { snprintf(out, size, "%gs", seconds(v)); }

/* A flow mapping's key ("{type: grpc, max_tokens: 20}" -> "20"). */
static bool flow_get(const char *flow, const char *key, char *out, size_t size)
{
    char pat[64];
    size_t kl = (size_t)snprintf(pat, sizeof pat, "%s:", key);
    const char *p = flow;
    while ((p = strstr(p, pat)) && p > flow && p[-1] != '{' && p[-1] != ' ' && p[-1] != ',')
        p += kl; /* "min_per_s:" must not match "per_s:" */
    if (!p)
        return false;
    p += kl;
    while (*p == ' ')
        p++;
    size_t n = strcspn(p, ",}");
    while (n && p[n - 1] == ' ')
        n--;
    snprintf(out, size, "%.*s", (int)n, p);
    return true;
}

static double flow_num(const char *flow, const char *key, double def)
{
    char v[64];
    if (!flow_get(flow, key, v, sizeof v))
        return def;
    double x = strtod(v, NULL);
    return strchr(v, '%') ? x / 100 : x;
}

static double flow_dur(const char *flow, const char *key, double def)
{
    char v[64];
    return flow_get(flow, key, v, sizeof v) && seconds(v) >= 0 ? seconds(v) : def;
}

/* ---- retry budgets ------------------------------------------------------------------------ */

/* A budget as eddy's model gives it, every parameter filled with eddy's
 * defaults (docs/model.md section 3.6), and as Finagle's form: a ratio of
 * retries to requests and a reserve of retries per second over a window,
 * which every design bounds in its own way. */
typedef struct budget {
    char type[16];
    double percent, min_per_s, ttl;         /* Finagle's form (every type, converted) */
    double budget_percent, min_concurrency; /* envoy */
    double max_tokens, token_ratio;         /* grpc */
    char how[600];                          /* how the Finagle form was had */
} budget;

static double attempt_time(const change *c) { return c->timeout > 0 ? c->timeout : 1; }

static void budget_read(const change *c, budget *b)
{
    memset(b, 0, sizeof *b);
    const char *v = c->value;
    if (!flow_get(v, "type", b->type, sizeof b->type))
        snprintf(b->type, sizeof b->type, "finagle");
    b->budget_percent = flow_num(v, "budget_percent", 0.2);
    b->min_concurrency = flow_num(v, "min_retry_concurrency", 3);
    b->max_tokens = flow_num(v, "max_tokens", 10);
    b->token_ratio = flow_num(v, "token_ratio", 0.1);
    double w = attempt_time(c);
    char wtxt[64];
    snprintf(wtxt, sizeof wtxt, "%gs, %s", w, c->timeout > 0 ? "the call's per-attempt timeout" : "no timeout on the call: 1s assumed");
    if (!strcmp(b->type, "finagle")) {
        b->percent = flow_num(v, "percent", 0.2);
        b->min_per_s = flow_num(v, "min_per_s", 10);
        b->ttl = flow_dur(v, "ttl", 10);
        snprintf(b->how, sizeof b->how, "eddy measured a Finagle budget: %g%% of requests over %gs, plus %g retries/s",
                 b->percent * 100, b->ttl, b->min_per_s);
    } else if (!strcmp(b->type, "envoy")) {
        b->percent = b->budget_percent;
        b->min_per_s = b->min_concurrency / w;
        b->ttl = 10;
        snprintf(b->how, sizeof b->how,
                 "eddy measured an Envoy budget (budget_percent %g%%, min_retry_concurrency %g): as a ratio of "
                 "requests, %g%% (retries in flight over requests in flight is retries over requests per second "
                 "when attempts last alike: Little's law); its %g retries in flight as %g retries/s over an attempt "
                 "of %s",
                 b->budget_percent * 100, b->min_concurrency, b->percent * 100, b->min_concurrency, b->min_per_s, wtxt);
    } else if (!strcmp(b->type, "grpc")) {
        b->percent = b->token_ratio;
        b->ttl = 10;
        b->min_per_s = b->max_tokens / 2 / b->ttl;
        snprintf(b->how, sizeof b->how,
                 "eddy measured gRPC retryThrottling (maxTokens %g, tokenRatio %g): a success earns %g of a retry "
                 "(a ratio of %g%%), and %g failures (maxTokens/2) may pass before throttling, as a reserve of %g "
                 "retries/s over 10s",
                 b->max_tokens, b->token_ratio, b->token_ratio, b->percent * 100, b->max_tokens / 2, b->min_per_s);
    } else {
        /* aws: a retry costs `cost`, a success refunds no_retry_increment */
        double cost = flow_num(v, "cost", 5), inc = flow_num(v, "no_retry_increment", 1), quota = flow_num(v, "quota", 500);
        b->percent = inc / cost;
        b->ttl = 10;
        b->min_per_s = quota / cost / b->ttl;
        snprintf(b->how, sizeof b->how,
                 "eddy measured an AWS SDK retry quota (quota %g, cost %g, no_retry_increment %g): %g%% of requests "
                 "(increment over cost), and quota/cost = %g retries as a reserve over 10s",
                 quota, cost, inc, b->percent * 100, quota / cost);
    }
    (void)wtxt;
}

/* Envoy's retry_budget: budget_percent and min_retry_concurrency. */
static void budget_envoy(const change *c, const budget *b, double *pct, long *minc, char *how, size_t size)
{
    if (!strcmp(b->type, "envoy")) {
        *pct = b->budget_percent * 100;
        *minc = (long)b->min_concurrency;
        snprintf(how, size, "the Envoy budget eddy measured, as it is (budget_percent %g%%, min_retry_concurrency %ld)",
                 *pct, *minc);
        return;
    }
    double w = attempt_time(c);
    *pct = b->percent * 100;
    *minc = (long)ceil(b->min_per_s * w);
    if (*minc < 1)
        *minc = 1;
    snprintf(how, size,
             "%s. Converted: budget_percent = the ratio, %g%% (Little's law: retries in flight over requests in "
             "flight equals the retry rate over the request rate when attempts last alike); min_retry_concurrency = "
             "%g retries/s x %gs per attempt (%s) = %ld in flight. Nearest, not the same: Envoy counts retries in "
             "flight, not retries over a window",
             b->how, *pct, b->min_per_s, w, c->timeout > 0 ? "the call's timeout" : "no timeout: 1s assumed", *minc);
}

/* gRPC's retryThrottling: maxTokens and tokenRatio. */
static void budget_grpc(const budget *b, double *max_tokens, double *ratio, char *how, size_t size)
{
    if (!strcmp(b->type, "grpc")) {
        *max_tokens = b->max_tokens;
        *ratio = b->token_ratio;
        snprintf(how, size, "the gRPC throttling eddy measured, as it is (maxTokens %g, tokenRatio %g)", *max_tokens,
                 *ratio);
        return;
    }
    *ratio = round(b->percent * 1000) / 1000; /* gRPC keeps three decimals */
    if (*ratio < 0.001)
        *ratio = 0.001;
    *max_tokens = round(2 * b->min_per_s * b->ttl);
    if (*max_tokens < 2)
        *max_tokens = 2;
    if (*max_tokens > 1000)
        *max_tokens = 1000; /* gRFC A6: maxTokens is at most 1000 */
    snprintf(how, size,
             "%s. Converted: tokenRatio = the ratio, %g (each success earns that much of a retry); maxTokens = 2 x "
             "the reserve over one window (%g/s x %gs), so the %g failures gRPC lets through before it throttles "
             "(tokens above maxTokens/2) match it: %g. Nearest, not the same: gRPC's tokens refill on successes, "
             "not with time, and every failed attempt takes one",
             b->how, *ratio, b->min_per_s, b->ttl, *max_tokens / 2, *max_tokens);
}

/* Linkerd's retryBudget (Finagle's design): retryRatio, minRetriesPerSecond, ttl. */
static void budget_linkerd(const budget *b, char *how, size_t size)
{
    if (!strcmp(b->type, "finagle"))
        snprintf(how, size, "the Finagle budget eddy measured, as it is (Linkerd's retryBudget is Finagle's design)");
    else
        snprintf(how, size, "%s. Written as Linkerd's retryBudget (Finagle's design): retryRatio %g, "
                            "minRetriesPerSecond %g, ttl %gs. Nearest, not the same",
                 b->how, b->percent, b->min_per_s, b->ttl);
}

/* ---- attempts over layers ------------------------------------------------------------------- */

/* The layer's new attempts when the call's attempts multiply over layers
 * (an application retrying above a sidecar): this layer's share of
 * `want`, the others kept. */
static long layer_attempts(emit_result *r, const char *fmt, long want, long total, long mine)
{
    long others = mine > 0 && total > 0 ? total / mine : 1;
    if (others < 1)
        others = 1;
    long n = want / others;
    if (n < 1)
        n = 1;
    if (others > 1)
        emit_note(r,
                  "%s: the other retrying layer on this call still makes %ld attempts per attempt of this one: %ld x "
                  "%ld = %ld attempts, the fix measured %ld; emit that layer's format too",
                  fmt, others, n, others, n * others, want);
    return n;
}

/* eddy's `on` list as Istio's retryOn / Envoy's retry_on. */
static const char *retry_on_text(emit_result *r, const char *fmt, const char *on)
{
    if (strstr(on, "timeout"))
        return "5xx,connect-failure,refused-stream";
    if (strstr(on, "error")) {
        emit_note(r, "%s: retry_on cannot name 5xx answers without timeouts; retriable-status-codes (503) is the "
                     "nearest to eddy's %s",
                  fmt, on);
        return "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";
    }
    return "connect-failure,refused-stream,unavailable,cancelled";
}

/* A breaker as outlier detection (Istio, Envoy): consecutive failures and
 * the ejection time; the nearest, said so. */
static void outlier_of(const change *c, long *consecutive, char *eject, size_t size, char *how, size_t hsize)
{
    char w[32] = "count";
    flow_get(c->value, "window", w, sizeof w);
    double rate = flow_num(c->value, "failure_rate", 0.5), n = flow_num(c->value, "size", 100);
    double open = flow_dur(c->value, "open_for", 60);
    snprintf(eject, size, "%gs", open);
    if (!strcmp(w, "count") && rate >= 1) {
        *consecutive = (long)n;
        snprintf(how, hsize, "eddy's breaker (all of the last %ld calls failed, open %gs) as outlier detection: "
                             "ejection after %ld consecutive 5xx for %gs", *consecutive, open, *consecutive, open);
    } else {
        *consecutive = 5;
        snprintf(how, hsize,
                 "eddy measured a breaker opening at a %g%% failure rate over a %s window of %g, open %gs; outlier "
                 "detection counts consecutive 5xx only: Istio's and Envoy's default of 5, ejected for %gs",
                 rate * 100, w, n, open, open);
    }
}

static const char *const nearest_outlier =
    "nearest, not the same: outlier detection ejects the failing host and keeps calling the others; eddy's breaker "
    "stops calls to every replica";

/* ---- Istio ------------------------------------------------------------------------------------ */

/* The http route import reads: the default one (no match), or the first. */
static long istio_route(yaml_document_t *d, yaml_node_t *http)
{
    long best = -1;
    for (long i = 0; emit_item(d, http, i); i++)
        if (best < 0 || (!emit_get(d, emit_item(d, http, i), "match") && emit_get(d, emit_item(d, http, best), "match")))
            best = i;
    return best < 0 ? 0 : best;
}

static int istio_vs(srcfile *f, const importer *im, const change *c, emit_result *r, eddy_error *err)
{
    int at = emit_find_doc(f, im, "VirtualService", c);
    if (at < 0)
        return 1;
    yaml_document_t d;
    if (emit_parse(f, at, &d, err) < 0)
        return -1;
    yaml_node_t *http = emit_at(&d, yaml_document_get_root_node(&d), "spec.http");
    long ri = istio_route(&d, http);
    yaml_node_t *route = emit_item(&d, http, ri), *retries = emit_get(&d, route, "retries");
    yaml_node_t *an = emit_get(&d, retries, "attempts");
    long cur = an && an->type == YAML_SCALAR_NODE ? atol((char *)an->data.scalar.value) + 1 : 3;
    bool has_pt = emit_get(&d, retries, "perTryTimeout") != NULL;
    size_t route_at = route ? emit_line_offset(f, route) : 0;
    yaml_document_delete(&d);
    char base[64], v[64];
    snprintf(base, sizeof base, "spec.http.%ld", ri);
    if (!strcmp(c->key, "retry.attempts")) {
        long n = layer_attempts(r, "istio", atol(c->value), c->total, cur);
        snprintf(v, sizeof v, "%ld", n - 1);
        return emit_set(f, at, base, "retries.attempts", v, 'n', err);
    }
    if (!strcmp(c->key, "retry")) /* off */
        return emit_set(f, at, base, "retries.attempts", "0", 'n', err);
    if (!strcmp(c->key, "timeout")) {
        if (emit_set(f, at, base, has_pt ? "retries.perTryTimeout" : "timeout", c->value, 's', err) < 0)
            return -1;
        if (!has_pt)
            emit_comment(f, f->last_at, "eddy fix --emit: eddy's timeout is per attempt; with no perTryTimeout the "
                                        "route timeout is the nearest (it caps all attempts together)");
        return 0;
    }
    if (!strcmp(c->key, "retry.on"))
        return emit_set(f, at, base, "retries.retryOn", retry_on_text(r, "istio", c->value), 's', err);
    if (!strcmp(c->key, "retry.budget")) {
        budget b;
        budget_read(c, &b);
        double pct;
        long minc;
        char how[1500];
        budget_envoy(c, &b, &pct, &minc, how, sizeof how);
        emit_comment(f, route_at,
                     "eddy fix --emit: the fix that recovered adds a retry budget. Istio has no retry budget: a "
                     "VirtualService sets attempts only. Its sidecar is Envoy: an EnvoyFilter patching the %s "
                     "cluster's circuit_breakers.thresholds[0].retry_budget to budget_percent %g, "
                     "min_retry_concurrency %ld is the nearest (%s); or `eddy fix --emit envoy`",
                     c->callee, pct, minc, how);
        emit_note(r, "istio: Istio has no retry budget (a VirtualService sets attempts only): not written; the "
                     "nearest, an EnvoyFilter on the sidecar's %s cluster setting retry_budget budget_percent %g, "
                     "min_retry_concurrency %ld, is named in a comment in %s",
                  c->callee, pct, minc, f->rel);
        return 0;
    }
    if (!strncmp(c->key, "retry.", 6)) {
        emit_note(r, "istio: a VirtualService cannot set %s (%s): Envoy's default back-off applies (25ms, fully "
                     "jittered exponential); not written",
                  c->key, c->value);
        return 0;
    }
    emit_note(r, "istio: Istio cannot express %s: %s", c->key, c->value);
    return 0;
}

/* A DestinationRule's trafficPolicy: breaker (outlier detection), bulkhead
 * (http2MaxRequests), pool (tcp.maxConnections).  Without one for the
 * host, on the second pass, a new document in the VirtualService's file. */
static int istio_dr(srcfile *f, const importer *im, const change *c, emit_result *r, eddy_error *err)
{
    int at = emit_find_doc(f, im, "DestinationRule", c);
    if (at < 0) {
        int vs = c->create ? emit_find_doc(f, im, "VirtualService", c) : -1;
        if (vs < 0)
            return 1;
        yaml_document_t d;
        if (emit_parse(f, vs, &d, err) < 0)
            return -1;
        yaml_node_t *root = yaml_document_get_root_node(&d);
        yaml_node_t *h = emit_at(&d, root, "spec.http.0.route.0.destination.host");
        if (!h)
            h = emit_at(&d, root, "spec.hosts.0");
        yaml_node_t *api = emit_get(&d, root, "apiVersion");
        char doc[1024];
        snprintf(doc, sizeof doc,
                 "---\n# eddy fix --emit: a DestinationRule for %s, added for the fix\napiVersion: %s\n"
                 "kind: DestinationRule\nmetadata:\n  name: %s\nspec:\n  host: %s\n  trafficPolicy: {}\n",
                 c->callee, api && api->type == YAML_SCALAR_NODE ? (char *)api->data.scalar.value : "networking.istio.io/v1",
                 c->callee, h && h->type == YAML_SCALAR_NODE ? (char *)h->data.scalar.value : c->callee);
        yaml_document_delete(&d);
        int lines = 0; /* the new document's apiVersion: after "---" and the comment */
        for (const char *t = f->text; *t; t++)
            lines += *t == '\n';
        if (*f->text && f->text[strlen(f->text) - 1] != '\n')
            lines++;
        emit_append(f, doc);
        at = lines + 3;
        emit_note(r, "istio: no DestinationRule for %s: one added to %s", c->callee, f->rel);
    }
    char v[64];
    if (!strcmp(c->key, "breaker")) {
        long k;
        char eject[32], how[600];
        outlier_of(c, &k, eject, sizeof eject, how, sizeof how);
        snprintf(v, sizeof v, "%ld", k);
        if (emit_set(f, at, "spec.trafficPolicy", "outlierDetection.consecutive5xxErrors", v, 'n', err) < 0 ||
            emit_set(f, at, "spec.trafficPolicy", "outlierDetection.baseEjectionTime", eject, 's', err) < 0)
            return -1;
        emit_comment(f, f->last_at, "eddy fix --emit: %s; %s", how, nearest_outlier);
        emit_note(r, "istio: breaker as outlierDetection: %s; %s", how, nearest_outlier);
        return 0;
    }
    if (!strcmp(c->key, "bulkhead")) {
        snprintf(v, sizeof v, "%.0f", flow_num(c->value, "max_concurrent", 25));
        if (emit_set(f, at, "spec.trafficPolicy", "connectionPool.http.http2MaxRequests", v, 'n', err) < 0)
            return -1;
        emit_comment(f, f->last_at, "eddy fix --emit: eddy's bulkhead of %s calls in flight; over it the sidecar "
                                    "answers 503 at once (eddy's max_wait 0s)", v);
        return 0;
    }
    /* pool */
    snprintf(v, sizeof v, "%.0f", flow_num(c->value, "size", 0));
    return emit_set(f, at, "spec.trafficPolicy", "connectionPool.tcp.maxConnections", v, 'n', err);
}

static int emit_istio(srcfile *f, const importer *im, const change *c, emit_result *r, eddy_error *err)
{
    if (!strcmp(c->key, "breaker") || !strcmp(c->key, "bulkhead") || !strcmp(c->key, "pool"))
        return istio_dr(f, im, c, r, err);
    return istio_vs(f, im, c, r, err);
}

/* ---- Envoy ------------------------------------------------------------------------------------ */

static bool is_callee(const importer *im, yaml_node_t *n, const char *callee)
{
    char buf[128];
    return n && n->type == YAML_SCALAR_NODE && !strcmp(imp_service_name(im, (char *)n->data.scalar.value, buf, sizeof buf), callee);
}

/* A cluster (as envoy.c tells one) of the callee. */
static bool match_cluster(yaml_document_t *d, yaml_node_t *n, const importer *im, const change *c)
{
    return n->type == YAML_MAPPING_NODE && (is_callee(im, emit_get(d, n, "name"), c->callee) || emit_named(c, n)) &&
           (emit_get(d, n, "circuit_breakers") || emit_get(d, n, "outlier_detection") ||
            emit_get(d, n, "connect_timeout") || emit_get(d, n, "load_assignment"));
}

/* A route entry whose action sends to the callee's cluster. */
static bool match_route(yaml_document_t *d, yaml_node_t *n, const importer *im, const change *c)
{
    yaml_node_t *a = n->type == YAML_MAPPING_NODE ? emit_get(d, n, "route") : NULL;
    return a && a->type == YAML_MAPPING_NODE && emit_get(d, a, "cluster") &&
           (is_callee(im, emit_get(d, a, "cluster"), c->callee) || emit_named(c, n));
}

static int emit_envoy(srcfile *f, const importer *im, const change *c, emit_result *r, eddy_error *err)
{
    yaml_document_t d;
    if (emit_parse(f, 0, &d, err) < 0)
        return -1;
    yaml_node_t *root = yaml_document_get_root_node(&d);
    char cpath[400] = "", rpath[400] = "", rp[420] = "", th[460] = "";
    bool cluster = emit_find(&d, root, match_cluster, im, c, cpath, sizeof cpath);
    bool route = emit_find(&d, root, match_route, im, c, rpath, sizeof rpath);
    long cur = 1;
    bool has_pt = false;
    if (route) {
        /* the route's retry_policy, or its virtual host's (envoy.c reads
         * the same: the route's wins) */
        snprintf(rp, sizeof rp, "%s.route.retry_policy", rpath);
        yaml_node_t *pol = emit_at(&d, root, rp);
        char *dot = strrchr(rpath, '.');
        if (!pol && dot && dot - rpath > 7 && !strncmp(dot - 7, ".routes", 7)) {
            char vh[400];
            snprintf(vh, sizeof vh, "%.*s.retry_policy", (int)(dot - 7 - rpath), rpath);
            if ((pol = emit_at(&d, root, vh)))
                snprintf(rp, sizeof rp, "%s", vh);
        }
        yaml_node_t *nr = emit_get(&d, pol, "num_retries");
        if (nr && nr->type == YAML_MAPPING_NODE)
            nr = emit_get(&d, nr, "value");
        cur = pol ? (nr && nr->type == YAML_SCALAR_NODE ? atol((char *)nr->data.scalar.value) + 1 : 2) : 1;
        has_pt = emit_get(&d, pol, "per_try_timeout") != NULL;
    }
    if (cluster) {
        /* the DEFAULT priority's thresholds, as envoy.c reads */
        yaml_node_t *list = emit_at(&d, root, cpath);
        list = emit_get(&d, emit_get(&d, list, "circuit_breakers"), "thresholds");
        long ti = 0;
        for (long i = 0; emit_item(&d, list, i); i++) {
            yaml_node_t *p = emit_get(&d, emit_item(&d, list, i), "priority");
            if (!p || (p->type == YAML_SCALAR_NODE && !strcmp((char *)p->data.scalar.value, "DEFAULT")))
                ti = i;
        }
        snprintf(th, sizeof th, "%s.circuit_breakers.thresholds.%ld", cpath, ti);
    }
    yaml_document_delete(&d);
    char v[64], how[1500];
    const char *k = c->key;
    bool on_route = !strcmp(k, "timeout") || !strcmp(k, "retry") || !strncmp(k, "retry.", 6);
    if (!strcmp(k, "retry.budget"))
        on_route = false;
    if (on_route && !route)
        return 1;
    if (!on_route && !cluster)
        return 1;
    if (!strcmp(k, "retry.attempts") || !strcmp(k, "retry")) {
        long n = !strcmp(k, "retry") ? 1 : layer_attempts(r, "envoy", atol(c->value), c->total, cur);
        snprintf(v, sizeof v, "%ld", n - 1);
        if (emit_set(f, 0, rp, "num_retries", v, 'n', err) < 0)
            return -1;
        if (cur == 1 && n > 1) {
            emit_note(r, "envoy: the route had no retry_policy: one added retrying on 5xx; check retry_on");
            return emit_set(f, 0, rp, "retry_on", "5xx", 's', err);
        }
        return 0;
    }
    if (!strcmp(k, "timeout")) {
        proto_dur(c->value, v, sizeof v);
        if (has_pt)
            return emit_set(f, 0, rp, "per_try_timeout", v, 's', err);
        char tp[420];
        snprintf(tp, sizeof tp, "%s.route", rpath);
        if (emit_set(f, 0, tp, "timeout", v, 's', err) < 0)
            return -1;
        emit_comment(f, f->last_at, "eddy fix --emit: eddy's timeout is per attempt; with no per_try_timeout the "
                                    "route timeout is the nearest (it caps all attempts together)");
        return 0;
    }
    if (!strcmp(k, "retry.on"))
        return emit_set(f, 0, rp, "retry_on", retry_on_text(r, "envoy", c->value), 's', err);
    if (!strcmp(k, "retry.base") || !strcmp(k, "retry.max")) {
        proto_dur(c->value, v, sizeof v);
        return emit_set(f, 0, rp, !strcmp(k, "retry.base") ? "retry_back_off.base_interval" : "retry_back_off.max_interval",
                        v, 's', err);
    }
    if (!strcmp(k, "retry.backoff") || !strcmp(k, "retry.jitter")) {
        emit_note(r, "envoy: Envoy's retry back-off is already exponential with full jitter: %s needs no change", k);
        return 0;
    }
    if (!strncmp(k, "retry.", 6) && strcmp(k, "retry.budget")) {
        emit_note(r, "envoy: Envoy's retry_policy cannot set %s (%s): not written", k, c->value);
        return 0;
    }
    if (!strcmp(k, "retry.budget")) {
        budget b;
        budget_read(c, &b);
        double pct;
        long minc;
        budget_envoy(c, &b, &pct, &minc, how, sizeof how);
        snprintf(v, sizeof v, "%g", pct);
        if (emit_set(f, 0, th, "retry_budget.budget_percent.value", v, 'n', err) < 0)
            return -1;
        size_t at = f->last_at;
        snprintf(v, sizeof v, "%ld", minc);
        if (emit_set(f, 0, th, "retry_budget.min_retry_concurrency", v, 'n', err) < 0)
            return -1;
        emit_comment(f, at < f->last_at ? at : f->last_at, "eddy fix --emit: %s", how);
        emit_note(r, "envoy: retry_budget: %s", how);
        return 0;
    }
    if (!strcmp(k, "breaker")) {
        long n;
        char eject[32];
        outlier_of(c, &n, eject, sizeof eject, how, sizeof how);
        char op[480];
        snprintf(op, sizeof op, "%s.outlier_detection", cpath);
        snprintf(v, sizeof v, "%ld", n);
        if (emit_set(f, 0, op, "consecutive_5xx", v, 'n', err) < 0 ||
            emit_set(f, 0, op, "base_ejection_time", eject, 's', err) < 0)
            return -1;
        emit_comment(f, f->last_at, "eddy fix --emit: %s; %s", how, nearest_outlier);
        emit_note(r, "envoy: breaker as outlier_detection: %s; %s", how, nearest_outlier);
        return 0;
    }
    if (!strcmp(k, "bulkhead")) {
        snprintf(v, sizeof v, "%.0f", flow_num(c->value, "max_concurrent", 25));
        return emit_set(f, 0, th, "max_requests", v, 'n', err);
    }
    if (!strcmp(k, "pool")) {
        snprintf(v, sizeof v, "%.0f", flow_num(c->value, "size", 0));
        return emit_set(f, 0, th, "max_connections", v, 'n', err);
    }
    emit_note(r, "envoy: Envoy cannot express %s: %s", k, c->value);
    return 0;
}

/* ---- gRPC service config ------------------------------------------------------------------------ */

static const char *grpc_codes(const char *on, char *out, size_t size)
{
    snprintf(out, size, "[%s%s%s]", strstr(on, "reject") ? "\"UNAVAILABLE\"" : "",
             strstr(on, "error") ? (strstr(on, "reject") ? ", \"INTERNAL\"" : "\"INTERNAL\"") : "",
             strstr(on, "timeout") ? (strstr(on, "reject") || strstr(on, "error") ? ", \"DEADLINE_EXCEEDED\""
                                                                                   : "\"DEADLINE_EXCEEDED\"")
                                   : "");
    return out;
}

static int emit_grpc(srcfile *f, const importer *im, const change *c, emit_result *r, eddy_error *err)
{
    (void)im;
    yaml_document_t d;
    if (emit_parse(f, 0, &d, err) < 0)
        return -1;
    yaml_node_t *root = yaml_document_get_root_node(&d), *mcs = emit_get(&d, root, "methodConfig");
    long mi = -1;
    for (long i = 0; mi < 0 && emit_item(&d, mcs, i); i++) {
        yaml_node_t *names = emit_get(&d, emit_item(&d, mcs, i), "name");
        for (long k = 0; emit_item(&d, names, k); k++) {
            yaml_node_t *s = emit_get(&d, emit_item(&d, names, k), "service");
            char buf[128];
            if (s && s->type == YAML_SCALAR_NODE &&
                !strcmp(imp_grpc_service_name((char *)s->data.scalar.value, buf, sizeof buf), c->callee))
                mi = i;
        }
    }
    yaml_node_t *pol = emit_get(&d, emit_item(&d, mcs, mi), "retryPolicy");
    bool hedged = emit_get(&d, emit_item(&d, mcs, mi), "hedgingPolicy") != NULL;
    yaml_node_t *ma = emit_get(&d, pol, "maxAttempts");
    long cur = ma && ma->type == YAML_SCALAR_NODE ? atol((char *)ma->data.scalar.value) : 1;
    yaml_document_delete(&d);
    if (mi < 0)
        return 1;
    char base[64], v[128], how[1500];
    snprintf(base, sizeof base, "methodConfig.%ld", mi);
    const char *k = c->key;
    if (!strcmp(k, "retry.budget")) {
        budget b;
        budget_read(c, &b);
        double mt, tr;
        budget_grpc(&b, &mt, &tr, how, sizeof how);
        char a[32], t[32];
        snprintf(a, sizeof a, "%g", mt);
        snprintf(t, sizeof t, "%g", tr);
        if (emit_set(f, 0, "", "retryThrottling.maxTokens", a, 'n', err) < 0 ||
            emit_set(f, 0, "", "retryThrottling.tokenRatio", t, 'n', err) < 0)
            return -1;
        emit_comment(f, f->last_at, "eddy fix --emit: %s", how);
        emit_note(r, "grpc: retryThrottling (for every service of the channel): %s", how);
        return 0;
    }
    if (!strcmp(k, "retry.attempts") || !strcmp(k, "retry")) {
        long n = !strcmp(k, "retry") ? 1 : layer_attempts(r, "grpc", atol(c->value), c->total, cur);
        if (n < 2) {
            emit_note(r, "grpc: %ld attempt means no retryPolicy, which a service config says by leaving it out: "
                         "remove methodConfig[%ld].retryPolicy by hand",
                      n, mi);
            return 0;
        }
        if (n > 5)
            emit_note(r, "grpc: %ld attempts: gRPC treats maxAttempts above 5 as 5", n);
        snprintf(v, sizeof v, "%ld", n);
        if (!pol && hedged) {
            emit_note(r, "grpc: methodConfig %ld has a hedgingPolicy, and gRPC allows one policy of the two: "
                         "maxAttempts %ld not written; change the hedging or write a retryPolicy by hand",
                      mi, n);
            return 0;
        }
        if (!pol) {
            /* gRFC A6: a retryPolicy needs all five keys */
            char whole[256];
            snprintf(whole, sizeof whole, "{\"maxAttempts\": %ld, \"initialBackoff\": \"0.1s\", \"maxBackoff\": \"1s\", "
                                          "\"backoffMultiplier\": 2, \"retryableStatusCodes\": [\"UNAVAILABLE\"]}", n);
            emit_note(r, "grpc: no retryPolicy for %s: one added with gRPC's example back-off (0.1s, 1s, x2) on "
                         "UNAVAILABLE",
                      c->callee);
            return emit_set(f, 0, base, "retryPolicy", whole, 'f', err);
        }
        return emit_set(f, 0, base, "retryPolicy.maxAttempts", v, 'n', err);
    }
    if (!strcmp(k, "timeout")) {
        proto_dur(c->value, v, sizeof v);
        return emit_set(f, 0, base, "timeout", v, 's', err);
    }
    if (!pol && !strncmp(k, "retry.", 6)) {
        emit_note(r, "grpc: no retryPolicy for %s: %s = %s not written", c->callee, k, c->value);
        return 0;
    }
    if (!strcmp(k, "retry.on")) {
        grpc_codes(c->value, v, sizeof v);
        return emit_set(f, 0, base, "retryPolicy.retryableStatusCodes", v, 'f', err);
    }
    if (!strcmp(k, "retry.base") || !strcmp(k, "retry.max")) {
        proto_dur(c->value, v, sizeof v);
        return emit_set(f, 0, base, !strcmp(k, "retry.base") ? "retryPolicy.initialBackoff" : "retryPolicy.maxBackoff",
                        v, 's', err);
    }
    if (!strcmp(k, "retry.multiplier"))
        return emit_set(f, 0, base, "retryPolicy.backoffMultiplier", c->value, 'n', err);
    if (!strcmp(k, "retry.backoff") || !strcmp(k, "retry.jitter")) {
        emit_note(r, "grpc: gRPC's retry back-off is already exponential with full jitter: %s needs no change", k);
        return 0;
    }
    if (!strcmp(k, "hedge.attempts") || !strcmp(k, "hedge.delay")) {
        if (!strcmp(k, "hedge.delay"))
            proto_dur(c->value, v, sizeof v);
        else
            snprintf(v, sizeof v, "%s", c->value);
        return emit_set(f, 0, base, !strcmp(k, "hedge.delay") ? "hedgingPolicy.hedgingDelay" : "hedgingPolicy.maxAttempts",
                        v, !strcmp(k, "hedge.delay") ? 's' : 'n', err);
    }
    emit_note(r, "grpc: a service config cannot express %s: %s (no breaker, bulkhead or connection pool in gRPC's "
                 "service config)",
              k, c->value);
    return 0;
}

/* ---- Linkerd ServiceProfile --------------------------------------------------------------------- */

static int emit_linkerd(srcfile *f, const importer *im, const change *c, emit_result *r, eddy_error *err)
{
    int at = emit_find_doc(f, im, "ServiceProfile", c);
    if (at < 0)
        return 1;
    yaml_document_t d;
    if (emit_parse(f, at, &d, err) < 0)
        return -1;
    long nroutes = 0;
    yaml_node_t *routes = emit_at(&d, yaml_document_get_root_node(&d), "spec.routes");
    while (emit_item(&d, routes, nroutes))
        nroutes++;
    yaml_document_delete(&d);
    char v[64], how[1500], p[64];
    const char *k = c->key;
    if (!strcmp(k, "retry.budget")) {
        budget b;
        budget_read(c, &b);
        budget_linkerd(&b, how, sizeof how);
        snprintf(v, sizeof v, "%g", b.percent);
        if (emit_set(f, at, "spec", "retryBudget.retryRatio", v, 'n', err) < 0)
            return -1;
        size_t first = f->last_at;
        snprintf(v, sizeof v, "%g", b.min_per_s);
        if (emit_set(f, at, "spec", "retryBudget.minRetriesPerSecond", v, 'n', err) < 0)
            return -1;
        snprintf(v, sizeof v, "%gs", b.ttl);
        if (emit_set(f, at, "spec", "retryBudget.ttl", v, 's', err) < 0)
            return -1;
        emit_comment(f, first < f->last_at ? first : f->last_at, "eddy fix --emit: %s", how);
        if (strcmp(b.type, "finagle"))
            emit_note(r, "linkerd: retryBudget: %s", how);
        return 0;
    }
    if (!strcmp(k, "retry.attempts") || !strcmp(k, "retry") || !strcmp(k, "timeout")) {
        if (!nroutes) {
            emit_note(r, "linkerd: the ServiceProfile for %s has no routes: %s = %s not written", c->callee, k,
                      c->value);
            return 0;
        }
        bool retry = strcmp(k, "retry") && atol(c->value) > 1;
        if (!strcmp(k, "retry.attempts") && retry)
            emit_note(r, "linkerd: Linkerd bounds retries by its budget alone, not by a count: %s attempts written "
                         "as isRetryable: true",
                      c->value);
        for (long i = 0; i < nroutes; i++) {
            snprintf(p, sizeof p, "spec.routes.%ld", i);
            int rc = !strcmp(k, "timeout") ? emit_set(f, at, p, "timeout", c->value, 's', err)
                                           : emit_set(f, at, p, "isRetryable", retry ? "true" : "false", 'n', err);
            if (rc < 0)
                return -1;
        }
        return 0;
    }
    emit_note(r, "linkerd: a ServiceProfile cannot express %s: %s (routes set isRetryable and timeout only; the "
                 "retry budget is the profile's)",
              k, c->value);
    return 0;
}

/* ---- resilience4j -------------------------------------------------------------------------------- */

static int emit_r4j(srcfile *f, const importer *im, const change *c, emit_result *r, eddy_error *err)
{
    (void)im;
    char base[256], v[64];
    const char *k = c->key;
    if (!strncmp(k, "retry", 5) && strcmp(k, "retry.budget") && strcmp(k, "retry.on")) {
        snprintf(base, sizeof base, "resilience4j.retry.instances.%s", c->callee);
        if (!strcmp(k, "retry.attempts") || !strcmp(k, "retry")) {
            yaml_document_t d;
            if (emit_parse(f, 0, &d, err) < 0)
                return -1;
            yaml_node_t *inst = emit_at(&d, yaml_document_get_root_node(&d), base);
            yaml_node_t *ma = emit_get(&d, inst, "maxAttempts");
            long cur = ma && ma->type == YAML_SCALAR_NODE ? atol((char *)ma->data.scalar.value) : inst ? 3 : 1;
            yaml_document_delete(&d);
            long n = !strcmp(k, "retry") ? 1 : layer_attempts(r, "resilience4j", atol(c->value), c->total, cur);
            snprintf(v, sizeof v, "%ld", n);
            return emit_set(f, 0, base, "maxAttempts", v, 'n', err);
        }
        if (!strcmp(k, "retry.backoff"))
            return emit_set(f, 0, base, "enableExponentialBackoff", strcmp(c->value, "exponential") ? "false" : "true",
                            'n', err);
        if (!strcmp(k, "retry.jitter")) {
            emit_note(r, "resilience4j: randomized wait (+-50%%) is the nearest to eddy's %s jitter", c->value);
            if (emit_set(f, 0, base, "enableRandomizedWait", strcmp(c->value, "none") ? "true" : "false", 'n', err) < 0)
                return -1;
            emit_comment(f, f->last_at, "eddy fix --emit: nearest to eddy's %s jitter: resilience4j waits +-50%% "
                                        "of the interval", c->value);
            return 0;
        }
        if (!strcmp(k, "retry.base"))
            return emit_set(f, 0, base, "waitDuration", c->value, 's', err);
        if (!strcmp(k, "retry.max"))
            return emit_set(f, 0, base, "exponentialMaxWaitDuration", c->value, 's', err);
        if (!strcmp(k, "retry.multiplier"))
            return emit_set(f, 0, base, "exponentialBackoffMultiplier", c->value, 'n', err);
    }
    if (!strcmp(k, "timeout")) {
        snprintf(base, sizeof base, "resilience4j.timelimiter.instances.%s", c->callee);
        return emit_set(f, 0, base, "timeoutDuration", c->value, 's', err);
    }
    if (!strcmp(k, "breaker")) {
        snprintf(base, sizeof base, "resilience4j.circuitbreaker.instances.%s", c->callee);
        static const struct {
            const char *eddy, *r4j;
            char how; /* 'w' window, 'p' percent, 'd' duration, 'n' number */
        } keys[] = {{"window", "slidingWindowType", 'w'},
                    {"size", "slidingWindowSize", 'n'},
                    {"min_calls", "minimumNumberOfCalls", 'n'},
                    {"failure_rate", "failureRateThreshold", 'p'},
                    {"slow_rate", "slowCallRateThreshold", 'p'},
                    {"slow_duration", "slowCallDurationThreshold", 'd'},
                    {"open_for", "waitDurationInOpenState", 'd'},
                    {"half_open_calls", "permittedNumberOfCallsInHalfOpenState", 'n'}};
        bool any = false;
        for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
            char x[64];
            if (!flow_get(c->value, keys[i].eddy, x, sizeof x))
                continue;
            if (keys[i].how == 'w')
                snprintf(v, sizeof v, "%s", strcmp(x, "time") ? "COUNT_BASED" : "TIME_BASED");
            else if (keys[i].how == 'p')
                snprintf(v, sizeof v, "%g", flow_num(c->value, keys[i].eddy, 0) * 100);
            else
                snprintf(v, sizeof v, "%s", x);
            if (emit_set(f, 0, base, keys[i].r4j, v, keys[i].how == 'd' || keys[i].how == 'w' ? 's' : 'n', err) < 0)
                return -1;
            any = true;
        }
        if (!any) /* eddy's breaker defaults are resilience4j's: the instance alone says it */
            return emit_set(f, 0, base, "slidingWindowType", "COUNT_BASED", 's', err);
        return 0;
    }
    if (!strcmp(k, "bulkhead")) {
        snprintf(base, sizeof base, "resilience4j.bulkhead.instances.%s", c->callee);
        snprintf(v, sizeof v, "%.0f", flow_num(c->value, "max_concurrent", 25));
        if (emit_set(f, 0, base, "maxConcurrentCalls", v, 'n', err) < 0)
            return -1;
        char w[64];
        if (flow_get(c->value, "max_wait", w, sizeof w))
            return emit_set(f, 0, base, "maxWaitDuration", w, 's', err);
        return 0;
    }
    if (!strcmp(k, "retry.budget")) {
        snprintf(base, sizeof base, "resilience4j.retry.instances.%s", c->callee);
        budget b;
        budget_read(c, &b);
        yaml_document_t d;
        if (emit_parse(f, 0, &d, err) < 0)
            return -1;
        yaml_node_t *inst = emit_at(&d, yaml_document_get_root_node(&d), base);
        size_t at = inst ? emit_line_offset(f, inst) : 0;
        yaml_document_delete(&d);
        if (inst)
            emit_comment(f, at, "eddy fix --emit: the fix that recovered adds a retry budget (%s). resilience4j has "
                                "no retry budget: a Retry counts attempts per call only. Nearest: fewer maxAttempts, "
                                "or a budget in the sidecar (`eddy fix --emit envoy`)",
                         b.how);
        emit_note(r, "resilience4j: resilience4j has no retry budget (%s): not written; nearest: fewer maxAttempts, "
                     "or a budget in the sidecar (`eddy fix --emit envoy`)",
                  b.how);
        return 0;
    }
    emit_note(r, "resilience4j: no resilience4j module expresses %s: %s%s", k, c->value,
              !strcmp(k, "retry.on") ? " (resilience4j retries on exceptions: set retryExceptions by hand)" : "");
    return 0;
}

int emit_format(imp_kind k, srcfile *f, const importer *im, const change *c, emit_result *r, eddy_error *err)
{
    switch (k) {
    case IMP_ISTIO:
        return emit_istio(f, im, c, r, err);
    case IMP_ENVOY:
        return emit_envoy(f, im, c, r, err);
    case IMP_GRPC:
        return emit_grpc(f, im, c, r, err);
    case IMP_LINKERD:
        return emit_linkerd(f, im, c, r, err);
    case IMP_R4J:
        return emit_r4j(f, im, c, r, err);
    default:
        return 1;
    }
}
