// periodic.c — periodic (circular) convolution flow through FFTW, single
// precision. With fft.c, the only file that includes <fftw3.h> (never together
// with <cblas.h>: OpenBLAS pulls in <complex.h>, which changes fftwf_complex).
//
// A C x C bank of k x k filters w(o, c) is placed on the H x W torus with its
// centre tap at the origin (tap (a, b) at ((a - k/2) mod H, (b - k/2) mod W)),
// so y(o) = sum_c w(o, c) (*) x(c) with circular convolution (*). Per
// frequency f the map is Y(f) = K(f) X(f) with K(f)(o, c) = DFT of the placed
// filter; real-to-complex transforms keep the H x (W/2 + 1) half spectrum and
// each stored column j with 0 < j and 2j != W stands for itself and its
// conjugate partner, so it counts twice in log|det| = sum_f log|det K(f)|.
//
// Plans are created once per (H, W) under a mutex (FFTW's planner is not
// thread-safe) and executed with the new-array interface, which is.
// Complex C x C algebra runs in double.
#include <math.h>
#include <pthread.h>
#include <string.h>

#include <fftw3.h>

#include "internal.h"

#define LT_PERIODIC_MAX_C 32
#define LT_PLAN_CACHE 16

typedef struct { double re, im; } cd;

static inline cd cmul(cd a, cd b) { return (cd){a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re}; }
static inline cd csub(cd a, cd b) { return (cd){a.re - b.re, a.im - b.im}; }
static inline double cabs2(cd a) { return a.re * a.re + a.im * a.im; }
static inline cd cdiv(cd a, cd b) {
  double d = cabs2(b);
  return (cd){(a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d};
}

// ---------------------------------------------------------------- plans

typedef struct { int h, w; fftwf_plan r2c, c2r; } plan_pair;
static plan_pair plans[LT_PLAN_CACHE];
static int nplans;
static pthread_mutex_t plan_lock = PTHREAD_MUTEX_INITIALIZER;

static const plan_pair *get_plans(int H, int W) {
  pthread_mutex_lock(&plan_lock);
  const plan_pair *found = NULL;
  for (int i = 0; i < nplans; i++)
    if (plans[i].h == H && plans[i].w == W) { found = &plans[i]; break; }
  if (!found && nplans < LT_PLAN_CACHE) {
    // Planning with ESTIMATE does not touch the arrays' contents; UNALIGNED lets
    // the plans run on any caller buffer.
    int F = H * (W / 2 + 1);
    float *re = fftwf_malloc(sizeof(float) * (size_t)H * W);
    fftwf_complex *sp = fftwf_malloc(sizeof(fftwf_complex) * (size_t)F);
    fftwf_plan a = NULL, b = NULL;
    if (re && sp) {
      a = fftwf_plan_dft_r2c_2d(H, W, re, sp, FFTW_ESTIMATE | FFTW_UNALIGNED);
      b = fftwf_plan_dft_c2r_2d(H, W, sp, re, FFTW_ESTIMATE | FFTW_UNALIGNED);
    }
    fftwf_free(re);
    fftwf_free(sp);
    if (a && b) {
      plans[nplans] = (plan_pair){H, W, a, b};
      found = &plans[nplans++];
    }
  }
  pthread_mutex_unlock(&plan_lock);
  return found;
}

int64_t lt_periodic_workspace(int N, int C, int H, int W) {
  int64_t F = (int64_t)H * (W / 2 + 1);
  // X spectra (N*C*F complex), Y spectra (same), one real image, one spectrum.
  return 4 * (int64_t)N * C * F + (int64_t)H * W + 2 * F;
}

// ---------------------------------------------------------------- small complex algebra

// In-place LU with partial pivoting of A (C, C); returns log|det A| (-inf if singular).
static double lu_logdet(cd *A, int *piv, int C) {
  double ld = 0;
  for (int k = 0; k < C; k++) {
    int p = k;
    for (int i = k + 1; i < C; i++)
      if (cabs2(A[i * C + k]) > cabs2(A[p * C + k])) p = i;
    piv[k] = p;
    if (p != k)
      for (int j = 0; j < C; j++) { cd t = A[k * C + j]; A[k * C + j] = A[p * C + j]; A[p * C + j] = t; }
    double a2 = cabs2(A[k * C + k]);
    if (a2 == 0) return -INFINITY;
    ld += 0.5 * log(a2);
    for (int i = k + 1; i < C; i++) {
      cd l = cdiv(A[i * C + k], A[k * C + k]);
      A[i * C + k] = l;
      for (int j = k + 1; j < C; j++) A[i * C + j] = csub(A[i * C + j], cmul(l, A[k * C + j]));
    }
  }
  return ld;
}

// Solves (LU) x = b in place, with the factors and pivots of lu_logdet.
static void lu_solve(const cd *A, const int *piv, cd *b, int C) {
  // Whole rows (multipliers included) were swapped during the factorisation,
  // so all row swaps come first, then substitution with the final L.
  for (int k = 0; k < C; k++)
    if (piv[k] != k) { cd t = b[k]; b[k] = b[piv[k]]; b[piv[k]] = t; }
  for (int k = 0; k < C; k++)
    for (int i = k + 1; i < C; i++) b[i] = csub(b[i], cmul(A[i * C + k], b[k]));
  for (int i = C - 1; i >= 0; i--) {
    for (int j = i + 1; j < C; j++) b[i] = csub(b[i], cmul(A[i * C + j], b[j]));
    b[i] = cdiv(b[i], A[i * C + i]);
  }
}

// Loads K(f) (C, C) from the spectrum bank K(C, C, F) as double; adjoint if asked.
static void load_block(cd *A, const float *K, int C, int64_t F, int64_t f, int adjoint) {
  for (int o = 0; o < C; o++)
    for (int c = 0; c < C; c++) {
      const float *v = K + 2 * ((int64_t)(o * C + c) * F + f);
      if (adjoint) A[c * C + o] = (cd){v[0], -v[1]};
      else A[o * C + c] = (cd){v[0], v[1]};
    }
}

static inline double column_weight(int64_t f, int W) {
  int j = (int)(f % (W / 2 + 1));
  return (j == 0 || 2 * j == W) ? 1.0 : 2.0;
}

// ---------------------------------------------------------------- kernels

int lt_periodic_spectrum_f32(float *K, const float *w, int C, int H, int W,
                             int k, float *work) {
  if (k > H || k > W || C > LT_PERIODIC_MAX_C) return 2;
  const plan_pair *pp = get_plans(H, W);
  if (!pp) return 1;
  int64_t F = (int64_t)H * (W / 2 + 1);
  float *img = work;
  for (int oc = 0; oc < C * C; oc++) {
    memset(img, 0, sizeof(float) * (size_t)H * W);
    for (int a = 0; a < k; a++)
      for (int b = 0; b < k; b++) {
        int i = ((a - k / 2) % H + H) % H, j = ((b - k / 2) % W + W) % W;
        img[i * W + j] = w[(int64_t)oc * k * k + a * k + b];
      }
    fftwf_execute_dft_r2c(pp->r2c, img, (fftwf_complex *)(K + 2 * (int64_t)oc * F));
  }
  return 0;
}

int lt_periodic_logdet_f32(float *logdet, const float *K, int C, int H, int W) {
  if (C > LT_PERIODIC_MAX_C) return 2;
  int64_t F = (int64_t)H * (W / 2 + 1);
  cd A[LT_PERIODIC_MAX_C * LT_PERIODIC_MAX_C];
  int piv[LT_PERIODIC_MAX_C];
  double total = 0;
  for (int64_t f = 0; f < F; f++) {
    load_block(A, K, C, F, f, 0);
    total += column_weight(f, W) * lu_logdet(A, piv, C);
  }
  *logdet = (float)total;
  return isfinite(total) ? 0 : 3;
}

int lt_periodic_apply_f32(float *y, const float *x, const float *K, int N,
                          int C, int H, int W, int mode, float *work) {
  if (C > LT_PERIODIC_MAX_C) return 2;
  const plan_pair *pp = get_plans(H, W);
  if (!pp) return 1;
  int64_t F = (int64_t)H * (W / 2 + 1), HW = (int64_t)H * W;
  float *X = work, *Y = X + 2 * (int64_t)N * C * F;
  float *img = Y + 2 * (int64_t)N * C * F, *spec = img + HW;
  for (int64_t i = 0; i < (int64_t)N * C; i++)
    fftwf_execute_dft_r2c(pp->r2c, (float *)(x + i * HW), (fftwf_complex *)(X + 2 * i * F));
  int adjoint = mode == 1 || mode == 3, solve = mode >= 2;
  cd A[LT_PERIODIC_MAX_C * LT_PERIODIC_MAX_C], b[LT_PERIODIC_MAX_C];
  int piv[LT_PERIODIC_MAX_C];
  int status = 0;
  for (int64_t f = 0; f < F; f++) {
    load_block(A, K, C, F, f, adjoint);
    if (solve && !isfinite(lu_logdet(A, piv, C))) status = 3;
    for (int n = 0; n < N; n++) {
      for (int c = 0; c < C; c++) {
        const float *v = X + 2 * (((int64_t)n * C + c) * F + f);
        b[c] = (cd){v[0], v[1]};
      }
      cd r[LT_PERIODIC_MAX_C];
      if (solve) {
        memcpy(r, b, sizeof(cd) * C);
        lu_solve(A, piv, r, C);
      } else {
        for (int o = 0; o < C; o++) {
          cd s = {0, 0};
          for (int c = 0; c < C; c++) { cd p = cmul(A[o * C + c], b[c]); s.re += p.re; s.im += p.im; }
          r[o] = s;
        }
      }
      for (int o = 0; o < C; o++) {
        float *v = Y + 2 * (((int64_t)n * C + o) * F + f);
        v[0] = (float)r[o].re;
        v[1] = (float)r[o].im;
      }
    }
  }
  // c2r overwrites its input: copy each spectrum to scratch first. FFTW's
  // inverse is unnormalised, hence the 1 / (H W).
  float scale = 1.0f / (float)HW;
  for (int64_t i = 0; i < (int64_t)N * C; i++) {
    memcpy(spec, Y + 2 * i * F, sizeof(float) * 2 * (size_t)F);
    fftwf_execute_dft_c2r(pp->c2r, (fftwf_complex *)spec, img);
    for (int64_t p = 0; p < HW; p++) y[i * HW + p] = img[p] * scale;
  }
  return status;
}

int lt_periodic_weight_backward_f32(float *dw, const float *_Nullable dy,
                                    const float *x, float dlogdet,
                                    const float *K, int N, int C, int H,
                                    int W, int k, float *work) {
  if (C > LT_PERIODIC_MAX_C) return 2;
  const plan_pair *pp = get_plans(H, W);
  if (!pp) return 1;
  int64_t F = (int64_t)H * (W / 2 + 1), HW = (int64_t)H * W;
  // Workspace sized for max(N, C) images: X spectra, then G (C, C, F) in the
  // second block, then scratch.
  int64_t M = N > C ? N : C;
  float *X = work, *G = X + 2 * M * C * F;
  float *img = G + 2 * M * C * F, *spec = img + HW;
  if (dy) {
    for (int64_t i = 0; i < (int64_t)N * C; i++)
      fftwf_execute_dft_r2c(pp->r2c, (float *)(x + i * HW), (fftwf_complex *)(X + 2 * i * F));
  }
  cd A[LT_PERIODIC_MAX_C * LT_PERIODIC_MAX_C], e[LT_PERIODIC_MAX_C];
  int piv[LT_PERIODIC_MAX_C];
  float inv_hw = 1.0f / (float)HW;
  memset(G, 0, sizeof(float) * 2 * (size_t)(C * C) * F);
  if (dy) {
    // Data term: dw(o, c) = sum_n dy(n, o) correlated with x(n, c), i.e.
    // G(o, c)(f) = sum_n DY(n, o)(f) conj(X(n, c)(f)) / (H W) then c2r. The dy
    // spectra go through `spec`, one channel image at a time.
    for (int n = 0; n < N; n++)
      for (int o = 0; o < C; o++) {
        fftwf_execute_dft_r2c(pp->r2c, (float *)(dy + ((int64_t)n * C + o) * HW), (fftwf_complex *)spec);
        for (int c = 0; c < C; c++) {
          const float *xs = X + 2 * ((int64_t)n * C + c) * F;
          float *g = G + 2 * (int64_t)(o * C + c) * F;
          for (int64_t f = 0; f < F; f++) {
            float dr = spec[2 * f], di = spec[2 * f + 1], xr = xs[2 * f], xi = xs[2 * f + 1];
            g[2 * f] += (dr * xr + di * xi) * inv_hw;
            g[2 * f + 1] += (di * xr - dr * xi) * inv_hw;
          }
        }
      }
  }
  if (dlogdet != 0) {
    // Log-det term: d/dw(o, c)(q) of sum_f log|det K(f)| is the full-grid sum
    // Re sum_f Kinv(f)(c, o) e^{-2 pi i f.q}; c2r of conj(Kinv^T) gives exactly
    // that sum (it fills in the conjugate half itself).
    for (int64_t f = 0; f < F; f++) {
      load_block(A, K, C, F, f, 0);
      if (!isfinite(lu_logdet(A, piv, C))) return 3;
      for (int c = 0; c < C; c++) {
        for (int i = 0; i < C; i++) e[i] = (cd){i == c ? 1.0 : 0.0, 0.0};
        lu_solve(A, piv, e, C); // column c of Kinv: Kinv(i, c)
        for (int o = 0; o < C; o++) {
          // B(o', c') = Kinv(c', o'): here o' = c, c' = o... Kinv(o, c) goes to B(c, o).
          float *g = G + 2 * ((int64_t)(c * C + o) * F + f);
          g[0] += dlogdet * (float)e[o].re;
          g[1] -= dlogdet * (float)e[o].im;
        }
      }
    }
  }
  for (int oc = 0; oc < C * C; oc++) {
    memcpy(spec, G + 2 * (int64_t)oc * F, sizeof(float) * 2 * (size_t)F);
    fftwf_execute_dft_c2r(pp->c2r, (fftwf_complex *)spec, img);
    for (int a = 0; a < k; a++)
      for (int b = 0; b < k; b++) {
        int i = ((a - k / 2) % H + H) % H, j = ((b - k / 2) % W + W) % W;
        dw[(int64_t)oc * k * k + a * k + b] = img[i * W + j];
      }
  }
  return 0;
}
