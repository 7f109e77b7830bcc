import Latent

// W4 (gan-mlp) and W6 (dcgan64) of bench/README.md ("Workloads"): one discriminator step
// then one generator step (non-saturating loss) per training step, through the
// library's GANTrainer, as bench/peers/workloads.py's gan_step does in PyTorch
// (generated batch reused, discriminator frozen during the generator step).

func registerGANWorkloads() {
    for name in ["gan-mlp", "dcgan64"] {
        register("workload", name) {
            var rng = RandomGenerator(seed: 1)
            let gan: GAN, real: Tensor, shape: String
            if name == "gan-mlp" {
                gan = GAN.mlp(dataDimension: 784, latentDimension: 64, hidden: [256, 512], discriminatorHidden: [512, 256],
                              outputActivation: .tanh, rng: &rng)
                real = rng.uniform([128, 784], low: -1, high: 1)
                shape = "batch 128, G 64-256-512-784, D 784-512-256-1"
            } else {
                gan = GAN.dcgan64(latentDimension: 100, width: 32, rng: &rng)
                real = rng.uniform([64, 1, 64, 64], low: -1, high: 1)
                shape = "batch 64, 64x64x1, z 100"
            }
            let trainer = GANTrainer(gan: gan, loss: .nonSaturating)
            // Check: at initialisation D(x) is near 1/2, so -V = 2 log 2 = 1.39 roughly.
            let first = trainer.step(real: { real }, rng: &rng)
            verify(first.discriminatorLoss.isFinite && abs(first.discriminatorLoss - 1.386) < 0.5,
                   "\(name) first discriminator loss \(first.discriminatorLoss) (expected ~ 2 ln 2 = 1.39)")
            let s = measure(seconds: 3, warmup: 2) { trainer.step(real: { real }, rng: &rng) }
            return BenchResult(name: name, shape: shape, value: 1 / s, unit: "steps/s")
        }
    }
}
