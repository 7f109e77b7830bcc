import ArgumentParser
import Foundation
import Latent

/// `latent demo entangle`: Locatello et al.'s impossibility construction, checked numerically.
struct DemoEntangle: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "entangle",
        abstract: "Check the impossibility construction: f(z) keeps z's marginals while every output depends on every input.")

    @Option(help: "Dimension of z.") var dimension = 3
    @Option(help: "Samples for the Kolmogorov-Smirnov checks.") var samples = 20000
    @Option(help: "Ground-truth data set for the metric comparison (names as in `latent data list`).") var data = "dsprites"
    @Option(help: "Seed.") var seed: UInt64 = 0

    func validate() throws {
        guard (2...64).contains(dimension) else { throw ValidationError("--dimension must be in 2...64, got \(dimension)") }
        guard (100...10_000_000).contains(samples) else { throw ValidationError("--samples must be in 100...10000000, got \(samples)") }
    }

    func run() throws {
        var rng = RandomGenerator(seed: seed)
        let kinds: [any Marginal] = [UniformMarginal(), GaussianMarginal(mean: 1, std: 2), ExponentialMarginal(rate: 1.5)]
        let marginals = (0..<dimension).map { kinds[$0 % kinds.count] }
        let map = EntanglingMap(marginals: marginals, rng: &rng)
        print("f(z) = g^-1(Phi(A Phi^-1(g(z)))), z with independent marginals, A orthogonal with no zero entry")
        print("A =")
        for i in 0..<dimension {
            print("  " + (0..<dimension).map { String(format: "%+.3f", map.rotation[i, $0]) }.joined(separator: " "))
        }
        let report = checkEntanglement(map, samples: samples, rng: &rng)
        print("\nMarginals (one-sample Kolmogorov-Smirnov against the marginal's CDF, n = \(samples)):")
        print("  dim  marginal              KS(z)    p(z)     KS(f(z))  p(f(z))")
        for i in 0..<dimension {
            let a = report.ksOriginal[i], b = report.ksEntangled[i]
            let name = marginals[i].name.padding(toLength: 20, withPad: " ", startingAt: 0)
            print(String(format: "  %3d  ", i) + name + String(format: "  %.4f   %.3f    %.4f    %.3f", a.statistic, a.pValue, b.statistic, b.pValue))
        }
        let worst = report.ksEntangled.map(\.pValue).min() ?? 0
        print(worst > 0.001 ? "  -> f(z) has the marginals of z (no KS test rejects at 0.1%)" : "  -> WARNING: a KS test rejects; the marginals differ")
        print("\nJacobian by autodiff over 256 samples: mean |d f_i / d z_j|")
        for row in report.meanAbsJacobian { print("  " + row.map { String(format: "%.3f", $0) }.joined(separator: "  ")) }
        print(String(format: "  smallest |partial| %.2e; share of partials above 1e-6: %.1f%%", report.minAbsPartial, 100 * report.nonzeroShare))
        print(report.nonzeroShare > 0.99 ? "  -> every output depends on every input: f entangles all factors" : "  -> WARNING: some partial derivatives vanish")

        let dataset = try DatasetRegistry.groundTruthDataset(named: data)
        print("\nMetrics on \(data) factors: identity codes vs the same codes entangled by f (same marginals)")
        print("  metric       identity  entangled")
        for s in try scoreIdentityVersusEntangled(dataset: dataset, seed: seed) {
            print("  " + s.metric.padding(toLength: 11, withPad: " ", startingAt: 0) + String(format: "  %.3f     %.3f", s.identity, s.entangled))
        }
        print("An unsupervised learner sees only the data distribution, which is the same for both codes.")
    }
}
