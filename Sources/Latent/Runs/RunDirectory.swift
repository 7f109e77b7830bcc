import Foundation

/// A run directory: the one layout every training command writes and every
/// later command reads.
///
///     DIR/config.json              RunConfig (format version, command, model, hyperparameters, data, seed, threads)
///     DIR/checkpoint.safetensors   parameters, buffers, optimizer state; step, RNG state and config in __metadata__
///     DIR/log.csv                  one row per logged step: step, each loss term, steps_per_sec
///     DIR/images/                  PNGs (samples, densities, loss curves, ...)
///     DIR/state.json               {"finished": true, "step": N} once training ends
///
/// Every file is written atomically, so a killed run keeps its last good checkpoint.
///
/// ```swift
/// let run = try RunDirectory.create("runs/moons", config: config)
/// try run.saveCheckpoint(parameters: model.namedParameters, optimizer: opt, rng: rng, step: 100)
/// ```
public struct RunDirectory: Sendable {
    public let path: String

    public var configPath: String { path + "/config.json" }
    public var checkpointPath: String { path + "/checkpoint.safetensors" }
    public var logPath: String { path + "/log.csv" }
    public var imagesPath: String { path + "/images" }
    public var statePath: String { path + "/state.json" }

    public init(path: String) { self.path = path }

    /// Creates (or, with `overwrite`, reuses) a directory and writes its config.
    /// Refuses to silently mix two runs in one directory.
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

    public func config() throws -> RunConfig {
        guard let d = FileManager.default.contents(atPath: configPath) else { throw LatentError.file(configPath, "cannot read") }
        return try RunConfig.decode(d, name: configPath)
    }

    public func state() throws -> RunState? {
        guard let d = FileManager.default.contents(atPath: statePath) else { return nil }
        do { return try JSONDecoder().decode(RunState.self, from: d) } catch {
            throw LatentError.file(statePath, "not a valid state file: \(error)")
        }
    }

    public func writeState(_ s: RunState) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(e.encode(s), to: statePath)
    }

    /// Path of an image file under `images/`.
    public func imagePath(_ name: String) -> String { imagesPath + "/" + name }

    public var hasCheckpoint: Bool { FileManager.default.fileExists(atPath: checkpointPath) }
}
