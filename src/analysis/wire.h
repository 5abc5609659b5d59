/* wire.h -- the results of a batch job as bytes, to send to another process.
 *
 * eddy-mpi runs each job of a batch on one process and gives every process
 * every job's results (batch.h).  A job's results travel as the bytes that
 * wire_put_* append to a buffer, read back by the matching wire_get_* on
 * the other side.  Both ends run the same binary on the same architecture
 * (an MPI job does), so numbers go as their in-memory bytes: a double comes
 * back bit for bit, and the output cannot depend on which process ran a
 * job. */
#ifndef EDDY_WIRE_H
#define EDDY_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "../model/model.h"
#include "eddy.h"

typedef struct wire_buf {
    unsigned char *p;
    size_t n, cap;
} wire_buf;

typedef struct wire_rd {
    const unsigned char *p;
    size_t n, at;
} wire_rd;

void wire_put(wire_buf *b, const void *p, size_t n);
void wire_free(wire_buf *b);
/* Copy the next n bytes into p: 0, or -1 if fewer are left. */
int wire_get(wire_rd *r, void *p, size_t n);

/* A run's outcome: its status, then its error or its result.  Names of
 * clients, services and caches point into `m` on the reading side, as in a
 * result eddy_run made from m; free the result with eddy_result_free. */
void wire_put_run(wire_buf *b, int rc, const eddy_error *err, const eddy_result *res);
int wire_get_run(wire_rd *r, const model *m, int *rc, eddy_error *err, eddy_result *res);

#endif
