import ArgumentParser
import Foundation
import Latent

/// `latent study`: the metric-agreement study (Locatello et al. 2018) and `--merge` of shards.
struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Train a sweep of VAEs, score six disentanglement metrics, and report how the metrics agree.",
        discussion: """
        Models are enumerated method, hyperparameter, seed; model i trains with a seed derived from --seed
        and i (see the README). Outputs in OUT: agreement.txt (Spearman matrix in percent and variance shares),
        agreement.png, scores.csv, results.json, spread-METRIC.png, study.json, models/NNNN-.../.
        Rerunning the same command resumes: finished models are not trained again.
        Examples:
          latent study --preset small --data noisy-dsprites --out runs/study-small
          latent study --data shapes-tiny --methods beta-vae,dip-vae-1 --grid 'beta-vae:beta=1,4;dip-vae-1:lambda-od=1,10' --seeds 2 --steps 200 --out runs/s
          latent study --preset small --data noisy-dsprites --shard 0/2 --out runs/s0   (and --shard 1/2 --out runs/s1)
          latent study --merge runs/s0 runs/s1 --out runs/s
        """)

    @Option(help: "Ground-truth data set (noisy-dsprites, dsprites, color-dsprites, shapes-tiny).") var data = "noisy-dsprites"
    @Option(help: "Comma-separated methods, in the study's order.") var methods = StudyMethod.all.map(\.name).joined(separator: ",")
    @Option(help: "Hyperparameter values, e.g. 'beta-vae:beta=1,2,4;dip-vae-1:lambda-od=1,2' (default: the published grids).") var grid: String?
    @Option(help: "Seeds per (method, hyperparameter) (default: the preset's).") var seeds: Int?
    @Option(help: "Training steps per model (default: the preset's).") var steps: Int?
    @Option(help: "small (a small-scale run, under 30 minutes on 2 cores) or full (published settings).") var preset = "small"
    @Option(help: "Models trained at once; OpenBLAS threads per model = max(1, cores / jobs).") var jobs = 1
    @Option(help: "Run share I of N (0-based; models dealt round-robin in the study's order).") var shard: String?
    @Option(help: "The study seed.") var seed: UInt64 = 0
    @Option(name: .customLong("max-models"), help: "Train at most this many models now, then write the partial tables.") var maxModels: Int?
    @Option(parsing: .upToNextOption, help: "Study directories (shards) to combine into --out.") var merge: [String] = []
    @Option(help: "Output directory.") var out: String

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        if let seeds, seeds < 1 { throw ValidationError("--seeds must be at least 1") }
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1") }
        if let maxModels, maxModels < 0 { throw ValidationError("--max-models must not be negative") }
    }

    func run() throws {
        let clock = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        let t0 = clock()
        let results: StudyResults
        if !merge.isEmpty {
            results = try Study.merge(merge, out: out)
        } else {
            let base = try StudyPreset.named(preset)
            let methodList = methods.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let plan = try Study.plan(data: data, methods: methodList, grid: grid, preset: base.overriding(steps: steps, seeds: seeds), seed: seed)
            let shardSpec = try shard.map(StudyShard.init(parsing:)) ?? .whole
            let command = (["latent"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
            results = try Study.run(plan: plan, out: out, options: .init(jobs: jobs, shard: shardSpec, maxModels: maxModels, command: command))
        }
        print(results.agreementText)
        print(String(format: "wrote %@: %@ (%.1f s)", out, StudyResults.outputFiles.joined(separator: ", "), clock() - t0))
    }
}
