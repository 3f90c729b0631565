// swift-tools-version: 6.1
// The pouw node. Module layout and dependency direction: docs/architecture.md.
import PackageDescription

/// Strictness every target opts into (Hummingbird's set): explicit existentials, imports that are
/// visible only where declared, and internal imports unless a file says `public import`.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// The kernels' SIMD code needs a modern x86-64 target to be fast (the default baseline is SSE2). Results are
/// bit-identical for every target (docs/inference.md), so this is a speed setting only. Override with
/// POUW_TARGET_CPU (e.g. `haswell` for a portable AVX2 binary).
let targetCPU = Context.environment["POUW_TARGET_CPU"] ?? "native"
#if arch(x86_64)
let kernelSettings: [SwiftSetting] = strict + [.unsafeFlags(["-target-cpu", targetCPU])]
#else
let kernelSettings: [SwiftSetting] = strict
#endif

let package = Package(
    name: "pouw",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "pouw", targets: ["PoUWCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1", traits: []),
    ],
    targets: [
        // C libraries, each behind a system-library shim imported by exactly one Swift module.
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        .systemLibrary(name: "CLibUV", pkgConfig: "libuv", providers: [.apt(["libuv1-dev"])]),

        // Level 1: pure value types and the kernels. No C, no IO.
        .target(name: "PoUWCore", swiftSettings: strict),
        .target(name: "PoUWKernels", swiftSettings: kernelSettings),

        // Level 2.
        .target(name: "PoUWCrypto", dependencies: ["PoUWCore", "CSodium"], swiftSettings: strict),
        .target(name: "PoUWWire", dependencies: ["PoUWCore"], swiftSettings: strict),
        .target(name: "PoUWInference", dependencies: ["PoUWKernels"], swiftSettings: kernelSettings),

        // Level 3: IO owners.
        .target(name: "PoUWWork", dependencies: ["PoUWCore", "PoUWCrypto", "PoUWWire", "PoUWInference"],
                swiftSettings: strict),
        .target(name: "PoUWStorage", dependencies: ["PoUWCore", "CLMDB"], swiftSettings: strict),
        .target(name: "PoUWNet", dependencies: ["PoUWCore", "PoUWWire", "PoUWCrypto"], swiftSettings: strict),
        .target(name: "PoUWGossip", dependencies: ["PoUWCore", "PoUWWire", "PoUWCrypto"], swiftSettings: strict),
        .target(name: "PoUWUV", dependencies: ["PoUWCore", "PoUWNet", "CLibUV"], swiftSettings: strict),
        .target(name: "PoUWConsensus", dependencies: ["PoUWCore", "PoUWWire"], swiftSettings: strict),
        .target(name: "PoUWChain", dependencies: ["PoUWCore", "PoUWWire", "PoUWCrypto", "PoUWStorage", "PoUWConsensus"],
                swiftSettings: strict),
        .target(
            name: "PoUWTesting",
            dependencies: ["PoUWCore", "PoUWNet", "PoUWGossip", "PoUWWire", "PoUWConsensus", "PoUWStorage"],
            swiftSettings: strict
        ),

        // The child process of the storage crash tests: commits numbered transactions until killed.
        .executableTarget(
            name: "PoUWStorageProbe", dependencies: ["PoUWStorage", "PoUWCore"], swiftSettings: strict
        ),

        // Level 4: the node: config, home directory, and (later issues) the driver around the pure cores.
        .target(
            name: "PoUWNode",
            dependencies: [
                "PoUWCore", "PoUWCrypto", "PoUWWire", "PoUWStorage", "PoUWNet", "PoUWGossip", "PoUWUV",
                "PoUWConsensus", "PoUWChain", "PoUWWork", "PoUWAPI",
            ],
            swiftSettings: strict
        ),

        // The node's HTTP API server and its client; the node plugs in through `NodeAPIBackend`.
        .target(
            name: "PoUWAPI",
            dependencies: ["PoUWCore", .product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: strict
        ),

        // The OpenAI-compatible endpoints served from a loaded model (`InferenceService`).
        .target(name: "PoUWServe", dependencies: ["PoUWAPI", "PoUWInference", "PoUWCore"], swiftSettings: strict),

        // The `pouw` binary.
        .executableTarget(
            name: "PoUWCLI",
            dependencies: [
                "PoUWCore", "PoUWCrypto", "PoUWWire", "PoUWStorage", "PoUWUV", "PoUWInference", "PoUWNode",
                "PoUWWork", "PoUWChain", "PoUWConsensus", "PoUWAPI", "PoUWServe",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),

        .testTarget(name: "PoUWCoreTests", dependencies: ["PoUWCore"], swiftSettings: strict),
        .testTarget(name: "PoUWCryptoTests", dependencies: ["PoUWCrypto", "PoUWCore"], swiftSettings: strict),
        .testTarget(name: "PoUWWireTests", dependencies: ["PoUWWire", "PoUWCore"], swiftSettings: strict),
        .testTarget(name: "PoUWStorageTests", dependencies: ["PoUWStorage", "PoUWCore", "PoUWStorageProbe"],
                    swiftSettings: strict),
        .testTarget(name: "PoUWKernelsTests", dependencies: ["PoUWKernels"], swiftSettings: strict),
        .testTarget(name: "PoUWInferenceTests", dependencies: ["PoUWInference", "PoUWKernels"],
                    resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "PoUWNetTests", dependencies: ["PoUWNet", "PoUWCrypto", "PoUWCore", "PoUWWire"],
                    swiftSettings: strict),
        .testTarget(name: "PoUWGossipTests", dependencies: ["PoUWGossip", "PoUWTesting", "PoUWCore", "PoUWWire"],
                    swiftSettings: strict),
        .testTarget(name: "PoUWUVTests", dependencies: ["PoUWUV", "PoUWNet", "PoUWCore", "PoUWCrypto"],
                    swiftSettings: strict),
        .testTarget(name: "PoUWWorkTests",
                    dependencies: ["PoUWWork", "PoUWInference", "PoUWCore", "PoUWCrypto", "PoUWWire"],
                    swiftSettings: strict),
        .testTarget(name: "PoUWChainTests",
                    dependencies: ["PoUWChain", "PoUWCore", "PoUWCrypto", "PoUWWire", "PoUWStorage", "PoUWConsensus"],
                    swiftSettings: strict),
        .testTarget(name: "PoUWNodeTests",
                    dependencies: [
                        "PoUWNode", "PoUWCrypto", "PoUWCore", "PoUWNet", "PoUWUV", "PoUWGossip", "PoUWChain",
                        "PoUWConsensus", "PoUWWire", "PoUWWork",
                    ],
                    swiftSettings: strict),
        .testTarget(name: "PoUWCLITests", dependencies: ["PoUWCLI", "PoUWCrypto", "PoUWCore"],
                    swiftSettings: strict),
        .testTarget(name: "PoUWConsensusTests",
                    dependencies: ["PoUWConsensus", "PoUWCore", "PoUWWire", "PoUWTesting"],
                    swiftSettings: strict),
        .testTarget(name: "PoUWAPITests", dependencies: ["PoUWAPI", "PoUWCore"], swiftSettings: strict),
        .testTarget(name: "PoUWServeTests", dependencies: ["PoUWServe", "PoUWAPI", "PoUWInference", "PoUWCore"],
                    swiftSettings: strict),
        // End-to-end tests over real `pouw node` processes (needs the `pouw` binary: PoUWCLI).
        .testTarget(name: "PoUWTestnetTests", dependencies: ["PoUWCLI", "PoUWNode", "PoUWAPI"],
                    swiftSettings: strict),
        .testTarget(name: "TidyTests", swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
