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
