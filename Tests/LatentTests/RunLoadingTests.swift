import Foundation
import Testing
@testable import Latent

/// A trained run loads back into a model object in one call.
@Suite struct RunLoadingTests {
    @Test func flowRunLoadsInOneCall() throws {
        let dir = temporaryDirectory("load") + "/moons"
        let config = try FlowTrainer.makeConfig(model: "realnvp", data: "two-moons", steps: 20, batchSize: 64, seed: 3)
        let trainer = try FlowTrainer(config: config)
        let run = try RunDirectory.create(dir, config: config)
        try trainer.train(to: 20, run: run, checkpointEvery: 10)
        let loaded = try FlowTrainer.open(dir)
        var rng = RandomGenerator(seed: 9)
        let x = rng.normal([16, 2])
        let a = withoutGradients { trainer.model.logProb(x) }, b = withoutGradients { loaded.model.logProb(x) }
        #expect(a.scalars == b.scalars)
        #expect(throws: LatentError.self) { try FlowTrainer.open(dir + "/nope") }
    }
}

extension RunLoadingTests {
    @Test func ganRunLoadsInOneCall() throws {
        let dir = temporaryDirectory("loadgan") + "/gan"
        var rng = RandomGenerator(seed: 4)
        // The networks and config keys `latent train gan --data 8gaussians` writes.
        let gan = GAN.mlp(dataDimension: 2, latentDimension: 8, hidden: [16, 16, 16], rng: &rng)
        let config = RunConfig(command: "test", model: .init(kind: "gan", architecture: ["arch": "mlp", "latent": 8, "hidden": .array([16, 16, 16])]),
                               hyperparameters: [:], data: .init(name: "8gaussians"), seed: 4)
        let run = try RunDirectory.create(dir, config: config)
        try run.saveCheckpoint(parameters: gan.checkpointTensors, step: 1)
        let (_, _, loaded) = try GANRun.open(dir)
        let z = rng.normal([5, 8])
        #expect(withoutGradients { gan.generator(z) }.scalars == withoutGradients { loaded.generator(z) }.scalars)
    }
}
