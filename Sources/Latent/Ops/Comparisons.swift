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

    /// 1 where a == b.
    public static func .== (a: Tensor, b: Tensor) -> Tensor { compare(a, b, ".==") { $0 == $1 } }
    /// 1 where a != b (also where either is NaN).
    public static func .!= (a: Tensor, b: Tensor) -> Tensor { compare(a, b, ".!=") { $0 != $1 } }
    /// 1 where a < b.
    public static func .< (a: Tensor, b: Tensor) -> Tensor { compare(a, b, ".<") { $0 < $1 } }
    /// 1 where a <= b.
    public static func .<= (a: Tensor, b: Tensor) -> Tensor { compare(a, b, ".<=") { $0 <= $1 } }
    /// 1 where a > b.
    public static func .> (a: Tensor, b: Tensor) -> Tensor { compare(a, b, ".>") { $0 > $1 } }
    /// 1 where a >= b.
    public static func .>= (a: Tensor, b: Tensor) -> Tensor { compare(a, b, ".>=") { $0 >= $1 } }

    public static func .== (a: Tensor, b: Float) -> Tensor { a .== Tensor(b) }
    public static func .!= (a: Tensor, b: Float) -> Tensor { a .!= Tensor(b) }
    public static func .< (a: Tensor, b: Float) -> Tensor { a .< Tensor(b) }
    public static func .<= (a: Tensor, b: Float) -> Tensor { a .<= Tensor(b) }
    public static func .> (a: Tensor, b: Float) -> Tensor { a .> Tensor(b) }
    public static func .>= (a: Tensor, b: Float) -> Tensor { a .>= Tensor(b) }
}
