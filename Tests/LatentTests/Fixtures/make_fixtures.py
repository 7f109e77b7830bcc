#!/usr/bin/env python3
"""Golden forward values for Latent's layer and loss tests.

Writes layers.json next to this script. Every reference computation is written
out here in plain numpy (no torch), following PyTorch's semantics: Linear,
Conv2d, ConvTranspose2d, BatchNorm1d/2d in training mode (including the
running-statistics update), BCE-with-logits, Gaussian log-densities, KL to a
standard normal, logsumexp / logmeanexp, the usual activations and a small MLP.

Inputs come from numpy.random.default_rng(seed), one seed per case, and are
cast to float32 before anything is computed, so the Swift tests load exactly
the same float32 inputs. Outputs are computed in float64 from those float32
values and stored as float64.

Layout of layers.json:
  { "<case>": { "<tensor name>": {"shape": [..], "data": [row-major floats]},
                ...,
                "config": {scalar settings, possibly empty} } }

Regenerate (from the repository root):
  python3 Tests/LatentTests/Fixtures/make_fixtures.py

Needs only numpy. Before writing, the script asserts that its conv_transpose2d
is the adjoint of its conv2d: <conv2d(a, W), b> == <a, conv_transpose2d(b, W)>.
"""

import json
import math
import os

import numpy as np


# ---------------------------------------------------------------- helpers

def f32(a):
    """Round to float32 (what the Swift side holds), then back to float64."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def randn(rng, shape, scale=1.0):
    return f32(scale * rng.standard_normal(shape))


def tensor(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "data": [float(v) for v in a.reshape(-1)]}


# ---------------------------------------------------------------- references

def linear(x, weight, bias):
    # y[n, o] = sum_i x[n, i] * weight[o, i] + bias[o]
    n_rows, n_in = x.shape
    n_out = weight.shape[0]
    y = np.zeros((n_rows, n_out))
    for n in range(n_rows):
        for o in range(n_out):
            s = bias[o]
            for i in range(n_in):
                s += x[n, i] * weight[o, i]
            y[n, o] = s
    return y


def conv2d(x, weight, bias, stride, padding):
    """PyTorch Conv2d: cross-correlation, zero padding, weight (Cout, Cin, kh, kw)."""
    n_batch, c_in, h, w = x.shape
    c_out, c_in_w, kh, kw = weight.shape
    assert c_in == c_in_w
    h_out = (h + 2 * padding - kh) // stride + 1
    w_out = (w + 2 * padding - kw) // stride + 1
    y = np.zeros((n_batch, c_out, h_out, w_out))
    for n in range(n_batch):
        for o in range(c_out):
            for i in range(h_out):
                for j in range(w_out):
                    s = bias[o]
                    for c in range(c_in):
                        for ki in range(kh):
                            for kj in range(kw):
                                r = i * stride - padding + ki
                                q = j * stride - padding + kj
                                if 0 <= r < h and 0 <= q < w:  # outside = zero padding
                                    s += x[n, c, r, q] * weight[o, c, ki, kj]
                    y[n, o, i, j] = s
    return y


def conv_transpose2d(x, weight, bias, stride, padding):
    """PyTorch ConvTranspose2d (output_padding 0, dilation 1, groups 1).

    weight layout (Cin, Cout, kh, kw). Every input pixel scatters
    x[n, c, i, j] * weight[c, o, :, :] into the output at
    (i*stride - padding + ki, j*stride - padding + kj); positions that fall
    outside the output are dropped. Output size (H-1)*stride - 2*padding + k.
    """
    n_batch, c_in, h, w = x.shape
    c_in_w, c_out, kh, kw = weight.shape
    assert c_in == c_in_w
    h_out = (h - 1) * stride - 2 * padding + kh
    w_out = (w - 1) * stride - 2 * padding + kw
    y = np.zeros((n_batch, c_out, h_out, w_out))
    for n in range(n_batch):
        for c in range(c_in):
            for i in range(h):
                for j in range(w):
                    for o in range(c_out):
                        for ki in range(kh):
                            for kj in range(kw):
                                r = i * stride - padding + ki
                                q = j * stride - padding + kj
                                if 0 <= r < h_out and 0 <= q < w_out:
                                    y[n, o, r, q] += x[n, c, i, j] * weight[c, o, ki, kj]
    for o in range(c_out):
        y[:, o] += bias[o]
    return y


def batchnorm_train(x, weight, bias, eps, momentum, axes):
    """BatchNorm in training mode; statistics per channel (axis 1) over `axes`.

    Normalises with the biased batch variance. Running stats start at
    mean 0, var 1 and move by `momentum` towards the batch mean and the
    UNBIASED batch variance (PyTorch's behaviour).
    """
    c = x.shape[1]
    count = x.size // c
    mean = x.mean(axis=axes)
    var_biased = ((x - mean.reshape(bshape(x, c))) ** 2).sum(axis=axes) / count
    var_unbiased = var_biased * count / (count - 1)
    xhat = (x - mean.reshape(bshape(x, c))) / np.sqrt(var_biased.reshape(bshape(x, c)) + eps)
    y = xhat * weight.reshape(bshape(x, c)) + bias.reshape(bshape(x, c))
    running_mean = (1 - momentum) * np.zeros(c) + momentum * mean
    running_var = (1 - momentum) * np.ones(c) + momentum * var_unbiased
    return y, running_mean, running_var


def bshape(x, c):
    return (1, c) + (1,) * (x.ndim - 2)


def bce_with_logits_rows(logits, targets):
    # max(l, 0) - l*t + log(1 + exp(-|l|)), summed over the last axis
    per = np.maximum(logits, 0) - logits * targets + np.log1p(np.exp(-np.abs(logits)))
    return per.sum(axis=-1)


LOG_2PI = math.log(2 * math.pi)


def gaussian_logpdf(x, mean, logvar):
    per = -0.5 * (LOG_2PI + logvar + (x - mean) ** 2 / np.exp(logvar))
    return per.sum(axis=-1)


def std_normal_logpdf(x):
    return (-0.5 * (LOG_2PI + x ** 2)).sum(axis=-1)


def kl_std_normal(mean, logvar):
    return 0.5 * (np.exp(logvar) + mean ** 2 - 1 - logvar).sum(axis=-1)


def logsumexp(x, axis):
    m = x.max(axis=axis, keepdims=True)
    return (m + np.log(np.exp(x - m).sum(axis=axis, keepdims=True))).squeeze(axis)


def softplus(x):
    # log1p(exp(x)) computed stably. (torch.nn.functional.softplus returns x
    # itself above its threshold 20; the difference there is below 3e-9.)
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def sigmoid(x):
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1 / (1 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1 + e)
    return out


# ---------------------------------------------------------------- cases

def make_cases():
    cases = {}

    # 1. linear
    rng = np.random.default_rng(1)
    x = randn(rng, (4, 5))
    weight = randn(rng, (3, 5), 0.5)
    bias = randn(rng, (3,), 0.5)
    y = linear(x, weight, bias)
    assert np.allclose(y, x @ weight.T + bias)
    cases["linear"] = {"x": tensor(x), "weight": tensor(weight), "bias": tensor(bias),
                       "y": tensor(y), "config": {}}

    # 2. conv2d, stride 2, padding 1
    rng = np.random.default_rng(2)
    x = randn(rng, (2, 3, 7, 6))
    weight = randn(rng, (4, 3, 3, 3), 0.3)
    bias = randn(rng, (4,), 0.5)
    y = conv2d(x, weight, bias, stride=2, padding=1)
    assert y.shape == (2, 4, 4, 3)
    cases["conv2d"] = {"x": tensor(x), "weight": tensor(weight), "bias": tensor(bias),
                       "y": tensor(y), "config": {"stride": 2, "padding": 1}}

    # 3. conv2d, stride 1, no padding
    rng = np.random.default_rng(3)
    x = randn(rng, (1, 2, 5, 5))
    weight = randn(rng, (3, 2, 3, 3), 0.3)
    bias = randn(rng, (3,), 0.5)
    y = conv2d(x, weight, bias, stride=1, padding=0)
    assert y.shape == (1, 3, 3, 3)
    cases["conv2d_s1"] = {"x": tensor(x), "weight": tensor(weight), "bias": tensor(bias),
                          "y": tensor(y), "config": {"stride": 1, "padding": 0}}

    # 4. conv_transpose2d, weight (Cin=4, Cout=3, 4, 4), stride 2, padding 1
    rng = np.random.default_rng(4)
    x = randn(rng, (2, 4, 4, 5))
    weight = randn(rng, (4, 3, 4, 4), 0.3)
    bias = randn(rng, (3,), 0.5)
    y = conv_transpose2d(x, weight, bias, stride=2, padding=1)
    assert y.shape == (2, 3, 8, 10)
    # self-check: conv_transpose2d is the adjoint of conv2d with the same weight
    zero_in, zero_out = np.zeros(3), np.zeros(4)
    a = rng.standard_normal((2, 3, 8, 10))
    b = rng.standard_normal((2, 4, 4, 5))
    ca = conv2d(a, weight, zero_out, stride=2, padding=1)
    assert ca.shape == b.shape
    lhs = float((ca * b).sum())
    rhs = float((a * conv_transpose2d(b, weight, zero_in, stride=2, padding=1)).sum())
    assert abs(lhs - rhs) <= 1e-10 * max(1.0, abs(lhs)), (lhs, rhs)
    cases["conv_transpose2d"] = {"x": tensor(x), "weight": tensor(weight), "bias": tensor(bias),
                                 "y": tensor(y), "config": {"stride": 2, "padding": 1}}

    # 5. batchnorm1d, training mode
    eps, momentum = 1e-5, 0.1
    rng = np.random.default_rng(5)
    x = randn(rng, (6, 4), 2.0) + f32(rng.standard_normal(4))
    x = f32(x)
    weight = f32(1 + 0.5 * rng.standard_normal(4))
    bias = randn(rng, (4,), 0.5)
    y, rm, rv = batchnorm_train(x, weight, bias, eps, momentum, axes=(0,))
    cases["batchnorm1d_train"] = {"x": tensor(x), "weight": tensor(weight), "bias": tensor(bias),
                                  "y": tensor(y), "running_mean": tensor(rm),
                                  "running_var": tensor(rv),
                                  "config": {"eps": eps, "momentum": momentum}}

    # 6. batchnorm2d, training mode (stats per channel over N, H, W)
    rng = np.random.default_rng(6)
    x = f32(randn(rng, (2, 3, 4, 4), 1.5) + 0.7)
    weight = f32(1 + 0.5 * rng.standard_normal(3))
    bias = randn(rng, (3,), 0.5)
    y, rm, rv = batchnorm_train(x, weight, bias, eps, momentum, axes=(0, 2, 3))
    cases["batchnorm2d_train"] = {"x": tensor(x), "weight": tensor(weight), "bias": tensor(bias),
                                  "y": tensor(y), "running_mean": tensor(rm),
                                  "running_var": tensor(rv),
                                  "config": {"eps": eps, "momentum": momentum}}

    # 7. BCE with logits, summed per row
    rng = np.random.default_rng(7)
    logits = randn(rng, (5, 7), 6.0)
    targets = f32(rng.integers(0, 2, size=(5, 7)))
    cases["bce_with_logits"] = {"logits": tensor(logits), "targets": tensor(targets),
                                "loss_per_row": tensor(bce_with_logits_rows(logits, targets)),
                                "config": {}}

    # 8. diagonal Gaussian log-density
    rng = np.random.default_rng(8)
    x = randn(rng, (5, 3))
    mean = randn(rng, (5, 3))
    logvar = randn(rng, (5, 3), 0.7)
    cases["gaussian_logpdf"] = {"x": tensor(x), "mean": tensor(mean), "logvar": tensor(logvar),
                                "logp": tensor(gaussian_logpdf(x, mean, logvar)), "config": {}}

    # 9. standard normal log-density
    rng = np.random.default_rng(9)
    x = randn(rng, (5, 3), 1.5)
    cases["std_normal_logpdf"] = {"x": tensor(x), "logp": tensor(std_normal_logpdf(x)),
                                  "config": {}}

    # 10. KL(N(mean, exp(logvar)) || N(0, 1))
    rng = np.random.default_rng(10)
    mean = randn(rng, (5, 3))
    logvar = randn(rng, (5, 3), 0.7)
    cases["kl_std_normal"] = {"mean": tensor(mean), "logvar": tensor(logvar),
                              "kl": tensor(kl_std_normal(mean, logvar)), "config": {}}

    # 11. logsumexp over both axes, logmeanexp over axis 1
    rng = np.random.default_rng(11)
    x = randn(rng, (4, 6), 50.0)
    lse1 = logsumexp(x, axis=1)
    lse0 = logsumexp(x, axis=0)
    # naive check where it cannot overflow in float64 (|x| is well below 700)
    assert np.allclose(lse1, np.log(np.exp(x).sum(axis=1)))
    cases["logsumexp"] = {"x": tensor(x), "lse_axis1": tensor(lse1), "lse_axis0": tensor(lse0),
                          "lme_axis1": tensor(lse1 - math.log(x.shape[1])), "config": {}}

    # 12. activations on linspace(-30, 30, 41)
    x = f32(np.linspace(-30, 30, 41)).reshape(1, 41)
    slope, alpha = 0.2, 1.0
    cases["activations"] = {
        "x": tensor(x),
        "relu": tensor(np.where(x > 0, x, 0.0)),
        "leaky_relu": tensor(np.where(x > 0, x, slope * x)),
        "elu": tensor(np.where(x > 0, x, alpha * np.expm1(x))),
        "tanh": tensor(np.tanh(x)),
        "sigmoid": tensor(sigmoid(x)),
        "softplus": tensor(softplus(x)),
        "exp": tensor(np.exp(x)),
        "config": {"leaky_relu_slope": slope, "elu_alpha": alpha},
    }

    # 13. MLP: linear0 -> relu -> linear1
    rng = np.random.default_rng(13)
    x = randn(rng, (3, 4))
    w0 = randn(rng, (5, 4), 0.5)
    b0 = randn(rng, (5,), 0.5)
    w1 = randn(rng, (2, 5), 0.5)
    b1 = randn(rng, (2,), 0.5)
    h = linear(x, w0, b0)
    h = np.where(h > 0, h, 0.0)
    y = linear(h, w1, b1)
    cases["mlp"] = {"x": tensor(x),
                    "linear0.weight": tensor(w0), "linear0.bias": tensor(b0),
                    "linear1.weight": tensor(w1), "linear1.bias": tensor(b1),
                    "y": tensor(y), "config": {}}

    return cases


def main():
    cases = make_cases()
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layers.json")
    with open(path, "w") as f:
        json.dump(cases, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes, {len(cases)} cases)")


if __name__ == "__main__":
    main()
