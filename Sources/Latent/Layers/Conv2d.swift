/// 2-D convolution layer, NCHW, weight (out, in, k, k) as in PyTorch.
///
/// ```swift
/// let conv = Conv2d(1, 32, kernelSize: 4, stride: 2, padding: 1, rng: &rng)
/// let y = conv(x)   // (N, 1, 64, 64) -> (N, 32, 32, 32)
/// ```
public final class Conv2d: Layer {
    public let weight: Parameter
    public let bias: Parameter?
    public let stride: Int, padding: Int
    public var activation: ActivationFunction
    public var isTraining = true

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                bias: Bool = true, activation: ActivationFunction = .identity, rng: inout RandomGenerator) {
        let fanIn = inChannels * kernelSize * kernelSize
        weight = Parameter(pytorchDefaultUniform([outChannels, inChannels, kernelSize, kernelSize], fanIn: fanIn, rng: &rng))
        self.bias = bias ? Parameter(pytorchDefaultUniform([outChannels], fanIn: fanIn, rng: &rng)) : nil
        self.stride = stride
        self.padding = padding
        self.activation = activation
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        activation(conv2d(x, weight: weight.value, bias: bias?.value, stride: stride, padding: padding))
    }
}

/// 2-D transposed convolution layer, weight (in, out, k, k) as in PyTorch.
public final class ConvTranspose2d: Layer {
    public let weight: Parameter
    public let bias: Parameter?
    public let stride: Int, padding: Int, outputPadding: Int
    public var activation: ActivationFunction
    public var isTraining = true

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

    public var namedParameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        activation(convTranspose2d(x, weight: weight.value, bias: bias?.value, stride: stride, padding: padding, outputPadding: outputPadding))
    }
}
