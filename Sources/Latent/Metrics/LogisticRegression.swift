import Foundation

/// L2-regularized logistic regression with scikit-learn's `LogisticRegression`
/// defaults: C = 1, intercept not penalized, multinomial (softmax) loss for
/// more than two classes and the binomial loss for two, minimized with L-BFGS
/// stopped after 100 iterations whether converged or not (gradient tolerance
/// 1e-4 on the largest component, relative decrease tolerance 64 eps, 10
/// correction pairs, strong Wolfe line search). The objective is the mean loss
/// plus |W|^2 / (2 C n), as scikit-learn scales it. One class gives a constant
/// model with probability 1.
///
/// ```swift
/// let lr = LogisticRegression(features: x, labels: y)
/// let p = lr.probabilities(xTest)    // one column per class in lr.classes
/// ```
public struct LogisticRegression: Sendable {
    /// The distinct training labels in increasing order; predictions are among them.
    public let classes: [Int]
    /// weights[k] = coefficients of output k followed by its intercept
    /// (one output for two classes, one per class otherwise).
    public private(set) var weights: [[Double]] = []
    /// L-BFGS iterations used.
    public private(set) var iterations = 0

    /// Fits the model to `rows` (n, d) and their labels (arbitrary integers) with inverse
    /// regularization strength `c`, at most `maxIterations` L-BFGS iterations and
    /// gradient tolerance `tolerance`; stops unless there is at least one row and one
    /// label per row.
    public init(features rows: [[Double]], labels: [Int], c: Double = 1, maxIterations: Int = 100, tolerance: Double = 1e-4) {
        check(!rows.isEmpty && rows.count == labels.count, "LogisticRegression: \(rows.count) rows, \(labels.count) labels")
        let enc = LabelEncoding(labels)
        classes = enc.classes
        let y = enc.encode(labels)
        let k = classes.count, n = rows.count, d = rows[0].count
        if k < 2 { return }
        let outputs = k == 2 ? 1 : k
        let p = d + 1
        let l2 = 1 / (c * Double(n))

        func lossGradient(_ w: [Double]) -> (Double, [Double]) {
            var f = 0.0
            var g = [Double](repeating: 0, count: w.count)
            var z = [Double](repeating: 0, count: outputs)
            for i in 0..<n {
                let x = rows[i]
                for o in 0..<outputs {
                    var s = w[o * p + d]
                    for j in 0..<d { s += w[o * p + j] * x[j] }
                    z[o] = s
                }
                var residual = [Double](repeating: 0, count: outputs)
                if outputs == 1 {
                    let t: Double = y[i] == 1 ? 1 : 0
                    // log(1 + exp(z)) - t z, computed stably.
                    f += (z[0] > 0 ? z[0] + log1p(exp(-z[0])) : log1p(exp(z[0]))) - t * z[0]
                    residual[0] = sigmoid(z[0]) - t
                } else {
                    let m = z.max()!
                    var s = 0.0
                    for o in 0..<outputs { s += exp(z[o] - m) }
                    f += m + log(s) - z[y[i]]
                    for o in 0..<outputs { residual[o] = exp(z[o] - m) / s - (y[i] == o ? 1 : 0) }
                }
                for o in 0..<outputs {
                    let r = residual[o]
                    for j in 0..<d { g[o * p + j] += r * x[j] }
                    g[o * p + d] += r
                }
            }
            f /= Double(n)
            for idx in 0..<g.count { g[idx] /= Double(n) }
            for o in 0..<outputs {
                for j in 0..<d {
                    let v = w[o * p + j]
                    f += 0.5 * l2 * v * v
                    g[o * p + j] += l2 * v
                }
            }
            return (f, g)
        }

        let (w, iters) = minimizeLBFGS(x0: [Double](repeating: 0, count: outputs * p), maxIterations: maxIterations,
                                       gradientTolerance: tolerance, function: lossGradient)
        iterations = iters
        weights = (0..<outputs).map { Array(w[($0 * p)..<(($0 + 1) * p)]) }
    }

    /// Class probabilities, one column per entry of `classes`.
    public func probabilities(_ rows: [[Double]]) -> [[Double]] {
        if classes.count < 2 { return rows.map { _ in [1] } }
        return rows.map { x in
            let z = weights.map { w in zip(w, x).reduce(w[w.count - 1]) { $0 + $1.0 * $1.1 } }
            if z.count == 1 { let q = sigmoid(z[0]); return [1 - q, q] }
            return softmax(z)
        }
    }

    /// Most probable class (first on ties), as label values.
    public func predict(_ rows: [[Double]]) -> [Int] {
        probabilities(rows).map { p in
            var best = 0
            for j in 1..<p.count where p[j] > p[best] { best = j }
            return classes[best]
        }
    }
}

/// Unconstrained L-BFGS in the manner of scipy's L-BFGS-B as scikit-learn
/// calls it: m = 10 pairs, first step 1/|g|, strong Wolfe line search
/// (c1 = 1e-3, c2 = 0.9, at most 50 evaluations), stop when the largest
/// gradient component is <= gradientTolerance, when the relative decrease is
/// <= 64 eps, or after maxIterations iterations. Returns the point and the
/// iteration count.
func minimizeLBFGS(x0: [Double], maxIterations: Int, gradientTolerance: Double, memory: Int = 10,
                   function: ([Double]) -> (Double, [Double])) -> ([Double], Int) {
    func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
    var x = x0
    var (f, g) = function(x)
    var sList = [[Double]](), yList = [[Double]]()
    var iteration = 0
    let ftol = 64 * Double.ulpOfOne
    while iteration < maxIterations {
        if (g.map { Swift.abs($0) }.max() ?? 0) <= gradientTolerance { break }
        // Two-loop recursion for d = -H g.
        var q = g
        var alphas = [Double](repeating: 0, count: sList.count)
        for i in stride(from: sList.count - 1, through: 0, by: -1) {
            let rho = 1 / dot(yList[i], sList[i])
            alphas[i] = rho * dot(sList[i], q)
            for j in 0..<q.count { q[j] -= alphas[i] * yList[i][j] }
        }
        if let s = sList.last, let y = yList.last {
            let gamma = dot(s, y) / dot(y, y)
            for j in 0..<q.count { q[j] *= gamma }
        }
        for i in 0..<sList.count {
            let rho = 1 / dot(yList[i], sList[i])
            let beta = rho * dot(yList[i], q)
            for j in 0..<q.count { q[j] += sList[i][j] * (alphas[i] - beta) }
        }
        var direction = q.map { -$0 }
        var slope = dot(g, direction)
        if slope >= 0 {  // not a descent direction: restart from steepest descent
            sList.removeAll(); yList.removeAll()
            direction = g.map { -$0 }; slope = dot(g, direction)
        }
        let initialStep = sList.isEmpty ? 1 / dot(direction, direction).squareRoot() : 1
        guard let (step, fNew, gNew) = strongWolfeSearch(x: x, f: f, g: g, direction: direction, slope: slope,
                                                          initialStep: initialStep, function: function) else { break }
        let s = direction.map { $0 * step }
        let xNew = zip(x, s).map { $0 + $1 }
        let yv = zip(gNew, g).map { $0 - $1 }
        iteration += 1
        let decrease = (f - fNew) / Swift.max(Swift.abs(f), Swift.abs(fNew), 1)
        x = xNew; g = gNew
        let fOld = f
        f = fNew
        if dot(s, yv) > Double.ulpOfOne * dot(yv, yv) {
            sList.append(s); yList.append(yv)
            if sList.count > memory { sList.removeFirst(); yList.removeFirst() }
        }
        _ = fOld
        if decrease <= ftol { break }
    }
    return (x, iteration)
}

/// Strong Wolfe line search (bracketing then bisection-safeguarded cubic zoom).
private func strongWolfeSearch(x: [Double], f: Double, g: [Double], direction: [Double], slope: Double, initialStep: Double,
                               function: ([Double]) -> (Double, [Double])) -> (Double, Double, [Double])? {
    let c1 = 1e-3, c2 = 0.9, maxEvaluations = 50
    func eval(_ a: Double) -> (Double, [Double], Double) {
        let (fa, ga) = function(zip(x, direction).map { $0 + a * $1 })
        return (fa, ga, zip(ga, direction).reduce(0) { $0 + $1.0 * $1.1 })
    }
    var evaluations = 0
    var aPrev = 0.0, fPrev = f, dPrev = slope
    var a = initialStep
    func zoom(_ lo0: Double, _ flo0: Double, _ dlo0: Double, _ hi0: Double) -> (Double, Double, [Double])? {
        var lo = lo0, flo = flo0, dlo = dlo0, hi = hi0
        var best: (Double, Double, [Double])? = nil
        while evaluations < maxEvaluations {
            let aj = (lo + hi) / 2
            let (fj, gj, dj) = eval(aj); evaluations += 1
            if fj > f + c1 * aj * slope || fj >= flo {
                hi = aj
            } else {
                if Swift.abs(dj) <= -c2 * slope { return (aj, fj, gj) }
                if dj * (hi - lo) >= 0 { hi = lo }
                lo = aj; flo = fj; dlo = dj
                best = (aj, fj, gj)
            }
            _ = dlo
            if Swift.abs(hi - lo) < 1e-16 * Swift.max(1, lo) { break }
        }
        return best
    }
    while evaluations < maxEvaluations {
        let (fa, ga, da) = eval(a); evaluations += 1
        if fa > f + c1 * a * slope || (evaluations > 1 && fa >= fPrev) {
            return zoom(aPrev, fPrev, dPrev, a)
        }
        if Swift.abs(da) <= -c2 * slope { return (a, fa, ga) }
        if da >= 0 { return zoom(a, fa, da, aPrev) }
        aPrev = a; fPrev = fa; dPrev = da
        a *= 2
    }
    return nil
}
