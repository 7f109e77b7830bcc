// conv.c — 2-D convolution (PyTorch Conv2d semantics: cross-correlation,
// zero padding) as im2col + lt_sgemm, one image at a time.
// Backward: dx WRITTEN, dw and dbias ACCUMULATED.
#include <string.h>

#include "internal.h"

void lt_im2col_f32(float *col,      // (C*kh*kw, oh*ow)
                   const float *im, // (C, H, W)
                   int C, int H, int W, int kh, int kw, int sh, int sw, int ph,
                   int pw, int oh, int ow) {
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

void lt_col2im_f32(float *im,        // (C, H, W), accumulated
                   const float *col, // (C*kh*kw, oh*ow)
                   int C, int H, int W, int kh, int kw, int sh, int sw, int ph,
                   int pw, int oh, int ow) {
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

int64_t lt_conv2d_workspace(int C, int kh, int kw, int oh, int ow) {
  return (int64_t)C * kh * kw * oh * ow;
}

void lt_conv2d_forward_f32(float *y,       // (N, O, oh, ow)
                           const float *x, // (N, C, H, W)
                           const float *w, // (O, C, kh, kw)
                           const float *_Nullable bias, // (O)
                           float *work, // (C*kh*kw, oh*ow)
                           int N, int C, int H, int W, int O, int kh, int kw,
                           int sh, int sw, int ph, int pw, int oh, int ow) {
  int ckk = C * kh * kw, ohow = oh * ow;
  for (int n = 0; n < N; n++) {
    const float *xn = x + (int64_t)n * C * H * W;
    float *yn = y + (int64_t)n * O * ohow;
    lt_im2col_f32(work, xn, C, H, W, kh, kw, sh, sw, ph, pw, oh, ow);
    // y_n(O, ohow) = w(O, ckk) col(ckk, ohow)
    lt_sgemm(0, 0, O, ohow, ckk, 1.0f, w, ckk, work, ohow, 0.0f, yn, ohow);
    if (bias)
      for (int o = 0; o < O; o++)
        for (int p = 0; p < ohow; p++) yn[(int64_t)o * ohow + p] += bias[o];
  }
}

void lt_conv2d_backward_f32(float *_Nullable dx,    // (N, C, H, W), written
                            float *_Nullable dw,    // (O, C, kh, kw), accumulated
                            float *_Nullable dbias, // (O), accumulated
                            const float *dy,        // (N, O, oh, ow)
                            const float *x,         // (N, C, H, W)
                            const float *w,         // (O, C, kh, kw)
                            float *work,            // (C*kh*kw, oh*ow)
                            int N, int C, int H, int W, int O, int kh, int kw,
                            int sh, int sw, int ph, int pw, int oh, int ow) {
  int ckk = C * kh * kw, ohow = oh * ow;
  for (int n = 0; n < N; n++) {
    const float *dyn = dy + (int64_t)n * O * ohow;
    if (dbias)
      for (int o = 0; o < O; o++) {
        float s = 0.0f;
        for (int p = 0; p < ohow; p++) s += dyn[(int64_t)o * ohow + p];
        dbias[o] += s;
      }
    if (dw) {
      // dw(O, ckk) += dy_n(O, ohow) col(ckk, ohow)^T
      lt_im2col_f32(work, x + (int64_t)n * C * H * W, C, H, W, kh, kw, sh, sw,
                    ph, pw, oh, ow);
      lt_sgemm(0, 1, O, ckk, ohow, 1.0f, dyn, ohow, work, ohow, 1.0f, dw, ckk);
    }
    if (dx) {
      // dcol(ckk, ohow) = w(O, ckk)^T dy_n(O, ohow), then scatter back.
      float *dxn = dx + (int64_t)n * C * H * W;
      lt_sgemm(1, 0, ckk, ohow, O, 1.0f, w, ckk, dyn, ohow, 0.0f, work, ohow);
      memset(dxn, 0, sizeof(float) * (size_t)C * H * W);
      lt_col2im_f32(dxn, work, C, H, W, kh, kw, sh, sw, ph, pw, oh, ow);
    }
  }
}
