/* zipf.h -- sampling ranks from a Zipf law, for cache key popularity.
 *
 * P(k) = k^-s / H(N, s) for ranks k = 1..N, s >= 0 (s = 0 is uniform). */
#ifndef EDDY_ZIPF_H
#define EDDY_ZIPF_H

#include <stdint.h>

#include "rng.h"

typedef struct zipf {
    double s;                 /* exponent */
    int64_t n;                /* ranks 1..n */
    double h_x1, h_n, thresh; /* H(1.5) - 1, H(n + 0.5), and the squeeze bound */
} zipf;

void zipf_init(zipf *z, int64_t n, double s);
/* A rank in 1..n. */
int64_t zipf_sample(const zipf *z, rng *g);
/* The exact probability of rank k, summing the normaliser (O(n)): for tests. */
double zipf_pmf(int64_t n, double s, int64_t k);

#endif
