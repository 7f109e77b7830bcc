import Foundation

/// Reconstructions, prior samples and latent traversals of a VAE as image tensors and PNG grids.
///
/// ```swift
/// try VAEPictures.reconstructions(vae, x).writePNG("recon.png")
/// try VAEPictures.traversalGrid(vae, x.slice(axis: 0, 0..<1)).writePNG("traversal.png")
/// ```
public enum VAEPictures: Sendable {
    /// Pairs of rows: originals, then their reconstructions below, `columns` per row.
    public static func reconstructions(_ model: VAE, _ x: Tensor, columns: Int = 8, scale: Int = 2) -> RGBImage {
        let r = model.reconstruct(x)
        let n = x.shape[0]
        var rows: [Tensor] = []
        var start = 0
        while start < n {
            let end = Swift.min(n, start + columns)
            var a = x.slice(axis: 0, start..<end), b = r.slice(axis: 0, start..<end)
            if end - start < columns {   // pad the last pair of rows with black images
                let pad = Tensor.zeros([columns - (end - start)] + Array(x.shape.dropFirst()))
                a = concatenate([a, pad], axis: 0); b = concatenate([b, pad], axis: 0)
            }
            rows += [a, b]
            start = end
        }
        return RGBImage.grid(concatenate(rows, axis: 0).clamped(min: 0, max: 1), columns: columns, scale: scale)
    }

    /// Means of p(x|z) for n prior draws z ~ p(z).
    public static func priorSamples(_ model: VAE, count n: Int, rng: inout RandomGenerator, scale: Int = 2) -> RGBImage {
        let images = withoutGradients { model.decode(model.prior.sample(n, rng: &rng)) }
        return RGBImage.grid(images.clamped(min: 0, max: 1), scale: scale)
    }

    /// The latent values of a traversal: `steps` evenly spaced values in `range`.
    public static func traversalValues(range: ClosedRange<Float>, steps: Int) -> [Float] {
        (0..<steps).map { range.lowerBound + (range.upperBound - range.lowerBound) * Float($0) / Float(Swift.max(steps - 1, 1)) }
    }

    /// Images of a traversal around the encoder mean of one example `x` (1, C, H, W): for each
    /// latent d (rows) and value v (columns), z = mean with z_d = v; shape (D * steps, C, H, W).
    public static func traversal(_ model: VAE, _ x: Tensor, range: ClosedRange<Float> = -2.5...2.5, steps: Int = 9) -> Tensor {
        let d = model.latentDimensions
        let mu = model.encodeMeans(x.slice(axis: 0, 0..<1)).scalars
        let values = traversalValues(range: range, steps: steps)
        var codes: [Float] = []
        for dim in 0..<d {
            for v in values {
                var z = mu
                z[dim] = v
                codes += z
            }
        }
        return withoutGradients { model.decode(Tensor(shape: [d * steps, d], scalars: codes)) }
    }

    /// A grid of ``VAEPictures/traversal(_:_:range:steps:)`` for every example of `x`: one row per latent,
    /// one column per value, the examples' rows stacked.
    public static func traversalGrid(_ model: VAE, _ x: Tensor, range: ClosedRange<Float> = -2.5...2.5, steps: Int = 9, scale: Int = 2) -> RGBImage {
        let parts = (0..<x.shape[0]).map { traversal(model, x.slice(axis: 0, $0..<($0 + 1)), range: range, steps: steps) }
        return RGBImage.grid(concatenate(parts, axis: 0).clamped(min: 0, max: 1), columns: steps, scale: scale)
    }
}

/// How cleanly each latent's traversal moves one ground-truth factor: a measured statement
/// about traversals.
///
/// A `reader` turns each traversed image (C*H*W values) into factor estimates (one number per
/// factor, on comparable scales). For latent d, c_f sums |change of factor f| over consecutive
/// traversal steps and examples. A latent is active when its mean KL(q(z_d|x) || N(0, 1)) on
/// `data` exceeds `activeKL` nats and some factor estimate changes along its traversals. Its
/// concentration is max_f c_f / sum_f c_f (1 when one factor changes alone); the report
/// averages it over active latents.
public struct TraversalFactorReport: Sendable {
    /// Per latent: summed change of each factor estimate.
    public var changes: [[Double]]
    /// Per latent: mean KL to N(0, 1) on the data (nats).
    public var klPerDimension: [Double]
    /// Per latent: whether it is active (mean KL above `activeKL` and a nonzero summed change).
    public var active: [Bool]
    /// Mean concentration over active latents (0 when none is active).
    public var meanConcentration: Double

    /// Measures the report: per-latent KLs on all of `data` (N, C, H, W) in one pass, and traversals of
    /// `steps` values in `range` around the encoder means of `examples` examples drawn from `data` with
    /// `rng` (with replacement), each image read by `reader`.
    public static func measure(model: VAE, data: Tensor, examples: Int = 8, range: ClosedRange<Float> = -2...2, steps: Int = 11,
                               activeKL: Double = 0.1, rng: inout RandomGenerator, reader: ([Float]) -> [Double]) -> TraversalFactorReport {
        let d = model.latentDimensions
        let m = data.count / Swift.max(data.shape[0], 1)
        let kls: [Double] = withoutGradients {
            let q = model.encoder(data)
            return ((exp(q.logVariance) + q.mean * q.mean - q.logVariance - 1) * 0.5).mean(axis: 0).scalars.map(Double.init)
        }
        var changes: [[Double]] = Array(repeating: [], count: d)
        for _ in 0..<examples {
            let idx = rng.int(below: data.shape[0])
            let t = VAEPictures.traversal(model, data.slice(axis: 0, idx..<(idx + 1)), range: range, steps: steps).scalars
            for dim in 0..<d {
                var previous: [Double]? = nil
                for s in 0..<steps {
                    let start = (dim * steps + s) * m
                    let f = reader(Array(t[start..<(start + m)]))
                    if changes[dim].isEmpty { changes[dim] = [Double](repeating: 0, count: f.count) }
                    if let previous { for k in 0..<f.count { changes[dim][k] += Swift.abs(f[k] - previous[k]) } }
                    previous = f
                }
            }
        }
        var active = [Bool](repeating: false, count: d)
        var concentration: [Double] = []
        for dim in 0..<d {
            let total = changes[dim].reduce(0, +)
            guard kls[dim] > activeKL, total > 0 else { continue }
            active[dim] = true
            concentration.append(changes[dim].max()! / total)
        }
        return TraversalFactorReport(changes: changes, klPerDimension: kls, active: active,
                                     meanConcentration: concentration.isEmpty ? 0 : concentration.reduce(0, +) / Double(concentration.count))
    }
}
