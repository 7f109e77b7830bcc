import Foundation

/// The prior p(z) of a VAE.
public protocol LatentPrior: Module {
    /// log p(z) per example, shape (N).
    func logProbability(_ z: Tensor) -> Tensor
    /// n draws, shape (n, latent).
    func sample(_ n: Int, rng: inout RandomGenerator) -> Tensor
    /// Whether p is N(0, I) (the KL then has a closed form for a Gaussian posterior).
    var isStandardNormal: Bool { get }
}

/// p(z) = N(0, I).
public final class StandardNormalPrior: LatentPrior {
    /// The latent size D of the samples.
    public let latent: Int
    /// Training-mode flag (the prior has no mode-dependent state).
    public var isTraining = true
    /// N(0, I) on `latent` dimensions, without parameters.
    public init(latent: Int) { self.latent = latent }
    /// Empty: N(0, I) has no parameters.
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }
    /// Always true, so a Gaussian posterior gets the closed-form KL.
    public var isStandardNormal: Bool { true }
    /// log N(z; 0, I) summed over the latent dimensions, shape (N).
    public func logProbability(_ z: Tensor) -> Tensor { standardNormalLogDensity(z) }
    /// n draws from N(0, I) using `rng`, shape (n, latent).
    public func sample(_ n: Int, rng: inout RandomGenerator) -> Tensor { rng.normal([n, latent]) }
}

/// An autoregressive-flow prior: p(z) = N(f(z); 0, I) |det df/dz| with f a stack of MAF
/// blocks (density direction in one pass; sampling takes D passes per block).
///
/// The lecture's theorem: a VAE with this prior has the same ELBO as a VAE on
/// epsilon = f(z) with a standard normal prior, the same Gaussian encoder followed by the
/// IAF posterior epsilon = f(z_0) (the MAF's density direction *is* an IAF's sampling
/// direction, with the same weights), and the decoder g(f^-1(epsilon)):
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let prior = FlowPrior.maf(latent: 4, blocks: 2, hidden: 16, rng: &rng)
/// let enc = VAEArchitecture.mlpEncoder(inputShape: [1, 4, 4], hidden: [16], latent: 4, rng: &rng)
/// let dec = VAEArchitecture.mlpDecoder(latent: 4, hidden: [16], outputShape: [1, 4, 4], rng: &rng)
/// let a = VAE(encoder: enc, decoder: dec, likelihood: .init(.bernoulli, observationShape: [1, 4, 4]), prior: prior)
/// let b = VAE(encoder: enc, decoder: Sequential([Lambda { prior.flow.inverse($0).output }, dec]),
///             likelihood: a.likelihood, posteriorFlow: SharedFlowPosterior(InvertedFlow(prior.flow)))
/// let noise = rng.normal([8, 4])
/// a.forward(x, noise: noise).elbo  ==  b.forward(x, noise: noise).elbo   // up to float error
/// ```
public final class FlowPrior: LatentPrior {
    /// Density direction z -> epsilon.
    public let flow: any Flow
    /// The latent size D (the flow's feature count).
    public let latent: Int
    /// Training-mode flag; ``Module/setTraining(_:)`` sets it on the flow too.
    public var isTraining = true

    /// A prior on `latent` dimensions whose `flow` maps z to standard normal noise (its density direction).
    public init(flow: any Flow, latent: Int) {
        self.flow = flow
        self.latent = latent
    }

    /// K MAF blocks with MADE hidden layers [hidden, hidden], orders alternating natural / reversed.
    public static func maf(latent: Int, blocks: Int, hidden: Int, rng: inout RandomGenerator) -> FlowPrior {
        FlowPrior(flow: FlowSequence((0..<blocks).map { i in
            MaskedAutoregressiveFlow(features: latent, hidden: [hidden, hidden], order: i % 2 == 0 ? .natural : .reversed, rng: &rng)
        }), latent: latent)
    }

    /// The flow's parameters under "flow.".
    public var namedParameters: [(name: String, parameter: Parameter)] { prefixed("flow", flow.namedParameters) }
    /// The flow, whose training flag follows the prior's.
    public var children: [Module] { [flow] }
    /// Always false: the VAE then estimates the KL at the sample, log q - log p.
    public var isStandardNormal: Bool { false }

    /// log N(f(z); 0, I) + log|det df/dz| per example, shape (N): one pass per MAF block.
    public func logProbability(_ z: Tensor) -> Tensor {
        let (eps, logDet) = flow.forward(z, context: nil)
        return standardNormalLogDensity(eps) + logDet
    }

    /// n draws f^-1(epsilon) with epsilon ~ N(0, I) from `rng`, shape (n, latent): D passes per MAF block.
    public func sample(_ n: Int, rng: inout RandomGenerator) -> Tensor {
        flow.inverse(rng.normal([n, latent]), context: nil).output
    }
}

/// Which prior a VAE uses, spelled as on the command line: `normal` or `maf:K`.
public enum PriorKind: Equatable, Sendable, CustomStringConvertible {
    /// The standard normal prior N(0, I), a ``StandardNormalPrior``.
    case normal
    /// A ``FlowPrior`` of K MAF blocks, built by ``FlowPrior/maf(latent:blocks:hidden:rng:)``.
    case maf(Int)

    /// Parses the command-line spelling `normal` or `maf:K` (K >= 1); throws ``LatentError`` otherwise.
    public init(parsing s: String) throws {
        if s == "normal" { self = .normal; return }
        let parts = s.split(separator: ":")
        if parts.count == 2, parts[0] == "maf", let k = Int(parts[1]), k >= 1 { self = .maf(k); return }
        throw LatentError("prior '\(s)' is not one of normal, maf:K (K >= 1)")
    }

    /// The command-line spelling (`normal`, `maf:K`) that ``PriorKind/init(parsing:)`` reads back.
    public var description: String {
        switch self {
        case .normal: "normal"
        case .maf(let k): "maf:\(k)"
        }
    }
}
