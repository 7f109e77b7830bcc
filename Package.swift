// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Latent",
    products: [
        .library(name: "Latent", targets: ["Latent"]),
        .executable(name: "latent", targets: ["LatentCLI"]),
        .executable(name: "latent-bench", targets: ["LatentBench"]),
        .executable(name: "latent-fuzz", targets: ["LatentFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: System libraries
        .systemLibrary(name: "CZlib", path: "CSources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // MARK: C kernels (AVX2+FMA and portable variants, OpenBLAS, FFTW)
        // System libraries are linked explicitly: `-lopenblas`, never a generic
        // `-lblas` that may resolve to the 10x slower reference BLAS.
        .target(
            name: "CLatent",
            path: "CSources/CLatent",
            exclude: [],
            cSettings: [.define("_GNU_SOURCE")],
            linkerSettings: [
                .linkedLibrary("openblas"),
                .linkedLibrary("fftw3f"),
                .linkedLibrary("m"),
                .linkedLibrary("pthread"),
            ]
        ),

        // MARK: Swift library
        .target(
            name: "Latent",
            dependencies: ["CLatent", "CZlib"],
            path: "Sources/Latent",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),

        // MARK: Executables
        .executableTarget(
            name: "LatentCLI",
            dependencies: [
                "Latent",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/LatentCLI",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .executableTarget(
            name: "LatentBench",
            dependencies: ["Latent", "CLatent"],
            path: "bench/LatentBench",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),

        .executableTarget(
            name: "LatentFuzz",
            dependencies: ["Latent"],
            path: "fuzz/LatentFuzz",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),

        // MARK: Tests
        .testTarget(
            name: "LatentTests",
            dependencies: ["Latent", "CLatent"],
            path: "Tests/LatentTests",
            resources: [.copy("Fixtures")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
    ]
)
