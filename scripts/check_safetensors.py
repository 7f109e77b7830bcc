#!/usr/bin/env python3
"""Checks that a checkpoint Latent wrote loads in Python's `safetensors` package
(and so in PyTorch via safetensors.torch.load_file). Not part of `make test`:
run it when the package is installed:

    python3 scripts/check_safetensors.py runs/demo/moons/checkpoint.safetensors
"""
import sys

try:
    from safetensors import safe_open
except ImportError:
    print("safetensors is not installed (pip install safetensors numpy); skipping")
    sys.exit(0)

path = sys.argv[1] if len(sys.argv) > 1 else "runs/demo/checkpoint.safetensors"
with safe_open(path, framework="numpy") as f:
    meta = f.metadata() or {}
    names = list(f.keys())
    for k in names:
        t = f.get_tensor(k)
        print(f"{k:40s} {str(t.dtype):8s} {tuple(t.shape)}")
    print(f"{len(names)} tensors; metadata keys: {sorted(meta)}")
assert names, "no tensors"
print("OK: loads in safetensors")
