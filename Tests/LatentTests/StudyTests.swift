import Foundation
import Testing
@testable import Latent

// The metric-agreement study: statistics against hand-computed values, the plan's rules, and a
// tiny study (shapes-tiny, MLP, 8 models of 30 steps, small metric samples) end to end,
// interrupted and resumed, sharded and merged, and with two jobs.

@Suite struct StudyStatisticsTests {
    /// No ties: rho = 1 - 6 sum d^2 / (n (n^2 - 1)) = 1 - 6 * 2 / 60 = 0.8.
    @Test func spearmanWithoutTies() {
        #expect(Swift.abs(StudyAnalysis.spearman([1, 2, 3, 4], [10, 20, 40, 30]) - 0.8) < 1e-12)
        #expect(Swift.abs(StudyAnalysis.spearman([1, 2, 3, 4, 5], [9, 7, 5, 3, 1]) + 1) < 1e-12)
    }

    /// Ties take average ranks: y = [1, 1, 2, 3] has ranks [1.5, 1.5, 3, 4]; by hand
    /// sxy = 4.5, sxx = 5, syy = 4.5, so rho = 4.5 / sqrt(22.5) = sqrt(0.9).
    @Test func spearmanWithTies() {
        #expect(StudyAnalysis.ranks([1, 1, 2, 3]) == [1.5, 1.5, 3, 4])
        #expect(StudyAnalysis.ranks([3, 1, 3, 3]) == [3, 1, 3, 3])
        #expect(Swift.abs(StudyAnalysis.spearman([1, 2, 3, 4], [1, 1, 2, 3]) - 0.9.squareRoot()) < 1e-12)
        #expect(StudyAnalysis.spearman([1, 2, 3], [5, 5, 5]).isNaN)
        #expect(StudyAnalysis.spearman([1], [2]).isNaN)
        let m = StudyAnalysis.spearmanMatrix([[1, 2, 3, 4], [10, 20, 40, 30], [4, 3, 2, 1]])
        #expect(m[0][0] == 1 && Swift.abs(m[0][2] + 1) < 1e-12 && Swift.abs(m[1][0] - 0.8) < 1e-12 && m[1][0] == m[0][1])
    }

    /// Cells A1 = {1, 3}, A2 = {5, 7}, B1 = {10, 12}: grand mean 19/3, method means 4 and 11,
    /// cell means 2, 6, 11. By hand SS_method = 4 (4 - 19/3)^2 + 2 (11 - 19/3)^2 = 196/3,
    /// SS_hyper = 2 * 4 + 2 * 4 = 16, SS_seed = 6 * 1 = 6, total 262/3; shares 196/262, 48/262, 18/262.
    @Test func nestedVarianceShares() {
        let s = StudyAnalysis.varianceShares(values: [1, 3, 5, 7, 10, 12], methods: ["A", "A", "A", "A", "B", "B"],
                                             cells: ["A1", "A1", "A2", "A2", "B1", "B1"])
        #expect(Swift.abs(s.method - 196.0 / 262) < 1e-12)
        #expect(Swift.abs(s.hyperparameter - 48.0 / 262) < 1e-12)
        #expect(Swift.abs(s.seed - 18.0 / 262) < 1e-12)
        #expect(Swift.abs(s.total - 262.0 / 3) < 1e-9)
        // One seed per cell: nothing is left for seeds; constant scores: undefined.
        let one = StudyAnalysis.varianceShares(values: [1, 2, 4], methods: ["A", "A", "B"], cells: ["A1", "A2", "B1"])
        #expect(one.seed == 0 && Swift.abs(one.method + one.hyperparameter - 1) < 1e-12)
        #expect(StudyAnalysis.varianceShares(values: [2, 2], methods: ["A", "B"], cells: ["A1", "B1"]).method.isNaN)
    }

    /// numpy.percentile([1, 2, 3, 4], [25, 50, 75]) = 1.75, 2.5, 3.25.
    @Test func boxStatistics() throws {
        let b = try #require(StudyAnalysis.boxStatistics([4, 1, 3, 2]))
        #expect(b.q1 == 1.75 && b.median == 2.5 && b.q3 == 3.25 && b.lowerWhisker == 1 && b.upperWhisker == 4 && b.outliers.isEmpty)
        let o = try #require(StudyAnalysis.boxStatistics([1, 2, 3, 4, 100]))
        #expect(o.outliers == [100] && o.upperWhisker == 4)
    }
}

@Suite struct StudyPlanTests {
    @Test func gridSyntax() throws {
        let g = try StudyGrid.parse("beta-vae:beta=1,2,4;dip-vae-1:lambda-od=1,2", methods: ["beta-vae", "dip-vae-1", "factor-vae"])
        #expect(g.entries.map(\.method) == ["beta-vae", "dip-vae-1", "factor-vae"])
        #expect(g.entries.map(\.values) == [[1, 2, 4], [1, 2], [10, 20, 30, 40, 50, 100]])
        #expect(g.description == "beta-vae:beta=1,2,4;dip-vae-1:lambda-od=1,2;factor-vae:gamma=10,20,30,40,50,100")
        let published = try StudyGrid.published(methods: StudyMethod.all.map(\.name))
        #expect(published.entries.map(\.values.count) == [6, 6, 6, 6, 6, 6])
        #expect(try StudyGrid.parse(nil, methods: ["annealed-vae"], defaultSubset: [0, 2, 5]).entries[0].values == [5, 25, 100])
        for bad in ["beta-vae:gamma=1", "beta-vae=1,2", "beta-vae:beta=1,x", "beta-vae:beta=1,1", "nope:beta=1",
                    "factor-vae:gamma=10", "beta-vae:beta=1;beta-vae:beta=2", "beta-vae:beta=-1", "beta-vae:beta="] {
            #expect(throws: LatentError.self, "\(bad)") { try StudyGrid.parse(bad, methods: ["beta-vae", "dip-vae-1"]) }
        }
        #expect(throws: LatentError.self) { try StudyGrid.parse(nil, methods: ["beta-vae", "beta-vae"]) }
        #expect(throws: LatentError.self) { try StudyGrid.parse(nil, methods: ["vae"]) }
    }

    /// The order is method, hyperparameter, seed; seeds are SplitMix64 of the index (the first
    /// SplitMix64 output for seed 0 is 0xE220A8397B1DCDAF, whose top half is 3793791033).
    @Test func modelOrderSeedsAndShards() throws {
        #expect(StudyPlan.modelSeed(studySeed: 0, index: 0) == 3_793_791_033)
        #expect(StudyPlan.modelSeed(studySeed: 0, index: 1) == 1_853_398_634)
        #expect(StudyPlan.modelSeed(studySeed: 7, index: 35) == 2_606_060_734)
        let plan = try Study.plan(data: "shapes-tiny", methods: ["dip-vae-2", "beta-vae"], grid: "beta-vae:beta=1,4;dip-vae-2:lambda-od=5",
                                  preset: StudyPreset.small.overriding(steps: 10, seeds: 2), seed: 0)
        let models = plan.models
        #expect(models.map(\.directoryName) == ["0000-dip-vae-2-lambda-od5-seed0", "0001-dip-vae-2-lambda-od5-seed1",
                                                "0002-beta-vae-beta1-seed0", "0003-beta-vae-beta1-seed1",
                                                "0004-beta-vae-beta4-seed0", "0005-beta-vae-beta4-seed1"])
        #expect(Set(models.map(\.seed)).count == 6)
        #expect(plan.preset.name == "small+overrides" && plan.preset.steps == 10)
        let s = try StudyShard(parsing: "1/2")
        #expect(models.filter(s.contains).map(\.index) == [1, 3, 5])
        for bad in ["2/2", "-1/2", "1", "a/b", "0/0", "1/2/3"] {
            #expect(throws: LatentError.self, "\(bad)") { try StudyShard(parsing: bad) }
        }
        #expect(throws: LatentError.self) { try Study.plan(data: "8gaussians", preset: .small) }
    }
}

@Suite(.serialized) struct StudyEndToEndTests {
    /// 8 models on shapes-tiny (MLP 64-32, 30 steps); metric samples of 200 / 100 points and
    /// 20 / 10 votes of batch 8, so the whole suite takes seconds in release.
    static func tinyPlan() throws -> StudyPlan {
        var p = StudyPreset.small.overriding(steps: 30, seeds: 2)
        p.mlpHidden = [64, 32]
        p.discriminatorHidden = [16]
        p.checkpointEvery = 5
        p.metricTrainPoints = 200
        p.metricTestPoints = 100
        p.scoreBatch = 8
        p.scoreTrainVotes = 20
        p.scoreEvalVotes = 10
        p.factorVarianceSamples = 100
        return try Study.plan(data: "shapes-tiny", methods: ["beta-vae", "factor-vae"], grid: "beta-vae:beta=1,4;factor-vae:gamma=10,40",
                              preset: p, seed: 3)
    }

    static func scratch(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "latent-study-tests-\(getpid())/" + name
        try? FileManager.default.removeItem(atPath: dir)
        return dir
    }

    /// One OpenBLAS thread per model everywhere: OpenBLAS may round differently with another
    /// thread count, and the comparisons below are bitwise.
    static func options(jobs: Int = 1, shard: StudyShard = .whole, maxModels: Int? = nil) -> Study.Options {
        Study.Options(jobs: jobs, threadsPerModel: 1, shard: shard, maxModels: maxModels, log: { _ in })
    }

    static func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test func tinyStudyResumeShardsAndJobsGiveTheSameTable() throws {
        let plan = try Self.tinyPlan()
        #expect(plan.models.count == 8)

        // Uninterrupted, one process.
        let a = Self.scratch("whole")
        let whole = try Study.run(plan: plan, out: a, options: Self.options())
        #expect(whole.isComplete && whole.rows.count == 8)
        for f in StudyResults.outputFiles + ["study.json"] {
            #expect(FileManager.default.fileExists(atPath: a + "/" + f), "\(f) missing")
        }
        let csv = try Self.text(a + "/scores.csv"), table = try Self.text(a + "/agreement.txt")
        #expect(csv.split(separator: "\n").count == 9)
        #expect(table.contains("Spearman rank correlation") && table.contains("SMALL-SCALE RUN"))
        #expect(try Study.readFile(a).plan == plan)

        // Interrupted: 3 models, then model 3 killed after 10 of 30 steps (checkpoint at 10,
        // no finished state), then the same command again.
        let b = Self.scratch("resumed")
        let partial = try Study.run(plan: plan, out: b, options: Self.options(maxModels: 3))
        #expect(partial.rows.count == 3 && partial.missing == [3, 4, 5, 6, 7])
        #expect(try Self.text(b + "/agreement.txt").contains("PARTIAL"))
        let m3 = plan.models[3], dir3 = Study.modelDirectory(b, m3)
        let data = try VAEData(name: plan.data, batchSize: plan.preset.batchSize, seed: m3.seed)
        let planned = try Study.modelConfig(plan: plan, model: m3, data: data)
        var short = planned
        short.hyperparameters["steps"] = .number(10)
        try VAERun.train(config: short, data: data, directory: dir3, showProgress: false)
        try AtomicFile.write(planned.jsonData(), to: RunDirectory(path: dir3).configPath)
        try FileManager.default.removeItem(atPath: RunDirectory(path: dir3).statePath)
        let timing0 = try Self.text(Study.modelDirectory(b, plan.models[0]) + "/timing.json")
        let resumed = try Study.run(plan: plan, out: b, options: Self.options())
        #expect(resumed.isComplete)
        #expect(try Self.text(b + "/scores.csv") == csv)
        #expect(try Self.text(b + "/agreement.txt") == table)
        #expect(try Self.text(Study.modelDirectory(b, plan.models[0]) + "/timing.json") == timing0, "a finished model was trained again")
        let log = try CSVLog.read(RunDirectory(path: dir3).logPath)
        #expect(log.rows.map { Int($0[0]) } == [10, 20, 30], "resumed log should continue from step 10 without repeats")

        // Two shards and a merge.
        let s0 = Self.scratch("shard0"), s1 = Self.scratch("shard1"), merged = Self.scratch("merged")
        let r0 = try Study.run(plan: plan, out: s0, options: Self.options(shard: StudyShard(index: 0, count: 2)))
        try Study.run(plan: plan, out: s1, options: Self.options(shard: StudyShard(index: 1, count: 2)))
        #expect(r0.rows.map(\.model.index) == [0, 2, 4, 6])
        let m = try Study.merge([s0, s1], out: merged)
        #expect(m.isComplete)
        #expect(try Self.text(merged + "/scores.csv") == csv)
        #expect(try Self.text(merged + "/agreement.txt") == table)

        // Two jobs at once (one OpenBLAS thread each, as in the single-job runs above).
        let j = Self.scratch("jobs2")
        try Study.run(plan: plan, out: j, options: Self.options(jobs: 2))
        #expect(try Self.text(j + "/scores.csv") == csv)

        // A directory holding another study is refused.
        var other = plan
        other.studySeed = 4
        #expect(throws: LatentError.self) { try Study.run(plan: other, out: a, options: Self.options()) }
        try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "latent-study-tests-\(getpid())")
    }
}
