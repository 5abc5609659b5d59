/* bdd.h -- a small reduced ordered binary decision diagram.
 *
 * A Boolean function of variables 0..nvars-1 is a node; a node tests one
 * variable and has a low child (variable false) and a high child (true).
 * Variable i is tested before variable j when i < j: the caller chooses
 * the order by numbering its variables (avail_bdd.c numbers them with a
 * depth-first heuristic).  Nodes are shared through a unique table, so
 * equal functions are the same node, and every operation goes through
 * if-then-else with a cache of computed results (Bryant 1986; Brace,
 * Rudell and Bryant 1990).
 *
 * References are indexes into the node array; BDD_FALSE and BDD_TRUE are
 * the two terminals.  A node's children always have smaller indexes than
 * the node itself, so walking indexes downwards visits parents before
 * children, and upwards children before parents.  Nodes are never freed
 * one by one: a bdd is built for one analysis and dropped whole. */
#ifndef EDDY_BDD_H
#define EDDY_BDD_H

#include <stddef.h>
#include <stdint.h>

typedef uint32_t bdd_ref;

#define BDD_FALSE ((bdd_ref)0)
#define BDD_TRUE ((bdd_ref)1)
#define BDD_TERMINAL_VAR UINT32_MAX

typedef struct bdd_node {
    uint32_t var; /* BDD_TERMINAL_VAR for the terminals */
    bdd_ref lo, hi;
} bdd_node;

typedef struct bdd bdd;

bdd *bdd_new(uint32_t nvars);
void bdd_free(bdd *b);

/* The function "variable v is true". */
bdd_ref bdd_var(bdd *b, uint32_t v);
/* if f then g else h, and the two operations built on it. */
bdd_ref bdd_ite(bdd *b, bdd_ref f, bdd_ref g, bdd_ref h);
bdd_ref bdd_and(bdd *b, bdd_ref f, bdd_ref g);
bdd_ref bdd_or(bdd *b, bdd_ref f, bdd_ref g);
/* At least k of the n functions fs are true (a k-out-of-n vote). */
bdd_ref bdd_atleast(bdd *b, int k, const bdd_ref *fs, size_t n);

const bdd_node *bdd_nodes(const bdd *b);
size_t bdd_size(const bdd *b); /* nodes allocated, terminals included */
uint32_t bdd_nvars(const bdd *b);

/* The probability that f is true when variable v is true with probability
 * p[v], independently of the others.  Exact (Shannon expansion over the
 * diagram), linear in the diagram's size. */
double bdd_prob(const bdd *b, bdd_ref f, const double *p);

/* The Birnbaum importance of every variable for f: dP(f)/dp[v], written to
 * birnbaum[0..nvars-1].  One pass down the diagram (probability of reaching
 * each node) and one up (probability of each node's function).  Returns
 * P(f). */
double bdd_birnbaum(const bdd *b, bdd_ref f, const double *p, double *birnbaum);

#endif
