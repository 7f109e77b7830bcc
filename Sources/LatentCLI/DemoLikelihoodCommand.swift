// `latent demo likelihood`: held-out likelihood against sample quality, the two counter-examples.
import ArgumentParser
import Foundation
import Latent

struct DemoLikelihood: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "likelihood",
        abstract: "Likelihood is not sample quality: a tiny-bandwidth KDE (great samples, terrible held-out likelihood) and 0.01 p + 0.99 noise (likelihood within log 100 nats of p, noisy samples).")

    @Option(help: "Data set: 8gaussians (or another 2-D toy), fashion-mnist, dsprites, shapes-tiny, idx:PATH.")
    var data: String = "8gaussians"
    @Option(help: "Training points (the KDEs' centres).")
    var trainSize: Int = 2000
    @Option(help: "Held-out points.")
    var testSize: Int = 500
    @Option(help: "p1's bandwidth epsilon (in data units; images are in [0, 1]).")
    var epsilon: Double = 0.01
    @Option(help: "Samples drawn from each model for the two-sample tests.")
    var samples: Int = 500
    @Option(help: "Permutations for the MMD p-values.")
    var permutations: Int = 200
    @Option(help: "Random seed.")
    var seed: UInt64 = 0
    @Option(help: "Directory for the sample pictures.")
    var out: String = "runs/demo-likelihood"

    func run() throws {
        let lines = try LikelihoodVsSamples.demonstrate(data: data, trainSize: trainSize, testSize: testSize, epsilon: epsilon,
                                                        samples: samples, permutations: permutations, seed: seed, out: out)
        for line in lines { print(line) }
    }
}
