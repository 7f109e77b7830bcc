/// A trainable tensor: a leaf of the tape with a stable identity.
///
/// Layers own parameters; optimizers update them in place through
/// ``Parameter/update(_:)``. `value` is tracked, so any loss computed from it
/// can be differentiated with ``backward(_:to:)``.
public final class Parameter {
    private var data: Tensor
    let leaf: TapeNode
    /// The gradient from the last ``backward(_:to:)``; nil before the first.
    public var grad: Tensor?
    /// When false, `value` is an untracked constant: losses computed from it
    /// record no gradient for it (PyTorch's `requires_grad_(False)`). A GAN's
    /// generator step freezes the discriminator this way, so no discriminator
    /// weight gradients are computed there.
    public var requiresGradient = true

    public init(_ initial: Tensor) {
        data = initial.detached()
        leaf = TapeNode(shape: initial.shape, parents: [], backward: nil)
    }

    /// The current value, tracked by the tape.
    public var value: Tensor { Tensor(shape: data.shape, storage: data.storage, node: requiresGradient ? leaf : nil) }

    public var shape: [Int] { data.shape }

    /// Replaces the value (same shape).
    public func assign(_ newValue: Tensor) {
        precondition(newValue.shape == data.shape, "Parameter.assign: shape \(newValue.shape) does not match \(data.shape)")
        data = newValue.detached()
    }

    /// Mutates the value in place (copy-on-write if a live graph still shares it).
    func update(_ body: (inout Tensor) -> Void) {
        body(&data)
    }
}

/// Computes the gradient of `loss` for each parameter and stores it in `grad`.
///
/// ```swift
/// let loss = mse(model(x), y)
/// backward(loss, to: model.parameters)
/// optimizer.step()
/// ```
public func backward(_ loss: Tensor, to parameters: [Parameter]) {
    precondition(loss.count == 1, "backward: the loss must have one element, its shape is \(loss.shape)")
    let grads = backpropagate(loss, keep: Set(parameters.map { ObjectIdentifier($0.leaf) }))
    for p in parameters { p.grad = grads[ObjectIdentifier(p.leaf)] ?? Tensor.zeros(p.shape) }
}
