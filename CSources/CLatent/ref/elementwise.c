// elementwise.c — reference strided binary ops, unary ops and axpby.
#include <math.h>

#include "../internal.h"

static float binary_ref(float a, float b, lt_binary_op op) {
  switch (op) {
  case LT_BIN_ADD: return a + b;
  case LT_BIN_SUB: return a - b;
  case LT_BIN_MUL: return a * b;
  case LT_BIN_DIV: return a / b;
  // max/min propagate NaN from either side (like torch.maximum); a + b is NaN then.
  case LT_BIN_MAX: return (isnan(a) || isnan(b)) ? a + b : (a > b ? a : b);
  case LT_BIN_MIN: return (isnan(a) || isnan(b)) ? a + b : (a < b ? a : b);
  }
  return a + b;
}

void lt_binary_f32_ref(float *out, const float *a, const int64_t *a_strides,
                       const float *b, const int64_t *b_strides,
                       const int64_t *shape, int ndim, lt_binary_op op) {
  int64_t total = 1;
  for (int d = 0; d < ndim; d++) total *= shape[d];
  if (total == 0) return;
  // Odometer over the multi-index; ndim == 0 is one scalar.
  int64_t idx[LT_MAX_DIMS] = {0};
  int64_t ia = 0, ib = 0;
  for (int64_t i = 0; i < total; i++) {
    out[i] = binary_ref(a[ia], b[ib], op);
    for (int d = ndim - 1; d >= 0; d--) {
      idx[d]++;
      ia += a_strides[d];
      ib += b_strides[d];
      if (idx[d] < shape[d]) break;
      ia -= a_strides[d] * shape[d];
      ib -= b_strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}

void lt_unary_f32_ref(float *out, const float *x, int64_t n, lt_unary_op op) {
  for (int64_t i = 0; i < n; i++) {
    float v = x[i], r;
    switch (op) {
    case LT_UN_NEG: r = -v; break;
    case LT_UN_EXP: r = expf(v); break;
    case LT_UN_LOG: r = logf(v); break;
    case LT_UN_SQRT: r = sqrtf(v); break;
    case LT_UN_ABS: r = fabsf(v); break;
    case LT_UN_SQUARE: r = v * v; break;
    case LT_UN_RECIPROCAL: r = 1.0f / v; break;
    case LT_UN_SIN: r = sinf(v); break;
    case LT_UN_COS: r = cosf(v); break;
    case LT_UN_LOG1P: r = log1pf(v); break;
    default: r = v; break;
    }
    out[i] = r;
  }
}

void lt_axpby_f32_ref(float *out, const float *x, const float *y, int64_t n,
                      float a, float b) {
  for (int64_t i = 0; i < n; i++) out[i] = a * x[i] + b * y[i];
}
