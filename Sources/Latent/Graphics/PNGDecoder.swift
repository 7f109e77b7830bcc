import CZlib
import Foundation

extension RGBImage {
    /// Decodes an 8-bit PNG (grey, grey+alpha, RGB or RGBA; any filter; no interlace)
    /// through the system zlib, dropping any alpha. Checks signature, chunk CRCs and sizes, and throws a
    /// ``LatentError`` naming the file otherwise. Used to verify the pictures a report references.
    public static func decodePNG(_ data: Data, name: String) throws -> RGBImage {
        let b = [UInt8](data)
        guard b.count > 8, Array(b[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else {
            throw LatentError.file(name, "not a PNG file (bad signature)")
        }
        func u32(_ o: Int) -> Int { Int(b[o]) << 24 | Int(b[o + 1]) << 16 | Int(b[o + 2]) << 8 | Int(b[o + 3]) }
        var pos = 8
        var width = 0, height = 0, colorType = -1
        var idat: [UInt8] = []
        var sawEnd = false
        while pos + 12 <= b.count {
            let len = u32(pos)
            guard len >= 0, pos + 12 + len <= b.count else { throw LatentError.file(name, "truncated PNG chunk at byte \(pos)") }
            let type = String(decoding: b[(pos + 4)..<(pos + 8)], as: UTF8.self)
            let body = Array(b[(pos + 8)..<(pos + 8 + len)])
            let crc = UInt32(crc32(crc32(0, Array(type.utf8), 4), body, uInt(len)))
            guard crc == UInt32(u32(pos + 8 + len)) else { throw LatentError.file(name, "PNG chunk \(type) has a bad CRC") }
            switch type {
            case "IHDR":
                guard len == 13 else { throw LatentError.file(name, "bad IHDR") }
                width = u32(pos + 8); height = u32(pos + 12)
                guard body[8] == 8, body[12] == 0 else { throw LatentError.file(name, "only 8-bit non-interlaced PNGs are supported") }
                colorType = Int(body[9])
            case "IDAT": idat += body
            case "IEND": sawEnd = true
            default: break
            }
            pos += 12 + len
            if sawEnd { break }
        }
        let channels: Int
        switch colorType {
        case 0: channels = 1
        case 2: channels = 3
        case 4: channels = 2
        case 6: channels = 4
        default: throw LatentError.file(name, "unsupported PNG colour type \(colorType)")
        }
        guard sawEnd, width > 0, height > 0, width * height < 1 << 28 else { throw LatentError.file(name, "PNG without IHDR/IEND or with absurd size \(width)x\(height)") }
        let stride = width * channels
        var raw = [UInt8](repeating: 0, count: height * (stride + 1))
        var rawLen = uLongf(raw.count)
        let status = uncompress(&raw, &rawLen, idat, uLong(idat.count))
        guard status == Z_OK, Int(rawLen) == raw.count else { throw LatentError.file(name, "PNG image data does not inflate to \(width)x\(height) (zlib status \(status))") }
        var img = RGBImage(width: width, height: height)
        var prev = [UInt8](repeating: 0, count: stride), cur = prev
        for y in 0..<height {
            let filter = raw[y * (stride + 1)]
            for x in 0..<stride {
                let v = raw[y * (stride + 1) + 1 + x]
                let a = x >= channels ? Int(cur[x - channels]) : 0, up = Int(prev[x]), c = x >= channels ? Int(prev[x - channels]) : 0
                let pred: Int
                switch filter {
                case 0: pred = 0
                case 1: pred = a
                case 2: pred = up
                case 3: pred = (a + up) / 2
                case 4:
                    let p = a + up - c, pa = abs(p - a), pb = abs(p - up), pc = abs(p - c)
                    pred = pa <= pb && pa <= pc ? a : (pb <= pc ? up : c)
                default: throw LatentError.file(name, "bad PNG filter type \(filter) on row \(y)")
                }
                cur[x] = UInt8((Int(v) + pred) & 0xFF)
            }
            for x in 0..<width {
                let p = x * channels
                img[x, y] = channels >= 3 ? Color(cur[p], cur[p + 1], cur[p + 2]) : Color(cur[p], cur[p], cur[p])
            }
            swap(&prev, &cur)
        }
        return img
    }
}
