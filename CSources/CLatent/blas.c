// blas.c — the only file that includes <cblas.h> (OpenBLAS pulls in
// <complex.h>, which must not meet <fftw3.h>).
#include <cblas.h>

#include "internal.h"

// Declared here too in case the cblas.h in use is not OpenBLAS's.
extern char *openblas_get_config(void);
extern char *openblas_get_corename(void);
extern int openblas_get_num_threads(void);
extern void openblas_set_num_threads(int);

// C = beta * C without reading C when beta == 0 (the K == 0 case).
static void scale_c(float *C, int ldc, int M, int N, float beta) { // (M, N)
  for (int i = 0; i < M; i++) {
    float *c = C + (int64_t)i * ldc;
    for (int j = 0; j < N; j++) c[j] = beta == 0.0f ? 0.0f : beta * c[j];
  }
}

void lt_sgemm_blas(int trans_a, int trans_b, int M, int N, int K, float alpha,
                   const float *A, int lda, const float *B, int ldb,
                   float beta, float *C, int ldc) {
  if (M == 0 || N == 0) return;
  if (K == 0) { scale_c(C, ldc, M, N, beta); return; }
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda, B,
              ldb, beta, C, ldc);
}

void lt_sgemm(int trans_a, int trans_b, int M, int N, int K, float alpha,
              const float *A, int lda, const float *B, int ldb, float beta,
              float *C, int ldc) {
  if (M == 0 || N == 0) return;
  if (K == 0) { scale_c(C, ldc, M, N, beta); return; }
  // BLAS packs panels for a deep K; with K <= 16 that overhead dominates.
  if (K <= 16 && !trans_a && !trans_b) {
    lt_kernels()->gemm_smallk(C, ldc, A, lda, B, ldb, M, N, K, alpha, beta);
    return;
  }
#if defined(__x86_64__)
  if (lt_use_own_gemm()) {
    lt_sgemm_f32_avx512(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
#endif
  lt_sgemm_blas(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void lt_sgemm_bias_act(int trans_a, int trans_b, int M, int N, int K, const float *A, int lda,
                       const float *B, int ldb, const float *bias, lt_act act, float alpha,
                       float *C) {
  if (M == 0 || N == 0) return;
#if defined(__x86_64__)
  if (lt_use_own_gemm() && K > 0 &&
      (act == LT_ACT_IDENTITY || act == LT_ACT_RELU || act == LT_ACT_LEAKY_RELU)) {
    lt_sgemm_bias_act_f32_avx512(trans_a, trans_b, M, N, K, A, lda, B, ldb, bias, act, alpha, C, N);
    return;
  }
#endif
  lt_sgemm(trans_a, trans_b, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, C, N);
  if (bias || act != LT_ACT_IDENTITY) lt_kernels()->bias_act_forward(C, C, bias, M, N, act, alpha);
}

#if !defined(__x86_64__)
// No AVX-512 here: the own-GEMM entry points keep their contract through BLAS
// (lt_use_own_gemm() is 0, so lt_sgemm never calls them).
void lt_sgemm_f32_avx512(int trans_a, int trans_b, int M, int N, int K, float alpha, const float *A, int lda,
                         const float *B, int ldb, float beta, float *C, int ldc) {
  lt_sgemm_blas(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
void lt_sgemm_bias_act_f32_avx512(int trans_a, int trans_b, int M, int N, int K, const float *A, int lda,
                                  const float *B, int ldb, const float *bias, lt_act act, float slope,
                                  float *C, int ldc) {
  lt_sgemm_blas(trans_a, trans_b, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, C, ldc);
  if (bias || act != LT_ACT_IDENTITY)
    for (int i = 0; i < M; i++) lt_kernels()->bias_act_forward(C + (int64_t)i * ldc, C + (int64_t)i * ldc, bias, 1, N, act, slope);
}
#endif

void lt_sgemm_strided_batched(int trans_a, int trans_b, int M, int N, int K,
                              float alpha, const float *A, int lda,
                              int64_t stride_a, const float *B, int ldb,
                              int64_t stride_b, float beta, float *C, int ldc,
                              int64_t stride_c, int batch) {
  for (int i = 0; i < batch; i++)
    lt_sgemm(trans_a, trans_b, M, N, K, alpha, A + i * stride_a, lda,
             B + i * stride_b, ldb, beta, C + i * stride_c, ldc);
}

void lt_dsyrk_upper(double *C,       // (D, D), symmetric in and out
                    const double *X, // (N, D)
                    int64_t N, int64_t D, double alpha) {
  if (D == 0 || N == 0) return;
  cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)D, (int)N, alpha, X,
              (int)D, 1.0, C, (int)D);
  // dsyrk only touches the upper triangle; mirror it so C is whole.
  for (int64_t i = 0; i < D; i++)
    for (int64_t j = i + 1; j < D; j++) C[j * D + i] = C[i * D + j];
}

const char *lt_blas_config(void) { return openblas_get_config(); }
const char *lt_blas_corename(void) { return openblas_get_corename(); }
int lt_blas_threads(void) { return openblas_get_num_threads(); }
// One thread count for OpenBLAS and Latent's own kernels (threads.c).
void lt_blas_set_threads(int n) {
  openblas_set_num_threads(n);
  lt_set_threads(n);
}
