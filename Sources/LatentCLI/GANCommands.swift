import ArgumentParser
import Foundation
import Latent

// GANs and likelihood-free evaluation (issue 8):
//   latent train gan      adversarial training into a run directory
//   latent gan theory     D* and V(G, D*) = 2 JSD - log 4, measured
//   latent twosample      MMD or classifier two-sample test on two .npy sample sets
//   latent demo likelihood  held-out likelihood vs sample quality, the two counter-examples

// MARK: latent train gan

struct TrainGAN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gan",
        abstract: "Train a GAN (minimax, non-saturating or Wasserstein loss, optional R1 or WGAN-GP penalty; MLP or DCGAN pair) with logs, plots, sample grids and checkpoints.",
        discussion: """
        Writes DIR/config.json, DIR/log.csv (step, both losses, D(x) and D(G(z)), and the penalty when there is one, every step), \
        DIR/images/losses.png and d_outputs.png, DIR/images/samples_stepN.png every --sample-every steps, \
        DIR/checkpoint.safetensors every --checkpoint-every steps and DIR/state.json. A diverged (NaN), \
        saturated or collapsed run stops with a message and exit code 2, keeping the last good checkpoint.
        """)

    @Option(help: "Objective: minimax, non-saturating, or wasserstein (a WGAN critic; use it with --penalty gp:LAMBDA).")
    var loss: String = "non-saturating"
    @Option(help: "Gradient penalty on the discriminator: none, r1:GAMMA (Mescheder et al. 2018) or gp:LAMBDA (WGAN-GP, Gulrajani et al. 2017). Needs --arch mlp (BatchNorm has no second derivative).")
    var penalty: String = "none"
    @Option(help: "Architecture: mlp or dcgan (dcgan needs 28x28 or 64x64 images).")
    var arch: String = "mlp"
    @Option(help: "Data set: 8gaussians (and the other 2-D toys), fashion-mnist, dsprites, shapes-tiny, idx:PATH.")
    var data: String = "8gaussians"
    @Option(help: "Generator steps (default 10000 for 2-D toys, 5000 for images).")
    var steps: Int?
    @Option(help: "Batch size (default 256 for 2-D toys, 64 for images).")
    var batchSize: Int?
    @Option(help: "Discriminator steps per generator step (k; default 1, 5 with --loss wasserstein as in WGAN-GP).")
    var k: Int?
    @Option(help: "Learning rate of both players (Adam; default 2e-4, 1e-4 with --loss wasserstein).")
    var lr: Float?
    @Option(name: .customLong("lr-d"), help: "Discriminator learning rate, if different.")
    var lrD: Float?
    @Option(help: "Adam beta1 (default 0.5, 0 with --loss wasserstein).")
    var beta1: Float?
    @Option(help: "Adam beta2 (default 0.999, 0.9 with --loss wasserstein).")
    var beta2: Float?
    @Option(help: "Latent dimension (default 8 for 2-D toys, 64 for 28x28, 100 for 64x64).")
    var latent: Int?
    @Option(help: "Hidden width of the MLP pair on 2-D toys (three hidden layers).")
    var hidden: Int = 128
    @Option(help: "Write a sample grid every N steps.")
    var sampleEvery: Int = 500
    @Option(help: "Write a checkpoint every N steps.")
    var checkpointEvery: Int = 1000
    @Option(help: "Steps of saturated D (or collapsed samples) before the run is declared failed.")
    var patience: Int = 500
    @Option(help: "Random seed.")
    var seed: UInt64 = 0
    @Option(help: "Run directory.")
    var out: String = "runs/gan"
    @Flag(help: "Continue the run in --out from its last checkpoint up to --steps (bit-for-bit as an uninterrupted run).")
    var resume = false
    @Flag(help: "Replace an existing run in --out.")
    var overwrite = false
    @Option(help: "Threads for the BLAS.")
    var threads: Int?

    func run() throws {
        if let threads { RuntimeInfo.setThreads(threads) }
        guard sampleEvery > 0, checkpointEvery > 0, patience > 0 else {
            throw ValidationError("--sample-every, --checkpoint-every and --patience must be positive")
        }
        let options = GANOptions(data: data, arch: arch, loss: loss, penalty: penalty, steps: steps, batchSize: batchSize, k: k,
                                 lr: lr, lrD: lrD, beta1: beta1, beta2: beta2, latent: latent, hidden: hidden, seed: seed)
        let config = try options.config(command: CommandLine.arguments.joined(separator: " "))
        for note in options.notes { FileHandle.standardError.write(Data("latent train gan: note: \(note)\n".utf8)) }
        let h = config.hyperparameters
        let steps = h["steps"]?.int ?? 0, batch = h["batchSize"]?.int ?? 0, k = h["k"]?.int ?? 1
        let lossKind = h["loss"]?.string ?? loss, penaltyKind = h["penalty"]?.string ?? "none"
        let session = try GANSession(config: config, patience: patience, sampleEvery: sampleEvery)
        if resume, (try? RunDirectory.open(out))?.hasCheckpoint ?? false { print("resuming \(out)") }
        print("latent train gan: \(data), \(arch), \(lossKind) loss, penalty \(penaltyKind), k = \(k), batch \(batch), \(steps) steps -> \(out)")
        print("generator \(session.gan.generator.parameterCount) parameters, discriminator \(session.gan.discriminator.parameterCount)")
        let interruption = Interruption()
        defer { interruption.uninstall() }
        let run: RunDirectory
        do {
            run = try GANRun.train(session, config: config, directory: out,
                                   options: .init(resume: resume, overwrite: overwrite, checkpointEvery: checkpointEvery, interruption: interruption))
        } catch let stop as Interruption.Stopped {
            print("\(stop); checkpoint saved in \(out). Continue with the same command and --resume")
            throw ExitCode(stop.exitCode)
        } catch let problem as RunProblem {
            FileHandle.standardError.write("latent train gan: \(problem)\n".data(using: .utf8)!)
            FileHandle.standardError.write("run directory \(out): log.csv and images/ show the failure; checkpoint.safetensors is from the last checkpoint before it\n".data(using: .utf8)!)
            throw ExitCode(2)
        }
        for line in try session.summary(run: run) { print(line) }
        print("wrote \(run.logPath), \(run.imagePath("losses.png")), \(run.imagePath("d_outputs.png")), \(run.imagePath("samples_final.png")), \(run.checkpointPath)")
    }
}

// MARK: latent gan theory

struct GANCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gan",
        abstract: "GAN theory made measurable.",
        subcommands: [GANTheory.self])
}

struct GANTheory: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "theory",
        abstract: "Train D against a fixed G on known 1-D and 2-D densities; compare with D* = pi/(pi+p) and V(G, D*) with 2 JSD - log 4.")

    @Option(help: "Discriminator training steps per case (batch 512 per side, Adam 1e-3 with cosine decay).")
    var steps: Int = 3000
    @Option(help: "Random seed.")
    var seed: UInt64 = 0
    @Flag(help: "One JSON object per case instead of the table.")
    var json = false

    func run() throws {
        let cases: [OptimalDiscriminatorExperiment] = [.bimodalVersusNormal1D, .equal1D, .eightGaussiansVersusNormal2D, .equal2D]
        if !json {
            print("D trained for \(steps) steps against a fixed generator density p; errors on the grid where (pi+p)/2 >= 5% of its peak (max) and weighted by (pi+p)/2 (mean)")
            print("case".padding(toLength: 40, withPad: " ", startingAt: 0) + "  max|D-D*|  mean|D-D*|   V(G,D)   V(G,D*)  2JSD-log4       JSD")
        }
        for (i, e) in cases.enumerated() {
            var rng = RandomGenerator(seed: seed, stream: UInt64(i))
            let r = e.run(steps: steps, rng: &rng)
            if json {
                print(String(format: "{\"case\": \"%@\", \"max_abs_error\": %.6f, \"mean_abs_error\": %.6f, \"v_trained\": %.6f, \"v_optimal\": %.6f, \"two_jsd_minus_log4\": %.6f, \"jsd\": %.6f, \"mass_in_box\": %.6f}",
                             r.name, r.maxAbsError, r.meanAbsError, r.valueTrained, r.valueOptimal, r.twoJSDMinusLog4, r.jsd, r.massInBox))
            } else {
                print(r.name.padding(toLength: 40, withPad: " ", startingAt: 0)
                      + String(format: "  %9.4f  %10.4f  %7.4f  %8.4f  %9.4f  %8.4f", r.maxAbsError, r.meanAbsError, r.valueTrained, r.valueOptimal, r.twoJSDMinusLog4, r.jsd)
                      + "  worst at (" + r.worstPoint.map { String(format: "%.2f", $0) }.joined(separator: ", ") + ")")
            }
        }
        if !json {
            print(String(format: "-log 4 = %.4f; V(G,D) <= V(G,D*) for any D; at pi = p, D* = 1/2 everywhere", -Foundation.log(4.0)))
        }
    }
}

// MARK: latent twosample

struct TwoSample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "twosample",
        abstract: "Two-sample test on two .npy sample sets (rows are examples): MMD (Gaussian kernel, median heuristic, permutation p-value) or a classifier test (c2st).")

    @Argument(help: "First sample set (.npy, shape (n, ...)).")
    var a: String
    @Argument(help: "Second sample set (.npy, shape (m, ...)).")
    var b: String
    @Option(help: "mmd or c2st.")
    var test: String = "mmd"
    @Option(help: "Permutations for the MMD p-value.")
    var permutations: Int = 200
    @Option(help: "Largest number of examples used from each set (random subsample beyond).")
    var maxSamples: Int = 2000
    @Option(help: "Random seed (subsampling, permutations, classifier).")
    var seed: UInt64 = 0
    @Flag(help: "Print one JSON object: test, statistic, p_value, n_a, n_b and details.")
    var json = false

    func run() throws {
        guard let kind = TwoSampleTestKind(rawValue: test) else { throw ValidationError("--test must be mmd or c2st, got '\(test)'") }
        guard permutations >= 1 else { throw ValidationError("--permutations must be at least 1") }
        let xa = try NDArray.readNpy(a).tensor(name: a), xb = try NDArray.readNpy(b).tensor(name: b)
        guard xa.rank >= 1, xb.rank >= 1, Array(xa.shape.dropFirst()) == Array(xb.shape.dropFirst()) || xa.count / max(xa.shape[0], 1) == xb.count / max(xb.shape[0], 1) else {
            throw LatentError("\(a) has examples of shape \(Array(xa.shape.dropFirst())), \(b) of shape \(Array(xb.shape.dropFirst())); they must match")
        }
        var rng = RandomGenerator(seed: seed)
        let r: TwoSampleTestResult
        switch kind {
        case .mmd: r = MMDTest(permutations: permutations, maxSamples: maxSamples).run(xa, xb, rng: &rng)
        case .c2st:
            guard min(xa.shape[0], xb.shape[0]) >= 4 else { throw LatentError("c2st needs at least 4 examples in each set") }
            r = ClassifierTwoSampleTest(maxSamples: maxSamples).run(xa, xb, rng: &rng)
        }
        if json { print(r.json()); return }
        print("\(r.test): n_a \(r.nA), n_b \(r.nB)")
        switch kind {
        case .mmd:
            print(String(format: "MMD^2 (unbiased) %.6g, bandwidth %.4g (median heuristic), p-value %.4g (%d permutations)",
                         r.statistic, r.details["bandwidth"] ?? .nan, r.pValue, permutations))
        case .c2st:
            print(String(format: "held-out accuracy %.4f on %d examples, p-value %.4g (binomial, chance 1/2)",
                         r.statistic, Int(r.details["test_examples"] ?? 0), r.pValue))
        }
        print(r.pValue < 0.05 ? "reject H0 (same distribution) at the 5% level" : "no evidence against H0 at the 5% level")
    }
}

// MARK: latent demo likelihood

struct DemoLikelihood: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "likelihood",
        abstract: "Likelihood is not sample quality: a tiny-bandwidth KDE (great samples, terrible held-out likelihood) and 0.01 p + 0.99 noise (likelihood within log 100 nats of p, noisy samples).")

    @Option(help: "Data set: 8gaussians (or another 2-D toy), fashion-mnist, dsprites, shapes-tiny, idx:PATH.")
    var data: String = "8gaussians"
    @Option(help: "Training points (the KDEs' centres).")
    var trainSize: Int = 2000
    @Option(help: "Held-out points.")
    var testSize: Int = 500
    @Option(help: "p1's bandwidth epsilon (in data units; images are in [0, 1]).")
    var epsilon: Double = 0.01
    @Option(help: "Samples drawn from each model for the two-sample tests.")
    var samples: Int = 500
    @Option(help: "Permutations for the MMD p-values.")
    var permutations: Int = 200
    @Option(help: "Random seed.")
    var seed: UInt64 = 0
    @Option(help: "Directory for the sample pictures.")
    var out: String = "runs/demo-likelihood"

    func run() throws {
        let source = try GANData.named(data)
        var rng = RandomGenerator(seed: seed)
        var dataRng = rng.forked(stream: 1)
        let all = source.rows(trainSize + testSize, rng: &dataRng)
        let train = all.slice(axis: 0, 0..<trainSize).detached()
        let test = all.slice(axis: 0, trainSize..<(trainSize + testSize)).detached()
        var demo = LikelihoodVsSamples(train: train, test: test, epsilon: epsilon)
        demo.permutations = permutations
        let dims = train.shape[1]
        print("data \(data): \(trainSize) training and \(testSize) held-out points, \(dims) dimensions\(source.isToy ? "" : " (pixels dequantized: (v + U) / 256)")")
        let rows = demo.run(sampleCount: samples, rng: &rng)

        print("")
        print("model  held-out LL (nats)  bits/dim   MMD^2      MMD p    C2ST acc  C2ST p     what")
        for r in rows {
            print(r.name.padding(toLength: 5, withPad: " ", startingAt: 0)
                  + String(format: "  %18.2f  %8.3f  %9.3g  %7.3f  %8.3f  %9.3g", r.heldOutLogLikelihood, r.bitsPerDimension,
                           r.mmd.statistic, r.mmd.pValue, r.c2st.statistic, r.c2st.pValue) + "  " + r.summary)
        }
        let p = rows[0], p1 = rows[1], p2 = rows[2]
        print("")
        print(String(format: "p1 vs p: held-out LL %.1f nats lower, yet its samples look like held-out data to the two-sample tests (MMD p %.2f, C2ST accuracy %.2f, chance 0.5).",
                     p.heldOutLogLikelihood - p1.heldOutLogLikelihood, p1.mmd.pValue, p1.c2st.statistic))
        print(String(format: "p2 vs p: held-out LL differs by %+.2f nats (never below -log 100 = -%.2f, i.e. %.4f bits/dim), yet 99%% of its samples are noise (MMD p %.3g, C2ST accuracy %.2f).",
                     p2.heldOutLogLikelihood - p.heldOutLogLikelihood, Foundation.log(100.0), Foundation.log(100.0) / (Double(dims) * Foundation.log(2.0)),
                     p2.mmd.pValue, p2.c2st.statistic))

        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let path = out + "/samples.png"
        if source.isToy {
            func pts(_ t: Tensor) -> [(Double, Double)] { let v = t.scalars; return (0..<t.shape[0]).map { (Double(v[2 * $0]), Double(v[2 * $0 + 1])) } }
            let range = (x: -5.0...5.0, y: -5.0...5.0)
            try Plot.sideBySide([Plot.scatter(title: "held-out data", points: pts(test), range: range, color: .blue)]
                                + rows.map { Plot.scatter(title: "samples of \($0.name)", points: pts($0.samples), range: range, color: .orange) }).writePNG(path)
        } else {
            let shape = source.exampleShape
            let grids = ([test] + rows.map(\.samples)).map { t -> RGBImage in
                let n = min(36, t.shape[0])
                return RGBImage.grid(t.slice(axis: 0, 0..<n).reshaped([n] + shape).clamped(min: 0, max: 1), columns: 6, scale: 2)
            }
            try Plot.sideBySide(grids).writePNG(path)
        }
        print("wrote \(path) (left to right: held-out data, p, p1, p2)")
    }
}
