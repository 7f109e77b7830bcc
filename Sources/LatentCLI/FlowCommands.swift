import ArgumentParser
import Foundation
import Latent

// `latent train flow`, and the flow side of `latent eval DIR` / `latent sample DIR`.
// Training, resume, pictures and evaluation live in the library (FlowTrainer
// through RunDriver); this file parses options and prints.

/// Training of every model family; each family adds its subcommand here.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Train a model into a run directory.", subcommands: [TrainFlow.self, TrainVAE.self, TrainGAN.self])
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
    @Option(name: .customLong("log-every"), parsing: .unconditional, help: "Steps between rows of log.csv.") var logEvery = FlowTrainer.defaultLogEvery
    @Option(help: "Run directory.") var out: String
    @Flag(help: "Replace an existing run directory.") var overwrite = false
    @Flag(help: "Continue the run in --out from its last checkpoint up to --steps.") var resume = false

    func run() throws {
        let config: RunConfig
        var loaded: FlowData? = nil
        if resume {
            guard !overwrite else { throw LatentError("--resume and --overwrite contradict each other") }
            let stored = try RunDirectory.open(out).config()
            guard FlowTrainer.kinds.contains(stored.model.kind) else {
                throw LatentError("\(out) holds a '\(stored.model.kind)' run, not a flow")
            }
            // Options given on the command line must agree with the run's config; only --steps may change.
            let arch = stored.model.architecture
            let fixed: [(String, String?, String?)] = [
                ("--model", model, stored.model.kind), ("--data", data, stored.data.name),
                ("--batch-size", batchSize.map(String.init), stored.hyperparameters["batchSize"]?.int.map(String.init)),
                ("--lr", lr.map { String($0) }, stored.hyperparameters["lr"]?.double.map { String($0) }),
                ("--seed", seed.map(String.init), String(stored.seed)),
                ("--layers", layers.map(String.init), arch["layers"]?.int.map(String.init)),
                ("--hidden", hidden.map(String.init), arch["hidden"]?.int.map(String.init)),
                ("--dequantization", dequantization, stored.data.preprocessing["dequantization"]?.string ?? "uniform"),
            ]
            for (name, given, value) in fixed where given != nil && given != value {
                throw LatentError("\(name) \(given!) differs from the run in \(out) (\(value ?? "unset")); a resumed run keeps its config")
            }
            var c = stored
            if let steps { c.hyperparameters["steps"] = .number(Double(steps)) }
            config = c
        } else {
            let dataName = data ?? "two-moons"
            let flowData = try FlowData.load(dataName)
            loaded = flowData
            let kind = model ?? (flowData.isImages ? "periodic" : "realnvp")
            let image = kind == "periodic"
            let command = (["latent"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
            config = try FlowTrainer.makeConfig(model: kind, data: dataName, steps: steps ?? (image ? 1500 : 2000),
                                                batchSize: batchSize ?? (image ? 64 : 512), lr: lr ?? 1e-3, seed: seed ?? 0,
                                                layers: layers ?? (image ? 4 : 8), hidden: hidden ?? (image ? 32 : 64),
                                                dequantization: dequantization ?? "uniform", command: command, dataSet: flowData)
        }
        let total = config.hyperparameters["steps"]?.int ?? 2000
        guard logEvery > 0 else { throw LatentError("--log-every must be positive, got \(logEvery)") }
        let trainer = try FlowTrainer(config: config, data: loaded)
        trainer.logEvery = logEvery
        let interruption = Interruption()
        defer { interruption.uninstall() }
        let runDir: RunDirectory
        do {
            if resume { print("resuming \(out) up to step \(total)") }
            runDir = try RunDriver.train(trainer, config: config, directory: out,
                                         options: .init(resume: resume, overwrite: overwrite, checkpointEvery: checkpointEvery,
                                                        interruption: interruption))
        } catch let stop as Interruption.Stopped {
            print("\(stop); checkpoint saved in \(out). Continue with: latent train flow --out \(out) --resume --steps \(total)")
            throw ExitCode(stop.exitCode)
        }
        let pictures = trainer.data.isImages ? "images/samples.png, images/data.png, images/loss.png" : "images/density.png, images/samples.png, images/loss.png"
        print("wrote \(runDir.path): config.json, checkpoint.safetensors, log.csv, \(pictures)")
    }
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
