#!/bin/sh
# Cross-build the C kernel core for 64-bit ARM and run the standalone kernel
# checks (bench/ctest/kernel_check.c) under qemu user-mode emulation: the
# portable kernel path (ref/*.c, conv, FFT, moments, random, threads) builds
# and passes on arm64 with no x86 intrinsics. Needs Debian's arm64 multiarch
# libraries and qemu (make arm64-check installs them):
#   dpkg --add-architecture arm64 && apt-get update
#   apt-get install qemu-user-static libc6-dev-arm64-cross libgcc-12-dev-arm64-cross \
#                   libopenblas-dev:arm64 libfftw3-dev:arm64
set -eu
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
OUT=${TMPDIR:-/tmp}/latent_kernel_check_arm64
SYSROOT=/usr/aarch64-linux-gnu
GCCLIB=$(ls -d /usr/lib/gcc-cross/aarch64-linux-gnu/* 2>/dev/null | sort -V | tail -1)
[ -n "$GCCLIB" ] || { echo "arm64: no /usr/lib/gcc-cross/aarch64-linux-gnu (install libgcc-12-dev-arm64-cross)"; exit 1; }
command -v qemu-aarch64-static >/dev/null || { echo "arm64: qemu-aarch64-static missing (install qemu-user-static)"; exit 1; }
clang --target=aarch64-linux-gnu -std=c11 -O2 -Wall -Wextra -Werror=implicit-function-declaration -D_GNU_SOURCE \
  -isystem "$SYSROOT/include" -isystem /usr/include/aarch64-linux-gnu \
  -I "$ROOT/CSources/CLatent/include" \
  $(find "$ROOT/CSources/CLatent" -name '*.c' | sort) "$ROOT/bench/ctest/kernel_check.c" \
  -fuse-ld=lld -nostdlib \
  "$SYSROOT/lib/crt1.o" "$SYSROOT/lib/crti.o" "$GCCLIB/crtbegin.o" \
  -L "$SYSROOT/lib" -L /usr/lib/aarch64-linux-gnu -L "$GCCLIB" \
  -lopenblas -lfftw3f -lm -lpthread -lc -lgcc -lgcc_s \
  "$GCCLIB/crtend.o" "$SYSROOT/lib/crtn.o" \
  -Wl,--dynamic-linker=/lib/ld-linux-aarch64.so.1 \
  -o "$OUT"
file -b "$OUT" | cut -d, -f1-2
# qemu finds the arm64 loader and libraries: Debian's cross libc under
# $SYSROOT, the multiarch OpenBLAS / FFTW under /usr/lib/aarch64-linux-gnu.
LATENT_CHECK_NO_TIMING=1 QEMU_LD_PREFIX=$SYSROOT LD_LIBRARY_PATH=/usr/lib/aarch64-linux-gnu:/usr/lib/aarch64-linux-gnu/openblas-pthread \
  OPENBLAS_NUM_THREADS=1 qemu-aarch64-static "$OUT" | grep -E "lt_kernels|FAIL|ALL OK"
