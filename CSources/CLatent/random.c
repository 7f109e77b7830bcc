// random.c — Philox4x32-10 counter-based generator (Salmon et al., SC 2011).
// Key = seed (lo, hi); counter = (block lo, block hi, stream lo, stream hi).
// Element e = offset + i is lane e % 4 of block e / 4, so any split of the
// work yields the same numbers.
#include <math.h>

#include "internal.h"

typedef struct { uint32_t v[4]; } philox_block;

static philox_block philox4x32_10(uint64_t seed, uint64_t stream, uint64_t block) {
  uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
  uint32_t c0 = (uint32_t)block, c1 = (uint32_t)(block >> 32);
  uint32_t c2 = (uint32_t)stream, c3 = (uint32_t)(stream >> 32);
  for (int r = 0; r < 10; r++) {
    uint64_t p0 = (uint64_t)0xD2511F53u * c0, p1 = (uint64_t)0xCD9E8D57u * c2;
    uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
    uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 += 0x9E3779B9u; // Weyl key schedule
    k1 += 0xBB67AE85u;
  }
  return (philox_block){{c0, c1, c2, c3}};
}

static float uniform_lane(philox_block b, unsigned lane) {
  // Top 24 bits: exactly representable, so the result is < 1.
  return (float)(b.v[lane] >> 8) * 0x1p-24f;
}

static float normal_lane(philox_block b, unsigned lane) {
  // Box-Muller on lanes (0, 1) and (2, 3); u1 in (0, 1] so log(u1) is finite.
  const double two_pi = 6.283185307179586476925286766559;
  double u1 = ((double)(b.v[lane & 2u] >> 8) + 1.0) * 0x1p-24;
  double u2 = (double)(b.v[lane | 1u] >> 8) * 0x1p-24;
  double r = sqrt(-2.0 * log(u1)), t = two_pi * u2;
  return (float)((lane & 1u) ? r * sin(t) : r * cos(t));
}

// The three generators share one walk: one Philox call per block of 4,
// starting mid-block when offset is not a multiple of 4.
#define PHILOX_WALK(EXPR)                                                      \
  for (int64_t i = 0; i < n;) {                                                \
    uint64_t e = offset + (uint64_t)i;                                         \
    philox_block b = philox4x32_10(seed, stream, e >> 2);                      \
    for (unsigned lane = (unsigned)(e & 3u); lane < 4 && i < n; lane++, i++)   \
      out[i] = (EXPR);                                                         \
  }

void lt_random_bits_u32(uint32_t *out, int64_t n, uint64_t seed,
                        uint64_t stream, uint64_t offset) {
  PHILOX_WALK(b.v[lane])
}

void lt_random_uniform_f32(float *out, int64_t n, uint64_t seed,
                           uint64_t stream, uint64_t offset) {
  PHILOX_WALK(uniform_lane(b, lane))
}

void lt_random_normal_f32(float *out, int64_t n, uint64_t seed,
                          uint64_t stream, uint64_t offset) {
  PHILOX_WALK(normal_lane(b, lane))
}

// Raw block for the known-answer test (declared in internal.h).
void lt_philox4x32_10_block(uint32_t *out,       // (4)
                            uint32_t k0, uint32_t k1,
                            const uint32_t *ctr) { // (4)
  philox_block b = philox4x32_10(((uint64_t)k1 << 32) | k0,
                                 ((uint64_t)ctr[3] << 32) | ctr[2],
                                 ((uint64_t)ctr[1] << 32) | ctr[0]);
  for (int i = 0; i < 4; i++) out[i] = b.v[i];
}
