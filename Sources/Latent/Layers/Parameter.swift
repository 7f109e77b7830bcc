/// A trainable tensor: a leaf of the tape with a stable identity.
///
/// Layers own parameters; optimizers update them in place, and
/// ``Parameter/assign(_:)`` replaces the value. `value` is tracked, so any loss
/// computed from it can be differentiated with ``backward(_:to:accumulate:)``.
public final class Parameter {
    private var data: Tensor
    let leaf: TapeNode
    /// The gradient of the last ``backward(_:to:accumulate:)`` (summed over calls
    /// with `accumulate`), shaped like the value; nil before the first, after
    /// ``zeroGradients(_:)``, and after a backward pass while the parameter is
    /// frozen.
    public var grad: Tensor?
    /// Whether the parameter is trained (default true). When false, `value` is an
    /// untracked constant: losses computed from it record no gradient for it,
    /// ``backward(_:to:accumulate:)`` sets `grad` to nil and optimizers do not
    /// touch it or its state (PyTorch's `requires_grad_(False)`). A GAN's
    /// generator step freezes the discriminator this way, so no discriminator
    /// weight gradients are computed there.
    public var requiresGradient = true
    /// Module state kept as a buffer (ActNorm's initialised flag) rather than a
    /// number that training computes: a checkpoint written before the state was
    /// saved may lack it, and loading such a checkpoint keeps the current value.
    public let isModuleState: Bool

    /// Creates a trainable parameter holding `initial`, detached from any tape.
    public init(_ initial: Tensor) {
        self.isModuleState = false
        data = initial.detached()
        leaf = TapeNode(shape: initial.shape, parents: [], backward: nil)
    }

    /// A buffer that records module state; never trained.
    init(moduleState initial: Tensor) {
        self.isModuleState = true
        requiresGradient = false
        data = initial.detached()
        leaf = TapeNode(shape: initial.shape, parents: [], backward: nil)
    }

    /// The current value: a tensor the tape tracks as this parameter's leaf, or an
    /// untracked constant while `requiresGradient` is false.
    public var value: Tensor { Tensor(shape: data.shape, storage: data.storage, node: requiresGradient ? leaf : nil) }

    /// The shape of the value, fixed at creation (``assign(_:)`` keeps it).
    public var shape: [Int] { data.shape }

    /// Replaces the value with `newValue`, detached from any tape; a different
    /// shape stops the program. `grad` is left as it is.
    public func assign(_ newValue: Tensor) {
        check(newValue.shape == data.shape, "Parameter.assign: shape \(newValue.shape) does not match \(data.shape)")
        data = newValue.detached()
    }

    /// Mutates the value in place (copy-on-write if a live graph still shares it).
    func update(_ body: (inout Tensor) -> Void) {
        body(&data)
    }
}

/// Computes the gradient of `loss` for each parameter and stores it in `grad`.
///
/// `loss` must have one element and be tracked by the tape (not computed
/// inside ``withoutGradients(_:)``, nor only from detached tensors and frozen
/// parameters); otherwise the program stops with a message saying so.
/// By default each call replaces `grad`. With `accumulate: true` the new
/// gradient is added to the one already there (PyTorch's default), so several
/// micro-batches can make one step; clear with ``zeroGradients(_:)`` before the
/// next group. A parameter with `requiresGradient == false` is frozen: its
/// `grad` is set to nil and optimizers leave it (and their state for it)
/// untouched. A parameter the loss does not depend on gets zeros.
///
/// ```swift
/// let loss = mse(model(x), y)
/// backward(loss, to: model.parameters)
/// optimizer.step()
///
/// // Gradient accumulation over 4 micro-batches:
/// zeroGradients(model.parameters)
/// for part in batch.chunked(4, axis: 0) { backward(loss(part) / 4, to: model.parameters, accumulate: true) }
/// optimizer.step()
/// ```
public func backward(_ loss: Tensor, to parameters: [Parameter], accumulate: Bool = false) {
    checkDifferentiable(loss, "backward(_:to:)")
    let live = parameters.filter(\.requiresGradient)
    let grads = backpropagate(loss, keep: Set(live.map { ObjectIdentifier($0.leaf) }))
    for p in parameters {
        guard p.requiresGradient else { p.grad = nil; continue }
        let g = grads[ObjectIdentifier(p.leaf)]
        if accumulate, let old = p.grad {
            if let g { p.grad = old + g }
        } else {
            p.grad = g ?? Tensor.zeros(p.shape)
        }
    }
}

/// Clears every parameter's gradient (sets `grad` to nil, PyTorch's
/// `zero_grad(set_to_none=True)`); an optimizer step then skips them until the
/// next ``backward(_:to:accumulate:)``.
public func zeroGradients(_ parameters: [Parameter]) {
    for p in parameters { p.grad = nil }
}

extension Module {
    /// Clears the gradients of all of this module's parameters.
    public func zeroGradients() { Latent.zeroGradients(parameters) }
}

extension Optimizer {
    /// Clears the gradients of the parameters this optimizer updates.
    public func zeroGradients() { Latent.zeroGradients(parameters) }
}
