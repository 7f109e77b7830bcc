import Foundation

/// The training objectives of the disentanglement studies, all minimised per batch as
/// reconstruction loss (mean over the batch of -log p(x|z)) plus a regulariser.
///
/// ```swift
/// let obj = VAEObjective.dipVAE2(lambdaOffDiagonal: 10)          // lambda_d = lambda_od
/// let loss = obj.loss(pass, step: t)
/// backward(loss.total, to: vae.parameters)
/// ```
public enum VAEObjective: Equatable, Sendable {
    /// recon + KL.
    case vae
    /// recon + beta KL (Higgins et al. 2017).
    case betaVAE(beta: Float)
    /// recon + gamma |KL - C(t)|, C rising linearly from 0 to cMax over `iterationThreshold` steps (Burgess et al. 2018).
    case annealedVAE(gamma: Float, cMax: Float, iterationThreshold: Int)
    /// recon + KL + (beta - 1) TC, TC by minibatch-weighted sampling (Chen et al. 2018).
    case betaTCVAE(beta: Float)
    /// recon + KL + gamma TC, TC from a discriminator's density ratio (Kim & Mnih 2018).
    case factorVAE(gamma: Float)
    /// recon + KL + DIP penalty on Cov[mu] (Kumar et al. 2018).
    case dipVAE1(lambdaOffDiagonal: Float, lambdaDiagonal: Float)
    /// recon + KL + DIP penalty on Cov[mu] + E[diag sigma^2].
    case dipVAE2(lambdaOffDiagonal: Float, lambdaDiagonal: Float)

    /// DIP-VAE-I with the study's default lambda_d = 10 lambda_od.
    public static func dipVAE1(lambdaOffDiagonal od: Float) -> VAEObjective { .dipVAE1(lambdaOffDiagonal: od, lambdaDiagonal: 10 * od) }
    /// DIP-VAE-II with the study's default lambda_d = lambda_od.
    public static func dipVAE2(lambdaOffDiagonal od: Float) -> VAEObjective { .dipVAE2(lambdaOffDiagonal: od, lambdaDiagonal: od) }

    /// The `--model` name.
    public var name: String {
        switch self {
        case .vae: "vae"
        case .betaVAE: "beta-vae"
        case .annealedVAE: "annealed-vae"
        case .betaTCVAE: "beta-tcvae"
        case .factorVAE: "factor-vae"
        case .dipVAE1: "dip-vae-1"
        case .dipVAE2: "dip-vae-2"
        }
    }

    /// The `--model` names of all objectives, spelled as ``VAEObjective/name``, in declaration order.
    public static let names = ["vae", "beta-vae", "annealed-vae", "beta-tcvae", "factor-vae", "dip-vae-1", "dip-vae-2"]

    /// Every objective setting's default, in one place (the command line, config.json and the
    /// study all read these).
    public enum Defaults {
        /// beta of beta-VAE (Higgins et al. 2017's dSprites value).
        public static let beta: Float = 4
        /// beta of beta-TCVAE.
        public static let tcBeta: Float = 6
        /// gamma of AnnealedVAE.
        public static let annealedGamma: Float = 1000
        /// AnnealedVAE's final capacity, nats.
        public static let cMax: Float = 25
        /// Steps over which AnnealedVAE's capacity rises.
        public static let iterationThreshold = 100_000
        /// gamma of FactorVAE.
        public static let factorGamma: Float = 30
        /// lambda_od of both DIP-VAEs.
        public static let lambdaOffDiagonal: Float = 10
        /// lambda_d for a given lambda_od: 10 lambda_od for DIP-VAE-I, lambda_od for DIP-VAE-II.
        public static func lambdaDiagonal(_ name: String, lambdaOffDiagonal od: Float) -> Float { name == "dip-vae-1" ? 10 * od : od }
    }

    /// The objective called `name` (one of ``names``) with the given settings, each nil one
    /// taking its value from ``Defaults``; `beta` is beta-VAE's or beta-TCVAE's, `gamma`
    /// AnnealedVAE's or FactorVAE's. Throws a ``LatentError`` listing the names for an unknown one.
    public init(name: String, beta: Float? = nil, gamma: Float? = nil, cMax: Float? = nil, iterationThreshold: Int? = nil,
                lambdaOffDiagonal: Float? = nil, lambdaDiagonal: Float? = nil) throws {
        let od = lambdaOffDiagonal ?? Defaults.lambdaOffDiagonal
        let d = lambdaDiagonal ?? Defaults.lambdaDiagonal(name, lambdaOffDiagonal: od)
        switch name {
        case "vae": self = .vae
        case "beta-vae": self = .betaVAE(beta: beta ?? Defaults.beta)
        case "annealed-vae":
            self = .annealedVAE(gamma: gamma ?? Defaults.annealedGamma, cMax: cMax ?? Defaults.cMax,
                                iterationThreshold: iterationThreshold ?? Defaults.iterationThreshold)
        case "beta-tcvae": self = .betaTCVAE(beta: beta ?? Defaults.tcBeta)
        case "factor-vae": self = .factorVAE(gamma: gamma ?? Defaults.factorGamma)
        case "dip-vae-1": self = .dipVAE1(lambdaOffDiagonal: od, lambdaDiagonal: d)
        case "dip-vae-2": self = .dipVAE2(lambdaOffDiagonal: od, lambdaDiagonal: d)
        default: throw LatentError("unknown VAE model '\(name)'; valid models: \(Self.names.joined(separator: ", "))")
        }
    }

    /// Whether the loss is a mean over the batch of per-example terms, so that the gradient of
    /// a batch is the row-weighted mean of the gradients of its parts (data-parallel training
    /// needs this). The others couple the examples of a batch: AnnealedVAE through |mean KL - C|,
    /// beta-TCVAE through minibatch-weighted sampling, DIP-VAE through the batch covariance,
    /// FactorVAE through the discriminator's permuted batch.
    public var isMeanOverExamples: Bool {
        switch self {
        case .vae, .betaVAE: true
        default: false
        }
    }

    /// The loss terms this objective logs besides recon, kl, elbo and loss.
    public var extraTermNames: [String] {
        switch self {
        case .vae, .betaVAE: []
        case .annealedVAE: ["capacity"]
        case .betaTCVAE: ["tc"]
        case .factorVAE: ["tc", "discriminator_loss"]
        case .dipVAE1, .dipVAE2: ["dip_penalty"]
        }
    }

    /// The minimised scalar and each term (scalars), for logging.
    public struct Loss: Sendable {
        /// The scalar to minimise: the reconstruction loss plus the weighted regulariser, per example on
        /// average.
        public let total: Tensor
        /// Named scalar terms for logging, in order: "recon", "kl", "elbo", the objective's own
        /// ("capacity", "tc" or "dip_penalty"), then "loss" (= total). FactorVAE's "discriminator_loss" is
        /// added by ``VAETrainer``.
        public let terms: [(name: String, value: Tensor)]
    }

    /// The loss of one batch. `step` (0-based) drives AnnealedVAE's capacity; FactorVAE needs the
    /// discriminator; `datasetSize` sets beta-TCVAE's minibatch-weighted-sampling constant.
    public func loss(_ pass: VAE.Pass, step: Int, discriminator: FactorDiscriminator? = nil, datasetSize: Int? = nil) -> Loss {
        let recon = -pass.reconstruction.mean()
        let kl = pass.kl.mean()
        var terms: [(String, Tensor)] = [("recon", recon), ("kl", kl), ("elbo", -(recon + kl))]
        let total: Tensor
        switch self {
        case .vae:
            total = recon + kl
        case .betaVAE(let beta):
            total = recon + kl * beta
        case .annealedVAE(let gamma, let cMax, let threshold):
            let c = Swift.min(cMax * Float(step) / Float(Swift.max(threshold, 1)), cMax)
            total = recon + abs(kl - c) * gamma
            terms.append(("capacity", Tensor(c)))
        case .betaTCVAE(let beta):
            let tc = totalCorrelationMWS(z: pass.z, mean: pass.mean, logVariance: pass.logVariance, datasetSize: datasetSize)
            total = recon + kl + tc * (beta - 1)
            terms.append(("tc", tc))
        case .factorVAE(let gamma):
            guard let discriminator else { checkFailure("VAEObjective.factorVAE: needs a discriminator") }
            let tc = discriminator.totalCorrelation(pass.z)
            total = recon + kl + tc * gamma
            terms.append(("tc", tc))
        case .dipVAE1(let od, let d):
            let p = dipVAEPenalty(mean: pass.mean, logVariance: nil, lambdaOffDiagonal: od, lambdaDiagonal: d)
            total = recon + kl + p
            terms.append(("dip_penalty", p))
        case .dipVAE2(let od, let d):
            let p = dipVAEPenalty(mean: pass.mean, logVariance: pass.logVariance, lambdaOffDiagonal: od, lambdaDiagonal: d)
            total = recon + kl + p
            terms.append(("dip_penalty", p))
        }
        return Loss(total: total, terms: terms + [("loss", total)])
    }
}

/// The DIP-VAE penalty lambda_od sum_{i != j} Cov_ij^2 + lambda_d sum_i (Cov_ii - 1)^2.
///
/// Cov is the biased (1/N) batch covariance of the encoder means from the C covariance
/// kernel (DIP-VAE-I, `logVariance` nil), plus diag(mean over the batch of sigma^2) for
/// DIP-VAE-II. Differentiable through the kernel's backward.
public func dipVAEPenalty(mean: Tensor, logVariance: Tensor?, lambdaOffDiagonal: Float, lambdaDiagonal: Float) -> Tensor {
    let d = mean.shape[1]
    let eye = Tensor.eye(d)
    var cov = covariance(mean)                                                 // (D, D)
    if let logVariance { cov = cov + exp(logVariance).mean(axis: 0).reshaped([1, d]) * eye }
    let diagonal = (cov * eye).sum(axis: 1)                                    // (D)
    let offDiagonal = cov * (1 - eye)
    return square(offDiagonal).sum() * lambdaOffDiagonal + square(diagonal - 1).sum() * lambdaDiagonal
}

private let logTwoPi = Float(Foundation.log(2 * Double.pi))

/// Total correlation KL(q(z) || prod_j q(z_j)) of a batch by minibatch-weighted sampling
/// (Chen et al. 2018): log q(z_i) ~ logsumexp_k log q(z_i|x_k) - log(N M) and
/// log q(z_ij) ~ logsumexp_k log q(z_ij|x_k) - log(N M), M the batch and N the data set size,
/// averaged over the batch. Without `datasetSize` the log(N M) constants are dropped (as
/// disentanglement_lib does); they shift the estimate by (D - 1) log(N M) and not its gradient.
public func totalCorrelationMWS(z: Tensor, mean: Tensor, logVariance: Tensor, datasetSize: Int? = nil) -> Tensor {
    let m = z.shape[0], d = z.shape[1]
    let diff = z.reshaped([m, 1, d]) - mean.reshaped([1, m, d])                // (M, M, D): z_i - mu_k
    let lv = logVariance.reshaped([1, m, d])
    let logDensity = (lv + diff * diff * exp(-lv) + logTwoPi) * -0.5            // log q(z_ij | x_k)
    let logQz = logDensity.sum(axis: 2).logSumExp(axis: 1)                     // (M)
    let logQzProduct = logDensity.logSumExp(axis: 1).sum(axis: 1)              // (M)
    var tc = (logQz - logQzProduct).mean()
    if let n = datasetSize {
        tc = tc + Float(Double(d - 1) * Foundation.log(Double(n) * Double(m)))
    }
    return tc
}
