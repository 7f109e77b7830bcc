import Foundation
import Testing
@testable import Latent

// Fast correctness checks of the VAE family: gradients of every loss term, the DIP penalty
// against Double, the AF-prior / IAF-posterior ELBO equality, the ELBO-surgery identity and
// the IWAE bound. Tiny models (16 pixels, a few latents), all well under a second each.

/// A tiny VAE on 1x4x4 inputs.
func tinyVAE(latent: Int = 3, posterior: PosteriorKind = .gaussian, prior: PriorKind = .normal, seed: UInt64 = 0) -> VAE {
    var rng = RandomGenerator(seed: seed)
    return VAE.make(VAESpec(inputShape: [1, 4, 4], latent: latent, hidden: [8], posterior: posterior, prior: prior, flowHidden: 8), rng: &rng)
}

/// Binary 1x4x4 data.
func tinyBinaryData(_ n: Int, seed: UInt64 = 5) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return rng.bernoulli([n, 1, 4, 4], probability: 0.4)
}

/// Checks <grad L, v> against a central difference of L along v, for a random direction v over
/// all parameters (JAX's check_grads). The loss must be deterministic (fixed noise).
/// Tolerance: Float32 forward passes with h = 1e-3 along a direction of per-element size ~0.5
/// give rounding noise ~1e-7 |L| / h ~ 1e-3 for |L| ~ 10; kinks of ReLU are crossed rarely at
/// this step. A wrong rule is off by O(1) relative; we accept 2e-2 relative.
func checkParameterGradients(_ parameters: [Parameter], h: Float = 1e-3, tolerance: Double = 2e-2, seed: UInt64 = 3, _ what: String,
                             sourceLocation: SourceLocation = #_sourceLocation, loss: () -> Tensor) {
    let l = loss()
    backward(l, to: parameters)
    let grads = parameters.map { $0.grad! }
    let saved = parameters.map { $0.value.detached() }
    for dir in 0..<2 {
        let vs = parameters.enumerated().map { randomTensor($0.element.shape, seed: seed &+ UInt64(dir * 1000 + $0.offset), low: -0.5, high: 0.5) }
        let analytic = zip(grads, vs).reduce(0.0) { acc, gv in acc + zip(gv.0.scalars, gv.1.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } }
        func at(_ sign: Float) -> Double {
            for (p, (s, v)) in zip(parameters, zip(saved, vs)) { p.assign(s + v * (sign * h)) }
            defer { for (p, s) in zip(parameters, saved) { p.assign(s) } }
            return withoutGradients { Double(loss().scalar) }
        }
        let numeric = (at(1) - at(-1)) / Double(2 * h)
        #expect(Swift.abs(analytic - numeric) <= tolerance * Swift.max(1, Swift.abs(numeric)),
                "\(what): directional derivative \(dir) analytic \(analytic) vs numeric \(numeric)", sourceLocation: sourceLocation)
    }
}

@Suite struct VAETests {
    @Test func lossTermGradientsAgainstFiniteDifferences() {
        let x = tinyBinaryData(6)
        var nrng = RandomGenerator(seed: 9)
        let noise = nrng.normal([6, 3])
        var drng = RandomGenerator(seed: 4)
        let disc = FactorDiscriminator(latent: 3, hidden: [8, 8], rng: &drng)
        let objectives: [VAEObjective] = [.vae, .betaVAE(beta: 4), .annealedVAE(gamma: 50, cMax: 25, iterationThreshold: 10),
                                          .betaTCVAE(beta: 6), .factorVAE(gamma: 10), .dipVAE1(lambdaOffDiagonal: 5), .dipVAE2(lambdaOffDiagonal: 5)]
        for objective in objectives {
            let vae = tinyVAE()
            let loss = { objective.loss(vae.forward(x, noise: noise), step: 3, discriminator: disc, datasetSize: 96) }
            // Every logged term separately, then the total.
            for (i, term) in loss().terms.enumerated() where term.name != "capacity" {
                checkParameterGradients(vae.parameters, "\(objective.name) term \(term.name)") { loss().terms[i].value }
            }
        }
        // Flow posteriors and the AF prior: the ELBO's gradient through planar, IAF and MAF.
        for (post, prior) in [(PosteriorKind.planar(2), PriorKind.normal), (.iaf(2), .normal), (.gaussian, .maf(2))] {
            let vae = tinyVAE(posterior: post, prior: prior)
            checkParameterGradients(vae.parameters, "ELBO with \(post) posterior, \(prior) prior") { -vae.forward(x, noise: noise).elbo.mean() }
        }
        // The discriminator's own loss, with respect to its parameters (codes held fixed).
        let z = randomTensor([6, 3], seed: 11)
        checkParameterGradients(disc.parameters, "discriminator loss") {
            var r = RandomGenerator(seed: 2)
            return disc.loss(z, rng: &r)
        }
    }

    @Test func lossTermGradientsWithRespectToEncoderOutputs() {
        let mean = randomTensor([5, 3], seed: 1), logVar = randomTensor([5, 3], seed: 2, low: -1, high: 0.5)
        let z = randomTensor([5, 3], seed: 3, low: -2, high: 2)
        checkGradients([mean, logVar], "analytic KL") { klToStandardNormal(mean: $0[0], logVariance: $0[1]) }
        checkGradients([z, mean, logVar], "beta-TCVAE total correlation (MWS)") { totalCorrelationMWS(z: $0[0], mean: $0[1], logVariance: $0[2], datasetSize: 100) }
        checkGradients([mean], "DIP-VAE-I penalty") { dipVAEPenalty(mean: $0[0], logVariance: nil, lambdaOffDiagonal: 2, lambdaDiagonal: 20) }
        checkGradients([mean, logVar], "DIP-VAE-II penalty") { dipVAEPenalty(mean: $0[0], logVariance: $0[1], lambdaOffDiagonal: 2, lambdaDiagonal: 2) }
    }

    /// The penalty against a direct Double computation (biased 1/N covariance). Tolerance 1e-4
    /// relative: Float32 sums over 7 points of O(1) values.
    @Test func dipPenaltyMatchesDoubleReference() {
        let mean = randomTensor([7, 4], seed: 21, low: -2, high: 2), logVar = randomTensor([7, 4], seed: 22, low: -2, high: 1)
        func reference(_ ii: Bool, od: Double, d: Double) -> Double {
            let m = mean.scalars.map(Double.init), lv = logVar.scalars.map(Double.init)
            let n = 7, k = 4
            var mu = [Double](repeating: 0, count: k)
            for i in 0..<n { for a in 0..<k { mu[a] += m[i * k + a] / Double(n) } }
            var penalty = 0.0
            for a in 0..<k {
                for b in 0..<k {
                    var c = 0.0
                    for i in 0..<n { c += (m[i * k + a] - mu[a]) * (m[i * k + b] - mu[b]) / Double(n) }
                    if a == b {
                        if ii { for i in 0..<n { c += Foundation.exp(lv[i * k + a]) / Double(n) } }
                        penalty += d * (c - 1) * (c - 1)
                    } else {
                        penalty += od * c * c
                    }
                }
            }
            return penalty
        }
        let p1 = Double(dipVAEPenalty(mean: mean, logVariance: nil, lambdaOffDiagonal: 3, lambdaDiagonal: 30).scalar)
        let p2 = Double(dipVAEPenalty(mean: mean, logVariance: logVar, lambdaOffDiagonal: 3, lambdaDiagonal: 3).scalar)
        let r1 = reference(false, od: 3, d: 30), r2 = reference(true, od: 3, d: 3)
        #expect(Swift.abs(p1 - r1) <= 1e-4 * Swift.abs(r1), "DIP-VAE-I \(p1) vs \(r1)")
        #expect(Swift.abs(p2 - r2) <= 1e-4 * Swift.abs(r2), "DIP-VAE-II \(p2) vs \(r2)")
        // Study defaults: lambda_d = 10 lambda_od (I), lambda_d = lambda_od (II).
        #expect(VAEObjective.dipVAE1(lambdaOffDiagonal: 5) == .dipVAE1(lambdaOffDiagonal: 5, lambdaDiagonal: 50))
        #expect(VAEObjective.dipVAE2(lambdaOffDiagonal: 5) == .dipVAE2(lambdaOffDiagonal: 5, lambdaDiagonal: 5))
    }

    /// The lecture's theorem: a VAE with a MAF prior p(z) and a VAE on epsilon = f(z) with the
    /// IAF posterior built from the same MAF weights, N(0, I) prior and decoder g(f^-1(eps)) have
    /// the same ELBO for the same samples. Tolerance: f^-1(f(z)) recovers z to ~1e-6 in Float32
    /// (D passes), and the ELBO is O(10) nats, so we accept 1e-3 nats per example.
    @Test func afPriorELBOEqualsIAFPosteriorELBO() {
        var rng = RandomGenerator(seed: 31)
        let d = 4
        let prior = FlowPrior.maf(latent: d, blocks: 3, hidden: 16, rng: &rng)
        // Non-trivial MAF weights: perturb every parameter away from its initialisation.
        for p in prior.parameters { p.assign(p.value.detached() + rng.normal(p.shape) * 0.3) }
        let enc = VAEArchitecture.mlpEncoder(inputShape: [1, 4, 4], hidden: [16], latent: d, rng: &rng)
        let dec = VAEArchitecture.mlpDecoder(latent: d, hidden: [16], outputShape: [1, 4, 4], rng: &rng)
        let lik = DecoderLikelihood(.bernoulli, observationShape: [1, 4, 4])
        let withPrior = VAE(encoder: enc, decoder: dec, likelihood: lik, prior: prior)
        let onEpsilon = VAE(encoder: enc, decoder: Sequential([Lambda { prior.flow.inverse($0).output }, dec]), likelihood: lik,
                            posteriorFlow: SharedFlowPosterior(InvertedFlow(prior.flow)))
        let x = tinyBinaryData(32, seed: 8)
        let noise = rng.normal([32, d])
        let (a, b) = withoutGradients { (withPrior.forward(x, noise: noise), onEpsilon.forward(x, noise: noise)) }
        expectClose(b.elbo, a.elbo, atol: 1e-3, rtol: 1e-5, "ELBO, AF prior vs IAF posterior")
        expectClose(b.reconstruction, a.reconstruction, atol: 1e-3, rtol: 1e-5, "reconstruction terms")
        // The KL terms differ only in where the log-det sits: log q - log p is the same number.
        expectClose(b.kl, a.kl, atol: 1e-3, rtol: 1e-5, "KL terms")
        // And the prior really is not N(0, I): the flow changed log p(z) by more than float error.
        let shift = zip(a.logPrior.scalars, standardNormalLogDensity(a.z).scalars).map { Swift.abs($0 - $1) }.max()!
        #expect(shift > 0.1, "MAF prior differs from N(0, I) by \(shift) nats only")
    }

    /// recon - MI - marginal KL equals the mean ELBO within 4 Monte Carlo standard errors, and
    /// MI <= log n (exactly, sample by sample). Also with 3 samples per point, and for the MAF
    /// prior, where the KL is itself the sample average so the identity holds to float error.
    @Test func elboSurgeryIdentity() throws {
        let x = tinyBinaryData(200, seed: 12)
        for samples in [1, 3] {
            let vae = tinyVAE(latent: 3, seed: 2)
            var rng = RandomGenerator(seed: 5)
            let s = try ELBOSurgery.estimate(model: vae, data: x, samplesPerPoint: samples, rng: &rng)
            #expect(Swift.abs(s.surgeryELBO - s.averageELBO) <= 4 * s.klStandardError + 1e-4,
                    "surgery \(s.surgeryELBO) vs ELBO \(s.averageELBO), standard error \(s.klStandardError)")
            #expect(s.mutualInformation <= s.logN + 1e-9, "MI \(s.mutualInformation) > log n \(s.logN)")
            #expect(s.marginalKL >= -0.05, "marginal KL \(s.marginalKL) clearly negative")
        }
        let maf = tinyVAE(latent: 3, prior: .maf(1), seed: 2)
        var rng = RandomGenerator(seed: 5)
        let s = try ELBOSurgery.estimate(model: maf, data: x, rng: &rng)
        #expect(Swift.abs(s.surgeryELBO - s.averageELBO) <= 1e-6 * Swift.abs(s.averageELBO) + 1e-6)
        #expect(throws: LatentError.self) { try ELBOSurgery.estimate(model: tinyVAE(posterior: .planar(1)), data: x, rng: &rng) }
    }

    /// Mean over examples of the IWAE bound with k samples: >= the analytic ELBO (up to Monte Carlo
    /// error) and increasing in k.
    @Test func iwaeBoundIsAboveELBOAndIncreasesWithK() {
        let vae = tinyVAE(latent: 3, seed: 7)
        let x = tinyBinaryData(256, seed: 13)
        var rng = RandomGenerator(seed: 1)
        let elbo = vae.averageELBO(x, rng: &rng)
        let bounds = [1, 5, 50].map { k in Double(vae.importanceWeightedBound(x, samples: k, rng: &rng).mean().scalar) }
        // k = 1 estimates the ELBO itself: within 0.1 nats on 256 points (MC error ~0.02 here).
        #expect(Swift.abs(bounds[0] - elbo) < 0.1, "IWAE_1 \(bounds[0]) vs ELBO \(elbo)")
        #expect(bounds[1] > bounds[0] && bounds[2] > bounds[1], "IWAE bounds for k = 1, 5, 50: \(bounds)")
        #expect(bounds[2] >= elbo, "IWAE_50 \(bounds[2]) below ELBO \(elbo)")
    }

    @Test func posteriorAndPriorKindsParse() throws {
        #expect(try PosteriorKind(parsing: "planar:4") == .planar(4))
        #expect(try PosteriorKind(parsing: "iaf:2") == .iaf(2))
        #expect(try PriorKind(parsing: "maf:3") == .maf(3))
        #expect(throws: LatentError.self) { try PosteriorKind(parsing: "planar:0") }
        #expect(throws: LatentError.self) { try PriorKind(parsing: "realnvp:2") }
        let spec = VAESpec(inputShape: [1, 64, 64], latent: 10, network: .conv64, posterior: .iaf(2), prior: .maf(1))
        #expect(try VAESpec(architecture: spec.architecture) == spec)
    }

    /// The disentanglement_lib conv pair: (N, 1, 64, 64) -> 10 latents -> (N, 1, 64, 64), and
    /// the planar flow keeps w.u_hat >= -1 (invertibility) for any encoder output.
    @Test func shapesAndPlanarConstraint() {
        var rng = RandomGenerator(seed: 0)
        let vae = VAE.make(VAESpec(inputShape: [1, 64, 64], latent: 10, network: .conv64), rng: &rng)
        let pass = withoutGradients { vae(rng.bernoulli([2, 1, 64, 64], probability: 0.3), rng: &rng) }
        #expect(pass.decoderOutput.shape == [2, 1, 64, 64] && pass.z.shape == [2, 10] && pass.elbo.shape == [2])
        let flows = AmortisedPlanarFlows(latent: 3, steps: 1, features: 4, rng: &rng)
        let feats = randomTensor([64, 4], seed: 3, low: -20, high: 20)
        let (_, ld) = withoutGradients { flows.transform(randomTensor([64, 3], seed: 4), features: feats) }
        #expect(ld.scalars.allSatisfy { $0.isFinite })
    }

    @Test func permuteDimensionsPermutesEachColumn() {
        var rng = RandomGenerator(seed: 0)
        let z = Tensor(shape: [5, 2], scalars: [0, 10, 1, 11, 2, 12, 3, 13, 4, 14])
        let p = permuteDimensions(z, rng: &rng).scalars
        #expect(Set(stride(from: 0, to: 10, by: 2).map { p[$0] }) == [0, 1, 2, 3, 4])
        #expect(Set(stride(from: 1, to: 10, by: 2).map { p[$0] }) == [10, 11, 12, 13, 14])
    }
}
