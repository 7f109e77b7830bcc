/// Runs `forward` on `inputs` and returns its result as one differentiable op
/// whose gradient rule is `backward`, as PyTorch's `torch.autograd.Function`
/// or mlx's custom functions.
///
/// `forward` receives the inputs detached and records nothing: it may use any
/// ops or read and write elements directly. `backward` receives the gradient
/// of the loss with respect to the output, the original inputs and the output;
/// it returns one gradient per input, of that input's shape (nil for an input
/// that needs none). The result is tracked when any input is (and recording
/// is on). The op appears in error messages under `name`.
///
/// Second derivatives (``gradients(of:wrt:createGraph:)`` with
/// `createGraph: true`) pass through the op only when
/// `backwardIsDifferentiable` is true, which promises that `backward` is built
/// from Latent's ops on `gradient` and `inputs` (not on `output`, and not from
/// raw elements); otherwise asking for them stops naming the op.
///
/// ```swift
/// // softsign(x) = x / (1 + |x|), derivative 1 / (1 + |x|)^2
/// func softsign(_ x: Tensor) -> Tensor {
///     customOp("softsign", inputs: [x], backwardIsDifferentiable: true,
///              forward: { xs in xs[0] / (abs(xs[0]) + 1) },
///              backward: { g, xs, _ in [g / square(abs(xs[0]) + 1)] })
/// }
/// ```
public func customOp(_ name: String, inputs: [Tensor], backwardIsDifferentiable: Bool = false,
                     forward: ([Tensor]) -> Tensor,
                     backward: @escaping (_ gradient: Tensor, _ inputs: [Tensor], _ output: Tensor) -> [Tensor?]) -> Tensor {
    let output = withoutGradients { forward(inputs.map { $0.detached() }) }.detached()
    return Tensor.record(output, inputs: inputs, name: name, recordsBackward: backwardIsDifferentiable) { g in
        let grads = backward(g, inputs, output)
        check(grads.count == inputs.count, "\(name): backward returned \(grads.count) gradients for \(inputs.count) inputs")
        for (i, (grad, input)) in zip(grads, inputs).enumerated() {
            guard let grad else { continue }
            check(grad.shape == input.shape, "\(name): backward returned a gradient of shape \(grad.shape) for input \(i) of shape \(input.shape)")
        }
        return grads
    }
}
