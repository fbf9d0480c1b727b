import Foundation
import RotorCore
import RotorCrypto
import RotorGit

/// `rotor init`: a new secrets repository with a config, one policy, one secret and its first commit.
public enum Scaffold {
    /// Creates the repository at `path` (which must not exist or be empty) and commits the scaffold.
    ///
    /// - Parameters:
    ///   - recipients: Fingerprints every value is encrypted to (normalized; each must be valid).
    ///   - gpgHome: Where to find the recipients' public keys, exported to `recipients/<FPR>.asc`.
    ///   - now: The commit time.
    ///   - webhook: The sample consumer's webhook URL; nil (what `rotor init` passes) leaves it
    ///     as a comment, so a new repository has no delivery to fail.
    /// - Returns: The initial commit.
    @discardableResult
    public static func create(at path: String, recipients: [String], gpgHome: String?, now: Date, webhook: String? = nil) throws -> ObjectID {
        let manager = FileManager.default
        if manager.fileExists(atPath: path), !(try manager.contentsOfDirectory(atPath: path)).isEmpty {
            throw EngineError("\(path) exists and is not empty: rotor init makes a new repository")
        }
        let fingerprints = try recipients.map { text -> String in
            guard let fingerprint = OpenPGPArmor.normalizeFingerprint(text) else {
                throw EngineError("--recipient \(text) is not a PGP fingerprint (40 or 64 hex digits; see gpg --list-keys --with-colons)")
            }
            return fingerprint
        }
        guard !fingerprints.isEmpty else { throw EngineError("at least one --recipient is required") }
        var files: [String: [UInt8]?] = [
            "rotor.yaml": Array(config(recipients: fingerprints).utf8),
            "policies/database-credentials.yaml": Array(policy.utf8),
            "secrets/payments/db-password.yaml": Array(secret(webhook: webhook).utf8),
        ]
        let context = try GPGContext(homeDirectory: gpgHome)
        for fingerprint in fingerprints where context.hasPublicKey(fingerprint: fingerprint) {
            files.updateValue(Array(try context.exportPublicKey(fingerprint: fingerprint).utf8), forKey: "recipients/\(fingerprint).asc")
        }
        let repository = try GitRepository.initialize(at: path)
        let identity = repository.configuredIdentity() ?? (name: "rotor", email: "rotor@localhost")
        let signature = GitSignature(name: identity.name, email: identity.email, time: now)
        let commit = try repository.commit(changes: files, parent: nil, ref: "refs/heads/main",
                                           message: "rotor init\n", author: signature, committer: signature)
        try repository.checkoutHead(paths: [], force: true)
        return commit
    }

    static func config(recipients: [String]) -> String {
        """
        # rotor repository configuration. Every value in this repository is encrypted to all recipients.
        apiVersion: rotor.dev/v1
        kind: Config
        spec:
          recipients:
        \(recipients.map { "    - \($0)" }.joined(separator: "\n"))
          defaults:
            policy: database-credentials
            gracePeriod: 24h
            warnBefore: 1h

        """
    }

    static let policy = """
        # Database passwords: rotate monthly; old passwords keep working for a day so every
        # service can pick up the new one on its next deploy or restart.
        apiVersion: rotor.dev/v1
        kind: Policy
        metadata:
          name: database-credentials
        spec:
          rotateEvery: 30d
          gracePeriod: 24h
          warnBefore: 1h
          generator:
            type: password
            length: 32
            charset: alphanumeric

        """

    static func secret(webhook: String?) -> String {
        let consumer = webhook.map { ["      webhook: \($0)"] } ?? [
            "      # To notify the service on every rotation, give it a webhook (it then gets its own",
            "      # signing secret, webhooks/billing-api):",
            "      # webhook: https://billing-api.example.internal/hooks/rotor",
        ]
        return ([
            "apiVersion: rotor.dev/v1",
            "kind: Secret",
            "metadata:",
            "  project: payments",
            "  name: db-password",
            "  description: Password of the payments database user.",
            "spec:",
            "  policy: database-credentials",
            "  consumers:",
            "    - service: billing-api",
        ] + consumer).joined(separator: "\n") + "\n"
    }
}
