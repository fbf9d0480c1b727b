import Foundation
import GRDB
import RotorCore

/// A version rotor encrypted and committed locally but has not got onto the remote yet.
///
/// When a push is refused because the remote moved (a pull request merged meanwhile), or a
/// crash left unpushed commits on a branch that has since diverged, the daemon keeps the new
/// versions here (ciphertext only) before it resets its branch to the remote. The re-plan on
/// the new head reuses them for the same secret or key and version number instead of
/// generating a new value, so one version number never gets two values.
public struct PendingVersion: Hashable, Sendable {
    /// A secret or an API key.
    public var resource: PlanAction.Resource
    /// Which secret or key.
    public var target: SecretID
    /// The version number it was made for.
    public var version: Int
    /// The version's id (what git and the store call it).
    public var versionID: String
    /// The armored PGP message, as written under `versions/`.
    public var valueEncrypted: String
    /// The fingerprints it is encrypted to.
    public var recipients: [String]
    /// `generated` or `external`.
    public var source: String
    /// For an external value: the digest of the spec's armored value it came from.
    public var sourceDigest: String?
    /// For an API key: `sha256:` hash of the key.
    public var keyHash: String?
    /// For an API key: its short hint (type prefix and first characters).
    public var keyHint: String?
    /// The unpushed commit it was found in.
    public var fromCommit: String?
    /// When it was saved.
    public var savedAt: Date

    /// Creates a pending version.
    public init(resource: PlanAction.Resource, target: SecretID, version: Int, versionID: String, valueEncrypted: String,
                recipients: [String], source: String, sourceDigest: String? = nil, keyHash: String? = nil, keyHint: String? = nil,
                fromCommit: String? = nil, savedAt: Date) {
        self.resource = resource
        self.target = target
        self.version = version
        self.versionID = versionID
        self.valueEncrypted = valueEncrypted
        self.recipients = recipients
        self.source = source
        self.sourceDigest = sourceDigest
        self.keyHash = keyHash
        self.keyHint = keyHint
        self.fromCommit = fromCommit
        self.savedAt = savedAt
    }

    init(row: Row) {
        resource = PlanAction.Resource(rawValue: row["resource"]) ?? .secret
        target = SecretID(parsing: row["target"]) ?? SecretID(project: "", name: "")
        version = row["version"]
        versionID = row["version_id"]
        valueEncrypted = row["value_encrypted"]
        recipients = (row["recipients"] as String).split(separator: ",").map(String.init)
        source = row["source"]
        sourceDigest = row["source_digest"]
        keyHash = row["key_hash"]
        keyHint = row["key_hint"]
        fromCommit = row["from_commit"]
        savedAt = RFC3339.parse(row["saved_at"]) ?? Date(timeIntervalSince1970: 0)
    }

    /// The slot a pending version can fill: which secret or key, which number.
    public struct Slot: Hashable, Sendable {
        /// Secret or key.
        public let resource: PlanAction.Resource
        /// Which one.
        public let target: SecretID
        /// The version number.
        public let version: Int

        /// Creates a slot.
        public init(_ resource: PlanAction.Resource, _ target: SecretID, _ version: Int) {
            self.resource = resource
            self.target = target
            self.version = version
        }
    }

    /// This version's slot.
    public var slot: Slot { Slot(resource, target, version) }
}
