/// The settings of a VAE run as `latent train vae` takes them, with every
/// default in one place, and the one function that turns them into the data
/// and the run's ``RunConfig`` (which ``VAESession`` and ``VAERun`` read back).
/// Objective settings left nil take ``VAEObjective/Defaults``.
public struct VAEOptions: Sendable {
    /// One of ``VAEObjective/names``.
    public var model = "vae"
    /// beta of beta-VAE or beta-TCVAE.
    public var beta: Float?
    /// gamma of AnnealedVAE or FactorVAE.
    public var gamma: Float?
    /// AnnealedVAE's final capacity.
    public var cMax: Float?
    /// Steps over which AnnealedVAE's capacity rises (default: the objective's, or `steps` if fewer).
    public var cSteps: Int?
    /// DIP-VAE lambda_od.
    public var lambdaOffDiagonal: Float?
    /// DIP-VAE lambda_d.
    public var lambdaDiagonal: Float?
    /// `gaussian`, `planar:K` or `iaf:K`.
    public var posterior = "gaussian"
    /// `normal` or `maf:K`.
    public var prior = "normal"
    /// Data set name.
    public var data = "dsprites"
    /// Pixel encoding of image sets: `scaled`, `dynamic-binarized` or `static-binarized`.
    public var encoding = "dynamic-binarized"
    /// Training steps.
    public var steps = 10000
    /// Batch size.
    public var batchSize = 64
    /// Adam learning rate.
    public var lr = 1e-4
    /// The run's seed.
    public var seed: UInt64 = 0
    /// Latent dimensions.
    public var latent = 10
    /// `auto` (conv for 64x64 images, else mlp), `conv` or `mlp`.
    public var network = "auto"
    /// MLP hidden sizes (the decoder mirrors them).
    public var hidden = [512, 256]
    /// `bernoulli`, `gaussian` or `gaussian-learned`.
    public var likelihood = "bernoulli"
    /// FactorVAE discriminator hidden sizes.
    public var discriminatorHidden = [Int](repeating: 1000, count: 6)
    /// Steps between checkpoints.
    public var checkpointEvery = 1000

    /// The defaults of `latent train vae`.
    public init() {}

    /// The objective these settings name; throws for an unknown model.
    public func objective() throws -> VAEObjective {
        // An AnnealedVAE shorter than its default ramp reaches c_max at its last step.
        try VAEObjective(name: model, beta: beta, gamma: gamma, cMax: cMax,
                         iterationThreshold: cSteps ?? Swift.min(VAEObjective.Defaults.iterationThreshold, steps),
                         lambdaOffDiagonal: lambdaOffDiagonal, lambdaDiagonal: lambdaDiagonal)
    }

    /// The data and the run config; throws a ``LatentError`` naming the first setting that is
    /// unknown or out of range.
    public func make(command: String = "") throws -> (data: VAEData, config: RunConfig) {
        let objective = try objective()
        guard let enc = PixelEncoding(rawValue: encoding) else { throw LatentError("--encoding: unknown encoding '\(encoding)'") }
        let vaeData = try VAEData(name: data, batchSize: batchSize, encoding: enc, seed: seed)
        let shape = vaeData.observationShape
        let is64 = shape.count == 3 && shape[1] == 64 && shape[2] == 64
        let net: VAESpec.Network
        switch network {
        case "auto": net = is64 ? .conv64 : .mlp
        case "conv":
            guard is64 else { throw LatentError("--network conv needs 64x64 images; \(data) has \(shape)") }
            net = .conv64
        case "mlp": net = .mlp
        default: throw LatentError("--network must be auto, conv or mlp")
        }
        guard !hidden.isEmpty, hidden.allSatisfy({ $0 > 0 }) else { throw LatentError("--hidden: expected positive sizes, got \(hidden)") }
        guard !discriminatorHidden.isEmpty, discriminatorHidden.allSatisfy({ $0 > 0 }) else {
            throw LatentError("--discriminator-hidden: expected positive sizes, got \(discriminatorHidden)")
        }
        guard let lik = LikelihoodKind(rawValue: likelihood) else { throw LatentError("--likelihood must be bernoulli, gaussian or gaussian-learned") }
        let spec = VAESpec(inputShape: shape, latent: latent, network: net, hidden: hidden, likelihood: lik,
                           posterior: try PosteriorKind(parsing: posterior), prior: try PriorKind(parsing: prior),
                           discriminatorHidden: discriminatorHidden)
        let config = VAERun.config(objective: objective, spec: spec, data: vaeData, steps: steps, batchSize: batchSize, learningRate: lr,
                                   seed: seed, command: command, checkpointEvery: checkpointEvery)
        return (vaeData, config)
    }
}
