// `latent data show`: a picture of a data set.
import ArgumentParser
import Foundation
import Latent

struct DataShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Render samples to a PNG: ground-truth sets one row per factor sweeping its values, images a grid, 2-D toys a scatter plot.")

    @Argument(help: "Data set name, e.g. dsprites, two-moons, fashion-mnist, idx:PATH.")
    var name: String

    @Option(help: "Output PNG path.")
    var out: String

    @Option(help: "Seed for the samples shown (noise and colours of a sweep, the images and points picked).")
    var seed: UInt64 = 0

    func run() throws {
        let image = try DataPictures.overview(of: name, seed: seed)
        try image.writePNG(out)
        print("wrote \(out) (\(image.width)x\(image.height))")
    }
}
