import Foundation

/// The 2-D toy densities of FFJORD (Grathwohl et al. 2019) and WGAN-GP, by their
/// command-line names. Every sampler takes an explicit seeded generator and returns
/// (n, 2) points.
///
/// Definitions (N standard normal, U uniform [0, 1)):
/// - `two-moons`: sklearn make_moons with noise 0.1: half the points (n/2 rounded down) on the
///   upper arc (cos s, sin s), the rest on the lower arc (1 - cos s, 0.5 - sin s), s ~ U[0, pi];
///   plus N(0, 0.1^2) per coordinate; then p -> 2p + (-1, -0.2); rows shuffled.
///   Mean (0, 0.3).
/// - `8gaussians`: centre chosen uniformly among radius 4, angles k * 45 deg; plus 0.5 N;
///   all divided by 1.414. Mean 0, variance per coordinate (8 + 0.25) / 1.414^2.
/// - `25gaussians`: centre uniformly among (2i, 2j), i, j in -2...2; plus 0.05 N; divided
///   by 2.828. Mean 0, variance per coordinate (8 + 0.0025) / 2.828^2.
/// - `checkerboard`: x1 = 4U - 2; x2 = U - 2 B + (floor(x1) mod 2), B ~ Bernoulli(1/2);
///   both times 2. Each coordinate is uniform on [-4, 4) (variance 16/3), and
///   floor(x1/2) + floor(x2/2) is always even.
/// - `pinwheel`: arm k uniform in 0..<5; f = (1 + 0.3 N, 0.1 N); rotate f counter-clockwise by
///   2 pi k / 5 + 0.25 exp(f1); times 2. Mean 0, E|p|^2 = 4 (1 + 0.09 + 0.01).
/// - `rings`: radii 1, 0.75, 0.5, 0.25 (n/4 points on each of the first three, the rest on the
///   smallest), angles evenly spaced on each ring; times 3; plus N(0, 0.08^2); rows shuffled.
/// - `2spirals`: t = sqrt(U) * 3 pi; half the points (n - n/2) at (-cos(t) t + 0.5U, sin(t) t + 0.5U),
///   the rest the negation of such points; divided by 3; plus N(0, 0.1^2); rows shuffled.
/// - `swissroll`: t = 1.5 pi (1 + 2U); (t cos t, t sin t) + N(0, 1) per coordinate; divided by 5.
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let x = ToyDensity.eightGaussians.sample(512, rng: &rng)   // (512, 2)
/// ```
public enum ToyDensity: String, CaseIterable, Sendable {
    /// `two-moons`: two interleaved noisy half circles (sklearn's make_moons), rescaled.
    case twoMoons = "two-moons"
    /// `8gaussians`: 8 Gaussians on a circle of radius 4 / 1.414.
    case eightGaussians = "8gaussians"
    /// `25gaussians`: 25 narrow Gaussians on a 5 x 5 grid.
    case twentyFiveGaussians = "25gaussians"
    /// `checkerboard`: uniform on 8 of the 16 squares (side 2) of a checkerboard covering [-4, 4)^2.
    case checkerboard
    /// `pinwheel`: 5 curved arms around the origin.
    case pinwheel
    /// `rings`: 4 concentric noisy circles of radii 3, 2.25, 1.5 and 0.75.
    case rings
    /// `2spirals`: two interleaved noisy spirals, one the negation of the other.
    case twoSpirals = "2spirals"
    /// `swissroll`: a 2-D swiss-roll spiral with unit Gaussian noise before scaling by 1/5.
    case swissRoll = "swissroll"

    /// The command-line name, which is the raw value (`two-moons`, `8gaussians`, ...).
    public var name: String { rawValue }

    /// `n` points of this density as an (n, 2) tensor, drawn from `rng` as defined above.
    /// Stops the program if `n` is negative.
    public func sample(_ n: Int, rng: inout RandomGenerator) -> Tensor {
        check(n >= 0, "\(name): negative sample count \(n)")
        var p = [Double](repeating: 0, count: 2 * n)
        // Draw whole blocks of uniforms / normals once (fast, and the stream layout is fixed).
        func uniforms(_ k: Int) -> [Double] { rng.uniform([k]).scalars.map(Double.init) }
        func normals(_ k: Int) -> [Double] { rng.normal([k]).scalars.map(Double.init) }
        var shuffle = false

        switch self {
        case .twoMoons:
            let s = uniforms(n), z = normals(2 * n)
            let upper = n / 2
            for i in 0..<n {
                let a = Double.pi * s[i]
                var x = i < upper ? cos(a) : 1 - cos(a)
                var y = i < upper ? sin(a) : 0.5 - sin(a)
                x += 0.1 * z[2 * i]; y += 0.1 * z[2 * i + 1]
                p[2 * i] = 2 * x - 1; p[2 * i + 1] = 2 * y - 0.2
            }
            shuffle = true
        case .eightGaussians:
            let u = uniforms(n), z = normals(2 * n)
            for i in 0..<n {
                let k = Swift.min(Int(u[i] * 8), 7)
                let a = Double(k) * Double.pi / 4
                p[2 * i] = (4 * cos(a) + 0.5 * z[2 * i]) / 1.414
                p[2 * i + 1] = (4 * sin(a) + 0.5 * z[2 * i + 1]) / 1.414
            }
        case .twentyFiveGaussians:
            let u = uniforms(n), z = normals(2 * n)
            for i in 0..<n {
                let k = Swift.min(Int(u[i] * 25), 24)
                let cx = Double(2 * (k / 5 - 2)), cy = Double(2 * (k % 5 - 2))
                p[2 * i] = (cx + 0.05 * z[2 * i]) / 2.828
                p[2 * i + 1] = (cy + 0.05 * z[2 * i + 1]) / 2.828
            }
        case .checkerboard:
            let u = uniforms(3 * n)
            for i in 0..<n {
                let x1 = 4 * u[3 * i] - 2
                let b: Double = u[3 * i + 2] < 0.5 ? 1 : 0
                // floor(x1) mod 2 as Python computes it (non-negative for negative x1).
                let parity = Double(((Int(x1.rounded(.down)) % 2) + 2) % 2)
                let x2 = u[3 * i + 1] - 2 * b + parity
                p[2 * i] = 2 * x1; p[2 * i + 1] = 2 * x2
            }
        case .pinwheel:
            let u = uniforms(n), z = normals(2 * n)
            for i in 0..<n {
                let k = Swift.min(Int(u[i] * 5), 4)
                let f1 = 1 + 0.3 * z[2 * i], f2 = 0.1 * z[2 * i + 1]
                let a = 2 * Double.pi * Double(k) / 5 + 0.25 * exp(f1)
                p[2 * i] = 2 * (cos(a) * f1 - sin(a) * f2)
                p[2 * i + 1] = 2 * (sin(a) * f1 + cos(a) * f2)
            }
        case .rings:
            let z = normals(2 * n)
            let q = n / 4
            let counts = [q, q, q, n - 3 * q], radii = [1.0, 0.75, 0.5, 0.25]
            var i = 0
            for (count, r) in zip(counts, radii) {
                for k in 0..<count {
                    let a = 2 * Double.pi * Double(k) / Double(count)
                    p[2 * i] = 3 * r * cos(a) + 0.08 * z[2 * i]
                    p[2 * i + 1] = 3 * r * sin(a) + 0.08 * z[2 * i + 1]
                    i += 1
                }
            }
            shuffle = true
        case .twoSpirals:
            let u = uniforms(3 * n), z = normals(2 * n)
            let first = n - n / 2
            for i in 0..<n {
                let t = u[3 * i].squareRoot() * 3 * Double.pi
                var x = -cos(t) * t + 0.5 * u[3 * i + 1]
                var y = sin(t) * t + 0.5 * u[3 * i + 2]
                if i >= first { x = -x; y = -y }
                p[2 * i] = x / 3 + 0.1 * z[2 * i]
                p[2 * i + 1] = y / 3 + 0.1 * z[2 * i + 1]
            }
            shuffle = true
        case .swissRoll:
            let u = uniforms(n), z = normals(2 * n)
            for i in 0..<n {
                let t = 1.5 * Double.pi * (1 + 2 * u[i])
                p[2 * i] = (t * cos(t) + z[2 * i]) / 5
                p[2 * i + 1] = (t * sin(t) + z[2 * i + 1]) / 5
            }
        }

        var out = [Float](repeating: 0, count: 2 * n)
        let order = shuffle ? rng.permutation(n) : Array(0..<n)
        for (dst, src) in order.enumerated() {
            out[2 * dst] = Float(p[2 * src]); out[2 * dst + 1] = Float(p[2 * src + 1])
        }
        return Tensor(shape: [n, 2], scalars: out)
    }
}
