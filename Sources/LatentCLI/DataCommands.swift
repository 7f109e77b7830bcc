import ArgumentParser
import Foundation
import Latent

/// `latent data show|export|list`: look at and export what models train on.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Show, export and list the data sets (names as in `latent data list`).",
        subcommands: [DataShow.self, DataExport.self, DataList.self]
    )
}

struct DataList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "The data set names.")

    func run() throws {
        for name in DatasetRegistry.names { print(name) }
    }
}

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
        var rng = RandomGenerator(seed: seed)
        let image: RGBImage
        switch try DatasetRegistry.dataset(named: name) {
        case .toy(let toy):
            let p = toy.sample(2000, rng: &rng).scalars
            image = Plot.scatter(title: "\(toy.name) (2000 samples, seed \(seed))",
                                 points: (0..<2000).map { (Double(p[2 * $0]), Double(p[2 * $0 + 1])) })
        case .groundTruth(let data):
            image = factorSweeps(data, rng: &rng)
        case .images(let set):
            let n = min(64, set.count)
            let picked = Array(rng.permutation(set.count).prefix(n))
            image = RGBImage.grid(set.floats(picked), columns: 8, scale: set.height < 48 ? 3 : 1)
        }
        try image.writePNG(out)
        print("wrote \(out) (\(image.width)x\(image.height))")
    }

    /// One row per factor: the base row (every factor at its middle value) with that factor
    /// swept over (up to 16 evenly spaced values of) its range, the factor name on the left.
    func factorSweeps(_ data: any GroundTruthDataset, rng: inout RandomGenerator) -> RGBImage {
        let maxColumns = 16
        let base = data.factorSizes.map { $0 / 2 }
        let h = data.observationShape[1]
        let scale = max(1, 48 / h)
        var rows: [RGBImage] = []
        for (f, size) in data.factorSizes.enumerated() {
            let k = min(size, maxColumns)
            let values = (0..<k).map { k == 1 ? 0 : Int((Double($0) * Double(size - 1) / Double(k - 1)).rounded()) }
            let factorRows = values.map { v -> [Int] in var r = base; r[f] = v; return r }
            rows.append(RGBImage.grid(data.observations(fromFactors: factorRows, rng: &rng), columns: maxColumns, scale: scale))
        }
        let labelWidth = 12 * 6 * 2 + 8
        let title = 24
        var canvas = RGBImage(width: labelWidth + rows.map(\.width).max()!, height: title + rows.map(\.height).reduce(0, +),
                              background: .white)
        canvas.drawText("\(data.name): one row per factor, base factors \(base)", x: 6, y: 6, scale: 2)
        var y = title
        for (f, row) in rows.enumerated() {
            canvas.drawText(data.factorNames[f], x: 6, y: y + row.height / 2 - 7, scale: 2)
            canvas.paste(row, x: labelWidth, y: y)
            y += row.height
        }
        return canvas
    }
}

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
