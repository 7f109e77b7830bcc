// latent_kernels.h — the only header Swift sees from the C core of Latent
// (internal.h, the per-ISA declarations, stays inside CSources/CLatent). Its
// declarations sit between `#pragma clang assume_nonnull begin/end`: a pointer
// may be NULL only where it is marked _Nullable.
//
// Conventions:
//   * tensors are float32, row-major and contiguous unless a leading dimension
//     or strides are passed (exceptions: the double-precision moment state and
//     rank-k update, the uint32 random bits);
//   * outputs come first, then inputs, then sizes; the GEMM entry points
//     (lt_sgemm*) keep the BLAS argument order instead, with C last;
//   * ISA variants carry the ISA as a suffix (lt_conv2d_forward_f32_ref,
//     lt_sgemm_f32_avx512; the per-ISA table kernels are declared in
//     internal.h, and the table below holds them under short names);
//   * a status code only where failure is possible: the periodic-convolution
//     calls (0 ok, 1 no FFT plan, 2 bad sizes, 3 singular spectrum), plus
//     lt_signal_catch passing on sigaction's result; the other kernels return
//     no status (the one failure they can meet, an allocation in the own GEMM,
//     is handled as described under "Memory");
//   * kernels never print;
//   * backward kernels say whether they WRITE or ACCUMULATE into each gradient.
//
// Memory: the caller owns every buffer a kernel reads or writes, and kernels
// that need scratch take it as an argument (the conv and periodic kernels'
// `work`, sized by lt_conv2d_workspace / lt_periodic_workspace; the moments'
// `scratch`). Three places allocate anyway:
//   * Latent's own AVX-512 GEMM (avx512/sgemm.c, reached through lt_sgemm,
//     lt_sgemm_strided_batched, lt_sgemm_bias_act and so the conv kernels, when
//     lt_use_own_gemm()) packs op(A) and op(B) into zero-padded MR-row and
//     NR-column micro-panels so its micro-kernel streams them from L1/L2. Each
//     thread (caller or pool helper) keeps one pair of 64-byte-aligned packing
//     buffers (aligned_alloc; the holder struct with calloc), grown on demand
//     to at most 256 x 192 floats (192 KB) for A and 256 x 2048 floats (2 MB)
//     for B, reused by later products on that thread and freed when it ends
//     (pthread key destructor). The contract stays BLAS's, with no workspace
//     argument. If an allocation fails, a plain product falls back to
//     cblas_sgemm for its block; the fused bias + activation form aborts. The
//     narrow forms (N <= 4 with A^T B or A B^T) allocate nothing.
//   * The periodic-convolution calls plan FFTs on the first call for each
//     (H, W): two temporary fftwf_malloc arrays for planning, freed at once,
//     and the plans, kept for the life of the process (at most 16 sizes).
//   * lt_parallel_for starts the pool's helper threads on first use
//     (pthread_create, detached, never joined).
// Matrix products on OpenBLAS (cblas_sgemm, cblas_dsyrk) allocate whatever
// OpenBLAS allocates internally.
//
// Every dispatched kernel exists twice: a portable reference (ref/*.c) and an
// AVX2+FMA variant (avx2/*.c, x86-64 only). `lt_kernels()` returns the table
// chosen once, on its first call, from CPU detection, with the streaming
// kernels wrapped to split their work over lt_threads() (parallel.c);
// LATENT_ISA=ref forces the reference table. `lt_kernels_for(isa)` returns a
// specific unwrapped table (or NULL when the CPU or the build lacks it) so
// tests can compare the two.
#ifndef LATENT_KERNELS_H
#define LATENT_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#pragma clang assume_nonnull begin

#ifdef __cplusplus
extern "C" {
#endif

// ---------------------------------------------------------------- enums

typedef enum lt_isa {
  LT_ISA_REF = 0,
  LT_ISA_AVX2 = 1,
} lt_isa;

/// Point-wise activations used by the fused bias+activation kernels.
typedef enum lt_act {
  LT_ACT_IDENTITY = 0,
  LT_ACT_RELU = 1,
  LT_ACT_LEAKY_RELU = 2, // alpha = negative slope
  LT_ACT_ELU = 3,        // alpha * (exp(x) - 1) for x < 0
  LT_ACT_TANH = 4,
  LT_ACT_SIGMOID = 5,
  LT_ACT_SOFTPLUS = 6,   // log(1 + exp(x)), stable
  LT_ACT_EXP = 7,
} lt_act;

typedef enum lt_binary_op {
  LT_BIN_ADD = 0,
  LT_BIN_SUB = 1,
  LT_BIN_MUL = 2,
  LT_BIN_DIV = 3,
  LT_BIN_MAX = 4,
  LT_BIN_MIN = 5,
} lt_binary_op;

typedef enum lt_unary_op {
  LT_UN_NEG = 0,
  LT_UN_EXP = 1,
  LT_UN_LOG = 2,
  LT_UN_SQRT = 3,
  LT_UN_ABS = 4,
  LT_UN_SQUARE = 5,
  LT_UN_RECIPROCAL = 6,
  LT_UN_SIN = 7,
  LT_UN_COS = 8,
  LT_UN_LOG1P = 9,
} lt_unary_op;

typedef enum lt_reduce_op {
  LT_RED_SUM = 0,
  LT_RED_MEAN = 1,
  LT_RED_MAX = 2,
  LT_RED_LOGSUMEXP = 3, // max-shifted, stable; -inf rows give -inf
} lt_reduce_op;

#define LT_MAX_DIMS 8

// ---------------------------------------------------------------- kernel table

typedef struct lt_kernel_table {
  lt_isa isa;
  const char *name; // "ref" or "avx2+fma"

  // C(M,N) = alpha * A(M,K) B(K,N) + beta * C, row-major, no transposes.
  // For tiny K (<= 16) where BLAS is slow. beta == 0 means C is not read.
  void (*gemm_smallk)(float *C, int ldc, const float *A, int lda,
                      const float *B, int ldb, int M, int N, int K,
                      float alpha, float beta);

  // im2col of one image: col(C*kh*kw, ld) columns [0, oh*ow) WRITTEN from
  // im(C, H, W), zero padding; col2im ACCUMULATES col back into im.
  void (*im2col)(float *col, const float *im, int64_t ld, int C, int H, int W,
                 int kh, int kw, int sh, int sw, int ph, int pw, int oh, int ow);
  void (*col2im)(float *im, const float *col, int64_t ld, int C, int H, int W,
                 int kh, int kw, int sh, int sw, int ph, int pw, int oh, int ow);

  // Batch normalisation over x(N, C, HW) per channel (NCHW; (N, C) is HW = 1).
  // Forward WRITES y; training WRITES mean(C) and the biased var(C) of the
  // batch, otherwise reads them (running statistics). y = (x - mean) /
  // sqrt(var + eps) * gamma + beta.
  void (*batchnorm_forward)(float *y, float *mean, float *var, const float *x,
                            const float *gamma, const float *beta, int64_t N,
                            int64_t C, int64_t HW, float eps, int training);
  // Backward WRITES dx, dgamma(C), dbeta(C); training includes the path
  // through the batch statistics.
  void (*batchnorm_backward)(float *dx, float *dgamma, float *dbeta,
                             const float *dy, const float *x,
                             const float *mean, const float *var,
                             const float *gamma, int64_t N, int64_t C,
                             int64_t HW, float eps, int training);

  // y(rows, cols) = act(x + bias[col]); bias may be NULL; y may alias x.
  void (*bias_act_forward)(float *y, const float *x, const float *_Nullable bias,
                           int64_t rows, int64_t cols, lt_act act, float alpha);

  // dx(n) = dy * act'(.). WRITES dx (may alias dy). x is the pre-activation
  // (after bias), y the activation output; each act reads the one it needs.
  void (*act_backward)(float *dx, const float *dy, const float *x,
                       const float *y, int64_t n, lt_act act, float alpha);

  // out[i] = op(a[i], b[i]) over `ndim` dims of `shape`, with element strides
  // for a and b (stride 0 = broadcast). out is contiguous with that shape.
  void (*binary)(float *out, const float *a, const int64_t *a_strides,
                 const float *b, const int64_t *b_strides,
                 const int64_t *shape, int ndim, lt_binary_op op);

  // out[i] = op(x[i]), contiguous; out may alias x.
  void (*unary)(float *out, const float *x, int64_t n, lt_unary_op op);

  // out(outer, inner) = reduce over the middle axis of x(outer, n, inner).
  void (*reduce)(float *out, const float *x, int64_t outer, int64_t n,
                 int64_t inner, lt_reduce_op op);

  // out = a * x + b * y (element-wise, contiguous); out may alias x or y.
  void (*axpby)(float *out, const float *x, const float *y, int64_t n,
                float a, float b);

  // Biased covariance of X(N, D): mean(D) and cov(D, D) = Xc^T Xc / N.
  void (*cov_forward)(float *cov, float *mean, const float *X, int64_t N,
                      int64_t D);
  // dX(N, D) = (Xc (dcov + dcov^T)) / N. WRITES dX.
  void (*cov_backward)(float *dX, const float *dcov, const float *X,
                       const float *mean, int64_t N, int64_t D);

  // Adam / AdamW step on n parameters. m, v updated in place.
  // bc1 = 1 - beta1^t, bc2 = 1 - beta2^t; decoupled_wd != 0 -> AdamW
  // (p -= lr*wd*p), else L2 (g += wd*p).
  void (*adam_step)(float *p, const float *g, float *m, float *v, int64_t n,
                    float lr, float beta1, float beta2, float eps, float wd,
                    float bc1, float bc2, int decoupled_wd);

  // Affine coupling (RealNVP), one row of D per example, mask(D) with 1 =
  // passed through. s = tanh(r) * (1 - mask);
  //   inverse == 0: out = m*in + (1-m)*(in*exp(s) + t), logdet(N) = sum s
  //   inverse != 0: out = m*in + (1-m)*((in - t)*exp(-s)), logdet(N) = -sum s
  // in, r, t, out are (N, D). WRITES out and logdet.
  void (*coupling_forward)(float *out, float *logdet, const float *in,
                           const float *r, const float *t, const float *mask,
                           int64_t N, int64_t D, int inverse);
  // Gradients of the call above from dout(N, D) and dlogdet(N) (either may be
  // NULL = zero). Needs in, out and r. WRITES din, dr, dt (all (N, D)).
  void (*coupling_backward)(float *din, float *dr, float *dt,
                            const float *_Nullable dout,
                            const float *_Nullable dlogdet, const float *in,
                            const float *out, const float *r,
                            const float *mask, int64_t N, int64_t D,
                            int inverse);
} lt_kernel_table;

/// The table in use (chosen once; thread-safe after first call).
const lt_kernel_table *lt_kernels(void);
/// A specific table, or NULL if this CPU/build cannot run it.
const lt_kernel_table *_Nullable lt_kernels_for(lt_isa isa);
/// 1 when the CPU reports AVX2 and FMA (and the OS saves YMM state).
int lt_cpu_has_avx2_fma(void);
/// 1 when the CPU has AVX-512 F/DQ/BW/VL and the OS saves ZMM state.
int lt_cpu_has_avx512(void);

// ---------------------------------------------------------------- BLAS (blas.c)

/// C(M,N) = alpha * op(A) op(B) + beta * C, row-major. Routes K <= 16 with no
/// transposes to the table's gemm_smallk, everything else to
/// lt_sgemm_f32_avx512 when lt_use_own_gemm(), else to cblas_sgemm.
void lt_sgemm(int trans_a, int trans_b, int M, int N, int K, float alpha,
              const float *A, int lda, const float *B, int ldb, float beta,
              float *C, int ldc);
/// Strided batched version: batch i uses A + i*stride_a etc.
void lt_sgemm_strided_batched(int trans_a, int trans_b, int M, int N, int K,
                              float alpha, const float *A, int lda,
                              int64_t stride_a, const float *B, int ldb,
                              int64_t stride_b, float beta, float *C, int ldc,
                              int64_t stride_c, int batch);
/// Always cblas_sgemm (for benchmarks and tests).
void lt_sgemm_blas(int trans_a, int trans_b, int M, int N, int K, float alpha,
                   const float *A, int lda, const float *B, int ldb,
                   float beta, float *C, int ldc);
/// Latent's own AVX-512 packed GEMM (same contract as lt_sgemm; only call it
/// when lt_cpu_has_avx512()). Threaded over lt_threads().
void lt_sgemm_f32_avx512(int trans_a, int trans_b, int M, int N, int K, float alpha,
                         const float *A, int lda, const float *B, int ldb, float beta,
                         float *C, int ldc);
/// C(M, N) = act(op(A) op(B) + bias) with C contiguous (ldc = N), bias (N) or
/// NULL: on the own GEMM the bias and ReLU / leaky ReLU are applied as each
/// tile is stored (no second pass over C); otherwise GEMM then bias_act.
void lt_sgemm_bias_act(int trans_a, int trans_b, int M, int N, int K, const float *A, int lda,
                       const float *B, int ldb, const float *_Nullable bias, lt_act act, float alpha,
                       float *C);
/// The fused form on the own GEMM; act must be identity, ReLU or leaky ReLU.
void lt_sgemm_bias_act_f32_avx512(int trans_a, int trans_b, int M, int N, int K, const float *A, int lda,
                                  const float *B, int ldb, const float *_Nullable bias, lt_act act, float slope,
                                  float *C, int ldc);
/// 1 when lt_sgemm uses lt_sgemm_f32_avx512: the CPU has AVX-512 and neither
/// LATENT_ISA (ref, avx2) nor LATENT_GEMM=blas asks for something else.
int lt_use_own_gemm(void);
/// "avx512 (latent)" or "blas".
const char *lt_gemm_name(void);

// ---------------------------------------------------------------- threads (threads.c)
/// Threads for Latent's own kernels: LATENT_NUM_THREADS, OPENBLAS_NUM_THREADS,
/// OMP_NUM_THREADS or the online cores, until lt_set_threads.
int lt_threads(void);
void lt_set_threads(int n);
/// fn(ctx, i) for i in 0..<n on the calling thread and the pool's helpers;
/// returns when all are done. Runs serially when the pool is busy.
void lt_parallel_for(int n, void (*fn)(void *ctx, int i), void *ctx);

/// Double-precision rank-k update C(D,D) += alpha * X^T X (X is N x D), for
/// the moment accumulator and the benchmark.
void lt_dsyrk_upper(double *C, const double *X, int64_t N, int64_t D, double alpha);
const char *lt_blas_config(void);  // openblas_get_config()
const char *lt_blas_corename(void);
int lt_blas_threads(void);
/// Sets OpenBLAS's threads and Latent's own (lt_set_threads) together.
void lt_blas_set_threads(int n);

// ---------------------------------------------------------------- signals (signals.c)
// One process-wide flag: lt_signal_catch installs a handler that records the
// first signal (a second of the same kind exits with 128 + signal);
// lt_signal_received returns it (0: none); lt_signal_default restores SIG_DFL.
int lt_signal_catch(int sig);
void lt_signal_default(int sig);
int lt_signal_received(void);
void lt_signal_clear(void);

// ---------------------------------------------------------------- probe (probe.c)
/// Runs `iterations` rounds of independent FMAs with the active ISA and
/// returns the float32 flops performed (benchmark yardstick for the peak).
double lt_fma_probe(int64_t iterations, float *sink);
/// The same with the widest vectors the GEMM uses (AVX-512 when lt_use_own_gemm()).
double lt_fma_probe_wide(int64_t iterations, float *sink);

// ---------------------------------------------------------------- FFT (fft.c)
const char *lt_fftw_version(void);

// ---------------------------------------------------------------- periodic convolution flow (periodic.c)
// A bank w(C, C, k, k) of filters placed on the H x W torus with the centre tap
// at the origin; y(o) = sum_c w(o, c) circularly convolved with x(c). FFTW
// single precision; plans made once per (H, W) under a lock. Status: 0 ok,
// 1 no FFT plan, 2 bad sizes (k > H or W, C > 32), 3 singular K(f).
// Workspace floats for N images of C channels (use max(N, C) for N in the
// weight backward).
int64_t lt_periodic_workspace(int N, int C, int H, int W);
// K(C, C, H, W/2+1) complex (interleaved re, im): the half spectrum of every
// placed filter. work: lt_periodic_workspace(0, C, H, W) floats.
int lt_periodic_spectrum_f32(float *K, const float *w, int C, int H, int W,
                             int k, float *work);
// log|det| of the (C H W)-dimensional circulant-block map: sum over the full
// frequency grid of log|det K(f)| (half-spectrum columns weighted 1 or 2).
int lt_periodic_logdet_f32(float *logdet, const float *K, int C, int H, int W);
// y(N, C, H, W) = M x with M = K (mode 0), K^H (1), K^-1 (2), K^-H (3) per
// frequency. WRITES y (must not alias x).
int lt_periodic_apply_f32(float *y, const float *x, const float *K, int N,
                          int C, int H, int W, int mode, float *work);
// dw(C, C, k, k) WRITTEN: gradient of <dy, K x> (dy may be NULL) plus
// dlogdet * d(log|det|)/dw.
int lt_periodic_weight_backward_f32(float *dw, const float *_Nullable dy,
                                    const float *x, float dlogdet,
                                    const float *K, int N, int C, int H,
                                    int W, int k, float *work);

// ---------------------------------------------------------------- conv (conv.c)
// im2col of one image into col rows of stride ld (>= oh*ow): col(C*kh*kw, ld),
// columns [0, oh*ow) written, from im(C, H, W). Zero padding.
void lt_im2col_f32(float *col, const float *im, int64_t ld, int C, int H,
                   int W, int kh, int kw, int sh, int sw, int ph, int pw,
                   int oh, int ow);
// Inverse: ACCUMULATES col(C*kh*kw, ld) into im(C, H, W).
void lt_col2im_f32(float *im, const float *col, int64_t ld, int C, int H,
                   int W, int kh, int kw, int sh, int sw, int ph, int pw,
                   int oh, int ow);

/// Images per GEMM in the chunked conv kernels (col + output buffer ~256 KB, at least one image).
int lt_conv2d_chunk(int N, int C, int O, int kh, int kw, int oh, int ow);
/// Workspace floats the conv kernels (both variants) need for N images.
int64_t lt_conv2d_workspace(int N, int C, int O, int kh, int kw, int oh,
                            int ow);

// y(N, O, oh, ow) = conv(x(N, C, H, W), w(O, C, kh, kw)) + bias(O) (bias may be NULL).
// Chunked im2col + one GEMM per chunk; LATENT_ISA=ref runs the _ref twin.
void lt_conv2d_forward_f32(float *y, const float *x, const float *w,
                           const float *_Nullable bias, float *work, int N,
                           int C, int H, int W, int O, int kh, int kw, int sh,
                           int sw, int ph, int pw, int oh, int ow);
// dx WRITTEN (may be NULL to skip), dw and dbias ACCUMULATED (either may be
// NULL; dw needs x, which may be NULL when dw is).
void lt_conv2d_backward_f32(float *_Nullable dx, float *_Nullable dw,
                            float *_Nullable dbias, const float *dy,
                            const float *_Nullable x, const float *w,
                            float *work, int N, int C, int H, int W, int O,
                            int kh, int kw, int sh, int sw, int ph, int pw,
                            int oh, int ow);
// Backward of a transposed convolution given as the conv it is the adjoint of
// (C, H, W: the transposed conv's output space; O, oh, ow: its input): dx =
// conv(dy, w) WRITTEN, dw += x . im2col(dy)^T ACCUMULATED (either may be NULL).
void lt_conv_transpose2d_backward_f32(float *_Nullable dx, float *_Nullable dw,
                                      const float *dy, const float *x,
                                      const float *w, float *work, int N, int C,
                                      int H, int W, int O, int kh, int kw,
                                      int sh, int sw, int ph, int pw, int oh,
                                      int ow);
// The reference twins: one image at a time, a naive im2col.
void lt_conv2d_forward_f32_ref(float *y, const float *x, const float *w,
                               const float *_Nullable bias, float *work, int N,
                               int C, int H, int W, int O, int kh, int kw,
                               int sh, int sw, int ph, int pw, int oh, int ow);
void lt_conv2d_backward_f32_ref(float *_Nullable dx, float *_Nullable dw,
                                float *_Nullable dbias, const float *dy,
                                const float *_Nullable x, const float *w,
                                float *work, int N, int C, int H, int W, int O,
                                int kh, int kw, int sh, int sw, int ph, int pw,
                                int oh, int ow);

// ---------------------------------------------------------------- moments (moments.c)
// Streaming, mergeable mean / co-moment in double precision (Chan et al.):
// state is count, mean(D), comoment(D, D) = sum (x - mean)(x - mean)^T.
// A batch is centred on its own mean before merging, so data far from zero
// keeps its precision.
void lt_moments_update(int64_t *count, double *mean, double *comoment,
                       const float *X, int64_t N, int64_t D, double *scratch);
// Merge state b into a.
void lt_moments_merge(int64_t *count_a, double *mean_a, double *comoment_a,
                      int64_t count_b, const double *mean_b,
                      const double *comoment_b, int64_t D);

// ---------------------------------------------------------------- random (random.c)
// Philox4x32-10, counter-based: draw i of (seed, stream) is a pure function of
// (seed, stream, offset + i), independent of how work is split.
void lt_random_uniform_f32(float *out, int64_t n, uint64_t seed,
                           uint64_t stream, uint64_t offset); // [0, 1)
void lt_random_normal_f32(float *out, int64_t n, uint64_t seed,
                          uint64_t stream, uint64_t offset);  // N(0, 1)
void lt_random_bits_u32(uint32_t *out, int64_t n, uint64_t seed,
                        uint64_t stream, uint64_t offset);

#ifdef __cplusplus
}
#endif

#pragma clang assume_nonnull end

#endif
