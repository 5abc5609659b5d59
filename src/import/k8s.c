/* k8s.c -- Kubernetes workloads for `eddy import`: Deployment and
 * StatefulSet (replicas, and the concurrency an env var or annotation
 * states), HorizontalPodAutoscaler v2 (min, max, metric and target,
 * behavior, with the documented defaults when unset) and Service (which
 * workload serves a name).
 *
 * Defaults as the Kubernetes documentation gives them: replicas 1
 * (Deployment spec), minReplicas 1, 80% average CPU when an HPA names no
 * metric, and the default scaling behavior (scale up: no stabilization,
 * max of 100% and 4 pods per 15 s; scale down: 300 s stabilization, 100%
 * per 15 s). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imp.h"

/* Env vars and annotations that state how many requests a pod serves at
 * once, and what they are. */
static const struct {
    const char *name, *what;
} concurrency_keys[] = {
    {"eddy.dev/workers", "eddy's annotation"},
    {"SERVER_TOMCAT_THREADS_MAX", "Spring Boot's server.tomcat.threads.max"},
    {"SERVER_TOMCAT_MAX_THREADS", "Spring Boot's server.tomcat.max-threads"},
    {"SERVER_JETTY_THREADS_MAX", "Spring Boot's server.jetty.threads.max"},
    {"WEB_CONCURRENCY", "WEB_CONCURRENCY (worker processes, as gunicorn and Puma read it)"},
    {"GUNICORN_WORKERS", "gunicorn workers"},
    {"MAX_CONCURRENT_REQUESTS", "MAX_CONCURRENT_REQUESTS"},
    {"MAX_CONCURRENCY", "MAX_CONCURRENCY"},
};

static int workload(importer *im, const yamldoc *y, yaml_node_t *root, const char *kind)
{
    yaml_node_t *n;
    const char *raw = imp_str(y, imp_get(y, root, "metadata"), "name", &n);
    if (!raw)
        return yd_fail(y, root, "%s: metadata.name: expected the workload's name", kind);
    char name[128], ent[160], from[600], v[64];
    if (imp_name(im, y, n, "metadata.name", raw, name, sizeof name) < 0)
        return -1;
    imp_add_service(im, name);
    snprintf(ent, sizeof ent, "svc:%s", name);
    yaml_node_t *spec = imp_get(y, root, "spec");
    if (spec && imp_want(y, spec, YAML_MAPPING_NODE, "spec") < 0)
        return -1;
    yaml_node_t *rn = imp_get(y, spec, "replicas");
    if (rn) {
        double r;
        if (imp_number(y, rn, "spec.replicas", &r) < 0)
            return -1;
        if (r < 1 || r != floor(r))
            return yd_fail(y, rn, "spec.replicas: expected a whole number >= 1 (eddy has no scale to zero), got %s",
                           yd_text(rn));
        snprintf(v, sizeof v, "%.0f", r);
        imp_set(im, IMP_K8S, ent, "replicas", v, imp_from(y, rn, from, sizeof from), NULL);
    } else {
        imp_set(im, IMP_K8S, ent, "replicas", "1", imp_from(y, root, from, sizeof from),
                "no spec.replicas: Kubernetes' default is 1");
    }
    /* labels, for Services' selectors */
    yaml_node_t *tmeta = imp_path(y, spec, "template.metadata");
    yaml_node_t *labels = imp_get(y, tmeta, "labels");
    if (labels && labels->type == YAML_MAPPING_NODE) {
        char lent[160];
        snprintf(lent, sizeof lent, "k8slabels:%s", name);
        for (yaml_node_pair_t *p = labels->data.mapping.pairs.start; p < labels->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yd_node(y, p->key), *lv = yd_node(y, p->value);
            if (k->type == YAML_SCALAR_NODE && lv->type == YAML_SCALAR_NODE)
                imp_set(im, IMP_K8S, lent, yd_text(k), yd_text(lv), NULL, NULL);
        }
    }
    /* concurrency: annotations first, then the first container's env */
    yaml_node_t *found = NULL;
    const char *what = NULL;
    yaml_node_t *ann[2] = {imp_get(y, imp_get(y, root, "metadata"), "annotations"), imp_get(y, tmeta, "annotations")};
    for (int a = 0; a < 2 && !found; a++)
        if (ann[a] && ann[a]->type == YAML_MAPPING_NODE && imp_str(y, ann[a], "eddy.dev/workers", NULL)) {
            found = imp_get(y, ann[a], "eddy.dev/workers");
            what = concurrency_keys[0].what;
        }
    yaml_node_t *containers = imp_path(y, spec, "template.spec.containers");
    if (!found && containers && containers->type == YAML_SEQUENCE_NODE)
        for (yaml_node_item_t *c = containers->data.sequence.items.start;
             c < containers->data.sequence.items.top && !found; c++) {
            yaml_node_t *env = imp_get(y, yd_node(y, *c), "env");
            if (!env || env->type != YAML_SEQUENCE_NODE)
                continue;
            for (size_t k = 1; k < sizeof concurrency_keys / sizeof *concurrency_keys && !found; k++)
                for (yaml_node_item_t *e = env->data.sequence.items.start; e < env->data.sequence.items.top; e++) {
                    yaml_node_t *en = yd_node(y, *e);
                    const char *nm = imp_str(y, en, "name", NULL);
                    if (nm && !strcmp(nm, concurrency_keys[k].name) && imp_str(y, en, "value", NULL)) {
                        found = imp_get(y, en, "value");
                        what = concurrency_keys[k].what;
                        break;
                    }
                }
        }
    if (found) {
        double w;
        if (imp_number(y, found, what, &w) < 0)
            return -1;
        if (w < 1 || w != floor(w))
            return yd_fail(y, found, "%s: expected a whole number >= 1, got %s", what, yd_text(found));
        snprintf(v, sizeof v, "%.0f", w);
        imp_set(im, IMP_K8S, ent, "workers", v, imp_from(y, found, from, sizeof from), "%s", what);
    }
    return 0;
}

static int service(importer *im, const yamldoc *y, yaml_node_t *root)
{
    const char *raw = imp_str(y, imp_get(y, root, "metadata"), "name", NULL);
    if (!raw)
        return yd_fail(y, root, "Service: metadata.name: expected the Service's name");
    yaml_node_t *sel = imp_path(y, root, "spec.selector");
    if (!sel)
        return 0; /* no selector: endpoints managed elsewhere; nothing to learn */
    if (imp_want(y, sel, YAML_MAPPING_NODE, "spec.selector") < 0)
        return -1;
    char ent[200], name[128];
    /* not through the aliases: the Service's own name */
    snprintf(name, sizeof name, "%s", raw);
    snprintf(ent, sizeof ent, "k8ssvc:%s", name);
    for (yaml_node_pair_t *p = sel->data.mapping.pairs.start; p < sel->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yd_node(y, p->key), *v = yd_node(y, p->value);
        if (k->type == YAML_SCALAR_NODE && v->type == YAML_SCALAR_NODE)
            imp_set(im, IMP_K8S, ent, yd_text(k), yd_text(v), NULL, NULL);
    }
    return 0;
}

/* A Kubernetes quantity ("500m", "10", "1k") as a number. */
static int quantity(const yamldoc *y, const yaml_node_t *n, const char *what, double *out)
{
    if (imp_want(y, n, YAML_SCALAR_NODE, what) < 0)
        return -1;
    const char *s = yd_text(n);
    char *end;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v))
        return yd_fail(y, n, "%s: expected a Kubernetes quantity such as 100, 500m or 2k, got '%s'", what, s);
    if (!strcmp(end, "m"))
        v /= 1000;
    else if (!strcmp(end, "k"))
        v *= 1000;
    else if (!strcmp(end, "M"))
        v *= 1e6;
    else if (*end)
        return yd_fail(y, n, "%s: expected a Kubernetes quantity such as 100, 500m or 2k, got '%s'", what, s);
    *out = v;
    return 0;
}

/* One scaling direction: behavior.scaleUp or scaleDown, or the defaults. */
static int rules(importer *im, const yamldoc *y, const char *ent, yaml_node_t *hpa, yaml_node_t *r, bool up)
{
    const char *pre = up ? "scale_up." : "scale_down.";
    const char *dir = up ? "scaleUp" : "scaleDown";
    char key[64], from[600], v[64];
    if (!r) {
        imp_from(y, hpa, from, sizeof from);
        const char *why = "no behavior.%s: Kubernetes' default behavior";
        snprintf(key, sizeof key, "%sstabilization", pre);
        imp_set(im, IMP_K8S, ent, key, up ? "0s" : "300s", from, why, dir);
        snprintf(key, sizeof key, "%spercent", pre);
        imp_set(im, IMP_K8S, ent, key, "100%", from, why, dir);
        snprintf(key, sizeof key, "%spods", pre);
        imp_set(im, IMP_K8S, ent, key, up ? "4" : "off", from, why, dir);
        snprintf(key, sizeof key, "%speriod", pre);
        imp_set(im, IMP_K8S, ent, key, "15s", from, why, dir);
        snprintf(key, sizeof key, "%sselect", pre);
        imp_set(im, IMP_K8S, ent, key, "max", from, why, dir);
        return 0;
    }
    if (imp_want(y, r, YAML_MAPPING_NODE, dir) < 0)
        return -1;
    yaml_node_t *n;
    snprintf(key, sizeof key, "%sstabilization", pre);
    if ((n = imp_get(y, r, "stabilizationWindowSeconds"))) {
        double s;
        if (imp_number(y, n, "stabilizationWindowSeconds", &s) < 0)
            return -1;
        snprintf(v, sizeof v, "%.0fs", s);
        imp_set(im, IMP_K8S, ent, key, v, imp_from(y, n, from, sizeof from), NULL);
    } else {
        imp_set(im, IMP_K8S, ent, key, up ? "0s" : "300s", imp_from(y, r, from, sizeof from),
                "no stabilizationWindowSeconds: Kubernetes' default for %s", dir);
    }
    yaml_node_t *pol = imp_get(y, r, "policies");
    if (pol) {
        if (imp_want(y, pol, YAML_SEQUENCE_NODE, "policies") < 0)
            return -1;
        bool pct = false, pods = false;
        double period = -1;
        for (yaml_node_item_t *i = pol->data.sequence.items.start; i < pol->data.sequence.items.top; i++) {
            yaml_node_t *p = yd_node(y, *i), *tn, *vn, *pn;
            const char *type = imp_str(y, p, "type", &tn);
            double val, per;
            vn = imp_get(y, p, "value");
            pn = imp_get(y, p, "periodSeconds");
            if (!type || (strcmp(type, "Pods") && strcmp(type, "Percent")))
                return yd_fail(y, tn ? tn : p, "%s.policies: type: expected Pods or Percent", dir);
            if (!vn || imp_number(y, vn, "policies.value", &val) < 0 || !pn ||
                imp_number(y, pn, "policies.periodSeconds", &per) < 0)
                return vn && pn ? -1 : yd_fail(y, p, "%s.policies: expected value and periodSeconds", dir);
            snprintf(key, sizeof key, "%s%s", pre, type[1] == 'o' ? "pods" : "percent");
            snprintf(v, sizeof v, type[1] == 'o' ? "%.0f" : "%.0f%%", val);
            imp_set(im, IMP_K8S, ent, key, v, imp_from(y, vn, from, sizeof from), NULL);
            *(type[1] == 'o' ? &pods : &pct) = true;
            if (period >= 0 && per != period)
                imp_warn(im, "%s: %s policies with different periodSeconds (%.0f and %.0f): eddy has one period "
                             "for both; the first is imported",
                         from, dir, period, per);
            if (period < 0) {
                period = per;
                snprintf(key, sizeof key, "%speriod", pre);
                snprintf(v, sizeof v, "%.0fs", per);
                imp_set(im, IMP_K8S, ent, key, v, imp_from(y, pn, from, sizeof from), NULL);
            }
        }
        imp_from(y, pol, from, sizeof from);
        snprintf(key, sizeof key, "%spercent", pre);
        if (!pct)
            imp_set(im, IMP_K8S, ent, key, "off", from, "policies given without a Percent policy");
        snprintf(key, sizeof key, "%spods", pre);
        if (!pods)
            imp_set(im, IMP_K8S, ent, key, "off", from, "policies given without a Pods policy");
    } else {
        imp_from(y, r, from, sizeof from);
        snprintf(key, sizeof key, "%spercent", pre);
        imp_set(im, IMP_K8S, ent, key, "100%", from, "no policies: Kubernetes' default for %s", dir);
        snprintf(key, sizeof key, "%spods", pre);
        imp_set(im, IMP_K8S, ent, key, up ? "4" : "off", from, "no policies: Kubernetes' default for %s", dir);
        snprintf(key, sizeof key, "%speriod", pre);
        imp_set(im, IMP_K8S, ent, key, "15s", from, "no policies: Kubernetes' default for %s", dir);
    }
    const char *sel = imp_str(y, r, "selectPolicy", &n);
    if (sel) {
        const char *s = !strcmp(sel, "Max") ? "max" : !strcmp(sel, "Min") ? "min" : !strcmp(sel, "Disabled") ? "disabled" : NULL;
        if (!s)
            return yd_fail(y, n, "%s.selectPolicy: expected Max, Min or Disabled, got '%s'", dir, sel);
        snprintf(key, sizeof key, "%sselect", pre);
        imp_set(im, IMP_K8S, ent, key, s, imp_from(y, n, from, sizeof from), NULL);
    }
    return 0;
}

/* Whether s contains w, ignoring case. */
static bool has_ci(const char *s, const char *w)
{
    size_t n = strlen(w);
    for (; *s; s++)
        if (!strncasecmp(s, w, n))
            return true;
    return false;
}

/* One metric of spec.metrics; returns 1 if imported, 0 if not (warned). */
static int metric(importer *im, const yamldoc *y, const char *ent, yaml_node_t *m)
{
    char from[600], v[64];
    if (imp_want(y, m, YAML_MAPPING_NODE, "spec.metrics[]") < 0)
        return -1;
    const char *type = imp_str(y, m, "type", NULL);
    imp_from(y, m, from, sizeof from);
    if (!type)
        return yd_fail(y, m, "spec.metrics[]: expected a type (Resource, Pods, Object, External, ContainerResource)");
    yaml_node_t *body = NULL;
    const char *mname = NULL;
    if (!strcmp(type, "Resource") || !strcmp(type, "ContainerResource")) {
        body = imp_get(y, m, !strcmp(type, "Resource") ? "resource" : "containerResource");
        mname = imp_str(y, body, "name", NULL);
    } else if (!strcmp(type, "Pods") || !strcmp(type, "Object") || !strcmp(type, "External")) {
        body = imp_get(y, m, !strcmp(type, "Pods") ? "pods" : !strcmp(type, "Object") ? "object" : "external");
        mname = imp_str(y, imp_get(y, body, "metric"), "name", NULL);
    }
    if (!body || !mname)
        return yd_fail(y, m, "spec.metrics[]: a %s metric needs its %s block with a name", type,
                       !strcmp(type, "Resource") ? "resource" : "metric");
    yaml_node_t *target = imp_get(y, body, "target");
    if (!target)
        return yd_fail(y, body, "spec.metrics[].%s: expected a target", type);
    if (!strcmp(mname, "cpu")) {
        yaml_node_t *u = imp_get(y, target, "averageUtilization");
        if (!u) {
            imp_warn(im, "%s: a cpu target other than averageUtilization is not imported (eddy's cpu target is a "
                         "utilisation)",
                     from);
            return 0;
        }
        double pct;
        if (imp_number(y, u, "averageUtilization", &pct) < 0)
            return -1;
        imp_set(im, IMP_K8S, ent, "metric", "cpu", from, NULL);
        snprintf(v, sizeof v, "%.0f%%", pct);
        imp_set(im, IMP_K8S, ent, "target", v, imp_from(y, u, from, sizeof from),
                "eddy's cpu is busy workers over workers, as CPU usage over request is for a CPU-bound server");
        return 1;
    }
    bool queue = has_ci(mname, "queue") || has_ci(mname, "inflight") || has_ci(mname, "in_flight");
    bool rps = has_ci(mname, "request") || has_ci(mname, "rps") || has_ci(mname, "qps");
    if (!queue && !rps) {
        imp_warn(im, "%s: HPA metric '%s' not imported: eddy's autoscaler measures cpu, queue or rps", from, mname);
        return 0;
    }
    yaml_node_t *val = imp_get(y, target, "averageValue");
    if (!val)
        val = imp_get(y, target, "value");
    if (!val)
        return yd_fail(y, target, "spec.metrics[].%s.target: expected averageValue or value", type);
    double x = 0;
    if (quantity(y, val, "target", &x) < 0)
        return -1;
    imp_set(im, IMP_K8S, ent, "metric", queue ? "queue" : "rps", from, "from the metric named %s", mname);
    snprintf(v, sizeof v, queue ? "%g" : "%g/s", x);
    imp_set(im, IMP_K8S, ent, "target", v, imp_from(y, val, from, sizeof from),
            imp_get(y, target, "value") ? "a total value, imported as per replica (eddy averages over replicas)"
                                        : NULL);
    return 1;
}

static int hpa(importer *im, const yamldoc *y, yaml_node_t *root)
{
    const char *api = imp_str(y, root, "apiVersion", NULL);
    const char *raw = imp_str(y, imp_get(y, root, "metadata"), "name", NULL);
    yaml_node_t *spec = imp_get(y, root, "spec"), *n;
    if (!raw)
        return yd_fail(y, root, "HorizontalPodAutoscaler: metadata.name: expected a name");
    if (imp_want(y, spec, YAML_MAPPING_NODE, "HorizontalPodAutoscaler spec") < 0)
        return -1;
    const char *target = imp_str(y, imp_get(y, spec, "scaleTargetRef"), "name", &n);
    if (!target)
        return yd_fail(y, spec, "spec.scaleTargetRef.name: expected the workload it scales");
    char svc[128], name[160], ent[200], from[600], v[64];
    if (imp_name(im, y, n, "spec.scaleTargetRef.name", target, svc, sizeof svc) < 0 ||
        imp_name(im, y, root, "HorizontalPodAutoscaler: metadata.name", raw, name, sizeof name) < 0)
        return -1;
    if (!strcmp(name, svc)) /* an autoscaler may not share its service's name (CSV columns) */
        snprintf(name, sizeof name, "%s-hpa", svc);
    snprintf(ent, sizeof ent, "as:%s", name);
    imp_set(im, IMP_K8S, ent, "service", svc, imp_from(y, n, from, sizeof from), NULL);
    if (api && strcmp(api, "autoscaling/v2"))
        imp_warn(im, "%s: %s: read as autoscaling/v2", imp_from(y, root, from, sizeof from), api);
    /* metrics: the HPA proposes for each and takes the largest; eddy's
     * autoscaler has one metric */
    yaml_node_t *metrics = imp_get(y, spec, "metrics");
    int got = 0;
    if (metrics) {
        if (imp_want(y, metrics, YAML_SEQUENCE_NODE, "spec.metrics") < 0)
            return -1;
        for (yaml_node_item_t *i = metrics->data.sequence.items.start; i < metrics->data.sequence.items.top; i++) {
            if (got) {
                imp_warn(im, "%s: further HPA metrics not imported: the HPA takes the largest proposal over its "
                             "metrics, eddy's autoscaler follows one metric",
                         imp_from(y, yd_node(y, *i), from, sizeof from));
                break;
            }
            int rc = metric(im, y, ent, yd_node(y, *i));
            if (rc < 0)
                return -1;
            got += rc;
        }
    }
    if (!metrics) {
        imp_from(y, spec, from, sizeof from);
        imp_set(im, IMP_K8S, ent, "metric", "cpu", from, "no spec.metrics: Kubernetes' default is 80%% average CPU");
        imp_set(im, IMP_K8S, ent, "target", "80%", from, "no spec.metrics: Kubernetes' default is 80%% average CPU");
    } else if (!got) {
        imp_warn(im, "%s: no metric eddy can follow: the autoscaler is not imported", from);
        return 0;
    }
    if ((n = imp_get(y, spec, "minReplicas"))) {
        double x;
        if (imp_number(y, n, "minReplicas", &x) < 0)
            return -1;
        snprintf(v, sizeof v, "%.0f", x);
        imp_set(im, IMP_K8S, ent, "min", v, imp_from(y, n, from, sizeof from), NULL);
    } else {
        imp_set(im, IMP_K8S, ent, "min", "1", imp_from(y, spec, from, sizeof from),
                "no minReplicas: Kubernetes' default is 1");
    }
    if (!(n = imp_get(y, spec, "maxReplicas")))
        return yd_fail(y, spec, "spec.maxReplicas: expected the most replicas (Kubernetes requires it)");
    double x;
    if (imp_number(y, n, "maxReplicas", &x) < 0)
        return -1;
    snprintf(v, sizeof v, "%.0f", x);
    imp_set(im, IMP_K8S, ent, "max", v, imp_from(y, n, from, sizeof from), NULL);
    yaml_node_t *beh = imp_get(y, spec, "behavior");
    if (rules(im, y, ent, spec, imp_get(y, beh, "scaleUp"), true) < 0 ||
        rules(im, y, ent, spec, imp_get(y, beh, "scaleDown"), false) < 0)
        return -1;
    return 0;
}

int imp_k8s(importer *im, const yamldoc *y, yaml_node_t *root)
{
    const char *kind = imp_str(y, root, "kind", NULL);
    if (!strcmp(kind, "Deployment") || !strcmp(kind, "StatefulSet"))
        return workload(im, y, root, kind);
    if (!strcmp(kind, "Service"))
        return service(im, y, root);
    return hpa(im, y, root);
}
