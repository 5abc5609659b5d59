/* grpc.c -- a gRPC service config (JSON) for `eddy import`: each
 * methodConfig's timeout, retryPolicy and hedgingPolicy, and the channel's
 * retryThrottling, which is eddy's `grpc` retry budget, on every call to
 * the service the config names.
 *
 * gRPC's documented rules (gRFC A6, "gRPC Retry Design", and the service
 * config doc): maxAttempts counts the first attempt and values above 5 are
 * treated as 5; retry n waits random(0, min(initialBackoff ·
 * backoffMultiplier^(n−1), maxBackoff)); retryThrottling starts with
 * maxTokens, a failure takes 1, a success adds tokenRatio, and retries
 * stop while tokens <= maxTokens/2; the timeout is the deadline of the
 * whole call, retries included.  A gRPC service name becomes the eddy
 * service by its last component, lower-cased, with a final "Service"
 * dropped (shop.v1.CheckoutService -> checkout). */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imp.h"
#include "../core/xalloc.h"

const char *imp_grpc_service_name(const char *full, char *buf, size_t size)
{
    const char *last = strrchr(full, '.');
    last = last ? last + 1 : full;
    size_t n = 0;
    for (const char *p = last; *p && n + 1 < size; p++)
        buf[n++] = (char)tolower((unsigned char)*p);
    buf[n] = 0;
    if (n > 7 && !strcmp(buf + n - 7, "service"))
        buf[n - 7] = 0;
    return buf;
}

/* status codes (names or numbers) to eddy failure kinds: 1 timeout, 2 error, 4 reject */
static int status_codes(const yamldoc *y, yaml_node_t *list, const char *what, int *on)
{
    static const struct {
        const char *name;
        int num, on;
    } codes[] = {{"CANCELLED", 1, 4},         {"UNKNOWN", 2, 2},    {"DEADLINE_EXCEEDED", 4, 1},
                 {"RESOURCE_EXHAUSTED", 8, 4}, {"ABORTED", 10, 2},  {"INTERNAL", 13, 2},
                 {"UNAVAILABLE", 14, 4},       {"DATA_LOSS", 15, 2}};
    if (imp_want(y, list, YAML_SEQUENCE_NODE, what) < 0)
        return -1;
    *on = 0;
    for (yaml_node_item_t *i = list->data.sequence.items.start; i < list->data.sequence.items.top; i++) {
        yaml_node_t *c = yd_node(y, *i);
        if (imp_want(y, c, YAML_SCALAR_NODE, what) < 0)
            return -1;
        const char *s = yd_text(c);
        int num = isdigit((unsigned char)*s) ? atoi(s) : -1;
        bool found = false;
        for (size_t k = 0; k < sizeof codes / sizeof *codes; k++)
            if (!strcasecmp(s, codes[k].name) || num == codes[k].num) {
                *on |= codes[k].on;
                found = true;
            }
        if (!found)
            return yd_fail(y, c, "%s: '%s' is not a gRPC status code eddy maps (UNAVAILABLE, RESOURCE_EXHAUSTED, "
                                 "DEADLINE_EXCEEDED, INTERNAL, UNKNOWN, ABORTED, CANCELLED, DATA_LOSS)",
                           what, s);
    }
    return 0;
}

static const char *on_list(int on)
{
    static const char *lists[] = {"[]", "[timeout]", "[error]", "[timeout, error]", "[reject]", "[timeout, reject]",
                                  "[error, reject]", "[timeout, error, reject]"};
    return lists[on & 7];
}

static int count(const yamldoc *y, yaml_node_t *n, const char *what, double min, double *out)
{
    if (imp_number(y, n, what, out) < 0)
        return -1;
    /* bounded before any conversion: 3e22 is a valid JSON number, and no
     * count of attempts or tokens is near a billion */
    if (!(*out >= min && *out <= 1e9) || *out != floor(*out))
        return yd_fail(y, n, "%s: expected a whole number from %.0f to 1000000000, got %s", what, min, yd_text(n));
    return 0;
}

static int method_config(importer *im, const yamldoc *y, yaml_node_t *mc, const char *ent)
{
    char from[600], v[64];
    yaml_node_t *n;
    if ((n = imp_get(y, mc, "timeout"))) {
        if (imp_duration(y, n, "timeout", 0, v, sizeof v) < 0)
            return -1;
        imp_set(im, IMP_GRPC, ent, "timeout", v, imp_from(y, n, from, sizeof from),
                "gRPC's timeout is the deadline of the whole call, retries included; eddy's is per attempt "
                "(nearest)");
    }
    yaml_node_t *rp = imp_get(y, mc, "retryPolicy");
    if (rp) {
        if (imp_want(y, rp, YAML_MAPPING_NODE, "retryPolicy") < 0)
            return -1;
        double a, mult;
        if (!(n = imp_get(y, rp, "maxAttempts")))
            return yd_fail(y, rp, "retryPolicy: expected maxAttempts (gRPC requires it)");
        if (count(y, n, "retryPolicy.maxAttempts", 2, &a) < 0)
            return -1;
        snprintf(v, sizeof v, "%.0f", a > 5 ? 5 : a);
        imp_set(im, IMP_GRPC, ent, "retry.attempts", v, imp_from(y, n, from, sizeof from),
                a > 5 ? "maxAttempts %.0f: gRPC treats values above 5 as 5" : NULL, a);
        imp_set(im, IMP_GRPC, ent, "retry.backoff", "exponential", from,
                "gRPC: retry n waits random(0, min(initialBackoff * multiplier^(n-1), maxBackoff))");
        imp_set(im, IMP_GRPC, ent, "retry.jitter", "full", from, NULL);
        static const char *keys[][2] = {{"initialBackoff", "retry.base"}, {"maxBackoff", "retry.max"}};
        for (int k = 0; k < 2; k++) {
            if (!(n = imp_get(y, rp, keys[k][0])))
                return yd_fail(y, rp, "retryPolicy: expected %s (gRPC requires it)", keys[k][0]);
            if (imp_duration(y, n, keys[k][0], 0, v, sizeof v) < 0)
                return -1;
            imp_set(im, IMP_GRPC, ent, keys[k][1], v, imp_from(y, n, from, sizeof from), NULL);
        }
        if (!(n = imp_get(y, rp, "backoffMultiplier")))
            return yd_fail(y, rp, "retryPolicy: expected backoffMultiplier (gRPC requires it)");
        if (imp_number(y, n, "backoffMultiplier", &mult) < 0)
            return -1;
        snprintf(v, sizeof v, "%g", mult < 1 ? 1 : mult);
        imp_set(im, IMP_GRPC, ent, "retry.multiplier", v, imp_from(y, n, from, sizeof from), NULL);
        int on;
        if (!(n = imp_get(y, rp, "retryableStatusCodes")))
            return yd_fail(y, rp, "retryPolicy: expected retryableStatusCodes (gRPC requires it)");
        if (status_codes(y, n, "retryableStatusCodes", &on) < 0)
            return -1;
        imp_set(im, IMP_GRPC, ent, "retry.on", on_list(on), imp_from(y, n, from, sizeof from),
                "UNAVAILABLE, RESOURCE_EXHAUSTED, CANCELLED -> reject; INTERNAL, UNKNOWN, ABORTED -> error; "
                "DEADLINE_EXCEEDED -> timeout");
    }
    yaml_node_t *hp = imp_get(y, mc, "hedgingPolicy");
    if (hp) {
        if (imp_want(y, hp, YAML_MAPPING_NODE, "hedgingPolicy") < 0)
            return -1;
        double a;
        if (!(n = imp_get(y, hp, "maxAttempts")))
            return yd_fail(y, hp, "hedgingPolicy: expected maxAttempts (gRPC requires it)");
        if (count(y, n, "hedgingPolicy.maxAttempts", 2, &a) < 0)
            return -1;
        snprintf(v, sizeof v, "%.0f", a > 5 ? 5 : a);
        imp_set(im, IMP_GRPC, ent, "hedge.attempts", v, imp_from(y, n, from, sizeof from),
                a > 5 ? "maxAttempts %.0f: gRPC treats values above 5 as 5" : NULL, a);
        if ((n = imp_get(y, hp, "hedgingDelay"))) {
            if (imp_duration(y, n, "hedgingDelay", 0, v, sizeof v) < 0)
                return -1;
            if (!strcmp(v, "0us"))
                snprintf(v, sizeof v, "1ms");
            imp_set(im, IMP_GRPC, ent, "hedge.delay", v, imp_from(y, n, from, sizeof from), NULL);
        } else {
            imp_set(im, IMP_GRPC, ent, "hedge.delay", "1ms", imp_from(y, hp, from, sizeof from),
                    "no hedgingDelay: gRPC's default 0s sends every copy at once; eddy needs a delay > 0");
        }
        if ((n = imp_get(y, hp, "nonFatalStatusCodes"))) {
            int on;
            if (status_codes(y, n, "nonFatalStatusCodes", &on) < 0)
                return -1;
            imp_set(im, IMP_GRPC, ent, "hedge.non_fatal", on_list(on & 6), imp_from(y, n, from, sizeof from), NULL);
        }
    }
    return 0;
}

int imp_grpc(importer *im, const yamldoc *y, yaml_node_t *root)
{
    yaml_node_t *mcs = imp_get(y, root, "methodConfig"), *thr = imp_get(y, root, "retryThrottling"), *n;
    char from[600], v[64];
    char (*ents)[200] = NULL;
    size_t nents = 0;
    int rc = 0;
    if (mcs && imp_want(y, mcs, YAML_SEQUENCE_NODE, "methodConfig") < 0)
        return -1;
    for (yaml_node_item_t *i = mcs ? mcs->data.sequence.items.start : NULL; mcs && i < mcs->data.sequence.items.top;
         i++) {
        yaml_node_t *mc = yd_node(y, *i);
        if (imp_want(y, mc, YAML_MAPPING_NODE, "methodConfig[]") < 0)
            goto fail;
        yaml_node_t *names = imp_get(y, mc, "name");
        if (!names || imp_want(y, names, YAML_SEQUENCE_NODE, "methodConfig[].name") < 0) {
            if (!names)
                yd_fail(y, mc, "methodConfig[]: expected name, the list of services and methods it applies to");
            goto fail;
        }
        for (yaml_node_item_t *k = names->data.sequence.items.start; k < names->data.sequence.items.top; k++) {
            const char *full = imp_str(y, yd_node(y, *k), "service", &n);
            if (!full) {
                char f2[600];
                imp_warn(im, "%s: a methodConfig name without a service (the channel's default) is not imported",
                         imp_from(y, yd_node(y, *k), f2, sizeof f2));
                continue;
            }
            char svc[128];
            imp_grpc_service_name(full, svc, sizeof svc);
            ents = xrealloc(ents, (nents + 1) * sizeof *ents);
            snprintf(ents[nents], sizeof ents[nents], "edge:*>%s", svc);
            if (method_config(im, y, mc, ents[nents]) < 0)
                goto fail;
            nents++;
        }
    }
    if (thr) {
        if (imp_want(y, thr, YAML_MAPPING_NODE, "retryThrottling") < 0)
            goto fail;
        double mt, tr;
        if (!(n = imp_get(y, thr, "maxTokens")) || imp_number(y, n, "maxTokens", &mt) < 0) {
            if (!n)
                yd_fail(y, thr, "retryThrottling: expected maxTokens (gRPC requires it)");
            goto fail;
        }
        if (mt <= 0 || mt > 1000) {
            yd_fail(y, n, "retryThrottling.maxTokens: gRPC takes a number in (0, 1000], got %s", yd_text(n));
            goto fail;
        }
        yaml_node_t *tn = imp_get(y, thr, "tokenRatio");
        if (!tn || imp_number(y, tn, "tokenRatio", &tr) < 0) {
            if (!tn)
                yd_fail(y, thr, "retryThrottling: expected tokenRatio (gRPC requires it)");
            goto fail;
        }
        if (tr <= 0) {
            yd_fail(y, tn, "retryThrottling.tokenRatio: gRPC takes a number > 0, got %s", yd_text(tn));
            goto fail;
        }
        if (!nents)
            imp_warn(im, "%s: retryThrottling without a methodConfig naming a service: not imported",
                     imp_from(y, thr, from, sizeof from));
        for (size_t k = 0; k < nents; k++) {
            imp_set(im, IMP_GRPC, ents[k], "retry.budget.type", "grpc", imp_from(y, thr, from, sizeof from),
                    "retryThrottling: gRPC's token bucket, one per channel (eddy: per calling replica)");
            snprintf(v, sizeof v, "%g", mt < 1 ? 1 : mt);
            imp_set(im, IMP_GRPC, ents[k], "retry.budget.max_tokens", v, imp_from(y, n, from, sizeof from), NULL);
            snprintf(v, sizeof v, "%g", tr);
            imp_set(im, IMP_GRPC, ents[k], "retry.budget.token_ratio", v, imp_from(y, tn, from, sizeof from), NULL);
        }
    }
    free(ents);
    return rc;
fail:
    free(ents);
    return -1;
}
