/* rng.h -- seeded pseudo-random streams.
 *
 * Every random choice in a run draws from a named stream, so the same model
 * and seed give byte-identical output, and a change to one part of a model
 * does not reshuffle the random numbers of the others (the counterfactual
 * analyses compare runs on "the same seeds" and rely on this). */
#ifndef EDDY_RNG_H
#define EDDY_RNG_H

#include <stdint.h>

typedef struct rng {
    uint64_t s[4];
} rng;

/* Seed a stream from the run seed and a stream name (an entity name) plus a
 * purpose number, e.g. rng_stream(&r, seed, "checkout", RNG_SERVICE_TIME). */
void rng_stream(rng *r, uint64_t seed, const char *name, uint32_t purpose);
void rng_seed(rng *r, uint64_t seed);

uint64_t rng_next(rng *r);

/* Uniform double in [0, 1), with 53 random bits. */
static inline double rng_unif(rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

/* Uniform double in (0, 1]: safe to take the log of. */
static inline double rng_unif_pos(rng *r) { return (double)((rng_next(r) >> 11) + 1) * 0x1.0p-53; }

/* Uniform integer in [0, n), n > 0, without modulo bias (Lemire's method). */
uint64_t rng_below(rng *r, uint64_t n);

uint64_t rng_splitmix64(uint64_t *state);
uint64_t rng_hash_str(const char *s);

#endif
