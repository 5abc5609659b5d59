/* batch.c -- a tiny thread pool for independent simulation runs.
 *
 * Jobs are handed out by an atomic counter rather than split into fixed
 * chunks, because run times differ wildly (a collapsed variant simulates
 * far more attempts than a healthy one). */
#include "batch.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

#include "../core/rng.h"
#include "../core/xalloc.h"

typedef struct batch {
    size_t n;
    void (*fn)(size_t, void *);
    void *ud;
    atomic_size_t next, done;
} batch;

static void *batch_worker(void *arg)
{
    batch *b = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&b->next, 1);
        if (i >= b->n)
            break;
        b->fn(i, b->ud);
        atomic_fetch_add(&b->done, 1);
    }
    return NULL;
}

int batch_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

uint64_t batch_seed(uint64_t base, unsigned rep)
{
    if (rep == 0)
        return base;
    uint64_t s = base ^ 0x6a09e667f3bcc909ULL;
    s += (uint64_t)rep * 0x9e3779b97f4a7c15ULL;
    return rng_splitmix64(&s);
}

int batch_for(size_t n, int threads, void (*fn)(size_t i, void *ud), void *ud,
              void (*progress)(double fraction, void *pud), void *pud)
{
    batch b = {.n = n, .fn = fn, .ud = ud};
    atomic_init(&b.next, 0);
    atomic_init(&b.done, 0);
    if (threads <= 0)
        threads = batch_cores();
    if ((size_t)threads > n)
        threads = (int)n;
    if (threads <= 1 && !progress) {
        batch_worker(&b);
        return 0;
    }
    /* The calling thread only watches, so a progress bar can be drawn from
     * it; with one job thread that costs nothing measurable. */
    pthread_t tid[256];
    if (threads > 256)
        threads = 256;
    int started = 0, rc = 0;
    for (; started < threads; started++)
        if (pthread_create(&tid[started], NULL, batch_worker, &b)) {
            rc = -1;
            break;
        }
    if (started == 0)
        batch_worker(&b);
    while (started > 0 && progress && atomic_load(&b.done) < n) {
        progress((double)atomic_load(&b.done) / (double)(n ? n : 1), pud);
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    for (int i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    if (progress)
        progress(1.0, pud);
    return rc;
}

/* ---- across processes ------------------------------------------------------ */

static batch_net net; /* size 0: none */

void batch_set_net(const batch_net *n)
{
    if (n)
        net = *n;
    else
        net.size = 0;
}

/* This process's share: jobs rank, rank + size, rank + 2 size, ...  Dealt
 * round-robin rather than in blocks, so that the variants of a batch (which
 * differ most in cost) are spread over the processes. */
typedef struct share {
    void (*fn)(size_t, void *);
    void *ud;
    size_t rank, size;
} share;

static void share_job(size_t k, void *ud)
{
    share *sh = ud;
    sh->fn(sh->rank + k * sh->size, sh->ud);
}

static size_t share_count(size_t n, size_t rank, size_t size) { return n > rank ? (n - rank - 1) / size + 1 : 0; }

/* The ranks no longer agree on what they exchange: an internal error, not
 * the user's, and no rank can go on alone, so all of them stop. */
static _Noreturn void lost(const char *what)
{
    fprintf(stderr, "eddy: rank %d: %s; are all ranks running the same eddy-mpi binary?\n", net.rank, what);
    fflush(stderr);
    if (net.stop)
        net.stop(2, net.ctx);
    abort();
}

int batch_run(size_t n, int threads, void (*fn)(size_t i, void *ud), void *ud, const batch_io *io,
              void (*progress)(double fraction, void *pud), void *pud)
{
    if (net.size <= 1 || !io)
        return batch_for(n, threads, fn, ud, progress, pud);
    size_t rank = (size_t)net.rank, size = (size_t)net.size;
    share sh = {fn, ud, rank, size};
    int rc = batch_for(share_count(n, rank, size), threads, share_job, &sh, progress, pud);

    /* Each job's bytes, preceded by their length. */
    wire_buf mine = {0};
    for (size_t i = rank; i < n; i += size) {
        uint64_t at = mine.n, len = 0;
        wire_put(&mine, &len, sizeof len);
        io->pack(i, ud, &mine);
        len = mine.n - at - sizeof len;
        memcpy(mine.p + at, &len, sizeof len);
    }
    unsigned char *all = NULL;
    size_t *lens = xcalloc(size, sizeof *lens);
    if (net.allgather(mine.p, mine.n, &all, lens, net.ctx) < 0)
        lost("could not exchange the results of a batch (more than 2 GB from one rank?)");
    size_t off = 0;
    for (size_t k = 0; k < size; k++) {
        wire_rd r = {all + off, lens[k], 0};
        off += lens[k];
        if (k == rank)
            continue;
        for (size_t i = k; i < n; i += size) {
            uint64_t len;
            if (wire_get(&r, &len, sizeof len) < 0 || len > r.n - r.at)
                lost("the results of a batch came back short");
            wire_rd one = {r.p + r.at, (size_t)len, 0};
            if (io->unpack(i, ud, &one) < 0 || one.at != one.n)
                lost("the results of a batch did not fit their slots");
            r.at += (size_t)len;
        }
        if (r.at != r.n)
            lost("a batch's results were longer than its jobs");
    }
    free(all);
    free(lens);
    wire_free(&mine);
    return rc;
}
