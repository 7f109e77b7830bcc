/// A data set whose generative factors are known (dSprites and friends).
///
/// Factors are class indices: factor f takes values 0..<factorSizes[f]. The
/// disentanglement scores need exactly this interface: sample factors, render
/// observations from them, and fix one factor while resampling the others.
///
/// ```swift
/// let data = DSprites()
/// var rng = RandomGenerator(seed: 0)
/// let factors = data.sampleFactors(64, rng: &rng)          // 64 x 5
/// let images = data.observations(fromFactors: factors, rng: &rng)  // (64, 1, 64, 64)
/// ```
public protocol GroundTruthDataset: Sendable {
    /// The name used on the command line (`dsprites`, `shapes-tiny`, ...).
    var name: String { get }
    /// Human-readable factor names, one per factor.
    var factorNames: [String] { get }
    /// Number of values of each factor.
    var factorSizes: [Int] { get }
    /// Shape of one observation, channels first: (C, H, W).
    var observationShape: [Int] { get }
    /// Observations in [0, 1] for the given factor rows, shape (n, C, H, W).
    /// `rng` drives any randomness in rendering (noise, colour).
    func observations(fromFactors factors: [[Int]], rng: inout RandomGenerator) -> Tensor
    /// Whether observations are exactly 0 or 1 (dSprites); exported as uint8 0/1 like the
    /// original archive rather than as round(255 x).
    var isBinary: Bool { get }
}

extension GroundTruthDataset {
    /// By default false: observations may take any value in [0, 1] and are exported as
    /// round(255 x).
    public var isBinary: Bool { false }

    /// The number of factors, `factorSizes.count`.
    public var numberOfFactors: Int { factorSizes.count }

    /// Total number of factor combinations.
    public var gridSize: Int { factorSizes.reduce(1, *) }

    /// n factor rows, each factor uniform and independent.
    public func sampleFactors(_ n: Int, rng: inout RandomGenerator) -> [[Int]] {
        var rows = [[Int]](repeating: [], count: n)
        for i in 0..<n { rows[i] = factorSizes.map { rng.int(below: $0) } }
        return rows
    }

    /// Flat index of a factor row, last factor fastest (the dSprites order).
    public func index(ofFactors f: [Int]) -> Int {
        check(f.count == factorSizes.count, "\(name): \(f.count) factors given, \(factorSizes.count) expected")
        var idx = 0
        for (v, size) in zip(f, factorSizes) {
            check(v >= 0 && v < size, "\(name): factor value \(v) out of range 0..<\(size)")
            idx = idx * size + v
        }
        return idx
    }

    /// Factor row of a flat index, last factor fastest.
    public func factors(atIndex index: Int) -> [Int] {
        check(index >= 0 && index < gridSize, "\(name): index \(index) out of range 0..<\(gridSize)")
        var rest = index
        var f = [Int](repeating: 0, count: factorSizes.count)
        for i in stride(from: factorSizes.count - 1, through: 0, by: -1) {
            f[i] = rest % factorSizes[i]
            rest /= factorSizes[i]
        }
        return f
    }
}
