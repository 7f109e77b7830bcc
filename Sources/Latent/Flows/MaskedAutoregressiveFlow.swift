/// One block of a masked autoregressive flow (MAF, Papamakarios et al. 2017).
///
/// Density direction in one pass: u_i = (x_i - mu_i(x_<i)) exp(-alpha_i(x_<i)),
/// log|det| = -sum alpha. Sampling inverts it in D passes of the MADE.
///
/// ```swift
/// let blocks = (0..<5).map { i in
///     MaskedAutoregressiveFlow(features: 8, hidden: [512, 512], order: i % 2 == 0 ? .natural : .reversed, rng: &rng)
/// }
/// let model = FlowModel(flow: FlowSequence(blocks), eventShape: [8])
/// ```
public final class MaskedAutoregressiveFlow: Flow {
    /// The MADE that gives each feature's shift mu (block 0) and log-scale alpha (block 1) from x.
    public let made: MADE
    /// Training-mode flag required by ``Module``; `setTraining(_:)` also sets it on the MADE.
    public var isTraining = true

    /// One MAF block on `features` features with a MADE of the given hidden widths, an optional
    /// context of `contextFeatures` features and the given order.
    public init(features: Int, hidden: [Int], contextFeatures: Int = 0, order: AutoregressiveOrder = .natural, rng: inout RandomGenerator) {
        made = MADE(features: features, hidden: hidden, outputBlocks: 2, contextFeatures: contextFeatures, order: order, rng: &rng)
    }

    /// The MADE's parameters, prefixed `made.`.
    public var namedParameters: [(name: String, parameter: Parameter)] { prefixed("made", made.namedParameters) }
    /// The MADE.
    public var children: [Module] { [made] }

    /// Data to noise in one MADE pass: u = (x - mu) exp(-alpha) for x (N, D); log-det -sum alpha,
    /// shape (N).
    public func forward(_ x: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) {
        let p = made(x, context: context)
        let (mu, alpha) = (p[0], p[1])
        return ((x - mu) * exp(-alpha), -alpha.sum(axis: 1))
    }

    /// Noise to data in D sequential MADE passes, x = u exp(alpha) + mu; log-det sum alpha,
    /// shape (N).
    public func inverse(_ u: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) {
        // Pass k fixes every feature of degree <= k; after D passes x is exact and
        // the last pass's parameters were computed from its correct prefix.
        var x = Tensor.zeros(u.shape)
        var alpha = Tensor.zeros(u.shape)
        for _ in 0..<made.features {
            let p = made(x, context: context)
            alpha = p[1]
            x = u * exp(alpha) + p[0]
        }
        return (x, alpha.sum(axis: 1))
    }
}

/// One block of an inverse autoregressive flow (IAF, Kingma et al. 2016).
///
/// Sampling direction in one pass: x_i = u_i exp(alpha_i(u_<i)) + mu_i(u_<i),
/// log|det dx/du| = sum alpha. The density direction (``forward(_:context:)``)
/// needs D passes. With a context it is the flexible posterior of a VAE.
///
/// ```swift
/// let iaf = InverseAutoregressiveFlow(features: 16, hidden: [64, 64], contextFeatures: 32, rng: &rng)
/// let (z, logDet) = iaf.inverse(eps, context: h)     // one pass
/// ```
public final class InverseAutoregressiveFlow: Flow {
    /// The MADE that gives each feature's shift mu (block 0) and log-scale alpha (block 1) from the
    /// noise u.
    public let made: MADE
    /// Training-mode flag required by ``Module``; `setTraining(_:)` also sets it on the MADE.
    public var isTraining = true

    /// One IAF block on `features` features with a MADE of the given hidden widths, an optional
    /// context of `contextFeatures` features and the given order.
    public init(features: Int, hidden: [Int], contextFeatures: Int = 0, order: AutoregressiveOrder = .natural, rng: inout RandomGenerator) {
        made = MADE(features: features, hidden: hidden, outputBlocks: 2, contextFeatures: contextFeatures, order: order, rng: &rng)
    }

    /// The MADE's parameters, prefixed `made.`.
    public var namedParameters: [(name: String, parameter: Parameter)] { prefixed("made", made.namedParameters) }
    /// The MADE.
    public var children: [Module] { [made] }

    /// Noise to data in one MADE pass: x = u exp(alpha) + mu for u (N, D); log-det sum alpha,
    /// shape (N).
    public func inverse(_ u: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) {
        let p = made(u, context: context)
        let (mu, alpha) = (p[0], p[1])
        return (u * exp(alpha) + mu, alpha.sum(axis: 1))
    }

    /// Data to noise in D sequential MADE passes, u = (x - mu) exp(-alpha); log-det -sum alpha,
    /// shape (N).
    public func forward(_ x: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) {
        // u_i = (x_i - mu_i(u_<i)) e^-alpha_i(u_<i): D passes, each fixing one more degree.
        var u = Tensor.zeros(x.shape)
        var alpha = Tensor.zeros(x.shape)
        for _ in 0..<made.features {
            let p = made(u, context: context)
            alpha = p[1]
            u = (x - p[0]) * exp(-alpha)
        }
        return (u, -alpha.sum(axis: 1))
    }
}
