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
    /// The counts ``ModeCoverage/count(_:mixture:radius:minimumShare:)`` returns.
    public struct Result: Sendable {
        /// Number of modes holding at least `minimumShare` of their expected number of
        /// samples (and at least one sample).
        public var covered: Int
        /// Samples assigned to each mode, in the order of the mixture's means; a sample near
        /// several modes counts for the first.
        public var counts: [Int]
        /// Fraction of the samples within `radius` standard deviations of no mode.
        public var offModeFraction: Double
    }

    /// Assigns each of the (n, d) samples to the first mode whose centre lies within
    /// `radius` times that mode's standard deviation (Euclidean distance) and counts the
    /// modes holding at least `minimumShare` x weight x n samples. Stops unless the samples
    /// are (n, d) for the mixture's dimension d.
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
