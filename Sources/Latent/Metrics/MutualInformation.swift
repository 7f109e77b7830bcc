import Foundation

/// Histogram discretization of one code dimension, as disentanglement_lib's
/// `histogram_discretizer` (numpy's `histogram` edges, then `digitize`).
///
/// The `bins + 1` edges span min...max of `values` evenly, computed in double
/// precision exactly as numpy's `linspace` does (`i * step + min`, the last edge
/// set to max). A value gets bin b in 1...bins, the number of the first `bins`
/// edges it is greater than or equal to, so a value sitting exactly on an
/// inner edge goes to the upper bin and the maximum to the last bin. A
/// constant dimension (min == max) gets edges around it and lands in one bin.
///
/// ```swift
/// histogramDiscretize([0, 0.5, 1], bins: 2)   // [1, 2, 2]
/// ```
public func histogramDiscretize(_ values: [Double], bins: Int = 20) -> [Int] {
    check(bins > 0, "histogramDiscretize: bins must be positive")
    guard var lo = values.min(), var hi = values.max() else { return [] }
    if lo == hi { lo -= 0.5; hi += 0.5 }
    let step = (hi - lo) / Double(bins)
    // Only the first `bins` edges matter for digitize; the last (= hi) is dropped.
    var edges = [Double](repeating: 0, count: bins)
    for i in 0..<bins {
        let offset = Double(i) * step  // two roundings, as numpy: (i * step) + start
        edges[i] = offset + lo
    }
    return values.map { v in
        // Binary search: count of edges <= v (numpy's searchsorted side="right").
        var a = 0, b = bins
        while a < b {
            let m = (a + b) / 2
            if edges[m] <= v { a = m + 1 } else { b = m }
        }
        return a
    }
}

/// Discrete mutual information in nats between two label sequences, as
/// scikit-learn's `mutual_info_score` (contingency table; per-cell terms below
/// machine epsilon set to 0; clipped at 0). Labels are arbitrary integers.
///
/// ```swift
/// discreteMutualInformation([0, 0, 1, 1], [5, 5, 7, 7])   // log 2
/// ```
public func discreteMutualInformation(_ a: [Int], _ b: [Int]) -> Double {
    check(a.count == b.count, "discreteMutualInformation: \(a.count) vs \(b.count) labels")
    let n = a.count
    if n == 0 { return 0 }
    let ea = LabelEncoding(a), eb = LabelEncoding(b)
    let ka = ea.classes.count, kb = eb.classes.count
    if ka == 1 || kb == 1 { return 0 }
    let ia = ea.encode(a), ib = eb.encode(b)
    var table = [Int: Int]()
    var rowSum = [Int](repeating: 0, count: ka), colSum = [Int](repeating: 0, count: kb)
    for i in 0..<n {
        table[ia[i] * kb + ib[i], default: 0] += 1
        rowSum[ia[i]] += 1
        colSum[ib[i]] += 1
    }
    let total = Double(n), logTotal = log(total)
    var mi = 0.0
    for key in table.keys.sorted() {
        let count = Double(table[key]!)
        let p = count / total
        let outer = Double(rowSum[key / kb]) * Double(colSum[key % kb])
        // log(n_ij / N) + log(N * N / (n_i n_j)), the terms scikit-learn sums.
        let term = p * (log(count) - logTotal) + p * (-log(outer) + logTotal + logTotal)
        mi += Swift.abs(term) < Double.ulpOfOne ? 0 : term
    }
    return Swift.max(mi, 0)
}

/// Entropy in nats of a label sequence (the mutual information with itself).
public func discreteEntropy(_ labels: [Int]) -> Double {
    discreteMutualInformation(labels, labels)
}

/// Matrix m[code][factor] of mutual information between each histogram-
/// discretized code dimension and each factor.
func discretizedMutualInformation(_ data: MetricColumns, bins: Int) -> [[Double]] {
    data.codes.map { column in
        let binned = histogramDiscretize(column, bins: bins)
        return data.factors.map { discreteMutualInformation(binned, $0) }
    }
}
