// parallel.c — the element-wise entries of the chosen kernel table, split
// over lt_threads() (threads.c).
//
// lt_kernels() hands out a copy of the ISA table whose streaming kernels
// (bias + activation, activation backward, unary, binary, axpby, reductions
// over the middle axis, Adam) cut their work into one contiguous block per
// thread and call the ISA kernel on each block. Every element is computed by
// the same code as before, and reductions keep their per-output order, so
// results do not depend on the thread count. Below SERIAL_BELOW elements the
// hand-over costs more than it saves and the ISA kernel runs directly.
// lt_kernels_for() still returns the raw tables (the parity tests use them).
#include "internal.h"

enum { SERIAL_BELOW = 1 << 15, ALIGN = 16 };

static const lt_kernel_table *base;  // the ISA table being wrapped

// Block `part` of `parts` over [0, n), boundaries on multiples of ALIGN.
static void block(int64_t n, int part, int parts, int64_t *lo, int64_t *hi) {
  int64_t units = (n + ALIGN - 1) / ALIGN;
  *lo = units * part / parts * ALIGN;
  *hi = units * (part + 1) / parts * ALIGN;
  if (*hi > n) *hi = n;
  if (*lo > n) *lo = n;
}

static int parts_for(int64_t work, int64_t units) {
  int t = lt_threads();
  if (work < SERIAL_BELOW || t < 2) return 1;
  return units < t ? (int)units : t;
}

// ------------------------------------------------------------ bias + act
typedef struct { float *y; const float *x, *bias; int64_t rows, cols; lt_act act; float alpha; int parts; } bias_act_job;
static void bias_act_part(void *ctx, int part) {
  const bias_act_job *j = ctx;
  int64_t r0 = j->rows * part / j->parts, r1 = j->rows * (part + 1) / j->parts;
  if (r1 > r0)
    base->bias_act_forward(j->y + r0 * j->cols, j->x + r0 * j->cols, j->bias, r1 - r0, j->cols, j->act, j->alpha);
}
static void par_bias_act_forward(float *y, const float *x, const float *bias, int64_t rows, int64_t cols,
                                 lt_act act, float alpha) {
  int parts = parts_for(rows * cols, rows);
  if (parts < 2) { base->bias_act_forward(y, x, bias, rows, cols, act, alpha); return; }
  bias_act_job j = {y, x, bias, rows, cols, act, alpha, parts};
  lt_parallel_for(parts, bias_act_part, &j);
}

// ------------------------------------------------------ act backward
typedef struct { float *dx; const float *dy, *x, *y; int64_t n; lt_act act; float alpha; int parts; } act_back_job;
static void act_back_part(void *ctx, int part) {
  const act_back_job *j = ctx;
  int64_t lo, hi;
  block(j->n, part, j->parts, &lo, &hi);
  if (hi > lo) base->act_backward(j->dx + lo, j->dy + lo, j->x + lo, j->y + lo, hi - lo, j->act, j->alpha);
}
static void par_act_backward(float *dx, const float *dy, const float *x, const float *y, int64_t n, lt_act act,
                             float alpha) {
  int parts = parts_for(n, (n + ALIGN - 1) / ALIGN);
  if (parts < 2) { base->act_backward(dx, dy, x, y, n, act, alpha); return; }
  act_back_job j = {dx, dy, x, y, n, act, alpha, parts};
  lt_parallel_for(parts, act_back_part, &j);
}

// ------------------------------------------------------------- unary
typedef struct { float *out; const float *x; int64_t n; lt_unary_op op; int parts; } unary_job;
static void unary_part(void *ctx, int part) {
  const unary_job *j = ctx;
  int64_t lo, hi;
  block(j->n, part, j->parts, &lo, &hi);
  if (hi > lo) base->unary(j->out + lo, j->x + lo, hi - lo, j->op);
}
static void par_unary(float *out, const float *x, int64_t n, lt_unary_op op) {
  int parts = parts_for(n, (n + ALIGN - 1) / ALIGN);
  if (parts < 2) { base->unary(out, x, n, op); return; }
  unary_job j = {out, x, n, op, parts};
  lt_parallel_for(parts, unary_part, &j);
}

// ------------------------------------------------------------- axpby
typedef struct { float *out; const float *x, *y; int64_t n; float a, b; int parts; } axpby_job;
static void axpby_part(void *ctx, int part) {
  const axpby_job *j = ctx;
  int64_t lo, hi;
  block(j->n, part, j->parts, &lo, &hi);
  if (hi > lo) base->axpby(j->out + lo, j->x + lo, j->y + lo, hi - lo, j->a, j->b);
}
static void par_axpby(float *out, const float *x, const float *y, int64_t n, float a, float b) {
  int parts = parts_for(n, (n + ALIGN - 1) / ALIGN);
  if (parts < 2) { base->axpby(out, x, y, n, a, b); return; }
  axpby_job j = {out, x, y, n, a, b, parts};
  lt_parallel_for(parts, axpby_part, &j);
}

// ------------------------------------------------------------ binary
// Split along the first dimension (each block is a contiguous slab of out).
typedef struct {
  float *out; const float *a, *b; const int64_t *sa, *sb, *shape; int ndim; lt_binary_op op; int parts; int64_t inner;
} binary_job;
static void binary_part(void *ctx, int part) {
  const binary_job *j = ctx;
  int64_t d0 = j->shape[0], lo = d0 * part / j->parts, hi = d0 * (part + 1) / j->parts;
  if (hi <= lo) return;
  int64_t shape[LT_MAX_DIMS];
  for (int i = 0; i < j->ndim; i++) shape[i] = j->shape[i];
  shape[0] = hi - lo;
  base->binary(j->out + lo * j->inner, j->a + lo * j->sa[0], j->sa, j->b + lo * j->sb[0], j->sb, shape, j->ndim, j->op);
}
static void par_binary(float *out, const float *a, const int64_t *sa, const float *b, const int64_t *sb,
                       const int64_t *shape, int ndim, lt_binary_op op) {
  int64_t total = 1, inner = 1;
  for (int i = 0; i < ndim; i++) total *= shape[i];
  for (int i = 1; i < ndim; i++) inner *= shape[i];
  int parts = ndim > 0 ? parts_for(total, shape[0]) : 1;
  if (parts < 2) { base->binary(out, a, sa, b, sb, shape, ndim, op); return; }
  binary_job j = {out, a, b, sa, sb, shape, ndim, op, parts, inner};
  lt_parallel_for(parts, binary_part, &j);
}

// ------------------------------------------------------------ reduce
// Split over the outer axis (whole output rows per block).
typedef struct { float *out; const float *x; int64_t outer, n, inner; lt_reduce_op op; int parts; } reduce_job;
static void reduce_part(void *ctx, int part) {
  const reduce_job *j = ctx;
  int64_t lo = j->outer * part / j->parts, hi = j->outer * (part + 1) / j->parts;
  if (hi > lo) base->reduce(j->out + lo * j->inner, j->x + lo * j->n * j->inner, hi - lo, j->n, j->inner, j->op);
}
static void par_reduce(float *out, const float *x, int64_t outer, int64_t n, int64_t inner, lt_reduce_op op) {
  int parts = parts_for(outer * n * inner, outer);
  if (parts < 2) { base->reduce(out, x, outer, n, inner, op); return; }
  reduce_job j = {out, x, outer, n, inner, op, parts};
  lt_parallel_for(parts, reduce_part, &j);
}

// -------------------------------------------------------------- Adam
typedef struct {
  float *p; const float *g; float *m, *v; int64_t n; float lr, b1, b2, eps, wd, bc1, bc2; int decoupled, parts;
} adam_job;
static void adam_part(void *ctx, int part) {
  const adam_job *j = ctx;
  int64_t lo, hi;
  block(j->n, part, j->parts, &lo, &hi);
  if (hi > lo)
    base->adam_step(j->p + lo, j->g + lo, j->m + lo, j->v + lo, hi - lo, j->lr, j->b1, j->b2, j->eps, j->wd, j->bc1,
                    j->bc2, j->decoupled);
}
static void par_adam_step(float *p, const float *g, float *m, float *v, int64_t n, float lr, float b1, float b2,
                          float eps, float wd, float bc1, float bc2, int decoupled) {
  int parts = parts_for(n, (n + ALIGN - 1) / ALIGN);
  if (parts < 2) { base->adam_step(p, g, m, v, n, lr, b1, b2, eps, wd, bc1, bc2, decoupled); return; }
  adam_job j = {p, g, m, v, n, lr, b1, b2, eps, wd, bc1, bc2, decoupled, parts};
  lt_parallel_for(parts, adam_part, &j);
}

void lt_wrap_parallel(lt_kernel_table *out, const lt_kernel_table *isa) {
  *out = *isa;
  base = isa;
  out->bias_act_forward = par_bias_act_forward;
  out->act_backward = par_act_backward;
  out->unary = par_unary;
  out->axpby = par_axpby;
  out->binary = par_binary;
  out->reduce = par_reduce;
  out->adam_step = par_adam_step;
}
