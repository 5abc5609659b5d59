/* batch.c -- a tiny thread pool for independent simulation runs.
 *
 * Jobs are handed out by an atomic counter rather than split into fixed
 * chunks, because run times differ wildly (a collapsed variant simulates
 * far more attempts than a healthy one). */
#include "batch.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "../core/rng.h"

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
