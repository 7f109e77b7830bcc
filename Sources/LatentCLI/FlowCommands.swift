import ArgumentParser
import Foundation
import Latent

// `latent train flow`, and the flow side of `latent eval DIR` / `latent sample DIR`.
// The training loop, data, resume and evaluation live in the library
// (FlowTrainer); this file parses options and draws pictures.

/// Training of every model family; each family adds its subcommand here.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Train a model into a run directory.", subcommands: [TrainFlow.self, TrainVAE.self, TrainGAN.self])
}

/// Log-density on a grid over `range`, rows from the top (largest x2) down.
func densityGrid(_ logDensity: (Tensor) -> Tensor, range: (x: ClosedRange<Double>, y: ClosedRange<Double>), size: Int = 120) -> [[Double]] {
    var pts: [Float] = []
    for r in 0..<size {
        let y = range.y.upperBound - (Double(r) + 0.5) / Double(size) * (range.y.upperBound - range.y.lowerBound)
        for c in 0..<size {
            let x = range.x.lowerBound + (Double(c) + 0.5) / Double(size) * (range.x.upperBound - range.x.lowerBound)
            pts += [Float(x), Float(y)]
        }
    }
    let lp = logDensity(Tensor(shape: [size * size, 2], scalars: pts)).scalars
    return (0..<size).map { r in (0..<size).map { c in Foundation.exp(Double(lp[r * size + c])) } }
}

/// A 2-D histogram of points on the same grid as `densityGrid`.
func histogramGrid(_ points: Tensor, range: (x: ClosedRange<Double>, y: ClosedRange<Double>), size: Int = 120) -> [[Double]] {
    var h = [[Double]](repeating: [Double](repeating: 0, count: size), count: size)
    let p = points.scalars
    for i in 0..<points.shape[0] {
        let fx = (Double(p[2 * i]) - range.x.lowerBound) / (range.x.upperBound - range.x.lowerBound)
        let fy = (range.y.upperBound - Double(p[2 * i + 1])) / (range.y.upperBound - range.y.lowerBound)
        let c = Int(fx * Double(size)), r = Int(fy * Double(size))
        if r >= 0 && r < size && c >= 0 && c < size { h[r][c] += 1 }
    }
    return h
}

/// A square plotting window around the data: the 0.5%...99.5% quantiles of both coordinates, padded.
func plotRange(for points: Tensor) -> (x: ClosedRange<Double>, y: ClosedRange<Double>) {
    let s = points.scalars
    let n = points.shape[0]
    func window(_ k: Int) -> ClosedRange<Double> {
        let v = (0..<n).map { Double(s[2 * $0 + k]) }.filter(\.isFinite).sorted()
        guard v.count > 10 else { return -4...4 }
        let lo = v[v.count / 200], hi = v[v.count - 1 - v.count / 200]
        let pad = 0.15 * Swift.max(hi - lo, 1e-3)
        return (lo - pad)...(hi + pad)
    }
    return (window(0), window(1))
}

/// Reference points of a 2-D run's data (for plots).
func referencePoints(_ data: FlowData, _ n: Int, seed: UInt64) -> Tensor? {
    switch data {
    case .toy(let t):
        var rng = RandomGenerator(seed: seed, stream: 7)
        return t.sample(n, rng: &rng)
    case .points(_, let train, _):
        return train.shape[1] == 2 ? train.slice(axis: 0, 0..<Swift.min(n, train.shape[0])) : nil
    case .images:
        return nil
    }
}

struct TrainFlow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flow", abstract: "Train a normalizing flow by maximum likelihood.",
        discussion: """
        Data: \(FlowData.names.joined(separator: ", ")). 2-D and vector data use realnvp, maf or iaf; \
        images (fashion-mnist, idx:PATH) use periodic, on 8-bit pixels dequantized to y = (x + u)/256.
        --resume continues the run in --out from its last checkpoint up to --steps (total); the other \
        options come from the run's config.json. Ctrl-C (SIGINT) or SIGTERM saves a checkpoint and stops.
        """)

    @Option(help: "realnvp, maf, iaf or periodic (default: realnvp, or periodic for image data).") var model: String?
    @Option(help: "Data set name (default two-moons); see the discussion for the list.") var data: String?
    @Option(parsing: .unconditional, help: "Total training steps (default 2000; 1500 for periodic).") var steps: Int?
    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Batch size (default 512; 64 for periodic).") var batchSize: Int?
    @Option(parsing: .unconditional, help: "Adam learning rate (default 1e-3).") var lr: Double?
    @Option(parsing: .unconditional, help: "Random seed (default 0).") var seed: UInt64?
    @Option(parsing: .unconditional, help: "Flow layers: couplings or autoregressive blocks (default 8); for periodic, blocks after the squeeze (default 4).") var layers: Int?
    @Option(parsing: .unconditional, help: "Hidden units (2-D nets, default 64) or channels (periodic coupling nets, default 32).") var hidden: Int?
    @Option(help: "Image data: uniform or variational (default uniform).") var dequantization: String?
    @Option(name: .customLong("checkpoint-every"), parsing: .unconditional, help: "Steps between checkpoints.") var checkpointEvery = 500
    @Option(help: "Run directory.") var out: String
    @Flag(help: "Replace an existing run directory.") var overwrite = false
    @Flag(help: "Continue the run in --out from its last checkpoint up to --steps.") var resume = false

    func run() throws {
        let trainer: FlowTrainer
        let runDir: RunDirectory
        let total: Int
        guard checkpointEvery > 0 else { throw LatentError("--checkpoint-every must be positive, got \(checkpointEvery)") }
        if resume {
            guard !overwrite else { throw LatentError("--resume and --overwrite contradict each other") }
            runDir = try RunDirectory.open(out)
            let config = try runDir.config()
            guard FlowTrainer.kinds.contains(config.model.kind) else {
                throw LatentError("\(out) holds a '\(config.model.kind)' run, not a flow")
            }
            // Options that define the run must agree with its config; only --steps may change.
            let arch = config.model.architecture
            let fixed: [(String, String?, String?)] = [
                ("--model", model, config.model.kind), ("--data", data, config.data.name),
                ("--batch-size", batchSize.map(String.init), config.hyperparameters["batchSize"]?.int.map(String.init)),
                ("--lr", lr.map { String($0) }, config.hyperparameters["lr"]?.double.map { String($0) }),
                ("--seed", seed.map(String.init), String(config.seed)),
                ("--layers", layers.map(String.init), arch["layers"]?.int.map(String.init)),
                ("--hidden", hidden.map(String.init), arch["hidden"]?.int.map(String.init)),
                ("--dequantization", dequantization, config.data.preprocessing["dequantization"]?.string ?? "uniform"),
            ]
            for (name, given, stored) in fixed where given != nil && given != stored {
                throw LatentError("\(name) \(given!) differs from the run in \(out) (\(stored ?? "unset")); a resumed run keeps its config")
            }
            total = steps ?? config.hyperparameters["steps"]?.int ?? 2000
            guard total > 0 else { throw LatentError("--steps must be positive, got \(total)") }
            trainer = try FlowTrainer(config: config)
            guard runDir.hasCheckpoint else { throw LatentError("\(out): no checkpoint.safetensors to resume from") }
            try trainer.restore(from: runDir)
            guard trainer.step <= total else {
                throw LatentError("\(out) is already at step \(trainer.step), beyond --steps \(total)")
            }
            try CSVLog.truncate(runDir.logPath, afterStep: trainer.step)
            print("resuming \(out) at step \(trainer.step) of \(total)")
        } else {
            let dataName = data ?? "two-moons"
            let flowData = try FlowData.load(dataName)
            let kind = model ?? (flowData.isImages ? "periodic" : "realnvp")
            let image = kind == "periodic"
            total = steps ?? (image ? 1500 : 2000)
            let command = (["latent"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
            let config = try FlowTrainer.makeConfig(model: kind, data: dataName, steps: total, batchSize: batchSize ?? (image ? 64 : 512),
                                                    lr: lr ?? 1e-3, seed: seed ?? 0, layers: layers ?? (image ? 4 : 8),
                                                    hidden: hidden ?? (image ? 32 : 64), dequantization: dequantization ?? "uniform",
                                                    command: command, dataSet: flowData)
            trainer = try FlowTrainer(config: config, data: flowData)
            runDir = try RunDirectory.create(out, config: config, overwrite: overwrite)
        }
        let interruption = Interruption()
        defer { interruption.uninstall() }
        let bar = ProgressBar(label: "train \(trainer.config.model.kind)", total: total)
        do {
            try trainer.train(to: total, run: runDir, checkpointEvery: checkpointEvery, interruption: interruption, progress: bar)
        } catch let stop as Interruption.Stopped {
            try? writeLossCurve(runDir)
            print("\(stop); checkpoint saved in \(out). Continue with: latent train flow --out \(out) --resume --steps \(total)")
            throw ExitCode(stop.exitCode)
        }
        try writeFlowPictures(trainer, runDir: runDir)
        let pictures = trainer.data.isImages ? "images/samples.png, images/data.png, images/loss.png" : "images/density.png, images/samples.png, images/loss.png"
        print("wrote \(runDir.path): config.json, checkpoint.safetensors, log.csv, \(pictures)")
    }
}

/// images/loss.png from log.csv: the loss (bits/dim for images) against the step.
func writeLossCurve(_ run: RunDirectory) throws {
    let (cols, rows) = try CSVLog.read(run.logPath)
    guard !rows.isEmpty else { return }
    let col = cols.firstIndex(of: "bits_per_dim") ?? cols.firstIndex(of: "loss") ?? 1
    let series: Plot.Series = (name: cols[col], x: rows.map { $0[0] }, y: rows.map { $0.count > col ? $0[col] : .nan })
    try FileManager.default.createDirectory(atPath: run.imagesPath, withIntermediateDirectories: true)
    try Plot.lines(title: "training \(cols[col] == "loss" ? "loss (nats)" : "bits/dim")", series: [series],
                   yLabel: cols[col]).writePNG(run.imagePath("loss.png"))
}

func writeFlowPictures(_ trainer: FlowTrainer, runDir: RunDirectory) throws {
    try FileManager.default.createDirectory(atPath: runDir.imagesPath, withIntermediateDirectories: true)
    try writeLossCurve(runDir)
    var rng = RandomGenerator(seed: trainer.config.seed, stream: 7)
    if case .images(_, _, let test) = trainer.data {
        try RGBImage.grid(test.floats(0..<64), columns: 8, scale: 2).writePNG(runDir.imagePath("data.png"))
        try RGBImage.grid(trainer.sample(64, rng: &rng), columns: 8, scale: 2).writePNG(runDir.imagePath("samples.png"))
        try RGBImage.grid(trainer.sample(64, temperature: 0.7, rng: &rng), columns: 8, scale: 2).writePNG(runDir.imagePath("samples-t0.7.png"))
        return
    }
    guard trainer.model.eventShape == [2], let points = referencePoints(trainer.data, 20000, seed: trainer.config.seed) else { return }
    let range = plotRange(for: points)
    let learned = withoutGradients { densityGrid({ trainer.model.logProb($0) }, range: range) }
    let density = Plot.sideBySide([Plot.heatmap(title: "data density", values: histogramGrid(points, range: range), range: range),
                                   Plot.heatmap(title: "learned density", values: learned, range: range)])
    try density.writePNG(runDir.imagePath("density.png"))
    try samplesPicture(trainer.sample(2000, rng: &rng), data: points, range: range).writePNG(runDir.imagePath("samples.png"))
}

func samplesPicture(_ samples: Tensor, data: Tensor?, range: (x: ClosedRange<Double>, y: ClosedRange<Double>)) -> RGBImage {
    func pts(_ t: Tensor) -> [(Double, Double)] {
        let s = t.scalars
        return (0..<Swift.min(t.shape[0], 2000)).map { (Double(s[2 * $0]), Double(s[2 * $0 + 1])) }
    }
    var panels: [RGBImage] = []
    if let data { panels.append(Plot.scatter(title: "data", points: pts(data), range: range)) }
    panels.append(Plot.scatter(title: "samples", points: pts(samples), range: range, color: .orange))
    return panels.count == 1 ? panels[0] : Plot.sideBySide(panels)
}

/// Opens a flow run and loads its checkpoint.
func openFlowRun(_ dir: String) throws -> (RunDirectory, FlowTrainer) {
    let run = try RunDirectory.open(dir)
    let config = try run.config()
    guard FlowTrainer.kinds.contains(config.model.kind) else {
        throw LatentError("\(dir) holds a '\(config.model.kind)' run; this command handles flows (\(FlowTrainer.kinds.joined(separator: ", "))) so far")
    }
    let trainer = try FlowTrainer(config: config)
    try trainer.restore(from: run, optimizer: false)
    return (run, trainer)
}

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a trained run: held-out NLL of a flow (nats and bits/dim); ELBO, IWAE NLL and ELBO surgery of a VAE.",
        discussion: "Image runs print the dequantization bound on -log P(x) under uniform noise, and for runs trained with variational dequantization also under the trained q(u|x), on the same model and test images.")
    @Argument(help: "Run directory.") var dir: String
    @Option(parsing: .unconditional, help: "Held-out examples (default: 10000 points or the whole test set for flows, 1000 for VAEs).") var n: Int?
    @Option(help: "VAE runs: importance samples of the IWAE bound.") var k = 100

    func run() throws {
        if let n, n <= 0 { throw LatentError("--n must be positive, got \(n)") }
        if VAEObjective.names.contains(try RunDirectory.open(dir).config().model.kind) {
            return try evaluateVAERun(dir, points: n ?? 1000, importanceSamples: k)
        }
        let (_, trainer) = try openFlowRun(dir)
        let e = trainer.evaluate(maxCount: n)
        let name = trainer.data.name
        if trainer.data.isImages {
            print(String(format: "held-out bound, uniform dequantization:     %.2f nats/image (%.4f bits/dim), %d test images of %@",
                         e.nats, e.bitsPerDim, e.count, name))
            if let v = e.variationalNats, let b = e.variationalBitsPerDim {
                print(String(format: "held-out bound, variational dequantization: %.2f nats/image (%.4f bits/dim), same model and images", v, b))
            }
        } else {
            print(String(format: "held-out NLL: %.4f nats (%.4f bits/dim), %d points of %@", e.nats, e.bitsPerDim, e.count, name))
        }
    }
}

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw samples from a trained run into a .npy file, with a PNG beside it for 2-D and image data.",
        discussion: "2-D/vector runs write float32 (N, D) points; image runs write uint8 (N, C, H, W) pixels floor(256 y).")
    @Argument(help: "Run directory.") var dir: String
    @Option(parsing: .unconditional) var n = 1000
    @Option(parsing: .unconditional) var seed: UInt64 = 0
    @Option(parsing: .unconditional, help: "Base noise scale (1 = the model; below 1 gives cleaner image samples).") var temperature: Float = 1
    @Option(help: "Output .npy path.") var out = "samples.npy"

    func run() throws {
        guard n > 0, n <= 10_000_000 else { throw LatentError("--n must be in 1...10000000, got \(n)") }
        guard temperature.isFinite, temperature > 0, temperature <= 10 else { throw LatentError("--temperature must be in (0, 10], got \(temperature)") }
        let (_, trainer) = try openFlowRun(dir)
        var rng = RandomGenerator(seed: seed, stream: 2000)
        let xs = trainer.sample(n, temperature: temperature, rng: &rng)
        let png = (out.hasSuffix(".npy") ? String(out.dropLast(4)) : out) + ".png"
        if trainer.data.isImages {
            let pixels = xs.scalars.map { UInt8(Swift.max(0, Swift.min(255, ($0 * 256).rounded(.down)))) }
            try NDArray(shape: xs.shape, values: .uint8(pixels)).writeNpy(out)
            try RGBImage.grid(xs.slice(axis: 0, 0..<Swift.min(n, 100)), scale: 2).writePNG(png)
            print("wrote \(out) (uint8 pixels) and \(png)")
        } else if trainer.model.eventShape == [2] {
            try NDArray(xs).writeNpy(out)
            let range = referencePoints(trainer.data, 20000, seed: trainer.config.seed).map(plotRange(for:)) ?? plotRange(for: xs)
            try samplesPicture(xs, data: nil, range: range).writePNG(png)
            print("wrote \(out) and \(png)")
        } else {
            try NDArray(xs).writeNpy(out)
            print("wrote \(out)")
        }
    }
}
