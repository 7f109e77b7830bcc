/// An invertible map with a tractable log-determinant: a normalizing flow.
///
/// `forward` goes from data to noise, x -> z, and returns log|det dz/dx| per
/// example; `inverse` goes back, z -> x, with log|det dx/dz|. Both log-dets
/// have shape (N). A conditional flow reads a `context` tensor (N, ...) in
/// both directions; unconditional flows ignore it.
///
/// ```swift
/// let (z, logDet) = flow.forward(x)          // density direction
/// let (x2, _) = flow.inverse(z)              // x2 == x up to rounding
/// let logp = standardNormalLogDensity(z) + logDet
/// ```
public protocol Flow: Module {
    /// Data to noise: (z, log|det dz/dx|) with the log-det of shape (N).
    func forward(_ x: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor)
    /// Noise to data: (x, log|det dx/dz|) with the log-det of shape (N).
    func inverse(_ z: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor)
}

extension Flow {
    /// Data to noise without a context: ``forward(_:context:)`` with `context: nil`.
    public func forward(_ x: Tensor) -> (output: Tensor, logDet: Tensor) { forward(x, context: nil) }
    /// Noise to data without a context: ``inverse(_:context:)`` with `context: nil`.
    public func inverse(_ z: Tensor) -> (output: Tensor, logDet: Tensor) { inverse(z, context: nil) }
}

/// Flows applied one after another; the log-determinants add up.
///
/// `forward` runs the flows in order, `inverse` in reverse order. Parameters
/// are named "0.…", "1.…" like ``Sequential``.
///
/// ```swift
/// let flow = FlowSequence((0..<8).map { i in
///     AffineCoupling(mask: CouplingMask.alternating(2, parity: i % 2), hidden: [256, 256], rng: &rng)
/// })
/// ```
public final class FlowSequence: Flow {
    /// The flows in data-to-noise order: ``forward(_:context:)`` runs them first to last.
    public var flows: [any Flow]
    /// Training-mode flag required by ``Module``; `setTraining(_:)` also sets it on every flow.
    public var isTraining = true

    /// Chains `flows`, applied in array order in the data-to-noise direction.
    public init(_ flows: [any Flow]) { self.flows = flows }

    /// Each flow's parameters, prefixed by its index (`0.`, `1.`, ...).
    public var namedParameters: [(name: String, parameter: Parameter)] {
        flows.enumerated().flatMap { prefixed(String($0.offset), $0.element.namedParameters) }
    }
    /// Each flow's buffers (ActNorm flags, for instance), prefixed by its index.
    public var namedBuffers: [(name: String, parameter: Parameter)] {
        flows.enumerated().flatMap { prefixed(String($0.offset), $0.element.namedBuffers) }
    }
    /// The flows, in order.
    public var children: [Module] { flows }

    /// Runs each flow's forward in order with the same context; returns the last output and the
    /// summed log-dets, shape (N) (zeros for an empty sequence).
    public func forward(_ x: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) {
        var h = x
        var total: Tensor? = nil
        for f in flows {
            let (y, ld) = f.forward(h, context: context)
            h = y
            total = total.map { $0 + ld } ?? ld
        }
        return (h, total ?? Tensor.zeros([x.shape.first ?? 0]))
    }

    /// Runs each flow's inverse in reverse order with the same context; returns the data and the
    /// summed log-dets, shape (N) (zeros for an empty sequence).
    public func inverse(_ z: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) {
        var h = z
        var total: Tensor? = nil
        for f in flows.reversed() {
            let (y, ld) = f.inverse(h, context: context)
            h = y
            total = total.map { $0 + ld } ?? ld
        }
        return (h, total ?? Tensor.zeros([z.shape.first ?? 0]))
    }
}

/// Reverses the order of the features (axis 1); log|det| = 0.
///
/// Placed between autoregressive blocks so each block sees the variables in a
/// different order.
public final class ReverseFeatures: Flow {
    /// Training-mode flag required by ``Module``; the permutation behaves the same in both modes.
    public var isTraining = true
    /// The feature-reversing permutation; it has no parameters.
    public init() {}
    /// None: the permutation has no parameters.
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }

    /// x with axis 1 reversed, and a zero log-det of shape (N).
    public func forward(_ x: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) {
        (x.flipped(axes: [1]), Tensor.zeros([x.shape[0]]))
    }

    /// z with axis 1 reversed (the map is its own inverse), and a zero log-det of shape (N).
    public func inverse(_ z: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) {
        (z.flipped(axes: [1]), Tensor.zeros([z.shape[0]]))
    }
}

extension Tensor {
    /// Sum over every axis but the first: (N, ...) -> (N).
    func sumPerExample() -> Tensor {
        rank == 1 ? self : reshaped([shape[0], -1]).sum(axis: 1)
    }
}
