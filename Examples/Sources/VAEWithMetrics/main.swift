import Foundation
import Latent

// A beta-VAE trained through the library API on a data set with known factors
// (shapes-tiny: 3 shapes x 2 scales x 4 x 4 positions, 16x16 binary images),
// then scored with MIG on its encoder means. The metric runs in a detached
// task: tensors are Sendable.
//
// usage: VAEWithMetrics [steps]     exits 1 when training or the metric fails

let steps = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 1500
/// Least accepted rise of the held-out ELBO over the untrained model, in nats.
let requiredELBOGain = 50.0

let data = ShapesTiny()
var rng = RandomGenerator(seed: 0)
let vae = VAE.make(VAESpec(inputShape: data.observationShape, latent: 6, hidden: [256, 128]), rng: &rng)
let objective = VAEObjective.betaVAE(beta: 4)
let optimizer = Adam(vae.parameters, learningRate: 1e-3)

/// Images and their factors as an (n, factors) tensor of labels.
func draw(_ n: Int, rng: inout RandomGenerator) -> (images: Tensor, factors: Tensor) {
    let factors = data.sampleFactors(n, rng: &rng)
    let labels = Tensor(shape: [n, data.numberOfFactors], scalars: factors.flatMap { $0.map(Float.init) })
    return (data.observations(fromFactors: factors, rng: &rng), labels)
}

/// Mean ELBO in nats on fixed held-out images, evaluation mode, no tape.
func heldOutELBO(_ vae: VAE, _ x: Tensor, noise: Tensor) -> Double {
    vae.isTraining = false
    defer { vae.isTraining = true }
    return Double(withoutGradients { vae.forward(x, noise: noise).elbo.mean().scalar })
}

let test = draw(2000, rng: &rng)
let testNoise = rng.normal([2000, vae.latentDimensions])
let elboBefore = heldOutELBO(vae, test.images, noise: testNoise)
print("VAEWithMetrics: beta-VAE (beta 4), latent 6, on \(data.name); held-out ELBO before training \(String(format: "%.2f", elboBefore))")

for step in 0..<steps {
    let batch = draw(64, rng: &rng).images
    let loss = objective.loss(vae(batch, rng: &rng), step: step)
    backward(loss.total, to: vae.parameters)
    optimizer.step()
    if (step + 1) % 500 == 0 || step + 1 == steps {
        let shown = loss.terms.filter { ["recon", "kl"].contains($0.name) }
            .map { "\($0.name) \(String(format: "%.2f", $0.value.scalar))" }.joined(separator: "  ")
        print("  step \(step + 1)  \(shown)")
    }
}
let elboAfter = heldOutELBO(vae, test.images, noise: testNoise)

let codes = vae.encodeMeans(test.images)
let factors = test.factors
let mig: Double
do {
    mig = try await Task.detached { try mutualInformationGap(codes: codes, factors: factors) }.value
} catch {
    print("FAIL: MIG: \(error)")
    exit(1)
}
let varianceOfCodes = codes.variance(axis: 0)
let active = varianceOfCodes.elements.filter { $0 > 0.05 }.count
print(String(format: "held-out ELBO %.2f nats (was %.2f); MIG %.4f; %d of %d latents active (variance of the mean > 0.05)",
             elboAfter, elboBefore, mig, active, vae.latentDimensions))

var failures: [String] = []
if !(elboAfter - elboBefore > requiredELBOGain) {
    failures.append(String(format: "the held-out ELBO rose by %.2f nats, less than %.0f", elboAfter - elboBefore, requiredELBOGain))
}
if !(mig.isFinite && mig >= 0 && mig <= 1) { failures.append("MIG \(mig) is not a finite number in [0, 1]") }
if failures.isEmpty {
    print("PASS: training raised the held-out ELBO by more than \(Int(requiredELBOGain)) nats and MIG is finite")
} else {
    for f in failures { print("FAIL: \(f)") }
    exit(1)
}
