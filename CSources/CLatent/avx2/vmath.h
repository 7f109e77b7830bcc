// vmath.h — 8-wide float exp / log family shared by the AVX2 kernels.
// Include only inside `#if defined(__x86_64__)` and after the
// `#pragma clang attribute push(... target("avx2,fma") ...)` so these
// helpers get the same target. Polynomials are plain Taylor / atanh series
// (coefficients 1/k!, 2/(2k+1)) on a reduced range; relative error is a few
// 1e-8 before the final roundings, i.e. within ~2 ulp of libm.
//
// NaN discipline: _mm256_min_ps(a, b) / _mm256_max_ps(a, b) return b when
// either is NaN, so constants go first to let a NaN in x through.
#ifndef LATENT_AVX2_VMATH_H
#define LATENT_AVX2_VMATH_H

#include <immintrin.h>
#include <math.h>

#define LT_V(c) _mm256_set1_ps(c)

// Lanes [0, rem) set, for masked loads/stores of a tail of rem < 8 floats.
static inline __m256i lt_tail_mask(int64_t rem) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)rem),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

static inline __m256 lt_v_abs(__m256 x) { return _mm256_andnot_ps(LT_V(-0.0f), x); }

static inline __m256 lt_v_exp(__m256 x) {
  // exp(x) = 2^n exp(r), n = round(x / ln2), |r| <= ln2 / 2. Clamping to
  // [-104, 89] keeps n in [-150, 129]: below gives 0, above gives inf.
  x = _mm256_min_ps(LT_V(89.0f), _mm256_max_ps(LT_V(-104.0f), x));
  __m256 n = _mm256_round_ps(_mm256_mul_ps(x, LT_V(1.44269504088896341f)),
                             _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  // Cody-Waite: ln2 = hi + lo with hi short enough that n * hi is exact.
  __m256 r = _mm256_fnmadd_ps(n, LT_V(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, LT_V(-2.12194440e-4f), r);
  __m256 p = LT_V(1.0f / 5040.0f);
  p = _mm256_fmadd_ps(p, r, LT_V(1.0f / 720.0f));
  p = _mm256_fmadd_ps(p, r, LT_V(1.0f / 120.0f));
  p = _mm256_fmadd_ps(p, r, LT_V(1.0f / 24.0f));
  p = _mm256_fmadd_ps(p, r, LT_V(1.0f / 6.0f));
  p = _mm256_fmadd_ps(p, r, LT_V(0.5f));
  p = _mm256_fmadd_ps(p, r, LT_V(1.0f));
  p = _mm256_fmadd_ps(p, r, LT_V(1.0f));
  // 2^n as two factors 2^(n/2) so both stay normal: gives denormal results
  // and exp(88.7) without overflow in the scale itself.
  __m256i ni = _mm256_cvtps_epi32(n);
  __m256i n1 = _mm256_srai_epi32(ni, 1), n2 = _mm256_sub_epi32(ni, n1);
  __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, _mm256_set1_epi32(127)), 23));
  __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, _mm256_set1_epi32(127)), 23));
  return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}

// exp(x) - 1 without cancellation near 0.
static inline __m256 lt_v_expm1(__m256 x) {
  // |x| < 0.5: series x + x^2/2! + ... + x^9/9! (truncation < 1e-9 relative).
  __m256 q = LT_V(1.0f / 362880.0f);
  q = _mm256_fmadd_ps(q, x, LT_V(1.0f / 40320.0f));
  q = _mm256_fmadd_ps(q, x, LT_V(1.0f / 5040.0f));
  q = _mm256_fmadd_ps(q, x, LT_V(1.0f / 720.0f));
  q = _mm256_fmadd_ps(q, x, LT_V(1.0f / 120.0f));
  q = _mm256_fmadd_ps(q, x, LT_V(1.0f / 24.0f));
  q = _mm256_fmadd_ps(q, x, LT_V(1.0f / 6.0f));
  q = _mm256_fmadd_ps(q, x, LT_V(0.5f));
  __m256 small = _mm256_fmadd_ps(q, _mm256_mul_ps(x, x), x);
  // Elsewhere |exp(x) - 1| >= 0.39, so the subtraction costs < 1 ulp.
  __m256 big = _mm256_sub_ps(lt_v_exp(x), LT_V(1.0f));
  __m256 is_small = _mm256_cmp_ps(lt_v_abs(x), LT_V(0.5f), _CMP_LT_OQ);
  return _mm256_blendv_ps(big, small, is_small);
}

static inline __m256 lt_v_log(__m256 x) {
  // Denormals: scale by 2^23 first so the exponent field is meaningful.
  __m256 den = _mm256_and_ps(_mm256_cmp_ps(x, LT_V(1.17549435e-38f), _CMP_LT_OQ),
                             _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ));
  __m256 xs = _mm256_blendv_ps(x, _mm256_mul_ps(x, LT_V(8388608.0f)), den);
  __m256 ebias = _mm256_blendv_ps(LT_V(-127.0f), LT_V(-150.0f), den);
  // x = 2^e m, m in [sqrt(2)/2, sqrt(2)).
  __m256i xi = _mm256_castps_si256(xs);
  __m256 e = _mm256_add_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(xi, 23)), ebias);
  __m256 m = _mm256_castsi256_ps(_mm256_or_si256(
      _mm256_and_si256(xi, _mm256_set1_epi32(0x007fffff)), _mm256_set1_epi32(0x3f800000)));
  __m256 big = _mm256_cmp_ps(m, LT_V(1.41421356f), _CMP_GT_OQ);
  m = _mm256_blendv_ps(m, _mm256_mul_ps(m, LT_V(0.5f)), big);
  e = _mm256_add_ps(e, _mm256_and_ps(big, LT_V(1.0f)));
  // log(1 + f) = 2 atanh(s), s = f / (2 + f), written as
  // f - (f^2/2 - s (f^2/2 + R)) with R = 2 (z/3 + z^2/5 + ...), z = s^2,
  // so the exact leading term f carries most of the value.
  __m256 f = _mm256_sub_ps(m, LT_V(1.0f));
  __m256 s = _mm256_div_ps(f, _mm256_add_ps(f, LT_V(2.0f)));
  __m256 z = _mm256_mul_ps(s, s);
  __m256 R = LT_V(2.0f / 11.0f);
  R = _mm256_fmadd_ps(R, z, LT_V(2.0f / 9.0f));
  R = _mm256_fmadd_ps(R, z, LT_V(2.0f / 7.0f));
  R = _mm256_fmadd_ps(R, z, LT_V(2.0f / 5.0f));
  R = _mm256_fmadd_ps(R, z, LT_V(2.0f / 3.0f));
  R = _mm256_mul_ps(R, z);
  __m256 hfsq = _mm256_mul_ps(LT_V(0.5f), _mm256_mul_ps(f, f));
  __m256 lg = _mm256_sub_ps(f, _mm256_fnmadd_ps(s, _mm256_add_ps(hfsq, R), hfsq));
  __m256 r = _mm256_fmadd_ps(e, LT_V(-2.12194440e-4f), lg);
  r = _mm256_fmadd_ps(e, LT_V(0.693359375f), r);
  // Specials: log(+-0) = -inf, log(<0) = NaN, log(inf) = inf, NaN stays.
  r = _mm256_blendv_ps(r, LT_V(-INFINITY), _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_EQ_OQ));
  r = _mm256_blendv_ps(r, LT_V(NAN), _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ));
  __m256 pass = _mm256_or_ps(_mm256_cmp_ps(x, LT_V(INFINITY), _CMP_EQ_OQ),
                             _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
  return _mm256_blendv_ps(r, x, pass);
}

// log(1 + x): log(u) * x / (u - 1) with u = 1 + x cancels the rounding of u.
static inline __m256 lt_v_log1p(__m256 x) {
  __m256 u = _mm256_add_ps(x, LT_V(1.0f));
  __m256 d = _mm256_sub_ps(u, LT_V(1.0f));
  __m256 r = _mm256_mul_ps(lt_v_log(u), _mm256_div_ps(x, d));
  __m256 keep_x = _mm256_or_ps(_mm256_cmp_ps(d, _mm256_setzero_ps(), _CMP_EQ_OQ),
                               _mm256_cmp_ps(x, LT_V(INFINITY), _CMP_EQ_OQ));
  return _mm256_blendv_ps(r, x, keep_x);
}

static inline __m256 lt_v_sigmoid(__m256 x) {
  // z = exp(-|x|) never overflows: 1/(1+z) for x >= 0, z/(1+z) for x < 0.
  __m256 z = lt_v_exp(_mm256_or_ps(x, LT_V(-0.0f)));
  __m256 num = _mm256_blendv_ps(LT_V(1.0f), z, _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ));
  return _mm256_div_ps(num, _mm256_add_ps(z, LT_V(1.0f)));
}

static inline __m256 lt_v_tanh(__m256 x) {
  // tanh|x| = e / (e + 2), e = expm1(2|x|); |x| >= 10 rounds to 1 anyway.
  __m256 sign = _mm256_and_ps(x, LT_V(-0.0f));
  __m256 ax = _mm256_min_ps(LT_V(10.0f), lt_v_abs(x));
  __m256 e = lt_v_expm1(_mm256_add_ps(ax, ax));
  return _mm256_or_ps(_mm256_div_ps(e, _mm256_add_ps(e, LT_V(2.0f))), sign);
}

static inline __m256 lt_v_softplus(__m256 x) {
  // max(x, 0) + log1p(exp(-|x|)): equals x beyond ~17 and exp(x) below
  // ~-17 to the last bit, matching the reference's thresholds.
  __m256 t = lt_v_exp(_mm256_or_ps(x, LT_V(-0.0f)));
  return _mm256_add_ps(_mm256_max_ps(_mm256_setzero_ps(), x), lt_v_log1p(t));
}

#endif
