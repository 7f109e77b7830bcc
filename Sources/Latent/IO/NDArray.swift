/// A typed n-dimensional array as stored in files (.npy, .npz, safetensors),
/// always held in C (row-major) order.
///
/// ```swift
/// let codes = try NDArray.readNpy("codes.npy")
/// let t = try codes.tensor()          // Float32 Tensor
/// let labels = try NDArray.readNpy("factors.npy").integers()
/// ```
public struct NDArray: Equatable, Sendable {
    /// The element types the .npy, .npz and safetensors readers and writers support.
    public enum DType: String, CaseIterable, Sendable {
        /// 32- and 64-bit IEEE floats, 32- and 64-bit signed integers, unsigned bytes, and booleans
        /// stored as one byte 0 or 1.
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

    /// The elements in C order, as a Swift array of the element type.
    public enum Values: Equatable, Sendable {
        /// One case per `DType`, holding all the elements in C order.
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

    /// The size of each dimension; [] for a scalar, which holds one element.
    public let shape: [Int]
    /// The elements, typed, in C (row-major, last index fastest) order.
    public let values: Values

    /// An array of `values` in C order; stops the program if the product of `shape`
    /// differs from the number of values.
    public init(shape: [Int], values: Values) {
        check(shape.reduce(1, *) == values.count, "NDArray: shape \(shape) needs \(shape.reduce(1, *)) values, got \(values.count)")
        self.shape = shape
        self.values = values
    }

    /// A float32 array from a tensor.
    public init(_ tensor: Tensor) {
        self.init(shape: tensor.shape, values: .float32(tensor.scalars))
    }

    /// The element type, from the case of `values`.
    public var dtype: DType { values.dtype }
    /// The number of elements, the product of ``NDArray/shape``.
    public var count: Int { values.count }

    /// The elements as Double, whatever the dtype (bool as 0 or 1).
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

    /// The elements as Int (bool as 0 or 1); throws a ``LatentError`` labelled `name` for
    /// floating-point values that are not finite whole numbers.
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

    /// The elements as a Float32 tensor of the same shape; throws a ``LatentError`` labelled `name`
    /// on NaN or infinity (unless `allowNonFinite`) so bad data never reaches training silently.
    public func tensor(name: String = "array", allowNonFinite: Bool = false) throws -> Tensor {
        let f: [Float]
        if case .float32(let v) = values { f = v } else { f = doubles.map { Float($0) } }
        if !allowNonFinite, let i = f.firstIndex(where: { !$0.isFinite }) {
            throw LatentError("\(name): non-finite value \(f[i]) at flat index \(i) (shape \(shape))")
        }
        return Tensor(shape: shape, scalars: f)
    }
}
