import ArgumentParser
import Foundation
import Latent

/// `latent metrics`: disentanglement metrics of codes against ground-truth factors.
struct Metrics: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "MIG, DCI, SAP, modularity and explicitness of codes against factors (disentanglement_lib 1.5 semantics).",
        discussion: """
        Arrays are .npy files with one row per point: codes (points, dims) as float32 or float64,
        factors (points, factors) of any integer dtype with arbitrary label values (a 1-D array is
        one factor). Example:
          latent metrics --train-codes A.npy --train-factors B.npy --test-codes C.npy --test-factors D.npy --json
        Or straight from a VAE run (its encoder means as the representation) on a ground-truth set,
        adding the BetaVAE and FactorVAE scores (train and eval accuracies):
          latent metrics --model runs/dip --data dsprites --json
        """
    )

    @Option(help: "Training codes, (points, dims).") var trainCodes: String?
    @Option(help: "Training factors, (points, factors), integer labels.") var trainFactors: String?
    @Option(help: "Test codes, (points, dims).") var testCodes: String?
    @Option(help: "Test factors, (points, factors), integer labels.") var testFactors: String?
    @Option(help: "A VAE run directory: codes are its encoder means on --data.") var model: String?
    @Option(help: "Ground-truth data set for --model (default: the run's).") var data: String?
    @Option(name: .customLong("train-size"), help: "--model: training points (and BetaVAE/FactorVAE training votes).") var trainSize = 10_000
    @Option(name: .customLong("test-size"), help: "--model: test points (and BetaVAE/FactorVAE evaluation votes).") var testSize = 5_000
    @Option(help: "--model: seed of the sampled factors.") var seed: UInt64 = 0
    @Option(help: "Histogram bins for the mutual-information metrics.") var bins: Int = 20
    @Flag(help: "Print one JSON object instead of a table.") var json = false

    func validate() throws {
        guard bins > 0 else { throw ValidationError("--bins must be positive") }
        let files = [trainCodes, trainFactors, testCodes, testFactors]
        if model == nil {
            guard files.allSatisfy({ $0 != nil }) else {
                throw ValidationError("give --train-codes, --train-factors, --test-codes and --test-factors, or --model DIR")
            }
        } else {
            guard files.allSatisfy({ $0 == nil }) else { throw ValidationError("--model computes its own codes; drop the .npy options") }
            guard trainSize > 1, testSize > 1 else { throw ValidationError("--train-size and --test-size must be at least 2") }
        }
    }

    func run() throws {
        let entries: [(key: String, value: Double)]
        if let model {
            entries = try VAEMetrics.scores(run: model, data: data, trainSize: trainSize, testSize: testSize, bins: bins, seed: seed)
        } else {
            entries = try DisentanglementScores(
                trainCodes: try Self.codes(trainCodes!), trainFactors: try Self.factors(trainFactors!),
                testCodes: try Self.codes(testCodes!), testFactors: try Self.factors(testFactors!), bins: bins).dictionary
        }
        if json {
            // Swift's Double description is the shortest round-trip form, valid JSON
            // (the metrics throw instead of producing NaN or infinity).
            print("{" + entries.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}")
        } else {
            let width = entries.map(\.key.count).max() ?? 0
            for (key, value) in entries {
                print(key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + String(format: "%.4f", value))
            }
        }
    }

    /// Rows of a (points, dims) array as Double; a 1-D array is one column.
    static func rows<T>(_ a: NDArray, _ values: [T], path: String) throws -> [[T]] {
        switch a.shape.count {
        case 1: return values.map { [$0] }
        case 2:
            let d = a.shape[1]
            return (0..<a.shape[0]).map { i in Array(values[(i * d)..<((i + 1) * d)]) }
        default: throw ValidationError("\(path): expected a (points, dims) array, got shape \(a.shape)")
        }
    }

    static func codes(_ path: String) throws -> [[Double]] {
        let a = try NDArray.readNpy(path)
        guard a.dtype == .float32 || a.dtype == .float64 else {
            throw ValidationError("\(path): codes must be float32 or float64, got \(a.dtype.rawValue)")
        }
        return try rows(a, a.doubles, path: path)
    }

    static func factors(_ path: String) throws -> [[Int]] {
        let a = try NDArray.readNpy(path)
        let labels = try a.integers(name: path)
        return try rows(a, labels, path: path)
    }
}
