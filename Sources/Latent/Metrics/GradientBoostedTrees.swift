import Foundation

/// A regression tree grown like scikit-learn's `DecisionTreeRegressor` with
/// squared-error splits: best split over all features, depth-first, a leaf
/// when the depth limit is reached, fewer than 2 samples remain or the node's
/// impurity is below machine epsilon. Candidate thresholds are midpoints
/// between consecutive distinct feature values (values closer than 1e-7 count
/// as equal); the first strictly better split wins, features visited in order.
struct RegressionTree {
    var feature: [Int] = []        // -1 for a leaf
    var threshold: [Double] = []
    var left: [Int] = []
    var right: [Int] = []
    var value: [Double] = []
    /// Unnormalized impurity decrease per feature, summed over the tree's splits.
    var importance: [Double] = []

    static let featureThreshold = 1e-7

    /// Grows a tree on `target`. `columns[f]` holds feature f of every sample;
    /// `sorted[f]` the sample indices ordered by that feature.
    init(columns: [[Double]], sorted: [[Int]], target: [Double], maxDepth: Int) {
        let n = target.count, d = columns.count
        importance = [Double](repeating: 0, count: d)
        var inLeft = [Bool](repeating: false, count: n)
        // Stack of (node id, per-feature sorted samples, depth).
        var stack: [(Int, [[Int]], Int)] = []
        stack.append((addNode(), sorted, 0))
        while let (node, order, depth) = stack.popLast() {
            let samples = order[0]
            let m = samples.count
            var sum = 0.0, sq = 0.0
            for i in samples { sum += target[i]; sq += target[i] * target[i] }
            let impurity = sq / Double(m) - (sum / Double(m)) * (sum / Double(m))
            value[node] = sum / Double(m)
            if depth >= maxDepth || m < 2 || impurity <= Double.ulpOfOne { continue }

            var bestProxy = -Double.infinity, bestFeature = -1, bestPos = 0, bestThreshold = 0.0
            for f in 0..<d {
                let s = order[f], x = columns[f]
                if x[s[m - 1]] <= x[s[0]] + Self.featureThreshold { continue }
                var sumLeft = 0.0
                for p in 1..<m {
                    sumLeft += target[s[p - 1]]
                    if x[s[p]] <= x[s[p - 1]] + Self.featureThreshold { continue }
                    let nl = Double(p), nr = Double(m - p), sumRight = sum - sumLeft
                    let proxy = sumLeft * sumLeft / nl + sumRight * sumRight / nr
                    if proxy > bestProxy {
                        bestProxy = proxy; bestFeature = f; bestPos = p
                        var t = x[s[p - 1]] / 2 + x[s[p]] / 2
                        if t == x[s[p]] || !t.isFinite { t = x[s[p - 1]] }
                        bestThreshold = t
                    }
                }
            }
            if bestFeature < 0 { continue }

            let s = order[bestFeature]
            for p in 0..<m { inLeft[s[p]] = p < bestPos }
            var leftOrder = [[Int]](), rightOrder = [[Int]]()
            leftOrder.reserveCapacity(d); rightOrder.reserveCapacity(d)
            for f in 0..<d {
                var l = [Int](), r = [Int]()
                l.reserveCapacity(bestPos); r.reserveCapacity(m - bestPos)
                for i in order[f] { if inLeft[i] { l.append(i) } else { r.append(i) } }
                leftOrder.append(l); rightOrder.append(r)
            }
            func impurityOf(_ idx: [Int]) -> Double {
                var s1 = 0.0, s2 = 0.0
                for i in idx { s1 += target[i]; s2 += target[i] * target[i] }
                let c = Double(idx.count)
                return s2 / c - (s1 / c) * (s1 / c)
            }
            let nl = Double(bestPos), nr = Double(m - bestPos)
            importance[bestFeature] += Double(m) * impurity - nl * impurityOf(leftOrder[0]) - nr * impurityOf(rightOrder[0])
            feature[node] = bestFeature
            threshold[node] = bestThreshold
            let l = addNode(), r = addNode()
            left[node] = l; right[node] = r
            stack.append((r, rightOrder, depth + 1))
            stack.append((l, leftOrder, depth + 1))
        }
    }

    private mutating func addNode() -> Int {
        feature.append(-1); threshold.append(0); left.append(-1); right.append(-1); value.append(0)
        return feature.count - 1
    }

    var nodeCount: Int { feature.count }

    /// Leaf reached by a sample whose features are `row(f)`.
    func leaf(_ row: (Int) -> Double) -> Int {
        var node = 0
        while feature[node] >= 0 {
            node = row(feature[node]) <= threshold[node] ? left[node] : right[node]
        }
        return node
    }
}

/// Gradient-boosted trees for classification with scikit-learn's
/// `GradientBoostingClassifier` defaults: 100 stages, depth 3, learning rate
/// 0.1, log-loss, no subsampling; one tree per stage for two classes, one per
/// class and stage otherwise. Starts from the class priors; each leaf value is
/// one Newton step (multiplied by (K-1)/K for K > 2 classes, as scikit-learn
/// keeps for compatibility). Features are rounded to Float first, as
/// scikit-learn's trees see float32. A single class gives a constant model.
///
/// ```swift
/// let gbt = GradientBoostedTrees(features: x, labels: y)   // x: (n, d), y: n labels
/// let predicted = gbt.predict(xTest)
/// let importance = gbt.featureImportances                  // sums to 1
/// ```
public struct GradientBoostedTrees: Sendable {
    /// The distinct training labels in increasing order; predictions are among them.
    public let classes: [Int]
    /// Boosting stages (rounds of trees).
    public let stages: Int
    /// Depth limit of each regression tree.
    public let maxDepth: Int
    /// Shrinkage applied to every tree's leaf values.
    public let learningRate: Double
    /// trees[stage][k]
    var trees: [[RegressionTree]] = []
    var initial: [Double] = []
    let featureCount: Int

    /// Fits the model to `rows` (n, d) and their labels (arbitrary integers); stops unless
    /// there is at least one row and one label per row.
    public init(features rows: [[Double]], labels: [Int], stages: Int = 100, maxDepth: Int = 3, learningRate: Double = 0.1) {
        check(!rows.isEmpty && rows.count == labels.count, "GradientBoostedTrees: \(rows.count) rows, \(labels.count) labels")
        let d = rows[0].count
        let n = rows.count
        self.stages = stages; self.maxDepth = maxDepth; self.learningRate = learningRate
        featureCount = d
        let enc = LabelEncoding(labels)
        classes = enc.classes
        let y = enc.encode(labels)
        let k = classes.count
        if k < 2 { return }

        let columns = (0..<d).map { f in rows.map { Double(Float($0[f])) } }
        let sorted = columns.map { c in (0..<n).sorted { c[$0] != c[$1] ? c[$0] < c[$1] : $0 < $1 } }
        let eps = Double.ulpOfOne
        var counts = [Double](repeating: 0, count: k)
        for c in y { counts[c] += 1 }
        let prior = counts.map { Swift.min(Swift.max($0 / Double(n), eps), 1 - eps) }
        let outputs = k == 2 ? 1 : k
        if k == 2 {
            initial = [log(prior[1] / (1 - prior[1]))]
        } else {
            let logs = prior.map { log($0) }
            let avg = logs.reduce(0, +) / Double(k)
            initial = logs.map { $0 - avg }
        }
        var raw = [[Double]](repeating: initial, count: n)  // raw[i][output]
        var negGradient = [[Double]](repeating: [Double](repeating: 0, count: n), count: outputs)
        for _ in 0..<stages {
            // Negative gradients from the raw predictions at the start of the stage.
            for i in 0..<n {
                if k == 2 {
                    negGradient[0][i] = (y[i] == 1 ? 1 : 0) - sigmoid(raw[i][0])
                } else {
                    let p = softmax(raw[i])
                    for c in 0..<k { negGradient[c][i] = (y[i] == c ? 1 : 0) - p[c] }
                }
            }
            var stageTrees = [RegressionTree]()
            for c in 0..<outputs {
                let target = negGradient[c]
                var tree = RegressionTree(columns: columns, sorted: sorted, target: target, maxDepth: maxDepth)
                // Newton step per leaf.
                let leafOf = (0..<n).map { i in tree.leaf { columns[$0][i] } }
                var num = [Double](repeating: 0, count: tree.nodeCount), den = num, cnt = num
                let positive = k == 2 ? 1 : c
                for i in 0..<n {
                    let yi: Double = y[i] == positive ? 1 : 0
                    let g = target[i], p = yi - g
                    num[leafOf[i]] += g; den[leafOf[i]] += p * (1 - p); cnt[leafOf[i]] += 1
                }
                for node in 0..<tree.nodeCount where tree.feature[node] < 0 && cnt[node] > 0 {
                    var numerator = num[node] / cnt[node]
                    if k > 2 { numerator *= Double(k - 1) / Double(k) }
                    let denominator = den[node] / cnt[node]
                    tree.value[node] = Swift.abs(denominator) < 1e-150 ? 0 : numerator / denominator
                }
                for i in 0..<n { raw[i][c] += learningRate * tree.value[leafOf[i]] }
                stageTrees.append(tree)
            }
            trees.append(stageTrees)
        }
    }

    /// Raw scores (log-odds for two classes, one per class otherwise).
    func rawScores(_ row: [Double]) -> [Double] {
        let x = row.map { Double(Float($0)) }
        var raw = initial
        for stage in trees {
            for (c, tree) in stage.enumerated() { raw[c] += learningRate * tree.value[tree.leaf { x[$0] }] }
        }
        return raw
    }

    /// Predicted labels (the original label values).
    public func predict(_ rows: [[Double]]) -> [Int] {
        if classes.count < 2 { return rows.map { _ in classes.first ?? 0 } }
        return rows.map { row in
            let raw = rawScores(row)
            if classes.count == 2 { return raw[0] >= 0 ? classes[1] : classes[0] }
            var best = 0
            for c in 1..<raw.count where raw[c] > raw[best] { best = c }
            return classes[best]
        }
    }

    /// Impurity-based importances: per tree (trees with a split only) the
    /// impurity decrease per feature, averaged over trees, normalized to sum 1.
    /// All zero when no tree splits.
    public var featureImportances: [Double] {
        var total = [Double](repeating: 0, count: featureCount)
        var relevant = 0
        for stage in trees {
            for tree in stage where tree.nodeCount > 1 {
                relevant += 1
                for f in 0..<featureCount { total[f] += tree.importance[f] }
            }
        }
        let s = total.reduce(0, +)
        if relevant == 0 || s <= 0 { return total.map { _ in 0 } }
        return total.map { $0 / s }
    }
}

@inline(__always) func sigmoid(_ x: Double) -> Double {
    x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
}

func softmax(_ z: [Double]) -> [Double] {
    let m = z.max() ?? 0
    let e = z.map { exp($0 - m) }
    let s = e.reduce(0, +)
    return e.map { $0 / s }
}
