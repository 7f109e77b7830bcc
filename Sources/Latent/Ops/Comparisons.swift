// Element-wise comparisons with NumPy broadcasting. They return 1 where the
// relation holds and 0 elsewhere (Float, so the result can mask or count
// directly) and carry no gradient, as boolean tensors in PyTorch.
//
// The operators are the standard library's point-wise ones (`.<`, `.==`, ...),
// which SIMD vectors use the same way.
//
// ```swift
// let positive = x .> 0                  // 0/1 of x's shape
// let accuracy = (predicted .== labels).mean()
// ```

extension Tensor {
    fileprivate static func compare(_ a: Tensor, _ b: Tensor, _ name: String, _ relation: (Float, Float) -> Bool) -> Tensor {
        let shape = Shape.broadcast(a.shape, b.shape, op: name)
        let ea = a.detached().expanded(to: shape), eb = b.detached().expanded(to: shape)
        let out = Tensor.uninitialized(shape)
        for i in 0..<out.count { out.base[i] = relation(ea.base[i], eb.base[i]) ? 1 : 0 }
        return out
    }

    /// Element-wise `a == b` with NumPy broadcasting: 1 where they are equal,
    /// else 0 (also where either is NaN); untracked, no gradient.
    public static func .== (a: Tensor, b: Tensor) -> Tensor { compare(a, b, ".==") { $0 == $1 } }
    /// Element-wise `a != b` with NumPy broadcasting: 1 where they differ (also
    /// where either is NaN), else 0; untracked, no gradient.
    public static func .!= (a: Tensor, b: Tensor) -> Tensor { compare(a, b, ".!=") { $0 != $1 } }
    /// Element-wise `a < b` with NumPy broadcasting: 1 where it holds, else 0;
    /// untracked, no gradient.
    public static func .< (a: Tensor, b: Tensor) -> Tensor { compare(a, b, ".<") { $0 < $1 } }
    /// Element-wise `a <= b` with NumPy broadcasting: 1 where it holds, else 0;
    /// untracked, no gradient.
    public static func .<= (a: Tensor, b: Tensor) -> Tensor { compare(a, b, ".<=") { $0 <= $1 } }
    /// Element-wise `a > b` with NumPy broadcasting: 1 where it holds, else 0;
    /// untracked, no gradient.
    public static func .> (a: Tensor, b: Tensor) -> Tensor { compare(a, b, ".>") { $0 > $1 } }
    /// Element-wise `a >= b` with NumPy broadcasting: 1 where it holds, else 0;
    /// untracked, no gradient.
    public static func .>= (a: Tensor, b: Tensor) -> Tensor { compare(a, b, ".>=") { $0 >= $1 } }

    /// Element-wise `a == b` against the scalar `b`: a 0/1 tensor of `a`'s shape;
    /// no gradient.
    public static func .== (a: Tensor, b: Float) -> Tensor { a .== Tensor(b) }
    /// Element-wise `a != b` against the scalar `b`: a 0/1 tensor of `a`'s shape;
    /// no gradient.
    public static func .!= (a: Tensor, b: Float) -> Tensor { a .!= Tensor(b) }
    /// Element-wise `a < b` against the scalar `b`: a 0/1 tensor of `a`'s shape;
    /// no gradient.
    public static func .< (a: Tensor, b: Float) -> Tensor { a .< Tensor(b) }
    /// Element-wise `a <= b` against the scalar `b`: a 0/1 tensor of `a`'s shape;
    /// no gradient.
    public static func .<= (a: Tensor, b: Float) -> Tensor { a .<= Tensor(b) }
    /// Element-wise `a > b` against the scalar `b`: a 0/1 tensor of `a`'s shape;
    /// no gradient.
    public static func .> (a: Tensor, b: Float) -> Tensor { a .> Tensor(b) }
    /// Element-wise `a >= b` against the scalar `b`: a 0/1 tensor of `a`'s shape;
    /// no gradient.
    public static func .>= (a: Tensor, b: Float) -> Tensor { a .>= Tensor(b) }
}
