/// A VAE's part of a training run for ``RunDriver``: the model and its
/// ``VAETrainer`` built from a run config, the batches of ``VAEData``, the
/// random state (batches and reparameterisation noise, one generator), and
/// the pictures of ``VAERun/writePictures(model:data:run:seed:)``.
public final class VAESession: TrainingSession {
    /// The trainer: model, objective, optimizers and, for FactorVAE, the discriminator.
    public let trainer: VAETrainer
    /// The data the batches come from.
    public let data: VAEData
    /// The run's seed (pictures use it).
    public let seed: UInt64
    /// Batches and noise come from this generator; the checkpoint stores it.
    public private(set) var rng: RandomGenerator

    /// A fresh model and trainer for `config` (seeded by it) on `data`; throws when the config's
    /// model is not a VAE or its input shape does not match the data's images.
    public init(config: RunConfig, data: VAEData) throws {
        let spec = try VAESpec(architecture: config.model.architecture)
        let objective = try VAERun.objective(config)
        guard spec.inputShape == data.observationShape else {
            throw LatentError("model input \(spec.inputShape) does not match data `\(data.name)` images \(data.observationShape)")
        }
        var initRng = RandomGenerator(seed: config.seed)
        let model = VAE.make(spec, rng: &initRng)
        trainer = VAETrainer(model: model, objective: objective, learningRate: Float(config.number("lr", default: 1e-4)),
                             discriminatorHidden: spec.discriminatorHidden,
                             discriminatorLearningRate: Float(config.number("discriminatorLR", default: 1e-4)),
                             datasetSize: data.count, rng: &initRng)
        self.data = data
        seed = config.seed
        rng = RandomGenerator(seed: config.seed, stream: 1)
    }

    /// "train" and the objective's name.
    public var label: String { "train \(trainer.objective.name)" }
    /// The trainer's terms: recon, kl, elbo, loss and the objective's own.
    public var termNames: [String] { trainer.termNames }
    /// The loss and its two ELBO terms.
    public var progressTerms: [String] { ["loss", "recon", "kl"] }
    /// Log a row every this many steps (default 10).
    public var logEvery = 10
    /// The trainer's step count.
    public var step: Int { trainer.stepCount }
    /// Model (and discriminator) parameters and buffers.
    public var checkpointState: [(name: String, parameter: Parameter)] { trainer.checkpointParameters }
    /// Both Adams' state.
    public var checkpointOptimizer: (any CheckpointableOptimizer)? { trainer.checkpointOptimizer }
    /// The batch and noise generator.
    public var checkpointRandomState: RandomGenerator? { rng }

    /// Takes the step and the generator from the checkpoint.
    public func restore(_ info: Checkpoint.Info) throws {
        trainer.stepCount = info.step
        if let r = info.rng { rng = r }
    }

    /// One batch (the data's order for this step) and one trainer step.
    public func trainStep() throws -> [Double] {
        let x = data.batch(step: trainer.stepCount, rng: &rng)
        let values = try trainer.step(x, rng: &rng)
        return termNames.map { values[$0] ?? .nan }
    }

    /// Reconstructions, prior samples, a traversal and the loss curve when the run stops.
    public func writePictures(run: RunDirectory, step: Int, moment: PictureMoment) throws {
        guard moment == .finished else { return }
        try VAERun.writePictures(model: trainer.model, data: data, run: run, seed: seed)
    }
}
