// activation.c — reference fused bias + activation, and its backward.
// act_backward WRITES dx. Which saved tensor each activation reads:
//   relu, leaky_relu, softplus: x (pre-activation); elu: x and y;
//   tanh, sigmoid, exp: y (output).
#include <math.h>

#include "../internal.h"

static float sigmoid_ref(float x) {
  // Two branches so exp never overflows.
  if (x >= 0.0f) return 1.0f / (1.0f + expf(-x));
  float e = expf(x);
  return e / (1.0f + e);
}

static float act_ref(float x, lt_act act, float alpha) {
  switch (act) {
  case LT_ACT_RELU: return x < 0.0f ? 0.0f : x; // NaN passes through
  case LT_ACT_LEAKY_RELU: return x > 0.0f ? x : alpha * x;
  case LT_ACT_ELU: return x > 0.0f ? x : alpha * expm1f(x);
  case LT_ACT_TANH: return tanhf(x);
  case LT_ACT_SIGMOID: return sigmoid_ref(x);
  case LT_ACT_SOFTPLUS:
    // PyTorch's threshold: beyond 20 the log1p term is below half an ulp.
    if (x > 20.0f) return x;
    if (x < -20.0f) return expf(x);
    return log1pf(expf(x));
  case LT_ACT_EXP: return expf(x);
  case LT_ACT_IDENTITY:
  default: return x;
  }
}

void lt_bias_act_forward_f32_ref(float *y, const float *x, // (rows, cols)
                                 const float *_Nullable bias, // (cols)
                                 int64_t rows, int64_t cols, lt_act act,
                                 float alpha) {
  for (int64_t r = 0; r < rows; r++) {
    for (int64_t c = 0; c < cols; c++) {
      float v = x[r * cols + c];
      if (bias) v += bias[c];
      y[r * cols + c] = act_ref(v, act, alpha);
    }
  }
}

void lt_act_backward_f32_ref(float *dx, const float *dy, // (n)
                             const float *x, const float *y, // (n)
                             int64_t n, lt_act act, float alpha) {
  for (int64_t i = 0; i < n; i++) {
    float g = dy[i], d;
    switch (act) {
    case LT_ACT_RELU: d = x[i] > 0.0f ? g : 0.0f; break;
    case LT_ACT_LEAKY_RELU: d = x[i] > 0.0f ? g : alpha * g; break;
    // For x <= 0, d/dx alpha*(e^x - 1) = alpha*e^x = y + alpha.
    case LT_ACT_ELU: d = x[i] > 0.0f ? g : g * (y[i] + alpha); break;
    case LT_ACT_TANH: d = g * (1.0f - y[i] * y[i]); break;
    case LT_ACT_SIGMOID: d = g * (y[i] * (1.0f - y[i])); break;
    case LT_ACT_SOFTPLUS: d = g * sigmoid_ref(x[i]); break;
    case LT_ACT_EXP: d = g * y[i]; break;
    case LT_ACT_IDENTITY:
    default: d = g; break;
    }
    dx[i] = d;
  }
}
