/// Binary masks for coupling layers: 1 marks the features that pass through
/// unchanged and condition the scale and shift networks, 0 the ones transformed.
///
/// ```swift
/// let m0 = CouplingMask.alternating(2, parity: 0)                            // [1, 0]
/// let m1 = CouplingMask.checkerboard(channels: 1, height: 4, width: 4, parity: 1)
/// let m2 = CouplingMask.channel(channels: 4, height: 8, width: 8, parity: 0) // first 2 channels kept
/// ```
public enum CouplingMask: Sendable {
    /// (dimensions): 1 at even indices for parity 0, at odd indices for parity 1.
    public static func alternating(_ dimensions: Int, parity: Int) -> Tensor {
        Tensor((0..<dimensions).map { ($0 + parity) % 2 == 0 ? 1 : 0 })
    }

    /// (C, H, W): 1 where (row + column + parity) is even, the same in every channel.
    public static func checkerboard(channels: Int, height: Int, width: Int, parity: Int) -> Tensor {
        var v: [Float] = []
        v.reserveCapacity(channels * height * width)
        for _ in 0..<channels {
            for i in 0..<height { for j in 0..<width { v.append((i + j + parity) % 2 == 0 ? 1 : 0) } }
        }
        return Tensor(shape: [channels, height, width], scalars: v)
    }

    /// (C, H, W): the first half of the channels is 1 for parity 0, the second half for parity 1.
    public static func channel(channels: Int, height: Int, width: Int, parity: Int) -> Tensor {
        check(channels >= 2, "CouplingMask.channel: needs at least 2 channels, got \(channels)")
        let half = channels / 2
        var v: [Float] = []
        v.reserveCapacity(channels * height * width)
        for c in 0..<channels {
            let kept = (c < half) == (parity == 0)
            v.append(contentsOf: [Float](repeating: kept ? 1 : 0, count: height * width))
        }
        return Tensor(shape: [channels, height, width], scalars: v)
    }
}
