#!/usr/bin/env python3
"""Largest difference between two safetensors checkpoints, tensor by tensor (stdlib only).

usage: compare_checkpoints.py A.safetensors B.safetensors [--tolerance T] [--prefix P]
Compares the F32 tensors whose names start with P (default: all); exits 1 when a tensor
is missing on one side or max |a - b| / (1 + max |a|) exceeds T.
"""
import argparse, json, struct, sys
from array import array


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    body = data[8 + n :]
    out = {}
    for name, info in header.items():
        if name == "__metadata__" or info["dtype"] != "F32":
            continue
        a, b = info["data_offsets"]
        values = array("f")
        values.frombytes(body[a:b])
        if sys.byteorder != "little":
            values.byteswap()
        out[name] = values
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--tolerance", type=float, default=1e-4)
    p.add_argument("--prefix", default="")
    args = p.parse_args()
    a, b = read(args.a), read(args.b)
    names = sorted(k for k in set(a) | set(b) if k.startswith(args.prefix))
    worst, worst_name = 0.0, ""
    for k in names:
        if k not in a or k not in b:
            print(f"tensor {k} is in only one checkpoint")
            return 1
        if len(a[k]) != len(b[k]):
            print(f"tensor {k}: {len(a[k])} vs {len(b[k])} values")
            return 1
        scale = 1 + max((abs(x) for x in a[k]), default=0)
        d = max((abs(x - y) for x, y in zip(a[k], b[k])), default=0) / scale
        if d > worst:
            worst, worst_name = d, k
    print(f"{len(names)} tensors, largest relative difference {worst:.3g} ({worst_name or '-'}), tolerance {args.tolerance:g}")
    return 0 if worst <= args.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
