import Foundation
import Testing
@testable import RotorCore
@testable import RotorSpecs

@Suite("Spec loading and validation")
struct SpecLoaderTests {
    static let fpr = "0123456789ABCDEF0123456789ABCDEF01234567"
    static let armored = "-----BEGIN PGP MESSAGE-----\n\nhF4DAAAAAAAAAAA=\n-----END PGP MESSAGE-----\n"

    static let config = """
        apiVersion: rotor.dev/v1
        kind: Config
        spec:
          recipients: [\(fpr)]

        """
    static let policy = """
        apiVersion: rotor.dev/v1
        kind: Policy
        metadata:
          name: database-credentials
        spec:
          rotateEvery: 30d
          generator:
            type: password
            length: 32

        """
    static let secret = """
        apiVersion: rotor.dev/v1
        kind: Secret
        metadata:
          project: payments
          name: db
        spec:
          policy: database-credentials
          consumers:
            - service: billing-api
              webhook: https://billing.example/hooks

        """

    func load(_ files: [String: String]) -> (DesiredState?, [Diagnostic]) {
        SpecLoader.load(files: files.map { SourceFile(path: $0.key, bytes: Array($0.value.utf8)) }, revision: "r1")
    }

    func base(_ overrides: [String: String] = [:]) -> [String: String] {
        var files = ["rotor.yaml": Self.config, "policies/database-credentials.yaml": Self.policy, "secrets/payments/db.yaml": Self.secret]
        for (path, text) in overrides { files[path] = text }
        return files
    }

    @Test func aValidRepositoryLoads() throws {
        let (desired, diagnostics) = load(base())
        #expect(diagnostics.isEmpty)
        let spec = try #require(desired?.secrets[SecretID(project: "payments", name: "db")])
        #expect(spec.consumers == [Consumer(service: "billing-api", webhook: "https://billing.example/hooks")])
        #expect(desired?.policies["database-credentials"]?.rotateEvery == RotorDuration(seconds: 30 * 86_400))
        #expect(desired?.config.recipients == [Self.fpr])
    }

    /// Each bad input, the exact location reported, and a fragment of the message.
    static let badInputs: [(String, String, String, String)] = [
        ("unknown field", "secrets/payments/db.yaml", secret.replacingOccurrences(of: "  policy:", with: "  polcy:"),
         "secrets/payments/db.yaml:7:3: error: unknown field \"polcy\" in Secret spec; did you mean \"policy\"?"),
        ("unknown policy", "secrets/payments/db.yaml", secret.replacingOccurrences(of: "policy: database-credentials", with: "policy: dbcreds"),
         "secrets/payments/db.yaml:7:11: error: unknown policy \"dbcreds\"; known: database-credentials"),
        ("plaintext value", "secrets/payments/db.yaml", secret.replacingOccurrences(of: "  consumers:", with: "  value: hunter2-canary\n  consumers:"),
         "secrets/payments/db.yaml:8:10: error: value must be an ASCII-armored PGP message"),
        ("bad duration", "policies/database-credentials.yaml", policy.replacingOccurrences(of: "30d", with: "30 days"),
         "policies/database-credentials.yaml:6:16: error: field \"rotateEvery\" is not a positive duration"),
        ("wrong type", "policies/database-credentials.yaml", policy.replacingOccurrences(of: "length: 32", with: "length: long"),
         "policies/database-credentials.yaml:9:13: error: field \"length\" must be an integer, found a string"),
        ("bad name", "secrets/payments/db.yaml", secret.replacingOccurrences(of: "name: db", with: "name: ../x"),
         "secrets/payments/db.yaml:5:9: error: name must match"),
        ("malformed yaml", "secrets/payments/db.yaml", "apiVersion: rotor.dev/v1\nkind: [Secret\n",
         "secrets/payments/db.yaml:3:1: error: invalid YAML"),
        ("bad recipient", "rotor.yaml", config.replacingOccurrences(of: fpr, with: "ABCD"),
         "rotor.yaml:4:16: error: recipient must be a PGP fingerprint"),
        ("bad webhook", "secrets/payments/db.yaml", secret.replacingOccurrences(of: "https://billing.example/hooks", with: "ftp://x"),
         "secrets/payments/db.yaml:10:16: error: webhook must be an http:// or https:// URL"),
        ("webhook with a password", "secrets/payments/db.yaml",
         secret.replacingOccurrences(of: "https://billing.example/hooks", with: "https://hook:hunter2-canary@billing.example/hooks"),
         "secrets/payments/db.yaml:10:16: error: webhook must not carry credentials (user:password@)"),
        ("weak generator", "policies/database-credentials.yaml", policy.replacingOccurrences(of: "length: 32", with: "length: 8"),
         "policies/database-credentials.yaml:9:13: error: generator yields 47 bits of entropy"),
    ]

    @Test(arguments: badInputs.indices)
    func badInputIsReportedAtItsPlace(_ index: Int) {
        let (_, path, text, expected) = Self.badInputs[index]
        // Given one broken file, When loading, Then there is no desired state and the error points at the place.
        let (desired, diagnostics) = load(base([path: text]))
        #expect(desired == nil)
        #expect(diagnostics.contains { $0.description.hasPrefix(expected) }, "got: \(diagnostics.map(\.description))")
        #expect(!diagnostics.contains { $0.description.contains("hunter2-canary") })
    }

    @Test func everyErrorIsReportedInOneRun() {
        let (_, diagnostics) = load(base([
            "secrets/payments/db.yaml": Self.secret.replacingOccurrences(of: "  policy:", with: "  polcy:"),
            "secrets/payments/other.yaml": Self.secret.replacingOccurrences(of: "name: db", with: "name: other").replacingOccurrences(of: "https://billing.example/hooks", with: "nope"),
        ]))
        #expect(diagnostics.filter { $0.severity == .error }.count >= 3)
    }

    @Test func specMustLiveAtItsPath() {
        let (_, diagnostics) = load(base(["secrets/payments/db.yaml": Self.secret.replacingOccurrences(of: "name: db", with: "name: other")]))
        #expect(diagnostics.contains { $0.message.contains("must live in secrets/payments/other.yaml") })
    }

    @Test func pathsThatWalkOutAreRejected() {
        let (_, diagnostics) = load(base(["secrets/payments/sub/db.yaml": Self.secret]))
        #expect(diagnostics.contains { $0.message.contains("secrets/<project>/<name>.yaml") })
    }

    @Test func missingPolicyWithoutDefaultIsAnError() {
        let (_, diagnostics) = load(base(["secrets/payments/db.yaml": Self.secret.replacingOccurrences(of: "  policy: database-credentials\n", with: "")]))
        #expect(diagnostics.contains { $0.message.contains("has no policy") })
    }

    @Test func aliasBombIsRefusedWithBoundedWork() {
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            bomb += "\(Character(UnicodeScalar(97 + level)!)): &\(Character(UnicodeScalar(97 + level)!)) [" + Array(repeating: "*\(Character(UnicodeScalar(96 + level)!))", count: 10).joined(separator: ", ") + "]\n"
        }
        let started = ContinuousClock.now
        let (_, diagnostics) = load(base(["secrets/payments/db.yaml": bomb]))
        #expect(diagnostics.contains { $0.message.contains("more than 50000 nodes") })
        // Not a timing assertion on speed: a guard against the exponential blow-up (which takes minutes).
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test func oversizedFileIsRefusedUnread() {
        let (_, diagnostics) = load(base(["secrets/payments/db.yaml": String(repeating: "#", count: (1 << 20) + 1)]))
        #expect(diagnostics.contains { $0.message.contains("the limit is 1048576") })
    }

    @Test func externalValueIsKeptWithItsDigest() throws {
        let text = Self.secret.replacingOccurrences(of: "  consumers:", with: "  value: |\n    -----BEGIN PGP MESSAGE-----\n\n    hF4DAAAAAAAAAAA=\n    -----END PGP MESSAGE-----\n  consumers:")
        let (desired, diagnostics) = load(base(["secrets/payments/db.yaml": text]))
        #expect(diagnostics.isEmpty)
        let spec = try #require(desired?.secrets[SecretID(project: "payments", name: "db")])
        #expect(spec.externalValue == Self.armored)
        #expect(spec.externalValueDigest?.hasPrefix("sha256:") == true)
    }
}
