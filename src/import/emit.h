/* emit.h -- inside `eddy fix --emit` (emit.c, emit_edit.c, emit_fmt.c):
 * the source files being edited, the text edits that keep a user's file as
 * written except for what changes, and one change of a fix on one call.
 * Not part of the importer's interface (imp.h). */
#ifndef EDDY_EMIT_H
#define EDDY_EMIT_H

#include <stdbool.h>
#include <stddef.h>

#include <yaml.h>

#include "imp.h"

/* One imported file being edited. */
typedef struct srcfile {
    char *path;        /* where it is read from (resolved against the model's directory) */
    char *rel;         /* as the model's `# from` names it: the path in DIR and in the patch */
    char *orig, *text; /* as imported; as changed */
    bool json;         /* JSON has no comments: notes go to the patch header instead */
    size_t last_at;    /* byte offset of the last edit set_path made */
} srcfile;

/* One change of a fix, on one call. */
typedef struct change {
    const char *key;    /* on the call: "retry.attempts", "retry.budget", "timeout", "breaker", ... */
    const char *value;  /* eddy's value (a flow mapping for breaker, bulkhead, budget) */
    const char *callee; /* the eddy service called */
    long total;         /* the model's attempts on the call now (all layers) */
    double timeout;     /* the call's per-attempt timeout in the model, seconds; 0: none */
    bool create;        /* second pass: the format may add a document it lacks (an Istio DestinationRule) */
    const int *lines;   /* the lines of the file being edited that the model names for this call */
    int nlines;
} change;

#define EMIT_MAX_LINES 64

/* Whether node n spans a line the model names for the call: the document,
 * cluster or route that configured it, whatever name it calls the
 * service by (a Kubernetes Service name, an Istio host). */
bool emit_named(const change *c, const yaml_node_t *n);

/* Add a note to the result (deduplicated). */
void emit_note(emit_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- text edits (emit_edit.c) ---- */
yaml_node_t *emit_get(yaml_document_t *d, yaml_node_t *m, const char *key);
yaml_node_t *emit_item(yaml_document_t *d, yaml_node_t *s, long i);
/* The node at a dotted path (list items by index) from n, or NULL. */
yaml_node_t *emit_at(yaml_document_t *d, yaml_node_t *n, const char *path);
/* Parse the document of f that holds `line` (1-based; 0: the first). */
int emit_parse(const srcfile *f, int line, yaml_document_t *doc, eddy_error *err);
/* Set the value at base_path.path in the document holding doc_line,
 * creating the keys that are missing; type 's' a string (quoted in JSON),
 * 'n' a number or word, 'f' a flow value written as given (it may replace
 * a mapping or a list).  Sets f->last_at.  0, or -1 with err set. */
int emit_set(srcfile *f, int doc_line, const char *base_path, const char *path, const char *value, char type,
             eddy_error *err);
/* A comment line (YAML only) above the line holding byte `at`, at its
 * indentation, wrapped: why the value written is what it is. */
void emit_comment(srcfile *f, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The byte offset of the start of the line node n begins on (for a
 * comment above it). */
size_t emit_line_offset(const srcfile *f, const yaml_node_t *n);
/* Append text at the end of f (after a newline if f lacks one). */
void emit_append(srcfile *f, const char *text);
/* The first line of the document in f of `kind` for the call: one that
 * holds a line the model names for it, else one whose host is the callee
 * (a VirtualService's route destination, a DestinationRule's host, a
 * ServiceProfile's name); -1 if none. */
int emit_find_doc(const srcfile *f, const importer *im, const char *kind, const change *c);
/* The dotted path of the first node under the root that `match` accepts
 * (document order), into path; false if none. */
typedef bool (*emit_match)(yaml_document_t *d, yaml_node_t *n, const importer *im, const change *c);
bool emit_find(yaml_document_t *d, yaml_node_t *n, emit_match match, const importer *im, const change *c, char *path,
               size_t size);

/* ---- the formats (emit_fmt.c) ---- */
/* Write change c into f in format k.  0 written (or noted as not
 * expressible), 1 nothing in f to write it into (try another file), -1
 * error. */
int emit_format(imp_kind k, srcfile *f, const importer *im, const change *c, emit_result *r, eddy_error *err);

#endif
