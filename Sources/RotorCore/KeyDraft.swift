import Foundation

/// A new API key as a person asks for it: the fields of a `kind: ApiKey` spec.
///
/// The key itself is issued by rotor at merge (v1), never written in the spec.
public struct KeyDraft: Hashable, Codable, Sendable {
    /// The project (`keys/<project>/…`); follows ``NameRule``.
    public var project: String
    /// The key's name in its project; follows ``NameRule``.
    public var name: String
    /// The key's type.
    public var type: ApiKeyType
    /// What the key may do (`payments:read`); at least one, each following ``ScopeRule``.
    public var scopes: [String]
    /// The key policy's name (`kind: KeyPolicy`).
    public var policy: String
    /// An absolute end of life for every version of the key.
    public var expiresAt: Date?
    /// The services that hold the key, each with an optional webhook.
    public var consumers: [Consumer]
    /// Free-form description, for humans.
    public var description: String?

    /// Creates a draft.
    public init(project: String, name: String, type: ApiKeyType, scopes: [String], policy: String, expiresAt: Date? = nil,
                consumers: [Consumer] = [], description: String? = nil) {
        self.project = project
        self.name = name
        self.type = type
        self.scopes = scopes
        self.policy = policy
        self.expiresAt = expiresAt
        self.consumers = consumers
        self.description = description
    }

    /// `project/name`.
    public var id: SecretID { SecretID(project: project, name: name) }
}
