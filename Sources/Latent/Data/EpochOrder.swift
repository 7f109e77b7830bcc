/// The order in which an epoch visits a finite data set: a permutation that
/// depends on (seed, epoch) only, drawn from stream `shuffleStream + epoch` of
/// `seed`, so a resumed run, a data-parallel rank and a fresh process all see
/// the same batches. The one definition the image batcher and the flow trainer
/// share.
public enum EpochOrder {
    /// The stream base of the permutations.
    public static let shuffleStream: UInt64 = 0x5348_5546_0000_0000

    /// The permutation of `0..<count` for epoch `epoch` (0-based) of `seed`.
    public static func permutation(count: Int, epoch: Int, seed: UInt64) -> [Int] {
        var rng = RandomGenerator(seed: seed, stream: shuffleStream &+ UInt64(epoch))
        return rng.permutation(count)
    }
}
