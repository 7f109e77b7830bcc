import Latent

// A RealNVP on two moons in a dozen lines.
var rng = RandomGenerator(seed: 0)
let steps = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 500
let model = FlowModel(flow: realNVP(dimensions: 2, layers: 6, hidden: [64, 64], rng: &rng), eventShape: [2])
let optimizer = Adam(model.parameters, learningRate: 1e-3)
for step in 1...steps {
    let batch = ToyDensity.twoMoons.sample(256, rng: &rng)
    let loss = model.negativeLogLikelihood(batch)      // mean NLL in nats
    backward(loss, to: model.parameters)
    optimizer.step()
    if step % 100 == 0 || step == steps { print("step \(step)  nll \(loss.scalar)") }
}
let heldOut = ToyDensity.twoMoons.sample(2000, rng: &rng)
print("held-out nll:", withoutGradients { model.negativeLogLikelihood(heldOut).scalar }, "nats")
