import Foundation

/// The statistics of the metric-agreement study, as pure functions of score lists.
public enum StudyAnalysis: Sendable {
    /// Ranks 1...n with tied values sharing the mean of their positions (scipy's "average").
    public static func ranks(_ x: [Double]) -> [Double] {
        let order = x.indices.sorted { x[$0] < x[$1] || (x[$0] == x[$1] && $0 < $1) }
        var r = [Double](repeating: 0, count: x.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && x[order[j + 1]] == x[order[i]] { j += 1 }
            let average = Double(i + j) / 2 + 1
            for k in i...j { r[order[k]] = average }
            i = j + 1
        }
        return r
    }

    /// Pearson correlation; NaN when fewer than 2 points or either side is constant. Stops the
    /// program when the lengths differ.
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        check(x.count == y.count, "pearson: \(x.count) vs \(y.count) values")
        let n = Double(x.count)
        guard x.count >= 2 else { return .nan }
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(x, y) { sxy += (a - mx) * (b - my); sxx += (a - mx) * (a - mx); syy += (b - my) * (b - my) }
        guard sxx > 0, syy > 0 else { return .nan }
        return sxy / (sxx * syy).squareRoot()
    }

    /// Spearman's rank correlation: Pearson's correlation of average ranks (ties allowed).
    ///
    /// ```swift
    /// StudyAnalysis.spearman([1, 2, 3, 4], [10, 20, 40, 30])   // 0.8
    /// ```
    public static func spearman(_ x: [Double], _ y: [Double]) -> Double { pearson(ranks(x), ranks(y)) }

    /// Spearman matrix between the columns of `columns` (columns[m][i]: metric m of model i).
    public static func spearmanMatrix(_ columns: [[Double]]) -> [[Double]] {
        columns.map { a in columns.map { b in spearman(a, b) } }
    }

    /// Shares of a metric's variance: by method, by hyperparameter within method, by seed.
    public struct VarianceShares: Equatable, Sendable, Codable {
        /// Fraction of the variance between methods (SS_method over the sum of the three parts).
        public var method: Double
        /// Fraction between hyperparameter values within a method (SS_hyper over the sum).
        public var hyperparameter: Double
        /// Fraction between seeds within a (method, hyperparameter) cell (SS_seed over the sum).
        public var seed: Double
        /// Total sum of squares around the grand mean.
        public var total: Double
        /// Number of scores the shares were computed from.
        public var models: Int
    }

    /// Nested (hierarchical) ANOVA sums of squares. For scores y_i with method m(i) and
    /// (method, hyperparameter) cell c(i), grand mean ybar, method means ybar_m, cell means ybar_c:
    ///
    ///     SS_method = sum_i (ybar_m(i) - ybar)^2
    ///     SS_hyper  = sum_i (ybar_c(i) - ybar_m(i))^2      hyperparameter within method
    ///     SS_seed   = sum_i (y_i - ybar_c(i))^2             between seeds within a cell
    ///
    /// These add up to SS_total = sum_i (y_i - ybar)^2 exactly (balanced or not), and each share
    /// is SS / SS_total (NaN when every score is equal). With one seed per cell the seed share is 0.
    public static func varianceShares(values: [Double], methods: [String], cells: [String]) -> VarianceShares {
        check(values.count == methods.count && values.count == cells.count, "varianceShares: lengths differ")
        let n = values.count
        guard n > 0 else { return VarianceShares(method: .nan, hyperparameter: .nan, seed: .nan, total: 0, models: 0) }
        func groupMeans(_ keys: [String]) -> [String: Double] {
            var sum: [String: Double] = [:], count: [String: Double] = [:]
            for (k, v) in zip(keys, values) { sum[k, default: 0] += v; count[k, default: 0] += 1 }
            var means: [String: Double] = [:]
            for (k, s) in sum { means[k] = s / count[k]! }
            return means
        }
        let grand = values.reduce(0, +) / Double(n)
        let byMethod = groupMeans(methods), byCell = groupMeans(cells)
        var ssMethod = 0.0, ssHyper = 0.0, ssSeed = 0.0, ssTotal = 0.0
        for i in 0..<n {
            let m = byMethod[methods[i]]!, c = byCell[cells[i]]!
            ssMethod += (m - grand) * (m - grand)
            ssHyper += (c - m) * (c - m)
            ssSeed += (values[i] - c) * (values[i] - c)
            ssTotal += (values[i] - grand) * (values[i] - grand)
        }
        // Relative to the total of the three parts (equal to ssTotal up to rounding), so shares sum to 1.
        let parts = ssMethod + ssHyper + ssSeed
        guard parts > 1e-300 * Double(n) else { return VarianceShares(method: .nan, hyperparameter: .nan, seed: .nan, total: ssTotal, models: n) }
        return VarianceShares(method: ssMethod / parts, hyperparameter: ssHyper / parts, seed: ssSeed / parts, total: ssTotal, models: n)
    }

    /// Five-number summary of a box plot: quartiles by linear interpolation between order
    /// statistics (numpy's default), whiskers at the most extreme points within 1.5 IQR of the box.
    public struct BoxStatistics: Equatable, Sendable {
        /// First quartile, median and third quartile.
        public var q1: Double, median: Double, q3: Double
        /// The smallest and largest values within 1.5 IQR of the box.
        public var lowerWhisker: Double, upperWhisker: Double
        /// The values beyond 1.5 IQR of the box, in ascending order.
        public var outliers: [Double]
    }

    /// Quantile q in [0, 1] of sorted values, numpy's linear method.
    public static func quantile(sorted s: [Double], _ q: Double) -> Double {
        check(!s.isEmpty, "quantile of no values")
        let h = Double(s.count - 1) * q
        let lo = Int(h.rounded(.down)), hi = Swift.min(lo + 1, s.count - 1)
        return s[lo] + (h - Double(lo)) * (s[hi] - s[lo])
    }

    /// The box-plot summary of the finite entries of `values`, or nil when there are none.
    public static func boxStatistics(_ values: [Double]) -> BoxStatistics? {
        let s = values.filter(\.isFinite).sorted()
        guard !s.isEmpty else { return nil }
        let q1 = quantile(sorted: s, 0.25), med = quantile(sorted: s, 0.5), q3 = quantile(sorted: s, 0.75)
        let iqr = q3 - q1
        let inside = s.filter { $0 >= q1 - 1.5 * iqr && $0 <= q3 + 1.5 * iqr }
        return BoxStatistics(q1: q1, median: med, q3: q3, lowerWhisker: inside.first ?? q1, upperWhisker: inside.last ?? q3,
                             outliers: s.filter { $0 < q1 - 1.5 * iqr || $0 > q3 + 1.5 * iqr })
    }
}
