/// Orders in which MADE makes the features depend on each other.
public enum AutoregressiveOrder: Sendable, Equatable {
    /// Feature i depends on features 0..<i.
    case natural
    /// Feature i depends on features i+1..<D.
    case reversed
    /// A random permutation drawn from `seed`.
    case random(seed: UInt64)

    /// Degree (1...D) of each input feature: feature i may depend on features of lower degree.
    public func degrees(_ features: Int) -> [Int] {
        switch self {
        case .natural: return (0..<features).map { $0 + 1 }
        case .reversed: return (0..<features).map { features - $0 }
        case .random(let seed):
            var rng = RandomGenerator(seed: seed, stream: 0x4D414445)
            return rng.permutation(features).map { $0 + 1 }
        }
    }
}

/// Masked autoencoder for distribution estimation (Germain et al. 2015).
///
/// Masked ReLU layers make output block k's feature i depend only on input
/// features of lower degree (see ``AutoregressiveOrder``). Hidden unit j of
/// every layer has degree 1 + j mod (D - 1). A context (N, contextFeatures)
/// feeds every first-layer unit (degree 0).
///
/// ```swift
/// let made = MADE(features: 8, hidden: [512, 512], outputBlocks: 2, order: .reversed, rng: &rng)
/// let outs = made(x)          // two (N, 8) tensors: shift and log-scale
/// ```
public final class MADE: Module {
    /// Number of input features D; each output block has D features too.
    public let features: Int
    /// Number of (N, features) output tensors, such as 2 for shift and log-scale.
    public let outputBlocks: Int
    /// Width of the optional context (N, contextFeatures); 0 for none.
    public let contextFeatures: Int
    /// Degree (1...features) of each input feature, from the order; outputs of degree d depend
    /// only on inputs of lower degree.
    public let degrees: [Int]
    /// The masked layers: one ReLU layer per hidden width, then a linear output layer of
    /// outputBlocks * features units.
    public let layers: [MaskedLinear]
    /// Training-mode flag required by ``Module``; `setTraining(_:)` also sets it on the layers.
    public var isTraining = true

    /// A MADE on `features` inputs with the given hidden widths, `outputBlocks` output blocks, an
    /// optional context of `contextFeatures` features and the degrees of `order`.
    public init(features: Int, hidden: [Int], outputBlocks: Int = 2, contextFeatures: Int = 0,
                order: AutoregressiveOrder = .natural, rng: inout RandomGenerator) {
        check(features >= 1 && !hidden.isEmpty, "MADE: needs at least one feature and one hidden layer")
        self.features = features
        self.outputBlocks = outputBlocks
        self.contextFeatures = contextFeatures
        let degrees = order.degrees(features)
        self.degrees = degrees
        let inDegrees = degrees + [Int](repeating: 0, count: contextFeatures)
        var previous = inDegrees
        var built: [MaskedLinear] = []
        for h in hidden {
            // With one feature nothing may depend on anything: degree D makes every output mask 0.
            let deg = (0..<h).map { features > 1 ? 1 + $0 % (features - 1) : features }
            let mask = Tensor(shape: [h, previous.count], scalars: deg.flatMap { d in previous.map { $0 <= d ? 1 : 0 } })
            built.append(MaskedLinear(previous.count, h, mask: mask, activation: .relu, rng: &rng))
            previous = deg
        }
        let outDeg = (0..<outputBlocks).flatMap { _ in degrees }
        let mask = Tensor(shape: [outDeg.count, previous.count], scalars: outDeg.flatMap { d in previous.map { $0 < d ? 1 : 0 } })
        built.append(MaskedLinear(previous.count, outDeg.count, mask: mask, rng: &rng))
        layers = built
    }

    /// Each masked layer's parameters, prefixed by its index (`0.`, `1.`, ...).
    public var namedParameters: [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { prefixed(String($0.offset), $0.element.namedParameters) }
    }
    /// The masked layers.
    public var children: [Module] { layers }

    /// Runs the masked network on x (N, features) and an optional context (N, contextFeatures);
    /// returns `outputBlocks` tensors of shape (N, features), feature i of each depending only on
    /// inputs of lower degree.
    public func callAsFunction(_ x: Tensor, context: Tensor? = nil) -> [Tensor] {
        check(x.rank == 2 && x.shape[1] == features, "MADE(\(features)): input shape \(x.shape)")
        check((context?.shape[1] ?? 0) == contextFeatures, "MADE: context shape \(context?.shape ?? []) does not match contextFeatures \(contextFeatures)")
        var h = context.map { concatenate([x, $0], axis: 1) } ?? x
        for l in layers { h = l(h) }
        return (0..<outputBlocks).map { h.slice(axis: 1, ($0 * features)..<(($0 + 1) * features)) }
    }
}
