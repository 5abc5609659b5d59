/* hist.h -- a log-bucketed latency histogram.
 *
 * Values (nanoseconds) below 128 are counted exactly; above, each power of
 * two is split into 128 equal buckets, so a bucket is at most 1/128 of its
 * lower bound wide.  A quantile is reported as its bucket's midpoint, so it
 * is within 1/256 (0.39%) of a value that was recorded: HdrHistogram's
 * layout with 2 significant digits plus a bit.  The mean is kept exactly. */
#ifndef EDDY_HIST_H
#define EDDY_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS 7
#define HIST_SUB (1 << HIST_SUB_BITS)
#define HIST_BUCKETS ((64 - HIST_SUB_BITS) * HIST_SUB)
#define HIST_REL_ERROR (1.0 / (2.0 * HIST_SUB))

typedef struct hist {
    uint64_t *counts; /* HIST_BUCKETS, allocated on first use */
    uint64_t n;
    double sum;
    int lo, hi; /* touched bucket range, so reset and scans stay cheap */
} hist;

void hist_init(hist *h);
void hist_free(hist *h);
void hist_reset(hist *h);
void hist_add(hist *h, int64_t v);
void hist_merge(hist *into, const hist *from);
/* q in [0,1]; 0 if empty. */
double hist_quantile(const hist *h, double q);
static inline double hist_mean(const hist *h) { return h->n ? h->sum / (double)h->n : 0; }

int hist_index(int64_t v);
int64_t hist_bucket_low(int i);
int64_t hist_bucket_width(int i);

#endif
