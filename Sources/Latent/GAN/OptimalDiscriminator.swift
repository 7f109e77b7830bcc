import Foundation

/// The GAN theory of Goodfellow et al. (2014), Proposition 1 and Theorem 1, made measurable.
///
/// For a fixed generator with density p and data density pi, the discriminator that
/// maximises V(G, D) = E_pi[log D] + E_p[log(1 - D)] is D*(x) = pi(x) / (pi(x) + p(x)),
/// and V(G, D*) = 2 JSD(pi || p) - log 4 (so -log 4 exactly when pi = p, where D* = 1/2).
///
/// `OptimalDiscriminatorExperiment` trains a real discriminator network on samples of
/// two known densities, then compares it with D* on a grid and integrates V and the JSD
/// numerically (a sum over the grid points, each weighted by one cell volume).
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let e = OptimalDiscriminatorExperiment.bimodalVersusNormal1D
/// let r = e.run(steps: 2000, rng: &rng)
/// print(r.maxAbsError, r.valueOptimal, r.twoJSDMinusLog4)
/// ```
public struct OptimalDiscriminatorExperiment: Sendable {
    /// A label for the experiment, copied into the report.
    public var name: String
    /// The data density pi: the discriminator's real samples are drawn from it.
    public var data: GaussianMixture
    /// The fixed generator density p: the discriminator's fake samples are drawn
    /// from it (no generator is trained).
    public var generator: GaussianMixture
    /// The integration interval on every axis: the grid covers `range` to the
    /// power of the dimension.
    public var range: ClosedRange<Double>
    /// Grid points per axis, both ends of ``range`` included: gridPoints^d points
    /// in all, spaced (upper - lower) / (gridPoints - 1) apart.
    public var gridPoints: Int
    /// The hidden-layer widths of the discriminator MLP ``run(steps:rng:)``
    /// trains (default [64, 64]).
    public var hidden: [Int] = [64, 64]
    /// Samples drawn from each of pi and p per training step (default 512).
    public var batchSize = 512
    /// Adam's base learning rate in ``run(steps:rng:)`` (default 1e-3), decayed
    /// by a cosine to 5% of it over the run.
    public var learningRate: Float = 1e-3

    /// Creates an experiment that compares data density `data` with generator
    /// density `generator` on a grid of `gridPoints` per axis over `range`, with
    /// the default training settings; densities of different dimensions stop the
    /// program.
    public init(name: String, data: GaussianMixture, generator: GaussianMixture, range: ClosedRange<Double>, gridPoints: Int) {
        check(data.dimension == generator.dimension, "OptimalDiscriminatorExperiment: pi and p differ in dimension")
        self.name = name
        self.data = data
        self.generator = generator
        self.range = range
        self.gridPoints = gridPoints
    }

    /// 1-D: pi = 0.5 N(-1.5, 0.5^2) + 0.5 N(1.5, 0.5^2) against p = N(0, 1), on
    /// [-6, 6] with 1201 grid points.
    public static let bimodalVersusNormal1D = OptimalDiscriminatorExperiment(
        name: "1-D: bimodal pi vs p = N(0,1)",
        data: GaussianMixture(means: [[-1.5], [1.5]], stds: [0.5, 0.5]),
        generator: .gaussian(mean: [0], std: 1), range: -6...6, gridPoints: 1201)

    /// 1-D: pi = p = N(0, 1), where D* = 1/2 and V(G, D*) = -log 4; on [-6, 6]
    /// with 1201 grid points.
    public static let equal1D = OptimalDiscriminatorExperiment(
        name: "1-D: pi = p = N(0,1)",
        data: .gaussian(mean: [0], std: 1), generator: .gaussian(mean: [0], std: 1), range: -6...6, gridPoints: 1201)

    /// 2-D: pi = 8 gaussians against p = N(0, 1.5^2 I), on [-7, 7]^2 with 201
    /// points per axis and a wider discriminator (hidden [128, 128]).
    public static let eightGaussiansVersusNormal2D: OptimalDiscriminatorExperiment = {
        var e = OptimalDiscriminatorExperiment(
            name: "2-D: 8 gaussians vs p = N(0,1.5^2 I)",
            data: .eightGaussians, generator: .gaussian(mean: [0, 0], std: 1.5), range: -7...7, gridPoints: 201)
        e.hidden = [128, 128]   // eight sharp bumps need a wider net than the 1-D cases
        return e
    }()

    /// 2-D: pi = p = 8 gaussians, where D* = 1/2 and V(G, D*) = -log 4; on
    /// [-7, 7]^2 with 201 points per axis.
    public static let equal2D = OptimalDiscriminatorExperiment(
        name: "2-D: pi = p = 8 gaussians",
        data: .eightGaussians, generator: .eightGaussians, range: -7...7, gridPoints: 201)

    /// What the experiment measured: the trained discriminator's error against
    /// D*, and V(G, D) and the JSD integrated on the grid.
    public struct Report: Sendable {
        /// The experiment's ``OptimalDiscriminatorExperiment/name``.
        public var name: String
        /// The largest |D - D*| over the grid points where the mixture (pi + p)/2 is
        /// at least 5% of its peak on the grid (outside, hardly any sample constrains D).
        public var maxAbsError: Double
        /// The mean |D - D*| over the grid, weighted by the mixture density (pi + p)/2.
        public var meanAbsError: Double
        /// The grid point (a coordinate vector) where ``maxAbsError`` occurs.
        public var worstPoint: [Double]
        /// V(G, D) = E_pi[log D] + E_p[log(1 - D)] for the trained D, integrated on
        /// the grid.
        public var valueTrained: Double
        /// V(G, D*) for the optimal discriminator, integrated on the grid from log
        /// densities (exact in the tails); Theorem 1 says it equals ``twoJSDMinusLog4``
        /// when the box holds all the mass.
        public var valueOptimal: Double
        /// JSD(pi || p) integrated on the grid, in nats (0 when pi = p).
        public var jsd: Double
        /// 2 ``jsd`` - log 4: the value of V(G, D*) that Theorem 1 predicts.
        public var twoJSDMinusLog4: Double
        /// The probability mass of (pi + p)/2 inside the integration box (should be ~1).
        public var massInBox: Double
    }

    /// The integration grid: gridPoints^d points, each a coordinate vector (the
    /// last coordinate varying fastest), and the volume h^d of one cell, with
    /// h = (upper - lower) / (gridPoints - 1).
    public func grid() -> (points: [[Double]], cell: Double) {
        let d = data.dimension
        let h = (range.upperBound - range.lowerBound) / Double(gridPoints - 1)
        let axis = (0..<gridPoints).map { range.lowerBound + Double($0) * h }
        var points: [[Double]] = [[]]
        for _ in 0..<d { points = points.flatMap { p in axis.map { p + [$0] } } }
        return (points, Foundation.pow(h, Double(d)))
    }

    /// D*(x) = pi / (pi + p) from the log densities log pi(x) and log p(x), as
    /// 1 / (1 + exp(log p - log pi)); 1/2 where both are -infinity.
    public static func optimalDiscriminator(logPi: Double, logP: Double) -> Double {
        if logPi == -.infinity && logP == -.infinity { return 0.5 }
        return 1 / (1 + Foundation.exp(logP - logPi))
    }

    /// Integrates V(G, D), JSD(pi || p) and the mass of (pi + p)/2 on the grid,
    /// for a discriminator given by `logD` and `log1mD`: log D(x) and
    /// log(1 - D(x)) at each point of ``grid()``, in its order.
    public func integrals(logD: [Double], log1mD: [Double]) -> (value: Double, jsd: Double, mass: Double) {
        let (points, cell) = grid()
        var v = 0.0, jsd = 0.0, mass = 0.0
        for (i, x) in points.enumerated() {
            let a = data.density(x), b = generator.density(x)
            let m = 0.5 * (a + b)
            mass += m * cell
            if a > 0 { v += a * logD[i] * cell; jsd += 0.5 * a * Foundation.log(a / m) * cell }
            if b > 0 { v += b * log1mD[i] * cell; jsd += 0.5 * b * Foundation.log(b / m) * cell }
        }
        return (v, jsd, mass)
    }

    /// Trains a fresh discriminator MLP (``hidden``, LeakyReLU 0.2) against the
    /// fixed generator density for `steps` Adam steps (learning rate decayed by a
    /// cosine), each on ``batchSize`` samples of pi and of p with
    /// ``GANLoss/discriminator(realLogits:fakeLogits:)``, then returns
    /// ``measure(logits:)`` of it.
    public func run(steps: Int, rng: inout RandomGenerator) -> Report {
        let d = data.dimension
        let net = MLP([d] + hidden + [1], activation: .leakyReLU(0.2), rng: &rng)
        let opt = Adam(net.parameters, learningRate: learningRate, schedule: .cosine(totalSteps: steps, minimumFactor: 0.05))
        for _ in 0..<steps {
            let x = data.sample(batchSize, rng: &rng)
            let g = generator.sample(batchSize, rng: &rng)
            let loss = GANLoss.discriminator(realLogits: net(x), fakeLogits: net(g))
            backward(loss, to: net.parameters)
            opt.step()
        }
        return measure(logits: { x in withoutGradients { net(x) } })
    }

    /// Compares a discriminator, given as a logit function on (n, d) tensors, with
    /// D* on the grid and returns the report; D(x) = sigmoid(logit), and `logits`
    /// is called on chunks of at most 4096 grid points, one logit per row.
    public func measure(logits: (Tensor) -> Tensor) -> Report {
        let (points, _) = grid()
        let d = data.dimension
        var l: [Float] = []
        l.reserveCapacity(points.count)
        let chunk = 4096
        var start = 0
        while start < points.count {
            let end = Swift.min(start + chunk, points.count)
            let flat = points[start..<end].flatMap { $0.map(Float.init) }
            l += logits(Tensor(shape: [end - start, d], scalars: flat)).scalars
            start = end
        }
        // log D = -softplus(-l), log(1 - D) = -softplus(l), stable for any l.
        func softplus(_ z: Double) -> Double { z > 0 ? z + Foundation.log1p(Foundation.exp(-z)) : Foundation.log1p(Foundation.exp(z)) }
        let logD = l.map { -softplus(-Double($0)) }, log1mD = l.map { -softplus(Double($0)) }

        var logPi: [Double] = [], logP: [Double] = [], mix: [Double] = []
        for x in points {
            let a = data.logDensity(x), b = generator.logDensity(x)
            logPi.append(a); logP.append(b); mix.append(0.5 * (Foundation.exp(a) + Foundation.exp(b)))
        }
        let dStar = zip(logPi, logP).map { OptimalDiscriminatorExperiment.optimalDiscriminator(logPi: $0, logP: $1) }
        let peak = mix.max() ?? 0
        var maxErr = 0.0, weighted = 0.0, weight = 0.0, worst = 0
        for i in points.indices {
            let err = Swift.abs(Foundation.exp(logD[i]) - dStar[i])
            if mix[i] >= 0.05 * peak && err > maxErr { maxErr = err; worst = i }
            weighted += mix[i] * err
            weight += mix[i]
        }
        let trained = integrals(logD: logD, log1mD: log1mD)
        // log D* = log pi - log(pi + p), log(1 - D*) = log p - log(pi + p), exact in the tails.
        let logSum = zip(logPi, logP).map { a, b -> Double in
            let m = Swift.max(a, b)
            return m == -.infinity ? m : m + Foundation.log(Foundation.exp(a - m) + Foundation.exp(b - m))
        }
        let optimal = integrals(logD: zip(logPi, logSum).map { $0 - $1 }, log1mD: zip(logP, logSum).map { $0 - $1 })
        return Report(name: name, maxAbsError: maxErr, meanAbsError: weighted / Swift.max(weight, 1e-300), worstPoint: points[worst],
                      valueTrained: trained.value, valueOptimal: optimal.value, jsd: optimal.jsd,
                      twoJSDMinusLog4: 2 * optimal.jsd - Foundation.log(4.0), massInBox: optimal.mass)
    }
}
