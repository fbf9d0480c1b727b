import Foundation
import RotorCore
import RotorGit
import RotorStore

extension Engine {
    /// Makes an older version's value live again as a new version (`rotor rollback`), through
    /// ``apply(now:forced:forcedKeys:revocations:rollbacks:only:author:holding:publish:)``.
    ///
    /// The value of version K (the newest version in its grace period, unless `version` names
    /// one) comes back as version N+1 (`rotatedFrom` = N, reason `rollback to vK: <reason>`,
    /// `rolledBackTo` = K). Version N enters its grace period as after a rotation, or with
    /// `expireCurrent` leaves `versions/` at once. The commit, the store, the audit log
    /// (`secret.rolled_back`) and the consumers' `secret.rotated` events follow as for any
    /// rotation; only actions on this secret are executed.
    ///
    /// - Parameters:
    ///   - id: The secret.
    ///   - version: The version whose value comes back; nil means the newest one in its grace period.
    ///   - reason: Why, from the person (must not be empty).
    ///   - expireCurrent: Remove the active version at once (its value leaked) instead of giving it a grace period.
    ///   - now: The instant to act at.
    ///   - held: The store lock when the caller already holds it.
    ///   - publish: Runs after the local commit, before the store step (the daemon pushes there).
    /// - Returns: What the pass did; its plan holds the rollback's rotate action.
    /// - Throws: ``EngineError`` saying why, with nothing changed, when the secret is unknown, an
    ///   API key or externally issued, when version K is the active one, never existed, or its
    ///   grace period ended (its value is gone); and any error of the apply.
    @discardableResult
    public func rollback(_ id: SecretID, to version: Int? = nil, reason: String, expireCurrent: Bool = false, now: Date,
                         holding held: StateLock? = nil, publish: ((ObjectID) throws -> Void)? = nil) throws -> ApplyResult {
        let request = try Self.rollbackRequest(to: version, reason: reason, expireCurrent: expireCurrent)
        let result = try apply(now: now, rollbacks: [id: request], only: PlanTarget(id, .secret), holding: held, publish: publish)
        guard result.plan.actions.contains(where: { $0.cause == .rollback && $0.secret == id }) else {
            throw EngineError("internal: the rollback of \(id) was not planned")
        }
        return result
    }

    /// What ``rollback(_:to:reason:expireCurrent:now:holding:publish:)`` would do at `now`,
    /// changing nothing (`rotor rollback --dry-run`).
    ///
    /// - Returns: The plan of the actions on this secret, the rollback's among them.
    /// - Throws: ``EngineError`` for the same refusals as the rollback itself.
    public func previewRollback(_ id: SecretID, to version: Int? = nil, reason: String, expireCurrent: Bool = false,
                                now: Date) throws -> Plan {
        let request = try Self.rollbackRequest(to: version, reason: reason, expireCurrent: expireCurrent)
        let snapshot = try snapshot()
        let desired = try snapshot.validDesired()
        if let head = snapshot.revision { try enforceSignatures(head: head) }
        var observed = ObservedState(versionFiles: snapshot.versionFiles, keyFiles: snapshot.keyFiles)
        let store = try StateStore.openReadOnly(path: statePath)
        if let store {
            let extras = try store.observedExtras()
            observed.warnedVersionIDs = extras.warned
            observed.highestVersionEver = extras.highest
            observed.highestKeyVersionEver = try store.highestKeyVersions()
        }
        try checkRollbacks([id: request], desired: desired, observed: observed, store: store, now: now)
        var plan = Planner.plan(desired: desired, observed: observed, now: now, rollbacks: [id: request])
        plan.actions = plan.actions.filter { $0.secret == id && $0.resource == .secret }
        plan.notices = plan.notices.filter { $0.secret == id }
        return try annotate(plan, desired: desired)
    }

    /// Throws the first rollback that cannot happen, in words for the person who asked: an API
    /// key, or a refusal of ``Planner/rollbackTarget(of:_:desired:observed:now:)`` (with when
    /// the grace period ended, from the store, for a version git no longer lists).
    func checkRollbacks(_ rollbacks: [SecretID: Rollback], desired: DesiredState, observed: ObservedState,
                        store: StateStore?, now: Date) throws {
        for id in rollbacks.keys.sorted() {
            guard let rollback = rollbacks[id] else { continue }
            if desired.secrets[id] == nil, desired.keys[id] != nil {
                throw EngineError("\(id) is an API key: keys are not rolled back (an old key stays valid through its overlap after a rotation, and a revoked key stays revoked); `rotor rotate \(id) --key` issues a new one")
            }
            guard case .failure(let refusal) = Planner.rollbackTarget(of: id, rollback, desired: desired, observed: observed, now: now) else {
                continue
            }
            switch refusal {
            case .unknownSecret:
                let known = desired.secrets.keys.sorted().prefix(10).map(\.description)
                throw EngineError("no secret \(id) in this repository\(known.isEmpty ? "" : "; known: \(known.joined(separator: ", "))\(desired.secrets.count > 10 ? ", …" : "")")")
            case .graceEnded(let secret, let number, nil, let stillListed, let live, let at):
                // Git no longer lists it: the store remembers when its grace period ended.
                let record = try store?.history(of: secret).first { $0.version == number }
                let ended = record?.graceExpiresAt ?? record?.expiredAt
                throw EngineError(RollbackRefusal.graceEnded(secret, version: number, endedAt: ended, stillListed: stillListed,
                                                             live: live, now: at).description)
            default:
                throw EngineError(refusal.description)
            }
        }
    }

    /// The request, or an error when the reason is empty or the version number impossible.
    static func rollbackRequest(to version: Int?, reason: String, expireCurrent: Bool) throws -> Rollback {
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw EngineError("a rollback needs a reason (it is recorded in the version, the commit and the audit log)")
        }
        if let version, version < 1 { throw EngineError("versions are numbered from 1; v\(version) does not exist") }
        return Rollback(toVersion: version, reason: reason, expireCurrent: expireCurrent)
    }
}
