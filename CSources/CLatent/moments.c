// moments.c — streaming, mergeable mean / co-moment in double (Chan et al.).
// Each batch is centred on its own double mean before its co-moment is
// formed, so data far from zero (1e4 + noise in float32) keeps its precision;
// batches then merge with  M = Ma + Mb + delta delta^T * na nb / n.
#include "internal.h"

// Adds delta delta^T * w to M (D, D) and moves mean_a towards mean_b.
static void merge_shift(double *mean_a, double *comoment_a,
                        const double *mean_b, int64_t na, int64_t nb,
                        int64_t D) {
  double n = (double)(na + nb);
  double w = (double)na * (double)nb / n, f = (double)nb / n;
  for (int64_t i = 0; i < D; i++) {
    double di = mean_b[i] - mean_a[i];
    for (int64_t j = 0; j < D; j++)
      comoment_a[i * D + j] += di * (mean_b[j] - mean_a[j]) * w;
  }
  for (int64_t i = 0; i < D; i++) mean_a[i] += (mean_b[i] - mean_a[i]) * f;
}

void lt_moments_update(int64_t *count,
                       double *mean,     // (D)
                       double *comoment, // (D, D)
                       const float *X,   // (N, D)
                       int64_t N, int64_t D,
                       double *scratch) { // (N, D)
  if (N == 0 || D == 0) { *count += N; return; }
  int64_t na = *count;
  if (na == 0) // no history: start from a clean state whatever was there
    for (int64_t i = 0; i < D * D; i++) comoment[i] = 0.0;

  // The batch mean lives in scratch's last row until that row is centred.
  double *mb = scratch + (N - 1) * D; // (D)
  for (int64_t j = 0; j < D; j++) mb[j] = 0.0;
  for (int64_t n = 0; n < N; n++)
    for (int64_t j = 0; j < D; j++) mb[j] += X[n * D + j];
  for (int64_t j = 0; j < D; j++) mb[j] /= (double)N;
  for (int64_t n = 0; n < N - 1; n++)
    for (int64_t j = 0; j < D; j++) scratch[n * D + j] = (double)X[n * D + j] - mb[j];

  // Shift term and mean update need mb, so do them before its row is reused.
  if (na == 0) for (int64_t j = 0; j < D; j++) mean[j] = mb[j];
  else merge_shift(mean, comoment, mb, na, N, D);
  for (int64_t j = 0; j < D; j++) mb[j] = (double)X[(N - 1) * D + j] - mb[j];

  lt_dsyrk_upper(comoment, scratch, N, D, 1.0); // += Xc^T Xc
  *count = na + N;
}

void lt_moments_merge(int64_t *count_a, double *mean_a,   // (D)
                      double *comoment_a,                 // (D, D)
                      int64_t count_b, const double *mean_b,
                      const double *comoment_b, int64_t D) { // (D, D)
  if (count_b == 0) return;
  int64_t na = *count_a;
  if (na == 0) {
    for (int64_t i = 0; i < D; i++) mean_a[i] = mean_b[i];
    for (int64_t i = 0; i < D * D; i++) comoment_a[i] = comoment_b[i];
  } else {
    for (int64_t i = 0; i < D * D; i++) comoment_a[i] += comoment_b[i];
    merge_shift(mean_a, comoment_a, mean_b, na, count_b, D);
  }
  *count_a = na + count_b;
}
