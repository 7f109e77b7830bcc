import CZlib
import Foundation

/// An 8-bit RGB picture with a few drawing primitives, written as PNG.
///
/// ```swift
/// var img = RGBImage(width: 64, height: 64, background: .white)
/// img.fillRect(x: 8, y: 8, width: 16, height: 16, color: .blue)
/// try img.writePNG("square.png")
/// ```
public struct RGBImage: Equatable, Sendable {
    /// An RGB colour, 8 bits per channel.
    public struct Color: Equatable, Sendable {
        /// The red, green and blue intensities, 0...255.
        public var r, g, b: UInt8
        /// The colour with the given red, green and blue intensities.
        public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { self.r = r; self.g = g; self.b = b }
        /// White, black and a mid gray (150, 150, 150).
        public static let white = Color(255, 255, 255), black = Color(0, 0, 0), gray = Color(150, 150, 150)
        /// A light gray (225, 225, 225), the colour of plot grid lines.
        public static let lightGray = Color(225, 225, 225)
        /// Blue, orange and green of matplotlib's tab10 palette.
        public static let blue = Color(31, 119, 180), orange = Color(255, 127, 14), green = Color(44, 160, 44)
        /// Red, purple and brown of matplotlib's tab10 palette.
        public static let red = Color(214, 39, 40), purple = Color(148, 103, 189), brown = Color(140, 86, 75)
        /// Distinct colours for plot series (matplotlib's tab10 order).
        public static let palette: [Color] = [.blue, .orange, .green, .red, .purple, .brown,
                                              Color(227, 119, 194), Color(127, 127, 127), Color(188, 189, 34), Color(23, 190, 207)]
    }

    /// The size of the picture in pixels.
    public let width: Int, height: Int
    /// The pixels as row-major RGB triples from the top-left corner: width x height x 3 bytes.
    public var pixels: [UInt8]

    /// A picture of the given size (stops unless both are positive) filled with `background`.
    public init(width: Int, height: Int, background: Color = .white) {
        check(width > 0 && height > 0, "RGBImage: size \(width)x\(height) must be positive")
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) { pixels[3 * i] = background.r; pixels[3 * i + 1] = background.g; pixels[3 * i + 2] = background.b }
    }

    /// The colour of pixel (x, y), x to the right and y down from the top-left corner.
    /// Reading has no bounds check, so (x, y) must lie inside; writing outside does nothing.
    public subscript(x: Int, y: Int) -> Color {
        get { let i = 3 * (y * width + x); return Color(pixels[i], pixels[i + 1], pixels[i + 2]) }
        set {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            let i = 3 * (y * width + x)
            pixels[i] = newValue.r; pixels[i + 1] = newValue.g; pixels[i + 2] = newValue.b
        }
    }

    /// Fills the rectangle with top-left corner (x, y), clipped to the image.
    public mutating func fillRect(x: Int, y: Int, width w: Int, height h: Int, color: Color) {
        // Clipped to the image; a rectangle wholly outside draws nothing.
        let x0 = max(0, x), x1 = min(width, x + w), y0 = max(0, y), y1 = min(height, y + h)
        guard x0 < x1, y0 < y1 else { return }
        for yy in y0..<y1 {
            for xx in x0..<x1 { self[xx, yy] = color }
        }
    }

    /// A line from (x0, y0) to (x1, y1) (Bresenham), `thickness` pixels wide.
    public mutating func drawLine(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, color: Color, thickness: Int = 1) {
        var x = x0, y = y0
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var err = dx + dy
        let r = thickness / 2
        while true {
            if thickness <= 1 { self[x, y] = color } else { fillRect(x: x - r, y: y - r, width: thickness, height: thickness, color: color) }
            if x == x1 && y == y1 { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }

    /// Copies `other` with its top-left corner at (x, y); pixels falling outside this image are dropped.
    public mutating func paste(_ other: RGBImage, x: Int, y: Int) {
        for yy in 0..<other.height { for xx in 0..<other.width { self[x + xx, y + yy] = other[xx, yy] } }
    }

    /// PNG bytes: 8-bit RGB, no interlace, compressed by the system zlib.
    public func pngData() -> Data {
        var raw = [UInt8]()
        raw.reserveCapacity(height * (width * 3 + 1))
        for y in 0..<height {
            raw.append(0)  // filter type: none
            raw.append(contentsOf: pixels[(y * width * 3)..<((y + 1) * width * 3)])
        }
        var bound = compressBound(uLong(raw.count))
        var compressed = [UInt8](repeating: 0, count: Int(bound))
        let status = compress2(&compressed, &bound, raw, uLong(raw.count), 6)
        check(status == Z_OK, "zlib compress2 failed with status \(status)")
        compressed.removeSubrange(Int(bound)...)

        var out = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        func chunk(_ type: String, _ body: [UInt8]) {
            var len = UInt32(body.count).bigEndian
            withUnsafeBytes(of: &len) { out.append(contentsOf: $0) }
            let typed = Array(type.utf8) + body
            out.append(contentsOf: typed)
            var crc = UInt32(crc32(0, typed, uInt(typed.count))).bigEndian
            withUnsafeBytes(of: &crc) { out.append(contentsOf: $0) }
        }
        var ihdr = [UInt8]()
        for v in [UInt32(width), UInt32(height)] { withUnsafeBytes(of: v.bigEndian) { ihdr.append(contentsOf: $0) } }
        ihdr += [8, 2, 0, 0, 0]  // bit depth 8, colour type RGB, deflate, filter 0, no interlace
        chunk("IHDR", ihdr)
        chunk("IDAT", compressed)
        chunk("IEND", [])
        return out
    }

    /// Writes ``RGBImage/pngData()`` to `path` atomically, creating parent directories.
    public func writePNG(_ path: String) throws {
        try AtomicFile.write(pngData(), to: path)
    }
}

extension RGBImage {
    /// A grid of images from a tensor (n, C, H, W) with values in [0, 1] (C = 1 or 3),
    /// `columns` per row, separated by `padding` pixels, each image enlarged `scale` times.
    public static func grid(_ images: Tensor, columns: Int? = nil, padding: Int = 2, scale: Int = 1) -> RGBImage {
        check(images.rank == 4 && (images.shape[1] == 1 || images.shape[1] == 3),
                     "RGBImage.grid: expects (n, 1 or 3, H, W), got \(images.shape)")
        let n = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3]
        let cols = max(1, columns ?? Int(Double(n).squareRoot().rounded(.up)))
        let rows = max(1, (n + cols - 1) / cols)
        let cw = w * scale, ch = h * scale
        var img = RGBImage(width: cols * (cw + padding) + padding, height: rows * (ch + padding) + padding, background: Color(60, 60, 60))
        let v = images.scalars
        for i in 0..<n {
            let ox = padding + (i % cols) * (cw + padding), oy = padding + (i / cols) * (ch + padding)
            for y in 0..<ch {
                for x in 0..<cw {
                    let sy = y / scale, sx = x / scale
                    func px(_ k: Int) -> UInt8 {
                        let f = v[((i * c + k) * h + sy) * w + sx]
                        return UInt8(max(0, min(255, (f.isFinite ? f : 0) * 255 + 0.5)))
                    }
                    let r = px(0)
                    img[ox + x, oy + y] = c == 1 ? Color(r, r, r) : Color(r, px(1), px(2))
                }
            }
        }
        return img
    }
}
