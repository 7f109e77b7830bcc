#!/usr/bin/env python3
"""Writes the small files the IO tests read: .npy in every dtype, byte order and
memory order, .npz stored and deflated, and a safetensors file written by the
reference `safetensors` package.

Regenerate (needs numpy and safetensors, e.g. in a venv):
    python3 -m venv /tmp/iovenv && /tmp/iovenv/bin/pip install numpy safetensors
    /tmp/iovenv/bin/python Tests/LatentTests/Fixtures/make_io_fixtures.py
"""
import json
import os

import numpy as np
from safetensors.numpy import save_file

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "io")
os.makedirs(out, exist_ok=True)

# Every array holds arange values so the Swift test can predict them: a[i, j, ...] = C-order flat index.
base = np.arange(24).reshape(2, 3, 4)
cases = {
    "f4_le_c": base.astype("<f4"),
    "f4_be_c": base.astype(">f4"),
    "f8_le_f": np.asfortranarray(base.astype("<f8")),
    "f8_be_f": np.asfortranarray(base.astype(">f8")),
    "i4_le_c": base.astype("<i4"),
    "i4_be_f": np.asfortranarray(base.astype(">i4")),
    "i8_le_c": base.astype("<i8"),
    "i8_be_c": base.astype(">i8"),
    "u1_c": base.astype("u1"),
    "u1_f": np.asfortranarray(base.astype("u1")),
    "b1_c": (base % 3 == 0),
    "f4_scalar": np.array(3.5, dtype="<f4"),
    "f4_empty": np.zeros((0, 5), dtype="<f4"),
}
for name, a in cases.items():
    np.save(os.path.join(out, name + ".npy"), a)

np.savez(os.path.join(out, "stored.npz"), a=base.astype("<f4"), labels=np.array([3, 1, 2], dtype="<i8"))
np.savez_compressed(os.path.join(out, "deflated.npz"), imgs=(base % 2).astype("u1"), values=base.astype("<f8") / 2)

save_file(
    {"encoder.0.weight": (base.reshape(6, 4) / 10).astype(np.float32), "step_counts": np.array([1, 2, 3], dtype=np.int64)},
    os.path.join(out, "python.safetensors"),
    metadata={"step": "42", "note": "written by safetensors.numpy"},
)
print("wrote", sorted(os.listdir(out)))
