// signals.c — SIGINT/SIGTERM to a flag for training loops (Interruption.swift).
// A sigaction handler works whichever thread the kernel picks (OpenBLAS and
// test-runner threads included); it only stores a sig_atomic_t and calls
// write/_exit, which are async-signal-safe. A second signal of the same kind
// exits at once with status 128 + signal.
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "latent_kernels.h"

static volatile sig_atomic_t lt_received = 0;

static void lt_signal_handler(int sig) {
  static const char again[] = "\nsecond signal: stopping at once, without a checkpoint\n";
  static const char first[] = "\nstopping after this step and saving a checkpoint (send the signal again to stop at once)\n";
  if (lt_received == sig) {
    (void)!write(2, again, sizeof again - 1);
    _exit(128 + sig);
  }
  if (lt_received == 0) {
    lt_received = sig;
    (void)!write(2, first, sizeof first - 1);
  }
}

int lt_signal_catch(int sig) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = lt_signal_handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  return sigaction(sig, &sa, NULL);
}

void lt_signal_default(int sig) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = SIG_DFL;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, NULL);
}

int lt_signal_received(void) { return (int)lt_received; }

void lt_signal_clear(void) { lt_received = 0; }
