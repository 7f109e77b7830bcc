import Synchronization

/// Monotonic node ids: a node is always created after its parents, so sorting
/// by id descending is a valid reverse topological order.
private let nodeCounter = Atomic<Int>(0)

/// One recorded operation: its inputs' nodes and a rule mapping the gradient of
/// its output to gradients of its inputs (nil where an input needs none).
final class TapeNode: @unchecked Sendable {
    let id: Int
    let parents: [TapeNode]
    let shape: [Int]
    let backward: ((Tensor) -> [Tensor?])?

    init(shape: [Int], parents: [TapeNode], backward: ((Tensor) -> [Tensor?])?) {
        self.id = nodeCounter.add(1, ordering: .relaxed).newValue
        self.shape = shape
        self.parents = parents
        self.backward = backward
    }
}

/// Whether ops record the tape. Task-local, so parallel tests and evaluation in
/// one task do not affect training in another.
public enum GradientMode: Sendable {
    @TaskLocal static var isRecording = true

    /// True when ops currently record their inputs for differentiation.
    public static var isEnabled: Bool { isRecording }
}

/// Runs `body` without recording a tape (evaluation, sampling, metrics).
///
/// ```swift
/// let samples = withoutGradients { flow.sample(1000, rng: &rng) }
/// ```
public func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
    try GradientMode.$isRecording.withValue(false, operation: body)
}

extension Tensor {
    /// The same values as a leaf of the tape: gradients can be asked for it.
    ///
    /// ```swift
    /// let w = Tensor.ones([3]).tracked()
    /// let loss = (w * w).sum()
    /// let g = gradients(of: loss, wrt: [w])[0]   // 2 * w
    /// ```
    public func tracked() -> Tensor {
        Tensor(shape: shape, storage: storage, node: TapeNode(shape: shape, parents: [], backward: nil))
    }

    /// Builds an op's result, recording it on the tape when any input is tracked
    /// and recording is on. `backward` maps the output gradient to one gradient
    /// (or nil) per input, in order.
    static func record(_ result: Tensor, inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        guard GradientMode.isRecording else { return result }
        var parents: [TapeNode] = []
        var anyTracked = false
        for x in inputs {
            if let n = x.node { anyTracked = true; parents.append(n) } else {
                // Untracked inputs get a placeholder so gradient positions line up.
                parents.append(TapeNode.constant)
            }
        }
        guard anyTracked else { return result }
        var r = result
        r.node = TapeNode(shape: result.shape, parents: parents, backward: backward)
        return r
    }
}

extension TapeNode {
    /// Shared parent for untracked inputs; never receives a gradient.
    static let constant = TapeNode(shape: [], parents: [], backward: nil)
}

/// Gradients of the scalar `loss` with respect to each tensor in `wrt`.
///
/// Each tensor in `wrt` must be tracked (``Tensor/tracked()`` or a
/// ``Parameter``'s `value`). A tensor the loss does not depend on gets zeros.
/// A loss that is not tracked itself (computed inside ``withoutGradients(_:)``
/// or only from detached or untracked tensors) has no gradient: asking for one
/// stops with a message that says so, as PyTorch raises.
public func gradients(of loss: Tensor, wrt tensors: [Tensor]) -> [Tensor] {
    checkDifferentiable(loss, "gradients(of:wrt:)")
    for (i, t) in tensors.enumerated() {
        check(t.node != nil, "gradients(of:wrt:): tensor \(i) of shape \(t.shape) is not tracked; call .tracked() on it before computing the loss")
    }
    let grads = backpropagate(loss, keep: Set(tensors.map { ObjectIdentifier($0.node!) }))
    return tensors.map { t in grads[ObjectIdentifier(t.node!)] ?? Tensor.zeros(t.shape) }
}

/// Stops unless `loss` is a one-element tensor recorded on the tape.
func checkDifferentiable(_ loss: Tensor, _ caller: String) {
    check(loss.count == 1, "\(caller): the loss must have one element, its shape is \(loss.shape)")
    check(loss.node != nil, "\(caller): the loss is not tracked, so it has no gradient: it was computed inside withoutGradients { }, "
          + "or only from detached tensors or parameters with requiresGradient = false")
}

/// Reverse pass from `loss`; gradients keyed by node identity.
func backpropagate(_ loss: Tensor, keep: Set<ObjectIdentifier>) -> [ObjectIdentifier: Tensor] {
    guard let root = loss.node else { return [:] }
    // Collect every node reachable from the loss.
    var seen = Set<ObjectIdentifier>()
    var order: [TapeNode] = []
    var stack = [root]
    while let n = stack.popLast() {
        guard n !== TapeNode.constant, seen.insert(ObjectIdentifier(n)).inserted else { continue }
        order.append(n)
        stack.append(contentsOf: n.parents)
    }
    order.sort { $0.id > $1.id }

    var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): Tensor.ones(root.shape)]
    withoutGradients {
        for n in order {
            guard let backward = n.backward, let g = grads[ObjectIdentifier(n)] else { continue }
            if !keep.contains(ObjectIdentifier(n)) { grads[ObjectIdentifier(n)] = nil }  // free intermediate gradients early
            let parentGrads = backward(g)
            check(parentGrads.count == n.parents.count, "internal: backward returned \(parentGrads.count) gradients for \(n.parents.count) inputs")
            for (p, pg) in zip(n.parents, parentGrads) {
                guard let pg, p !== TapeNode.constant else { continue }
                check(pg.shape == p.shape, "internal: gradient shape \(pg.shape) for an input of shape \(p.shape)")
                let key = ObjectIdentifier(p)
                if let existing = grads[key] { grads[key] = existing.addingInPlace(pg) } else { grads[key] = pg }
            }
        }
    }
    return grads
}
