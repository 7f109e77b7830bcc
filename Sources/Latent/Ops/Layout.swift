// Shape and layout ops: reshape shares storage; the others copy through one
// strided-gather helper and scatter their gradient back the same way.

extension Tensor {
    /// The same elements (storage shared, no copy) in `newShape`, in which one
    /// dimension may be -1 (inferred); stops when the element counts differ.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var s = newShape
        if let i = s.firstIndex(of: -1) {
            let known = s.enumerated().filter { $0.offset != i }.map(\.element).reduce(1, *)
            check(known > 0 && count % known == 0, "reshaped: cannot reshape \(shape) to \(newShape)")
            s[i] = count / known
        }
        check(s.reduce(1, *) == count, "reshaped: cannot reshape \(shape) (\(count) elements) to \(newShape)")
        if s == shape { return self }
        let old = shape
        let y = Tensor(shape: s, storage: storage)
        return Tensor.record(y, inputs: [self], name: "reshaped", recordsBackward: true) { g in [g.reshaped(old)] }
    }

    /// A copy with the dimensions reordered: result dimension i is input
    /// dimension `order[i]`; the gradient is permuted back.
    public func permuted(_ order: [Int]) -> Tensor {
        check(order.count == rank && Set(order) == Set(0..<rank), "permuted: \(order) is not a permutation of the dimensions of \(shape)")
        let src = Shape.strides(shape)
        let outShape = order.map { shape[$0] }
        let y = K.gatherStrided(self, offset: 0, strides: order.map { src[$0] }, shape: outShape)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, o) in order.enumerated() { inverse[o] = i }
        return Tensor.record(y, inputs: [self], name: "permuted", recordsBackward: true) { g in [g.permuted(inverse)] }
    }

    /// A copy with dimensions `a` and `b` swapped (default: the last two;
    /// negative counts from the end).
    public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
        let i = Shape.axis(a, rank: rank, op: "transposed"), j = Shape.axis(b, rank: rank, op: "transposed")
        var order = Array(0..<rank)
        order.swapAt(i, j)
        return permuted(order)
    }

    /// A copy of the elements whose index along `axis` lies in `range`; the
    /// gradient is zero outside the range.
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "slice")
        check(range.lowerBound >= 0 && range.upperBound <= shape[a],
                     "slice: range \(range) out of bounds for dimension \(a) of shape \(shape)")
        var outShape = shape
        outShape[a] = range.count
        let strides = Shape.strides(shape)
        let offset = range.lowerBound * strides[a]
        let y = K.gatherStrided(self, offset: offset, strides: strides, shape: outShape)
        let x = self
        return Tensor.record(y, inputs: [x], name: "slice", recordsBackward: true) { g in
            if GradientMode.isCreatingGraph {
                // Zero padding around g, from recorded ops (its backward is this slice).
                var before = x.shape, after = x.shape
                before[a] = range.lowerBound
                after[a] = x.shape[a] - range.upperBound
                return [concatenate([Tensor.zeros(before), g, Tensor.zeros(after)].filter { $0.shape[a] > 0 }, axis: a)]
            }
            var dx = Tensor.zeros(x.shape)
            K.scatterAddStrided(into: &dx, offset: offset, strides: strides, shape: outShape, from: g)
            return [dx]
        }
    }

    /// A copy with the order of elements reversed along each of `axes` (negative
    /// counts from the end).
    public func flipped(axes: [Int]) -> Tensor {
        let ax = Set(axes.map { Shape.axis($0, rank: rank, op: "flipped") })
        var strides = Shape.strides(shape)
        var offset = 0
        for a in ax where shape[a] > 0 {
            offset += (shape[a] - 1) * strides[a]
            strides[a] = -strides[a]
        }
        let y = K.gatherStrided(self, offset: offset, strides: strides, shape: shape)
        return Tensor.record(y, inputs: [self], name: "flipped", recordsBackward: true) { g in [g.flipped(axes: Array(ax))] }
    }

    /// Rows (along axis 0) picked by index, repeats allowed: shape
    /// (indices.count, the rest of `shape`); the gradient adds back into those rows.
    public func gathering(rows indices: [Int]) -> Tensor {
        check(rank >= 1, "gathering(rows:): needs rank >= 1, shape is \(shape)")
        let n = shape[0], width = count / Swift.max(n, 1)
        for i in indices { check(i >= 0 && i < n, "gathering(rows:): index \(i) out of range 0..<\(n)") }
        let y = K.gatherRows(self, rows: indices, width: width).reshaped([indices.count] + shape.dropFirst())
        let x = self
        return Tensor.record(y.detached(), inputs: [x], name: "gathering(rows:)") { g in
            [K.scatterAddRows(g, rows: indices, count: n, width: width).reshaped(x.shape)]
        }
    }

    /// The untracked n x n identity matrix.
    public static func eye(_ n: Int) -> Tensor {
        var v = [Float](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        return Tensor(shape: [n, n], scalars: v)
    }

    /// One-hot rows: an (indices.count, classes) tensor whose row r has a 1 at
    /// column `indices[r]` and 0 elsewhere; stops on a class outside 0..<classes.
    public static func oneHot(_ indices: [Int], classes: Int) -> Tensor {
        var v = [Float](repeating: 0, count: indices.count * classes)
        for (r, c) in indices.enumerated() {
            check(c >= 0 && c < classes, "oneHot: class \(c) out of range 0..<\(classes)")
            v[r * classes + c] = 1
        }
        return Tensor(shape: [indices.count, classes], scalars: v)
    }
}

/// Joins tensors of one rank along `axis` (negative counts from the end); all
/// other dimensions must agree. Each input's gradient is its slice of the
/// output's.
public func concatenate(_ tensors: [Tensor], axis: Int) -> Tensor {
    check(!tensors.isEmpty, "concatenate: no tensors")
    let first = tensors[0]
    let a = Shape.axis(axis, rank: first.rank, op: "concatenate")
    for t in tensors.dropFirst() {
        var s1 = first.shape, s2 = t.shape
        check(s1.count == s2.count, "concatenate: shapes \(first.shape) and \(t.shape) differ in rank")
        s1[a] = 0; s2[a] = 0
        check(s1 == s2, "concatenate: shapes \(first.shape) and \(t.shape) differ outside axis \(a)")
    }
    var outShape = first.shape
    outShape[a] = tensors.map { $0.shape[a] }.reduce(0, +)
    // Copy blocks: for each outer index, each tensor contributes a contiguous run.
    let outer = first.shape[..<a].reduce(1, *)
    let inner = first.shape[(a + 1)...].reduce(1, *)
    let y = Tensor.uninitialized(outShape)
    let rowOut = outShape[a] * inner
    var start = 0
    for t in tensors {
        let run = t.shape[a] * inner
        for o in 0..<outer {
            (y.base + o * rowOut + start).update(from: t.base + o * run, count: run)
        }
        start += run
    }
    var offsets: [Int] = []
    var acc = 0
    for t in tensors { offsets.append(acc); acc += t.shape[a] }
    return Tensor.record(y, inputs: tensors, name: "concatenate", recordsBackward: true) { g in
        zip(tensors, offsets).map { t, off in t.isTracked ? g.slice(axis: a, off..<(off + t.shape[a])) : nil }
    }
}
