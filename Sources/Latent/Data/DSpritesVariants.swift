/// A one-channel ground-truth set as 3 channels plus independent U(0, 1) noise per pixel
/// and channel, clipped at 1 (disentanglement_lib's noisy dSprites). Background pixels
/// are pure noise, sprite pixels are exactly 1.
///
/// ```swift
/// let noisy = NoisyVariant(DSprites())   // name "noisy-dsprites", observations (n, 3, 64, 64)
/// ```
public struct NoisyVariant<Base: GroundTruthDataset>: GroundTruthDataset {
    /// The one-channel data set whose sprites get the noise.
    public let base: Base

    /// Noisy observations of `base`; stops the program unless `base` has one channel.
    public init(_ base: Base) {
        check(base.observationShape.first == 1, "NoisyVariant: base \(base.name) must have one channel, has shape \(base.observationShape)")
        self.base = base
    }

    /// `noisy-` followed by the base's name (`noisy-dsprites`).
    public var name: String { "noisy-" + base.name }
    /// The base's factor names (the noise is not a factor).
    public var factorNames: [String] { base.factorNames }
    /// The number of values of each factor, as in the base.
    public var factorSizes: [Int] { base.factorSizes }
    /// The base's shape with 3 channels: (3, H, W).
    public var observationShape: [Int] { [3] + base.observationShape.dropFirst() }

    /// The base's observations copied into 3 channels plus U(0, 1) noise per pixel and channel,
    /// clipped at 1: shape (n, 3, H, W). The noise comes from `rng` after the base's own draws.
    public func observations(fromFactors factors: [[Int]], rng: inout RandomGenerator) -> Tensor {
        let sprite = base.observations(fromFactors: factors, rng: &rng)
        let n = factors.count, plane = sprite.count / Swift.max(n, 1)
        var out = rng.uniform([n] + observationShape)
        sprite.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                for i in 0..<n {
                    for c in 0..<3 {
                        let src = s.baseAddress! + i * plane, dst = o.baseAddress! + (i * 3 + c) * plane
                        for p in 0..<plane { dst[p] = Swift.min(dst[p] + src[p], 1) }
                    }
                }
            }
        }
        return out
    }
}

/// A one-channel ground-truth set times one random colour per image, each channel
/// U(0.5, 1), on a black background (disentanglement_lib's color dSprites).
///
/// ```swift
/// let color = ColorVariant(DSprites())   // name "color-dsprites", observations (n, 3, 64, 64)
/// ```
public struct ColorVariant<Base: GroundTruthDataset>: GroundTruthDataset {
    /// The one-channel data set whose sprites get coloured.
    public let base: Base

    /// Coloured observations of `base`; stops the program unless `base` has one channel.
    public init(_ base: Base) {
        check(base.observationShape.first == 1, "ColorVariant: base \(base.name) must have one channel, has shape \(base.observationShape)")
        self.base = base
    }

    /// `color-` followed by the base's name (`color-dsprites`).
    public var name: String { "color-" + base.name }
    /// The base's factor names (the colour is not a factor).
    public var factorNames: [String] { base.factorNames }
    /// The number of values of each factor, as in the base.
    public var factorSizes: [Int] { base.factorSizes }
    /// The base's shape with 3 channels: (3, H, W).
    public var observationShape: [Int] { [3] + base.observationShape.dropFirst() }

    /// The base's observations times one colour per image, each channel U(0.5, 1): shape
    /// (n, 3, H, W), zero pixels staying black. The colours come from `rng` after the base's own draws.
    public func observations(fromFactors factors: [[Int]], rng: inout RandomGenerator) -> Tensor {
        let sprite = base.observations(fromFactors: factors, rng: &rng)
        let n = factors.count, plane = sprite.count / Swift.max(n, 1)
        let colours = rng.uniform([n, 3], low: 0.5, high: 1).scalars
        var out = Tensor.zeros([n] + observationShape)
        sprite.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                for i in 0..<n {
                    for c in 0..<3 {
                        let k = colours[i * 3 + c]
                        let src = s.baseAddress! + i * plane, dst = o.baseAddress! + (i * 3 + c) * plane
                        for p in 0..<plane { dst[p] = src[p] * k }
                    }
                }
            }
        }
        return out
    }
}
