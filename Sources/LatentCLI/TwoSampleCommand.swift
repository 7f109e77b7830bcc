// `latent twosample`: an MMD or classifier two-sample test on two .npy sample sets.
import ArgumentParser
import Foundation
import Latent

struct TwoSample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "twosample",
        abstract: "Two-sample test on two .npy sample sets (rows are examples): MMD (Gaussian kernel, median heuristic, permutation p-value) or a classifier test (c2st).")

    @Argument(help: "First sample set (.npy, shape (n, ...)).")
    var a: String
    @Argument(help: "Second sample set (.npy, shape (m, ...)).")
    var b: String
    @Option(help: "mmd or c2st.")
    var test: String = "mmd"
    @Option(help: "Permutations for the MMD p-value.")
    var permutations: Int = 200
    @Option(help: "Largest number of examples used from each set (random subsample beyond).")
    var maxSamples: Int = 2000
    @Option(help: "Random seed (subsampling, permutations, classifier).")
    var seed: UInt64 = 0
    @Flag(help: "Print one JSON object: test, statistic, p_value, n_a, n_b and details.")
    var json = false

    func run() throws {
        guard let kind = TwoSampleTestKind(rawValue: test) else { throw ValidationError("--test must be mmd or c2st, got '\(test)'") }
        guard permutations >= 1 else { throw ValidationError("--permutations must be at least 1") }
        let xa = try NDArray.readNpy(a).tensor(name: a), xb = try NDArray.readNpy(b).tensor(name: b)
        guard xa.rank >= 1, xb.rank >= 1, Array(xa.shape.dropFirst()) == Array(xb.shape.dropFirst()) || xa.count / max(xa.shape[0], 1) == xb.count / max(xb.shape[0], 1) else {
            throw LatentError("\(a) has examples of shape \(Array(xa.shape.dropFirst())), \(b) of shape \(Array(xb.shape.dropFirst())); they must match")
        }
        var rng = RandomGenerator(seed: seed)
        let r: TwoSampleTestResult
        switch kind {
        case .mmd: r = MMDTest(permutations: permutations, maxSamples: maxSamples).run(xa, xb, rng: &rng)
        case .c2st:
            guard min(xa.shape[0], xb.shape[0]) >= 4 else { throw LatentError("c2st needs at least 4 examples in each set") }
            r = ClassifierTwoSampleTest(maxSamples: maxSamples).run(xa, xb, rng: &rng)
        }
        if json { print(r.json()); return }
        print("\(r.test): n_a \(r.nA), n_b \(r.nB)")
        switch kind {
        case .mmd:
            print(String(format: "MMD^2 (unbiased) %.6g, bandwidth %.4g (median heuristic), p-value %.4g (%d permutations)",
                         r.statistic, r.details["bandwidth"] ?? .nan, r.pValue, permutations))
        case .c2st:
            print(String(format: "held-out accuracy %.4f on %d examples, p-value %.4g (binomial, chance 1/2)",
                         r.statistic, Int(r.details["test_examples"] ?? 0), r.pValue))
        }
        print(r.pValue < 0.05 ? "reject H0 (same distribution) at the 5% level" : "no evidence against H0 at the 5% level")
    }
}

