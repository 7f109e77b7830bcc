import ArgumentParser
import Foundation
import Latent
import LatentMPI

/// `latent study`: the metric-agreement study (Locatello et al. 2018) and `--merge` of shards.
struct StudyCommand: ParsableCommand, UsesMPIRanks {
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
          mpirun -np 4 latent study --preset small --data noisy-dsprites --out runs/s   (rank R trains share R/4; rank 0 writes the tables)
        """)

    @Option(help: "Ground-truth data set (noisy-dsprites, dsprites, color-dsprites, shapes-tiny).") var data = "noisy-dsprites"
    @Option(help: "Comma-separated methods, in the study's order.") var methods = StudyMethod.all.map(\.name).joined(separator: ",")
    @Option(help: "Hyperparameter values, e.g. 'beta-vae:beta=1,2,4;dip-vae-1:lambda-od=1,2' (default: the published grids).") var grid: String?
    @Option(help: "Seeds per (method, hyperparameter) (default: the preset's).") var seeds: Int?
    @Option(help: "Training steps per model (default: the preset's).") var steps: Int?
    @Option(help: "small (a small-scale run, under 30 minutes on 2 cores) or full (published settings).") var preset = "small"
    @Option(help: "Models trained at once; OpenBLAS threads per model = max(1, cores / jobs).") var jobs = 1
    @Option(name: .customLong("threads-per-model"), help: "Threads per model, for OpenBLAS and Latent's own kernels (default max(1, cores / jobs)); fix it for bitwise-equal tables across --jobs.") var threadsPerModel: Int?
    @Option(help: "Run share I of N (0-based; models dealt round-robin in the study's order).") var shard: String?
    @Option(help: "The study seed.") var seed: UInt64 = 0
    @Option(name: .customLong("max-models"), help: "Train at most this many models now, then write the partial tables.") var maxModels: Int?
    @Option(parsing: .upToNextOption, help: "Study directories (shards) to combine into --out.") var merge: [String] = []
    @Option(help: "Output directory.") var out: String

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        if let threadsPerModel, threadsPerModel < 1 { throw ValidationError("--threads-per-model must be at least 1") }
        if let seeds, seeds < 1 { throw ValidationError("--seeds must be at least 1") }
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1") }
        if let maxModels, maxModels < 0 { throw ValidationError("--max-models must not be negative") }
    }

    func run() throws {
        let clock = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        let t0 = clock()
        let results: StudyResults
        let world = try MPIWorld.shared()
        if world.size > 1 {
            guard merge.isEmpty, shard == nil else { throw ValidationError("under mpirun the ranks are the shards: drop --shard and --merge") }
            guard let mine = try runMPIShare(world) else { return }
            results = mine
        } else if !merge.isEmpty {
            results = try Study.merge(merge, out: out)
        } else {
            let base = try StudyPreset.named(preset)
            let methodList = methods.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let plan = try Study.plan(data: data, methods: methodList, grid: grid, preset: base.overriding(steps: steps, seeds: seeds), seed: seed)
            let shardSpec = try shard.map(StudyShard.init(parsing:)) ?? .whole
            let command = (["latent"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
            results = try Study.run(plan: plan, out: out, options: .init(jobs: jobs, threadsPerModel: threadsPerModel, shard: shardSpec, maxModels: maxModels, command: command))
        }
        print(results.agreementText)
        print(String(format: "wrote %@: %@ (%.1f s)", out, StudyResults.outputFiles.joined(separator: ", "), clock() - t0))
    }

    /// Under `mpirun -np N`: rank R trains share R/N into OUT (the models are disjoint, so the
    /// ranks may share a file system or not), then rank 0 gathers every rank's score rows and
    /// writes the tables from them alone (``StudyResults`` is a pure function of plan and rows),
    /// as `--merge` does for shards. Returns the results on rank 0, nil elsewhere.
    func runMPIShare(_ world: MPIWorld) throws -> StudyResults? {
        let base = try StudyPreset.named(preset)
        let methodList = methods.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let plan = try Study.plan(data: data, methods: methodList, grid: grid, preset: base.overriding(steps: steps, seeds: seeds), seed: seed)
        let share = StudyShard(index: world.rank, count: world.size)
        let command = (["latent"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        var options = Study.Options(jobs: jobs, shard: share, maxModels: maxModels, command: command)
        let log = options.log, prefix = "[rank \(world.rank)/\(world.size)] "
        options.log = { log(prefix + $0) }
        let local = try Study.run(plan: plan, out: out, options: options)
        let rows = local.rows.filter { share.contains($0.model) }
        // Scores may be NaN (a metric undefined for a model): JSON strings for non-finite values.
        let encoder = JSONEncoder(), decoder = JSONDecoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let gathered = try world.gather(Array(encoder.encode(rows))) else { return nil }
        var all: [StudyRow] = []
        for (rank, bytes) in gathered.enumerated() {
            do { all += try decoder.decode([StudyRow].self, from: Data(bytes)) } catch {
                throw LatentError("study: the score rows from rank \(rank) do not decode: \(error)")
            }
        }
        // After the gather every rank has finished writing, so these tables are the last ones.
        let results = try StudyResults(plan: plan, rows: all)
        try results.write(to: out)
        return results
    }
}
