/* A small deterministic PRNG for the fuzzers (splitmix64): the same seed
 * gives the same sequence on every host, so a failing seed reproduces. */
#ifndef EMU_TESTS_FUZZ_RNG_H
#define EMU_TESTS_FUZZ_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
    uint64_t s;
};

static inline uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n) (n > 0; the bias is irrelevant here). */
static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
    return rng_next(r) % n;
}

/* True with probability pct/100. */
static inline int rng_chance(struct rng *r, unsigned pct)
{
    return rng_below(r, 100) < pct;
}

/* bits with probability pct/100, else 0. (Draw into a variable before
 * combining: the operands of |, ^, >> and a function's arguments are
 * evaluated in an unspecified order, which would make a seed's sequence
 * depend on the compiler and its options.) */
static inline uint64_t rng_maybe(struct rng *r, unsigned pct, uint64_t bits)
{
    return rng_chance(r, pct) ? bits : 0;
}

#define RNG_PICK(r, array) ((array)[rng_below((r), sizeof(array) / sizeof((array)[0]))])

/* FNV-1a, to compare final states. */
static inline uint64_t fuzz_hash(uint64_t h, const void *data, size_t len)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001B3ULL;
    return h;
}

/* The same idea a word at a time (for all of RAM). */
static inline uint64_t fuzz_hash_words(uint64_t h, const uint64_t *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h = (h ^ w[i]) * 0x100000001B3ULL;
        h ^= h >> 29;
    }
    return h;
}

#define FUZZ_HASH_INIT 0xCBF29CE484222325ULL

#endif
