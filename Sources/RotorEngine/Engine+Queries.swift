import Foundation
import RotorCore
import RotorCrypto
import RotorSpecs
import RotorStore

/// One line of `rotor status`.
public struct SecretStatus: Codable, Sendable {
    /// `secret` or `key`.
    public var resource = PlanAction.Resource.secret
    public let secret: SecretID
    public let policy: String
    public let activeVersion: Int?
    public let lastRotated: Date?
    public let nextDue: Date?
    public let graceVersions: [Int]
    public let consumers: [String]
    public let source: String
}

extension Engine {
    /// Every version of a secret the store knows (after adopting git), newest first.
    public func history(of secret: SecretID, now: Date) throws -> [VersionRecord] {
        let snapshot = try snapshot()
        let store = try openStore(snapshot: snapshot, desired: snapshot.desired, now: now)
        let records = try store.history(of: secret)
        guard !records.isEmpty else { throw unknownSecret(secret, snapshot: snapshot) }
        return records
    }

    /// Decrypts a version's value (the active one by default) and records the read in the audit log.
    ///
    /// - Throws: ``EngineError`` when the version expired or never existed, or GPG cannot decrypt.
    public func get(_ secret: SecretID, version: Int?, now: Date) throws -> SecretBytes {
        let snapshot = try snapshot()
        let store = try openStore(snapshot: snapshot, desired: snapshot.desired, now: now)
        guard let file = snapshot.versionFiles[secret] else {
            if snapshot.desired?.secrets[secret] != nil {
                throw EngineError("\(secret) has no versions yet: run `rotor apply` first")
            }
            throw unknownSecret(secret, snapshot: snapshot)
        }
        let wanted = version.flatMap { number in file.versions.first { $0.version == number } } ?? (version == nil ? file.active : nil)
        guard let chosen = wanted else {
            let live = file.versions.map { "v\($0.version) (\($0.state.rawValue))" }.joined(separator: ", ")
            if let number = version, let record = try store.history(of: secret).first(where: { $0.version == number }) {
                let when = record.expiredAt.map { " at \(RFC3339.format($0))" } ?? ""
                throw EngineError("\(secret) v\(number) expired\(when): its grace period ended and its value was removed. Live versions: \(live)")
            }
            throw EngineError("\(secret) has no version \(version.map(String.init) ?? "active"). Live versions: \(live)")
        }
        let value = try GPGContext(homeDirectory: gpgHome).decrypt(chosen.valueEncrypted)
        try store.recordAccess(secret: secret, version: chosen.version, versionID: chosen.id, actor: actor, at: now)
        return value
    }

    /// The consumers of a secret as the spec declares them, with what the store knows of their use.
    public func consumers(of secret: SecretID, now: Date) throws -> [ConsumerRecord] {
        let snapshot = try snapshot()
        let desired = try snapshot.validDesired()
        guard let spec = desired.secrets[secret] else { throw unknownSecret(secret, snapshot: snapshot) }
        let store = try openStore(snapshot: snapshot, desired: desired, now: now)
        let recorded = Dictionary(uniqueKeysWithValues: try store.consumers(of: secret).map { ($0.service, $0) })
        return spec.consumers.map { consumer in
            ConsumerRecord(secretID: secret, service: consumer.service, webhookURL: consumer.webhook,
                           lastUsedAt: recorded[consumer.service]?.lastUsedAt)
        }
    }

    /// One status line per declared secret. Rebuilds the store from git when it is missing or behind.
    public func status(now: Date) throws -> [SecretStatus] {
        let snapshot = try snapshot()
        let desired = try snapshot.validDesired()
        _ = try openStore(snapshot: snapshot, desired: desired, now: now)
        let keys = desired.keys.keys.sorted().compactMap { id -> SecretStatus? in
            guard let spec = desired.keys[id] else { return nil }
            let file = snapshot.keyFiles[id]
            let every = desired.keyPolicies[spec.policy]?.rotateEvery
            var row = SecretStatus(secret: id, policy: spec.policy, activeVersion: file?.active?.version, lastRotated: file?.active?.createdAt,
                                   nextDue: spec.revoked ? nil : zip(file?.active?.createdAt, every).map { $0.addingTimeInterval($1.timeInterval) },
                                   graceVersions: file?.versions.filter { $0.state == .overlap }.map(\.version) ?? [],
                                   consumers: spec.consumers.map(\.service), source: spec.revoked ? "revoked \(spec.type.rawValue) key" : "\(spec.type.rawValue) key")
            row.resource = .key
            return row
        }
        let secrets = desired.secrets.keys.sorted().compactMap { id -> SecretStatus? in
            guard let spec = desired.secrets[id] else { return nil }
            let file = snapshot.versionFiles[id]
            return SecretStatus(secret: id, policy: spec.policy, activeVersion: file?.active?.version,
                                lastRotated: file?.active?.createdAt,
                                nextDue: Planner.nextDue(spec: spec, file: file, desired: desired),
                                graceVersions: file?.versions.filter { $0.state == .grace }.map(\.version) ?? [],
                                consumers: spec.consumers.map(\.service), source: spec.isExternal ? "external" : "generated")
        }
        return secrets + keys
    }

    private func zip(_ date: Date?, _ duration: RotorDuration?) -> (Date, RotorDuration)? {
        guard let date, let duration else { return nil }
        return (date, duration)
    }

    func unknownSecret(_ secret: SecretID, snapshot: Snapshot) -> EngineError {
        let known = (snapshot.desired?.secrets.keys.sorted() ?? []).prefix(10).map(\.description)
        return EngineError("no secret \(secret) in this repository\(known.isEmpty ? "" : "; known: \(known.joined(separator: ", "))\((snapshot.desired?.secrets.count ?? 0) > 10 ? ", …" : "")")")
    }
}
