// Minimum along an axis, and the positions of extrema.

extension Tensor {
    /// Minimum along `axis` (negative counts from the end), dropped unless
    /// `keepingDimension`; ties share the gradient equally (as
    /// ``Tensor/max(axis:keepingDimension:)``).
    public func min(axis: Int, keepingDimension keep: Bool = false) -> Tensor {
        -((-self).max(axis: axis, keepingDimension: keep))
    }

    /// Index of the largest element along `axis` (the first on ties, NaN counts
    /// as largest, as `torch.argmax`), as exact integers in a Float tensor of the
    /// reduced shape. No gradient.
    public func argmax(axis: Int, keepingDimension keep: Bool = false) -> Tensor {
        argExtremum(axis: axis, keep: keep, name: "argmax") { $0 > $1 || ($0.isNaN && !$1.isNaN) }
    }

    /// Index of the smallest element along `axis` (the first on ties, NaN counts
    /// as smallest), as exact integers in a Float tensor of the reduced shape.
    /// No gradient.
    public func argmin(axis: Int, keepingDimension keep: Bool = false) -> Tensor {
        argExtremum(axis: axis, keep: keep, name: "argmin") { $0 < $1 || ($0.isNaN && !$1.isNaN) }
    }

    private func argExtremum(axis: Int, keep: Bool, name: String, _ better: (Float, Float) -> Bool) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: name)
        let n = shape[a]
        check(n > 0, "\(name): dimension \(a) of shape \(shape) is empty")
        check(n <= 1 << 24, "\(name): dimension \(a) has \(n) elements; indices above 2^24 are not exact in Float")
        let outer = shape[..<a].reduce(1, *), inner = shape[(a + 1)...].reduce(1, *)
        var outShape = shape
        if keep { outShape[a] = 1 } else { outShape.remove(at: a) }
        let out = Tensor.uninitialized(outShape)
        for o in 0..<outer {
            for i in 0..<inner {
                let start = o * n * inner + i
                var best = 0, bestValue = base[start]
                for k in 1..<Swift.max(n, 1) where better(base[start + k * inner], bestValue) {
                    best = k; bestValue = base[start + k * inner]
                }
                out.base[o * inner + i] = Float(best)
            }
        }
        return out
    }
}
