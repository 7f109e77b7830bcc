import Foundation
import Testing
@testable import Latent

// One helper per kind of check: forward values vs a reference, gradient vs
// central finite differences, golden fixtures.

/// Deterministic test inputs.
func randomTensor(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
    var rng = RandomGenerator(seed: seed, stream: 99)
    return rng.uniform(shape, low: low, high: high)
}

/// Values away from zero in [0.2, 1] with random sign: keeps kinks (relu, abs, max) out of finite-difference reach.
func awayFromZero(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = RandomGenerator(seed: seed, stream: 98)
    let mag = rng.uniform(shape, low: 0.2, high: 1)
    let sign = rng.uniform(shape).greaterMask(0.5) * 2 - 1
    return mag * sign
}

/// Asserts element-wise |a - b| <= atol + rtol * |b|.
func expectClose(_ a: Tensor, _ b: [Double], atol: Double = 1e-5, rtol: Double = 1e-5, _ what: String = "",
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, "\(what): \(a.count) values vs \(b.count) expected", sourceLocation: sourceLocation)
    var worst = 0.0, worstIndex = -1
    for (i, (x, y)) in zip(a.scalars, b).enumerated() {
        let err = Swift.abs(Double(x) - y) - (atol + rtol * Swift.abs(y))
        if err > worst || (x.isNaN != y.isNaN) { worst = Swift.max(err, 1); worstIndex = i }
    }
    #expect(worstIndex < 0, "\(what): element \(worstIndex) is \(worstIndex >= 0 ? a.scalars[worstIndex] : 0), expected \(worstIndex >= 0 ? b[worstIndex] : 0) (atol \(atol), rtol \(rtol))", sourceLocation: sourceLocation)
}

func expectClose(_ a: Tensor, _ b: Tensor, atol: Double = 1e-5, rtol: Double = 1e-5, _ what: String = "",
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.shape == b.shape, "\(what): shape \(a.shape) vs \(b.shape)", sourceLocation: sourceLocation)
    expectClose(a, b.scalars.map(Double.init), atol: atol, rtol: rtol, what, sourceLocation: sourceLocation)
}

/// Checks the tape's gradient of sum(f(inputs) * u), u a fixed random weighting,
/// against central finite differences evaluated in Double.
///
/// Tolerance: forward passes run in Float32, so a difference with step h carries
/// rounding noise of about 1e-7 * |L| / h plus truncation O(h^2). With h = 1e-3
/// both stay below 1e-3 for the O(1) inputs used here; we accept
/// |analytic - numeric| <= tol * max(1, |numeric|) with tol = 1e-2, far below the
/// O(1) errors a wrong rule produces. Tensors above 64 elements are checked
/// along 3 random directions instead of element by element (JAX's check_grads).
func checkGradients(_ inputs: [Tensor], h: Float = 1e-3, tolerance: Double = 1e-2, _ what: String,
                    sourceLocation: SourceLocation = #_sourceLocation, _ f: ([Tensor]) -> Tensor) {
    // The library's checker (the same criterion, element by element up to 64 elements).
    let result = gradientCheck(inputs, step: h, tolerance: tolerance, f)
    #expect(result.passed, "\(what): \(result)", sourceLocation: sourceLocation)
}

/// Golden values written by Fixtures/make_fixtures.py (numpy, float64).
/// Regenerate with `python3 Tests/LatentTests/Fixtures/make_fixtures.py`.
struct Fixtures {
    let cases: [String: [String: Any]]

    static let shared: Fixtures = {
        guard let url = Bundle.module.url(forResource: "layers", withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: [String: Any]] else {
            fatalError("Fixtures/layers.json missing or unreadable; regenerate with python3 Tests/LatentTests/Fixtures/make_fixtures.py")
        }
        return Fixtures(cases: json)
    }()

    /// JSON numbers arrive as NSNumber (Int or Double) on Linux.
    static func numbers(_ any: Any?) -> [Double]? {
        guard let arr = any as? [Any] else { return nil }
        let out = arr.compactMap { ($0 as? NSNumber)?.doubleValue }
        return out.count == arr.count ? out : nil
    }

    func tensor(_ name: String, _ key: String) -> Tensor {
        guard let entry = cases[name]?[key] as? [String: Any],
              let shape = Fixtures.numbers(entry["shape"])?.map({ Int($0) }), let data = Fixtures.numbers(entry["data"]) else {
            fatalError("fixture \(name).\(key) missing")
        }
        return Tensor(shape: shape, scalars: data.map { Float($0) })
    }

    func values(_ name: String, _ key: String) -> [Double] {
        guard let entry = cases[name]?[key] as? [String: Any], let data = Fixtures.numbers(entry["data"]) else {
            fatalError("fixture \(name).\(key) missing")
        }
        return data
    }

    func config(_ name: String, _ key: String) -> Double {
        guard let c = cases[name]?["config"] as? [String: Any], let v = (c[key] as? NSNumber)?.doubleValue else {
            fatalError("fixture \(name).config.\(key) missing")
        }
        return v
    }
}
