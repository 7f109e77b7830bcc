import Foundation

/// An invertible linear map of the features (Glow's 1x1 convolution in LU form):
/// W = P L (U + diag(sign * exp(logScale))), with P a fixed permutation, L unit
/// lower-triangular and U strictly upper-triangular, so log|det W| = sum(logScale).
///
/// Acts on (N, D) rows as z = x W^T, and on (N, C, H, W) images per pixel over
/// the channels (log-det times H W). Initialised from a random orthogonal matrix.
///
/// ```swift
/// let mix = InvertibleLinear(features: 8, rng: &rng)
/// let (z, logDet) = mix.forward(x)
/// ```
public final class InvertibleLinear: Flow {
    /// Entries of L below the diagonal (D, D); only the strictly lower triangle is used, L having a
    /// unit diagonal.
    public let lower: Parameter
    /// Entries of U above the diagonal (D, D); only the strictly upper triangle is used.
    public let upper: Parameter
    /// log|U_ii| (D), so that log|det W| = sum(logScale).
    public let logScale: Parameter
    /// The fixed permutation matrix P (D, D); not trained.
    public let permutation: Tensor
    /// The fixed signs (D, each +1 or -1) of U's diagonal; not trained.
    public let sign: Tensor
    let lowerMask: Tensor, upperMask: Tensor, identity: Tensor
    /// Training-mode flag required by ``Module``; the map behaves the same in both modes.
    public var isTraining = true

    /// An invertible map of `features` features, initialised to a random orthogonal matrix
    /// factorised by LU with partial pivoting.
    public init(features d: Int, rng: inout RandomGenerator) {
        // Random rotation: Gram-Schmidt on a Gaussian matrix, in double.
        let g = rng.normal([d, d]).scalars.map(Double.init)
        var q = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            var v = Array(g[(i * d)..<((i + 1) * d)])
            for j in 0..<i {
                let dot = (0..<d).reduce(0.0) { $0 + v[$1] * q[j * d + $1] }
                for k in 0..<d { v[k] -= dot * q[j * d + k] }
            }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for k in 0..<d { q[i * d + k] = v[k] / norm }
        }
        // LU with partial pivoting: P A = L U, so A = P^T L U.
        var a = q, perm = Array(0..<d)
        for k in 0..<d {
            let p = (k..<d).max { Swift.abs(a[$0 * d + k]) < Swift.abs(a[$1 * d + k]) }!
            if p != k {
                for j in 0..<d { a.swapAt(k * d + j, p * d + j) }
                perm.swapAt(k, p)
            }
            for i in (k + 1)..<Swift.max(k + 1, d) {
                a[i * d + k] /= a[k * d + k]
                for j in (k + 1)..<d { a[i * d + j] -= a[i * d + k] * a[k * d + j] }
            }
        }
        var pt = [Float](repeating: 0, count: d * d)   // P^T: row perm[k] gets 1 at column k
        for k in 0..<d { pt[perm[k] * d + k] = 1 }
        var lo = [Float](repeating: 0, count: d * d), up = [Float](repeating: 0, count: d * d)
        var lm = [Float](repeating: 0, count: d * d), um = [Float](repeating: 0, count: d * d)
        var sg = [Float](repeating: 0, count: d), ls = [Float](repeating: 0, count: d)
        for i in 0..<d {
            for j in 0..<d {
                if j < i { lo[i * d + j] = Float(a[i * d + j]); lm[i * d + j] = 1 }
                if j > i { up[i * d + j] = Float(a[i * d + j]); um[i * d + j] = 1 }
            }
            sg[i] = a[i * d + i] < 0 ? -1 : 1
            ls[i] = Float(Foundation.log(Swift.abs(a[i * d + i])))
        }
        permutation = Tensor(shape: [d, d], scalars: pt)
        lower = Parameter(Tensor(shape: [d, d], scalars: lo))
        upper = Parameter(Tensor(shape: [d, d], scalars: up))
        logScale = Parameter(Tensor(ls))
        sign = Tensor(sg)
        lowerMask = Tensor(shape: [d, d], scalars: lm)
        upperMask = Tensor(shape: [d, d], scalars: um)
        var eye = [Float](repeating: 0, count: d * d)
        for i in 0..<d { eye[i * d + i] = 1 }
        identity = Tensor(shape: [d, d], scalars: eye)
    }

    /// The trainable factors `lower`, `upper` and `log_scale`; P and the signs are fixed and not
    /// listed.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        [("lower", lower), ("upper", upper), ("log_scale", logScale)]
    }

    /// The matrix W = P L (U + diag(sign * exp(logScale))) (D, D) from the current factors,
    /// differentiable in the parameters.
    public func weight() -> Tensor {
        let d = logScale.shape[0]
        let l = lower.value * lowerMask + identity
        let u = upper.value * upperMask + identity * (sign * exp(logScale.value)).reshaped([1, d])
        return matmul(permutation, matmul(l, u))
    }

    /// Applies M to the feature axis of (N, D) or (N, C, H, W).
    private func apply(_ x: Tensor, _ m: Tensor) -> Tensor {
        let d = logScale.shape[0]
        check((x.rank == 2 || x.rank == 4) && x.shape[1] == d, "InvertibleLinear(\(d)): input shape \(x.shape)")
        if x.rank == 2 { return matmul(x, m, transposeB: true) }
        let (n, h, w) = (x.shape[0], x.shape[2], x.shape[3])
        let rows = x.permuted([0, 2, 3, 1]).reshaped([-1, d])
        return matmul(rows, m, transposeB: true).reshaped([n, h, w, d]).permuted([0, 3, 1, 2])
    }

    private func spatial(_ x: Tensor) -> Float { x.rank == 4 ? Float(x.shape[2] * x.shape[3]) : 1 }

    /// z = x W^T per row (per pixel over the channels for images); log-det sum(logScale), times H W
    /// for images, shape (N).
    public func forward(_ x: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) {
        (apply(x, weight()), (logScale.value.sum() * spatial(x)).expanded(to: [x.shape[0]]))
    }

    /// x = z W^-T, with W^-1 computed in double; log-det -sum(logScale) (times H W for images),
    /// shape (N). No gradient reaches the parameters through W^-1.
    public func inverse(_ z: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) {
        let inv = withoutGradients { invertMatrix(weight()) }
        return (apply(z, inv), (logScale.value.sum() * -spatial(z)).expanded(to: [z.shape[0]]))
    }
}

/// Inverse of a square matrix by Gauss-Jordan elimination with partial pivoting, in double.
func invertMatrix(_ m: Tensor) -> Tensor {
    let d = m.shape[0]
    var a = m.scalars.map(Double.init)
    var inv = [Double](repeating: 0, count: d * d)
    for i in 0..<d { inv[i * d + i] = 1 }
    for k in 0..<d {
        let p = (k..<d).max { Swift.abs(a[$0 * d + k]) < Swift.abs(a[$1 * d + k]) }!
        if p != k { for j in 0..<d { a.swapAt(k * d + j, p * d + j); inv.swapAt(k * d + j, p * d + j) } }
        let piv = a[k * d + k]
        check(piv != 0, "invertMatrix: singular matrix")
        for j in 0..<d { a[k * d + j] /= piv; inv[k * d + j] /= piv }
        for i in 0..<d where i != k {
            let f = a[i * d + k]
            if f == 0 { continue }
            for j in 0..<d { a[i * d + j] -= f * a[k * d + j]; inv[i * d + j] -= f * inv[k * d + j] }
        }
    }
    return Tensor(shape: [d, d], scalars: inv.map(Float.init))
}
