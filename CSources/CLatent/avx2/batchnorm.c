// batchnorm.c — AVX2+FMA batch normalisation over (N, C, HW): the loops of
// ref/batchnorm.c with each contiguous run of HW values summed in float
// vectors and the runs added in double. Agrees with the reference to rounding.
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)

#include <immintrin.h>
#include <math.h>

#include "../internal.h"

static inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

void lt_batchnorm_forward_f32_avx2(float *y, float *mean, float *var,
                                   const float *x, const float *gamma,
                                   const float *beta, int64_t N, int64_t C,
                                   int64_t HW, float eps, int training) {
  double m = (double)N * HW;
  for (int64_t c = 0; c < C; c++) {
    if (training) {
      double s = 0;
      for (int64_t n = 0; n < N; n++) {
        const float *r = x + (n * C + c) * HW;
        __m256 acc = _mm256_setzero_ps();
        int64_t p = 0;
        for (; p + 8 <= HW; p += 8) acc = _mm256_add_ps(acc, _mm256_loadu_ps(r + p));
        float t = hsum(acc);
        for (; p < HW; p++) t += r[p];
        s += t;
      }
      double mu = m > 0 ? s / m : 0, q = 0;
      __m256 vmu = _mm256_set1_ps((float)mu);
      for (int64_t n = 0; n < N; n++) {
        const float *r = x + (n * C + c) * HW;
        __m256 acc = _mm256_setzero_ps();
        int64_t p = 0;
        for (; p + 8 <= HW; p += 8) {
          __m256 d = _mm256_sub_ps(_mm256_loadu_ps(r + p), vmu);
          acc = _mm256_fmadd_ps(d, d, acc);
        }
        float t = hsum(acc);
        for (; p < HW; p++) { float d = r[p] - (float)mu; t += d * d; }
        q += t;
      }
      mean[c] = (float)mu;
      var[c] = m > 0 ? (float)(q / m) : 0.0f;
    }
    float scale = gamma[c] / sqrtf(var[c] + eps), mu = mean[c], b = beta[c];
    __m256 vs = _mm256_set1_ps(scale), vm = _mm256_set1_ps(mu), vb = _mm256_set1_ps(b);
    for (int64_t n = 0; n < N; n++) {
      const float *r = x + (n * C + c) * HW;
      float *o = y + (n * C + c) * HW;
      int64_t p = 0;
      for (; p + 8 <= HW; p += 8)
        _mm256_storeu_ps(o + p, _mm256_fmadd_ps(_mm256_sub_ps(_mm256_loadu_ps(r + p), vm), vs, vb));
      for (; p < HW; p++) o[p] = (r[p] - mu) * scale + b;
    }
  }
}

void lt_batchnorm_backward_f32_avx2(float *dx, float *dgamma, float *dbeta,
                                    const float *dy, const float *x,
                                    const float *mean, const float *var,
                                    const float *gamma, int64_t N, int64_t C,
                                    int64_t HW, float eps, int training) {
  double m = (double)N * HW;
  for (int64_t c = 0; c < C; c++) {
    float invstd = 1.0f / sqrtf(var[c] + eps), mu = mean[c];
    __m256 vm = _mm256_set1_ps(mu), vi = _mm256_set1_ps(invstd);
    double sdy = 0, sdyx = 0;
    for (int64_t n = 0; n < N; n++) {
      const float *g = dy + (n * C + c) * HW, *r = x + (n * C + c) * HW;
      __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
      int64_t p = 0;
      for (; p + 8 <= HW; p += 8) {
        __m256 gv = _mm256_loadu_ps(g + p);
        __m256 xh = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(r + p), vm), vi);
        a0 = _mm256_add_ps(a0, gv);
        a1 = _mm256_fmadd_ps(gv, xh, a1);
      }
      float t0 = hsum(a0), t1 = hsum(a1);
      for (; p < HW; p++) { t0 += g[p]; t1 += g[p] * ((r[p] - mu) * invstd); }
      sdy += t0;
      sdyx += t1;
    }
    dgamma[c] = (float)sdyx;
    dbeta[c] = (float)sdy;
    float k = gamma[c] * invstd;
    float a = training && m > 0 ? (float)(sdy / m) : 0.0f;
    float b = training && m > 0 ? (float)(sdyx / m) : 0.0f;
    __m256 vk = _mm256_set1_ps(k), va = _mm256_set1_ps(a), vb = _mm256_set1_ps(b);
    for (int64_t n = 0; n < N; n++) {
      const float *g = dy + (n * C + c) * HW, *r = x + (n * C + c) * HW;
      float *o = dx + (n * C + c) * HW;
      int64_t p = 0;
      for (; p + 8 <= HW; p += 8) {
        __m256 xh = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(r + p), vm), vi);
        __m256 t = _mm256_sub_ps(_mm256_sub_ps(_mm256_loadu_ps(g + p), va), _mm256_mul_ps(xh, vb));
        _mm256_storeu_ps(o + p, _mm256_mul_ps(vk, t));
      }
      for (; p < HW; p++) {
        float xhat = (r[p] - mu) * invstd;
        o[p] = k * (g[p] - a - xhat * b);
      }
    }
  }
}

#pragma clang attribute pop
#endif
