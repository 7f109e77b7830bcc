import Foundation

/// The outcome of a two-sample test of H0: the sets A and B come from one distribution.
///
/// ```swift
/// let r = MMDTest().run(a, b, rng: &rng)
/// if r.pValue < 0.05 { print("\(r.test) rejects H0: statistic \(r.statistic)") }
/// ```
public struct TwoSampleTestResult: Codable, Equatable, Sendable {
    /// The name of the test that produced the result: "mmd" or "c2st".
    public var test: String
    /// MMD^2 (unbiased) or the classifier's held-out accuracy.
    public var statistic: Double
    /// The p-value for H0; small values are evidence that A and B differ.
    public var pValue: Double
    /// Examples of set A: the rows MMD used after subsampling; for C2ST, all of A
    /// before it is cut to the common size.
    public var nA: Int
    /// Examples of set B, counted as for `nA`.
    public var nB: Int
    /// Test-specific numbers (bandwidth, permutations, test-set size, ...).
    public var details: [String: Double]

    /// A result with the given fields; `details` defaults to empty.
    public init(test: String, statistic: Double, pValue: Double, nA: Int, nB: Int, details: [String: Double] = [:]) {
        self.test = test
        self.statistic = statistic
        self.pValue = pValue
        self.nA = nA
        self.nB = nB
        self.details = details
    }

    /// One flat JSON object: test, statistic, p_value, n_a, n_b and the details (keys
    /// sorted); non-finite numbers are written as null.
    public func json() -> String {
        var fields: [(String, String)] = [("test", "\"\(test)\""), ("statistic", Self.number(statistic)),
                                          ("p_value", Self.number(pValue)), ("n_a", String(nA)), ("n_b", String(nB))]
        for k in details.keys.sorted() { fields.append((k, Self.number(details[k]!))) }
        return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }

    static func number(_ v: Double) -> String {
        v.isFinite ? String(format: "%.10g", v) : "null"
    }
}

/// The two-sample tests Latent offers, by command-line name.
public enum TwoSampleTestKind: String, CaseIterable, Sendable {
    /// `mmd` selects ``MMDTest``, `c2st` ``ClassifierTwoSampleTest``.
    case mmd, c2st
}

/// P(X >= k) for X ~ Binomial(n, p), summed in log space (exact; n up to millions);
/// 1 for k <= 0, 0 for k > n. Stops unless n >= 0 and 0 < p < 1.
public func binomialUpperTail(_ k: Int, n: Int, p: Double = 0.5) -> Double {
    check(n >= 0 && p > 0 && p < 1, "binomialUpperTail: needs n >= 0 and 0 < p < 1")
    if k <= 0 { return 1 }
    if k > n { return 0 }
    let lp = Foundation.log(p), lq = Foundation.log1p(-p)
    func logPMF(_ i: Int) -> Double {
        lgamma(Double(n + 1)) - lgamma(Double(i + 1)) - lgamma(Double(n - i + 1)) + Double(i) * lp + Double(n - i) * lq
    }
    var terms: [Double] = []
    for i in k...n {
        let t = logPMF(i)
        terms.append(t)
        if i > Int(Double(n) * p) && t < (terms.max() ?? t) - 50 { break }  // the rest is negligible
    }
    let m = terms.max()!
    return Swift.min(1, Foundation.exp(m) * terms.reduce(0) { $0 + Foundation.exp($1 - m) })
}
