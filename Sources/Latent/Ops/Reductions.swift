import Foundation
import CLatent

// Reductions along one axis through the C reduce kernel, viewing the tensor
// as (outer, n, inner).

extension Tensor {
    fileprivate func reduced(_ op: lt_reduce_op, axis: Int, keep: Bool, name: String) -> (Tensor, [Int], Int) {
        let a = Shape.axis(axis, rank: rank, op: name)
        let outer = shape[..<a].reduce(1, *), n = shape[a], inner = shape[(a + 1)...].reduce(1, *)
        var kept = shape
        kept[a] = 1
        let y = K.reduce(self, outer: outer, n: n, inner: inner, op, outShape: kept)
        return (y, kept, a)
    }

    fileprivate func dropping(_ kept: [Int], axis: Int, keep: Bool) -> [Int] {
        keep ? kept : Array(kept[..<axis] + kept[(axis + 1)...])
    }

    /// Sum along `axis` (negative counts from the end), dropped unless
    /// `keepingDimension`; the gradient broadcasts back. Supports second
    /// derivatives, as all the reductions here.
    public func sum(axis: Int, keepingDimension keep: Bool = false) -> Tensor {
        let (y, kept, a) = reduced(LT_RED_SUM, axis: axis, keep: keep, name: "sum(axis:)")
        let x = self
        let out = y.reshaped(dropping(kept, axis: a, keep: keep))
        return Tensor.record(out, inputs: [x], name: "sum(axis:)", recordsBackward: true) { g in [g.reshaped(kept).expanded(to: x.shape)] }
    }

    /// Mean along `axis`: ``Tensor/sum(axis:keepingDimension:)`` divided by the
    /// size of that dimension.
    public func mean(axis: Int, keepingDimension keep: Bool = false) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "mean(axis:)")
        return sum(axis: a, keepingDimension: keep) / Float(Swift.max(shape[a], 1))
    }

    /// Sum of all elements as a rank-0 tensor; the gradient broadcasts back.
    public func sum() -> Tensor {
        let x = self
        let y = K.reduce(x, outer: 1, n: x.count, inner: 1, LT_RED_SUM, outShape: [])
        return Tensor.record(y, inputs: [x], name: "sum", recordsBackward: true) { g in [g.expanded(to: x.shape)] }
    }

    /// Mean of all elements as a rank-0 tensor: ``Tensor/sum()`` divided by
    /// `count`.
    public func mean() -> Tensor { sum() / Float(Swift.max(count, 1)) }

    /// Maximum along `axis` (negative counts from the end), dropped unless
    /// `keepingDimension`; ties share the gradient equally.
    public func max(axis: Int, keepingDimension keep: Bool = false) -> Tensor {
        let (y, kept, a) = reduced(LT_RED_MAX, axis: axis, keep: keep, name: "max(axis:)")
        let x = self
        let out = y.reshaped(dropping(kept, axis: a, keep: keep))
        return Tensor.record(out, inputs: [x], name: "max(axis:)", recordsBackward: true) { g in
            let hit = x.greaterEqualMask(y)                       // 1 at the maximum
            let ties = hit.sum(axis: a, keepingDimension: true)
            return [g.reshaped(kept) * hit / ties]
        }
    }

    /// log(sum(exp(x))) along `axis`, shifted by the maximum so it never
    /// overflows; the gradient is softmax(x) along `axis`.
    public func logSumExp(axis: Int, keepingDimension keep: Bool = false) -> Tensor {
        let (y, kept, a) = reduced(LT_RED_LOGSUMEXP, axis: axis, keep: keep, name: "logSumExp(axis:)")
        let x = self
        let out = y.reshaped(dropping(kept, axis: a, keep: keep))
        return Tensor.record(out, inputs: [x], name: "logSumExp(axis:)", recordsBackward: true) { g in
            [g.reshaped(kept) * exp(x - (GradientMode.isCreatingGraph ? x.logSumExp(axis: a, keepingDimension: true) : y))]
        }
    }

    /// log(mean(exp(x))) along `axis`, ``Tensor/logSumExp(axis:keepingDimension:)``
    /// minus log n: the importance-weighted bound's estimator.
    public func logMeanExp(axis: Int, keepingDimension keep: Bool = false) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "logMeanExp(axis:)")
        return logSumExp(axis: a, keepingDimension: keep) - Float(Foundation.log(Double(shape[a])))
    }
}
