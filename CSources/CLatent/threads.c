// threads.c — a tiny persistent thread pool for Latent's own kernels.
//
// lt_parallel_for(n, fn, ctx) runs fn(ctx, 0..n-1) on the calling thread plus
// (threads - 1) helpers. Helpers spin for a short while after each job before
// they sleep on a condition variable: a training step issues hundreds of
// kernels a few tens of microseconds apart, and a futex wake-up per kernel
// would cost as much as the work it hands over. The pool serves one job at a
// time; a second caller (tests run in parallel) finds it busy and runs its job
// serially on its own thread, which is always correct.
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

enum { MAX_THREADS = 64 };

static pthread_mutex_t busy = PTHREAD_MUTEX_INITIALIZER;   // one job at a time
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;

static _Atomic int wanted_threads = 0;   // 0: not yet chosen
static int started_helpers = 0;          // guarded by busy
// The job ticket: generation (24 bits) | task count (20) | next index (20).
// Tasks are claimed by compare-and-swap on the whole word, so a helper late
// from one job can never take (or count) a task of the next.
#define GEN_SHIFT 40
#define COUNT_SHIFT 20
#define FIELD ((1u << 20) - 1)
static _Atomic uint64_t ticket = 0;
static _Atomic int done_tasks;
static void (*job_fn)(void *, int);
static void *job_ctx;

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static inline void cpu_relax(void) {
#if defined(__x86_64__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ volatile("yield");
#endif
}

// Runs tasks of generation gen until none is left; fn and ctx were written
// before the ticket that announced gen (release / acquire).
static void run_tasks(uint32_t gen) {
  for (;;) {
    uint64_t v = atomic_load_explicit(&ticket, memory_order_acquire);
    uint32_t index = (uint32_t)v & FIELD, count = (uint32_t)(v >> COUNT_SHIFT) & FIELD;
    if ((uint32_t)(v >> GEN_SHIFT) != gen || index >= count) return;
    if (!atomic_compare_exchange_weak_explicit(&ticket, &v, v + 1, memory_order_acq_rel, memory_order_relaxed))
      continue;
    job_fn(job_ctx, (int)index);
    atomic_fetch_add_explicit(&done_tasks, 1, memory_order_release);
  }
}

static inline uint32_t current_generation(void) {
  return (uint32_t)(atomic_load_explicit(&ticket, memory_order_acquire) >> GEN_SHIFT);
}

// How long a helper spins for the next job before sleeping: 200 us, or
// LATENT_SPIN_US. Set before the first helper starts (pthread_create orders it).
static double spin_seconds = 200e-6;

static void *helper(void *arg) {
  (void)arg;
  uint32_t seen = current_generation();
  for (;;) {
    // Spin ~200 us for the next job, then sleep until one is posted.
    double give_up = now_seconds() + spin_seconds;
    int spins = 0;
    while (current_generation() == seen) {
      cpu_relax();
      if (++spins % 256 == 0 && now_seconds() > give_up) {
        pthread_mutex_lock(&sleep_lock);
        while (current_generation() == seen) pthread_cond_wait(&wake, &sleep_lock);
        pthread_mutex_unlock(&sleep_lock);
      }
    }
    seen = current_generation();
    run_tasks(seen);
  }
  return NULL;
}

static int default_threads(void) {
  const char *env = getenv("LATENT_NUM_THREADS");
  if (!env) env = getenv("OPENBLAS_NUM_THREADS");
  if (!env) env = getenv("OMP_NUM_THREADS");
  int n = env ? atoi(env) : 0;
  if (n <= 0) n = (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (n <= 0) n = 1;
  return n > MAX_THREADS ? MAX_THREADS : n;
}

int lt_threads(void) {
  int n = atomic_load(&wanted_threads);
  if (n == 0) {
    int expected = 0;
    atomic_compare_exchange_strong(&wanted_threads, &expected, default_threads());
    n = atomic_load(&wanted_threads);
  }
  return n;
}

void lt_set_threads(int n) {
  if (n < 1) n = 1;
  if (n > MAX_THREADS) n = MAX_THREADS;
  atomic_store(&wanted_threads, n);
}

void lt_parallel_for(int n, void (*fn)(void *ctx, int i), void *ctx) {
  if (n <= 0) return;
  int threads = lt_threads();
  if (n == 1 || threads == 1 || n > (int)FIELD || pthread_mutex_trylock(&busy) != 0) {
    for (int i = 0; i < n; i++) fn(ctx, i);
    return;
  }
  if (started_helpers == 0) {
    const char *e = getenv("LATENT_SPIN_US");
    if (e && atof(e) >= 0) spin_seconds = atof(e) * 1e-6;
  }
  while (started_helpers < threads - 1) {
    pthread_t t;
    if (pthread_create(&t, NULL, helper, NULL) != 0) break;
    pthread_detach(t);
    started_helpers++;
  }
  // After lowering the count, helpers beyond `threads - 1` still exist and may
  // take some of the `n` tasks (results are the same; at most n run at once).
  job_fn = fn;
  job_ctx = ctx;
  atomic_store_explicit(&done_tasks, 0, memory_order_relaxed);
  uint32_t gen = (current_generation() + 1) & 0xFFFFFFu;
  pthread_mutex_lock(&sleep_lock);
  atomic_store_explicit(&ticket, (uint64_t)gen << GEN_SHIFT | (uint64_t)n << COUNT_SHIFT, memory_order_release);
  pthread_cond_broadcast(&wake);
  pthread_mutex_unlock(&sleep_lock);
  run_tasks(gen);
  // Every task is claimed; wait for the helpers still running theirs. Yield
  // now and then: a helper the scheduler put on this very CPU cannot finish
  // while we spin.
  for (int spins = 0; atomic_load_explicit(&done_tasks, memory_order_acquire) < n; spins++) {
    cpu_relax();
    if (spins % 64 == 63) sched_yield();
  }
  pthread_mutex_unlock(&busy);
}
