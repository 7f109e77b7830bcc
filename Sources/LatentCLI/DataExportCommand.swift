// `latent data export`: a data set (or n draws of it) written to .npy files.
import ArgumentParser
import Foundation
import Latent

struct DataExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write N samples as .npy: images.npy (uint8, (N, H, W) or (N, H, W, C)) and factors.npy (int64 (N, F)) or labels.npy (int64 (N,)); points.npy (float32 (N, 2)) for 2-D toys.",
        discussion: """
        Binary sets (dsprites, shapes-tiny) store 0/1 like the original dSprites archive; \
        noisy and color variants store round(255 x). Ground-truth factors are sampled uniformly \
        and independently; image sets are sampled without replacement.
        """)

    @Argument(help: "Data set name, e.g. dsprites, two-moons, fashion-mnist, idx:PATH.")
    var name: String

    @Option(help: "Number of samples.")
    var n: Int

    @Option(help: "Seed of the sampling.")
    var seed: UInt64 = 0

    @Option(help: "Output directory (created if missing).")
    var out: String

    func validate() throws {
        guard n > 0 else { throw ValidationError("--n must be positive, got \(n)") }
    }

    func run() throws {
        for w in try DataSetExport.write(name, count: n, seed: seed, to: out) { print("wrote \(out)/\(w)") }
    }
}
