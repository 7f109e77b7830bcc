import Foundation

/// One method of the disentanglement study and the hyperparameter it sweeps.
///
/// The published grids (Locatello et al. 2018; listed in docs/DATA.md, "The disentanglement
/// study") are the defaults; `--grid` replaces them method by method.
public struct StudyMethod: Equatable, Sendable {
    /// The `--methods` name (also the VAE objective's name).
    public let name: String
    /// The swept hyperparameter as `--grid` spells it (`beta`, `c-max`, `gamma`, `lambda-od`).
    public let parameter: String
    /// The published values of that hyperparameter.
    public let publishedValues: [Double]

    /// The six methods in the study's order.
    public static let all: [StudyMethod] = [
        StudyMethod(name: "beta-vae", parameter: "beta", publishedValues: [1, 2, 4, 6, 8, 16]),
        StudyMethod(name: "annealed-vae", parameter: "c-max", publishedValues: [5, 10, 25, 50, 75, 100]),
        StudyMethod(name: "factor-vae", parameter: "gamma", publishedValues: [10, 20, 30, 40, 50, 100]),
        StudyMethod(name: "dip-vae-1", parameter: "lambda-od", publishedValues: [1, 2, 5, 10, 20, 50]),
        StudyMethod(name: "dip-vae-2", parameter: "lambda-od", publishedValues: [1, 2, 5, 10, 20, 50]),
        StudyMethod(name: "beta-tcvae", parameter: "beta", publishedValues: [1, 2, 4, 6, 8, 10]),
    ]

    /// The method of ``StudyMethod/all`` called `name`; throws listing the valid names otherwise.
    public static func named(_ name: String) throws -> StudyMethod {
        guard let m = all.first(where: { $0.name == name }) else {
            throw LatentError("unknown method '\(name)'; study methods: \(all.map(\.name).joined(separator: ", "))")
        }
        return m
    }

    /// The objective of one model: AnnealedVAE keeps gamma = 1000 and reaches c_max after
    /// `annealingSteps`; DIP-VAE-I uses lambda_d = 10 lambda_od, DIP-VAE-II lambda_d = lambda_od.
    public func objective(_ value: Double, annealingSteps: Int) -> VAEObjective {
        let v = Float(value)
        let objective: VAEObjective?
        switch name {
        case "beta-vae", "beta-tcvae": objective = try? VAEObjective(name: name, beta: v)
        case "annealed-vae": objective = try? VAEObjective(name: name, cMax: v, iterationThreshold: annealingSteps)
        case "factor-vae": objective = try? VAEObjective(name: name, gamma: v)
        case "dip-vae-1", "dip-vae-2": objective = try? VAEObjective(name: name, lambdaOffDiagonal: v)
        default: objective = nil
        }
        guard let objective else { checkFailure("StudyMethod.objective: \(name) is not a study method") }
        return objective
    }
}

/// The sweep: methods in order, each with its hyperparameter values in order.
///
/// Syntax of `--grid`: entries separated by `;`, each `METHOD:PARAM=V1,V2,...`, for example
/// `beta-vae:beta=1,2,4;dip-vae-1:lambda-od=1,2`. A method named in `methods` but not in the
/// grid keeps its published values; a grid entry for a method outside `methods` is an error.
public struct StudyGrid: Equatable, Sendable {
    /// One method's sweep: the method, its hyperparameter and that hyperparameter's values.
    public struct Entry: Equatable, Sendable, Codable {
        /// The method's `--methods` name, e.g. `beta-vae`.
        public var method: String
        /// The swept hyperparameter as `--grid` spells it, e.g. `beta`.
        public var parameter: String
        /// The hyperparameter's values in the study's order (distinct, finite, non-negative).
        public var values: [Double]
    }
    /// One entry per method, in the study's order.
    public var entries: [Entry]

    /// The published grid of every method in `methods`.
    public static func published(methods: [String]) throws -> StudyGrid {
        try parse(nil, methods: methods)
    }

    /// Parses `--grid` for `methods` (the order of `methods` is the study's order).
    ///
    /// ```swift
    /// let g = try StudyGrid.parse("beta-vae:beta=1,2", methods: ["beta-vae", "dip-vae-1"])
    /// // beta-vae: beta 1, 2; dip-vae-1: lambda-od 1, 2, 5, 10, 20, 50
    /// ```
    /// `defaultSubset` (positions in the published grids) thins the defaults of methods the
    /// grid does not name; the small preset uses it.
    public static func parse(_ text: String?, methods: [String], defaultSubset: [Int]? = nil) throws -> StudyGrid {
        guard !methods.isEmpty else { throw LatentError("--methods: no method given") }
        var seen = Set<String>()
        let chosen = try methods.map { name -> StudyMethod in
            guard seen.insert(name).inserted else { throw LatentError("--methods: '\(name)' is listed twice") }
            return try StudyMethod.named(name)
        }
        var overrides: [String: [Double]] = [:]
        for raw in (text ?? "").split(separator: ";", omittingEmptySubsequences: true) {
            let item = raw.trimmingCharacters(in: .whitespaces)
            if item.isEmpty { continue }
            guard let colon = item.firstIndex(of: ":"), let eq = item.firstIndex(of: "="), colon < eq else {
                throw LatentError("--grid: '\(item)' is not METHOD:PARAM=V1,V2,... (e.g. beta-vae:beta=1,2,4;dip-vae-1:lambda-od=1,2)")
            }
            let name = item[..<colon].trimmingCharacters(in: .whitespaces)
            let param = item[item.index(after: colon)..<eq].trimmingCharacters(in: .whitespaces)
            let method = try StudyMethod.named(name)
            guard methods.contains(name) else {
                throw LatentError("--grid: method '\(name)' is not in --methods (\(methods.joined(separator: ",")))")
            }
            guard param == method.parameter else {
                throw LatentError("--grid: \(name) sweeps '\(method.parameter)', not '\(param)'")
            }
            guard overrides[name] == nil else { throw LatentError("--grid: method '\(name)' appears twice") }
            let list = item[item.index(after: eq)...].split(separator: ",", omittingEmptySubsequences: false)
            var values: [Double] = []
            for v in list {
                let s = v.trimmingCharacters(in: .whitespaces)
                guard let x = Double(s), x.isFinite, x >= 0 else {
                    throw LatentError("--grid: \(name) \(param): '\(s)' is not a finite non-negative number")
                }
                guard !values.contains(x) else { throw LatentError("--grid: \(name) \(param): value \(s) is listed twice") }
                values.append(x)
            }
            overrides[name] = values
        }
        func defaults(_ m: StudyMethod) -> [Double] {
            guard let defaultSubset else { return m.publishedValues }
            return defaultSubset.filter { m.publishedValues.indices.contains($0) }.map { m.publishedValues[$0] }
        }
        return StudyGrid(entries: chosen.map { Entry(method: $0.name, parameter: $0.parameter, values: overrides[$0.name] ?? defaults($0)) })
    }

    /// `--grid` text that reproduces this grid.
    public var description: String {
        entries.map { "\($0.method):\($0.parameter)=" + $0.values.map(StudyModel.format).joined(separator: ",") }.joined(separator: ";")
    }
}

/// Settings that change results, recorded in OUT/study.json.
public struct StudyPreset: Codable, Equatable, Sendable {
    /// "small", "full", or either with "+overrides" when --steps or --seeds changed it.
    public var name: String
    /// What the run is (and is not), printed with every result.
    public var label: String
    /// Training steps per model.
    public var steps: Int
    /// Examples per training batch.
    public var batchSize: Int
    /// The learning rate of each model's Adam optimizer.
    public var learningRate: Double
    /// Steps over which AnnealedVAE's capacity reaches c_max.
    public var annealingSteps: Int
    /// Latent dimensions of every model.
    public var latent: Int
    /// "conv64" (Latent's version of the published encoder/decoder for 64x64 inputs: 4x4 kernels in
    /// all four encoder convolutions where disentanglement_lib's last two are 2x2, see docs/DATA.md)
    /// or "mlp".
    public var network: String
    /// Encoder hidden widths of the MLP network (the decoder mirrors them); unused by conv64.
    public var mlpHidden: [Int]
    /// Hidden widths of the FactorVAE discriminator.
    public var discriminatorHidden: [Int]
    /// Models trained per (method, hyperparameter value), each with its own seed.
    public var seeds: Int
    /// Positions in each published grid used when `--grid` does not name the method (nil: all six values).
    public var gridSubset: [Int]?
    /// Steps between checkpoints of each model's run (how much a killed model loses).
    public var checkpointEvery: Int
    /// Points sampled to fit MIG, DCI, SAP and modularity (their train split).
    public var metricTrainPoints: Int
    /// Held-out points sampled for those metrics (their test split).
    public var metricTestPoints: Int
    /// Histogram bins used to discretise the codes for MIG and modularity.
    public var bins: Int
    /// Observations per vote of the BetaVAE and FactorVAE scores.
    public var scoreBatch: Int
    /// Votes that train the BetaVAE and FactorVAE scores' classifiers.
    public var scoreTrainVotes: Int
    /// Fresh votes the reported (evaluation) accuracies are measured on.
    public var scoreEvalVotes: Int
    /// Observations used to estimate each code dimension's variance for the FactorVAE score.
    public var factorVarianceSamples: Int

    /// The published settings (Locatello et al. 2018; docs/DATA.md): 300k steps, batch 64, Adam 1e-4,
    /// the conv64 pair (whose encoder differs from the published one, see ``StudyPreset/network``)
    /// with 10 latents, capacity annealed over 100k steps, FactorVAE discriminator 6 x 1000,
    /// 50 seeds; metrics on 10,000 / 5,000 points, scores with batch 64, 10,000 / 5,000 votes.
    public static let full = StudyPreset(
        name: "full", label: "published settings (Locatello et al. 2018)", steps: 300_000, batchSize: 64, learningRate: 1e-4,
        annealingSteps: 100_000, latent: 10, network: "conv64", mlpHidden: [512, 256], discriminatorHidden: Array(repeating: 1000, count: 6),
        seeds: 50, gridSubset: nil, checkpointEvery: 1000, metricTrainPoints: 10_000, metricTestPoints: 5_000, bins: 20,
        scoreBatch: 64, scoreTrainVotes: 10_000, scoreEvalVotes: 5_000, factorVarianceSamples: 10_000)

    /// A small-scale run of the same design that finishes on 2 cores in under 30 minutes on
    /// noisy-dsprites (measured; see the README): same encoder/decoder, latents and image size;
    /// 200 steps at lr 1e-3 (at 1e-4 a few hundred steps leave most models with a collapsed
    /// posterior), capacity annealed over the first third, FactorVAE discriminator 2 x 256;
    /// three values per published grid (lowest, third, highest) x 2 seeds = 36 models; metrics
    /// on 1,000 / 500 points, scores from 100 / 50 votes of batch 16. Not a reproduction.
    public static let small = StudyPreset(
        name: "small", label: "SMALL-SCALE RUN, NOT A REPRODUCTION", steps: 200, batchSize: 64, learningRate: 1e-3,
        annealingSteps: 67, latent: 10, network: "conv64", mlpHidden: [512, 256], discriminatorHidden: [256, 256],
        seeds: 2, gridSubset: [0, 2, 5], checkpointEvery: 50, metricTrainPoints: 1000, metricTestPoints: 500, bins: 20,
        scoreBatch: 16, scoreTrainVotes: 100, scoreEvalVotes: 50, factorVarianceSamples: 500)

    /// The preset ``StudyPreset/small`` or ``StudyPreset/full`` by name; throws for any other name.
    public static func named(_ name: String) throws -> StudyPreset {
        switch name {
        case "small": return small
        case "full": return full
        default: throw LatentError("--preset must be small or full, not '\(name)'")
        }
    }

    /// The preset with --steps / --seeds applied (annealing steps scaled with the steps); a
    /// changed preset's name gains "+overrides", and a changed full preset's label lists the
    /// changes.
    public func overriding(steps: Int?, seeds: Int?) -> StudyPreset {
        var p = self
        if let steps, steps != p.steps {
            // Keep the published ratio of annealing to training steps (100k of 300k) when steps change.
            p.annealingSteps = Swift.max(1, Int((Double(p.annealingSteps) * Double(steps) / Double(p.steps)).rounded()))
            p.steps = steps
        }
        if let seeds { p.seeds = seeds }
        if p != self {
            p.name += "+overrides"
            if name == "full" { p.label = "published settings except: " + [steps.map { "steps \($0)" }, seeds.map { "seeds \($0)" }].compactMap { $0 }.joined(separator: ", ") }
        }
        return p
    }
}

/// One model of the study.
public struct StudyModel: Equatable, Sendable, Codable {
    /// Position in the study's fixed order (method, then hyperparameter, then seed).
    public var index: Int
    /// The method's `--methods` name, e.g. `beta-vae`.
    public var method: String
    /// The swept hyperparameter as `--grid` spells it, e.g. `beta`.
    public var parameter: String
    /// This model's value of that hyperparameter.
    public var value: Double
    /// Which of the plan's seeds this model is, 0..<seeds.
    public var seedIndex: Int
    /// The model's training seed: ``StudyPlan/modelSeed(studySeed:index:)``.
    public var seed: UInt64

    /// `NNNN-method-paramVALUE-seedS`, e.g. `0007-beta-vae-beta2-seed1` (S is the seed index).
    public var directoryName: String {
        String(format: "%04d", index) + "-\(method)-\(parameter)\(Self.format(value))-seed\(seedIndex)"
    }

    /// Shortest decimal form of a grid value (1, 2.5, 0.001).
    public static func format(_ v: Double) -> String {
        v == v.rounded() && Swift.abs(v) < 1e15 ? String(Int(v)) : String(v)
    }
}

/// The whole study: what to train and how. Plans compare equal when they describe the same
/// models with the same settings; sharding and --jobs are not part of a plan.
public struct StudyPlan: Codable, Equatable, Sendable {
    /// The ground-truth data set's registry name, e.g. `noisy-dsprites`.
    public var data: String
    /// [C, H, W] of the data set's observations (the models' input).
    public var imageShape: [Int]
    /// The sweep, one entry per method in the study's order.
    public var grid: [StudyGrid.Entry]
    /// The seed every model's seed is derived from (``StudyPlan/modelSeed(studySeed:index:)``).
    public var studySeed: UInt64
    /// The training and scoring settings.
    public var preset: StudyPreset

    /// A plan over `grid`'s entries; ``Study/plan(data:methods:grid:preset:seed:)`` builds one
    /// from the data set's name and checks the preset.
    public init(data: String, imageShape: [Int], grid: StudyGrid, studySeed: UInt64, preset: StudyPreset) {
        self.data = data
        self.imageShape = imageShape
        self.grid = grid.entries
        self.studySeed = studySeed
        self.preset = preset
    }

    /// Seed of model `index`: the top 32 bits of SplitMix64's output function applied to
    /// `studySeed + 0x9E3779B97F4A7C15 * (index + 1)` (all arithmetic mod 2^64), i.e.
    ///
    ///     z = studySeed + 0x9E3779B97F4A7C15 * (index + 1)
    ///     z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
    ///     z = (z ^ (z >> 27)) * 0x94D049BB133111EB
    ///     seed = (z ^ (z >> 31)) >> 32
    ///
    /// Distinct for distinct indices in practice, independent of --jobs and sharding, and small
    /// enough to retype (`latent train vae --seed ...`).
    public static func modelSeed(studySeed: UInt64, index: Int) -> UInt64 {
        var z = studySeed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(index + 1)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return (z ^ (z >> 31)) >> 32
    }

    /// Every model in the fixed order: method (as in the grid), hyperparameter value (as
    /// listed), seed index 0..<seeds.
    public var models: [StudyModel] {
        var out: [StudyModel] = []
        for e in grid {
            for v in e.values {
                for s in 0..<preset.seeds {
                    let i = out.count
                    out.append(StudyModel(index: i, method: e.method, parameter: e.parameter, value: v, seedIndex: s,
                                          seed: Self.modelSeed(studySeed: studySeed, index: i)))
                }
            }
        }
        return out
    }

    /// The architecture every model of the study uses: the conv64 pair when the preset asks
    /// for it and images are 64x64, else the MLP with the preset's widths.
    public var spec: VAESpec {
        let is64 = imageShape.count == 3 && imageShape[1] == 64 && imageShape[2] == 64
        let network: VAESpec.Network = preset.network == "conv64" && is64 ? .conv64 : .mlp
        return VAESpec(inputShape: imageShape, latent: preset.latent, network: network, hidden: preset.mlpHidden,
                       discriminatorHidden: preset.discriminatorHidden)
    }
}

/// `--shard I/N`: this process trains the models whose index is I mod N (0-based I), i.e.
/// models are dealt round-robin in the study's order.
public struct StudyShard: Equatable, Sendable, Codable {
    /// This shard's number, 0..<count.
    public var index: Int
    /// How many shards the study is dealt into.
    public var count: Int

    /// The single shard `0/1`, which holds every model.
    public static let whole = StudyShard(index: 0, count: 1)

    /// Shard `index` of `count`, unchecked (``StudyShard/init(parsing:)`` validates).
    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses `I/N` (0-based I, e.g. `0/2`); throws unless N >= 1 and 0 <= I < N.
    public init(parsing s: String) throws {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw LatentError("--shard must be I/N (0-based I, e.g. 0/2), not '\(s)'")
        }
        guard n >= 1, i >= 0, i < n else { throw LatentError("--shard \(s): need N >= 1 and 0 <= I < N") }
        self.init(index: i, count: n)
    }

    /// Whether this shard trains `model`: its index mod `count` equals `index`.
    public func contains(_ model: StudyModel) -> Bool { model.index % count == index }

    /// The shard as `--shard` text, `I/N`.
    public var description: String { "\(index)/\(count)" }
}
