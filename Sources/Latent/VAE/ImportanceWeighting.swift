import Foundation

extension VAE {
    /// The importance-weighted bound (Burda et al. 2016) per example, shape (N):
    /// log (1/k) sum_k p(x, z_k) / q(z_k|x) with z_k ~ q(z|x), by log-mean-exp.
    /// k = 1 is the (one-sample, non-analytic) ELBO; the bound rises towards log p(x) with k.
    ///
    /// ```swift
    /// let nll = -vae.importanceWeightedBound(x, samples: 100, rng: &rng).mean()
    /// ```
    public func importanceWeightedBound(_ x: Tensor, samples k: Int, rng: inout RandomGenerator, chunk: Int = 4096) -> Tensor {
        check(k >= 1, "importanceWeightedBound: needs at least one sample")
        let n = x.shape[0]
        return withoutGradients {
            // Rows of examples so that each pass holds about `chunk` (example, sample) pairs.
            let rows = Swift.max(1, chunk / k)
            var out: [Tensor] = []
            var start = 0
            while start < n {
                let end = Swift.min(n, start + rows)
                let xb = x.slice(axis: 0, start..<end), m = end - start
                let tiled = concatenate(Array(repeating: xb, count: k), axis: 0)              // (k m, ...): sample-major
                let w = forward(tiled, noise: rng.normal([k * m, latentDimensions])).logWeight  // (k m)
                out.append(w.reshaped([k, m]).logMeanExp(axis: 0))
                start = end
            }
            return concatenate(out, axis: 0)
        }
    }

    /// Mean ELBO per example over a data set (analytic KL where available), in chunks.
    public func averageELBO(_ x: Tensor, rng: inout RandomGenerator, chunk: Int = 512) -> Double {
        var r = rng
        let e = inChunks(x, chunk: chunk) { xb in self.forward(xb, noise: r.normal([xb.shape[0], self.latentDimensions])).elbo }
        rng = r
        return e.scalars.reduce(0.0) { $0 + Double($1) } / Double(Swift.max(e.count, 1))
    }
}
