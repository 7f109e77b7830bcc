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
    public static let currentFormatVersion = 1

    public struct Model: Codable, Equatable, Sendable {
        /// "realnvp", "maf", "beta-vae", "gan", ...
        public var kind: String
        public var architecture: [String: JSONValue]
        public init(kind: String, architecture: [String: JSONValue] = [:]) {
            self.kind = kind
            self.architecture = architecture
        }
    }

    public struct DataSpec: Codable, Equatable, Sendable {
        /// A name from the data registry (`two-moons`, `dsprites`, `idx:PATH`, ...).
        public var name: String
        /// How observations were turned into model inputs (scaling, binarisation, dequantization).
        public var preprocessing: [String: JSONValue]
        public init(name: String, preprocessing: [String: JSONValue] = [:]) {
            self.name = name
            self.preprocessing = preprocessing
        }
    }

    public var formatVersion: Int
    /// The command line that created the run.
    public var command: String
    public var model: Model
    public var hyperparameters: [String: JSONValue]
    public var data: DataSpec
    public var seed: UInt64
    public var threads: Int

    public init(command: String, model: Model, hyperparameters: [String: JSONValue], data: DataSpec, seed: UInt64, threads: Int = RuntimeInfo.threads) {
        self.formatVersion = RunConfig.currentFormatVersion
        self.command = command
        self.model = model
        self.hyperparameters = hyperparameters
        self.data = data
        self.seed = seed
        self.threads = threads
    }

    public func jsonData() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try e.encode(self)
    }

    public func jsonString() throws -> String { String(decoding: try jsonData(), as: UTF8.self) }

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

    /// A hyperparameter as a number, with a default.
    public func number(_ key: String, default d: Double) -> Double { hyperparameters[key]?.double ?? d }
}

/// `DIR/state.json`: progress of a run.
public struct RunState: Codable, Equatable, Sendable {
    public var finished: Bool
    public var step: Int
    /// Why a run stopped early (diverged loss, ...), if it did.
    public var failure: String?
    public init(finished: Bool, step: Int, failure: String? = nil) {
        self.finished = finished
        self.step = step
        self.failure = failure
    }
}
