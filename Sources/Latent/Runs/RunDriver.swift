import Foundation

/// The one lifecycle of a training run, for every model family: create or open
/// the run directory, refuse an incompatible resume by one rule, drop log rows
/// written after the last checkpoint, log, checkpoint atomically from finite
/// parameters only, stop cleanly on a signal, stop on divergence or a
/// family's problem naming it, keep state.json current, and call the family's
/// picture writer.
///
/// ```swift
/// let session = try VAESession(config: config, data: data)
/// let run = try RunDriver.train(session, config: config, directory: "runs/beta", options: .init(resume: true))
/// ```
public enum RunDriver {
    /// How a run is driven.
    public struct Options: Sendable {
        /// Continue the run in the directory from its checkpoint when there is one.
        public var resume = false
        /// Replace an existing run directory (a fresh start).
        public var overwrite = false
        /// Checkpoint every this many steps (and at the last one).
        public var checkpointEvery = 1000
        /// Show a progress bar on standard error.
        public var showProgress = true
        /// Signals that stop the run after the current step, with a checkpoint.
        public var interruption: Interruption? = nil
        /// Whether this process writes the directory (false on the non-root ranks of a
        /// data-parallel run, which read the checkpoint to resume but write nothing).
        public var writes = true

        /// Options with the given values; the defaults are a fresh run, checkpoints every 1000
        /// steps, a progress bar, no signal handling, and a writing process.
        public init(resume: Bool = false, overwrite: Bool = false, checkpointEvery: Int = 1000, showProgress: Bool = true,
                    interruption: Interruption? = nil, writes: Bool = true) {
            self.resume = resume
            self.overwrite = overwrite
            self.checkpointEvery = checkpointEvery
            self.showProgress = showProgress
            self.interruption = interruption
            self.writes = writes
        }
    }

    /// The resume rule, the same for every family: the stored run and the new
    /// config agree on the model, the data, the seed and every hyperparameter
    /// except `steps` (the command line may differ). Throws naming what differs.
    public static func checkResumable(stored: RunConfig, new: RunConfig, directory: String) throws {
        var differs: [String] = []
        if stored.model.kind != new.model.kind { differs.append("model (\(stored.model.kind) vs \(new.model.kind))") }
        if stored.model.architecture != new.model.architecture { differs.append("architecture") }
        if stored.data != new.data { differs.append("data (\(stored.data.name) vs \(new.data.name))") }
        if stored.seed != new.seed { differs.append("seed (\(stored.seed) vs \(new.seed))") }
        let keys = Set(stored.hyperparameters.keys).union(new.hyperparameters.keys).subtracting(["steps"]).sorted()
        for k in keys where stored.hyperparameters[k] != new.hyperparameters[k] {
            differs.append("\(k) (\(stored.hyperparameters[k].map { "\($0)" } ?? "unset") vs \(new.hyperparameters[k].map { "\($0)" } ?? "unset"))")
        }
        guard differs.isEmpty else {
            throw LatentError.file(directory, "--resume: the run was made with other settings (see its config.json): "
                                   + differs.joined(separator: ", ") + "; only --steps may change")
        }
    }

    /// The run directory for `config`: the existing one when resuming from a checkpoint (its
    /// config.json rewritten with the new step count after ``checkResumable(stored:new:directory:)``),
    /// else a new one. Returns whether it resumes.
    public static func open(_ directory: String, config: RunConfig, options: Options) throws -> (run: RunDirectory, resuming: Bool) {
        if options.resume && options.overwrite { throw LatentError("--resume and --overwrite contradict each other") }
        if options.resume, let existing = try? RunDirectory.open(directory), existing.hasCheckpoint {
            try checkResumable(stored: try existing.config(), new: config, directory: directory)
            if options.writes { try AtomicFile.write(config.jsonData(), to: existing.configPath) }
            return (existing, true)
        }
        guard options.writes else { return (RunDirectory(path: directory), false) }
        return (try RunDirectory.create(directory, config: config, overwrite: options.overwrite || options.resume), false)
    }

    /// Trains `session` up to the config's `steps` in `directory` (resuming when asked and a
    /// checkpoint exists) and returns the directory.
    ///
    /// On a signal it saves the last completed step and throws ``Interruption/Stopped``; on a
    /// diverging step, non-finite parameters at a checkpoint or a ``RunProblem`` it records the
    /// failure in state.json, draws the failure pictures, keeps the last good checkpoint and
    /// throws. `prepared` runs once the state is in place (loaded or initial), before the first
    /// step: a data-parallel run broadcasts its parameters there.
    @discardableResult
    public static func train(_ session: some TrainingSession, config: RunConfig, directory: String, options: Options = Options(),
                             prepared: () throws -> Void = {}) throws -> RunDirectory {
        let total = Int(config.number("steps", default: 1000))
        guard total > 0 else { throw LatentError("--steps must be positive, got \(total)") }
        let (run, resuming) = try open(directory, config: config, options: options)
        if resuming {
            let info = try run.loadCheckpoint(into: session.checkpointState, optimizer: session.checkpointOptimizer)
            try session.restore(info)
        }
        return try train(session, in: run, steps: total, restored: resuming, options: options, prepared: prepared)
    }

    /// Trains `session` from its current step up to `total` in the already opened `run`.
    /// `restored` says the session was just loaded from this run's checkpoint: log rows after
    /// its step are dropped; otherwise, when the run has no checkpoint yet, its current state is
    /// saved as the first one.
    /// The rest is as in ``train(_:config:directory:options:prepared:)``.
    @discardableResult
    public static func train(_ session: some TrainingSession, in run: RunDirectory, steps total: Int, restored: Bool,
                             options: Options = Options(), prepared: () throws -> Void = {}) throws -> RunDirectory {
        guard options.checkpointEvery > 0 else { throw LatentError("--checkpoint-every must be positive, got \(options.checkpointEvery)") }
        guard session.step <= total else {
            throw LatentError("\(run.path) is already at step \(session.step), beyond --steps \(total)")
        }
        let writes = options.writes
        if restored {
            // A killed run may have logged steps after its checkpoint: this call site is the only one that drops them.
            if writes { try CSVLog.truncate(run.logPath, afterStep: session.step) }
        } else if writes && !run.hasCheckpoint {
            try save(session, run)   // a fresh run's initial state
        }
        try prepared()

        let log = writes ? try CSVLog(path: run.logPath, columns: ["step"] + session.termNames + ["steps_per_sec"]) : nil
        let bar = options.showProgress && writes ? ProgressBar(label: session.label, total: total) : nil
        let progressIndices = session.progressTerms.compactMap { session.termNames.firstIndex(of: $0) }
        let start = session.step
        let clock = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        let t0 = clock()
        /// Records a failure at `step`, the step that failed (state.json's step; the checkpoint
        /// keeps the last good one, before it).
        func fail(_ step: Int, _ message: String) {
            bar?.finish()
            guard writes else { return }
            try? session.writePictures(run: run, step: step, moment: .failed)
            try? run.writeState(RunState(finished: false, step: step, failure: message))
        }
        while session.step < total {
            let step = session.step + 1
            if writes, let signal = options.interruption?.signal {
                bar?.finish()
                if isFinite(session) { try save(session, run) }
                try run.writeState(RunState(finished: false, step: step - 1))
                try? session.writePictures(run: run, step: step - 1, moment: .interrupted)
                throw Interruption.Stopped(signal: signal, step: step - 1)
            }
            let values: [Double]
            do { values = try session.trainStep() } catch {
                fail(step, "\(error)")
                throw error
            }
            check(values.count == session.termNames.count, "\(session.label): \(values.count) values for \(session.termNames.count) terms")
            bar?.update(step, metrics: progressIndices.map { (session.termNames[$0], values[$0]) })
            if step % session.logEvery == 0 || step == total {
                try log?.append([Double(step)] + values + [Double(step - start) / Swift.max(clock() - t0, 1e-9)])
            }
            if let message = session.problem(afterStep: step, values: values) {
                fail(step, message)
                throw RunProblem(message: message, step: step)
            }
            if writes, let every = session.pictureEvery, step % every == 0, step != total {
                try session.writePictures(run: run, step: step, moment: .periodic)
            }
            if writes && (step % options.checkpointEvery == 0 || step == total) {
                guard isFinite(session) else {
                    let message = "training diverged at step \(step): parameters are no longer finite; the last good checkpoint was kept (try a lower --lr)"
                    fail(step, message)
                    throw LatentError(message)
                }
                try save(session, run)
                try run.writeState(RunState(finished: false, step: step))
            }
        }
        bar?.finish()
        guard writes else { return run }
        try session.writePictures(run: run, step: session.step, moment: .finished)
        try run.writeState(RunState(finished: true, step: session.step))
        return run
    }

    /// Whether every checkpointed tensor holds only finite values.
    static func isFinite(_ session: some TrainingSession) -> Bool {
        session.checkpointState.allSatisfy { $0.parameter.value.elements.allSatisfy(\.isFinite) }
    }

    /// Writes the session's checkpoint atomically.
    static func save(_ session: some TrainingSession, _ run: RunDirectory) throws {
        try run.saveCheckpoint(parameters: session.checkpointState, optimizer: session.checkpointOptimizer,
                               rng: session.checkpointRandomState, step: session.step, extraMetadata: session.checkpointMetadata)
    }
}
