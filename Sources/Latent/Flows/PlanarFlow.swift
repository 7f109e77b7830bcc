import Foundation

/// A planar flow (Rezende & Mohamed 2015): f(z) = z + u_hat tanh(w.z + b).
///
/// u_hat = u + (m(w.u) - w.u) w / |w|^2 with m(a) = -1 + softplus(a) keeps
/// w.u_hat >= -1, so f is invertible. f is the sampling direction
/// (``inverse(_:context:)``, noise to data), with
/// log|det| = log|1 + (1 - tanh^2(w.z + b)) w.u_hat|. There is no closed-form
/// inverse: ``forward(_:context:)`` solves the 1-D equation along w
/// numerically and records no gradient; use planar flows where only sampling
/// and the sample's density are needed (VAE posteriors).
///
/// ```swift
/// let flows = FlowSequence((0..<4).map { _ in PlanarFlow(features: 2, rng: &rng) })
/// let (z, logDet) = flows.inverse(eps)      // log q(z) = log N(eps) - logDet
/// ```
public final class PlanarFlow: Flow {
    /// The raw direction u (features) of the update; the map uses ``constrainedU()`` in its place.
    public let u: Parameter
    /// The normal w (features) of the hyperplane w.z + b.
    public let w: Parameter
    /// The offset b (1) of the hyperplane w.z + b.
    public let b: Parameter
    /// Training-mode flag required by ``Module``; the flow behaves the same in both modes.
    public var isTraining = true

    /// A planar flow on `features` features; u and w start uniform in [-a, a) with
    /// a = 1/sqrt(features), and b at 0.
    public init(features: Int, rng: inout RandomGenerator) {
        let bound = 1 / Float(features).squareRoot()
        u = Parameter(rng.uniform([features], low: -bound, high: bound))
        w = Parameter(rng.uniform([features], low: -bound, high: bound))
        b = Parameter(Tensor.zeros([1]))
    }

    /// The parameters `u`, `w` and `b`.
    public var namedParameters: [(name: String, parameter: Parameter)] { [("u", u), ("w", w), ("b", b)] }

    /// u_hat (features): u corrected along w so that w.u_hat >= -1, which keeps the map
    /// invertible; differentiable in u and w.
    public func constrainedU() -> Tensor {
        let wv = w.value, uv = u.value
        let wu = (wv * uv).sum()
        let m = softplus(wu) - 1
        return uv + (m - wu) * wv / (wv * wv).sum()
    }

    /// Noise to data, f(z) = z + u_hat tanh(w.z + b) for z (N, D), differentiable; log-det
    /// log|1 + (1 - tanh^2(w.z + b)) w.u_hat|, shape (N).
    public func inverse(_ z: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) {
        let d = w.shape[0]
        check(z.rank == 2 && z.shape[1] == d, "PlanarFlow(\(d)): input shape \(z.shape)")
        let uh = constrainedU()
        let h = tanh(matmul(z, w.value.reshaped([d, 1])) + b.value)          // (N, 1)
        let out = z + h * uh.reshaped([1, d])
        let psiU = (1 - h * h) * (w.value * uh).sum()                           // (N, 1)
        return (out, log(abs(psiU + 1)).reshaped([-1]))
    }

    /// Data to noise: solves f(z) = x by bisection along w in double precision, without gradients;
    /// log-det -log|det df/dz| at the solution, shape (N).
    public func forward(_ x: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) {
        let d = w.shape[0]
        check(x.rank == 2 && x.shape[1] == d, "PlanarFlow(\(d)): input shape \(x.shape)")
        return withoutGradients {
            let uh = constrainedU().scalars.map(Double.init)
            let wv = w.value.scalars.map(Double.init), bv = Double(b.value.scalar)
            let uw = zip(uh, wv).reduce(0) { $0 + $1.0 * $1.1 }
            let n = x.shape[0], xs = x.scalars
            var out = [Float](repeating: 0, count: n * d), ld = [Float](repeating: 0, count: n)
            for r in 0..<n {
                let row = xs[(r * d)..<((r + 1) * d)].map(Double.init)
                let wx = zip(row, wv).reduce(0) { $0 + $1.0 * $1.1 }
                // With a = w.z: a + uw tanh(a + b) = w.x, increasing in a since uw >= -1;
                // |a - w.x| <= |uw| brackets the root. Bisection to double precision.
                var lo = wx - Swift.abs(uw) - 1, hi = wx + Swift.abs(uw) + 1
                for _ in 0..<200 {
                    let mid = 0.5 * (lo + hi)
                    if mid + uw * Foundation.tanh(mid + bv) < wx { lo = mid } else { hi = mid }
                    if hi - lo <= 1e-15 * Swift.max(1, Swift.abs(mid)) { break }
                }
                let a = 0.5 * (lo + hi), t = Foundation.tanh(a + bv)
                for j in 0..<d { out[r * d + j] = Float(row[j] - uh[j] * t) }
                ld[r] = Float(-Foundation.log(Swift.abs(1 + (1 - t * t) * uw)))
            }
            return (Tensor(shape: x.shape, scalars: out), Tensor(ld))
        }
    }
}
