import Foundation
import Testing
@testable import Latent

// Training-scale VAE checks on shapes-tiny (96 binary 16x16 images, the project's small
// ground-truth set). Release build; times measured on the 2-core build machine.

/// Trains a VAE with the given objective on shapes-tiny; returns the model and trainer.
func trainShapesTiny(_ objective: VAEObjective, steps: Int, latent: Int = 6, seed: UInt64 = 0, lr: Float = 1e-3) throws -> VAE {
    var rng = RandomGenerator(seed: seed)
    let data = ShapesTiny()
    let vae = VAE.make(VAESpec(inputShape: data.observationShape, latent: latent, hidden: [128, 64]), rng: &rng)
    let trainer = VAETrainer(model: vae, objective: objective, learningRate: lr, discriminatorHidden: [32, 32], datasetSize: data.gridSize, rng: &rng)
    for _ in 0..<steps {
        try trainer.step(data.observations(fromFactors: data.sampleFactors(64, rng: &rng), rng: &rng), rng: &rng)
    }
    vae.setTraining(false)
    return vae
}

@Suite(.serialized) struct VAETrainingTests {
    static let grid: Tensor = {
        let d = ShapesTiny()
        var rng = RandomGenerator(seed: 0)
        return d.observations(fromFactors: (0..<d.gridSize).map { d.factors(atIndex: $0) }, rng: &rng)
    }()

    /// Fixed seed 0, latent 6, MLP 256-128-64 / mirrored, Adam 1e-3, batch 64, 400 steps on
    /// shapes-tiny (binary pixels, no binarisation needed). Mean ELBO over all 96 images:
    /// -177.4 nats at initialisation (about 256 ln 2) and -33.6 after training, so the
    /// bound -40 nats leaves a margin of 6.4 nats.
    @Test func vaeOnShapesTinyImprovesELBOPastBound() throws {
        var rng = RandomGenerator(seed: 0)
        let untrained = VAE.make(VAESpec(inputShape: [1, 16, 16], latent: 6, hidden: [128, 64]), rng: &rng)
        var erng = RandomGenerator(seed: 1)
        let before = untrained.averageELBO(Self.grid, rng: &erng)
        let vae = try trainShapesTiny(.vae, steps: 400)
        let after = vae.averageELBO(Self.grid, rng: &erng)
        print("shapes-tiny ELBO before \(before), after 400 steps \(after)")
        #expect(before < -150, "initial ELBO \(before)")
        #expect(after > -40, "ELBO after 400 steps \(after) did not pass -40 nats")
    }

    /// Factor estimates of a 16x16 shapes-tiny image from its moments, in pixels: centroid x,
    /// centroid y and sqrt(mass) (posX, posY, scale; shape is left out, too small to read back
    /// from a blurry 16x16 decoding).
    static func moments(_ img: [Float]) -> [Double] {
        var mass = 0.0, sx = 0.0, sy = 0.0
        for y in 0..<16 { for x in 0..<16 { let v = Double(Swift.max(0, img[y * 16 + x])); mass += v; sx += v * Double(x); sy += v * Double(y) } }
        guard mass > 1e-6 else { return [0, 0, 0] }
        return [sx / mass, sy / mass, mass.squareRoot()]
    }

    /// Seeds 0-2, 2000 steps each, latent 6, Adam 1e-3: traversals over [-2, 2] of 8 images,
    /// read back by image moments. Measured mean concentration (1 = one factor per latent):
    /// plain VAE 0.475 / 0.440 / 0.497 (mean 0.471), beta-VAE beta 4 0.541 / 0.426 / 0.585
    /// (mean 0.517); beta 2 gave 0.546 / 0.456 / 0.517. The claim tested: beta = 4's mean over the
    /// three seeds beats the plain VAE's by more than 0.02 (measured 0.046). A modest effect at
    /// this scale; one seed (1) goes the other way, so no per-seed claim is made.
    @Test func betaVAETraversalsChangeOneFactorMoreThanPlainVAE() throws {
        var plain: [Double] = [], beta: [Double] = []
        for seed: UInt64 in [0, 1, 2] {
            for (objective, into) in [(VAEObjective.vae, 0), (.betaVAE(beta: 4), 1)] {
                let m = try trainShapesTiny(objective, steps: 2000, seed: seed)
                var r = RandomGenerator(seed: 3)
                let report = TraversalFactorReport.measure(model: m, data: Self.grid, rng: &r, reader: Self.moments)
                if into == 0 { plain.append(report.meanConcentration) } else { beta.append(report.meanConcentration) }
            }
        }
        let p = plain.reduce(0, +) / 3, b = beta.reduce(0, +) / 3
        print("traversal concentration: plain \(plain) mean \(p); beta-VAE(4) \(beta) mean \(b)")
        #expect(b > p + 0.02, "beta-VAE concentration \(b) vs plain \(p)")
    }

    /// A run directory end to end: FactorVAE (small discriminator) for 30 steps, config with the
    /// data preprocessing, CSV with every term, checkpoint, pictures; resume to 50 steps; reopen
    /// and encode; a diverging run throws, records the failure and keeps its last good checkpoint.
    @Test func runDirectoryTrainResumeEncodeAndDivergence() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("latent-vae-run-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let data = try VAEData(name: "shapes-tiny", batchSize: 32, seed: 0)
        let spec = VAESpec(inputShape: [1, 16, 16], latent: 4, hidden: [32], discriminatorHidden: [16, 16])
        var config = VAERun.config(objective: .factorVAE(gamma: 10), spec: spec, data: data, steps: 30, batchSize: 32,
                                   learningRate: 1e-3, seed: 4, checkpointEvery: 10)
        try VAERun.train(config: config, data: data, directory: dir, showProgress: false, logEvery: 5)
        let run = try RunDirectory.open(dir)
        let stored = try run.config()
        #expect(stored.model.kind == "factor-vae" && stored.data.preprocessing["binarization"]?.string == "none")
        let (cols, rows) = try CSVLog.read(run.logPath)
        #expect(cols == ["step", "recon", "kl", "elbo", "loss", "tc", "discriminator_loss", "steps_per_sec"])
        #expect(rows.count == 6 && rows.allSatisfy { $0.allSatisfy(\.isFinite) })
        for f in ["reconstructions", "samples", "traversal", "loss"] { #expect(FileManager.default.fileExists(atPath: run.imagePath(f + ".png"))) }
        #expect(try run.state()?.finished == true)

        config.hyperparameters["steps"] = .number(50)
        let (_, trainer) = try VAERun.train(config: config, data: data, directory: dir, resume: true, showProgress: false, logEvery: 5)
        #expect(trainer.stepCount == 50 && trainer.optimizer.stepCount == 50 && trainer.discriminatorOptimizer!.stepCount == 50)
        #expect(try CSVLog.read(run.logPath).rows.count == 10)

        let (_, _, model, _) = try VAERun.open(dir)
        let codes = model.encodeMeans(Self.grid)
        #expect(codes.shape == [96, 4])
        // Same weights as the trainer's model.
        expectClose(codes, trainer.model.encodeMeans(Self.grid), atol: 1e-6, rtol: 1e-6, "reopened encoder")

        let bad = dir + "-diverge"
        defer { try? FileManager.default.removeItem(atPath: bad) }
        let diverging = VAERun.config(objective: .vae, spec: spec, data: data, steps: 200, batchSize: 32, learningRate: 1e8, seed: 4, checkpointEvery: 1)
        #expect(throws: LatentError.self) { try VAERun.train(config: diverging, data: data, directory: bad, showProgress: false) }
        let failed = RunDirectory(path: bad)
        let state = try failed.state()
        #expect(state?.finished == false && (state?.failure?.contains("diverged") ?? false), "state: \(String(describing: state))")
        var scratch = RandomGenerator(seed: 0)
        let reloaded = VAE.make(spec, rng: &scratch)
        let info = try failed.loadCheckpoint(into: reloaded.namedParameters)
        #expect(info.step < state!.step)
        #expect(reloaded.parameters.allSatisfy { $0.value.scalars.allSatisfy { $0.isFinite } })
    }
}
