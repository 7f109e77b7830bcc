import Foundation
import Testing
@testable import Latent

/// The impossibility construction: f(z) keeps z's marginals, yet every partial
/// derivative of f is non-zero; metrics see the difference only through factors.
@Suite struct EntanglementTests {
    @Test func specialFunctionsAndGradients() {
        for p in [1e-10, 0.001, 0.02, 0.3, 0.5, 0.77, 0.99, 1 - 1e-9] {
            #expect(abs(normalCDF(inverseNormalCDF(p)) - p) < 1e-12 * max(1, p / 1e-3))
        }
        #expect(abs(inverseNormalCDF(0.975) - 1.959963984540054) < 1e-12)
        checkGradients([randomTensor([2, 3], seed: 1) * 2], "normalCDF") { normalCDF($0[0]) }
        checkGradients([randomTensor([2, 3], seed: 2, low: 0.1, high: 0.9)], "inverseNormalCDF") { inverseNormalCDF($0[0]) }
    }

    @Test func marginalsArePreservedAndEverythingIsEntangled() {
        var rng = RandomGenerator(seed: 3)
        let map = EntanglingMap(marginals: [UniformMarginal(), GaussianMarginal(mean: 1, std: 2), ExponentialMarginal(rate: 1.5)], rng: &rng)
        // A is orthogonal with no zero entry.
        let a = map.rotation
        expectClose(matmul(a, a, transposeB: true), Tensor.eye(3), atol: 1e-5, rtol: 0, "A A^T")
        #expect(a.scalars.allSatisfy { abs($0) > 0.01 })
        let r = checkEntanglement(map, samples: 20000, jacobianSamples: 128, rng: &rng)
        // KS: at n = 20000 the 1% critical value is 1.63 / sqrt(n) = 0.0115.
        for (i, ks) in r.ksEntangled.enumerated() { #expect(ks.statistic < 0.0115, "dim \(i): KS \(ks.statistic)") }
        #expect(r.nonzeroShare == 1, "share of non-zero partials \(r.nonzeroShare)")
        #expect(r.minAbsPartial > 1e-6)
        // Off-diagonal dependence is of the same order as the diagonal: truly entangled.
        for i in 0..<3 { for j in 0..<3 { #expect(r.meanAbsJacobian[i][j] > 0.02) } }
    }

    @Test func jacobianMatchesFiniteDifferences() {
        var rng = RandomGenerator(seed: 4)
        let map = EntanglingMap(marginals: [GaussianMarginal(), GaussianMarginal(), GaussianMarginal()], rng: &rng)
        let z = map.sample(4, rng: &rng)
        let j = map.jacobians(at: z)
        // For Gaussian marginals f is linear: f(z) = A z exactly, so J = A at every sample.
        for s in 0..<4 { for i in 0..<3 { for k in 0..<3 { #expect(abs(j[s, i, k] - map.rotation[i, k]) < 2e-3) } } }
    }

    @Test func metricsScoreIdentityAboveEntangled() throws {
        let scores = try scoreIdentityVersusEntangled(dataset: ShapesTiny(), train: 1500, test: 500, seed: 1)
        let mig = scores.first { $0.metric == "mig" }!
        #expect(mig.identity > 0.5 && mig.entangled < mig.identity - 0.2, "\(mig)")
    }
}
