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
    /// The op's name, for errors that have to say which op.
    let name: String
    /// Whether `backward`, run while ``GradientMode/isCreatingGraph`` is on,
    /// records its own exact tape (so second derivatives through it exist).
    let recordsBackward: Bool

    init(shape: [Int], parents: [TapeNode], name: String = "leaf", recordsBackward: Bool = false,
         backward: ((Tensor) -> [Tensor?])?) {
        self.id = nodeCounter.add(1, ordering: .relaxed).newValue
        self.shape = shape
        self.parents = parents
        self.name = name
        self.recordsBackward = recordsBackward
        self.backward = backward
    }
}

/// The tape's recording state: whether ops record, and whether a backward pass
/// is itself being recorded. Task-local, so parallel tests and evaluation in
/// one task do not affect training in another.
public enum GradientMode: Sendable {
    @TaskLocal static var isRecording = true
    @TaskLocal static var creatingGraph = false

    /// True when ops record their results on the tape (the default; an op records
    /// only when an input is tracked); false inside ``withoutGradients(_:)``.
    public static var isEnabled: Bool { isRecording }

    /// True while a backward pass records its own tape
    /// (`gradients(of:wrt:createGraph: true)`): a backward rule that reuses a
    /// saved output recomputes it from its tracked inputs instead, so that the
    /// recorded gradient depends on them.
    public static var isCreatingGraph: Bool { creatingGraph }
}

/// Runs `body` with tape recording off and returns its result: ops inside it
/// record nothing and return untracked tensors (evaluation, sampling, metrics).
///
/// ```swift
/// let samples = withoutGradients { flow.sample(1000, rng: &rng) }
/// ```
public func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
    try GradientMode.$isRecording.withValue(false, operation: body)
}

extension Tensor {
    /// The same values (storage shared) as a new leaf of the tape: gradients can
    /// be asked for it, and none flows back past it.
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
    ///
    /// `name` appears in errors. Pass `recordsBackward: true` only when
    /// `backward` is built from recorded ops of the inputs (not kernels, not raw
    /// element loops, no saved output unless recomputed under
    /// ``GradientMode/isCreatingGraph``): then second derivatives through the
    /// op are exact; otherwise asking for them stops naming the op.
    static func record(_ result: Tensor, inputs: [Tensor], name: String, recordsBackward: Bool = false,
                       backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
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
        r.node = TapeNode(shape: result.shape, parents: parents, name: name, recordsBackward: recordsBackward, backward: backward)
        return r
    }
}

extension TapeNode {
    /// Shared parent for untracked inputs; never receives a gradient.
    static let constant = TapeNode(shape: [], parents: [], backward: nil)
}

/// Gradients of the one-element `loss` with respect to each tensor in `wrt`,
/// each of that tensor's shape.
///
/// Each tensor in `wrt` must be tracked (``Tensor/tracked()`` or a
/// ``Parameter``'s `value`). A tensor the loss does not depend on gets zeros.
/// A loss that is not tracked itself (computed inside ``withoutGradients(_:)``
/// or only from detached or untracked tensors) has no gradient: asking for one
/// stops with a message that says so, as PyTorch raises.
///
/// With `createGraph: true` the backward pass is itself recorded, as PyTorch's
/// `create_graph=True`: the gradients are tracked tensors, and a loss built
/// from them (a gradient penalty) can be differentiated again. Linear layers,
/// `matmul`, convolutions, activations, element-wise arithmetic and math,
/// reductions, softmax, layout ops (not `gathering(rows:)`) and custom ops
/// declared `backwardIsDifferentiable` support this; any other op on the path
/// (such as `covariance`, the normal CDFs or `pow` of two tensors) stops with a
/// message naming it.
///
/// ```swift
/// let x = real.tracked()
/// let g = gradients(of: discriminator(x).sum(), wrt: [x], createGraph: true)[0]
/// let r1 = (g * g).sum(axis: 1).mean() * (gamma / 2)    // differentiable in D's parameters
/// ```
public func gradients(of loss: Tensor, wrt tensors: [Tensor], createGraph: Bool = false) -> [Tensor] {
    checkDifferentiable(loss, "gradients(of:wrt:)")
    for (i, t) in tensors.enumerated() {
        check(t.node != nil, "gradients(of:wrt:): tensor \(i) of shape \(t.shape) is not tracked; call .tracked() on it before computing the loss")
    }
    let grads = backpropagate(loss, keep: Set(tensors.map { ObjectIdentifier($0.node!) }), createGraph: createGraph)
    return tensors.map { t in grads[ObjectIdentifier(t.node!)] ?? Tensor.zeros(t.shape) }
}

/// Stops unless `loss` is a one-element tensor recorded on the tape.
func checkDifferentiable(_ loss: Tensor, _ caller: String) {
    check(loss.count == 1, "\(caller): the loss must have one element, its shape is \(loss.shape)")
    check(loss.node != nil, "\(caller): the loss is not tracked, so it has no gradient: it was computed inside withoutGradients { }, "
          + "or only from detached tensors or parameters with requiresGradient = false")
}

/// Reverse pass from `loss`; gradients keyed by node identity. With
/// `createGraph` the pass records its own tape and every op on it must have a
/// recorded backward.
func backpropagate(_ loss: Tensor, keep: Set<ObjectIdentifier>, createGraph: Bool = false) -> [ObjectIdentifier: Tensor] {
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
    let pass = {
        for n in order {
            guard let backward = n.backward, let g = grads[ObjectIdentifier(n)] else { continue }
            if createGraph {
                check(n.recordsBackward, "gradients(of:wrt:createGraph: true): \(n.name) has no recorded backward, so second "
                      + "derivatives through it are not available (they are for linear layers, matmul, convolutions, activations, "
                      + "element-wise arithmetic, reductions and layout ops)")
            }
            if !keep.contains(ObjectIdentifier(n)) { grads[ObjectIdentifier(n)] = nil }  // free intermediate gradients early
            let parentGrads = backward(g)
            check(parentGrads.count == n.parents.count, "\(n.name): backward returned \(parentGrads.count) gradients for \(n.parents.count) inputs")
            for (p, pg) in zip(n.parents, parentGrads) {
                guard let pg, p !== TapeNode.constant else { continue }
                check(pg.shape == p.shape, "\(n.name): backward returned a gradient of shape \(pg.shape) for an input of shape \(p.shape)")
                let key = ObjectIdentifier(p)
                // In place only when nothing records: a recorded sum must not overwrite a tape value.
                if let existing = grads[key] { grads[key] = createGraph ? existing + pg : existing.addingInPlace(pg) } else { grads[key] = pg }
            }
        }
    }
    if createGraph {
        GradientMode.$isRecording.withValue(true) { GradientMode.$creatingGraph.withValue(true, operation: pass) }
    } else {
        withoutGradients(pass)
    }
    return grads
}
