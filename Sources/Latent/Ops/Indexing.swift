// Views that change rank, range subscripts, and element access that reads
// the storage in place.

extension Tensor {
    /// The same elements (storage shared) without dimension `axis`, which must
    /// have size 1; negative `axis` counts from the end.
    public func squeezed(axis: Int) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "squeezed(axis:)")
        check(shape[a] == 1, "squeezed(axis: \(axis)): dimension \(a) of shape \(shape) has size \(shape[a]), not 1")
        var s = shape
        s.remove(at: a)
        return reshaped(s)
    }

    /// The same elements (storage shared) without any dimension of size 1; a
    /// shape of all ones becomes a scalar.
    public func squeezed() -> Tensor { reshaped(shape.filter { $0 != 1 }) }

    /// The same elements with a new dimension of size 1 at `axis` (0...rank; negative counts from the end).
    public func unsqueezed(axis: Int) -> Tensor {
        let a = Shape.axis(axis, rank: rank + 1, op: "unsqueezed(axis:)")
        var s = shape
        s.insert(1, at: a)
        return reshaped(s)
    }

    /// Elements whose index along each leading dimension lies in the matching
    /// range (`x[1:3, 0:2]` in PyTorch); dimensions without a range are kept
    /// whole. Differentiable; the result is a copy when a range narrows a
    /// dimension, and a range out of bounds stops.
    ///
    /// ```swift
    /// let rows = x[0..<32]              // the first 32 rows
    /// let block = x[1..<3, 2...]        // rows 1, 2; columns from 2 on
    /// ```
    public subscript(_ ranges: any RangeExpression<Int>...) -> Tensor {
        check(ranges.count <= rank, "Tensor subscript: \(ranges.count) ranges for shape \(shape)")
        var result = self
        for (axis, r) in ranges.enumerated() {
            let bounds = r.relative(to: 0..<shape[axis])
            check(bounds.lowerBound >= 0 && bounds.upperBound <= shape[axis],
                  "Tensor subscript: range \(bounds) out of bounds for dimension \(axis) of shape \(shape)")
            if bounds != 0..<shape[axis] { result = result.slice(axis: axis, bounds) }
        }
        return result
    }

    /// The elements in row-major order as a collection that reads the storage
    /// in place: `x.elements[i]` costs one load, where `x.scalars[i]` copies
    /// the whole tensor first.
    ///
    /// ```swift
    /// var total: Float = 0
    /// for v in x.elements { total += v }
    /// ```
    public var elements: Elements { Elements(storage: storage) }

    /// A read-only view of a tensor's elements; it keeps the storage alive.
    public struct Elements: RandomAccessCollection, Sendable {
        let storage: TensorStorage
        /// The first position, always 0.
        public var startIndex: Int { 0 }
        /// One past the last position: the tensor's element count.
        public var endIndex: Int { storage.count }
        /// The element at `position` in row-major order, bounds-checked, read in
        /// place.
        public subscript(position: Int) -> Float {
            check(position >= 0 && position < storage.count, "Tensor.elements: index \(position) out of range 0..<\(storage.count)")
            return storage.base[position]
        }
    }
}
