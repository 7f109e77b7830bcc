import Foundation

/// A mixture of isotropic Gaussians with a known density: the "data" pi and the
/// fixed generator distribution p of the optimal-discriminator experiments, and the
/// reference for mode-coverage counts.
///
/// ```swift
/// let pi = GaussianMixture.eightGaussians          // DATA.md's 8 gaussians
/// var rng = RandomGenerator(seed: 0)
/// let x = pi.sample(1000, rng: &rng)               // (1000, 2)
/// let lp = pi.logDensity([0, 2.83])                // log pi(x) in nats
/// ```
public struct GaussianMixture: Sendable {
    public let means: [[Double]]
    public let stds: [Double]
    public let weights: [Double]

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

    /// One Gaussian N(mean, std^2 I).
    public static func gaussian(mean: [Double], std: Double) -> GaussianMixture {
        GaussianMixture(means: [mean], stds: [std])
    }

    /// DATA.md's 8 gaussians: centres at radius 4, angles k*45 deg, std 0.5, all divided by 1.414.
    public static let eightGaussians: GaussianMixture = {
        let s = 1.414
        let means = (0..<8).map { k -> [Double] in
            let a = Double(k) * Double.pi / 4
            return [4 * Foundation.cos(a) / s, 4 * Foundation.sin(a) / s]
        }
        return GaussianMixture(means: means, stds: [Double](repeating: 0.5 / s, count: 8))
    }()

    public var dimension: Int { means[0].count }

    /// log density at one point, in nats.
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

    /// Density at one point.
    public func density(_ x: [Double]) -> Double { Foundation.exp(logDensity(x)) }

    /// n draws as an (n, dimension) tensor.
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
