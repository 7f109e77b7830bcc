import Foundation

/// Saving and restoring a model's parameters, buffers, optimizer state, step and
/// random-generator state in one safetensors file (PyTorch users can open it
/// with `safetensors.torch.load_file`).
///
/// Tensor names: parameters and buffers under their module names
/// (`"encoder.0.weight"`), optimizer state as `"adam.m.<name>"`; the step, the
/// generator's (seed, stream, counter) and the run config go in `__metadata__`.
public enum Checkpoint: Sendable {
    /// What loading a checkpoint returns: the saved step, random-generator state and metadata.
    public struct Info: Sendable {
        /// The training step stored under `step` in the metadata (0 if absent).
        public var step: Int
        /// The random generator restored at its saved (seed, stream, counter), or nil when the file
        /// has no `rng` entry.
        public var rng: RandomGenerator?
        /// The file's whole `__metadata__`: `format`, `step`, and when saved `optimizer_steps`,
        /// `rng`, `config` (the ``RunConfig`` as JSON) and any extra entries.
        public var metadata: [String: String]
        /// Module-state entries (ActNorm flags) the file did not have: it predates them.
        public var missingModuleState: [String] = []
    }

    /// Writes `module`'s state dictionary (``Module/stateDictionary()``),
    /// optionally with optimizer and random state, atomically.
    ///
    /// ```swift
    /// try Checkpoint.save(to: "model.safetensors", module: model, optimizer: adam, step: 1000)
    /// try Checkpoint.load(from: "model.safetensors", into: fresh, optimizer: freshAdam)
    /// ```
    public static func save(to path: String, module: any Module, optimizer: (any CheckpointableOptimizer)? = nil,
                            rng: RandomGenerator? = nil, step: Int, config: RunConfig? = nil,
                            extraMetadata: [String: String] = [:]) throws {
        try save(to: path, parameters: module.namedState, optimizer: optimizer, rng: rng, step: step,
                 config: config, extraMetadata: extraMetadata)
    }

    /// Loads a checkpoint into `module` (its whole state dictionary) and the optimizer, and
    /// returns the saved step, random state and metadata.
    @discardableResult
    public static func load(from path: String, into module: any Module,
                            optimizer: (any CheckpointableOptimizer)? = nil) throws -> Info {
        try load(from: path, into: module.namedState, optimizer: optimizer)
    }

    /// The names the optimizer's state is stored under: each of its parameters'
    /// name in `parameters`, matched by identity (not by position, so lists that
    /// also hold buffers line up).
    private static func optimizerNames(_ optimizer: any CheckpointableOptimizer,
                                       _ parameters: [(name: String, parameter: Parameter)]) throws -> [String] {
        var byIdentity: [ObjectIdentifier: String] = [:]
        for (name, p) in parameters where byIdentity[ObjectIdentifier(p)] == nil { byIdentity[ObjectIdentifier(p)] = name }
        return try optimizer.parameters.enumerated().map { i, p in
            guard let name = byIdentity[ObjectIdentifier(p)] else {
                throw LatentError("checkpoint: the optimizer's parameter \(i) (shape \(p.shape)) is not among the tensors saved")
            }
            return name
        }
    }

    /// Writes a checkpoint of the named tensors atomically: a crash mid-write keeps the previous
    /// file. Throws when two entries share a name or an optimizer parameter is not among them.
    public static func save(to path: String, parameters: [(name: String, parameter: Parameter)],
                            optimizer: (any CheckpointableOptimizer)? = nil, rng: RandomGenerator? = nil,
                            step: Int, config: RunConfig? = nil, extraMetadata: [String: String] = [:]) throws {
        var tensors: [String: NDArray] = [:]
        for (name, p) in parameters {
            if tensors[name] != nil { throw LatentError("checkpoint: two parameters are named '\(name)'") }
            tensors[name] = NDArray(p.value.detached())
        }
        if let optimizer {
            for (k, t) in optimizer.stateTensors(parameterNames: try optimizerNames(optimizer, parameters)) { tensors[k] = NDArray(t) }
        }
        var meta = extraMetadata
        meta["format"] = "latent-checkpoint-1"
        meta["step"] = String(step)
        if let optimizer { meta["optimizer_steps"] = String(optimizer.stepCount) }
        if let rng { meta["rng"] = "\(rng.seed),\(rng.stream),\(rng.counter)" }
        if let config { meta["config"] = try config.jsonString() }
        try SafeTensors.write(tensors, metadata: meta, to: path)
    }

    /// Loads a checkpoint into the given parameters (and optimizer); names and
    /// shapes must match, and errors name the first that does not. A module-state entry the
    /// file lacks keeps its value and is listed in ``Checkpoint/Info/missingModuleState``.
    @discardableResult
    public static func load(from path: String, into parameters: [(name: String, parameter: Parameter)],
                            optimizer: (any CheckpointableOptimizer)? = nil) throws -> Info {
        let (arrays, meta) = try SafeTensors.read(path)
        var loaded: [String: Tensor] = [:]
        var missingState: [String] = []
        for (name, p) in parameters {
            guard let a = arrays[name] else {
                if p.isModuleState { missingState.append(name); continue }
                throw LatentError.file(path, "no tensor '\(name)' (checkpoint from a different model or architecture?)")
            }
            guard a.shape == p.shape else {
                throw LatentError.file(path, "tensor '\(name)' has shape \(a.shape), the model expects \(p.shape)")
            }
            loaded[name] = try a.tensor(name: "\(path)[\(name)]")
        }
        for (name, p) in parameters { if let t = loaded[name] { p.assign(t) } }
        if let optimizer {
            var state: [String: Tensor] = [:]
            for (k, a) in arrays where k.hasPrefix("adam.") || k.hasPrefix("sgd.") { state[k] = try a.tensor(name: k) }
            try optimizer.loadState(state, parameterNames: try optimizerNames(optimizer, parameters), stepCount: Int(meta["optimizer_steps"] ?? "0") ?? 0)
        }
        var rng: RandomGenerator? = nil
        if let r = meta["rng"] {
            let parts = r.split(separator: ",").compactMap { UInt64($0) }
            if parts.count == 3 { rng = RandomGenerator(seed: parts[0], stream: parts[1], counter: parts[2]) }
        }
        return Info(step: Int(meta["step"] ?? "0") ?? 0, rng: rng, metadata: meta, missingModuleState: missingState)
    }
}

extension RunDirectory {
    /// Saves `DIR/checkpoint.safetensors` with the run's config in the metadata.
    public func saveCheckpoint(parameters: [(name: String, parameter: Parameter)], optimizer: (any CheckpointableOptimizer)? = nil,
                               rng: RandomGenerator? = nil, step: Int, extraMetadata: [String: String] = [:]) throws {
        try Checkpoint.save(to: checkpointPath, parameters: parameters, optimizer: optimizer, rng: rng, step: step,
                            config: try? config(), extraMetadata: extraMetadata)
    }

    /// Loads `DIR/checkpoint.safetensors` into `parameters` (and the optimizer) and returns its
    /// step, random state and metadata; throws when the run has no checkpoint yet.
    @discardableResult
    public func loadCheckpoint(into parameters: [(name: String, parameter: Parameter)], optimizer: (any CheckpointableOptimizer)? = nil) throws -> Checkpoint.Info {
        guard hasCheckpoint else { throw LatentError.file(path, "run has no checkpoint.safetensors yet") }
        return try Checkpoint.load(from: checkpointPath, into: parameters, optimizer: optimizer)
    }
}
