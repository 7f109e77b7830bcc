// `latent traverse`: latent traversals of a VAE run as a picture.
import ArgumentParser
import Foundation
import Latent
import LatentMPI

struct Traverse: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Latent traversals of a VAE run as a PNG: one row per latent, one column per value.")
    @Argument(help: "Run directory.") var dir: String
    @Option(help: "Output PNG.") var out = "traversal.png"
    @Option(help: "Examples whose encoder means are traversed.") var examples = 1
    @Option(help: "Values per latent.") var steps = 9
    @Option(help: "Largest |value|: latents sweep [-range, range].") var range: Float = 2.5
    @Option var seed: UInt64 = 0

    func run() throws {
        let (_, _, model, data) = try VAERun.open(dir)
        let (x, _) = try data.evaluationSet(examples, seed: seed)
        try VAEPictures.traversalGrid(model, x, range: -range...range, steps: steps).writePNG(out)
        print("wrote \(out) (\(model.latentDimensions) latents x \(steps) values, \(x.shape[0]) example(s))")
    }
}
