// Softmax and log-softmax, composed from the shifted logSumExp (so they never
// overflow); their gradients follow from the composition.

/// exp(x) / sum(exp(x)) along `axis` (default: the last), as `torch.softmax`;
/// a tensor of `x`'s shape. Supports second derivatives.
///
/// ```swift
/// let p = softmax(logits)            // rows sum to 1
/// ```
public func softmax(_ x: Tensor, axis: Int = -1) -> Tensor {
    exp(logSoftmax(x, axis: axis))
}

/// x - log(sum(exp(x))) along `axis` (default: the last), as
/// `torch.log_softmax`; a tensor of `x`'s shape. Supports second derivatives.
public func logSoftmax(_ x: Tensor, axis: Int = -1) -> Tensor {
    let a = Shape.axis(axis, rank: x.rank, op: "logSoftmax")
    return x - x.logSumExp(axis: a, keepingDimension: true)
}
