/// A one-channel ground-truth set as 3 channels plus independent U(0, 1) noise per pixel
/// and channel, clipped at 1 (disentanglement_lib's noisy dSprites). Background pixels
/// are pure noise, sprite pixels are exactly 1.
///
/// ```swift
/// let noisy = NoisyVariant(DSprites())   // name "noisy-dsprites", observations (n, 3, 64, 64)
/// ```
public struct NoisyVariant<Base: GroundTruthDataset>: GroundTruthDataset {
    public let base: Base

    public init(_ base: Base) {
        check(base.observationShape.first == 1, "NoisyVariant: base \(base.name) must have one channel, has shape \(base.observationShape)")
        self.base = base
    }

    public var name: String { "noisy-" + base.name }
    public var factorNames: [String] { base.factorNames }
    public var factorSizes: [Int] { base.factorSizes }
    public var observationShape: [Int] { [3] + base.observationShape.dropFirst() }

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
    public let base: Base

    public init(_ base: Base) {
        check(base.observationShape.first == 1, "ColorVariant: base \(base.name) must have one channel, has shape \(base.observationShape)")
        self.base = base
    }

    public var name: String { "color-" + base.name }
    public var factorNames: [String] { base.factorNames }
    public var factorSizes: [Int] { base.factorSizes }
    public var observationShape: [Int] { [3] + base.observationShape.dropFirst() }

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
