// Matrix products through lt_sgemm (OpenBLAS, or the small-K SIMD kernel).

/// Matrix product of two 2-D tensors, or batched product of two 3-D tensors
/// (batch, m, k) x (batch, k, n), without broadcasting. `transposeA` and
/// `transposeB` transpose an operand's last two dims first. Supports second
/// derivatives.
///
/// ```swift
/// let c = matmul(a, b)                      // (m, k) x (k, n) -> (m, n)
/// let d = matmul(a, b, transposeB: true)    // (m, k) x (n, k)^T
/// ```
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    check((a.rank == 2 && b.rank == 2) || (a.rank == 3 && b.rank == 3),
                 "matmul: expects two 2-D or two 3-D tensors, got shapes \(a.shape) and \(b.shape)")
    let batched = a.rank == 3
    if batched {
        check(a.shape[0] == b.shape[0], "matmul: batch sizes differ in shapes \(a.shape) and \(b.shape)")
    }
    let ar = a.shape.suffix(2), br = b.shape.suffix(2)
    let m = transposeA ? ar.last! : ar.first!, ka = transposeA ? ar.first! : ar.last!
    let kb = transposeB ? br.last! : br.first!, n = transposeB ? br.first! : br.last!
    check(ka == kb, "matmul: inner dimensions differ for shapes \(a.shape) and \(b.shape) (transposeA: \(transposeA), transposeB: \(transposeB))")
    let batch = batched ? a.shape[0] : 0
    let y = K.matmul(a, transposeA: transposeA, b, transposeB: transposeB, m: m, n: n, k: ka,
                     batch: batch, strideA: m * ka, strideB: ka * n)
    return Tensor.record(y, inputs: [a, b], name: "matmul", recordsBackward: true) { g in
        // C = op(A) op(B): dop(A) = G op(B)^T, dop(B) = op(A)^T G.
        var ga: Tensor? = nil, gb: Tensor? = nil
        if a.isTracked {
            ga = transposeA ? matmul(b, g, transposeA: transposeB, transposeB: true)
                            : matmul(g, b, transposeA: false, transposeB: !transposeB)
        }
        if b.isTracked {
            gb = transposeB ? matmul(g, a, transposeA: true, transposeB: transposeA)
                            : matmul(a, g, transposeA: !transposeA, transposeB: false)
        }
        return [ga, gb]
    }
}
