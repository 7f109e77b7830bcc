// kernel_check.c — standalone C check of the CLatent kernel core.
// Compares every AVX2 table entry with the reference table (awkward sizes,
// unaligned pointers, in-place), gemm_smallk / lt_sgemm / conv2d / covariance
// / moments with naive double-precision oracles, Philox with known answers,
// and times gemm_smallk against OpenBLAS. Build and run: bench/ctest/run.sh
//
// Tolerances (why): kernels that are the same IEEE operations (add, mul,
// div, sqrt, relu, Adam, ...) must agree to rounding (1e-7 relative, 0 in
// practice); vector exp/log family within 2e-6 relative of libm (a few ulp);
// double-accumulated reductions within 1e-6 of the accumulated magnitude.
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "latent_kernels.h"

// Raw Philox block from random.c (internal.h), for the known-answer test.
void lt_philox4x32_10_block(uint32_t *out, uint32_t k0, uint32_t k1, const uint32_t *ctr);

static const int64_t SIZES[] = {0, 1, 7, 8, 9, 15, 16, 17, 33, 1000};
#define NSIZES ((int)(sizeof(SIZES) / sizeof(SIZES[0])))

// ---------------------------------------------------------------- stats

typedef struct { const char *name; double max_abs, max_rel; long checks, fails; } stat;
static stat stats[128];
static int nstats;
static int total_fails;

static stat *get_stat(const char *name) {
  for (int i = 0; i < nstats; i++) if (strcmp(stats[i].name, name) == 0) return &stats[i];
  stats[nstats].name = strdup(name); // callers pass stack buffers
  return &stats[nstats++];
}

// got vs want: pass when |got - want| <= atol + rtol |want| (NaN == NaN, inf == inf).
static void check(const char *name, const float *got, const float *want, int64_t n,
                  double atol, double rtol, const char *where) {
  stat *s = get_stat(name);
  int reported = 0;
  for (int64_t i = 0; i < n; i++) {
    double g = got[i], w = want[i];
    s->checks++;
    if ((isnan(g) && isnan(w)) || g == w) continue;
    double ab = fabs(g - w), rel = ab / fmax(fabs(w), 1e-30);
    int bad = isnan(g) || isnan(w) || isinf(g) || isinf(w) || ab > atol + rtol * fabs(w);
    if (!(isinf(ab) || isnan(ab))) {
      if (ab > s->max_abs) s->max_abs = ab;
      if (rel > s->max_rel && fabs(w) > 1e-30) s->max_rel = rel;
    }
    if (bad) {
      s->fails++;
      total_fails++;
      if (!reported++) printf("  FAIL %s %s [%lld]: got %.9g want %.9g\n", name, where, (long long)i, g, w);
    }
  }
}

// ---------------------------------------------------------------- data

static uint64_t rng_state = 0x1234567887654321ull;
static double urand(void) { // [0, 1)
  rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
  return (double)(rng_state >> 11) * 0x1p-53;
}
static float frand(float lo, float hi) { return lo + (hi - lo) * (float)urand(); }
static double nrand(void) { return sqrt(-2.0 * log(1.0 - urand())) * cos(6.283185307179586 * urand()); }

// Buffers are allocated with slack and used at +1 float: deliberately unaligned.
static float *falloc(int64_t n) {
  float *p = malloc(sizeof(float) * (size_t)(n + 16));
  return p + 1;
}
static void ffree(float *p) { free(p - 1); }
static float *fcopy(const float *x, int64_t n) {
  float *p = falloc(n);
  memcpy(p, x, sizeof(float) * (size_t)n);
  return p;
}
static void fill(float *x, int64_t n, float lo, float hi) {
  for (int64_t i = 0; i < n; i++) x[i] = frand(lo, hi);
}
// Sprinkle the specials the vector code must get right.
static void add_specials(float *x, int64_t n) {
  static const float sp[] = {0.0f, -0.0f, NAN, INFINITY, -INFINITY, 100.0f, -100.0f,
                             88.5f, 89.0f, -87.5f, -95.0f, -104.5f, 20.5f, -20.5f,
                             1e-6f, -1e-6f, 1e-20f, 0.4999f, -0.4999f, 0.5f, 9.5f, -9.5f, 1e-40f};
  for (int64_t i = 0; i < n && i < (int64_t)(sizeof(sp) / sizeof(sp[0])); i++) x[i * 37 % n] = sp[i];
}

static const lt_kernel_table *R, *V; // reference, vector

// ---------------------------------------------------------------- activations

static const char *act_names[] = {"identity", "relu", "leaky_relu", "elu", "tanh", "sigmoid", "softplus", "exp"};

static void test_activations(void) {
  char name[64];
  for (int act = 0; act <= LT_ACT_EXP; act++) {
    int exact = act <= LT_ACT_LEAKY_RELU;
    double rtol = exact ? 1e-7 : 2e-6, atol = exact ? 0 : 1e-37;
    for (int si = 0; si < NSIZES; si++) {
      int64_t cols = SIZES[si], rows = 3, n = rows * cols;
      float *x = falloc(n), *bias = falloc(cols), *yr = falloc(n), *yv = falloc(n);
      fill(x, n, -25.0f, 25.0f);
      fill(bias, cols, -1.0f, 1.0f);
      if (n >= 23) add_specials(x, n);
      float alpha = act == LT_ACT_ELU ? 1.3f : 0.1f;
      snprintf(name, sizeof name, "bias_act_forward/%s", act_names[act]);
      R->bias_act_forward(yr, x, bias, rows, cols, (lt_act)act, alpha);
      V->bias_act_forward(yv, x, bias, rows, cols, (lt_act)act, alpha);
      check(name, yv, yr, n, atol, rtol, "bias");
      R->bias_act_forward(yr, x, NULL, rows, cols, (lt_act)act, alpha);
      float *xi = fcopy(x, n);
      V->bias_act_forward(xi, xi, NULL, rows, cols, (lt_act)act, alpha); // in place
      check(name, xi, yr, n, atol, rtol, "in-place, no bias");

      // Backward at the same points: x pre-activation, y = act(x).
      float *dy = falloc(n), *dr = falloc(n);
      fill(dy, n, -2.0f, 2.0f);
      snprintf(name, sizeof name, "act_backward/%s", act_names[act]);
      R->act_backward(dr, dy, x, yr, n, (lt_act)act, alpha);
      V->act_backward(dy, dy, x, yr, n, (lt_act)act, alpha); // dx aliases dy
      check(name, dy, dr, n, atol, act == LT_ACT_SOFTPLUS ? 2e-6 : 1e-7, "in-place");
      ffree(x); ffree(bias); ffree(yr); ffree(yv); ffree(xi); ffree(dy); ffree(dr);
    }
  }
}

// Dense sweep of the vector exp/log family: magnitudes log-uniform over
// [1e-8, 120] with both signs, so the small-|x| branches (expm1 series,
// tanh near 0, log1p near 0) are hit as much as the large ones.
static void test_transcendental_sweep(void) {
  int64_t n = 200000;
  float *x = falloc(n), *yr = falloc(n), *yv = falloc(n);
  for (int64_t i = 0; i < n; i++) {
    float mag = expf(frand(logf(1e-8f), logf(120.0f)));
    x[i] = (i & 1) ? mag : -mag;
  }
  char name[64];
  for (int act = LT_ACT_ELU; act <= LT_ACT_EXP; act++) {
    R->bias_act_forward(yr, x, NULL, 1, n, (lt_act)act, 1.0f);
    V->bias_act_forward(yv, x, NULL, 1, n, (lt_act)act, 1.0f);
    snprintf(name, sizeof name, "sweep/%s", act_names[act]);
    check(name, yv, yr, n, 1e-37, 2e-6, "");
  }
  static const lt_unary_op ops[] = {LT_UN_LOG, LT_UN_LOG1P};
  for (int k = 0; k < 2; k++) {
    for (int64_t i = 0; i < n; i++) x[i] = fabsf(x[i]) * (k == 1 && (i % 4 == 1) ? -0.0083f : 1.0f);
    R->unary(yr, x, n, ops[k]);
    V->unary(yv, x, n, ops[k]);
    snprintf(name, sizeof name, "sweep/%s", k ? "log1p" : "log");
    check(name, yv, yr, n, 1e-37, 2e-6, "");
  }
  ffree(x); ffree(yr); ffree(yv);
}

// ---------------------------------------------------------------- elementwise

static const char *un_names[] = {"neg", "exp", "log", "sqrt", "abs", "square", "reciprocal", "sin", "cos", "log1p"};

static void test_unary(void) {
  char name[64];
  for (int op = 0; op <= LT_UN_LOG1P; op++) {
    int transcendental = op == LT_UN_EXP || op == LT_UN_LOG || op == LT_UN_LOG1P;
    for (int si = 0; si < NSIZES; si++) {
      int64_t n = SIZES[si];
      float *x = falloc(n), *yr = falloc(n);
      if (op == LT_UN_LOG) {
        // Wide positive range (many binades, denormals) plus specials.
        for (int64_t i = 0; i < n; i++) x[i] = expf(frand(-95.0f, 88.0f));
      } else if (op == LT_UN_LOG1P) {
        for (int64_t i = 0; i < n; i++) x[i] = i % 2 ? frand(-1.0f, 3.0f) : expf(frand(-30.0f, 30.0f));
      } else {
        fill(x, n, -30.0f, 30.0f);
      }
      if (n >= 23) add_specials(x, n);
      R->unary(yr, x, n, (lt_unary_op)op);
      V->unary(x, x, n, (lt_unary_op)op); // in place
      snprintf(name, sizeof name, "unary/%s", un_names[op]);
      check(name, x, yr, n, transcendental ? 1e-37 : 0, transcendental ? 2e-6 : 1e-7, "in-place");
      ffree(x); ffree(yr);
    }
  }
}

static const char *bin_names[] = {"add", "sub", "mul", "div", "max", "min"};

static void test_binary(void) {
  char name[64];
  for (int op = 0; op <= LT_BIN_MIN; op++) {
    snprintf(name, sizeof name, "binary/%s", bin_names[op]);
    for (int si = 0; si < NSIZES; si++) {
      int64_t L = SIZES[si];
      float *a = falloc(3 * L + 3), *b = falloc(3 * L + 3), *or_ = falloc(3 * L + 3), *ov = falloc(3 * L + 3);
      fill(a, 3 * L + 3, -3.0f, 3.0f);
      fill(b, 3 * L + 3, 0.5f, 3.0f);
      if (L >= 23) { add_specials(a, L); add_specials(b + 5, L); }
      struct { int nd; int64_t shape[3], sa[3], sb[3]; const char *what; } cases[] = {
          {1, {L}, {1}, {1}, "contiguous"},
          {2, {3, L}, {L, 1}, {0, 1}, "b row broadcast"},
          {2, {3, L}, {1, 0}, {L, 1}, "a column broadcast"},
          {2, {L, 3}, {1, L}, {3, 1}, "a transposed"},
          {3, {3, 1, L}, {L, 7, 1}, {L, 0, 1}, "size-1 dim, mergeable"},
          {1, {L}, {0}, {1}, "a scalar"},
          {0, {0}, {0}, {0}, "0-d"},
      };
      for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        int64_t n = 1;
        for (int d = 0; d < cases[c].nd; d++) n *= cases[c].shape[d];
        R->binary(or_, a, cases[c].sa, b, cases[c].sb, cases[c].shape, cases[c].nd, (lt_binary_op)op);
        V->binary(ov, a, cases[c].sa, b, cases[c].sb, cases[c].shape, cases[c].nd, (lt_binary_op)op);
        check(name, ov, or_, n, 0, 1e-7, cases[c].what);
      }
      // In place: out aliases a (same contiguous layout).
      int64_t s1[1] = {1}, sh[1] = {L};
      float *ai = fcopy(a, L);
      R->binary(or_, a, s1, b, s1, sh, 1, (lt_binary_op)op);
      V->binary(ai, ai, s1, b, s1, sh, 1, (lt_binary_op)op);
      check(name, ai, or_, L, 0, 1e-7, "in-place");
      ffree(a); ffree(b); ffree(or_); ffree(ov); ffree(ai);
    }
  }
  for (int si = 0; si < NSIZES; si++) {
    int64_t n = SIZES[si];
    float *x = falloc(n), *y = falloc(n), *o = falloc(n);
    fill(x, n, -3.0f, 3.0f);
    fill(y, n, -3.0f, 3.0f);
    R->axpby(o, x, y, n, 0.7f, -1.3f);
    V->axpby(x, x, y, n, 0.7f, -1.3f); // in place on x
    // One FMA instead of mul+mul+add: differs by an ulp of the products
    // (|a x| + |b y| <= 6, so 4e-6 absolute covers it).
    check("axpby", x, o, n, 4e-6, 1e-6, "in-place");
    ffree(x); ffree(y); ffree(o);
  }
}

// ---------------------------------------------------------------- reduce

static const char *red_names[] = {"sum", "mean", "max", "logsumexp"};

static void test_reduce(void) {
  char name[64];
  for (int op = 0; op <= LT_RED_LOGSUMEXP; op++) {
    snprintf(name, sizeof name, "reduce/%s", red_names[op]);
    for (int si = 0; si < NSIZES; si++) {
      int64_t L = SIZES[si];
      int64_t shapes[3][3] = {{3, L, 1}, {2, L, 5}, {2, 5, L}};
      for (int c = 0; c < 3; c++) {
        int64_t outer = shapes[c][0], n = shapes[c][1], inner = shapes[c][2];
        int64_t tot = outer * n * inner;
        float *x = falloc(tot), *or_ = falloc(outer * inner), *ov = falloc(outer * inner);
        fill(x, tot, -5.0f, 5.0f);
        if (c == 0 && L == 1000) { x[17] = NAN; x[1000 + 3] = INFINITY; for (int64_t k = 0; k < n; k++) x[2000 + k] = -INFINITY; }
        R->reduce(or_, x, outer, n, inner, (lt_reduce_op)op);
        V->reduce(ov, x, outer, n, inner, (lt_reduce_op)op);
        // Both accumulate in double; exp in LSE is float (2e-6).
        check(name, ov, or_, outer * inner, op == LT_RED_SUM ? 1e-5 : 1e-6, 2e-6, c == 0 ? "inner=1" : "inner>1");
        ffree(x); ffree(or_); ffree(ov);
      }
    }
  }
}

// ---------------------------------------------------------------- covariance

static void cov_double(double *cov, const float *X, int64_t N, int64_t D) { // two-pass
  for (int64_t a = 0; a < D; a++)
    for (int64_t b = 0; b < D; b++) {
      double ma = 0, mb = 0, s = 0;
      for (int64_t n = 0; n < N; n++) { ma += X[n * D + a]; mb += X[n * D + b]; }
      ma /= N; mb /= N;
      for (int64_t n = 0; n < N; n++) s += (X[n * D + a] - ma) * (X[n * D + b] - mb);
      cov[a * D + b] = s / N;
    }
}

static void test_covariance(void) {
  static const int64_t Ds[] = {1, 3, 8, 9, 17};
  for (int si = 0; si < NSIZES; si++)
    for (size_t di = 0; di < sizeof(Ds) / sizeof(Ds[0]); di++) {
      int64_t N = SIZES[si], D = Ds[di];
      float *X = falloc(N * D), *cr = falloc(D * D), *cv = falloc(D * D), *mr = falloc(D), *mv = falloc(D);
      for (int64_t i = 0; i < N * D; i++) X[i] = 100.0f + (float)nrand();
      R->cov_forward(cr, mr, X, N, D);
      V->cov_forward(cv, mv, X, N, D);
      check("cov_forward/mean", mv, mr, D, 0, 1e-7, "");
      check("cov_forward/cov", cv, cr, D * D, 1e-6, 1e-6, "");
      float *dcov = falloc(D * D), *dr = falloc(N * D), *dv = falloc(N * D);
      fill(dcov, D * D, -1.0f, 1.0f);
      R->cov_backward(dr, dcov, X, mr, N, D);
      V->cov_backward(dv, dcov, X, mr, N, D);
      // Float accumulation over D terms vs ref's double.
      check("cov_backward", dv, dr, N * D, 2e-6 * D / (N ? N : 1), 1e-5, "");
      ffree(X); ffree(cr); ffree(cv); ffree(mr); ffree(mv); ffree(dcov); ffree(dr); ffree(dv);
    }

  // Gradient check along one direction V (JAX check_grads style): cov is
  // quadratic in X, so a central difference in double is exact but rounding.
  for (int which = 0; which < 2; which++) {
    const lt_kernel_table *t = which ? V : R;
    int64_t N = 33, D = 5;
    float *X = falloc(N * D), *mean = falloc(D), *cov = falloc(D * D), *G = falloc(D * D), *dX = falloc(N * D);
    float *Vd = falloc(N * D), *Xp = falloc(N * D), *Xm = falloc(N * D);
    double cp[25], cm[25];
    fill(X, N * D, -2.0f, 2.0f);
    fill(G, D * D, -1.0f, 1.0f);
    fill(Vd, N * D, -1.0f, 1.0f);
    t->cov_forward(cov, mean, X, N, D);
    t->cov_backward(dX, G, X, mean, N, D);
    double h = 1.0 / 64; // power of two: X +- hV stays exact-ish in float
    for (int64_t i = 0; i < N * D; i++) { Xp[i] = X[i] + (float)(h * Vd[i]); Xm[i] = X[i] - (float)(h * Vd[i]); }
    cov_double(cp, Xp, N, D);
    cov_double(cm, Xm, N, D);
    double fd = 0, an = 0, dh = 0;
    for (int64_t i = 0; i < N * D; i++) dh += (double)(Xp[i] - Xm[i]) * dX[i];
    for (int64_t i = 0; i < D * D; i++) fd += G[i] * (cp[i] - cm[i]);
    an = dh; // <dX, Xp - Xm> ~= <G, cov(Xp) - cov(Xm)>
    float got = (float)an, want = (float)fd;
    check("cov_backward/finite-diff", &got, &want, 1, 1e-6, 1e-5, which ? "avx2" : "ref");
    ffree(X); ffree(mean); ffree(cov); ffree(G); ffree(dX); ffree(Vd); ffree(Xp); ffree(Xm);
  }
}

// ---------------------------------------------------------------- adam

static void test_adam(void) {
  for (int dec = 0; dec < 2; dec++)
    for (int si = 0; si < NSIZES; si++) {
      int64_t n = SIZES[si];
      float *p = falloc(n), *g = falloc(n), *m = falloc(n), *v = falloc(n);
      fill(p, n, -1, 1); fill(g, n, -1, 1); fill(m, n, -0.1f, 0.1f); fill(v, n, 0, 0.01f);
      float *p2 = fcopy(p, n), *m2 = fcopy(m, n), *v2 = fcopy(v, n);
      for (int step = 1; step <= 3; step++) {
        float bc1 = 1 - powf(0.9f, step), bc2 = 1 - powf(0.999f, step);
        R->adam_step(p, g, m, v, n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, bc1, bc2, dec);
        V->adam_step(p2, g, m2, v2, n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, bc1, bc2, dec);
      }
      const char *w = dec ? "adamw" : "adam+l2";
      check("adam_step/p", p2, p, n, 0, 1e-7, w);
      check("adam_step/m", m2, m, n, 0, 1e-7, w);
      check("adam_step/v", v2, v, n, 0, 1e-7, w);
      ffree(p); ffree(g); ffree(m); ffree(v); ffree(p2); ffree(m2); ffree(v2);
    }
}

// ---------------------------------------------------------------- gemm

// want = alpha op(A) op(B) + beta C0 in double; atol from sum |a||b|.
static void gemm_naive(float *C, double *bound, int ta, int tb, int M, int N, int K, float alpha,
                       const float *A, int lda, const float *B, int ldb, float beta, int ldc) {
  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++) {
      double s = 0, sa = 0;
      for (int k = 0; k < K; k++) {
        double a = ta ? A[(int64_t)k * lda + i] : A[(int64_t)i * lda + k];
        double b = tb ? B[(int64_t)j * ldb + k] : B[(int64_t)k * ldb + j];
        s += a * b;
        sa += fabs(a * b);
      }
      float *c = &C[(int64_t)i * ldc + j];
      double c0 = beta == 0 ? 0 : beta * (double)*c;
      *c = (float)(alpha * s + c0);
      double bnd = 2e-7 * (K + 2) * (fabs(alpha) * sa + fabs(c0)) + 1e-30;
      if (bnd > *bound) *bound = bnd;
    }
}

static void test_gemm(void) {
  static const int MN[] = {1, 3, 7, 8, 9, 17, 24, 25, 33, 47};
  for (int K = 1; K <= 16; K++)
    for (int mi = 0; mi < 10; mi++)
      for (int ni = 0; ni < 10; ni += (K % 3) + 1) {
        int M = MN[mi], N = MN[(ni + mi) % 10], lda = K + 1, ldb = N + 3, ldc = N + 2;
        float alpha = 1.5f, beta = (K % 2) ? 0.0f : -0.5f;
        float *A = falloc((int64_t)M * lda), *B = falloc((int64_t)K * ldb);
        float *C0 = falloc((int64_t)M * ldc), *Cr = falloc((int64_t)M * ldc), *Cv = falloc((int64_t)M * ldc), *Cn = falloc((int64_t)M * ldc);
        fill(A, (int64_t)M * lda, -1, 1);
        fill(B, (int64_t)K * ldb, -1, 1);
        fill(C0, (int64_t)M * ldc, -1, 1);
        if (beta == 0) for (int64_t i = 0; i < (int64_t)M * ldc; i += 5) C0[i] = NAN; // must not be read
        memcpy(Cr, C0, sizeof(float) * M * ldc);
        memcpy(Cv, C0, sizeof(float) * M * ldc);
        memcpy(Cn, C0, sizeof(float) * M * ldc);
        double bound = 0;
        gemm_naive(Cn, &bound, 0, 0, M, N, K, alpha, A, lda, B, ldb, beta, ldc);
        R->gemm_smallk(Cr, ldc, A, lda, B, ldb, M, N, K, alpha, beta);
        V->gemm_smallk(Cv, ldc, A, lda, B, ldb, M, N, K, alpha, beta);
        for (int i = 0; i < M; i++) {
          int64_t o = (int64_t)i * ldc;
          check("gemm_smallk/ref-vs-naive", Cr + o, Cn + o, N, bound, 0, "");
          check("gemm_smallk/avx2-vs-naive", Cv + o, Cn + o, N, bound, 0, "");
          // Padding columns between N and ldc must be untouched.
          check("gemm_smallk/avx2-padding", Cv + o + N, C0 + o + N, ldc - N, 0, 0, "ldc padding");
        }
        ffree(A); ffree(B); ffree(C0); ffree(Cr); ffree(Cv); ffree(Cn);
      }

  // lt_sgemm routing: all transposes, K around the small-K cut, K = 0.
  static const int Ks[] = {0, 1, 5, 16, 17, 40};
  for (int ta = 0; ta < 2; ta++)
    for (int tb = 0; tb < 2; tb++)
      for (int ki = 0; ki < 6; ki++) {
        int M = 13, N = 29, K = Ks[ki];
        int lda = ta ? M + 1 : K + 1, ldb = tb ? K + 2 : N + 2, ldc = N;
        int64_t asz = (int64_t)(ta ? K : M) * lda + 1, bsz = (int64_t)(tb ? N : K) * ldb + 1;
        float *A = falloc(asz), *B = falloc(bsz), *C = falloc(M * ldc), *Cn = falloc(M * ldc);
        fill(A, asz, -1, 1); fill(B, bsz, -1, 1); fill(C, M * ldc, -1, 1);
        memcpy(Cn, C, sizeof(float) * M * ldc);
        double bound = 0;
        gemm_naive(Cn, &bound, ta, tb, M, N, K, 0.75f, A, lda, B, ldb, 0.25f, ldc);
        lt_sgemm(ta, tb, M, N, K, 0.75f, A, lda, B, ldb, 0.25f, C, ldc);
        check("lt_sgemm", C, Cn, M * ldc, bound, 0, "");
        ffree(A); ffree(B); ffree(C); ffree(Cn);
      }
  // Products big enough to be packed in several K slices and split over the
  // threads (the own AVX-512 GEMM where the CPU has it), operands allocated to
  // their exact extent so the sanitizers see any read past them; then the
  // fused bias + ReLU form against GEMM + reference bias_act.
  for (int narrow = 0; narrow < 2; narrow++)  // N = 3: the direct narrow forms
  for (int ta = 0; ta < 2; ta++)
    for (int tb = 0; tb < 2; tb++) {
      int M = 101, N = narrow ? 3 : 70, K = 300;
      int lda = ta ? M + 3 : K + 3, ldb = tb ? K + 1 : N + 1, ldc = N + 5;
      int64_t asz = (int64_t)((ta ? K : M) - 1) * lda + (ta ? M : K);
      int64_t bsz = (int64_t)((tb ? N : K) - 1) * ldb + (tb ? K : N);
      int64_t csz = (int64_t)(M - 1) * ldc + N;
      float *A = falloc(asz), *B = falloc(bsz), *C = falloc(csz), *Cn = falloc(csz);
      fill(A, asz, -1, 1); fill(B, bsz, -1, 1); fill(C, csz, -1, 1);
      memcpy(Cn, C, sizeof(float) * csz);
      double bound = 0;
      gemm_naive(Cn, &bound, ta, tb, M, N, K, -1.25f, A, lda, B, ldb, 0.5f, ldc);
      lt_sgemm(ta, tb, M, N, K, -1.25f, A, lda, B, ldb, 0.5f, C, ldc);
      for (int i = 0; i < M; i++) check("lt_sgemm/large", C + (int64_t)i * ldc, Cn + (int64_t)i * ldc, N, bound, 0, "");
      float *bias = falloc(N), *F = falloc((int64_t)M * N), *G = falloc((int64_t)M * N);
      fill(bias, N, -1, 1);
      lt_sgemm_bias_act(ta, tb, M, N, K, A, lda, B, ldb, bias, LT_ACT_RELU, 0, F);
      lt_sgemm_blas(ta, tb, M, N, K, 1, A, lda, B, ldb, 0, G, N);
      R->bias_act_forward(G, G, bias, M, N, LT_ACT_RELU, 0);
      check("lt_sgemm_bias_act/relu", F, G, (int64_t)M * N, 1e-4 * K, 0, "");
      ffree(A); ffree(B); ffree(C); ffree(Cn); ffree(bias); ffree(F); ffree(G);
    }
  float dummy = 7.0f;
  lt_sgemm(0, 0, 0, 5, 3, 1, &dummy, 3, &dummy, 5, 0, &dummy, 5); // M == 0: no-op
  float want7 = 7.0f;
  check("lt_sgemm", &dummy, &want7, 1, 0, 0, "M == 0 untouched");
  float Cz[6] = {NAN, 1, 2, 3, 4, 5}, zeros[6] = {0};
  lt_sgemm(0, 0, 2, 3, 0, 1, &dummy, 1, &dummy, 3, 0.0f, Cz, 3); // K == 0, beta == 0
  check("lt_sgemm", Cz, zeros, 6, 0, 0, "K == 0 zeroes C");

  // Strided batched against per-batch naive.
  {
    int M = 5, N = 11, K = 3, batch = 3;
    float *A = falloc(batch * M * K), *B = falloc(batch * K * N), *C = falloc(batch * M * N), *Cn = falloc(batch * M * N);
    fill(A, batch * M * K, -1, 1); fill(B, batch * K * N, -1, 1);
    double bound = 0;
    for (int b = 0; b < batch; b++) gemm_naive(Cn + b * M * N, &bound, 0, 0, M, N, K, 1, A + b * M * K, K, B + b * K * N, N, 0, N);
    lt_sgemm_strided_batched(0, 0, M, N, K, 1, A, K, M * K, B, N, K * N, 0, C, N, M * N, batch);
    check("lt_sgemm_strided_batched", C, Cn, batch * M * N, bound, 0, "");
    ffree(A); ffree(B); ffree(C); ffree(Cn);
  }
}

// ---------------------------------------------------------------- conv

typedef struct { int N, C, H, W, O, kh, kw, sh, sw, ph, pw; } conv_cfg;

static void test_conv(void) {
  static const conv_cfg cfgs[] = {
      {2, 3, 7, 6, 4, 3, 2, 2, 1, 1, 0},
      {1, 1, 5, 5, 1, 1, 1, 1, 1, 0, 0},
      {2, 5, 9, 9, 7, 3, 3, 1, 1, 1, 1},
      {3, 2, 8, 11, 3, 5, 3, 3, 2, 2, 1},
      {1, 4, 4, 4, 20, 4, 4, 1, 1, 0, 0}, // oh = ow = 1
      {3, 2, 16, 16, 5, 4, 4, 2, 2, 1, 1}, // the VAE / DCGAN shape
      {9, 16, 64, 64, 8, 4, 4, 2, 2, 1, 1}, // two chunks (5 + 4 images)
      {2, 3, 9, 10, 4, 3, 3, 3, 3, 2, 0},  // stride 3
  };
  for (size_t ci = 0; ci < sizeof(cfgs) / sizeof(cfgs[0]); ci++) {
    conv_cfg c = cfgs[ci];
    int oh = (c.H + 2 * c.ph - c.kh) / c.sh + 1, ow = (c.W + 2 * c.pw - c.kw) / c.sw + 1;
    int64_t xs = (int64_t)c.N * c.C * c.H * c.W, ws = (int64_t)c.O * c.C * c.kh * c.kw, ys = (int64_t)c.N * c.O * oh * ow;
    float *x = falloc(xs), *w = falloc(ws), *bias = falloc(c.O), *y = falloc(ys), *yn = falloc(ys);
    float *work = falloc(lt_conv2d_workspace(c.N, c.C, c.O, c.kh, c.kw, oh, ow));
    float *dy = falloc(ys), *dx = falloc(xs), *dw = falloc(ws), *db = falloc(c.O);
    float *dxn = falloc(xs), *dwn = falloc(ws), *dbn = falloc(c.O);
    fill(x, xs, -1, 1); fill(w, ws, -1, 1); fill(bias, c.O, -1, 1); fill(dy, ys, -1, 1);
    fill(dx, xs, 9, 9); // dx is written: old contents must vanish
    fill(dw, ws, 0.5f, 0.5f); fill(db, c.O, 0.25f, 0.25f); // accumulated onto
    fill(dwn, ws, 0.5f, 0.5f); fill(dbn, c.O, 0.25f, 0.25f);
    memset(dxn, 0, sizeof(float) * xs);
    // Direct loops: forward and the matching backward scatter.
    for (int n = 0; n < c.N; n++)
      for (int o = 0; o < c.O; o++)
        for (int i = 0; i < oh; i++)
          for (int j = 0; j < ow; j++) {
            double s = bias[o];
            float g = dy[(((int64_t)n * c.O + o) * oh + i) * ow + j];
            dbn[o] += g;
            for (int ch = 0; ch < c.C; ch++)
              for (int a = 0; a < c.kh; a++)
                for (int b = 0; b < c.kw; b++) {
                  int iy = i * c.sh - c.ph + a, ix = j * c.sw - c.pw + b;
                  if (iy < 0 || iy >= c.H || ix < 0 || ix >= c.W) continue;
                  int64_t xi = (((int64_t)n * c.C + ch) * c.H + iy) * c.W + ix;
                  int64_t wi = (((int64_t)o * c.C + ch) * c.kh + a) * c.kw + b;
                  s += (double)x[xi] * w[wi];
                  dxn[xi] += g * w[wi];
                  dwn[wi] += g * x[xi];
                }
            yn[(((int64_t)n * c.O + o) * oh + i) * ow + j] = (float)s;
          }
    // Both variants (chunked and the per-image reference twin) against the direct loops.
    for (int variant = 0; variant < 2; variant++) {
      const char *name = variant ? "conv2d_ref" : "conv2d";
      char what[64];
      fill(dx, xs, 9, 9); fill(dw, ws, 0.5f, 0.5f); fill(db, c.O, 0.25f, 0.25f);
      if (variant) lt_conv2d_forward_f32_ref(y, x, w, bias, work, c.N, c.C, c.H, c.W, c.O, c.kh, c.kw, c.sh, c.sw, c.ph, c.pw, oh, ow);
      else lt_conv2d_forward_f32(y, x, w, bias, work, c.N, c.C, c.H, c.W, c.O, c.kh, c.kw, c.sh, c.sw, c.ph, c.pw, oh, ow);
      snprintf(what, sizeof what, "%s_forward", name);
      check(what, y, yn, ys, 1e-5, 1e-5, "");
      if (variant) lt_conv2d_backward_f32_ref(dx, dw, db, dy, x, w, work, c.N, c.C, c.H, c.W, c.O, c.kh, c.kw, c.sh, c.sw, c.ph, c.pw, oh, ow);
      else lt_conv2d_backward_f32(dx, dw, db, dy, x, w, work, c.N, c.C, c.H, c.W, c.O, c.kh, c.kw, c.sh, c.sw, c.ph, c.pw, oh, ow);
      snprintf(what, sizeof what, "%s_backward/dx", name);
      check(what, dx, dxn, xs, 1e-5, 1e-5, "");
      // dw and dbias sum N*oh*ow terms; the direct loops accumulate them in float.
      double sum_tol = 1e-5 + 2e-7 * c.N * oh * ow;
      snprintf(what, sizeof what, "%s_backward/dw", name);
      check(what, dw, dwn, ws, sum_tol, 1e-5, "");
      snprintf(what, sizeof what, "%s_backward/dbias", name);
      check(what, db, dbn, c.O, sum_tol, 1e-5, "");
      // dx alone, without x (the transposed convolution's forward).
      fill(dx, xs, 9, 9);
      if (variant) lt_conv2d_backward_f32_ref(dx, NULL, NULL, dy, NULL, w, work, c.N, c.C, c.H, c.W, c.O, c.kh, c.kw, c.sh, c.sw, c.ph, c.pw, oh, ow);
      else lt_conv2d_backward_f32(dx, NULL, NULL, dy, NULL, w, work, c.N, c.C, c.H, c.W, c.O, c.kh, c.kw, c.sh, c.sw, c.ph, c.pw, oh, ow);
      snprintf(what, sizeof what, "%s_backward/dx only", name);
      check(what, dx, dxn, xs, 1e-5, 1e-5, "");
    }
    // The transposed conv's backward (dy_t = x, x_t = dy): dx_t = conv(x, w)
    // = yn - bias, dw_t accumulated = dwn. Both variants (LATENT_ISA=ref runs the twin).
    {
      float *dxt = falloc(ys), *ynb = falloc(ys);
      for (int64_t i = 0; i < ys; i++) ynb[i] = yn[i] - bias[(i / ((int64_t)oh * ow)) % c.O];
      fill(dw, ws, 0.5f, 0.5f);
      lt_conv_transpose2d_backward_f32(dxt, dw, x, dy, w, work, c.N, c.C, c.H, c.W, c.O, c.kh, c.kw, c.sh, c.sw, c.ph, c.pw, oh, ow);
      check("conv_transpose2d_backward/dx", dxt, ynb, ys, 1e-5, 1e-5, "");
      check("conv_transpose2d_backward/dw", dw, dwn, ws, 1e-5 + 2e-7 * c.N * oh * ow, 1e-5, "");
      ffree(dxt); ffree(ynb);
    }
    // NULL gradients are skipped.
    lt_conv2d_backward_f32(NULL, NULL, NULL, dy, x, w, work, c.N, c.C, c.H, c.W, c.O, c.kh, c.kw, c.sh, c.sw, c.ph, c.pw, oh, ow);
    ffree(x); ffree(w); ffree(bias); ffree(y); ffree(yn); ffree(work); ffree(dy); ffree(dx); ffree(dw); ffree(db);
    ffree(dxn); ffree(dwn); ffree(dbn);
  }
}

// ---------------------------------------------------------------- moments

static void test_moments(void) {
  int64_t N = 1000, D = 5;
  float *X = falloc(N * D);
  for (int64_t i = 0; i < N * D; i++) X[i] = 1e4f + (float)nrand() * (1.0f + (float)(i % D));
  // Two-pass double oracle.
  double mean[5] = {0}, cov[25] = {0};
  for (int64_t n = 0; n < N; n++) for (int64_t j = 0; j < D; j++) mean[j] += X[n * D + j];
  for (int64_t j = 0; j < D; j++) mean[j] /= N;
  for (int64_t n = 0; n < N; n++)
    for (int64_t a = 0; a < D; a++)
      for (int64_t b = 0; b < D; b++) cov[a * D + b] += (X[n * D + a] - mean[a]) * (X[n * D + b] - mean[b]);
  for (int i = 0; i < 25; i++) cov[i] /= N;

  // State A: batches 7, 100, 293; state B: 1, 599; merge B into A.
  double *scratch = malloc(sizeof(double) * N * D);
  int64_t ca = 0, cb = 0;
  double ma[5], Ma[25], mb[5], Mb[25];
  for (int i = 0; i < 25; i++) Ma[i] = Mb[i] = NAN; // count 0 must ignore old contents
  int64_t cutsA[] = {0, 7, 107, 400}, cutsB[] = {400, 401, 1000};
  for (int i = 0; i < 3; i++) lt_moments_update(&ca, ma, Ma, X + cutsA[i] * D, cutsA[i + 1] - cutsA[i], D, scratch);
  for (int i = 0; i < 2; i++) lt_moments_update(&cb, mb, Mb, X + cutsB[i] * D, cutsB[i + 1] - cutsB[i], D, scratch);
  lt_moments_update(&cb, mb, Mb, X, 0, D, scratch); // empty batch: no-op
  lt_moments_merge(&ca, ma, Ma, cb, mb, Mb, D);
  float g[25], w[25];
  for (int i = 0; i < 5; i++) { g[i] = (float)(ma[i] - 1e4); w[i] = (float)(mean[i] - 1e4); }
  check("moments/mean-1e4", g, w, 5, 1e-9, 1e-7, "");
  double worst = 0;
  for (int i = 0; i < 25; i++) {
    g[i] = (float)(Ma[i] / ca);
    w[i] = (float)cov[i];
    worst = fmax(worst, fabs(Ma[i] / ca - cov[i]) / sqrt(cov[(i / 5) * 6] * cov[(i % 5) * 6]));
  }
  check("moments/cov", g, w, 25, 1e-9, 1e-9, "");
  float cnt = (float)ca, want = (float)N;
  check("moments/count", &cnt, &want, 1, 0, 0, "");
  printf("  moments: 1e4 + N(0, s^2) data, worst |cov err| / (s_a s_b) = %.3g (double math)\n", worst);
  free(scratch);
  ffree(X);
}

// ---------------------------------------------------------------- random

static void test_random(void) {
  static const uint32_t z[4] = {0, 0, 0, 0}, f[4] = {~0u, ~0u, ~0u, ~0u};
  static const uint32_t kat0[4] = {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8};
  static const uint32_t kat1[4] = {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd};
  uint32_t out[4];
  lt_philox4x32_10_block(out, 0, 0, z);
  int ok0 = memcmp(out, kat0, 16) == 0;
  lt_philox4x32_10_block(out, ~0u, ~0u, f);
  int ok1 = memcmp(out, kat1, 16) == 0;
  uint32_t bits[4];
  lt_random_bits_u32(bits, 4, 0, 0, 0); // seed 0, stream 0, block 0 = KAT 0
  int ok2 = memcmp(bits, kat0, 16) == 0;
  stat *s = get_stat("philox/known-answer");
  s->checks += 3;
  if (!(ok0 && ok1 && ok2)) { s->fails++; total_fails++; printf("  FAIL philox KAT %d %d %d\n", ok0, ok1, ok2); }

  // Split invariance: one call == many calls at shifted offsets.
  int64_t n = 1003;
  float *a = falloc(n), *b = falloc(n), *c = falloc(n), *d = falloc(n);
  lt_random_normal_f32(a, n, 42, 7, 5);
  lt_random_uniform_f32(c, n, 42, 7, 5);
  for (int64_t i = 0; i < n;) {
    int64_t k = 1 + (i * 7) % 6;
    if (i + k > n) k = n - i;
    lt_random_normal_f32(b + i, k, 42, 7, 5 + (uint64_t)i);
    lt_random_uniform_f32(d + i, k, 42, 7, 5 + (uint64_t)i);
    i += k;
  }
  check("random/split-invariance", b, a, n, 0, 0, "normal");
  check("random/split-invariance", d, c, n, 0, 0, "uniform");
  ffree(a); ffree(b); ffree(c); ffree(d);

  int64_t m = 1 << 20;
  float *u = falloc(m), *g = falloc(m);
  lt_random_uniform_f32(u, m, 1, 0, 0);
  lt_random_normal_f32(g, m, 1, 0, 0);
  double su = 0, sg = 0, sg2 = 0, umin = 1, umax = 0;
  for (int64_t i = 0; i < m; i++) {
    su += u[i]; sg += g[i]; sg2 += (double)g[i] * g[i];
    umin = fmin(umin, u[i]); umax = fmax(umax, u[i]);
  }
  double mu = su / m, mg = sg / m, vg = sg2 / m - mg * mg;
  printf("  random: uniform mean %.5f [min %.3g, max %.9f]; normal mean %.5f var %.5f (n = 2^20)\n", mu, umin, umax, mg, vg);
  s = get_stat("random/moments");
  s->checks += 4;
  // 5 sigma bands for 2^20 draws.
  if (fabs(mu - 0.5) > 5 * 0.2887 / 1024 || umax >= 1 || umin < 0 || fabs(mg) > 5.0 / 1024 || fabs(vg - 1) > 5 * 1.414 / 1024) {
    s->fails++; total_fails++; printf("  FAIL random moments\n");
  }
  ffree(u); ffree(g);
}

// ---------------------------------------------------------------- timing

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

typedef void (*gemm_fn)(int M, int N, int K, const float *A, const float *B, float *C);
static void run_smallk(int M, int N, int K, const float *A, const float *B, float *C) {
  V->gemm_smallk(C, N, A, K, B, N, M, N, K, 1.0f, 0.0f);
}
static void run_ref(int M, int N, int K, const float *A, const float *B, float *C) {
  R->gemm_smallk(C, N, A, K, B, N, M, N, K, 1.0f, 0.0f);
}
static void run_blas(int M, int N, int K, const float *A, const float *B, float *C) {
  lt_sgemm_blas(0, 0, M, N, K, 1.0f, A, K, B, N, 0.0f, C, N);
}

// Best of 21 rounds of 50 calls, in microseconds per call. The candidates
// run interleaved within each round so background load hits them alike.
static void time_gemms(double *best, gemm_fn *fs, int nf, int M, int N, int K, const float *A,
                       const float *B, float *C) {
  int reps = 50;
  for (int f = 0; f < nf; f++) {
    best[f] = 1e30;
    for (int w = 0; w < 20; w++) fs[f](M, N, K, A, B, C);
  }
  for (int r = 0; r < 21; r++)
    for (int f = 0; f < nf; f++) {
      double t0 = now();
      for (int i = 0; i < reps; i++) fs[f](M, N, K, A, B, C);
      double t = (now() - t0) / reps * 1e6;
      if (t < best[f]) best[f] = t;
    }
}

static int blas_threads_saved;
static void run_blas1(int M, int N, int K, const float *A, const float *B, float *C) {
  lt_blas_set_threads(1);
  run_blas(M, N, K, A, B, C);
  lt_blas_set_threads(blas_threads_saved);
}

static void bench_gemm(void) {
  printf("\ngemm_smallk timing (best of 21 interleaved rounds x 50 calls, alpha=1 beta=0, row-major, unaligned +1 float)\n");
  printf("  blas: %s | core %s | threads %d (blas1t: 1 thread; avx2/ref: 1 thread)\n", lt_blas_config(),
         lt_blas_corename(), lt_blas_threads());
  printf("  %-20s %10s %10s %10s %10s %9s %9s\n", "shape", "avx2 us", "ref us", "blas us", "blas1t us",
         "blas/avx2", "blas1t/avx2");
  int Ks[] = {2, 8, 16};
  for (int ki = 0; ki < 3; ki++) {
    int M = 512, N = 256, K = Ks[ki];
    float *A = falloc(M * K), *B = falloc(K * N), *C = falloc(M * N), *Cb = falloc(M * N);
    fill(A, M * K, -1, 1); fill(B, K * N, -1, 1);
    run_smallk(M, N, K, A, B, C);
    run_blas(M, N, K, A, B, Cb);
    double bound = 2e-7 * (K + 2) * K;
    check("bench/gemm avx2-vs-blas", C, Cb, M * N, bound, 0, ""); // check before timing
    gemm_fn fs[4] = {run_smallk, run_ref, run_blas, run_blas1};
    double t[4];
    blas_threads_saved = lt_blas_threads();
    time_gemms(t, fs, 4, M, N, K, A, B, C);
    double tv = t[0], tr = t[1], tb = t[2], tb1 = t[3];
    char shape[32];
    snprintf(shape, sizeof shape, "M=%d N=%d K=%d", M, N, K);
    printf("  %-20s %10.1f %10.1f %10.1f %10.1f %8.2fx %8.2fx\n", shape, tv, tr, tb, tb1, tb / tv, tb1 / tv);
    ffree(A); ffree(B); ffree(C); ffree(Cb);
  }
}

int main(void) {
  printf("CLatent kernel check\n");
  printf("  lt_kernels(): %s | avx2+fma cpu: %d | LATENT_ISA=%s | fftw %s\n", lt_kernels()->name,
         lt_cpu_has_avx2_fma(), getenv("LATENT_ISA") ? getenv("LATENT_ISA") : "(unset)", lt_fftw_version());
  R = lt_kernels_for(LT_ISA_REF);
  V = lt_kernels_for(LT_ISA_AVX2);
  if (!V) {
    printf("  no AVX2 table on this CPU/build: comparing ref with itself\n");
    V = R;
  }
  test_activations();
  test_transcendental_sweep();
  test_unary();
  test_binary();
  test_reduce();
  test_covariance();
  test_adam();
  test_gemm();
  test_conv();
  test_moments();
  test_random();
  // LATENT_CHECK_NO_TIMING=1 (emulated runs, scripts/checks/arm64/run.sh): checks only.
  if (!getenv("LATENT_CHECK_NO_TIMING")) bench_gemm();

  printf("\n%-34s %12s %12s %9s %6s\n", "check", "max abs err", "max rel err", "checks", "fails");
  for (int i = 0; i < nstats; i++)
    printf("%-34s %12.3g %12.3g %9ld %6ld\n", stats[i].name, stats[i].max_abs, stats[i].max_rel, stats[i].checks, stats[i].fails);
  printf("\n%s (%d failures)\n", total_fails ? "FAILED" : "ALL OK", total_fails);
  return total_fails ? 1 : 0;
}
