// conv.c — 2-D convolution (PyTorch Conv2d semantics: cross-correlation,
// zero padding) through im2col + lt_sgemm.
//
// Two variants with one interface:
//   * *_ref: one image at a time, the naive branchy im2col (the reference twin);
//   * the default: images in chunks of `nb` (lt_conv2d_chunk), one GEMM per
//     chunk over a col buffer (C*kh*kw, nb*oh*ow), and the dispatched im2col /
//     col2im that move whole row runs (ref/im2col.c, avx2/im2col.c). A per-image
//     GEMM with oh*ow = 16 columns runs far below BLAS speed; a chunk gives
//     GEMMs with hundreds to thousands of columns.
// LATENT_ISA=ref routes the public entry points to the reference twin.
// Backward: dx WRITTEN, dw and dbias ACCUMULATED.
#include <string.h>

#include "internal.h"

// ---------------------------------------------------------------- reference

static void im2col_ref(float *col,      // (C*kh*kw, oh*ow)
                       const float *im, // (C, H, W)
                       int C, int H, int W, int kh, int kw, int sh, int sw,
                       int ph, int pw, int oh, int ow) {
  for (int c = 0; c < C; c++)
    for (int ki = 0; ki < kh; ki++)
      for (int kj = 0; kj < kw; kj++) {
        float *dst = col + ((int64_t)(c * kh + ki) * kw + kj) * oh * ow;
        for (int oy = 0; oy < oh; oy++) {
          int iy = oy * sh - ph + ki;
          for (int ox = 0; ox < ow; ox++) {
            int ix = ox * sw - pw + kj;
            int inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
            dst[oy * ow + ox] = inside ? im[((int64_t)c * H + iy) * W + ix] : 0.0f;
          }
        }
      }
}

static void col2im_ref(float *im,        // (C, H, W), accumulated
                       const float *col, // (C*kh*kw, oh*ow)
                       int C, int H, int W, int kh, int kw, int sh, int sw,
                       int ph, int pw, int oh, int ow) {
  for (int c = 0; c < C; c++)
    for (int ki = 0; ki < kh; ki++)
      for (int kj = 0; kj < kw; kj++) {
        const float *src = col + ((int64_t)(c * kh + ki) * kw + kj) * oh * ow;
        for (int oy = 0; oy < oh; oy++) {
          int iy = oy * sh - ph + ki;
          if (iy < 0 || iy >= H) continue;
          for (int ox = 0; ox < ow; ox++) {
            int ix = ox * sw - pw + kj;
            if (ix >= 0 && ix < W) im[((int64_t)c * H + iy) * W + ix] += src[oy * ow + ox];
          }
        }
      }
}

void lt_conv2d_forward_f32_ref(float *y, const float *x, const float *w,
                               const float *_Nullable bias, float *work, int N,
                               int C, int H, int W, int O, int kh, int kw,
                               int sh, int sw, int ph, int pw, int oh, int ow) {
  int ckk = C * kh * kw, ohow = oh * ow;
  for (int n = 0; n < N; n++) {
    const float *xn = x + (int64_t)n * C * H * W;
    float *yn = y + (int64_t)n * O * ohow;
    im2col_ref(work, xn, C, H, W, kh, kw, sh, sw, ph, pw, oh, ow);
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
      im2col_ref(work, x + (int64_t)n * C * H * W, C, H, W, kh, kw, sh, sw, ph,
                 pw, oh, ow);
      lt_sgemm(0, 1, O, ckk, ohow, 1.0f, dyn, ohow, work, ohow, 1.0f, dw, ckk);
    }
    if (dx) {
      // dcol(ckk, ohow) = w(O, ckk)^T dy_n(O, ohow), then scatter back.
      float *dxn = dx + (int64_t)n * C * H * W;
      lt_sgemm(1, 0, ckk, ohow, O, 1.0f, w, ckk, dyn, ohow, 0.0f, work, ohow);
      memset(dxn, 0, sizeof(float) * (size_t)C * H * W);
      col2im_ref(dxn, work, C, H, W, kh, kw, sh, sw, ph, pw, oh, ow);
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

// Col + output buffer budget per chunk (floats): 256 KB stays in L2 between
// im2col and the GEMM's packing. Measured on W3 at 1 thread (steps/s, loaded
// machine): 8 MB 11.3-12.4, 1 MB 11.9-13.1, 256 KB 13.3-13.8, 64 KB 12.5-13.4.
enum { CHUNK_BUDGET = 1 << 16 };

int lt_conv2d_chunk(int N, int C, int O, int kh, int kw, int oh, int ow) {
  if (N <= 1) return N < 1 ? 1 : N;
  int64_t per = ((int64_t)C * kh * kw + O) * oh * ow;
  int64_t most = per > 0 ? CHUNK_BUDGET / per : N;
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

static int use_ref(void) { return lt_kernels()->isa == LT_ISA_REF; }

void lt_conv2d_forward_f32(float *y,       // (N, O, oh, ow)
                           const float *x, // (N, C, H, W)
                           const float *w, // (O, C, kh, kw)
                           const float *_Nullable bias, // (O)
                           float *work, // lt_conv2d_workspace floats
                           int N, int C, int H, int W, int O, int kh, int kw,
                           int sh, int sw, int ph, int pw, int oh, int ow) {
  if (use_ref()) {
    lt_conv2d_forward_f32_ref(y, x, w, bias, work, N, C, H, W, O, kh, kw, sh, sw, ph, pw, oh, ow);
    return;
  }
  int ckk = C * kh * kw, ohow = oh * ow;
  int nb = lt_conv2d_chunk(N, C, O, kh, kw, oh, ow);
  for (int n0 = 0; n0 < N; n0 += nb) {
    int m = N - n0 < nb ? N - n0 : nb;
    int64_t ld = (int64_t)m * ohow;
    float *col = work;                           // (ckk, m*ohow)
    float *out = work + (int64_t)ckk * ld;       // (O, m*ohow)
    if (m == 1) out = y + (int64_t)n0 * O * ohow;  // already (O, ohow)
    for (int i = 0; i < m; i++)
      lt_im2col_f32(col + (int64_t)i * ohow, x + (int64_t)(n0 + i) * C * H * W, ld, C, H, W, kh, kw, sh, sw, ph, pw, oh, ow);
    // out(O, m*ohow) = w(O, ckk) col(ckk, m*ohow)
    lt_sgemm(0, 0, O, (int)ld, ckk, 1.0f, w, ckk, col, (int)ld, 0.0f, out, (int)ld);
    // (O, m, ohow) -> (m, O, ohow), adding the bias on the way.
    for (int i = 0; i < m; i++)
      for (int o = 0; o < O; o++) {
        float *d = y + ((int64_t)(n0 + i) * O + o) * ohow;
        const float *s = out + (int64_t)o * ld + (int64_t)i * ohow;
        float b = bias ? bias[o] : 0.0f;
        if (s != d) for (int p = 0; p < ohow; p++) d[p] = s[p] + b;
        else if (bias) for (int p = 0; p < ohow; p++) d[p] += b;
      }
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
  if (use_ref()) {
    lt_conv2d_backward_f32_ref(dx, dw, dbias, dy, x, w, work, N, C, H, W, O, kh, kw, sh, sw, ph, pw, oh, ow);
    return;
  }
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
    else
      for (int i = 0; i < m; i++)
        for (int o = 0; o < O; o++)
          memcpy(g + (int64_t)o * ld + (int64_t)i * ohow, dy + ((int64_t)(n0 + i) * O + o) * ohow,
                 sizeof(float) * (size_t)ohow);
    if (dw && x) {
      for (int i = 0; i < m; i++)
        lt_im2col_f32(col + (int64_t)i * ohow, x + (int64_t)(n0 + i) * C * H * W, ld, C, H, W, kh, kw, sh, sw, ph, pw, oh, ow);
      // dw(O, ckk) += g(O, m*ohow) col(ckk, m*ohow)^T
      lt_sgemm(0, 1, O, ckk, (int)ld, 1.0f, gt, (int)ld, col, (int)ld, 1.0f, dw, ckk);
    }
    if (dx) {
      // dcol(ckk, m*ohow) = w(O, ckk)^T g(O, m*ohow), then scatter back per image.
      lt_sgemm(1, 0, ckk, (int)ld, O, 1.0f, w, ckk, gt, (int)ld, 0.0f, col, (int)ld);
      for (int i = 0; i < m; i++) {
        float *dxn = dx + (int64_t)(n0 + i) * C * H * W;
        memset(dxn, 0, sizeof(float) * (size_t)C * H * W);
        lt_col2im_f32(dxn, col + (int64_t)i * ohow, ld, C, H, W, kh, kw, sh, sw, ph, pw, oh, ow);
      }
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
  if (use_ref()) {
    if (dx) lt_conv2d_forward_f32_ref(dx, dy, w, NULL, work, N, C, H, W, O, kh, kw, sh, sw, ph, pw, oh, ow);
    // As a conv's backward with "output gradient" x and "input" dy.
    if (dw) lt_conv2d_backward_f32_ref(NULL, dw, NULL, x, dy, w, work, N, C, H, W, O, kh, kw, sh, sw, ph, pw, oh, ow);
    return;
  }
  if (!dx && !dw) return;
  int ckk = C * kh * kw, ohow = oh * ow;
  int nb = lt_conv2d_chunk(N, C, O, kh, kw, oh, ow);
  for (int n0 = 0; n0 < N; n0 += nb) {
    int m = N - n0 < nb ? N - n0 : nb;
    int64_t ld = (int64_t)m * ohow;
    float *col = work;                       // (ckk, m*ohow)
    float *buf = work + (int64_t)ckk * ld;   // (O, m*ohow)
    for (int i = 0; i < m; i++)
      lt_im2col_f32(col + (int64_t)i * ohow, dy + (int64_t)(n0 + i) * C * H * W, ld, C, H, W, kh, kw, sh, sw, ph, pw, oh, ow);
    if (dx) {
      float *out = m == 1 ? dx + (int64_t)n0 * O * ohow : buf;
      lt_sgemm(0, 0, O, (int)ld, ckk, 1.0f, w, ckk, col, (int)ld, 0.0f, out, (int)ld);
      if (m > 1)
        for (int i = 0; i < m; i++)
          for (int o = 0; o < O; o++)
            memcpy(dx + ((int64_t)(n0 + i) * O + o) * ohow, buf + (int64_t)o * ld + (int64_t)i * ohow,
                   sizeof(float) * (size_t)ohow);
    }
    if (dw) {
      const float *xt = buf;
      if (m == 1) xt = x + (int64_t)n0 * O * ohow;
      else
        for (int i = 0; i < m; i++)
          for (int o = 0; o < O; o++)
            memcpy(buf + (int64_t)o * ld + (int64_t)i * ohow, x + ((int64_t)(n0 + i) * O + o) * ohow,
                   sizeof(float) * (size_t)ohow);
      lt_sgemm(0, 1, O, ckk, (int)ld, 1.0f, xt, (int)ld, col, (int)ld, 1.0f, dw, ckk);
    }
  }
}
