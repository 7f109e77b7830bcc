import Foundation

/// `latent data export`: draws of a data set as .npy files a Python script can read.
public enum DataSetExport {
    /// Writes `count` draws of the data set `name` (random choices from `seed`) into the directory
    /// `out`: points.npy for toys; images.npy (uint8, channels last) with factors.npy or labels.npy
    /// for image sets. Returns one "file dtype shape" line per file written; throws for an unknown
    /// name or more images than the set holds.
    public static func write(_ name: String, count n: Int, seed: UInt64, to out: String) throws -> [String] {
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
                data.isBinary ? (v > 0.5 ? 1 : 0) : UInt8(Swift.max(0, Swift.min(255, (v * 255).rounded())))
            }
            try write(channelsLast(bytes, n: n, shape: data.observationShape), "images.npy")
            try write(NDArray(shape: [n, data.numberOfFactors], values: .int64(factors.flatMap { $0.map(Int64.init) })), "factors.npy")
        case .images(let set):
            guard n <= set.count else {
                throw LatentError("\(set.name) has \(set.count) images, --n \(n) asks for more")
            }
            let picked = Array(rng.permutation(set.count).prefix(n))
            let m = set.channels * set.height * set.width
            let bytes = picked.flatMap { set.pixels[($0 * m)..<(($0 + 1) * m)] }
            try write(channelsLast(bytes, n: n, shape: set.imageShape), "images.npy")
            if let labels = set.labels {
                try write(NDArray(shape: [n], values: .int64(picked.map { Int64(labels[$0]) })), "labels.npy")
            }
        }
        return written
    }

    /// (N, C, H, W) bytes as stored on disk: (N, H, W) for one channel, else (N, H, W, C).
    static func channelsLast(_ bytes: [UInt8], n: Int, shape: [Int]) -> NDArray {
        let (c, h, w) = (shape[0], shape[1], shape[2])
        if c == 1 { return NDArray(shape: [n, h, w], values: .uint8(bytes)) }
        var t = [UInt8](repeating: 0, count: bytes.count)
        for i in 0..<n { for k in 0..<c { for p in 0..<(h * w) { t[(i * h * w + p) * c + k] = bytes[(i * c + k) * h * w + p] } } }
        return NDArray(shape: [n, h, w, c], values: .uint8(t))
    }
}
