import Testing
@testable import Latent

/// Streaming covariance against a two-pass computation in Double.
@Suite struct MomentsTests {
    func twoPass(_ rows: [[Double]]) -> (mean: [Double], cov: [Double]) {
        let n = Double(rows.count), d = rows[0].count
        var mean = [Double](repeating: 0, count: d)
        for r in rows { for j in 0..<d { mean[j] += r[j] / n } }
        var cov = [Double](repeating: 0, count: d * d)
        for r in rows { for i in 0..<d { for j in 0..<d { cov[i * d + j] += (r[i] - mean[i]) * (r[j] - mean[j]) / n } } }
        return (mean, cov)
    }

    @Test func streamingIsAccurateFarFromZeroAndMerges() {
        var rng = RandomGenerator(seed: 21)
        let d = 5
        // Data at 1e4 with unit spread: a naive float32 sum of squares loses every digit.
        let batches = [37, 1, 100, 64, 3].map { rng.normal([$0, d]) + 10_000 }
        var acc = MomentAccumulator(dimension: d)
        for b in batches { acc.add(b) }
        let rows = batches.flatMap { b in (0..<b.shape[0]).map { i in (0..<d).map { Double(b[i, $0]) } } }
        let (mean, cov) = twoPass(rows)
        #expect(acc.count == Int64(rows.count))
        for j in 0..<d { #expect(Swift.abs(acc.mean[j] - mean[j]) < 1e-9 * 1e4) }
        let c = acc.covariance()
        for k in 0..<(d * d) { #expect(Swift.abs(c[k] - cov[k]) < 1e-9, "cov[\(k)] \(c[k]) vs \(cov[k])") }

        // Two shards merged equal the whole.
        var a = MomentAccumulator(dimension: d), b = MomentAccumulator(dimension: d)
        for (i, x) in batches.enumerated() { if i % 2 == 0 { a.add(x) } else { b.add(x) } }
        a.merge(b)
        let m = a.covariance()
        for k in 0..<(d * d) { #expect(Swift.abs(m[k] - cov[k]) < 1e-9) }
    }

    @Test func batchCovarianceMatchesTwoPass() {
        let x = randomTensor([50, 4], seed: 22) * 2 + 3
        let rows = (0..<50).map { i in (0..<4).map { Double(x[i, $0]) } }
        expectClose(covariance(x), twoPass(rows).cov, atol: 1e-5, rtol: 1e-5, "covariance")
    }
}
