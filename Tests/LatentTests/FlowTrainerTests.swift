import Foundation
import Testing
@testable import Latent

// FlowTrainer (Sources/Latent/Flows/FlowTraining.swift): data names, resume
// bit-for-bit, interruption, divergence, bad hyperparameters.

/// 8-bit 8x8 images with structure (a bright square at a random place on noise), so a flow has something to learn.
func syntheticImages(_ count: Int, seed: UInt64) -> ImageSet {
    var rng = RandomGenerator(seed: seed)
    let u = rng.uniform([count, 66]).scalars
    var px = [UInt8](repeating: 0, count: count * 64)
    for i in 0..<count {
        let (r0, c0) = (Int(u[i * 66 + 64] * 5), Int(u[i * 66 + 65] * 5))
        for p in 0..<64 {
            let (r, c) = (p / 8, p % 8)
            let inside = r >= r0 && r < r0 + 3 && c >= c0 && c < c0 + 3
            px[i * 64 + p] = inside ? 200 + UInt8(u[i * 66 + p] * 55) : UInt8(u[i * 66 + p] * 40)
        }
    }
    return ImageSet(name: "synthetic", count: count, channels: 1, height: 8, width: 8, pixels: px)
}

/// Every parameter's bits, in order, for exact comparison.
func parameterBits(_ t: FlowTrainer) -> [[UInt32]] {
    t.namedParameters.map { $0.parameter.value.scalars.map(\.bitPattern) }
}

@Suite(.serialized) struct FlowTrainerTests {
    static func imageData() -> FlowData {
        .images(name: "synthetic", train: syntheticImages(64, seed: 1), test: syntheticImages(16, seed: 2))
    }

    @Test func dataNamesFromTheRegistry() throws {
        for toy in ToyDensity.allCases {
            guard case .toy(let t) = try FlowData.load(toy.name) else { Issue.record("\(toy.name) is not a toy"); continue }
            #expect(t == toy)
        }
        #expect(throws: LatentError.self) { try FlowData.load("no-such-set") }
        do { _ = try FlowData.load("moons") } catch let e as LatentError {
            #expect(e.message.contains("two-moons") && e.message.contains("fashion-mnist") && e.message.contains("idx:PATH"), "\(e.message)")
        }
        #expect(throws: LatentError.self) { try FlowData.load("dsprites") }
    }

    @Test func badHyperparametersNameTheOption() {
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "" } catch { return "\(error)" }
        }
        #expect(message { _ = try FlowTrainer.makeConfig(model: "realnvp", data: "two-moons", steps: 0) }.contains("--steps"))
        #expect(message { _ = try FlowTrainer.makeConfig(model: "realnvp", data: "two-moons", steps: 10, batchSize: -1) }.contains("--batch-size"))
        #expect(message { _ = try FlowTrainer.makeConfig(model: "realnvp", data: "two-moons", steps: 10, lr: 0) }.contains("--lr"))
        #expect(message { _ = try FlowTrainer.makeConfig(model: "realnvp", data: "two-moons", steps: 10, lr: 50) }.contains("--lr"))
        #expect(message { _ = try FlowTrainer.makeConfig(model: "realnvp", data: "two-moons", steps: 10, lr: .nan) }.contains("--lr"))
        #expect(message { _ = try FlowTrainer.makeConfig(model: "glow", data: "two-moons", steps: 10) }.contains("glow"))
        #expect(message { _ = try FlowTrainer.makeConfig(model: "periodic", data: "two-moons", steps: 10) }.contains("periodic"))
    }

    @Test func nonFiniteDataIsRejectedNamingTheFile() throws {
        let dir = temporaryDirectory("flow-nan")
        var v = [Float](repeating: 0.5, count: 40)
        v[13] = .nan
        try NDArray(Tensor(shape: [20, 2], scalars: v)).writeNpy(dir + "/bad.npy")
        do { _ = try FlowData.load("npy:" + dir + "/bad.npy"); Issue.record("NaN accepted") } catch let e as LatentError {
            #expect(e.message.contains("bad.npy") && e.message.contains("non-finite"), "\(e.message)")
        }
    }

    /// 2N steps in one go, and N steps + checkpoint + a fresh process-like
    /// trainer restored from it + N more, give the same bits.
    func expectResumeIsExact(_ config: RunConfig, _ data: FlowData, n: Int, _ what: String) throws {
        let whole = try FlowTrainer(config: config, data: data)
        try whole.train(to: 2 * n)

        let dir = temporaryDirectory("flow-resume")
        let run = try RunDirectory.create(dir + "/run", config: config)
        let first = try FlowTrainer(config: config, data: data)
        // Stop half-way through the interruption path (as SIGINT would), which saves the checkpoint.
        try first.train(to: n, run: run, checkpointEvery: 1000)
        let interruption = Interruption(signals: [])
        interruption.request()
        #expect(throws: Interruption.Stopped.self) { try first.train(to: 2 * n, run: run, interruption: interruption) }
        #expect(try run.state()?.step == n)

        let second = try FlowTrainer(config: config, data: data)
        try second.restore(from: run)
        #expect(second.step == n)
        #expect(second.model.actNorms.allSatisfy { $0.isInitialized }, "\(what): ActNorm flags restored")
        try second.train(to: 2 * n, run: run)
        #expect(parameterBits(second) == parameterBits(whole), "\(what): resumed parameters differ from an uninterrupted run")
        #expect(try run.state() == RunState(finished: true, step: 2 * n))
        let log = try CSVLog.read(run.logPath)
        let steps = log.rows.map { Int($0[0]) }
        #expect(steps == steps.sorted() && Set(steps).count == steps.count && steps.last == 2 * n, "log steps \(steps)")
    }

    @Test func realNVPResumeIsBitForBit() throws {
        let config = try FlowTrainer.makeConfig(model: "realnvp", data: "two-moons", steps: 40, batchSize: 64, layers: 4, hidden: 16)
        try expectResumeIsExact(config, try FlowData.load("two-moons"), n: 20, "realnvp two-moons")
    }

    @Test func periodicVariationalResumeIsBitForBitAcrossEpochs() throws {
        let data = Self.imageData()
        // 64 images in batches of 16: 4 steps per epoch, so steps 3...6 cross an epoch boundary.
        let config = try FlowTrainer.makeConfig(model: "periodic", data: "synthetic", steps: 6, batchSize: 16, layers: 1, hidden: 8,
                                                dequantization: "variational", dataSet: data)
        try expectResumeIsExact(config, data, n: 3, "periodic variational")
    }

    @Test func aSignalStopsTheLoopAfterSavingTheCheckpoint() throws {
        let config = try FlowTrainer.makeConfig(model: "realnvp", data: "two-moons", steps: 10, batchSize: 32, layers: 2, hidden: 8)
        let trainer = try FlowTrainer(config: config)
        let dir = temporaryDirectory("flow-signal")
        let run = try RunDirectory.create(dir + "/run", config: config)
        try trainer.train(to: 3, run: run)
        let interruption = Interruption(signals: [SIGUSR1])
        defer { interruption.uninstall() }
        kill(getpid(), SIGUSR1)
        let deadline = Date().addingTimeInterval(5)
        while !interruption.isRequested && Date() < deadline { usleep(1000) }
        #expect(interruption.signal == SIGUSR1)
        do { try trainer.train(to: 10, run: run, interruption: interruption); Issue.record("did not stop") } catch let s as Interruption.Stopped {
            #expect(s.step == 3 && s.exitCode == 128 + SIGUSR1)
        }
        #expect(try Checkpoint.load(from: run.checkpointPath, into: trainer.namedParameters).step == 3)
    }

    @Test func aDivergingLossStopsAndKeepsTheLastGoodCheckpoint() throws {
        let config = try FlowTrainer.makeConfig(model: "realnvp", data: "two-moons", steps: 10, batchSize: 32, layers: 2, hidden: 8)
        let trainer = try FlowTrainer(config: config)
        let dir = temporaryDirectory("flow-diverge")
        let run = try RunDirectory.create(dir + "/run", config: config)
        try trainer.train(to: 4, run: run, checkpointEvery: 2)
        let good = parameterBits(trainer)
        let p = trainer.model.parameters[0]
        p.assign(Tensor(repeating: .nan, shape: p.shape))
        do { try trainer.train(to: 10, run: run, checkpointEvery: 1); Issue.record("NaN loss not caught") } catch let e as LatentError {
            #expect(e.message.contains("step 5") && e.message.contains("negative log-likelihood"), "\(e.message)")
        }
        #expect(try run.state()?.failure != nil)
        // state.json names the step that failed (one rule for every family); the checkpoint keeps step 4.
        #expect(try run.state()?.step == 5)
        let reloaded = try FlowTrainer(config: config)
        try reloaded.restore(from: run)
        #expect(reloaded.step == 4 && parameterBits(reloaded) == good)
    }

    @Test func imageRunEvaluatesBothBounds() throws {
        let data = Self.imageData()
        let config = try FlowTrainer.makeConfig(model: "periodic", data: "synthetic", steps: 8, batchSize: 16, layers: 1, hidden: 8,
                                                dequantization: "variational", dataSet: data)
        #expect(config.data.preprocessing["dequantization"] == "variational")
        #expect(config.data.preprocessing["encoding"] == "raw-8bit")
        let trainer = try FlowTrainer(config: config, data: data)
        try trainer.train(to: 8)
        let e = trainer.evaluate()
        #expect(e.count == 16 && e.dimensions == 64)
        #expect(e.bitsPerDim.isFinite && e.bitsPerDim > 0 && e.bitsPerDim < 8.5, "\(e.bitsPerDim)")
        #expect(e.variationalBitsPerDim?.isFinite == true)
        var rng = RandomGenerator(seed: 1)
        let xs = trainer.sample(5, rng: &rng)
        #expect(xs.shape == [5, 1, 8, 8] && xs.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
    }
}
