import Foundation

/// dSprites-compatible ground-truth data (Matthey et al. 2017): 64 x 64 binary sprites.
///
/// Factors (class indices, last fastest, the original order and flat index):
/// | factor | values |
/// |---|---|
/// | shape | 3: square, ellipse, heart |
/// | scale | 6: linspace(0.5, 1, 6) |
/// | orientation | 40: linspace(0, 2 pi, 40), both ends included (0 and 39 draw the same image) |
/// | posX | 32: linspace(0, 1, 32) |
/// | posY | 32: linspace(0, 1, 32) |
///
/// The original `color` factor has one value and is left out (as disentanglement_lib
/// does), which leaves the flat index unchanged:
/// index = shape*245760 + scale*40960 + orientation*1024 + posX*32 + posY.
///
/// The original renderer was never published, so images are drawn procedurally
/// (`SpriteRenderer`, no anti-aliasing) with this geometry on the 64-pixel canvas:
/// - centre x = 64 * (0.25 + 0.5 * posX), centre y = 64 * (0.25 + 0.5 * posY), y pointing down
///   (posY = 0 is the top), so the centre stays in the middle half of the image;
/// - size R = 0.15 * 64 * scale = 9.6 * scale pixels: square side 2R, ellipse semi-axes R and
///   R/2, heart about 2R wide; the worst case (rotated square, R sqrt 2 = 13.6 px) stays inside
///   the 16-pixel margin;
/// - orientation turns the sprite counter-clockwise on screen.
///
/// A user with the original `dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz` can serve its
/// images through the same interface (``DSprites/init(images:)``, ``DSprites/load(npz:)``).
///
/// ```swift
/// let data = DSprites()
/// var rng = RandomGenerator(seed: 0)
/// let x = data.observations(fromFactors: data.sampleFactors(64, rng: &rng), rng: &rng)  // (64, 1, 64, 64)
/// ```
public struct DSprites: GroundTruthDataset, Sendable {
    /// Canvas width and height in pixels (64).
    public static let width = 64
    /// The 6 scales, linspace(0.5, 1, 6), indexed by the `scale` factor.
    public static let scales = linspace(0.5, 1, 6)
    /// The 40 orientations in radians, linspace(0, 2 pi, 40) with both ends included, indexed
    /// by the `orientation` factor.
    public static let orientations = linspace(0, 2 * Double.pi, 40)
    /// The 32 positions, linspace(0, 1, 32), indexed by the `posX` and `posY` factors.
    public static let positions = linspace(0, 1, 32)
    /// Shape size at scale 1 as a fraction of the canvas width.
    public static let radiusFraction = 0.15

    /// The command-line name, `dsprites`.
    public let name = "dsprites"
    /// The five factors in flat-index order: shape, scale, orientation, posX, posY.
    public let factorNames = ["shape", "scale", "orientation", "posX", "posY"]
    /// Values per factor: 3 shapes, 6 scales, 40 orientations, 32 x and 32 y positions (737,280 images).
    public let factorSizes = [3, 6, 40, 32, 32]
    /// The shape (C, H, W) of one image: 1 channel of 64 x 64 pixels.
    public let observationShape = [1, 64, 64]
    /// Always true: every pixel is exactly 0 or 1.
    public var isBinary: Bool { true }

    /// Images of the original archive, 1 bit per pixel (512 bytes per image), in flat-index order;
    /// nil when rendering procedurally.
    let packedImages: [UInt8]?

    /// dSprites rendered procedurally on demand, with no archive needed.
    public init() { packedImages = nil }

    /// dSprites served from stored images: `images` holds all 737,280 images of 64 x 64 bytes
    /// (0 or 1, any nonzero counts as 1) in flat-index order, as the original `imgs` array.
    public init(images: [UInt8]) throws {
        let n = 737_280, pixels = 4096
        guard images.count == n * pixels else {
            throw LatentError("dsprites: expected \(n) images of 64x64 (\(n * pixels) bytes), got \(images.count) bytes")
        }
        self.init(packing: images)
    }

    /// Packs 0/1 bytes (whole 4096-byte images, flat-index order from index 0) at 1 bit per
    /// pixel, bit k of byte j holding pixel 8j + k. Tests pass a prefix of the grid.
    init(packing images: [UInt8]) {
        check(images.count % 4096 == 0, "dsprites: \(images.count) bytes are not whole 64x64 images")
        var packed = [UInt8](repeating: 0, count: images.count / 8)
        images.withUnsafeBufferPointer { src in
            for k in 0..<packed.count {
                var b: UInt8 = 0
                for bit in 0..<8 where src[8 * k + bit] != 0 { b |= 1 << UInt8(bit) }
                packed[k] = b
            }
        }
        packedImages = packed
    }

    /// Reads the original dSprites `.npz` (`imgs`, uint8 0/1, (737280, 64, 64); about 3 GB
    /// once inflated, kept at 1 bit per pixel afterwards).
    public static func load(npz path: String) throws -> DSprites {
        let arrays = try NDArray.readNpz(path, only: ["imgs"])
        guard let imgs = arrays["imgs"] else { throw LatentError.file(path, "no `imgs` array; is this the dSprites .npz?") }
        guard imgs.shape == [737_280, 64, 64], case .uint8(let bytes) = imgs.values else {
            throw LatentError.file(path, "`imgs` is \(imgs.dtype) \(imgs.shape), expected uint8 [737280, 64, 64]")
        }
        return try DSprites(images: bytes)
    }

    /// Whether images come from the original archive rather than the renderer.
    public var isFromArchive: Bool { packedImages != nil }

    /// The continuous latent values of a factor row, as the original `latents_values`
    /// (shape as 1, 2, 3; scale; orientation in radians; posX; posY).
    public func factorValues(_ f: [Int]) -> [Double] {
        [Double(f[0] + 1), Self.scales[f[1]], Self.orientations[f[2]], Self.positions[f[3]], Self.positions[f[4]]]
    }

    /// The images of the factor rows, (n, 1, 64, 64) of 0/1: read from the archive when there
    /// is one, else rendered. `rng` is not used. Stops the program on a factor value out of range
    /// or an image the stored archive lacks.
    public func observations(fromFactors factors: [[Int]], rng: inout RandomGenerator) -> Tensor {
        let w = Self.width, pixels = w * w
        var out = Tensor.zeros([factors.count, 1, w, w])
        out.withUnsafeMutableBufferPointer { buf in
            for (n, f) in factors.enumerated() {
                render(f, into: buf.baseAddress! + n * pixels)
            }
        }
        return out
    }

    /// Draws one factor row into a zeroed 64 x 64 canvas.
    func render(_ f: [Int], into canvas: UnsafeMutablePointer<Float>) {
        let index = self.index(ofFactors: f)  // also checks the ranges
        if let packed = packedImages {
            check(index * 512 < packed.count, "dsprites: image \(index) is not in the stored archive")
            let base = index * 512
            for p in 0..<4096 where packed[base + p >> 3] & (1 << UInt8(p & 7)) != 0 { canvas[p] = 1 }
            return
        }
        let w = Double(Self.width)
        SpriteRenderer.draw(SpriteShape(rawValue: f[0])!, into: canvas, width: Self.width,
                            centre: (w * (0.25 + 0.5 * Self.positions[f[3]]), w * (0.25 + 0.5 * Self.positions[f[4]])),
                            radius: Self.radiusFraction * w * Self.scales[f[1]],
                            angle: Self.orientations[f[2]])
    }
}
