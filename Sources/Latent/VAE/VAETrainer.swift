import Foundation

/// One optimisation step at a time for a VAE and its objective: Adam on the VAE, and for
/// FactorVAE a second Adam (lr 1e-4, betas 0.5 / 0.9 by default) on the discriminator.
///
/// ```swift
/// let trainer = VAETrainer(model: vae, objective: .betaVAE(beta: 4), learningRate: 1e-4, rng: &rng)
/// for _ in 0..<1000 { let terms = try trainer.step(batch(), rng: &rng) }
/// ```
public final class VAETrainer {
    /// The VAE being trained, updated in place.
    public let model: VAE
    /// The objective whose ``VAEObjective/loss(_:step:discriminator:datasetSize:)`` each step minimises.
    public let objective: VAEObjective
    /// Adam over all of the model's parameters, at the learning rate given at init.
    public let optimizer: Adam
    /// FactorVAE's discriminator, trained alongside the VAE; nil for the other objectives.
    public let discriminator: FactorDiscriminator?
    /// Adam (betas 0.5 / 0.9) on the discriminator's parameters; nil without a discriminator.
    public let discriminatorOptimizer: Adam?
    /// Data set size for beta-TCVAE's minibatch-weighted-sampling constant.
    public var datasetSize: Int?
    /// Steps taken so far (AnnealedVAE's clock).
    public var stepCount = 0
    /// Data-parallel hook (see ``DataParallel``): the rows of each global batch of the given
    /// size this process computes. The batch and its noise are still drawn whole, so the
    /// random numbers do not depend on the split. nil: all rows.
    public var localRows: ((_ batchSize: Int) -> Range<Int>)?
    /// Data-parallel hook called after backward and before the optimizer step, with this
    /// process's rows, the global batch size and the logged values (which it may replace
    /// by their global means). ``DataParallel`` averages the gradients across processes here.
    public var gradientHook: ((_ parameters: [Parameter], _ rows: Range<Int>, _ batchSize: Int, _ values: inout [String: Double]) -> Void)?

    /// A trainer with Adam at `learningRate` on the model; for ``VAEObjective/factorVAE(gamma:)`` also a
    /// discriminator with `discriminatorHidden` sizes, drawn from `rng`, and its own Adam at
    /// `discriminatorLearningRate`.
    public init(model: VAE, objective: VAEObjective, learningRate: Float, discriminatorHidden: [Int] = Array(repeating: 1000, count: 6),
                discriminatorLearningRate: Float = 1e-4, datasetSize: Int? = nil, rng: inout RandomGenerator) {
        self.model = model
        self.objective = objective
        self.datasetSize = datasetSize
        optimizer = Adam(model.parameters, learningRate: learningRate)
        if case .factorVAE = objective {
            let d = FactorDiscriminator(latent: model.latentDimensions, hidden: discriminatorHidden, rng: &rng)
            discriminator = d
            discriminatorOptimizer = Adam(d.parameters, learningRate: discriminatorLearningRate, beta1: 0.5, beta2: 0.9)
        } else {
            discriminator = nil
            discriminatorOptimizer = nil
        }
    }

    /// Column names of the training log, in order (without "step").
    public var termNames: [String] { ["recon", "kl", "elbo", "loss"] + objective.extraTermNames }

    /// Named state (parameters and buffers) saved in checkpoints: the VAE's, then the discriminator's under
    /// "discriminator.".
    public var checkpointParameters: [(name: String, parameter: Parameter)] {
        model.namedState + prefixed("discriminator", discriminator?.namedState ?? [])
    }

    /// Both optimizers as one for checkpoints.
    public var checkpointOptimizer: any CheckpointableOptimizer {
        OptimizerGroup([optimizer] + (discriminatorOptimizer.map { [$0] } ?? []))
    }

    /// One step on batch `x`; returns each term's value (names as ``VAETrainer/termNames``). Throws before
    /// updating anything if a loss is not finite.
    @discardableResult
    public func step(_ x: Tensor, rng: inout RandomGenerator) throws -> [String: Double] {
        model.setTraining(true)
        let n = x.shape[0]
        let rows = localRows?(n) ?? 0..<n
        let noise = rng.normal(rows: rows, of: n, width: model.latentDimensions)   // = rng.normal([n, latent]) for all rows
        let pass = model.forward(rows.count == n ? x : x.slice(axis: 0, rows), noise: noise)
        let loss = objective.loss(pass, step: stepCount, discriminator: discriminator, datasetSize: datasetSize)
        try Divergence.check(loss.total.scalar, step: stepCount + 1)
        var values: [String: Double] = [:]
        for (name, t) in loss.terms { values[name] = Double(t.scalar) }
        var discriminatorLoss: Tensor? = nil
        if let discriminator {
            discriminatorLoss = discriminator.loss(pass.z, rng: &rng)
            try Divergence.check(discriminatorLoss!.scalar, step: stepCount + 1, term: "discriminator loss")
            values["discriminator_loss"] = Double(discriminatorLoss!.scalar)
        }
        backward(loss.total, to: model.parameters)
        gradientHook?(model.parameters, rows, n, &values)
        optimizer.step()
        if let discriminatorLoss, let discriminator, let discriminatorOptimizer {
            backward(discriminatorLoss, to: discriminator.parameters)
            discriminatorOptimizer.step()
        }
        stepCount += 1
        return values
    }
}
