import Foundation

/// The API-key half of the planner: create, rotate with overlap, expire, revoke. Pure.
enum KeyPlanner {
    static func plan(desired: DesiredState, observed: ObservedState, now: Date, forced: [SecretID: String],
                     revocations: [SecretID: String], actions: inout [PlanAction], notices: inout [PlanNotice]) {
        for id in desired.keys.keys.sorted() {
            guard let spec = desired.keys[id] else { continue }
            let file = observed.keyFiles[id]
            let consumers = spec.consumers.map(\.service)
            func action(_ kind: PlanAction.Kind, _ version: Int?, _ reason: String, from: Int? = nil, cause: PlanAction.Cause? = nil,
                        until: Date? = nil) -> PlanAction {
                PlanAction(kind: kind, resource: .key, secret: id, version: version, fromVersion: from, cause: cause, reason: reason,
                           graceExpiresAt: until, source: kind == .create || kind == .rotate ? .generated : nil, consumers: consumers)
            }
            let live = file?.versions.filter { $0.state.isValid } ?? []
            if live.contains(where: { Set($0.recipients) != Set(desired.config.recipients) }) {
                notices.append(PlanNotice(secret: id, message: "some key versions are encrypted to a recipient set other than rotor.yaml's; run `rotor rekey`"))
            }
            if spec.revoked || revocations[id] != nil {
                let reason = revocations[id] ?? spec.revokeReason.map { "revoked in spec: \($0)" } ?? "revoked in spec"
                actions += live.map { action(.revoke, $0.version, reason) }
                continue
            }
            var ending = Set<Int>()
            for version in live {
                if let end = expiry(of: version, spec: spec, desired: desired), end <= now {
                    actions.append(action(.expire, version.version, "expired \(RFC3339.format(end))", until: end))
                    ending.insert(version.version)
                }
            }
            if let end = spec.expiresAt, end <= now {
                notices.append(PlanNotice(secret: id, message: "key reached its expiresAt \(RFC3339.format(end)): no new version is issued"))
                continue
            }
            let policy = desired.keyPolicies[spec.policy]
            let overlap = policy?.overlap ?? RotorDuration(seconds: 86_400)
            let next = max(file?.maxVersion ?? 0, observed.highestKeyVersionEver[id] ?? 0) + 1
            guard let active = file?.active, !ending.contains(active.version) else {
                if let newest = file?.versions.first, newest.state == .revoked, forced[id] == nil {
                    notices.append(PlanNotice(secret: id, message: "key was revoked \(newest.endedAt.map(RFC3339.format) ?? ""): `rotor rotate \(id) --key` issues a new one"))
                    continue
                }
                actions.append(action(.create, next, forced[id] ?? (file == nil ? "new \(spec.type.rawValue) key" : "no valid version left: new key"), cause: forced[id] == nil ? .new : .manual))
                continue
            }
            let reason: String
            let cause: PlanAction.Cause
            if let forcedReason = forced[id] {
                reason = forcedReason
                cause = .manual
            } else if let every = policy?.rotateEvery, active.createdAt.addingTimeInterval(every.timeInterval) <= now {
                reason = "due: rotateEvery \(every), v\(active.version) created \(RFC3339.format(active.createdAt))"
                cause = .due
            } else {
                continue
            }
            if overlap.seconds == 0, !consumers.isEmpty {
                notices.append(PlanNotice(secret: id, message: "rotation refused: overlap is 0s, so \(consumers.joined(separator: ", ")) would hold no valid key until they pick up the new one; give the key policy an overlap"))
                continue
            }
            actions.append(action(.rotate, next, reason, from: active.version, cause: cause, until: now.addingTimeInterval(overlap.timeInterval)))
        }
        for id in observed.keyFiles.keys.sorted() where desired.keys[id] == nil {
            let live = observed.keyFiles[id]?.versions.filter { $0.state.isValid }.count ?? 0
            guard live > 0 || observed.keyFiles[id] != nil else { continue }
            actions.append(PlanAction(kind: .delete, resource: .key, secret: id,
                                      reason: "spec removed: \(live) valid key version\(live == 1 ? "" : "s") revoked, history kept in the store"))
        }
    }

    /// When a key version stops being valid: its own expiry, the spec's, or its policy's maxAge, whichever is first.
    static func expiry(of version: KeyVersion, spec: ApiKeySpec, desired: DesiredState) -> Date? {
        let maxAge = desired.keyPolicies[spec.policy]?.maxAge.map { version.createdAt.addingTimeInterval($0.timeInterval) }
        return [version.expiresAt, spec.expiresAt, maxAge].compactMap { $0 }.min()
    }
}
