// sgemm.c — AVX-512 packed single-precision GEMM, our own, for every matrix
// product of the training loops on CPUs with AVX-512.
//
// Why not the system BLAS: OpenBLAS 0.3.21 does not recognise recent AMD cores
// and runs its AVX2 kernels there (or whatever OPENBLAS_CORETYPE says), which is
// half this machine's width; and it is tuned for big square products, not the
// 512 x 256 x 256 panels of our MLPs.
//
// Layout (Goto/BLIS): for each NC-wide block of columns and KC-deep slice of
// K, op(B) is packed once into NR-column micro-panels (k-major, zero-padded);
// for each MC-tall block of rows op(A) is packed into MR-row micro-panels; the
// micro-kernel then computes an MR x NR tile of C from one A and one B
// micro-panel. The B micro-panel (KC x NR = 32 KB) stays in L1 while the
// kernel walks the A block (MC x KC = 192 KB, in L2).
//
// Micro-kernel: 12 rows x 32 columns = 24 zmm accumulators; per k, two B
// vectors and 12 broadcasts of A feed 24 FMAs (26 of the 32 zmm registers).
// Column edges are masked loads/stores; row edges are zero rows in the
// packed A whose results are not stored.
//
// Threads: the product is cut into row (or column) blocks aligned to the tile,
// one task per thread (lt_parallel_for); each task packs its own operands.
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma"))), apply_to = function)

#include <immintrin.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"

enum { MR = 12, NR = 32, KC = 256, MC = 16 * MR, NC = 64 * NR };

static inline int imin(int a, int b) { return a < b ? a : b; }

// ------------------------------------------------------------------ buffers
// One pair of packing buffers per thread (pool helpers and callers alike),
// grown on demand and freed when the thread ends.
typedef struct { float *a, *b; size_t a_len, b_len; } pack_buffers;
static pthread_key_t buffers_key;
static pthread_once_t buffers_once = PTHREAD_ONCE_INIT;

static void free_buffers(void *p) {
  pack_buffers *buf = p;
  free(buf->a);
  free(buf->b);
  free(buf);
}
static void make_key(void) { pthread_key_create(&buffers_key, free_buffers); }

static float *grow(float **p, size_t *len, size_t need) {
  if (*len < need) {
    free(*p);
    *p = aligned_alloc(64, (need * sizeof(float) + 63) / 64 * 64);
    *len = *p ? need : 0;
  }
  return *p;
}

static pack_buffers *thread_buffers(void) {
  pthread_once(&buffers_once, make_key);
  pack_buffers *buf = pthread_getspecific(buffers_key);
  if (!buf) {
    buf = calloc(1, sizeof *buf);
    if (buf) pthread_setspecific(buffers_key, buf);
  }
  return buf;
}

// ------------------------------------------------------------------ packing
static inline __mmask16 lanes(int n) { return n >= 16 ? (__mmask16)0xFFFF : n <= 0 ? 0 : (__mmask16)((1u << n) - 1); }

// r[i][j] <- r[j][i] for an 8 x 8 block in 8 ymm registers.
static inline __attribute__((always_inline)) void transpose8(__m256 r[8]) {
  __m256 t[8], u[8];
  for (int i = 0; i < 4; i++) {
    t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (int i = 0; i < 2; i++) {
    u[4 * i + 0] = _mm256_shuffle_ps(t[4 * i + 0], t[4 * i + 2], 0x44);
    u[4 * i + 1] = _mm256_shuffle_ps(t[4 * i + 0], t[4 * i + 2], 0xEE);
    u[4 * i + 2] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
    u[4 * i + 3] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
  }
  for (int i = 0; i < 4; i++) {
    r[i] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x20);
    r[i + 4] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x31);
  }
}

// Rows src[0..rows) (row stride ld) x columns [0, kc) read in 8 x 8 blocks and
// written transposed: column k of the block lands at dst[k * dst_stride], as
// `width` (8 or 4) consecutive floats. Rows past `rows` read as zero. This is
// the strided half of packing, done with shuffles instead of scatters.
static void transpose_rows(float *dst, int dst_stride, int width, const float *src, int64_t ld, int rows, int kc) {
  for (int k0 = 0; k0 < kc; k0 += 8) {
    int kk = kc - k0 < 8 ? kc - k0 : 8;
    __mmask8 km = (__mmask8)((1u << kk) - 1);
    __m256 r[8];
    if (kk == 8)  // plain loads for whole blocks (masked loads cost more here)
      for (int i = 0; i < 8; i++) r[i] = i < rows ? _mm256_loadu_ps(src + i * ld + k0) : _mm256_setzero_ps();
    else
      for (int i = 0; i < 8; i++)
        r[i] = i < rows ? _mm256_maskz_loadu_ps(km, src + i * ld + k0) : _mm256_setzero_ps();
    transpose8(r);
    for (int i = 0; i < kk; i++) {
      float *d = dst + (int64_t)(k0 + i) * dst_stride;
      if (width == 8) _mm256_storeu_ps(d, r[i]);
      else _mm_storeu_ps(d, _mm256_castps256_ps128(r[i]));
    }
  }
}

// op(A)[i0 + i, p0 + k] for i < mc, k < kc into micro-panels of MR rows:
// panel q holds Ap[q*MR*kc + k*MR + r]; rows past mc are zero.
static void pack_a(float *Ap, const float *A, int lda, int trans, int i0, int mc, int p0, int kc) {
  for (int q = 0; q < mc; q += MR) {
    int mr = imin(MR, mc - q);
    float *dst = Ap + (int64_t)q * kc;
    if (trans) {
      // A stored (K, M): a row of A is a row of the panel.
      __mmask16 m = lanes(mr);
      for (int k = 0; k < kc; k++) {
        const float *src = A + (int64_t)(p0 + k) * lda + i0 + q;
        _mm512_mask_storeu_ps(dst + k * MR, 0x0FFF, _mm512_maskz_loadu_ps(m, src));
      }
    } else {
      // A stored (M, K): rows 0-7 and 8-11 of the panel as transposed blocks.
      const float *src = A + (int64_t)(i0 + q) * lda + p0;
      transpose_rows(dst, MR, 8, src, lda, mr, kc);
      // Rows past mr are zeros; no pointer is formed past the operand.
      transpose_rows(dst + 8, MR, 4, mr > 8 ? src + 8 * (int64_t)lda : src, lda, mr - 8, kc);
    }
  }
}

// op(B)[p0 + k, j0 + j] for k < kc, j < nc into micro-panels of NR columns:
// panel q holds Bp[q*NR*kc + k*NR + c]; columns past nc are zero.
static void pack_b(float *Bp, const float *B, int ldb, int trans, int p0, int kc, int j0, int nc) {
  for (int q = 0; q < nc; q += NR) {
    int nr = imin(NR, nc - q);
    float *dst = Bp + (int64_t)q * kc;
    if (!trans) {
      // B stored (K, N): each k is a contiguous run of the panel's columns.
      __mmask16 m0 = lanes(nr), m1 = lanes(nr - 16);
      for (int k = 0; k < kc; k++) {
        const float *src = B + (int64_t)(p0 + k) * ldb + j0 + q;
        _mm512_store_ps(dst + k * NR, _mm512_maskz_loadu_ps(m0, src));
        _mm512_store_ps(dst + k * NR + 16, nr > 16 ? _mm512_maskz_loadu_ps(m1, src + 16) : _mm512_setzero_ps());
      }
    } else {
      // B stored (N, K): a row of B is a column of the panel; 8 columns at a time.
      const float *src = B + (int64_t)(j0 + q) * ldb + p0;
      for (int c = 0; c < NR; c += 8)
        transpose_rows(dst + c, NR, 8, c < nr ? src + (int64_t)c * ldb : src, ldb, nr - c, kc);
    }
  }
}

// ------------------------------------------------------------- micro-kernel
// What the last K slice does to a tile before storing it: add a bias per
// column, then ReLU / leaky ReLU (the activations as cheap as the store).
typedef struct {
  const float *bias;  // NULL: none; else indexed by the tile's first column
  int act;            // LT_ACT_IDENTITY, LT_ACT_RELU or LT_ACT_LEAKY_RELU
  float slope;        // leaky ReLU's negative slope
} epilogue;

static inline __attribute__((always_inline)) __m512 activate(__m512 v, const epilogue *ep) {
  if (ep->act == LT_ACT_RELU) {
    // x < 0 ? 0 : x, so NaN passes through as in the reference kernel.
    __mmask16 neg = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ);
    return _mm512_mask_blend_ps(neg, v, _mm512_setzero_ps());
  }
  if (ep->act == LT_ACT_LEAKY_RELU) {
    __mmask16 pos = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_GT_OQ);
    return _mm512_mask_blend_ps(pos, _mm512_mul_ps(v, _mm512_set1_ps(ep->slope)), v);
  }
  return v;
}

static inline __attribute__((always_inline)) void
store_row(float *row, __m512 c0, __m512 c1, __m512 va, __m512 vb, int use_beta, __mmask16 m0, __mmask16 m1,
          const epilogue *ep, __m512 bias0, __m512 bias1) {
  __m512 v0 = _mm512_mul_ps(va, c0), v1 = _mm512_mul_ps(va, c1);
  if (use_beta) {
    v0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, row), v0);
    v1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, row + 16), v1);
  }
  if (ep) {
    v0 = activate(_mm512_add_ps(v0, bias0), ep);
    v1 = activate(_mm512_add_ps(v1, bias1), ep);
  }
  _mm512_mask_storeu_ps(row, m0, v0);
  _mm512_mask_storeu_ps(row + 16, m1, v1);
}

// C[0:mr, 0:nr] = alpha * Ap Bp + beta * C (beta == 0: C is not read). The 24
// accumulators are named variables: as an array indexed by a run-time row
// count clang makes them addressable and spills them on every k.
#define ROW_FMA(r)                                         \
  do {                                                     \
    __m512 a = _mm512_set1_ps(Ap[r]);                      \
    c##r##0 = _mm512_fmadd_ps(a, b0, c##r##0);             \
    c##r##1 = _mm512_fmadd_ps(a, b1, c##r##1);             \
  } while (0)
#define ROW_STORE(r)                                                                     \
  do {                                                                                   \
    if (mr > r) store_row(C + (int64_t)r * ldc, c##r##0, c##r##1, va, vb, use_beta, m0, m1, ep, bias0, bias1); \
  } while (0)
#define DECLARE(r) __m512 c##r##0 = _mm512_setzero_ps(), c##r##1 = _mm512_setzero_ps()

static void micro_kernel(int kc, const float *restrict Ap, const float *restrict Bp, float *C, int ldc,
                         int mr, int nr, float alpha, float beta, const epilogue *ep) {
  DECLARE(0); DECLARE(1); DECLARE(2); DECLARE(3); DECLARE(4); DECLARE(5);
  DECLARE(6); DECLARE(7); DECLARE(8); DECLARE(9); DECLARE(10); DECLARE(11);
  for (int k = 0; k < kc; k++) {
    __m512 b0 = _mm512_load_ps(Bp), b1 = _mm512_load_ps(Bp + 16);
    _mm_prefetch((const char *)(Ap + 8 * MR), _MM_HINT_T0);
    ROW_FMA(0); ROW_FMA(1); ROW_FMA(2); ROW_FMA(3); ROW_FMA(4); ROW_FMA(5);
    ROW_FMA(6); ROW_FMA(7); ROW_FMA(8); ROW_FMA(9); ROW_FMA(10); ROW_FMA(11);
    Ap += MR;
    Bp += NR;
  }
  __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
  __mmask16 m0 = lanes(nr), m1 = lanes(nr - 16);
  int use_beta = beta != 0.0f;
  __m512 bias0 = _mm512_setzero_ps(), bias1 = _mm512_setzero_ps();
  if (ep && ep->bias) {
    bias0 = _mm512_maskz_loadu_ps(m0, ep->bias);
    bias1 = _mm512_maskz_loadu_ps(m1, ep->bias + 16);
  }
  ROW_STORE(0); ROW_STORE(1); ROW_STORE(2); ROW_STORE(3); ROW_STORE(4); ROW_STORE(5);
  ROW_STORE(6); ROW_STORE(7); ROW_STORE(8); ROW_STORE(9); ROW_STORE(10); ROW_STORE(11);
}
#undef ROW_FMA
#undef ROW_STORE
#undef DECLARE

// ------------------------------------------------------- one-thread product
typedef struct {
  int trans_a, trans_b, M, N, K;
  float alpha, beta;
  const float *A, *B;
  int lda, ldb, ldc;
  float *C;
  const epilogue *ep;  // NULL: plain product
} gemm_args;

// The product restricted to rows [i0, i1) and columns [j0, j1) of C.
static void gemm_block(const gemm_args *g, int i0, int i1, int j0, int j1) {
  pack_buffers *buf = thread_buffers();
  int nc_max = imin(NC, (j1 - j0 + NR - 1) / NR * NR), mc_max = imin(MC, (i1 - i0 + MR - 1) / MR * MR);
  int kc_max = imin(KC, g->K);
  float *Bp = buf ? grow(&buf->b, &buf->b_len, (size_t)kc_max * nc_max) : NULL;
  float *Ap = buf ? grow(&buf->a, &buf->a_len, (size_t)kc_max * mc_max) : NULL;
  if ((!Ap || !Bp) && !g->ep) {  // out of memory for a few hundred KB: let BLAS do it
    lt_sgemm_blas(g->trans_a, g->trans_b, i1 - i0, j1 - j0, g->K, g->alpha,
                  g->trans_a ? g->A + i0 : g->A + (int64_t)i0 * g->lda, g->lda,
                  g->trans_b ? g->B + (int64_t)j0 * g->ldb : g->B + j0, g->ldb, g->beta,
                  g->C + (int64_t)i0 * g->ldc + j0, g->ldc);
    return;
  }
  if (!Ap || !Bp) abort();  // the fused epilogue has no BLAS twin; a few hundred KB failed
  for (int jc = j0; jc < j1; jc += NC) {
    int nc = imin(NC, j1 - jc);
    for (int pc = 0; pc < g->K; pc += KC) {
      int kc = imin(KC, g->K - pc);
      float beta = pc == 0 ? g->beta : 1.0f;
      int last = pc + kc >= g->K;
      pack_b(Bp, g->B, g->ldb, g->trans_b, pc, kc, jc, nc);
      for (int ic = i0; ic < i1; ic += MC) {
        int mc = imin(MC, i1 - ic);
        pack_a(Ap, g->A, g->lda, g->trans_a, ic, mc, pc, kc);
        for (int jr = 0; jr < nc; jr += NR) {
          int nr = imin(NR, nc - jr);
          for (int ir = 0; ir < mc; ir += MR) {
            float *c = g->C + (int64_t)(ic + ir) * g->ldc + jc + jr;
            epilogue tile_ep;
            const epilogue *ep = NULL;
            if (last && g->ep) {
              tile_ep = *g->ep;
              if (tile_ep.bias) tile_ep.bias += jc + jr;
              ep = &tile_ep;
            }
            micro_kernel(kc, Ap + (int64_t)ir * kc, Bp + (int64_t)jr * kc, c, g->ldc,
                         imin(MR, mc - ir), nr, g->alpha, beta, ep);
          }
        }
      }
    }
  }
}

// ------------------------------------------------------------ thread split
typedef struct {
  const gemm_args *g;
  int parts, by_rows;
} split_job;

static void run_part(void *ctx, int part) {
  const split_job *s = ctx;
  const gemm_args *g = s->g;
  int total = s->by_rows ? g->M : g->N, unit = s->by_rows ? MR : NR;
  int units = (total + unit - 1) / unit;
  int lo = (int)((int64_t)units * part / s->parts) * unit;
  int hi = imin(total, (int)((int64_t)units * (part + 1) / s->parts) * unit);
  if (lo >= hi) return;
  if (s->by_rows) gemm_block(g, lo, hi, 0, g->N);
  else gemm_block(g, 0, g->M, lo, hi);
}

// C = beta * C over the M x N block (beta == 0: C is not read), for K == 0
// or alpha == 0 as BLAS defines them (Inf / NaN in A or B do not reach C).
static void scale_only(const gemm_args *g) {
  for (int i = 0; i < g->M; i++) {
    float *c = g->C + (int64_t)i * g->ldc;
    for (int j = 0; j < g->N; j++) c[j] = g->beta == 0.0f ? 0.0f : g->beta * c[j];
  }
}

// ------------------------------------------------------- narrow products
// N <= SMALL_N columns (a flow's 256 -> 2 output layer, the weight gradient
// of its 2 -> 256 input layer) would use 2 of a tile's 32 columns: 16x the
// work. Two layouts have a direct form; the others take the tiled path.
enum { SMALL_N = 4 };

static inline float finish(float acc, const gemm_args *g, int64_t ci, int j) {
  float v = g->alpha * acc;
  if (g->beta != 0.0f) v += g->beta * g->C[ci];
  if (g->ep) {
    if (g->ep->bias) v += g->ep->bias[j];
    if (g->ep->act == LT_ACT_RELU) v = v < 0.0f ? 0.0f : v;
    else if (g->ep->act == LT_ACT_LEAKY_RELU) v = v > 0.0f ? v : g->ep->slope * v;
  }
  return v;
}

// op(A) = A (M, K) and op(B) = B^T with B (N, K): both rows run along K, so
// each C[i, j] is a dot product.
static void narrow_nt(const gemm_args *g) {
  int K = g->K;
  for (int i = 0; i < g->M; i++) {
    const float *a = g->A + (int64_t)i * g->lda;
    __m512 acc[SMALL_N];
    for (int j = 0; j < SMALL_N; j++) acc[j] = _mm512_setzero_ps();
    for (int k = 0; k < K; k += 16) {
      __mmask16 m = lanes(K - k);
      __m512 va = _mm512_maskz_loadu_ps(m, a + k);
      for (int j = 0; j < g->N; j++)
        acc[j] = _mm512_fmadd_ps(va, _mm512_maskz_loadu_ps(m, g->B + (int64_t)j * g->ldb + k), acc[j]);
    }
    for (int j = 0; j < g->N; j++) {
      int64_t ci = (int64_t)i * g->ldc + j;
      g->C[ci] = finish(_mm512_reduce_add_ps(acc[j]), g, ci, j);
    }
  }
}

// op(A) = A^T with A (K, M) and op(B) = B (K, N): for each k, a row of A
// (contiguous over i) times the N scalars of B's row k; 64 rows of C at a time.
static void narrow_tn(const gemm_args *g) {
  for (int i0 = 0; i0 < g->M; i0 += 64) {
    int mi = imin(64, g->M - i0);
    __mmask16 m[4];
    for (int q = 0; q < 4; q++) m[q] = lanes(mi - 16 * q);
    __m512 acc[SMALL_N][4];
    for (int j = 0; j < SMALL_N; j++)
      for (int q = 0; q < 4; q++) acc[j][q] = _mm512_setzero_ps();
    for (int k = 0; k < g->K; k++) {
      const float *a = g->A + (int64_t)k * g->lda + i0;
      __m512 va[4];
      for (int q = 0; q < 4; q++) va[q] = m[q] ? _mm512_maskz_loadu_ps(m[q], a + 16 * q) : _mm512_setzero_ps();
      for (int j = 0; j < g->N; j++) {
        __m512 b = _mm512_set1_ps(g->B[(int64_t)k * g->ldb + j]);
        for (int q = 0; q < 4; q++) acc[j][q] = _mm512_fmadd_ps(va[q], b, acc[j][q]);
      }
    }
    float out[64];
    for (int j = 0; j < g->N; j++) {
      for (int q = 0; q < 4; q++) _mm512_storeu_ps(out + 16 * q, acc[j][q]);
      for (int t = 0; t < mi; t++) {
        int64_t ci = (int64_t)(i0 + t) * g->ldc + j;
        g->C[ci] = finish(out[t], g, ci, j);
      }
    }
  }
}

static void run(gemm_args g) {
  int M = g.M, N = g.N, K = g.K;
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || g.alpha == 0.0f) {
    scale_only(&g);
    return;
  }
  if (N <= SMALL_N && !g.trans_a && g.trans_b) { narrow_nt(&g); return; }
  if (N <= SMALL_N && g.trans_a && !g.trans_b) { narrow_tn(&g); return; }
  // Below ~1 MFLOP the hand-over to a helper costs more than it saves.
  int threads = lt_threads();
  double flops = 2.0 * M * N * K;
  int row_units = (M + MR - 1) / MR, col_units = (N + NR - 1) / NR;
  int by_rows = row_units >= col_units;
  int units = by_rows ? row_units : col_units;
  int parts = imin(threads, units);
  if (flops < 1e6 || parts < 2) {
    gemm_block(&g, 0, M, 0, N);
    return;
  }
  split_job s = {&g, parts, by_rows};
  lt_parallel_for(parts, run_part, &s);
}

void lt_sgemm_f32_avx512(int trans_a, int trans_b, int M, int N, int K, float alpha,
                         const float *A, int lda, const float *B, int ldb, float beta,
                         float *C, int ldc) {
  run((gemm_args){trans_a, trans_b, M, N, K, alpha, beta, A, B, lda, ldb, ldc, C, NULL});
}

void lt_sgemm_bias_act_f32_avx512(int trans_a, int trans_b, int M, int N, int K, const float *A, int lda,
                                  const float *B, int ldb, const float *bias, lt_act act, float slope,
                                  float *C, int ldc) {
  epilogue ep = {bias, (int)act, slope};
  if (K == 0) {  // no K slice to end on: C = act(bias)
    for (int i = 0; i < M; i++)
      for (int j = 0; j < N; j++) {
        float v = bias ? bias[j] : 0.0f;
        C[(int64_t)i * ldc + j] = act == LT_ACT_RELU ? (v < 0 ? 0 : v) : act == LT_ACT_LEAKY_RELU && !(v > 0) ? slope * v : v;
      }
    return;
  }
  run((gemm_args){trans_a, trans_b, M, N, K, 1.0f, 0.0f, A, B, lda, ldb, ldc, C, &ep});
}

#pragma clang attribute pop
#endif
