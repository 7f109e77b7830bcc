import Foundation

/// Reconstructions, prior samples and latent traversals of a VAE as image tensors and PNG grids.
///
/// ```swift
/// try VAEPictures.reconstructions(vae, x).writePNG("recon.png")
/// try VAEPictures.traversalGrid(vae, x.slice(axis: 0, 0..<1)).writePNG("traversal.png")
/// ```
public enum VAEPictures {
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

    /// One row per latent, one column per value; rows of several examples are stacked.
    public static func traversalGrid(_ model: VAE, _ x: Tensor, range: ClosedRange<Float> = -2.5...2.5, steps: Int = 9, scale: Int = 2) -> RGBImage {
        let parts = (0..<x.shape[0]).map { traversal(model, x.slice(axis: 0, $0..<($0 + 1)), range: range, steps: steps) }
        return RGBImage.grid(concatenate(parts, axis: 0).clamped(min: 0, max: 1), columns: steps, scale: scale)
    }
}

/// How cleanly each latent's traversal moves one ground-truth factor: a measured statement
/// about traversals, for data sets small enough to enumerate.
///
/// Each traversed image is read back as the factors of its nearest data-set image (squared
/// distance over pixels). For latent d, c_f counts the steps along the traversal at which
/// factor f changes. A latent is active when its mean KL(q(z_d|x) || N(0, 1)) on the data
/// exceeds `activeKL` nats and its traversal changes some factor. Its concentration is
/// max_f c_f / sum_f c_f: 1 when one factor changes alone.
public struct TraversalFactorReport: Sendable {
    /// Per latent: how many steps changed each factor.
    public var changes: [[Int]]
    /// Per latent: mean KL to N(0, 1) on the data (nats).
    public var klPerDimension: [Double]
    public var active: [Bool]
    /// Mean concentration over active latents (0 when none is active).
    public var meanConcentration: Double
    /// Active latents whose traversal changes exactly one factor.
    public var singleFactorLatents: Int

    public static func measure(model: VAE, dataset: any GroundTruthDataset, examples: Int = 8, range: ClosedRange<Float> = -2.5...2.5,
                               steps: Int = 11, activeKL: Double = 0.1, rng: inout RandomGenerator) -> TraversalFactorReport {
        let all = (0..<dataset.gridSize).map { dataset.factors(atIndex: $0) }
        let images = dataset.observations(fromFactors: all, rng: &rng)
        let m = images.count / Swift.max(all.count, 1)
        let reference = images.scalars
        let d = model.latentDimensions
        // Per-dimension KL on the whole set.
        let kls: [Double] = withoutGradients {
            let q = model.encoder(images)
            let k = ((exp(q.logVariance) + q.mean * q.mean - q.logVariance - 1) * 0.5).mean(axis: 0)
            return k.scalars.map(Double.init)
        }
        var changes = [[Int]](repeating: [Int](repeating: 0, count: dataset.numberOfFactors), count: d)
        for e in 0..<examples {
            let idx = rng.int(below: all.count)
            let x = images.slice(axis: 0, idx..<(idx + 1))
            let t = VAEPictures.traversal(model, x, range: range, steps: steps).scalars
            for dim in 0..<d {
                var previous: [Int]? = nil
                for s in 0..<steps {
                    let img = t[((dim * steps + s) * m)..<((dim * steps + s + 1) * m)]
                    var best = 0, bestDistance = Double.infinity
                    for j in 0..<all.count {
                        var dist = 0.0
                        for (p, v) in img.enumerated() {
                            let diff = Double(v) - Double(reference[j * m + p])
                            dist += diff * diff
                        }
                        if dist < bestDistance { bestDistance = dist; best = j }
                    }
                    let f = all[best]
                    if let previous { for k in 0..<f.count where f[k] != previous[k] { changes[dim][k] += 1 } }
                    previous = f
                }
            }
            _ = e
        }
        var active = [Bool](repeating: false, count: d)
        var concentration: [Double] = []
        var single = 0
        for dim in 0..<d {
            let total = changes[dim].reduce(0, +)
            guard kls[dim] > activeKL, total > 0 else { continue }
            active[dim] = true
            concentration.append(Double(changes[dim].max()!) / Double(total))
            if changes[dim].filter({ $0 > 0 }).count == 1 { single += 1 }
        }
        return TraversalFactorReport(changes: changes, klPerDimension: kls, active: active,
                                     meanConcentration: concentration.isEmpty ? 0 : concentration.reduce(0, +) / Double(concentration.count),
                                     singleFactorLatents: single)
    }
}
