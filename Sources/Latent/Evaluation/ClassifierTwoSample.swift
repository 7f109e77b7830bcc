import Foundation

/// Classifier two-sample test (Lopez-Paz & Oquab 2017): label A as 1 and B as 0, train a
/// small classifier on a random half, and count correct predictions on the other half.
/// Under H0 no classifier beats chance, so the number correct on t held-out examples is
/// Binomial(t, 1/2) (given balanced sets); the p-value is its upper tail P(X >= correct).
///
/// The classifier is an MLP with two hidden layers (LeakyReLU 0.2) trained with Adam on
/// standardised inputs (the training half's mean and standard deviation). The two sets are
/// cut to the same size first so that chance is exactly 1/2.
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let r = ClassifierTwoSampleTest().run(a, b, rng: &rng)
/// print(r.statistic)   // held-out accuracy; ~0.5 when A and B are alike
/// ```
public struct ClassifierTwoSampleTest: Sendable {
    /// Width of both hidden layers of the MLP classifier.
    public var hidden: Int
    /// Adam steps on minibatches of the training half.
    public var steps: Int
    /// Minibatch size (at most the size of the training half).
    public var batchSize: Int
    /// Adam's learning rate.
    public var learningRate: Float
    /// Largest number of examples used from each set: both sets are cut at random to
    /// min(nA, nB, maxSamples) examples.
    public var maxSamples: Int

    /// A test with the given classifier and training settings; the defaults train a
    /// 64-unit MLP for 500 steps of batch 128 at learning rate 1e-3 on at most 5000 examples per set.
    public init(hidden: Int = 64, steps: Int = 500, batchSize: Int = 128, learningRate: Float = 1e-3, maxSamples: Int = 5000) {
        self.hidden = hidden
        self.steps = steps
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.maxSamples = maxSamples
    }

    /// Runs the test on two sets of rows (any shape (n, ...), flattened per example), each
    /// with at least 4 examples of one size (stops otherwise). The statistic is the held-out
    /// accuracy and the p-value its binomial upper tail; `nA` and `nB` are the full set sizes
    /// and `details` hold `test_examples` and `correct`.
    public func run(_ a: Tensor, _ b: Tensor, rng: inout RandomGenerator) -> TwoSampleTestResult {
        let xa = flatRows(a), xb = flatRows(b)
        check(xa.shape[1] == xb.shape[1], "ClassifierTwoSampleTest: examples of different sizes \(xa.shape[1]) and \(xb.shape[1])")
        let per = Swift.min(xa.shape[0], xb.shape[0], maxSamples)
        check(per >= 4, "ClassifierTwoSampleTest: each set needs at least 4 examples")
        let ia = Array(rng.permutation(xa.shape[0]).prefix(per)), ib = Array(rng.permutation(xb.shape[0]).prefix(per))
        let half = per / 2
        // Train on the first half of each set, test on the rest (balanced both ways).
        let trainX = concatenate([xa.gathering(rows: Array(ia[..<half])), xb.gathering(rows: Array(ib[..<half]))], axis: 0)
        let testX = concatenate([xa.gathering(rows: Array(ia[half...])), xb.gathering(rows: Array(ib[half...]))], axis: 0)
        let trainY = [Float](repeating: 1, count: half) + [Float](repeating: 0, count: half)
        let testY = [Float](repeating: 1, count: per - half) + [Float](repeating: 0, count: per - half)

        // Standardise with the training half's statistics.
        let mean = trainX.mean(axis: 0)
        let std = sqrt(square(trainX - mean).mean(axis: 0) + 1e-8)
        let tr = ((trainX - mean) / std).detached(), te = ((testX - mean) / std).detached()

        let d = tr.shape[1]
        let net = MLP([d, hidden, hidden, 1], activation: .leakyReLU(0.2), rng: &rng)
        let opt = Adam(net.parameters, learningRate: learningRate)
        let nTrain = tr.shape[0]
        let bs = Swift.min(batchSize, nTrain)
        var order = rng.permutation(nTrain), cursor = 0
        for _ in 0..<steps {
            if cursor + bs > nTrain { order = rng.permutation(nTrain); cursor = 0 }
            let idx = Array(order[cursor..<(cursor + bs)])
            cursor += bs
            let y = Tensor(shape: [bs, 1], scalars: idx.map { trainY[$0] })
            let loss = binaryCrossEntropy(logits: net(tr.gathering(rows: idx)), targets: y).mean()
            backward(loss, to: net.parameters)
            opt.step()
        }
        let logits = withoutGradients { net(te) }.scalars
        let correct = zip(logits, testY).filter { ($0.0 > 0) == ($0.1 > 0.5) }.count
        let t = testY.count
        return TwoSampleTestResult(test: "c2st", statistic: Double(correct) / Double(t), pValue: binomialUpperTail(correct, n: t),
                                   nA: xa.shape[0], nB: xb.shape[0], details: ["test_examples": Double(t), "correct": Double(correct)])
    }
}
