import RotorAPIContract
import Foundation
import RotorCore
import RotorEngine
import RotorStore

/// A control-plane scope: what a key may do through the API (`rotor:admin` may do all).
enum Scope: String, Sendable, CaseIterable {
    case secretsRead = "rotor:secrets:read"
    case secretsRotate = "rotor:secrets:rotate"
    case secretsRollback = "rotor:secrets:rollback"
    case valuesRead = "rotor:values:read"
    case keysRead = "rotor:keys:read"
    case keysManage = "rotor:keys:manage"
    case jobsRead = "rotor:jobs:read"
    case jobsManage = "rotor:jobs:manage"
    case webhooksRead = "rotor:webhooks:read"
    case webhooksManage = "rotor:webhooks:manage"
    case auditRead = "rotor:audit:read"
    case planRead = "rotor:plan:read"
    case proposalsWrite = "rotor:proposals:write"
    case admin = "rotor:admin"
}

/// Who is calling: an API key version rotor manages, valid now, with `rotor:` scopes.
struct Caller: Sendable {
    let key: SecretID
    let version: Int
    let versionID: String
    /// The services that hold the key (its spec's consumers).
    let services: [String]
    /// Its `rotor:` scopes.
    let scopes: Set<String>

    /// How the audit log names the caller: `payments/billing-reader v3 (billing)`.
    var actor: String {
        "\(key) v\(version)" + (services.isEmpty ? "" : " (\(services.joined(separator: ", ")))")
    }

    func has(_ scope: Scope) -> Bool {
        scopes.contains(Scope.admin.rawValue) || scopes.contains(scope.rawValue)
    }

    var isAdmin: Bool { scopes.contains(Scope.admin.rawValue) }
}

/// Who a caller is, for the management page: which key, what it may do, which services hold it.
package struct CallerIdentity: Sendable {
    /// `project/name` of the key.
    package let key: String
    package let version: Int
    /// Its `rotor:` scopes (never empty).
    package let scopes: Set<String>
    /// The services that hold the key (its spec's consumers), which bind its value reads.
    package let services: [String]

    /// Whether the caller holds `scope` (`rotor:admin` holds them all).
    package func has(_ scope: String) -> Bool {
        scopes.contains(Scope.admin.rawValue) || scopes.contains(scope)
    }

    /// Whether the caller holds `rotor:admin` (which reads any value).
    package var isAdmin: Bool { scopes.contains(Scope.admin.rawValue) }
}

extension ControlPlane {
    /// Authenticates the request's bearer key and checks it holds `scope` (nil: any `rotor:` scope).
    ///
    /// A missing, unknown, revoked, expired or rotated-out key is 401 and audited as
    /// `auth.failed` (with the reason and the source address, never the key); too many
    /// failures from one address are 429. A valid key without `scope` is 403. A valid key's
    /// use is counted (with the read it authorised, for value reads: see ``recordUse``).
    func authenticate(_ scope: Scope?) async throws -> Caller {
        let info = RequestInfo.current
        let now = self.now
        if let wait = limiter.blocked(info.sourceAddress, now: now) { throw APIProblem.tooManyFailures(retryAfter: wait) }
        guard let header = info.authorization, header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw try await failed("no bearer key", info: info, now: now)
        }
        var presented = Array(header.utf8.dropFirst(7))
        while presented.first == UInt8(ascii: " ") { presented.removeFirst() }
        while presented.last == UInt8(ascii: " ") { presented.removeLast() }
        let hash = ApiKeyHash.of(presented)
        let view = try await view()
        guard let entry = view.keysByHash[hash] else { throw try await failed("unknown key", info: info, now: now) }
        let version = entry.version
        let verdict = KeyValidity.check(state: version.state.rawValue, createdAt: version.createdAt, expiresAt: version.expiresAt,
                                        endedAt: version.endedAt, revokeReason: version.revokeReason,
                                        spec: view.desired.keys[entry.key], desired: view.desired, now: now)
        if case .invalid(let reason) = verdict {
            throw try await failed("\(entry.key) v\(version.version): \(reason)", info: info, now: now)
        }
        let scopes = Set(version.scopes.filter { $0.hasPrefix("rotor:") })
        let caller = Caller(key: entry.key, version: version.version, versionID: version.id, services: view.services(of: entry.key), scopes: scopes)
        guard !scopes.isEmpty else {
            try await journal.record(.audit(action: "auth.failed", actor: caller.actor, target: info.sourceAddress,
                                            metadata: ["reason": "no rotor: scope", "path": info.path], at: now))
            throw APIProblem.forbidden("\(entry.key) has no rotor: scope: keys without one never open the control plane")
        }
        if let scope, !caller.has(scope) {
            throw APIProblem.forbidden("\(caller.key) v\(caller.version) lacks the scope \(scope.rawValue) (or rotor:admin)")
        }
        return caller
    }

    /// Counts a use of the caller's key (every authenticated call but value reads, whose use is
    /// written with their audit row).
    func recordUse(_ caller: Caller) async throws {
        try await journal.record(.keyUse(versionID: caller.versionID, at: now))
    }

    /// Authenticates the request's key without asking for one scope: what the management page
    /// calls to sign in and to learn what a session may do. The same checks as every handler (a
    /// key without a `rotor:` scope is 403); the use is counted when `countingUse` (a sign-in).
    package func identify(countingUse: Bool) async throws -> CallerIdentity {
        let caller = try await authenticate(nil)
        if countingUse { try await recordUse(caller) }
        return CallerIdentity(key: caller.key.description, version: caller.version, scopes: caller.scopes, services: caller.services)
    }

    /// Authenticates and counts the use: what every handler but value reads does first.
    func authorize(_ scope: Scope) async throws -> Caller {
        let caller = try await authenticate(scope)
        try await recordUse(caller)
        return caller
    }

    /// Records a failed authentication and returns the 401 (or the 429 that it triggered).
    private func failed(_ reason: String, info: RequestInfo, now: Date) async throws -> APIProblem {
        let reachedLimit = limiter.recordFailure(info.sourceAddress, now: now)
        try await journal.record(.audit(action: "auth.failed", actor: "unauthenticated", target: info.sourceAddress,
                                        metadata: ["reason": reason, "path": info.path], at: now))
        if reachedLimit { logger.warning("failed authentications reached the limit", metadata: ["address": "\(info.sourceAddress)"]) }
        return APIProblem.unauthorized(reason)
    }

    /// Audits an action taken through the API (value reads are audited by the journal).
    func audit(_ action: String, caller: Caller, target: String, metadata: [String: String] = [:]) async throws {
        var metadata = metadata
        metadata["via"] = RequestInfo.current.via
        try await journal.record(.audit(action: action, actor: caller.actor, target: target, metadata: metadata, at: now))
    }
}
