/// Layers applied in order; parameters named "0.weight", "1.bias", ...
///
/// ```swift
/// let net = Sequential([Linear(2, 64, activation: .relu, rng: &rng), Linear(64, 1, rng: &rng)])
/// ```
public final class Sequential: Layer {
    /// The layers in the order they are applied; a layer's index is the prefix of
    /// its parameter names (`"0."`, `"1."`, ...).
    public var layers: [any Layer]
    /// This container's training flag; ``Module/setTraining(_:)`` also sets it on
    /// every layer (assigning it directly does not).
    public var isTraining = true

    /// Creates a container that applies `layers` in order.
    public init(_ layers: [any Layer]) { self.layers = layers }

    /// Each layer's parameters prefixed with its index: `"0.weight"`, `"0.bias"`,
    /// `"1.weight"`, ...
    public var namedParameters: [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { prefixed(String($0.offset), $0.element.namedParameters) }
    }
    /// Each layer's buffers prefixed with its index (`"1.running_mean"` when
    /// layer 1 is a ``BatchNorm``).
    public var namedBuffers: [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { prefixed(String($0.offset), $0.element.namedBuffers) }
    }
    /// The layers, so that ``Module/setTraining(_:)`` reaches each of them.
    public var children: [Module] { layers }

    /// Feeds `x` through every layer in order and returns the last output (`x`
    /// itself when there are no layers).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        layers.reduce(x) { $1($0) }
    }
}

/// A multilayer perceptron: Linear layers of the given sizes with `activation`
/// between them (fused into each Linear) and `outputActivation` at the end.
///
/// `sizes` lists the widths from input to output, at least two of them (fewer
/// stop the program); the result has `sizes.count - 1` Linear layers, named
/// `"0"`, `"1"`, ... as in ``Sequential``, with PyTorch's default
/// initialisation drawn from `rng`.
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
///
/// ```swift
/// let flatten = Lambda { $0.reshaped([$0.shape[0], -1]) }
/// ```
public final class Lambda: Layer {
    let body: (Tensor) -> Tensor
    /// Present for ``Module``; the function ignores it.
    public var isTraining = true
    /// Wraps `body` as a layer.
    public init(_ body: @escaping (Tensor) -> Tensor) { self.body = body }
    /// Always empty: parameters that `body` captures are not registered, so no
    /// optimizer built from ``Module/parameters`` sees them.
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }
    /// Returns `body(x)`.
    public func callAsFunction(_ x: Tensor) -> Tensor { body(x) }
}
