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
clang -std=c11 -O2 -Wall -Wextra -D_GNU_SOURCE $SAN -I "$ROOT/CSources/CLatent/include" \
  $(find "$ROOT/CSources/CLatent" -name '*.c' | sort) "$ROOT/bench/ctest/kernel_check.c" \
  -o "$OUT" -lopenblas -lfftw3f -lm -lpthread
"$OUT"
echo
echo "=== again with LATENT_ISA=ref ==="
LATENT_ISA=ref "$OUT" | grep -E "lt_kernels|lt_sgemm|conv|ALL OK|FAIL"
