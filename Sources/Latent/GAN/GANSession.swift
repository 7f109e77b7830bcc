import Foundation

/// A GAN's part of a training run for ``RunDriver``: the networks and their
/// ``GANTrainer`` built from a `latent train gan` config, batches of
/// ``GANData``, the collapse and saturation watch of ``GANMonitor``, and the
/// pictures (losses, discriminator outputs, sample grids).
///
/// Random state: the networks are initialised from the seed's generator, which
/// then forks stream 1 for data batches, 2 for the fixed latent codes of the
/// sample grids and 3 for the real examples shown beside them, and goes on to
/// draw the generator's noise; the checkpoint stores the noise generator and
/// the data generator (metadata `data_rng`), so a resumed run repeats an
/// uninterrupted one bit for bit.
///
/// ```swift
/// let session = try GANSession(config: config)
/// try GANRun.train(session, config: config, directory: "runs/gan")
/// ```
public final class GANSession: TrainingSession {
    /// The networks.
    public let gan: GAN
    /// The alternating trainer with both Adams and the penalty.
    public let trainer: GANTrainer
    /// The training data, in model space.
    public let data: GANData
    /// Examples per batch.
    public let batchSize: Int
    /// Draw the sample grid and plots every this many steps.
    public let sampleEvery: Int
    /// What watches each step for divergence, saturation and collapse.
    public private(set) var monitor: GANMonitor
    /// The statistics of the last step taken (nil before the first).
    public private(set) var lastStats: GANTrainer.StepStats?
    /// Steps taken.
    public private(set) var step = 0
    private var rng: RandomGenerator
    private var dataRng: RandomGenerator
    private let flatten: Bool
    private let fixedZ: Tensor
    private let realView: Tensor

    /// The session a config of `latent train gan` describes: architecture, data, loss,
    /// penalty, k, learning rates and betas from its hyperparameters. `patience` is the
    /// monitor's, `sampleEvery` the picture interval. Throws for an unknown data set,
    /// architecture, loss or penalty.
    public init(config: RunConfig, patience: Int = 500, sampleEvery: Int = 500) throws {
        data = try GANData.named(config.data.name)
        var rng = RandomGenerator(seed: config.seed)
        gan = try GANRun.makeModel(config, rng: &rng)
        let h = config.hyperparameters
        guard let loss = GANLoss(rawValue: h["loss"]?.string ?? "non-saturating") else {
            throw LatentError("config.json: unknown GAN loss '\(h["loss"]?.string ?? "")'")
        }
        let penalty = try GANPenalty(parsing: h["penalty"]?.string ?? "none")
        let lr = Float(config.number("lr", default: 2e-4))
        trainer = GANTrainer(gan: gan, loss: loss, penalty: penalty, discriminatorSteps: Int(config.number("k", default: 1)),
                             learningRate: lr, discriminatorLearningRate: Float(config.number("lrD", default: Double(lr))),
                             beta1: Float(config.number("beta1", default: 0.5)), beta2: Float(config.number("beta2", default: 0.999)))
        batchSize = Int(config.number("batchSize", default: data.isToy ? 256 : 64))
        self.sampleEvery = Swift.max(1, sampleEvery)
        monitor = GANMonitor(patience: patience)
        monitor.checksSaturation = loss.hasProbabilisticDiscriminator
        flatten = !data.isToy && (config.model.architecture["arch"]?.string ?? "mlp") == "mlp"
        dataRng = rng.forked(stream: 1)
        var fixedRng = rng.forked(stream: 2)
        fixedZ = gan.latents(data.isToy ? 2000 : 64, rng: &fixedRng)
        var viewRng = rng.forked(stream: 3)
        realView = data.draw(data.isToy ? 2000 : 64, &viewRng)
        self.rng = rng
    }

    /// "train gan".
    public var label: String { "train gan" }
    /// Both losses, mean D(x) and D(G(z)), both spreads, and the penalty when there is one.
    public var termNames: [String] {
        ["loss_d", "loss_g", "d_real", "d_fake", "real_spread", "fake_spread"] + (trainer.penalty == .none ? [] : ["penalty"])
    }
    /// Both losses and both discriminator outputs.
    public var progressTerms: [String] { ["loss_d", "loss_g", "d_real", "d_fake"] }
    /// Both networks' parameters and buffers.
    public var checkpointState: [(name: String, parameter: Parameter)] { gan.checkpointTensors }
    /// Both Adams.
    public var checkpointOptimizer: (any CheckpointableOptimizer)? { trainer.checkpointableOptimizers }
    /// The noise generator.
    public var checkpointRandomState: RandomGenerator? { rng }
    /// The data generator's state as `seed,stream,counter`.
    public var checkpointMetadata: [String: String] { ["data_rng": "\(dataRng.seed),\(dataRng.stream),\(dataRng.counter)"] }
    /// The sample grid interval.
    public var pictureEvery: Int? { sampleEvery }

    /// Takes the step, the noise generator and the data generator from the checkpoint.
    public func restore(_ info: Checkpoint.Info) throws {
        step = info.step
        if let r = info.rng { rng = r }
        if let d = info.metadata["data_rng"]?.split(separator: ",").compactMap({ UInt64($0) }), d.count == 3 {
            dataRng = RandomGenerator(seed: d[0], stream: d[1], counter: d[2])
        }
    }

    /// One generator step after k discriminator steps.
    public func trainStep() throws -> [Double] {
        let n = batchSize, flat = flatten
        let s = trainer.step(real: {
            let x = data.draw(n, &dataRng)
            return flat ? x.reshaped([n, -1]) : x
        }, rng: &rng)
        lastStats = s
        step += 1
        return [Double(s.discriminatorLoss), Double(s.generatorLoss), Double(s.dReal), Double(s.dFake),
                Double(s.realSpread), Double(s.fakeSpread)] + (trainer.penalty == .none ? [] : [Double(s.penalty)])
    }

    /// The monitor's verdict on the last step.
    public func problem(afterStep step: Int, values: [Double]) -> String? {
        guard let s = lastStats else { return nil }
        return monitor.observe(s, step: step).map(\.description)
    }

    /// The sample grid `samples_stepN.png` and the two plots every ``sampleEvery`` steps and at
    /// the end (with `samples_final.png`); the plots and `samples_failed_stepN.png` on a failure;
    /// the plots on an interruption.
    public func writePictures(run: RunDirectory, step: Int, moment: PictureMoment) throws {
        try FileManager.default.createDirectory(atPath: run.imagesPath, withIntermediateDirectories: true)
        switch moment {
        case .periodic:
            try writeSamples(run, "samples_step\(step).png", step: step)
        case .finished:
            try writeSamples(run, "samples_step\(step).png", step: step)
            try writeSamples(run, "samples_final.png", step: step)
        case .failed:
            try? writeSamples(run, "samples_failed_step\(step).png", step: step)
        case .interrupted:
            break
        }
        try writePlots(run)
    }

    /// The sample grid of the fixed latent codes: real and generated points side by side for 2-D
    /// toys, an 8-column image grid (mapped back to [0, 1]) otherwise.
    public func writeSamples(_ run: RunDirectory, _ name: String, step: Int) throws {
        let fake = withoutGradients { gan.generator(fixedZ) }
        if data.isToy {
            try toyPicture(real: realView, fake: fake, title: "generated, step \(step)").writePNG(run.imagePath(name))
        } else {
            let img = (fake.reshaped([fake.shape[0]] + data.exampleShape) + 1) * 0.5
            try RGBImage.grid(img.clamped(min: 0, max: 1), columns: 8, scale: 2).writePNG(run.imagePath(name))
        }
    }

    /// losses.png and d_outputs.png from the run's log.csv.
    public func writePlots(_ run: RunDirectory) throws {
        let (columns, rows) = try CSVLog.read(run.logPath)
        guard !rows.isEmpty else { return }
        func column(_ name: String) -> [Double] {
            guard let i = columns.firstIndex(of: name) else { return [] }
            return rows.map { $0.count > i ? $0[i] : .nan }
        }
        let steps = column("step")
        let wasserstein = trainer.loss == .wasserstein
        try Plot.lines(title: "GAN losses (\(trainer.loss.rawValue))", series: [("loss D", steps, column("loss_d")), ("loss G", steps, column("loss_g"))],
                       yLabel: "loss").writePNG(run.imagePath("losses.png"))
        try Plot.lines(title: wasserstein ? "critic outputs" : "discriminator outputs",
                       series: [("D(x)", steps, column("d_real")), ("D(G(z))", steps, column("d_fake"))],
                       yLabel: wasserstein ? "mean critic value" : "mean D").writePNG(run.imagePath("d_outputs.png"))
    }

    /// Lines for the end of a run: the last 100 logged steps' mean losses and D outputs, and on
    /// 8gaussians how many modes the fixed-code samples cover.
    public func summary(run: RunDirectory) throws -> [String] {
        let (columns, rows) = try CSVLog.read(run.logPath)
        let last = rows.suffix(100)
        func mean(_ name: String) -> Double {
            guard let i = columns.firstIndex(of: name), !last.isEmpty else { return .nan }
            return last.map { $0[i] }.reduce(0, +) / Double(last.count)
        }
        var lines = [String(format: "last 100 steps: loss D %.4f, loss G %.4f, D(x) %.3f, D(G(z)) %.3f",
                            mean("loss_d"), mean("loss_g"), mean("d_real"), mean("d_fake"))]
        if data.name == "8gaussians" {
            let fake = withoutGradients { gan.generator(fixedZ) }
            let c = ModeCoverage.count(fake, mixture: .eightGaussians)
            lines.append(String(format: "modes covered: %d/8 (samples within 3 std of a centre per mode: %@), off-mode %.1f%%",
                                c.covered, c.counts.map(String.init).joined(separator: " "), 100 * c.offModeFraction))
        }
        return lines
    }
}

extension GANRun {
    /// Trains (or, with `resume` and a checkpoint, continues) a GAN run through ``RunDriver``,
    /// first drawing `samples_step0.png` for a fresh run. A diverged, saturated or collapsed
    /// run throws ``RunProblem`` after recording it; the last good checkpoint is kept.
    @discardableResult
    public static func train(_ session: GANSession, config: RunConfig, directory: String,
                             options: RunDriver.Options = RunDriver.Options()) throws -> RunDirectory {
        try RunDriver.train(session, config: config, directory: directory, options: options) {
            if session.step == 0 && options.writes {
                let run = RunDirectory(path: directory)
                try FileManager.default.createDirectory(atPath: run.imagesPath, withIntermediateDirectories: true)
                try session.writeSamples(run, "samples_step0.png", step: 0)
            }
        }
    }
}
