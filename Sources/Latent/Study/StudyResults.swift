import Foundation

/// The six metrics the study compares, in table order.
public enum StudyMetrics: Sendable {
    /// Keys in scores.json / scores.csv: BetaVAE and FactorVAE scores are evaluation accuracies.
    public static let keys = ["beta_vae", "factor_vae", "mig", "dci_disentanglement", "modularity", "sap"]
    /// Names on the table and plot axes.
    public static let titles = ["BetaVAE", "FactorVAE", "MIG", "DCI", "Modularity", "SAP"]
}

/// One model's outcome: its place in the study and its scores (or why it has none).
public struct StudyRow: Codable, Equatable, Sendable {
    /// The model of the plan this row belongs to.
    public var model: StudyModel
    /// The six ``StudyMetrics/keys`` plus the metrics' by-products (train accuracies, DCI
    /// completeness and informativeness, explicitness, FactorVAE active dimensions).
    public var scores: [String: Double]
    /// Set when training diverged or the metrics could not be computed; such a model is listed
    /// but left out of the statistics.
    public var failure: String?

    /// A row for `model` with its scores, or with the reason it has none.
    public init(model: StudyModel, scores: [String: Double], failure: String? = nil) {
        self.model = model
        self.scores = scores
        self.failure = failure
    }

    /// The six metrics in table order (NaN where missing).
    public var metricValues: [Double] { StudyMetrics.keys.map { scores[$0] ?? .nan } }

    /// Usable for the statistics: no failure and all six metrics finite.
    public var isComplete: Bool { failure == nil && metricValues.allSatisfy(\.isFinite) }

    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }
}

/// Everything the study reports, computed from the plan and the per-model rows alone: a pure
/// function, so one process, the merge of shards, or rank 0 after an MPI gather all produce the
/// same table from the same rows.
///
/// ```swift
/// let results = try StudyResults(plan: plan, rows: rows)
/// print(results.agreementText)
/// try results.write(to: "runs/study")
/// ```
public struct StudyResults: Sendable {
    /// The plan the rows belong to.
    public let plan: StudyPlan
    /// One row per model present, sorted by index.
    public let rows: [StudyRow]
    /// Indices of the plan's models with no row (not trained yet, or in another shard).
    public let missing: [Int]
    /// Rows that enter the statistics (``StudyRow/isComplete``).
    public let used: [StudyRow]
    /// Spearman rank correlations between the six metrics over ``used`` (fractions, NaN for a
    /// constant metric or fewer than 2 models).
    public let spearman: [[Double]]
    /// Per metric, the shares of variance by method, hyperparameter within method and seed.
    public let shares: [StudyAnalysis.VarianceShares]

    /// Builds the results; rows may come in any order but must belong to the plan, and a model
    /// given twice must have the same row both times.
    public init(plan: StudyPlan, rows input: [StudyRow]) throws {
        let models = plan.models
        var byIndex: [Int: StudyRow] = [:]
        for r in input {
            guard r.model.index >= 0, r.model.index < models.count, models[r.model.index] == r.model else {
                throw LatentError("study results: row for model \(r.model.directoryName) is not part of this study's plan")
            }
            if let old = byIndex[r.model.index], old != r { throw LatentError("study results: two different rows for model \(r.model.directoryName)") }
            byIndex[r.model.index] = r
        }
        self.plan = plan
        let sorted = byIndex.keys.sorted().map { byIndex[$0]! }
        let complete = sorted.filter(\.isComplete)
        rows = sorted
        missing = models.indices.filter { byIndex[$0] == nil }
        used = complete
        let columns = StudyMetrics.keys.indices.map { m in complete.map { $0.metricValues[m] } }
        spearman = StudyAnalysis.spearmanMatrix(columns)
        let methods = complete.map(\.model.method), cells = complete.map { "\($0.model.method)|\($0.model.value)" }
        shares = columns.map { StudyAnalysis.varianceShares(values: $0, methods: methods, cells: cells) }
    }

    /// Whether every model of the plan has a row.
    public var isComplete: Bool { missing.isEmpty }

    /// One line saying what kind of run this is.
    public var headline: String {
        let p = plan.preset
        let shape = plan.imageShape.map(String.init).joined(separator: "x")
        return "\(p.label) - preset \(p.name): \(p.steps) steps, batch \(p.batchSize), lr \(p.learningRate), images \(shape); "
            + "metrics on \(p.metricTrainPoints)/\(p.metricTestPoints) points, BetaVAE/FactorVAE scores \(p.scoreTrainVotes)/\(p.scoreEvalVotes) votes of batch \(p.scoreBatch)"
    }

    static func percent(_ v: Double) -> String { v.isFinite ? String(Int((v * 100).rounded())) : "nan" }

    /// The lecture's table: Spearman correlations in percent, then the variance shares.
    public var agreementText: String {
        let titles = StudyMetrics.titles
        let w = Swift.max(12, (titles.map(\.count).max() ?? 0) + 2)
        func pad(_ s: String, _ n: Int, left: Bool = false) -> String {
            s.count >= n ? s : (left ? s + String(repeating: " ", count: n - s.count) : String(repeating: " ", count: n - s.count) + s)
        }
        let total = plan.models.count
        var out = "# Metric agreement on \(plan.data)\n# \(headline)\n"
        out += "# models: \(rows.count) of \(total) present" + (missing.isEmpty ? "" : " (PARTIAL: \(missing.count) missing)")
            + ", \(used.count) used, \(rows.count - used.count) failed\n\n"
        out += "Spearman rank correlation between metrics (percent)\n"
        out += pad("", w, left: true) + titles.map { pad($0, w) }.joined() + "\n"
        for (i, t) in titles.enumerated() {
            out += pad(t, w, left: true) + spearman[i].map { pad(Self.percent($0), w) }.joined() + "\n"
        }
        out += "\nShare of each metric's variance (percent; nested sums of squares)\n"
        out += pad("metric", w, left: true) + ["method", "hyperparameter", "seed"].map { pad($0, 16) }.joined() + "\n"
        for (t, s) in zip(titles, shares) {
            out += pad(t, w, left: true) + [s.method, s.hyperparameter, s.seed].map { pad(Self.percent($0), 16) }.joined() + "\n"
        }
        let failed = rows.filter { !$0.isComplete }
        if !failed.isEmpty {
            out += "\nLeft out of the statistics:\n"
            for r in failed { out += "  \(r.model.directoryName): \(r.failure ?? "a metric is not finite")\n" }
        }
        return out
    }

    /// Every model's scores: identity columns, status, then the six metrics (shortest
    /// round-trip decimals, `nan` where missing).
    public var csv: String {
        var out = (["index", "method", "parameter", "value", "seed_index", "seed", "status"] + StudyMetrics.keys).joined(separator: ",") + "\n"
        for r in rows {
            let m = r.model
            let values = r.metricValues.map { $0.isFinite ? "\($0)" : "nan" }
            out += ([String(m.index), m.method, m.parameter, StudyModel.format(m.value), String(m.seedIndex), String(m.seed),
                     r.failure == nil ? "ok" : "failed"] + values).joined(separator: ",") + "\n"
        }
        return out
    }

    /// Machine-readable results (results.json): plan, matrix, shares, counts.
    public var json: Data {
        get throws {
            struct Out: Encodable {
                var plan: StudyPlan
                var metrics: [String]
                var spearman: [[Double]]
                var varianceShares: [String: StudyAnalysis.VarianceShares]
                var models: Int, present: Int, used: Int
                var missing: [Int]
                var label: String
            }
            let o = Out(plan: plan, metrics: StudyMetrics.keys, spearman: spearman,
                        varianceShares: Dictionary(uniqueKeysWithValues: zip(StudyMetrics.keys, shares)),
                        models: plan.models.count, present: rows.count, used: used.count, missing: missing, label: plan.preset.label)
            return try StudyRow.encoder().encode(o)
        }
    }

    /// Writes agreement.txt, agreement.png, scores.csv, results.json and spread-METRIC.png into `dir`.
    public func write(to dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try AtomicFile.write(Data(agreementText.utf8), to: dir + "/agreement.txt")
        try AtomicFile.write(Data(csv.utf8), to: dir + "/scores.csv")
        try AtomicFile.write(try json, to: dir + "/results.json")
        try StudyPlots.agreementHeatmap(self).writePNG(dir + "/agreement.png")
        for (i, key) in StudyMetrics.keys.enumerated() {
            try StudyPlots.spread(self, metric: i).writePNG(dir + "/spread-\(key).png")
        }
    }

    /// Names of the files ``write(to:)`` produces.
    public static var outputFiles: [String] {
        ["agreement.txt", "agreement.png", "scores.csv", "results.json"] + StudyMetrics.keys.map { "spread-\($0).png" }
    }
}
