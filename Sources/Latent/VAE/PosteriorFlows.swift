import Foundation

/// Which approximate posterior a VAE uses: the Gaussian alone, or K flow steps on top of it.
/// Spelled as on the command line: `gaussian`, `planar:K`, `iaf:K`.
public enum PosteriorKind: Equatable, Sendable, CustomStringConvertible {
    /// The Gaussian q(z|x) alone, with no flow steps.
    case gaussian
    /// K planar flows, amortised: the encoder's features give each example its own (u, w, b).
    case planar(Int)
    /// K inverse autoregressive flow blocks (MADE with the encoder's features as context).
    case iaf(Int)

    /// Parses the command-line spelling `gaussian`, `planar:K` or `iaf:K` (K >= 1); throws ``LatentError``
    /// otherwise.
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

    /// The command-line spelling (`gaussian`, `planar:K`, `iaf:K`) that ``PosteriorKind/init(parsing:)``
    /// reads back.
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
    /// The latent size D.
    public let latent: Int
    /// The number K of planar steps.
    public let steps: Int
    /// The linear layer features -> K (2D + 1): step k reads u, w (D columns each) and b (one column) from
    /// columns k (2D + 1) onwards.
    public let parameterHead: Linear
    /// Training-mode flag (the flows behave the same in both modes).
    public var isTraining = true

    /// K = `steps` planar steps on a `latent`-dimensional z, with a head reading encoder features of width
    /// `features`, initialised from `rng`.
    public init(latent: Int, steps: Int, features: Int, rng: inout RandomGenerator) {
        self.latent = latent
        self.steps = steps
        parameterHead = Linear(features, steps * (2 * latent + 1), rng: &rng)
    }

    /// The head's weight and bias under "head.".
    public var namedParameters: [(name: String, parameter: Parameter)] { prefixed("head", parameterHead.namedParameters) }
    /// The parameter head, whose training flag follows this module's.
    public var children: [Module] { [parameterHead] }

    /// Applies the K planar steps with each example's own (u, w, b) from `features` (N, F): z_K (N, D) and
    /// the summed log|1 + u_hat . psi_k(z)| (N), zeros when K = 0.
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
    /// The K IAF blocks: MADEs with hidden layers [hidden, hidden] and the encoder features as context,
    /// orders alternating natural / reversed.
    public let blocks: [InverseAutoregressiveFlow]
    /// Training-mode flag; ``Module/setTraining(_:)`` sets it on the blocks too.
    public var isTraining = true

    /// K = `steps` IAF blocks on a `latent`-dimensional z with MADE hidden layers [hidden, hidden] and
    /// context width `features`, initialised from `rng`.
    public init(latent: Int, steps: Int, features: Int, hidden: Int, rng: inout RandomGenerator) {
        blocks = (0..<steps).map { i in
            InverseAutoregressiveFlow(features: latent, hidden: [hidden, hidden], contextFeatures: features,
                                      order: i % 2 == 0 ? .natural : .reversed, rng: &rng)
        }
    }

    /// Each block's parameters under its index ("0.made.0.weight", ..., "1.made.0.weight", ...).
    public var namedParameters: [(name: String, parameter: Parameter)] {
        blocks.enumerated().flatMap { prefixed(String($0.offset), $0.element.namedParameters) }
    }
    /// The IAF blocks, whose training flags follow this module's.
    public var children: [Module] { blocks }

    /// Runs every block's one-pass sampling direction (``InverseAutoregressiveFlow/inverse(_:context:)``)
    /// with `features` as context: z_K (N, D) and the summed log|det| (N), zeros with no blocks.
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
    /// The wrapped flow, applied in its sampling direction z_0 -> z_K.
    public let flow: any Flow
    /// Training-mode flag; ``Module/setTraining(_:)`` sets it on the flow too.
    public var isTraining = true
    /// Uses `flow`'s ``Flow/inverse(_:context:)`` as the posterior flow, sharing its parameters.
    public init(_ flow: any Flow) { self.flow = flow }
    /// The wrapped flow's parameters under "flow.".
    public var namedParameters: [(name: String, parameter: Parameter)] { prefixed("flow", flow.namedParameters) }
    /// The wrapped flow, whose training flag follows this module's.
    public var children: [Module] { [flow] }
    /// z_K = flow.inverse(z_0) without a context and its log|det dz_K/dz_0| (N); `features` is ignored.
    public func transform(_ z0: Tensor, features: Tensor) -> (z: Tensor, logDet: Tensor) {
        let (z, ld) = flow.inverse(z0, context: nil)
        return (z, ld)
    }
}

/// A flow with its two directions swapped: `forward` is the wrapped flow's `inverse`
/// and vice versa. A MAF's density direction, run as a sampling direction, is an IAF.
public final class InvertedFlow: Flow {
    /// The wrapped flow whose two directions are swapped.
    public let flow: any Flow
    /// Training-mode flag; ``Module/setTraining(_:)`` sets it on the wrapped flow too.
    public var isTraining = true
    /// Wraps `flow`, sharing (not copying) its parameters.
    public init(_ flow: any Flow) { self.flow = flow }
    /// The wrapped flow's parameters under their own names, unprefixed, so they match the original's.
    public var namedParameters: [(name: String, parameter: Parameter)] { flow.namedParameters }
    /// The wrapped flow, whose training flag follows this module's.
    public var children: [Module] { [flow] }
    /// The wrapped flow's ``Flow/inverse(_:context:)``: its output and log|det| (N).
    public func forward(_ x: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) { flow.inverse(x, context: context) }
    /// The wrapped flow's ``Flow/forward(_:context:)``: its output and log|det| (N).
    public func inverse(_ z: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) { flow.forward(z, context: context) }
}
