import Foundation

/// The repository configuration, `rotor.yaml`.
public struct RepoConfig: Hashable, Codable, Sendable {
    /// Fingerprints (uppercase hex) every value is encrypted to.
    public var recipients: [String]
    /// Policy used by secrets that name none.
    public var defaultPolicy: String?
    /// Grace period used by policies that set none (24h when unset here too).
    public var defaultGracePeriod: RotorDuration?
    /// Warning lead used by policies that set none (1h when unset here too).
    public var defaultWarnBefore: RotorDuration?
    /// Who rotor's commits are authored by; nil means `rotor <rotor@localhost>`.
    public var commitAuthor: Identity?
    /// The key rotor signs its own commits with (its secret key must be in rotor's keyring).
    public var signingKey: String?
    /// When not empty, every commit that changes specs or versions must be signed by one of these keys.
    public var trustedSigners: [String] = []

    /// A git identity.
    public struct Identity: Hashable, Codable, Sendable {
        public var name: String
        public var email: String
        public init(name: String, email: String) { self.name = name; self.email = email }
    }

    /// Creates a configuration.
    public init(recipients: [String], defaultPolicy: String? = nil, defaultGracePeriod: RotorDuration? = nil,
                defaultWarnBefore: RotorDuration? = nil, commitAuthor: Identity? = nil) {
        self.recipients = recipients
        self.defaultPolicy = defaultPolicy
        self.defaultGracePeriod = defaultGracePeriod
        self.defaultWarnBefore = defaultWarnBefore
        self.commitAuthor = commitAuthor
    }
}

/// How a new value is made.
public struct GeneratorSpec: Hashable, Codable, Sendable, CustomStringConvertible {
    /// The kind of value.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// `length` characters drawn uniformly from `characters`.
        case password
        /// `length` random bytes, hex encoded (2 × length characters).
        case hex
        /// `length` random bytes, base64 encoded.
        case base64
    }

    /// Named character sets for passwords.
    public static let charsets: [String: String] = [
        "alphanumeric": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        "lowercase-alphanumeric": "abcdefghijklmnopqrstuvwxyz0123456789",
        "alphanumeric-symbols": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,-./:;<=>?@[]^_{|}~",
        "digits": "0123456789",
    ]

    /// The kind.
    public var kind: Kind
    /// Characters (password) or bytes (hex, base64).
    public var length: Int
    /// The characters a password draws from (ignored for hex and base64).
    public var characters: String
    /// The name of the charset, for display (`alphanumeric`, or `custom`).
    public var charsetName: String
    /// Text put before every generated value (`whsec_`, `sk_live_`); not counted in `length`
    /// and adding no entropy.
    public var prefix: String?

    /// The default: a 32-character alphanumeric password (~190 bits).
    public static let `default` = GeneratorSpec(kind: .password, length: 32)

    /// Creates a generator; `characters` defaults to alphanumeric.
    public init(kind: Kind, length: Int, charsetName: String = "alphanumeric", characters: String? = nil, prefix: String? = nil) {
        self.kind = kind
        self.length = length
        self.charsetName = charsetName
        self.characters = characters ?? Self.charsets[charsetName] ?? Self.charsets["alphanumeric"]!
        self.prefix = prefix
    }

    /// Entropy of one generated value, in bits.
    public var entropyBits: Double {
        switch kind {
        case .password: return Double(length) * log2(Double(Set(characters).count))
        case .hex, .base64: return Double(length * 8)
        }
    }

    /// `password, 32 chars (alphanumeric)`; `base64, 32 bytes, prefix whsec_`.
    public var description: String {
        let suffix = prefix.map { ", prefix \($0)" } ?? ""
        switch kind {
        case .password: return "password, \(length) chars (\(charsetName))\(suffix)"
        case .hex: return "hex, \(length) bytes\(suffix)"
        case .base64: return "base64, \(length) bytes\(suffix)"
        }
    }
}

/// `kind: Policy`: how often a secret rotates and how long old versions live.
public struct Policy: Hashable, Codable, Sendable {
    /// The policy's name (its file is `policies/<name>.yaml`).
    public var name: String
    /// Where the policy is declared.
    public var location: SourceLocation
    /// How old the active version may get; nil means it only rotates on demand.
    public var rotateEvery: RotorDuration?
    /// How long a replaced version stays usable; nil means the repository default.
    public var gracePeriod: RotorDuration?
    /// How long before a grace period ends the warning goes out; nil means the repository default.
    public var warnBefore: RotorDuration?
    /// How values are generated; nil means ``GeneratorSpec/default``.
    public var generator: GeneratorSpec?

    /// Creates a policy.
    public init(name: String, location: SourceLocation, rotateEvery: RotorDuration?, gracePeriod: RotorDuration? = nil,
                warnBefore: RotorDuration? = nil, generator: GeneratorSpec? = nil) {
        self.name = name
        self.location = location
        self.rotateEvery = rotateEvery
        self.gracePeriod = gracePeriod
        self.warnBefore = warnBefore
        self.generator = generator
    }
}

/// A service that uses a secret, and where it hears about changes.
public struct Consumer: Hashable, Codable, Sendable {
    /// The service's name.
    public var service: String
    /// The webhook URL notified on changes, if any.
    public var webhook: String?

    /// Creates a consumer.
    public init(service: String, webhook: String? = nil) {
        self.service = service
        self.webhook = webhook
    }
}

/// `kind: Secret`: one secret as declared in `secrets/<project>/<name>.yaml`.
public struct SecretSpec: Hashable, Codable, Sendable {
    /// `project/name`.
    public var id: SecretID
    /// Where the spec is declared (the `kind:` line).
    public var location: SourceLocation
    /// The policy's name.
    public var policy: String
    /// Where `policy:` is written, when it is.
    public var policyLocation: SourceLocation?
    /// A generator that overrides the policy's.
    public var generator: GeneratorSpec?
    /// An externally issued value: an ASCII-armored PGP message (never plaintext).
    public var externalValue: String?
    /// `sha256:<hex>` of the armored external value, to notice when it changes.
    public var externalValueDigest: String?
    /// The services that use this secret.
    public var consumers: [Consumer]
    /// Free-form description, for humans.
    public var description: String?

    /// Creates a spec.
    public init(id: SecretID, location: SourceLocation, policy: String, generator: GeneratorSpec? = nil,
                externalValue: String? = nil, externalValueDigest: String? = nil, consumers: [Consumer] = [],
                description: String? = nil) {
        self.id = id
        self.location = location
        self.policy = policy
        self.generator = generator
        self.externalValue = externalValue
        self.externalValueDigest = externalValueDigest
        self.consumers = consumers
        self.description = description
    }

    /// Whether the value is issued outside rotor (and so cannot be generated on rotation).
    public var isExternal: Bool { externalValue != nil }
}

/// Everything the repository declares at one revision: what should exist.
public struct DesiredState: Sendable {
    /// `rotor.yaml`.
    public var config: RepoConfig
    /// Policies by name.
    public var policies: [String: Policy]
    /// Secrets by id.
    public var secrets: [SecretID: SecretSpec]
    /// Key policies by name.
    public var keyPolicies: [String: KeyPolicy]
    /// API keys by id.
    public var keys: [SecretID: ApiKeySpec]
    /// The git commit the specs were read from, if any.
    public var revision: String?

    /// Creates a desired state.
    public init(config: RepoConfig, policies: [String: Policy], secrets: [SecretID: SecretSpec], revision: String?,
                keyPolicies: [String: KeyPolicy] = [:], keys: [SecretID: ApiKeySpec] = [:]) {
        self.config = config
        self.policies = policies
        self.secrets = secrets
        self.revision = revision
        self.keyPolicies = keyPolicies
        self.keys = keys
    }

    /// The grace period that applies to `spec`.
    public func gracePeriod(for spec: SecretSpec) -> RotorDuration {
        policies[spec.policy]?.gracePeriod ?? config.defaultGracePeriod ?? RotorDuration(seconds: 86_400)
    }

    /// The warning lead that applies to `spec`.
    public func warnBefore(for spec: SecretSpec) -> RotorDuration {
        policies[spec.policy]?.warnBefore ?? config.defaultWarnBefore ?? RotorDuration(seconds: 3_600)
    }

    /// The generator that applies to `spec`.
    public func generator(for spec: SecretSpec) -> GeneratorSpec {
        spec.generator ?? policies[spec.policy]?.generator ?? .default
    }
}
