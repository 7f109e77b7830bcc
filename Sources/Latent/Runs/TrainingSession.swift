/// What one model family supplies to ``RunDriver``, which owns the rest of a
/// training run's lifecycle (directory, resume rule, log, checkpoints, signals,
/// divergence, state.json).
///
/// A session holds the model, its optimizers and its random state; the driver
/// calls ``trainStep()`` once per step and reads and restores the state through
/// ``checkpointState``, ``checkpointOptimizer``, ``checkpointRandomState`` and
/// ``restore(_:)``. Flows (`FlowTrainer`), VAEs (`VAESession`) and GANs
/// (`GANSession`) conform.
public protocol TrainingSession: AnyObject {
    /// The progress bar's label, e.g. "train beta-vae".
    var label: String { get }
    /// The names of the values ``trainStep()`` returns, in order: the log's columns between
    /// `step` and `steps_per_sec`.
    var termNames: [String] { get }
    /// The names, among ``termNames``, that the progress bar shows.
    var progressTerms: [String] { get }
    /// Log a row every this many steps (and at the last step).
    var logEvery: Int { get }
    /// Steps completed so far (restored from a checkpoint by ``restore(_:)``).
    var step: Int { get }
    /// Parameters, buffers and module state a checkpoint holds, by name.
    var checkpointState: [(name: String, parameter: Parameter)] { get }
    /// The optimizer state a checkpoint holds, if any.
    var checkpointOptimizer: (any CheckpointableOptimizer)? { get }
    /// The random state a checkpoint holds (restored through `Checkpoint.Info.rng`).
    var checkpointRandomState: RandomGenerator? { get }
    /// Extra checkpoint metadata (e.g. a second generator's state), read back by ``restore(_:)``.
    var checkpointMetadata: [String: String] { get }
    /// Takes the step, random state and metadata of a loaded checkpoint (its tensors are
    /// already in ``checkpointState`` and ``checkpointOptimizer``).
    func restore(_ info: Checkpoint.Info) throws
    /// One training step (number ``step`` + 1), returning one value per ``termNames``; throws
    /// (``Divergence/check(_:step:term:limit:)``) naming a term that is no longer finite, before
    /// any update.
    func trainStep() throws -> [Double]
    /// A reason to stop after a completed step (a saturated discriminator, ...), or nil.
    func problem(afterStep step: Int, values: [Double]) -> String?
    /// Draw pictures every this many steps while training (nil: only when the run stops).
    var pictureEvery: Int? { get }
    /// Writes the family's pictures into `run` at `step`; `moment` says why.
    func writePictures(run: RunDirectory, step: Int, moment: PictureMoment) throws
}

/// Why ``TrainingSession/writePictures(run:step:moment:)`` is called.
public enum PictureMoment: Sendable, Equatable {
    /// Every ``TrainingSession/pictureEvery`` steps.
    case periodic
    /// The run reached its last step.
    case finished
    /// A signal stopped the run.
    case interrupted
    /// A diverged step or a ``TrainingSession/problem(afterStep:values:)`` stopped the run.
    case failed
}

extension TrainingSession {
    /// Every step is logged.
    public var logEvery: Int { 1 }
    /// The first two terms.
    public var progressTerms: [String] { Array(termNames.prefix(2)) }
    /// No random state beyond what the session keeps itself.
    public var checkpointRandomState: RandomGenerator? { nil }
    /// No extra metadata.
    public var checkpointMetadata: [String: String] { [:] }
    /// Nothing stops a run but divergence.
    public func problem(afterStep step: Int, values: [Double]) -> String? { nil }
    /// Pictures only when the run stops.
    public var pictureEvery: Int? { nil }
}

/// A run stopped by ``TrainingSession/problem(afterStep:values:)``; the message says what
/// happened, state.json records it, and the last checkpoint before it is kept.
public struct RunProblem: Error, CustomStringConvertible, Sendable {
    /// What stopped the run.
    public let message: String
    /// The step after which it stopped.
    public let step: Int
    /// The message.
    public var description: String { message }
}
