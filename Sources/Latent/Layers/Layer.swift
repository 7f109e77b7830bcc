/// Anything with named parameters and a train/eval switch.
///
/// A module that lists nothing gets its registration from reflection: stored
/// `Parameter` properties are its parameters, stored modules (also in
/// optionals and arrays) its children, named after the properties, as
/// PyTorch registers attributes. A module may list them by hand instead (for
/// stable names or to leave something out); ``unregisteredMembers()`` reports
/// what a hand-written list forgot.
///
/// ```swift
/// final class Residual: Layer {
///     let body: Sequential
///     var isTraining = true
///     init(rng: inout RandomGenerator) { body = MLP([8, 64, 8], rng: &rng) }
///     func callAsFunction(_ x: Tensor) -> Tensor { x + body(x) }
/// }
/// // namedParameters: body.0.weight, body.0.bias, body.1.weight, body.1.bias
/// ```
public protocol Module: AnyObject {
    /// Parameters with dotted names, PyTorch style (`"encoder.0.weight"`), in a
    /// fixed order: what ``Module/parameters`` hands to an optimizer.
    var namedParameters: [(name: String, parameter: Parameter)] { get }
    /// Non-trainable state saved with a checkpoint (BatchNorm running statistics,
    /// ActNorm's initialised flag).
    var namedBuffers: [(name: String, parameter: Parameter)] { get }
    /// Sub-modules whose training flag follows this one.
    var children: [Module] { get }
    /// Training mode (BatchNorm uses batch statistics); evaluation otherwise.
    var isTraining: Bool { get set }
}

/// A module that maps one tensor to one tensor.
public protocol Layer: Module {
    /// Applies the layer to `x` and returns the result; the accepted shapes are
    /// the conforming layer's (a batch axis first, as in PyTorch).
    func callAsFunction(_ x: Tensor) -> Tensor
}

extension Module {
    /// The parameters found by reflection, ``Module/reflectedParameters``: a
    /// module that lists nothing gets every stored `Parameter` and the parameters
    /// of every stored sub-module.
    public var namedParameters: [(name: String, parameter: Parameter)] { reflectedParameters }
    /// The buffers of stored sub-modules found by reflection,
    /// ``Module/reflectedBuffers``.
    public var namedBuffers: [(name: String, parameter: Parameter)] { reflectedBuffers }
    /// The stored sub-modules found by reflection, ``Module/reflectedChildren``.
    public var children: [Module] { reflectedChildren }

    /// The parameters of ``namedParameters`` without their names, in the same
    /// order (buffers excluded): what an optimizer is built from.
    public var parameters: [Parameter] { namedParameters.map(\.parameter) }

    /// The number of scalars in ``parameters``: the product of each shape,
    /// summed (frozen parameters included, buffers excluded).
    public var parameterCount: Int { parameters.map { $0.shape.reduce(1, *) }.reduce(0, +) }

    /// Switches this module and its children to training or evaluation mode.
    public func setTraining(_ on: Bool) {
        isTraining = on  // a class-bound protocol: this sets the flag on the shared object
        for c in children { c.setTraining(on) }
    }
}

/// Prefixes names: `prefix.name`.
func prefixed(_ prefix: String, _ items: [(name: String, parameter: Parameter)]) -> [(name: String, parameter: Parameter)] {
    items.map { (prefix + "." + $0.name, $0.parameter) }
}

/// PyTorch's default initialisation for Linear and Conv weights and biases:
/// U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (kaiming_uniform with a = sqrt(5)).
func pytorchDefaultUniform(_ shape: [Int], fanIn: Int, rng: inout RandomGenerator) -> Tensor {
    let bound = fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0
    return rng.uniform(shape, low: -bound, high: bound)
}
