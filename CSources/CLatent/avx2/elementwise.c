// elementwise.c — AVX2+FMA strided binary ops, unary ops and axpby.
// binary first simplifies the iteration space (drops size-1 dims, merges
// dims that are contiguous for both inputs) so the innermost run is long,
// then vectorizes runs whose strides are (1, 1), (1, 0) or (0, 1).
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)

#include <math.h>

#include "../internal.h"
#include "vmath.h"

static inline __m256 binary_v(__m256 a, __m256 b, lt_binary_op op) {
  __m256 r;
  switch (op) {
  case LT_BIN_ADD: return _mm256_add_ps(a, b);
  case LT_BIN_SUB: return _mm256_sub_ps(a, b);
  case LT_BIN_MUL: return _mm256_mul_ps(a, b);
  case LT_BIN_DIV: return _mm256_div_ps(a, b);
  case LT_BIN_MAX: r = _mm256_blendv_ps(b, a, _mm256_cmp_ps(a, b, _CMP_GT_OQ)); break;
  case LT_BIN_MIN: r = _mm256_blendv_ps(b, a, _mm256_cmp_ps(a, b, _CMP_LT_OQ)); break;
  default: return _mm256_add_ps(a, b);
  }
  // max/min: NaN from either side wins (a + b is then NaN), as in ref.
  return _mm256_blendv_ps(r, _mm256_add_ps(a, b), _mm256_cmp_ps(a, b, _CMP_UNORD_Q));
}

// One run of L elements: a[k*sa], b[k*sb] -> out[k].
static void binary_run(float *out, const float *a, int64_t sa, const float *b,
                       int64_t sb, int64_t L, lt_binary_op op) {
  int vec = (sa == 1 || sa == 0) && (sb == 1 || sb == 0) && (sa | sb);
  int64_t k = 0;
  if (vec) {
    __m256 va = _mm256_set1_ps(a[0]), vb = _mm256_set1_ps(b[0]);
    for (; k + 8 <= L; k += 8) {
      if (sa) va = _mm256_loadu_ps(a + k);
      if (sb) vb = _mm256_loadu_ps(b + k);
      _mm256_storeu_ps(out + k, binary_v(va, vb, op));
    }
    if (k < L) {
      __m256i m = lt_tail_mask(L - k);
      if (sa) va = _mm256_maskload_ps(a + k, m);
      if (sb) vb = _mm256_maskload_ps(b + k, m);
      _mm256_maskstore_ps(out + k, m, binary_v(va, vb, op));
    }
    return;
  }
  // Strided or both-broadcast runs: one lane at a time through the same op.
  for (; k < L; k++) {
    __m256 r = binary_v(_mm256_set1_ps(a[k * sa]), _mm256_set1_ps(b[k * sb]), op);
    out[k] = _mm256_cvtss_f32(r);
  }
}

void lt_binary_f32_avx2(float *out, const float *a, const int64_t *a_strides,
                        const float *b, const int64_t *b_strides,
                        const int64_t *shape, int ndim, lt_binary_op op) {
  int64_t sh[LT_MAX_DIMS], sa[LT_MAX_DIMS], sb[LT_MAX_DIMS];
  int nd = 0;
  for (int d = 0; d < ndim; d++) {
    if (shape[d] == 0) return;
    if (shape[d] == 1) continue;
    // Merge into the previous dim when stepping it equals a full sweep of this one.
    if (nd > 0 && sa[nd - 1] == a_strides[d] * shape[d] && sb[nd - 1] == b_strides[d] * shape[d]) {
      sh[nd - 1] *= shape[d];
      sa[nd - 1] = a_strides[d];
      sb[nd - 1] = b_strides[d];
      continue;
    }
    sh[nd] = shape[d];
    sa[nd] = a_strides[d];
    sb[nd] = b_strides[d];
    nd++;
  }
  if (nd == 0) { sh[0] = 1; sa[0] = sb[0] = 0; nd = 1; }
  int64_t L = sh[nd - 1], ia = 0, ib = 0, outer = 1;
  for (int d = 0; d < nd - 1; d++) outer *= sh[d];
  int64_t idx[LT_MAX_DIMS] = {0};
  for (int64_t o = 0; o < outer; o++) {
    binary_run(out + o * L, a + ia, sa[nd - 1], b + ib, sb[nd - 1], L, op);
    for (int d = nd - 2; d >= 0; d--) { // odometer over the outer dims
      idx[d]++;
      ia += sa[d];
      ib += sb[d];
      if (idx[d] < sh[d]) break;
      ia -= sa[d] * sh[d];
      ib -= sb[d] * sh[d];
      idx[d] = 0;
    }
  }
}

static inline __m256 unary_v(__m256 v, lt_unary_op op) {
  switch (op) {
  case LT_UN_NEG: return _mm256_xor_ps(v, _mm256_set1_ps(-0.0f));
  case LT_UN_EXP: return lt_v_exp(v);
  case LT_UN_LOG: return lt_v_log(v);
  case LT_UN_SQRT: return _mm256_sqrt_ps(v);
  case LT_UN_ABS: return lt_v_abs(v);
  case LT_UN_SQUARE: return _mm256_mul_ps(v, v);
  case LT_UN_RECIPROCAL: return _mm256_div_ps(_mm256_set1_ps(1.0f), v);
  case LT_UN_LOG1P: return lt_v_log1p(v);
  default: return v;
  }
}

void lt_unary_f32_avx2(float *out, const float *x, int64_t n, lt_unary_op op) {
  if (op == LT_UN_SIN || op == LT_UN_COS) {
    // No vector sin/cos here: their range reduction is not worth it yet.
    for (int64_t i = 0; i < n; i++) out[i] = op == LT_UN_SIN ? sinf(x[i]) : cosf(x[i]);
    return;
  }
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, unary_v(_mm256_loadu_ps(x + i), op));
  if (i < n) {
    __m256i m = lt_tail_mask(n - i);
    _mm256_maskstore_ps(out + i, m, unary_v(_mm256_maskload_ps(x + i, m), op));
  }
}

void lt_axpby_f32_avx2(float *out, const float *x, const float *y, int64_t n,
                       float a, float b) {
  __m256 va = _mm256_set1_ps(a), vb = _mm256_set1_ps(b);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 r = _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_mul_ps(vb, _mm256_loadu_ps(y + i)));
    _mm256_storeu_ps(out + i, r);
  }
  if (i < n) {
    __m256i m = lt_tail_mask(n - i);
    __m256 r = _mm256_fmadd_ps(va, _mm256_maskload_ps(x + i, m),
                               _mm256_mul_ps(vb, _mm256_maskload_ps(y + i, m)));
    _mm256_maskstore_ps(out + i, m, r);
  }
}

#pragma clang attribute pop
#endif
