import Foundation

// Pictures of a flow run: the density and samples of 2-D models beside their
// data, image samples, and the loss curve from log.csv. `FlowTrainer` draws
// them when a run stops (its `TrainingSession` picture writer); `latent sample`
// uses the 2-D helpers.

/// Log-density on a grid over `range`, rows from the top (largest x2) down.
public func densityGrid(_ logDensity: (Tensor) -> Tensor, range: (x: ClosedRange<Double>, y: ClosedRange<Double>), size: Int = 120) -> [[Double]] {
    var pts: [Float] = []
    for r in 0..<size {
        let y = range.y.upperBound - (Double(r) + 0.5) / Double(size) * (range.y.upperBound - range.y.lowerBound)
        for c in 0..<size {
            let x = range.x.lowerBound + (Double(c) + 0.5) / Double(size) * (range.x.upperBound - range.x.lowerBound)
            pts += [Float(x), Float(y)]
        }
    }
    let lp = logDensity(Tensor(shape: [size * size, 2], scalars: pts)).scalars
    return (0..<size).map { r in (0..<size).map { c in Foundation.exp(Double(lp[r * size + c])) } }
}

/// A 2-D histogram of points on the same grid as `densityGrid`.
public func histogramGrid(_ points: Tensor, range: (x: ClosedRange<Double>, y: ClosedRange<Double>), size: Int = 120) -> [[Double]] {
    var h = [[Double]](repeating: [Double](repeating: 0, count: size), count: size)
    let p = points.scalars
    for i in 0..<points.shape[0] {
        let fx = (Double(p[2 * i]) - range.x.lowerBound) / (range.x.upperBound - range.x.lowerBound)
        let fy = (range.y.upperBound - Double(p[2 * i + 1])) / (range.y.upperBound - range.y.lowerBound)
        let c = Int(fx * Double(size)), r = Int(fy * Double(size))
        if r >= 0 && r < size && c >= 0 && c < size { h[r][c] += 1 }
    }
    return h
}

/// A square plotting window around the data: the 0.5%...99.5% quantiles of both coordinates, padded.
public func plotRange(for points: Tensor) -> (x: ClosedRange<Double>, y: ClosedRange<Double>) {
    let s = points.scalars
    let n = points.shape[0]
    func window(_ k: Int) -> ClosedRange<Double> {
        let v = (0..<n).map { Double(s[2 * $0 + k]) }.filter(\.isFinite).sorted()
        guard v.count > 10 else { return -4...4 }
        let lo = v[v.count / 200], hi = v[v.count - 1 - v.count / 200]
        let pad = 0.15 * Swift.max(hi - lo, 1e-3)
        return (lo - pad)...(hi + pad)
    }
    return (window(0), window(1))
}

/// Reference points of a 2-D run's data (for plots).
public func referencePoints(_ data: FlowData, _ n: Int, seed: UInt64) -> Tensor? {
    switch data {
    case .toy(let t):
        var rng = RandomGenerator(seed: seed, stream: 7)
        return t.sample(n, rng: &rng)
    case .points(_, let train, _):
        return train.shape[1] == 2 ? train.slice(axis: 0, 0..<Swift.min(n, train.shape[0])) : nil
    case .images:
        return nil
    }
}

/// images/loss.png from log.csv: the loss (bits/dim for images) against the step.
public func writeLossCurve(_ run: RunDirectory) throws {
    let (cols, rows) = try CSVLog.read(run.logPath)
    guard !rows.isEmpty else { return }
    let col = cols.firstIndex(of: "bits_per_dim") ?? cols.firstIndex(of: "loss") ?? 1
    let series: Plot.Series = (name: cols[col], x: rows.map { $0[0] }, y: rows.map { $0.count > col ? $0[col] : .nan })
    try FileManager.default.createDirectory(atPath: run.imagesPath, withIntermediateDirectories: true)
    try Plot.lines(title: "training \(cols[col] == "loss" ? "loss (nats)" : "bits/dim")", series: [series],
                   yLabel: cols[col]).writePNG(run.imagePath("loss.png"))
}

public func writeFlowPictures(_ trainer: FlowTrainer, runDir: RunDirectory) throws {
    try FileManager.default.createDirectory(atPath: runDir.imagesPath, withIntermediateDirectories: true)
    try writeLossCurve(runDir)
    var rng = RandomGenerator(seed: trainer.config.seed, stream: 7)
    if case .images(_, _, let test) = trainer.data {
        try RGBImage.grid(test.floats(0..<Swift.min(64, test.count)), columns: 8, scale: 2).writePNG(runDir.imagePath("data.png"))
        try RGBImage.grid(trainer.sample(64, rng: &rng), columns: 8, scale: 2).writePNG(runDir.imagePath("samples.png"))
        try RGBImage.grid(trainer.sample(64, temperature: 0.7, rng: &rng), columns: 8, scale: 2).writePNG(runDir.imagePath("samples-t0.7.png"))
        return
    }
    guard trainer.model.eventShape == [2], let points = referencePoints(trainer.data, 20000, seed: trainer.config.seed) else { return }
    let range = plotRange(for: points)
    let learned = withoutGradients { densityGrid({ trainer.model.logProb($0) }, range: range) }
    let density = Plot.sideBySide([Plot.heatmap(title: "data density", values: histogramGrid(points, range: range), range: range),
                                   Plot.heatmap(title: "learned density", values: learned, range: range)])
    try density.writePNG(runDir.imagePath("density.png"))
    try samplesPicture(trainer.sample(2000, rng: &rng), data: points, range: range).writePNG(runDir.imagePath("samples.png"))
}

public func samplesPicture(_ samples: Tensor, data: Tensor?, range: (x: ClosedRange<Double>, y: ClosedRange<Double>)) -> RGBImage {
    func pts(_ t: Tensor) -> [(Double, Double)] {
        let s = t.scalars
        return (0..<Swift.min(t.shape[0], 2000)).map { (Double(s[2 * $0]), Double(s[2 * $0 + 1])) }
    }
    var panels: [RGBImage] = []
    if let data { panels.append(Plot.scatter(title: "data", points: pts(data), range: range)) }
    panels.append(Plot.scatter(title: "samples", points: pts(samples), range: range, color: .orange))
    return panels.count == 1 ? panels[0] : Plot.sideBySide(panels)
}

