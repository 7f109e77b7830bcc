// gemm_smallk.c — AVX2+FMA C(M, N) = alpha * A(M, K) B(K, N) + beta * C for
// small K, where BLAS spends its time packing. Register tile: up to 6 rows x
// 2 vectors of 8 columns; for each k, 2 loads of B's row k and 6 broadcasts
// of A[i, k] feed 12 FMAs (12 accumulators + 2 B + 1 broadcast = 15 of the
// 16 ymm registers, so nothing spills). With K <= 16 the B panel stays in
// L1 and C is written once. The last column vector of a row may be masked.
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)

#include "../internal.h"
#include "vmath.h"

// Constant mr / nv after inlining let clang keep acc[][] in registers.
static inline __attribute__((always_inline)) void
tile(float *C, int ldc, const float *A, int lda, const float *B, int ldb, int K,
     float alpha, float beta, int mr, int nv, int masked, __m256i mask) {
  __m256 acc[6][2];
  for (int r = 0; r < mr; r++)
    for (int c = 0; c < nv; c++) acc[r][c] = _mm256_setzero_ps();
  for (int k = 0; k < K; k++) {
    const float *b = B + (int64_t)k * ldb;
    __m256 bv[2];
    for (int c = 0; c < nv; c++)
      bv[c] = (masked && c == nv - 1) ? _mm256_maskload_ps(b + 8 * c, mask) : _mm256_loadu_ps(b + 8 * c);
    for (int r = 0; r < mr; r++) {
      __m256 a = _mm256_broadcast_ss(A + (int64_t)r * lda + k);
      for (int c = 0; c < nv; c++) acc[r][c] = _mm256_fmadd_ps(a, bv[c], acc[r][c]);
    }
  }
  // alpha / beta vectors are built only now, outside the k loop.
  __m256 valpha = _mm256_set1_ps(alpha), vbeta = _mm256_set1_ps(beta);
  for (int r = 0; r < mr; r++)
    for (int c = 0; c < nv; c++) {
      float *cp = C + (int64_t)r * ldc + 8 * c;
      int m = masked && c == nv - 1;
      __m256 out = alpha == 1.0f ? acc[r][c] : _mm256_mul_ps(valpha, acc[r][c]);
      if (beta != 0.0f) // beta == 0: C is not read (may hold NaN)
        out = _mm256_fmadd_ps(vbeta, m ? _mm256_maskload_ps(cp, mask) : _mm256_loadu_ps(cp), out);
      if (m) _mm256_maskstore_ps(cp, mask, out);
      else _mm256_storeu_ps(cp, out);
    }
}

// All N columns of mr rows starting at A, C.
static inline __attribute__((always_inline)) void
row_block(float *C, int ldc, const float *A, int lda, const float *B, int ldb,
          int N, int K, float alpha, float beta, int mr) {
  __m256i none = _mm256_setzero_si256();
  int j = 0;
  for (; j + 16 <= N; j += 16) tile(C + j, ldc, A, lda, B + j, ldb, K, alpha, beta, mr, 2, 0, none);
  int rem = N - j;
  if (rem == 0) return;
  // 1..15 columns left: at most one full vector plus one masked vector.
  __m256i mask = lt_tail_mask(rem % 8);
  int masked = rem % 8 != 0, nv = rem / 8 + masked;
  if (nv == 2) tile(C + j, ldc, A, lda, B + j, ldb, K, alpha, beta, mr, 2, masked, mask);
  else tile(C + j, ldc, A, lda, B + j, ldb, K, alpha, beta, mr, 1, masked, mask);
}

void lt_gemm_smallk_f32_avx2(float *C, int ldc,        // (M, N)
                             const float *A, int lda,  // (M, K)
                             const float *B, int ldb,  // (K, N)
                             int M, int N, int K, float alpha, float beta) {
  int i = 0;
  for (; i + 6 <= M; i += 6)
    row_block(C + (int64_t)i * ldc, ldc, A + (int64_t)i * lda, lda, B, ldb, N, K, alpha, beta, 6);
  // 0..5 rows left: one block of 4, 2 and/or 1 rows.
  if (M - i >= 4) {
    row_block(C + (int64_t)i * ldc, ldc, A + (int64_t)i * lda, lda, B, ldb, N, K, alpha, beta, 4);
    i += 4;
  }
  if (M - i >= 2) {
    row_block(C + (int64_t)i * ldc, ldc, A + (int64_t)i * lda, lda, B, ldb, N, K, alpha, beta, 2);
    i += 2;
  }
  if (M - i == 1)
    row_block(C + (int64_t)i * ldc, ldc, A + (int64_t)i * lda, lda, B, ldb, N, K, alpha, beta, 1);
}

#pragma clang attribute pop
#endif
