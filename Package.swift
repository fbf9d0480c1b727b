// swift-tools-version:6.0
import PackageDescription

// One target per layer: C wrappers (C*), a pure core, specs (YAML via libyaml), git, crypto,
// store, webhooks, engine, daemon, the CLI, and a testing support target. Every target lists each
// target and product it imports. Linux only: glibc (explicit_bzero) and gpgme from Debian.
let package = Package(
    name: "rotor",
    products: [
        .executable(name: "rotor", targets: ["rotor"]),
        .executable(name: "rotor-bench", targets: ["rotor-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // Pure core: specs model, observed state, planner, plan. No I/O.
        .target(name: "RotorCore"),
        // YAML → specs and version files, with file:line:column diagnostics (libyaml's events,
        // composed into rotor's own node tree).
        .systemLibrary(name: "CYAML", path: "Sources/CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .target(name: "RotorSpecs", dependencies: [
            "RotorCore", "CYAML", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // SQLite state store (GRDB): versions, consumers, audit log, events outbox.
        .target(name: "RotorStore", dependencies: [
            "RotorCore", .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // libgit2 and gpgme, through thin typed wrappers that own every C pointer.
        .systemLibrary(name: "CGit2", path: "Sources/CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev", "zlib1g-dev"])]),
        .target(name: "RotorGit", dependencies: ["CGit2", "RotorCore", .product(name: "Crypto", package: "swift-crypto")]),
        .systemLibrary(name: "CGPGME", path: "Sources/CGPGME", pkgConfig: "gpgme", providers: [.apt(["libgpgme-dev"])]),
        // glibc's malloc_trim, for the daemon to hand freed memory back between passes.
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        // Native OpenPGP encryption to cv25519 recipients on swift-crypto: pure packet code, no gpgme
        // (RotorCore for the armor checksum).
        .target(name: "RotorOpenPGP", dependencies: [
            "RotorCore", .product(name: "Crypto", package: "swift-crypto"), .product(name: "CryptoExtras", package: "swift-crypto"),
        ]),
        .target(name: "RotorCrypto", dependencies: ["CGPGME", "RotorCore", "RotorOpenPGP"]),
        // Test-only fault injection (`ROTOR_FAULT`): named points where a test can kill or pause the process.
        .target(name: "RotorFaults"),
        // Webhook delivery: the job worker, Standard Webhooks signatures, retries, over
        // AsyncHTTPClient (its parser reads the receivers' answers; NIOSSL for https).
        .target(name: "RotorWebhooks", dependencies: [
            "RotorCore", "RotorStore", "RotorCrypto",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The imperative shell: loads git, plans, encrypts, commits, updates the store, delivers.
        .target(name: "RotorEngine", dependencies: [
            "RotorCore", "RotorSpecs", "RotorStore", "RotorGit", "RotorCrypto", "RotorWebhooks", "RotorFaults",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The reconciler daemon: schedule, fetch/push, health, metrics (served by RotorServer's
        // server with the API), the API's writes as passes, structured logs, shutdown.
        .target(name: "RotorDaemon", dependencies: [
            "CMalloc", "RotorCore", "RotorEngine", "RotorFaults", "RotorGit", "RotorServer", "RotorSpecs", "RotorStore", "RotorWebhooks",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The API's contract: types and server stubs generated from docs/openapi.yaml by
        // scripts/openapi-generate (committed, so the build never runs the generator).
        .target(name: "RotorAPIContract", dependencies: [
            .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ]),
        // The control plane: one Hummingbird server for the API (the contract's handlers),
        // /healthz and /metrics.
        .target(name: "RotorServer", dependencies: [
            "RotorAPIContract", "RotorCore", "RotorCrypto", "RotorEngine", "RotorGit", "RotorSpecs", "RotorStore", "RotorWebhooks",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The management page: server-rendered HTML (swift-mustache templates), plain CSS and one
        // small script, served by the control plane's server and built on its handlers.
        .target(name: "RotorWeb", dependencies: [
            "RotorAPIContract", "RotorCore", "RotorCrypto", "RotorServer",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .executableTarget(name: "rotor", dependencies: [
            "RotorCore", "RotorCrypto", "RotorEngine", "RotorDaemon", "RotorFaults", "RotorServer", "RotorStore", "RotorWebhooks", "RotorWeb",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], plugins: [.plugin(name: "BuildInfo")]),
        // Records the git commit the package is built from, for `rotor --version`.
        .plugin(name: "BuildInfo", capability: .buildTool()),
        // Building blocks alone: encryption (native OpenPGP vs gpgme, on a throwaway keyring), the webhook sender.
        .executableTarget(name: "rotor-bench", dependencies: [
            "RotorCrypto", "RotorWebhooks", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Test support: throwaway keyrings, repositories, a test clock, the webhook receiver, a runner for the binary.
        .target(name: "RotorTesting", dependencies: ["RotorCore", "RotorEngine", "RotorCrypto", "RotorGit", "RotorWebhooks"]),
        .testTarget(name: "RotorCoreTests", dependencies: ["RotorCore"], exclude: ["Golden"]),
        .testTarget(name: "RotorGitTests", dependencies: ["RotorCore", "RotorGit"]),
        .testTarget(name: "RotorOpenPGPTests", dependencies: [
            "RotorOpenPGP", .product(name: "Crypto", package: "swift-crypto"), .product(name: "CryptoExtras", package: "swift-crypto"),
        ]),
        .testTarget(name: "RotorCryptoTests", dependencies: ["CGPGME", "RotorCore", "RotorCrypto", "RotorOpenPGP"]),
        .testTarget(name: "RotorEngineTests", dependencies: [
            "RotorCore", "RotorCrypto", "RotorEngine", "RotorGit", "RotorSpecs", "RotorStore", "RotorTesting",
        ]),
        .testTarget(name: "RotorCLITests", dependencies: ["RotorTesting"]),
        .testTarget(name: "RotorDaemonTests", dependencies: [
            "RotorDaemon", "RotorEngine", "RotorStore", "RotorSpecs", "RotorCore", "RotorGit", "RotorFaults", "RotorServer", "RotorTesting",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "RotorServerTests", dependencies: ["RotorAPIContract", "RotorCore", "RotorServer", "RotorTesting",
                                                     .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "RotorWebTests", dependencies: ["RotorAPIContract", "RotorCore", "RotorWeb"]),
        .testTarget(name: "RotorSpecsTests", dependencies: ["RotorCore", "RotorSpecs"]),
        .testTarget(name: "RotorStoreTests", dependencies: ["RotorCore", "RotorStore", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "RotorWebhooksTests", dependencies: [
            "RotorCore", "RotorWebhooks", "RotorEngine", "RotorStore", "RotorTesting", .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"), .product(name: "NIOCore", package: "swift-nio"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
