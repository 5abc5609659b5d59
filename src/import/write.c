/* write.c -- the imported model as eddy YAML: the service graph's edges
 * resolved into clients and calls, each entity's values merged from every
 * file that set them, every key with a `# from file:line` comment and a
 * TODO for what no file gives. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "imp.h"
#include "../core/xalloc.h"

typedef struct kv {
    char *key, *value, *from, *note;
    int kind;
    int spec; /* 1 for an item on this exact edge, 0 for one on every caller (*>callee) */
} kv;

typedef struct kvlist {
    kv *v;
    size_t n, cap;
} kvlist;

static char *dupe(const char *s) { return s ? xstrdup(s) : NULL; }

static void kv_free(kvlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].key);
        free(l->v[i].value);
        free(l->v[i].from);
        free(l->v[i].note);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

static void kv_put(kvlist *l, const char *key, const char *value, const char *from, const char *note, int kind,
                   int spec)
{
    for (size_t i = 0; i < l->n; i++) {
        kv *e = &l->v[i];
        if (strcmp(e->key, key))
            continue;
        if (!strcmp(key, "retry.attempts") && e->kind != kind) {
            /* two layers that both retry (an application's gRPC client and
             * its sidecar): each retries every attempt of the one above */
            long a = strtol(e->value, NULL, 10), b = strtol(value, NULL, 10), p = a * b;
            char v[32], f[512], n[1024];
            snprintf(v, sizeof v, "%ld", p > 100 ? 100 : p);
            snprintf(f, sizeof f, "%s, %s", e->from ? e->from : "?", from ? from : "?");
            snprintf(n, sizeof n,
                     "%ld attempts (%s) x %ld attempts (%s): two layers retry, and each retries every attempt of "
                     "the one above%s",
                     a, e->from ? e->from : "?", b, from ? from : "?", p > 100 ? "; capped at eddy's 100" : "");
            free(e->value), free(e->from), free(e->note);
            e->value = dupe(v), e->from = dupe(f), e->note = dupe(n);
            e->spec = spec > e->spec ? spec : e->spec;
            return;
        }
        if (spec < e->spec)
            return; /* a value for this exact edge beats one for every caller */
        free(e->value), free(e->from), free(e->note);
        e->value = dupe(value), e->from = dupe(from), e->note = dupe(note);
        e->kind = kind, e->spec = spec;
        return;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = (kv){dupe(key), dupe(value), dupe(from), dupe(note), kind, spec};
}

static const kv *kv_find(const kvlist *l, const char *key)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i].key, key))
            return &l->v[i];
    return NULL;
}

/* A budget needs retries: on a call with no retry policy of 2 or more
 * attempts (an Envoy cluster's max_retries on a route that does not
 * retry), the budget keys are left out, with a warning. */
static void prune_budget(importer *im, kvlist *l, const char *caller, const char *callee)
{
    const kv *a = kv_find(l, "retry.attempts");
    if (a && strtol(a->value, NULL, 10) >= 2)
        return;
    size_t k = 0;
    bool dropped = false;
    const char *from = NULL;
    for (size_t i = 0; i < l->n; i++) {
        if (!strncmp(l->v[i].key, "retry.budget.", 13)) {
            if (!dropped)
                imp_warn(im, "%s: the retry budget for calls %s -> %s is not imported: the call does not retry",
                         l->v[i].from ? l->v[i].from : "?", caller, callee);
            dropped = true;
            from = l->v[i].from;
            free(l->v[i].key), free(l->v[i].value), free(l->v[i].from), free(l->v[i].note);
            continue;
        }
        l->v[k++] = l->v[i];
    }
    (void)from;
    l->n = k;
}

/* The canonical name of an entity's service part. */
static void canon(const importer *im, const char *name, char *buf, size_t size)
{
    imp_service_name(im, name, buf, size);
}

/* Split "edge:A>B" into canonical A (or "*") and B. */
static bool edge_parts(const importer *im, const char *ent, char *a, char *b, size_t size)
{
    if (strncmp(ent, "edge:", 5))
        return false;
    const char *gt = strchr(ent + 5, '>');
    if (!gt)
        return false;
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%.*s", (int)(gt - ent - 5), ent + 5);
    if (!strcmp(tmp, "*"))
        snprintf(a, size, "*");
    else
        canon(im, tmp, a, size);
    canon(im, gt + 1, b, size);
    return true;
}

/* Every item of one entity: for an edge, the items on every caller of the
 * callee and then those on this edge. */
static void collect(const importer *im, const char *prefix, const char *name, const char *callee, kvlist *out,
                    bool *used)
{
    char a[256], b[256];
    for (int spec = 0; spec <= 1; spec++)
        for (size_t i = 0; i < im->n; i++) {
            const imp_item *it = &im->items[i];
            bool match = false;
            if (callee) {
                if (edge_parts(im, it->ent, a, b, sizeof a) && !strcmp(b, callee))
                    match = spec == 0 ? !strcmp(a, "*") : !strcmp(a, name);
            } else if (spec == 1 && !strncmp(it->ent, prefix, strlen(prefix))) {
                canon(im, it->ent + strlen(prefix), a, sizeof a);
                match = !strcmp(a, name);
            }
            if (match) {
                kv_put(out, it->key, it->value, it->from, it->note, it->kind, spec);
                used[i] = true;
            }
        }
}

static void comment_lines(FILE *out, int indent, const char *note)
{
    /* a long note on several lines of at most ~100 characters */
    const char *p = note;
    while (*p) {
        int width = 100 - indent;
        int len = (int)strlen(p);
        int take = len;
        if (len > width) {
            take = width;
            while (take > 20 && p[take] != ' ')
                take--;
        }
        fprintf(out, "%*s# %.*s\n", indent, "", take, p);
        p += take;
        while (*p == ' ')
            p++;
    }
}

static void leaf(FILE *out, int indent, const char *key, const char *value, const char *from, const char *note,
                 const char *dash)
{
    if (note)
        comment_lines(out, indent, note);
    if (!strcmp(value, "TODO"))
        fprintf(out, "%*s%s%s: TODO  # TODO: no file imported gives it (see the note above)\n", indent, "", dash,
                key);
    else if (from)
        fprintf(out, "%*s%s%s: %s  # from %s\n", indent, "", dash, key, value, from);
    else
        fprintf(out, "%*s%s%s: %s  # from eddy import (not in any file)\n", indent, "", dash, key, value);
}

/* Write the keys of l under `prefix` (dotted, "" for all) as nested
 * mappings, in the order they were first set. */
static void tree(FILE *out, const kvlist *l, const char *prefix, int indent)
{
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < l->n; i++) {
        const kv *e = &l->v[i];
        if (strncmp(e->key, prefix, plen))
            continue;
        const char *rest = e->key + plen;
        const char *dot = strchr(rest, '.');
        size_t seglen = dot ? (size_t)(dot - rest) : strlen(rest);
        /* written already, by an earlier key with the same segment? */
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = !strncmp(l->v[j].key, prefix, plen) && !strncmp(l->v[j].key + plen, rest, seglen) &&
                   (l->v[j].key[plen + seglen] == '.' || l->v[j].key[plen + seglen] == 0);
        if (seen)
            continue;
        if (!dot) {
            /* a note said already by the key before is not repeated */
            bool same = i > 0 && e->note && l->v[i - 1].note && !strcmp(e->note, l->v[i - 1].note);
            leaf(out, indent, rest, e->value, e->from, same ? NULL : e->note, "");
            continue;
        }
        fprintf(out, "%*s%.*s:  # from %s\n", indent, "", (int)seglen, rest, e->from ? e->from : "eddy import");
        char sub[256];
        snprintf(sub, sizeof sub, "%.*s.", (int)(plen + seglen), e->key);
        tree(out, l, sub, indent + 2);
    }
}

typedef struct gedge {
    char caller[128], callee[128];
    double rate;
    const char *from;
} gedge;

static bool in_list(char (*names)[128], size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], s))
            return true;
    return false;
}

/* A Kubernetes Service whose selector matches a workload's pod labels is
 * another name for that workload's service. */
static void resolve_selectors(importer *im, bool *used)
{
    for (size_t i = 0; i < im->n; i++) {
        const imp_item *it = &im->items[i];
        if (!strncmp(it->ent, "k8slabels:", 10))
            used[i] = true;
        if (strncmp(it->ent, "k8ssvc:", 7))
            continue;
        used[i] = true;
        if (i > 0 && !strcmp(im->items[i - 1].ent, it->ent))
            continue; /* one look per Service */
        const char *svcname = it->ent + 7;
        for (size_t w = 0; w < im->nservices; w++) {
            char lent[200];
            snprintf(lent, sizeof lent, "k8slabels:%s", im->services[w]);
            bool all = true, any = false;
            for (size_t k = 0; k < im->n && all; k++) {
                if (strcmp(im->items[k].ent, it->ent))
                    continue;
                any = true;
                bool has = false;
                for (size_t q = 0; q < im->n && !has; q++)
                    has = !strcmp(im->items[q].ent, lent) && !strcmp(im->items[q].key, im->items[k].key) &&
                          !strcmp(im->items[q].value, im->items[k].value);
                all = has;
            }
            if (any && all) {
                char short_name[128];
                snprintf(short_name, sizeof short_name, "%s", svcname);
                imp_add_alias(im, short_name, im->services[w]);
                break;
            }
        }
    }
}

int imp_write(importer *im, FILE *out, eddy_error *err)
{
    size_t ns = 0, ne = 0, cap = im->nservices + 2 * im->nedges + 1;
    char(*svc)[128] = xcalloc(cap, sizeof *svc);
    gedge *ed = xcalloc(im->nedges + 1, sizeof *ed);
    bool *used = xcalloc(im->n + 1, sizeof *used);
    char buf[sizeof *svc]; /* names were bounded to a field when read (imp_name) */
    resolve_selectors(im, used);
    for (size_t i = 0; i < im->nservices; i++) {
        canon(im, im->services[i], buf, sizeof buf);
        if (!in_list(svc, ns, buf))
            snprintf(svc[ns++], 128, "%s", buf);
    }
    for (size_t i = 0; i < im->nedges; i++) {
        gedge g = {.rate = im->edges[i].rate, .from = im->edges[i].from};
        canon(im, im->edges[i].caller, g.caller, sizeof g.caller);
        canon(im, im->edges[i].callee, g.callee, sizeof g.callee);
        if (!strcmp(g.caller, g.callee))
            continue;
        bool dup = false;
        for (size_t j = 0; j < ne && !dup; j++)
            if (!strcmp(ed[j].caller, g.caller) && !strcmp(ed[j].callee, g.callee)) {
                dup = true;
                if (g.rate >= 0)
                    ed[j].rate = ed[j].rate >= 0 ? ed[j].rate + g.rate : g.rate;
            }
        if (!dup)
            ed[ne++] = g;
    }
    /* A caller that nothing calls and no workload names is where load comes
     * from: a client.  Everything called is a service. */
    for (size_t j = 0; j < ne; j++)
        if (!in_list(svc, ns, ed[j].callee))
            snprintf(svc[ns++], 128, "%s", ed[j].callee);
    for (size_t j = 0; j < ne; j++) {
        bool called = in_list(svc, ns, ed[j].caller);
        if (!called)
            for (size_t k = 0; k < ne && !called; k++)
                called = !strcmp(ed[k].callee, ed[j].caller);
        if (called && !in_list(svc, ns, ed[j].caller))
            snprintf(svc[ns++], 128, "%s", ed[j].caller);
    }
    if (!ns) {
        free(svc), free(ed), free(used);
        return err_set(err, "", 0, 0,
                       "no service found in the files given: eddy import needs at least a Deployment, a "
                       "StatefulSet or a service graph");
    }

    fprintf(out, "# An eddy model written by `eddy import` from %zu file%s.\n", im->nfiles, im->nfiles == 1 ? "" : "s");
    fprintf(out, "# Every key says where its value came from.  A TODO is a value no file gave:\n"
                 "# measure it (the note says how), or run with --assume to take a documented default.\n"
                 "# Add the incident to study as `faults:` (docs/model.md section 5).\n");
    if (im->base) /* for `eddy fix --emit`, from any working directory */
        fprintf(out, "# Paths in `# from` comments are relative to %s (from this file's directory).\n", im->base);
    fprintf(out, "name: imported  # from eddy import (not in any file)\n");
    fprintf(out, "duration: 5m  # from eddy import (not in any file): long enough to see a recovery, or none\n");
    fprintf(out, "seed: 1  # from eddy import (not in any file)\n");
    fprintf(out, "sample: 1s  # from eddy import (not in any file)\n\n");

    /* clients */
    fprintf(out, "clients:  # from the service graph: callers that nothing calls\n");
    size_t nclients = 0;
    for (size_t j = 0; j < ne; j++) {
        if (in_list(svc, ns, ed[j].caller))
            continue;
        size_t calls = 0;
        for (size_t k = 0; k < ne; k++)
            calls += !strcmp(ed[k].caller, ed[j].caller);
        char name[260];
        if (calls > 1)
            snprintf(name, sizeof name, "%s-%s", ed[j].caller, ed[j].callee);
        else
            snprintf(name, sizeof name, "%s", ed[j].caller);
        kvlist l = {0};
        char rate[64] = "TODO";
        if (ed[j].rate >= 0)
            snprintf(rate, sizeof rate, "%.4g/s", ed[j].rate);
        kv_put(&l, "call", ed[j].callee, ed[j].from, NULL, 0, 1);
        kv_put(&l, "rate", rate, ed[j].rate >= 0 ? ed[j].from : NULL,
               ed[j].rate >= 0 ? NULL
                               : "how to measure: the request rate this caller sends, e.g. rate(traces_service_graph_"
                                 "request_total[5m]) for this edge, or the ingress's requests per second",
               0, 1);
        collect(im, NULL, ed[j].caller, ed[j].callee, &l, used);
        prune_budget(im, &l, ed[j].caller, ed[j].callee);
        fprintf(out, "  %s:  # from %s\n", name, ed[j].from);
        tree(out, &l, "", 4);
        kv_free(&l);
        nclients++;
    }
    if (!nclients) {
        /* no traffic source known: a client calling the service nothing else calls */
        const char *entry = NULL;
        for (size_t i = 0; i < ns && !entry; i++) {
            bool called = false;
            for (size_t k = 0; k < ne; k++)
                called |= !strcmp(ed[k].callee, svc[i]);
            if (!called)
                entry = svc[i];
        }
        fprintf(out, "  users:  # from eddy import (not in any file): no service graph named a traffic source\n");
        if (entry)
            fprintf(out, "    call: %s  # from eddy import (not in any file): the service nothing else calls\n",
                    entry);
        else
            leaf(out, 4, "call", "TODO", NULL, "how to measure: the service your users' requests enter by", "");
        leaf(out, 4, "rate", "TODO", NULL,
             "how to measure: the entry service's requests per second at the load to study (ingress metrics)", "");
    }

    /* services */
    fprintf(out, "\nservices:  # from the workloads and the service graph\n");
    for (size_t i = 0; i < ns; i++) {
        kvlist l = {0};
        collect(im, "svc:", svc[i], NULL, &l, used);
        if (!kv_find(&l, "workers"))
            kv_put(&l, "workers", "TODO", NULL,
                   "how to measure: requests one replica serves at once: its thread pool (Tomcat's maxThreads, "
                   "gunicorn workers x threads), its max in-flight requests, or from traces the peak of concurrent "
                   "server spans per pod",
                   0, 1);
        if (!kv_find(&l, "service_time"))
            kv_put(&l, "service_time", "TODO", NULL,
                   "how to measure: the service's own work per request, downstream calls excluded: the median and "
                   "p99 of its server spans minus their child client spans, as {dist: lognormal, median: .., p99: ..}",
                   0, 1);
        fprintf(out, "  %s:  # from %s\n", svc[i], l.n && l.v[0].from ? l.v[0].from : "the service graph");
        tree(out, &l, "", 4);
        bool first = true;
        for (size_t j = 0; j < ne; j++) {
            if (strcmp(ed[j].caller, svc[i]))
                continue;
            if (first)
                fprintf(out, "    calls:  # from %s\n", ed[j].from);
            first = false;
            kvlist c = {0};
            collect(im, NULL, svc[i], ed[j].callee, &c, used);
            prune_budget(im, &c, svc[i], ed[j].callee);
            char note[512] = "";
            /* eddy makes each call once per request: say so when the graph disagrees */
            double in = 0;
            bool known = ed[j].rate >= 0;
            for (size_t k = 0; k < ne; k++)
                if (!strcmp(ed[k].callee, svc[i])) {
                    known &= ed[k].rate >= 0;
                    in += ed[k].rate;
                }
            if (known && in > 0 && (ed[j].rate / in < 0.9 || ed[j].rate / in > 1.1))
                snprintf(note, sizeof note,
                         "the graph shows %.2f calls to %s per request to %s; eddy makes each call once per request",
                         ed[j].rate / in, ed[j].callee, svc[i]);
            leaf(out, 6, "to", ed[j].callee, ed[j].from, *note ? note : NULL, "- ");
            tree(out, &c, "", 8);
            kv_free(&c);
        }
        kv_free(&l);
    }

    /* autoscalers */
    bool any_as = false;
    for (size_t i = 0; i < im->n; i++) {
        const imp_item *it = &im->items[i];
        if (strncmp(it->ent, "as:", 3) || used[i])
            continue;
        if (!any_as)
            fprintf(out, "\nautoscalers:  # from the HorizontalPodAutoscalers\n");
        any_as = true;
        kvlist l = {0};
        for (size_t k = i; k < im->n; k++)
            if (!strcmp(im->items[k].ent, it->ent)) {
                const char *v = im->items[k].value;
                char c[128];
                if (!strcmp(im->items[k].key, "service")) {
                    canon(im, v, c, sizeof c);
                    v = c;
                }
                kv_put(&l, im->items[k].key, v, im->items[k].from, im->items[k].note, im->items[k].kind, 1);
                used[k] = true;
            }
        fprintf(out, "  %s:  # from %s\n", it->ent + 3, it->from ? it->from : "eddy import");
        tree(out, &l, "", 4);
        kv_free(&l);
    }

    /* anything a config said about a call the graph does not have */
    for (size_t i = 0; i < im->n; i++)
        if (!used[i]) {
            const imp_item *it = &im->items[i];
            char a[256], b[256];
            if (edge_parts(im, it->ent, a, b, sizeof a))
                imp_warn(im, "%s: %s for calls %s -> %s not imported: no such call in the service graph%s",
                         it->from ? it->from : "?", it->key, a, b,
                         ne ? "" : " (give the service-graph metrics or Jaeger dependencies)");
            else
                imp_warn(im, "%s: %s of %s not imported: no such entity", it->from ? it->from : "?", it->key,
                         it->ent);
            /* once per entity is enough */
            for (size_t k = i + 1; k < im->n; k++)
                if (!strcmp(im->items[k].ent, it->ent))
                    used[k] = true;
        }
    free(svc);
    free(ed);
    free(used);
    return 0;
}
