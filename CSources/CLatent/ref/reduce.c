// reduce.c — reference reduction over the middle axis of x(outer, n, inner).
// Sums accumulate in double so this is the accurate oracle.
// Empty reductions: sum 0, mean NaN, max -inf, logsumexp -inf.
#include <math.h>

#include "../internal.h"

void lt_reduce_f32_ref(float *out,     // (outer, inner)
                       const float *x, // (outer, n, inner)
                       int64_t outer, int64_t n, int64_t inner,
                       lt_reduce_op op) {
  for (int64_t o = 0; o < outer; o++) {
    for (int64_t j = 0; j < inner; j++) {
      const float *p = x + o * n * inner + j;
      float r;
      if (op == LT_RED_SUM || op == LT_RED_MEAN) {
        double s = 0.0;
        for (int64_t k = 0; k < n; k++) s += p[k * inner];
        r = (float)(op == LT_RED_MEAN ? s / (double)n : s);
      } else {
        float m = -INFINITY;
        for (int64_t k = 0; k < n; k++) {
          float v = p[k * inner];
          if (v > m || isnan(v)) m = v;
          if (isnan(m)) break; // NaN is sticky
        }
        if (op == LT_RED_MAX || !isfinite(m)) {
          r = m; // logsumexp of all -inf is -inf; of any +inf is +inf
        } else {
          double s = 0.0;
          for (int64_t k = 0; k < n; k++) s += exp((double)p[k * inner] - m);
          r = (float)(m + log(s));
        }
      }
      out[o * inner + j] = r;
    }
  }
}
