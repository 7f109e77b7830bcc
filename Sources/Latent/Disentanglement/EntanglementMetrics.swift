/// How metrics score an identity representation and its entangled twin on the
/// same ground-truth factors (the construction's consequence made measurable).
public struct EntangledScoring: Sendable {
    /// The metric's name: "mig", "sap" or "modularity".
    public var metric: String
    /// The score of the identity codes (factor index + U(0, 1)) / size.
    public var identity: Double
    /// The score of the same codes passed through the entangling map.
    public var entangled: Double
}

/// Codes for factor rows (n, k): the identity representation (factor index + U(0, 1)) / size,
/// whose marginals are exactly uniform on [0, 1) when the factors are drawn uniformly, and the
/// same codes passed through `map`, which needs one marginal per factor. Both are (n, k) rows.
public func identityAndEntangledCodes(_ factors: [[Int]], sizes: [Int], map: EntanglingMap, rng: inout RandomGenerator) -> (identity: [[Double]], entangled: [[Double]]) {
    let n = factors.count, d = sizes.count
    let jitter = rng.uniform([n, d]).scalars
    var flat = [Float](repeating: 0, count: n * d)
    for i in 0..<n { for j in 0..<d { flat[i * d + j] = (Float(factors[i][j]) + jitter[i * d + j]) / Float(sizes[j]) } }
    let z = Tensor(shape: [n, d], scalars: flat)
    let fz = withoutGradients { map(z) }.scalars
    let rows = { (v: [Float]) in (0..<n).map { i in (0..<d).map { Double(v[i * d + $0]) } } }
    return (rows(flat), rows(fz))
}

/// MIG, SAP and modularity of the identity and the entangled codes of a ground-truth set:
/// an entangling map of uniform marginals, `train` and `test` factor rows drawn uniformly,
/// all from `seed`. One ``EntangledScoring`` per metric; throws the metrics' ``MetricError``.
public func scoreIdentityVersusEntangled(dataset: GroundTruthDataset, train: Int = 4000, test: Int = 2000, seed: UInt64 = 0) throws -> [EntangledScoring] {
    var rng = RandomGenerator(seed: seed)
    let sizes = dataset.factorSizes
    let map = EntanglingMap(marginals: Array(repeating: UniformMarginal(), count: sizes.count), rng: &rng)
    let trainFactors = dataset.sampleFactors(train, rng: &rng), testFactors = dataset.sampleFactors(test, rng: &rng)
    let tr = identityAndEntangledCodes(trainFactors, sizes: sizes, map: map, rng: &rng)
    let te = identityAndEntangledCodes(testFactors, sizes: sizes, map: map, rng: &rng)
    let migI = try mutualInformationGap(codes: tr.identity, factors: trainFactors)
    let migE = try mutualInformationGap(codes: tr.entangled, factors: trainFactors)
    let sapI = try sapScore(trainCodes: tr.identity, trainFactors: trainFactors, testCodes: te.identity, testFactors: testFactors)
    let sapE = try sapScore(trainCodes: tr.entangled, trainFactors: trainFactors, testCodes: te.entangled, testFactors: testFactors)
    let modI = try modularityExplicitness(trainCodes: tr.identity, trainFactors: trainFactors, testCodes: te.identity, testFactors: testFactors)
    let modE = try modularityExplicitness(trainCodes: tr.entangled, trainFactors: trainFactors, testCodes: te.entangled, testFactors: testFactors)
    return [EntangledScoring(metric: "mig", identity: migI, entangled: migE),
            EntangledScoring(metric: "sap", identity: sapI, entangled: sapE),
            EntangledScoring(metric: "modularity", identity: modI.modularity, entangled: modE.modularity)]
}
