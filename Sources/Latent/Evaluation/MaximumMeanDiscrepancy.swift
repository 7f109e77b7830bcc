import Foundation

/// Maximum mean discrepancy two-sample test (Gretton et al. 2012) with a Gaussian
/// kernel k(x, y) = exp(-|x - y|^2 / (2 sigma^2)).
///
/// - statistic: the unbiased estimator
///   MMD^2_u = 1/(m(m-1)) sum_{i!=j} k(a_i, a_j) + 1/(n(n-1)) sum_{i!=j} k(b_i, b_j) - 2/(mn) sum_{i,j} k(a_i, b_j),
///   whose expectation is exactly 0 under H0;
/// - bandwidth: sigma = the median pairwise distance of the pooled sample (median heuristic),
///   unless given;
/// - p-value: (1 + #{permuted statistics >= observed}) / (1 + permutations), relabelling the
///   pooled sample at random, so it is valid at any sample size.
///
/// Sets larger than `maxSamples` are subsampled at random (the kernel matrix is (m+n)^2).
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let r = MMDTest(permutations: 200).run(a, b, rng: &rng)   // a: (m, d), b: (n, d)
/// print(r.statistic, r.pValue, r.details["bandwidth"]!)
/// ```
public struct MMDTest: Sendable {
    /// Random relabellings of the pooled sample behind the p-value.
    public var permutations: Int
    /// Fixed kernel bandwidth sigma; nil: median heuristic.
    public var bandwidth: Double?
    /// Largest number of rows used from each set; larger sets are subsampled at random.
    public var maxSamples: Int

    /// A test with `permutations` relabellings, a fixed kernel bandwidth (nil: the median
    /// heuristic) and at most `maxSamples` rows per set.
    public init(permutations: Int = 200, bandwidth: Double? = nil, maxSamples: Int = 2000) {
        self.permutations = permutations
        self.bandwidth = bandwidth
        self.maxSamples = maxSamples
    }

    /// Runs the test on two sets of rows (any shape (n, ...), flattened per example), each
    /// with at least 2 examples of one size (stops otherwise). `nA` and `nB` count the rows
    /// after subsampling; `details` hold `bandwidth` (sigma) and `permutations`.
    public func run(_ a: Tensor, _ b: Tensor, rng: inout RandomGenerator) -> TwoSampleTestResult {
        let x = subsample(flatRows(a), rng: &rng), y = subsample(flatRows(b), rng: &rng)
        check(x.shape[0] >= 2 && y.shape[0] >= 2, "MMDTest: each set needs at least 2 examples, got \(x.shape[0]) and \(y.shape[0])")
        check(x.shape[1] == y.shape[1], "MMDTest: examples of different sizes \(x.shape[1]) and \(y.shape[1])")
        let m = x.shape[0], n = y.shape[0]
        let pooled = concatenate([x, y], axis: 0)
        let d2 = MMDTest.squaredDistances(pooled)
        let sigma = bandwidth ?? MMDTest.medianHeuristic(d2, count: m + n)
        let k = d2.map { Foundation.exp(-$0 / (2 * sigma * sigma)) }
        var labels = [Bool](repeating: true, count: m) + [Bool](repeating: false, count: n)
        let observed = MMDTest.statistic(kernel: k, inA: labels, m: m, n: n)
        var exceed = 0
        for _ in 0..<permutations {
            let perm = rng.permutation(m + n)
            for (i, j) in perm.enumerated() { labels[i] = j < m }
            if MMDTest.statistic(kernel: k, inA: labels, m: m, n: n) >= observed { exceed += 1 }
        }
        let p = Double(1 + exceed) / Double(1 + permutations)
        return TwoSampleTestResult(test: "mmd", statistic: observed, pValue: p, nA: m, nB: n,
                                   details: ["bandwidth": sigma, "permutations": Double(permutations)])
    }

    /// MMD^2_u of two sets of rows with a given bandwidth, on all rows (no subsampling, no test).
    public static func unbiasedMMD2(_ a: Tensor, _ b: Tensor, bandwidth sigma: Double) -> Double {
        let x = flatRows(a), y = flatRows(b)
        let m = x.shape[0], n = y.shape[0]
        let d2 = squaredDistances(concatenate([x, y], axis: 0))
        let k = d2.map { Foundation.exp(-$0 / (2 * sigma * sigma)) }
        return statistic(kernel: k, inA: [Bool](repeating: true, count: m) + [Bool](repeating: false, count: n), m: m, n: n)
    }

    /// MMD^2_u from a pooled kernel matrix (row-major, N x N) and a labelling.
    /// The diagonal is skipped (i != j in the sums), so one matrix-vector product
    /// K a (a the 0/1 indicator of A) gives all three block sums.
    static func statistic(kernel k: [Double], inA: [Bool], m: Int, n: Int) -> Double {
        let total = m + n
        let a = inA.map { $0 ? 1.0 : 0.0 }
        var sAA = 0.0, sBB = 0.0, sAB = 0.0
        k.withUnsafeBufferPointer { kp in
            a.withUnsafeBufferPointer { ap in
                for i in 0..<total {
                    let row = kp.baseAddress! + i * total
                    var ra = 0.0, all = 0.0
                    for j in 0..<total { ra += row[j] * ap[j]; all += row[j] }
                    ra -= row[i] * ap[i]
                    all -= row[i]
                    if inA[i] { sAA += ra; sAB += all - ra } else { sBB += all - ra }
                }
            }
        }
        return sAA / Double(m * (m - 1)) + sBB / Double(n * (n - 1)) - 2 * sAB / Double(m * n)
    }

    /// Pairwise squared distances of the rows, N x N, through one matrix product.
    static func squaredDistances(_ x: Tensor) -> [Double] {
        let n = x.shape[0]
        let gram = withoutGradients { matmul(x, x, transposeB: true) }.scalars
        var out = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                out[i * n + j] = i == j ? 0 : Swift.max(0, Double(gram[i * n + i]) + Double(gram[j * n + j]) - 2 * Double(gram[i * n + j]))
            }
        }
        return out
    }

    /// The median of the pairwise distances (i < j); 1 if all points coincide.
    static func medianHeuristic(_ d2: [Double], count n: Int) -> Double {
        var d: [Double] = []
        d.reserveCapacity(n * (n - 1) / 2)
        for i in 0..<n { for j in (i + 1)..<n { d.append(d2[i * n + j]) } }
        d.sort()
        let med = d.isEmpty ? 1 : d[d.count / 2].squareRoot()
        return med > 0 ? med : 1
    }

    func subsample(_ x: Tensor, rng: inout RandomGenerator) -> Tensor {
        guard x.shape[0] > maxSamples else { return x }
        return x.gathering(rows: Array(rng.permutation(x.shape[0]).prefix(maxSamples))).detached()
    }
}

/// (n, ...) -> (n, prod(...)), cut off from the tape.
func flatRows(_ x: Tensor) -> Tensor {
    check(x.rank >= 1, "two-sample tests need a batch dimension, got shape \(x.shape)")
    return x.detached().reshaped([x.shape[0], -1])
}
