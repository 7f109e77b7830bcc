/// y = act(x W^T + b), with W of shape (out, in) as in PyTorch.
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let layer = Linear(2, 256, activation: .relu, rng: &rng)
/// let y = layer(x)     // (N, 2) -> (N, 256)
/// ```
public final class Linear: Layer {
    public let weight: Parameter
    public let bias: Parameter?
    public var activation: ActivationFunction
    public var isTraining = true

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, activation: ActivationFunction = .identity, rng: inout RandomGenerator) {
        weight = Parameter(pytorchDefaultUniform([outFeatures, inFeatures], fanIn: inFeatures, rng: &rng))
        self.bias = bias ? Parameter(pytorchDefaultUniform([outFeatures], fanIn: inFeatures, rng: &rng)) : nil
        self.activation = activation
    }

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// Maps the last dimension: (N, in) -> (N, out), and (..., in) -> (..., out)
    /// for any rank >= 1, as in PyTorch.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        check(x.rank >= 1 && x.shape[x.rank - 1] == inFeatures,
              "Linear(\(inFeatures), \(outFeatures)): input shape \(x.shape) does not match weight shape \(weight.shape) (the last dimension must be \(inFeatures))")
        if x.rank == 2 { return affine(x, weight: weight.value, bias: bias?.value, activation: activation) }
        let lead = Array(x.shape.dropLast())
        let y = affine(x.reshaped([-1, inFeatures]), weight: weight.value, bias: bias?.value, activation: activation)
        return y.reshaped(lead + [outFeatures])
    }
}

/// A Linear layer whose weight is multiplied by a fixed 0/1 mask (MADE).
public final class MaskedLinear: Layer {
    public let weight: Parameter
    public let bias: Parameter?
    /// (out, in) mask; 1 keeps a connection.
    public let mask: Tensor
    public var activation: ActivationFunction
    public var isTraining = true

    public init(_ inFeatures: Int, _ outFeatures: Int, mask: Tensor, bias: Bool = true, activation: ActivationFunction = .identity, rng: inout RandomGenerator) {
        check(mask.shape == [outFeatures, inFeatures], "MaskedLinear: mask shape \(mask.shape) does not match weight shape \([outFeatures, inFeatures])")
        weight = Parameter(pytorchDefaultUniform([outFeatures, inFeatures], fanIn: inFeatures, rng: &rng))
        self.bias = bias ? Parameter(pytorchDefaultUniform([outFeatures], fanIn: inFeatures, rng: &rng)) : nil
        self.mask = mask.detached()
        self.activation = activation
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        check(x.rank == 2 && x.shape[1] == weight.shape[1], "MaskedLinear: input shape \(x.shape) does not match weight shape \(weight.shape)")
        return affine(x, weight: weight.value * mask, bias: bias?.value, activation: activation)
    }
}
