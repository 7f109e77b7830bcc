import Foundation

/// A data set found by name: 2-D points, a ground-truth factor set, or stored images.
public enum Dataset: Sendable {
    /// A 2-D toy density, sampled as (n, 2) points.
    case toy(ToyDensity)
    /// A set with known generative factors (dSprites and its variants, shapes-tiny, ...).
    case groundTruth(any GroundTruthDataset)
    /// Stored 8-bit images: Fashion-MNIST or an IDX file.
    case images(ImageSet)

    /// The data set's name: the command-line name, or `idx:PATH` for an IDX file.
    public var name: String {
        switch self {
        case .toy(let t): t.name
        case .groundTruth(let g): g.name
        case .images(let s): s.name
        }
    }
}

/// Name -> data set, with the command-line names listed in docs/DATA.md.
///
/// ```swift
/// let d = try DatasetRegistry.dataset(named: "8gaussians")      // .toy(.eightGaussians)
/// let f = try DatasetRegistry.dataset(named: "idx:/data/train-images-idx3-ubyte.gz")
/// ```
public enum DatasetRegistry: Sendable {
    /// Environment variable naming the original dSprites .npz; when set, `dsprites` and its
    /// variants serve the original images instead of the procedural renderer.
    public static let dspritesArchiveVariable = "LATENT_DSPRITES_NPZ"

    /// Every valid name; `idx:PATH` stands for any MNIST-format IDX image file.
    public static let names: [String] = ToyDensity.allCases.map(\.name)
        + ["dsprites", "noisy-dsprites", "color-dsprites", "shapes-tiny", "fashion-mnist", "idx:PATH"]

    /// The names of the sets with known generative factors.
    public static let groundTruthNames = ["dsprites", "noisy-dsprites", "color-dsprites", "shapes-tiny"]

    /// The data set called `name`. `fashion-mnist` and `idx:PATH` are read from disk (labels
    /// beside an IDX file are read when present); `split` picks Fashion-MNIST's train or test set;
    /// `dspritesArchive` (by default the path in ``DatasetRegistry/dspritesArchiveVariable``), when
    /// set, serves `dsprites` and its variants from the original .npz. Throws a ``LatentError``
    /// for an unknown name (listing the valid ones) or a file that cannot be read or parsed.
    public static func dataset(named name: String, split: FashionMNIST.Split = .train,
                               dspritesArchive: String? = ProcessInfo.processInfo.environment[dspritesArchiveVariable]) throws -> Dataset {
        if let toy = ToyDensity(rawValue: name) { return .toy(toy) }
        switch name {
        case "dsprites", "noisy-dsprites", "color-dsprites":
            let base = try dspritesArchive.map { try DSprites.load(npz: $0) } ?? DSprites()
            switch name {
            case "noisy-dsprites": return .groundTruth(NoisyVariant(base))
            case "color-dsprites": return .groundTruth(ColorVariant(base))
            default: return .groundTruth(base)
            }
        case "shapes-tiny":
            return .groundTruth(ShapesTiny())
        case "fashion-mnist":
            return .images(try FashionMNIST.load(split))
        default:
            if name.hasPrefix("idx:") {
                let path = String(name.dropFirst(4))
                guard !path.isEmpty else { throw LatentError("data set `idx:` needs a file path, e.g. idx:/data/train-images-idx3-ubyte.gz") }
                return .images(try ImageSet.loadIDX(images: path, labels: ImageSet.labelsPath(besideImages: path)))
            }
            throw LatentError("unknown data set `\(name)`; valid names: \(names.joined(separator: ", "))")
        }
    }

    /// The ground-truth data set called `name`, or an error saying it has no known factors.
    public static func groundTruthDataset(named name: String) throws -> any GroundTruthDataset {
        guard case .groundTruth(let g) = try dataset(named: name) else {
            throw LatentError("data set `\(name)` has no ground-truth factors; ground-truth sets: \(groundTruthNames.joined(separator: ", "))")
        }
        return g
    }
}
