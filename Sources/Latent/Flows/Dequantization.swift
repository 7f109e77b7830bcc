import Foundation

/// Dequantization of 8-bit data x in {0, ..., 255}^D: y = (x + u) / 256 in
/// [0, 1)^D with noise u in [0, 1)^D drawn from q(u | x). Then
/// log P(x) >= E_q[log p(y) - D ln 256 - log q(u | x)], the bound both
/// dequantizers report (``dequantizedBound(model:dequantizer:x:rng:)``).
///
/// ```swift
/// let deq = UniformDequantization()
/// let (y, logQ) = deq.dequantize(x, rng: &rng)     // logQ = 0
/// let loss = -(model.logProb(y) - logQ).mean()
/// ```
public protocol Dequantizer: Module {
    /// (y, log q(u | x)) with y = (x + u) / 256 and log q per example (N).
    func dequantize(_ x: Tensor, rng: inout RandomGenerator) -> (y: Tensor, logQ: Tensor)
}

/// u ~ U[0, 1)^D: log q(u | x) = 0.
public final class UniformDequantization: Dequantizer {
    /// Training-mode flag required by ``Module``; uniform dequantization behaves the same in both
    /// modes.
    public var isTraining = true
    /// A uniform dequantizer; it has no parameters.
    public init() {}
    /// None: uniform dequantization has no parameters.
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }

    /// Adds u ~ U[0, 1) per element to x (N, ...) in {0, ..., 255} and divides by 256; returns y of
    /// x's shape and log q = 0, shape (N).
    public func dequantize(_ x: Tensor, rng: inout RandomGenerator) -> (y: Tensor, logQ: Tensor) {
        (dequantized(x, rng: &rng), Tensor.zeros([x.shape[0]]))
    }
}

/// Variational dequantization (Flow++, Ho et al. 2019): u = sigmoid(v) with
/// v = g(eps; x), eps ~ N(0, I) and g a conditional flow run in its sampling
/// (inverse) direction with context x / 255 - 0.5; trained jointly with the
/// density model by maximising the bound.
///
/// log q(u | x) = log N(eps) - log|det dv/deps| - sum log sigmoid'(v).
///
/// ```swift
/// let noiseFlow = realNVP(dimensions: 4, layers: 4, hidden: [32, 32], contextFeatures: 4, rng: &rng)
/// let deq = VariationalDequantization(flow: noiseFlow)
/// ```
public final class VariationalDequantization: Dequantizer {
    /// The conditional noise flow g, run in its inverse direction with the context x / 255 - 0.5,
    /// which has x's shape.
    public let flow: any Flow
    /// Training-mode flag required by ``Module``; `setTraining(_:)` also sets it on the noise flow.
    public var isTraining = true

    /// Variational dequantization with the noise flow `flow`, which must accept a context of the
    /// data's shape (N, ...).
    public init(flow: any Flow) { self.flow = flow }

    /// The noise flow's parameters, prefixed `flow.`.
    public var namedParameters: [(name: String, parameter: Parameter)] { prefixed("flow", flow.namedParameters) }
    /// The noise flow.
    public var children: [Module] { [flow] }

    /// Draws eps ~ N(0, I) of x's shape, maps it through the noise flow's inverse to v and sets u =
    /// sigmoid(v); returns y = (x + u) / 256 and log q(u | x) per example (N), differentiable in
    /// the flow's parameters.
    public func dequantize(_ x: Tensor, rng: inout RandomGenerator) -> (y: Tensor, logQ: Tensor) {
        let eps = rng.normal(x.shape)
        let context = x / 255 - 0.5
        let (v, logDet) = flow.inverse(eps, context: context)
        let u = sigmoid(v)
        // log sigmoid'(v) = -softplus(-v) - softplus(v).
        let logJacobian = -(softplus(-v) + softplus(v)).sumPerExample()
        let logQ = StandardNormal().logProb(eps) - logDet - logJacobian
        return ((x + u) / 256, logQ)
    }
}

/// Per-example lower bound on log P(x) in nats for 8-bit data x (N, ...):
/// log p(y) - D ln 256 - log q(u | x), one noise draw.
///
/// ```swift
/// let bound = dequantizedBound(model: model, dequantizer: deq, x: batch, rng: &rng)
/// let bitsPerDim = -bound.mean().scalar / (Float(model.dimensions) * log(2))
/// ```
public func dequantizedBound(model: FlowModel, dequantizer: any Dequantizer, x: Tensor, rng: inout RandomGenerator) -> Tensor {
    let (y, logQ) = dequantizer.dequantize(x, rng: &rng)
    let d = Float(model.dimensions)
    return model.logProb(y) - logQ - d * Float(Foundation.log(256.0))
}
