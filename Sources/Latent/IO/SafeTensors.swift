import Foundation

/// The safetensors format: an 8-byte little-endian header length N, N bytes of
/// JSON ({"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]},
/// ..., "__metadata__": {"key": "value"}}), then the raw little-endian data.
/// Offsets are relative to the end of the header.
///
/// ```swift
/// try SafeTensors.write(["w": NDArray(weight)], metadata: ["step": "100"], to: "ckpt.safetensors")
/// let (tensors, meta) = try SafeTensors.read("ckpt.safetensors")
/// ```
public enum SafeTensors: Sendable {
    static let dtypeNames: [NDArray.DType: String] = [.float32: "F32", .float64: "F64", .int32: "I32", .int64: "I64", .uint8: "U8", .bool: "BOOL"]

    /// Reads every tensor of a safetensors file and its `__metadata__` strings, with the checks of
    /// ``SafeTensors/parse(_:name:)``; also throws for a missing file.
    public static func read(_ path: String) throws -> (tensors: [String: NDArray], metadata: [String: String]) {
        guard FileManager.default.fileExists(atPath: path) else { throw LatentError.file(path, "no such file") }
        guard let data = FileManager.default.contents(atPath: path) else { throw LatentError.file(path, "cannot read file") }
        return try parse([UInt8](data), name: path)
    }

    /// Parses the bytes of a safetensors file into its tensors and its `__metadata__` strings;
    /// `name` appears in errors. Throws a ``LatentError`` for a truncated file, a header that is
    /// not a JSON object, an unsupported dtype, or data offsets outside the data or not matching
    /// the shape.
    public static func parse(_ b: [UInt8], name: String) throws -> (tensors: [String: NDArray], metadata: [String: String]) {
        guard b.count >= 8 else { throw LatentError.file(name, "truncated: \(b.count) bytes, a safetensors file starts with an 8-byte header length") }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(b[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(b.count - 8), n <= 100_000_000 else {
            throw LatentError.file(name, "header length \(n) exceeds the file size \(b.count) (truncated or not a safetensors file)")
        }
        let headerEnd = 8 + Int(n)
        guard let json = try? JSONSerialization.jsonObject(with: Data(b[8..<headerEnd])) as? [String: Any] else {
            throw LatentError.file(name, "header is not a JSON object")
        }
        let dataLength = b.count - headerEnd
        var tensors: [String: NDArray] = [:]
        var metadata: [String: String] = [:]
        for (key, value) in json {
            if key == "__metadata__" {
                guard let m = value as? [String: Any] else { throw LatentError.file(name, "__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw LatentError.file(name, "__metadata__[\(k)] is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let info = value as? [String: Any], let dtypeName = info["dtype"] as? String,
                  let shapeAny = info["shape"] as? [Any], let offAny = info["data_offsets"] as? [Any], offAny.count == 2 else {
                throw LatentError.file(name, "tensor \(key): header entry needs dtype, shape and data_offsets")
            }
            let shape = shapeAny.compactMap { ($0 as? NSNumber)?.intValue }
            let offs = offAny.compactMap { ($0 as? NSNumber)?.intValue }
            guard shape.count == shapeAny.count, shape.allSatisfy({ $0 >= 0 }), offs.count == 2 else {
                throw LatentError.file(name, "tensor \(key): bad shape or data_offsets")
            }
            guard let dtype = dtypeNames.first(where: { $0.value == dtypeName })?.key else {
                throw LatentError.file(name, "tensor \(key): unsupported dtype \(dtypeName) (supported: F32, F64, I32, I64, U8, BOOL)")
            }
            let (begin, end) = (offs[0], offs[1])
            guard begin >= 0, begin <= end, end <= dataLength else {
                throw LatentError.file(name, "tensor \(key): data_offsets [\(begin), \(end)] outside the \(dataLength) data bytes (truncated file?)")
            }
            var count = 1
            for d in shape {
                let (c, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow, c <= Int.max / 8 else { throw LatentError.file(name, "tensor \(key): shape \(shape) is too large") }
                count = c
            }
            guard end - begin == count * dtype.size else {
                throw LatentError.file(name, "tensor \(key): shape \(shape) of \(dtypeName) needs \(count * dtype.size) bytes, data_offsets give \(end - begin)")
            }
            let values = try NDArray.decode(b, from: headerEnd + begin, count: count, dtype: dtype, bigEndian: false, name: "\(name)[\(key)]")
            tensors[key] = NDArray(shape: shape, values: values)
        }
        return (tensors, metadata)
    }

    /// The bytes of a safetensors file holding `tensors` and `metadata`: the JSON header is
    /// padded with spaces to 8-byte alignment and the data laid out in name order, little-endian.
    public static func encode(_ tensors: [String: NDArray], metadata: [String: String] = [:]) throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let names = tensors.keys.sorted()
        for key in names {
            let t = tensors[key]!
            let size = t.count * t.dtype.size
            header[key] = ["dtype": dtypeNames[t.dtype]!, "shape": t.shape, "data_offsets": [offset, offset + size]] as [String: Any]
            offset += size
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var out = Data()
        var n = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(json)
        for key in names { out.append(NDArray.encode(tensors[key]!.values, bigEndian: false)) }
        return out
    }

    /// Writes the bytes of ``SafeTensors/encode(_:metadata:)`` to `path` atomically (temporary
    /// file + rename).
    public static func write(_ tensors: [String: NDArray], metadata: [String: String] = [:], to path: String) throws {
        try AtomicFile.write(encode(tensors, metadata: metadata), to: path)
    }
}
