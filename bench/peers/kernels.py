#!/usr/bin/env python3
"""PyTorch (CPU, float32) peer for Latent's matrix-multiply kernel figures.

Times torch.matmul on the largest matrix products of workloads W2, W4 and W5
(bench/README.md, Workloads), in the three forms a Linear layer's training step uses:

  forward      Y  = X @ W^T     (M x K) @ (K x N), W stored (N, K)
  grad_input   dX = dY @ W      (M x N) @ (N x K)
  grad_weight  dW = dY^T @ X    (N x M) @ (M x K)

Largest products (batch M, layer K -> N):
  W2 vae-mlp   M=128, 784 -> 512   (encoder input layer; decoder output layer is 512 -> 784)
  W4 gan-mlp   M=128, 784 -> 512   (D input layer; G output layer is 512 -> 784)
  W5 maf       M=512, 512 -> 512   (MADE hidden layer)

Each product is 2*M*K*N flops. Prints one JSON line per (product, form):
  {"kernel": "matmul", "workload": "W2", "form": "forward", "m": 128, "k": 784,
   "n": 512, "threads": T, "gflops": ..., "best_gflops": ..., "us_per_call": ...,
   "cpu_mhz": ..., "avx512f": ..., "peak_gflops_32fpc": ...}

gflops is total flops / total time over the timed calls; best_gflops is the
best of the timed batches. peak_gflops_32fpc = threads x 32 flop/cycle x the
clock /proc/cpuinfo reports: the AVX2 two-FMA peak bench/README.md describes. It is
only a yardstick: on a CPU with AVX-512 (avx512f true; torch's MKL uses it) or
a turbo clock above the reported one, measured GFLOP/s can exceed it.

Usage:
  python kernels.py --threads 2 --seconds 1
"""

import argparse
import json
import time

import torch

PRODUCTS = [
    # (workload, M, K, N)
    ("W2", 128, 784, 512),
    ("W4", 128, 784, 512),
    ("W5", 512, 512, 512),
]


def cpu_mhz():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("cpu mhz"):
                    return float(line.split(":")[1])
    except OSError:
        pass
    return None


def has_avx512f():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return "avx512f" in line.split()
    except OSError:
        pass
    return None


def operands(form, m, k, n):
    g = torch.Generator().manual_seed(0)
    if form == "forward":
        x = torch.randn(m, k, generator=g)
        w = torch.randn(n, k, generator=g)
        return x, w.t(), torch.empty(m, n)
    if form == "grad_input":
        dy = torch.randn(m, n, generator=g)
        w = torch.randn(n, k, generator=g)
        return dy, w, torch.empty(m, k)
    if form == "grad_weight":
        dy = torch.randn(m, n, generator=g)
        x = torch.randn(m, k, generator=g)
        return dy.t(), x, torch.empty(n, k)
    raise ValueError(form)


def time_matmul(a, b, out, seconds, batch=20):
    for _ in range(5):
        torch.matmul(a, b, out=out)
    calls, total, best = 0, 0.0, float("inf")
    while total < seconds:
        t0 = time.perf_counter()
        for _ in range(batch):
            torch.matmul(a, b, out=out)
        dt = time.perf_counter() - t0
        calls += batch
        total += dt
        best = min(best, dt / batch)
    return total / calls, best


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=None,
                   help="torch.set_num_threads (default: torch's own default)")
    p.add_argument("--seconds", type=float, default=1.0, help="timed seconds per kernel")
    p.add_argument("--workload", default="all", help="W2, W4, W5 or all")
    args = p.parse_args()
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    threads = torch.get_num_threads()
    mhz = cpu_mhz()
    avx512 = has_avx512f()
    peak = round(threads * 32 * mhz / 1000, 1) if mhz else None

    for wid, m, k, n in PRODUCTS:
        if args.workload.upper() not in ("ALL", wid):
            continue
        flops = 2.0 * m * k * n
        for form in ("forward", "grad_input", "grad_weight"):
            a, b, out = operands(form, m, k, n)
            mean_s, best_s = time_matmul(a, b, out, args.seconds)
            print(json.dumps({
                "kernel": "matmul",
                "workload": wid,
                "form": form,
                "m": m, "k": k, "n": n,
                "threads": threads,
                "gflops": round(flops / mean_s / 1e9, 2),
                "best_gflops": round(flops / best_s / 1e9, 2),
                "us_per_call": round(mean_s * 1e6, 1),
                "cpu_mhz": mhz,
                "avx512f": avx512,
                "peak_gflops_32fpc": peak,
                "torch": torch.__version__,
            }), flush=True)


if __name__ == "__main__":
    main()
