/// Loading a `latent train gan` run back into a ``GAN`` in one call.
public enum GANRun: Sendable {
    /// Rebuilds the networks the run's config.json describes (as `latent train gan` builds them)
    /// and loads checkpoint.safetensors into them.
    ///
    /// ```swift
    /// let (_, _, gan) = try GANRun.open("runs/gan")
    /// var rng = RandomGenerator(seed: 1)
    /// let samples = withoutGradients { gan.generator(gan.latents(1000, rng: &rng)) }
    /// ```
    public static func open(_ directory: String) throws -> (run: RunDirectory, config: RunConfig, gan: GAN) {
        let run = try RunDirectory.open(directory)
        let config = try run.config()
        guard config.model.kind == "gan" else {
            throw LatentError("\(directory) holds a '\(config.model.kind)' run, not a GAN")
        }
        // Initial values do not matter: the checkpoint overwrites every parameter and buffer.
        var rng = RandomGenerator(seed: config.seed)
        let gan = try makeModel(config, path: run.configPath, rng: &rng)
        try run.loadCheckpoint(into: gan.checkpointTensors)
        return (run, config, gan)
    }

    /// The networks a GAN run's config describes, as `latent train gan` builds them: an MLP
    /// pair on 2-D toys (architecture `hidden`, `latent`), an MLP pair on flattened images, or
    /// the DCGAN pair for 28x28 or 64x64 images (architecture `variant`). Initialised from `rng`;
    /// throws naming `path` for an architecture it does not know.
    public static func makeModel(_ config: RunConfig, path: String = "config.json", rng: inout RandomGenerator) throws -> GAN {
        let arch = config.model.architecture
        let kind = arch["arch"]?.string ?? "mlp"
        let latent = arch["latent"]?.int
        let shape: [Int]
        switch try DatasetRegistry.dataset(named: config.data.name) {
        case .toy: shape = [2]
        case .images(let set): shape = set.imageShape
        case .groundTruth(let g): shape = g.observationShape
        }
        if shape == [2] {
            var hidden: [Int] = []
            if case .array(let a)? = arch["hidden"] { hidden = a.compactMap(\.int) }
            guard !hidden.isEmpty else { throw LatentError.file(path, "architecture.hidden is missing") }
            return GAN.mlp(dataDimension: 2, latentDimension: latent ?? 8, hidden: hidden, rng: &rng)
        } else if kind == "mlp" {
            return GAN.mlp(dataDimension: shape.reduce(1, *), latentDimension: latent ?? 64, hidden: [256, 512],
                           discriminatorHidden: [512, 256], outputActivation: .tanh, rng: &rng)
        } else if arch["variant"]?.string == "dcgan28" {
            return GAN.dcgan28(latentDimension: latent ?? 64, channels: shape[0], rng: &rng)
        } else if arch["variant"]?.string == "dcgan64" {
            return GAN.dcgan64(latentDimension: latent ?? 100, channels: shape[0], rng: &rng)
        }
        throw LatentError.file(path, "unknown GAN architecture \(arch)")
    }
}
