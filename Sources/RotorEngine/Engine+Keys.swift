import Foundation
import RotorCore
import RotorCrypto
import RotorStore

/// The answer to "is this presented key valid?".
public struct KeyVerification: Codable, Sendable {
    /// Whether the key is valid now.
    public let valid: Bool
    /// Why not, when it is not.
    public let reason: String?
    /// The key's identity, when the key is known.
    public let key: SecretID?
    public let type: String?
    public let scopes: [String]?
    public let version: Int?
    /// When it stops being valid, if it is valid and has an end.
    public let expiresAt: Date?
}

extension Engine {
    /// Whether `id` names a secret or an API key at HEAD; `preferKey` settles a name used by both.
    public func resource(of id: SecretID, preferKey: Bool?) throws -> PlanAction.Resource {
        let desired = try snapshot().validDesired()
        let isSecret = desired.secrets[id] != nil, isKey = desired.keys[id] != nil
        switch (isSecret, isKey, preferKey) {
        case (_, true, true?), (false, true, nil): return .key
        case (true, _, false?), (true, false, nil): return .secret
        case (true, true, nil): throw EngineError("\(id) is both a secret and an API key: pass --key or --secret")
        default: throw EngineError("no \(preferKey == true ? "API key" : preferKey == false ? "secret" : "secret or API key") \(id) in this repository")
        }
    }

    /// What rotating a key now would do, for the confirmation shown before it happens.
    public func previewKeyRotation(_ id: SecretID, reason: String, now: Date) throws -> Plan {
        let snapshot = try snapshot()
        let desired = try snapshot.validDesired()
        var observed = ObservedState(versionFiles: snapshot.versionFiles, keyFiles: snapshot.keyFiles)
        observed.highestKeyVersionEver = try StateStore.openReadOnly(path: statePath)?.highestKeyVersions() ?? [:]
        var plan = Planner.plan(desired: desired, observed: observed, now: now, forcedKeys: [id: reason])
        plan.actions = plan.actions.filter { $0.resource == .key && $0.secret == id }
        plan.notices = plan.notices.filter { $0.secret == id }
        return plan
    }

    /// Checks a presented key against every key version git and the store know, by SHA-256 in
    /// constant time, and counts a use of a valid one.
    public func verifyKey(_ presented: SecretBytes, now: Date) throws -> KeyVerification {
        let hash = presented.withUnsafeBytes { ApiKeyHash.of(Array($0)) }
        let snapshot = try snapshot()
        let desired = try snapshot.validDesired()
        let store = try openStore(snapshot: snapshot, desired: desired, now: now)
        var match: KeyRecord?
        // Every hash is compared, match or not: the time taken does not depend on which key it was.
        for record in try store.allKeyVersions() where ApiKeyHash.constantTimeEqual(record.hash, hash) { match = record }
        guard let record = match else {
            return KeyVerification(valid: false, reason: "unknown key", key: nil, type: nil, scopes: nil, version: nil, expiresAt: nil)
        }
        let verdict = KeyValidity.check(state: record.state, createdAt: record.createdAt, expiresAt: record.expiresAt, endedAt: record.endedAt,
                                        revokeReason: record.revokeReason, spec: desired.keys[record.key], desired: desired, now: now)
        switch verdict {
        case .invalid(let reason):
            return KeyVerification(valid: false, reason: reason, key: record.key, type: record.type, scopes: record.scopes, version: record.version, expiresAt: nil)
        case .valid(let end):
            try store.recordKeyUse(versionID: record.id, at: now)
            return KeyVerification(valid: true, reason: nil, key: record.key, type: record.type, scopes: record.scopes,
                                   version: record.version, expiresAt: end)
        }
    }

    /// Usage and lifecycle of every version of a key.
    public func keyUsage(of id: SecretID, now: Date) throws -> [KeyRecord] {
        let snapshot = try snapshot()
        let store = try openStore(snapshot: snapshot, desired: snapshot.desired, now: now)
        let records = try store.keyHistory(of: id)
        guard !records.isEmpty else {
            if snapshot.desired?.keys[id] != nil { throw EngineError("key \(id) has no versions yet: run `rotor apply` first") }
            throw EngineError("no API key \(id) in this repository")
        }
        return records
    }

    /// Decrypts a live key version (the active one by default) and audits the read.
    public func getKey(_ id: SecretID, version: Int?, now: Date) throws -> SecretBytes {
        let snapshot = try snapshot()
        let store = try openStore(snapshot: snapshot, desired: snapshot.desired, now: now)
        guard let file = snapshot.keyFiles[id] else { throw EngineError("API key \(id) has no versions (run `rotor apply`), or does not exist") }
        let chosen = version.flatMap { number in file.versions.first { $0.version == number } } ?? (version == nil ? file.active : nil)
        guard let chosen, let value = chosen.valueEncrypted else {
            let states = file.versions.map { "v\($0.version) (\($0.state.rawValue))" }.joined(separator: ", ")
            throw EngineError("key \(id) has no readable version \(version.map { "v\($0)" } ?? "active"): \(states)")
        }
        let plaintext = try GPGContext(homeDirectory: gpgHome).decrypt(value)
        try store.recordKeyAccess(key: id, version: chosen.version, versionID: chosen.id, actor: actor, at: now)
        return plaintext
    }

    /// The audit log (after adopting git), oldest first.
    public func audit(since: Date?, action: String?, now: Date) throws -> [AuditRecord] {
        let snapshot = try snapshot()
        return try openStore(snapshot: snapshot, desired: snapshot.desired, now: now).auditLog(since: since, action: action)
    }

    /// Checks the audit log's hash chain without changing anything; nil when intact.
    public func verifyAudit() throws -> String? {
        guard let store = try StateStore.openReadOnly(path: statePath) else { throw EngineError("no state store at \(statePath)") }
        return try store.verifyAudit()
    }
}

/// The rules that decide whether a known key version verifies now: one place, used by
/// `rotor keys verify` and by the control plane's authentication alike.
public enum KeyValidity: Equatable, Sendable {
    /// Valid, until `end` when it has one.
    case valid(until: Date?)
    /// Not valid, and why (for people; never contains the key).
    case invalid(String)

    /// Checks one version's recorded state and dates against its spec and policy at `now`.
    ///
    /// - Parameters:
    ///   - state: The version's state (`active`, `overlap`, `revoked`, `expired`).
    ///   - spec: The key's spec at HEAD; nil when it was removed.
    public static func check(state: String, createdAt: Date, expiresAt: Date?, endedAt: Date?, revokeReason: String?,
                             spec: ApiKeySpec?, desired: DesiredState, now: Date) -> KeyValidity {
        guard let spec else { return .invalid("the key's spec was removed") }
        switch state {
        case "revoked": return .invalid("revoked\(endedAt.map { " at \(RFC3339.format($0))" } ?? "")\(revokeReason.map { ": \($0)" } ?? "")")
        case "expired": return .invalid("expired\(endedAt.map { " at \(RFC3339.format($0))" } ?? "")")
        default: break
        }
        if spec.revoked { return .invalid("revoked in spec") }
        let policyMaxAge = desired.keyPolicies[spec.policy]?.maxAge.map { createdAt.addingTimeInterval($0.timeInterval) }
        let end = [expiresAt, spec.expiresAt, policyMaxAge].compactMap { $0 }.min()
        if let end, end <= now {
            return .invalid(state == "overlap" ? "rotated out; its overlap ended \(RFC3339.format(end))" : "expired \(RFC3339.format(end))")
        }
        return .valid(until: end)
    }
}
