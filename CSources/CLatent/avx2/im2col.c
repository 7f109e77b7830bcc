// im2col.c — AVX2 im2col / col2im: the loops of ref/im2col.c with the row
// moves vectorised (stride 1: plain loads; stride 2: load 16, keep the even
// lanes / interleave with zeros). Pure data movement and one add per element
// in col2im, so results equal the reference bit for bit.
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)

#include <immintrin.h>
#include <string.h>

#include "../internal.h"

static inline void valid_range(int *lo, int *hi, int n_out, int s, int p, int k, int W) {
  int a = p - k, b = W + p - k;
  int l = a <= 0 ? 0 : (a + s - 1) / s;
  int h = b <= 0 ? 0 : (b + s - 1) / s;
  if (h > n_out) h = n_out;
  if (l > h) l = h;
  *lo = l;
  *hi = h;
}

// Lanes [0, k) on (k clamped to [0, 8]): masked loads never touch the others.
static inline __m256i first_lanes(int k) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(k), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// Even lanes of s[0..16) packed into 8; the span is s[0, n) with masked loads.
static inline __m256 evens(const float *s, int n) {
  __m256 a, b;
  if (n >= 16) { a = _mm256_loadu_ps(s); b = _mm256_loadu_ps(s + 8); }
  else { a = _mm256_maskload_ps(s, first_lanes(n)); b = _mm256_maskload_ps(s + 8, first_lanes(n - 8)); }
  __m256 e = _mm256_shuffle_ps(a, b, 0x88);  // a0 a2 b0 b2 | a4 a6 b4 b6
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), 0xD8));
}

// d[ox] = s[2 ox] for ox in [lo, hi). Only s[2 lo .. 2 hi - 2] is read (the
// row may end, and the buffer with it, right after): full vectors while
// 2 ox + 15 <= 2 hi - 2, then one masked step.
static inline void gather2(float *d, const float *s, int lo, int hi) {
  int ox = lo;
  for (; ox + 8 < hi; ox += 8) _mm256_storeu_ps(d + ox, evens(s + 2 * ox, 16));
  int r = hi - ox;
  if (r > 0) _mm256_maskstore_ps(d + ox, first_lanes(r), evens(s + 2 * ox, 2 * r - 1));
}

// d[2 ox] += s[ox] for ox in [lo, hi); touches only d[2 lo .. 2 hi - 2].
static inline void scatter_add2(float *d, const float *s, int lo, int hi) {
  const __m256 z = _mm256_setzero_ps();
  for (int ox = lo; ox < hi; ox += 8) {
    int r = hi - ox < 8 ? hi - ox : 8, n = 2 * r - 1;  // outputs here, span of d touched
    __m256 v = r == 8 ? _mm256_loadu_ps(s + ox) : _mm256_maskload_ps(s + ox, first_lanes(r));
    __m256 l = _mm256_unpacklo_ps(v, z), h = _mm256_unpackhi_ps(v, z);  // s0 0 s1 0 | s4 0 s5 0 ; s2 0 s3 0 | s6 0 s7 0
    __m256 first = _mm256_permute2f128_ps(l, h, 0x20), second = _mm256_permute2f128_ps(l, h, 0x31);
    float *q = d + 2 * ox;
    if (n >= 16) {
      _mm256_storeu_ps(q, _mm256_add_ps(_mm256_loadu_ps(q), first));
      _mm256_storeu_ps(q + 8, _mm256_add_ps(_mm256_loadu_ps(q + 8), second));
    } else {
      __m256i m0 = first_lanes(n), m1 = first_lanes(n - 8);
      _mm256_maskstore_ps(q, m0, _mm256_add_ps(_mm256_maskload_ps(q, m0), first));
      _mm256_maskstore_ps(q + 8, m1, _mm256_add_ps(_mm256_maskload_ps(q + 8, m1), second));
    }
  }
}

void lt_im2col_f32_avx2(float *col, const float *im, int64_t ld, int C, int H,
                        int W, int kh, int kw, int sh, int sw, int ph, int pw,
                        int oh, int ow) {
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
          const float *s = plane + (int64_t)iy * W + kj - pw;
          for (int ox = 0; ox < lo; ox++) d[ox] = 0.0f;
          if (sw == 1) memcpy(d + lo, s + lo, sizeof(float) * (size_t)(hi - lo));
          else if (sw == 2) gather2(d, s, lo, hi);
          else for (int ox = lo; ox < hi; ox++) d[ox] = s[(int64_t)ox * sw];
          for (int ox = hi; ox < ow; ox++) d[ox] = 0.0f;
        }
      }
  }
}

void lt_col2im_f32_avx2(float *im, const float *col, int64_t ld, int C, int H,
                        int W, int kh, int kw, int sh, int sw, int ph, int pw,
                        int oh, int ow) {
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
          if (sw == 1)
            for (int ox = lo; ox < hi; ox++) d[ox] += s[ox];
          else if (sw == 2) scatter_add2(d, s, lo, hi);
          else for (int ox = lo; ox < hi; ox++) d[(int64_t)ox * sw] += s[ox];
        }
      }
  }
}

#pragma clang attribute pop
#endif
