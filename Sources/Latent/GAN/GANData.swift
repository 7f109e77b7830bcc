import Foundation

/// Training data for the GAN commands, in model space: toy points as they are,
/// images scaled to [-1, 1] (the generators end in tanh).
public struct GANData: Sendable {
    /// The data set's command-line name.
    public let name: String
    /// Shape of one example as stored (channels, height, width for images; [2] for toys).
    public let exampleShape: [Int]
    /// Whether the data are 2-D toy points (else images).
    public let isToy: Bool
    /// Draws n examples in model space.
    public let draw: @Sendable (Int, inout RandomGenerator) -> Tensor
    /// Stored images, when the data are a finite set (drawn without replacement for held-out splits).
    public var imageSet: ImageSet? = nil

    /// The data set a command-line name denotes (toys, image sets, ground-truth sets); throws for an unknown name.
    public static func named(_ name: String) throws -> GANData {
        switch try DatasetRegistry.dataset(named: name) {
        case .toy(let toy):
            return GANData(name: name, exampleShape: [2], isToy: true) { n, rng in toy.sample(n, rng: &rng) }
        case .images(let set):
            return GANData(name: name, exampleShape: set.imageShape, isToy: false, draw: { n, rng in
                let idx = (0..<n).map { _ in rng.int(below: set.count) }
                return set.floats(idx) * 2 - 1
            }, imageSet: set)
        case .groundTruth(let g):
            return GANData(name: name, exampleShape: g.observationShape, isToy: false) { n, rng in
                g.observations(fromFactors: g.sampleFactors(n, rng: &rng), rng: &rng) * 2 - 1
            }
        }
    }

    /// Data rows for likelihood and two-sample work: toys as they are; images in [0, 1],
    /// dequantized with uniform noise ((pixel + u) / 256) so continuous densities are comparable.
    /// Stored image sets give `n` distinct images, so training and held-out rows cut from one
    /// call never share an image.
    public func rows(_ n: Int, rng: inout RandomGenerator) -> Tensor {
        let x: Tensor
        if let set = imageSet {
            check(n <= set.count, "\(name) has \(set.count) images, \(n) requested")
            x = set.floats(rng.permutation(set.count).prefix(n)) * 2 - 1
        } else {
            x = draw(n, &rng)
        }
        if isToy { return x }
        let pixels = (x + 1) * 0.5 * 255
        return dequantized(pixels, rng: &rng).reshaped([n, -1]).detached()
    }
}

/// A scatter of real and generated 2-D points side by side on one range.
public func toyPicture(real: Tensor, fake: Tensor, title: String) -> RGBImage {
    func pts(_ t: Tensor) -> [(Double, Double)] {
        let v = t.scalars
        return (0..<t.shape[0]).map { (Double(v[2 * $0]), Double(v[2 * $0 + 1])) }
    }
    let range = (x: -4.0...4.0, y: -4.0...4.0)
    return Plot.sideBySide([Plot.scatter(title: "data", points: pts(real), range: range, color: .blue),
                            Plot.scatter(title: title, points: pts(fake), range: range, color: .orange)])
}

