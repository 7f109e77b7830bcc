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
        let source = try GANData.named(data)
        var rng = RandomGenerator(seed: seed)
        var dataRng = rng.forked(stream: 1)
        let all = source.rows(trainSize + testSize, rng: &dataRng)
        let train = all.slice(axis: 0, 0..<trainSize).detached()
        let test = all.slice(axis: 0, trainSize..<(trainSize + testSize)).detached()
        var demo = LikelihoodVsSamples(train: train, test: test, epsilon: epsilon)
        demo.permutations = permutations
        let dims = train.shape[1]
        print("data \(data): \(trainSize) training and \(testSize) held-out points, \(dims) dimensions\(source.isToy ? "" : " (pixels dequantized: (v + U) / 256)")")
        let rows = demo.run(sampleCount: samples, rng: &rng)

        print("")
        print("model  held-out LL (nats)  bits/dim   MMD^2      MMD p    C2ST acc  C2ST p     what")
        for r in rows {
            print(r.name.padding(toLength: 5, withPad: " ", startingAt: 0)
                  + String(format: "  %18.2f  %8.3f  %9.3g  %7.3f  %8.3f  %9.3g", r.heldOutLogLikelihood, r.bitsPerDimension,
                           r.mmd.statistic, r.mmd.pValue, r.c2st.statistic, r.c2st.pValue) + "  " + r.summary)
        }
        let p = rows[0], p1 = rows[1], p2 = rows[2]
        print("")
        print(String(format: "p1 vs p: held-out LL %.1f nats lower, yet its samples look like held-out data to the two-sample tests (MMD p %.2f, C2ST accuracy %.2f, chance 0.5).",
                     p.heldOutLogLikelihood - p1.heldOutLogLikelihood, p1.mmd.pValue, p1.c2st.statistic))
        print(String(format: "p2 vs p: held-out LL differs by %+.2f nats (never below -log 100 = -%.2f, i.e. %.4f bits/dim), yet 99%% of its samples are noise (MMD p %.3g, C2ST accuracy %.2f).",
                     p2.heldOutLogLikelihood - p.heldOutLogLikelihood, Foundation.log(100.0), Foundation.log(100.0) / (Double(dims) * Foundation.log(2.0)),
                     p2.mmd.pValue, p2.c2st.statistic))

        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let path = out + "/samples.png"
        try LikelihoodVsSamples.samplesPicture(test: test, reports: rows, data: source).writePNG(path)
        print("wrote \(path) (left to right: held-out data, p, p1, p2)")
    }
}
