/// Layers applied in order; parameters named "0.weight", "1.bias", ...
///
/// ```swift
/// let net = Sequential([Linear(2, 64, activation: .relu, rng: &rng), Linear(64, 1, rng: &rng)])
/// ```
public final class Sequential: Layer {
    public var layers: [any Layer]
    public var isTraining = true

    public init(_ layers: [any Layer]) { self.layers = layers }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { prefixed(String($0.offset), $0.element.namedParameters) }
    }
    public var namedBuffers: [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { prefixed(String($0.offset), $0.element.namedBuffers) }
    }
    public var children: [Module] { layers }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        layers.reduce(x) { $1($0) }
    }
}

/// A multilayer perceptron: Linear layers of the given sizes with `activation`
/// between them (fused into each Linear) and `outputActivation` at the end.
///
/// ```swift
/// let net = MLP([2, 256, 256, 2], activation: .relu, rng: &rng)
/// ```
public func MLP(_ sizes: [Int], activation: ActivationFunction = .relu, outputActivation: ActivationFunction = .identity, rng: inout RandomGenerator) -> Sequential {
    check(sizes.count >= 2, "MLP: needs at least input and output sizes, got \(sizes)")
    var layers: [any Layer] = []
    for i in 0..<(sizes.count - 1) {
        let last = i == sizes.count - 2
        layers.append(Linear(sizes[i], sizes[i + 1], activation: last ? outputActivation : activation, rng: &rng))
    }
    return Sequential(layers)
}

/// Applies a function (no parameters) as a layer: reshapes, activations.
public final class Lambda: Layer {
    let body: (Tensor) -> Tensor
    public var isTraining = true
    public init(_ body: @escaping (Tensor) -> Tensor) { self.body = body }
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }
    public func callAsFunction(_ x: Tensor) -> Tensor { body(x) }
}
