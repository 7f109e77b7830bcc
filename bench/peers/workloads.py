#!/usr/bin/env python3
"""PyTorch (CPU, float32) peer for Latent's benchmark workloads W1..W7.

The workloads are the ones in bench/README.md (Workloads). One step = forward,
backward, optimizer update (for the GANs: one discriminator step and one
generator step). Training data are fixed random tensors made once; fresh
randn per step only where the model itself samples (VAE reparameterisation
noise, GAN latent codes).

For each workload: build the model, run --warmup steps, then time steps until
--steps steps are done or --seconds have passed (whichever comes first; with
neither flag, 10 seconds). Prints one JSON line per workload:

  {"id": "W1", "name": "realnvp2d", "threads": 2, "steps_per_sec": ...,
   "peak_rss_mb": ..., "steps": ..., "seconds": ..., "torch": "..."}

peak_rss_mb is the process's peak resident set (getrusage ru_maxrss), which
includes the torch import. With --workload all, each workload runs in its own
child process so that its peak RSS is its own.

Usage:
  python workloads.py --threads 2 --workload all --seconds 10
  python workloads.py --threads 1 --workload W3 --steps 20
"""

import argparse
import json
import math
import resource
import subprocess
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

LOG_2PI = math.log(2 * math.pi)


# ---------------------------------------------------------------- building blocks

def mlp(sizes, act=nn.ReLU, out_act=None):
    """Linear layers sizes[0]-sizes[1]-...; `act` between layers, `out_act` after the last."""
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(act())
    if out_act is not None:
        layers.append(out_act)
    return nn.Sequential(*layers)


def std_normal_logprob(z):
    return -0.5 * (z * z + LOG_2PI).sum(dim=1)


def set_requires_grad(module, flag):
    for p in module.parameters():
        p.requires_grad_(flag)


# ---------------------------------------------------------------- W1 realnvp2d

class AffineCoupling(nn.Module):
    def __init__(self, mask, hidden=256):
        super().__init__()
        self.register_buffer("mask", mask)
        self.scale = mlp([2, hidden, hidden, 2])
        self.shift = mlp([2, hidden, hidden, 2])

    def forward(self, x):
        """Data -> latent direction; returns (z, log|det dz/dx|)."""
        m = self.mask
        xm = x * m
        s = torch.tanh(self.scale(xm)) * (1 - m)
        t = self.shift(xm) * (1 - m)
        z = xm + (1 - m) * (x * torch.exp(s) + t)
        return z, s.sum(dim=1)


class RealNVP2D(nn.Module):
    def __init__(self, n_layers=8):
        super().__init__()
        masks = [torch.tensor([1.0, 0.0]) if i % 2 == 0 else torch.tensor([0.0, 1.0])
                 for i in range(n_layers)]
        self.layers = nn.ModuleList(AffineCoupling(m) for m in masks)

    def nll(self, x):
        logdet = torch.zeros(x.shape[0])
        for layer in self.layers:
            x, ld = layer(x)
            logdet = logdet + ld
        return -(std_normal_logprob(x) + logdet).mean()


def two_moons(n, noise=0.05):
    t = torch.rand(n) * math.pi
    upper = torch.rand(n) < 0.5
    x = torch.where(upper, torch.cos(t), 1 - torch.cos(t))
    y = torch.where(upper, torch.sin(t), 0.5 - torch.sin(t))
    return torch.stack([x, y], dim=1) + noise * torch.randn(n, 2)


def build_w1():
    model = RealNVP2D(8)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    data = two_moons(512)

    def step():
        opt.zero_grad()
        loss = model.nll(data)
        loss.backward()
        opt.step()
    return step


# ---------------------------------------------------------------- W2 / W7 VAEs

class MLPVAE(nn.Module):
    def __init__(self, latent):
        super().__init__()
        self.latent = latent
        self.encoder = mlp([784, 512, 256, 2 * latent])
        self.decoder = mlp([latent, 256, 512, 784])

    def forward(self, x):
        mean, logvar = self.encoder(x).chunk(2, dim=1)
        z = mean + torch.exp(0.5 * logvar) * torch.randn_like(mean)
        logits = self.decoder(z)
        n = x.shape[0]
        recon = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / n
        kl = 0.5 * (torch.exp(logvar) + mean * mean - 1 - logvar).sum() / n
        return recon, kl, mean, logvar


def dip_vae_ii_penalty(mean, logvar, lambda_od, lambda_d):
    """DIP-VAE-II: Cov_q(z) = Cov_batch[mean] + diag(E_batch[exp(logvar)])."""
    centered = mean - mean.mean(dim=0, keepdim=True)
    cov_mean = centered.t() @ centered / mean.shape[0]
    cov = cov_mean + torch.diag(torch.exp(logvar).mean(dim=0))
    diag = torch.diagonal(cov)
    off = cov - torch.diag(diag)
    return lambda_od * (off * off).sum() + lambda_d * ((diag - 1) ** 2).sum()


def binary_data(*shape):
    return (torch.rand(*shape) < 0.5).float()


def build_w2():
    model = MLPVAE(32)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    data = binary_data(128, 784)

    def step():
        opt.zero_grad()
        recon, kl, _, _ = model(data)
        loss = recon + kl
        loss.backward()
        opt.step()
    return step


def build_w7():
    model = MLPVAE(10)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    data = binary_data(128, 784)

    def step():
        opt.zero_grad()
        recon, kl, mean, logvar = model(data)
        loss = recon + kl + dip_vae_ii_penalty(mean, logvar, lambda_od=10.0, lambda_d=10.0)
        loss.backward()
        opt.step()
    return step


# ---------------------------------------------------------------- W3 betavae-conv

class ConvVAE(nn.Module):
    """disentanglement_lib conv encoder/decoder for 64x64x1 inputs, latent 10."""

    def __init__(self, latent=10):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 32, 4, 2, 1), nn.ReLU(),    # 32x32
            nn.Conv2d(32, 32, 4, 2, 1), nn.ReLU(),   # 16x16
            nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(),   # 8x8
            nn.Conv2d(64, 64, 4, 2, 1), nn.ReLU(),   # 4x4
            nn.Flatten(),                            # 1024
            nn.Linear(1024, 256), nn.ReLU(),
            nn.Linear(256, 2 * latent),
        )
        self.decoder = nn.Sequential(
            nn.Linear(latent, 256), nn.ReLU(),
            nn.Linear(256, 1024), nn.ReLU(),
            nn.Unflatten(1, (64, 4, 4)),
            nn.ConvTranspose2d(64, 64, 4, 2, 1), nn.ReLU(),   # 8x8
            nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(),   # 16x16
            nn.ConvTranspose2d(32, 32, 4, 2, 1), nn.ReLU(),   # 32x32
            nn.ConvTranspose2d(32, 1, 4, 2, 1),               # 64x64 logits
        )

    def loss(self, x, beta):
        mean, logvar = self.encoder(x).chunk(2, dim=1)
        z = mean + torch.exp(0.5 * logvar) * torch.randn_like(mean)
        logits = self.decoder(z)
        n = x.shape[0]
        recon = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / n
        kl = 0.5 * (torch.exp(logvar) + mean * mean - 1 - logvar).sum() / n
        return recon + beta * kl


def build_w3():
    model = ConvVAE(10)
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    data = binary_data(64, 1, 64, 64)

    def step():
        opt.zero_grad()
        loss = model.loss(data, beta=4.0)
        loss.backward()
        opt.step()
    return step


# ---------------------------------------------------------------- GAN step (W4, W6)

def gan_step(G, D, opt_g, opt_d, real, sample_z):
    """One discriminator step, then one generator step (non-saturating loss).

    The generator output is computed once per step and reused, as in the
    PyTorch DCGAN example; D's parameters are frozen during the G step so
    that no discriminator weight gradients are computed there.
    """
    n = real.shape[0]
    ones = torch.ones(n, 1)
    zeros = torch.zeros(n, 1)
    fake = G(sample_z())

    opt_d.zero_grad()
    loss_d = (F.binary_cross_entropy_with_logits(D(real), ones)
              + F.binary_cross_entropy_with_logits(D(fake.detach()), zeros))
    loss_d.backward()
    opt_d.step()

    set_requires_grad(D, False)
    opt_g.zero_grad()
    loss_g = F.binary_cross_entropy_with_logits(D(fake), ones)
    loss_g.backward()
    opt_g.step()
    set_requires_grad(D, True)


def build_w4():
    G = mlp([64, 256, 512, 784], out_act=nn.Tanh())
    D = mlp([784, 512, 256, 1], act=lambda: nn.LeakyReLU(0.2))
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real = torch.rand(128, 784) * 2 - 1

    def step():
        gan_step(G, D, opt_g, opt_d, real, lambda: torch.randn(128, 64))
    return step


def build_w6():
    G = nn.Sequential(
        nn.ConvTranspose2d(100, 256, 4, 1, 0, bias=False), nn.BatchNorm2d(256), nn.ReLU(),  # 4x4
        nn.ConvTranspose2d(256, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128), nn.ReLU(),  # 8x8
        nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),    # 16x16
        nn.ConvTranspose2d(64, 32, 4, 2, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),     # 32x32
        nn.ConvTranspose2d(32, 1, 4, 2, 1), nn.Tanh(),                                      # 64x64
    )
    D = nn.Sequential(
        nn.Conv2d(1, 32, 4, 2, 1), nn.LeakyReLU(0.2),                                       # 32x32
        nn.Conv2d(32, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64), nn.LeakyReLU(0.2),      # 16x16
        nn.Conv2d(64, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),    # 8x8
        nn.Conv2d(128, 256, 4, 2, 1, bias=False), nn.BatchNorm2d(256), nn.LeakyReLU(0.2),   # 4x4
        nn.Conv2d(256, 1, 4, 1, 0),                                                         # 1x1
        nn.Flatten(),
    )
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real = torch.rand(64, 1, 64, 64) * 2 - 1

    def step():
        gan_step(G, D, opt_g, opt_d, real, lambda: torch.randn(64, 100, 1, 1))
    return step


# ---------------------------------------------------------------- W5 maf

class MaskedLinear(nn.Linear):
    def __init__(self, n_in, n_out, mask):
        super().__init__(n_in, n_out)
        self.register_buffer("mask", mask)

    def forward(self, x):
        return F.linear(x, self.weight * self.mask, self.bias)


class MADE(nn.Module):
    """Gaussian MADE: outputs shift and log-scale for each of D dimensions."""

    def __init__(self, dim, hidden):
        super().__init__()
        deg_in = torch.arange(1, dim + 1)
        deg_h = torch.arange(hidden) % (dim - 1) + 1
        deg_out = torch.cat([deg_in, deg_in])
        m1 = (deg_h[:, None] >= deg_in[None, :]).float()
        m2 = (deg_h[:, None] >= deg_h[None, :]).float()
        m3 = (deg_out[:, None] > deg_h[None, :]).float()
        self.net = nn.Sequential(
            MaskedLinear(dim, hidden, m1), nn.ReLU(),
            MaskedLinear(hidden, hidden, m2), nn.ReLU(),
            MaskedLinear(hidden, 2 * dim, m3),
        )

    def forward(self, x):
        """Data -> noise: u = (x - shift) * exp(-log_scale); log|det| = -sum log_scale."""
        shift, log_scale = self.net(x).chunk(2, dim=1)
        return (x - shift) * torch.exp(-log_scale), -log_scale.sum(dim=1)


class MAF(nn.Module):
    def __init__(self, dim=8, hidden=512, n_blocks=5):
        super().__init__()
        self.blocks = nn.ModuleList(MADE(dim, hidden) for _ in range(n_blocks))

    def nll(self, x):
        logdet = torch.zeros(x.shape[0])
        for i, block in enumerate(self.blocks):
            x, ld = block(x)
            logdet = logdet + ld
            if i < len(self.blocks) - 1:
                x = x.flip(1)  # reverse the order between blocks
        return -(std_normal_logprob(x) + logdet).mean()


def build_w5():
    model = MAF(8, 512, 5)
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    mix = torch.randn(8, 8) / math.sqrt(8)
    data = torch.randn(512, 8) @ mix + 0.1 * torch.randn(512, 8) ** 2

    def step():
        opt.zero_grad()
        loss = model.nll(data)
        loss.backward()
        opt.step()
    return step


# ---------------------------------------------------------------- harness

WORKLOADS = {
    "W1": ("realnvp2d", build_w1),
    "W2": ("vae-mlp", build_w2),
    "W3": ("betavae-conv", build_w3),
    "W4": ("gan-mlp", build_w4),
    "W5": ("maf", build_w5),
    "W6": ("dcgan64", build_w6),
    "W7": ("dipvae-mlp", build_w7),
}


def run_one(wid, args):
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    name, build = WORKLOADS[wid]
    step = build()
    for _ in range(args.warmup):
        step()
    max_seconds = args.seconds
    if args.steps is None and max_seconds is None:
        max_seconds = 10.0
    n = 0
    t0 = time.perf_counter()
    while True:
        step()
        n += 1
        elapsed = time.perf_counter() - t0
        if args.steps is not None and n >= args.steps:
            break
        if max_seconds is not None and elapsed >= max_seconds:
            break
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({
        "id": wid,
        "name": name,
        "threads": torch.get_num_threads(),
        "steps_per_sec": round(n / elapsed, 4),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "steps": n,
        "seconds": round(elapsed, 3),
        "torch": torch.__version__,
    }), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=None,
                   help="torch.set_num_threads (default: torch's own default)")
    p.add_argument("--workload", default="all", help="W1..W7 or all")
    p.add_argument("--steps", type=int, default=None, help="timed steps (max)")
    p.add_argument("--seconds", type=float, default=None, help="timed seconds (max)")
    p.add_argument("--warmup", type=int, default=10, help="untimed warm-up steps")
    args = p.parse_args()

    wid = args.workload.upper()
    if wid == "ALL":
        # one child process per workload, so each peak RSS is that workload's own
        base = [sys.executable, __file__, "--warmup", str(args.warmup)]
        for flag, val in (("--threads", args.threads), ("--steps", args.steps),
                          ("--seconds", args.seconds)):
            if val is not None:
                base += [flag, str(val)]
        status = 0
        for w in WORKLOADS:
            status |= subprocess.run(base + ["--workload", w]).returncode
        sys.exit(status)
    if wid not in WORKLOADS:
        p.error(f"unknown workload {args.workload!r}; choose from {', '.join(WORKLOADS)} or all")
    run_one(wid, args)


if __name__ == "__main__":
    main()
