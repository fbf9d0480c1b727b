import Foundation

/// One version of a secret as recorded in `versions/<project>/<name>.yaml`.
public struct SecretVersion: Hashable, Codable, Sendable {
    /// Whether this version is the one in use, or an old one still accepted.
    public enum State: String, Codable, Sendable {
        /// The current value.
        case active
        /// Replaced, still valid until `graceExpiresAt`.
        case grace
    }

    /// Where the value came from.
    public enum Source: String, Codable, Sendable {
        /// Made by rotor's generator.
        case generated
        /// Copied from an externally issued `value:` in the spec.
        case external
    }

    /// A stable unique id (a UUID), the same in git and the store.
    public var id: String
    /// 1, 2, 3, … per secret, never reused.
    public var version: Int
    /// Active or in grace.
    public var state: State
    /// When the version was created.
    public var createdAt: Date
    /// Who created it: `rotor`, or the user who forced a rotation.
    public var createdBy: String
    /// The version this one replaced.
    public var rotatedFrom: Int?
    /// Why it was created, for people.
    public var rotationReason: String
    /// For a rollback (`rotor rollback`): the older version whose value this one carries again.
    public var rolledBackTo: Int?
    /// When the grace period ends (grace versions only).
    public var graceExpiresAt: Date?
    /// Generated or external.
    public var source: Source
    /// For external values, `sha256:<hex>` of the spec's armored value this version was taken from.
    public var sourceDigest: String?
    /// The fingerprints the value is encrypted to.
    public var recipients: [String]
    /// The ASCII-armored PGP message.
    public var valueEncrypted: String

    /// Creates a version.
    public init(id: String, version: Int, state: State, createdAt: Date, createdBy: String, rotatedFrom: Int?,
                rotationReason: String, graceExpiresAt: Date?, source: Source, sourceDigest: String?,
                recipients: [String], valueEncrypted: String, rolledBackTo: Int? = nil) {
        self.id = id
        self.version = version
        self.state = state
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.rotatedFrom = rotatedFrom
        self.rotationReason = rotationReason
        self.rolledBackTo = rolledBackTo
        self.graceExpiresAt = graceExpiresAt
        self.source = source
        self.sourceDigest = sourceDigest
        self.recipients = recipients
        self.valueEncrypted = valueEncrypted
    }
}

/// The contents of one version file: every live version of one secret, newest first.
public struct VersionFile: Hashable, Sendable {
    /// The secret.
    public var secret: SecretID
    /// Live versions (active and grace), newest first.
    public var versions: [SecretVersion]

    /// Creates a version file, ordering versions newest first.
    public init(secret: SecretID, versions: [SecretVersion]) {
        self.secret = secret
        self.versions = versions.sorted { $0.version > $1.version }
    }

    /// The path of the file for `secret`.
    public static func path(for secret: SecretID) -> String { "versions/\(secret.project)/\(secret.name).yaml" }

    /// The active version, if any.
    public var active: SecretVersion? { versions.first { $0.state == .active } }

    /// The highest version number recorded.
    public var maxVersion: Int { versions.map(\.version).max() ?? 0 }
}
