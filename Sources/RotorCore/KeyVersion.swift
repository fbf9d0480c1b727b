import Foundation

/// One version of an API key as recorded in `versions/keys/<project>/<name>.yaml`.
///
/// Revoked and expired versions stay in the file without their ciphertext, so their hash
/// keeps answering "revoked" and a revoked key can never come back by accident.
public struct KeyVersion: Hashable, Codable, Sendable {
    /// Where the version is in its life.
    public enum State: String, Codable, Sendable {
        /// The key services should use.
        case active
        /// Replaced, still valid until `expiresAt`.
        case overlap
        /// Past its expiry: invalid.
        case expired
        /// Revoked: invalid at once.
        case revoked

        /// Whether a key in this state verifies.
        public var isValid: Bool { self == .active || self == .overlap }
    }

    /// The key's id (a UUID); `rotatedTo` of the previous version points here.
    public var id: String
    /// 1, 2, 3, … per key.
    public var version: Int
    /// The state.
    public var state: State
    /// The type when this version was issued.
    public var type: ApiKeyType
    /// The scopes when this version was issued.
    public var scopes: [String]
    /// When it was issued.
    public var createdAt: Date
    /// Who caused it.
    public var createdBy: String
    /// The version it replaced.
    public var rotatedFrom: Int?
    /// The id of the key that replaced it.
    public var rotatedTo: String?
    /// Why it was issued.
    public var rotationReason: String
    /// When it stops being valid (overlap end, maxAge or the spec's expiresAt), if ever.
    public var expiresAt: Date?
    /// When it was revoked or expired.
    public var endedAt: Date?
    /// Why it was revoked.
    public var revokeReason: String?
    /// `sha256:<hex>` of the key: services verify a presented key against it without decrypting.
    public var hash: String
    /// The first characters of the key (type prefix + 4), to recognise it in logs.
    public var hint: String
    /// The fingerprints the key is encrypted to.
    public var recipients: [String]
    /// The armored PGP message; nil once revoked or expired.
    public var valueEncrypted: String?

    /// Creates a key version.
    public init(id: String, version: Int, state: State, type: ApiKeyType, scopes: [String], createdAt: Date, createdBy: String,
                rotatedFrom: Int?, rotatedTo: String?, rotationReason: String, expiresAt: Date?, endedAt: Date?,
                revokeReason: String?, hash: String, hint: String, recipients: [String], valueEncrypted: String?) {
        self.id = id
        self.version = version
        self.state = state
        self.type = type
        self.scopes = scopes
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.rotatedFrom = rotatedFrom
        self.rotatedTo = rotatedTo
        self.rotationReason = rotationReason
        self.expiresAt = expiresAt
        self.endedAt = endedAt
        self.revokeReason = revokeReason
        self.hash = hash
        self.hint = hint
        self.recipients = recipients
        self.valueEncrypted = valueEncrypted
    }
}

/// Every version of one API key, newest first.
public struct KeyVersionFile: Hashable, Sendable {
    /// The key.
    public var key: SecretID
    /// Its versions, live and ended, newest first.
    public var versions: [KeyVersion]

    /// Creates a file, ordering versions newest first.
    public init(key: SecretID, versions: [KeyVersion]) {
        self.key = key
        self.versions = versions.sorted { $0.version > $1.version }
    }

    /// The path of the file for `key`.
    public static func path(for key: SecretID) -> String { "versions/keys/\(key.project)/\(key.name).yaml" }

    /// The active version.
    public var active: KeyVersion? { versions.first { $0.state == .active } }

    /// The highest version number.
    public var maxVersion: Int { versions.map(\.version).max() ?? 0 }

    /// The canonical text: same versions, same bytes.
    public func canonicalText() -> String { String(decoding: canonicalBytes(), as: UTF8.self) }

    /// ``canonicalText()`` as UTF-8 bytes (what is written to git).
    public func canonicalBytes() -> [UInt8] {
        var out = CanonicalYAMLWriter()
        out.document(kind: "ApiKeyVersions", of: key)
        for version in versions {
            out.item(id: version.id)
            out.field("version", plain: String(version.version))
            out.field("state", plain: version.state.rawValue)
            out.field("type", plain: version.type.rawValue)
            out.field("scopes", list: version.scopes)
            out.field("createdAt", date: version.createdAt)
            out.field("createdBy", quoted: version.createdBy)
            out.field("rotatedFrom", plain: version.rotatedFrom.map(String.init))
            out.field("rotatedTo", quoted: version.rotatedTo)
            out.field("rotationReason", quoted: version.rotationReason)
            out.field("expiresAt", date: version.expiresAt)
            out.field("endedAt", date: version.endedAt)
            out.field("revokeReason", quoted: version.revokeReason)
            out.field("hash", quoted: version.hash)
            out.field("hint", quoted: version.hint)
            out.field("recipients", list: version.recipients)
            out.armor(version.valueEncrypted)
        }
        return out.bytes
    }
}
