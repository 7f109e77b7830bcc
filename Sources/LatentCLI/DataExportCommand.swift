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
        var rng = RandomGenerator(seed: seed)
        var written: [String] = []
        func write(_ array: NDArray, _ file: String) throws {
            try array.writeNpy(out + "/" + file)
            written.append("\(file) \(array.dtype.rawValue) \(array.shape)")
        }
        switch try DatasetRegistry.dataset(named: name) {
        case .toy(let toy):
            let x = toy.sample(n, rng: &rng)
            try write(NDArray(shape: [n, 2], values: .float32(x.scalars)), "points.npy")
        case .groundTruth(let data):
            let factors = data.sampleFactors(n, rng: &rng)
            let x = data.observations(fromFactors: factors, rng: &rng)
            let bytes = x.scalars.map { v -> UInt8 in
                data.isBinary ? (v > 0.5 ? 1 : 0) : UInt8(max(0, min(255, (v * 255).rounded())))
            }
            try write(channelsLast(bytes, n: n, shape: data.observationShape), "images.npy")
            try write(NDArray(shape: [n, data.numberOfFactors], values: .int64(factors.flatMap { $0.map(Int64.init) })), "factors.npy")
        case .images(let set):
            guard n <= set.count else {
                throw ValidationError("\(set.name) has \(set.count) images, --n \(n) asks for more")
            }
            let picked = Array(rng.permutation(set.count).prefix(n))
            let m = set.channels * set.height * set.width
            let bytes = picked.flatMap { set.pixels[($0 * m)..<(($0 + 1) * m)] }
            try write(channelsLast(bytes, n: n, shape: set.imageShape), "images.npy")
            if let labels = set.labels {
                try write(NDArray(shape: [n], values: .int64(picked.map { Int64(labels[$0]) })), "labels.npy")
            }
        }
        for w in written { print("wrote \(out)/\(w)") }
    }

    /// (N, C, H, W) bytes as stored on disk: (N, H, W) for one channel, else (N, H, W, C).
    func channelsLast(_ bytes: [UInt8], n: Int, shape: [Int]) -> NDArray {
        let (c, h, w) = (shape[0], shape[1], shape[2])
        if c == 1 { return NDArray(shape: [n, h, w], values: .uint8(bytes)) }
        var t = [UInt8](repeating: 0, count: bytes.count)
        for i in 0..<n { for k in 0..<c { for p in 0..<(h * w) { t[(i * h * w + p) * c + k] = bytes[(i * c + k) * h * w + p] } } }
        return NDArray(shape: [n, h, w, c], values: .uint8(t))
    }
}
