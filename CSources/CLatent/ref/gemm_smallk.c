// gemm_smallk.c — reference C = alpha * A B + beta * C for small K.
// The oracle for the AVX2 kernel: a plain triple loop, accumulating in float
// in k order like the vector kernel does.
#include "../internal.h"

void lt_gemm_smallk_f32_ref(float *C, int ldc,        // (M, N)
                            const float *A, int lda,  // (M, K)
                            const float *B, int ldb,  // (K, N)
                            int M, int N, int K, float alpha, float beta) {
  for (int i = 0; i < M; i++) {
    for (int j = 0; j < N; j++) {
      float acc = 0.0f;
      for (int k = 0; k < K; k++) acc += A[(int64_t)i * lda + k] * B[(int64_t)k * ldb + j];
      float *c = &C[(int64_t)i * ldc + j];
      // beta == 0 must not read C (it may hold NaN garbage).
      *c = beta == 0.0f ? alpha * acc : alpha * acc + beta * *c;
    }
  }
}
