// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Latent",
    // Synchronization.Atomic (the tape's node counter) needs macOS 15.
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Latent", targets: ["Latent"]),
        // MPI (Open MPI) for data-parallel training and sharded sweeps; `import Latent` alone needs no MPI.
        .library(name: "LatentMPI", targets: ["LatentMPI"]),
        .executable(name: "latent", targets: ["LatentCLI"]),
        .executable(name: "latent-bench", targets: ["LatentBench"]),
        .executable(name: "latent-bench-mpi", targets: ["LatentBenchMPI"]),
        .executable(name: "latent-fuzz", targets: ["LatentFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `make docs`: swift package generate-documentation (the DocC catalog in Sources/Latent/Latent.docc).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // MARK: System libraries
        .systemLibrary(name: "CZlib", path: "CSources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CMPI", path: "CSources/CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),

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

        // The MPI wrapper: the one C file that includes <mpi.h>, behind a header without MPI types.
        .target(name: "CLatentMPI", dependencies: ["CMPI"], path: "CSources/CLatentMPI"),

        // MARK: Swift library
        .target(
            name: "Latent",
            dependencies: ["CLatent", "CZlib"],
            path: "Sources/Latent",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),

        .target(
            name: "LatentMPI",
            dependencies: ["Latent", "CLatentMPI"],
            path: "Sources/LatentMPI",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),

        // MARK: Executables
        .executableTarget(
            name: "LatentCLI",
            dependencies: [
                "Latent",
                "LatentMPI",
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
            name: "LatentBenchMPI",
            dependencies: ["Latent", "LatentMPI"],
            path: "bench/LatentBenchMPI",
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
            dependencies: ["Latent", "LatentMPI", "CLatent"],
            path: "Tests/LatentTests",
            resources: [.copy("Fixtures")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
    ]
)
