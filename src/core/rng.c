/* rng.c -- xoshiro256** streams seeded by splitmix64.
 *
 * Written by hand rather than taken from a library: the output of a run must
 * be byte-identical across machines and library versions, so the generator
 * and its seeding are pinned here.  xoshiro256** (Blackman and Vigna, 2018)
 * is small, fast, passes BigCrush, and has a 2^256-1 period, so streams
 * seeded from distinct splitmix64 outputs overlap with negligible
 * probability.  The code follows the authors' public-domain reference. */
#include "rng.h"

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t rng_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* FNV-1a: a stable hash of a stream's name. */
uint64_t rng_hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; s && *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

void rng_seed(rng *r, uint64_t seed)
{
    uint64_t sm = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = rng_splitmix64(&sm);
}

void rng_stream(rng *r, uint64_t seed, const char *name, uint32_t purpose)
{
    uint64_t sm = seed;
    uint64_t a = rng_splitmix64(&sm);
    sm = a ^ rng_hash_str(name);
    uint64_t b = rng_splitmix64(&sm);
    sm = b ^ ((uint64_t)purpose * 0xd1342543de82ef95ULL);
    rng_seed(r, rng_splitmix64(&sm));
}

uint64_t rng_below(rng *r, uint64_t n)
{
    uint64_t x = rng_next(r);
    __uint128_t m = (__uint128_t)x * n;
    uint64_t l = (uint64_t)m;
    if (l < n) {
        uint64_t t = -n % n;
        while (l < t) {
            x = rng_next(r);
            m = (__uint128_t)x * n;
            l = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}
