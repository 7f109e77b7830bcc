/// A generator G(z) and a discriminator D(x) that returns one logit per example.
///
/// The latent code is standard normal of shape `[n] + latentShape` (`[n, 64]`
/// for an MLP generator, `[n, 100, 1, 1]` for a DCGAN one).
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let gan = GAN.mlp(dataDimension: 2, latentDimension: 2, hidden: [128, 128], rng: &rng)
/// let x = gan.sample(512, rng: &rng)          // (512, 2)
/// let d = sigmoid(gan.discriminator(x))       // (512, 1), D(x) in (0, 1)
/// ```
public final class GAN: Module {
    /// G: latent codes `[n] + latentShape` to examples `[n] + dataShape`.
    public let generator: any Layer
    /// D: examples to one logit each (any shape holding n values; see ``GAN/logits(_:)``).
    public let discriminator: any Layer
    /// Shape of one latent code, without the batch dimension.
    public let latentShape: [Int]
    /// Shape of one generated example, without the batch dimension.
    public let dataShape: [Int]
    /// Training mode for both networks (their BatchNorm layers use batch statistics).
    public var isTraining = true

    /// A GAN from a generator and a discriminator whose shapes match `latentShape` and `dataShape`
    /// (not checked here: the first forward pass stops on a mismatch).
    public init(generator: any Layer, discriminator: any Layer, latentShape: [Int], dataShape: [Int]) {
        self.generator = generator
        self.discriminator = discriminator
        self.latentShape = latentShape
        self.dataShape = dataShape
    }

    /// The generator's parameters as `generator.…`, then the discriminator's as `discriminator.…`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        prefixed("generator", generator.namedParameters) + prefixed("discriminator", discriminator.namedParameters)
    }
    /// BatchNorm running statistics of both networks, named as ``GAN/namedParameters``.
    public var namedBuffers: [(name: String, parameter: Parameter)] {
        prefixed("generator", generator.namedBuffers) + prefixed("discriminator", discriminator.namedBuffers)
    }
    /// The two networks, which follow this module's training flag.
    public var children: [Module] { [generator, discriminator] }

    /// Parameters and buffers, as a checkpoint stores them.
    public var checkpointTensors: [(name: String, parameter: Parameter)] { namedParameters + namedBuffers }

    /// n latent codes z ~ N(0, I).
    public func latents(_ n: Int, rng: inout RandomGenerator) -> Tensor {
        rng.normal([n] + latentShape)
    }

    /// n generated examples (tracked when the generator's parameters are).
    public func sample(_ n: Int, rng: inout RandomGenerator) -> Tensor {
        generator(latents(n, rng: &rng))
    }

    /// D's logit for each example, flattened to (n, 1).
    public func logits(_ x: Tensor) -> Tensor {
        discriminator(x).reshaped([x.shape[0], 1])
    }
}
