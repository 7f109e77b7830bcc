/// What a module holds, found by reflection (`Mirror`) over its stored
/// properties: parameters and sub-modules directly, in optionals, or in arrays.
///
/// Used twice: as the default registration of a module that lists nothing
/// itself (PyTorch registers attributes the same way), and by
/// ``Module/unregisteredMembers()``, which compares a hand-written
/// registration against it.
struct ReflectedMembers {
    var parameters: [(name: String, parameter: Parameter)] = []
    var modules: [(name: String, module: any Module)] = []

    init(of object: AnyObject) {
        var mirror: Mirror? = Mirror(reflecting: object)
        while let m = mirror {
            for child in m.children { collect(child.value, name: Self.propertyName(child.label)) }
            mirror = m.superclassMirror
        }
    }

    /// `lazy var x` is stored as `$__lazy_storage_$_x`, a wrapped `@W var x` as `_x`.
    private static func propertyName(_ label: String?) -> String {
        guard var name = label else { return "_" }
        if name.hasPrefix("$__lazy_storage_$_") { name.removeFirst("$__lazy_storage_$_".count) }
        return name
    }

    private mutating func collect(_ value: Any, name: String) {
        if let p = value as? Parameter { parameters.append((name, p)); return }
        if let m = value as? any Module { modules.append((name, m)); return }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            if let some = mirror.children.first { collect(some.value, name: name) }
        case .collection:
            // Look inside only when the first element can hold a parameter: a
            // million-element [Float] is not walked element by element.
            guard let first = mirror.children.first, Self.mayHoldMembers(first.value) else { return }
            for (i, element) in mirror.children.enumerated() { collect(element.value, name: "\(name).\(i)") }
        default:
            return
        }
    }

    private static func mayHoldMembers(_ value: Any) -> Bool {
        if value is Parameter || value is any Module { return true }
        let style = Mirror(reflecting: value).displayStyle
        return style == .optional || style == .collection
    }
}

extension Module {
    /// Parameters found by reflection: stored `Parameter` properties under their
    /// property names (an array's elements as `"name.0"`, `"name.1"`, ...), then
    /// the parameters of stored sub-modules prefixed with theirs
    /// (`"encoder.0.weight"`). The default ``namedParameters``.
    public var reflectedParameters: [(name: String, parameter: Parameter)] {
        let r = ReflectedMembers(of: self)
        return r.parameters + r.modules.flatMap { prefixed($0.name, $0.module.namedParameters) }
    }

    /// Buffers of stored sub-modules, prefixed with their property names (this
    /// module's own stored `Parameter` properties count as parameters, not
    /// buffers). The default ``namedBuffers``.
    public var reflectedBuffers: [(name: String, parameter: Parameter)] {
        ReflectedMembers(of: self).modules.flatMap { prefixed($0.name, $0.module.namedBuffers) }
    }

    /// Stored sub-modules, also those in optionals and arrays, in declaration
    /// order (a subclass's before its superclass's). The default ``children``.
    public var reflectedChildren: [any Module] { ReflectedMembers(of: self).modules.map(\.module) }

    /// What this module or any sub-module holds but does not list: a stored
    /// parameter missing from `namedParameters` / `namedBuffers` (an optimizer
    /// built from `parameters` would never update it, a checkpoint would not
    /// save it), a stored sub-module missing from `children` (``setTraining(_:)``
    /// would not reach it: an inner BatchNorm stays in training mode), or a
    /// sub-module whose parameters the parent does not pass on. One line per
    /// problem, each naming the property path; empty when the registration is
    /// complete.
    ///
    /// ```swift
    /// let problems = model.unregisteredMembers()
    /// precondition(problems.isEmpty, problems.joined(separator: "\n"))
    /// ```
    public func unregisteredMembers() -> [String] {
        var problems: [String] = []
        var visited = Set<ObjectIdentifier>()
        audit(self, path: String(describing: type(of: self)), problems: &problems, visited: &visited)
        return problems
    }

    /// Throws a ``LatentError`` listing ``unregisteredMembers()`` when there are any.
    public func checkRegistration() throws {
        let problems = unregisteredMembers()
        if !problems.isEmpty { throw LatentError("module registration is incomplete:\n  " + problems.joined(separator: "\n  ")) }
    }
}

private func audit(_ module: any Module, path: String, problems: inout [String], visited: inout Set<ObjectIdentifier>) {
    guard visited.insert(ObjectIdentifier(module)).inserted else { return }
    let typeName = String(describing: type(of: module))
    let listed = Set((module.namedParameters + module.namedBuffers).map { ObjectIdentifier($0.parameter) })
    let children = Set(module.children.map { ObjectIdentifier($0) })
    let found = ReflectedMembers(of: module)
    for (name, p) in found.parameters where !listed.contains(ObjectIdentifier(p)) {
        problems.append("\(path).\(name): a parameter of shape \(p.shape) that \(typeName) does not list in namedParameters or namedBuffers")
    }
    for (name, child) in found.modules {
        let childType = String(describing: type(of: child))
        if !children.contains(ObjectIdentifier(child)) {
            problems.append("\(path).\(name): a \(childType) that \(typeName) does not list in children (setTraining does not reach it)")
        }
        let dropped = (child.namedParameters + child.namedBuffers).filter { !listed.contains(ObjectIdentifier($0.parameter)) }
        if let first = dropped.first {
            problems.append("\(path).\(name): \(dropped.count) parameter(s) or buffer(s) of this \(childType) (first '\(first.name)') "
                            + "that \(typeName) does not pass on in namedParameters or namedBuffers")
        }
        audit(child, path: "\(path).\(name)", problems: &problems, visited: &visited)
    }
}
