import Foundation

// The .npy format (NEP 1): magic "\x93NUMPY", version, header length
// (2 bytes in 1.0, 4 bytes in 2.0/3.0, little-endian), a Python dict literal
// {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } padded with
// spaces and a newline, then the raw data.

extension NDArray {
    static let npyMagic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY
    static let maxHeaderLength = 1 << 20

    /// Reads a .npy file (format 1.0, 2.0 or 3.0; either byte order; Fortran order is turned
    /// into C order). Throws a ``LatentError`` naming the file for a missing file, a bad header,
    /// an unsupported dtype, or data shorter or longer than the header declares.
    public static func readNpy(_ path: String) throws -> NDArray {
        guard FileManager.default.fileExists(atPath: path) else { throw LatentError.file(path, "no such file") }
        guard let data = FileManager.default.contents(atPath: path) else { throw LatentError.file(path, "cannot read file") }
        return try parseNpy(data, name: path)
    }

    /// Parses the bytes of a .npy file, with the checks of ``NDArray/readNpy(_:)``; `name` appears in errors.
    public static func parseNpy(_ data: Data, name: String) throws -> NDArray {
        let bytes = [UInt8](data)
        guard bytes.count >= 10 else { throw LatentError.file(name, "truncated: \(bytes.count) bytes is shorter than an .npy preamble") }
        guard Array(bytes[0..<6]) == npyMagic else { throw LatentError.file(name, "bad magic: not an .npy file") }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw LatentError.file(name, "truncated .npy preamble") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw LatentError.file(name, "unsupported .npy format version \(major).\(bytes[7])")
        }
        guard headerLength <= maxHeaderLength else { throw LatentError.file(name, "absurd header length \(headerLength) bytes") }
        guard headerStart + headerLength <= bytes.count else {
            throw LatentError.file(name, "truncated: header of \(headerLength) bytes runs past the end of the \(bytes.count)-byte file")
        }
        guard let header = String(bytes: bytes[headerStart..<(headerStart + headerLength)], encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw LatentError.file(name, "header is not text")
        }
        let (descr, fortran, shape) = try parseHeader(header, name: name)
        let (dtype, bigEndian) = try parseDescr(descr, name: name)
        var count = 1
        for d in shape {
            let (c, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { throw LatentError.file(name, "shape \(shape) is too large") }
            count = c
        }
        let dataStart = headerStart + headerLength
        let (needed, overflow) = count.multipliedReportingOverflow(by: dtype.size)
        guard !overflow else { throw LatentError.file(name, "shape \(shape) is too large") }
        let available = bytes.count - dataStart
        guard available >= needed else {
            throw LatentError.file(name, "truncated: shape \(shape) of \(descr) needs \(needed) bytes of data, file has \(available)")
        }
        guard available == needed else {
            throw LatentError.file(name, "size mismatch: shape \(shape) of \(descr) needs \(needed) bytes of data, file has \(available)")
        }
        var values = try decode(bytes, from: dataStart, count: count, dtype: dtype, bigEndian: bigEndian, name: name)
        if fortran && shape.count > 1 { values = reorderFortranToC(values, shape: shape) }
        return NDArray(shape: shape, values: values)
    }

    static func parseHeader(_ h: String, name: String) throws -> (String, Bool, [Int]) {
        func value(of key: String) throws -> Substring {
            guard let k = h.range(of: "'\(key)'") ?? h.range(of: "\"\(key)\"") else {
                throw LatentError.file(name, "bad header: no '\(key)' in \(h.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
            guard let colon = h[k.upperBound...].firstIndex(of: ":") else { throw LatentError.file(name, "bad header: no value for '\(key)'") }
            return h[h.index(after: colon)...].drop { $0 == " " }
        }
        let d = try value(of: "descr")
        guard let q = d.first, q == "'" || q == "\"", let end = d.dropFirst().firstIndex(of: q) else {
            throw LatentError.file(name, "bad header: descr is not a string (structured dtypes are not supported)")
        }
        let descr = String(d[d.index(after: d.startIndex)..<end])
        let f = try value(of: "fortran_order")
        let fortran: Bool
        if f.hasPrefix("True") { fortran = true } else if f.hasPrefix("False") { fortran = false } else {
            throw LatentError.file(name, "bad header: fortran_order is neither True nor False")
        }
        let s = try value(of: "shape")
        guard s.first == "(", let close = s.firstIndex(of: ")") else { throw LatentError.file(name, "bad header: shape is not a tuple") }
        let inner = s[s.index(after: s.startIndex)..<close]
        var shape: [Int] = []
        for part in inner.split(separator: ",") {
            let t = part.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "L", with: "")
            if t.isEmpty { continue }
            guard let v = Int(t), v >= 0 else { throw LatentError.file(name, "bad header: shape entry '\(t)' is not a non-negative integer") }
            shape.append(v)
        }
        return (descr, fortran, shape)
    }

    static func parseDescr(_ descr: String, name: String) throws -> (DType, Bool) {
        guard descr.count >= 2 else { throw LatentError.file(name, "unknown dtype '\(descr)'") }
        let order = descr.first!
        let code = String(descr.dropFirst())
        let big: Bool
        switch order {
        case "<", "|", "=": big = false
        case ">": big = true
        default: throw LatentError.file(name, "unknown dtype '\(descr)'")
        }
        let types: [String: DType] = ["f4": .float32, "f8": .float64, "i4": .int32, "i8": .int64, "u1": .uint8, "b1": .bool, "?": .bool]
        guard let t = types[code] else {
            throw LatentError.file(name, "unknown or unsupported dtype '\(descr)' (supported: float32, float64, int32, int64, uint8, bool)")
        }
        return (t, big)
    }

    static func decode(_ bytes: [UInt8], from start: Int, count: Int, dtype: DType, bigEndian: Bool, name: String) throws -> Values {
        func words<T: FixedWidthInteger>(_: T.Type) -> [T] {
            var out = [T](repeating: 0, count: count)
            bytes.withUnsafeBytes { raw in
                for i in 0..<count {
                    let v = raw.loadUnaligned(fromByteOffset: start + i * MemoryLayout<T>.size, as: T.self)
                    out[i] = bigEndian ? T(bigEndian: v) : T(littleEndian: v)
                }
            }
            return out
        }
        switch dtype {
        case .float32: return .float32(words(UInt32.self).map { Float(bitPattern: $0) })
        case .float64: return .float64(words(UInt64.self).map { Double(bitPattern: $0) })
        case .int32: return .int32(words(Int32.self))
        case .int64: return .int64(words(Int64.self))
        case .uint8: return .uint8(Array(bytes[start..<(start + count)]))
        case .bool:
            let raw = bytes[start..<(start + count)]
            if let bad = raw.first(where: { $0 > 1 }) { throw LatentError.file(name, "bool array holds byte \(bad), not 0 or 1") }
            return .bool(raw.map { $0 != 0 })
        }
    }

    /// For each C-order (last index fastest) position, the position of the same element in Fortran order.
    static func fortranPositions(_ shape: [Int]) -> [Int] {
        let n = shape.reduce(1, *)
        var fStrides = [Int](repeating: 1, count: shape.count)
        for i in 1..<shape.count { fStrides[i] = fStrides[i - 1] * shape[i - 1] }
        var map = [Int](repeating: 0, count: n)
        var idx = [Int](repeating: 0, count: shape.count)
        for c in 0..<n {
            var f = 0
            for d in 0..<shape.count { f += idx[d] * fStrides[d] }
            map[c] = f
            var d = shape.count - 1
            while d >= 0 { idx[d] += 1; if idx[d] < shape[d] { break }; idx[d] = 0; d -= 1 }
        }
        return map
    }

    /// out[i] = v[source[i]], whatever the element type.
    static func reordered(_ v: Values, from source: [Int]) -> Values {
        func perm<T>(_ a: [T]) -> [T] { source.map { a[$0] } }
        switch v {
        case .float32(let a): return .float32(perm(a))
        case .float64(let a): return .float64(perm(a))
        case .int32(let a): return .int32(perm(a))
        case .int64(let a): return .int64(perm(a))
        case .uint8(let a): return .uint8(perm(a))
        case .bool(let a): return .bool(perm(a))
        }
    }

    /// Permutes Fortran-order (first index fastest) values into C order.
    static func reorderFortranToC(_ v: Values, shape: [Int]) -> Values {
        let map = fortranPositions(shape)
        return reordered(v, from: map)                   // C position c reads Fortran position map[c]
    }

    /// Permutes C-order values into Fortran order.
    static func reorderCToFortran(_ v: Values, shape: [Int]) -> Values {
        let map = fortranPositions(shape)
        var inverse = [Int](repeating: 0, count: map.count)
        for (c, f) in map.enumerated() { inverse[f] = c }
        return reordered(v, from: inverse)               // Fortran position f reads C position inverse[f]
    }

    /// The bytes of a .npy file holding this array: format 1.0 (3.0 is never needed for our
    /// headers), little-endian unless `bigEndian`, and with the data in Fortran order when
    /// `fortranOrder` and the rank is 2 or more.
    public func npyData(bigEndian: Bool = false, fortranOrder: Bool = false) -> Data {
        let code: String
        switch dtype {
        case .float32: code = "f4"
        case .float64: code = "f8"
        case .int32: code = "i4"
        case .int64: code = "i8"
        case .uint8: code = "u1"
        case .bool: code = "b1"
        }
        let order = dtype.size == 1 ? "|" : (bigEndian ? ">" : "<")
        let shapeText = shape.isEmpty ? "()" : shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(order)\(code)', 'fortran_order': \(fortranOrder && shape.count > 1 ? "True" : "False"), 'shape': \(shapeText), }"
        // Pad so the data starts on a 64-byte boundary, as numpy does.
        let total = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        var out = Data(NDArray.npyMagic + [1, 0])
        let hl = header.utf8.count
        out.append(contentsOf: [UInt8(hl & 0xff), UInt8(hl >> 8)])
        out.append(contentsOf: Array(header.utf8))
        var v = values
        if fortranOrder && shape.count > 1 { v = NDArray.reorderCToFortran(v, shape: shape) }
        out.append(NDArray.encode(v, bigEndian: bigEndian))
        return out
    }

    static func encode(_ v: Values, bigEndian: Bool) -> Data {
        func words<T: FixedWidthInteger>(_ a: [T]) -> Data {
            var out = Data(capacity: a.count * MemoryLayout<T>.size)
            for x in a { withUnsafeBytes(of: bigEndian ? x.bigEndian : x.littleEndian) { out.append(contentsOf: $0) } }
            return out
        }
        switch v {
        case .float32(let a): return words(a.map(\.bitPattern))
        case .float64(let a): return words(a.map(\.bitPattern))
        case .int32(let a): return words(a)
        case .int64(let a): return words(a)
        case .uint8(let a): return Data(a)
        case .bool(let a): return Data(a.map { $0 ? 1 : 0 })
        }
    }

    /// Writes the bytes of ``NDArray/npyData(bigEndian:fortranOrder:)`` to `path` atomically.
    public func writeNpy(_ path: String, bigEndian: Bool = false, fortranOrder: Bool = false) throws {
        try AtomicFile.write(npyData(bigEndian: bigEndian, fortranOrder: fortranOrder), to: path)
    }
}
