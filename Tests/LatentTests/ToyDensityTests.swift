import Foundation
import Testing
@testable import Latent

/// The 2-D toy densities against their documented moments.
///
/// Tolerance: each sample moment is compared with its expected value within 5 standard
/// errors, the standard error estimated from the same sample (sd / sqrt(n)); with
/// n = 20,000 a wrong constant (a missing /1.414, a swapped arc) moves a moment by tens
/// of standard errors, while a correct sampler fails with probability ~ 1e-6 per check.
@Suite struct ToyDensityTests {
    static let n = 20_000

    /// E[g(V)] for V ~ U[0, 1) by the midpoint rule (error ~ 1e-9 for these smooth g).
    static func expectation(_ g: (Double) -> Double) -> Double {
        let k = 200_000
        return (0..<k).reduce(0.0) { $0 + g((Double($1) + 0.5) / Double(k)) } / Double(k)
    }

    /// Expected (E x, E y, E x^2, E y^2) of each density, derived from its definition.
    static func expectedMoments(_ d: ToyDensity) -> [Double] {
        switch d {
        case .twoMoons:
            // x0: cos s or 1 - cos s (mean 0.5, E x0^2 = 1 + 0.01); y0: sin s or 0.5 - sin s
            // (mean 0.25, E y0^2 = 0.635 - 1/pi); then 2 p + (-1, -0.2).
            let ey2 = 0.635 - 1 / Double.pi
            return [0, 0.3, 4 * 1.01 - 4 * 0.5 + 1, 4 * ey2 - 0.8 * 0.25 + 0.04]
        case .eightGaussians:
            let v = (16 * 0.5 + 0.25) / (1.414 * 1.414)
            return [0, 0, v, v]
        case .twentyFiveGaussians:
            let v = (4 * 2 + 0.0025) / (2.828 * 2.828)
            return [0, 0, v, v]
        case .checkerboard:
            return [0, 0, 16.0 / 3, 16.0 / 3]
        case .pinwheel:
            return [0, 0, 2.2, 2.2]
        case .rings:
            let v = 9 * (1 + 0.5625 + 0.25 + 0.0625) / 4 / 2 + 0.0064
            return [0, 0, v, v]
        case .twoSpirals:
            func t(_ v: Double) -> Double { v.squareRoot() * 3 * Double.pi }
            let ex2 = (expectation { t($0) * t($0) * cos(t($0)) * cos(t($0)) } - 0.5 * expectation { t($0) * cos(t($0)) } + 1.0 / 12) / 9 + 0.01
            let ey2 = (expectation { t($0) * t($0) * sin(t($0)) * sin(t($0)) } + 0.5 * expectation { t($0) * sin(t($0)) } + 1.0 / 12) / 9 + 0.01
            return [0, 0, ex2, ey2]
        case .swissRoll:
            func t(_ v: Double) -> Double { 1.5 * Double.pi * (1 + 2 * v) }
            return [expectation { t($0) * cos(t($0)) } / 5, expectation { t($0) * sin(t($0)) } / 5,
                    (expectation { t($0) * t($0) * cos(t($0)) * cos(t($0)) } + 1) / 25,
                    (expectation { t($0) * t($0) * sin(t($0)) * sin(t($0)) } + 1) / 25]
        }
    }

    @Test(arguments: ToyDensity.allCases)
    func momentsMatchTheDefinition(_ density: ToyDensity) {
        var rng = RandomGenerator(seed: 2024)
        let x = density.sample(Self.n, rng: &rng)
        #expect(x.shape == [Self.n, 2])
        let v = x.scalars.map(Double.init)
        let expected = Self.expectedMoments(density)
        for (k, (coord, power)) in [(0, 1), (1, 1), (0, 2), (1, 2)].enumerated() {
            let values = (0..<Self.n).map { Foundation.pow(v[2 * $0 + coord], Double(power)) }
            let mean = values.reduce(0, +) / Double(Self.n)
            let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(Self.n - 1)).squareRoot()
            let se = sd / Double(Self.n).squareRoot()
            #expect(Swift.abs(mean - expected[k]) <= 5 * se + 1e-6,
                    "\(density.name): E[x\(coord + 1)^\(power)] = \(mean), expected \(expected[k]) +- \(5 * se)")
        }
    }

    @Test func samplesAreReproducibleAndSeedDependent() {
        for d in ToyDensity.allCases {
            var a = RandomGenerator(seed: 1), b = RandomGenerator(seed: 1), c = RandomGenerator(seed: 2)
            let x = d.sample(101, rng: &a)
            #expect(x.scalars == d.sample(101, rng: &b).scalars, "\(d.name)")
            #expect(x.scalars != d.sample(101, rng: &c).scalars, "\(d.name)")
            #expect(x.scalars.allSatisfy { $0.isFinite })
        }
        var r = RandomGenerator(seed: 0)
        #expect(ToyDensity.rings.sample(0, rng: &r).shape == [0, 2])
    }

    @Test func checkerboardOccupiesOnlyEvenSquares() {
        var rng = RandomGenerator(seed: 4)
        let v = ToyDensity.checkerboard.sample(5000, rng: &rng).scalars
        for i in 0..<5000 {
            let a = Int((v[2 * i] / 2).rounded(.down)), b = Int((v[2 * i + 1] / 2).rounded(.down))
            #expect((a + b) % 2 == 0, "point (\(v[2 * i]), \(v[2 * i + 1])) in an odd square")
            #expect(Swift.abs(v[2 * i]) <= 4 && Swift.abs(v[2 * i + 1]) <= 4)
        }
    }

    @Test func mixtureComponentsSitWhereDocumented() {
        // 8 gaussians: every point within 5 sd (2.5 / 1.414) of one of the 8 centres.
        var rng = RandomGenerator(seed: 8)
        let g8 = ToyDensity.eightGaussians.sample(4000, rng: &rng).scalars
        var hits = [Int](repeating: 0, count: 8)
        for i in 0..<4000 {
            let p = (Double(g8[2 * i]) * 1.414, Double(g8[2 * i + 1]) * 1.414)
            func distance(_ k: Int) -> Double {
                let a = Double(k) * Double.pi / 4
                return hypot(p.0 - 4 * cos(a), p.1 - 4 * sin(a))
            }
            let k = (0..<8).min { distance($0) < distance($1) }!
            #expect(distance(k) < 2.5)
            hits[k] += 1
        }
        #expect(hits.allSatisfy { Swift.abs($0 - 500) < 130 }, "\(hits)")
        // Rings: radius within 5 sd (0.4) of 3, 2.25, 1.5 or 0.75, a quarter of the points each.
        let r = ToyDensity.rings.sample(4000, rng: &rng).scalars
        var perRing = [0, 0, 0, 0]
        for i in 0..<4000 {
            let radius = hypot(Double(r[2 * i]), Double(r[2 * i + 1]))
            let k = [3.0, 2.25, 1.5, 0.75].enumerated().min { Swift.abs($0.1 - radius) < Swift.abs($1.1 - radius) }!.offset
            perRing[k] += 1
        }
        #expect(perRing.allSatisfy { Swift.abs($0 - 1000) < 40 }, "\(perRing)")
    }
}
