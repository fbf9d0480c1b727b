// swift-tools-version:6.0
import PackageDescription

// Targets follow the layers in ../shared/DESIGN.md: C wrappers (C*), a pure core,
// specs (YAML), git, crypto, store, engine, CLI, and a testing support target.
let package = Package(
    name: "rotor",
    platforms: [.macOS(.v13)],
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
        .testTarget(name: "RotorCoreTests", dependencies: ["RotorCore"]),
        .testTarget(name: "RotorSpecsTests", dependencies: ["RotorSpecs"]),
        .testTarget(name: "RotorStoreTests", dependencies: ["RotorStore"]),
    ],
    swiftLanguageModes: [.v5]
)
