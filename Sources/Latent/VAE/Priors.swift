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
    public let latent: Int
    public var isTraining = true
    public init(latent: Int) { self.latent = latent }
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }
    public var isStandardNormal: Bool { true }
    public func logProbability(_ z: Tensor) -> Tensor { standardNormalLogDensity(z) }
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
    public let latent: Int
    public var isTraining = true

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

    public var namedParameters: [(name: String, parameter: Parameter)] { prefixed("flow", flow.namedParameters) }
    public var children: [Module] { [flow] }
    public var isStandardNormal: Bool { false }

    public func logProbability(_ z: Tensor) -> Tensor {
        let (eps, logDet) = flow.forward(z, context: nil)
        return standardNormalLogDensity(eps) + logDet
    }

    public func sample(_ n: Int, rng: inout RandomGenerator) -> Tensor {
        flow.inverse(rng.normal([n, latent]), context: nil).output
    }
}

/// Which prior a VAE uses, spelled as on the command line: `normal` or `maf:K`.
public enum PriorKind: Equatable, Sendable, CustomStringConvertible {
    case normal
    case maf(Int)

    public init(parsing s: String) throws {
        if s == "normal" { self = .normal; return }
        let parts = s.split(separator: ":")
        if parts.count == 2, parts[0] == "maf", let k = Int(parts[1]), k >= 1 { self = .maf(k); return }
        throw LatentError("prior '\(s)' is not one of normal, maf:K (K >= 1)")
    }

    public var description: String {
        switch self {
        case .normal: "normal"
        case .maf(let k): "maf:\(k)"
        }
    }
}
