/// Mutual Information Gap (Chen et al. 2018) as disentanglement_lib computes
/// it: codes discretized into `bins` equal-width histogram bins, discrete
/// mutual information with every factor, and per factor the gap between the
/// two most informative codes divided by the factor's entropy, averaged.
///
/// A factor that takes a single value has zero entropy; the published code
/// divides by it (NaN). Here such factors are left out of the average, and if
/// no factor is left the call throws ``MetricError/noInformativeFactor(_:)``.
/// With a single code dimension the second-best code has zero information.
///
/// - Parameters:
///   - codes: (points, code dims) rows, e.g. mean representations.
///   - factors: (points, factors) rows of integer labels.
///   - bins: equal-width histogram bins per code dimension (default 20).
/// - Returns: the mean normalized gap over the factors that take more than one value.
///
/// ```swift
/// let score = try mutualInformationGap(codes: codes, factors: factors)
/// ```
public func mutualInformationGap(codes: [[Double]], factors: [[Int]], bins: Int = 20) throws -> Double {
    let data = try MetricColumns(codes: codes, factors: factors, split: "train")
    return try mutualInformationGap(data, bins: bins)
}

func mutualInformationGap(_ data: MetricColumns, bins: Int) throws -> Double {
    let m = discretizedMutualInformation(data, bins: bins)
    var gaps = [Double]()
    for (k, factor) in data.factors.enumerated() {
        let h = discreteEntropy(factor)
        if h == 0 { continue }
        let column = m.map { $0[k] }.sorted(by: >)
        let second = column.count > 1 ? column[1] : 0
        gaps.append((column[0] - second) / h)
    }
    guard !gaps.isEmpty else { throw MetricError.noInformativeFactor("MIG") }
    return mean(gaps)
}
