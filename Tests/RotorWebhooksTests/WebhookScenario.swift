import Foundation
import RotorCore
import RotorStore
import RotorTesting

/// A secrets repository whose `payments/db-password` is consumed by services with webhooks,
/// driven through the real `rotor` binary (real git, gpg, SQLite and HTTP).
struct WebhookScenario {
    static let t0 = "2026-12-01T00:00:00Z"
    static let start = RFC3339.parse(t0)!
    let repo: SecretsRepoFixture

    /// `consumers`: (service, webhook URL) pairs of `payments/db-password`.
    init(consumers: [(String, String)], extraFiles: [String: String?] = [:]) throws {
        repo = try SecretsRepoFixture()
        var files: [String: String?] = ["secrets/payments/db-password.yaml": Self.spec(project: "payments", name: "db-password", consumers: consumers)]
        for (path, text) in extraFiles { files[path] = text }
        try repo.commit(files)
    }

    static func spec(project: String, name: String, policy: String = "database-credentials", consumers: [(String, String)],
                     value: String? = nil) -> String {
        var text = "apiVersion: rotor.dev/v1\nkind: Secret\nmetadata:\n  project: \(project)\n  name: \(name)\nspec:\n  policy: \(policy)\n"
        if let value {
            text += "  value: |\n" + value.split(separator: "\n").map { "    \($0)\n" }.joined()
        }
        text += "  consumers:\n" + consumers.map { "    - service: \($0.0)\n      webhook: \($0.1)\n" }.joined()
        return text
    }

    /// Runs rotor against the repository.
    @discardableResult
    func rotor(_ arguments: [String], environment: [String: String] = [:]) throws -> Shell.Output {
        try repo.rotor(arguments, environment: environment)
    }

    /// `rotor apply --at` without delivering, checked.
    func applyWithoutDelivery(at time: String = t0) throws {
        let output = try rotor(["apply", "--at", time, "--deliver-timeout", "0"])
        guard output.status == 0 else { throw FixtureError("apply failed: \(output.stderr)") }
    }

    /// The signing secret of `service` (`whsec_…`), as its owner gets it: `rotor get webhooks/<service>`.
    func signingSecret(_ service: String, version: Int? = nil) throws -> String {
        let output = try rotor(["get", "webhooks/\(service)", "--no-newline"] + (version.map { ["--version", String($0)] } ?? []))
        guard output.status == 0 else { throw FixtureError("rotor get webhooks/\(service) failed: \(output.stderr)") }
        return output.stdout
    }

    /// The store, read-only.
    func store() throws -> StateStore {
        guard let store = try StateStore.openReadOnly(path: repo.statePath) else { throw FixtureError("no store at \(repo.statePath)") }
        return store
    }

    /// Runs `rotor deliver` at each next due time until no job is pending (at most `limit` runs); returns the exit codes.
    func deliverUntilSettled(limit: Int = 20, extra: [String] = []) throws -> [Int32] {
        var codes: [Int32] = []
        for _ in 0..<limit {
            guard let due = try store().jobs(status: .pending).map(\.runAt).min() else { break }
            codes.append(try rotor(["deliver", "--at", RFC3339.format(due)] + extra).status)
        }
        return codes
    }
}
