/* ftree_mc.h -- Monte Carlo estimate of a fault tree's top events.
 *
 * Each trial is the system's state at a random instant: every independent
 * basic event is down with its probability, and a "beyond" event (a grace
 * period: ftree.h) is decided by drawing the age of its parent's outage
 * from the repair distribution's equilibrium law (length-biased, then a
 * uniform fraction), not from the closed form the exact analysis uses.
 * So on exponential repairs the estimate must agree with the exact figure,
 * and on lognormal or Weibull repairs it checks the exact analysis's
 * partial expectations.
 *
 * Trials run 64 at a time, one bit each (bit-parallel logic over 64-bit
 * words), and a basic event's down trials are found by geometric skipping,
 * so a trial costs a few instructions per gate, not a random number per
 * event.  The 95% interval is Wilson's score interval, which stays honest
 * when the top event is rare. */
#ifndef EDDY_FTREE_MC_H
#define EDDY_FTREE_MC_H

#include <stdint.h>

#include "ftree.h"

typedef struct ft_mc_top {
    uint64_t hits;
    double p, lo, hi; /* estimate and 95% interval */
} ft_mc_top;

/* `trials` trials from the stream seeded by `seed`; out has t->ntops slots. */
void ft_mc_run(const fault_tree *t, uint64_t trials, uint64_t seed, ft_mc_top *out);

/* Histories: the other way to the same figure, for repairs that are not
 * exponential.  Each basic event alternates exponential up times and
 * repairs drawn from its `mttr` (an alternating renewal process), started
 * in its stationary state; a grace event turns true once its parent's
 * outage has lasted the grace, and false when the parent is repaired; the
 * tree is evaluated at every change, and a history's unavailability is the
 * fraction of its `horizon` each top spends down.  `reps` independent
 * histories (history i on stream (seed, i), spread over `threads`, the
 * figures the same for any thread count) give the mean and its 95%
 * interval (normal, from the spread between histories: reps should be 30
 * or more).  A common-cause member's own part and its group's share are
 * processes of their own, with up times that give them the probabilities
 * the exact analysis uses; an event given only a probability is repaired
 * in an exponential hour. */
typedef struct ft_mc_hist {
    double p, lo, hi; /* mean unavailability over the histories, 95% interval */
    double sd;        /* between histories */
} ft_mc_hist;

/* Returns the number of state changes simulated; out has t->ntops slots. */
uint64_t ft_mc_histories(const fault_tree *t, double horizon, size_t reps, uint64_t seed, int threads,
                         ft_mc_hist *out);

/* Wilson's 95% score interval for hits out of n. */
void ft_mc_wilson(uint64_t hits, uint64_t n, double *lo, double *hi);

#endif
