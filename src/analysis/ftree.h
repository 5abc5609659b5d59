/* ftree.h -- a static fault tree: basic events, gates, common-cause groups.
 *
 * The structure `eddy avail` derives from a model and then analyses
 * exactly (ftree_exact.h), by Monte Carlo (ftree_mc.h), and writes in the
 * Open-PSA Model Exchange Format (output/mef.h).  It knows nothing of YAML
 * or services: a basic event is something that is down with probability q
 * at a random instant, a gate is AND, OR or k-out-of-n ("at least k of its
 * inputs are down") over events and other gates, and a top event is a gate
 * whose failure the analysis is about.
 *
 * Failure processes.  An event with a failure process alternates up
 * periods of mean `mtbf` and repairs drawn from `mttr`; at a random instant
 * it is down with probability q = E[mttr] / (mtbf + E[mttr]), whatever the
 * repair distribution (the renewal-reward theorem).  The shape of the
 * repair distribution matters only through a grace period: a consumer that
 * keeps working on cached data for g fails only once an outage has lasted
 * longer than g.  That is a "beyond" event: given its parent is down, the
 * outage's age exceeds g, with probability E[(R-g)+] / E[R] (the
 * equilibrium age distribution).  AND(parent, beyond) is then "down for
 * longer than g", which is exact for the joint state at a random instant.
 *
 * Common-cause failure groups use the beta-factor model as the Open-PSA
 * MEF (section 7) and SCRAM define it: each member, of total probability Q,
 * fails on its own with (1 - beta) Q, and all members fail together with
 * beta Q.  The analysis expands every member into OR(member, group).
 *
 * Names are identifiers valid in the MEF (letters, digits and '_', not
 * starting with a digit), unique in the tree across events, gates and
 * groups: the name a builder gives is its key for ft_find_*, and the MEF
 * name is made from it, with "_2", "_3"... when two keys would otherwise
 * give one name ("a-b" and "a_b").  `what` says the same thing in words
 * for people. */
#ifndef EDDY_FTREE_H
#define EDDY_FTREE_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/repair.h"
#include "../core/rng.h"
#include "../loops/hidx.h"

typedef enum ft_event_kind {
    FT_EVENT_FIXED,   /* a probability, nothing more */
    FT_EVENT_PROCESS, /* a failure process: mtbf and a repair distribution */
    FT_EVENT_BEYOND,  /* parent's outage has lasted longer than `grace` */
} ft_event_kind;

typedef struct ft_event {
    char *name, *what;
    char *key; /* the name as given, for ft_find_event */
    ft_event_kind kind;
    double q;       /* P(down) at a random instant; BEYOND: P(beyond | parent down) */
    double mtbf;    /* PROCESS, seconds */
    repair mttr; /* PROCESS */
    int parent;     /* BEYOND: the event whose outage it times */
    double grace;   /* BEYOND, seconds */
    int ccf;        /* its common-cause group, or -1 */
} ft_event;

typedef enum ft_gate_kind { FT_AND, FT_OR, FT_ATLEAST } ft_gate_kind;

/* A gate's input: an event index (>= 0) or a gate, FT_GATE(index) (< 0). */
#define FT_GATE(i) (-(int)(i)-1)
#define FT_IS_GATE(ref) ((ref) < 0)
#define FT_GATE_INDEX(ref) (-(ref)-1)

typedef struct ft_gate {
    char *name, *what;
    char *key; /* the name as given, for ft_find_gate */
    ft_gate_kind kind;
    int k; /* FT_ATLEAST: at least k inputs down */
    int *args;
    size_t nargs, cap;
} ft_gate;

typedef struct ft_ccf {
    char *name, *what;
    double beta;
    int *members; /* event indexes */
    size_t nmembers;
} ft_ccf;

typedef struct fault_tree {
    ft_event *events;
    size_t nevents, cap_events;
    ft_gate *gates;
    size_t ngates, cap_gates;
    ft_ccf *ccfs;
    size_t nccfs;
    int *tops; /* gate indexes */
    size_t ntops;
    hidx names; /* every MEF name given: events, gates and groups share one namespace */
} fault_tree;

fault_tree *ft_new(void);
void ft_free(fault_tree *t);

/* Each returns the new element's index.  Names are copied. */
int ft_add_fixed(fault_tree *t, const char *name, const char *what, double q);
int ft_add_process(fault_tree *t, const char *name, const char *what, double mtbf, repair mttr);
/* The event "parent has been down for longer than grace seconds"'s second
 * half (see above); the parent must have a failure process and must not be
 * in a common-cause group.  Returns -1 otherwise. */
int ft_add_beyond(fault_tree *t, int parent, double grace);
int ft_add_gate(fault_tree *t, const char *name, const char *what, ft_gate_kind kind, int k);
void ft_gate_add(fault_tree *t, int gate, int ref);
void ft_add_top(fault_tree *t, int gate);
/* A beta-factor group over events that all have the same q (as the MEF
 * gives a group one distribution).  Returns -1, with a reason in why, if a
 * member's q differs or it is already in a group. */
int ft_add_ccf(fault_tree *t, const char *name, const char *what, double beta, const int *members, size_t n,
               char *why, size_t whylen);

int ft_find_event(const fault_tree *t, const char *name);
int ft_find_gate(const fault_tree *t, const char *name);

/* Analysis variables: the independent basic events the analyses work on.
 * Variables 0..nevents-1 are the events (a CCF member's own, independent
 * part), nevents..nevents+nccfs-1 the groups' common failures. */
static inline size_t ft_nvars(const fault_tree *t) { return t->nevents + t->nccfs; }
const char *ft_var_name(const fault_tree *t, size_t v);
const char *ft_var_what(const fault_tree *t, size_t v);
/* P(variable true) for every variable, into p[0..ft_nvars-1]. */
void ft_var_probs(const fault_tree *t, double *p);

/* Gates in an order where every gate comes after its inputs; returns the
 * count (every gate reachable from a top).  order has ngates slots. */
size_t ft_topo_order(const fault_tree *t, int *order);

/* s as a valid MEF identifier (free it): anything but letters, digits and
 * '_' becomes '_', and a '_' goes before a leading digit or an empty s. */
char *ft_mef_id(const char *s);

#endif
