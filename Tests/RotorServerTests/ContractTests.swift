import Foundation
import Logging
import Testing
@testable import RotorServer
import RotorAPIContract

/// The generated server code and the contract cannot drift apart unnoticed.
@Suite("The OpenAPI contract")
struct ContractTests {
    @Test func theGeneratedCodeWasMadeFromTheContractInDocs() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let contract = try String(contentsOf: root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        #expect(contract == OpenAPIDocument.yaml,
                "docs/openapi.yaml changed since Sources/RotorServer/Generated was made: run scripts/openapi-generate and commit both")
    }

    @Test func everyScopeTheContractNamesExists() throws {
        let named = Set(OpenAPIDocument.yaml.matches(of: /`(rotor:[a-z:]+)`/).map { String($0.1) })
        #expect(!named.isEmpty)
        #expect(named.isSubset(of: Set(Scope.allCases.map(\.rawValue))), "\(named.subtracting(Scope.allCases.map(\.rawValue)))")
    }

    @Test func everyPathOfTheContractHasItsMethods() throws {
        // A control plane over nothing: registering its handlers opens no repository.
        let api = ControlPlane(configuration: ControlPlaneConfiguration(repositoryPath: "/nonexistent", clock: { Date() }),
                               gitDirectory: "/nonexistent/.git", statePath: "/nonexistent/state.db", logger: Logger(label: "test"))
        let allowed = try AllowedMethods(api: api, extra: ["/v1/openapi.yaml": ["GET"], "/healthz": ["GET"], "/metrics": ["GET"]])
        #expect(allowed.methods(for: "/v1/secrets") == ["GET", "POST"])
        #expect(allowed.methods(for: "/v1/secrets/payments/db-password") == ["GET", "DELETE"])
        #expect(allowed.methods(for: "/v1/keys/verify") == ["POST"])
        #expect(allowed.methods(for: "/v1/nope") == nil)
        // Every path in the document, plus /v1/openapi.yaml, /healthz and /metrics.
        let paths = OpenAPIDocument.yaml.split(separator: "\n").filter { $0.hasPrefix("  /v1/") && $0.hasSuffix(":") }.count
        #expect(allowed.count == paths + 3)
    }
}
