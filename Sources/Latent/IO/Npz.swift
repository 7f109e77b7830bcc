import CZlib
import Foundation

// .npz = a zip archive of .npy members, stored or deflated. numpy writes its
// members with zip64 extra fields, so sizes and offsets are read from the
// zip64 extra field whenever the 32-bit field is saturated.

extension NDArray {
    /// Reads the arrays of an .npz file (all, or only those in `names`), keyed by member name
    /// without ".npy". Throws a ``LatentError`` naming the file for a missing or corrupt archive
    /// or member.
    ///
    /// ```swift
    /// let d = try NDArray.readNpz("dsprites_ndarray_co1sh3sc6or40x32y32_64x64.npz")
    /// let imgs = d["imgs"]!       // uint8 (737280, 64, 64)
    /// ```
    public static func readNpz(_ path: String, only names: Set<String>? = nil) throws -> [String: NDArray] {
        guard FileManager.default.fileExists(atPath: path) else { throw LatentError.file(path, "no such file") }
        guard let data = FileManager.default.contents(atPath: path) else { throw LatentError.file(path, "cannot read file") }
        return try parseNpz([UInt8](data), name: path, only: names)
    }

    /// Parses the bytes of an .npz archive, keeping only the arrays in `names` when given;
    /// `name` appears in errors.
    public static func parseNpz(_ bytes: [UInt8], name path: String, only names: Set<String>? = nil) throws -> [String: NDArray] {
        var out: [String: NDArray] = [:]
        for entry in try ZipArchive.entries(bytes, name: path) {
            let key = entry.name.hasSuffix(".npy") ? String(entry.name.dropLast(4)) : entry.name
            if let names, !names.contains(key) { continue }
            let member = try ZipArchive.extract(entry, from: bytes, name: path)
            out[key] = try parseNpy(Data(member), name: "\(path)[\(entry.name)]")
        }
        return out
    }
}

enum ZipArchive {
    struct Entry {
        var name: String
        var method: Int
        var compressedSize: Int
        var size: Int
        var localHeaderOffset: Int
    }

    static func u16(_ b: [UInt8], _ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 }
    static func u32(_ b: [UInt8], _ o: Int) -> Int { u16(b, o) | u16(b, o + 2) << 16 }
    static func u64(_ b: [UInt8], _ o: Int) -> Int { u32(b, o) | u32(b, o + 4) << 32 }

    static func entries(_ b: [UInt8], name: String) throws -> [Entry] {
        // End of central directory: signature 0x06054b50 within the last 64 KiB + 22 bytes.
        guard b.count >= 22 else { throw LatentError.file(name, "not a zip/npz file (too short)") }
        var eocd = -1
        var i = b.count - 22
        let lowest = max(0, b.count - 65_557)
        while i >= lowest {
            if b[i] == 0x50 && b[i + 1] == 0x4b && b[i + 2] == 0x05 && b[i + 3] == 0x06 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw LatentError.file(name, "not a zip/npz file: no end-of-central-directory record (truncated?)") }
        var count = u16(b, eocd + 10)
        var cdOffset = u32(b, eocd + 16)
        // Zip64 end of central directory locator sits just before the EOCD.
        if (cdOffset == 0xFFFF_FFFF || count == 0xFFFF) && eocd >= 20 && u32(b, eocd - 20) == 0x07064b50 {
            let z = u64(b, eocd - 12)
            guard z + 56 <= b.count, u32(b, z) == 0x06064b50 else { throw LatentError.file(name, "corrupt zip64 end record") }
            count = u64(b, z + 32)
            cdOffset = u64(b, z + 48)
        }
        var out: [Entry] = []
        var p = cdOffset
        for _ in 0..<count {
            guard p + 46 <= b.count, u32(b, p) == 0x02014b50 else { throw LatentError.file(name, "corrupt zip central directory at byte \(p)") }
            var e = Entry(name: "", method: u16(b, p + 10), compressedSize: u32(b, p + 20), size: u32(b, p + 24), localHeaderOffset: u32(b, p + 42))
            let nameLen = u16(b, p + 28), extraLen = u16(b, p + 30), commentLen = u16(b, p + 32)
            guard p + 46 + nameLen + extraLen <= b.count else { throw LatentError.file(name, "corrupt zip central directory entry") }
            e.name = String(decoding: b[(p + 46)..<(p + 46 + nameLen)], as: UTF8.self)
            // Zip64 extra field (id 1): the saturated fields, in order size, compressed size, offset.
            var x = p + 46 + nameLen
            let xEnd = x + extraLen
            while x + 4 <= xEnd {
                let id = u16(b, x), len = u16(b, x + 2)
                if id == 1 {
                    var q = x + 4
                    if e.size == 0xFFFF_FFFF { e.size = u64(b, q); q += 8 }
                    if e.compressedSize == 0xFFFF_FFFF { e.compressedSize = u64(b, q); q += 8 }
                    if e.localHeaderOffset == 0xFFFF_FFFF { e.localHeaderOffset = u64(b, q) }
                }
                x += 4 + len
            }
            out.append(e)
            p += 46 + nameLen + extraLen + commentLen
        }
        return out
    }

    static func extract(_ e: Entry, from b: [UInt8], name: String) throws -> [UInt8] {
        let h = e.localHeaderOffset
        guard h + 30 <= b.count, u32(b, h) == 0x04034b50 else { throw LatentError.file(name, "corrupt local header for member \(e.name)") }
        let start = h + 30 + u16(b, h + 26) + u16(b, h + 28)
        guard start + e.compressedSize <= b.count else { throw LatentError.file(name, "truncated: member \(e.name) runs past the end of the file") }
        switch e.method {
        case 0:
            guard e.size == e.compressedSize else {
                throw LatentError.file(name, "corrupt member \(e.name): stored with \(e.compressedSize) bytes but declares \(e.size)")
            }
            return Array(b[start..<(start + e.compressedSize)])
        case 8:
            // Deflate cannot expand more than about 1032:1; a larger declared size is corrupt
            // (and trusting it would allocate gigabytes for a few bytes of input).
            guard e.size <= e.compressedSize * 1032 + 1024 else {
                throw LatentError.file(name, "corrupt member \(e.name): declares \(e.size) bytes from \(e.compressedSize) compressed bytes")
            }
            return try inflateRaw(b, start: start, count: e.compressedSize, expected: e.size, name: "\(name)[\(e.name)]")
        default:
            throw LatentError.file(name, "member \(e.name) uses zip compression method \(e.method); only stored (0) and deflate (8) are supported")
        }
    }

    /// Raw deflate (no zlib header) through the system zlib.
    static func inflateRaw(_ b: [UInt8], start: Int, count: Int, expected: Int, name: String) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: expected)
        if expected == 0 { return out }
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw LatentError.file(name, "zlib inflateInit failed")
        }
        defer { inflateEnd(&stream) }
        let status: Int32 = b.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress! + start)
                stream.avail_in = uInt(count)
                stream.next_out = dst.baseAddress!
                stream.avail_out = uInt(expected)
                return inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END, Int(stream.total_out) == expected else {
            throw LatentError.file(name, "corrupt deflate data (zlib status \(status), \(stream.total_out) of \(expected) bytes)")
        }
        return out
    }
}
