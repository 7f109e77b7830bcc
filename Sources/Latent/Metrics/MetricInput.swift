/// Errors the disentanglement metrics report instead of returning NaN.
public enum MetricError: Error, CustomStringConvertible, Equatable {
    /// No points, or codes and factors with different numbers of points.
    case shapeMismatch(String)
    /// A code value is NaN or infinite.
    case nonFinite(String)
    /// Every factor takes a single value, so the metric averages over nothing.
    case noInformativeFactor(String)

    /// A one-line message: the kind of problem, then its details.
    public var description: String {
        switch self {
        case .shapeMismatch(let s): return "shape mismatch: \(s)"
        case .nonFinite(let s): return "non-finite value: \(s)"
        case .noInformativeFactor(let s): return "no factor takes more than one value: \(s)"
        }
    }
}

/// Codes and factor labels of one split, stored per column (the layout the
/// published implementation works in: one row per code dimension / factor).
struct MetricColumns {
    /// codes[j][i]: code dimension j of point i.
    let codes: [[Double]]
    /// factors[k][i]: label of factor k for point i (arbitrary integers).
    let factors: [[Int]]
    var count: Int { codes.first?.count ?? 0 }

    /// Checks shapes and finiteness; rows are points.
    init(codes rows: [[Double]], factors factorRows: [[Int]], split: String) throws {
        guard !rows.isEmpty else { throw MetricError.shapeMismatch("\(split): no points") }
        guard rows.count == factorRows.count else {
            throw MetricError.shapeMismatch("\(split): \(rows.count) code rows but \(factorRows.count) factor rows")
        }
        let d = rows[0].count, k = factorRows[0].count
        guard d > 0, k > 0 else { throw MetricError.shapeMismatch("\(split): \(d) code dims, \(k) factors") }
        var c = [[Double]](repeating: [Double](repeating: 0, count: rows.count), count: d)
        var f = [[Int]](repeating: [Int](repeating: 0, count: rows.count), count: k)
        for (i, (r, fr)) in zip(rows, factorRows).enumerated() {
            guard r.count == d, fr.count == k else {
                throw MetricError.shapeMismatch("\(split): row \(i) has \(r.count) codes and \(fr.count) factors, expected \(d) and \(k)")
            }
            for j in 0..<d {
                guard r[j].isFinite else { throw MetricError.nonFinite("\(split): code \(j) of point \(i) is \(r[j])") }
                c[j][i] = r[j]
            }
            for j in 0..<k { f[j][i] = fr[j] }
        }
        codes = c
        factors = f
    }

    /// Checks that train and test have the same numbers of codes and factors.
    static func pair(trainCodes: [[Double]], trainFactors: [[Int]], testCodes: [[Double]], testFactors: [[Int]]) throws -> (MetricColumns, MetricColumns) {
        let train = try MetricColumns(codes: trainCodes, factors: trainFactors, split: "train")
        let test = try MetricColumns(codes: testCodes, factors: testFactors, split: "test")
        guard train.codes.count == test.codes.count, train.factors.count == test.factors.count else {
            throw MetricError.shapeMismatch("train has \(train.codes.count) codes / \(train.factors.count) factors, test \(test.codes.count) / \(test.factors.count)")
        }
        return (train, test)
    }
}

/// Arbitrary integer labels mapped to 0..<classes.count in sorted order (as
/// scikit-learn's LabelEncoder). Labels never seen in training map to -1, a
/// class no classifier predicts.
struct LabelEncoding {
    let classes: [Int]
    private let index: [Int: Int]

    init(_ labels: [Int]) {
        classes = Array(Set(labels)).sorted()
        index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
    }

    func encode(_ labels: [Int]) -> [Int] { labels.map { index[$0] ?? -1 } }
}

/// Rows of a (n, d) tensor as Double.
func rowsOfDoubles(_ t: Tensor) -> [[Double]] {
    check(t.rank == 2, "expected a (points, dims) tensor, got shape \(t.shape)")
    let s = t.scalars, d = t.shape[1]
    return (0..<t.shape[0]).map { i in (0..<d).map { Double(s[i * d + $0]) } }
}

/// Fraction of equal entries.
func accuracy(_ predicted: [Int], _ truth: [Int]) -> Double {
    check(predicted.count == truth.count && !truth.isEmpty, "predictions (\(predicted.count)) and truth (\(truth.count)) must have the same non-zero length")
    return Double(zip(predicted, truth).filter { $0 == $1 }.count) / Double(truth.count)
}

/// Mean; precondition non-empty.
func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(xs.count) }
