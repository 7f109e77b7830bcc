import Foundation

/// Training and evaluation data for VAEs: a ground-truth set (factors sampled uniformly for
/// every batch, images rendered in [0, 1]) or an image set through ``ImageBatcher``.
///
/// ```swift
/// let data = try VAEData(name: "shapes-tiny", batchSize: 64, seed: 0)
/// let x = data.batch(step: 0, rng: &rng)      // (64, 1, 16, 16)
/// ```
public final class VAEData {
    /// The data set's registry name, as given at init (such as "shapes-tiny" or "fashion-mnist").
    public let name: String
    /// The shape of one image, (C, H, W).
    public let observationShape: [Int]
    /// The ground-truth data set with its factors of variation; nil for image sets.
    public let groundTruth: (any GroundTruthDataset)?
    /// The shuffling, encoding batcher of an image set; nil for ground-truth sets.
    public let batcher: ImageBatcher?
    /// Images per training batch as requested; an image set's batcher uses at most the set's size.
    public let batchSize: Int
    private var cachedEpoch = -1
    private var cachedIndices: [[Int]] = []

    /// Loads the registry data set `name`: a ground-truth set, or an image set batched with `encoding` and
    /// `seed`; throws for 2-D point sets and for `raw8bit` encoding. `encoding` applies to image sets only
    /// (ground-truth sets are used as rendered).
    public init(name: String, batchSize: Int, encoding: PixelEncoding = .dynamicBinarized, seed: UInt64) throws {
        self.name = name
        self.batchSize = batchSize
        switch try DatasetRegistry.dataset(named: name) {
        case .toy:
            throw LatentError("data set `\(name)` is 2-D points; VAEs train on images (ground-truth sets: \(DatasetRegistry.groundTruthNames.joined(separator: ", ")), fashion-mnist, idx:PATH)")
        case .groundTruth(let g):
            groundTruth = g
            batcher = nil
            observationShape = g.observationShape
        case .images(let images):
            guard encoding != .raw8bit else { throw LatentError("VAEs need pixels in [0, 1]; encoding raw-8bit is for flows") }
            groundTruth = nil
            batcher = ImageBatcher(images: images, batchSize: Swift.min(batchSize, images.count), encoding: encoding, seed: seed)
            observationShape = images.imageShape
        }
    }

    /// Points in the data set (the factor grid of a ground-truth set).
    public var count: Int { groundTruth?.gridSize ?? batcher!.images.count }

    /// What config.json records about the data.
    public var dataSpec: RunConfig.DataSpec {
        if let batcher { return batcher.dataSpec }
        let binary = groundTruth!.isBinary
        return RunConfig.DataSpec(name: name, preprocessing: [
            "source": .string("factors sampled uniformly and independently per batch, images rendered"),
            "scaling": .string(binary ? "none (0/1 pixels)" : "none (rendered values in [0, 1])"),
            "binarization": .string("none"), "encoding": .string(binary ? "binary" : "continuous in [0, 1]"),
        ])
    }

    /// The training batch of step `step` (0-based), (batchSize, C, H, W) (fewer rows only for an image set
    /// smaller than a batch): fresh uniformly sampled factors for a ground-truth set (`step` unused), else
    /// batch `step % batchesPerEpoch` of epoch `step / batchesPerEpoch`.
    public func batch(step: Int, rng: inout RandomGenerator) -> Tensor {
        if let g = groundTruth {
            return g.observations(fromFactors: g.sampleFactors(batchSize, rng: &rng), rng: &rng)
        }
        let b = batcher!
        let epoch = step / b.batchesPerEpoch
        if epoch != cachedEpoch { cachedIndices = b.indices(epoch: epoch); cachedEpoch = epoch }
        return b.batch(cachedIndices[step % b.batchesPerEpoch], rng: &rng).x
    }

    /// Held-out evaluation points: n factor rows sampled with `seed` (ground-truth sets), or the
    /// first n test images (Fashion-MNIST's t10k; other image sets their first n), encoded as in
    /// training with randomness from `seed`.
    public func evaluationSet(_ n: Int, seed: UInt64) throws -> (x: Tensor, factors: [[Int]]?) {
        var rng = RandomGenerator(seed: seed, stream: 0x4556_414C)
        if let g = groundTruth {
            let f = g.sampleFactors(n, rng: &rng)
            return (g.observations(fromFactors: f, rng: &rng), f)
        }
        let b = batcher!
        var images = b.images
        if name == "fashion-mnist", case .images(let test) = try DatasetRegistry.dataset(named: name, split: .test) { images = test }
        let eval = ImageBatcher(images: images, batchSize: 1, encoding: b.encoding, shuffle: false, seed: seed, binarizationSeed: seed)
        return (eval.batch(Array(0..<Swift.min(n, images.count)), rng: &rng).x, nil)
    }
}
