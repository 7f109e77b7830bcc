import Foundation

/// Which approximate posterior a VAE uses: the Gaussian alone, or K flow steps on top of it.
/// Spelled as on the command line: `gaussian`, `planar:K`, `iaf:K`.
public enum PosteriorKind: Equatable, Sendable, CustomStringConvertible {
    case gaussian
    /// K planar flows, amortised: the encoder's features give each example its own (u, w, b).
    case planar(Int)
    /// K inverse autoregressive flow blocks (MADE with the encoder's features as context).
    case iaf(Int)

    public init(parsing s: String) throws {
        if s == "gaussian" { self = .gaussian; return }
        let parts = s.split(separator: ":")
        if parts.count == 2, let k = Int(parts[1]), k >= 1 {
            switch parts[0] {
            case "planar": self = .planar(k); return
            case "iaf": self = .iaf(k); return
            default: break
            }
        }
        throw LatentError("posterior '\(s)' is not one of gaussian, planar:K, iaf:K (K >= 1)")
    }

    public var description: String {
        switch self {
        case .gaussian: "gaussian"
        case .planar(let k): "planar:\(k)"
        case .iaf(let k): "iaf:\(k)"
        }
    }
}

/// K flow steps applied to a Gaussian posterior sample: z_0 -> z_K with
/// log q_K(z_K|x) = log q(z_0|x) - sum_k log|det dz_k/dz_{k-1}|. Only the sampling
/// direction is needed, never an inverse.
public protocol PosteriorFlow: Module {
    /// z_K and the summed log|det dz_K/dz_0|, shape (N). `features` is the encoder's
    /// hidden output (N, F) for amortised flows.
    func transform(_ z0: Tensor, features: Tensor) -> (z: Tensor, logDet: Tensor)
}

/// Amortised planar flows (Rezende & Mohamed 2015): a linear layer maps the encoder's
/// features to K sets (u, w, b) per example; step k is z + u_hat tanh(w.z + b) with
/// u_hat = u + (softplus(w.u) - 1 - w.u) w / |w|^2, so w.u_hat >= -1 and each step is invertible.
///
/// ```swift
/// let flow = AmortisedPlanarFlows(latent: 10, steps: 4, features: 256, rng: &rng)
/// let (zK, logDet) = flow.transform(z0, features: q.features)
/// ```
public final class AmortisedPlanarFlows: PosteriorFlow {
    public let latent: Int
    public let steps: Int
    public let parameterHead: Linear
    public var isTraining = true

    public init(latent: Int, steps: Int, features: Int, rng: inout RandomGenerator) {
        self.latent = latent
        self.steps = steps
        parameterHead = Linear(features, steps * (2 * latent + 1), rng: &rng)
    }

    public var namedParameters: [(name: String, parameter: Parameter)] { prefixed("head", parameterHead.namedParameters) }
    public var children: [Module] { [parameterHead] }

    public func transform(_ z0: Tensor, features: Tensor) -> (z: Tensor, logDet: Tensor) {
        let p = parameterHead(features)                    // (N, K (2D + 1))
        let d = latent, width = 2 * d + 1
        var z = z0
        var total: Tensor? = nil
        for k in 0..<steps {
            let o = k * width
            let u = p.slice(axis: 1, o..<(o + d)), w = p.slice(axis: 1, (o + d)..<(o + 2 * d))
            let b = p.slice(axis: 1, (o + 2 * d)..<(o + width))                                  // (N, 1)
            let wu = (w * u).sum(axis: 1, keepingDimension: true)                                  // (N, 1)
            let uHat = u + (softplus(wu) - 1 - wu) * w / (w * w).sum(axis: 1, keepingDimension: true)
            let h = tanh((w * z).sum(axis: 1, keepingDimension: true) + b)                         // (N, 1)
            z = z + uHat * h
            let psiU = (1 - h * h) * (w * uHat).sum(axis: 1, keepingDimension: true)
            let ld = log(abs(psiU + 1)).reshaped([-1])
            total = total.map { $0 + ld } ?? ld
        }
        return (z, total ?? Tensor.zeros([z0.shape[0]]))
    }
}

/// K IAF blocks (Kingma et al. 2016) on the Gaussian sample, each a MADE that reads the
/// encoder's features as context; orders alternate natural / reversed. One pass per block.
public final class IAFPosterior: PosteriorFlow {
    public let blocks: [InverseAutoregressiveFlow]
    public var isTraining = true

    public init(latent: Int, steps: Int, features: Int, hidden: Int, rng: inout RandomGenerator) {
        blocks = (0..<steps).map { i in
            InverseAutoregressiveFlow(features: latent, hidden: [hidden, hidden], contextFeatures: features,
                                      order: i % 2 == 0 ? .natural : .reversed, rng: &rng)
        }
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        blocks.enumerated().flatMap { prefixed(String($0.offset), $0.element.namedParameters) }
    }
    public var children: [Module] { blocks }

    public func transform(_ z0: Tensor, features: Tensor) -> (z: Tensor, logDet: Tensor) {
        var z = z0
        var total: Tensor? = nil
        for b in blocks {
            let (y, ld) = b.inverse(z, context: features)
            z = y
            total = total.map { $0 + ld } ?? ld
        }
        return (z, total ?? Tensor.zeros([z0.shape[0]]))
    }
}

/// A flow with shared (not amortised) parameters used as a posterior flow in its sampling
/// direction (``Flow/inverse(_:context:)``); the encoder's features are ignored.
public final class SharedFlowPosterior: PosteriorFlow {
    public let flow: any Flow
    public var isTraining = true
    public init(_ flow: any Flow) { self.flow = flow }
    public var namedParameters: [(name: String, parameter: Parameter)] { prefixed("flow", flow.namedParameters) }
    public var children: [Module] { [flow] }
    public func transform(_ z0: Tensor, features: Tensor) -> (z: Tensor, logDet: Tensor) {
        let (z, ld) = flow.inverse(z0, context: nil)
        return (z, ld)
    }
}

/// A flow with its two directions swapped: `forward` is the wrapped flow's `inverse`
/// and vice versa. A MAF's density direction, run as a sampling direction, is an IAF.
public final class InvertedFlow: Flow {
    public let flow: any Flow
    public var isTraining = true
    public init(_ flow: any Flow) { self.flow = flow }
    public var namedParameters: [(name: String, parameter: Parameter)] { flow.namedParameters }
    public var children: [Module] { [flow] }
    public func forward(_ x: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) { flow.inverse(x, context: context) }
    public func inverse(_ z: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) { flow.forward(z, context: context) }
}
