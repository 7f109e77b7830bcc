/// An n-dimensional array of `Float`, row-major, with value semantics.
///
/// Copies are cheap: storage is shared until one copy mutates it. Tensors that
/// take part in differentiation carry a node of the autodiff tape (see
/// ``gradients(of:wrt:createGraph:)`` and ``Tensor/tracked()``).
///
/// ```swift
/// let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
/// let y = (x * 2 + 1).sum(axis: 1)   // [2]: [15, 33]
/// ```
public struct Tensor: Sendable {
    /// The size of each dimension; `[]` is a scalar.
    public let shape: [Int]
    var storage: TensorStorage
    /// Autodiff node; nil for tensors outside any recorded computation.
    var node: TapeNode?

    init(shape: [Int], storage: TensorStorage, node: TapeNode? = nil) {
        check(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        check(storage.count == shape.reduce(1, *),
                     "Tensor: storage of \(storage.count) elements does not fit shape \(shape)")
        self.shape = shape
        self.storage = storage
        self.node = node
    }

    /// A tensor of the given shape filled with `scalars` in row-major order; stops
    /// unless `scalars.count` is the product of `shape`.
    public init(shape: [Int], scalars: [Float]) {
        let n = shape.reduce(1, *)
        check(scalars.count == n,
                     "Tensor(shape: \(shape)) needs \(n) scalars, got \(scalars.count)")
        let s = TensorStorage(count: n)
        scalars.withUnsafeBufferPointer { s.base.initialize(from: $0.baseAddress!, count: n) }
        self.init(shape: shape, storage: s)
    }

    /// A 1-D tensor of shape `[scalars.count]` holding `scalars`.
    public init(_ scalars: [Float]) {
        self.init(shape: [scalars.count], scalars: scalars)
    }

    /// A rank-0 tensor (shape `[]`) holding `scalar`.
    public init(_ scalar: Float) {
        self.init(shape: [], scalars: [scalar])
    }

    /// A tensor of `shape` with every element equal to `value`.
    public init(repeating value: Float, shape: [Int]) {
        let s = TensorStorage(count: shape.reduce(1, *))
        s.base.initialize(repeating: value, count: s.count)
        self.init(shape: shape, storage: s)
    }

    /// An untracked tensor of `shape` filled with 0.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, storage: TensorStorage(zeros: shape.reduce(1, *))) }
    /// An untracked tensor of `shape` filled with 1.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }

    /// A tensor of `shape` whose storage is uninitialized; callers fill it.
    static func uninitialized(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, storage: TensorStorage(count: shape.reduce(1, *)))
    }

    /// The number of elements: the product of `shape` (1 for a scalar).
    public var count: Int { storage.count }
    /// The number of dimensions, `shape.count` (0 for a scalar).
    public var rank: Int { shape.count }

    /// The elements in row-major order, copied into a new array on every access;
    /// ``Tensor/elements`` reads them in place.
    public var scalars: [Float] { Array(storage.buffer) }

    /// The single element of a one-element tensor (any shape with `count == 1`);
    /// stops otherwise.
    public var scalar: Float {
        check(count == 1, "Tensor.scalar needs one element, shape is \(shape)")
        return storage.base[0]
    }

    /// The element at a multi-index, one bounds-checked index per dimension
    /// (slow and untracked; for tests and small tensors).
    public subscript(_ index: Int...) -> Float {
        check(index.count == rank, "Tensor subscript: \(index.count) indices for shape \(shape)")
        var flat = 0
        for (i, (ix, d)) in zip(index, shape).enumerated() {
            check(ix >= 0 && ix < d, "Tensor subscript: index \(ix) out of range for dimension \(i) of shape \(shape)")
            flat = flat * d + ix
        }
        return storage.base[flat]
    }

    /// Whether this tensor carries a tape node: a ``Tensor/tracked()`` leaf, a
    /// trainable parameter's value, or the result of an op recorded with a
    /// tracked input.
    public var isTracked: Bool { node != nil }

    /// The same values (storage shared) with no tape node, so no gradient flows
    /// back through the result.
    public func detached() -> Tensor { Tensor(shape: shape, storage: storage) }

    /// Calls `body` with a read-only pointer to the elements in row-major order
    /// and returns its result; the pointer is valid only inside `body`.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(storage.buffer))
    }

    /// Calls `body` with a writable pointer to the elements in row-major order
    /// and returns its result; copies the storage first if another tensor
    /// shares it. The call detaches the tensor from the tape.
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) { storage = TensorStorage(copying: storage) }
        node = nil
        return try body(storage.buffer)
    }

    var base: UnsafeMutablePointer<Float> { storage.base }
}

extension Tensor: CustomStringConvertible {
    /// The shape and the first 16 elements (`%.4g`), with `...` when there are
    /// more.
    public var description: String {
        let shown = scalars.prefix(16).map { String(format: "%.4g", Double($0)) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(shown)\(count > 16 ? ", ..." : "")])"
    }
}

/// Shape helpers shared by the ops.
enum Shape {
    /// Row-major strides of a contiguous tensor.
    static func strides(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            s[i] = acc
            acc *= shape[i]
        }
        return s
    }

    /// NumPy broadcasting of two shapes; stops with both shapes named when they do not broadcast.
    static func broadcast(_ a: [Int], _ b: [Int], op: String) -> [Int] {
        let n = max(a.count, b.count)
        var out = [Int](repeating: 1, count: n)
        for i in 0..<n {
            let da = i < n - a.count ? 1 : a[i - (n - a.count)]
            let db = i < n - b.count ? 1 : b[i - (n - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else {
                checkFailure("\(op): shapes \(a) and \(b) do not broadcast (dimension \(i): \(da) vs \(db))")
            }
        }
        return out
    }

    /// Element strides that read a tensor of `shape` as if it had shape `target` (0 on broadcast dims).
    static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let own = strides(shape)
        let lead = target.count - shape.count
        return (0..<target.count).map { i in
            i < lead ? 0 : (shape[i - lead] == 1 && target[i] != 1 ? 0 : own[i - lead])
        }
    }

    /// Normalises a possibly negative axis.
    static func axis(_ axis: Int, rank: Int, op: String) -> Int {
        let a = axis < 0 ? axis + rank : axis
        check(a >= 0 && a < rank, "\(op): axis \(axis) out of range for rank \(rank)")
        return a
    }
}
