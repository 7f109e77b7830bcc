import Foundation

/// Pictures of a data set for `latent data show`: 2000 toy points, one row per
/// ground-truth factor swept over its range, or a grid of 64 images.
public enum DataPictures {
    /// The overview picture of the data set `name` (random choices from `seed`); throws for an
    /// unknown name.
    public static func overview(of name: String, seed: UInt64) throws -> RGBImage {
        var rng = RandomGenerator(seed: seed)
        switch try DatasetRegistry.dataset(named: name) {
        case .toy(let toy):
            let p = toy.sample(2000, rng: &rng).scalars
            return Plot.scatter(title: "\(toy.name) (2000 samples, seed \(seed))",
                                points: (0..<2000).map { (Double(p[2 * $0]), Double(p[2 * $0 + 1])) })
        case .groundTruth(let data):
            return factorSweeps(data, rng: &rng)
        case .images(let set):
            let n = Swift.min(64, set.count)
            let picked = Array(rng.permutation(set.count).prefix(n))
            return RGBImage.grid(set.floats(picked), columns: 8, scale: set.height < 48 ? 3 : 1)
        }
    }

    /// One row per factor: the base row (every factor at its middle value) with that factor
    /// swept over (up to 16 evenly spaced values of) its range, the factor name on the left.
    public static func factorSweeps(_ data: any GroundTruthDataset, rng: inout RandomGenerator) -> RGBImage {
        let maxColumns = 16
        let base = data.factorSizes.map { $0 / 2 }
        let h = data.observationShape[1]
        let scale = Swift.max(1, 48 / h)
        var rows: [RGBImage] = []
        for (f, size) in data.factorSizes.enumerated() {
            let k = Swift.min(size, maxColumns)
            let values = (0..<k).map { k == 1 ? 0 : Int((Double($0) * Double(size - 1) / Double(k - 1)).rounded()) }
            let factorRows = values.map { v -> [Int] in var r = base; r[f] = v; return r }
            rows.append(RGBImage.grid(data.observations(fromFactors: factorRows, rng: &rng), columns: maxColumns, scale: scale))
        }
        let labelWidth = 12 * 6 * 2 + 8
        let title = 24
        var canvas = RGBImage(width: labelWidth + rows.map(\.width).max()!, height: title + rows.map(\.height).reduce(0, +),
                              background: .white)
        canvas.drawText("\(data.name): one row per factor, base factors \(base)", x: 6, y: 6, scale: 2)
        var y = title
        for (f, row) in rows.enumerated() {
            canvas.drawText(data.factorNames[f], x: 6, y: y + row.height / 2 - 7, scale: 2)
            canvas.paste(row, x: labelWidth, y: y)
            y += row.height
        }
        return canvas
    }
}
