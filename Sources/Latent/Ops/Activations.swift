import CLatent

// Point-wise activations through the fused C kernels. Each op saves its input
// and output; the C backward reads whichever it needs.

extension Tensor {
    func activated(_ act: Activation) -> Tensor {
        let x = self
        let y = K.biasAct(x, bias: nil, act, cols: Swift.max(x.shape.last ?? 1, 1))
        return Tensor.record(y, inputs: [x], name: act.name, recordsBackward: true) { g in
            [GradientMode.isCreatingGraph ? g * act.recordedDerivative(x) : K.actBackward(g, x: x, y: y, act)]
        }
    }
}

extension Activation {
    var name: String {
        switch self {
        case .identity: "identity"
        case .relu: "relu"
        case .leakyReLU: "leakyReLU"
        case .elu: "elu"
        case .tanh: "tanh"
        case .sigmoid: "sigmoid"
        case .softplus: "softplus"
        case .exp: "exp"
        }
    }

    /// act'(x) built from recorded ops of `x`, for backward passes that record
    /// a tape (the C backward kernel records nothing). ReLU-type derivatives
    /// are 0/1 masks, constant almost everywhere.
    func recordedDerivative(_ x: Tensor) -> Tensor {
        switch self {
        case .identity: return Tensor.ones(x.shape)
        case .relu: return x.greaterMask(0)
        case .leakyReLU(let slope):
            let positive = x.greaterMask(0)
            return positive + (1 - positive) * slope
        case .elu(let alpha):
            let positive = x.greaterMask(0)
            return positive + (1 - positive) * x.activated(.exp) * alpha
        case .tanh:
            let t = x.activated(.tanh)
            return 1 - t * t
        case .sigmoid:
            let s = x.activated(.sigmoid)
            return s * (1 - s)
        case .softplus: return x.activated(.sigmoid)
        case .exp: return x.activated(.exp)
        }
    }
}

/// Element-wise max(x, 0) (NaN passes through); gradient 1 where x > 0, else
/// 0. Supports second derivatives, as every activation here does.
public func relu(_ x: Tensor) -> Tensor { x.activated(.relu) }
/// Element-wise x for x > 0, else `negativeSlope` * x; gradient 1 or
/// `negativeSlope`.
public func leakyReLU(_ x: Tensor, negativeSlope: Float = 0.01) -> Tensor { x.activated(.leakyReLU(negativeSlope)) }
/// Element-wise x for x > 0, else `alpha` * (e^x - 1); gradient 1 or
/// `alpha` * e^x.
public func elu(_ x: Tensor, alpha: Float = 1) -> Tensor { x.activated(.elu(alpha)) }
/// Hyperbolic tangent element-wise; gradient 1 - tanh(x)^2.
public func tanh(_ x: Tensor) -> Tensor { x.activated(.tanh) }
/// The logistic sigmoid 1 / (1 + e^-x) element-wise, stable for large |x|;
/// gradient sigmoid(x) (1 - sigmoid(x)).
public func sigmoid(_ x: Tensor) -> Tensor { x.activated(.sigmoid) }
/// log(1 + e^x) element-wise, stable for large |x|; gradient sigmoid(x).
public func softplus(_ x: Tensor) -> Tensor { x.activated(.softplus) }

/// An activation a layer applies after its affine map or convolution (fused
/// into the affine kernel where it can, see ``affine(_:weight:bias:activation:)``).
public enum ActivationFunction: Sendable, Equatable {
    /// The choices: `identity` (x), `relu` (max(x, 0)), `leakyReLU(slope)` and
    /// `elu(alpha)` (x for x > 0, else slope * x or alpha * (e^x - 1)), `tanh`,
    /// `sigmoid` (1 / (1 + e^-x)) and `softplus` (log(1 + e^x)).
    case identity, relu, leakyReLU(Float), elu(Float), tanh, sigmoid, softplus

    var kernel: Activation {
        switch self {
        case .identity: .identity
        case .relu: .relu
        case .leakyReLU(let a): .leakyReLU(a)
        case .elu(let a): .elu(a)
        case .tanh: .tanh
        case .sigmoid: .sigmoid
        case .softplus: .softplus
        }
    }

    /// Applies the activation element-wise and returns a tensor of `x`'s shape
    /// (`x` itself for `identity`).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        self == .identity ? x : x.activated(kernel)
    }
}

/// act(x W^T + b): one GEMM with the bias and activation fused into it where the
/// kernel can (else one more pass), one tape node.
///
/// `x` is (N, in), `weight` is (out, in) as in PyTorch, `bias` is (out) or nil;
/// the result is (N, out). Supports second derivatives.
public func affine(_ x: Tensor, weight: Tensor, bias: Tensor?, activation: ActivationFunction = .identity) -> Tensor {
    check(x.rank == 2 && weight.rank == 2 && x.shape[1] == weight.shape[1],
                 "affine: input \(x.shape) does not match weight \(weight.shape) (expects (N, in) and (out, in))")
    let n = x.shape[0], out = weight.shape[0], inF = weight.shape[1]
    if let bias { check(bias.shape == [out], "affine: bias \(bias.shape) does not match weight \(weight.shape)") }
    let act = activation.kernel
    // ReLU and leaky ReLU (slope > 0) keep the sign of their input, so their
    // backward can read the output in place of the pre-activation: one fused
    // GEMM + bias + activation, no second buffer. Other activations keep the
    // pre-activation (with bias) for the backward pass.
    let signPreserving: Bool
    switch act {
    case .identity, .relu: signPreserving = true
    case .leakyReLU(let slope): signPreserving = slope > 0
    default: signPreserving = false
    }
    let pre = K.linear(x, weight, bias: bias, signPreserving ? act : .identity, m: n, n: out, k: inF)
    let y = signPreserving ? pre : K.biasAct(pre, bias: nil, act, cols: out)
    var inputs = [x, weight]
    if let bias { inputs.append(bias) }
    return Tensor.record(y, inputs: inputs, name: "affine", recordsBackward: true) { g in
        if GradientMode.isCreatingGraph {
            // The same rule from recorded ops, the pre-activation recomputed from the tracked inputs.
            var z = matmul(x, weight, transposeA: false, transposeB: true)
            if let bias { z = z + bias }
            let gp = act == .identity ? g : g * act.recordedDerivative(z)
            var grads: [Tensor?] = [x.isTracked ? matmul(gp, weight) : nil,
                                    weight.isTracked ? matmul(gp, x, transposeA: true, transposeB: false) : nil]
            if let bias { grads.append(bias.isTracked ? gp.sum(axis: 0) : nil) }
            return grads
        }
        let gp = act == .identity ? g : K.actBackward(g, x: pre, y: y, act)
        let gx = x.isTracked ? K.matmul(gp, transposeA: false, weight, transposeB: false, m: n, n: inF, k: out, batch: 0, strideA: 0, strideB: 0) : nil
        let gw = weight.isTracked ? K.matmul(gp, transposeA: true, x, transposeB: false, m: out, n: inF, k: n, batch: 0, strideA: 0, strideB: 0) : nil
        var grads: [Tensor?] = [gx, gw]
        if let bias { grads.append(bias.isTracked ? gp.sum(axis: 0) : nil) }
        return grads
    }
}
