#!/bin/sh
# Build and run the standalone kernel check with clang -O2 into /tmp.
# Runs twice: with the dispatched table (avx2 when available) and with
# LATENT_ISA=ref so lt_sgemm / conv also exercise the reference gemm.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${TMPDIR:-/tmp}/latent_kernel_check
# SANITIZE=1 builds with AddressSanitizer and UndefinedBehaviorSanitizer.
SAN=""
if [ "${SANITIZE:-0}" = 1 ]; then SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g"; fi
if [ "${TSAN:-0}" = 1 ]; then
  # ThreadSanitizer on the thread pool, the threaded GEMM and kernel table. Swift's
  # clang ships a TSan runtime that needs libdispatch, so this uses gcc, with the
  # target features the clang pragmas would have enabled.
  gcc -std=gnu11 -O1 -g -fsanitize=thread -D_GNU_SOURCE -D_Nullable= -D_Nonnull= \
    -mavx2 -mfma -mavx512f -mavx512dq -mavx512bw -mavx512vl -I "$ROOT/CSources/CLatent/include" \
    $(find "$ROOT/CSources/CLatent" -name '*.c' | sort) "$ROOT/bench/ctest/kernel_check.c" \
    -o "$OUT-tsan" -lopenblas -lfftw3f -lm -lpthread
  # A data race makes TSan exit non-zero (exitcode 66) after printing it.
  LATENT_CHECK_NO_TIMING=1 LATENT_NUM_THREADS=4 OPENBLAS_NUM_THREADS=1 "$OUT-tsan" > "$OUT-tsan.log" || {
    cat "$OUT-tsan.log"; echo "tsan: FAILED (see the report above)"; exit 1; }
  grep -E "lt_kernels|ALL OK" "$OUT-tsan.log"
  exit 0
fi
clang -std=c11 -O2 -Wall -Wextra -D_GNU_SOURCE $SAN -I "$ROOT/CSources/CLatent/include" \
  $(find "$ROOT/CSources/CLatent" -name '*.c' | sort) "$ROOT/bench/ctest/kernel_check.c" \
  -o "$OUT" -lopenblas -lfftw3f -lm -lpthread
"$OUT"
echo
echo "=== again with LATENT_ISA=ref ==="
LATENT_ISA=ref "$OUT" | grep -E "lt_kernels|lt_sgemm|conv|ALL OK|FAIL"
