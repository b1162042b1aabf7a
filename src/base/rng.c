/* rng.c — the counter-based generator (SplitMix64 finaliser) and a keyed permutation. */
#include "uclif/rng.h"

#include <math.h>

static uint64_t mix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t ucl_rng_bits(uint64_t seed, uint64_t a, uint64_t b) {
  return mix64(mix64(mix64(seed) ^ a) ^ (b * 0x632be59bd9b4e019ULL));
}

double ucl_rng_uniform(uint64_t seed, uint64_t a, uint64_t b) {
  return (double)(ucl_rng_bits(seed, a, b) >> 11) * 0x1.0p-53;
}

double ucl_rng_normal(uint64_t seed, uint64_t a, uint64_t b) {
  double u1 = ucl_rng_uniform(seed, a, b), u2 = ucl_rng_uniform(seed, a, b + 1);
  return sqrt(-2.0 * log(1.0 - u1)) * cos(6.283185307179586 * u2);
}

uint64_t ucl_rng_permute(uint64_t x, uint64_t n, uint64_t key) {
  if (n <= 1) {
    return 0;
  }
  int bits = 2;
  while (bits < 62 && (1ULL << bits) < n) {
    bits += 2;
  }
  int half = bits / 2;
  uint64_t mask = (1ULL << half) - 1;
  do {
    uint64_t l = x >> half, r = x & mask;
    for (uint64_t round = 0; round < 4; round++) {
      uint64_t nl = r;
      r = l ^ (mix64(key ^ (round << 56) ^ r) & mask);
      l = nl;
    }
    x = (l << half) | r;
  } while (x >= n);
  return x;
}
