import Foundation

/// One change the applier will make. The closed set of kinds is the whole vocabulary of a plan.
public struct PlanAction: Hashable, Codable, Sendable {
    /// What kind of change.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// `+` version 1 of a new secret.
        case create
        /// `~` a new active version; the old one enters its grace period.
        case rotate
        /// `!` a grace period ends within `warnBefore`: consumers are warned.
        case warn
        /// `-` a grace period ended: the old version is removed.
        case expire
        /// `-` the spec was removed: every version of the secret is removed.
        case delete
        /// `x` an API key is invalidated at once (spec `revoked: true` or `rotor revoke`).
        case revoke

        /// The one-character symbol shown in text plans.
        public var symbol: String {
            switch self {
            case .create: return "+"
            case .rotate: return "~"
            case .warn: return "!"
            case .expire, .delete: return "-"
            case .revoke: return "x"
            }
        }

        /// Whether the action changes `versions/` in git.
        public var writesGit: Bool { self != .warn }
    }

    /// Why a version is created; decisions use this, never the reason text.
    public enum Cause: String, Codable, Sendable {
        /// The secret is new.
        case new
        /// The policy says the active version is too old.
        case due
        /// The externally issued value in the spec changed.
        case valueChanged = "value-changed"
        /// Someone asked for it (`rotor rotate`).
        case manual
        /// Someone asked for an older version's value back (`rotor rollback`): see ``PlanAction/rollbackTo``.
        case rollback
    }

    /// What an action applies to.
    public enum Resource: String, Codable, Sendable {
        /// A secret (`secrets/`).
        case secret
        /// An API key (`keys/`).
        case key
    }

    /// The kind of change.
    public var kind: Kind
    /// Whether it is a secret or an API key.
    public var resource: Resource = .secret
    /// The secret or key it applies to.
    public var secret: SecretID
    /// The version created (create, rotate) or affected (warn, expire).
    public var version: Int?
    /// For rotate: the version being replaced.
    public var fromVersion: Int?
    /// For create and rotate.
    public var cause: Cause?
    /// For people; never used for decisions.
    public var reason: String
    /// For rotate: when the replaced version's grace (for keys: overlap) ends. For warn and expire: the version's end.
    public var graceExpiresAt: Date?
    /// For create and rotate: where the value comes from.
    public var source: SecretVersion.Source?
    /// For a rollback: the older version whose value the new version carries (instead of a new value).
    public var rollbackTo: Int?
    /// The services that use the secret: the blast radius.
    public var consumers: [String]

    /// Creates an action.
    public init(kind: Kind, resource: Resource = .secret, secret: SecretID, version: Int? = nil, fromVersion: Int? = nil,
                cause: Cause? = nil, reason: String, graceExpiresAt: Date? = nil, source: SecretVersion.Source? = nil,
                consumers: [String] = [], rollbackTo: Int? = nil) {
        self.kind = kind
        self.resource = resource
        self.secret = secret
        self.version = version
        self.fromVersion = fromVersion
        self.cause = cause
        self.reason = reason
        self.graceExpiresAt = graceExpiresAt
        self.source = source
        self.consumers = consumers
        self.rollbackTo = rollbackTo
    }
}

/// Something a person should know that is not a change: an overdue external value, a stale recipient set.
public struct PlanNotice: Hashable, Codable, Sendable {
    /// The secret concerned.
    public var secret: SecretID
    /// What to know, and what to do.
    public var message: String

    /// Creates a notice.
    public init(secret: SecretID, message: String) {
        self.secret = secret
        self.message = message
    }
}

/// What an apply would do at `now`: pure data, rendered as text, JSON or markdown.
public struct Plan: Codable, Sendable {
    /// The version of this JSON shape.
    public var formatVersion = 1
    /// The git commit the plan was computed from.
    public var revision: String?
    /// The instant the plan was computed for.
    public var now: Date
    /// The changes, ordered by secret then kind.
    public var actions: [PlanAction]
    /// Things to know that are not changes.
    public var notices: [PlanNotice]
    /// How many secrets the repository declares.
    public var secretCount: Int

    /// Creates a plan.
    public init(revision: String?, now: Date, actions: [PlanAction], notices: [PlanNotice], secretCount: Int) {
        self.revision = revision
        self.now = now
        self.actions = actions
        self.notices = notices
        self.secretCount = secretCount
    }

    /// Whether applying would change anything.
    public var hasChanges: Bool { !actions.isEmpty }

    /// Whether applying would write to git.
    public var writesGit: Bool { actions.contains { $0.kind.writesGit } }

    /// How many actions of each kind.
    public func count(_ kind: PlanAction.Kind) -> Int { actions.filter { $0.kind == kind }.count }
}
