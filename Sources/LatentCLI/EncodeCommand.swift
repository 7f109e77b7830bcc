// `latent encode`: a VAE run's codes (and ground-truth factors) as .npy.
import ArgumentParser
import Foundation
import Latent
import LatentMPI

struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Encode a data set with a VAE run into codes.npy (encoder means, or posterior samples with --sample).",
        discussion: """
        Without --n: every example in the data set's order (a ground-truth set's factor grid, last factor fastest).
        With --n: N ground-truth points with factors sampled from --seed (or the first N images of an image set).
        --factors writes the int64 class indices of each row, for `latent metrics`.
        """)
    @Argument(help: "Run directory.") var dir: String
    @Option(help: "Data set (default: the run's).") var data: String?
    @Option var n: Int?
    @Option var seed: UInt64 = 0
    @Flag(help: "Posterior samples z ~ q(z|x) instead of means.") var sample = false
    @Option(help: "Output .npy of codes.") var out: String
    @Option(help: "Output .npy of int64 factor classes (ground-truth sets).") var factors: String?

    func run() throws {
        let (_, config, model, runData) = try VAERun.open(dir)
        let vaeData = data.map { name in try? VAEData(name: name, batchSize: 64, encoding: .scaled, seed: seed) } ?? runData
        guard let vaeData else { throw ValidationError("cannot load data set '\(data!)'") }
        var rng = RandomGenerator(seed: seed, stream: 0x454E_434F)
        var rows: [[Int]]? = nil
        let x: Tensor
        if let g = vaeData.groundTruth {
            let f = n.map { g.sampleFactors($0, rng: &rng) } ?? (0..<g.gridSize).map { g.factors(atIndex: $0) }
            rows = f
            x = g.observations(fromFactors: f, rng: &rng)
        } else {
            guard factors == nil else { throw ValidationError("--factors needs a ground-truth data set; \(vaeData.name) has no factors") }
            let images = vaeData.batcher!.images
            let k = Swift.min(n ?? images.count, images.count)
            x = ImageBatcher(images: images, batchSize: 1, encoding: .scaled, shuffle: false, seed: seed).batch(Array(0..<k), rng: &rng).x
        }
        guard Array(x.shape.dropFirst()) == (try VAESpec(architecture: config.model.architecture)).inputShape else {
            throw ValidationError("data \(vaeData.name) has images \(Array(x.shape.dropFirst())); the run's model expects \((try VAESpec(architecture: config.model.architecture)).inputShape)")
        }
        let codes = sample ? model.encodeSamples(x, rng: &rng) : model.encodeMeans(x)
        try NDArray(codes).writeNpy(out)
        if let factors, let rows {
            let k = rows.first?.count ?? 0
            try NDArray(shape: [rows.count, k], values: .int64(rows.flatMap { $0.map(Int64.init) })).writeNpy(factors)
        }
        print("wrote \(out) (\(codes.shape[0]) x \(codes.shape[1]) \(sample ? "samples" : "means"))" + (factors.map { " and \($0)" } ?? ""))
    }
}
