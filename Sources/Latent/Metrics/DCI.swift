import Foundation

/// DCI scores (Eastwood & Williams 2018) as disentanglement_lib computes them.
public struct DCIScores: Sendable {
    /// Importance-weighted mean over codes of 1 - entropy of the code's
    /// normalized importance across factors (log base = number of factors).
    public var disentanglement: Double
    /// Importance-weighted mean over factors of 1 - entropy of the factor's
    /// normalized importance across codes (log base = number of codes).
    public var completeness: Double
    /// Mean over factors of the classifiers' training accuracy.
    public var informativenessTrain: Double
    /// Mean over factors of the classifiers' test accuracy.
    public var informativenessTest: Double
    /// importance[code][factor]: the trees' feature importances.
    public var importance: [[Double]]
}

/// DCI disentanglement, completeness and informativeness: one
/// ``GradientBoostedTrees`` classifier per factor on the raw codes.
///
/// Edge cases: a factor with one training value gets a constant classifier
/// (zero importance; it counts as correct wherever the test value matches); a
/// test label never seen in training counts as wrong; with one factor (or one
/// code) the entropy base would be 1, and each code's disentanglement (each
/// factor's completeness) is 1.
///
/// ```swift
/// let dci = try dciScores(trainCodes: a, trainFactors: b, testCodes: c, testFactors: d)
/// print(dci.disentanglement, dci.completeness, dci.informativenessTest)
/// ```
public func dciScores(trainCodes: [[Double]], trainFactors: [[Int]], testCodes: [[Double]], testFactors: [[Int]]) throws -> DCIScores {
    let (train, test) = try MetricColumns.pair(trainCodes: trainCodes, trainFactors: trainFactors, testCodes: testCodes, testFactors: testFactors)
    return dciScores(train: train, test: test, trainRows: trainCodes, testRows: testCodes)
}

func dciScores(train: MetricColumns, test: MetricColumns, trainRows: [[Double]], testRows: [[Double]]) -> DCIScores {
    let d = train.codes.count, k = train.factors.count
    var importance = [[Double]](repeating: [Double](repeating: 0, count: k), count: d)
    var accTrain = [Double](), accTest = [Double]()
    for j in 0..<k {
        let model = GradientBoostedTrees(features: trainRows, labels: train.factors[j])
        let imp = model.featureImportances
        for i in 0..<d { importance[i][j] = Swift.abs(imp[i]) }
        accTrain.append(accuracy(model.predict(trainRows), train.factors[j]))
        accTest.append(accuracy(model.predict(testRows), test.factors[j]))
    }
    return DCIScores(disentanglement: dciDisentanglement(importance), completeness: dciCompleteness(importance),
                     informativenessTrain: mean(accTrain), informativenessTest: mean(accTest), importance: importance)
}

/// 1 - entropy(p + 1e-11) with base `base`, p normalized after the offset (scipy.stats.entropy).
func oneMinusEntropy(_ p: [Double], base: Int) -> Double {
    if base <= 1 { return 1 }
    let q = p.map { $0 + 1e-11 }
    let s = q.reduce(0, +)
    var h = 0.0
    for v in q { let x = v / s; if x > 0 { h -= x * log(x) } }
    return 1 - h / log(Double(base))
}

func dciDisentanglement(_ importance: [[Double]]) -> Double {
    let d = importance.count, k = importance.first?.count ?? 0
    let perCode = importance.map { oneMinusEntropy($0, base: k) }
    var weights = importance.map { $0.reduce(0, +) }
    var total = weights.reduce(0, +)
    if total == 0 { weights = [Double](repeating: Double(k), count: d); total = Double(k * d) }
    return zip(perCode, weights).reduce(0) { $0 + $1.0 * $1.1 / total }
}

func dciCompleteness(_ importance: [[Double]]) -> Double {
    let d = importance.count, k = importance.first?.count ?? 0
    let columns = (0..<k).map { j in importance.map { $0[j] } }
    let perFactor = columns.map { oneMinusEntropy($0, base: d) }
    var weights = columns.map { $0.reduce(0, +) }
    var total = weights.reduce(0, +)
    if total == 0 { weights = [Double](repeating: Double(d), count: k); total = Double(k * d) }
    return zip(perFactor, weights).reduce(0) { $0 + $1.0 * $1.1 / total }
}
