/* test_import.c -- `eddy import`: each format's keys and documented
 * defaults imported as documented, malformed and unrelated input refused
 * with file:line:col, unknown kinds skipped with a warning, TODO values
 * refused (and filled under --assume), and the example mesh. */
#include "testutil.h"
#include "testproc.h"

#include <sys/stat.h>

#include "../src/model/model.h"
#include "../src/model/todo.h"
#include "../src/import/imp.h"

static int setup(void **state)
{
    (void)state;
    return proc_begin("import");
}

static int teardown(void **state)
{
    (void)state;
    return proc_end();
}

/* A fresh directory under tmpdir holding the files given as (name, text)
 * pairs, NULL-terminated; its path in dir. */
/* Write the (file name, text) pairs of ap, up to a NULL name, into dir. */
static void write_files(const char *dir, va_list ap)
{
    const char *f;
    while ((f = va_arg(ap, const char *))) {
        const char *text = va_arg(ap, const char *);
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, f);
        write_file(p, text);
    }
}

static void make_dir(char *dir, size_t size, const char *name, ...)
{
    tmp_path(dir, size, name);
    proc_rm(dir, 0);
    assert_int_equal(mkdir(dir, 0700), 0);
    va_list ap;
    va_start(ap, name);
    write_files(dir, ap);
    va_end(ap);
}

/* Import dir to dir/../NAME.yaml and load the model (TODOs filled by
 * --assume, as a test of the values around them). */
static model *import_load(const char *dir, const char *name, run_result *r)
{
    char out[512];
    snprintf(out, sizeof out, "%s/%s.yaml", tmpdir, name);
    *r = run("import %s -o %s --force", dir, out);
    EXPECT_STATUS(*r, 0, "eddy import");
    todo_set_assume(true);
    eddy_error err;
    model *m = model_load(out, &err);
    todo_set_assume(false);
    if (!m)
        fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    return m;
}

static char *import_text(const char *name)
{
    char out[512];
    snprintf(out, sizeof out, "%s/%s.yaml", tmpdir, name);
    return slurp(out, NULL);
}

static const char *deploy_a =
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  replicas: 2\n  template:\n"
    "    metadata:\n      labels: {app: a}\n    spec:\n      containers:\n        - name: a\n          env:\n"
    "            - {name: SERVER_TOMCAT_THREADS_MAX, value: \"30\"}\n";
static const char *deploy_b =
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: b\n  annotations: {eddy.dev/workers: \"8\"}\n"
    "spec:\n  template:\n    metadata:\n      labels: {app: b}\n";
static const char *jaeger_ab = "[{\"parent\": \"web\", \"child\": \"a\", \"callCount\": 10},\n"
                               " {\"parent\": \"a\", \"child\": \"b-svc\", \"callCount\": 10}]\n";
static const char *service_b =
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: b-svc\nspec:\n  selector: {app: b}\n";

/* The a -> b fixture most imports start from: deployments a and b, b's
 * Service, the Jaeger dependency a -> b, and the (file, text) pairs given,
 * up to a NULL name. */
static void make_ab_dir(char *dir, size_t size, const char *name, ...)
{
    make_dir(dir, size, name, "a.yaml", deploy_a, "b.yaml", deploy_b, "svc.yaml", service_b, "deps.json", jaeger_ab,
             NULL);
    va_list ap;
    va_start(ap, name);
    write_files(dir, ap);
    va_end(ap);
}

/* The service b's call from a, by index. */
static const call_spec *call_ab(const model *m)
{
    int a = model_find_service(m, "a");
    assert_true(a >= 0);
    assert_int_equal(m->services[a].ncalls, 1);
    return &m->services[a].calls[0];
}

/* Kubernetes: replicas, the concurrency env var and annotation, replicas'
 * default of 1, and a Service's selector naming the Deployment. */
static void test_k8s_workloads(void **state)
{
    (void)state;
    char dir[256];
    make_ab_dir(dir, sizeof dir, "k8s", NULL);
    run_result r;
    model *m = import_load(dir, "k8s", &r);
    int a = model_find_service(m, "a"), b = model_find_service(m, "b");
    assert_true(a >= 0 && b >= 0);
    assert_int_equal(m->services[a].workers, 30);
    assert_int_equal(m->services[a].replicas, 2);
    assert_int_equal(m->services[b].workers, 8);
    assert_int_equal(m->services[b].replicas, 1); /* Kubernetes' default */
    assert_int_equal(model_find_service(m, "b-svc"), -1); /* the Service is b */
    char *t = import_text("k8s");
    EXPECT_HAS(t, "replicas: 1  # from ");
    EXPECT_HAS(t, "Kubernetes' default is 1");
    EXPECT_HAS(t, "workers: 30  # from ");
    EXPECT_HAS(t, "/k8s/a.yaml:14");
    free(t);
    model_free(m);
    run_free(&r);
}

/* HPA v2 with no behavior: Kubernetes' documented default behavior. */
static void test_k8s_hpa_defaults(void **state)
{
    (void)state;
    char dir[256];
    const char *hpa = "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: a}\nspec:\n"
                      "  scaleTargetRef: {kind: Deployment, name: a}\n  maxReplicas: 9\n";
    make_dir(dir, sizeof dir, "hpa", "a.yaml", deploy_a, "b.yaml", deploy_b, "hpa.yaml", hpa, "deps.json", jaeger_ab,
             NULL);
    run_result r;
    model *m = import_load(dir, "hpa", &r);
    assert_int_equal(m->nautoscalers, 1);
    const autoscaler_spec *as = &m->autoscalers[0];
    assert_string_equal(as->name, "a-hpa");
    assert_int_equal(as->metric, METRIC_CPU);
    assert_within_rel(as->target, 0.8, 1e-9); /* no metrics: 80% CPU */
    assert_int_equal(as->min, 1);
    assert_int_equal(as->max, 9);
    assert_int_equal(as->up.stabilization, 0);
    assert_within_rel(as->up.percent, 100, 1e-9);
    assert_int_equal(as->up.pods, 4);
    assert_int_equal(as->up.period, 15 * T_SEC);
    assert_int_equal(as->down.stabilization, 300 * T_SEC);
    assert_within_rel(as->down.percent, 100, 1e-9);
    assert_true(as->down.pods < 0);
    model_free(m);
    run_free(&r);
}

/* Istio: no retries on a route is the mesh's default, 2 retries on
 * connection failures and 503; attempts counts retries; attempts 0 is off. */
static void test_istio_retries(void **state)
{
    (void)state;
    char dir[256];
    const char *vs = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: b}\nspec:\n"
                     "  hosts: [b-svc.default.svc.cluster.local]\n  http:\n"
                     "    - route:\n        - destination: {host: b-svc.default.svc.cluster.local}\n";
    make_ab_dir(dir, sizeof dir, "istio1", "vs.yaml", vs, NULL);
    run_result r;
    model *m = import_load(dir, "istio1", &r);
    const call_spec *c = call_ab(m);
    assert_int_equal(c->retry.attempts, 3);
    assert_int_equal(c->retry.on, RETRY_ON_REJECT);
    assert_int_equal(c->retry.base, 25 * T_MS);
    assert_int_equal(c->timeout, 0); /* Istio: no route timeout by default */
    model_free(m);
    run_free(&r);

    const char *vs2 = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: b}\nspec:\n"
                      "  hosts: [b-svc]\n  http:\n    - route:\n        - destination: {host: b-svc}\n"
                      "      timeout: 4s\n      retries: {attempts: 5, perTryTimeout: 500ms, retryOn: \"gateway-error\"}\n";
    make_ab_dir(dir, sizeof dir, "istio2", "vs.yaml", vs2, NULL);
    m = import_load(dir, "istio2", &r);
    c = call_ab(m);
    assert_int_equal(c->retry.attempts, 6);
    assert_int_equal(c->retry.on, RETRY_ON_TIMEOUT | RETRY_ON_REJECT);
    assert_int_equal(c->timeout, 500 * T_MS);
    EXPECT_HAS(r.err, "route timeout (all attempts together) is not imported");
    model_free(m);
    run_free(&r);

    const char *vs3 = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: b}\nspec:\n"
                      "  hosts: [b-svc]\n  http:\n    - route:\n        - destination: {host: b-svc}\n"
                      "      retries: {attempts: 0}\n";
    make_ab_dir(dir, sizeof dir, "istio3", "vs.yaml", vs3, NULL);
    m = import_load(dir, "istio3", &r);
    assert_int_equal(call_ab(m)->retry.attempts, 1);
    model_free(m);
    run_free(&r);
}

/* DestinationRule: outlier detection is not a breaker: imported as the
 * nearest, with a comment and a warning. */
static void test_istio_outlier(void **state)
{
    (void)state;
    char dir[256];
    const char *dr = "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: b}\nspec:\n"
                     "  host: b-svc\n  trafficPolicy:\n    connectionPool:\n      tcp: {maxConnections: 7}\n"
                     "    outlierDetection: {consecutive5xxErrors: 3, baseEjectionTime: 45s}\n";
    make_ab_dir(dir, sizeof dir, "dr", "dr.yaml", dr, NULL);
    run_result r;
    model *m = import_load(dir, "dr", &r);
    const call_spec *c = call_ab(m);
    assert_true(c->pool.on);
    assert_int_equal(c->pool.size, 7);
    assert_true(c->breaker.on);
    assert_int_equal(c->breaker.size, 3);
    assert_int_equal(c->breaker.open_for, 45 * T_SEC);
    EXPECT_HAS(r.err, "outlier detection imported as a circuit breaker");
    char *t = import_text("dr");
    EXPECT_HAS(t, "nearest equivalent: outlier detection ejects the failing host");
    free(t);
    model_free(m);
    run_free(&r);
}

/* gRPC service config: maxAttempts, backoff, codes, retryThrottling as the
 * grpc budget; and a sidecar's retries multiply the application's. */
static void test_grpc(void **state)
{
    (void)state;
    char dir[256];
    const char *cfg = "{\"methodConfig\": [{\"name\": [{\"service\": \"pkg.v1.BService\"}],\n"
                      "  \"retryPolicy\": {\"maxAttempts\": 7, \"initialBackoff\": \"0.1s\", \"maxBackoff\": \"2s\",\n"
                      "    \"backoffMultiplier\": 1.5, \"retryableStatusCodes\": [\"UNAVAILABLE\", 13]}}],\n"
                      " \"retryThrottling\": {\"maxTokens\": 20, \"tokenRatio\": 0.25}}\n";
    make_ab_dir(dir, sizeof dir, "grpc", "sc.json", cfg, NULL);
    run_result r;
    model *m = import_load(dir, "grpc", &r);
    const call_spec *c = call_ab(m);
    assert_int_equal(c->retry.attempts, 5); /* gRPC treats maxAttempts above 5 as 5 */
    assert_int_equal(c->retry.backoff, BACKOFF_EXPONENTIAL);
    assert_int_equal(c->retry.base, 100 * T_MS);
    assert_int_equal(c->retry.max, 2 * T_SEC);
    assert_within_rel(c->retry.multiplier, 1.5, 1e-12);
    assert_int_equal(c->retry.on, RETRY_ON_REJECT | RETRY_ON_ERROR);
    assert_int_equal(c->retry.budget.kind, BUDGET_GRPC);
    assert_within_rel(c->retry.budget.max_tokens, 20, 1e-12);
    assert_within_rel(c->retry.budget.token_ratio, 0.25, 1e-12);
    model_free(m);
    run_free(&r);

    /* hedging: maxAttempts, hedgingDelay, nonFatalStatusCodes; Jaeger's
     * {"data": [...]} form */
    const char *hedge = "{\"methodConfig\": [{\"name\": [{\"service\": \"b\"}], \"timeout\": \"1s\",\n"
                        "  \"hedgingPolicy\": {\"maxAttempts\": 3, \"hedgingDelay\": \"0.08s\",\n"
                        "    \"nonFatalStatusCodes\": [\"UNAVAILABLE\"]}}]}\n";
    const char *jaeger_data = "{\"data\": [{\"parent\": \"web\", \"child\": \"a\", \"callCount\": 3},\n"
                              "  {\"parent\": \"a\", \"child\": \"b\", \"callCount\": 3}]}\n";
    make_dir(dir, sizeof dir, "hedge", "a.yaml", deploy_a, "b.yaml", deploy_b, "sc.json", hedge, "deps.json",
             jaeger_data, NULL);
    m = import_load(dir, "hedge", &r);
    c = call_ab(m);
    assert_true(c->hedge.on);
    assert_int_equal(c->hedge.attempts, 3);
    assert_int_equal(c->hedge.delay, 80 * T_MS);
    assert_int_equal(c->hedge.non_fatal, RETRY_ON_REJECT);
    assert_int_equal(c->timeout, 1 * T_SEC);
    model_free(m);
    run_free(&r);

    /* the same call behind a VirtualService retrying 2 times: 5 x 3 */
    const char *vs = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: b}\nspec:\n"
                     "  hosts: [b]\n  http:\n    - route:\n        - destination: {host: b}\n"
                     "      retries: {attempts: 2}\n";
    make_ab_dir(dir, sizeof dir, "grpc2", "sc.json", cfg, "vs.yaml", vs, NULL);
    m = import_load(dir, "grpc2", &r);
    assert_int_equal(call_ab(m)->retry.attempts, 15);
    char *t = import_text("grpc2");
    EXPECT_HAS(t, "two layers retry");
    free(t);
    model_free(m);
    run_free(&r);
}

/* Service-graph metrics: rates from two scrapes, and a lognormal
 * service_time from the histogram's median and p99. */
static void test_prom(void **state)
{
    (void)state;
    char dir[256];
    /* 120 requests in 60 s: 2/s.  Of them 60 under 10 ms, 118.8 (99%) under
     * 100 ms: median 10 ms; p99 at the top of the (10ms, 100ms] bucket */
    const char *prom =
        "# TYPE traces_service_graph_request_total counter\n"
        "traces_service_graph_request_total{client=\"user\",server=\"a\"} 1000 1000000\n"
        "traces_service_graph_request_server_seconds_bucket{client=\"user\",server=\"a\",le=\"0.01\"} 500 1000000\n"
        "traces_service_graph_request_server_seconds_bucket{client=\"user\",server=\"a\",le=\"0.1\"} 990 1000000\n"
        "traces_service_graph_request_server_seconds_bucket{client=\"user\",server=\"a\",le=\"+Inf\"} 1000 1000000\n"
        "traces_service_graph_request_total{client=\"user\",server=\"a\"} 1120 1060000\n"
        "traces_service_graph_request_server_seconds_bucket{client=\"user\",server=\"a\",le=\"0.01\"} 560 1060000\n"
        "traces_service_graph_request_server_seconds_bucket{client=\"user\",server=\"a\",le=\"0.1\"} 1108.8 1060000\n"
        "traces_service_graph_request_server_seconds_bucket{client=\"user\",server=\"a\",le=\"+Inf\"} 1120 1060000\n";
    make_dir(dir, sizeof dir, "prom", "a.yaml", deploy_a, "graph.prom", prom, NULL);
    run_result r;
    model *m = import_load(dir, "prom", &r);
    assert_int_equal(m->nclients, 1);
    assert_string_equal(m->clients[0].name, "user");
    assert_within_rel(m->clients[0].steps[0].rate, 2.0, 1e-9);
    char *t = import_text("prom");
    EXPECT_HAS(t, "service_time: {dist: lognormal, median: 10ms, p99: 100ms}");
    EXPECT_HAS(t, "lognormal fitted to the server latency's median");
    free(t);
    model_free(m);
    run_free(&r);
}

/* A label value as long as its field holds (127 characters) is kept
 * whole: the one a character longer is an error (tests/data/bad). */
static void test_prom_long_name(void **state)
{
    (void)state;
    char dir[256], name[128], prom[1024];
    memset(name, 'n', 127);
    name[127] = 0;
    snprintf(prom, sizeof prom,
             "traces_service_graph_request_total{client=\"user\",server=\"%s\"} 1000 1000000\n"
             "traces_service_graph_request_total{client=\"user\",server=\"%s\"} 1120 1060000\n",
             name, name);
    make_dir(dir, sizeof dir, "promlong", "graph.prom", prom, NULL);
    run_result r;
    model *m = import_load(dir, "promlong", &r);
    assert_int_equal(m->nclients, 1);
    assert_int_equal(m->nservices, 1);
    assert_string_equal(m->services[0].name, name);
    assert_within_rel(m->clients[0].steps[0].rate, 2.0, 1e-9);
    model_free(m);
    run_free(&r);
}

/* Envoy: a route's retry_policy, a cluster's retry_budget present but
 * empty (Envoy's documented 20% and 3), and in JSON the default route
 * timeout (15 s) and max_retries (3) -- left out on a call that does not
 * retry. */
static void test_envoy(void **state)
{
    (void)state;
    char dir[256];
    const char *yaml =
        "static_resources:\n  listeners:\n    - name: l\n      filter_chains:\n        - filters:\n"
        "            - name: envoy.filters.network.http_connection_manager\n              typed_config:\n"
        "                route_config:\n                  virtual_hosts:\n                    - name: b\n"
        "                      domains: [\"*\"]\n                      routes:\n"
        "                        - match: {prefix: \"/\"}\n                          route:\n"
        "                            cluster: b\n                            retry_policy:\n"
        "                              retry_on: 5xx\n                              num_retries: 2\n"
        "                              per_try_timeout: 0.5s\n"
        "  clusters:\n    - name: b\n      connect_timeout: 1s\n      circuit_breakers:\n"
        "        thresholds:\n          - retry_budget: {}\n";
    make_ab_dir(dir, sizeof dir, "envoy", "envoy.yaml", yaml, NULL);
    run_result r;
    model *m = import_load(dir, "envoy", &r);
    const call_spec *c = call_ab(m);
    assert_int_equal(c->retry.attempts, 3);
    assert_int_equal(c->retry.on, RETRY_ON_TIMEOUT | RETRY_ON_ERROR | RETRY_ON_REJECT);
    assert_int_equal(c->timeout, 500 * T_MS);
    assert_int_equal(c->retry.base, 25 * T_MS);
    assert_int_equal(c->retry.max, 250 * T_MS);
    assert_int_equal(c->retry.budget.kind, BUDGET_ENVOY);
    assert_within_rel(c->retry.budget.budget_percent, 0.20, 1e-12);
    assert_int_equal(c->retry.budget.min_retry_concurrency, 3);
    char *t = import_text("envoy");
    EXPECT_HAS(t, "no budget_percent: Envoy's default, 20%");
    free(t);
    model_free(m);
    run_free(&r);

    const char *json = "{\"static_resources\": {\"clusters\": [{\"name\": \"b\", \"connect_timeout\": \"1s\"}],\n"
                       " \"route_config\": {\"virtual_hosts\": [{\"name\": \"b\", \"routes\": [\n"
                       "   {\"match\": {\"prefix\": \"/\"}, \"route\": {\"cluster\": \"b\"}}]}]}}}\n";
    make_ab_dir(dir, sizeof dir, "envoyjson", "envoy.json", json, NULL);
    m = import_load(dir, "envoyjson", &r);
    c = call_ab(m);
    assert_int_equal(c->timeout, 15 * T_SEC);
    assert_int_equal(c->retry.attempts, 1);
    assert_int_equal(c->retry.budget.kind, BUDGET_NONE);
    EXPECT_HAS(r.err, "the call does not retry");
    model_free(m);
    run_free(&r);

    /* the same cluster with max_retries and a retrying route: an envoy
     * budget of 0% with that minimum, and outlier detection as a breaker */
    const char *json2 = "{\"clusters\": [{\"name\": \"b\", \"connect_timeout\": \"1s\",\n"
                        "  \"circuit_breakers\": {\"thresholds\": [{\"max_retries\": 7, \"max_requests\": 64}]},\n"
                        "  \"outlier_detection\": {\"consecutive_5xx\": 4}}],\n"
                        " \"virtual_hosts\": [{\"name\": \"b\", \"retry_policy\": {\"retry_on\": \"connect-failure\"},\n"
                        "   \"routes\": [{\"match\": {\"prefix\": \"/\"}, \"route\": {\"cluster\": \"b\", \"timeout\": \"3s\"}}]}]}\n";
    make_ab_dir(dir, sizeof dir, "envoyjson2", "envoy.json", json2, NULL);
    m = import_load(dir, "envoyjson2", &r);
    c = call_ab(m);
    assert_int_equal(c->retry.attempts, 2); /* num_retries' default: 1 */
    assert_int_equal(c->retry.on, RETRY_ON_REJECT);
    assert_int_equal(c->timeout, 3 * T_SEC);
    assert_int_equal(c->retry.budget.kind, BUDGET_ENVOY);
    assert_within_rel(c->retry.budget.budget_percent + 1, 1, 1e-12);
    assert_int_equal(c->retry.budget.min_retry_concurrency, 7);
    assert_true(c->bulkhead.on);
    assert_int_equal(c->bulkhead.max_concurrent, 64);
    assert_true(c->breaker.on);
    assert_int_equal(c->breaker.size, 4);
    assert_int_equal(c->breaker.open_for, 30 * T_SEC);
    EXPECT_HAS(r.err, "Envoy (consecutive_5xx default 5, base_ejection_time default 30s) outlier detection imported");
    model_free(m);
    run_free(&r);
}

/* Linkerd: a retryable route with no retryBudget takes Linkerd's default
 * budget (0.2, 10/s, 10s), as a finagle budget, and the default timeout. */
static void test_linkerd(void **state)
{
    (void)state;
    char dir[256];
    const char *sp = "apiVersion: linkerd.io/v1alpha2\nkind: ServiceProfile\nmetadata:\n"
                     "  name: b-svc.default.svc.cluster.local\nspec:\n  routes:\n"
                     "    - name: GET /items\n      condition: {method: GET, pathRegex: /items}\n"
                     "      isRetryable: true\n";
    make_ab_dir(dir, sizeof dir, "linkerd", "sp.yaml", sp, NULL);
    run_result r;
    model *m = import_load(dir, "linkerd", &r);
    const call_spec *c = call_ab(m);
    assert_int_equal(c->retry.attempts, 100);
    assert_int_equal(c->retry.on, RETRY_ON_ERROR | RETRY_ON_REJECT);
    assert_int_equal(c->retry.budget.kind, BUDGET_FINAGLE);
    assert_within_rel(c->retry.budget.percent, 0.2, 1e-12);
    assert_within_rel(c->retry.budget.min_per_s, 10, 1e-12);
    assert_int_equal(c->retry.budget.ttl, 10 * T_SEC);
    assert_int_equal(c->timeout, 10 * T_SEC);
    model_free(m);
    run_free(&r);

    const char *sp2 = "apiVersion: linkerd.io/v1alpha2\nkind: ServiceProfile\nmetadata:\n  name: b-svc\nspec:\n"
                      "  retryBudget: {retryRatio: 0.5, minRetriesPerSecond: 3, ttl: 20s}\n  routes:\n"
                      "    - {name: r, condition: {method: GET}, isRetryable: true, timeout: 300ms}\n";
    make_ab_dir(dir, sizeof dir, "linkerd2", "sp.yaml", sp2, NULL);
    m = import_load(dir, "linkerd2", &r);
    c = call_ab(m);
    assert_within_rel(c->retry.budget.percent, 0.5, 1e-12);
    assert_within_rel(c->retry.budget.min_per_s, 3, 1e-12);
    assert_int_equal(c->retry.budget.ttl, 20 * T_SEC);
    assert_int_equal(c->timeout, 300 * T_MS);
    model_free(m);
    run_free(&r);
}

/* resilience4j: Spring's relaxed binding, a bare duration in ms, and the
 * documented defaults (retry 3 attempts, 500ms; bulkhead 25; timelimiter
 * 1s) on the calls from spring.application.name. */
static void test_r4j(void **state)
{
    (void)state;
    char dir[256];
    const char *app = "spring:\n  application:\n    name: a\nresilience4j:\n  circuitbreaker:\n"
                      "    instances:\n      b:\n        sliding-window-size: 20\n        failureRateThreshold: 30\n"
                      "        waitDurationInOpenState: 5s\n  retry:\n    instances:\n      b:\n"
                      "        maxAttempts: 4\n        waitDuration: 100\n  bulkhead:\n    instances:\n      b: {}\n"
                      "  timelimiter:\n    configs:\n      default: {timeoutDuration: 2s}\n    instances:\n"
                      "      b: {}\n";
    make_ab_dir(dir, sizeof dir, "r4j", "application.yml", app, NULL);
    run_result r;
    model *m = import_load(dir, "r4j", &r);
    const call_spec *c = call_ab(m);
    assert_true(c->breaker.on);
    assert_int_equal(c->breaker.size, 20);
    assert_within_rel(c->breaker.failure_rate, 0.3, 1e-12);
    assert_int_equal(c->breaker.open_for, 5 * T_SEC);
    assert_int_equal(c->breaker.min_calls, 100); /* eddy's default = resilience4j's */
    assert_int_equal(c->retry.attempts, 4);
    assert_int_equal(c->retry.backoff, BACKOFF_CONSTANT);
    assert_int_equal(c->retry.base, 100 * T_MS);
    assert_true(c->bulkhead.on);
    assert_int_equal(c->bulkhead.max_concurrent, 25);
    assert_int_equal(c->timeout, 2 * T_SEC); /* from configs.default */
    model_free(m);
    run_free(&r);
}

/* Copy examples/import to dir, with `rel` (a path under examples/import)
 * replaced by the file at `with` when given. */
static void copy_example(const char *dir, const char *rel, const char *with)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s && cp -r examples/import/. %s/", dir, dir, dir);
    assert_int_equal(system(cmd), 0);
    if (rel) {
        snprintf(cmd, sizeof cmd, "cp %s %s/%s", with, dir, rel);
        assert_int_equal(system(cmd), 0);
    }
}

/* Round trip: import the example, measure the fixes with --emit, apply
 * the emitted config, import again: the model has the fix.  The patch
 * written applies to the imported files and gives the emitted ones. */
static void test_round_trip(void **state)
{
    (void)state;
    char mesh[512], out[512], file[1024], dir[512];
    snprintf(mesh, sizeof mesh, "%s/mesh.yaml", tmpdir);
    run_result r = run("import examples/import -o %s --force -q", mesh);
    EXPECT_STATUS(r, 0, "import");
    run_free(&r);
    FILE *fp = fopen(mesh, "a");
    assert_non_null(fp);
    fputs("\nfaults:\n  - {at: 60s, for: 30s, target: db, slow: 10}\n", fp);
    fclose(fp);

    /* gRPC: the retry budget becomes retryThrottling */
    snprintf(out, sizeof out, "%s/emit-grpc", tmpdir);
    r = run("fix --emit grpc %s %s --seeds 2 -q", out, mesh);
    EXPECT_STATUS(r, 0, "fix --emit grpc");
    EXPECT_HAS(r.out, "retry budget (Finagle, 20%)                  1 file changed");
    EXPECT_HAS(r.out, "Nearest, not the same");
    EXPECT_HAS(r.err, "eddy fix: --emit grpc: retry budget (Finagle, 20%): grpc: retryThrottling");
    run_free(&r);
    snprintf(file, sizeof file, "%s/retry-budget-finagle-20/examples/import/grpc/checkout-client.json", out);
    char *t = slurp(file, NULL);
    assert_non_null(t);
    /* the measured Finagle budget (20%, 10/s over 10 s) as gRPC's */
    EXPECT_HAS(t, "\"retryThrottling\": {\"maxTokens\": 200, \"tokenRatio\": 0.2}");
    free(t);
    snprintf(dir, sizeof dir, "%s/mesh-grpc", tmpdir);
    copy_example(dir, "grpc/checkout-client.json", file);
    model *m = import_load(dir, "reimport-grpc", &r);
    int fe = model_find_service(m, "frontend");
    const retry_policy *rp = &m->services[fe].calls[0].retry;
    assert_int_equal(rp->budget.kind, BUDGET_GRPC);
    assert_within_rel(rp->budget.max_tokens, 200, 1e-12);
    assert_within_rel(rp->budget.token_ratio, 0.2, 1e-12);
    assert_int_equal(rp->attempts, 12); /* the rest as it was */
    model_free(m);
    run_free(&r);
    /* the patch turns the imported file into the emitted one */
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "rm -rf %s/p && mkdir -p %s/p/examples && cp -r examples/import %s/p/examples/ && cd %s/p && "
             "patch -s -p1 < %s/retry-budget-finagle-20.patch && cmp examples/import/grpc/checkout-client.json %s",
             tmpdir, tmpdir, tmpdir, tmpdir, out, file);
    assert_int_equal(system(cmd), 0);

    /* Istio: fewer retries: the VirtualServices' attempts, each layer's
     * share (frontend -> checkout keeps gRPC's 3 attempts, and says so) */
    snprintf(out, sizeof out, "%s/emit-istio", tmpdir);
    r = run("fix --emit istio %s %s --seeds 2 -q", out, mesh);
    EXPECT_STATUS(r, 0, "fix --emit istio");
    EXPECT_HAS(r.out, "fewer retries (2 attempts)                   2 files changed");
    EXPECT_HAS(r.out, "still makes 3 attempts");
    EXPECT_HAS(r.out, "Istio has no retry budget");
    EXPECT_HAS(r.err, "Istio has no retry budget");
    run_free(&r);
    snprintf(dir, sizeof dir, "%s/mesh-istio", tmpdir);
    copy_example(dir, NULL, NULL);
    snprintf(cmd, sizeof cmd, "cp %s/fewer-retries-2-attempts/examples/import/istio/*.yaml %s/istio/", out, dir);
    assert_int_equal(system(cmd), 0);
    m = import_load(dir, "reimport-istio", &r);
    assert_int_equal(m->clients[0].call.retry.attempts, 2);
    fe = model_find_service(m, "frontend");
    assert_int_equal(m->services[fe].calls[0].retry.attempts, 3);
    model_free(m);
    run_free(&r);
}

/* One fix of several changes emitted by imp_emit in one format, from the
 * root directory (the model's header says where its sources are, so the
 * working directory does not matter); each changed file put in place of
 * its original and the directory imported again: the model returned. */
/* Import dir as NAME (the model a fix is emitted from), and say where it
 * is (model_path) and where the emitted files go (out), 512 bytes each. */
static void emit_prepare(const char *dir, const char *name, char *model_path, char *out)
{
    run_result r;
    model *m = import_load(dir, name, &r);
    model_free(m);
    run_free(&r);
    snprintf(model_path, 512, "%s/%s.yaml", tmpdir, name);
    snprintf(out, 512, "%s/%s-out", tmpdir, name);
}

static model *emit_round_trip(const char *dir, const char *name, const char *fmt, const emit_change *ch, size_t n,
                              size_t want_files, char **notes)
{
    char model_path[512], out[512], cwd[1024];
    emit_prepare(dir, name, model_path, out);
    run_result r;
    model *m;
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir("/"), 0);
    emit_result res;
    eddy_error err;
    int rc = imp_emit(model_path, imp_kind_from_name(fmt), "the fix", ch, n, out, &res, &err);
    assert_int_equal(chdir(cwd), 0);
    if (rc < 0)
        fail_msg("%s: %s:%d:%d: %s", fmt, err.file, err.line, err.col, err.msg);
    size_t len = 0;
    for (size_t k = 0; k < res.nnotes; k++)
        len += strlen(res.notes[k]) + 2;
    *notes = calloc(len + 1, 1);
    for (size_t k = 0; k < res.nnotes; k++)
        strcat(strcat(*notes, res.notes[k]), "\n");
    if (res.nfiles != want_files)
        fail_msg("%s: %zu files written, not %zu; notes: %s", fmt, res.nfiles, want_files, *notes);
    for (size_t k = 0; k < res.nfiles; k++) {
        const char *base = strrchr(res.files[k], '/') + 1;
        char cmd[2048];
        snprintf(cmd, sizeof cmd, "cp %s %s/%s", res.files[k], dir, base);
        assert_int_equal(system(cmd), 0);
    }
    imp_emit_result_free(&res);
    char again[80];
    snprintf(again, sizeof again, "%s-again", name);
    m = import_load(dir, again, &r);
    run_free(&r);
    return m;
}

/* Every change a fix makes, per format, round-tripped: emitted, put in
 * place of the imported file, imported again; a retry budget as the
 * measured one converted (stated in a note), what the format cannot
 * express named. */
static void test_emit_formats(void **state)
{
    (void)state;
    char dir[256], *notes, *t, p[600];

    /* Envoy: the route's retry_policy and the cluster, in two files */
    const char *cluster = "static_resources:\n  clusters:\n    - name: b\n      connect_timeout: 1s\n"
                          "  listeners: []\n";
    const char *route = "virtual_hosts:\n  - name: b\n    routes:\n      - match: {prefix: /}\n"
                        "        route: {cluster: b, retry_policy: {retry_on: 5xx, num_retries: 3, "
                        "per_try_timeout: 0.5s}}\n";
    make_ab_dir(dir, sizeof dir, "emit-envoy", "envoy.yaml", cluster, "route.yaml", route, NULL);
    const emit_change envoy[] = {
        {"services.a.calls.0.retry.budget", "{type: finagle}"},
        {"services.a.calls.0.retry.attempts", "2"},
        {"services.a.calls.0.timeout", "1s"},
        {"services.a.calls.0.retry.base", "50ms"},
        {"services.a.calls.0.retry.on", "[error, reject]"},
        {"services.a.calls.0.breaker", "{window: count, size: 7, failure_rate: 100%, open_for: 20s}"},
        {"services.a.calls.0.bulkhead", "{max_concurrent: 9}"},
        {"services.a.calls.0.pool.size", "12"},
    };
    model *m = emit_round_trip(dir, "emit-envoy", "envoy", envoy, 8, 2, &notes);
    const call_spec *c = call_ab(m);
    assert_int_equal(c->retry.budget.kind, BUDGET_ENVOY);
    /* Finagle's 20% and 10/s over an attempt of 0.5 s (the per_try_timeout) */
    assert_within_rel(c->retry.budget.budget_percent, 0.20, 1e-12);
    assert_int_equal(c->retry.budget.min_retry_concurrency, 5);
    assert_int_equal(c->retry.attempts, 2);
    assert_int_equal(c->timeout, 1 * T_SEC);
    assert_int_equal(c->retry.base, 50 * T_MS);
    assert_int_equal(c->retry.on & RETRY_ON_TIMEOUT, 0);
    assert_true(c->breaker.on);
    assert_int_equal(c->breaker.size, 7);
    assert_int_equal(c->breaker.open_for, 20 * T_SEC);
    assert_true(c->bulkhead.on);
    assert_int_equal(c->bulkhead.max_concurrent, 9);
    assert_int_equal(c->pool.size, 12);
    EXPECT_HAS(notes, "min_retry_concurrency = 10 retries/s x 0.5s per attempt");
    EXPECT_HAS(notes, "outlier detection ejects the failing host");
    snprintf(p, sizeof p, "%s/envoy.yaml", dir);
    t = slurp(p, NULL);
    EXPECT_HAS(t, "# eddy fix --emit: eddy measured a Finagle budget");
    free(t);
    free(notes);
    model_free(m);

    /* Istio: the VirtualService, and a DestinationRule added for the host */
    const char *vs = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: b}\nspec:\n"
                     "  hosts: [b-svc]\n  http:\n    - route:\n        - destination: {host: b-svc}\n"
                     "      retries: {attempts: 4, perTryTimeout: 300ms, retryOn: 5xx}\n";
    make_ab_dir(dir, sizeof dir, "emit-istio", "vs.yaml", vs, NULL);
    const emit_change istio[] = {
        {"services.a.calls.0.retry.attempts", "3"},
        {"services.a.calls.0.timeout", "700ms"},
        {"services.a.calls.0.retry.on", "[error, reject]"},
        {"services.a.calls.0.retry.budget", "{type: finagle, percent: 10%}"},
        {"services.a.calls.0.breaker", "{size: 4, failure_rate: 100%, open_for: 15s}"},
        {"services.a.calls.0.bulkhead", "{max_concurrent: 11}"},
        {"services.a.calls.0.pool.size", "13"},
    };
    m = emit_round_trip(dir, "emit-istio", "istio", istio, 7, 1, &notes);
    c = call_ab(m);
    assert_int_equal(c->retry.attempts, 3);
    assert_int_equal(c->timeout, 700 * T_MS);
    assert_int_equal(c->retry.on, RETRY_ON_REJECT);
    assert_true(c->breaker.on);
    assert_int_equal(c->breaker.size, 4);
    assert_int_equal(c->breaker.open_for, 15 * T_SEC);
    assert_int_equal(c->bulkhead.max_concurrent, 11);
    assert_int_equal(c->pool.size, 13);
    assert_int_equal(c->retry.budget.kind, BUDGET_NONE);
    EXPECT_HAS(notes, "Istio has no retry budget");
    EXPECT_HAS(notes, "no DestinationRule for b: one added");
    snprintf(p, sizeof p, "%s/vs.yaml", dir);
    t = slurp(p, NULL);
    EXPECT_HAS(t, "Istio has no retry budget");
    EXPECT_HAS(notes, "budget_percent 10, min_retry_concurrency 3"); /* 10%; 10/s x 0.3 s */
    free(t);
    free(notes);
    model_free(m);

    /* gRPC: retryPolicy and retryThrottling from an Envoy budget */
    const char *sc = "{\"methodConfig\": [{\"name\": [{\"service\": \"pkg.v1.BService\"}], \"timeout\": \"2s\",\n"
                     "  \"retryPolicy\": {\"maxAttempts\": 4, \"initialBackoff\": \"0.1s\", \"maxBackoff\": \"1s\",\n"
                     "    \"backoffMultiplier\": 2, \"retryableStatusCodes\": [\"UNAVAILABLE\"]}}]}\n";
    make_ab_dir(dir, sizeof dir, "emit-grpc", "sc.json", sc, NULL);
    const emit_change grpc[] = {
        {"services.a.calls.0.retry.budget", "{type: envoy, budget_percent: 30%, min_retry_concurrency: 5}"},
        {"services.a.calls.0.retry.attempts", "3"},
        {"services.a.calls.0.retry.on", "[timeout, reject]"},
        {"services.a.calls.0.retry.base", "200ms"},
        {"services.a.calls.0.timeout", "3s"},
        {"services.a.calls.0.breaker", "{}"},
    };
    m = emit_round_trip(dir, "emit-grpc", "grpc", grpc, 6, 1, &notes);
    c = call_ab(m);
    assert_int_equal(c->retry.budget.kind, BUDGET_GRPC);
    /* 30% -> tokenRatio 0.3; 5 in flight / 2 s = 2.5/s over 10 s, x 2 */
    assert_within_rel(c->retry.budget.token_ratio, 0.3, 1e-12);
    assert_within_rel(c->retry.budget.max_tokens, 50, 1e-12);
    assert_int_equal(c->retry.attempts, 3);
    assert_int_equal(c->retry.on, RETRY_ON_TIMEOUT | RETRY_ON_REJECT);
    assert_int_equal(c->retry.base, 200 * T_MS);
    assert_int_equal(c->timeout, 3 * T_SEC);
    EXPECT_HAS(notes, "maxTokens = 2 x the reserve over one window");
    EXPECT_HAS(notes, "a service config cannot express breaker");
    free(notes);
    model_free(m);

    /* Linkerd: retryBudget from a gRPC budget, timeouts on every route */
    const char *sp = "apiVersion: linkerd.io/v1alpha2\nkind: ServiceProfile\nmetadata:\n  name: b-svc\nspec:\n"
                     "  routes:\n    - name: r\n      condition: {method: GET}\n      isRetryable: true\n"
                     "    - name: w\n      condition: {method: POST}\n";
    make_ab_dir(dir, sizeof dir, "emit-linkerd", "sp.yaml", sp, NULL);
    const emit_change linkerd[] = {
        {"services.a.calls.0.retry.budget", "{type: grpc, max_tokens: 40, token_ratio: 0.25}"},
        {"services.a.calls.0.timeout", "2s"},
        {"services.a.calls.0.bulkhead", "{max_concurrent: 3}"},
    };
    m = emit_round_trip(dir, "emit-linkerd", "linkerd", linkerd, 3, 1, &notes);
    c = call_ab(m);
    assert_int_equal(c->retry.budget.kind, BUDGET_FINAGLE);
    assert_within_rel(c->retry.budget.percent, 0.25, 1e-12);
    assert_within_rel(c->retry.budget.min_per_s, 2, 1e-12); /* 40/2 over 10 s */
    assert_int_equal(c->retry.budget.ttl, 10 * T_SEC);
    assert_int_equal(c->timeout, 2 * T_SEC);
    EXPECT_HAS(notes, "a ServiceProfile cannot express bulkhead");
    free(notes);
    model_free(m);
    const emit_change noretry[] = {{"services.a.calls.0.retry.attempts", "1"}};
    m = emit_round_trip(dir, "emit-linkerd2", "linkerd", noretry, 1, 1, &notes);
    assert_int_equal(call_ab(m)->retry.attempts, 1); /* isRetryable: false */
    free(notes);
    model_free(m);

    /* resilience4j: retry, circuitbreaker, bulkhead, timelimiter instances */
    const char *app = "spring:\n  application:\n    name: a\nresilience4j:\n  retry:\n    instances:\n      b:\n"
                      "        maxAttempts: 5\n";
    make_ab_dir(dir, sizeof dir, "emit-r4j", "application.yml", app, NULL);
    const emit_change r4j[] = {
        {"services.a.calls.0.retry.attempts", "2"},
        {"services.a.calls.0.breaker", "{window: time, size: 30, failure_rate: 40%, open_for: 7s}"},
        {"services.a.calls.0.bulkhead", "{max_concurrent: 6, max_wait: 100ms}"},
        {"services.a.calls.0.timeout", "1500ms"},
        {"services.a.calls.0.retry.budget", "{type: finagle}"},
    };
    m = emit_round_trip(dir, "emit-r4j", "resilience4j", r4j, 5, 1, &notes);
    c = call_ab(m);
    assert_int_equal(c->retry.attempts, 2);
    assert_true(c->breaker.on);
    assert_int_equal(c->breaker.window, WINDOW_TIME);
    assert_int_equal(c->breaker.size, 30);
    assert_within_rel(c->breaker.failure_rate, 0.4, 1e-12);
    assert_int_equal(c->breaker.open_for, 7 * T_SEC);
    assert_int_equal(c->bulkhead.max_concurrent, 6);
    assert_int_equal(c->bulkhead.max_wait, 100 * T_MS);
    assert_int_equal(c->timeout, 1500 * T_MS);
    EXPECT_HAS(notes, "resilience4j has no retry budget");
    free(notes);
    model_free(m);
}

/* Found by tests/fuzz/fuzz_emit.c: more attempts on a call whose gRPC
 * methodConfig has no retryPolicy (here a hedgingPolicy) were written as
 * a retryPolicy of maxAttempts alone, which gRPC and `eddy import` refuse.
 * Now a retryPolicy is added whole where there is none (emit_fmt.c), and
 * never beside a hedgingPolicy: gRPC allows one of the two, so a note
 * says so and no file is written. */
static void test_emit_grpc_no_retry_policy(void **state)
{
    (void)state;
    char dir[256], model_path[512], out[512];
    char *hedged = slurp("tests/data/bad/emit-grpc-hedged.json", NULL);
    make_ab_dir(dir, sizeof dir, "emit-hedged", "sc.json", hedged, NULL);
    free(hedged);
    emit_prepare(dir, "emit-hedged", model_path, out);
    model *m;
    emit_change ch = {"services.a.calls.0.retry.attempts", "2"};
    emit_result res;
    eddy_error err;
    if (imp_emit(model_path, IMP_GRPC, "the fix", &ch, 1, out, &res, &err) < 0)
        fail_msg("%s", err.msg);
    assert_int_equal(res.nfiles, 0);
    bool said = false;
    for (size_t i = 0; i < res.nnotes; i++)
        said |= strstr(res.notes[i], "hedgingPolicy") && strstr(res.notes[i], "one policy of the two");
    if (!said)
        fail_msg("no note on the retryPolicy (%zu notes%s%s)", res.nnotes, res.nnotes ? ": " : "",
                 res.nnotes ? res.notes[0] : "");
    imp_emit_result_free(&res);

    /* a methodConfig with neither policy: a whole retryPolicy added, which
     * imports again as those attempts */
    const char *bare = "{\"methodConfig\": [{\"name\": [{\"service\": \"b\"}], \"timeout\": \"1s\"}]}\n";
    make_ab_dir(dir, sizeof dir, "emit-bare", "sc.json", bare, NULL);
    const emit_change more = {"services.a.calls.0.retry.attempts", "3"};
    char *notes;
    m = emit_round_trip(dir, "emit-bare", "grpc", &more, 1, 1, &notes);
    assert_int_equal(call_ab(m)->retry.attempts, 3);
    assert_int_equal(call_ab(m)->retry.on, RETRY_ON_REJECT);
    EXPECT_HAS(notes, "one added with gRPC's example back-off");
    free(notes);
    model_free(m);
}

/* Found by tests/fuzz/fuzz_emit.c: YAML breaks lines at a lone CR (and at
 * Unicode NEL, LS and PS), so the line the importer records for a route
 * is not the line --emit's line-by-line editor counts; the edit landed
 * elsewhere and the file written was no longer an Istio config.  Such a
 * file is now refused, at the break. */
static void test_emit_odd_line_breaks(void **state)
{
    (void)state;
    static const struct {
        const char *name, *brk;
        int line, col;
    } cases[] = {{"emit-cr", "\r", 3, 12}, {"emit-ls", "\xe2\x80\xa8", 3, 12}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char vs[512], dir[256], model_path[512], out[512];
        snprintf(vs, sizeof vs,
                 "apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {%sname: b}\n"
                 "spec:\n  hosts: [b]\n  http:\n    - route:\n        - destination: {host: b}\n"
                 "      retries: {attempts: 1}\n",
                 cases[i].brk);
        make_ab_dir(dir, sizeof dir, cases[i].name, "vs.yaml", vs, NULL);
        emit_prepare(dir, cases[i].name, model_path, out);
        emit_change ch = {"services.a.calls.0.retry.attempts", "2"};
        emit_result res;
        eddy_error err;
        if (imp_emit(model_path, IMP_ISTIO, "the fix", &ch, 1, out, &res, &err) == 0)
            fail_msg("%s: emitted %zu files, expected the odd line break refused", cases[i].name, res.nfiles);
        EXPECT_HAS(err.msg, "a line break other than \\n or \\r\\n");
        assert_non_null(strstr(err.file, "vs.yaml"));
        assert_int_equal(err.line, cases[i].line);
        assert_int_equal(err.col, cases[i].col);
    }
}

/* A value no file gives is TODO: every command refuses it, naming each
 * with file:line:col, unless --assume fills it and says so. */
static void test_todo(void **state)
{
    (void)state;
    char dir[256], out[512];
    const char *d = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: lone}\nspec: {replicas: 2}\n";
    make_dir(dir, sizeof dir, "todo", "d.yaml", d, NULL);
    snprintf(out, sizeof out, "%s/todo.yaml", tmpdir);
    run_result r = run("import %s -o %s --force", dir, out);
    EXPECT_STATUS(r, 0, "import with TODOs");
    EXPECT_HAS(r.err, "TODO value");
    run_free(&r);
    char *t = slurp(out, NULL);
    EXPECT_HAS(t, "workers: TODO");
    EXPECT_HAS(t, "how to measure");
    free(t);
    r = run("run %s -q", out);
    assert_int_not_equal(r.status, 0);
    EXPECT_HAS(r.err, "still TODO");
    EXPECT_HAS(r.err, "services.lone.workers at ");
    EXPECT_HAS(r.err, "todo.yaml:");
    EXPECT_HAS(r.err, "clients.users.rate at ");
    run_free(&r);
    r = run("run --assume %s -q --json", out);
    EXPECT_STATUS(r, 0, "run --assume");
    EXPECT_HAS(r.out, "ASSUMED 3 TODO values");
    EXPECT_HAS(r.out, "\"assumed\": \"ASSUMED: 3 TODO values filled by --assume");
    EXPECT_HAS(r.err, "--assume");
    run_free(&r);
    /* every output: diagnose's text, loops' JSON; a CSV stays CSV (the
     * stderr line says it) */
    r = run("diagnose --assume %s -q --seeds 2", out);
    EXPECT_HAS(r.out, "ASSUMED: 3 TODO values filled by --assume");
    run_free(&r);
    r = run("loops --assume %s --json", out);
    EXPECT_HAS(r.out, "\"assumed\": \"ASSUMED: 3 TODO values");
    run_free(&r);
    char csv[512];
    snprintf(csv, sizeof csv, "%s/todo.csv", tmpdir);
    r = run("run --assume %s -q -o %s --force", out, csv);
    EXPECT_STATUS(r, 0, "run --assume -o CSV");
    EXPECT_HAS(r.err, "eddy run: --assume: every TODO of the model was filled");
    run_free(&r);
    char *text = slurp(csv, NULL);
    assert_non_null(text);
    assert_int_equal(strncmp(text, "time,", 5), 0);
    free(text);
}

/* Unknown kinds are named and skipped; malformed and unrelated input is an
 * error at file:line:col, exit 2; -o is never overwritten silently. */
static void test_bad_input(void **state)
{
    (void)state;
    char dir[256], out[512];
    const char *cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\n";
    const char *compose = "services:\n  web:\n    image: nginx\n";
    make_dir(dir, sizeof dir, "unknown", "a.yaml", deploy_a, "cm.yaml", cm, "notes.md", "hello\n",
             "docker-compose.yml", compose, NULL);
    snprintf(out, sizeof out, "%s/unknown.yaml", tmpdir);
    run_result r = run("import %s -o %s --force", dir, out);
    EXPECT_STATUS(r, 0, "import with an unknown kind");
    EXPECT_HAS(r.err, "cm.yaml:1: skipped: a ConfigMap (v1) is not a kind eddy import reads");
    EXPECT_HAS(r.err, "notes.md: skipped");
    EXPECT_HAS(r.err, "docker-compose.yml:1: skipped: a mapping is not a kind eddy import reads");
    run_free(&r);
    r = run("import %s -o %s", dir, out);
    EXPECT_STATUS(r, 2, "import onto an existing file");
    EXPECT_HAS(r.err, "--force");
    run_free(&r);

    static const struct {
        const char *file, *want;
    } bad[] = {
        {"tests/data/bad/import-tab.yaml", "import-tab.yaml:6:1: error: not valid YAML"},
        {"tests/data/bad/import-replicas.yaml", "import-replicas.yaml:6:13: error: spec.replicas: expected a number"},
        {"tests/data/bad/import-vs-attempts.yaml", "import-vs-attempts.yaml:12:19: error: retries.attempts"},
        {"tests/data/bad/import-grpc.json", "import-grpc.json:4:36: error: retryPolicy.maxAttempts"},
        {"tests/data/bad/import-prom.prom", "import-prom.prom:3:"},
        {"tests/data/bad/import-hpa.yaml", "import-hpa.yaml:6:3: error: spec.maxReplicas"},
        {"tests/data/bad/import-vs-spec.yaml", "import-vs-spec.yaml:6:3: error: VirtualService spec: expected a mapping, got a list"},
        {"tests/data/bad/import-envoy.yaml", "import-envoy.yaml:6:21: error: circuit_breakers.thresholds: expected a list"},
        {"tests/data/bad/import-linkerd.yaml", "import-linkerd.yaml:9:20: error: isRetryable: expected true or false"},
        {"tests/data/bad/import-r4j.yml", "import-r4j.yml:8:22: error: maxAttempts: expected a number"},
        {"tests/data/bad/import-jaeger.json", "import-jaeger.json:2:2: error: Jaeger dependency: expected parent and child"},
        /* found by tests/fuzz/fuzz_import.c: a name with nothing before its first '.' or ':' was written
         * as an empty key, a child '>' as '-' (a list item), and the model written was not YAML */
        {"tests/data/bad/import-empty-name.yaml", "import-empty-name.yaml:4:9: error: metadata.name: expected a service's name"},
        {"tests/data/bad/import-prom-empty-name.prom", "import-prom-empty-name.prom:2:1: error: traces_service_graph_request_total: expected service names"},
        /* a label or a value longer than its field was cut short without a word: two long service
         * names cut to one prefix became one service */
        {"tests/data/bad/import-prom-long-label.prom", "import-prom-long-label.prom:2:57: error: label server: expected a value of at most 127 characters"},
        {"tests/data/bad/import-prom-long-value.prom", "import-prom-long-value.prom:2:63: error: expected a sample value of at most 63 characters"},
        /* a service name longer than its field: cut short, two such names became one service */
        {"tests/data/bad/import-long-name.yaml", "import-long-name.yaml:4:9: error: metadata.name: the service name in 'checkout-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' is 200 characters long; expected at most 127"},
        {"tests/data/bad/import-jaeger-empty-name.json", "import-jaeger-empty-name.json:1:2: error: Jaeger dependency: child: expected a service's name"},
        {"tests/data/bad/import-jaeger-dash-name.json", "import-jaeger-dash-name.json:1:2: error: Jaeger dependency: child: expected a service's name or host, got '>'"},
        /* found by fuzz_import: a count of 3e22 overflowed a long (UBSan) before it was checked */
        {"tests/data/bad/import-grpc-huge.json", "import-grpc-huge.json:2:36: error: hedgingPolicy.maxAttempts: expected a whole number from 2 to 1000000000"},
        {"tests/data/bad/import-r4j-huge.yml", "import-r4j-huge.yml:5:22: error: maxAttempts: expected a whole number from 0 to 1000000000"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        r = run("import %s", bad[i].file);
        EXPECT_STATUS(r, 2, bad[i].file);
        EXPECT_HAS(r.err, bad[i].want);
        run_free(&r);
    }
}

/* The example mesh imports with no TODO and loads. */
static void test_example(void **state)
{
    (void)state;
    run_result r;
    model *m = import_load("examples/import", "example", &r);
    EXPECT_HAS(r.err, "0 TODO values");
    assert_int_equal(m->nservices, 3);
    assert_int_equal(m->nautoscalers, 2);
    int fe = model_find_service(m, "frontend");
    assert_true(fe >= 0);
    /* every key says where it came from */
    char *t = import_text("example");
    int line = 0;
    for (char *p = t; p && *p; line++) {
        char *eol = strchr(p, '\n');
        if (eol)
            *eol = 0;
        const char *q = p;
        while (*q == ' ')
            q++;
        if (*q && *q != '#' && strchr(q, ':') && !strstr(q, "# from "))
            fail_msg("line %d of the imported example has no '# from': %s", line + 1, p);
        p = eol ? eol + 1 : NULL;
    }
    free(t);
    /* gRPC's 3 attempts behind the VirtualService's 3 retries */
    assert_int_equal(m->services[fe].calls[0].retry.attempts, 12);
    model_free(m);
    run_free(&r);
    /* with the README's database slowdown, diagnose finds it metastable */
    char mesh[512];
    snprintf(mesh, sizeof mesh, "%s/example.yaml", tmpdir);
    FILE *fp = fopen(mesh, "a");
    assert_non_null(fp);
    fputs("\nfaults:\n  - {at: 60s, for: 30s, target: db, slow: 10}\n", fp);
    fclose(fp);
    r = run("diagnose %s -q", mesh);
    EXPECT_STATUS(r, 0, "diagnose the imported example");
    EXPECT_HAS(r.out, "verdict: metastable");
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_k8s_workloads), cmocka_unit_test(test_k8s_hpa_defaults),
        cmocka_unit_test(test_istio_retries), cmocka_unit_test(test_istio_outlier),
        cmocka_unit_test(test_grpc),          cmocka_unit_test(test_prom), cmocka_unit_test(test_prom_long_name),
        cmocka_unit_test(test_envoy),         cmocka_unit_test(test_linkerd),
        cmocka_unit_test(test_r4j),           cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_emit_formats),
        cmocka_unit_test(test_emit_grpc_no_retry_policy),
        cmocka_unit_test(test_emit_odd_line_breaks),
        cmocka_unit_test(test_todo),          cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_example),
    };
    return cmocka_run_group_tests_name("import", tests, setup, teardown);
}
