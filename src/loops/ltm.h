/* ltm.h -- Loops That Matter: which loop of a stock-and-flow model drives
 * its behaviour, and when (Schoenberg, Davidsen and Eberlein 2020,
 * "Understanding model behavior using the Loops that Matter method",
 * System Dynamics Review 36(2): 158-190; its flow-to-stock link score
 * corrected by Schoenberg, Hayward and Eberlein 2023, "Improving Loops
 * that Matter", System Dynamics Review 39(2): 140-151).
 *
 * Each time step, from t to t+dt, gives each link a link score, reported
 * at t -- as a flow's value at t is the one that moves the stocks to t+dt;
 * Stella and the paper's tables do the same (the stop time, with no step
 * after it, repeats the last step's scores):
 *
 *   x -> z, z an auxiliary or flow, z = f(x, y, ...):
 *       LS = |Δx(z) / Δz| · sign(Δx(z) / Δx),   0 if Δz = 0 or Δx = 0
 *     where Δz = z(t+dt) - z(t), Δx = x(t+dt) - x(t), and Δx(z), the
 *     partial change, is f evaluated with x at t+dt and every other input
 *     (time too) at t, minus z(t).  (2020, equation 1; unchanged in 2023.)
 *   flow i -> stock s, by the formulation chosen (ltm_formula):
 *     LTM_2020 (the 2020 paper's equation 2): the flow's share of the net
 *       flow, LS = |i / (inflows - outflows)| · (+1 inflow, -1 outflow),
 *       the flows at t, which move s from t to t+dt; 0 when the net flow
 *       is 0.
 *     LTM_2023 (the 2023 paper's equation 3): the flow's change over the
 *       change of the net flow (the stock's second difference),
 *       LS = |Δi / Δ(inflows - outflows)| · (+1 inflow, -1 outflow), both
 *       changes from t to t+dt like Δz above; 0 when the net flow does not
 *       change.  The 2023 paper writes the denominator ΔS_t - ΔS_{t-dt},
 *       in stock units per step; eddy divides by the change of the net
 *       flow itself, the same with dt = 1 and independent of dt otherwise
 *       (the continuous form, its equation 6, is |di/dt / d²S/dt²|).  Δi
 *       cancels against the link into i, so the score no longer depends on
 *       how a stock's flows are split: a stock fed by one net flow
 *       in - out scores every loop as one fed by in and out does.
 *
 * A loop's score is the product of its link scores (equation 3); its
 * relative score divides by the sum of the absolute scores of the loops
 * in its cycle partition -- loops connected through shared variables --
 * so it lies in [-1, 1] and its sign is the loop's polarity at that time
 * (equation 4; the 2023 paper keeps it).  A loop, or the smallest set of
 * loops, whose relative scores add up to at least half dominates (the
 * paper's definition).
 *
 * Arrows through hidden variables (a SMTH1's stock) score as the product
 * along their chain (a path score), the strongest chain when there are
 * several; a hidden stock's rate counts as its single flow (its link
 * score into the stock is 1 either way).  An input read through DELAY or
 * PREVIOUS is scored by the change of the delayed value, with the arrow's
 * polarity. */
#ifndef EDDY_LOOPS_LTM_H
#define EDDY_LOOPS_LTM_H

#include <stddef.h>

#include "../core/err.h"
#include "analyze.h"
#include "sd_graph.h"

/* The flow-to-stock link score: the 2020 paper's, or its 2023 correction
 * (the default of eddy, Stella Architect 2.1 and later, and simlin). */
typedef enum ltm_formula { LTM_2020, LTM_2023 } ltm_formula;
#define LTM_DEFAULT LTM_2023

/* "2020" or "2023": 0 and *f set, or -1. */
int ltm_formula_parse(const char *s, ltm_formula *f);
/* "2020" or "2023". */
const char *ltm_formula_name(ltm_formula f);
/* The paper that defines it, for people: "Schoenberg, Hayward and
 * Eberlein 2023". */
const char *ltm_formula_cite(ltm_formula f);

typedef struct ltm_result {
    ltm_formula formula;
    size_t nloops;     /* the analysis' loops, same order */
    size_t nrows;      /* save steps */
    double *t;         /* nrows: the save times */
    double *score;     /* nrows x nloops: loop scores */
    double *rel;       /* nrows x nloops: relative loop scores */
    size_t *partition; /* per loop: its cycle partition, 0.. */
    size_t npartitions;
} ltm_result;

/* Run s->m again and score the loops of a (an analysis of s->g). */
ltm_result *ltm_compute(sd_graph *s, const loop_analysis *a, ltm_formula f, eddy_error *err);
void ltm_free(ltm_result *r);

/* Run s->m again and hand fn each save step's link scores, one per link
 * of s->g (the stop time, with no step after it, is left out).  0, or -1
 * with err set if the run fails. */
typedef void (*ltm_link_fn)(void *ud, double t, const double *link_ls);
int ltm_link_scores(sd_graph *s, ltm_formula f, ltm_link_fn fn, void *ud, eddy_error *err);

/* The loops that matter without enumerating every loop: the strongest-path
 * search of Eberlein and Schoenberg ("Finding the loops that matter",
 * 2020) from each stock (and each delayed arrow's head), with every link
 * weighed by the magnitude of its link score, at up to 200 save steps
 * spread evenly over the run.  Each search keeps the first loops it closes
 * with a score above 0 -- the strongest at that time: first one per start
 * at every save step, then up to 8, the save steps taken in van der
 * Corput order (0, 1/2, 1/4, 3/4 of the run ...), so that a cap keeps the
 * strongest of every time and stock rather than all of the first.  The
 * loops found, at most max (0: no cap), make the analysis (complete false,
 * found_by_score true), for ltm_compute to score; relative scores are then
 * shares of the loops found.  It is a heuristic, as the paper says: a loop that is never
 * the strongest way back to any stock at a searched time is not found.
 * Memory: O(V + E) plus the loops found; time: O(rows x stocks x (V + E))
 * at the most.  NULL with err set if the run fails. */
loop_analysis *ltm_find(sd_graph *s, size_t max, ltm_formula f, eddy_error *err);

/* A stretch of the run over which the same loops dominate one partition. */
typedef struct ltm_phase {
    double from, to;  /* first and last save time of the stretch */
    size_t *loops;    /* the dominant set, strongest first; n 0: no loop scores */
    size_t n;
    double mean;      /* mean of the set's summed |relative score| */
} ltm_phase;

/* The phases of one partition, in time order; *out malloc'ed, free with
 * ltm_phases_free. */
size_t ltm_phases(const ltm_result *r, size_t partition, ltm_phase **out);
void ltm_phases_free(ltm_phase *p, size_t n);

#endif
