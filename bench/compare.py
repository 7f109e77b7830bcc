#!/usr/bin/env python3
"""Latent vs PyTorch on the training workloads W1-W7, as ratios from one run.

For each workload, and for each thread count in turn (1, 2: interleaved, so
drift on a shared machine hits both sides alike), runs `latent-bench --threads
T NAME` and `bench/peers/workloads.py --threads T --workload ID` back to back,
each in its own process, and prints steps/s of both, the ratio latent /
pytorch, the achieved GFLOP/s (matrix-product flops per step, counted
analytically below) against the measured FMA peak, and the peak resident memory
of each process (wait4's ru_maxrss). Without torch the PyTorch columns are
skipped with a message. The table is also written as JSON to bench/results/.

    python3 bench/compare.py --bench .build/release/latent-bench --python /tmp/torchenv/bin/python
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

WORKLOADS = [("W1", "realnvp2d"), ("W2", "vae-mlp"), ("W3", "betavae-conv"), ("W4", "gan-mlp"),
             ("W5", "maf"), ("W6", "dcgan64"), ("W7", "dipvae-mlp")]


# ---------------------------------------------------------------- flops per step
# Matrix-product flops only (2 per multiply-add; element-wise work excluded),
# forward + backward (dx and dw) as both implementations compute them: a
# layer whose input needs no gradient (data, a detached or untracked input)
# has no dx product.

def dense(b, sizes):
    """(forward MACs, dx MACs for all but the first layer, dw MACs) of an MLP on batch b."""
    macs = [sizes[i] * sizes[i + 1] for i in range(len(sizes) - 1)]
    return b * sum(macs), b * sum(macs[1:]), b * sum(macs)


def conv_macs(cin, cout, k, out_hw):       # conv: output pixels x cin x cout x k^2
    return cin * cout * k * k * out_hw


def convt_macs(cin, cout, k, in_hw):       # transposed conv: input pixels x cin x cout x k^2
    return cin * cout * k * k * in_hw


def flops_per_step(name):
    if name == "realnvp2d":      # 8 couplings x (scale, shift) nets 2-256-256-2; inputs tracked after layer 0
        f, _, dw = dense(512, [2, 256, 256, 2])
        return 2 * 16 * (f + f + dw)               # dx through every layer (the nets' inputs are tracked)
    if name in ("vae-mlp", "dipvae-mlp"):
        lat = 32 if name == "vae-mlp" else 10
        ef, edx, edw = dense(128, [784, 512, 256, 2 * lat])
        df, _, ddw = dense(128, [lat, 256, 512, 784])
        return 2 * (ef + edx + edw + df + df + ddw)   # decoder input z is tracked: dx everywhere
    if name == "maf":            # 5 MADE blocks 8-512-512-16 (dense products with masked weights)
        f, _, dw = dense(512, [8, 512, 512, 16])
        return 2 * 5 * (f + f + dw)
    if name == "gan-mlp":
        b = 128
        gf, gdx, gdw = dense(b, [64, 256, 512, 784])
        df, ddx, ddw = dense(b, [784, 512, 256, 1])
        d_step = 2 * (df + ddw + ddx)                # real and detached fake batches
        g_step = df + df + gdw + gdx                 # D forward, D dx (frozen: no dw), G backward
        return 2 * (gf + d_step + g_step)
    if name == "betavae-conv":
        b = 64
        enc = [conv_macs(1, 32, 4, 1024), conv_macs(32, 32, 4, 256), conv_macs(32, 64, 4, 64), conv_macs(64, 64, 4, 16),
               1024 * 256, 256 * 20]
        dec = [10 * 256, 256 * 1024, convt_macs(64, 64, 4, 16), convt_macs(64, 32, 4, 64), convt_macs(32, 32, 4, 256),
               convt_macs(32, 1, 4, 1024)]
        fwd = sum(enc) + sum(dec)
        return 2 * b * (3 * fwd - enc[0])            # no dx for the data-facing first conv
    if name == "dcgan64":
        b = 64
        g = [convt_macs(100, 256, 4, 1), convt_macs(256, 128, 4, 16), convt_macs(128, 64, 4, 64),
             convt_macs(64, 32, 4, 256), convt_macs(32, 1, 4, 1024)]
        d = [conv_macs(1, 32, 4, 1024), conv_macs(32, 64, 4, 256), conv_macs(64, 128, 4, 64),
             conv_macs(128, 256, 4, 16), conv_macs(256, 1, 4, 1)]
        G, D = sum(g), sum(d)
        d_step = 2 * (D + D + D - d[0])              # real and detached fake: forward, dw, dx (not into data)
        g_step = D + D + G + G - g[0]                # D forward + dx, G dw + dx (not into z)
        return 2 * b * (G + d_step + g_step)
    return None


# ---------------------------------------------------------------- running

def run(cmd, env=None):
    """(returncode, stdout, stderr) of one child process. Each process reports
    its own peak RSS (getrusage ru_maxrss): latent-bench --rss on stderr, the
    peer in its JSON line."""
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return p.returncode, p.stdout, p.stderr


def latent_rss(stderr):
    for line in stderr.splitlines():
        if line.startswith("peak_rss_mb "):
            return float(line.split()[1])
    return None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bench", default=".build/release/latent-bench")
    p.add_argument("--python", default=sys.executable, help="a Python with torch")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--seconds", default="5")
    p.add_argument("--only", default="", help="comma-separated workload names")
    p.add_argument("--json-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results"))
    args = p.parse_args()

    here = os.path.dirname(os.path.abspath(__file__))
    available = set(subprocess.run([args.bench, "--list"], capture_output=True, text=True, check=True).stdout.split())
    only = set(filter(None, args.only.split(",")))
    threads_list = [int(t) for t in args.threads.split(",")]
    has_torch = subprocess.run([args.python, "-c", "import torch"], capture_output=True).returncode == 0
    if not has_torch:
        print(f"compare: no torch in {args.python} (make bench-peers installs it) - PyTorch columns skipped")

    # The measured FMA peaks per thread count: AVX2 (the issue's yardstick, the
    # element-wise kernels' ISA) and the GEMM's own width (AVX-512 where the
    # CPU has it, else the same AVX2 figure).
    peaks, peaks512 = {}, {}
    for t in threads_list:
        rc, out, _ = run([args.bench, "--threads", str(t), "fma-peak", "fma-peak-gemm"])
        vals = dict(line.split() for line in out.splitlines() if len(line.split()) == 2) if rc == 0 else {}
        peaks[t] = float(vals.get("fma-peak", "nan"))
        peaks512[t] = float(vals.get("fma-peak-gemm", "nan"))
    print("measured FMA peak (GFLOP/s): AVX2 " + ", ".join(f"{t} thr {v:.0f}" for t, v in peaks.items())
          + "; GEMM width (AVX-512 here) " + ", ".join(f"{t} thr {v:.0f}" for t, v in peaks512.items()))

    header = (f"{'id':3s} {'workload':13s} {'thr':>3s} {'latent/s':>9s} {'torch/s':>9s} {'ratio':>6s} "
              f"{'GF/step':>7s} {'latGF/s':>7s} {'%pk':>5s} {'%pk512':>6s} {'torGF/s':>7s} {'latMB':>6s} {'torMB':>6s}")
    print(header)
    rows = []
    for wid, name in WORKLOADS:
        if only and name not in only:
            continue
        for t in threads_list:
            row = {"id": wid, "name": name, "threads": t}
            flops = flops_per_step(name)
            row["gflop_per_step"] = flops / 1e9 if flops else None
            if name not in available:
                print(f"{wid:3s} {name:13s} {t:3d} {'missing':>9s}")
                continue
            env = dict(os.environ, OPENBLAS_NUM_THREADS=str(t))
            rc, out, err = run([args.bench, "--threads", str(t), "--rss", name], env=env)
            if rc != 0:
                print(f"{wid:3s} {name:13s} {t:3d} {'failed':>9s}  {err.strip()[-200:]}")
                continue
            row["latent_steps_per_s"] = float(out.split()[-1])
            row["latent_peak_rss_mb"] = latent_rss(err)
            if has_torch:
                rc, out, err = run([args.python, os.path.join(here, "peers", "workloads.py"), "--threads", str(t),
                                    "--workload", wid, "--seconds", args.seconds, "--warmup", "3"])
                if rc == 0:
                    peer = json.loads(out.strip().splitlines()[-1])
                    row["torch_steps_per_s"] = peer["steps_per_sec"]
                    row["torch_peak_rss_mb"] = peer["peak_rss_mb"]
                    row["torch_version"] = peer["torch"]
                    row["ratio"] = row["latent_steps_per_s"] / peer["steps_per_sec"]
                else:
                    row["torch_error"] = err.strip()[-200:]
            if flops:
                row["latent_gflops"] = flops * row["latent_steps_per_s"] / 1e9
                row["peak_gflops_avx2"] = peaks[t]
                row["pct_peak_avx2"] = 100 * row["latent_gflops"] / peaks[t]
                row["peak_gflops_gemm"] = peaks512[t]
                row["pct_peak_avx512"] = 100 * row["latent_gflops"] / peaks512[t]
                if "torch_steps_per_s" in row:
                    row["torch_gflops"] = flops * row["torch_steps_per_s"] / 1e9
            rows.append(row)

            def f(key, fmt, width):
                v = row.get(key)
                return format(v, fmt).rjust(width) if v is not None else "-".rjust(width)
            print(f"{wid:3s} {name:13s} {t:3d} {f('latent_steps_per_s', '.2f', 9)} {f('torch_steps_per_s', '.2f', 9)} "
                  f"{f('ratio', '.2f', 5)}x {f('gflop_per_step', '.3f', 7)} {f('latent_gflops', '.1f', 7)} "
                  f"{f('pct_peak_avx2', '.0f', 4)}% {f('pct_peak_avx512', '.0f', 5)}% {f('torch_gflops', '.1f', 7)} "
                  f"{f('latent_peak_rss_mb', '.0f', 6)} {f('torch_peak_rss_mb', '.0f', 6)}", flush=True)

    os.makedirs(args.json_dir, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y-%m-%dT%H-%M-%S")
    path = os.path.join(args.json_dir, f"{stamp}.json")
    with open(path, "w") as fh:
        json.dump({"date": stamp, "machine": machine(), "peaks_avx2_gflops": peaks, "peaks_gemm_gflops": peaks512, "rows": rows}, fh, indent=1)
    print(f"compare: table written to {os.path.relpath(path)}")


def machine():
    cpu = ""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    flags = open("/proc/cpuinfo").read() if os.path.exists("/proc/cpuinfo") else ""
    return {"cpu": cpu, "cores": os.cpu_count(), "avx512f": " avx512f" in flags, "platform": platform.platform()}


if __name__ == "__main__":
    main()
