// reduce.c — AVX2+FMA reduction over the middle axis of x(outer, n, inner).
// Sums accumulate in double (like ref) so results agree closely; exp runs
// in float. inner == 1 reduces contiguous rows; inner > 1 vectorizes across
// inner (8 outputs at a time) and walks n with stride inner.
// Empty reductions: sum 0, mean NaN, max -inf, logsumexp -inf.
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)

#include <math.h>

#include "../internal.h"
#include "vmath.h"

static inline __m256d lo_pd(__m256 v) { return _mm256_cvtps_pd(_mm256_castps256_ps128(v)); }
static inline __m256d hi_pd(__m256 v) { return _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)); }

static inline double hsum_pd(__m256d v) {
  __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

// Max that remembers NaN separately (vmaxps alone would drop it).
typedef struct { __m256 m, nan; } vmax_acc;
static inline void vmax_add(vmax_acc *a, __m256 v) {
  a->m = _mm256_max_ps(v, a->m);
  a->nan = _mm256_or_ps(a->nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
}
static inline __m256 vmax_get(vmax_acc a) { return _mm256_blendv_ps(a.m, _mm256_set1_ps(NAN), a.nan); }

static float finish(lt_reduce_op op, double sum, float m, int64_t n) {
  switch (op) {
  case LT_RED_SUM: return (float)sum;
  case LT_RED_MEAN: return (float)(sum / (double)n);
  case LT_RED_MAX: return m;
  case LT_RED_LOGSUMEXP: return isfinite(m) ? (float)(m + log(sum)) : m;
  }
  return (float)sum;
}

// One contiguous row of n floats.
static float reduce_row(const float *p, int64_t n, lt_reduce_op op) { // (n)
  int64_t tail = n % 8, body = n - tail;
  __m256i tm = lt_tail_mask(tail);
  __m256 ninf = _mm256_set1_ps(-INFINITY);
  float m = -INFINITY;
  if (op == LT_RED_MAX || op == LT_RED_LOGSUMEXP) {
    vmax_acc a = {ninf, _mm256_setzero_ps()};
    for (int64_t k = 0; k < body; k += 8) vmax_add(&a, _mm256_loadu_ps(p + k));
    if (tail) vmax_add(&a, _mm256_blendv_ps(ninf, _mm256_maskload_ps(p + body, tm), _mm256_castsi256_ps(tm)));
    float l[8];
    _mm256_storeu_ps(l, vmax_get(a));
    for (int j = 0; j < 8; j++) if (l[j] > m || isnan(l[j])) m = isnan(m) ? m : l[j];
    if (op == LT_RED_MAX || !isfinite(m)) return m;
  }
  __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
  __m256 vm = _mm256_set1_ps(m);
  for (int64_t k = 0; k < body; k += 8) {
    __m256 v = _mm256_loadu_ps(p + k);
    if (op == LT_RED_LOGSUMEXP) v = lt_v_exp(_mm256_sub_ps(v, vm));
    s0 = _mm256_add_pd(s0, lo_pd(v));
    s1 = _mm256_add_pd(s1, hi_pd(v));
  }
  if (tail) {
    __m256 v = _mm256_maskload_ps(p + body, tm); // off lanes are 0
    // ...but exp(0 - m) is not, so mask the exponentials again.
    if (op == LT_RED_LOGSUMEXP)
      v = _mm256_and_ps(lt_v_exp(_mm256_sub_ps(v, vm)), _mm256_castsi256_ps(tm));
    s0 = _mm256_add_pd(s0, lo_pd(v));
    s1 = _mm256_add_pd(s1, hi_pd(v));
  }
  return finish(op, hsum_pd(_mm256_add_pd(s0, s1)), m, n);
}

// Eight (or `cnt` < 8, masked) adjacent columns of x(n, inner) at p.
static void reduce_cols(float *out, const float *p, int64_t n, int64_t inner,
                        int64_t cnt, lt_reduce_op op) {
  __m256i tm = lt_tail_mask(cnt);
  __m256 ninf = _mm256_set1_ps(-INFINITY);
  __m256 vm = _mm256_setzero_ps();
  float m[8];
  if (op == LT_RED_MAX || op == LT_RED_LOGSUMEXP) {
    vmax_acc a = {ninf, _mm256_setzero_ps()};
    for (int64_t k = 0; k < n; k++) vmax_add(&a, _mm256_maskload_ps(p + k * inner, tm));
    vm = vmax_get(a);
    _mm256_storeu_ps(m, vm);
    if (op == LT_RED_MAX) {
      _mm256_maskstore_ps(out, tm, vm);
      return;
    }
    // Non-finite maxima give their own answer; shift those lanes by 0.
    __m256 fin = _mm256_cmp_ps(lt_v_abs(vm), _mm256_set1_ps(INFINITY), _CMP_LT_OQ);
    vm = _mm256_and_ps(vm, fin);
  } else {
    for (int j = 0; j < 8; j++) m[j] = 0.0f;
  }
  __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
  for (int64_t k = 0; k < n; k++) {
    __m256 v = _mm256_maskload_ps(p + k * inner, tm);
    if (op == LT_RED_LOGSUMEXP) v = lt_v_exp(_mm256_sub_ps(v, vm));
    s0 = _mm256_add_pd(s0, lo_pd(v));
    s1 = _mm256_add_pd(s1, hi_pd(v));
  }
  double s[8];
  _mm256_storeu_pd(s, s0);
  _mm256_storeu_pd(s + 4, s1);
  for (int64_t j = 0; j < cnt; j++) out[j] = finish(op, s[j], m[j], n);
}

void lt_reduce_f32_avx2(float *out,     // (outer, inner)
                        const float *x, // (outer, n, inner)
                        int64_t outer, int64_t n, int64_t inner,
                        lt_reduce_op op) {
  for (int64_t o = 0; o < outer; o++) {
    const float *xo = x + o * n * inner;
    float *oo = out + o * inner;
    if (inner == 1) {
      oo[0] = reduce_row(xo, n, op);
      continue;
    }
    for (int64_t j = 0; j < inner; j += 8)
      reduce_cols(oo + j, xo + j, n, inner, inner - j < 8 ? inner - j : 8, op);
  }
}

#pragma clang attribute pop
#endif
