#!/usr/bin/env python3
"""PyTorch peer of the fixed-seed RealNVP two-moons test
(Tests/LatentTests/FlowTrainingTests.swift, realNVPOnTwoMoonsReachesTheNLLBound).

Same architecture, data and schedule as the test:
  8 affine couplings, masks alternating [1,0]/[0,1]; scale and shift nets are
  MLPs 2-64-64-2 with ReLU on the masked input; s = tanh(scale) * (1 - m);
  z = m x + (1 - m) (x e^s + shift); standard normal base;
  batch 256 of fresh two-moons points per step (docs/DATA.md: make_moons,
  noise 0.1, then 2p + (-1, -0.2)); Adam lr 1e-3, 600 steps;
  held-out NLL on 4096 points.
PyTorch's random streams are not Latent's, so "seed-equivalent" means: the
same recipe over several seeds; the script prints each seed's held-out NLL
and their mean, min and max.

Usage: /tmp/torchenv/bin/python bench/peers/realnvp_moons.py [--seeds 5] [--steps 600]
"""

import argparse
import json
import math

import torch
import torch.nn as nn

LOG_2PI = math.log(2 * math.pi)


def two_moons(n, gen):
    """docs/DATA.md two moons: n//2 on the upper arc, the rest on the lower, noise 0.1, 2p + (-1, -0.2)."""
    s = torch.rand(n, generator=gen) * math.pi
    upper = torch.arange(n) < n // 2
    x = torch.where(upper, torch.cos(s), 1 - torch.cos(s))
    y = torch.where(upper, torch.sin(s), 0.5 - torch.sin(s))
    p = torch.stack([x, y], dim=1) + 0.1 * torch.randn(n, 2, generator=gen)
    p = 2 * p + torch.tensor([-1.0, -0.2])
    return p[torch.randperm(n, generator=gen)]


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class Coupling(nn.Module):
    def __init__(self, mask, hidden):
        super().__init__()
        self.register_buffer("mask", mask)
        self.scale = mlp([2, hidden, hidden, 2])
        self.shift = mlp([2, hidden, hidden, 2])

    def forward(self, x):
        m = self.mask
        xm = x * m
        s = torch.tanh(self.scale(xm)) * (1 - m)
        t = self.shift(xm)
        z = xm + (1 - m) * (x * torch.exp(s) + t)
        return z, s.sum(dim=1)


class RealNVP(nn.Module):
    def __init__(self, layers=8, hidden=64):
        super().__init__()
        self.layers = nn.ModuleList(
            Coupling(torch.tensor([1.0, 0.0]) if i % 2 == 0 else torch.tensor([0.0, 1.0]), hidden)
            for i in range(layers))

    def log_prob(self, x):
        ld = torch.zeros(x.shape[0])
        for layer in self.layers:
            x, l = layer(x)
            ld = ld + l
        return -0.5 * (x * x + LOG_2PI).sum(dim=1) + ld


def run(seed, steps, batch, lr):
    torch.manual_seed(seed)
    model = RealNVP()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    data_gen = torch.Generator().manual_seed(1000 + seed)
    held = two_moons(4096, torch.Generator().manual_seed(12345))
    for _ in range(steps):
        loss = -model.log_prob(two_moons(batch, data_gen)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        return -model.log_prob(held).mean().item()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    nlls = [run(s, a.steps, a.batch, a.lr) for s in range(a.seeds)]
    for s, v in enumerate(nlls):
        print(f"seed {s}: held-out NLL {v:.4f} nats")
    print(json.dumps({"steps": a.steps, "batch": a.batch, "lr": a.lr, "nll_per_seed": [round(v, 4) for v in nlls],
                      "mean": round(sum(nlls) / len(nlls), 4), "min": round(min(nlls), 4), "max": round(max(nlls), 4),
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
