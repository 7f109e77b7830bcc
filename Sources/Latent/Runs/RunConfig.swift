import Foundation

/// `DIR/config.json`: everything needed to rebuild a model and continue or
/// evaluate a run. One schema for every `latent train` and every command that
/// reads a run (eval, sample, encode, traverse, resume, study, report).
///
/// ```json
/// {"formatVersion": 1, "command": "latent train flow --model realnvp ...",
///  "model": {"kind": "realnvp", "architecture": {"layers": 8, "hidden": 256}},
///  "hyperparameters": {"lr": 0.001, "batchSize": 512, "steps": 2000},
///  "data": {"name": "two-moons", "preprocessing": {"scaling": "none"}},
///  "seed": 0, "threads": 2}
/// ```
public struct RunConfig: Codable, Equatable, Sendable {
    /// The config schema version this library writes; ``RunConfig/decode(_:name:)`` rejects
    /// files with a newer one.
    public static let currentFormatVersion = 1

    /// The model a run trains: its kind and the architecture settings needed to rebuild it.
    public struct Model: Codable, Equatable, Sendable {
        /// "realnvp", "maf", "beta-vae", "gan", ...
        public var kind: String
        /// Free-form architecture settings of that kind (layer counts, widths, latent size, ...).
        public var architecture: [String: JSONValue]
        /// A model of `kind` with the given architecture settings (none by default).
        public init(kind: String, architecture: [String: JSONValue] = [:]) {
            self.kind = kind
            self.architecture = architecture
        }
    }

    /// The training data: a data-registry name and how it was preprocessed.
    public struct DataSpec: Codable, Equatable, Sendable {
        /// A name from the data registry (`two-moons`, `dsprites`, `idx:PATH`, ...).
        public var name: String
        /// How observations were turned into model inputs (scaling, binarisation, dequantization).
        public var preprocessing: [String: JSONValue]
        /// The data set `name` with the given preprocessing settings (none by default).
        public init(name: String, preprocessing: [String: JSONValue] = [:]) {
            self.name = name
            self.preprocessing = preprocessing
        }
    }

    /// The schema version the config was written with (``RunConfig/currentFormatVersion`` for
    /// a new one).
    public var formatVersion: Int
    /// The command line that created the run.
    public var command: String
    /// The model kind and architecture.
    public var model: Model
    /// Training settings by name (`lr`, `batchSize`, `steps`, ...); read a number with
    /// ``RunConfig/number(_:default:)``.
    public var hyperparameters: [String: JSONValue]
    /// The data set and its preprocessing.
    public var data: DataSpec
    /// The seed the run's random generators derive from (initialisation, batches, pictures).
    public var seed: UInt64
    /// Threads for OpenBLAS and Latent's kernels recorded for the run (by default the count
    /// when the config was made).
    public var threads: Int

    /// A config at ``RunConfig/currentFormatVersion``; `threads` defaults to the current
    /// ``RuntimeInfo/threads``.
    public init(command: String, model: Model, hyperparameters: [String: JSONValue], data: DataSpec, seed: UInt64, threads: Int = RuntimeInfo.threads) {
        self.formatVersion = RunConfig.currentFormatVersion
        self.command = command
        self.model = model
        self.hyperparameters = hyperparameters
        self.data = data
        self.seed = seed
        self.threads = threads
    }

    /// The config as pretty-printed JSON with sorted keys: the bytes of `config.json`.
    public func jsonData() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try e.encode(self)
    }

    /// ``RunConfig/jsonData()`` as a string; checkpoints store it under `config` in their metadata.
    public func jsonString() throws -> String { String(decoding: try jsonData(), as: UTF8.self) }

    /// Decodes a config from JSON bytes; `name` (usually the file's path) identifies the source in
    /// errors. Throws when the JSON is not a run config or its format version is newer than
    /// ``RunConfig/currentFormatVersion``.
    public static func decode(_ data: Data, name: String) throws -> RunConfig {
        let c: RunConfig
        do { c = try JSONDecoder().decode(RunConfig.self, from: data) } catch {
            throw LatentError.file(name, "not a valid run config: \(error)")
        }
        guard c.formatVersion <= currentFormatVersion else {
            throw LatentError.file(name, "run format version \(c.formatVersion) is newer than this latent (\(currentFormatVersion))")
        }
        return c
    }

    /// The hyperparameter `key` as a number, or `d` when it is absent or not a number.
    public func number(_ key: String, default d: Double) -> Double { hyperparameters[key]?.double ?? d }
}

/// `DIR/state.json`: progress of a run.
public struct RunState: Codable, Equatable, Sendable {
    /// Whether training ran to its last step (false after an interruption or a failure).
    public var finished: Bool
    /// The step training had reached when the state was written.
    public var step: Int
    /// Why a run stopped early (diverged loss, ...), if it did.
    public var failure: String?
    /// A state at `step`, finished or not, with the reason if the run stopped early.
    public init(finished: Bool, step: Int, failure: String? = nil) {
        self.finished = finished
        self.step = step
        self.failure = failure
    }
}
