import Foundation

/// VAE runs on disk: training into a ``RunDirectory`` (config, CSV log of every loss term,
/// atomic checkpoints, pictures) and reopening a run for evaluation, encoding and traversals.
///
/// ```swift
/// let config = try VAERun.config(objective: .dipVAE2(lambdaOffDiagonal: 10), spec: spec, data: data,
///                                steps: 1000, batchSize: 64, learningRate: 1e-4, seed: 0)
/// try VAERun.train(config: config, data: data, directory: "runs/dip")
/// ```
public enum VAERun: Sendable {
    /// The objective a config describes (its model kind and hyperparameters).
    public static func objective(_ config: RunConfig) throws -> VAEObjective {
        guard VAEObjective.names.contains(config.model.kind) else {
            throw LatentError("model kind '\(config.model.kind)' is not a VAE (\(VAEObjective.names.joined(separator: ", ")))")
        }
        let h = { (k: String) in config.hyperparameters[k]?.double.map(Float.init) }
        return try VAEObjective(name: config.model.kind, beta: h("beta"), gamma: h("gamma"), cMax: h("cMax"),
                                iterationThreshold: config.hyperparameters["iterationThreshold"]?.int,
                                lambdaOffDiagonal: h("lambdaOD"), lambdaDiagonal: h("lambdaD"))
    }

    /// A run config for `objective` on `data`: model kind = the objective's name, architecture = `spec`,
    /// hyperparameters lr, batchSize, steps, checkpointEvery and the objective's own, and the data's
    /// preprocessing.
    public static func config(objective: VAEObjective, spec: VAESpec, data: VAEData, steps: Int, batchSize: Int, learningRate: Double,
                              seed: UInt64, command: String = "", checkpointEvery: Int = 1000) -> RunConfig {
        var h: [String: JSONValue] = ["lr": .number(learningRate), "batchSize": .number(Double(batchSize)), "steps": .number(Double(steps)),
                                      "checkpointEvery": .number(Double(checkpointEvery))]
        switch objective {
        case .vae: break
        case .betaVAE(let b), .betaTCVAE(let b): h["beta"] = .number(Double(b))
        case .annealedVAE(let g, let c, let t):
            h["gamma"] = .number(Double(g)); h["cMax"] = .number(Double(c)); h["iterationThreshold"] = .number(Double(t))
        case .factorVAE(let g):
            h["gamma"] = .number(Double(g)); h["discriminatorLR"] = .number(1e-4)
        case .dipVAE1(let od, let d), .dipVAE2(let od, let d):
            h["lambdaOD"] = .number(Double(od)); h["lambdaD"] = .number(Double(d))
        }
        return RunConfig(command: command, model: .init(kind: objective.name, architecture: spec.architecture),
                         hyperparameters: h, data: data.dataSpec, seed: seed)
    }

    /// The data a config names, with the pixel encoding it recorded.
    public static func data(_ config: RunConfig, batchSize: Int? = nil) throws -> VAEData {
        let encoding = config.data.preprocessing["encoding"]?.string.flatMap(PixelEncoding.init(rawValue:)) ?? .dynamicBinarized
        return try VAEData(name: config.data.name, batchSize: batchSize ?? Int(config.number("batchSize", default: 64)),
                           encoding: encoding, seed: config.seed)
    }

    /// Trains (or, with `resume` and a checkpoint present, continues) a run through
    /// ``RunDriver``. A loss that stops being finite throws after writing the failure into
    /// state.json; the last checkpoint, saved only from finite parameters, is kept.
    ///
    /// With `parallel` (one call per process of the group), rank 0's initial parameters are
    /// broadcast, each process computes its rows of every batch (``DataParallel``), and only
    /// rank 0 writes the directory and acts on `interruption`; on resume every process reads the
    /// checkpoint (a shared file system). The other ranks return the directory's path without
    /// having written it.
    @discardableResult
    public static func train(config: RunConfig, data: VAEData, directory: String, resume: Bool = false, overwrite: Bool = false,
                             showProgress: Bool = true, logEvery: Int = 10, interruption: Interruption? = nil,
                             parallel: DataParallel? = nil) throws -> (RunDirectory, VAETrainer) {
        let session = try VAESession(config: config, data: data)
        session.logEvery = Swift.max(1, logEvery)
        if let parallel {
            try parallel.attach(to: session.trainer)
            guard data.batchSize >= parallel.size else {
                throw LatentError("--data-parallel: a batch of \(data.batchSize) cannot be split across \(parallel.size) processes")
            }
        }
        let options = RunDriver.Options(resume: resume, overwrite: overwrite,
                                        checkpointEvery: Swift.max(1, Int(config.number("checkpointEvery", default: 1000))),
                                        showProgress: showProgress, interruption: interruption, writes: parallel?.isRoot ?? true)
        let run = try RunDriver.train(session, config: config, directory: directory, options: options) {
            // Rank 0's values everywhere: the initialisation is seeded, but this does not rely on
            // every machine's kernels producing identical bits.
            try parallel?.broadcastParameters(session.checkpointState.map(\.parameter))
        }
        return (run, session.trainer)
    }

    /// Writes reconstructions.png (16 evaluation points), samples.png (64 prior draws), traversal.png (3
    /// examples) and, once the log has two rows, loss.png under the run's images/ folder; leaves the model
    /// in evaluation mode.
    public static func writePictures(model: VAE, data: VAEData, run: RunDirectory, seed: UInt64) throws {
        model.setTraining(false)
        let (x, _) = try data.evaluationSet(16, seed: seed)
        try VAEPictures.reconstructions(model, x).writePNG(run.imagePath("reconstructions.png"))
        var rng = RandomGenerator(seed: seed, stream: 0x5341_4D50)
        try VAEPictures.priorSamples(model, count: 64, rng: &rng).writePNG(run.imagePath("samples.png"))
        try VAEPictures.traversalGrid(model, x.slice(axis: 0, 0..<3)).writePNG(run.imagePath("traversal.png"))
        if let (cols, rows) = try? CSVLog.read(run.logPath), rows.count > 1 {
            let stepIndex = cols.firstIndex(of: "step")!
            let series: [Plot.Series] = ["loss", "recon", "kl"].compactMap { name in
                cols.firstIndex(of: name).map { i in (name, rows.map { $0[stepIndex] }, rows.map { $0[i] }) }
            }
            try Plot.lines(title: "training loss (nats per example)", series: series).writePNG(run.imagePath("loss.png"))
        }
    }

    /// Opens a VAE run: its directory, config, trained model (evaluation mode) and data.
    public static func open(_ directory: String) throws -> (run: RunDirectory, config: RunConfig, model: VAE, data: VAEData) {
        let run = try RunDirectory.open(directory)
        let config = try run.config()
        _ = try objective(config)
        let spec = try VAESpec(architecture: config.model.architecture)
        var rng = RandomGenerator(seed: config.seed)
        let model = VAE.make(spec, rng: &rng)
        try run.loadCheckpoint(into: model.namedState)
        model.setTraining(false)
        return (run, config, model, try data(config))
    }

    /// What `latent eval` prints for a VAE run.
    public struct Evaluation: Sendable {
        /// The number of held-out points evaluated (at most the requested n: an image set may have fewer).
        public var points: Int
        /// The number k of importance samples in the IWAE bound.
        public var importanceSamples: Int
        /// Mean ELBO per example (nats).
        public var elbo: Double
        /// -mean IWAE bound with k samples: an upper bound on the NLL (nats).
        public var iwaeNLL: Double
        /// nil when the posterior has a flow.
        public var surgery: ELBOSurgery?
    }

    /// ELBO, IWAE NLL (k samples) and the surgery terms on n held-out points.
    public static func evaluate(model: VAE, data: VAEData, points n: Int, importanceSamples k: Int, seed: UInt64) throws -> Evaluation {
        let (x, _) = try data.evaluationSet(n, seed: seed)
        var rng = RandomGenerator(seed: seed, stream: 0x4956_4145)
        let elbo = model.averageELBO(x, rng: &rng)
        let iwae = model.importanceWeightedBound(x, samples: k, rng: &rng).scalars.reduce(0.0) { $0 + Double($1) } / Double(x.shape[0])
        let surgery = model.posteriorFlow == nil ? try ELBOSurgery.estimate(model: model, data: x, rng: &rng) : nil
        return Evaluation(points: x.shape[0], importanceSamples: k, elbo: elbo, iwaeNLL: -iwae, surgery: surgery)
    }
}
