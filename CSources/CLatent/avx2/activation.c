// activation.c — AVX2+FMA fused bias + activation and its backward.
// act_backward WRITES dx (same saved-tensor choices as ref/activation.c).
// Tails use masked loads/stores so every element goes through the same
// vector code (no scalar path to drift from it).
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)

#include "../internal.h"
#include "vmath.h"

static inline __m256 act_v(__m256 v, lt_act act, __m256 alpha) {
  __m256 zero = _mm256_setzero_ps();
  switch (act) {
  case LT_ACT_RELU: return _mm256_max_ps(zero, v); // NaN passes through
  case LT_ACT_LEAKY_RELU:
    return _mm256_blendv_ps(_mm256_mul_ps(alpha, v), v, _mm256_cmp_ps(v, zero, _CMP_GT_OQ));
  case LT_ACT_ELU:
    return _mm256_blendv_ps(_mm256_mul_ps(alpha, lt_v_expm1(v)), v,
                            _mm256_cmp_ps(v, zero, _CMP_GT_OQ));
  case LT_ACT_TANH: return lt_v_tanh(v);
  case LT_ACT_SIGMOID: return lt_v_sigmoid(v);
  case LT_ACT_SOFTPLUS: return lt_v_softplus(v);
  case LT_ACT_EXP: return lt_v_exp(v);
  case LT_ACT_IDENTITY:
  default: return v;
  }
}

void lt_bias_act_forward_f32_avx2(float *y, const float *x, // (rows, cols)
                                  const float *_Nullable bias, // (cols)
                                  int64_t rows, int64_t cols, lt_act act,
                                  float alpha) {
  __m256 va = _mm256_set1_ps(alpha);
  // Without a bias the rows are irrelevant: one long run keeps narrow
  // matrices off the masked tail path.
  if (!bias) { cols *= rows; rows = rows > 0 ? 1 : 0; }
  __m256i tail = lt_tail_mask(cols % 8);
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * cols;
    float *yr = y + r * cols;
    int64_t c = 0;
    for (; c + 8 <= cols; c += 8) {
      __m256 v = _mm256_loadu_ps(xr + c);
      if (bias) v = _mm256_add_ps(v, _mm256_loadu_ps(bias + c));
      _mm256_storeu_ps(yr + c, act_v(v, act, va));
    }
    if (c < cols) {
      __m256 v = _mm256_maskload_ps(xr + c, tail);
      if (bias) v = _mm256_add_ps(v, _mm256_maskload_ps(bias + c, tail));
      _mm256_maskstore_ps(yr + c, tail, act_v(v, act, va));
    }
  }
}

static inline __m256 act_grad_v(__m256 g, __m256 x, __m256 y, lt_act act, __m256 alpha) {
  __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f);
  switch (act) {
  case LT_ACT_RELU: return _mm256_and_ps(g, _mm256_cmp_ps(x, zero, _CMP_GT_OQ));
  case LT_ACT_LEAKY_RELU:
    return _mm256_blendv_ps(_mm256_mul_ps(alpha, g), g, _mm256_cmp_ps(x, zero, _CMP_GT_OQ));
  case LT_ACT_ELU:
    return _mm256_blendv_ps(_mm256_mul_ps(g, _mm256_add_ps(y, alpha)), g,
                            _mm256_cmp_ps(x, zero, _CMP_GT_OQ));
  case LT_ACT_TANH: return _mm256_mul_ps(g, _mm256_sub_ps(one, _mm256_mul_ps(y, y)));
  case LT_ACT_SIGMOID: return _mm256_mul_ps(g, _mm256_mul_ps(y, _mm256_sub_ps(one, y)));
  case LT_ACT_SOFTPLUS: return _mm256_mul_ps(g, lt_v_sigmoid(x));
  case LT_ACT_EXP: return _mm256_mul_ps(g, y);
  case LT_ACT_IDENTITY:
  default: return g;
  }
}

void lt_act_backward_f32_avx2(float *dx, const float *dy, // (n)
                              const float *x, const float *y, // (n)
                              int64_t n, lt_act act, float alpha) {
  __m256 va = _mm256_set1_ps(alpha);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 g = _mm256_loadu_ps(dy + i);
    _mm256_storeu_ps(dx + i, act_grad_v(g, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), act, va));
  }
  if (i < n) {
    __m256i m = lt_tail_mask(n - i);
    __m256 g = _mm256_maskload_ps(dy + i, m);
    __m256 r = act_grad_v(g, _mm256_maskload_ps(x + i, m), _mm256_maskload_ps(y + i, m), act, va);
    _mm256_maskstore_ps(dx + i, m, r);
  }
}

#pragma clang attribute pop
#endif
