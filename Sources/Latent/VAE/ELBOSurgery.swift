import Foundation

/// ELBO surgery (Hoffman & Johnson 2016): the average ELBO over n points splits into
/// reconstruction - I_q[x, z] - KL(q(z) || p(z)), with q(z) = (1/n) sum_i q(z|x_i) the
/// aggregate posterior of the same n points.
///
/// Estimator: for each point i, `samplesPerPoint` draws z ~ q(z|x_i); log q(z) is evaluated
/// exactly as the n-component mixture (O(n^2 D) in Double), log q(z|x_i) and log p(z) exactly.
///   MI  = mean of log q(z|x_i) - log q(z),   marginal KL = mean of log q(z) - log p(z).
/// Both are unbiased for the n-point aggregate posterior (only the Monte Carlo average over z
/// is noisy), so MI <= log n holds for every sample. As estimates for the population's
/// aggregate posterior they are biased: MI low (it cannot exceed log n) and the marginal KL
/// correspondingly high. Their sum equals the Monte Carlo average KL on the same samples
/// exactly; against the analytic KL the gap is Monte Carlo error, reported as
/// ``ELBOSurgery/klStandardError``.
///
/// ```swift
/// let s = try ELBOSurgery.estimate(model: vae, data: x, rng: &rng)
/// print(s.reconstruction, s.mutualInformation, s.marginalKL, s.averageELBO)
/// ```
public struct ELBOSurgery: Sendable {
    /// Mean of log p(x_i|z) over points and samples.
    public var reconstruction: Double
    /// I_q[x, z] under the aggregate posterior of the n points; <= log n.
    public var mutualInformation: Double
    /// The marginal KL(q(z) || p(z)) of the n-point aggregate posterior to the prior.
    public var marginalKL: Double
    /// Mean KL(q(z|x_i) || p(z)): analytic for a standard normal prior, else the sample average.
    public var averageKL: Double
    /// Standard error of the Monte Carlo KL average (0 when the KL is a sample average itself).
    public var klStandardError: Double
    /// Mean ELBO = reconstruction - averageKL.
    public var averageELBO: Double { reconstruction - averageKL }
    /// The ELBO reassembled from the surgery terms, reconstruction - MI - marginal KL: equal to
    /// ``ELBOSurgery/averageELBO`` when the prior is not N(0, I), else within Monte Carlo error of it
    /// (``ELBOSurgery/klStandardError``).
    public var surgeryELBO: Double { reconstruction - mutualInformation - marginalKL }
    /// The number n of data points: the size of the aggregate posterior's mixture.
    public var points: Int
    /// log n in nats: the upper bound on ``ELBOSurgery/mutualInformation``.
    public var logN: Double { Foundation.log(Double(points)) }

    /// Estimates the three terms on `data` (n, ...); the model must have a Gaussian posterior
    /// (no posterior flow), since q(z|x_j) is evaluated at every other point's samples.
    public static func estimate(model: VAE, data: Tensor, samplesPerPoint: Int = 1, rng: inout RandomGenerator) throws -> ELBOSurgery {
        guard model.posteriorFlow == nil else {
            throw LatentError("ELBO surgery needs q(z|x) at arbitrary z; runs with a flow posterior are not supported (use --posterior gaussian)")
        }
        let n = data.shape[0], d = model.latentDimensions
        check(n >= 1 && samplesPerPoint >= 1, "ELBO surgery: needs n >= 1 and samplesPerPoint >= 1, got \(n) and \(samplesPerPoint)")
        var means: [Double] = [], logVars: [Double] = [], analyticKL: [Double] = []
        var zs: [Double] = [], recon: [Double] = [], logPrior: [Double] = []
        var r = rng
        withoutGradients {
            var start = 0
            while start < n {
                let end = Swift.min(n, start + 256)
                let xb = data.slice(axis: 0, start..<end)
                let q = model.encoder(xb)
                means += q.mean.scalars.map(Double.init)
                logVars += q.logVariance.scalars.map(Double.init)
                analyticKL += klToStandardNormal(mean: q.mean, logVariance: q.logVariance).scalars.map(Double.init)
                start = end
            }
            // Samples s-major: index (s * n + i).
            for _ in 0..<samplesPerPoint {
                var start = 0
                while start < n {
                    let end = Swift.min(n, start + 256)
                    let xb = data.slice(axis: 0, start..<end)
                    let pass = model.forward(xb, noise: r.normal([end - start, d]))
                    zs += pass.z.scalars.map(Double.init)
                    recon += pass.reconstruction.scalars.map(Double.init)
                    logPrior += pass.logPrior.scalars.map(Double.init)
                    start = end
                }
            }
        }
        rng = r
        let logTwoPi = Foundation.log(2 * Double.pi)
        let invVar = logVars.map { Foundation.exp(-$0) }
        // Per-component constant: -0.5 sum_d (log var + log 2 pi).
        let constants = (0..<n).map { j in -0.5 * (0..<d).reduce(0.0) { $0 + logVars[j * d + $1] + logTwoPi } }
        var sumMI = 0.0, sumMarginal = 0.0, sumKLmc = 0.0, sumDiff = 0.0, sumDiff2 = 0.0
        var logComponents = [Double](repeating: 0, count: n)
        let total = samplesPerPoint * n
        for s in 0..<total {
            let i = s % n
            let z = zs[(s * d)..<((s + 1) * d)]
            for j in 0..<n {
                var acc = 0.0
                for (k, zk) in z.enumerated() {
                    let diff = zk - means[j * d + k]
                    acc += diff * diff * invVar[j * d + k]
                }
                logComponents[j] = constants[j] - 0.5 * acc
            }
            let m = logComponents.max()!
            let logAggregate = m + Foundation.log(logComponents.reduce(0.0) { $0 + Foundation.exp($1 - m) }) - Foundation.log(Double(n))
            let logConditional = logComponents[i]
            sumMI += logConditional - logAggregate
            sumMarginal += logAggregate - logPrior[s]
            let klSample = logConditional - logPrior[s]
            sumKLmc += klSample
            let diff = klSample - analyticKL[i]
            sumDiff += diff
            sumDiff2 += diff * diff
        }
        let t = Double(total)
        let analytic = model.prior.isStandardNormal
        let averageKL = analytic ? analyticKL.reduce(0, +) / Double(n) : sumKLmc / t
        let variance = Swift.max(0, sumDiff2 / t - (sumDiff / t) * (sumDiff / t))
        return ELBOSurgery(reconstruction: recon.reduce(0, +) / t, mutualInformation: sumMI / t, marginalKL: sumMarginal / t,
                           averageKL: averageKL, klStandardError: analytic ? (variance / t).squareRoot() : 0, points: n)
    }
}
