// probe.c — a floating-point throughput probe for the benchmark harness: the
// machine's measured FMA peak is the yardstick GEMM rates are reported against
// (measured rather than assumed from a nominal clock).
#include "latent_kernels.h"

#if defined(__x86_64__)
double lt_fma_probe_avx2(int64_t iterations, float *sink);    // avx2/probe.c
double lt_fma_probe_avx512(int64_t iterations, float *sink);  // avx512/probe.c
#endif

static double probe_scalar(int64_t iterations, float *sink) {
  float a0 = 1, a1 = 1, a2 = 1, a3 = 1, a4 = 1, a5 = 1, a6 = 1, a7 = 1;
  for (int64_t i = 0; i < iterations; i++) {
    a0 = a0 * 0.999999f + 1e-7f; a1 = a1 * 0.999999f + 1e-7f;
    a2 = a2 * 0.999999f + 1e-7f; a3 = a3 * 0.999999f + 1e-7f;
    a4 = a4 * 0.999999f + 1e-7f; a5 = a5 * 0.999999f + 1e-7f;
    a6 = a6 * 0.999999f + 1e-7f; a7 = a7 * 0.999999f + 1e-7f;
  }
  *sink = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
  return (double)iterations * 8.0 * 2.0;
}

double lt_fma_probe(int64_t iterations, float *sink) {
#if defined(__x86_64__)
  if (lt_kernels()->isa == LT_ISA_AVX2) return lt_fma_probe_avx2(iterations, sink);
#endif
  return probe_scalar(iterations, sink);
}

double lt_fma_probe_wide(int64_t iterations, float *sink) {
#if defined(__x86_64__)
  if (lt_use_own_gemm()) return lt_fma_probe_avx512(iterations, sink);
#endif
  return lt_fma_probe(iterations, sink);
}
