/// Streaming, mergeable mean and covariance in double precision.
///
/// Each batch is centred on its own mean before it is merged (Chan et al.), so
/// data far from zero (say 1e4 + N(0, 1) in float32) keeps full precision.
/// Accumulators from different shards merge exactly.
///
/// ```swift
/// var acc = MomentAccumulator(dimension: 10)
/// for batch in batches { acc.add(batch) }     // batch: (n, 10)
/// let cov = acc.covariance()                   // biased, 1/N
/// ```
public struct MomentAccumulator: Sendable {
    /// The number of columns D of every row added.
    public let dimension: Int
    /// The number of rows added so far, merged accumulators included.
    public private(set) var count: Int64 = 0
    /// The mean of the rows so far, (D); zeros before any row.
    public private(set) var mean: [Double]
    /// Sum of (x - mean)(x - mean)^T, row-major (D, D).
    public private(set) var comoment: [Double]

    /// An empty accumulator for rows of `dimension` columns; stops the program unless it is positive.
    public init(dimension: Int) {
        check(dimension > 0, "MomentAccumulator: dimension must be positive, got \(dimension)")
        self.dimension = dimension
        mean = Array(repeating: 0, count: dimension)
        comoment = Array(repeating: 0, count: dimension * dimension)
    }

    /// Adds a batch of rows (n, D); an empty batch changes nothing. Stops the program on another shape.
    public mutating func add(_ batch: Tensor) {
        check(batch.rank == 2 && batch.shape[1] == dimension, "MomentAccumulator.add: batch shape \(batch.shape) does not match dimension \(dimension)")
        if batch.shape[0] == 0 { return }
        K.momentsUpdate(count: &count, mean: &mean, comoment: &comoment, x: batch)
    }

    /// Merges another accumulator (another shard of the same data), as if its rows had been
    /// added here. Stops the program if the dimensions differ.
    public mutating func merge(_ other: MomentAccumulator) {
        check(other.dimension == dimension, "MomentAccumulator.merge: dimensions \(dimension) and \(other.dimension) differ")
        if other.count == 0 { return }
        K.momentsMerge(count: &count, mean: &mean, comoment: &comoment, otherCount: other.count, otherMean: other.mean, otherComoment: other.comoment)
    }

    /// The covariance, row-major (D, D): biased (1/N) by default, unbiased (1/(N-1)) on request;
    /// all NaN when there are too few rows.
    public func covariance(unbiased: Bool = false) -> [Double] {
        let denom = Double(unbiased ? count - 1 : count)
        return comoment.map { denom > 0 ? $0 / denom : .nan }
    }
}
