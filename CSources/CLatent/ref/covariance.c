// covariance.c — reference biased covariance and its backward.
// cov_backward WRITES dX. The mean's own gradient path vanishes because the
// centred rows sum to zero, so dX = Xc (dcov + dcov^T) / N.
// N == 0 gives mean = 0 and cov = 0 (no NaN).
#include "../internal.h"

void lt_cov_forward_f32_ref(float *cov,     // (D, D)
                            float *mean,    // (D)
                            const float *X, // (N, D)
                            int64_t N, int64_t D) {
  for (int64_t a = 0; a < D; a++) {
    double s = 0.0;
    for (int64_t n = 0; n < N; n++) s += X[n * D + a];
    mean[a] = N > 0 ? (float)(s / (double)N) : 0.0f;
  }
  for (int64_t a = 0; a < D; a++) {
    for (int64_t b = a; b < D; b++) {
      // Centre on the double mean (not the rounded float one).
      double ma = 0.0, mb = 0.0, s = 0.0;
      for (int64_t n = 0; n < N; n++) { ma += X[n * D + a]; mb += X[n * D + b]; }
      if (N > 0) { ma /= (double)N; mb /= (double)N; }
      for (int64_t n = 0; n < N; n++)
        s += ((double)X[n * D + a] - ma) * ((double)X[n * D + b] - mb);
      float c = N > 0 ? (float)(s / (double)N) : 0.0f;
      cov[a * D + b] = c;
      cov[b * D + a] = c;
    }
  }
}

void lt_cov_backward_f32_ref(float *dX,         // (N, D)
                             const float *dcov, // (D, D)
                             const float *X,    // (N, D)
                             const float *mean, // (D)
                             int64_t N, int64_t D) {
  for (int64_t n = 0; n < N; n++) {
    for (int64_t i = 0; i < D; i++) {
      double s = 0.0;
      for (int64_t j = 0; j < D; j++)
        s += ((double)X[n * D + j] - mean[j]) * ((double)dcov[j * D + i] + dcov[i * D + j]);
      dX[n * D + i] = (float)(s / (double)N);
    }
  }
}
