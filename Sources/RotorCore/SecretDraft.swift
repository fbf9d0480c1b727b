import Foundation

/// A new secret as a person asks for it: the fields of a `kind: Secret` spec, without a value.
///
/// There is no value field on purpose: a proposal declares a secret rotor generates, so no
/// plaintext ever reaches a spec, a commit or a request log. (An externally issued value is an
/// armored PGP message a person commits by hand.)
public struct SecretDraft: Hashable, Codable, Sendable {
    /// The project (`secrets/<project>/…`); follows ``NameRule``.
    public var project: String
    /// The secret's name in its project; follows ``NameRule``.
    public var name: String
    /// The policy's name; nil means `rotor.yaml`'s default policy.
    public var policy: String?
    /// A generator that overrides the policy's; nil means the policy's.
    public var generator: GeneratorSpec?
    /// The services that use the secret (they may read its value), each with an optional webhook.
    public var consumers: [Consumer]
    /// Free-form description, for humans.
    public var description: String?

    /// Creates a draft.
    public init(project: String, name: String, policy: String? = nil, generator: GeneratorSpec? = nil,
                consumers: [Consumer] = [], description: String? = nil) {
        self.project = project
        self.name = name
        self.policy = policy
        self.generator = generator
        self.consumers = consumers
        self.description = description
    }

    /// `project/name`.
    public var id: SecretID { SecretID(project: project, name: name) }
}
