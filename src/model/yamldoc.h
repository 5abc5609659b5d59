/* yamldoc.h -- small helpers over libyaml's document API, shared by every
 * reader of a YAML file (the model loader, the causal-loop diagram reader):
 * node positions, type names, and errors that point at a node. */
#ifndef EDDY_YAMLDOC_H
#define EDDY_YAMLDOC_H

#include <yaml.h>

#include "../core/err.h"

/* What an error needs to say where it is. */
typedef struct yamldoc {
    yaml_document_t *doc;
    const char *file;
    eddy_error *err;
    /* Nodes added by edits (yedit.h) come from other files: node ids from
     * origin_first[i] on were written in origin_file[i]. */
    int norigins;
    int origin_first[8];
    const char *origin_file[8];
} yamldoc;

static inline yaml_node_t *yd_node(const yamldoc *y, int id) { return yaml_document_get_node(y->doc, id); }
static inline int yd_line(const yaml_node_t *n) { return (int)n->start_mark.line + 1; }
static inline int yd_col(const yaml_node_t *n) { return (int)n->start_mark.column + 1; }
static inline const char *yd_text(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

/* "a scalar", "a list", "a mapping": for "expected X, got Y" messages. */
const char *yd_type_name(const yaml_node_t *n);

/* Set the error at node n (or with no position if n is NULL); returns -1. */
int yd_fail(const yamldoc *y, const yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A scalar's text, or NULL after an error naming what was expected. */
const char *yd_scalar(const yamldoc *y, const yaml_node_t *n, const char *path, const char *expected);

#endif
