import ArgumentParser
import Foundation
import Latent

// `latent train flow`, and the flow side of `latent eval DIR` / `latent sample DIR`.
// Data: the 2-D toy sets through `flowData` (two-moons for now; the data layer
// replaces it when it lands on main).

/// Training of every model family; each family adds its subcommand here.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Train a model into a run directory.", subcommands: [TrainFlow.self, TrainVAE.self])
}

let flowKinds = ["realnvp", "maf", "iaf", "periodic"]

/// Two moons as in shared/DATA.md: make_moons with noise 0.1, then 2p + (-1, -0.2).
func flowData(_ name: String, _ n: Int, rng: inout RandomGenerator) throws -> Tensor {
    guard name == "two-moons" else {
        throw ValidationError("data '\(name)' is not available to flows yet (supported: two-moons)")
    }
    let s = rng.uniform([n]).scalars.map { Double($0) * Double.pi }
    let upper = rng.uniform([n]).scalars
    let noise = rng.normal([n, 2]).scalars
    var v = [Float](repeating: 0, count: 2 * n)
    for i in 0..<n {
        let (px, py) = upper[i] < 0.5 ? (cos(s[i]), sin(s[i])) : (1 - cos(s[i]), 0.5 - sin(s[i]))
        v[2 * i] = Float(2 * (px + 0.1 * Double(noise[2 * i])) - 1)
        v[2 * i + 1] = Float(2 * (py + 0.1 * Double(noise[2 * i + 1])) - 0.2)
    }
    return Tensor(shape: [n, 2], scalars: v)
}

/// The model a run's config describes, freshly initialised from its seed.
func makeFlowModel(_ config: RunConfig) throws -> FlowModel {
    let arch = config.model.architecture
    let layers = Int(arch["layers"]?.double ?? 8), hidden = Int(arch["hidden"]?.double ?? 64)
    let dims = Int(arch["dimensions"]?.double ?? 2)
    var rng = RandomGenerator(seed: config.seed)
    let flow: any Flow
    switch config.model.kind {
    case "realnvp":
        flow = realNVP(dimensions: dims, layers: layers, hidden: [hidden, hidden], rng: &rng)
    case "maf":
        flow = FlowSequence((0..<layers).map { i in
            MaskedAutoregressiveFlow(features: dims, hidden: [hidden, hidden], order: i % 2 == 0 ? .natural : .reversed, rng: &rng)
        })
    case "iaf":
        flow = FlowSequence((0..<layers).map { i in
            InverseAutoregressiveFlow(features: dims, hidden: [hidden, hidden], order: i % 2 == 0 ? .natural : .reversed, rng: &rng)
        })
    default:
        throw ValidationError("model '\(config.model.kind)' needs image data, which flows cannot load yet (2-D models: realnvp, maf, iaf)")
    }
    return FlowModel(flow: flow, eventShape: [dims])
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

let plotRange: (x: ClosedRange<Double>, y: ClosedRange<Double>) = (-3.5...3.5, -2.5...3)

struct TrainFlow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "flow", abstract: "Train a normalizing flow by maximum likelihood.")

    @Option(help: "realnvp, maf, iaf or periodic") var model = "realnvp"
    @Option(help: "Data set name (two-moons).") var data = "two-moons"
    @Option var steps = 2000
    @Option(name: .customLong("batch-size")) var batchSize = 512
    @Option var lr = 1e-3
    @Option var seed: UInt64 = 0
    @Option(help: "Flow layers (couplings or autoregressive blocks).") var layers = 8
    @Option(help: "Hidden units per layer of each network.") var hidden = 64
    @Option(help: "Run directory.") var out: String
    @Flag(help: "Reuse an existing run directory.") var overwrite = false

    func validate() throws {
        guard flowKinds.contains(model) else { throw ValidationError("--model must be one of \(flowKinds.joined(separator: ", "))") }
        guard steps > 0, batchSize > 0, lr > 0 else { throw ValidationError("--steps, --batch-size and --lr must be positive") }
    }

    func run() throws {
        let config = RunConfig(command: (["latent"] + CommandLine.arguments.dropFirst()).joined(separator: " "),
                               model: .init(kind: model, architecture: ["layers": .number(Double(layers)), "hidden": .number(Double(hidden)), "dimensions": .number(2)]),
                               hyperparameters: ["lr": .number(lr), "batchSize": .number(Double(batchSize)), "steps": .number(Double(steps))],
                               data: .init(name: data, preprocessing: ["scaling": .string("none")]), seed: seed)
        let flowModel = try makeFlowModel(config)
        var dataRng = RandomGenerator(seed: seed, stream: 1)
        _ = try flowData(data, 1, rng: &dataRng)   // fail on unknown data before creating the directory
        let runDir = try RunDirectory.create(out, config: config, overwrite: overwrite)
        let opt = Adam(flowModel.parameters, learningRate: Float(lr))
        let log = try CSVLog(path: runDir.logPath, columns: ["step", "loss", "steps_per_sec"])
        let bar = ProgressBar(label: "train \(model)", total: steps)
        for step in 1...steps {
            let loss = flowModel.negativeLogLikelihood(try flowData(data, batchSize, rng: &dataRng))
            let value = Double(loss.scalar)
            guard value.isFinite else {
                try runDir.writeState(RunState(finished: false, step: step, failure: "loss became \(value) at step \(step)"))
                throw ValidationError("training diverged at step \(step) (loss \(value)); try a smaller --lr")
            }
            backward(loss, to: flowModel.parameters)
            opt.step()
            bar.update(step, metrics: [("loss", value)])
            if step % 50 == 0 || step == steps { try log.append([Double(step), value, bar.rate]) }
        }
        bar.finish()
        try runDir.saveCheckpoint(parameters: flowModel.namedParameters, optimizer: opt, rng: dataRng, step: steps)
        try writeFlowPictures(flowModel, data: data, runDir: runDir, seed: seed)
        try runDir.writeState(RunState(finished: true, step: steps))
        print("wrote \(runDir.path): config.json, checkpoint.safetensors, log.csv, images/density.png, images/samples.png")
    }
}

func writeFlowPictures(_ model: FlowModel, data: String, runDir: RunDirectory, seed: UInt64) throws {
    try FileManager.default.createDirectory(atPath: runDir.imagesPath, withIntermediateDirectories: true)
    var rng = RandomGenerator(seed: seed, stream: 7)
    let points = try flowData(data, 20000, rng: &rng)
    let learned = withoutGradients { densityGrid({ model.logProb($0) }, range: plotRange) }
    let density = Plot.sideBySide([Plot.heatmap(title: "data density", values: histogramGrid(points, range: plotRange), range: plotRange),
                                   Plot.heatmap(title: "learned density", values: learned, range: plotRange)])
    try density.writePNG(runDir.imagePath("density.png"))
    let samples = withoutGradients { model.sample(2000, rng: &rng) }
    try samplesPicture(samples, data: points).writePNG(runDir.imagePath("samples.png"))
}

func samplesPicture(_ samples: Tensor, data: Tensor?) -> RGBImage {
    func pts(_ t: Tensor) -> [(Double, Double)] {
        let s = t.scalars
        return (0..<Swift.min(t.shape[0], 2000)).map { (Double(s[2 * $0]), Double(s[2 * $0 + 1])) }
    }
    var panels: [RGBImage] = []
    if let data { panels.append(Plot.scatter(title: "data", points: pts(data), range: plotRange)) }
    panels.append(Plot.scatter(title: "samples", points: pts(samples), range: plotRange, color: .orange))
    return panels.count == 1 ? panels[0] : Plot.sideBySide(panels)
}

/// Opens a flow run and loads its checkpoint.
func openFlowRun(_ dir: String) throws -> (RunDirectory, RunConfig, FlowModel) {
    let run = try RunDirectory.open(dir)
    let config = try run.config()
    guard flowKinds.contains(config.model.kind) else {
        throw ValidationError("\(dir) holds a '\(config.model.kind)' run; this command handles flows (\(flowKinds.joined(separator: ", "))) so far")
    }
    let model = try makeFlowModel(config)
    try run.loadCheckpoint(into: model.namedParameters)
    return (run, config, model)
}

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Evaluate a trained run: held-out NLL of a flow (nats and bits/dim); ELBO, IWAE NLL and ELBO surgery of a VAE.")
    @Argument(help: "Run directory.") var dir: String
    @Option(help: "Held-out points (default 10000 for flows, 1000 for VAEs).") var n: Int?
    @Option(help: "VAE runs: importance samples of the IWAE bound.") var k = 100

    func run() throws {
        if VAEObjective.names.contains(try RunDirectory.open(dir).config().model.kind) {
            return try evaluateVAERun(dir, points: n ?? 1000, importanceSamples: k)
        }
        let n = self.n ?? 10000
        let (_, config, model) = try openFlowRun(dir)
        // A stream no training batch used: held-out data.
        var rng = RandomGenerator(seed: config.seed, stream: 1000)
        let x = try flowData(config.data.name, n, rng: &rng)
        let nll = withoutGradients { Double(model.negativeLogLikelihood(x).scalar) }
        let bpd = nll / (Double(model.dimensions) * Foundation.log(2.0))
        print(String(format: "held-out NLL: %.4f nats (%.4f bits/dim), %d points of %@", nll, bpd, n, config.data.name))
    }
}

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Draw samples from a trained run into a .npy file (and a PNG for 2-D data).")
    @Argument(help: "Run directory.") var dir: String
    @Option var n = 1000
    @Option var seed: UInt64 = 0
    @Option(help: "Output .npy path.") var out = "samples.npy"

    func run() throws {
        let (_, _, model) = try openFlowRun(dir)
        var rng = RandomGenerator(seed: seed, stream: 2000)
        let xs = withoutGradients { model.sample(n, rng: &rng) }
        try NDArray(xs).writeNpy(out)
        var wrote = out
        if model.eventShape == [2] {
            let png = (out.hasSuffix(".npy") ? String(out.dropLast(4)) : out) + ".png"
            try samplesPicture(xs, data: nil).writePNG(png)
            wrote += " and " + png
        }
        print("wrote \(wrote)")
    }
}
