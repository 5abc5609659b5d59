/* graph.h -- a causal loop diagram: a signed directed graph.
 *
 * Variables are the nodes ("Load", "checkout.latency"); links are the
 * arrows, each with a polarity (+1: same direction, -1: opposite), a delay
 * flag, a free-text note and an origin, the model element (or diagram line)
 * that creates the arrow.  Every loader (Mermaid, the YAML form, derivation
 * from a service model) fills one of these, so the analysis downstream
 * never knows where a diagram came from.
 *
 * Order matters: variables and links keep the order in which they were
 * declared, and loop numbering (analyze.h) is defined in terms of it, so the
 * same file always gives R1, B2, ... in the same order. */
#ifndef EDDY_LOOPS_GRAPH_H
#define EDDY_LOOPS_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include "hidx.h"

typedef struct cld_var {
    char *id;         /* unique key: the Mermaid id, the YAML name, a derived key */
    char *name;       /* what people read: the Mermaid label, or the id */
    char *entity;     /* the model entity it belongs to (for --boundary); for a
                         hand-drawn diagram, the variable itself */
    const char *kind; /* the entity's kind, "client" or "service" (a static
                         string), or NULL in a hand-drawn diagram */
    /* In a derived diagram, the switch in the model that removes this
     * variable and so cuts every loop through it: "retries", "hedging" or
     * "cache" (a static string); NULL when none does.  Loops are grouped
     * by it (group.h). */
    const char *cut;
    int line, col;
} cld_var;

typedef struct cld_link {
    int from, to; /* indexes into vars */
    int sign;     /* +1 or -1; 0 for "±", a link whose polarity changes
                     (only derived from equations, src/loops/sd_graph.c) */
    bool delay;
    char *note;   /* may be empty, never NULL */
    char *origin; /* may be empty, never NULL */
    /* How many times over the arrow can multiply what it carries, at worst:
     * a retry policy's attempts, 2 for a hedge, 1 for every other link.
     * A loop's gain is the product over its links: the worst-case
     * amplification around it, which ranks the loops that matter. */
    double gain;
    int line, col;
} cld_link;

typedef struct cld_graph {
    char *source; /* file name, for messages */
    cld_var *vars;
    size_t nvars, capvars;
    cld_link *links;
    size_t nlinks, caplinks;
    /* Remarks for the reader that are not errors: Mermaid blocks skipped in
     * a Markdown file, mechanisms a derivation does not cover yet. */
    char **notes;
    size_t nnotes, capnotes;
    /* Look-ups by id and by (from, to, sign), so that building a graph of
     * n variables and m links costs O(n + m), not O(n^2 + m^2). */
    hidx by_id, by_link;
} cld_graph;

cld_graph *cld_new(const char *source);
void cld_free(cld_graph *g);

/* Index of the variable with this id, or -1. */
int cld_find(const cld_graph *g, const char *id);
/* Index of the variable named (label) `name`, or if none the id; -1 if none. */
int cld_find_name(const cld_graph *g, const char *name);

/* The variable with this id, created at the end if new.  A NULL or empty
 * name leaves an existing name alone; a new variable without a name is
 * named by its id.  A later non-empty name replaces an id-only name, so
 * `A --> B` followed by `B["Pods"]` names B "Pods" (as Mermaid does). */
int cld_var_add(cld_graph *g, const char *id, const char *name, int line, int col);
void cld_var_set_entity(cld_graph *g, int v, const char *entity, const char *kind);

/* Add a link.  A second link with the same ends and the same polarity is
 * the same causal claim said twice: it is merged into the first (delay is
 * OR-ed, notes and origins are joined with "; ") and its index returned.
 * Opposite polarities between the same variables stay two links, since the
 * loops through each differ in type. */
int cld_link_add(cld_graph *g, int from, int to, int sign, bool delay, const char *note, const char *origin, int line,
                 int col);

void cld_note_add(cld_graph *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The polarity as "+", "-" or "±". */
const char *cld_sign_str(int sign);

#endif
