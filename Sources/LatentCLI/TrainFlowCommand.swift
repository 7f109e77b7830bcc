// `latent train flow`: options to a flow run config; training, resume and pictures are the library's (FlowTrainer through RunDriver).
import ArgumentParser
import Foundation
import Latent

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
            let command = (["latent"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
            config = try FlowTrainer.makeConfig(model: model, data: dataName, steps: steps, batchSize: batchSize, lr: lr ?? 1e-3,
                                                seed: seed ?? 0, layers: layers, hidden: hidden,
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
