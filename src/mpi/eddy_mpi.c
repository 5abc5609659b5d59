/* eddy_mpi.c -- `mpirun -np N eddy-mpi diagnose|fix|sweep|basin ...`.
 *
 * Built only with `make MPI=1`; the plain build never includes MPI.  Every
 * rank runs the same command on the same input (SPMD), so each reaches the
 * same batches of independent runs; batch_run (analysis/batch.h) runs each
 * rank's share of a batch and exchanges the results with MPI_Allgatherv, so
 * every rank holds them all and takes the same next step.  Rank 0 alone
 * prints and writes files; the output is byte-identical to `eddy ... -j 1`.
 * Each rank may still use threads (-j) for its share. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "../analysis/batch.h"
#include "../cli/cli.h"
#include "../core/xalloc.h"

/* The commands whose runs are spread over the ranks.  Others (run, report,
 * loops, review) would run whole on every rank, so eddy-mpi refuses them. */
static const char *const spread[] = {"diagnose", "fix", "sweep", "basin"};

static int mpi_allgather(const void *mine, size_t len, unsigned char **all, size_t *lens, void *ctx)
{
    (void)ctx;
    int size;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    /* Counts are ints in MPI: every rank learns every length first (-1 for
     * one too long), so all give up together rather than some waiting. */
    long long my = len > (size_t)INT_MAX ? -1 : (long long)len;
    long long *n = xmalloc((size_t)size * sizeof *n);
    int *counts = xmalloc((size_t)size * sizeof *counts), *displs = xmalloc((size_t)size * sizeof *displs);
    MPI_Allgather(&my, 1, MPI_LONG_LONG, n, 1, MPI_LONG_LONG, MPI_COMM_WORLD);
    long long total = 0;
    int bad = 0;
    for (int k = 0; k < size; k++) {
        if (n[k] < 0)
            bad = 1;
        displs[k] = (int)total;
        counts[k] = (int)(n[k] < 0 ? 0 : n[k]);
        total += counts[k];
        if (total > INT_MAX)
            bad = 1;
    }
    if (!bad) {
        *all = xmalloc(total ? (size_t)total : 1);
        MPI_Allgatherv(mine, (int)len, MPI_BYTE, *all, counts, displs, MPI_BYTE, MPI_COMM_WORLD);
        for (int k = 0; k < size; k++)
            lens[k] = (size_t)counts[k];
    }
    free(n);
    free(counts);
    free(displs);
    return bad ? -1 : 0;
}

/* The ranks no longer agree (batch.c has said why): one rank alone cannot
 * end the run, MPI_Abort ends every rank, with the status the CLI gives an
 * error. */
static void mpi_stop(int status, void *ctx)
{
    (void)ctx;
    MPI_Abort(MPI_COMM_WORLD, status);
    exit(status); /* MPI_Abort does not return; if it did, stop this rank */
}

int main(int argc, char **argv)
{
    int provided, rank = 0, size = 1;
    xalloc_libraries(); /* jansson and libxml2 run out of memory as eddy does */
    /* Only the main thread calls MPI (after the batch's threads join). */
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    int rc;
    const char *cmd = argc > 1 ? argv[1] : "";
    int ok = cmd[0] == '-'; /* --help, --version: answered by cli_main */
    for (size_t i = 0; i < sizeof spread / sizeof *spread; i++)
        ok |= !strcmp(cmd, spread[i]);
    if (!ok) {
        if (rank == 0)
            fprintf(stderr,
                    "usage: mpirun -np N eddy-mpi diagnose|fix|sweep|basin [options] FILE\n"
                    "eddy-mpi spreads the runs of diagnose, fix, sweep and basin over MPI ranks;\n"
                    "%s%s%s runs on one machine: use eddy.\n",
                    *cmd ? "`eddy " : "every other command", cmd, *cmd ? "`" : "");
        rc = 2;
    } else {
        if (rank != 0) {
            /* Rank 0 prints and writes; the others compute the same things
             * silently. */
            cli_worker = 1;
            if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)) {
                fprintf(stderr, "eddy-mpi: rank %d: cannot open /dev/null for its silent output\n", rank);
                MPI_Abort(MPI_COMM_WORLD, 2);
            }
        }
        batch_net net = {.rank = rank, .size = size, .allgather = mpi_allgather, .stop = mpi_stop};
        batch_set_net(&net);
        rc = cli_main(argc, argv);
        fflush(stdout);
    }
    MPI_Finalize();
    return rc;
}
