// internal.h — per-ISA kernel declarations shared by dispatch.c and the kernel
// files. Not part of the public interface: Swift only sees include/.
#ifndef LATENT_INTERNAL_H
#define LATENT_INTERNAL_H

#include "latent_kernels.h"

#pragma clang assume_nonnull begin

// Raw Philox4x32-10 block for key (k0, k1) and counter ctr, for the
// known-answer test (random.c).
void lt_philox4x32_10_block(uint32_t *out,       // (4)
                            uint32_t k0, uint32_t k1,
                            const uint32_t *ctr); // (4)

// A copy of `isa` whose streaming kernels split their work over lt_threads()
// (parallel.c).
void lt_wrap_parallel(lt_kernel_table *out, const lt_kernel_table *isa);

// ---------------------------------------------------------------- ref/*.c
// batch normalisation (batchnorm.c), see latent_kernels.h.
void lt_batchnorm_forward_f32_ref(float *y, float *mean, float *var,
                                  const float *x, const float *gamma,
                                  const float *beta, int64_t N, int64_t C,
                                  int64_t HW, float eps, int training);
void lt_batchnorm_backward_f32_ref(float *dx, float *dgamma, float *dbeta,
                                   const float *dy, const float *x,
                                   const float *mean, const float *var,
                                   const float *gamma, int64_t N, int64_t C,
                                   int64_t HW, float eps, int training);
// im2col / col2im row runs (im2col.c), see latent_kernels.h.
void lt_im2col_f32_ref(float *col, const float *im, int64_t ld, int C, int H,
                      int W, int kh, int kw, int sh, int sw, int ph, int pw,
                      int oh, int ow);
void lt_col2im_f32_ref(float *im, const float *col, int64_t ld, int C, int H,
                      int W, int kh, int kw, int sh, int sw, int ph, int pw,
                      int oh, int ow);
// C(M, N) = alpha * A(M, K) B(K, N) + beta * C; beta == 0 -> C not read.
void lt_gemm_smallk_f32_ref(float *C, int ldc, const float *A, int lda,
                          const float *B, int ldb, int M, int N, int K,
                          float alpha, float beta);
// y(rows, cols) = act(x + bias(cols)); y may alias x.
void lt_bias_act_forward_f32_ref(float *y, const float *x,
                               const float *_Nullable bias, int64_t rows,
                               int64_t cols, lt_act act, float alpha);
// dx(n) = dy * act'(.), WRITES dx (may alias dy).
void lt_act_backward_f32_ref(float *dx, const float *dy, const float *x,
                           const float *y, int64_t n, lt_act act, float alpha);
void lt_binary_f32_ref(float *out, const float *a, const int64_t *a_strides,
                     const float *b, const int64_t *b_strides,
                     const int64_t *shape, int ndim, lt_binary_op op);
void lt_unary_f32_ref(float *out, const float *x, int64_t n, lt_unary_op op);
// out(outer, inner) = reduce over n of x(outer, n, inner).
void lt_reduce_f32_ref(float *out, const float *x, int64_t outer, int64_t n,
                     int64_t inner, lt_reduce_op op);
void lt_axpby_f32_ref(float *out, const float *x, const float *y, int64_t n,
                    float a, float b);
// cov(D, D), mean(D) of X(N, D).
void lt_cov_forward_f32_ref(float *cov, float *mean, const float *X, int64_t N,
                          int64_t D);
// dX(N, D) WRITTEN from dcov(D, D).
void lt_cov_backward_f32_ref(float *dX, const float *dcov, const float *X,
                           const float *mean, int64_t N, int64_t D);
void lt_adam_step_f32_ref(float *p, const float *g, float *m, float *v,
                        int64_t n, float lr, float beta1, float beta2,
                        float eps, float wd, float bc1, float bc2,
                        int decoupled_wd);

// affine coupling (coupling.c), see latent_kernels.h.
void lt_coupling_forward_f32_ref(float *out, float *logdet, const float *in,
                                 const float *r, const float *t,
                                 const float *mask, int64_t N, int64_t D,
                                 int inverse);
void lt_coupling_backward_f32_ref(float *din, float *dr, float *dt,
                                  const float *_Nullable dout,
                                  const float *_Nullable dlogdet,
                                  const float *in, const float *out,
                                  const float *r, const float *mask, int64_t N,
                                  int64_t D, int inverse);

// ---------------------------------------------------------------- avx2/*.c
#if defined(__x86_64__)
// batch normalisation (batchnorm.c), see latent_kernels.h.
void lt_batchnorm_forward_f32_avx2(float *y, float *mean, float *var,
                                  const float *x, const float *gamma,
                                  const float *beta, int64_t N, int64_t C,
                                  int64_t HW, float eps, int training);
void lt_batchnorm_backward_f32_avx2(float *dx, float *dgamma, float *dbeta,
                                   const float *dy, const float *x,
                                   const float *mean, const float *var,
                                   const float *gamma, int64_t N, int64_t C,
                                   int64_t HW, float eps, int training);
// im2col / col2im row runs (im2col.c), see latent_kernels.h.
void lt_im2col_f32_avx2(float *col, const float *im, int64_t ld, int C, int H,
                      int W, int kh, int kw, int sh, int sw, int ph, int pw,
                      int oh, int ow);
void lt_col2im_f32_avx2(float *im, const float *col, int64_t ld, int C, int H,
                      int W, int kh, int kw, int sh, int sw, int ph, int pw,
                      int oh, int ow);
// C(M, N) = alpha * A(M, K) B(K, N) + beta * C; beta == 0 -> C not read.
void lt_gemm_smallk_f32_avx2(float *C, int ldc, const float *A, int lda,
                          const float *B, int ldb, int M, int N, int K,
                          float alpha, float beta);
// y(rows, cols) = act(x + bias(cols)); y may alias x.
void lt_bias_act_forward_f32_avx2(float *y, const float *x,
                               const float *_Nullable bias, int64_t rows,
                               int64_t cols, lt_act act, float alpha);
// dx(n) = dy * act'(.), WRITES dx (may alias dy).
void lt_act_backward_f32_avx2(float *dx, const float *dy, const float *x,
                           const float *y, int64_t n, lt_act act, float alpha);
void lt_binary_f32_avx2(float *out, const float *a, const int64_t *a_strides,
                     const float *b, const int64_t *b_strides,
                     const int64_t *shape, int ndim, lt_binary_op op);
void lt_unary_f32_avx2(float *out, const float *x, int64_t n, lt_unary_op op);
// out(outer, inner) = reduce over n of x(outer, n, inner).
void lt_reduce_f32_avx2(float *out, const float *x, int64_t outer, int64_t n,
                     int64_t inner, lt_reduce_op op);
void lt_axpby_f32_avx2(float *out, const float *x, const float *y, int64_t n,
                    float a, float b);
// cov(D, D), mean(D) of X(N, D).
void lt_cov_forward_f32_avx2(float *cov, float *mean, const float *X, int64_t N,
                          int64_t D);
// dX(N, D) WRITTEN from dcov(D, D).
void lt_cov_backward_f32_avx2(float *dX, const float *dcov, const float *X,
                           const float *mean, int64_t N, int64_t D);
void lt_adam_step_f32_avx2(float *p, const float *g, float *m, float *v,
                        int64_t n, float lr, float beta1, float beta2,
                        float eps, float wd, float bc1, float bc2,
                        int decoupled_wd);
// affine coupling (coupling.c), see latent_kernels.h.
void lt_coupling_forward_f32_avx2(float *out, float *logdet, const float *in,
                                 const float *r, const float *t,
                                 const float *mask, int64_t N, int64_t D,
                                 int inverse);
void lt_coupling_backward_f32_avx2(float *din, float *dr, float *dt,
                                  const float *_Nullable dout,
                                  const float *_Nullable dlogdet,
                                  const float *in, const float *out,
                                  const float *r, const float *mask, int64_t N,
                                  int64_t D, int inverse);

#endif

#pragma clang assume_nonnull end

#endif
