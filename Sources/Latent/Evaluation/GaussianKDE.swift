import Foundation

/// A Gaussian kernel density on stored points: p(x) = (1/N) sum_i N(x; x_i, h^2 I).
///
/// With a small h it memorises the training set: its samples are training points plus a
/// little noise (they look perfect) while held-out points, far from every stored point on
/// the scale h, get a very low density. That is the lecture's first "likelihood is not
/// sample quality" example.
///
/// ```swift
/// let kde = GaussianKDE(points: train, bandwidth: 0.05)
/// let ll = kde.logDensity(test)          // [Double], nats per test point
/// let x = kde.sample(64, rng: &rng)
/// ```
public struct GaussianKDE: Sendable {
    /// (N, D) stored points.
    public let points: Tensor
    /// The kernel standard deviation h, in the units of the data.
    public let bandwidth: Double

    /// A KDE on `points` of any shape (N, ...), flattened to (N, D) rows and detached;
    /// stops unless `bandwidth` > 0.
    public init(points: Tensor, bandwidth: Double) {
        check(bandwidth > 0, "GaussianKDE: bandwidth must be positive, got \(bandwidth)")
        self.points = flatRows(points)
        self.bandwidth = bandwidth
    }

    /// The size D of one flattened point.
    public var dimension: Int { points.shape[1] }

    /// log p(x) in nats for each row of x, computed in chunks (distances through one
    /// matrix product per chunk, log-sum-exp in Double).
    public func logDensity(_ x: Tensor) -> [Double] {
        let q = flatRows(x)
        check(q.shape[1] == dimension, "GaussianKDE: points of size \(q.shape[1]), the density is \(dimension)-D")
        let n = points.shape[0], d = Double(dimension), h2 = bandwidth * bandwidth
        let norms = rowSquaredNorms(points)
        let constant = -Foundation.log(Double(n)) - 0.5 * d * Foundation.log(2 * Double.pi * h2)
        var out: [Double] = []
        out.reserveCapacity(q.shape[0])
        let chunk = Swift.max(1, 4_000_000 / Swift.max(n, 1))
        var start = 0
        while start < q.shape[0] {
            let end = Swift.min(start + chunk, q.shape[0])
            let block = q.slice(axis: 0, start..<end).detached()
            let qn = rowSquaredNorms(block)
            let dots = withoutGradients { matmul(block, points, transposeB: true) }.scalars
            for r in 0..<(end - start) {
                var best = -Double.infinity
                var e = [Double](repeating: 0, count: n)
                for i in 0..<n {
                    let d2 = Swift.max(0, qn[r] + norms[i] - 2 * Double(dots[r * n + i]))
                    e[i] = -0.5 * d2 / h2
                    best = Swift.max(best, e[i])
                }
                var s = 0.0
                for v in e { s += Foundation.exp(v - best) }
                out.append(constant + best + Foundation.log(s))
            }
            start = end
        }
        return out
    }

    /// n draws: a stored point chosen uniformly plus N(0, h^2 I) noise, as (n, D) rows.
    public func sample(_ n: Int, rng: inout RandomGenerator) -> Tensor {
        let idx = (0..<n).map { _ in rng.int(below: points.shape[0]) }
        return (points.gathering(rows: idx) + rng.normal([n, dimension]) * Float(bandwidth)).detached()
    }

    /// The bandwidth among `candidates` (not empty) with the highest mean log density on
    /// `validation`, and that mean in nats per point; each KDE is built on `points`.
    public static func selectBandwidth(points: Tensor, validation: Tensor, candidates: [Double]) -> (bandwidth: Double, logLikelihood: Double) {
        var best = (candidates[0], -Double.infinity)
        for h in candidates {
            let ll = GaussianKDE(points: points, bandwidth: h).logDensity(validation)
            let mean = ll.reduce(0, +) / Double(ll.count)
            if mean > best.1 { best = (h, mean) }
        }
        return best
    }
}

func rowSquaredNorms(_ x: Tensor) -> [Double] {
    let n = x.shape[0], d = x.count / Swift.max(n, 1)
    return x.withUnsafeBufferPointer { v in
        (0..<n).map { i in
            var s = 0.0
            for j in 0..<d { let a = Double(v[i * d + j]); s += a * a }
            return s
        }
    }
}
