/// How many modes of a mixture a sample set covers (Srivastava et al. 2017's count for
/// the 8- and 25-gaussian toys): a sample belongs to a mode when it lies within
/// `radius` standard deviations of the mode's centre; a mode is covered when it holds
/// at least `minimumShare` of the samples it would get under the mixture (default: a
/// quarter of 1/K). Samples near no mode are "off-mode" (low quality).
///
/// ```swift
/// let c = ModeCoverage.count(samples, mixture: .eightGaussians)
/// print("\(c.covered)/8 modes, \(c.offModeFraction * 100)% off-mode")
/// ```
public enum ModeCoverage: Sendable {
    public struct Result: Sendable {
        public var covered: Int
        public var counts: [Int]
        public var offModeFraction: Double
    }

    public static func count(_ samples: Tensor, mixture: GaussianMixture, radius: Double = 3, minimumShare: Double = 0.25) -> Result {
        let d = mixture.dimension
        check(samples.rank == 2 && samples.shape[1] == d, "ModeCoverage: samples \(samples.shape) for a \(d)-D mixture")
        let n = samples.shape[0]
        let v = samples.scalars
        var counts = [Int](repeating: 0, count: mixture.means.count)
        var off = 0
        for i in 0..<n {
            var hit = false
            for (k, mu) in mixture.means.enumerated() {
                var r2 = 0.0
                for j in 0..<d { let u = Double(v[i * d + j]) - mu[j]; r2 += u * u }
                let r = radius * mixture.stds[k]
                if r2 <= r * r { counts[k] += 1; hit = true; break }
            }
            if !hit { off += 1 }
        }
        let covered = zip(counts, mixture.weights).filter { Double($0.0) >= minimumShare * $0.1 * Double(n) && $0.0 > 0 }.count
        return Result(covered: covered, counts: counts, offModeFraction: Double(off) / Double(Swift.max(n, 1)))
    }
}
