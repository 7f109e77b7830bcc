// swift-tools-version:6.0
// A package that uses Latent as a dependency, the way a user's project would,
// in Swift 6 language mode. Each executable checks its own outcome and exits
// non-zero when it does not hold; `make test` builds and runs all four.
import PackageDescription

let examples = ["CustomFlow", "VAEWithMetrics", "CheckpointRoundTrip", "CustomOp"]

let package = Package(
    name: "LatentExamples",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "latent")],  // a symlink to the repository root: the identity stays "latent" whatever the clone is called
    targets: examples.map { name in
        .executableTarget(name: name, dependencies: [.product(name: "Latent", package: "latent")])
    }
)
