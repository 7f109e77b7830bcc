/// A fully connected layer y = act(x W^T + b), with W of shape (out, in) as in
/// PyTorch.
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let layer = Linear(2, 256, activation: .relu, rng: &rng)
/// let y = layer(x)     // (N, 2) -> (N, 256)
/// ```
public final class Linear: Layer {
    /// The (out, in) weight, initialised U(-1/sqrt(in), 1/sqrt(in)) as PyTorch does.
    public let weight: Parameter
    /// The (out) bias, initialised like the weight; nil when created with
    /// `bias: false`.
    public let bias: Parameter?
    /// The activation applied after the affine map, fused into the same kernel
    /// where it can.
    public var activation: ActivationFunction
    /// The ``Module`` training flag; a linear layer computes the same in both modes.
    public var isTraining = true

    /// A layer from `inFeatures` inputs to `outFeatures` outputs, with
    /// PyTorch's default initialisation drawn from `rng`, a bias unless `bias` is
    /// false, and `activation` after the affine map.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, activation: ActivationFunction = .identity, rng: inout RandomGenerator) {
        weight = Parameter(pytorchDefaultUniform([outFeatures, inFeatures], fanIn: inFeatures, rng: &rng))
        self.bias = bias ? Parameter(pytorchDefaultUniform([outFeatures], fanIn: inFeatures, rng: &rng)) : nil
        self.activation = activation
    }

    /// The input size: the weight's second dimension.
    public var inFeatures: Int { weight.shape[1] }
    /// The output size: the weight's first dimension.
    public var outFeatures: Int { weight.shape[0] }

    /// `weight` and, when present, `bias`, under those names.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// Applies act(x W^T + b) to the last dimension: (N, in) -> (N, out), and
    /// (..., in) -> (..., out) for any rank >= 1, as in PyTorch. Supports second
    /// derivatives.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        check(x.rank >= 1 && x.shape[x.rank - 1] == inFeatures,
              "Linear(\(inFeatures), \(outFeatures)): input shape \(x.shape) does not match weight shape \(weight.shape) (the last dimension must be \(inFeatures))")
        if x.rank == 2 { return affine(x, weight: weight.value, bias: bias?.value, activation: activation) }
        let lead = Array(x.shape.dropLast())
        let y = affine(x.reshaped([-1, inFeatures]), weight: weight.value, bias: bias?.value, activation: activation)
        return y.reshaped(lead + [outFeatures])
    }
}

/// A ``Linear``-like layer whose weight is multiplied element-wise by a fixed
/// 0/1 mask on every call, so cut connections carry neither signal nor
/// gradient (MADE).
public final class MaskedLinear: Layer {
    /// The (out, in) weight before masking, initialised as in ``Linear``.
    public let weight: Parameter
    /// The (out) bias, initialised like the weight; nil when created with
    /// `bias: false`.
    public let bias: Parameter?
    /// The (out, in) mask, stored detached; 1 keeps a connection, 0 cuts it.
    public let mask: Tensor
    /// The activation applied after the masked affine map.
    public var activation: ActivationFunction
    /// The ``Module`` training flag; the layer computes the same in both modes.
    public var isTraining = true

    /// A masked layer from `inFeatures` to `outFeatures`, initialised as
    /// ``Linear``; stops unless `mask` has shape (outFeatures, inFeatures).
    public init(_ inFeatures: Int, _ outFeatures: Int, mask: Tensor, bias: Bool = true, activation: ActivationFunction = .identity, rng: inout RandomGenerator) {
        check(mask.shape == [outFeatures, inFeatures], "MaskedLinear: mask shape \(mask.shape) does not match weight shape \([outFeatures, inFeatures])")
        weight = Parameter(pytorchDefaultUniform([outFeatures, inFeatures], fanIn: inFeatures, rng: &rng))
        self.bias = bias ? Parameter(pytorchDefaultUniform([outFeatures], fanIn: inFeatures, rng: &rng)) : nil
        self.mask = mask.detached()
        self.activation = activation
    }

    /// `weight` and, when present, `bias`, under those names (the mask is no
    /// parameter).
    public var namedParameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// act(x (W * mask)^T + b) for x of shape (N, in), giving (N, out); the
    /// weight's gradient is zero where the mask is 0.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        check(x.rank == 2 && x.shape[1] == weight.shape[1], "MaskedLinear: input shape \(x.shape) does not match weight shape \(weight.shape)")
        return affine(x, weight: weight.value * mask, bias: bias?.value, activation: activation)
    }
}
