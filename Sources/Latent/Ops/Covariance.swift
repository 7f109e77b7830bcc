/// Biased covariance (1/N) of a batch of vectors x (N, D): the (D, D) tensor
/// (x - mean)^T (x - mean) / N, differentiable in `x` (no second derivatives).
///
/// DIP-VAE penalises the covariance of the encoder means with it:
/// ```swift
/// let c = covariance(mu)
/// ```
public func covariance(_ x: Tensor) -> Tensor {
    check(x.rank == 2 && x.shape[0] > 0, "covariance: expects a non-empty (N, D) tensor, got shape \(x.shape)")
    let (cov, mean) = K.covariance(x)
    return Tensor.record(cov, inputs: [x], name: "covariance") { g in [K.covarianceBackward(g, x: x, mean: mean)] }
}
