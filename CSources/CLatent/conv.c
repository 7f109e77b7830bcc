// conv.c — 2-D convolution (PyTorch Conv2d semantics: cross-correlation,
// zero padding) through im2col + lt_sgemm.
//
// Two variants with one interface:
//   * *_ref: one image at a time with the portable im2col / col2im, no chunks,
//     no threads (the reference twin the parity tests compare against);
//   * the entry points every ISA runs: images in chunks of `nb`
//     (lt_conv2d_chunk), one GEMM per chunk over a col buffer
//     (C*kh*kw, nb*oh*ow), and the dispatched im2col / col2im that move whole
//     row runs (ref/im2col.c under LATENT_ISA=ref and on arm64, avx2/im2col.c).
//     A per-image GEMM with oh*ow = 16 columns runs far below BLAS speed; a
//     chunk gives GEMMs with hundreds to thousands of columns.
// Backward: dx WRITTEN, dw and dbias ACCUMULATED.
#include <string.h>

#include "internal.h"

// ---------------------------------------------------------------- reference

// The reference twin: one image at a time, the portable im2col / col2im of
// ref/im2col.c (the same kernels LATENT_ISA=ref dispatches to), and no chunking
// or threads, so the chunked, threaded path below has an independent check.

void lt_conv2d_forward_f32_ref(float *y, const float *x, const float *w,
                               const float *_Nullable bias, float *work, int N,
                               int C, int H, int W, int O, int kh, int kw,
                               int sh, int sw, int ph, int pw, int oh, int ow) {
  int ckk = C * kh * kw, ohow = oh * ow;
  for (int n = 0; n < N; n++) {
    const float *xn = x + (int64_t)n * C * H * W;
    float *yn = y + (int64_t)n * O * ohow;
    lt_im2col_f32_ref(work, xn, ohow, C, H, W, kh, kw, sh, sw, ph, pw, oh, ow);
    // y_n(O, ohow) = w(O, ckk) col(ckk, ohow)
    lt_sgemm(0, 0, O, ohow, ckk, 1.0f, w, ckk, work, ohow, 0.0f, yn, ohow);
    if (bias)
      for (int o = 0; o < O; o++)
        for (int p = 0; p < ohow; p++) yn[(int64_t)o * ohow + p] += bias[o];
  }
}

void lt_conv2d_backward_f32_ref(float *_Nullable dx, float *_Nullable dw,
                                float *_Nullable dbias, const float *dy,
                                const float *_Nullable x, const float *w,
                                float *work, int N, int C, int H, int W, int O,
                                int kh, int kw, int sh, int sw, int ph, int pw,
                                int oh, int ow) {
  int ckk = C * kh * kw, ohow = oh * ow;
  for (int n = 0; n < N; n++) {
    const float *dyn = dy + (int64_t)n * O * ohow;
    if (dbias)
      for (int o = 0; o < O; o++) {
        float s = 0.0f;
        for (int p = 0; p < ohow; p++) s += dyn[(int64_t)o * ohow + p];
        dbias[o] += s;
      }
    if (dw && x) {
      // dw(O, ckk) += dy_n(O, ohow) col(ckk, ohow)^T
      lt_im2col_f32_ref(work, x + (int64_t)n * C * H * W, ohow, C, H, W, kh, kw, sh, sw, ph, pw, oh, ow);
      lt_sgemm(0, 1, O, ckk, ohow, 1.0f, dyn, ohow, work, ohow, 1.0f, dw, ckk);
    }
    if (dx) {
      // dcol(ckk, ohow) = w(O, ckk)^T dy_n(O, ohow), then scatter back.
      float *dxn = dx + (int64_t)n * C * H * W;
      lt_sgemm(1, 0, ckk, ohow, O, 1.0f, w, ckk, dyn, ohow, 0.0f, work, ohow);
      memset(dxn, 0, sizeof(float) * (size_t)C * H * W);
      lt_col2im_f32_ref(dxn, work, ohow, C, H, W, kh, kw, sh, sw, ph, pw, oh, ow);
    }
  }
}

// ---------------------------------------------------------------- chunked

// The dispatched row-run im2col / col2im (ref/im2col.c, avx2/im2col.c).
void lt_im2col_f32(float *col, const float *im, int64_t ld, int C, int H,
                   int W, int kh, int kw, int sh, int sw, int ph, int pw,
                   int oh, int ow) {
  lt_kernels()->im2col(col, im, ld, C, H, W, kh, kw, sh, sw, ph, pw, oh, ow);
}

void lt_col2im_f32(float *im, const float *col, int64_t ld, int C, int H,
                   int W, int kh, int kw, int sh, int sw, int ph, int pw,
                   int oh, int ow) {
  lt_kernels()->col2im(im, col, ld, C, H, W, kh, kw, sh, sw, ph, pw, oh, ow);
}

// Per-image, per-channel work of a chunk (im2col, col2im, layout copies)
// split over the threads: the units are (image, channel) pairs, numbered
// image-major, cut into one contiguous range per thread; each range is handed
// to fn as runs of channels within one image. Runs write disjoint memory.
typedef void (*span_fn)(const void *ctx, int image, int c0, int c1);
typedef struct { span_fn fn; const void *ctx; int images, channels, parts; } span_job;

static void span_part(void *p, int part) {
  const span_job *j = p;
  int64_t units = (int64_t)j->images * j->channels;
  int64_t lo = units * part / j->parts, hi = units * (part + 1) / j->parts;
  while (lo < hi) {
    int image = (int)(lo / j->channels), c0 = (int)(lo % j->channels);
    int64_t end = (int64_t)image * j->channels + j->channels;
    int c1 = (int)((hi < end ? hi : end) - (int64_t)image * j->channels);
    j->fn(j->ctx, image, c0, c1);
    lo = (int64_t)image * j->channels + c1;
  }
}

// work: floats touched in all, to keep small layers on one thread.
static void for_spans(int images, int channels, int64_t work, span_fn fn, const void *ctx) {
  int t = lt_threads();
  int64_t units = (int64_t)images * channels;
  int parts = work < (1 << 15) || t < 2 ? 1 : (units < t ? (int)units : t);
  span_job j = {fn, ctx, images, channels, parts};
  if (parts < 2) { span_part(&j, 0); return; }
  lt_parallel_for(parts, span_part, &j);
}

// im2col of images [n0, n0 + m) of x(N, C, H, W) into col(C*kh*kw, m*oh*ow).
typedef struct {
  float *col; const float *x; int64_t ld; int n0, C, H, W, kh, kw, sh, sw, ph, pw, oh, ow;
} im2col_job;
static void im2col_span(const void *p, int i, int c0, int c1) {
  const im2col_job *j = p;
  int64_t ohow = (int64_t)j->oh * j->ow, kk = (int64_t)j->kh * j->kw;
  lt_im2col_f32(j->col + (int64_t)c0 * kk * j->ld + i * ohow,
                j->x + ((int64_t)(j->n0 + i) * j->C + c0) * j->H * j->W, j->ld, c1 - c0, j->H, j->W, j->kh, j->kw,
                j->sh, j->sw, j->ph, j->pw, j->oh, j->ow);
}
static void im2col_chunk(float *col, const float *x, int64_t ld, int n0, int m, int C, int H, int W, int kh, int kw,
                         int sh, int sw, int ph, int pw, int oh, int ow) {
  im2col_job j = {col, x, ld, n0, C, H, W, kh, kw, sh, sw, ph, pw, oh, ow};
  for_spans(m, C, (int64_t)C * kh * kw * ld, im2col_span, &j);
}

// dx images [n0, n0 + m) = col2im(col): channel planes zeroed, then accumulated.
static void col2im_span(const void *p, int i, int c0, int c1) {
  const im2col_job *j = p;
  int64_t ohow = (int64_t)j->oh * j->ow, kk = (int64_t)j->kh * j->kw, plane = (int64_t)j->H * j->W;
  float *dxn = (float *)j->x + ((int64_t)(j->n0 + i) * j->C + c0) * plane;
  memset(dxn, 0, sizeof(float) * (size_t)((c1 - c0) * plane));
  lt_col2im_f32(dxn, j->col + (int64_t)c0 * kk * j->ld + i * ohow, j->ld, c1 - c0, j->H, j->W, j->kh, j->kw, j->sh,
                j->sw, j->ph, j->pw, j->oh, j->ow);
}
static void col2im_chunk(float *dx, const float *col, int64_t ld, int n0, int m, int C, int H, int W, int kh, int kw,
                         int sh, int sw, int ph, int pw, int oh, int ow) {
  im2col_job j = {(float *)col, dx, ld, n0, C, H, W, kh, kw, sh, sw, ph, pw, oh, ow};
  for_spans(m, C, (int64_t)C * kh * kw * ld, col2im_span, &j);
}

// Layout moves between (m, O, ohow) images and an (O, m*ohow) GEMM operand,
// with an optional bias added on the way to the images.
typedef struct { float *dst; const float *src; const float *bias; int64_t ld, ohow; int n0, O, to_images; } move_job;
static void move_span(const void *p, int i, int o0, int o1) {
  const move_job *j = p;
  for (int o = o0; o < o1; o++) {
    float *img = (float *)(j->to_images ? j->dst : j->src) + ((int64_t)(j->n0 + i) * j->O + o) * j->ohow;
    float *mat = (float *)(j->to_images ? j->src : j->dst) + (int64_t)o * j->ld + (int64_t)i * j->ohow;
    if (!j->to_images) { memcpy(mat, img, sizeof(float) * (size_t)j->ohow); continue; }
    float b = j->bias ? j->bias[o] : 0.0f;
    if (mat != img) for (int64_t q = 0; q < j->ohow; q++) img[q] = mat[q] + b;
    else if (j->bias) for (int64_t q = 0; q < j->ohow; q++) img[q] += b;
  }
}
static void move_chunk(float *dst, const float *src, const float *bias, int64_t ld, int64_t ohow, int n0, int m, int O,
                       int to_images) {
  move_job j = {dst, src, bias, ld, ohow, n0, O, to_images};
  for_spans(m, O, (int64_t)O * ld, move_span, &j);
}

// Col + output buffer budget per chunk (floats): 256 KB stays in L2 between
// im2col and the GEMM's packing. Measured on W3 at 1 thread (steps/s, loaded
// machine, OpenBLAS): 8 MB 11.3-12.4, 1 MB 11.9-13.1, 256 KB 13.3-13.8, 64 KB
// 12.5-13.4. Deep layers with small outputs (W6's 8x8x128 and 4x4x256) got a
// single image per chunk that way, GEMMs 16-64 columns wide; a chunk now has
// at least MIN_COLS columns (W6 2.5 -> 3.2 steps/s at 1 thread with the own
// GEMM, W3 unchanged; 512 and more slowed W3), within MAX_FLOATS (16 MB).
enum { CHUNK_BUDGET = 1 << 16, MIN_COLS = 256, MAX_FLOATS = 1 << 22 };

int lt_conv2d_chunk(int N, int C, int O, int kh, int kw, int oh, int ow) {
  if (N <= 1) return N < 1 ? 1 : N;
  int64_t per = ((int64_t)C * kh * kw + O) * oh * ow;
  int64_t ohow = (int64_t)oh * ow;
  int64_t most = per > 0 ? CHUNK_BUDGET / per : N;
  if (ohow > 0 && most * ohow < MIN_COLS) most = (MIN_COLS + ohow - 1) / ohow;
  if (per > 0 && most > MAX_FLOATS / per) most = MAX_FLOATS / per;
  if (most < 1) most = 1;
  if (most >= N) return N;
  // Balance the chunks: ceil(N / ceil(N / most)).
  int64_t chunks = (N + most - 1) / most;
  return (int)((N + chunks - 1) / chunks);
}

int64_t lt_conv2d_workspace(int N, int C, int O, int kh, int kw, int oh, int ow) {
  int64_t ohow = (int64_t)oh * ow, ckk = (int64_t)C * kh * kw;
  int64_t nb = lt_conv2d_chunk(N, C, O, kh, kw, oh, ow);
  int64_t fast = (ckk + O) * nb * ohow;
  int64_t ref = ckk * ohow;  // the reference twin's need
  return fast > ref ? fast : ref;
}

void lt_conv2d_forward_f32(float *y,       // (N, O, oh, ow)
                           const float *x, // (N, C, H, W)
                           const float *w, // (O, C, kh, kw)
                           const float *_Nullable bias, // (O)
                           float *work, // lt_conv2d_workspace floats
                           int N, int C, int H, int W, int O, int kh, int kw,
                           int sh, int sw, int ph, int pw, int oh, int ow) {
  int ckk = C * kh * kw, ohow = oh * ow;
  int nb = lt_conv2d_chunk(N, C, O, kh, kw, oh, ow);
  for (int n0 = 0; n0 < N; n0 += nb) {
    int m = N - n0 < nb ? N - n0 : nb;
    int64_t ld = (int64_t)m * ohow;
    float *col = work;                           // (ckk, m*ohow)
    float *out = work + (int64_t)ckk * ld;       // (O, m*ohow)
    if (m == 1) out = y + (int64_t)n0 * O * ohow;  // already (O, ohow)
    im2col_chunk(col, x, ld, n0, m, C, H, W, kh, kw, sh, sw, ph, pw, oh, ow);
    // out(O, m*ohow) = w(O, ckk) col(ckk, m*ohow)
    lt_sgemm(0, 0, O, (int)ld, ckk, 1.0f, w, ckk, col, (int)ld, 0.0f, out, (int)ld);
    // (O, m, ohow) -> (m, O, ohow), adding the bias on the way.
    move_chunk(y, out, bias, ld, ohow, n0, m, O, 1);
  }
}

void lt_conv2d_backward_f32(float *_Nullable dx,    // (N, C, H, W), written
                            float *_Nullable dw,    // (O, C, kh, kw), accumulated
                            float *_Nullable dbias, // (O), accumulated
                            const float *dy,        // (N, O, oh, ow)
                            const float *_Nullable x, // (N, C, H, W); needed for dw
                            const float *w,         // (O, C, kh, kw)
                            float *work,            // lt_conv2d_workspace floats
                            int N, int C, int H, int W, int O, int kh, int kw,
                            int sh, int sw, int ph, int pw, int oh, int ow) {
  int ckk = C * kh * kw, ohow = oh * ow;
  if (dbias)
    for (int n = 0; n < N; n++)
      for (int o = 0; o < O; o++) {
        const float *s = dy + ((int64_t)n * O + o) * ohow;
        float acc = 0.0f;
        for (int p = 0; p < ohow; p++) acc += s[p];
        dbias[o] += acc;
      }
  if (!dx && !(dw && x)) return;
  int nb = lt_conv2d_chunk(N, C, O, kh, kw, oh, ow);
  for (int n0 = 0; n0 < N; n0 += nb) {
    int m = N - n0 < nb ? N - n0 : nb;
    int64_t ld = (int64_t)m * ohow;
    float *col = work;                       // (ckk, m*ohow)
    float *g = work + (int64_t)ckk * ld;     // (O, m*ohow): dy of the chunk, channels first
    const float *gt = g;
    if (m == 1) gt = dy + (int64_t)n0 * O * ohow;
    else move_chunk(g, dy, NULL, ld, ohow, n0, m, O, 0);
    if (dw && x) {
      im2col_chunk(col, x, ld, n0, m, C, H, W, kh, kw, sh, sw, ph, pw, oh, ow);
      // dw(O, ckk) += g(O, m*ohow) col(ckk, m*ohow)^T
      lt_sgemm(0, 1, O, ckk, (int)ld, 1.0f, gt, (int)ld, col, (int)ld, 1.0f, dw, ckk);
    }
    if (dx) {
      // dcol(ckk, m*ohow) = w(O, ckk)^T g(O, m*ohow), then scatter back per image.
      lt_sgemm(1, 0, ckk, (int)ld, O, 1.0f, w, ckk, gt, (int)ld, 0.0f, col, (int)ld);
      col2im_chunk(dx, col, ld, n0, m, C, H, W, kh, kw, sh, sw, ph, pw, oh, ow);
    }
  }
}

// The backward of a transposed convolution, written as the conv it is the
// adjoint of (geometry: conv from the transposed conv's output space): with
// dy(N, C, H, W) the transposed conv's output gradient and x(N, O, oh, ow) its
// input, dx = conv(dy, w) (WRITTEN) and dw += x . im2col(dy)^T (ACCUMULATED).
// One im2col of dy per chunk serves both GEMMs.
void lt_conv_transpose2d_backward_f32(float *_Nullable dx,     // (N, O, oh, ow)
                                      float *_Nullable dw,     // (O, C, kh, kw)
                                      const float *dy,         // (N, C, H, W)
                                      const float *x,          // (N, O, oh, ow)
                                      const float *w,          // (O, C, kh, kw)
                                      float *work, int N, int C, int H, int W,
                                      int O, int kh, int kw, int sh, int sw,
                                      int ph, int pw, int oh, int ow) {
  if (!dx && !dw) return;
  int ckk = C * kh * kw, ohow = oh * ow;
  int nb = lt_conv2d_chunk(N, C, O, kh, kw, oh, ow);
  for (int n0 = 0; n0 < N; n0 += nb) {
    int m = N - n0 < nb ? N - n0 : nb;
    int64_t ld = (int64_t)m * ohow;
    float *col = work;                       // (ckk, m*ohow)
    float *buf = work + (int64_t)ckk * ld;   // (O, m*ohow)
    im2col_chunk(col, dy, ld, n0, m, C, H, W, kh, kw, sh, sw, ph, pw, oh, ow);
    if (dx) {
      float *out = m == 1 ? dx + (int64_t)n0 * O * ohow : buf;
      lt_sgemm(0, 0, O, (int)ld, ckk, 1.0f, w, ckk, col, (int)ld, 0.0f, out, (int)ld);
      if (m > 1) move_chunk(dx, buf, NULL, ld, ohow, n0, m, O, 1);
    }
    if (dw) {
      const float *xt = buf;
      if (m == 1) xt = x + (int64_t)n0 * O * ohow;
      else move_chunk(buf, x, NULL, ld, ohow, n0, m, O, 0);
      lt_sgemm(0, 1, O, ckk, (int)ld, 1.0f, xt, (int)ld, col, (int)ld, 1.0f, dw, ckk);
    }
  }
}
