import Foundation

/// 8-bit images with optional class labels, kept as stored (IDX files, Fashion-MNIST).
///
/// Pixels are held channels-first, (count, C, H, W), as bytes; ``ImageBatcher`` turns them
/// into float batches (x/255, binarised, or raw 8-bit for dequantization).
///
/// ```swift
/// let train = try FashionMNIST.load(.train)
/// train.imageShape   // [1, 28, 28]
/// let x = train.floats(0..<16)   // (16, 1, 28, 28), x / 255
/// ```
public struct ImageSet: Sendable {
    /// The data set's name, as runs record it (`fashion-mnist`, `idx:PATH`).
    public let name: String
    /// Number of images.
    public let count: Int
    /// Size of one image: C channels of H x W pixels.
    public let channels: Int, height: Int, width: Int
    /// Bytes, (count, C, H, W) row-major.
    public let pixels: [UInt8]
    /// The value that means full intensity: 255 for 8-bit images, 1 for 0/1 images.
    public let maxValue: UInt8
    /// One class per image, when the data set has labels.
    public let labels: [Int]?
    /// Names of the label classes, when known.
    public let classNames: [String]?

    /// An image set of (count, C, H, W) row-major bytes in 0...`maxValue`. Stops the program if
    /// `pixels` does not hold count x C x H x W bytes or `labels`, when given, does not hold one
    /// label per image.
    public init(name: String, count: Int, channels: Int, height: Int, width: Int, pixels: [UInt8],
                maxValue: UInt8 = 255, labels: [Int]? = nil, classNames: [String]? = nil) {
        check(pixels.count == count * channels * height * width,
                     "ImageSet \(name): \(pixels.count) bytes do not fit \(count) x \(channels) x \(height) x \(width)")
        check(labels == nil || labels!.count == count, "ImageSet \(name): \(labels!.count) labels for \(count) images")
        self.name = name
        self.count = count
        self.channels = channels
        self.height = height
        self.width = width
        self.pixels = pixels
        self.maxValue = maxValue
        self.labels = labels
        self.classNames = classNames
    }

    /// Shape of one image, channels first.
    public var imageShape: [Int] { [channels, height, width] }
    var imageBytes: Int { channels * height * width }

    /// Images at `indices` as floats x / maxValue in [0, 1], shape (k, C, H, W).
    public func floats<S: Sequence>(_ indices: S) -> Tensor where S.Element == Int {
        let idx = Array(indices)
        let scale = 1 / Float(maxValue)
        var v = [Float](repeating: 0, count: idx.count * imageBytes)
        for (k, i) in idx.enumerated() {
            check(i >= 0 && i < count, "\(name): image index \(i) out of range 0..<\(count)")
            for p in 0..<imageBytes { v[k * imageBytes + p] = Float(pixels[i * imageBytes + p]) * scale }
        }
        return Tensor(shape: [idx.count] + imageShape, scalars: v)
    }

    /// Reads an IDX image file, (n, H, W) or (n, H, W, C) (turned channels first), and its
    /// (n) labels file when given. The set is called `name`, or `idx:PATH` when nil. Throws a
    /// ``LatentError`` for an unreadable or malformed file, an image file of another rank, or
    /// labels whose dimensions are not (n).
    public static func loadIDX(images path: String, labels labelsPath: String? = nil, name: String? = nil,
                               classNames: [String]? = nil) throws -> ImageSet {
        let file = try IDXFile(contentsOf: path)
        let d = file.dimensions
        let n: Int, h: Int, w: Int, c: Int
        var bytes = file.bytes
        switch d.count {
        case 3: (n, h, w, c) = (d[0], d[1], d[2], 1)
        case 4:
            (n, h, w, c) = (d[0], d[1], d[2], d[3])
            // Channels last on disk, channels first in memory.
            var t = [UInt8](repeating: 0, count: bytes.count)
            for i in 0..<n { for y in 0..<h { for x in 0..<w { for k in 0..<c {
                t[((i * c + k) * h + y) * w + x] = bytes[((i * h + y) * w + x) * c + k]
            } } } }
            bytes = t
        default:
            throw LatentError.file(path, "IDX images must have 3 dimensions (n, H, W) or 4 (n, H, W, C), this one has \(d)")
        }
        var labels: [Int]?
        if let labelsPath {
            let l = try IDXFile(contentsOf: labelsPath)
            guard l.dimensions == [n] else {
                throw LatentError.file(labelsPath, "labels have dimensions \(l.dimensions), expected [\(n)] to match \(path)")
            }
            labels = l.bytes.map(Int.init)
        }
        return ImageSet(name: name ?? "idx:\(path)", count: n, channels: c, height: h, width: w, pixels: bytes,
                        labels: labels, classNames: classNames)
    }

    /// The labels file that sits beside an IDX image file, if there is one: the file name with
    /// `images` replaced by `labels` and `idx3` by `idx1` (train-images-idx3-ubyte.gz ->
    /// train-labels-idx1-ubyte.gz).
    public static func labelsPath(besideImages path: String) -> String? {
        let url = URL(fileURLWithPath: path)
        let file = url.lastPathComponent
        guard file.contains("images") else { return nil }
        let candidate = url.deletingLastPathComponent()
            .appendingPathComponent(file.replacingOccurrences(of: "images", with: "labels")
                                        .replacingOccurrences(of: "idx3", with: "idx1")).path
        return FileManager.default.fileExists(atPath: candidate) ? candidate : nil
    }
}
