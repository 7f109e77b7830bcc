import Foundation

/// A variational autoencoder: Gaussian encoder q(z_0|x), optional posterior flow z_0 -> z_K,
/// prior p(z), decoder p(x|z).
///
/// The ELBO per example is reported as its two terms, reconstruction log p(x|z) and
/// KL(q(z|x) || p(z)): the KL is analytic for a Gaussian posterior under N(0, I), and the
/// one-sample estimate log q_K(z_K|x) - log p(z_K) otherwise.
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let vae = VAE.make(VAESpec(inputShape: [1, 28, 28], latent: 16), rng: &rng)
/// let pass = vae(x, rng: &rng)
/// let loss = -pass.elbo.mean()          // = recon loss + KL
/// backward(loss, to: vae.parameters)
/// ```
public final class VAE: Module {
    public let encoder: GaussianEncoder
    public let decoder: any Layer
    public let likelihood: DecoderLikelihood
    public let posteriorFlow: (any PosteriorFlow)?
    public let prior: any LatentPrior
    public var isTraining = true

    public init(encoder: GaussianEncoder, decoder: any Layer, likelihood: DecoderLikelihood,
                posteriorFlow: (any PosteriorFlow)? = nil, prior: (any LatentPrior)? = nil) {
        self.encoder = encoder
        self.decoder = decoder
        self.likelihood = likelihood
        self.posteriorFlow = posteriorFlow
        self.prior = prior ?? StandardNormalPrior(latent: encoder.latentDimensions)
    }

    public var latentDimensions: Int { encoder.latentDimensions }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        prefixed("encoder", encoder.namedParameters) + prefixed("decoder", decoder.namedParameters)
            + prefixed("likelihood", likelihood.namedParameters)
            + prefixed("posterior", posteriorFlow?.namedParameters ?? []) + prefixed("prior", prior.namedParameters)
    }
    public var namedBuffers: [(name: String, parameter: Parameter)] {
        prefixed("encoder", encoder.namedBuffers) + prefixed("decoder", decoder.namedBuffers)
    }
    public var children: [Module] { [encoder, decoder, likelihood, prior] + (posteriorFlow.map { [$0] } ?? []) }

    /// Whether the KL term is computed in closed form.
    public var hasAnalyticKL: Bool { posteriorFlow == nil && prior.isStandardNormal }

    /// Everything one pass computes, per example where it has shape (N).
    public struct Pass: Sendable {
        /// The Gaussian q(z_0|x).
        public let posterior: GaussianPosterior
        /// The latent sample z_K (z_0 without a posterior flow), (N, latent).
        public let z: Tensor
        /// log q_K(z_K|x), (N).
        public let logPosterior: Tensor
        /// log p(z_K), (N).
        public let logPrior: Tensor
        /// log p(x|z_K), (N): the reconstruction term.
        public let reconstruction: Tensor
        /// KL(q(z|x) || p(z)), (N): analytic when available, else log q - log p at the sample.
        public let kl: Tensor
        /// The decoder's output (logits or means), (N, C, H, W).
        public let decoderOutput: Tensor
        /// The ELBO per example, reconstruction - KL, (N).
        public var elbo: Tensor { reconstruction - kl }
        /// The importance log-weight log p(x, z) - log q(z|x) at the sample, (N).
        public var logWeight: Tensor { reconstruction + logPrior - logPosterior }
        public var mean: Tensor { posterior.mean }
        public var logVariance: Tensor { posterior.logVariance }
    }

    /// One pass with reparameterisation noise drawn from `rng`.
    public func callAsFunction(_ x: Tensor, rng: inout RandomGenerator) -> Pass {
        forward(x, noise: rng.normal([x.shape[0], latentDimensions]))
    }

    /// One pass with the given standard normal noise (N, latent): z_0 = mean + sigma * noise.
    public func forward(_ x: Tensor, noise: Tensor) -> Pass {
        let q = encoder(x)
        let z0 = q.sample(noise: noise)
        let logQ0 = q.logDensity(z0)
        var z = z0, logQ = logQ0
        if let posteriorFlow {
            let (zK, logDet) = posteriorFlow.transform(z0, features: q.features)
            z = zK
            logQ = logQ0 - logDet
        }
        let logP = prior.logProbability(z)
        let output = decoder(z)
        let recon = likelihood.logProbability(output, x)
        let kl = hasAnalyticKL ? klToStandardNormal(mean: q.mean, logVariance: q.logVariance) : logQ - logP
        return Pass(posterior: q, z: z, logPosterior: logQ, logPrior: logP, reconstruction: recon, kl: kl, decoderOutput: output)
    }

    /// Images (mean of p(x|z)) for latent codes z (N, latent).
    public func decode(_ z: Tensor) -> Tensor { likelihood.mean(decoder(z)) }

    /// Encoder means (N, latent), computed in chunks without a tape.
    public func encodeMeans(_ x: Tensor, chunk: Int = 256) -> Tensor {
        inChunks(x, chunk: chunk) { encoder($0).mean }
    }

    /// Posterior samples z_K (N, latent) in chunks without a tape.
    public func encodeSamples(_ x: Tensor, rng: inout RandomGenerator, chunk: Int = 256) -> Tensor {
        var r = rng
        let out = inChunks(x, chunk: chunk) { xb in self.forward(xb, noise: r.normal([xb.shape[0], self.latentDimensions])).z }
        rng = r
        return out
    }

    /// Reconstructions (mean of p(x|z) at the encoder mean, through the posterior flow).
    public func reconstruct(_ x: Tensor) -> Tensor {
        withoutGradients {
            let q = encoder(x)
            var z = q.mean
            if let posteriorFlow { z = posteriorFlow.transform(z, features: q.features).z }
            return decode(z)
        }
    }
}

/// Applies `body` to row chunks of `x` without recording, and concatenates the results.
func inChunks(_ x: Tensor, chunk: Int, _ body: (Tensor) -> Tensor) -> Tensor {
    withoutGradients {
        let n = x.shape[0]
        if n <= chunk { return body(x) }
        var parts: [Tensor] = []
        var start = 0
        while start < n {
            let end = Swift.min(n, start + chunk)
            parts.append(body(x.slice(axis: 0, start..<end)))
            start = end
        }
        return concatenate(parts, axis: 0)
    }
}
