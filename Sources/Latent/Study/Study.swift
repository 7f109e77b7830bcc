import Foundation

/// The metric-agreement study on disk: trains every model of a ``StudyPlan`` into its own run
/// directory, scores it, and writes the agreement table and plots.
///
///     OUT/study.json                       the plan (data, grid, seeds, preset with steps, image size, metric sizes)
///     OUT/models/NNNN-method-pV-seedS/     a VAE run directory (config.json, checkpoint, log.csv, images/)
///         scores.json                      the model's StudyRow; timing.json its train / score seconds
///     OUT/agreement.txt, agreement.png     Spearman matrix in percent + variance shares; the heat map
///     OUT/scores.csv, results.json         every model's scores; the statistics as JSON
///     OUT/spread-METRIC.png                box plot of each metric by method
///
/// Resumable: a model whose state.json says finished (at the planned step) is not trained again,
/// and one with a checkpoint but no finished state continues from it. The tables depend only on
/// the rows (``StudyResults``), so they do not depend on `jobs`, sharding or interruptions.
///
/// ```swift
/// let plan = try Study.plan(data: "shapes-tiny", methods: ["beta-vae"], grid: "beta-vae:beta=1,4", preset: .small, seed: 0)
/// let results = try Study.run(plan: plan, out: "runs/study", options: .init(jobs: 2))
/// print(results.agreementText)
/// ```
public enum Study: Sendable {
    /// How one invocation runs its share of a study (not part of the plan).
    public struct Options: Sendable {
        /// Models trained at once; OpenBLAS threads per model = max(1, cores / jobs) unless
        /// `threadsPerModel` is set.
        public var jobs: Int
        /// OpenBLAS threads per model. OpenBLAS can round differently with a different thread
        /// count (seen with its AVX-512 kernels and with small matrices), and training amplifies
        /// the last bits, so bitwise-equal tables across different `jobs` need the same value here.
        public var threadsPerModel: Int?
        /// Which of the plan's models this invocation trains (``StudyShard/whole`` for all).
        public var shard: StudyShard
        /// Train at most this many models that still need training, then write the (partial) tables.
        public var maxModels: Int?
        /// The command line, recorded in each model's config.json.
        public var command: String
        /// Progress lines (default: standard error).
        public var log: @Sendable (String) -> Void

        /// Options for one invocation; by default one job, threads from the core count, the whole
        /// study, no limit on models, and progress lines on standard error.
        public init(jobs: Int = 1, threadsPerModel: Int? = nil, shard: StudyShard = .whole, maxModels: Int? = nil, command: String = "latent study",
                    log: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
            self.jobs = jobs
            self.threadsPerModel = threadsPerModel
            self.shard = shard
            self.maxModels = maxModels
            self.command = command
            self.log = log
        }
    }

    /// The contents of OUT/study.json: the plan, and which shard last ran in the directory.
    public struct File: Codable, Equatable, Sendable {
        /// Version of the study file's schema (1).
        public var formatVersion = 1
        /// Always `latent-study`, marking the file as a study's.
        public var kind = "latent-study"
        /// The study's plan; every later invocation on the same OUT must use an equal one.
        public var plan: StudyPlan
        /// The shard the last invocation ran ("0/1" for a whole study), or "merged from DIR, ..."
        /// in a directory that ``Study/merge(_:out:)`` created.
        public var shard: String
        /// The preset's ``StudyPreset/label``, for a person reading the file.
        public var note: String
    }

    /// A plan for the ground-truth data set `data`; `grid` in `--grid` syntax (nil: published
    /// grids). Methods the grid does not name keep the published values at the preset's
    /// ``StudyPreset/gridSubset`` positions. Throws for an unknown data set, method or grid
    /// entry, non-positive steps or seeds, or a batch size below 2.
    public static func plan(data: String, methods: [String] = StudyMethod.all.map(\.name), grid: String? = nil,
                            preset: StudyPreset, seed: UInt64 = 0) throws -> StudyPlan {
        let dataset = try DatasetRegistry.groundTruthDataset(named: data)
        guard preset.steps > 0, preset.seeds > 0, preset.batchSize > 1 else {
            throw LatentError("study: steps and seeds must be positive, batch size at least 2")
        }
        return StudyPlan(data: data, imageShape: dataset.observationShape, grid: try StudyGrid.parse(grid, methods: methods, defaultSubset: preset.gridSubset),
                         studySeed: seed, preset: preset)
    }

    /// The run config of one model (the objective's hyperparameters, the plan's architecture and settings).
    public static func modelConfig(plan: StudyPlan, model: StudyModel, data: VAEData, command: String = "latent study") throws -> RunConfig {
        let method = try StudyMethod.named(model.method)
        let p = plan.preset
        return VAERun.config(objective: method.objective(model.value, annealingSteps: p.annealingSteps), spec: plan.spec, data: data,
                             steps: p.steps, batchSize: p.batchSize, learningRate: p.learningRate, seed: model.seed,
                             command: command + " (model \(model.directoryName))", checkpointEvery: p.checkpointEvery)
    }

    static func modelsDirectory(_ out: String) -> String { out + "/models" }
    static func modelDirectory(_ out: String, _ m: StudyModel) -> String { modelsDirectory(out) + "/" + m.directoryName }
    static func planPath(_ out: String) -> String { out + "/study.json" }

    /// Reads OUT/study.json; throws when it is missing (not a study directory) or invalid.
    public static func readFile(_ out: String) throws -> File {
        guard let d = FileManager.default.contents(atPath: planPath(out)) else { throw LatentError.file(out, "not a study directory: study.json is missing") }
        do { return try StudyRow.decoder().decode(File.self, from: d) } catch {
            throw LatentError.file(planPath(out), "not a valid study file: \(error)")
        }
    }

    /// Writes OUT/study.json, or checks that the one there describes the same plan.
    static func claim(_ out: String, plan: StudyPlan, shard: StudyShard) throws {
        if FileManager.default.fileExists(atPath: planPath(out)) {
            let existing = try readFile(out)
            guard existing.plan == plan else {
                throw LatentError.file(out, "holds a different study (see its study.json: data, grid, seeds, seed or preset differ); choose another --out")
            }
        }
        try FileManager.default.createDirectory(atPath: modelsDirectory(out), withIntermediateDirectories: true)
        let file = File(plan: plan, shard: shard.description, note: plan.preset.label)
        try AtomicFile.write(StudyRow.encoder().encode(file), to: planPath(out))
    }

    /// Runs this invocation's share of the study into `out` and writes the tables of every model
    /// present there. Throws the first training error, after writing the tables of the models
    /// that did finish.
    @discardableResult
    public static func run(plan: StudyPlan, out: String, options: Options = Options()) throws -> StudyResults {
        guard options.jobs >= 1 else { throw LatentError("--jobs must be at least 1") }
        try claim(out, plan: plan, shard: options.shard)
        let mine = plan.models.filter { options.shard.contains($0) }
        var rows: [Int: StudyRow] = [:]
        var todo: [StudyModel] = []
        for m in mine {
            if let r = try finishedRow(plan: plan, model: m, out: out) { rows[m.index] = r } else { todo.append(m) }
        }
        let alreadyDone = rows.count
        if let limit = options.maxModels { todo = Array(todo.prefix(Swift.max(0, limit))) }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let threads = options.threadsPerModel ?? Swift.max(1, cores / options.jobs)
        guard threads >= 1 else { throw LatentError("--threads-per-model must be at least 1") }
        let threadsBefore = RuntimeInfo.threads
        RuntimeInfo.setThreads(threads)
        defer { RuntimeInfo.setThreads(threadsBefore) }
        options.log("study: \(plan.models.count) models in the plan, \(mine.count) in shard \(options.shard.description), "
                    + "\(alreadyDone) already done, \(todo.count) to train now "
                    + "(\(options.jobs) job(s) x \(threads) OpenBLAS thread(s)); \(plan.preset.label)")

        let queue = WorkQueue(todo)
        let clock: @Sendable () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        let t0 = clock()
        let log = options.log, command = options.command, total = todo.count
        let work: @Sendable () -> Void = {
            while let m = queue.take() {
                do {
                    let (row, seconds) = try trainAndScore(plan: plan, model: m, out: out, command: command)
                    let status = row.failure.map { "FAILED: \($0)" }
                        ?? StudyMetrics.keys.map { k in "\(k) " + String(format: "%.3f", row.scores[k] ?? .nan) }.joined(separator: " ")
                    queue.finish(row) { done in
                        log(String(format: "study: [%d/%d] %@ trained %.1f s, scored %.1f s, %.0f s elapsed: ", done, total,
                                   m.directoryName, seconds.train, seconds.score, clock() - t0) + status)
                    }
                } catch {
                    queue.fail(error)
                }
            }
        }
        if options.jobs == 1 || todo.count <= 1 {
            work()
        } else {
            let group = DispatchGroup()
            for _ in 0..<Swift.min(options.jobs, todo.count) {
                group.enter()
                let t = Thread { work(); group.leave() }
                t.stackSize = 64 << 20
                t.start()
            }
            group.wait()
        }
        for (i, r) in queue.rows { rows[i] = r }
        // Rows of other shards already in OUT (a directory that ran several shards) count too.
        for r in try readRows(out: out, plan: plan) where rows[r.model.index] == nil { rows[r.model.index] = r }
        let results = try StudyResults(plan: plan, rows: Array(rows.values))
        try results.write(to: out)
        if let error = queue.firstError { throw error }
        return results
    }

    /// Combines study directories (shards, or partial runs) into one set of tables in `out`.
    /// Every directory must hold the same plan; `out` may be one of them.
    @discardableResult
    public static func merge(_ dirs: [String], out: String) throws -> StudyResults {
        guard let first = dirs.first else { throw LatentError("--merge: give at least one study directory") }
        let plan = try readFile(first).plan
        var rows: [StudyRow] = []
        for d in dirs {
            let f = try readFile(d)
            guard f.plan == plan else { throw LatentError.file(d, "holds a different study than \(first) (data, grid, seeds, seed or preset differ)") }
            rows += try readRows(out: d, plan: plan)
        }
        var unique: [Int: StudyRow] = [:]
        for r in rows {
            if let old = unique[r.model.index], old != r {
                throw LatentError("--merge: model \(r.model.directoryName) has different scores in two directories")
            }
            unique[r.model.index] = r
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: planPath(out)) {
            let file = File(plan: plan, shard: "merged from " + dirs.joined(separator: ", "), note: plan.preset.label)
            try AtomicFile.write(StudyRow.encoder().encode(file), to: planPath(out))
        } else {
            guard try readFile(out).plan == plan else { throw LatentError.file(out, "holds a different study; choose another --out") }
        }
        let results = try StudyResults(plan: plan, rows: Array(unique.values))
        try results.write(to: out)
        return results
    }

    /// The rows under OUT/models that count as done, in the plan's order: each model's
    /// scores.json if it was trained to the planned step, or if it records a failure.
    public static func readRows(out: String, plan: StudyPlan) throws -> [StudyRow] {
        try plan.models.compactMap { try finishedRow(plan: plan, model: $0, out: out) }
    }

    /// The model's row if it was trained and scored to the planned step, else nil.
    static func finishedRow(plan: StudyPlan, model: StudyModel, out: String) throws -> StudyRow? {
        let dir = modelDirectory(out, model)
        guard let d = FileManager.default.contents(atPath: dir + "/scores.json") else { return nil }
        let row: StudyRow
        do { row = try StudyRow.decoder().decode(StudyRow.self, from: d) } catch {
            return nil  // a torn or foreign file: score again
        }
        guard row.model == model else {
            throw LatentError.file(dir, "scores.json belongs to a different model (\(row.model.directoryName)); the directory does not match this study")
        }
        if row.failure != nil { return row }
        guard let state = try RunDirectory(path: dir).state(), state.finished, state.step == plan.preset.steps else { return nil }
        return row
    }

    /// Trains (or resumes) one model and scores its mean representation; a model that diverges
    /// gets a row with its failure instead of an error.
    public static func trainAndScore(plan: StudyPlan, model: StudyModel, out: String,
                                     command: String = "latent study") throws -> (row: StudyRow, seconds: (train: Double, score: Double)) {
        let dir = modelDirectory(out, model)
        let clock = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        let t0 = clock()
        let data = try VAEData(name: plan.data, batchSize: plan.preset.batchSize, seed: model.seed)
        let config = try modelConfig(plan: plan, model: model, data: data, command: command)
        let run = RunDirectory(path: dir)
        var state: RunState? = nil
        if FileManager.default.fileExists(atPath: run.configPath) {
            let stored = try run.config()
            guard stored.model == config.model, stored.hyperparameters == config.hyperparameters,
                  stored.data.name == config.data.name, stored.seed == config.seed else {
                throw LatentError.file(dir, "holds a run with a different model, hyperparameters, data or seed than this study plans")
            }
            state = try run.state()
        }
        func failed(_ message: String) throws -> (StudyRow, (Double, Double)) {
            let row = StudyRow(model: model, scores: [:], failure: message)
            try AtomicFile.write(StudyRow.encoder().encode(row), to: dir + "/scores.json")
            return (row, (clock() - t0, 0))
        }
        if let failure = state?.failure { return try failed("training failed: \(failure)") }
        if !(state?.finished == true && state?.step == plan.preset.steps) {
            do {
                // Resumes from the checkpoint when there is one (RunDriver drops log rows written after it).
                try VAERun.train(config: config, data: data, directory: dir, resume: true, showProgress: false)
            } catch {
                if let failure = try? run.state()?.failure { return try failed("training failed: \(failure)") }
                throw error
            }
        }
        let t1 = clock()
        let (_, _, vae, _) = try VAERun.open(dir)
        let dataset = try DatasetRegistry.groundTruthDataset(named: plan.data)
        let row: StudyRow
        do {
            row = StudyRow(model: model, scores: try scores(model: vae, dataset: dataset, preset: plan.preset, seed: model.seed))
        } catch {
            return try failed("metrics: \(error)")
        }
        let t2 = clock()
        try AtomicFile.write(StudyRow.encoder().encode(row), to: dir + "/scores.json")
        let timing = "{\"trainSeconds\": \(t1 - t0), \"scoreSeconds\": \(t2 - t1), \"threads\": \(RuntimeInfo.threads)}\n"
        try AtomicFile.write(Data(timing.utf8), to: dir + "/timing.json")
        return (row, (t1 - t0, t2 - t1))
    }

    /// The six metrics (and by-products) of a model's mean representation, with the preset's
    /// sample sizes. Randomness: `RandomGenerator(seed: seed, stream: 0x5354_5544)`, used in this
    /// order: MIG/DCI/SAP/modularity train points, their test points, the BetaVAE score, the
    /// FactorVAE score. The study passes each model's own seed.
    public static func scores(model: VAE, dataset: any GroundTruthDataset, preset p: StudyPreset, seed: UInt64) throws -> [String: Double] {
        model.setTraining(false)
        var rng = RandomGenerator(seed: seed, stream: 0x5354_5544)
        let represent: (Tensor) -> Tensor = { model.encodeMeans($0) }
        func split(_ n: Int) -> (Tensor, Tensor) {
            let f = dataset.sampleFactors(n, rng: &rng)
            let x = dataset.observations(fromFactors: f, rng: &rng)
            return (represent(x), Tensor(shape: [n, dataset.numberOfFactors], scalars: f.flatMap { $0.map(Float.init) }))
        }
        let (trainCodes, trainFactors) = split(p.metricTrainPoints)
        let (testCodes, testFactors) = split(p.metricTestPoints)
        let d = try DisentanglementScores(trainCodes: trainCodes, trainFactors: trainFactors, testCodes: testCodes,
                                          testFactors: testFactors, bins: p.bins)
        let beta = betaVAEScore(dataset: dataset, representation: represent, rng: &rng, batchSize: p.scoreBatch,
                                trainSize: p.scoreTrainVotes, evalSize: p.scoreEvalVotes)
        let factor = factorVAEScore(dataset: dataset, representation: represent, rng: &rng, batchSize: p.scoreBatch,
                                    trainSize: p.scoreTrainVotes, evalSize: p.scoreEvalVotes, varianceSampleSize: p.factorVarianceSamples)
        var out: [String: Double] = [:]
        for (k, v) in d.dictionary { out[k] = v }
        out["beta_vae"] = beta.evalAccuracy
        out["beta_vae_train"] = beta.trainAccuracy
        out["factor_vae"] = factor.evalAccuracy
        out["factor_vae_train"] = factor.trainAccuracy
        out["factor_vae_active_dimensions"] = Double(factor.activeDimensions)
        return out
    }
}

/// The models one invocation still has to train, handed out to worker threads in order.
final class WorkQueue: @unchecked Sendable {
    private let lock = NSLock()
    private let todo: [StudyModel]
    private var next = 0, done = 0
    private(set) var rows: [Int: StudyRow] = [:]
    private(set) var firstError: Error?

    init(_ todo: [StudyModel]) { self.todo = todo }

    /// The next model, or nil when all are handed out or a worker failed.
    func take() -> StudyModel? {
        lock.lock(); defer { lock.unlock() }
        guard firstError == nil, next < todo.count else { return nil }
        next += 1
        return todo[next - 1]
    }

    /// Records a row; `report` runs under the lock with the number of models done.
    func finish(_ row: StudyRow, report: (Int) -> Void) {
        lock.lock(); defer { lock.unlock() }
        rows[row.model.index] = row
        done += 1
        report(done)
    }

    func fail(_ error: Error) {
        lock.lock(); defer { lock.unlock() }
        if firstError == nil { firstError = error }
    }
}
