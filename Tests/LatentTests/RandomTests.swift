import Foundation
import CLatent
import Testing
@testable import Latent

/// The counter-based generator: known-answer vector, split independence,
/// distribution moments.
@Suite struct RandomTests {
    @Test func philoxKnownAnswer() {
        // Philox4x32-10, key (0, 0), counter (0, 0, 0, 0): Random123's published vector.
        var out = [UInt32](repeating: 0, count: 4)
        lt_random_bits_u32(&out, 4, 0, 0, 0)
        #expect(out == [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8])
    }

    @Test func drawsDoNotDependOnHowWorkIsSplit() {
        let whole = K.normal([40], seed: 5, stream: 2, offset: 0).scalars
        let part1 = K.normal([12], seed: 5, stream: 2, offset: 0).scalars
        let part2 = K.normal([28], seed: 5, stream: 2, offset: 12).scalars
        #expect(whole == part1 + part2)
        let u = K.uniform([9], seed: 5, stream: 2, offset: 3).scalars
        #expect(u == Array(K.uniform([12], seed: 5, stream: 2, offset: 0).scalars[3...]))
        // Same seed, same sequence; different stream, different sequence.
        var a = RandomGenerator(seed: 1), b = RandomGenerator(seed: 1), c = RandomGenerator(seed: 1, stream: 1)
        #expect(a.normal([10]).scalars == b.normal([10]).scalars)
        #expect(a.normal([10]).scalars != c.normal([10]).scalars)
    }

    @Test func momentsOfDistributions() {
        var rng = RandomGenerator(seed: 11)
        let n = 200_000
        let z = rng.normal([n]).scalars.map(Double.init)
        let mean = z.reduce(0, +) / Double(n)
        let variance = z.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
        let kurt = z.map { Foundation.pow($0 - mean, 4) }.reduce(0, +) / Double(n) / (variance * variance)
        // Standard errors: mean 1/sqrt(n) ~ 0.0022, variance sqrt(2/n) ~ 0.0032, kurtosis sqrt(24/n) ~ 0.011.
        #expect(Swift.abs(mean) < 0.01)
        #expect(Swift.abs(variance - 1) < 0.015)
        #expect(Swift.abs(kurt - 3) < 0.06)
        let u = rng.uniform([n]).scalars
        #expect(u.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(Swift.abs(u.map(Double.init).reduce(0, +) / Double(n) - 0.5) < 0.005)
        let b = rng.bernoulli([n], probability: 0.3).scalars
        #expect(Swift.abs(Double(b.reduce(0, +)) / Double(n) - 0.3) < 0.005)
        #expect(rng.bernoulli([100], probability: 0).scalars.allSatisfy { $0 == 0 })
        #expect(rng.bernoulli([100], probability: 1).scalars.allSatisfy { $0 == 1 })
    }

    @Test func permutationsAreUniform() {
        var rng = RandomGenerator(seed: 12)
        var firstCounts = [Int](repeating: 0, count: 5)
        for _ in 0..<5000 {
            let p = rng.permutation(5)
            #expect(p.sorted() == [0, 1, 2, 3, 4])
            firstCounts[p[0]] += 1
        }
        // Each element leads 1000 +- 28 (binomial sd) times.
        #expect(firstCounts.allSatisfy { Swift.abs($0 - 1000) < 150 }, "\(firstCounts)")
    }
}
