import Foundation
import RotorCore
import RotorEngine
import RotorGit

/// A throwaway secrets repository made by `rotor init`, with helpers to edit and commit specs.
public final class SecretsRepoFixture: Sendable {
    /// The folder holding the repository and the store.
    public let directory: TemporaryDirectory
    /// The keyring whose key is the recipient.
    public let keyring: TestKeyring
    /// The repository's working tree.
    public let root: String
    /// The state store's path (outside the working tree).
    public let statePath: String

    /// Scaffolds a repository encrypted to a fresh key (or to `keyring`).
    public init(keyring: TestKeyring? = nil, at now: Date = RFC3339.parse("2026-12-01T00:00:00Z")!) throws {
        directory = try TemporaryDirectory(prefix: "rr")
        self.keyring = try keyring ?? TestKeyring()
        root = directory.path("repo")
        statePath = directory.path("state/state.db")
        // The sample consumer keeps a webhook here (rotor init leaves it as a comment): many tests
        // count on billing-api having a signing secret and its deliveries.
        try Scaffold.create(at: root, recipients: [self.keyring.fingerprint], gpgHome: self.keyring.path, now: now,
                            webhook: "http://127.0.0.1:8089/hooks/rotor")
        _ = try Shell.run("git", ["-C", root, "config", "user.name", "Test Person"])
        _ = try Shell.run("git", ["-C", root, "config", "user.email", "test@rotor.invalid"])
    }

    /// An engine over this repository.
    public func engine(actor: String = "tester") throws -> Engine {
        try Engine(repositoryPath: root, statePath: statePath, actor: actor, gpgHome: keyring.path)
    }

    /// Writes files (path → text; nil deletes) and commits them with the git CLI.
    ///   - signer: When given, the commit is signed with that keyring's key (`git commit -S`).
    @discardableResult
    public func commit(_ files: [String: String?], message: String = "edit specs", signer: TestKeyring? = nil) throws -> String {
        for (path, text) in files {
            let full = (root as NSString).appendingPathComponent(path)
            if let text {
                try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try text.write(toFile: full, atomically: true, encoding: .utf8)
            } else {
                try FileManager.default.removeItem(atPath: full)
            }
        }
        try git(["add", "-A"])
        if let signer {
            try git(["-c", "user.signingkey=\(signer.fingerprint)", "commit", "-q", "-S", "-m", message], gnupgHome: signer.path)
        } else {
            try git(["commit", "-q", "-m", message])
        }
        return try git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs the git CLI in the repository; throws when it fails.
    @discardableResult
    public func git(_ arguments: [String], gnupgHome: String? = nil) throws -> String {
        let output = try Shell.run("git", ["-C", root] + arguments, environment: ["GNUPGHOME": gnupgHome ?? keyring.path])
        guard output.status == 0 else { throw FixtureError("git \(arguments.joined(separator: " ")) failed: \(output.stderr)") }
        return output.stdout
    }

    /// Runs the rotor executable against this repository with this keyring.
    public func rotor(_ arguments: [String], environment: [String: String] = [:]) throws -> Shell.Output {
        var env = ["GNUPGHOME": keyring.path]
        for (key, value) in environment { env[key] = value }
        return try Shell.run(Shell.rotorExecutable, arguments + ["--repo", root, "--state", statePath], environment: env)
    }

    /// A Secret spec document.
    public static func secretSpec(project: String, name: String, policy: String = "database-credentials",
                                  consumers: [String] = [], value: String? = nil) -> String {
        var text = "apiVersion: rotor.dev/v1\nkind: Secret\nmetadata:\n  project: \(project)\n  name: \(name)\nspec:\n  policy: \(policy)\n"
        if let value {
            text += "  value: |\n" + value.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "    \($0)" }.joined(separator: "\n") + "\n"
        }
        if !consumers.isEmpty {
            text += "  consumers:\n" + consumers.map { "    - service: \($0)\n" }.joined()
        }
        return text
    }
}

/// A fixture step that failed.
public struct FixtureError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension SecretsRepoFixture {
    /// A KeyPolicy document.
    public static func keyPolicy(name: String = "partner-keys", rotateEvery: String? = "90d", overlap: String = "24h", maxAge: String? = nil) -> String {
        var text = "apiVersion: rotor.dev/v1\nkind: KeyPolicy\nmetadata:\n  name: \(name)\nspec:\n  overlap: \(overlap)\n"
        if let rotateEvery { text += "  rotateEvery: \(rotateEvery)\n" }
        if let maxAge { text += "  maxAge: \(maxAge)\n" }
        return text
    }

    /// An ApiKey document.
    public static func apiKey(project: String, name: String, type: String = "secret", scopes: [String] = ["payments:read"],
                              policy: String = "partner-keys", revoked: Bool = false, consumers: [String] = [], expiresAt: String? = nil) -> String {
        var text = "apiVersion: rotor.dev/v1\nkind: ApiKey\nmetadata:\n  project: \(project)\n  name: \(name)\nspec:\n"
        text += "  type: \(type)\n  scopes: [\(scopes.joined(separator: ", "))]\n  policy: \(policy)\n"
        if revoked { text += "  revoked: true\n  revokeReason: leaked\n" }
        if let expiresAt { text += "  expiresAt: \"\(expiresAt)\"\n" }
        if !consumers.isEmpty { text += "  consumers:\n" + consumers.map { "    - service: \($0)\n" }.joined() }
        return text
    }
}
