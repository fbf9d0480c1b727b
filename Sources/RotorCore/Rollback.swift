import Foundation

/// A request to make an older version's value live again (`rotor rollback`).
///
/// A rollback never rewinds history: the value comes back as a new version N+1, and the
/// version it replaces enters its grace period as after any rotation (or, with
/// ``expireCurrent``, is removed at once).
public struct Rollback: Hashable, Codable, Sendable {
    /// The version whose value comes back; nil means the newest version still in its grace period.
    public var toVersion: Int?
    /// Why, from the person (recorded in the version, the commit and the audit log).
    public var reason: String
    /// Whether the version being replaced is removed at once (its value leaked) instead of entering its grace period.
    public var expireCurrent: Bool

    /// Creates a rollback request.
    public init(toVersion: Int? = nil, reason: String, expireCurrent: Bool = false) {
        self.toVersion = toVersion
        self.reason = reason
        self.expireCurrent = expireCurrent
    }
}

/// Why a rollback cannot happen, said to the person who asked for it.
public enum RollbackRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    /// No secret of that name is declared.
    case unknownSecret(SecretID)
    /// The secret's value comes from `value:` in its spec: rotor does not choose it.
    case external(SecretID, specPath: String)
    /// The secret has no version yet.
    case noVersions(SecretID)
    /// No version is in its grace period (none was asked for by number).
    case nothingInGrace(SecretID, live: [SecretVersion], now: Date)
    /// The version's grace period ended; `endedAt` is when, when known.
    case graceEnded(SecretID, version: Int, endedAt: Date?, stillListed: Bool, live: [SecretVersion], now: Date)
    /// The version asked for is the active one.
    case isActive(SecretID, version: Int, live: [SecretVersion], now: Date)
    /// The secret never had that version.
    case noSuchVersion(SecretID, version: Int, live: [SecretVersion], now: Date)
    /// The active version already carries that version's value (it is a rollback to it).
    case alreadyLive(SecretID, version: Int, active: Int)
    /// The version holds an externally issued value the spec no longer names.
    case externalValue(SecretID, version: Int, specPath: String)

    /// What is wrong and what to do, never a value.
    public var description: String {
        switch self {
        case .unknownSecret(let id):
            return "no secret \(id) in this repository"
        case .external(let id, let path):
            return "\(id) takes its value from `value:` in \(path): rotor does not choose its value, so it cannot roll it back; put the earlier encrypted value back in `value:` (a pull request) instead"
        case .noVersions(let id):
            return "\(id) has no versions yet: run `rotor apply` first"
        case .nothingInGrace(let id, let live, let now):
            return "\(id): no version is in its grace period, so there is no earlier value to roll back to. Live versions: \(Self.list(live, now: now))"
        case .graceEnded(let id, let number, let endedAt, let stillListed, let live, let now):
            let ended = endedAt.map { "v\(number)'s grace period ended at \(RFC3339.format($0))" } ?? "v\(number)'s grace period has ended"
            let removed = stillListed ? "its value is removed at the next apply" : "its value was removed"
            return "\(id): \(ended): \(removed); nothing to roll back to. Live versions: \(Self.list(live, now: now))"
        case .isActive(let id, let number, let live, let now):
            return "\(id): v\(number) is the active version; name a version in its grace period. Live versions: \(Self.list(live, now: now))"
        case .noSuchVersion(let id, let number, let live, let now):
            return "\(id) has no version v\(number). Live versions: \(Self.list(live, now: now))"
        case .alreadyLive(let id, let number, let active):
            return "\(id): the active v\(active) already carries v\(number)'s value (it is a rollback to v\(number))"
        case .externalValue(let id, let number, let path):
            return "\(id): v\(number) holds an externally issued value that \(path) no longer names; rotor generates this secret's values now. Put that value back in `value:` (a pull request) instead"
        }
    }

    /// `v3 (active), v2 (grace until …)`: the versions whose values still work at `now`.
    static func list(_ versions: [SecretVersion], now: Date) -> String {
        let live = versions.filter { $0.state == .active || ($0.graceExpiresAt.map { $0 > now } ?? false) }
        guard !live.isEmpty else { return "none" }
        return live.map { version in
            version.state == .active ? "v\(version.version) (active)"
                : "v\(version.version) (grace until \(version.graceExpiresAt.map(RFC3339.format) ?? "?"))"
        }.joined(separator: ", ")
    }
}

extension Planner {
    /// The version a rollback brings back, or why it cannot: a pure function of the specs, the
    /// version files and `now`.
    ///
    /// Without a number, the newest version whose grace period has not ended is chosen. A
    /// version is eligible only while it is in its grace period (`graceExpiresAt > now`): after
    /// that its value is gone, and a version file that still lists it is only a pass behind.
    ///
    /// - Parameters:
    ///   - id: The secret.
    ///   - rollback: The request.
    ///   - desired: The specs.
    ///   - observed: The version files (and the highest version numbers the store knows).
    ///   - now: The instant the rollback happens.
    /// - Returns: The grace version whose value comes back, or the refusal.
    public static func rollbackTarget(of id: SecretID, _ rollback: Rollback, desired: DesiredState, observed: ObservedState,
                                      now: Date) -> Result<SecretVersion, RollbackRefusal> {
        guard let spec = desired.secrets[id] else { return .failure(.unknownSecret(id)) }
        if spec.isExternal { return .failure(.external(id, specPath: spec.location.path)) }
        guard let file = observed.versionFiles[id], let active = file.active else { return .failure(.noVersions(id)) }
        let graceVersions = file.versions.filter { $0.state == .grace }
        let target: SecretVersion
        if let number = rollback.toVersion {
            if number == active.version { return .failure(.isActive(id, version: number, live: file.versions, now: now)) }
            guard let listed = graceVersions.first(where: { $0.version == number }) else {
                if number >= 1, number < observed.nextVersion(of: id) {
                    return .failure(.graceEnded(id, version: number, endedAt: nil, stillListed: false, live: file.versions, now: now))
                }
                return .failure(.noSuchVersion(id, version: number, live: file.versions, now: now))
            }
            target = listed
        } else {
            // Newest first (a version file is ordered so).
            guard let newest = graceVersions.first else {
                return .failure(.nothingInGrace(id, live: file.versions, now: now))
            }
            target = graceVersions.first { ($0.graceExpiresAt ?? now) > now } ?? newest
        }
        guard let expiry = target.graceExpiresAt, expiry > now else {
            return .failure(.graceEnded(id, version: target.version, endedAt: target.graceExpiresAt, stillListed: true,
                                        live: file.versions, now: now))
        }
        if active.rolledBackTo == target.version {
            return .failure(.alreadyLive(id, version: target.version, active: active.version))
        }
        if target.source == .external { return .failure(.externalValue(id, version: target.version, specPath: spec.location.path)) }
        return .success(target)
    }
}
