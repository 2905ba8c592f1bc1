// swift-tools-version:6.0
import PackageDescription

// Layers, bottom to top (each target depends only on targets above it in this list):
//   CMPFR          C bindings to GMP/MPFR
//   Multiprecision number types (BigRational, BigFloat, enclosures, polynomials), and the
//                  loops that must work on MPFR registers directly, so they live beside the C
//                  bindings: the certified deep-kernel layers, arcsine tables, small-argument
//                  series, the sparse layer update of the moment recursion
//   NTKMoments     the exact mathematics (depends on Multiprecision)
//   MonteCarlo     simulated networks and their statistics (no dependencies)
//   NTKOutput      data formats: JSON (with Codable coding), tables, SVG charts, atomic files (no dependencies)
//   Experiments    every experiment as a typed, Codable request → result: references, cost
//                  models, verdicts (depends on NTKMoments, MonteCarlo, NTKOutput)
//   NTKCommandLine parsing and printing (depends on all of the above) → the `ntk` executable
//   ntk-bench      `make bench`: release timings of the library (no command line)
let package = Package(
    name: "NTKMoments",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Multiprecision", targets: ["Multiprecision"]),
        .library(name: "NTKMoments", targets: ["NTKMoments"]),
        .library(name: "MonteCarlo", targets: ["MonteCarlo"]),
        .library(name: "Experiments", targets: ["Experiments"]),
        .executable(name: "ntk", targets: ["ntk"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CMPFR",
            pkgConfig: "mpfr",
            providers: [.apt(["libgmp-dev", "libmpfr-dev"])]
        ),
        .target(
            name: "Multiprecision",
            dependencies: ["CMPFR"],
            linkerSettings: [.linkedLibrary("mpfr"), .linkedLibrary("gmp")]
        ),
        .target(name: "NTKMoments", dependencies: ["Multiprecision"]),
        .target(name: "MonteCarlo", dependencies: []),
        .target(name: "NTKOutput", dependencies: []),
        .target(name: "Experiments", dependencies: ["Multiprecision", "NTKMoments", "MonteCarlo", "NTKOutput"]),
        .target(
            name: "NTKCommandLine",
            dependencies: [
                "Multiprecision", "NTKMoments", "MonteCarlo", "NTKOutput", "Experiments",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "ntk", dependencies: ["NTKCommandLine"]),
        // `make bench`: release-mode timings (medians of several runs); not part of the tests.
        .executableTarget(name: "ntk-bench", dependencies: ["NTKMoments", "Multiprecision", "MonteCarlo", "Experiments"]),
        .testTarget(name: "MultiprecisionTests", dependencies: ["Multiprecision", "CMPFR"]),
        .testTarget(name: "NTKMomentsTests", dependencies: ["NTKMoments", "Multiprecision"]),
        .testTarget(name: "MonteCarloTests", dependencies: ["MonteCarlo"]),
        .testTarget(name: "NTKOutputTests", dependencies: ["NTKOutput"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "MonteCarlo", "NTKMoments", "Multiprecision", "NTKOutput"]),
        .testTarget(name: "NTKCommandLineTests", dependencies: ["NTKCommandLine", "NTKMoments", "Multiprecision", "NTKOutput", "Experiments"]),
        .testTarget(name: "DerivationTests", dependencies: []),
    ]
)
