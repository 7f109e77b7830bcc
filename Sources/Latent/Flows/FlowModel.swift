import Foundation

/// The standard normal N(0, I) as the base distribution of a flow.
///
/// ```swift
/// let base = StandardNormal()
/// let logp = base.logProb(z)            // (N): summed over all but the first axis
/// let z = base.sample([16, 2], rng: &rng)
/// ```
public struct StandardNormal: Sendable {
    /// The standard normal base; it has no parameters.
    public init() {}

    /// log N(z; 0, I), summed over every axis but the first: shape (N).
    public func logProb(_ z: Tensor) -> Tensor {
        standardNormalLogDensity(z.rank == 1 ? z.reshaped([-1, 1]) : z.reshaped([z.shape[0], -1]))
    }

    /// Independent N(0, 1) draws of the given shape from `rng`.
    public func sample(_ shape: [Int], rng: inout RandomGenerator) -> Tensor { rng.normal(shape) }
}

/// A density model: a flow from data to a standard normal base.
///
/// log p(x) = log N(f(x); 0, I) + log|det df/dx|; samples are f^-1(z), z ~ N(0, I).
///
/// ```swift
/// let model = FlowModel(flow: FlowSequence(layers), eventShape: [2])
/// let loss = model.negativeLogLikelihood(batch)      // mean over the batch, nats
/// backward(loss, to: model.parameters)
/// let xs = withoutGradients { model.sample(1000, rng: &rng) }
/// ```
public final class FlowModel: Module {
    /// The flow f from data x to the latent z, of the same shape.
    public let flow: any Flow
    /// Shape of one example (without the batch axis).
    public let eventShape: [Int]
    /// The base distribution N(0, I) of the latent.
    public let base = StandardNormal()
    /// Training-mode flag required by ``Module``; `setTraining(_:)` also sets it on the flow, whose
    /// ActNorms initialise only in training mode.
    public var isTraining = true

    /// A density model with the flow `flow` on examples of shape `eventShape` (without the batch
    /// axis).
    public init(flow: any Flow, eventShape: [Int]) {
        self.flow = flow
        self.eventShape = eventShape
    }

    /// The flow's parameters, prefixed `flow.`.
    public var namedParameters: [(name: String, parameter: Parameter)] { prefixed("flow", flow.namedParameters) }
    /// The flow's buffers, prefixed `flow.`.
    public var namedBuffers: [(name: String, parameter: Parameter)] { prefixed("flow", flow.namedBuffers) }
    /// The flow.
    public var children: [Module] { [flow] }

    /// Number of scalars in one example.
    public var dimensions: Int { eventShape.reduce(1, *) }

    /// log p(x) per example, shape (N), in nats.
    public func logProb(_ x: Tensor, context: Tensor? = nil) -> Tensor {
        let (z, logDet) = flow.forward(x, context: context)
        return base.logProb(z) + logDet
    }

    /// Mean negative log-likelihood over the batch (a scalar), in nats.
    public func negativeLogLikelihood(_ x: Tensor, context: Tensor? = nil) -> Tensor {
        -logProb(x, context: context).mean()
    }

    /// `n` samples of shape (n, eventShape...).
    public func sample(_ n: Int, context: Tensor? = nil, rng: inout RandomGenerator) -> Tensor {
        let z = base.sample([n] + eventShape, rng: &rng)
        return flow.inverse(z, context: context).output
    }

    /// Bits per dimension of 8-bit data from the log-density of its
    /// dequantized version y = (x + u) / 256 in [0, 1)^D:
    /// (-log p(y) + D ln 256) / (D ln 2), averaged over the batch (`levels`
    /// replaces 256 for data with another number of levels).
    ///
    /// ```swift
    /// let bpd = model.bitsPerDimension(logProb: model.logProb(y))
    /// ```
    public func bitsPerDimension(logProb: Tensor, levels: Int = 256) -> Double {
        FlowModel.bitsPerDimension(meanLogProb: Double(logProb.mean().scalar), dimensions: dimensions, levels: levels)
    }

    /// (-meanLogProb + D ln levels) / (D ln 2) for log-densities of data scaled to [0, 1).
    public static func bitsPerDimension(meanLogProb: Double, dimensions: Int, levels: Int = 256) -> Double {
        let d = Double(dimensions)
        return (-meanLogProb + d * Foundation.log(Double(levels))) / (d * Foundation.log(2.0))
    }
}
