import Foundation

// Log-densities, losses and divergences, composed from primitive ops so their
// gradients come from the tape. Per-example quantities sum over the last axis.

private let logTwoPi = Float(Foundation.log(2 * Double.pi))

/// log N(x; mean, exp(logVariance)) summed over the last axis.
///
/// ```swift
/// let logq = gaussianLogDensity(z, mean: mu, logVariance: logvar)   // (N)
/// ```
public func gaussianLogDensity(_ x: Tensor, mean: Tensor, logVariance: Tensor) -> Tensor {
    let d = x - mean
    let terms = (logVariance + d * d * exp(-logVariance) + logTwoPi) * -0.5
    return terms.sum(axis: -1)
}

/// log N(x; 0, I) summed over the last axis.
public func standardNormalLogDensity(_ x: Tensor) -> Tensor {
    ((x * x + logTwoPi) * -0.5).sum(axis: -1)
}

/// Binary cross-entropy with logits, summed over the last axis:
/// softplus(l) - t * l, which equals max(l, 0) - t l + log(1 + e^-|l|) and never overflows.
public func binaryCrossEntropy(logits: Tensor, targets: Tensor) -> Tensor {
    (softplus(logits) - logits * targets).sum(axis: -1)
}

/// log Bernoulli(targets; sigmoid(logits)) summed over the last axis.
public func bernoulliLogProbability(logits: Tensor, targets: Tensor) -> Tensor {
    -binaryCrossEntropy(logits: logits, targets: targets)
}

/// KL(N(mean, exp(logVariance)) || N(0, I)) summed over the last axis.
public func klToStandardNormal(mean: Tensor, logVariance: Tensor) -> Tensor {
    ((exp(logVariance) + mean * mean - logVariance - 1) * 0.5).sum(axis: -1)
}

/// Mean squared error over all elements (a scalar); differentiable.
public func meanSquaredError(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    square(prediction - target).mean()
}

/// log(mean(exp(x))) along `axis`: for importance-weighted bounds
/// log p(x) >= E[log (1/K) sum_k w_k].
public func logMeanExp(_ x: Tensor, axis: Int) -> Tensor { x.logMeanExp(axis: axis) }
