// Joining along a new axis and cutting into pieces; built from concatenate,
// reshape and slice, so gradients follow.

/// Joins tensors of one shape along a new dimension `axis` (`torch.stack`;
/// negative counts from the end of the result's dimensions).
///
/// ```swift
/// let xy = stack([x, y], axis: 1)     // two (N) tensors -> (N, 2)
/// ```
public func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
    check(!tensors.isEmpty, "stack: no tensors")
    let shape = tensors[0].shape
    for (i, t) in tensors.enumerated() where t.shape != shape {
        checkFailure("stack: tensor \(i) has shape \(t.shape), tensor 0 has \(shape); all must agree")
    }
    let a = Shape.axis(axis, rank: shape.count + 1, op: "stack")
    return concatenate(tensors.map { $0.unsqueezed(axis: a) }, axis: a)
}

extension Tensor {
    /// Pieces of the given sizes along `axis` (`torch.split` with a list); the
    /// sizes must add up to the dimension.
    ///
    /// ```swift
    /// let parts = x.split(sizes: [2, 3], axis: 1)   // (N, 5) -> (N, 2), (N, 3)
    /// ```
    public func split(sizes: [Int], axis: Int = 0) -> [Tensor] {
        let a = Shape.axis(axis, rank: rank, op: "split")
        check(sizes.allSatisfy { $0 >= 0 } && sizes.reduce(0, +) == shape[a],
              "split: sizes \(sizes) do not add up to dimension \(a) (\(shape[a])) of shape \(shape)")
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return slice(axis: a, start..<(start + size))
        }
    }

    /// Pieces of ceil(n / count) elements along `axis` (`torch.chunk`), the last
    /// possibly smaller: at most `count` of them and possibly fewer (n = 10,
    /// count = 6 gives 5 pieces of 2; n < count gives n pieces of 1).
    public func chunked(_ count: Int, axis: Int = 0) -> [Tensor] {
        check(count > 0, "chunked: needs a positive number of chunks, got \(count)")
        let a = Shape.axis(axis, rank: rank, op: "chunked")
        let n = shape[a], size = Swift.max(1, (n + count - 1) / count)
        return stride(from: 0, to: n, by: size).map { slice(axis: a, $0..<Swift.min($0 + size, n)) }
    }
}
