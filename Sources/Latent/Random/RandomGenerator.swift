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
    /// The Philox key: generators with the same seed, stream and counter draw the same numbers.
    public let seed: UInt64
    /// Which of the seed's independent sequences this generator walks.
    public let stream: UInt64
    /// The position of the next draw on this stream: elements drawn so far, each draw rounded
    /// up to whole blocks of 4 (a permutation of n takes 2n, an integer takes 2).
    public private(set) var counter: UInt64

    /// A generator at position `counter` of stream `stream` of `seed`; a saved (seed, stream,
    /// counter) resumes the exact sequence.
    public init(seed: UInt64, stream: UInt64 = 0, counter: UInt64 = 0) {
        self.seed = seed
        self.stream = stream
        self.counter = counter
    }

    /// A generator on another stream of the same seed, starting at counter 0; this one is unchanged.
    public func forked(stream: UInt64) -> RandomGenerator { RandomGenerator(seed: seed, stream: stream) }

    /// Advances so that the next draw starts on a fresh 4-element block
    /// (normals come in pairs of one block; keeps draws aligned and reproducible).
    private mutating func take(_ n: Int) -> UInt64 {
        let start = counter
        counter += UInt64((n + 3) / 4 * 4)
        return start
    }

    /// A tensor of `shape` of independent uniform [0, 1) draws (multiples of 2^-24).
    public mutating func uniform(_ shape: [Int]) -> Tensor {
        let off = take(shape.reduce(1, *))
        return K.uniform(shape, seed: seed, stream: stream, offset: off)
    }

    /// A tensor of `shape` of independent uniform draws in [low, high), as `low + (high - low) u`.
    public mutating func uniform(_ shape: [Int], low: Float, high: Float) -> Tensor {
        let u = uniform(shape)
        return u * (high - low) + low
    }

    /// A tensor of `shape` of independent standard normal draws (Box-Muller).
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

    /// A tensor of `shape` of independent normal draws with the given mean and standard deviation.
    public mutating func normal(_ shape: [Int], mean: Float, std: Float) -> Tensor {
        normal(shape) * std + mean
    }

    /// Bernoulli(p) draws as 0/1 floats, 1 where a uniform draw is below p; `p` broadcasts
    /// against `shape` and gets no gradient.
    public mutating func bernoulli(_ shape: [Int], probability p: Tensor) -> Tensor {
        let u = uniform(shape)
        // 1 exactly when u < p, so p = 0 never fires and p = 1 always does.
        return p.detached().expanded(to: shape).greaterMask(than: u)
    }

    /// A tensor of `shape` of Bernoulli(p) draws as 0/1 floats, with one probability for all.
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

    /// A uniform integer in 0..<n from 64 random bits (bias below n / 2^64); stops the program
    /// unless n is positive.
    public mutating func int(below n: Int) -> Int {
        check(n > 0, "RandomGenerator.int(below:): n must be positive, got \(n)")
        let off = take(2)
        let b = K.bits(2, seed: seed, stream: stream, offset: off)
        let v = UInt64(b[0]) << 32 | UInt64(b[1])
        return Int(v % UInt64(n))  // bias < n / 2^64
    }
}
