import Foundation

/// Decides what is due. A pure function of (desired, observed, now): no I/O, no clock.
public enum Planner {
    /// Computes the plan.
    ///
    /// - Parameters:
    ///   - desired: The specs at the revision being reconciled.
    ///   - observed: The version files (and what the store adds).
    ///   - now: The instant to plan for.
    ///   - forced: Secrets to rotate now regardless of policy, with the reason given by the person.
    ///   - forcedKeys: API keys to rotate now, with the reason.
    ///   - revocations: API keys to revoke now (`rotor revoke`), with the reason.
    ///   - rollbacks: Secrets whose older value comes back as a new version now (`rotor rollback`);
    ///     one that cannot (see ``rollbackTarget(of:_:desired:observed:now:)``) becomes a notice.
    /// - Returns: The actions, ordered by secret, then create/rotate before warn/expire.
    public static func plan(desired: DesiredState, observed: ObservedState, now: Date,
                            forced: [SecretID: String] = [:], forcedKeys: [SecretID: String] = [:],
                            revocations: [SecretID: String] = [:], rollbacks: [SecretID: Rollback] = [:]) -> Plan {
        var actions: [PlanAction] = []
        var notices: [PlanNotice] = []
        let recipients = Set(desired.config.recipients)

        for id in desired.secrets.keys.sorted() {
            guard let spec = desired.secrets[id] else { continue }
            let file = observed.versionFiles[id]
            let consumers = spec.consumers.map(\.service)
            if let change = versionChange(spec: spec, file: file, desired: desired, observed: observed, now: now,
                                          forced: forced[id], rollback: rollbacks[id], notices: &notices) {
                actions.append(change)
                // A leaked value is not left in a grace period: the rollback removes it at once.
                if change.cause == .rollback, rollbacks[id]?.expireCurrent == true, let current = change.fromVersion {
                    actions.append(PlanAction(kind: .expire, secret: id, version: current,
                                              reason: "expired at once by the rollback to v\(change.rollbackTo ?? 0)",
                                              graceExpiresAt: now, consumers: consumers))
                }
            }
            for version in file?.versions ?? [] where version.state == .grace {
                guard let expiry = version.graceExpiresAt else { continue }
                if expiry <= now {
                    actions.append(PlanAction(kind: .expire, secret: id, version: version.version,
                                              reason: "grace period ended \(RFC3339.format(expiry))",
                                              graceExpiresAt: expiry, consumers: consumers))
                } else if expiry.addingTimeInterval(-desired.warnBefore(for: spec).timeInterval) <= now,
                          !observed.warnedVersionIDs.contains(version.id) {
                    actions.append(PlanAction(kind: .warn, secret: id, version: version.version,
                                              reason: "grace period ends \(RFC3339.format(expiry))",
                                              graceExpiresAt: expiry, consumers: consumers))
                }
            }
            if let file, file.versions.contains(where: { Set($0.recipients) != recipients }) {
                notices.append(PlanNotice(secret: id, message: "some versions are encrypted to a recipient set other than rotor.yaml's; run `rotor rekey`"))
            }
        }
        for id in observed.versionFiles.keys.sorted() where desired.secrets[id] == nil {
            let count = observed.versionFiles[id]?.versions.count ?? 0
            actions.append(PlanAction(kind: .delete, secret: id,
                                      reason: "spec removed: \(count) version\(count == 1 ? "" : "s") will be removed"))
        }
        KeyPlanner.plan(desired: desired, observed: observed, now: now, forced: forcedKeys, revocations: revocations,
                        actions: &actions, notices: &notices)
        return Plan(revision: desired.revision, now: now, actions: actions, notices: notices,
                    secretCount: desired.secrets.count + desired.keys.count)
    }

    /// The create or rotate action for one secret, if its active version must change.
    private static func versionChange(spec: SecretSpec, file: VersionFile?, desired: DesiredState,
                                      observed: ObservedState, now: Date, forced: String?, rollback: Rollback?,
                                      notices: inout [PlanNotice]) -> PlanAction? {
        let id = spec.id
        let next = observed.nextVersion(of: id)
        let source: SecretVersion.Source = spec.isExternal ? .external : .generated
        let consumers = spec.consumers.map(\.service)
        guard let active = file?.active else {
            let what = spec.isExternal ? "externally issued value" : desired.generator(for: spec).description
            return PlanAction(kind: .create, secret: id, version: next, cause: .new, reason: "new secret (\(what))",
                              source: source, consumers: consumers)
        }
        let graceEnd = now.addingTimeInterval(desired.gracePeriod(for: spec).timeInterval)
        func rotate(_ cause: PlanAction.Cause, _ reason: String) -> PlanAction {
            PlanAction(kind: .rotate, secret: id, version: next, fromVersion: active.version, cause: cause,
                       reason: reason, graceExpiresAt: graceEnd, source: source, consumers: consumers)
        }
        if let rollback {
            switch rollbackTarget(of: id, rollback, desired: desired, observed: observed, now: now) {
            case .success(let target):
                var action = rotate(.rollback, "rollback to v\(target.version): \(rollback.reason)")
                action.rollbackTo = target.version
                if rollback.expireCurrent { action.graceExpiresAt = now }
                return action
            case .failure(let refusal):
                notices.append(PlanNotice(secret: id, message: "cannot roll back: \(refusal)"))
            }
        }
        if spec.isExternal {
            if active.source != .external || active.sourceDigest != spec.externalValueDigest {
                return rotate(.valueChanged, "value changed")
            }
        } else if active.source == .external {
            return rotate(.valueChanged, "value: removed from the spec; rotor generates values from now on")
        }
        if let reason = forced {
            if spec.isExternal {
                notices.append(PlanNotice(secret: id, message: "cannot rotate an externally issued value: replace `value:` in \(spec.location.path)"))
                return nil
            }
            return rotate(.manual, reason)
        }
        guard let every = desired.policies[spec.policy]?.rotateEvery else { return nil }
        let due = active.createdAt.addingTimeInterval(every.timeInterval)
        guard due <= now else { return nil }
        if spec.isExternal {
            notices.append(PlanNotice(secret: id, message: "externally issued value is older than rotateEvery \(every) (due \(RFC3339.format(due))): issue a new value and replace `value:` in \(spec.location.path)"))
            return nil
        }
        return rotate(.due, "due: rotateEvery \(every), v\(active.version) created \(RFC3339.format(active.createdAt))")
    }

    /// When the active version of `spec` is next due, or nil when its policy never rotates it.
    public static func nextDue(spec: SecretSpec, file: VersionFile?, desired: DesiredState) -> Date? {
        guard let every = desired.policies[spec.policy]?.rotateEvery, let active = file?.active else { return nil }
        return active.createdAt.addingTimeInterval(every.timeInterval)
    }
}
