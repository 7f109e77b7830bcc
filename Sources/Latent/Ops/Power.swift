import Foundation

// Powers. Not a hot path in any model here, so one Swift loop over the
// broadcast operands; the gradient rules compose other ops.

/// x^p element-wise for a fixed exponent (`torch.pow(x, p)`); negative x with a
/// non-integer p gives NaN, as in PyTorch. Gradient p x^(p-1) (0 for p == 0);
/// supports second derivatives.
///
/// ```swift
/// let y = pow(x, 3)          // gradient 3 x^2
/// let r = pow(x, -0.5)       // 1 / sqrt(x)
/// ```
public func pow(_ x: Tensor, _ p: Float) -> Tensor {
    let y = Tensor.uninitialized(x.shape)
    for i in 0..<x.count { y.base[i] = Foundation.pow(x.base[i], p) }
    return Tensor.record(y, inputs: [x], name: "pow", recordsBackward: true) { g in
        [p == 0 ? Tensor.zeros(x.shape) : g * pow(x, p - 1) * p]
    }
}

/// a^b element-wise with NumPy broadcasting. The gradient for `a` is
/// b a^(b-1); for `b` it is a^b log(a), where a == 0 it is 0 (the limit PyTorch
/// uses), where a < 0 NaN.
public func pow(_ a: Tensor, _ b: Tensor) -> Tensor {
    let shape = Shape.broadcast(a.shape, b.shape, op: "pow")
    let ea = a.detached().expanded(to: shape), eb = b.detached().expanded(to: shape)
    let y = Tensor.uninitialized(shape)
    for i in 0..<y.count { y.base[i] = Foundation.pow(ea.base[i], eb.base[i]) }
    return Tensor.record(y, inputs: [a, b], name: "pow(tensor, tensor)") { g in
        let ga = a.isTracked ? (g * eb * pow(ea, eb - 1)).sumToShape(a.shape) : nil
        var gb: Tensor? = nil
        if b.isTracked {
            let zero = (-abs(ea)).greaterEqualMask(Tensor(0))          // 1 where a == 0
            let safeLog = log(ea + zero)                                // log 1 = 0 there
            gb = (g * y * safeLog).sumToShape(b.shape)
        }
        return [ga, gb]
    }
}
