import Foundation

// Variance and standard deviation, composed from mean and square so their
// gradients follow. `correction` is PyTorch's: 1 (the default, as
// `torch.var`) divides by n - 1, 0 by n (NumPy's default).

extension Tensor {
    /// Variance along `axis`: sum((x - mean)^2) / (n - correction).
    ///
    /// ```swift
    /// let v = x.variance(axis: 0)                  // unbiased, per column
    /// let biased = x.variance(axis: 0, correction: 0)
    /// ```
    public func variance(axis: Int, correction: Int = 1, keepingDimension keep: Bool = false) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "variance(axis:)")
        let n = shape[a]
        check(correction >= 0 && n - correction > 0,
              "variance(axis:): \(n) elements along dimension \(a) of shape \(shape) with correction \(correction) leave no degrees of freedom")
        let centered = self - mean(axis: a, keepingDimension: true)
        return square(centered).sum(axis: a, keepingDimension: keep) / Float(n - correction)
    }

    /// Variance of all elements as a rank-0 tensor:
    /// sum((x - mean)^2) / (count - correction).
    public func variance(correction: Int = 1) -> Tensor {
        check(correction >= 0 && count - correction > 0,
              "variance(): \(count) elements with correction \(correction) leave no degrees of freedom")
        return square(self - mean()).sum() / Float(count - correction)
    }

    /// Standard deviation along `axis`: the square root of
    /// ``Tensor/variance(axis:correction:keepingDimension:)``.
    public func standardDeviation(axis: Int, correction: Int = 1, keepingDimension keep: Bool = false) -> Tensor {
        sqrt(variance(axis: axis, correction: correction, keepingDimension: keep))
    }

    /// Standard deviation of all elements as a rank-0 tensor: the square root
    /// of ``Tensor/variance(correction:)``.
    public func standardDeviation(correction: Int = 1) -> Tensor { sqrt(variance(correction: correction)) }
}
