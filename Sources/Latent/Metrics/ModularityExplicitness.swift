import Foundation

/// Modularity and explicitness (Ridgeway & Mozer 2018) as disentanglement_lib
/// computes them.
public struct ModularityExplicitness: Sendable {
    /// Mean over codes of 1 - (sum of squared MI except the largest) /
    /// (largest squared MI * (factors - 1)); 0 for a code with no information.
    public var modularity: Double
    /// Mean over factors of the one-vs-rest ROC-AUC of a logistic regression, on training data.
    public var explicitnessTrain: Double
    /// The same on test data.
    public var explicitnessTest: Double
}

/// Modularity from the histogram-discretized mutual information, and
/// explicitness from a ``LogisticRegression`` per factor on codes standardized
/// with the training mean and standard deviation.
///
/// Defined results where the published code fails: a constant code dimension
/// is standardized with std 1 (the published code divides by 0); with a single
/// factor a code carrying information is fully modular (1). A factor's
/// explicitness is the mean, over the training classes that have both
/// positives and negatives in the split, of the AUC of that class's
/// probability; factors with no such class (one value only) are left out, and
/// if none is left the call throws ``MetricError/noInformativeFactor(_:)``.
/// Test labels unseen in training only count as negatives.
///
/// ```swift
/// let me = try modularityExplicitness(trainCodes: a, trainFactors: b, testCodes: c, testFactors: d)
/// print(me.modularity, me.explicitnessTest)
/// ```
public func modularityExplicitness(trainCodes: [[Double]], trainFactors: [[Int]], testCodes: [[Double]], testFactors: [[Int]], bins: Int = 20) throws -> ModularityExplicitness {
    let (train, test) = try MetricColumns.pair(trainCodes: trainCodes, trainFactors: trainFactors, testCodes: testCodes, testFactors: testFactors)
    return try modularityExplicitness(train: train, test: test, bins: bins)
}

func modularityExplicitness(train: MetricColumns, test: MetricColumns, bins: Int) throws -> ModularityExplicitness {
    let mi = discretizedMutualInformation(train, bins: bins)
    let modularity = modularityScore(mi)
    // Standardize with training statistics (population std, as numpy's default).
    let d = train.codes.count
    var means = [Double](), stds = [Double]()
    for j in 0..<d {
        let c = train.codes[j]
        let m = c.reduce(0, +) / Double(c.count)
        let v = c.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(c.count)
        means.append(m); stds.append(v > 0 ? v.squareRoot() : 1)
    }
    func standardized(_ cols: MetricColumns) -> [[Double]] {
        (0..<cols.count).map { i in (0..<d).map { (cols.codes[$0][i] - means[$0]) / stds[$0] } }
    }
    let xTrain = standardized(train), xTest = standardized(test)
    var aucTrain = [Double](), aucTest = [Double]()
    for (j, y) in train.factors.enumerated() {
        let model = LogisticRegression(features: xTrain, labels: y)
        if let a = ovrAUC(model, xTrain, y), let b = ovrAUC(model, xTest, test.factors[j]) {
            aucTrain.append(a); aucTest.append(b)
        }
    }
    guard !aucTrain.isEmpty else { throw MetricError.noInformativeFactor("explicitness") }
    return ModularityExplicitness(modularity: modularity, explicitnessTrain: mean(aucTrain), explicitnessTest: mean(aucTest))
}

/// Macro-averaged one-vs-rest AUC over the model's classes defined in `labels`.
func ovrAUC(_ model: LogisticRegression, _ x: [[Double]], _ labels: [Int]) -> Double? {
    let p = model.probabilities(x)
    var aucs = [Double]()
    for (c, cls) in model.classes.enumerated() {
        if let a = rocAUC(scores: p.map { $0[c] }, positive: labels.map { $0 == cls }) { aucs.append(a) }
    }
    return aucs.isEmpty ? nil : mean(aucs)
}

func modularityScore(_ mi: [[Double]]) -> Double {
    let scores = mi.map { row -> Double in
        let sq = row.map { $0 * $0 }
        let top = sq.max() ?? 0
        if top == 0 { return 0 }
        if sq.count == 1 { return 1 }
        let numerator = sq.reduce(0, +) - top
        return 1 - numerator / (top * Double(sq.count - 1))
    }
    return mean(scores)
}
