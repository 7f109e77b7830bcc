// adam.c — reference Adam / AdamW step, PyTorch's formulation:
//   AdamW: p *= 1 - lr*wd;  Adam(L2): g += wd*p
//   m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2
//   p -= (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps)
#include <math.h>

#include "../internal.h"

void lt_adam_step_f32_ref(float *p, const float *g, float *m, float *v, // (n)
                          int64_t n, float lr, float beta1, float beta2,
                          float eps, float wd, float bc1, float bc2,
                          int decoupled_wd) {
  float step = lr / bc1, sbc2 = sqrtf(bc2);
  for (int64_t i = 0; i < n; i++) {
    float gi = g[i], pi = p[i];
    if (decoupled_wd) pi = pi * (1.0f - lr * wd);
    else gi = gi + wd * pi;
    float mi = beta1 * m[i] + (1.0f - beta1) * gi;
    float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = pi - step * mi / (sqrtf(vi) / sbc2 + eps);
  }
}
