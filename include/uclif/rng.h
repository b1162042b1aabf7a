/* rng.h — the counter-based generator: every random number uclif draws is a pure function of
 * (seed, stream, index), so a sweep point, a network's wiring or a Monte Carlo draw is the same on
 * any rank count and after a resume. No state, no globals; thread-safe.
 * Mixing function: SplitMix64's finaliser (Steele, Lea & Flood, "Fast splittable pseudorandom
 * number generators", OOPSLA 2014). */
#ifndef UCL_RNG_H
#define UCL_RNG_H

#include <stdint.h>

/* A uniform double in [0, 1) (53 random bits) from (seed, a, b). */
double ucl_rng_uniform(uint64_t seed, uint64_t a, uint64_t b);

/* A standard normal number from the uniforms U(seed, a, b) and U(seed, a, b + 1) (Box–Muller;
 * Box & Muller, Ann. Math. Statist. 29, 1958): exact, finite (1 − u1 is in (0, 1]). */
double ucl_rng_normal(uint64_t seed, uint64_t a, uint64_t b);

/* The 64 random bits behind ucl_rng_uniform(seed, a, b): a key for a stream of its own (e.g. a
 * neuron's noise: key = ucl_rng_bits(seed, point, neuron), then ucl_rng_uniform(key, ...)). */
uint64_t ucl_rng_bits(uint64_t seed, uint64_t a, uint64_t b);

/* A keyed permutation of [0, n): x in [0, n) maps to a distinct value in [0, n) (four Feistel
 * rounds on the smallest even bit width covering n, with cycle walking). n <= 1 gives 0. */
uint64_t ucl_rng_permute(uint64_t x, uint64_t n, uint64_t key);

#endif
