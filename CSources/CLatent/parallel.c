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

// One kernel call restricted to items [lo, hi) of the split axis.
typedef void (*range_fn)(const void *args, int64_t lo, int64_t hi);
typedef struct { range_fn fn; const void *args; int64_t n, unit; int parts; } split_job;

// Part `part` of `parts` over [0, n), boundaries on multiples of `unit`.
static void split_part(void *ctx, int part) {
  const split_job *j = ctx;
  int64_t units = (j->n + j->unit - 1) / j->unit;
  int64_t lo = units * part / j->parts * j->unit, hi = units * (part + 1) / j->parts * j->unit;
  if (hi > j->n) hi = j->n;
  if (lo < hi) j->fn(j->args, lo, hi);
}

// Runs fn over [0, n) of an axis whose items are `unit`-aligned when split,
// on one thread below SERIAL_BELOW floats of work, else one block per thread.
static void split(int64_t n, int64_t unit, int64_t work, range_fn fn, const void *args) {
  int t = lt_threads();
  int64_t units = (n + unit - 1) / unit;
  int parts = work < SERIAL_BELOW || t < 2 ? 1 : (units < t ? (int)units : t);
  if (parts < 2) {
    if (n > 0) fn(args, 0, n);
    return;
  }
  split_job j = {fn, args, n, unit, parts};
  lt_parallel_for(parts, split_part, &j);
}

// ------------------------------------------------------------ bias + act (rows)
typedef struct { float *y; const float *x, *bias; int64_t cols; lt_act act; float alpha; } bias_act_args;
static void bias_act_range(const void *p, int64_t lo, int64_t hi) {
  const bias_act_args *a = p;
  base->bias_act_forward(a->y + lo * a->cols, a->x + lo * a->cols, a->bias, hi - lo, a->cols, a->act, a->alpha);
}
static void par_bias_act_forward(float *y, const float *x, const float *bias, int64_t rows, int64_t cols,
                                 lt_act act, float alpha) {
  bias_act_args a = {y, x, bias, cols, act, alpha};
  split(rows, 1, rows * cols, bias_act_range, &a);
}

// ------------------------------------------------------ act backward (elements)
typedef struct { float *dx; const float *dy, *x, *y; lt_act act; float alpha; } act_back_args;
static void act_back_range(const void *p, int64_t lo, int64_t hi) {
  const act_back_args *a = p;
  base->act_backward(a->dx + lo, a->dy + lo, a->x + lo, a->y + lo, hi - lo, a->act, a->alpha);
}
static void par_act_backward(float *dx, const float *dy, const float *x, const float *y, int64_t n, lt_act act,
                             float alpha) {
  act_back_args a = {dx, dy, x, y, act, alpha};
  split(n, ALIGN, n, act_back_range, &a);
}

// ------------------------------------------------------------- unary (elements)
typedef struct { float *out; const float *x; lt_unary_op op; } unary_args;
static void unary_range(const void *p, int64_t lo, int64_t hi) {
  const unary_args *a = p;
  base->unary(a->out + lo, a->x + lo, hi - lo, a->op);
}
static void par_unary(float *out, const float *x, int64_t n, lt_unary_op op) {
  unary_args a = {out, x, op};
  split(n, ALIGN, n, unary_range, &a);
}

// ------------------------------------------------------------- axpby (elements)
typedef struct { float *out; const float *x, *y; float a, b; } axpby_args;
static void axpby_range(const void *p, int64_t lo, int64_t hi) {
  const axpby_args *a = p;
  base->axpby(a->out + lo, a->x + lo, a->y + lo, hi - lo, a->a, a->b);
}
static void par_axpby(float *out, const float *x, const float *y, int64_t n, float a, float b) {
  axpby_args args = {out, x, y, a, b};
  split(n, ALIGN, n, axpby_range, &args);
}

// ------------------------------------------------------------ binary (first dimension)
// Each block is a contiguous slab of out.
typedef struct {
  float *out; const float *a, *b; const int64_t *sa, *sb, *shape; int ndim; lt_binary_op op; int64_t inner;
} binary_args;
static void binary_range(const void *p, int64_t lo, int64_t hi) {
  const binary_args *a = p;
  int64_t shape[LT_MAX_DIMS];
  for (int i = 0; i < a->ndim; i++) shape[i] = a->shape[i];
  shape[0] = hi - lo;
  base->binary(a->out + lo * a->inner, a->a + lo * a->sa[0], a->sa, a->b + lo * a->sb[0], a->sb, shape, a->ndim, a->op);
}
static void par_binary(float *out, const float *a, const int64_t *sa, const float *b, const int64_t *sb,
                       const int64_t *shape, int ndim, lt_binary_op op) {
  if (ndim < 1) { base->binary(out, a, sa, b, sb, shape, ndim, op); return; }
  int64_t inner = 1;
  for (int i = 1; i < ndim; i++) inner *= shape[i];
  binary_args args = {out, a, b, sa, sb, shape, ndim, op, inner};
  split(shape[0], 1, shape[0] * inner, binary_range, &args);
}

// ------------------------------------------------------------ reduce (outer axis)
// Whole output rows per block, so each output keeps its summation order.
typedef struct { float *out; const float *x; int64_t n, inner; lt_reduce_op op; } reduce_args;
static void reduce_range(const void *p, int64_t lo, int64_t hi) {
  const reduce_args *a = p;
  base->reduce(a->out + lo * a->inner, a->x + lo * a->n * a->inner, hi - lo, a->n, a->inner, a->op);
}
static void par_reduce(float *out, const float *x, int64_t outer, int64_t n, int64_t inner, lt_reduce_op op) {
  if (outer < 1) { base->reduce(out, x, outer, n, inner, op); return; }
  reduce_args a = {out, x, n, inner, op};
  split(outer, 1, outer * n * inner, reduce_range, &a);
}

// -------------------------------------------------------------- Adam (elements)
typedef struct { float *p; const float *g; float *m, *v; float lr, b1, b2, eps, wd, bc1, bc2; int decoupled; } adam_args;
static void adam_range(const void *p, int64_t lo, int64_t hi) {
  const adam_args *a = p;
  base->adam_step(a->p + lo, a->g + lo, a->m + lo, a->v + lo, hi - lo, a->lr, a->b1, a->b2, a->eps, a->wd, a->bc1,
                  a->bc2, a->decoupled);
}
static void par_adam_step(float *p, const float *g, float *m, float *v, int64_t n, float lr, float b1, float b2,
                          float eps, float wd, float bc1, float bc2, int decoupled) {
  adam_args a = {p, g, m, v, lr, b1, b2, eps, wd, bc1, bc2, decoupled};
  split(n, ALIGN, n, adam_range, &a);
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
