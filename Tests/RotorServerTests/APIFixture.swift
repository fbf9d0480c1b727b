import Foundation
import RotorCore
import RotorTesting

/// A repository with the keys the API tests use, applied at ``t0``, and their values.
///
/// - `rotor/admin`: `rotor:admin`, held by `ops`.
/// - `payments/billing-reader`: reads values and metadata, held by `billing-api` (a consumer of
///   `payments/db-password`).
/// - `payments/other-reader`: reads values, held by `other-svc` (consumes nothing).
/// - `payments/partner`: a partner key with no `rotor:` scope.
struct APIFixture {
    static let t0 = RFC3339.parse("2026-12-01T00:00:00Z")!
    static func at(days: Double = 0, hours: Double = 0) -> String {
        RFC3339.format(t0.addingTimeInterval(days * 86_400 + hours * 3_600))
    }

    let repo: SecretsRepoFixture
    let admin: String
    let reader: String
    let stranger: String
    let partner: String

    init(extraFiles: [String: String?] = [:]) throws {
        let repo = try SecretsRepoFixture()
        self.repo = repo
        var files: [String: String?] = [
            "policies/control-plane.yaml": SecretsRepoFixture.keyPolicy(name: "control-plane", rotateEvery: "90d", overlap: "24h"),
            "keys/rotor/admin.yaml": SecretsRepoFixture.apiKey(project: "rotor", name: "admin", scopes: ["rotor:admin"],
                                                               policy: "control-plane", consumers: ["ops"]),
            "keys/payments/billing-reader.yaml": SecretsRepoFixture.apiKey(project: "payments", name: "billing-reader",
                                                                           scopes: ["rotor:values:read", "rotor:secrets:read"],
                                                                           policy: "control-plane", consumers: ["billing-api"]),
            "keys/payments/other-reader.yaml": SecretsRepoFixture.apiKey(project: "payments", name: "other-reader", scopes: ["rotor:values:read"],
                                                                         policy: "control-plane", consumers: ["other-svc"]),
            "keys/payments/partner.yaml": SecretsRepoFixture.apiKey(project: "payments", name: "partner", scopes: ["payments:read"],
                                                                    policy: "control-plane", consumers: ["partner-gateway"]),
        ]
        for (path, text) in extraFiles { files[path] = text }
        try repo.commit(files, message: "declare the control plane's keys")
        let applied = try repo.rotor(["apply", "--at", Self.at(), "--deliver-timeout", "0"])
        guard applied.status == 0 else { throw FixtureError("apply failed: \(applied.stderr)") }
        func key(_ name: String) throws -> String {
            let output = try repo.rotor(["get", name, "--key", "--no-newline", "--at", Self.at()])
            guard output.status == 0 else { throw FixtureError("get \(name) failed: \(output.stderr)") }
            return output.stdout
        }
        admin = try key("rotor/admin")
        reader = try key("payments/billing-reader")
        stranger = try key("payments/other-reader")
        partner = try key("payments/partner")
    }

    /// `rotor serve` over this repository, its clock at `at`.
    func serve(at: String = APIFixture.at(hours: 1), arguments: [String] = []) throws -> APIServer {
        try APIServer(repo: repo, arguments: ["--at", at] + arguments)
    }

    /// What `rotor get` prints for a secret (a version in grace with `version`).
    func get(_ name: String, at: String = APIFixture.at(hours: 1), version: Int? = nil) throws -> String {
        let output = try repo.rotor(["get", name, "--no-newline", "--at", at] + (version.map { ["--version", String($0)] } ?? []))
        guard output.status == 0 else { throw FixtureError("get \(name) failed: \(output.stderr)") }
        return output.stdout
    }

    /// `rotor keys verify` of `key` (given on stdin, as the command reads it).
    func verify(_ key: String, at: String) throws -> Shell.Output {
        try Shell.run(Shell.rotorExecutable, ["keys", "verify", "--at", at, "--repo", repo.root, "--state", repo.statePath],
                      input: Array(key.utf8), environment: ["GNUPGHOME": repo.keyring.path])
    }

    /// Audit rows with `action`, via the CLI's JSON.
    func audit(_ action: String) throws -> [[String: Any]] {
        let output = try repo.rotor(["audit", "--format", "json", "--action", action])
        guard output.status == 0 else { throw FixtureError("audit failed: \(output.stderr)") }
        let parsed = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8))
        if let rows = parsed as? [[String: Any]] { return rows }
        if let object = parsed as? [String: Any], let rows = object["entries"] as? [[String: Any]] { return rows }
        throw FixtureError("unexpected audit JSON: \(output.stdout.prefix(300))")
    }
}
