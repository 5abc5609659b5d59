/* graph.c -- the service graph for `eddy import`, from traces: the
 * OpenTelemetry Collector's service-graph connector metrics in the
 * Prometheus text format, or a Jaeger dependencies JSON.
 *
 * From the connector's families (traces_service_graph_request_total,
 * _request_failed_total, _request_server_seconds histogram), labelled
 * client and server: the edges; the request rate of each edge, from two
 * samples of its counter with timestamps (two scrapes captured one after
 * the other); the error fraction; and each server's latency quantiles,
 * the way PromQL's histogram_quantile reads a histogram.  A server's
 * latency includes its downstream calls, so its service_time is fitted to
 * the median and p99 less its callees' medians, as a lognormal, and says
 * so.  Jaeger's dependencies give edges and call counts but no time span,
 * so no rate. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "imp.h"
#include "../core/xalloc.h"

#define MAXB 64

typedef struct pedge {
    char client[128], server[128];
    int line;
    /* request_total and request_failed_total: first and last sample */
    double t0, v0, t1, v1, f0, f1;
    int nt, nf;
    bool ts; /* every sample had a timestamp */
} pedge;

typedef struct pserver {
    char name[128], client[128]; /* one histogram per edge: server name, client */
    double le[MAXB], first[MAXB], last[MAXB];
    int seen[MAXB];
    int nb;
    int line;
} pserver;

bool imp_prom_detect(const char *text)
{
    const char *p = text;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!strncmp(p, "# TYPE ", 7) || !strncmp(p, "# HELP ", 7) || !strncmp(p, "traces_service_graph_", 21))
            return true;
        if (*p && *p != '#' && *p != '\n')
            return false; /* the first content line decides */
        p = strchr(p, '\n');
        if (!p)
            break;
        p++;
    }
    return false;
}

/* One sample line: name, labels we want, value, timestamp (ms, or -1). */
typedef struct sample {
    char name[160], client[128], server[128], le[32];
    double value, ts;
} sample;

/* The space-delimited token at *i into buf; -1 if it does not fit (a
 * value cut short would be read as another number). */
static int read_token(const char *line, size_t len, size_t *i, char *buf, size_t size)
{
    size_t k = 0;
    while (*i < len && line[*i] != ' ') {
        if (k + 1 >= size)
            return -1;
        buf[k++] = line[(*i)++];
    }
    buf[k] = 0;
    return 0;
}

static int parse_line(const char *line, size_t len, const char *file, int lineno, sample *s, eddy_error *err)
{
    memset(s, 0, sizeof *s);
    s->ts = -1;
    size_t i = 0, n = 0;
    while (i < len && (isalnum((unsigned char)line[i]) || line[i] == '_' || line[i] == ':'))
        if (n + 1 < sizeof s->name)
            s->name[n++] = line[i++];
        else
            i++;
    if (!n)
        return err_set(err, file, lineno, (int)i + 1, "expected a metric name at the start of the sample line");
    if (i < len && line[i] == '{') {
        i++;
        for (;;) {
            while (i < len && (line[i] == ' ' || line[i] == ','))
                i++;
            if (i < len && line[i] == '}') {
                i++;
                break;
            }
            char key[64]; /* a longer name is cut, and can only be a label we ignore */
            size_t k = 0;
            while (i < len && (isalnum((unsigned char)line[i]) || line[i] == '_'))
                if (k + 1 < sizeof key)
                    key[k++] = line[i++];
                else
                    i++;
            key[k] = 0;
            if (!k || i >= len || line[i] != '=' || i + 1 >= len || line[i + 1] != '"')
                return err_set(err, file, lineno, (int)i + 1, "expected a label as name=\"value\" in the braces");
            i += 2;
            /* the labels we keep are read straight into their fields; one
             * that does not fit is an error, never cut short (two long
             * names cut to one prefix would merge two services) */
            char *val = NULL;
            size_t cap = 0, vl = 0, vcol0 = i;
            if (!strcmp(key, "client"))
                val = s->client, cap = sizeof s->client;
            else if (!strcmp(key, "server"))
                val = s->server, cap = sizeof s->server;
            else if (!strcmp(key, "le"))
                val = s->le, cap = sizeof s->le;
            while (i < len && line[i] != '"') {
                char c = line[i];
                if (c == '\\' && i + 1 < len) {
                    i++;
                    c = line[i] == 'n' ? '\n' : line[i];
                }
                if (val && vl + 1 >= cap)
                    return err_set(err, file, lineno, (int)vcol0 + 1,
                                   "label %s: expected a value of at most %zu characters", key, cap - 1);
                if (val)
                    val[vl++] = c;
                i++;
            }
            if (val)
                val[vl] = 0;
            if (i >= len)
                return err_set(err, file, lineno, (int)i + 1, "unclosed label value: expected a closing '\"'");
            i++;
        }
    }
    while (i < len && line[i] == ' ')
        i++;
    char num[64];
    size_t vcol = i;
    if (read_token(line, len, &i, num, sizeof num) < 0)
        return err_set(err, file, lineno, (int)vcol + 1, "expected a sample value of at most %zu characters",
                       sizeof num - 1);
    char *end;
    s->value = strtod(num, &end);
    if (!num[0] || *end || isnan(s->value))
        return err_set(err, file, lineno, (int)vcol + 1, "expected a sample value after the metric, got '%s'", num);
    while (i < len && line[i] == ' ')
        i++;
    if (i < len) {
        size_t tcol = i;
        if (read_token(line, len, &i, num, sizeof num) < 0)
            return err_set(err, file, lineno, (int)tcol + 1, "expected a timestamp of at most %zu characters",
                           sizeof num - 1);
        s->ts = strtod(num, &end);
        if (*end)
            return err_set(err, file, lineno, (int)tcol + 1, "expected a timestamp in milliseconds, got '%s'", num);
    }
    return 0;
}

/* histogram_quantile: linear interpolation within the bucket holding the
 * q-th observation; the lowest bucket starts at 0. */
static double quantile(const pserver *s, const double *counts, double q)
{
    double total = 0;
    for (int b = 0; b < s->nb; b++)
        if (isinf(s->le[b]))
            total = counts[b];
    if (total <= 0)
        return NAN;
    double rank = q * total, prev_le = 0, prev_c = 0;
    for (int b = 0; b < s->nb; b++) {
        if (counts[b] >= rank) {
            if (isinf(s->le[b]))
                return prev_le; /* in the +Inf bucket: the highest finite bound, as PromQL */
            double in = counts[b] - prev_c;
            return in > 0 ? prev_le + (s->le[b] - prev_le) * (rank - prev_c) / in : s->le[b];
        }
        prev_le = s->le[b];
        prev_c = counts[b];
    }
    return prev_le;
}

int imp_prom(importer *im, const char *text, const char *file, eddy_error *err)
{
    size_t ne = 0, nsv = 0, cape = 16, caps = 16;
    pedge *e = xcalloc(cape, sizeof *e);
    pserver *sv = xcalloc(caps, sizeof *sv);
    int lineno = 0, rc = 0;
    const char *p = text;
    while (*p && rc == 0) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        lineno++;
        if (len && p[len - 1] == '\r')
            len--;
        const char *q = p;
        while ((size_t)(q - p) < len && (*q == ' ' || *q == '\t'))
            q++;
        if ((size_t)(q - p) < len && *q != '#') {
            sample s;
            if (parse_line(q, len - (size_t)(q - p), file, lineno, &s, err) < 0) {
                rc = -1;
                break;
            }
            bool total = !strcmp(s.name, "traces_service_graph_request_total");
            bool failed = !strcmp(s.name, "traces_service_graph_request_failed_total");
            bool bucket = !strcmp(s.name, "traces_service_graph_request_server_seconds_bucket");
            if ((total || failed || bucket) && (!*s.client || !*s.server)) {
                rc = err_set(err, file, lineno, 1, "%s: expected client and server labels", s.name);
                break;
            }
            char ca[128], sa[128];
            if ((total || failed || bucket) && (!imp_name_ok(imp_service_name(im, s.client, ca, sizeof ca)) ||
                                                !imp_name_ok(imp_service_name(im, s.server, sa, sizeof sa)))) {
                rc = err_set(err, file, lineno, 1,
                             "%s: expected service names in the client and server labels, got '%s' and '%s'", s.name,
                             s.client, s.server);
                break;
            }
            if (total || failed) {
                size_t j = 0;
                for (; j < ne; j++)
                    if (!strcmp(e[j].client, s.client) && !strcmp(e[j].server, s.server))
                        break;
                if (j == ne) {
                    if (ne == cape)
                        e = xrealloc(e, (cape *= 2) * sizeof *e);
                    memset(&e[ne], 0, sizeof e[ne]);
                    snprintf(e[ne].client, sizeof e[ne].client, "%s", s.client);
                    snprintf(e[ne].server, sizeof e[ne].server, "%s", s.server);
                    e[ne].line = lineno;
                    e[ne].ts = true;
                    ne++;
                }
                pedge *g = &e[j];
                g->ts &= s.ts >= 0;
                if (total) {
                    if (!g->nt++)
                        g->t0 = s.ts, g->v0 = s.value;
                    g->t1 = s.ts, g->v1 = s.value;
                } else {
                    if (!g->nf++)
                        g->f0 = s.value;
                    g->f1 = s.value;
                }
            } else if (bucket) {
                size_t j = 0;
                for (; j < nsv; j++)
                    if (!strcmp(sv[j].name, s.server) && !strcmp(sv[j].client, s.client))
                        break;
                if (j == nsv) {
                    if (nsv == caps)
                        sv = xrealloc(sv, (caps *= 2) * sizeof *sv);
                    memset(&sv[nsv], 0, sizeof sv[nsv]);
                    snprintf(sv[nsv].name, sizeof sv[nsv].name, "%s", s.server);
                    snprintf(sv[nsv].client, sizeof sv[nsv].client, "%s", s.client);
                    sv[nsv].line = lineno;
                    nsv++;
                }
                pserver *h = &sv[j];
                double le = !strcmp(s.le, "+Inf") ? INFINITY : strtod(s.le, NULL);
                int b = 0;
                while (b < h->nb && h->le[b] != le)
                    b++;
                if (b == h->nb) {
                    if (h->nb == MAXB) {
                        rc = err_set(err, file, lineno, 1, "more than %d histogram buckets", MAXB);
                        break;
                    }
                    h->le[h->nb++] = le;
                }
                /* the first and the last sample of each bucket */
                if (!h->seen[b]++)
                    h->first[b] = s.value;
                h->last[b] = s.value;
            }
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    char from[600], a[128], b[128], v[160];
    for (size_t j = 0; rc == 0 && j < ne; j++) {
        snprintf(from, sizeof from, "%s:%d", file, e[j].line);
        imp_service_name(im, e[j].client, a, sizeof a);
        imp_service_name(im, e[j].server, b, sizeof b);
        double rate = -1;
        if (e[j].nt >= 2 && e[j].ts && e[j].t1 > e[j].t0)
            rate = (e[j].v1 - e[j].v0) / ((e[j].t1 - e[j].t0) / 1e3);
        imp_add_edge(im, a, b, rate, from);
        if (rate < 0 && e[j].nt)
            imp_warn(im, "%s: one sample of traces_service_graph_request_total{client=\"%s\",server=\"%s\"}: a rate "
                         "needs two, with timestamps (capture two scrapes a minute apart)",
                     from, e[j].client, e[j].server);
        if (e[j].nf >= 2 && e[j].nt >= 2 && e[j].v1 > e[j].v0) {
            double frac = (e[j].f1 - e[j].f0) / (e[j].v1 - e[j].v0);
            if (frac > 0) {
                char ent[200];
                snprintf(ent, sizeof ent, "svc:%s", b);
                snprintf(v, sizeof v, "%.4g", frac);
                imp_set(im, IMP_PROM, ent, "errors", v, from,
                        "failed / total requests from the graph; it includes failures of %s's own calls", b);
            }
        }
    }
    /* latency: per server, over the capture window when there are two
     * samples, else since the process started */
    double *med = xcalloc(nsv + 1, sizeof *med), *p99 = xcalloc(nsv + 1, sizeof *p99);
    for (size_t j = 0; rc == 0 && j < nsv; j++) {
        pserver *h = &sv[j];
        /* buckets in order of le */
        for (int x = 0; x < h->nb; x++)
            for (int y = x + 1; y < h->nb; y++)
                if (h->le[y] < h->le[x]) {
                    double t;
                    t = h->le[x], h->le[x] = h->le[y], h->le[y] = t;
                    t = h->first[x], h->first[x] = h->first[y], h->first[y] = t;
                    t = h->last[x], h->last[x] = h->last[y], h->last[y] = t;
                    int u = h->seen[x];
                    h->seen[x] = h->seen[y], h->seen[y] = u;
                }
    }
    /* per server, summed over its callers' histograms (the connector gives
     * every edge the same buckets); med/p99 on the first histogram of each
     * server, NAN on the others */
    for (size_t j = 0; rc == 0 && j < nsv; j++) {
        med[j] = p99[j] = NAN;
        bool first = true;
        for (size_t k = 0; k < j && first; k++)
            first = strcmp(sv[k].name, sv[j].name) != 0;
        if (!first)
            continue;
        double counts[MAXB] = {0};
        for (size_t k = j; k < nsv; k++) {
            const pserver *h = &sv[k];
            if (strcmp(h->name, sv[j].name))
                continue;
            bool two = true;
            for (int x = 0; x < h->nb; x++)
                two &= h->seen[x] >= 2;
            for (int x = 0; x < sv[j].nb; x++)
                for (int z = 0; z < h->nb; z++)
                    if (h->le[z] == sv[j].le[x])
                        counts[x] += two ? h->last[z] - h->first[z] : h->last[z];
        }
        med[j] = quantile(&sv[j], counts, 0.5);
        p99[j] = quantile(&sv[j], counts, 0.99);
    }
    for (size_t j = 0; rc == 0 && j < nsv; j++) {
        if (isnan(med[j]) || isnan(p99[j]))
            continue;
        char name[128], ent[200];
        imp_service_name(im, sv[j].name, name, sizeof name);
        imp_add_service(im, name);
        double down_m = 0, down_t = 0;
        char callees[512] = "";
        for (size_t k = 0; k < ne; k++) {
            char c[128], s2[128];
            imp_service_name(im, e[k].client, c, sizeof c);
            if (strcmp(c, name))
                continue;
            imp_service_name(im, e[k].server, s2, sizeof s2);
            for (size_t q = 0; q < nsv; q++) {
                char s3[128];
                imp_service_name(im, sv[q].name, s3, sizeof s3);
                if (!strcmp(s3, s2) && !isnan(med[q])) {
                    down_m += med[q];
                    down_t += p99[q];
                    size_t cl = strlen(callees);
                    snprintf(callees + cl, sizeof callees - cl, "%s%s", cl ? ", " : "", s2);
                }
            }
        }
        /* quantiles of a sum add when the parts move together: the local
         * work's median and p99 are the caller's less its callees' */
        double m = med[j] - down_m, t = p99[j] - down_t;
        if (m < 0.05 * med[j])
            m = 0.05 * med[j];
        if (t <= m * 1.01)
            t = m * 1.5;
        char ms[32], ts[32];
        imp_fmt_seconds(m, ms, sizeof ms);
        imp_fmt_seconds(t, ts, sizeof ts);
        snprintf(v, sizeof v, "{dist: lognormal, median: %s, p99: %s}", ms, ts);
        snprintf(ent, sizeof ent, "svc:%s", name);
        snprintf(from, sizeof from, "%s:%d", file, sv[j].line);
        char pm[32], pp[32];
        imp_fmt_seconds(med[j], pm, sizeof pm);
        imp_fmt_seconds(p99[j], pp, sizeof pp);
        if (*callees)
            imp_set(im, IMP_PROM, ent, "service_time", v, from,
                    "lognormal fitted to the server latency's median %s and p99 %s, less those of its calls "
                    "(%s): the graph times the whole request, eddy's service_time is the service's own work "
                    "(an approximation: quantiles of a sum add only when the parts move together)",
                    pm, pp, callees);
        else
            imp_set(im, IMP_PROM, ent, "service_time", v, from,
                    "lognormal fitted to the server latency's median %s and p99 %s (histogram_quantile of the "
                    "service-graph histogram; it makes no calls)",
                    pm, pp);
    }
    free(med);
    free(p99);
    free(e);
    free(sv);
    return rc;
}

int imp_jaeger(importer *im, const yamldoc *y, yaml_node_t *root)
{
    yaml_node_t *list = root->type == YAML_MAPPING_NODE ? imp_get(y, root, "data") : root;
    if (imp_want(y, list, YAML_SEQUENCE_NODE, "Jaeger dependencies") < 0)
        return -1;
    char from[600], a[128], b[128];
    bool warned = false;
    for (yaml_node_item_t *i = list->data.sequence.items.start; i < list->data.sequence.items.top; i++) {
        yaml_node_t *d = yd_node(y, *i);
        if (imp_want(y, d, YAML_MAPPING_NODE, "Jaeger dependency") < 0)
            return -1;
        const char *parent = imp_str(y, d, "parent", NULL), *child = imp_str(y, d, "child", NULL);
        if (!parent || !child)
            return yd_fail(y, d, "Jaeger dependency: expected parent and child");
        if (imp_name(im, y, d, "Jaeger dependency: parent", parent, a, sizeof a) < 0 ||
            imp_name(im, y, d, "Jaeger dependency: child", child, b, sizeof b) < 0)
            return -1;
        imp_add_edge(im, a, b, -1, imp_from(y, d, from, sizeof from));
        if (!warned)
            imp_warn(im, "%s: Jaeger dependencies give call counts over an unstated lookback: no rates imported",
                     from);
        warned = true;
    }
    return 0;
}
