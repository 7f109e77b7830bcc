import Foundation

/// Everything that fixes a VAE's architecture; stored as `model.architecture` in a run's
/// config.json so later commands rebuild the same model.
///
/// ```swift
/// let spec = VAESpec(inputShape: [1, 64, 64], latent: 10, network: .conv64)
/// let vae = VAE.make(spec, rng: &rng)
/// ```
public struct VAESpec: Equatable, Sendable {
    /// The encoder/decoder pair a spec builds; the raw value is stored as "network" in the architecture
    /// JSON.
    public enum Network: String, Sendable {
        /// MLP encoder/decoder with `hidden` sizes (decoder mirrored).
        case mlp
        /// disentanglement_lib's convolutional pair (64x64 inputs only).
        case conv64
    }
    /// The shape of one observation, (C, H, W).
    public var inputShape: [Int]
    /// The latent size D.
    public var latent: Int
    /// Which encoder/decoder pair ``VAE/make(_:rng:)`` builds.
    public var network: Network
    /// Encoder hidden sizes for `.mlp`; the decoder uses them reversed.
    public var hidden: [Int]
    /// The decoder's distribution p(x|z).
    public var likelihood: LikelihoodKind
    /// The approximate posterior: the Gaussian alone, or with planar or IAF steps.
    public var posterior: PosteriorKind
    /// The prior p(z): standard normal or a MAF.
    public var prior: PriorKind
    /// MADE hidden units of IAF posterior blocks and MAF prior blocks.
    public var flowHidden: Int
    /// FactorVAE discriminator hidden sizes (6 x 1000 in the study).
    public var discriminatorHidden: [Int]

    /// A spec; the defaults are an MLP with hidden sizes [256, 256], a Bernoulli likelihood, a Gaussian
    /// posterior, a standard normal prior, 64 flow hidden units and a 6 x 1000 discriminator.
    public init(inputShape: [Int], latent: Int, network: Network = .mlp, hidden: [Int] = [256, 256],
                likelihood: LikelihoodKind = .bernoulli, posterior: PosteriorKind = .gaussian, prior: PriorKind = .normal,
                flowHidden: Int = 64, discriminatorHidden: [Int] = Array(repeating: 1000, count: 6)) {
        self.inputShape = inputShape
        self.latent = latent
        self.network = network
        self.hidden = hidden
        self.likelihood = likelihood
        self.posterior = posterior
        self.prior = prior
        self.flowHidden = flowHidden
        self.discriminatorHidden = discriminatorHidden
    }

    /// The spec as the JSON object stored as `model.architecture` in config.json;
    /// ``VAESpec/init(architecture:)`` reads it back.
    public var architecture: [String: JSONValue] {
        ["inputShape": .array(inputShape.map { .number(Double($0)) }), "latent": .number(Double(latent)),
         "network": .string(network.rawValue), "hidden": .array(hidden.map { .number(Double($0)) }),
         "likelihood": .string(likelihood.rawValue), "posterior": .string(posterior.description),
         "prior": .string(prior.description), "flowHidden": .number(Double(flowHidden)),
         "discriminatorHidden": .array(discriminatorHidden.map { .number(Double($0)) })]
    }

    /// Reads `model.architecture` back; errors name the missing or invalid key.
    public init(architecture a: [String: JSONValue]) throws {
        func ints(_ key: String) throws -> [Int] {
            guard case .array(let v)? = a[key] else { throw LatentError("VAE architecture: '\(key)' missing or not an array") }
            return try v.map { guard let i = $0.int else { throw LatentError("VAE architecture: '\(key)' holds a non-number") }; return i }
        }
        func string(_ key: String) throws -> String {
            guard let s = a[key]?.string else { throw LatentError("VAE architecture: '\(key)' missing or not a string") }
            return s
        }
        guard let latent = a["latent"]?.int else { throw LatentError("VAE architecture: 'latent' missing") }
        guard let network = Network(rawValue: try string("network")) else { throw LatentError("VAE architecture: unknown network") }
        guard let lik = LikelihoodKind(rawValue: try string("likelihood")) else { throw LatentError("VAE architecture: unknown likelihood") }
        self.init(inputShape: try ints("inputShape"), latent: latent, network: network, hidden: try ints("hidden"),
                  likelihood: lik, posterior: try PosteriorKind(parsing: try string("posterior")),
                  prior: try PriorKind(parsing: try string("prior")), flowHidden: a["flowHidden"]?.int ?? 64,
                  discriminatorHidden: (try? ints("discriminatorHidden")) ?? Array(repeating: 1000, count: 6))
    }
}

extension VAE {
    /// Builds a freshly initialised VAE; parameters drawn from `rng` in a fixed order
    /// (encoder, decoder, posterior flow, prior).
    public static func make(_ spec: VAESpec, rng: inout RandomGenerator) -> VAE {
        let c = spec.inputShape[0]
        let encoder: GaussianEncoder
        let decoder: any Layer
        switch spec.network {
        case .mlp:
            encoder = VAEArchitecture.mlpEncoder(inputShape: spec.inputShape, hidden: spec.hidden, latent: spec.latent, rng: &rng)
            decoder = VAEArchitecture.mlpDecoder(latent: spec.latent, hidden: spec.hidden.reversed(), outputShape: spec.inputShape, rng: &rng)
        case .conv64:
            check(spec.inputShape.count == 3 && spec.inputShape[1] == 64 && spec.inputShape[2] == 64,
                         "VAE conv64 network needs (C, 64, 64) inputs, got \(spec.inputShape)")
            encoder = VAEArchitecture.convEncoder64(channels: c, latent: spec.latent, rng: &rng)
            decoder = VAEArchitecture.convDecoder64(latent: spec.latent, channels: c, rng: &rng)
        }
        let posterior: (any PosteriorFlow)?
        switch spec.posterior {
        case .gaussian: posterior = nil
        case .planar(let k): posterior = AmortisedPlanarFlows(latent: spec.latent, steps: k, features: encoder.featureCount, rng: &rng)
        case .iaf(let k): posterior = IAFPosterior(latent: spec.latent, steps: k, features: encoder.featureCount, hidden: spec.flowHidden, rng: &rng)
        }
        let prior: any LatentPrior
        switch spec.prior {
        case .normal: prior = StandardNormalPrior(latent: spec.latent)
        case .maf(let k): prior = FlowPrior.maf(latent: spec.latent, blocks: k, hidden: spec.flowHidden, rng: &rng)
        }
        return VAE(encoder: encoder, decoder: decoder, likelihood: DecoderLikelihood(spec.likelihood, observationShape: spec.inputShape),
                   posteriorFlow: posterior, prior: prior)
    }
}
