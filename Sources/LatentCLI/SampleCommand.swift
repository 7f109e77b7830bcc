// `latent sample`: samples of a flow run as .npy (and a picture).
import ArgumentParser
import Foundation
import Latent

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw samples from a trained run into a .npy file, with a PNG beside it for 2-D and image data.",
        discussion: "2-D/vector runs write float32 (N, D) points; image runs write uint8 (N, C, H, W) pixels floor(256 y).")
    @Argument(help: "Run directory.") var dir: String
    @Option(parsing: .unconditional) var n = 1000
    @Option(parsing: .unconditional) var seed: UInt64 = 0
    @Option(parsing: .unconditional, help: "Base noise scale (1 = the model; below 1 gives cleaner image samples).") var temperature: Float = 1
    @Option(help: "Output .npy path.") var out = "samples.npy"

    func run() throws {
        guard n > 0, n <= 10_000_000 else { throw LatentError("--n must be in 1...10000000, got \(n)") }
        guard temperature.isFinite, temperature > 0, temperature <= 10 else { throw LatentError("--temperature must be in (0, 10], got \(temperature)") }
        let (_, trainer) = try openFlowRun(dir)
        var rng = RandomGenerator(seed: seed, stream: 2000)
        let xs = trainer.sample(n, temperature: temperature, rng: &rng)
        let png = (out.hasSuffix(".npy") ? String(out.dropLast(4)) : out) + ".png"
        if trainer.data.isImages {
            let pixels = xs.scalars.map { UInt8(Swift.max(0, Swift.min(255, ($0 * 256).rounded(.down)))) }
            try NDArray(shape: xs.shape, values: .uint8(pixels)).writeNpy(out)
            try RGBImage.grid(xs.slice(axis: 0, 0..<Swift.min(n, 100)), scale: 2).writePNG(png)
            print("wrote \(out) (uint8 pixels) and \(png)")
        } else if trainer.model.eventShape == [2] {
            try NDArray(xs).writeNpy(out)
            let range = referencePoints(trainer.data, 20000, seed: trainer.config.seed).map(plotRange(for:)) ?? plotRange(for: xs)
            try samplesPicture(xs, data: nil, range: range).writePNG(png)
            print("wrote \(out) and \(png)")
        } else {
            try NDArray(xs).writeNpy(out)
            print("wrote \(out)")
        }
    }
}
