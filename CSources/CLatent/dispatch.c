// dispatch.c — CPU detection and the kernel tables.
// The table is chosen once (pthread_once) from cpuid; LATENT_ISA=ref forces
// the portable reference kernels, LATENT_ISA=avx2 asks for AVX2 (falls back
// to ref when the CPU lacks it).
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

static const lt_kernel_table ref_table = {
    .isa = LT_ISA_REF,
    .name = "ref",
    .gemm_smallk = lt_gemm_smallk_f32_ref,
    .im2col = lt_im2col_f32_ref,
    .col2im = lt_col2im_f32_ref,
    .batchnorm_forward = lt_batchnorm_forward_f32_ref,
    .batchnorm_backward = lt_batchnorm_backward_f32_ref,
    .bias_act_forward = lt_bias_act_forward_f32_ref,
    .act_backward = lt_act_backward_f32_ref,
    .binary = lt_binary_f32_ref,
    .unary = lt_unary_f32_ref,
    .reduce = lt_reduce_f32_ref,
    .axpby = lt_axpby_f32_ref,
    .cov_forward = lt_cov_forward_f32_ref,
    .cov_backward = lt_cov_backward_f32_ref,
    .adam_step = lt_adam_step_f32_ref,
    .coupling_forward = lt_coupling_forward_f32_ref,
    .coupling_backward = lt_coupling_backward_f32_ref,
};

#if defined(__x86_64__)
static const lt_kernel_table avx2_table = {
    .isa = LT_ISA_AVX2,
    .name = "avx2+fma",
    .gemm_smallk = lt_gemm_smallk_f32_avx2,
    .im2col = lt_im2col_f32_avx2,
    .col2im = lt_col2im_f32_avx2,
    .batchnorm_forward = lt_batchnorm_forward_f32_avx2,
    .batchnorm_backward = lt_batchnorm_backward_f32_avx2,
    .bias_act_forward = lt_bias_act_forward_f32_avx2,
    .act_backward = lt_act_backward_f32_avx2,
    .binary = lt_binary_f32_avx2,
    .unary = lt_unary_f32_avx2,
    .reduce = lt_reduce_f32_avx2,
    .axpby = lt_axpby_f32_avx2,
    .cov_forward = lt_cov_forward_f32_avx2,
    .cov_backward = lt_cov_backward_f32_avx2,
    .adam_step = lt_adam_step_f32_avx2,
    .coupling_forward = lt_coupling_forward_f32_avx2,
    .coupling_backward = lt_coupling_backward_f32_avx2,
};
#endif

static int detect_avx2_fma(void) {
#if defined(__x86_64__)
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
  int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
  if (!(fma && osxsave && avx)) return 0;
  // The OS must save XMM (bit 1) and YMM (bit 2) state, else AVX faults.
  // Raw xgetbv so this file needs no -mxsave.
  unsigned lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  if ((lo & 6u) != 6u) return 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
  return (b >> 5) & 1; // AVX2
#else
  return 0;
#endif
}

static int detect_avx512(void);

// The one CPU detection and the one reading of LATENT_ISA / LATENT_GEMM, both
// done once; everything else asks these flags.
static pthread_once_t detect_once = PTHREAD_ONCE_INIT;
static pthread_once_t env_once = PTHREAD_ONCE_INIT;
static pthread_once_t choose_once = PTHREAD_ONCE_INIT;
static int has_avx2_fma, has_avx512;
static int env_wants_ref, env_wants_avx2, env_wants_blas;
static const lt_kernel_table *chosen = &ref_table;

static void detect(void) {
  has_avx2_fma = detect_avx2_fma();
  has_avx512 = detect_avx512();
}

static void read_env(void) {
  const char *isa = getenv("LATENT_ISA"), *gemm = getenv("LATENT_GEMM");
  env_wants_ref = isa && strcmp(isa, "ref") == 0;
  env_wants_avx2 = isa && strcmp(isa, "avx2") == 0;
  env_wants_blas = gemm && strcmp(gemm, "blas") == 0;
}

int lt_cpu_has_avx2_fma(void) {
  pthread_once(&detect_once, detect);
  return has_avx2_fma;
}

const lt_kernel_table *lt_kernels_for(lt_isa isa) {
  switch (isa) {
  case LT_ISA_REF: return &ref_table;
  case LT_ISA_AVX2:
#if defined(__x86_64__)
    return lt_cpu_has_avx2_fma() ? &avx2_table : NULL;
#else
    return NULL;
#endif
  }
  return NULL;
}

static lt_kernel_table threaded;  // the chosen table, streaming kernels split over threads

static void choose(void) {
  pthread_once(&env_once, read_env);
  const lt_kernel_table *best = lt_kernels_for(LT_ISA_AVX2);
  lt_wrap_parallel(&threaded, (best && !env_wants_ref) ? best : &ref_table);
  chosen = &threaded;
}

const lt_kernel_table *lt_kernels(void) {
  pthread_once(&choose_once, choose);
  return chosen;
}

// AVX-512 (F, DQ, BW, VL) with the OS saving opmask and ZMM state: the set
// OpenBLAS's SkylakeX kernels need. OpenBLAS 0.3.21 does not recognise newer
// AMD cores that have it and falls back to its AVX2 Haswell kernels.
static int detect_avx512(void) {
#if defined(__x86_64__)
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !((c >> 27) & 1)) return 0;
  unsigned lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  if ((lo & 0xE6u) != 0xE6u) return 0;  // XMM, YMM, opmask, ZMM_Hi256, Hi16_ZMM
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
  const unsigned need = (1u << 16) | (1u << 17) | (1u << 30) | (1u << 31);
  return (b & need) == need;
#else
  return 0;
#endif
}

int lt_cpu_has_avx512(void) {
  pthread_once(&detect_once, detect);
  return has_avx512;
}

// Our own AVX-512 GEMM unless the user asked for the portable or AVX2 kernels
// (LATENT_ISA) or for the system BLAS (LATENT_GEMM=blas).
static pthread_once_t gemm_once = PTHREAD_ONCE_INIT;
static int own_gemm;
static void choose_gemm(void) {
  pthread_once(&env_once, read_env);
  own_gemm = lt_cpu_has_avx512() && !env_wants_ref && !env_wants_avx2 && !env_wants_blas;
}
int lt_use_own_gemm(void) {
  pthread_once(&gemm_once, choose_gemm);
  return own_gemm;
}
const char *lt_gemm_name(void) { return lt_use_own_gemm() ? "avx512 (latent)" : "blas"; }
