import Foundation

/// A mixture of isotropic Gaussians with a known density: the "data" pi and the
/// fixed generator distribution p of the optimal-discriminator experiments, and the
/// reference for mode-coverage counts
/// (``ModeCoverage/count(_:mixture:radius:minimumShare:)``).
///
/// ```swift
/// let pi = GaussianMixture.eightGaussians          // docs/DATA.md's 8 gaussians
/// var rng = RandomGenerator(seed: 0)
/// let x = pi.sample(1000, rng: &rng)               // (1000, 2)
/// let lp = pi.logDensity([0, 2.83])                // log pi(x) in nats
/// ```
public struct GaussianMixture: Sendable {
    /// The component means, one point of ``dimension`` coordinates each.
    public let means: [[Double]]
    /// The component standard deviations, one per component, the same on every
    /// axis (the covariance of component k is stds[k]^2 I).
    public let stds: [Double]
    /// The component weights, normalised to sum to 1 (equal when the initializer
    /// gets none).
    public let weights: [Double]

    /// Creates a mixture of components N(means[k], stds[k]^2 I) with `weights`
    /// (non-negative, normalised here; equal by default). No means, different
    /// counts of means, standard deviations and weights, means of different
    /// dimensions or a negative weight stop the program.
    public init(means: [[Double]], stds: [Double], weights: [Double]? = nil) {
        check(!means.isEmpty && means.count == stds.count, "GaussianMixture: \(means.count) means for \(stds.count) standard deviations")
        check(Set(means.map(\.count)).count == 1, "GaussianMixture: means of different dimensions")
        let w = weights ?? [Double](repeating: 1, count: means.count)
        check(w.count == means.count && w.allSatisfy { $0 >= 0 }, "GaussianMixture: bad weights \(w)")
        let total = w.reduce(0, +)
        self.means = means
        self.stds = stds
        self.weights = w.map { $0 / total }
    }

    /// A single Gaussian N(mean, std^2 I), as a one-component mixture.
    public static func gaussian(mean: [Double], std: Double) -> GaussianMixture {
        GaussianMixture(means: [mean], stds: [std])
    }

    /// docs/DATA.md's 8 gaussians in 2-D: equal weights, centres at radius 4 and angles
    /// k * 45 degrees, standard deviation 0.5, all divided by 1.414 (centres at
    /// radius about 2.83).
    public static let eightGaussians: GaussianMixture = {
        let s = 1.414
        let means = (0..<8).map { k -> [Double] in
            let a = Double(k) * Double.pi / 4
            return [4 * Foundation.cos(a) / s, 4 * Foundation.sin(a) / s]
        }
        return GaussianMixture(means: means, stds: [Double](repeating: 0.5 / s, count: 8))
    }()

    /// The number of coordinates of a point: the length of each mean.
    public var dimension: Int { means[0].count }

    /// The log density log pi(x) at one point `x` of ``dimension`` coordinates, in
    /// nats, summed over components with log-sum-exp (finite far from every
    /// centre).
    public func logDensity(_ x: [Double]) -> Double {
        let d = Double(dimension)
        var terms: [Double] = []
        terms.reserveCapacity(means.count)
        for k in means.indices where weights[k] > 0 {
            var r2 = 0.0
            for j in 0..<dimension { let u = x[j] - means[k][j]; r2 += u * u }
            let s = stds[k]
            terms.append(Foundation.log(weights[k]) - 0.5 * r2 / (s * s) - d * Foundation.log(s) - 0.5 * d * Foundation.log(2 * Double.pi))
        }
        let m = terms.max() ?? -.infinity
        guard m.isFinite else { return m }
        return m + Foundation.log(terms.reduce(0) { $0 + Foundation.exp($1 - m) })
    }

    /// The density pi(x) at one point: the exponential of ``logDensity(_:)``
    /// (0 where that underflows).
    public func density(_ x: [Double]) -> Double { Foundation.exp(logDensity(x)) }

    /// Draws `n` points as an (n, dimension) tensor: for each row a component
    /// chosen by its weight, then its mean plus its standard deviation times
    /// standard normal noise, all from `rng`.
    public func sample(_ n: Int, rng: inout RandomGenerator) -> Tensor {
        let u = rng.uniform([n]).scalars
        let z = rng.normal([n, dimension]).scalars
        var cumulative: [Double] = []
        var acc = 0.0
        for w in weights { acc += w; cumulative.append(acc) }
        var out = [Float](repeating: 0, count: n * dimension)
        for i in 0..<n {
            let k = cumulative.firstIndex { Double(u[i]) < $0 } ?? (means.count - 1)
            for j in 0..<dimension { out[i * dimension + j] = Float(means[k][j] + stds[k] * Double(z[i * dimension + j])) }
        }
        return Tensor(shape: [n, dimension], scalars: out)
    }
}
