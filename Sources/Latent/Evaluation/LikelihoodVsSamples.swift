import Foundation

/// The lecture's two demonstrations that held-out likelihood and sample quality can
/// disagree (Theis, van den Oord & Bethge 2016), on any data set given as rows:
///
/// - **p**: a reasonable reference model, a Gaussian KDE whose bandwidth is chosen by
///   validation log-likelihood;
/// - **p1**: a KDE on the training points with a tiny bandwidth epsilon: its samples are
///   near-copies of training data (two-sample tests against held-out data cannot tell
///   them apart) yet its held-out log-likelihood is very poor;
/// - **p2** = 0.01 p + 0.99 noise (uniform on a box around the data): since
///   log p2(x) >= log 0.01 + log p(x), its log-likelihood is at most log 100 = 4.61 nats
///   below p's on every point (negligible next to hundreds of nats in high dimension),
///   yet 99% of its samples are noise.
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let demo = LikelihoodVsSamples(train: train, test: test, epsilon: 0.01)
/// for row in demo.run(sampleCount: 500, rng: &rng) {
///     print(row.name, row.heldOutLogLikelihood, row.mmd.pValue, row.c2st.statistic)
/// }
/// ```
public struct LikelihoodVsSamples: Sendable {
    /// Training rows (N, D): the stored points of p and p1.
    public var train: Tensor
    /// Held-out rows: scored by each model's log density and tested against its samples.
    public var test: Tensor
    /// p1's bandwidth.
    public var epsilon: Double
    /// Weight of the noise in p2.
    public var noiseWeight: Double = 0.99
    /// Bandwidths tried for p, as multiples of the data's overall standard deviation.
    public var bandwidthFactors: [Double] = [0.02, 0.05, 0.1, 0.2, 0.3, 0.5]
    /// Random relabellings in each MMD test.
    public var permutations = 200
    /// The classifier two-sample test run on each model's samples against the held-out rows.
    public var classifier = ClassifierTwoSampleTest()

    /// A demonstration on training and held-out sets of any shape (n, ...), flattened per
    /// example, with p1's bandwidth `epsilon`; the other settings keep their defaults.
    public init(train: Tensor, test: Tensor, epsilon: Double) {
        self.train = flatRows(train)
        self.test = flatRows(test)
        self.epsilon = epsilon
    }

    /// One model's results: its held-out log-likelihood and two-sample tests of its
    /// samples against the held-out rows.
    public struct ModelReport: Sendable {
        /// The model's name in the demonstration: "p", "p1" or "p2".
        public var name: String
        /// A one-line description of the model with its parameters (bandwidth, epsilon, noise box).
        public var summary: String
        /// Mean held-out log-likelihood in nats per example.
        public var heldOutLogLikelihood: Double
        /// The same in bits per dimension, -LL / (D ln 2); the densities are continuous, so it
        /// can be negative.
        public var bitsPerDimension: Double
        /// MMD test of the samples against the held-out rows, each set cut to at most
        /// min(2000, sampleCount) rows.
        public var mmd: TwoSampleTestResult
        /// Classifier two-sample test of the samples against the held-out rows.
        public var c2st: TwoSampleTestResult
        /// Samples drawn from the model, (sampleCount, D) rows, for pictures.
        public var samples: Tensor
    }

    /// The uniform noise box: the data's overall range widened by 10% each side.
    public var noiseBox: ClosedRange<Double> {
        let v = train.scalars
        let lo = Double(v.min() ?? 0), hi = Double(v.max() ?? 1)
        let r = Swift.max(hi - lo, 1e-6)
        return (lo - 0.1 * r)...(hi + 0.1 * r)
    }

    /// The standard deviation of all training values (bandwidth scale).
    var dataScale: Double {
        let v = train.scalars.map(Double.init)
        let m = v.reduce(0, +) / Double(v.count)
        return Swift.max((v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count)).squareRoot(), 1e-6)
    }

    /// Builds p, p1 and p2, scores them on the held-out set and tests `sampleCount`
    /// samples of each against held-out data; returns the reports of p, p1 and p2 in that order.
    /// p's bandwidth is the best of `bandwidthFactors` times the training values' standard
    /// deviation, fitted on 90% of the training rows and validated on the other 10%.
    public func run(sampleCount: Int, rng: inout RandomGenerator) -> [ModelReport] {
        let dims = train.shape[1]
        let nTrain = train.shape[0]
        // Bandwidth of p: fit on 90% of the training set, validate on 10%.
        let order = rng.permutation(nTrain)
        let cut = Swift.max(1, nTrain / 10)
        let valid = train.gathering(rows: Array(order[..<cut])).detached()
        let fit = train.gathering(rows: Array(order[cut...])).detached()
        let scale = dataScale
        let (h, _) = GaussianKDE.selectBandwidth(points: fit, validation: valid, candidates: bandwidthFactors.map { $0 * scale })
        let p = GaussianKDE(points: train, bandwidth: h)
        let p1 = GaussianKDE(points: train, bandwidth: epsilon)

        let box = noiseBox
        let logNoise = -Double(dims) * Foundation.log(box.upperBound - box.lowerBound)
        let llP = p.logDensity(test)
        let llP1 = p1.logDensity(test)
        let w = noiseWeight
        let llP2 = llP.map { lp -> Double in
            let a = Foundation.log(1 - w) + lp, b = Foundation.log(w) + logNoise
            let m = Swift.max(a, b)
            return m + Foundation.log(Foundation.exp(a - m) + Foundation.exp(b - m))
        }

        let sP = p.sample(sampleCount, rng: &rng)
        let sP1 = p1.sample(sampleCount, rng: &rng)
        // p2: each sample from p with probability 1 - w, else uniform noise in the box.
        let fromP = p.sample(sampleCount, rng: &rng).scalars
        let noise = rng.uniform([sampleCount, dims], low: Float(box.lowerBound), high: Float(box.upperBound)).scalars
        let pick = rng.uniform([sampleCount]).scalars
        var mixed = [Float](repeating: 0, count: sampleCount * dims)
        for i in 0..<sampleCount {
            let src = Double(pick[i]) < 1 - w ? fromP : noise
            for j in 0..<dims { mixed[i * dims + j] = src[i * dims + j] }
        }
        let sP2 = Tensor(shape: [sampleCount, dims], scalars: mixed)

        func report(_ name: String, _ summary: String, _ ll: [Double], _ s: Tensor, rng: inout RandomGenerator) -> ModelReport {
            let mean = ll.reduce(0, +) / Double(ll.count)
            var mmdTest = MMDTest(permutations: permutations)
            mmdTest.maxSamples = Swift.min(2000, sampleCount)
            return ModelReport(name: name, summary: summary, heldOutLogLikelihood: mean,
                               bitsPerDimension: -mean / (Double(dims) * Foundation.log(2.0)),
                               mmd: mmdTest.run(s, test, rng: &rng), c2st: classifier.run(s, test, rng: &rng), samples: s)
        }
        return [
            report("p", String(format: "KDE, bandwidth %.4g chosen on validation data", h), llP, sP, rng: &rng),
            report("p1", String(format: "KDE on training points, epsilon %.4g", epsilon), llP1, sP1, rng: &rng),
            report("p2", String(format: "%.2f p + %.2f uniform noise on [%.3g, %.3g]^%d", 1 - w, w, box.lowerBound, box.upperBound, dims),
                   llP2, sP2, rng: &rng),
        ]
    }
}

extension LikelihoodVsSamples {
    /// Held-out data beside the samples of each model, left to right: scatters on [-5, 5]^2 for
    /// 2-D toys, 6-column grids of 36 images for image data (rows in [0, 1], `data`'s shape).
    public static func samplesPicture(test: Tensor, reports: [ModelReport], data: GANData) -> RGBImage {
        if data.isToy {
            func pts(_ t: Tensor) -> [(Double, Double)] { let v = t.scalars; return (0..<t.shape[0]).map { (Double(v[2 * $0]), Double(v[2 * $0 + 1])) } }
            let range = (x: -5.0...5.0, y: -5.0...5.0)
            return Plot.sideBySide([Plot.scatter(title: "held-out data", points: pts(test), range: range, color: .blue)]
                                   + reports.map { Plot.scatter(title: "samples of \($0.name)", points: pts($0.samples), range: range, color: .orange) })
        }
        let shape = data.exampleShape
        let grids = ([test] + reports.map(\.samples)).map { t -> RGBImage in
            let n = Swift.min(36, t.shape[0])
            return RGBImage.grid(t.slice(axis: 0, 0..<n).reshaped([n] + shape).clamped(min: 0, max: 1), columns: 6, scale: 2)
        }
        return Plot.sideBySide(grids)
    }

    /// `latent demo likelihood`: the three models fitted on `trainSize` rows of `data`, their
    /// held-out likelihood and two-sample tests on `testSize` rows, the table and its reading as
    /// lines to print, and `out/samples.png` (held-out data, then each model's samples).
    public static func demonstrate(data: String, trainSize: Int, testSize: Int, epsilon: Double, samples: Int, permutations: Int,
                                   seed: UInt64, out: String) throws -> [String] {
        var lines: [String] = []
        let source = try GANData.named(data)
        var rng = RandomGenerator(seed: seed)
        var dataRng = rng.forked(stream: 1)
        let all = source.rows(trainSize + testSize, rng: &dataRng)
        let train = all.slice(axis: 0, 0..<trainSize).detached()
        let test = all.slice(axis: 0, trainSize..<(trainSize + testSize)).detached()
        var demo = Self(train: train, test: test, epsilon: epsilon)
        demo.permutations = permutations
        let dims = train.shape[1]
        lines.append("data \(data): \(trainSize) training and \(testSize) held-out points, \(dims) dimensions\(source.isToy ? "" : " (pixels dequantized: (v + U) / 256)")")
        let rows = demo.run(sampleCount: samples, rng: &rng)

        lines.append("")
        lines.append("model  held-out LL (nats)  bits/dim   MMD^2      MMD p    C2ST acc  C2ST p     what")
        for r in rows {
            lines.append(r.name.padding(toLength: 5, withPad: " ", startingAt: 0)
                  + String(format: "  %18.2f  %8.3f  %9.3g  %7.3f  %8.3f  %9.3g", r.heldOutLogLikelihood, r.bitsPerDimension,
                           r.mmd.statistic, r.mmd.pValue, r.c2st.statistic, r.c2st.pValue) + "  " + r.summary)
        }
        let p = rows[0], p1 = rows[1], p2 = rows[2]
        lines.append("")
        // The readings follow from the numbers: a test rejects at alpha = 0.05.
        let alpha = 0.05
        func verdict(_ r: ModelReport) -> String {
            let rejected = [("MMD", r.mmd.pValue), ("C2ST", r.c2st.pValue)].filter { $0.1 < alpha }.map(\.0)
            return rejected.isEmpty ? "neither two-sample test rejects its samples at alpha \(alpha)"
                                    : "\(rejected.joined(separator: " and ")) reject\(rejected.count == 1 ? "s" : "") its samples at alpha \(alpha)"
        }
        lines.append(String(format: "p1 vs p: held-out LL %.1f nats lower; ", p.heldOutLogLikelihood - p1.heldOutLogLikelihood)
                     + verdict(p1) + String(format: " (MMD p %.3g, C2ST accuracy %.2f, p %.3g).", p1.mmd.pValue, p1.c2st.statistic, p1.c2st.pValue))
        lines.append(String(format: "p2 vs p: held-out LL differs by %+.2f nats (bound: -log 100 = -%.2f, i.e. %.4f bits/dim); ",
                            p2.heldOutLogLikelihood - p.heldOutLogLikelihood, Foundation.log(100.0), Foundation.log(100.0) / (Double(dims) * Foundation.log(2.0)))
                     + verdict(p2) + String(format: " (MMD p %.3g, C2ST accuracy %.2f, p %.3g).", p2.mmd.pValue, p2.c2st.statistic, p2.c2st.pValue))

        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let path = out + "/samples.png"
        try samplesPicture(test: test, reports: rows, data: source).writePNG(path)
        lines.append("wrote \(path) (left to right: held-out data, p, p1, p2)")
        return lines
    }
}
