// im2col.c — portable im2col / col2im over row runs: for each kernel column
// kj the range of output columns that read inside the image is computed once
// ([lo, hi)), so the inner loops carry no bounds tests. The AVX2 twin
// (avx2/im2col.c) has the same loops with vector stride-2 row moves.
#include <string.h>

#include "../internal.h"

// Output columns ox whose input column ox*s - p + k lies in [0, W): [lo, hi).
static inline void valid_range(int *lo, int *hi, int n_out, int s, int p, int k, int W) {
  int a = p - k, b = W + p - k;
  int l = a <= 0 ? 0 : (a + s - 1) / s;
  int h = b <= 0 ? 0 : (b + s - 1) / s;
  if (h > n_out) h = n_out;
  if (l > h) l = h;
  *lo = l;
  *hi = h;
}

void lt_im2col_f32_ref(float *col,      // (C*kh*kw, ld), columns [0, oh*ow) written
                       const float *im, // (C, H, W)
                       int64_t ld, int C, int H, int W, int kh, int kw, int sh,
                       int sw, int ph, int pw, int oh, int ow) {
  for (int kj = 0; kj < kw; kj++) {
    int lo, hi;
    valid_range(&lo, &hi, ow, sw, pw, kj, W);
    for (int c = 0; c < C; c++)
      for (int ki = 0; ki < kh; ki++) {
        float *dst = col + (int64_t)((c * kh + ki) * kw + kj) * ld;
        const float *plane = im + (int64_t)c * H * W;
        for (int oy = 0; oy < oh; oy++) {
          float *d = dst + (int64_t)oy * ow;
          int iy = oy * sh - ph + ki;
          if (iy < 0 || iy >= H) {
            memset(d, 0, sizeof(float) * (size_t)ow);
            continue;
          }
          const float *s = plane + (int64_t)iy * W + kj - pw;  // s[ox*sw], ox in [lo, hi)
          for (int ox = 0; ox < lo; ox++) d[ox] = 0.0f;
          for (int ox = lo; ox < hi; ox++) d[ox] = s[(int64_t)ox * sw];
          for (int ox = hi; ox < ow; ox++) d[ox] = 0.0f;
        }
      }
  }
}

void lt_col2im_f32_ref(float *im,        // (C, H, W), ACCUMULATED
                       const float *col, // (C*kh*kw, ld)
                       int64_t ld, int C, int H, int W, int kh, int kw, int sh,
                       int sw, int ph, int pw, int oh, int ow) {
  for (int kj = 0; kj < kw; kj++) {
    int lo, hi;
    valid_range(&lo, &hi, ow, sw, pw, kj, W);
    for (int c = 0; c < C; c++)
      for (int ki = 0; ki < kh; ki++) {
        const float *src = col + (int64_t)((c * kh + ki) * kw + kj) * ld;
        float *plane = im + (int64_t)c * H * W;
        for (int oy = 0; oy < oh; oy++) {
          int iy = oy * sh - ph + ki;
          if (iy < 0 || iy >= H) continue;
          const float *s = src + (int64_t)oy * ow;
          float *d = plane + (int64_t)iy * W + kj - pw;
          for (int ox = lo; ox < hi; ox++) d[(int64_t)ox * sw] += s[ox];
        }
      }
  }
}
