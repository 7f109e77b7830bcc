import Foundation

/// The construction behind Locatello et al. (2018)'s impossibility theorem:
/// for z with independent marginals (CDFs g_i) and an orthogonal A with no zero
/// entry, f(z) = g^-1(Phi(A Phi^-1(g(z)))) has exactly the distribution of z,
/// yet every output depends on every input. No unsupervised method can tell a
/// representation from its entangled twin by looking at the data distribution.
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let map = EntanglingMap(marginals: Array(repeating: UniformMarginal(), count: 3), rng: &rng)
/// let z = map.sample(1000, rng: &rng)
/// let fz = map(z)     // same marginals, fully entangled
/// ```
public struct EntanglingMap: Sendable {
    /// The distributions of the d coordinates of z, one per dimension; f(z) keeps each.
    public let marginals: [any Marginal]
    /// The d x d matrix A applied to the Gaussianised codes (stored detached).
    /// ``EntanglingMap/init(marginals:rng:)`` makes it orthogonal with no zero entry;
    /// ``EntanglingMap/init(marginals:rotation:)`` only checks its shape.
    public let rotation: Tensor
    /// CDF values are kept inside [epsilon, 1 - epsilon] so Phi^-1 stays finite.
    public let epsilon: Float = 1e-6

    /// A map with the given rotation A, of shape (d, d) for d marginals (stops otherwise).
    /// A must be orthogonal for f(z) to keep the distribution of z; that is not checked.
    public init(marginals: [any Marginal], rotation: Tensor) {
        check(rotation.shape == [marginals.count, marginals.count], "EntanglingMap: rotation \(rotation.shape) does not match \(marginals.count) marginals")
        self.marginals = marginals
        self.rotation = rotation.detached()
    }

    /// A map whose rotation is a random orthogonal matrix with no zero entry, drawn from
    /// `rng` by ``randomOrthogonalWithNonzeroEntries(_:rng:)`` (needs at least 2 marginals).
    public init(marginals: [any Marginal], rng: inout RandomGenerator) {
        self.init(marginals: marginals, rotation: randomOrthogonalWithNonzeroEntries(marginals.count, rng: &rng))
    }

    /// The number d of marginals: the width of z and of f(z).
    public var dimension: Int { marginals.count }

    /// Draws n codes z with independent coordinates, column i from `marginals[i]`: (n, d).
    public func sample(_ n: Int, rng: inout RandomGenerator) -> Tensor {
        concatenate(marginals.map { $0.sample(n, rng: &rng).reshaped([n, 1]) }, axis: 1)
    }

    /// Applies f row by row to z of shape (n, d), giving f(z) of the same shape;
    /// differentiable. Stops on any other shape.
    public func callAsFunction(_ z: Tensor) -> Tensor {
        check(z.rank == 2 && z.shape[1] == dimension, "EntanglingMap: input \(z.shape) needs (n, \(dimension))")
        let n = z.shape[0]
        let gauss = concatenate(marginals.enumerated().map { i, m in
            inverseNormalCDF(m.cdf(z.slice(axis: 1, i..<(i + 1))).clamped(min: epsilon, max: 1 - epsilon))
        }, axis: 1)
        let rotated = matmul(gauss, rotation, transposeB: true)           // each row: A h(g(z))
        let u = normalCDF(rotated).clamped(min: epsilon, max: 1 - epsilon)
        let out = concatenate(marginals.enumerated().map { i, m in m.quantile(u.slice(axis: 1, i..<(i + 1))) }, axis: 1)
        check(out.shape == [n, dimension], "entangling map: output shape \(out.shape) for \(n) codes of dimension \(dimension)")
        return out
    }

    /// Per-sample Jacobians df/dz by autodiff: (n, d, d), entry [s, i, j] = d f_i / d z_j at sample s.
    /// f acts row by row, so the gradient of sum_s f_i(z_s) gives row i for every sample at once.
    public func jacobians(at z: Tensor) -> Tensor {
        let n = z.shape[0], d = dimension
        var rows: [Tensor] = []
        for i in 0..<d {
            let zt = z.detached().tracked()
            let fi = self(zt).slice(axis: 1, i..<(i + 1)).sum()
            rows.append(gradients(of: fi, wrt: [zt])[0].reshaped([n, 1, d]))
        }
        return concatenate(rows, axis: 1)
    }
}

/// A random d x d orthogonal matrix (Gram-Schmidt of a Gaussian matrix) with
/// every entry at least 0.05 / sqrt(d) in magnitude (redrawn otherwise). Stops when d < 2.
public func randomOrthogonalWithNonzeroEntries(_ d: Int, rng: inout RandomGenerator) -> Tensor {
    check(d >= 2, "randomOrthogonalWithNonzeroEntries: needs d >= 2")
    while true {
        var q = (0..<d).map { _ in rng.normal([d]).scalars.map(Double.init) }
        for i in 0..<d {
            for j in 0..<i {
                let dot = zip(q[i], q[j]).map(*).reduce(0, +)
                for k in 0..<d { q[i][k] -= dot * q[j][k] }
            }
            let norm = q[i].map { $0 * $0 }.reduce(0, +).squareRoot()
            for k in 0..<d { q[i][k] /= norm }
        }
        let flat = q.flatMap { $0 }
        if flat.allSatisfy({ abs($0) >= 0.05 / Double(d).squareRoot() }) {
            return Tensor(shape: [d, d], scalars: flat.map { Float($0) })
        }
    }
}

/// The numbers ``checkEntanglement(_:samples:jacobianSamples:rng:)`` measures: whether
/// f(z) keeps each marginal (KS tests) and whether every output depends on every input
/// (Jacobian entries), as `latent demo entangle` prints them.
public struct EntanglementReport: Sendable {
    /// Per dimension i: the one-sample Kolmogorov-Smirnov statistic and p-value of the
    /// draws z_i against the CDF of `marginals[i]` (the baseline).
    public var ksOriginal: [(statistic: Double, pValue: Double)]
    /// Per dimension i: the same test for f(z)_i; a large p-value means f kept that marginal.
    public var ksEntangled: [(statistic: Double, pValue: Double)]
    /// Smallest |d f_i / d z_j| over the Jacobian samples and all pairs (i, j).
    public var minAbsPartial: Double
    /// Fraction of the Jacobian entries |d f_i / d z_j| above 1e-6, over the Jacobian
    /// samples and all pairs; 1 when every output depends on every input.
    public var nonzeroShare: Double
    /// Mean |d f_i / d z_j| over the Jacobian samples, as `meanAbsJacobian[i][j]` (d x d).
    public var meanAbsJacobian: [[Double]]
}

/// Measures the construction on `n` draws of z: a Kolmogorov-Smirnov test of each
/// coordinate of z and of f(z) against its marginal, and the autodiff Jacobians of f at
/// the first `jacobianSamples` draws (default 256). It reports the numbers and decides nothing.
public func checkEntanglement(_ map: EntanglingMap, samples n: Int, jacobianSamples: Int = 256, rng: inout RandomGenerator) -> EntanglementReport {
    let z = map.sample(n, rng: &rng)
    let fz = withoutGradients { map(z) }
    let d = map.dimension
    var ks0: [(Double, Double)] = [], ks1: [(Double, Double)] = []
    for i in 0..<d {
        let m = map.marginals[i]
        ks0.append(kolmogorovSmirnov(z.slice(axis: 1, i..<(i + 1)).scalars.map(Double.init), cdf: { m.cdf($0) }))
        ks1.append(kolmogorovSmirnov(fz.slice(axis: 1, i..<(i + 1)).scalars.map(Double.init), cdf: { m.cdf($0) }))
    }
    let jz = z.slice(axis: 0, 0..<min(jacobianSamples, n))
    let jac = map.jacobians(at: jz).scalars.map { abs(Double($0)) }
    let s = jz.shape[0]
    var mean = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
    for k in 0..<s { for i in 0..<d { for j in 0..<d { mean[i][j] += jac[(k * d + i) * d + j] / Double(s) } } }
    return EntanglementReport(ksOriginal: ks0.map { (statistic: $0.0, pValue: $0.1) }, ksEntangled: ks1.map { (statistic: $0.0, pValue: $0.1) },
                              minAbsPartial: jac.min() ?? 0, nonzeroShare: Double(jac.filter { $0 > 1e-6 }.count) / Double(max(jac.count, 1)),
                              meanAbsJacobian: mean)
}
