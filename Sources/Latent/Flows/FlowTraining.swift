import Foundation

/// What a flow run trains on: a 2-D toy density (fresh points every step),
/// stored points from a `.npy` file, or 8-bit images (dequantized).
///
/// ```swift
/// let d = try FlowData.load("8gaussians")        // .toy(.eightGaussians)
/// let f = try FlowData.load("fashion-mnist")     // train and test splits
/// ```
public enum FlowData: Sendable {
    /// A 2-D toy density: fresh points every training step, and fixed held-out points drawn from
    /// stream 1000 of the seed.
    case toy(ToyDensity)
    /// (N, D) float points; the last tenth is held out.
    case points(name: String, train: Tensor, test: Tensor)
    /// 8-bit images; Fashion-MNIST's test split, or the last tenth of an IDX file, is held out.
    case images(name: String, train: ImageSet, test: ImageSet)

    /// Every name `latent train flow --data` accepts.
    public static let names: [String] = ToyDensity.allCases.map(\.name) + ["fashion-mnist", "idx:PATH", "npy:PATH"]

    /// Loads the data set called `name` (a toy density, `fashion-mnist`, `idx:PATH` or
    /// `npy:PATH`) with its held-out part; errors list the valid names.
    public static func load(_ name: String) throws -> FlowData {
        if name.hasPrefix("npy:") {
            let path = String(name.dropFirst(4))
            let a = try NDArray.readNpy(path)
            guard a.shape.count == 2, a.shape[0] >= 2, a.shape[1] >= 1 else {
                throw LatentError.file(path, "flows need points of shape (N >= 2, D), this array has shape \(a.shape)")
            }
            let x = try a.tensor(name: path)      // throws on NaN or infinity, naming the file and index
            let n = a.shape[0], held = Swift.max(1, n / 10)
            return .points(name: name, train: x.slice(axis: 0, 0..<(n - held)), test: x.slice(axis: 0, (n - held)..<n))
        }
        if DatasetRegistry.groundTruthNames.contains(name) {
            throw LatentError("data set `\(name)` holds 0/1 sprites; flows model 8-bit or continuous data: \(names.joined(separator: ", "))")
        }
        guard ToyDensity(rawValue: name) != nil || name == "fashion-mnist" || name.hasPrefix("idx:") else {
            throw LatentError("unknown data set `\(name)` for flows; valid names: \(names.joined(separator: ", "))")
        }
        switch try DatasetRegistry.dataset(named: name) {
        case .toy(let t): return .toy(t)
        case .images(let train) where name == "fashion-mnist":
            return .images(name: name, train: train, test: try FashionMNIST.load(.test))
        case .images(let all):
            guard all.count >= 2 else { throw LatentError("data set `\(name)` has \(all.count) image; flows need at least 2") }
            let held = Swift.max(1, all.count / 10)
            return .images(name: name, train: all.subset(0..<(all.count - held)), test: all.subset((all.count - held)..<all.count))
        case .groundTruth:
            throw LatentError("data set `\(name)` is not available to flows")
        }
    }

    /// The name the data was loaded under: the toy density's name, `fashion-mnist`, `idx:PATH` or
    /// `npy:PATH`.
    public var name: String {
        switch self {
        case .toy(let t): t.name
        case .points(let n, _, _), .images(let n, _, _): n
        }
    }

    /// Shape of one example.
    public var eventShape: [Int] {
        switch self {
        case .toy: [2]
        case .points(_, let train, _): [train.shape[1]]
        case .images(_, let train, _): train.imageShape
        }
    }

    /// Whether this is 8-bit image data, dequantized before the flow sees it.
    public var isImages: Bool { if case .images = self { return true }; return false }
}

extension ImageSet {
    /// The images (and labels) in `range`.
    public func subset(_ range: Range<Int>) -> ImageSet {
        let m = channels * height * width
        return ImageSet(name: name, count: range.count, channels: channels, height: height, width: width,
                        pixels: Array(pixels[(range.lowerBound * m)..<(range.upperBound * m)]), maxValue: maxValue,
                        labels: labels.map { Array($0[range]) }, classNames: classNames)
    }
}

/// Held-out log-likelihood of a flow run. For images, `nats` is the
/// uniform-dequantization bound on -log P(x) per image and `bitsPerDim` its
/// bits per dimension; `variationalNats` is the bound under the trained q(u|x).
public struct FlowEvaluation: Sendable {
    /// Number of held-out examples evaluated.
    public var count: Int
    /// Number of scalars in one example, D.
    public var dimensions: Int
    /// Mean negative log-likelihood (or its uniform-dequantization bound) in nats per example.
    public var nats: Double
    /// `nats` in bits per dimension: nats / (D ln 2).
    public var bitsPerDim: Double { nats / (Double(dimensions) * Foundation.log(2.0)) }
    /// The variational-dequantization bound in nats per example, when the run has a q(u|x).
    public var variationalNats: Double?
    /// `variationalNats` in bits per dimension, nats / (D ln 2); nil when the run has no q(u|x).
    public var variationalBitsPerDim: Double? { variationalNats.map { $0 / (Double(dimensions) * Foundation.log(2.0)) } }
}

/// A flow run: model, optional dequantizer, optimizer, data order and random
/// state, all rebuilt from a ``RunConfig`` and a checkpoint, so that a run
/// continued from its checkpoint gives bit-for-bit the parameters of an
/// uninterrupted one (at the same thread count).
///
/// Randomness: the model is initialised from stream 0 of the seed, the noise
/// flow of variational dequantization from stream 3; toy points and
/// dequantization noise come from stream 1, whose counter the checkpoint
/// saves; image and point batches follow ``ImageBatcher``'s per-epoch
/// permutations, a function of (seed, epoch) only.
///
/// ```swift
/// let config = try FlowTrainer.makeConfig(model: "realnvp", data: "two-moons", steps: 2000)
/// let trainer = try FlowTrainer(config: config)
/// let run = try RunDirectory.create("runs/moons", config: config)
/// try trainer.train(to: 2000, run: run)
/// ```
public final class FlowTrainer {
    /// The flow kinds a run accepts: `realnvp`, `maf` and `iaf` for vector data, `periodic` for
    /// images.
    public static let kinds = ["realnvp", "maf", "iaf", "periodic"]
    /// The dequantization choices for image data: `uniform` and `variational`.
    public static let dequantizations = ["uniform", "variational"]
    /// The default of ``logEvery``.
    public static let defaultLogEvery = 50
    /// Steps between the rows of log.csv (default 50); the last step always gets a row.
    public var logEvery = FlowTrainer.defaultLogEvery

    /// The configuration the trainer was built from: model kind and architecture, hyperparameters,
    /// data and seed.
    public let config: RunConfig
    /// The training data and its held-out part.
    public let data: FlowData
    /// The density model being trained.
    public let model: FlowModel
    /// The dequantizer for image data (uniform or variational, as configured); nil for vector data.
    public let dequantizer: (any Dequantizer)?
    /// Adam over the model's parameters followed by the dequantizer's, at the config's learning
    /// rate `lr` (default 1e-3).
    public let optimizer: Adam
    /// Examples per training step: the config's `batchSize` (default 512).
    public let batchSize: Int
    /// Number of training steps completed; ``restore(from:optimizer:)`` sets it from a checkpoint.
    public private(set) var step = 0
    /// The generator for toy points and dequantization noise (stream 1 of the seed); checkpoints
    /// save its state.
    public private(set) var rng: RandomGenerator
    private var epochCache: (epoch: Int, batches: [[Int]])?

    /// A run config for `latent train flow`; checks every value and names the bad one. Every
    /// default lives here: a nil `model` is `periodic` for image data and `realnvp` otherwise;
    /// the periodic flow defaults to 1500 steps, batch 64, 4 blocks of 32 channels, the vector
    /// flows to 2000 steps, batch 512, 8 layers of 64 hidden units.
    public static func makeConfig(model: String? = nil, data: String, steps: Int? = nil, batchSize: Int? = nil, lr: Double = 1e-3,
                                  seed: UInt64 = 0, layers: Int? = nil, hidden: Int? = nil, dequantization: String = "uniform",
                                  command: String = "latent train flow", dataSet: FlowData? = nil) throws -> RunConfig {
        let d = try dataSet ?? FlowData.load(data)
        let model = model ?? (d.isImages ? "periodic" : "realnvp")
        let image = model == "periodic"
        let steps = steps ?? (image ? 1500 : 2000), batchSize = batchSize ?? (image ? 64 : 512)
        let layers = layers ?? (image ? 4 : 8), hidden = hidden ?? (image ? 32 : 64)
        guard kinds.contains(model) else { throw LatentError("unknown model `\(model)`; valid models: \(kinds.joined(separator: ", "))") }
        guard steps > 0 else { throw LatentError("--steps must be positive, got \(steps)") }
        guard steps <= 100_000_000 else { throw LatentError("--steps \(steps) is absurdly large (limit 100000000)") }
        guard batchSize > 0 else { throw LatentError("--batch-size must be positive, got \(batchSize)") }
        guard batchSize <= 1_000_000 else { throw LatentError("--batch-size \(batchSize) is absurdly large (limit 1000000)") }
        guard lr.isFinite, lr > 0, lr <= 10 else { throw LatentError("--lr must be in (0, 10], got \(lr)") }
        guard layers > 0, layers <= 1000 else { throw LatentError("--layers must be in 1...1000, got \(layers)") }
        guard hidden > 0, hidden <= 65536 else { throw LatentError("--hidden must be in 1...65536, got \(hidden)") }
        guard dequantizations.contains(dequantization) else {
            throw LatentError("unknown --dequantization `\(dequantization)`; valid: \(dequantizations.joined(separator: ", "))")
        }
        var arch: [String: JSONValue] = ["layers": .number(Double(layers)), "hidden": .number(Double(hidden))]
        var spec: RunConfig.DataSpec
        if case .images(_, let train, _) = d {
            guard model == "periodic" else {
                throw LatentError("model `\(model)` takes vector data; for images (`\(data)`) use --model periodic")
            }
            let (h, w) = (train.height, train.width)
            guard h % 2 == 0, w % 2 == 0, h >= 6, w >= 6, train.channels <= 8 else {
                throw LatentError("data set `\(data)` has \(train.channels) x \(h) x \(w) images; the periodic flow needs even H, W >= 6 and at most 8 channels")
            }
            arch["shape"] = .array(train.imageShape.map { .number(Double($0)) })
            arch["dequantizationLayers"] = 4
            arch["dequantizationHidden"] = 16
            spec = ImageBatcher(images: train, batchSize: Swift.min(batchSize, train.count), encoding: .raw8bit, seed: seed).dataSpec
            spec.name = data
            spec.preprocessing["dequantization"] = .string(dequantization)
            spec.preprocessing["modelInput"] = .string("y = (x + u) / 256, u ~ \(dequantization == "uniform" ? "U[0,1)" : "q(u|x)")")
            spec.preprocessing["heldOut"] = .string(data == "fashion-mnist" ? "test split (10000 images)" : "last tenth of the file")
        } else {
            guard model != "periodic" else {
                throw LatentError("model `periodic` is an image flow; data `\(data)` is vector data (use realnvp, maf or iaf, or fashion-mnist / idx:PATH)")
            }
            guard dequantization == "uniform" else { throw LatentError("--dequantization applies to image data only") }
            arch["dimensions"] = .number(Double(d.eventShape[0]))
            spec = .init(name: data, preprocessing: ["scaling": .string("none"),
                                                     "heldOut": .string(d.name.hasPrefix("npy:") ? "last tenth of the file" : "fresh points, stream 1000 of the seed")])
        }
        return RunConfig(command: command, model: .init(kind: model, architecture: arch),
                         hyperparameters: ["lr": .number(lr), "batchSize": .number(Double(batchSize)), "steps": .number(Double(steps))],
                         data: spec, seed: seed)
    }

    /// Builds the model, dequantizer, optimizer and data from `config`, freshly
    /// initialised; pass `data` to skip loading it again.
    public init(config: RunConfig, data: FlowData? = nil) throws {
        self.config = config
        let data = try data ?? FlowData.load(config.data.name)
        self.data = data
        let arch = config.model.architecture
        let layers = arch["layers"]?.int ?? 8, hidden = arch["hidden"]?.int ?? 64
        var init0 = RandomGenerator(seed: config.seed)
        let flow: any Flow
        let shape: [Int]
        switch (config.model.kind, data) {
        case ("periodic", .images(_, let train, _)):
            shape = train.imageShape
            flow = periodicImageFlow(channels: shape[0], height: shape[1], width: shape[2], blocks: layers, hidden: hidden, rng: &init0)
        case ("realnvp", _) where !data.isImages:
            shape = data.eventShape
            flow = realNVP(dimensions: shape[0], layers: layers, hidden: [hidden, hidden], rng: &init0)
        case ("maf", _) where !data.isImages:
            shape = data.eventShape
            flow = FlowSequence((0..<layers).map { i in
                MaskedAutoregressiveFlow(features: shape[0], hidden: [hidden, hidden], order: i % 2 == 0 ? .natural : .reversed, rng: &init0)
            })
        case ("iaf", _) where !data.isImages:
            shape = data.eventShape
            flow = FlowSequence((0..<layers).map { i in
                InverseAutoregressiveFlow(features: shape[0], hidden: [hidden, hidden], order: i % 2 == 0 ? .natural : .reversed, rng: &init0)
            })
        default:
            throw LatentError("model `\(config.model.kind)` cannot train on data `\(data.name)` (realnvp, maf, iaf: vector data; periodic: images)")
        }
        model = FlowModel(flow: flow, eventShape: shape)
        if data.isImages {
            if config.data.preprocessing["dequantization"]?.string == "variational" {
                var init3 = RandomGenerator(seed: config.seed, stream: 3)
                dequantizer = VariationalDequantization(flow: dequantizationFlow(
                    channels: shape[0], height: shape[1], width: shape[2], layers: arch["dequantizationLayers"]?.int ?? 4,
                    hidden: arch["dequantizationHidden"]?.int ?? 16, rng: &init3))
            } else {
                dequantizer = UniformDequantization()
            }
        } else {
            dequantizer = nil
        }
        batchSize = Int(config.number("batchSize", default: 512))
        optimizer = Adam(model.parameters + (dequantizer?.parameters ?? []), learningRate: Float(config.number("lr", default: 1e-3)))
        rng = RandomGenerator(seed: config.seed, stream: 1)
    }

    /// Model parameters under their model names, then q(u|x)'s under "dequantizer.".
    public var namedParameters: [(name: String, parameter: Parameter)] {
        model.namedParameters + prefixed("dequantizer", dequantizer?.namedParameters ?? [])
    }

    /// What a checkpoint holds: the state dictionaries of the model and of q(u|x)
    /// (parameters, buffers, ActNorm flags), the latter under "dequantizer.".
    public var checkpointTensors: [(name: String, parameter: Parameter)] {
        model.namedState + prefixed("dequantizer", dequantizer?.namedState ?? [])
    }

    // MARK: batches

    private func batchIndices(step s: Int, count: Int) -> [Int] {
        let per = Swift.max(1, count / batchSize)
        let epoch = (s - 1) / per, b = (s - 1) % per
        if epochCache?.epoch != epoch {
            // The batcher's order: a permutation per epoch from (seed, epoch) alone.
            let order = EpochOrder.permutation(count: count, epoch: epoch, seed: config.seed)
            let size = Swift.min(batchSize, count)
            epochCache = (epoch, (0..<per).map { Array(order[($0 * size)..<(($0 + 1) * size)]) })
        }
        return epochCache!.batches[b]
    }

    // MARK: training

    /// One step (forward, backward, Adam); returns the logged terms. A term
    /// that is not finite stops before the update, naming the term.
    @discardableResult
    public func trainStepTerms() throws -> [(String, Double)] {
        let next = step + 1
        let loss: Tensor
        var terms: [(String, Double)]
        switch data {
        case .toy(let t):
            loss = model.negativeLogLikelihood(t.sample(batchSize, rng: &rng))
            terms = [("loss", Double(loss.scalar))]
            try Divergence.check(loss.scalar, step: next, term: "negative log-likelihood")
        case .points(_, let train, _):
            loss = model.negativeLogLikelihood(train.gathering(rows: batchIndices(step: next, count: train.shape[0])))
            terms = [("loss", Double(loss.scalar))]
            try Divergence.check(loss.scalar, step: next, term: "negative log-likelihood")
        case .images(_, let train, _):
            var unused = rng
            let x = ImageBatcher(images: train, batchSize: batchSize, encoding: .raw8bit, seed: config.seed)
                .batch(batchIndices(step: next, count: train.count), rng: &unused).x
            let (y, logQ) = dequantizer!.dequantize(x, rng: &rng)
            let nll = -model.logProb(y).mean(), meanLogQ = logQ.mean()
            try Divergence.check(nll.scalar, step: next, term: "negative log-density -log p(y)")
            try Divergence.check(meanLogQ.scalar, step: next, term: "dequantization log q(u|x)")
            loss = nll + meanLogQ
            let d = Double(model.dimensions)
            let nats = Double(loss.scalar) + d * Foundation.log(256.0)
            terms = [("loss", nats), ("bits_per_dim", nats / (d * Foundation.log(2.0))), ("log_q", Double(meanLogQ.scalar))]
        }
        backward(loss, to: optimizer.parameters)
        optimizer.step()
        step = next
        return terms
    }

    /// Columns of this run's log.csv.
    public var logColumns: [String] {
        data.isImages ? ["step", "loss", "bits_per_dim", "log_q", "steps_per_sec"] : ["step", "loss", "steps_per_sec"]
    }

    /// Trains from the current step up to `total` through ``RunDriver`` (log every
    /// `logEvery` steps, checkpoints every `checkpointEvery` steps and at the end, pictures
    /// when it stops). On a signal (``Interruption``) it saves the last completed step and throws
    /// ``Interruption/Stopped``; on a diverging loss it records the failure in state.json, keeps
    /// the last good checkpoint and rethrows. Without `run` nothing is written. `restored` says
    /// the trainer was just loaded from `run`'s checkpoint (log rows after it are dropped).
    public func train(to total: Int, run: RunDirectory? = nil, checkpointEvery: Int = 500, interruption: Interruption? = nil,
                      showProgress: Bool = false, restored: Bool = false) throws {
        let options = RunDriver.Options(checkpointEvery: checkpointEvery, showProgress: showProgress,
                                        interruption: interruption, writes: run != nil)
        try RunDriver.train(self, in: run ?? RunDirectory(path: ""), steps: total, restored: restored, options: options)
    }

    /// Loads a trained flow run (config.json + checkpoint) in one call.
    ///
    /// ```swift
    /// let trainer = try FlowTrainer.open("runs/moons")
    /// let logp = withoutGradients { trainer.model.logProb(x) }
    /// ```
    public static func open(_ directory: String) throws -> FlowTrainer {
        let run = try RunDirectory.open(directory)
        let config = try run.config()
        guard kinds.contains(config.model.kind) else {
            throw LatentError("\(directory) holds a '\(config.model.kind)' run, not a flow (\(kinds.joined(separator: ", ")))")
        }
        let trainer = try FlowTrainer(config: config)
        try trainer.restore(from: run, optimizer: false)
        return trainer
    }

    /// Loads the run's checkpoint: parameters, optimizer state, step, random
    /// state and ActNorm flags. With `optimizer: false` the Adam state is not read (enough for
    /// evaluation and sampling).
    public func restore(from run: RunDirectory, optimizer withOptimizer: Bool = true) throws {
        try restore(run.loadCheckpoint(into: checkpointTensors, optimizer: withOptimizer ? optimizer : nil))
    }

    /// Takes the step and the generator from a loaded checkpoint, and reads the ActNorm flags of a
    /// checkpoint written before they were module state (`TrainingSession`).
    public func restore(_ info: Checkpoint.Info) throws {
        step = info.step
        if let r = info.rng { rng = r }
        if !info.missingModuleState.isEmpty {
            // Checkpoints written before the flags were tensors: a comma list in the
            // metadata, or nothing (then any trained step has initialised every ActNorm).
            let norms = model.actNorms + (dequantizer?.actNorms ?? [])
            if let flags = info.metadata["actnorm_initialized"]?.split(separator: ",", omittingEmptySubsequences: false), flags.count == norms.count {
                for (a, f) in zip(norms, flags) { a.isInitialized = f == "1" }
            } else {
                for a in norms { a.isInitialized = info.step > 0 }
            }
        }
        epochCache = nil
    }

    // MARK: evaluation and sampling

    /// Held-out NLL (toy densities, points) or dequantization bounds (images) over at most
    /// `maxCount` examples (10000 fresh points for a toy density by default); toy points come
    /// from stream 1000 of the seed, uniform noise from stream 1001 and variational noise from
    /// stream 1002, so repeated evaluations agree.
    public func evaluate(maxCount: Int? = nil) -> FlowEvaluation {
        withoutGradients {
            let d = model.dimensions
            switch data {
            case .toy(let t):
                var r = RandomGenerator(seed: config.seed, stream: 1000)
                let n = maxCount ?? 10000
                let nll = mean(of: t.sample(n, rng: &r), chunk: 4096) { -self.model.logProb($0) }
                return FlowEvaluation(count: n, dimensions: d, nats: nll)
            case .points(_, _, let test):
                let n = Swift.min(maxCount ?? test.shape[0], test.shape[0])
                let nll = mean(of: test.slice(axis: 0, 0..<n), chunk: 4096) { -self.model.logProb($0) }
                return FlowEvaluation(count: n, dimensions: d, nats: nll)
            case .images(_, _, let test):
                let n = Swift.min(maxCount ?? test.count, test.count)
                let x = ImageBatcher(images: test, batchSize: 1, encoding: .raw8bit, shuffle: false, seed: 0)
                var unused = RandomGenerator(seed: 0)
                let all = x.batch(Array(0..<n), rng: &unused).x
                var uniformNoise = RandomGenerator(seed: config.seed, stream: 1001)
                let uniform = mean(of: all, chunk: 500) {
                    -dequantizedBound(model: self.model, dequantizer: UniformDequantization(), x: $0, rng: &uniformNoise)
                }
                var variational: Double? = nil
                if let q = dequantizer as? VariationalDequantization {
                    var noise = RandomGenerator(seed: config.seed, stream: 1002)
                    variational = mean(of: all, chunk: 500) { -dequantizedBound(model: self.model, dequantizer: q, x: $0, rng: &noise) }
                }
                return FlowEvaluation(count: n, dimensions: d, nats: uniform, variationalNats: variational)
            }
        }
    }

    private func mean(of x: Tensor, chunk: Int, _ f: (Tensor) -> Tensor) -> Double {
        let n = x.shape[0]
        var total = 0.0
        for start in stride(from: 0, to: n, by: chunk) {
            total += f(x.slice(axis: 0, start..<Swift.min(n, start + chunk))).scalars.reduce(0.0) { $0 + Double($1) }
        }
        return total / Double(Swift.max(n, 1))
    }

    /// `n` samples at temperature `temperature` (z ~ N(0, T^2 I)); image samples
    /// are y in [0, 1] (clamped), the model's continuous pixel values / 256.
    public func sample(_ n: Int, temperature: Float = 1, rng r: inout RandomGenerator) -> Tensor {
        withoutGradients {
            let z = r.normal([n] + model.eventShape) * temperature
            let x = model.flow.inverse(z).output
            return data.isImages ? x.clamped(min: 0, max: 1) : x
        }
    }
}

extension FlowTrainer: TrainingSession {
    /// "train" and the flow kind.
    public var label: String { "train \(config.model.kind)" }
    /// loss (nats), and for images bits_per_dim and log_q.
    public var termNames: [String] { data.isImages ? ["loss", "bits_per_dim", "log_q"] : ["loss"] }
    /// The model's and q(u|x)'s state dictionaries.
    public var checkpointState: [(name: String, parameter: Parameter)] { checkpointTensors }
    /// Adam over the model and q(u|x).
    public var checkpointOptimizer: (any CheckpointableOptimizer)? { optimizer }
    /// The toy-point and dequantization-noise generator.
    public var checkpointRandomState: RandomGenerator? { rng }

    /// One step's values in ``termNames`` order.
    public func trainStep() throws -> [Double] { try trainStepTerms().map(\.1) }

    /// The loss curve when interrupted; everything (density, samples, loss) at the end.
    public func writePictures(run: RunDirectory, step: Int, moment: PictureMoment) throws {
        switch moment {
        case .finished: try writeFlowPictures(self, runDir: run)
        case .interrupted, .failed: try writeLossCurve(run)
        case .periodic: break
        }
    }
}
