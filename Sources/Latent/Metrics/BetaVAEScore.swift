/// Train and evaluation accuracy of a score's classifier.
public struct ClassifierScore: Sendable, Equatable {
    /// Fraction of the classifier's training points it classifies correctly.
    public var trainAccuracy: Double
    /// Fraction of fresh evaluation points it classifies correctly (the reported score).
    public var evalAccuracy: Double
}

/// Mean codes of a batch of observations, as Double rows (n, d).
func representRows(_ dataset: GroundTruthDataset, _ factors: [[Int]], _ representation: (Tensor) -> Tensor,
                   rng: inout RandomGenerator) -> [[Double]] {
    let obs = dataset.observations(fromFactors: factors, rng: &rng)
    let codes = representation(obs)
    check(codes.rank == 2 && codes.shape[0] == factors.count,
                 "representation must map (n, C, H, W) to (n, d); got \(codes.shape) for \(factors.count) observations")
    return rowsOfDoubles(codes)
}

/// The BetaVAE score (Higgins et al. 2017) as disentanglement_lib computes it.
///
/// Each training point: pick a factor uniformly, sample two batches of
/// `batchSize` factor rows that agree on that factor (the rest independent),
/// and take the mean absolute difference of their codes; the label is the
/// factor index. A ``LogisticRegression`` (C = 1, lbfgs, 100 iterations) is
/// fit on `trainSize` such points and scored on `evalSize` fresh ones.
/// Defaults are the study's (batch 64, 10,000 / 5,000 points).
///
/// - Parameters:
///   - dataset: the ground-truth data set whose factors are drawn and rendered.
///   - representation: observations (n, C, H, W) to codes (n, d), e.g. an encoder's mean;
///     any other code shape stops.
///   - rng: the source of the factor draws and the observations.
///   - batchSize: factor rows in each of a point's two batches (default 64).
///   - trainSize: points the classifier is fit on (default 10,000).
///   - evalSize: fresh points it is scored on (default 5,000).
/// - Returns: the classifier's accuracy on the training and the evaluation points.
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let s = betaVAEScore(dataset: data, representation: { encoder.mean($0) }, rng: &rng)
/// print(s.trainAccuracy, s.evalAccuracy)
/// ```
public func betaVAEScore(dataset: GroundTruthDataset, representation: (Tensor) -> Tensor, rng: inout RandomGenerator,
                         batchSize: Int = 64, trainSize: Int = 10_000, evalSize: Int = 5_000) -> ClassifierScore {
    check(batchSize > 0 && trainSize > 0 && evalSize > 0, "betaVAEScore: sizes must be positive")
    func points(_ count: Int) -> ([[Double]], [Int]) {
        var x = [[Double]](), y = [Int]()
        for _ in 0..<count {
            let k = rng.int(below: dataset.numberOfFactors)
            let f1 = dataset.sampleFactors(batchSize, rng: &rng)
            var f2 = dataset.sampleFactors(batchSize, rng: &rng)
            for i in 0..<batchSize { f2[i][k] = f1[i][k] }
            let a = representRows(dataset, f1, representation, rng: &rng)
            let b = representRows(dataset, f2, representation, rng: &rng)
            let d = a[0].count
            var feature = [Double](repeating: 0, count: d)
            for i in 0..<batchSize { for j in 0..<d { feature[j] += Swift.abs(a[i][j] - b[i][j]) / Double(batchSize) } }
            x.append(feature); y.append(k)
        }
        return (x, y)
    }
    let (xTrain, yTrain) = points(trainSize)
    let model = LogisticRegression(features: xTrain, labels: yTrain)
    let train = accuracy(model.predict(xTrain), yTrain)
    let (xEval, yEval) = points(evalSize)
    return ClassifierScore(trainAccuracy: train, evalAccuracy: accuracy(model.predict(xEval), yEval))
}
