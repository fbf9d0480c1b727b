// swift-tools-version:6.0
import PackageDescription

// Targets follow the layers in ../shared/DESIGN.md: C wrappers (C*), a pure core,
// specs (YAML), git, crypto, store, engine, CLI, and a testing support target.
// Linux only: the crypto layer uses glibc (explicit_bzero) and gpgme from Debian.
let package = Package(
    name: "rotor",
    products: [
        .executable(name: "rotor", targets: ["rotor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // Pure core: specs model, observed state, planner, plan. No I/O.
        .target(name: "RotorCore"),
        // YAML → specs and version files, with file:line:column diagnostics.
        .target(name: "RotorSpecs", dependencies: [
            "RotorCore", .product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // SQLite state store (GRDB): versions, consumers, audit log, events outbox.
        .target(name: "RotorStore", dependencies: [
            "RotorCore", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // libgit2 and gpgme, through thin typed wrappers that own every C pointer.
        .systemLibrary(name: "CGit2", path: "Sources/CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        .target(name: "RotorGit", dependencies: ["CGit2"]),
        .systemLibrary(name: "CGPGME", path: "Sources/CGPGME", pkgConfig: "gpgme", providers: [.apt(["libgpgme-dev"])]),
        .target(name: "RotorCrypto", dependencies: ["CGPGME", "RotorCore"]),
        // Test-only fault injection (`ROTOR_FAULT`): named points where a test can kill or pause the process.
        .target(name: "RotorFaults"),
        // The imperative shell: loads git, plans, encrypts, commits, updates the store.
        .target(name: "RotorEngine", dependencies: [
            "RotorCore", "RotorSpecs", "RotorStore", "RotorGit", "RotorCrypto", "RotorFaults",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .executableTarget(name: "rotor", dependencies: [
            "RotorEngine", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Test support: throwaway keyrings, repositories, a runner for the rotor binary.
        .target(name: "RotorTesting", dependencies: ["RotorEngine", "RotorCrypto", "RotorGit"]),
        .testTarget(name: "RotorCoreTests", dependencies: ["RotorCore"], exclude: ["Golden"]),
        .testTarget(name: "RotorGitTests", dependencies: ["RotorGit"]),
        .testTarget(name: "RotorCryptoTests", dependencies: ["RotorCrypto"]),
        .testTarget(name: "RotorEngineTests", dependencies: ["RotorEngine", "RotorStore", "RotorTesting"]),
        .testTarget(name: "RotorCLITests", dependencies: ["RotorTesting"]),
        .testTarget(name: "RotorSpecsTests", dependencies: ["RotorSpecs"]),
        .testTarget(name: "RotorStoreTests", dependencies: ["RotorStore"]),
    ],
    swiftLanguageModes: [.v5]
)
