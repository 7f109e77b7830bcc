/// A linear support vector classifier with scikit-learn's `LinearSVC`
/// semantics: squared hinge loss, L2 penalty, one-vs-rest for more than two
/// classes, and liblinear's treatment of the intercept as the weight of an
/// extra constant feature (value 1) that is regularized like the others.
///
/// For each binary problem it minimizes
///     0.5 * (|w|^2 + b^2) + sum_i C_i * max(0, 1 - t_i (w.x_i + b))^2
/// exactly (generalized Newton steps with backtracking; the objective is
/// strongly convex, so liblinear's dual coordinate descent and primal trust
/// region solvers approach the same optimum). With balanced class weights,
/// class c gets weight n / (classes * n_c); as in liblinear, for two classes
/// every sample carries its class weight, one-vs-rest gives C * weight to the
/// positive class and plain C to the rest. Training data with one class gives
/// a constant classifier.
///
/// ```swift
/// let svm = LinearSVC(features: x, labels: y, c: 0.01, balancedClassWeights: true)
/// let predicted = svm.predict(xTest)
/// ```
public struct LinearSVC: Sendable {
    /// The distinct training labels in increasing order; predictions are among them.
    public let classes: [Int]
    /// One (weights, intercept) per binary problem: one for two classes, one per class otherwise.
    public private(set) var models: [(weights: [Double], intercept: Double)] = []

    /// Fits the classifier to `rows` (n, d) and their labels (arbitrary integers) with
    /// penalty `c` and, optionally, balanced class weights; stops unless there is at least
    /// one row and one label per row.
    public init(features rows: [[Double]], labels: [Int], c: Double = 1, balancedClassWeights: Bool = false) {
        check(!rows.isEmpty && rows.count == labels.count, "LinearSVC: \(rows.count) rows, \(labels.count) labels")
        let enc = LabelEncoding(labels)
        classes = enc.classes
        let y = enc.encode(labels)
        let k = classes.count, n = rows.count
        if k < 2 { return }
        var counts = [Double](repeating: 0, count: k)
        for v in y { counts[v] += 1 }
        let weight = counts.map { balancedClassWeights ? Double(n) / (Double(k) * $0) : 1 }
        if k == 2 {
            let t = y.map { $0 == 1 ? 1.0 : -1.0 }
            let cost = y.map { c * weight[$0] }
            models = [Self.solve(rows, t, cost)]
        } else {
            for cls in 0..<k {
                let t = y.map { $0 == cls ? 1.0 : -1.0 }
                let cost = y.map { $0 == cls ? c * weight[cls] : c }
                models.append(Self.solve(rows, t, cost))
            }
        }
    }

    /// Decision values, one per binary problem.
    public func decision(_ row: [Double]) -> [Double] {
        models.map { m in zip(m.weights, row).reduce(m.intercept) { $0 + $1.0 * $1.1 } }
    }

    /// Predicted labels (the original label values): for two classes the second when the
    /// decision value is positive, otherwise the first; for more, the class with the largest
    /// decision value (first on ties). With one training class, always that class.
    public func predict(_ rows: [[Double]]) -> [Int] {
        if classes.count < 2 { return rows.map { _ in classes.first ?? 0 } }
        return rows.map { row in
            let s = decision(row)
            if classes.count == 2 { return s[0] > 0 ? classes[1] : classes[0] }
            var best = 0
            for j in 1..<s.count where s[j] > s[best] { best = j }
            return classes[best]
        }
    }

    /// Minimizes 0.5|v|^2 + sum C_i max(0, 1 - t_i v.z_i)^2 with z_i = (x_i, 1).
    static func solve(_ rows: [[Double]], _ t: [Double], _ cost: [Double]) -> (weights: [Double], intercept: Double) {
        let p = rows[0].count + 1
        var v = [Double](repeating: 0, count: p)
        func z(_ i: Int, _ j: Int) -> Double { j < p - 1 ? rows[i][j] : 1 }
        func objective(_ v: [Double]) -> Double {
            var f = 0.5 * v.reduce(0) { $0 + $1 * $1 }
            for i in 0..<rows.count {
                var m = 0.0
                for j in 0..<p { m += v[j] * z(i, j) }
                let r = 1 - t[i] * m
                if r > 0 { f += cost[i] * r * r }
            }
            return f
        }
        var f = objective(v)
        var firstNorm = 0.0
        for iteration in 0..<200 {
            var g = v
            var h = [Double](repeating: 0, count: p * p)
            for j in 0..<p { h[j * p + j] = 1 }
            for i in 0..<rows.count {
                var m = 0.0
                for j in 0..<p { m += v[j] * z(i, j) }
                let r = 1 - t[i] * m
                if r > 0 {
                    for a in 0..<p {
                        g[a] -= 2 * cost[i] * r * t[i] * z(i, a)
                        for b in 0..<p { h[a * p + b] += 2 * cost[i] * z(i, a) * z(i, b) }
                    }
                }
            }
            let norm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if iteration == 0 { firstNorm = norm }
            if norm <= 1e-13 * Swift.max(1, firstNorm) { break }
            let step = solveSymmetric(h, g.map { -$0 }, p)
            let slope = zip(g, step).reduce(0) { $0 + $1.0 * $1.1 }
            var alpha = 1.0, accepted = false
            while alpha > 1e-12 {
                let trial = zip(v, step).map { $0 + alpha * $1 }
                let ft = objective(trial)
                if ft <= f + 1e-4 * alpha * slope { v = trial; f = ft; accepted = true; break }
                alpha *= 0.5
            }
            if !accepted { break }
        }
        return (Array(v[0..<(p - 1)]), v[p - 1])
    }
}

/// Solves A x = b for a small symmetric positive definite A (Cholesky).
func solveSymmetric(_ a: [Double], _ b: [Double], _ n: Int) -> [Double] {
    var l = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
        for j in 0...i {
            var s = a[i * n + j]
            for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
            l[i * n + j] = i == j ? Swift.max(s, 1e-300).squareRoot() : s / l[j * n + j]
        }
    }
    var y = b
    for i in 0..<n { for k in 0..<i { y[i] -= l[i * n + k] * y[k] }; y[i] /= l[i * n + i] }
    for i in stride(from: n - 1, through: 0, by: -1) {
        for k in (i + 1)..<n where k < n { y[i] -= l[k * n + i] * y[k] }
        y[i] /= l[i * n + i]
    }
    return y
}
