import Latent

// W2 (vae-mlp), W3 (betavae-conv), W7 (dipvae-mlp) of bench/README.md ("Workloads") through the
// library's VAE classes (Sources/Latent/VAE), the same networks bench/peers/workloads.py builds
// in PyTorch: loss = BCE-with-logits summed / batch + analytic KL (x beta), plus the DIP-VAE-II
// penalty for W7. W3's encoder (VAEArchitecture.convEncoder64, like the peer's ConvVAE) has 4x4
// stride-2 pad-1 kernels in all four conv layers, where the definition's last two are 2x2
// stride 2 (bench/README.md says so beside the table).

/// One VAE training step; returns the loss.
private func vaeStep(_ trainer: VAETrainer, _ x: Tensor, rng: inout RandomGenerator) -> Float {
    Float((try? trainer.step(x, rng: &rng))?["loss"] ?? .nan)
}

private func binaryData(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return rng.bernoulli(shape, probability: 0.5)
}

func registerVAEWorkloads() {
    for (name, latent, dip) in [("vae-mlp", 32, false), ("dipvae-mlp", 10, true)] {
        register("workload", name) {
            var rng = RandomGenerator(seed: 1)
            // Encoder 784-512-256-(2 x latent), decoder latent-256-512-784, Bernoulli logits.
            let vae = VAE.make(VAESpec(inputShape: [784], latent: latent, hidden: [512, 256]), rng: &rng)
            let objective: VAEObjective = dip ? .dipVAE2(lambdaOffDiagonal: 10) : .vae
            let trainer = VAETrainer(model: vae, objective: objective, learningRate: 1e-3, rng: &rng)
            let x = binaryData([128, 784], seed: 2)
            let first = vaeStep(trainer, x, rng: &rng)
            verify(first.isFinite && first > 400 && first < 700, "\(name) first loss \(first) (expected ~ 784 ln 2 = 543)")
            let s = measure(seconds: 3, warmup: 5) { _ = vaeStep(trainer, x, rng: &rng) }
            return BenchResult(name: name, shape: "batch 128, latent \(latent)", value: 1 / s, unit: "steps/s")
        }
    }
    register("workload", "betavae-conv") {
        var rng = RandomGenerator(seed: 1)
        let vae = VAE.make(VAESpec(inputShape: [1, 64, 64], latent: 10, network: .conv64), rng: &rng)
        let trainer = VAETrainer(model: vae, objective: .betaVAE(beta: 4), learningRate: 1e-4, rng: &rng)
        let x = binaryData([64, 1, 64, 64], seed: 2)
        let first = vaeStep(trainer, x, rng: &rng)
        verify(first.isFinite && first > 2000 && first < 4000, "betavae-conv first loss \(first) (expected ~ 4096 ln 2 = 2839)")
        let s = measure(seconds: 3, warmup: 2) { _ = vaeStep(trainer, x, rng: &rng) }
        return BenchResult(name: "betavae-conv", shape: "batch 64, 64x64x1, latent 10", value: 1 / s, unit: "steps/s")
    }
}
