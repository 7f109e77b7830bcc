// adam.c — AVX2 Adam / AdamW step. Same operation order as ref/adam.c with
// no FMA contraction, so results match the reference bit for bit.
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)

#include <math.h>

#include "../internal.h"
#include "vmath.h"

static inline __m256 ld(const float *q, __m256i mask, int full) {
  return full ? _mm256_loadu_ps(q) : _mm256_maskload_ps(q, mask);
}
static inline void st(float *q, __m256i mask, int full, __m256 x) {
  if (full) _mm256_storeu_ps(q, x);
  else _mm256_maskstore_ps(q, mask, x);
}

// 8 parameters (or the masked tail when !full).
static inline void adam_v(float *p, const float *g, float *m, float *v, __m256i mask, int full,
                          __m256 decay, __m256 wd, __m256 b1, __m256 c1, __m256 b2,
                          __m256 c2, __m256 step, __m256 sbc2, __m256 eps, int decoupled) {
  __m256 pi = ld(p, mask, full), gi = ld(g, mask, full);
  if (decoupled) pi = _mm256_mul_ps(pi, decay);
  else gi = _mm256_add_ps(gi, _mm256_mul_ps(wd, pi));
  __m256 mi = _mm256_add_ps(_mm256_mul_ps(b1, ld(m, mask, full)), _mm256_mul_ps(c1, gi));
  __m256 vi = _mm256_add_ps(_mm256_mul_ps(b2, ld(v, mask, full)),
                            _mm256_mul_ps(_mm256_mul_ps(c2, gi), gi));
  __m256 den = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(vi), sbc2), eps);
  pi = _mm256_sub_ps(pi, _mm256_div_ps(_mm256_mul_ps(step, mi), den));
  st(m, mask, full, mi);
  st(v, mask, full, vi);
  st(p, mask, full, pi);
}

void lt_adam_step_f32_avx2(float *p, const float *g, float *m, float *v, // (n)
                           int64_t n, float lr, float beta1, float beta2,
                           float eps, float wd, float bc1, float bc2,
                           int decoupled_wd) {
  // Scalars computed exactly as ref does.
  float stepf = lr / bc1, sbc2f = sqrtf(bc2), decayf = 1.0f - lr * wd;
  __m256 decay = _mm256_set1_ps(decayf), vwd = _mm256_set1_ps(wd);
  __m256 b1 = _mm256_set1_ps(beta1), c1 = _mm256_set1_ps(1.0f - beta1);
  __m256 b2 = _mm256_set1_ps(beta2), c2 = _mm256_set1_ps(1.0f - beta2);
  __m256 step = _mm256_set1_ps(stepf), sbc2 = _mm256_set1_ps(sbc2f), veps = _mm256_set1_ps(eps);
  __m256i all = _mm256_set1_epi32(-1);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    adam_v(p + i, g + i, m + i, v + i, all, 1, decay, vwd, b1, c1, b2, c2, step, sbc2, veps, decoupled_wd);
  if (i < n)
    adam_v(p + i, g + i, m + i, v + i, lt_tail_mask(n - i), 0, decay, vwd, b1, c1, b2, c2, step, sbc2,
           veps, decoupled_wd);
}

#pragma clang attribute pop
#endif
