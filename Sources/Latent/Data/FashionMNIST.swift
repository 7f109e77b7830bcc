/// Fashion-MNIST (Xiao et al. 2017): 28 x 28 grey images of 10 clothing classes,
/// 60,000 for training and 10,000 for testing.
///
/// Read from the Debian package `dataset-fashion-mnist` (MIT licence), which `make setup`
/// installs: `/usr/share/datasets/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz`.
///
/// ```swift
/// let train = try FashionMNIST.load(.train)   // ImageSet, 60000 x 1 x 28 x 28, with labels
/// ```
public enum FashionMNIST: Sendable {
    /// Which half to read: `train` (60,000 images) or `test` (10,000, the `t10k` files).
    public enum Split: String, Sendable { case train, test }

    /// Where the Debian package installs the four `.gz` IDX files.
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"
    /// The 10 class names, indexed by label 0...9.
    public static let classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    /// Reads one split from `directory` as an ``ImageSet`` named `fashion-mnist`: (n, 1, 28, 28)
    /// bytes with labels and ``FashionMNIST/classNames``. Throws a ``LatentError`` for a malformed
    /// file, or for a missing one with a hint to install the package.
    public static func load(_ split: Split = .train, directory: String = defaultDirectory) throws -> ImageSet {
        let prefix = split == .train ? "train" : "t10k"
        let images = "\(directory)/\(prefix)-images-idx3-ubyte.gz"
        let labels = "\(directory)/\(prefix)-labels-idx1-ubyte.gz"
        do {
            return try ImageSet.loadIDX(images: images, labels: labels, name: "fashion-mnist",
                                        classNames: classNames)
        } catch let e as LatentError where e.message.hasSuffix("no such readable file") {
            throw LatentError("\(e.message): Fashion-MNIST comes from the Debian package dataset-fashion-mnist; run `make setup` (or `sudo apt-get install dataset-fashion-mnist`)")
        }
    }
}
