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
    /// The Gaussian encoder x -> q(z_0|x).
    public let encoder: GaussianEncoder
    /// The network z (N, latent) -> decoder output (N, C, H, W): the parameters of p(x|z), such as
    /// Bernoulli logits.
    public let decoder: any Layer
    /// p(x|z) given the decoder output: the reconstruction log-probability and the mean image.
    public let likelihood: DecoderLikelihood
    /// Flow steps z_0 -> z_K on the Gaussian sample; nil for a plain Gaussian posterior.
    public let posteriorFlow: (any PosteriorFlow)?
    /// The prior p(z); N(0, I) unless another was given at init.
    public let prior: any LatentPrior
    /// Training-mode flag; ``Module/setTraining(_:)`` sets it on every part.
    public var isTraining = true

    /// Assembles a VAE from its parts; a nil `prior` means a ``StandardNormalPrior`` of the encoder's
    /// latent size.
    public init(encoder: GaussianEncoder, decoder: any Layer, likelihood: DecoderLikelihood,
                posteriorFlow: (any PosteriorFlow)? = nil, prior: (any LatentPrior)? = nil) {
        self.encoder = encoder
        self.decoder = decoder
        self.likelihood = likelihood
        self.posteriorFlow = posteriorFlow
        self.prior = prior ?? StandardNormalPrior(latent: encoder.latentDimensions)
    }

    /// The latent size D, taken from the encoder.
    public var latentDimensions: Int { encoder.latentDimensions }

    /// All parameters, under "encoder.", "decoder.", "likelihood.", "posterior." and "prior.".
    public var namedParameters: [(name: String, parameter: Parameter)] {
        prefixed("encoder", encoder.namedParameters) + prefixed("decoder", decoder.namedParameters)
            + prefixed("likelihood", likelihood.namedParameters)
            + prefixed("posterior", posteriorFlow?.namedParameters ?? []) + prefixed("prior", prior.namedParameters)
    }
    /// The encoder's and decoder's buffers (such as BatchNorm statistics), under "encoder." and "decoder.".
    public var namedBuffers: [(name: String, parameter: Parameter)] {
        prefixed("encoder", encoder.namedBuffers) + prefixed("decoder", decoder.namedBuffers)
    }
    /// Encoder, decoder, likelihood, prior and the posterior flow if any.
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
        /// The encoder means of q(z_0|x), (N, latent).
        public var mean: Tensor { posterior.mean }
        /// The encoder log-variances of q(z_0|x), (N, latent).
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
