import Foundation
import Latent
import LatentMPI

// Data-parallel benchmark (`make bench-mpi`): W2 (vae-mlp) and W4 (gan-mlp) of
// bench/README.md ("Workloads") with the global batch split across the MPI ranks, one fused
// gradient allreduce per optimizer step (VAE: one per step; GAN: one for D, one for G).
//
//   mpirun -np 2 latent-bench-mpi          (also runs without mpirun: 1 rank)
//
// Rows: workload, ranks, BLAS threads per rank, global steps/s, and per step the time
// inside the allreduce call (which includes waiting for the slowest rank) and the time a
// bare allreduce of the same message takes right after a barrier (the transfer alone).

let world: MPIWorld
do { world = try MPIWorld.shared() } catch { print("latent-bench-mpi: \(error)"); exit(1) }
RuntimeInfo.useFastestBLASKernels()
let parallel = DataParallel(world)
let steps = Int(ProcessInfo.processInfo.environment["LATENT_BENCH_STEPS"] ?? "") ?? 60

func check(_ ok: Bool, _ what: String) {
    if !ok { world.abort("latent-bench-mpi: result check failed: \(what)", code: 2) }
}

/// Seconds for `count` calls of `body` on every rank (barrier before and after).
func timed(_ count: Int, _ body: () throws -> Void) throws -> Double {
    try world.barrier()
    let t0 = world.time
    for _ in 0..<count { try body() }
    try world.barrier()
    return world.time - t0
}

/// Median seconds of a bare allreduce of `floats` floats, each right after a barrier.
func bareAllreduce(_ floats: Int) throws -> Double {
    var buffer = [Float](repeating: 1, count: floats)
    var times: [Double] = []
    for _ in 0..<21 {
        try world.barrier()
        let t0 = world.time
        try world.allreduce(&buffer)
        times.append(world.time - t0)
    }
    return times.sorted()[times.count / 2]
}

/// One row; `messages` are the floats of each allreduce of one step.
func report(_ name: String, shape: String, seconds: Double, allreduceSeconds: Double, hookSeconds: Double, messages: [Int]) throws {
    var bare = 0.0
    for m in messages { bare += try bareAllreduce(m) }
    guard world.rank == 0 else { return }
    let megabytes = messages.map { String(format: "%.2f", Double($0 * 4) / 1e6) }.joined(separator: " + ")
    print(String(format: "%@  %@  ranks %d  threads %d  %7.1f steps/s  per step: allreduce %6.3f ms in the call, %6.3f ms bare; pack+unpack %5.3f ms  (%@ MB)",
                 name as NSString, shape as NSString, world.size, RuntimeInfo.threads, Double(steps) / seconds,
                 allreduceSeconds / Double(steps) * 1e3, bare * 1e3, (hookSeconds - allreduceSeconds) / Double(steps) * 1e3, megabytes as NSString))
}

// W2: vae-mlp, batch 128, latent 32, 784-512-256 encoder, mirrored decoder, Bernoulli logits.
do {
    var rng = RandomGenerator(seed: 1)
    let vae = VAE.make(VAESpec(inputShape: [784], latent: 32, hidden: [512, 256]), rng: &rng)
    let trainer = VAETrainer(model: vae, objective: .vae, learningRate: 1e-3, rng: &rng)
    try parallel.broadcastParameters(vae.parameters)
    try parallel.attach(to: trainer)
    // Time the whole hook too: hook - allreduce = packing the fused buffer and unpacking it.
    var hookSeconds = 0.0
    let hook = trainer.gradientHook!
    trainer.gradientHook = { p, r, n, v in
        let t0 = world.time
        hook(p, r, n, &v)
        hookSeconds += world.time - t0
    }
    var dataRng = RandomGenerator(seed: 2)
    let x = dataRng.bernoulli([128, 784], probability: 0.5)
    let first = try trainer.step(x, rng: &rng)["loss"]!
    check(first > 400 && first < 700, "vae-mlp first loss \(first) (expected ~ 784 ln 2 = 543)")
    for _ in 0..<5 { try trainer.step(x, rng: &rng) }
    let (s0, h0) = (parallel.allreduceSeconds, hookSeconds)
    let seconds = try timed(steps) { try trainer.step(x, rng: &rng) }
    try report("W2 vae-mlp", shape: "global batch 128", seconds: seconds, allreduceSeconds: parallel.allreduceSeconds - s0,
               hookSeconds: hookSeconds - h0,
               messages: [parallel.lastMessageFloats])
}

// W4: gan-mlp, batch 128, G 64-256-512-784 (tanh), D 784-512-256-1, non-saturating loss.
do {
    var rng = RandomGenerator(seed: 1)
    let gan = GAN.mlp(dataDimension: 784, latentDimension: 64, hidden: [256, 512], discriminatorHidden: [512, 256],
                      outputActivation: .tanh, rng: &rng)
    let real = rng.uniform([128, 784], low: -1, high: 1)
    let trainer = GANTrainer(gan: gan, loss: .nonSaturating)
    try parallel.broadcastParameters(gan.generator.parameters + gan.discriminator.parameters)
    // Each rank: its rows of the real batch and as many generated rows (its own noise
    // stream: GAN noise is not keyed by global row, so this matches one process in
    // distribution, not bit for bit).
    let rows = DataParallel.rows(rank: world.rank, size: world.size, batchSize: 128)
    let localReal = real.slice(axis: 0, rows)
    rng = rng.forked(stream: UInt64(100 + world.rank))
    var hookSeconds = 0.0
    trainer.gradientHook = { parameters in
        let t0 = world.time
        defer { hookSeconds += world.time - t0 }
        var none: [String: Double] = [:]
        do { try parallel.average(gradientsOf: parameters, values: &none, rows: rows, batchSize: 128) } catch { world.abort("\(error)") }
    }
    let first = trainer.step(real: { localReal }, rng: &rng)
    check(abs(first.discriminatorLoss - 1.386) < 0.5, "gan-mlp first discriminator loss \(first.discriminatorLoss) (expected ~ 2 ln 2 = 1.39)")
    for _ in 0..<5 { trainer.step(real: { localReal }, rng: &rng) }
    let (s0, h0) = (parallel.allreduceSeconds, hookSeconds)
    let seconds = try timed(steps) { trainer.step(real: { localReal }, rng: &rng) }
    let count = { (ps: [Parameter]) in ps.reduce(0) { $0 + $1.value.count } }
    try report("W4 gan-mlp", shape: "global batch 128", seconds: seconds, allreduceSeconds: parallel.allreduceSeconds - s0,
               hookSeconds: hookSeconds - h0,
               messages: [count(gan.discriminator.parameters), count(gan.generator.parameters)])
}
