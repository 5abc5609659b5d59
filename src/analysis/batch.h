/* batch.h -- many simulation runs at once, on every core, deterministically.
 *
 * The counterfactual commands (diagnose, fix, sweep, basin) each run a model
 * many times: variants of it, on several seeds.  batch_for() hands job
 * indexes to worker threads; every job writes only its own slot of the
 * caller's results, so the output does not depend on how many threads ran
 * or in what order they finished.
 *
 * Across processes (eddy-mpi): every process runs the same command on the
 * same input, so each reaches the same batches with the same jobs.  With a
 * network set (batch_set_net), batch_run runs only this process's share of
 * a batch's jobs, then every process sends the others its jobs' results as
 * bytes (batch_io), so that all of them hold every slot, bit for bit as if
 * they had run every job, and go on to the same next step. */
#ifndef EDDY_BATCH_H
#define EDDY_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/* Run fn(i, ud) for every i in [0, n) on `threads` threads (<= 0: one per
 * core).  progress (may be NULL) is called from the calling thread with the
 * fraction of jobs done.  Returns 0, or -1 if a thread could not start (the
 * jobs then run on the calling thread). */
int batch_for(size_t n, int threads, void (*fn)(size_t i, void *ud), void *ud,
              void (*progress)(double fraction, void *pud), void *pud);

/* How a batch's job results travel between processes: pack appends job
 * i's slot to a buffer, unpack fills job i's slot from the bytes another
 * process packed (0, or -1 if they do not fit). */
typedef struct batch_io {
    void (*pack)(size_t i, void *ud, wire_buf *out);
    int (*unpack)(size_t i, void *ud, wire_rd *in);
} batch_io;

/* batch_for, spread over the processes of the network if one is set and
 * io is given; otherwise the same as batch_for. */
int batch_run(size_t n, int threads, void (*fn)(size_t i, void *ud), void *ud, const batch_io *io,
              void (*progress)(double fraction, void *pud), void *pud);

/* The processes of a run (eddy-mpi sets it from MPI; eddy never does).
 * allgather: every process passes its bytes; on return *all holds every
 * process's bytes, process 0's first, and lens[k] the length of process
 * k's.  It returns 0, or -1 on every process if it cannot.
 * stop: ends every process of the run with exit status `status` (after a
 * message, when the processes no longer agree); never returns. */
typedef struct batch_net {
    int rank, size;
    int (*allgather)(const void *mine, size_t len, unsigned char **all, size_t *lens, void *ctx);
    void (*stop)(int status, void *ctx);
    void *ctx;
} batch_net;
void batch_set_net(const batch_net *net);

/* Cores online, at least 1: the default of `-j`. */
int batch_cores(void);

/* The seed of replication `rep` of a model whose seed is `base`.
 * Replication 0 uses the model's own seed, so it reproduces `eddy run`;
 * the others are independent streams derived with SplitMix64. */
uint64_t batch_seed(uint64_t base, unsigned rep);

#endif
