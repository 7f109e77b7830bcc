import Foundation

/// `latent demo`: one model of each family trained and evaluated on built-in
/// data, and `OUT/report.html` with their pictures and tables. The command line
/// only parses these options; everything else happens here.
public struct DemoRun: Sendable {
    /// Output directory (run directories and report.html).
    public var out = "runs/demo"
    /// A few steps per stage: checks the pipeline and the report, not the models.
    public var tiny = false
    /// Scales every stage's training steps (1 = the defaults).
    public var scale = 1.0
    /// The random seed of every stage.
    public var seed: UInt64 = 0
    /// The stages to run (nil: all): moons, fashion, vae, gan, likelihood, entangle.
    public var only: Set<String>? = nil

    /// The stage names, in order.
    public static let stageNames = ["moons", "fashion", "vae", "gan", "likelihood", "entangle"]

    /// A demo with these options; throws naming a scale out of (0, 100] or an unknown stage.
    public init(out: String = "runs/demo", tiny: Bool = false, scale: Double = 1, seed: UInt64 = 0, only: Set<String>? = nil) throws {
        guard scale > 0 && scale <= 100 else { throw LatentError("--scale must be in (0, 100], got \(scale)") }
        for s in only ?? [] where !Self.stageNames.contains(s) {
            throw LatentError("unknown stage '\(s)' in --only (stages: \(Self.stageNames.joined(separator: ", ")))")
        }
        self.out = out; self.tiny = tiny; self.scale = scale; self.seed = seed; self.only = only
    }

    /// A stage's training steps: `small` with --tiny, else `full` times the scale (at least 1).
    func steps(_ full: Int, tiny small: Int) -> Int { tiny ? small : Swift.max(1, Int(Double(full) * scale)) }

    /// Runs the chosen stages, printing progress, and writes and checks report.html.

    public func run() throws {
        let started = Date()
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let stages = only
        func wanted(_ s: String) -> Bool { stages?.contains(s) ?? true }
        var report = HTMLReport(title: "Latent demo", intro: [
            "Every model below was trained by `latent demo`\(tiny ? " --tiny (a few steps per stage: a pipeline check, not trained models)" : "") on built-in data, on this machine's CPU.",
            "Run directories are beside this page; each holds config.json, checkpoint.safetensors, log.csv and images/.",
        ])
        var stage = 0
        let total = ["moons", "fashion", "vae", "vae", "gan", "likelihood", "entangle"].filter(wanted).count
        func header(_ title: String) {
            stage += 1
            print("\n=== [\(stage)/\(total)] \(title) ===")
        }

        if wanted("moons") {
            header("RealNVP on two moons")
            let dir = out + "/moons"
            let config = try FlowTrainer.makeConfig(model: "realnvp", data: "two-moons", steps: steps(2000, tiny: 30), seed: seed,
                                                    command: "latent demo")
            let trained = try FlowTrainer(config: config)
            try RunDriver.train(trained, config: config, directory: dir, options: .init(overwrite: true, checkpointEvery: 500))
            let trainer = try FlowTrainer.open(dir)
            let e = trainer.evaluate(maxCount: tiny ? 500 : 10000)
            report.section("RealNVP on two moons",
                           text: ["8 affine coupling layers (fused C kernel), alternating masks, tanh-bounded log-scale; exact log-likelihood.",
                                  "Left: the learned density next to the data; right: samples from the model."],
                           images: [("moons/images/density.png", "learned density vs data"), ("moons/images/samples.png", "samples"),
                                    ("moons/images/loss.png", "training NLL")],
                           tables: [(["held-out", "value"], [["NLL (nats)", String(format: "%.4f", e.nats)],
                                                            ["bits/dim", String(format: "%.4f", e.bitsPerDim)],
                                                            ["points", String(e.count)]])])
        }

        if wanted("fashion") {
            header("Periodic-convolution flow with variational dequantization on Fashion-MNIST")
            let dir = out + "/fashion-flow"
            let fashion = try FlowData.load("fashion-mnist")
            let config = try FlowTrainer.makeConfig(model: "periodic", data: "fashion-mnist", steps: steps(300, tiny: 3),
                                                    batchSize: tiny ? 8 : 32, seed: seed, layers: tiny ? 1 : 2, hidden: tiny ? 8 : 16,
                                                    dequantization: "variational", command: "latent demo", dataSet: fashion)
            let trained = try FlowTrainer(config: config, data: fashion)
            try RunDriver.train(trained, config: config, directory: dir, options: .init(overwrite: true, checkpointEvery: 500))
            let trainer = try FlowTrainer.open(dir)
            let e = trainer.evaluate(maxCount: tiny ? 16 : 1000)
            var rows = [["uniform dequantization bound", String(format: "%.1f", e.nats), String(format: "%.4f", e.bitsPerDim)]]
            if let v = e.variationalNats, let b = e.variationalBitsPerDim {
                rows.append(["variational dequantization bound", String(format: "%.1f", v), String(format: "%.4f", b)])
            }
            report.section("Periodic convolution flow on Fashion-MNIST",
                           text: ["Circular convolutions whose log-determinant comes from an FFT (FFTW), ActNorm and couplings; 8-bit pixels dequantized as y = (x + u)/256.",
                                  "Both bounds are for the same model and the same \(e.count) test images: uniform noise u, and the jointly trained noise flow q(u|x). A uniform model scores 8 bits/dim.",
                                  "A short run: the model is far from converged; bits/dim fall well below 8 within minutes, sharp garments need hours."],
                           images: [("fashion-flow/images/samples.png", "samples"), ("fashion-flow/images/loss.png", "training loss")],
                           tables: [(["held-out bound", "nats/image", "bits/dim"], rows)])
        }

        if wanted("vae") {
            for (name, model) in [("beta-VAE (beta = 4)", "beta-vae"), ("DIP-VAE-II (lambda_od = lambda_d = 10)", "dip-vae-2")] {
                header("\(name) on dSprites")
                let dir = out + "/" + model
                // An MLP encoder/decoder keeps the demo within minutes; `latent train vae` defaults to the
                // disentanglement_lib convolutional pair for 64x64 images.
                var options = VAEOptions()
                options.model = model; options.data = "dsprites"; options.steps = steps(1500, tiny: 12); options.lr = 1e-3
                options.seed = seed; options.network = "mlp"; options.hidden = tiny ? [32] : [512, 256]
                let (vaeData, vaeConfig) = try options.make(command: "latent demo")
                try VAERun.train(config: vaeConfig, data: vaeData, directory: dir, overwrite: true)
                let (_, config, vae, data) = try VAERun.open(dir)
                let ev = try VAERun.evaluate(model: vae, data: data, points: tiny ? 64 : 500, importanceSamples: tiny ? 4 : 50, seed: config.seed &+ 1)
                var evalRows = [["ELBO", String(format: "%.2f", ev.elbo)], ["IWAE NLL (k = \(ev.importanceSamples))", String(format: "%.2f", ev.iwaeNLL)]]
                if let s = ev.surgery {
                    evalRows += [["reconstruction E[log p(x|z)]", String(format: "%.2f", s.reconstruction)],
                                 ["mutual information I_q[x, z]", String(format: "%.2f (log n = %.2f)", s.mutualInformation, s.logN)],
                                 ["marginal KL(q(z) || p(z))", String(format: "%.2f", s.marginalKL)],
                                 ["recon - MI - marginal KL", String(format: "%.2f", s.surgeryELBO)]]
                }
                print("computing the disentanglement metrics...")
                let scores = try VAEMetrics.scores(run: dir, trainSize: tiny ? 200 : 3000, testSize: tiny ? 100 : 1500, seed: seed)
                report.section("\(name) on dSprites",
                               text: ["MLP encoder/decoder 4096-512-256-(2 x 10) and back (10 latents, Bernoulli decoder), dynamic binarisation, Adam 1e-3; a short run (the study uses the convolutional pair and 300k steps).",
                                      "ELBO surgery: the aggregate posterior of the held-out points as an exact mixture; reconstruction - MI - marginal KL equals the ELBO up to Monte Carlo error.",
                                      "Metrics from the encoder means on sampled ground-truth factors (disentanglement_lib 1.5 definitions; smaller sample sizes than the study's)."],
                               images: [("\(model)/images/reconstructions.png", "data (top) and reconstructions"),
                                        ("\(model)/images/traversal.png", "latent traversals (one row per latent)"),
                                        ("\(model)/images/samples.png", "prior samples"), ("\(model)/images/loss.png", "loss terms")],
                               tables: [(["held-out (nats per image)", "value"], evalRows),
                                        (["metric", "score"], scores.map { [$0.key, String(format: "%.3f", $0.value)] })])
            }
        }

        if wanted("gan") {
            header("GAN on 8 gaussians")
            let dir = out + "/gan"
            let config = try GANOptions(data: "8gaussians", steps: steps(3000, tiny: 20), lr: 1e-3, seed: seed).config(command: "latent demo")
            let session = try GANSession(config: config, sampleEvery: tiny ? 10 : 1000)
            let run = try GANRun.train(session, config: config, directory: dir, options: .init(overwrite: true))
            for line in try session.summary(run: run) { print(line) }
            print("optimal discriminator experiments...")
            var rows: [[String]] = []
            let cases: [OptimalDiscriminatorExperiment] = [.bimodalVersusNormal1D, .equal1D, .eightGaussiansVersusNormal2D, .equal2D]
            for (i, c) in cases.enumerated() {
                var rng = RandomGenerator(seed: seed, stream: UInt64(i))
                let r = c.run(steps: tiny ? 20 : 1500, rng: &rng)
                rows.append([r.name, String(format: "%.4f", r.maxAbsError), String(format: "%.4f", r.meanAbsError), String(format: "%.4f", r.valueTrained),
                             String(format: "%.4f", r.valueOptimal), String(format: "%.4f", r.twoJSDMinusLog4)])
                print(rows.last!.joined(separator: "  "))
            }
            report.section("GAN on 8 gaussians, and the optimal discriminator",
                           text: ["Non-saturating GAN (MLP pair, Adam 1e-3, betas 0.5/0.999). The curves show D(x) on real and fake data oscillating before settling near 1/2.",
                                  String(format: "The table trains D against a fixed generator density p on known densities and compares it with D* = pi/(pi + p); V(G, D*) equals 2 JSD(pi || p) - log 4, and at pi = p, D* = 1/2 and V = -log 4 = %.4f.", -Foundation.log(4.0))],
                           images: [("gan/images/samples_final.png", "final samples"), ("gan/images/losses.png", "losses"),
                                    ("gan/images/d_outputs.png", "D(x) on real and fake")],
                           tables: [(["case", "max|D-D*|", "mean|D-D*|", "V(G,D)", "V(G,D*)", "2 JSD - log 4"], rows)])
        }

        if wanted("likelihood") {
            header("Likelihood is not sample quality")
            var rows: [[String]] = []
            for (data, train, test) in [("8gaussians", 2000, 500), ("fashion-mnist", 2000, 500)] {
                let n = tiny ? (200, 60) : (train, test)
                let dir = out + "/likelihood-" + data
                let source = try GANData.named(data)
                var rng = RandomGenerator(seed: seed)
                var dataRng = rng.forked(stream: 1)
                let all = source.rows(n.0 + n.1, rng: &dataRng)
                var demo = LikelihoodVsSamples(train: all.slice(axis: 0, 0..<n.0).detached(), test: all.slice(axis: 0, n.0..<(n.0 + n.1)).detached(), epsilon: 0.01)
                demo.permutations = tiny ? 20 : 200
                let results = demo.run(sampleCount: tiny ? 50 : 500, rng: &rng)
                for r in results {
                    rows.append([data, r.name, String(format: "%.1f", r.heldOutLogLikelihood), String(format: "%.3f", r.bitsPerDimension),
                                 String(format: "%.3f", r.mmd.pValue), String(format: "%.2f", r.c2st.statistic), r.summary])
                }
                // The sample pictures, as `latent demo likelihood` draws them, from the same samples.
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                try LikelihoodVsSamples.samplesPicture(test: all.slice(axis: 0, n.0..<(n.0 + n.1)), reports: results, data: source)
                    .writePNG(dir + "/samples.png")
            }
            report.section("Likelihood is not sample quality",
                           text: ["p is a kernel density fitted to training data; p1 is the same with a tiny bandwidth (samples are copies of training points: they pass the two-sample tests, yet held-out log-likelihood collapses); p2 = 0.01 p + 0.99 noise (log-likelihood at most log 100 nats below p's, yet 99% of samples are noise and the tests reject them).",
                                  "MMD: Gaussian kernel with the median-heuristic bandwidth, unbiased estimator, permutation p-value. C2ST: held-out accuracy of a small classifier (0.5 = indistinguishable)."],
                           images: [("likelihood-8gaussians/samples.png", "8 gaussians: held-out data, p, p1, p2"),
                                    ("likelihood-fashion-mnist/samples.png", "Fashion-MNIST: held-out data, p, p1, p2")],
                           tables: [(["data", "model", "held-out LL (nats)", "bits/dim", "MMD p", "C2ST accuracy", "what"], rows)])
        }

        if wanted("entangle") {
            header("The impossibility construction")
            var rng = RandomGenerator(seed: seed)
            let map = EntanglingMap(marginals: [UniformMarginal(), GaussianMarginal(mean: 1, std: 2), ExponentialMarginal(rate: 1.5)], rng: &rng)
            let r = checkEntanglement(map, samples: tiny ? 2000 : 20000, rng: &rng)
            var rows: [[String]] = []
            for i in 0..<3 {
                rows.append([map.marginals[i].name, String(format: "%.4f", r.ksOriginal[i].statistic), String(format: "%.4f", r.ksEntangled[i].statistic),
                             String(format: "%.3f", r.ksEntangled[i].pValue)])
            }
            // Picture: the joint of two coordinates of z and of f(z): same marginals, different dependence.
            var pictureRng = RandomGenerator(seed: seed, stream: 7)
            let z = map.sample(tiny ? 500 : 3000, rng: &pictureRng)
            let fz = withoutGradients { map(z) }
            func pairs(_ t: Tensor) -> [(Double, Double)] { (0..<t.shape[0]).map { (Double(t[$0, 0]), Double(t[$0, 1])) } }
            let range = (x: -0.05...1.05, y: -5.0...7.0)
            try FileManager.default.createDirectory(atPath: out + "/entangle", withIntermediateDirectories: true)
            try Plot.sideBySide([Plot.scatter(title: "z: dims 1 and 2", points: pairs(z), range: range),
                                 Plot.scatter(title: "f(z): dims 1 and 2", points: pairs(fz), range: range, color: .orange)])
                .writePNG(out + "/entangle/joint.png")
            let scores = try scoreIdentityVersusEntangled(dataset: try DatasetRegistry.groundTruthDataset(named: "dsprites"),
                                                          train: tiny ? 500 : 4000, test: tiny ? 200 : 2000, seed: seed)
            report.section("Unsupervised disentanglement is impossible without inductive bias",
                           text: ["f(z) = g^-1(Phi(A Phi^-1(g(z)))) with g the marginal CDFs and A orthogonal with no zero entry has exactly the distribution of z (KS statistics below), while every output depends on every input (" + String(format: "%.0f%% of partial derivatives non-zero, smallest %.1e", 100 * r.nonzeroShare, r.minAbsPartial) + ").",
                                  "Metrics see the difference only through the ground-truth factors, which an unsupervised learner never observes."],
                           images: [("entangle/joint.png", "the same marginals (uniform, normal) with a different joint: z left, f(z) right")],
                           tables: [(["marginal", "KS of z", "KS of f(z)", "p of f(z)"], rows),
                                    (["metric (dSprites factors)", "identity codes", "entangled codes"], scores.map { [$0.metric, String(format: "%.3f", $0.identity), String(format: "%.3f", $0.entangled)] })])
        }

        let seconds = Date().timeIntervalSince(started)
        report.intro.append(String(format: "Total time: %.0f s on %d threads (kernels %@, matrix products %@).", seconds, RuntimeInfo.threads, RuntimeInfo.isa, RuntimeInfo.gemm))
        let page = out + "/report.html"
        try report.write(to: page)
        let problems = try HTMLReport.verifyImages(ofPage: page)
        if !problems.isEmpty { throw LatentError("\(page): " + problems.joined(separator: "; ")) }
        print(String(format: "\nwrote %@ (%d images, all present and decodable) in %.0f s", page, report.imagePaths.count, seconds))
    }
}
