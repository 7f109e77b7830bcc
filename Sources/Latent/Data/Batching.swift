/// How 8-bit pixels become the floats a model sees. Recorded in a run's config
/// (``ImageBatcher/dataSpec``): likelihoods under different encodings are not comparable,
/// and static and dynamic binarisation in particular must never be mixed.
public enum PixelEncoding: String, CaseIterable, Sendable {
    /// x / maxValue in [0, 1] (x / 255 for 8-bit data): VAEs with Bernoulli/Gaussian decoders, GANs.
    case scaled
    /// Each pixel Bernoulli(x / maxValue), resampled for every batch.
    case dynamicBinarized = "dynamic-binarized"
    /// Each pixel Bernoulli(x / maxValue) sampled once for the whole data set with a fixed seed.
    case staticBinarized = "static-binarized"
    /// The 8-bit values 0...255 as floats, for flows that dequantize with (x + u) / 256.
    case raw8bit = "raw-8bit"
}

/// Mini-batches of an ``ImageSet``: a fresh permutation every epoch, optional drop-last,
/// and one ``PixelEncoding``.
///
/// Randomness is a pure function of the seeds and the epoch number: epoch e shuffles with
/// stream `shuffleStream + e` of `seed`, and dynamic binarisation of epoch e draws from stream
/// `binarizeStream + e`; static binarisation uses `binarizationSeed`. So epoch 7 is the same
/// whether or not epochs 0-6 were run in this process.
///
/// ```swift
/// let batcher = ImageBatcher(images: try FashionMNIST.load(), batchSize: 64, encoding: .dynamicBinarized, seed: 1)
/// for batch in batcher.epoch(0) { let x = batch.x }   // (64, 1, 28, 28) of 0/1
/// ```
public struct ImageBatcher: Sendable {
    /// Base stream of the epoch shuffles: epoch e permutes the images with stream
    /// `shuffleStream + e` of ``ImageBatcher/seed``.
    public static let shuffleStream: UInt64 = EpochOrder.shuffleStream
    /// Base stream of binarisation: dynamic binarisation of epoch e draws from stream
    /// `binarizeStream + e` of ``ImageBatcher/seed``; static binarisation draws once from stream
    /// `binarizeStream - 1` of ``ImageBatcher/binarizationSeed``.
    public static let binarizeStream: UInt64 = 0x4249_4E41_0000_0000

    /// The images the batches are cut from.
    public let images: ImageSet
    /// Images per batch; the last batch of an epoch holds fewer when ``ImageBatcher/dropLast``
    /// is false and the count is not a multiple.
    public let batchSize: Int
    /// How the 8-bit pixels of every batch become floats.
    public let encoding: PixelEncoding
    /// Whether an epoch leaves out its last, incomplete batch (the default) or keeps it.
    public let dropLast: Bool
    /// Whether each epoch visits the images in a fresh permutation (the default); when false
    /// every epoch goes in index order.
    public let shuffle: Bool
    /// Seed of the epoch permutations and of dynamic binarisation.
    public let seed: UInt64
    /// Seed of the one-time draw of static binarisation; the other encodings ignore it.
    public let binarizationSeed: UInt64
    /// 0/1 pixels fixed once, for static binarisation.
    let staticBits: [UInt8]?

    /// Batches of `images`; with `.staticBinarized` the 0/1 pixels of the whole set are drawn
    /// here, once. Stops the program if `batchSize` is not positive.
    public init(images: ImageSet, batchSize: Int, encoding: PixelEncoding = .scaled, dropLast: Bool = true,
                shuffle: Bool = true, seed: UInt64, binarizationSeed: UInt64 = 0) {
        check(batchSize > 0, "ImageBatcher: batch size must be positive, got \(batchSize)")
        self.images = images
        self.batchSize = batchSize
        self.encoding = encoding
        self.dropLast = dropLast
        self.shuffle = shuffle
        self.seed = seed
        self.binarizationSeed = binarizationSeed
        if encoding == .staticBinarized {
            var rng = RandomGenerator(seed: binarizationSeed, stream: Self.binarizeStream - 1)
            staticBits = Self.binarize(images.pixels, maxValue: images.maxValue, rng: &rng)
        } else {
            staticBits = nil
        }
    }

    /// Batches per epoch: floor(n / batch) with drop-last, else ceil.
    public var batchesPerEpoch: Int {
        dropLast ? images.count / batchSize : (images.count + batchSize - 1) / batchSize
    }

    /// The image indices of each batch of epoch `epoch`.
    public func indices(epoch: Int) -> [[Int]] {
        var order = Array(0..<images.count)
        if shuffle { order = EpochOrder.permutation(count: images.count, epoch: epoch, seed: seed) }
        return (0..<batchesPerEpoch).map { b in
            Array(order[(b * batchSize)..<Swift.min((b + 1) * batchSize, order.count)])
        }
    }

    /// One batch: the encoded images (k, C, H, W) and their labels.
    public struct Batch: Sendable {
        /// The encoded images, (k, C, H, W), in the order of ``ImageBatcher/Batch/indices``.
        public let x: Tensor
        /// The positions of these images in ``ImageBatcher/images``.
        public let indices: [Int]
        /// The class label of each image, in batch order; nil when the image set has no labels.
        public let labels: [Int]?
    }

    /// The encoded images at `indices`; `rng` drives dynamic binarisation only.
    public func batch(_ indices: [Int], rng: inout RandomGenerator) -> Batch {
        let m = images.imageBytes
        var bytes = [UInt8](repeating: 0, count: indices.count * m)
        let source = staticBits ?? images.pixels
        for (k, i) in indices.enumerated() {
            check(i >= 0 && i < images.count, "\(images.name): image index \(i) out of range 0..<\(images.count)")
            for p in 0..<m { bytes[k * m + p] = source[i * m + p] }
        }
        let values: [Float]
        switch encoding {
        case .scaled:
            let s = 1 / Float(images.maxValue)
            values = bytes.map { Float($0) * s }
        case .dynamicBinarized:
            values = Self.binarize(bytes, maxValue: images.maxValue, rng: &rng).map(Float.init)
        case .staticBinarized:
            values = bytes.map(Float.init)
        case .raw8bit:
            values = bytes.map(Float.init)
        }
        return Batch(x: Tensor(shape: [indices.count] + images.imageShape, scalars: values),
                     indices: indices, labels: images.labels.map { l in indices.map { l[$0] } })
    }

    /// All batches of epoch `epoch`, built one at a time as the loop asks for them.
    public func epoch(_ epoch: Int) -> AnySequence<Batch> {
        let batches = indices(epoch: epoch)
        let me = self
        return AnySequence { () -> AnyIterator<Batch> in
            var rng = RandomGenerator(seed: me.seed, stream: Self.binarizeStream &+ UInt64(epoch))
            var it = batches.makeIterator()
            return AnyIterator { it.next().map { me.batch($0, rng: &rng) } }
        }
    }

    /// What a run records in `config.json` about its data: the data set name and how pixels
    /// became model inputs (encoding, scaling, binarisation and its seed, drop-last, shuffling).
    ///
    /// ```json
    /// {"name": "fashion-mnist", "preprocessing": {"encoding": "static-binarized",
    ///  "scaling": "bernoulli(x/255) once", "binarization": "static", "binarizationSeed": 0, ...}}
    /// ```
    public var dataSpec: RunConfig.DataSpec {
        var p: [String: JSONValue] = ["encoding": .string(encoding.rawValue), "dropLast": .bool(dropLast),
                                      "shuffle": .bool(shuffle), "shuffleSeed": .number(Double(seed))]
        switch encoding {
        case .scaled:
            p["scaling"] = .string("x/\(images.maxValue)"); p["binarization"] = .string("none")
        case .raw8bit:
            p["scaling"] = .string("none (raw 0...\(images.maxValue))"); p["binarization"] = .string("none")
        case .dynamicBinarized:
            p["scaling"] = .string("bernoulli(x/\(images.maxValue)) per batch"); p["binarization"] = .string("dynamic")
        case .staticBinarized:
            p["scaling"] = .string("bernoulli(x/\(images.maxValue)) once"); p["binarization"] = .string("static")
            p["binarizationSeed"] = .number(Double(binarizationSeed))
        }
        return RunConfig.DataSpec(name: images.name, preprocessing: p)
    }

    /// 0/1 bytes, each 1 with probability x / maxValue.
    static func binarize(_ bytes: [UInt8], maxValue: UInt8, rng: inout RandomGenerator) -> [UInt8] {
        let u = rng.uniform([bytes.count]).scalars
        let m = Float(maxValue)
        var out = [UInt8](repeating: 0, count: bytes.count)
        // Division (not a multiply by 1/m) makes x = maxValue exactly 1, so it always fires.
        for i in 0..<bytes.count where u[i] < Float(bytes[i]) / m { out[i] = 1 }
        return out
    }
}

/// Uniform dequantization of raw 8-bit values: (x + u) / 256 with u ~ U[0, 1), so discrete
/// pixels get a continuous density in [0, 1) (the standard treatment for flows). The one
/// definition: `UniformDequantizer` and the likelihood-vs-samples rows use it.
public func dequantized(_ raw8bit: Tensor, rng: inout RandomGenerator) -> Tensor {
    (raw8bit + rng.uniform(raw8bit.shape)) * (1 / 256)
}
