// coupling.c — AVX2+FMA affine coupling, same contract as ref/coupling.c:
// 8 columns at a time with a masked tail, the log-det summed per row.
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)

#include "../internal.h"
#include "vmath.h"

static inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

void lt_coupling_forward_f32_avx2(float *out, float *logdet, const float *in,
                                  const float *r, const float *t,
                                  const float *mask, int64_t N, int64_t D,
                                  int inverse) {
  const __m256 one = LT_V(1.0f);
  for (int64_t n = 0; n < N; n++) {
    const float *x = in + n * D, *rr = r + n * D, *tt = t + n * D;
    float *y = out + n * D;
    __m256 acc = _mm256_setzero_ps();
    for (int64_t d = 0; d < D; d += 8) {
      __m256i m = lt_tail_mask(D - d < 8 ? D - d : 8);
      __m256 vm = _mm256_maskload_ps(mask + d, m);
      __m256 vx = _mm256_maskload_ps(x + d, m);
      __m256 vr = _mm256_maskload_ps(rr + d, m);
      __m256 vt = _mm256_maskload_ps(tt + d, m);
      __m256 free_ = _mm256_sub_ps(one, vm);
      __m256 s = _mm256_mul_ps(lt_v_tanh(vr), free_); // 0 in masked-off tail lanes
      __m256 moved = inverse ? _mm256_mul_ps(_mm256_sub_ps(vx, vt), lt_v_exp(_mm256_sub_ps(_mm256_setzero_ps(), s)))
                             : _mm256_fmadd_ps(vx, lt_v_exp(s), vt);
      __m256 vy = _mm256_fmadd_ps(vm, vx, _mm256_mul_ps(free_, moved));
      _mm256_maskstore_ps(y + d, m, vy);
      acc = _mm256_add_ps(acc, _mm256_and_ps(s, _mm256_castsi256_ps(m)));
    }
    float sum = hsum(acc);
    logdet[n] = inverse ? -sum : sum;
  }
}

void lt_coupling_backward_f32_avx2(float *din, float *dr, float *dt,
                                   const float *_Nullable dout,
                                   const float *_Nullable dlogdet,
                                   const float *in, const float *out,
                                   const float *r, const float *mask, int64_t N,
                                   int64_t D, int inverse) {
  const __m256 one = LT_V(1.0f), zero = _mm256_setzero_ps();
  for (int64_t n = 0; n < N; n++) {
    const float *x = in + n * D, *y = out + n * D, *rr = r + n * D;
    const float *g = dout ? dout + n * D : NULL;
    __m256 gl = _mm256_set1_ps(dlogdet ? dlogdet[n] : 0.0f);
    float *dx = din + n * D, *ddr = dr + n * D, *ddt = dt + n * D;
    for (int64_t d = 0; d < D; d += 8) {
      __m256i m = lt_tail_mask(D - d < 8 ? D - d : 8);
      __m256 vm = _mm256_maskload_ps(mask + d, m);
      __m256 free_ = _mm256_sub_ps(one, vm);
      __m256 th = lt_v_tanh(_mm256_maskload_ps(rr + d, m));
      __m256 s = _mm256_mul_ps(th, free_);
      __m256 gy = g ? _mm256_maskload_ps(g + d, m) : zero;
      __m256 vdx, vdt, ds;
      if (inverse) {
        __m256 e = lt_v_exp(_mm256_sub_ps(zero, s));
        __m256 ge = _mm256_mul_ps(gy, e);
        vdx = _mm256_fmadd_ps(vm, gy, _mm256_mul_ps(free_, ge));
        vdt = _mm256_sub_ps(zero, _mm256_mul_ps(free_, ge));
        ds = _mm256_sub_ps(_mm256_fnmadd_ps(gy, _mm256_maskload_ps(y + d, m), zero), gl);
      } else {
        __m256 e = lt_v_exp(s);
        __m256 ge = _mm256_mul_ps(gy, e);
        vdx = _mm256_fmadd_ps(vm, gy, _mm256_mul_ps(free_, ge));
        vdt = _mm256_mul_ps(free_, gy);
        ds = _mm256_fmadd_ps(ge, _mm256_maskload_ps(x + d, m), gl);
      }
      __m256 vdr = _mm256_mul_ps(_mm256_mul_ps(free_, ds), _mm256_fnmadd_ps(th, th, one));
      _mm256_maskstore_ps(dx + d, m, vdx);
      _mm256_maskstore_ps(ddt + d, m, vdt);
      _mm256_maskstore_ps(ddr + d, m, vdr);
    }
  }
}

#pragma clang attribute pop
#endif
