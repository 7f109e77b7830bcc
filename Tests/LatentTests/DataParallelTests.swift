import Foundation
import Testing
@testable import Latent
import LatentMPI

// The pure parts of data-parallel training: the row split, split-independent noise, and the
// gradient of a batch as the row-weighted sum of its parts' gradients. The 2-rank runs under
// mpirun are in scripts/checks/mpi/run.sh.

@Suite struct DataParallelTests {
    @Test func rowsPartitionEveryBatch() {
        for size in 1...5 {
            for batch in 0...40 {
                let parts = (0..<size).map { DataParallel.rows(rank: $0, size: size, batchSize: batch) }
                #expect(parts.first!.lowerBound == 0 && parts.last!.upperBound == batch, "size \(size), batch \(batch)")
                for (a, b) in zip(parts, parts.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
                let counts = parts.map(\.count)
                #expect(counts.max()! - counts.min()! <= 1, "size \(size), batch \(batch): \(counts)")
            }
        }
    }

    /// Rows of a draw are the rows of the whole draw, bit for bit, and the counter moves by the
    /// whole draw; width 3 makes rows start in the middle of Philox's 4-number blocks.
    @Test func noiseRowsDoNotDependOnTheSplit() {
        for width in [1, 3, 4, 10] {
            var whole = RandomGenerator(seed: 7, stream: 1, counter: 12)
            let all = whole.normal([9, width])
            for rows in [0..<9, 0..<5, 5..<9, 3..<4, 4..<4] {
                var part = RandomGenerator(seed: 7, stream: 1, counter: 12)
                let r = part.normal(rows: rows, of: 9, width: width)
                #expect(r.shape == [rows.count, width])
                #expect(r.scalars == all.slice(axis: 0, rows).scalars, "width \(width), rows \(rows)")
                #expect(part.counter == whole.counter)
            }
        }
    }

    /// Gradients of rows [0, 13) and [13, 32) weighted by 13/32 and 19/32 add up to the
    /// gradient of the whole batch (beta-VAE: a mean over examples). Tolerance 1e-5 relative:
    /// float32 sums over 32 rows in two orders.
    @Test func batchGradientIsTheWeightedSumOfItsParts() throws {
        let data = ShapesTiny()
        func gradients(_ rows: Range<Int>?) throws -> [Tensor] {
            var rng = RandomGenerator(seed: 3)
            let vae = VAE.make(VAESpec(inputShape: data.observationShape, latent: 4, hidden: [32]), rng: &rng)
            let trainer = VAETrainer(model: vae, objective: .betaVAE(beta: 2), learningRate: 1e-3, rng: &rng)
            var captured: [Tensor] = []
            if let rows { trainer.localRows = { _ in rows } }
            trainer.gradientHook = { parameters, r, n, _ in
                captured = parameters.map { $0.grad! * (Float(r.count) / Float(n)) }
            }
            let x = data.observations(fromFactors: data.sampleFactors(32, rng: &rng), rng: &rng)
            try trainer.step(x, rng: &rng)
            return captured
        }
        let whole = try gradients(nil), first = try gradients(0..<13), second = try gradients(13..<32)
        #expect(whole.count == first.count && whole.count > 0)
        for (w, (a, b)) in zip(whole, zip(first, second)) {
            expectClose(a + b, w, atol: 1e-5, rtol: 1e-5, "weighted sum of the parts' gradients")
        }
    }

    /// In one process the fused average is the identity (weight 1): the same bits as a trainer
    /// without hooks, and one allreduce per step over gradients + logged terms.
    @Test func singleProcessMatchesPlainTrainerExactly() throws {
        let data = ShapesTiny()
        func train(_ parallel: DataParallel?) throws -> (VAE, VAETrainer) {
            var rng = RandomGenerator(seed: 1)
            let vae = VAE.make(VAESpec(inputShape: data.observationShape, latent: 3, hidden: [16]), rng: &rng)
            let trainer = VAETrainer(model: vae, objective: .vae, learningRate: 1e-3, rng: &rng)
            try parallel?.attach(to: trainer)
            for _ in 0..<3 { try trainer.step(data.observations(fromFactors: data.sampleFactors(8, rng: &rng), rng: &rng), rng: &rng) }
            return (vae, trainer)
        }
        let parallel = DataParallel(SingleProcess())
        let (a, trainer) = try train(parallel), (b, _) = try train(nil)
        for (p, q) in zip(a.parameters, b.parameters) { #expect(p.value.scalars == q.value.scalars) }
        #expect(parallel.allreduceCalls == 3)
        #expect(parallel.lastMessageFloats == a.parameters.reduce(0) { $0 + $1.value.count } + trainer.termNames.count)
    }

    @Test func couplingObjectivesAreRefused() {
        var rng = RandomGenerator(seed: 1)
        let vae = VAE.make(VAESpec(inputShape: [1, 16, 16], latent: 3, hidden: [16]), rng: &rng)
        for objective in [VAEObjective.dipVAE2(lambdaOffDiagonal: 10), .betaTCVAE(beta: 6), .annealedVAE(gamma: 100, cMax: 5, iterationThreshold: 10)] {
            let trainer = VAETrainer(model: vae, objective: objective, learningRate: 1e-3, rng: &rng)
            #expect(throws: LatentError.self) { try DataParallel(SingleProcess()).attach(to: trainer) }
        }
    }

    /// Without an MPI launcher the world is this process alone and MPI is never initialised.
    @Test func plainProcessIsRankZeroOfOne() throws {
        guard !MPIWorld.isLaunched else { return }
        let world = try MPIWorld.shared()
        #expect(!world.isMPI && world.rank == 0 && world.size == 1)
        var v: [Float] = [1, 2, 3]
        try world.allreduce(&v, .mean)
        #expect(v == [1, 2, 3])
        #expect(try world.gather([0.5, 2.0]) == [[0.5, 2.0]])
        #expect(try world.broadcast([1, 2, 3] as [UInt8]) == [1, 2, 3])
        try world.barrier()
    }
}
