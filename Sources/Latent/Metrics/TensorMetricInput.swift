// The metric functions taking tensors: codes (points, code dims) and factors
// (points, factors) holding integer labels, as a model's encoder and a data
// set's factor table give them. Each converts once and calls the [[Double]] /
// [[Int]] version, so both agree exactly.

/// Rows of a (points, dims) tensor as Double; throws naming `what` when the rank is wrong.
func metricRows(_ t: Tensor, _ what: String) throws -> [[Double]] {
    guard t.rank == 2 else { throw MetricError.shapeMismatch("\(what) must be (points, dims), got shape \(t.shape)") }
    let d = t.shape[1]
    return t.withUnsafeBufferPointer { b in (0..<t.shape[0]).map { i in (0..<d).map { Double(b[i * d + $0]) } } }
}

/// Rows of a (points, factors) tensor of integer labels; throws on a fractional or non-finite label.
func metricLabels(_ t: Tensor, _ what: String) throws -> [[Int]] {
    guard t.rank == 2 else { throw MetricError.shapeMismatch("\(what) must be (points, factors), got shape \(t.shape)") }
    let k = t.shape[1]
    let values = t.elements
    var rows: [[Int]] = []
    rows.reserveCapacity(t.shape[0])
    for i in 0..<t.shape[0] {
        var row: [Int] = []
        for j in 0..<k {
            let v = values[i * k + j]
            guard v.isFinite, v.rounded() == v, Swift.abs(v) < 16_777_216 else {
                throw MetricError.shapeMismatch("\(what): factor \(j) of point \(i) is \(v), not an integer label")
            }
            row.append(Int(v))
        }
        rows.append(row)
    }
    return rows
}

/// The Mutual Information Gap of tensor inputs: codes (points, code dims) and factors (points, factors)
/// holding integer labels, converted once for `mutualInformationGap(codes:factors:bins:)` on rows.
/// Throws ``MetricError/shapeMismatch(_:)`` for a tensor that is not 2-D or a label
/// that is not an integer, and whatever the row version throws.
///
/// ```swift
/// let mig = try mutualInformationGap(codes: vae.encodeMeans(x), factors: factorTable)
/// ```
public func mutualInformationGap(codes: Tensor, factors: Tensor, bins: Int = 20) throws -> Double {
    try mutualInformationGap(codes: metricRows(codes, "codes"), factors: metricLabels(factors, "factors"), bins: bins)
}

/// The SAP score of tensor inputs: codes (points, code dims) and factors (points, factors)
/// holding integer labels, converted once for `sapScore(trainCodes:trainFactors:testCodes:testFactors:)` on rows.
/// Throws ``MetricError/shapeMismatch(_:)`` for a tensor that is not 2-D or a label
/// that is not an integer, and whatever the row version throws.
public func sapScore(trainCodes: Tensor, trainFactors: Tensor, testCodes: Tensor, testFactors: Tensor) throws -> Double {
    try sapScore(trainCodes: metricRows(trainCodes, "trainCodes"), trainFactors: metricLabels(trainFactors, "trainFactors"),
                 testCodes: metricRows(testCodes, "testCodes"), testFactors: metricLabels(testFactors, "testFactors"))
}

/// The DCI scores of tensor inputs: codes (points, code dims) and factors (points, factors)
/// holding integer labels, converted once for `dciScores(trainCodes:trainFactors:testCodes:testFactors:)` on rows.
/// Throws ``MetricError/shapeMismatch(_:)`` for a tensor that is not 2-D or a label
/// that is not an integer, and whatever the row version throws.
public func dciScores(trainCodes: Tensor, trainFactors: Tensor, testCodes: Tensor, testFactors: Tensor) throws -> DCIScores {
    try dciScores(trainCodes: metricRows(trainCodes, "trainCodes"), trainFactors: metricLabels(trainFactors, "trainFactors"),
                  testCodes: metricRows(testCodes, "testCodes"), testFactors: metricLabels(testFactors, "testFactors"))
}

/// Modularity and explicitness of tensor inputs: codes (points, code dims) and factors (points, factors)
/// holding integer labels, converted once for `modularityExplicitness(trainCodes:trainFactors:testCodes:testFactors:bins:)` on rows.
/// Throws ``MetricError/shapeMismatch(_:)`` for a tensor that is not 2-D or a label
/// that is not an integer, and whatever the row version throws.
public func modularityExplicitness(trainCodes: Tensor, trainFactors: Tensor, testCodes: Tensor, testFactors: Tensor,
                                   bins: Int = 20) throws -> ModularityExplicitness {
    try modularityExplicitness(trainCodes: metricRows(trainCodes, "trainCodes"), trainFactors: metricLabels(trainFactors, "trainFactors"),
                               testCodes: metricRows(testCodes, "testCodes"), testFactors: metricLabels(testFactors, "testFactors"), bins: bins)
}
