import Foundation

/// Alternating GAN training: k discriminator steps, then one generator step,
/// each player with its own Adam (defaults lr 2e-4, betas 0.5/0.999, Radford et al.).
///
/// With k = 1 the generated batch of the discriminator step is reused for the
/// generator step (as PyTorch's DCGAN example and benchmark W4/W6 do). During the
/// generator step the discriminator's parameters are frozen, so no discriminator
/// weight gradients are computed.
///
/// ```swift
/// let trainer = GANTrainer(gan: gan, loss: .nonSaturating)
/// for _ in 0..<1000 {
///     let stats = trainer.step(real: { ToyDensity.eightGaussians.sample(256, rng: &data) }, rng: &rng)
///     print(stats.discriminatorLoss, stats.generatorLoss, stats.dReal, stats.dFake)
/// }
/// ```
public final class GANTrainer {
    /// The generator and discriminator being trained.
    public let gan: GAN
    /// The objective: cross-entropy with a minimax or non-saturating generator, or Wasserstein.
    public var loss: GANLoss
    /// The gradient penalty added to the discriminator's loss at every discriminator step.
    public var penalty: GANPenalty
    /// Discriminator steps per generator step (k in Goodfellow et al.'s Algorithm 1).
    public var discriminatorSteps: Int
    /// Adam over the generator's parameters.
    public let generatorOptimizer: Adam
    /// Adam over the discriminator's parameters (its own learning rate when one was given).
    public let discriminatorOptimizer: Adam
    /// Generator steps taken.
    public private(set) var steps = 0
    /// Called after each backward and before the matching optimizer step (discriminator, then
    /// generator) with that player's parameters: a data-parallel run averages the gradients
    /// across processes here (``DataParallel/average(gradientsOf:values:rows:batchSize:)``).
    public var gradientHook: ((_ parameters: [Parameter]) -> Void)?

    /// What one training step saw, before its updates.
    public struct StepStats: Sendable {
        /// The discriminator's adversarial loss on its last batch (-V(G, D), or the
        /// Wasserstein critic's loss), without the penalty.
        public var discriminatorLoss: Float
        /// The gradient penalty on the last discriminator batch (0 without one).
        public var penalty: Float = 0
        /// The generator's loss (depends on `GANLoss`).
        public var generatorLoss: Float
        /// Mean D(x) on the real batch of the last discriminator step: a probability, or the raw
        /// critic output under ``GANLoss/wasserstein``.
        public var dReal: Float
        /// Mean D(G(z)) on the last generated batch (probability or raw critic output, as `dReal`).
        public var dFake: Float
        /// Mean per-feature standard deviation across the batch, real and generated:
        /// a generated spread far below the real one is the signature of mode collapse.
        public var realSpread: Float
        /// The same spread for the generated batch.
        public var fakeSpread: Float
    }

    /// A trainer with one Adam per player (betas `beta1`, `beta2`; the discriminator's learning
    /// rate `discriminatorLearningRate` when given, else `learningRate`); stops when
    /// `discriminatorSteps` is below 1.
    public init(gan: GAN, loss: GANLoss = .nonSaturating, penalty: GANPenalty = .none, discriminatorSteps: Int = 1,
                learningRate: Float = 2e-4, discriminatorLearningRate: Float? = nil, beta1: Float = 0.5, beta2: Float = 0.999) {
        check(discriminatorSteps >= 1, "GANTrainer: discriminatorSteps must be at least 1, got \(discriminatorSteps)")
        self.gan = gan
        self.loss = loss
        self.penalty = penalty
        self.discriminatorSteps = discriminatorSteps
        generatorOptimizer = Adam(gan.generator.parameters, learningRate: learningRate, beta1: beta1, beta2: beta2)
        discriminatorOptimizer = Adam(gan.discriminator.parameters, learningRate: discriminatorLearningRate ?? learningRate,
                                      beta1: beta1, beta2: beta2)
    }

    /// One training step: `discriminatorSteps` discriminator updates (each on a fresh
    /// `real()` batch and a fresh generated batch of the same size), then one generator update.
    @discardableResult
    public func step(real: () -> Tensor, rng: inout RandomGenerator) -> StepStats {
        gan.setTraining(true)
        var stats = StepStats(discriminatorLoss: 0, generatorLoss: 0, dReal: 0, dFake: 0, realSpread: 0, fakeSpread: 0)
        var fake = Tensor.zeros([0])
        for i in 0..<discriminatorSteps {
            let x = real()
            let last = i == discriminatorSteps - 1
            // Only the last generated batch is kept on the tape (for the generator step).
            fake = last ? gan.sample(x.shape[0], rng: &rng) : withoutGradients { gan.sample(x.shape[0], rng: &rng) }
            let realLogits = gan.logits(x)
            let fakeLogits = gan.logits(fake.detached())
            let dLoss = loss.discriminatorLoss(realLogits: realLogits, fakeLogits: fakeLogits)
            let dPenalty = penalty.value(discriminator: gan.logits, real: x, fake: fake, rng: &rng)
            backward(dPenalty.map { dLoss + $0 } ?? dLoss, to: discriminatorOptimizer.parameters)
            gradientHook?(discriminatorOptimizer.parameters)
            discriminatorOptimizer.step()
            if last {
                stats.discriminatorLoss = dLoss.scalar
                stats.penalty = dPenalty?.scalar ?? 0
                stats.dReal = loss.hasProbabilisticDiscriminator ? meanSigmoid(realLogits) : realLogits.mean().scalar
                stats.dFake = loss.hasProbabilisticDiscriminator ? meanSigmoid(fakeLogits) : fakeLogits.mean().scalar
                stats.realSpread = GANTrainer.spread(x)
                stats.fakeSpread = GANTrainer.spread(fake)
            }
        }
        let dParameters = discriminatorOptimizer.parameters
        for p in dParameters { p.requiresGradient = false }
        defer { for p in dParameters { p.requiresGradient = true } }
        let gLoss = loss.generator(fakeLogits: gan.logits(fake))
        backward(gLoss, to: generatorOptimizer.parameters)
        gradientHook?(generatorOptimizer.parameters)
        generatorOptimizer.step()
        stats.generatorLoss = gLoss.scalar
        steps += 1
        return stats
    }

    private func meanSigmoid(_ logits: Tensor) -> Float {
        var s = 0.0
        logits.withUnsafeBufferPointer { for l in $0 { s += 1 / (1 + Foundation.exp(-Double(l))) } }
        return Float(s / Double(Swift.max(logits.count, 1)))
    }

    /// Mean over features of the standard deviation across the batch (axis 0).
    public static func spread(_ x: Tensor) -> Float {
        let n = x.shape[0]
        guard n > 1 else { return 0 }
        let d = x.count / n
        var total = 0.0
        x.withUnsafeBufferPointer { v in
            for j in 0..<d {
                var m = 0.0, m2 = 0.0
                for i in 0..<n { let a = Double(v[i * d + j]); m += a; m2 += a * a }
                m /= Double(n)
                total += Swift.max(m2 / Double(n) - m * m, 0).squareRoot()
            }
        }
        return Float(total / Double(d))
    }
}

extension GANTrainer {
    /// Both Adams as one checkpointable optimizer (state named after `gan.namedParameters`:
    /// generator parameters first, then the discriminator's), for ``Checkpoint``.
    public var checkpointableOptimizers: any CheckpointableOptimizer { OptimizerGroup([generatorOptimizer, discriminatorOptimizer]) }
}
