// batchnorm.c — portable batch normalisation over (N, C, HW) (NCHW, or (N, C)
// with HW = 1), statistics per channel in double. The AVX2 twin is
// avx2/batchnorm.c.
// Forward WRITES y, and in training WRITES mean and var (biased); otherwise
// reads them. Backward WRITES dx, dgamma and dbeta.
#include <math.h>

#include "../internal.h"

void lt_batchnorm_forward_f32_ref(float *y,           // (N, C, HW)
                                  float *mean,        // (C)
                                  float *var,         // (C)
                                  const float *x,     // (N, C, HW)
                                  const float *gamma, // (C)
                                  const float *beta,  // (C)
                                  int64_t N, int64_t C, int64_t HW, float eps,
                                  int training) {
  double m = (double)N * HW;
  for (int64_t c = 0; c < C; c++) {
    if (training) {
      double s = 0;
      for (int64_t n = 0; n < N; n++)
        for (int64_t p = 0; p < HW; p++) s += x[(n * C + c) * HW + p];
      double mu = m > 0 ? s / m : 0, q = 0;
      for (int64_t n = 0; n < N; n++)
        for (int64_t p = 0; p < HW; p++) {
          double d = x[(n * C + c) * HW + p] - mu;
          q += d * d;
        }
      mean[c] = (float)mu;
      var[c] = m > 0 ? (float)(q / m) : 0.0f;
    }
    float scale = gamma[c] / sqrtf(var[c] + eps), mu = mean[c];
    for (int64_t n = 0; n < N; n++)
      for (int64_t p = 0; p < HW; p++) {
        int64_t i = (n * C + c) * HW + p;
        y[i] = (x[i] - mu) * scale + beta[c];
      }
  }
}

void lt_batchnorm_backward_f32_ref(float *dx,          // (N, C, HW)
                                   float *dgamma,      // (C)
                                   float *dbeta,       // (C)
                                   const float *dy,    // (N, C, HW)
                                   const float *x,     // (N, C, HW)
                                   const float *mean,  // (C)
                                   const float *var,   // (C)
                                   const float *gamma, // (C)
                                   int64_t N, int64_t C, int64_t HW, float eps,
                                   int training) {
  double m = (double)N * HW;
  for (int64_t c = 0; c < C; c++) {
    float invstd = 1.0f / sqrtf(var[c] + eps), mu = mean[c];
    double sdy = 0, sdyx = 0;
    for (int64_t n = 0; n < N; n++)
      for (int64_t p = 0; p < HW; p++) {
        int64_t i = (n * C + c) * HW + p;
        sdy += dy[i];
        sdyx += (double)dy[i] * ((x[i] - mu) * invstd);
      }
    dgamma[c] = (float)sdyx;
    dbeta[c] = (float)sdy;
    float k = gamma[c] * invstd;
    // Training: the batch statistics depend on x too.
    float a = training && m > 0 ? (float)(sdy / m) : 0.0f;
    float b = training && m > 0 ? (float)(sdyx / m) : 0.0f;
    for (int64_t n = 0; n < N; n++)
      for (int64_t p = 0; p < HW; p++) {
        int64_t i = (n * C + c) * HW + p;
        float xhat = (x[i] - mu) * invstd;
        dx[i] = k * (dy[i] - a - xhat * b);
      }
  }
}
