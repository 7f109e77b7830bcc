import Foundation

/// A run directory: the one layout every training command writes and every
/// later command reads.
///
///     DIR/config.json              RunConfig (format version, command, model, hyperparameters, data, seed, threads)
///     DIR/checkpoint.safetensors   parameters, buffers, optimizer state; step, RNG state and config in __metadata__
///     DIR/log.csv                  one row per logged step: step, each loss term, steps_per_sec
///     DIR/images/                  PNGs (samples, densities, loss curves, ...)
///     DIR/state.json               {"finished": true, "step": N} once training ends
///                                  (finished false, maybe with a failure, if it stopped early)
///
/// Every file but the log (which grows a row at a time) is written atomically, so a killed
/// run keeps its last good checkpoint.
///
/// ```swift
/// let run = try RunDirectory.create("runs/moons", config: config)
/// try run.saveCheckpoint(parameters: model.namedParameters, optimizer: opt, rng: rng, step: 100)
/// ```
public struct RunDirectory: Sendable {
    /// The directory, as given (relative or absolute).
    public let path: String

    /// `DIR/config.json`, the run's ``RunConfig``.
    public var configPath: String { path + "/config.json" }
    /// `DIR/checkpoint.safetensors`, the latest ``Checkpoint``.
    public var checkpointPath: String { path + "/checkpoint.safetensors" }
    /// `DIR/log.csv`, the ``CSVLog`` of loss terms by step.
    public var logPath: String { path + "/log.csv" }
    /// `DIR/images`, the folder of PNGs (see ``RunDirectory/imagePath(_:)``).
    public var imagesPath: String { path + "/images" }
    /// `DIR/state.json`, the run's ``RunState``.
    public var statePath: String { path + "/state.json" }

    /// A run directory at `path`, without touching the file system
    /// (``RunDirectory/create(_:config:overwrite:)`` and ``RunDirectory/open(_:)`` check or create it).
    public init(path: String) { self.path = path }

    /// Creates (or, with `overwrite`, reuses) a directory and writes its config.
    /// Refuses to silently mix two runs in one directory: throws when config.json exists and
    /// `overwrite` is false; with `overwrite` the old checkpoint, log and state are deleted first.
    public static func create(_ path: String, config: RunConfig, overwrite: Bool = false) throws -> RunDirectory {
        let run = RunDirectory(path: path)
        let fm = FileManager.default
        if fm.fileExists(atPath: run.configPath) && !overwrite {
            throw LatentError.file(path, "already holds a run (config.json exists); pass --overwrite to replace it or choose another --out")
        }
        if overwrite {
            for f in [run.checkpointPath, run.logPath, run.statePath] { try? fm.removeItem(atPath: f) }
        }
        do { try fm.createDirectory(atPath: run.imagesPath, withIntermediateDirectories: true) } catch {
            throw LatentError.file(path, "cannot create run directory: \(error.localizedDescription)")
        }
        try AtomicFile.write(config.jsonData(), to: run.configPath)
        return run
    }

    /// Opens an existing run; throws if it has no config.
    public static func open(_ path: String) throws -> RunDirectory {
        let run = RunDirectory(path: path)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
            throw LatentError.file(path, "no such run directory")
        }
        guard FileManager.default.fileExists(atPath: run.configPath) else {
            throw LatentError.file(path, "not a run directory: config.json is missing")
        }
        return run
    }

    /// Reads `DIR/config.json`; throws when it is missing, not a run config, or of a newer
    /// format version.
    public func config() throws -> RunConfig {
        guard let d = FileManager.default.contents(atPath: configPath) else { throw LatentError.file(configPath, "cannot read") }
        return try RunConfig.decode(d, name: configPath)
    }

    /// Reads `DIR/state.json`: nil when the run has not written one yet; throws when it is
    /// not a valid state file.
    public func state() throws -> RunState? {
        guard let d = FileManager.default.contents(atPath: statePath) else { return nil }
        do { return try JSONDecoder().decode(RunState.self, from: d) } catch {
            throw LatentError.file(statePath, "not a valid state file: \(error)")
        }
    }

    /// Writes `s` to `DIR/state.json` atomically, as pretty-printed JSON.
    public func writeState(_ s: RunState) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(e.encode(s), to: statePath)
    }

    /// The path of the image file `name` under `DIR/images/` (the folder is not created here).
    public func imagePath(_ name: String) -> String { imagesPath + "/" + name }

    /// Whether `DIR/checkpoint.safetensors` exists.
    public var hasCheckpoint: Bool { FileManager.default.fileExists(atPath: checkpointPath) }
}
