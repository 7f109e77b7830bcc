// covariance.c — AVX2+FMA biased covariance and its backward.
// Forward accumulates in double: each (row a, 8 columns b) tile of cov walks
// all N rows, centred on the float mean c and corrected exactly with the
// residual sums t = sum (x - c):  sum (x-m)(x-m) = S - t_a t_b / N.
// Backward (WRITES dX) accumulates in float:
//   dX[n, i] = (sum_j xc_j dcov[j, i] + sum_j dcov[i, j] xc_j) / N.
// N == 0 gives mean = 0 and cov = 0, like ref.
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)

#include "../internal.h"
#include "vmath.h"

static inline __m256d lo_pd(__m256 v) { return _mm256_cvtps_pd(_mm256_castps256_ps128(v)); }
static inline __m256d hi_pd(__m256 v) { return _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)); }

static inline __m256i mask_for(int64_t cnt) { return lt_tail_mask(cnt < 8 ? cnt : 8); }

void lt_cov_forward_f32_avx2(float *cov,     // (D, D)
                             float *mean,    // (D)
                             const float *X, // (N, D)
                             int64_t N, int64_t D) {
  if (N == 0) {
    for (int64_t i = 0; i < D; i++) mean[i] = 0.0f;
    for (int64_t i = 0; i < D * D; i++) cov[i] = 0.0f;
    return;
  }
  __m256d invn = _mm256_set1_pd(1.0 / (double)N);
  for (int64_t b = 0; b < D; b += 8) {
    __m256i m = mask_for(D - b);
    __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
    for (int64_t n = 0; n < N; n++) {
      __m256 v = _mm256_maskload_ps(X + n * D + b, m);
      s0 = _mm256_add_pd(s0, lo_pd(v));
      s1 = _mm256_add_pd(s1, hi_pd(v));
    }
    __m256 mv = _mm256_set_m128(_mm256_cvtpd_ps(_mm256_mul_pd(s1, invn)),
                                _mm256_cvtpd_ps(_mm256_mul_pd(s0, invn)));
    _mm256_maskstore_ps(mean + b, m, mv);
  }
  for (int64_t a = 0; a < D; a++) {
    __m256d ca = _mm256_set1_pd((double)mean[a]);
    for (int64_t b = a; b < D; b += 8) {
      __m256i m = mask_for(D - b);
      __m256 cb = _mm256_maskload_ps(mean + b, m);
      __m256d cb0 = lo_pd(cb), cb1 = hi_pd(cb);
      __m256d S0 = _mm256_setzero_pd(), S1 = _mm256_setzero_pd();
      __m256d T0 = _mm256_setzero_pd(), T1 = _mm256_setzero_pd(), Ta = _mm256_setzero_pd();
      for (int64_t n = 0; n < N; n++) {
        const float *row = X + n * D;
        __m256d xa = _mm256_sub_pd(_mm256_set1_pd((double)row[a]), ca);
        __m256 v = _mm256_maskload_ps(row + b, m);
        __m256d xb0 = _mm256_sub_pd(lo_pd(v), cb0), xb1 = _mm256_sub_pd(hi_pd(v), cb1);
        S0 = _mm256_fmadd_pd(xa, xb0, S0);
        S1 = _mm256_fmadd_pd(xa, xb1, S1);
        T0 = _mm256_add_pd(T0, xb0);
        T1 = _mm256_add_pd(T1, xb1);
        Ta = _mm256_add_pd(Ta, xa);
      }
      // cov = (S - Ta T / N) / N
      __m256d t = _mm256_mul_pd(Ta, invn);
      __m256d c0 = _mm256_mul_pd(_mm256_fnmadd_pd(t, T0, S0), invn);
      __m256d c1 = _mm256_mul_pd(_mm256_fnmadd_pd(t, T1, S1), invn);
      float c[8];
      _mm256_storeu_ps(c, _mm256_set_m128(_mm256_cvtpd_ps(c1), _mm256_cvtpd_ps(c0)));
      int64_t cnt = D - b < 8 ? D - b : 8;
      for (int64_t l = 0; l < cnt; l++) {
        cov[a * D + b + l] = c[l];
        cov[(b + l) * D + a] = c[l];
      }
    }
  }
}

void lt_cov_backward_f32_avx2(float *dX,         // (N, D)
                              const float *dcov, // (D, D)
                              const float *X,    // (N, D)
                              const float *mean, // (D)
                              int64_t N, int64_t D) {
  __m256 invn = _mm256_set1_ps(1.0f / (float)N);
  for (int64_t n = 0; n < N; n++) {
    const float *row = X + n * D;
    for (int64_t i = 0; i < D; i += 8) {
      __m256i m = mask_for(D - i);
      int64_t cnt = D - i < 8 ? D - i : 8;
      // First term: broadcast xc_j times row j of dcov.
      __m256 acc = _mm256_setzero_ps();
      for (int64_t j = 0; j < D; j++)
        acc = _mm256_fmadd_ps(_mm256_set1_ps(row[j] - mean[j]),
                              _mm256_maskload_ps(dcov + j * D + i, m), acc);
      // Second term: one dot product of row i of dcov with xc per lane.
      float t2[8] = {0};
      for (int64_t l = 0; l < cnt; l++) {
        const float *dr = dcov + (i + l) * D;
        __m256 d = _mm256_setzero_ps();
        int64_t j = 0;
        for (; j + 8 <= D; j += 8)
          d = _mm256_fmadd_ps(_mm256_sub_ps(_mm256_loadu_ps(row + j), _mm256_loadu_ps(mean + j)),
                              _mm256_loadu_ps(dr + j), d);
        if (j < D) {
          __m256i mj = lt_tail_mask(D - j);
          d = _mm256_fmadd_ps(_mm256_sub_ps(_mm256_maskload_ps(row + j, mj), _mm256_maskload_ps(mean + j, mj)),
                              _mm256_maskload_ps(dr + j, mj), d);
        }
        __m128 h = _mm_add_ps(_mm256_castps256_ps128(d), _mm256_extractf128_ps(d, 1));
        h = _mm_add_ps(h, _mm_movehl_ps(h, h));
        h = _mm_add_ss(h, _mm_movehdup_ps(h));
        t2[l] = _mm_cvtss_f32(h);
      }
      __m256 r = _mm256_mul_ps(_mm256_add_ps(acc, _mm256_loadu_ps(t2)), invn);
      _mm256_maskstore_ps(dX + n * D + i, m, r);
    }
  }
}

#pragma clang attribute pop
#endif
