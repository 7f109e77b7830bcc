import Foundation

/// The outcome of ``gradientCheck(_:step:tolerance:_:)``: the worst
/// disagreement between the tape's gradient and central finite differences.
public struct GradientCheckResult: Sendable, CustomStringConvertible {
    /// The largest |analytic - numeric| / max(1, |numeric|) over every checked
    /// element or direction (a NaN error counts as infinity).
    public let maxError: Double
    /// Which entry or direction gave `maxError`, with both values.
    public let worst: String
    /// The tolerance the check was run with.
    public let tolerance: Double
    /// The largest |numeric| derivative seen: errors are relative to max(1, |numeric|),
    /// so a check whose derivatives are all far below 1 is a weak one; scale the
    /// function up until this is O(1).
    public let largestDerivative: Double
    /// Whether `maxError` is within `tolerance` (`maxError <= tolerance`).
    public var passed: Bool { maxError <= tolerance }

    /// A one-line report: passed or failed, `maxError`, `tolerance` and `worst`.
    public var description: String {
        "gradient check \(passed ? "passed" : "failed"): max error \(String(format: "%.2e", maxError)) "
            + "(tolerance \(tolerance)) at \(worst); largest derivative \(String(format: "%.3g", largestDerivative))"
    }
}

/// Compares the gradients the tape computes for `f` at `inputs` with central
/// finite differences, as `torch.autograd.gradcheck`, and returns the worst
/// disagreement.
///
/// The output is reduced to a scalar through a fixed random projection u
/// (loss = sum(f(x) * u)), so every output entry counts. Inputs of up to 64
/// elements are perturbed one element at a time by +-`step`; larger ones along
/// three random directions (JAX's `check_grads`). In single precision a step of
/// 1e-3 leaves a truncation and rounding error near 1e-3 on O(1) values, so the
/// default tolerance, 1e-2 relative to max(1, |numeric|), is far below the O(1)
/// error of a wrong rule.
///
/// ```swift
/// let result = gradientCheck([x, w]) { t in softsign(matmul(t[0], t[1])) }
/// if !result.passed { print(result) }
/// ```
public func gradientCheck(_ inputs: [Tensor], step: Float = 1e-3, tolerance: Double = 1e-2,
                          _ f: ([Tensor]) -> Tensor) -> GradientCheckResult {
    let tracked = inputs.map { $0.detached().tracked() }
    let y = f(tracked)
    var rng = RandomGenerator(seed: 1234)
    let u = rng.uniform(y.shape, low: -1, high: 1)
    let analytic = gradients(of: (y * u).sum(), wrt: tracked)
    let weights = u.scalars

    // The perturbed inputs are untracked, so f records nothing on them; it may
    // still take gradients of its own (a gradient penalty does).
    func objective(_ xs: [Tensor]) -> Double {
        zip(f(xs).elements, weights).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
    func probe(_ i: Int, _ direction: Tensor) -> Double {
        var plus = inputs.map { $0.detached() }, minus = plus
        plus[i] = inputs[i].detached() + direction * step
        minus[i] = inputs[i].detached() - direction * step
        return (objective(plus) - objective(minus)) / Double(2 * step)
    }

    var maxError = 0.0, worst = "no inputs", largest = 0.0
    func record(_ a: Double, _ numeric: Double, _ at: String) {
        largest = Swift.max(largest, Swift.abs(numeric))
        var error = Swift.abs(a - numeric) / Swift.max(1, Swift.abs(numeric))
        if error.isNaN { error = .infinity }
        if error >= maxError { maxError = error; worst = "\(at): analytic \(a), numeric \(numeric)" }
    }
    for (i, x) in inputs.enumerated() {
        check(analytic[i].shape == x.shape, "gradientCheck: gradient of shape \(analytic[i].shape) for input \(i) of shape \(x.shape)")
        let g = analytic[i].elements
        if x.count <= 64 {
            for j in 0..<x.count {
                var e = [Float](repeating: 0, count: x.count)
                e[j] = 1
                record(Double(g[j]), probe(i, Tensor(shape: x.shape, scalars: e)), "input \(i) element \(j)")
            }
        } else {
            for d in 0..<3 {
                let v = rng.uniform(x.shape, low: -1, high: 1)
                let a = zip(g, v.elements).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                record(a, probe(i, v), "input \(i) direction \(d)")
            }
        }
    }
    return GradientCheckResult(maxError: maxError, worst: worst, tolerance: tolerance, largestDerivative: largest)
}
