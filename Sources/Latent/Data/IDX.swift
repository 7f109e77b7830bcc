import CZlib
import Foundation

/// An IDX file (the MNIST format) holding unsigned bytes.
///
/// Layout: magic `00 00 08 NDIM`, then NDIM big-endian uint32 sizes, then the bytes in
/// row-major order. Files ending in `.gz` are read through the system zlib (plain files
/// are read the same way: zlib passes them through).
///
/// ```swift
/// let images = try IDXFile(contentsOf: "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")
/// images.dimensions   // [10000, 28, 28]
/// ```
public struct IDXFile: Equatable, Sendable {
    /// Type code of unsigned bytes, the only element type supported.
    public static let uint8Type: UInt8 = 0x08
    /// The most dimensions a header may declare (8); more is taken as a corrupt header.
    public static let maxDimensions = 8

    /// The size of each dimension, as the header declares: [n, 28, 28] for MNIST images, [n] for labels.
    public let dimensions: [Int]
    /// The elements, row-major.
    public let bytes: [UInt8]

    /// An IDX array of row-major `bytes`; stops the program if the product of `dimensions`
    /// differs from `bytes.count`.
    public init(dimensions: [Int], bytes: [UInt8]) {
        check(dimensions.reduce(1, *) == bytes.count, "IDXFile: \(bytes.count) bytes do not fit dimensions \(dimensions)")
        self.dimensions = dimensions
        self.bytes = bytes
    }

    /// Reads and checks an IDX file (`.gz` or plain). Throws a ``LatentError`` naming the file
    /// for a missing or unreadable file, a damaged `.gz` stream, a bad magic, an unsupported
    /// element type, an oversized or truncated header, and a body shorter or longer than the
    /// header declares.
    public init(contentsOf path: String) throws {
        let data = try readMaybeGzipped(path)
        try self.init(parsing: data, path: path)
    }

    /// Parses the (already decompressed) bytes of an IDX file, with the checks and errors of
    /// ``IDXFile/init(contentsOf:)``; `path` only names the file in errors.
    public init(parsing data: [UInt8], path: String) throws {
        guard data.count >= 4 else {
            throw LatentError("\(path): truncated header: \(data.count) bytes, an IDX file starts with a 4-byte magic")
        }
        let magic = UInt32(data[0]) << 24 | UInt32(data[1]) << 16 | UInt32(data[2]) << 8 | UInt32(data[3])
        guard data[0] == 0, data[1] == 0 else {
            throw LatentError(String(format: "%@: bad magic 0x%08X, not an IDX file (expected 00 00 TYPE NDIM, e.g. 0x00000803 for images)", path, magic))
        }
        guard data[2] == Self.uint8Type else {
            throw LatentError(String(format: "%@: element type 0x%02X is not supported, only uint8 (0x08)", path, data[2]))
        }
        let ndim = Int(data[3])
        guard ndim >= 1, ndim <= Self.maxDimensions else {
            throw LatentError("\(path): oversized header: magic declares \(ndim) dimensions, at most \(Self.maxDimensions) are supported (and at least 1)")
        }
        let headerBytes = 4 + 4 * ndim
        guard data.count >= headerBytes else {
            throw LatentError("\(path): truncated header: \(ndim) dimensions need \(headerBytes) header bytes, the file has \(data.count)")
        }
        var dims = [Int]()
        var total = 1
        for d in 0..<ndim {
            let o = 4 + 4 * d
            let size = Int(UInt32(data[o]) << 24 | UInt32(data[o + 1]) << 16 | UInt32(data[o + 2]) << 8 | UInt32(data[o + 3]))
            dims.append(size)
            let (product, overflow) = total.multipliedReportingOverflow(by: size)
            guard !overflow, product <= 1 << 40 else {
                throw LatentError("\(path): oversized header: dimensions \(dims.map(String.init).joined(separator: " x "))... declare more than 2^40 bytes")
            }
            total = product
        }
        let body = data.count - headerBytes
        let shape = dims.map(String.init).joined(separator: " x ")
        guard body >= total else {
            throw LatentError("\(path): truncated body: header declares \(shape) = \(total) bytes, the file holds \(body)")
        }
        guard body == total else {
            throw LatentError("\(path): \(body - total) bytes after the \(total) bytes the header declares (\(shape)); not a well-formed IDX file")
        }
        self.dimensions = dims
        self.bytes = Array(data[headerBytes...])
    }

    /// The file's bytes: magic, big-endian sizes, elements.
    public var encoded: [UInt8] {
        var out: [UInt8] = [0, 0, Self.uint8Type, UInt8(dimensions.count)]
        for d in dimensions {
            let v = UInt32(d)
            out += [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
        }
        return out + bytes
    }

    /// Writes ``IDXFile/encoded`` to `path`: gzip-compressed when `path` ends in `.gz`, else
    /// atomically (see ``AtomicFile``). Throws a ``LatentError`` when writing fails.
    public func write(to path: String) throws {
        let data = encoded
        if path.hasSuffix(".gz") {
            guard let f = gzopen(path, "wb") else { throw LatentError("\(path): cannot open for writing") }
            let written = data.withUnsafeBytes { gzwrite(f, $0.baseAddress, UInt32($0.count)) }
            let closed = gzclose(f)
            guard written == Int32(data.count), closed == Z_OK else { throw LatentError("\(path): gzip write failed") }
        } else {
            try AtomicFile.write(Data(data), to: path)
        }
    }
}

/// All bytes of a file, decompressed if it is gzip (zlib reads plain files as they are).
func readMaybeGzipped(_ path: String) throws -> [UInt8] {
    guard FileManager.default.isReadableFile(atPath: path) else {
        throw LatentError("\(path): no such readable file")
    }
    guard let f = gzopen(path, "rb") else { throw LatentError("\(path): cannot open") }
    defer { gzclose(f) }
    var out = [UInt8]()
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let got = chunk.withUnsafeMutableBytes { gzread(f, $0.baseAddress, UInt32($0.count)) }
        if got < 0 {
            var code: Int32 = 0
            let message = gzerror(f, &code).map { String(cString: $0) } ?? "unknown zlib error"
            throw LatentError("\(path): read failed (\(message)); a damaged or truncated .gz file?")
        }
        if got == 0 { break }
        out.append(contentsOf: chunk[0..<Int(got)])
    }
    return out
}
