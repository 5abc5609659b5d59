/* batch.h -- many simulation runs at once, on every core, deterministically.
 *
 * The counterfactual commands (diagnose, fix, sweep, basin) each run a model
 * many times: variants of it, on several seeds.  batch_for() hands job
 * indexes to worker threads; every job writes only its own slot of the
 * caller's results, so the output does not depend on how many threads ran
 * or in what order they finished. */
#ifndef EDDY_BATCH_H
#define EDDY_BATCH_H

#include <stddef.h>
#include <stdint.h>

/* Run fn(i, ud) for every i in [0, n) on `threads` threads (<= 0: one per
 * core).  progress (may be NULL) is called from the calling thread with the
 * fraction of jobs done.  Returns 0, or -1 if a thread could not start (the
 * jobs then run on the calling thread). */
int batch_for(size_t n, int threads, void (*fn)(size_t i, void *ud), void *ud,
              void (*progress)(double fraction, void *pud), void *pud);

/* Cores online, at least 1: the default of `-j`. */
int batch_cores(void);

/* The seed of replication `rep` of a model whose seed is `base`.
 * Replication 0 uses the model's own seed, so it reproduces `eddy run`;
 * the others are independent streams derived with SplitMix64. */
uint64_t batch_seed(uint64_t base, unsigned rep);

#endif
