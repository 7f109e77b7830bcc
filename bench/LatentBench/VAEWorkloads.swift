import Latent

// W2 (vae-mlp), W3 (betavae-conv), W7 (dipvae-mlp) of ../shared/BENCHMARKS.md,
// built from layers exactly as bench/peers/workloads.py builds them in PyTorch.

/// One VAE training step; returns the loss.
private func vaeStep(encoder: Layer, decoder: Layer, x: Tensor, latent: Int, beta: Float, dip: (od: Float, d: Float)?,
                     params: [Parameter], opt: Adam, rng: inout RandomGenerator) -> Float {
    let n = Float(x.shape[0])
    let h = encoder(x)
    let mean = h.slice(axis: 1, 0..<latent), logvar = h.slice(axis: 1, latent..<(2 * latent))
    let z = mean + exp(logvar * 0.5) * rng.normal(mean.shape)
    let logits = decoder(z)
    let flatLogits = logits.reshaped([x.shape[0], -1]), flatX = x.reshaped([x.shape[0], -1])
    let recon = binaryCrossEntropy(logits: flatLogits, targets: flatX).sum() / n
    let kl = klToStandardNormal(mean: mean, logVariance: logvar).sum() / n
    var loss = recon + kl * beta
    if let dip {
        let cov = covariance(mean) + exp(logvar).mean(axis: 0).reshaped([1, latent]) * Tensor.eye(latent)
        let diag = (cov * Tensor.eye(latent)).sum(axis: 1)
        let off = cov * (1 - Tensor.eye(latent))
        loss = loss + square(off).sum() * dip.od + square(diag - 1).sum() * dip.d
    }
    backward(loss, to: params)
    opt.step()
    return loss.scalar
}

private func binaryData(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return rng.bernoulli(shape, probability: 0.5)
}

func registerVAEWorkloads() {
    for (name, latent, dip) in [("vae-mlp", 32, false), ("dipvae-mlp", 10, true)] {
        register("workload", name) {
            var rng = RandomGenerator(seed: 1)
            let enc = MLP([784, 512, 256, 2 * latent], activation: .relu, rng: &rng)
            let dec = MLP([latent, 256, 512, 784], activation: .relu, rng: &rng)
            let params = enc.parameters + dec.parameters
            let opt = Adam(params, learningRate: 1e-3)
            let x = binaryData([128, 784], seed: 2)
            let first = vaeStep(encoder: enc, decoder: dec, x: x, latent: latent, beta: 1, dip: dip ? (10, 10) : nil, params: params, opt: opt, rng: &rng)
            verify(first.isFinite && first > 400 && first < 700, "\(name) first loss \(first) (expected ~ 784 ln 2 = 543)")
            let s = measure(seconds: 3, warmup: 5) {
                _ = vaeStep(encoder: enc, decoder: dec, x: x, latent: latent, beta: 1, dip: dip ? (10, 10) : nil, params: params, opt: opt, rng: &rng)
            }
            return BenchResult(name: name, shape: "batch 128, latent \(latent)", value: 1 / s, unit: "steps/s")
        }
    }
    register("workload", "betavae-conv") {
        var rng = RandomGenerator(seed: 1)
        let latent = 10
        let enc = Sequential([
            Conv2d(1, 32, kernelSize: 4, stride: 2, padding: 1, activation: .relu, rng: &rng),
            Conv2d(32, 32, kernelSize: 4, stride: 2, padding: 1, activation: .relu, rng: &rng),
            Conv2d(32, 64, kernelSize: 4, stride: 2, padding: 1, activation: .relu, rng: &rng),
            Conv2d(64, 64, kernelSize: 4, stride: 2, padding: 1, activation: .relu, rng: &rng),
            Lambda { $0.reshaped([$0.shape[0], 1024]) },
            Linear(1024, 256, activation: .relu, rng: &rng),
            Linear(256, 2 * latent, rng: &rng),
        ])
        let dec = Sequential([
            Linear(latent, 256, activation: .relu, rng: &rng),
            Linear(256, 1024, activation: .relu, rng: &rng),
            Lambda { $0.reshaped([$0.shape[0], 64, 4, 4]) },
            ConvTranspose2d(64, 64, kernelSize: 4, stride: 2, padding: 1, activation: .relu, rng: &rng),
            ConvTranspose2d(64, 32, kernelSize: 4, stride: 2, padding: 1, activation: .relu, rng: &rng),
            ConvTranspose2d(32, 32, kernelSize: 4, stride: 2, padding: 1, activation: .relu, rng: &rng),
            ConvTranspose2d(32, 1, kernelSize: 4, stride: 2, padding: 1, rng: &rng),
        ])
        let params = enc.parameters + dec.parameters
        let opt = Adam(params, learningRate: 1e-4)
        let x = binaryData([64, 1, 64, 64], seed: 2)
        let first = vaeStep(encoder: enc, decoder: dec, x: x, latent: latent, beta: 4, dip: nil, params: params, opt: opt, rng: &rng)
        verify(first.isFinite && first > 2000 && first < 4000, "betavae-conv first loss \(first) (expected ~ 4096 ln 2 = 2839)")
        let s = measure(seconds: 3, warmup: 2) {
            _ = vaeStep(encoder: enc, decoder: dec, x: x, latent: latent, beta: 4, dip: nil, params: params, opt: opt, rng: &rng)
        }
        return BenchResult(name: "betavae-conv", shape: "batch 64, 64x64x1, latent 10", value: 1 / s, unit: "steps/s")
    }
}
