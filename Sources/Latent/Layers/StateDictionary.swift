// A module's whole state by dotted name, as PyTorch's `state_dict()`: see
// `stateDictionary()` and `loadStateDictionary(_:strict:)`.
extension Module {
    /// The entries of a state dictionary: ``Module/namedParameters`` then
    /// ``Module/namedBuffers``, each under its dotted name.
    public var namedState: [(name: String, parameter: Parameter)] { namedParameters + namedBuffers }

    /// A module's whole state by dotted name: parameters, buffers (BatchNorm's
    /// running statistics) and module state (ActNorm's initialised flag), as
    /// PyTorch's `state_dict()`. ``Checkpoint`` saves and loads exactly this.
    ///
    /// The values are detached copies of ``Module/namedState``; two entries with
    /// the same name stop the program.
    ///
    /// ```swift
    /// let state = model.stateDictionary()          // ["flow.0.bias": ..., "flow.0.initialized": ...]
    /// try fresh.loadStateDictionary(state)         // same architecture: same outputs
    /// ```
    public func stateDictionary() -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (name, p) in namedState {
            check(out[name] == nil, "stateDictionary: two entries of \(type(of: self)) are named '\(name)'")
            out[name] = p.value.detached()
        }
        return out
    }

    /// Assigns the values of a state dictionary, as written by
    /// ``stateDictionary()``, to the parameters and buffers of the same names.
    ///
    /// Every name and shape is checked before anything is assigned, so a mismatch
    /// changes nothing; a wrong shape throws a ``LatentError`` in any mode. A
    /// module-state entry (ActNorm's flag) that `state` lacks keeps its value;
    /// with `strict` (the default) a missing parameter or buffer, and an entry
    /// the module does not have, are errors naming them (with `strict` false both
    /// are ignored).
    public func loadStateDictionary(_ state: [String: Tensor], strict: Bool = true) throws {
        let entries = namedState
        var assignments: [(Parameter, Tensor)] = []
        var missing: [String] = []
        for (name, p) in entries {
            guard let t = state[name] else {
                if !p.isModuleState { missing.append(name) }
                continue
            }
            guard t.shape == p.shape else {
                throw LatentError("state dictionary entry '\(name)' has shape \(t.shape), the model expects \(p.shape)")
            }
            assignments.append((p, t))
        }
        if strict {
            if !missing.isEmpty {
                throw LatentError("state dictionary lacks \(missing.count) entr\(missing.count == 1 ? "y" : "ies") of the model: \(missing.prefix(5).joined(separator: ", "))\(missing.count > 5 ? ", ..." : "")")
            }
            let known = Set(entries.map(\.name))
            let unexpected = state.keys.filter { !known.contains($0) }.sorted()
            if !unexpected.isEmpty {
                throw LatentError("state dictionary has \(unexpected.count) entr\(unexpected.count == 1 ? "y" : "ies") the model does not: \(unexpected.prefix(5).joined(separator: ", "))\(unexpected.count > 5 ? ", ..." : "")")
            }
        }
        for (p, t) in assignments { p.assign(t) }
    }
}
