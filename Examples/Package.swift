// swift-tools-version:6.0
// A package that uses Latent as a dependency, the way a user's project would.
import PackageDescription

let package = Package(
    name: "LatentExamples",
    dependencies: [.package(path: "latent")],  // a symlink to the repository root: the identity stays "latent" whatever the clone is called
    targets: [
        .executableTarget(
            name: "TrainFlow",
            dependencies: [.product(name: "Latent", package: "latent")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
    ]
)
