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
    /// ``forward(_:context:)`` without a context.
    public func forward(_ x: Tensor) -> (output: Tensor, logDet: Tensor) { forward(x, context: nil) }
    /// ``inverse(_:context:)`` without a context.
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
    public var flows: [any Flow]
    public var isTraining = true

    public init(_ flows: [any Flow]) { self.flows = flows }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        flows.enumerated().flatMap { prefixed(String($0.offset), $0.element.namedParameters) }
    }
    public var namedBuffers: [(name: String, parameter: Parameter)] {
        flows.enumerated().flatMap { prefixed(String($0.offset), $0.element.namedBuffers) }
    }
    public var children: [Module] { flows }

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
    public var isTraining = true
    public init() {}
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }

    public func forward(_ x: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) {
        (x.flipped(axes: [1]), Tensor.zeros([x.shape[0]]))
    }

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
