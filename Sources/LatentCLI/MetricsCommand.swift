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
        """
    )

    @Option(help: "Training codes, (points, dims).") var trainCodes: String
    @Option(help: "Training factors, (points, factors), integer labels.") var trainFactors: String
    @Option(help: "Test codes, (points, dims).") var testCodes: String
    @Option(help: "Test factors, (points, factors), integer labels.") var testFactors: String
    @Option(help: "Histogram bins for the mutual-information metrics.") var bins: Int = 20
    @Flag(help: "Print one JSON object instead of a table.") var json = false

    func validate() throws {
        guard bins > 0 else { throw ValidationError("--bins must be positive") }
    }

    func run() throws {
        let scores = try DisentanglementScores(
            trainCodes: try Self.codes(trainCodes), trainFactors: try Self.factors(trainFactors),
            testCodes: try Self.codes(testCodes), testFactors: try Self.factors(testFactors), bins: bins)
        let entries = scores.dictionary
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
