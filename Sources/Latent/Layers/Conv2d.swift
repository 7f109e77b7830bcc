/// A 2-D convolution layer followed by its activation, NCHW, weight
/// (out, in, k, k) as in PyTorch.
///
/// ```swift
/// let conv = Conv2d(1, 32, kernelSize: 4, stride: 2, padding: 1, rng: &rng)
/// let y = conv(x)   // (N, 1, 64, 64) -> (N, 32, 32, 32)
/// ```
public final class Conv2d: Layer {
    /// The (out, in, k, k) weight, initialised U(-1/sqrt(fanIn), 1/sqrt(fanIn))
    /// with fanIn = in * k * k, as PyTorch does.
    public let weight: Parameter
    /// The (out) bias, initialised like the weight; nil when created with
    /// `bias: false`.
    public let bias: Parameter?
    /// The stride and zero padding, the same along height and width.
    public let stride: Int, padding: Int
    /// The activation applied to the convolution's output.
    public var activation: ActivationFunction
    /// The ``Module`` training flag; the layer computes the same in both modes.
    public var isTraining = true

    /// A convolution from `inChannels` to `outChannels` with a square
    /// `kernelSize` kernel, PyTorch's default initialisation drawn from `rng`, a
    /// bias unless `bias` is false, and `activation` after it.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                bias: Bool = true, activation: ActivationFunction = .identity, rng: inout RandomGenerator) {
        let fanIn = inChannels * kernelSize * kernelSize
        weight = Parameter(pytorchDefaultUniform([outChannels, inChannels, kernelSize, kernelSize], fanIn: fanIn, rng: &rng))
        self.bias = bias ? Parameter(pytorchDefaultUniform([outChannels], fanIn: fanIn, rng: &rng)) : nil
        self.stride = stride
        self.padding = padding
        self.activation = activation
    }

    /// `weight` and, when present, `bias`, under those names.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// act(conv2d(x)) for x (N, in, H, W), giving (N, out, (H + 2 padding - k) /
    /// stride + 1, (W + 2 padding - k) / stride + 1). Supports second derivatives.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        activation(conv2d(x, weight: weight.value, bias: bias?.value, stride: stride, padding: padding))
    }
}

/// A 2-D transposed convolution layer followed by its activation, NCHW, weight
/// (in, out, k, k) as in PyTorch.
public final class ConvTranspose2d: Layer {
    /// The (in, out, k, k) weight, initialised U(-1/sqrt(fanIn), 1/sqrt(fanIn))
    /// with fanIn = out * k * k, as PyTorch computes it for transposed
    /// convolutions.
    public let weight: Parameter
    /// The (out) bias, initialised like the weight; nil when created with
    /// `bias: false`.
    public let bias: Parameter?
    /// The stride, padding and output padding (extra output size), the same
    /// along height and width.
    public let stride: Int, padding: Int, outputPadding: Int
    /// The activation applied to the transposed convolution's output.
    public var activation: ActivationFunction
    /// The ``Module`` training flag; the layer computes the same in both modes.
    public var isTraining = true

    /// A transposed convolution from `inChannels` to `outChannels` with a square
    /// `kernelSize` kernel, PyTorch's default initialisation drawn from `rng`, a
    /// bias unless `bias` is false, and `activation` after it.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0,
                bias: Bool = true, activation: ActivationFunction = .identity, rng: inout RandomGenerator) {
        // PyTorch computes fan_in from weight.size(1) * k * k = out * k * k for transposed convs.
        let fanIn = outChannels * kernelSize * kernelSize
        weight = Parameter(pytorchDefaultUniform([inChannels, outChannels, kernelSize, kernelSize], fanIn: fanIn, rng: &rng))
        self.bias = bias ? Parameter(pytorchDefaultUniform([outChannels], fanIn: fanIn, rng: &rng)) : nil
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        self.activation = activation
    }

    /// `weight` and, when present, `bias`, under those names.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// act(convTranspose2d(x)) for x (N, in, H, W), giving (N, out, oh, ow) with
    /// oh = (H - 1) * stride - 2 * padding + k + outputPadding, ow likewise.
    /// Supports second derivatives.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        activation(convTranspose2d(x, weight: weight.value, bias: bias?.value, stride: stride, padding: padding, outputPadding: outputPadding))
    }
}
