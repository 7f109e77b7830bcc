/// `shapes-tiny`: a small synthetic ground-truth set for fast tests and smoke runs.
///
/// 16 x 16 binary images drawn with the dSprites renderer (`SpriteRenderer`), no rotation.
/// Factors (last fastest): shape 3 (square, ellipse, heart), scale 2 (0.7, 1),
/// posX 4 and posY 4 (linspace(0, 1, 4)); 96 images in all.
/// Geometry: centre = 16 * (0.25 + 0.5 * pos) per axis (y down), size R = 0.2 * 16 * scale
/// = 2.24 or 3.2 pixels (larger relative to the canvas than dSprites so the smallest
/// ellipse still covers several pixels).
public struct ShapesTiny: GroundTruthDataset, Sendable {
    /// Canvas width and height in pixels (16).
    public static let width = 16
    /// The 2 scales, 0.7 and 1, indexed by the `scale` factor.
    public static let scales = [0.7, 1.0]
    /// The 4 positions, linspace(0, 1, 4), indexed by the `posX` and `posY` factors.
    public static let positions = linspace(0, 1, 4)

    /// The command-line name, `shapes-tiny`.
    public let name = "shapes-tiny"
    /// The four factors in flat-index order: shape, scale, posX, posY.
    public let factorNames = ["shape", "scale", "posX", "posY"]
    /// Values per factor: 3 shapes, 2 scales, 4 x and 4 y positions (96 images).
    public let factorSizes = [3, 2, 4, 4]
    /// The shape (C, H, W) of one image: 1 channel of 16 x 16 pixels.
    public let observationShape = [1, 16, 16]
    /// Always true: every pixel is exactly 0 or 1.
    public var isBinary: Bool { true }

    /// The data set; it has no options, and images are rendered when asked for.
    public init() {}

    /// The rendered images of the factor rows, (n, 1, 16, 16) of 0/1. `rng` is not used.
    /// Stops the program on a factor value out of range.
    public func observations(fromFactors factors: [[Int]], rng: inout RandomGenerator) -> Tensor {
        let w = Self.width, wd = Double(w)
        var out = Tensor.zeros([factors.count, 1, w, w])
        out.withUnsafeMutableBufferPointer { buf in
            for (n, f) in factors.enumerated() {
                _ = index(ofFactors: f)  // checks the ranges
                SpriteRenderer.draw(SpriteShape(rawValue: f[0])!, into: buf.baseAddress! + n * w * w, width: w,
                                    centre: (wd * (0.25 + 0.5 * Self.positions[f[2]]), wd * (0.25 + 0.5 * Self.positions[f[3]])),
                                    radius: 0.2 * wd * Self.scales[f[1]], angle: 0)
            }
        }
        return out
    }
}
