/* xmile.h -- read an XMILE 1.0 or Stella .stmx file into plain records.
 *
 * The reader keeps what the file says and where it says it (line and
 * column of each equation), nothing more: names are resolved, equations
 * parsed and arrays expanded later by the compiler (compile.h).  Views,
 * styles and vendor preferences are skipped.  Modules are flattened here:
 * each instance's variables join the list named "module.variable", with
 * the instance as their scope, and a connected input's equation becomes
 * the name it is connected from (in the scope around the module). */
#ifndef EDDY_SD_XMILE_H
#define EDDY_SD_XMILE_H

#include <stdbool.h>
#include <stddef.h>

#include "eddy.h"

enum { XM_STOCK, XM_FLOW, XM_AUX, XM_GF };
enum { XM_EULER, XM_RK2, XM_RK4 };
enum { GF_CONTINUOUS, GF_EXTRAPOLATE, GF_DISCRETE };

typedef struct xm_gf {
    int type;
    size_t n;
    double *x, *y; /* x from xpts, or spread evenly over xscale */
    int line;
} xm_gf;

/* An equation and where its text starts in the file. */
typedef struct xm_eqn {
    char *text;
    int line, col;
} xm_eqn;

/* One element's own equation in a non-apply-to-all array. */
typedef struct xm_elem {
    char *subscript; /* "Entry 1" or "A, D" as written */
    xm_eqn eqn;
    xm_eqn init_eqn; /* its own <init_eqn>, text NULL if absent */
    xm_gf *gf;
} xm_elem;

typedef struct xm_var {
    int kind;
    char *name;
    int line, col;
    xm_eqn eqn;          /* text NULL if absent */
    xm_eqn init_eqn;     /* <init_eqn>: a flow's or aux's value at the start; text NULL if absent */
    xm_eqn *more;        /* further <eqn>s: Vensim's exports give an array one
                            per element, in order, after the first */
    size_t nmore;
    char **inflows, **outflows;
    size_t nin, nout;
    bool non_negative;
    char *units;         /* NULL if absent */
    xm_gf *gf;           /* inline graphical function (or the gf itself) */
    char **dims;         /* dimension names, empty for a scalar */
    size_t ndims;
    xm_elem *elems;
    size_t nelems;
    char *scope;         /* module instance it belongs to, "hares." or
                            "a.b." (its name starts so); NULL in the root
                            model.  Its equation's names are looked up
                            there first, then outward to the root. */
} xm_var;

/* A dimension: named elements, or numbered 1..size.  maps_to (xmutil's
 * <isee:maps_to>, Vensim's `DimB: B1, B2 -> DimA`) names a dimension
 * whose elements this one's correspond to by position; NULL if none. */
typedef struct xm_dim {
    char *name;
    char **elems;
    size_t n;
    bool numbered;
    char *maps_to;
    int line;
} xm_dim;

/* A macro (XMILE 1.0 section 3.6): parameters, the equation of its value,
 * and the variables of its own that the equation may use (stocks, flows,
 * auxiliaries; none for a macro of the expression form).  defaults[i] is
 * NULL when parameter i has none. */
typedef struct xm_macro {
    char *name;
    char **parms, **defaults;
    size_t nparms;
    xm_eqn eqn;
    int line;
    struct xm_var *vars;
    size_t nvars;
} xm_macro;

typedef struct xm_doc {
    char *file;
    double start, stop, dt, save_step; /* save_step 0: every dt */
    int method;
    char *time_units; /* may be NULL */
    int specs_line;
    xm_dim *dims;
    size_t ndims;
    xm_var *vars;
    size_t nvars;
    xm_macro *macros;
    size_t nmacros;
} xm_doc;

/* Read path; NULL with err filled if the file is unreadable, not well-formed
 * XML, or not XMILE in a way the engine can run. */
xm_doc *xm_read(const char *path, eddy_error *err);
xm_doc *xm_read_memory(const char *text, size_t len, const char *name, eddy_error *err);
void xm_free(xm_doc *d);

#endif
