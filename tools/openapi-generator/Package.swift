// swift-tools-version:6.0
import PackageDescription

// Builds swift-openapi-generator's command-line tool, for `scripts/openapi-generate` only: the
// server code it generates from docs/openapi.yaml is committed, so rotor's own build (and CI)
// never builds the generator, OpenAPIKit or their Yams.
let package = Package(
    name: "openapi-generator-tool",
    dependencies: [
        .package(url: "https://github.com/apple/swift-openapi-generator", exact: "1.14.3"),
    ],
    targets: []
)
