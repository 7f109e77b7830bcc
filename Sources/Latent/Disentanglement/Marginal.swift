import Foundation

/// A 1-D distribution that can be sampled and whose CDF and quantile function
/// are known in closed form (differentiable on tensors).
public protocol Marginal: Sendable {
    var name: String { get }
    func sample(_ n: Int, rng: inout RandomGenerator) -> Tensor
    /// F(x) element-wise, differentiable.
    func cdf(_ x: Tensor) -> Tensor
    /// F^-1(u) element-wise for u in (0, 1), differentiable.
    func quantile(_ u: Tensor) -> Tensor
    /// F(x) in Double (for the Kolmogorov-Smirnov test).
    func cdf(_ x: Double) -> Double
}

/// Uniform on [low, high).
public struct UniformMarginal: Marginal, Sendable {
    public let low: Float, high: Float
    public init(low: Float = 0, high: Float = 1) { self.low = low; self.high = high }
    public var name: String { "uniform(\(low), \(high))" }
    public func sample(_ n: Int, rng: inout RandomGenerator) -> Tensor { rng.uniform([n], low: low, high: high) }
    public func cdf(_ x: Tensor) -> Tensor { ((x - low) / (high - low)).clamped(min: 0, max: 1) }
    public func quantile(_ u: Tensor) -> Tensor { u * (high - low) + low }
    public func cdf(_ x: Double) -> Double { min(max((x - Double(low)) / Double(high - low), 0), 1) }
}

/// Normal with mean and standard deviation.
public struct GaussianMarginal: Marginal, Sendable {
    public let mean: Float, std: Float
    public init(mean: Float = 0, std: Float = 1) { self.mean = mean; self.std = std }
    public var name: String { "normal(\(mean), \(std))" }
    public func sample(_ n: Int, rng: inout RandomGenerator) -> Tensor { rng.normal([n], mean: mean, std: std) }
    public func cdf(_ x: Tensor) -> Tensor { normalCDF((x - mean) / std) }
    public func quantile(_ u: Tensor) -> Tensor { inverseNormalCDF(u) * std + mean }
    public func cdf(_ x: Double) -> Double { normalCDF((x - Double(mean)) / Double(std)) }
}

/// Exponential with the given rate.
public struct ExponentialMarginal: Marginal, Sendable {
    public let rate: Float
    public init(rate: Float = 1) { self.rate = rate }
    public var name: String { "exponential(\(rate))" }
    public func sample(_ n: Int, rng: inout RandomGenerator) -> Tensor {
        // Inverse CDF of U in [0, 1): -log(1 - U) / rate.
        -log(1 - rng.uniform([n])) / rate
    }
    public func cdf(_ x: Tensor) -> Tensor { 1 - exp(-x.clamped(min: 0) * rate) }
    public func quantile(_ u: Tensor) -> Tensor { -log(1 - u) / rate }
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
