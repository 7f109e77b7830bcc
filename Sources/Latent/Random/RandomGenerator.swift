/// A counter-based random generator (Philox4x32-10) keyed by (seed, stream).
///
/// Each draw advances a counter; the value of draw number c is a pure function
/// of (seed, stream, c). So example i of step t can be given its own stream or
/// offset, and the numbers never depend on how work is split across threads
/// or processes. One seed reproduces a run bit for bit.
///
/// ```swift
/// var rng = RandomGenerator(seed: 42)
/// let z = rng.normal([512, 2])
/// var worker = rng.forked(stream: 3)   // independent stream, same seed
/// ```
public struct RandomGenerator: Sendable {
    public let seed: UInt64
    public let stream: UInt64
    /// Elements drawn so far on this stream.
    public private(set) var counter: UInt64

    public init(seed: UInt64, stream: UInt64 = 0, counter: UInt64 = 0) {
        self.seed = seed
        self.stream = stream
        self.counter = counter
    }

    /// Another stream of the same seed, starting at counter 0.
    public func forked(stream: UInt64) -> RandomGenerator { RandomGenerator(seed: seed, stream: stream) }

    /// Advances so that the next draw starts on a fresh 4-element block
    /// (normals come in pairs of one block; keeps draws aligned and reproducible).
    private mutating func take(_ n: Int) -> UInt64 {
        let start = counter
        counter += UInt64((n + 3) / 4 * 4)
        return start
    }

    /// Uniform [0, 1) draws.
    public mutating func uniform(_ shape: [Int]) -> Tensor {
        let off = take(shape.reduce(1, *))
        return K.uniform(shape, seed: seed, stream: stream, offset: off)
    }

    /// Uniform [low, high) draws.
    public mutating func uniform(_ shape: [Int], low: Float, high: Float) -> Tensor {
        let u = uniform(shape)
        return u * (high - low) + low
    }

    /// Standard normal draws.
    public mutating func normal(_ shape: [Int]) -> Tensor {
        let off = take(shape.reduce(1, *))
        return K.normal(shape, seed: seed, stream: stream, offset: off)
    }

    /// Rows `rows` of a (total, width) standard normal draw: the same numbers as
    /// `normal([total, width]).slice(axis: 0, rows)`, and the counter advances by the
    /// whole draw. Row i is keyed by (seed, stream, counter, i), so processes that each
    /// draw their own rows of a batch get exactly the numbers one process would.
    public mutating func normal(rows: Range<Int>, of total: Int, width: Int) -> Tensor {
        check(rows.lowerBound >= 0 && rows.upperBound <= total, "RandomGenerator.normal(rows:of:width:): rows \(rows) outside 0..<\(total)")
        let off = take(total * width)
        return K.normal([rows.count, width], seed: seed, stream: stream, offset: off + UInt64(rows.lowerBound * width))
    }

    /// Normal draws with mean and standard deviation.
    public mutating func normal(_ shape: [Int], mean: Float, std: Float) -> Tensor {
        normal(shape) * std + mean
    }

    /// Bernoulli(p) draws as 0/1 floats; `p` broadcasts against `shape`.
    public mutating func bernoulli(_ shape: [Int], probability p: Tensor) -> Tensor {
        let u = uniform(shape)
        // 1 exactly when u < p, so p = 0 never fires and p = 1 always does.
        return p.detached().expanded(to: shape).greaterMask(than: u)
    }

    /// Bernoulli(p) draws with one probability.
    public mutating func bernoulli(_ shape: [Int], probability p: Float) -> Tensor {
        bernoulli(shape, probability: Tensor(repeating: p, shape: shape))
    }

    /// A uniformly random permutation of 0..<n (random keys, sorted).
    public mutating func permutation(_ n: Int) -> [Int] {
        let off = take(2 * n)
        let bits = K.bits(2 * n, seed: seed, stream: stream, offset: off)
        // 64-bit keys make ties (which would bias the order) practically impossible;
        // the index breaks any that remain.
        let keys = (0..<n).map { UInt64(bits[2 * $0]) << 32 | UInt64(bits[2 * $0 + 1]) }
        return (0..<n).sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
    }

    /// A uniform integer in 0..<n.
    public mutating func int(below n: Int) -> Int {
        check(n > 0, "RandomGenerator.int(below:): n must be positive, got \(n)")
        let off = take(2)
        let b = K.bits(2, seed: seed, stream: stream, offset: off)
        let v = UInt64(b[0]) << 32 | UInt64(b[1])
        return Int(v % UInt64(n))  // bias < n / 2^64
    }
}
