import Foundation
import Testing
@testable import Latent

@Suite struct TwoSampleTests {
    /// The estimator against the definition, summed term by term in Double.
    @Test func mmdMatchesTheDefinition() {
        var rng = RandomGenerator(seed: 1)
        let a = rng.normal([7, 3]), b = rng.normal([5, 3]) + 0.5
        let sigma = 1.3
        func k(_ x: [Float], _ y: [Float]) -> Double {
            Foundation.exp(-zip(x, y).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +) / (2 * sigma * sigma))
        }
        let ra = (0..<7).map { Array(a.scalars[($0 * 3)..<($0 * 3 + 3)]) }, rb = (0..<5).map { Array(b.scalars[($0 * 3)..<($0 * 3 + 3)]) }
        var xx = 0.0, yy = 0.0, xy = 0.0
        for i in 0..<7 { for j in 0..<7 where i != j { xx += k(ra[i], ra[j]) } }
        for i in 0..<5 { for j in 0..<5 where i != j { yy += k(rb[i], rb[j]) } }
        for i in 0..<7 { for j in 0..<5 { xy += k(ra[i], rb[j]) } }
        let expected = xx / 42 + yy / 20 - 2 * xy / 35
        #expect(Swift.abs(MMDTest.unbiasedMMD2(a, b, bandwidth: sigma) - expected) < 1e-6)
    }

    /// Under H0 E[MMD^2_u] = 0 (also with the median-heuristic bandwidth, which depends on the
    /// pooled sample only). Over 300 draws of 30 + 30 points the mean must lie within 4 standard
    /// errors of 0; the biased V-statistic would sit about +2/30 * (1 - E k) above it.
    @Test func mmdIsUnbiasedUnderH0() {
        var rng = RandomGenerator(seed: 2)
        var values: [Double] = []
        for _ in 0..<300 {
            let r = MMDTest(permutations: 0).run(rng.normal([30, 2]), rng.normal([30, 2]), rng: &rng)
            values.append(r.statistic)
        }
        let mean = values.reduce(0, +) / 300
        let se = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 299).squareRoot() / 300.0.squareRoot()
        #expect(Swift.abs(mean) < 4 * se, "mean MMD^2_u \(mean), standard error \(se)")
    }

    /// p-value calibration: 200 H0 draws (40 + 40 points, 99 permutations). The rejection rate at
    /// alpha = 0.05 must be in [0.01, 0.10] (Binomial(200, 0.05) lies there with probability > 0.99)
    /// and the p-values' mean near 1/2 (within 0.07; its standard error is 0.02).
    @Test func mmdPValuesAreCalibrated() {
        var rng = RandomGenerator(seed: 3)
        var ps: [Double] = []
        for _ in 0..<200 { ps.append(MMDTest(permutations: 99).run(rng.normal([40, 2]), rng.normal([40, 2]), rng: &rng).pValue) }
        let rate = Double(ps.filter { $0 <= 0.05 }.count) / 200
        let mean = ps.reduce(0, +) / 200
        #expect(rate >= 0.01 && rate <= 0.10, "rejection rate \(rate)")
        #expect(Swift.abs(mean - 0.5) < 0.07, "mean p-value \(mean)")
    }

    /// Power: a 0.75-sd shift of the mean with 60 + 60 points is rejected at 5% in at least 18 of 20 draws.
    @Test func mmdRejectsAShift() {
        var rng = RandomGenerator(seed: 4)
        var rejected = 0
        for _ in 0..<20 {
            let r = MMDTest(permutations: 99).run(rng.normal([60, 2]), rng.normal([60, 2]) + 0.75, rng: &rng)
            if r.pValue <= 0.05 { rejected += 1 }
        }
        #expect(rejected >= 18, "rejected \(rejected)/20")
    }

    @Test func binomialTail() {
        #expect(binomialUpperTail(0, n: 10) == 1)
        #expect(binomialUpperTail(11, n: 10) == 0)
        #expect(Swift.abs(binomialUpperTail(10, n: 10) - 1.0 / 1024) < 1e-12)
        #expect(Swift.abs(binomialUpperTail(60, n: 100) - 0.028443966820490) < 1e-9)   // scipy.stats.binom.sf(59, 100, 0.5)
        #expect(Swift.abs(binomialUpperTail(50, n: 100) - 0.539794618693589) < 1e-9)
    }

    /// C2ST: under H0 the held-out accuracy is Binomial(t, 1/2) / t, so over 40 draws the
    /// rejection rate at 5% stays at most 0.15 and the mean accuracy within 0.03 of 1/2;
    /// a 1-sd shift (200 + 200 points) is detected with accuracy above 0.65 and p < 1e-3.
    @Test func classifierTestCalibrationAndPower() {
        var rng = RandomGenerator(seed: 5)
        let c2st = ClassifierTwoSampleTest(hidden: 16, steps: 150, batchSize: 64)
        var rejected = 0, accuracy = 0.0
        for _ in 0..<40 {
            let r = c2st.run(rng.normal([100, 2]), rng.normal([100, 2]), rng: &rng)
            if r.pValue <= 0.05 { rejected += 1 }
            accuracy += r.statistic / 40
        }
        #expect(rejected <= 6, "rejected \(rejected)/40 under H0")
        #expect(Swift.abs(accuracy - 0.5) < 0.03, "mean accuracy \(accuracy)")
        let shifted = c2st.run(rng.normal([200, 2]), rng.normal([200, 2]) + 1, rng: &rng)
        #expect(shifted.statistic > 0.65 && shifted.pValue < 1e-3, "accuracy \(shifted.statistic), p \(shifted.pValue)")
        #expect(shifted.test == "c2st" && shifted.nA == 200 && shifted.nB == 200)
    }

    @Test func jsonHasTheDocumentedKeys() throws {
        let r = TwoSampleTestResult(test: "mmd", statistic: 0.01, pValue: 0.2, nA: 10, nB: 12, details: ["bandwidth": 1.5])
        let obj = try JSONSerialization.jsonObject(with: Data(r.json().utf8)) as! [String: Any]
        for key in ["test", "statistic", "p_value", "n_a", "n_b", "bandwidth"] { #expect(obj[key] != nil, "\(key)") }
    }
}

@Suite struct LikelihoodVsSamplesTests {
    @Test func kdeMatchesTheDefinition() {
        var rng = RandomGenerator(seed: 6)
        let pts = rng.normal([9, 2]), q = rng.normal([4, 2])
        let h = 0.4
        let ll = GaussianKDE(points: pts, bandwidth: h).logDensity(q)
        for r in 0..<4 {
            var s = 0.0
            for i in 0..<9 {
                let d2 = (0..<2).map { Double(q[r, $0] - pts[i, $0]) * Double(q[r, $0] - pts[i, $0]) }.reduce(0, +)
                s += Foundation.exp(-d2 / (2 * h * h)) / (2 * Double.pi * h * h)
            }
            #expect(Swift.abs(ll[r] - Foundation.log(s / 9)) < 1e-4)
        }
    }

    /// On 8 gaussians: p1 (epsilon 0.01) has far lower held-out likelihood than p yet its samples
    /// are not rejected by MMD; p2 is within log 100 nats of p yet rejected.
    @Test func theTwoCounterExamples() {
        var rng = RandomGenerator(seed: 7)
        let train = ToyDensity.eightGaussians.sample(1000, rng: &rng), test = ToyDensity.eightGaussians.sample(300, rng: &rng)
        var demo = LikelihoodVsSamples(train: train, test: test, epsilon: 0.01)
        demo.permutations = 99
        let rows = demo.run(sampleCount: 300, rng: &rng)
        let p = rows[0], p1 = rows[1], p2 = rows[2]
        #expect(p.heldOutLogLikelihood - p1.heldOutLogLikelihood > 20, "p \(p.heldOutLogLikelihood), p1 \(p1.heldOutLogLikelihood)")
        #expect(p2.heldOutLogLikelihood >= p.heldOutLogLikelihood - Foundation.log(100.0) - 1e-9)
        #expect(p1.mmd.pValue > 0.05 && p.mmd.pValue > 0.05, "p1 MMD p \(p1.mmd.pValue), p MMD p \(p.mmd.pValue)")
        #expect(p2.mmd.pValue <= 0.01 && p2.c2st.statistic > 0.7 && p2.c2st.pValue < 1e-6, "p2 MMD p \(p2.mmd.pValue), C2ST \(p2.c2st.statistic)")
    }
}
