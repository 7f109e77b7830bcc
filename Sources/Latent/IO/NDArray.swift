/// A typed n-dimensional array as stored in files (.npy, .npz, safetensors),
/// always held in C (row-major) order.
///
/// ```swift
/// let codes = try NDArray.readNpy("codes.npy")
/// let t = try codes.tensor()          // Float32 Tensor
/// let labels = try NDArray.readNpy("factors.npy").integers()
/// ```
public struct NDArray: Equatable, Sendable {
    public enum DType: String, CaseIterable, Sendable {
        case float32, float64, int32, int64, uint8, bool

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .float32, .int32: 4
            case .float64, .int64: 8
            case .uint8, .bool: 1
            }
        }
    }

    public enum Values: Equatable, Sendable {
        case float32([Float]), float64([Double]), int32([Int32]), int64([Int64]), uint8([UInt8]), bool([Bool])

        var count: Int {
            switch self {
            case .float32(let v): v.count
            case .float64(let v): v.count
            case .int32(let v): v.count
            case .int64(let v): v.count
            case .uint8(let v): v.count
            case .bool(let v): v.count
            }
        }

        var dtype: DType {
            switch self {
            case .float32: .float32
            case .float64: .float64
            case .int32: .int32
            case .int64: .int64
            case .uint8: .uint8
            case .bool: .bool
            }
        }
    }

    public let shape: [Int]
    public let values: Values

    public init(shape: [Int], values: Values) {
        check(shape.reduce(1, *) == values.count, "NDArray: shape \(shape) needs \(shape.reduce(1, *)) values, got \(values.count)")
        self.shape = shape
        self.values = values
    }

    /// A float32 array from a tensor.
    public init(_ tensor: Tensor) {
        self.init(shape: tensor.shape, values: .float32(tensor.scalars))
    }

    public var dtype: DType { values.dtype }
    public var count: Int { values.count }

    /// Values as Double (any dtype).
    public var doubles: [Double] {
        switch values {
        case .float32(let v): v.map(Double.init)
        case .float64(let v): v
        case .int32(let v): v.map(Double.init)
        case .int64(let v): v.map(Double.init)
        case .uint8(let v): v.map(Double.init)
        case .bool(let v): v.map { $0 ? 1 : 0 }
        }
    }

    /// Values as Int; throws for floating-point values that are not whole numbers.
    public func integers(name: String = "array") throws -> [Int] {
        switch values {
        case .int32(let v): return v.map(Int.init)
        case .int64(let v): return v.map(Int.init)
        case .uint8(let v): return v.map(Int.init)
        case .bool(let v): return v.map { $0 ? 1 : 0 }
        case .float32, .float64:
            let d = doubles
            for x in d where !(x.isFinite && x.rounded() == x) {
                throw LatentError("\(name): expected integer values, found \(x) (dtype \(dtype.rawValue))")
            }
            return d.map { Int($0) }
        }
    }

    /// A Float32 tensor; throws on NaN or infinity so bad data never reaches training silently.
    public func tensor(name: String = "array", allowNonFinite: Bool = false) throws -> Tensor {
        let f: [Float]
        if case .float32(let v) = values { f = v } else { f = doubles.map { Float($0) } }
        if !allowNonFinite, let i = f.firstIndex(where: { !$0.isFinite }) {
            throw LatentError("\(name): non-finite value \(f[i]) at flat index \(i) (shape \(shape))")
        }
        return Tensor(shape: shape, scalars: f)
    }
}
