/// The FactorVAE score (Kim & Mnih 2018) as disentanglement_lib computes it.
public struct FactorVAEScore: Sendable, Equatable {
    /// Fraction of the training votes the majority-vote classifier gets right.
    public var trainAccuracy: Double
    /// Fraction of fresh evaluation votes it gets right (the reported score).
    public var evalAccuracy: Double
    /// Code dimensions kept (global std >= the pruning threshold).
    public var activeDimensions: Int
}

/// The FactorVAE score of `representation` on `dataset`: how well a majority-vote
/// classifier names the fixed factor from the code dimension of least relative variance.
///
/// Each code dimension's variance (unbiased) is estimated from
/// `varianceSampleSize` random observations; dimensions with standard
/// deviation below `pruneThreshold` are dropped. Each vote: fix one factor
/// (chosen uniformly) at a random value in a batch of `batchSize` rows, take
/// the active dimension with the smallest variance relative to its global
/// variance, and vote (factor, dimension). The classifier maps each dimension
/// to the factor with most training votes (lowest factor index on ties);
/// accuracy is the fraction of votes it gets right. With no active dimension
/// both accuracies are 0. Defaults are the study's (batch 64, 10,000 / 5,000
/// votes, variances from 10,000 points, prune std < 0.05).
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let s = factorVAEScore(dataset: data, representation: { encoder.mean($0) }, rng: &rng)
/// ```
public func factorVAEScore(dataset: GroundTruthDataset, representation: (Tensor) -> Tensor, rng: inout RandomGenerator,
                           batchSize: Int = 64, trainSize: Int = 10_000, evalSize: Int = 5_000,
                           varianceSampleSize: Int = 10_000, pruneThreshold: Double = 0.05) -> FactorVAEScore {
    check(batchSize > 1 && trainSize > 0 && evalSize > 0 && varianceSampleSize > 1, "factorVAEScore: sizes too small")
    // Global variances, representation evaluated in batches of 64 as published.
    var rows = [[Double]]()
    var remaining = varianceSampleSize
    while remaining > 0 {
        let n = Swift.min(64, remaining)
        rows += representRows(dataset, dataset.sampleFactors(n, rng: &rng), representation, rng: &rng)
        remaining -= n
    }
    let global = unbiasedVariances(rows)
    let active = global.indices.filter { global[$0].squareRoot() >= pruneThreshold }
    if active.isEmpty { return FactorVAEScore(trainAccuracy: 0, evalAccuracy: 0, activeDimensions: 0) }

    let k = dataset.numberOfFactors, d = global.count
    func votes(_ count: Int) -> [[Int]] {
        var v = [[Int]](repeating: [Int](repeating: 0, count: d), count: k)
        for _ in 0..<count {
            let factor = rng.int(below: k)
            var f = dataset.sampleFactors(batchSize, rng: &rng)
            for i in 1..<batchSize { f[i][factor] = f[0][factor] }
            let local = unbiasedVariances(representRows(dataset, f, representation, rng: &rng))
            var best = active[0]
            for j in active where local[j] / global[j] < local[best] / global[best] { best = j }
            v[factor][best] += 1
        }
        return v
    }
    func score(_ v: [[Int]], _ classifier: [Int]) -> Double {
        let total = v.reduce(0) { $0 + $1.reduce(0, +) }
        let right = (0..<d).reduce(0) { $0 + v[classifier[$1]][$1] }
        return Double(right) / Double(total)
    }
    let train = votes(trainSize)
    let classifier = (0..<d).map { j -> Int in
        var best = 0
        for f in 1..<k where train[f][j] > train[best][j] { best = f }
        return best
    }
    let eval = votes(evalSize)
    return FactorVAEScore(trainAccuracy: score(train, classifier), evalAccuracy: score(eval, classifier), activeDimensions: active.count)
}

func unbiasedVariances(_ rows: [[Double]]) -> [Double] {
    let n = Double(rows.count), d = rows[0].count
    return (0..<d).map { j in
        let m = rows.reduce(0) { $0 + $1[j] } / n
        return rows.reduce(0) { $0 + ($1[j] - m) * ($1[j] - m) } / (n - 1)
    }
}
