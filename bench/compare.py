#!/usr/bin/env python3
"""Latent vs PyTorch on the training workloads W1-W7, as ratios from one run.

For each workload and thread count, runs `latent-bench --threads T NAME` and
`bench/peers/workloads.py --threads T --workload ID` back to back and prints
steps/s of both and the ratio latent / pytorch. Workloads Latent does not have
yet are listed as missing. Run by `make bench` when a Python with torch exists.

    python3 bench/compare.py --bench .build/release/latent-bench --python /tmp/torchenv/bin/python
"""
import argparse
import json
import os
import subprocess
import sys

WORKLOADS = [("W1", "realnvp2d"), ("W2", "vae-mlp"), ("W3", "betavae-conv"), ("W4", "gan-mlp"),
             ("W5", "maf"), ("W6", "dcgan64"), ("W7", "dipvae-mlp")]

p = argparse.ArgumentParser()
p.add_argument("--bench", default=".build/release/latent-bench")
p.add_argument("--python", default=sys.executable, help="a Python with torch")
p.add_argument("--threads", default="1,2")
p.add_argument("--seconds", default="5")
p.add_argument("--only", default="", help="comma-separated workload names")
args = p.parse_args()

here = os.path.dirname(os.path.abspath(__file__))
available = set(subprocess.run([args.bench, "--list"], capture_output=True, text=True, check=True).stdout.split())
only = set(filter(None, args.only.split(",")))

print(f"{'workload':14s} {'thr':>3s} {'latent':>10s} {'pytorch':>10s} {'ratio':>7s}")
for threads in [int(t) for t in args.threads.split(",")]:
    for wid, name in WORKLOADS:
        if only and name not in only:
            continue
        if name not in available:
            print(f"{name:14s} {threads:3d} {'missing':>10s}")
            continue
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads))
        ours = subprocess.run([args.bench, "--threads", str(threads), name], capture_output=True, text=True, env=env)
        if ours.returncode != 0:
            print(f"{name:14s} {threads:3d} {'failed':>10s}  {ours.stderr.strip()}")
            continue
        latent = float(ours.stdout.split()[-1])
        peer = subprocess.run([args.python, os.path.join(here, "peers", "workloads.py"), "--threads", str(threads),
                               "--workload", wid, "--seconds", args.seconds], capture_output=True, text=True)
        if peer.returncode != 0:
            print(f"{name:14s} {threads:3d} {latent:10.2f} {'failed':>10s}  {peer.stderr.strip()[-200:]}")
            continue
        torch_rate = json.loads(peer.stdout.strip().splitlines()[-1])["steps_per_sec"]
        print(f"{name:14s} {threads:3d} {latent:10.2f} {torch_rate:10.2f} {latent / torch_rate:6.2f}x", flush=True)
