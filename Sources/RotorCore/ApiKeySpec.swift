import Foundation

/// `kind: KeyPolicy`: how often an API key rotates and how long the old key keeps working.
public struct KeyPolicy: Hashable, Codable, Sendable {
    /// The policy's name (its file is `policies/<name>.yaml`).
    public var name: String
    /// Where it is declared.
    public var location: SourceLocation
    /// How old the active key may get; nil means it rotates only on demand.
    public var rotateEvery: RotorDuration?
    /// How long a replaced key keeps working (default 24h).
    public var overlap: RotorDuration
    /// No key version lives longer than this, whatever else happens.
    public var maxAge: RotorDuration?

    /// Creates a key policy.
    public init(name: String, location: SourceLocation, rotateEvery: RotorDuration?, overlap: RotorDuration = RotorDuration(seconds: 86_400),
                maxAge: RotorDuration? = nil) {
        self.name = name
        self.location = location
        self.rotateEvery = rotateEvery
        self.overlap = overlap
        self.maxAge = maxAge
    }
}

/// The four kinds of API key, each with its own prefix so a leaked key says what it is.
public enum ApiKeyType: String, Codable, Sendable, CaseIterable {
    case `public`
    case secret
    case serviceRole = "service_role"
    case mcp

    /// The prefix of every key of this type.
    public var prefix: String {
        switch self {
        case .public: return "rk_pub_"
        case .secret: return "rk_sec_"
        case .serviceRole: return "rk_svc_"
        case .mcp: return "rk_mcp_"
        }
    }
}

/// `kind: ApiKey`: an API key a service holds, declared in `keys/<project>/<name>.yaml`.
public struct ApiKeySpec: Hashable, Codable, Sendable {
    /// `project/name`.
    public var id: SecretID
    /// Where it is declared.
    public var location: SourceLocation
    /// The key's type.
    public var type: ApiKeyType
    /// What the key may do (`payments:read`).
    public var scopes: [String]
    /// The key policy's name.
    public var policy: String
    /// Where `policy:` is written.
    public var policyLocation: SourceLocation?
    /// An absolute end of life for every version of the key.
    public var expiresAt: Date?
    /// Whether the key is revoked (no version is valid, none is created).
    public var revoked: Bool
    /// Why, when revoked.
    public var revokeReason: String?
    /// The services that hold the key.
    public var consumers: [Consumer]

    /// Creates a key spec.
    public init(id: SecretID, location: SourceLocation, type: ApiKeyType, scopes: [String], policy: String,
                policyLocation: SourceLocation? = nil, expiresAt: Date? = nil, revoked: Bool = false,
                revokeReason: String? = nil, consumers: [Consumer] = []) {
        self.id = id
        self.location = location
        self.type = type
        self.scopes = scopes
        self.policy = policy
        self.policyLocation = policyLocation
        self.expiresAt = expiresAt
        self.revoked = revoked
        self.revokeReason = revokeReason
        self.consumers = consumers
    }

    /// The path of the spec file.
    public static func path(for id: SecretID) -> String { "keys/\(id.project)/\(id.name).yaml" }
}

/// The rule for scope strings: `resource[:action…]`, lowercase, e.g. `payments:read`, `mcp:tools.*`.
public enum ScopeRule {
    /// Whether `scope` follows the rule.
    public static func isValid(_ scope: String) -> Bool {
        let parts = scope.split(separator: ":", omittingEmptySubsequences: false)
        guard !scope.isEmpty, scope.count <= 100, let first = parts.first, NameRule.isValid(String(first)) else { return false }
        return parts.dropFirst().allSatisfy { part in
            !part.isEmpty && part.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || "-_.*".contains($0)) }
        }
    }
}
