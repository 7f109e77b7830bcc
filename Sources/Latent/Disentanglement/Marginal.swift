import Foundation

/// A 1-D distribution that can be sampled and whose CDF and quantile function
/// are known in closed form (differentiable on tensors).
public protocol Marginal: Sendable {
    /// A short description with the parameters, such as `uniform(0.0, 1.0)`.
    var name: String { get }
    /// Draws n independent values from the distribution, as a tensor of shape (n).
    func sample(_ n: Int, rng: inout RandomGenerator) -> Tensor
    /// F(x) element-wise, differentiable.
    func cdf(_ x: Tensor) -> Tensor
    /// F^-1(u) element-wise for u in (0, 1), differentiable.
    func quantile(_ u: Tensor) -> Tensor
    /// F(x) in Double (for the Kolmogorov-Smirnov test).
    func cdf(_ x: Double) -> Double
}

/// The uniform distribution on [low, high).
public struct UniformMarginal: Marginal, Sendable {
    /// The bounds of the support, low < high.
    public let low: Float, high: Float
    /// Uniform on [low, high), by default [0, 1).
    public init(low: Float = 0, high: Float = 1) { self.low = low; self.high = high }
    /// The description `uniform(low, high)` with the bounds filled in.
    public var name: String { "uniform(\(low), \(high))" }
    /// n draws from U[low, high), shape (n).
    public func sample(_ n: Int, rng: inout RandomGenerator) -> Tensor { rng.uniform([n], low: low, high: high) }
    /// The CDF (x - low) / (high - low) clamped to [0, 1], element-wise; differentiable.
    public func cdf(_ x: Tensor) -> Tensor { ((x - low) / (high - low)).clamped(min: 0, max: 1) }
    /// The quantile low + u (high - low), element-wise; differentiable.
    public func quantile(_ u: Tensor) -> Tensor { u * (high - low) + low }
    /// The CDF in Double: (x - low) / (high - low) clamped to [0, 1].
    public func cdf(_ x: Double) -> Double { min(max((x - Double(low)) / Double(high - low), 0), 1) }
}

/// The normal distribution N(mean, std^2).
public struct GaussianMarginal: Marginal, Sendable {
    /// The mean and the standard deviation (std > 0).
    public let mean: Float, std: Float
    /// N(mean, std^2), by default the standard normal.
    public init(mean: Float = 0, std: Float = 1) { self.mean = mean; self.std = std }
    /// The description `normal(mean, std)` with the parameters filled in.
    public var name: String { "normal(\(mean), \(std))" }
    /// n draws from N(mean, std^2), shape (n).
    public func sample(_ n: Int, rng: inout RandomGenerator) -> Tensor { rng.normal([n], mean: mean, std: std) }
    /// The CDF Phi((x - mean) / std), element-wise; differentiable.
    public func cdf(_ x: Tensor) -> Tensor { normalCDF((x - mean) / std) }
    /// The quantile mean + std Phi^-1(u), element-wise; differentiable.
    public func quantile(_ u: Tensor) -> Tensor { inverseNormalCDF(u) * std + mean }
    /// The CDF in Double: Phi((x - mean) / std).
    public func cdf(_ x: Double) -> Double { normalCDF((x - Double(mean)) / Double(std)) }
}

/// The exponential distribution with density rate exp(-rate x) on x >= 0.
public struct ExponentialMarginal: Marginal, Sendable {
    /// The rate lambda (> 0); the mean is 1 / rate.
    public let rate: Float
    /// Exponential with the given rate, by default 1.
    public init(rate: Float = 1) { self.rate = rate }
    /// The description `exponential(rate)` with the rate filled in.
    public var name: String { "exponential(\(rate))" }
    /// n draws by inversion, -log(1 - U) / rate with U uniform on [0, 1): shape (n).
    public func sample(_ n: Int, rng: inout RandomGenerator) -> Tensor {
        // Inverse CDF of U in [0, 1): -log(1 - U) / rate.
        -log(1 - rng.uniform([n])) / rate
    }
    /// The CDF 1 - exp(-rate x), 0 for x <= 0, element-wise; differentiable.
    public func cdf(_ x: Tensor) -> Tensor { 1 - exp(-x.clamped(min: 0) * rate) }
    /// The quantile -log(1 - u) / rate, element-wise; differentiable.
    public func quantile(_ u: Tensor) -> Tensor { -log(1 - u) / rate }
    /// The CDF in Double: 1 - exp(-rate x), 0 for x <= 0.
    public func cdf(_ x: Double) -> Double { x <= 0 ? 0 : 1 - Foundation.exp(-x * Double(rate)) }
}

/// One-sample Kolmogorov-Smirnov test: sup |F_n - F| and its asymptotic p-value
/// (Kolmogorov distribution with Stephens' small-sample correction).
public func kolmogorovSmirnov(_ samples: [Double], cdf: (Double) -> Double) -> (statistic: Double, pValue: Double) {
    let x = samples.sorted()
    let n = Double(x.count)
    var d = 0.0
    for (i, v) in x.enumerated() {
        let f = cdf(v)
        d = max(d, max(Double(i + 1) / n - f, f - Double(i) / n))
    }
    let t = (n.squareRoot() + 0.12 + 0.11 / n.squareRoot()) * d
    var p = 0.0
    for k in 1...100 {
        let term = 2 * (k % 2 == 1 ? 1.0 : -1.0) * Foundation.exp(-2 * Double(k * k) * t * t)
        p += term
        if abs(term) < 1e-12 { break }
    }
    return (d, min(max(p, 0), 1))
}
