/* imp.h -- `eddy import`: one eddy model from the configuration people
 * already have (Kubernetes, Istio, Envoy, Linkerd, gRPC, resilience4j) and a
 * service graph from traces.
 *
 * Each reader (one file per source format) adds what it finds to an
 * importer as items: a value for one key of one entity, with where it came
 * from (`file:line`) and, when the mapping is only the nearest equivalent,
 * a note saying what differs.  Edges are named caller>callee, or *>callee
 * when a config applies to every caller of a service (a VirtualService, a
 * DestinationRule).  imp_write resolves the edges against the service graph
 * and writes the model, every key with a `# from` comment; a value no file
 * gives is written as TODO with a note on how to measure it.
 *
 * The layer sits on the model layer (YAML helpers, units) and below the
 * engine: it reads files and writes text, it runs nothing. */
#ifndef EDDY_IMP_H
#define EDDY_IMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../model/yamldoc.h"

/* The kinds of file import recognises, by content. */
typedef enum imp_kind {
    IMP_UNKNOWN,
    IMP_K8S,       /* Deployment, StatefulSet, HorizontalPodAutoscaler, Service */
    IMP_ISTIO,     /* VirtualService, DestinationRule */
    IMP_ENVOY,     /* cluster and route config */
    IMP_LINKERD,   /* ServiceProfile */
    IMP_GRPC,      /* gRPC service config JSON */
    IMP_R4J,       /* resilience4j application.yml */
    IMP_PROM,      /* service-graph metrics, Prometheus text format */
    IMP_JAEGER,    /* Jaeger dependencies JSON */
} imp_kind;

const char *imp_kind_name(imp_kind k);

/* One imported value. */
typedef struct imp_item {
    char *ent;   /* "svc:NAME", "edge:CALLER>CALLEE", "edge:*>CALLEE", "as:NAME", "client:NAME" */
    char *key;   /* dotted, within the entity: "workers", "retry.attempts" */
    char *value; /* YAML text, or "TODO" */
    char *from;  /* "file:line" (several joined by ", "), or NULL */
    char *note;  /* what differs, or how to measure; NULL if none */
    int kind;    /* the imp_kind of the file it came from */
} imp_item;

/* A call seen in the service graph. */
typedef struct imp_edge {
    char *caller, *callee;
    double rate;      /* calls per second; < 0 when unknown */
    char *from;       /* "file:line" */
} imp_edge;

typedef struct imp_alias {
    char *name, *service; /* a Kubernetes Service name, a host: the eddy service it means */
} imp_alias;

typedef struct importer {
    imp_item *items;
    size_t n, cap;
    imp_edge *edges;
    size_t nedges, capedges;
    imp_alias *aliases;
    size_t naliases, capaliases;
    char **services; /* services named by workloads or the graph, first seen first */
    size_t nservices, capservices;
    char **warnings;
    size_t nwarnings, capwarnings;
    size_t nfiles;   /* files read (of a known kind) */
    char *base;      /* the working directory, relative to the model's directory (-o), or NULL:
                      * the `# from` paths are relative to it, and `fix --emit` reads them so */
} importer;

void imp_init(importer *im);
void imp_free(importer *im);

/* Read one file (or every file under a directory, in name order): detect
 * its kind and add what it says.  A file of an unknown kind is named in a
 * warning and skipped.  Returns 0, or -1 with err set (malformed input:
 * file:line:col). */
int imp_read_path(importer *im, const char *path, eddy_error *err);

/* The same for one file's text (NUL-terminated at len), read as `file`. */
int imp_read_text(importer *im, const char *text, size_t len, const char *file, eddy_error *err);

/* Write the model.  Returns 0, or -1 with err set. */
int imp_write(importer *im, FILE *out, eddy_error *err);

/* ---- for the readers ------------------------------------------------------------- */

/* Add a value.  `from` may be NULL; `note` a printf format or NULL.  A later
 * value for the same entity and key replaces an earlier one (and says so
 * in a warning when the two differ), except `retry.attempts` from two
 * formats on one edge, which multiply: a sidecar retries every attempt the
 * application makes. */
void imp_set(importer *im, int kind, const char *ent, const char *key, const char *value, const char *from,
             const char *note, ...) __attribute__((format(printf, 7, 8)));
void imp_warn(importer *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void imp_add_service(importer *im, const char *name);
void imp_add_alias(importer *im, const char *name, const char *service);
void imp_add_edge(importer *im, const char *caller, const char *callee, double rate, const char *from);
/* The eddy service a host or Service name means: aliases applied, the
 * domain dropped ("checkout.shop.svc.cluster.local" -> "checkout"), and
 * any character an eddy name may not hold replaced by '-'.  Into buf. */
const char *imp_service_name(const importer *im, const char *host, char *buf, size_t size);

/* imp_service_name, refusing a name that leaves no letter or digit ('',
 * '.x', ':80', '>' which would be '-', a YAML list item): an eddy service
 * needs a name.  0, or -1 with an error at n saying what. */
int imp_name(const importer *im, const yamldoc *y, const yaml_node_t *n, const char *what, const char *host, char *buf,
             size_t size);

/* Whether a name from imp_service_name holds a letter or a digit. */
bool imp_name_ok(const char *name);

/* "file:line" of node n, into buf. */
const char *imp_from(const yamldoc *y, const yaml_node_t *n, char *buf, size_t size);

/* Mapping look-ups over a libyaml document. */
yaml_node_t *imp_get(const yamldoc *y, const yaml_node_t *map, const char *key);
/* A scalar under key, or NULL (absent, or not a scalar). */
const char *imp_str(const yamldoc *y, const yaml_node_t *map, const char *key, yaml_node_t **node);
/* Follow a path of keys ("spec.http"); NULL if any is missing. */
yaml_node_t *imp_path(const yamldoc *y, const yaml_node_t *map, const char *path);
/* Require n to be a mapping/list/scalar: -1 with err "file:line:col: WHAT: expected ..." otherwise. */
int imp_want(const yamldoc *y, const yaml_node_t *n, yaml_node_type_t type, const char *what);
/* Parse a number in a scalar (JSON or YAML), or -1 with an error at n. */
int imp_number(const yamldoc *y, const yaml_node_t *n, const char *what, double *out);
/* A duration in Go/protobuf form ("1.5s", "250ms", "0.25s", "1m") to eddy's
 * text ("1500ms"); -1 with an error at n.  A bare number is seconds when
 * bare_unit is 's', milliseconds when 'm' (Spring's default), an error
 * when 0. */
int imp_duration(const yamldoc *y, const yaml_node_t *n, const char *what, char bare_unit, char *out, size_t size);
/* Format seconds as an eddy duration. */
void imp_fmt_seconds(double s, char *out, size_t size);

/* The readers, one per format (k8s.c, istio.c, ...): each takes one
 * parsed YAML/JSON document already detected as its kind. */
int imp_k8s(importer *im, const yamldoc *y, yaml_node_t *root);
int imp_istio(importer *im, const yamldoc *y, yaml_node_t *root);
int imp_envoy(importer *im, const yamldoc *y, yaml_node_t *root);
int imp_linkerd(importer *im, const yamldoc *y, yaml_node_t *root);
int imp_grpc(importer *im, const yamldoc *y, yaml_node_t *root);
int imp_r4j(importer *im, const yamldoc *y, yaml_node_t *root);
int imp_jaeger(importer *im, const yamldoc *y, yaml_node_t *root);
/* The Prometheus text format is not YAML: graph.c reads the text. */
int imp_prom(importer *im, const char *text, const char *file, eddy_error *err);
/* Whether text looks like Prometheus exposition (# TYPE/# HELP lines, or
 * traces_service_graph_ samples). */
bool imp_prom_detect(const char *text);

/* The kind of a YAML/JSON text's first document of a known kind (for
 * --emit, which edits files by their kind). */
imp_kind imp_detect_text(importer *im, const char *text, size_t len, const char *file);
/* A gRPC service name as the eddy service it calls (grpc.c):
 * "shop.checkout.v1.CheckoutService" -> "checkout". */
const char *imp_grpc_service_name(const char *full, char *buf, size_t size);

/* ---- fix --emit (emit.c) ---------------------------------------------------------- */

/* "istio", "envoy", "grpc", "linkerd", "resilience4j" -> the kind, or IMP_UNKNOWN. */
imp_kind imp_kind_from_name(const char *s);

typedef struct emit_change {
    const char *path, *value; /* an eddy path ("services.a.calls.0.retry.attempts") and value */
} emit_change;

typedef struct emit_result {
    char **files; /* changed files written */
    size_t nfiles;
    char **notes; /* changes not written, and nearest equivalents */
    size_t nnotes;
} emit_result;

/* Write one fix (its changes to an imported model at model_path) in
 * `format`: each file the model's `# from` comments name for the calls it
 * changes, edited, under DIR/<fix>/, and DIR/<fix>.patch, a unified diff
 * against the imported files.  0 (res lists what was written and what
 * was not), or -1 with err set. */
int imp_emit(const char *model_path, imp_kind format, const char *fix_name, const emit_change *ch, size_t n,
             const char *dir, emit_result *res, eddy_error *err);
void imp_emit_result_free(emit_result *r);

/* Istio and Envoy retry conditions to eddy's `on` list (istio.c). */
const char *imp_retry_on(const char *retry_on, bool *all_known);
/* Outlier detection as the nearest breaker (istio.c), for Istio and Envoy:
 * consecutive failures, ejection time.  Sets the breaker items and warns. */
void imp_outlier(importer *im, int kind, const char *ent, long consecutive, const char *eject, const char *from,
                 const char *what);

#endif
