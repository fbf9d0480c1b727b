import Foundation
import RotorCore
import RotorCrypto
import RotorFaults
import RotorGit
import RotorSpecs
import RotorStore

/// One secret or key, for commands that act on a single one.
public struct PlanTarget: Hashable, Sendable {
    /// Its id.
    public let id: SecretID
    /// Secret or API key.
    public let resource: PlanAction.Resource

    /// Creates a target.
    public init(_ id: SecretID, _ resource: PlanAction.Resource) {
        self.id = id
        self.resource = resource
    }
}

/// What an apply pass did.
public struct ApplyResult: Sendable {
    /// The plan that was executed.
    public let plan: Plan
    /// The commit rotor made, if the plan changed git.
    public let commit: ObjectID?
    /// What the store step changed.
    public let store: ReconcileSummary
    /// Ids of new versions that reused a pending version (encrypted in an earlier, unpushed attempt).
    public var reusedVersionIDs: [String] = []
    /// When the next scheduled rotation (or first version) is due after this pass; nil when none ever is.
    public var nextRotationDue: Date?
    /// What this pass repaired before it started (a killed pass's lock file, an interrupted
    /// checkout of `versions/`), one line each: the caller logs them.
    public var repairs: [String] = []
}

extension Engine {
    /// Plans and applies at `now`: new versions are generated, encrypted and committed, then the store is updated.
    ///
    /// Order (for crash safety): validate → lock → store adopts git → plan → encrypt in memory
    /// (reusing pending versions, see ``PendingVersion``) → one git commit (compare-and-swap on the
    /// branch) → `publish` (the daemon's push) → store in one transaction → working tree.
    /// A crash after the commit is healed by the next pass, which adopts the commit's versions
    /// and writes the same (idempotent) events. Events are written only after `publish`
    /// returned, so no webhook announces a version the remote does not have.
    ///
    /// - Parameters:
    ///   - now: The instant to apply for.
    ///   - forced: Secrets to rotate now, with the person's reason.
    ///   - only: When set, only actions on this secret are executed (`rotor rotate`).
    ///   - author: Commit author; nil means rotor.yaml's `commitAuthor`, else `rotor <rotor@localhost>`.
    ///   - forcedKeys: API keys to rotate now, with the reason.
    ///   - revocations: API keys to revoke now, with the reason.
    ///   - rollbacks: Secrets whose older value comes back as a new version now (`rotor rollback`,
    ///     ``rollback(_:to:reason:expireCurrent:now:holding:publish:)``). Checked under the lock
    ///     before anything is written: one that cannot happen throws and changes nothing.
    ///   - held: The store lock when the caller already holds it (the daemon locks its whole pass).
    ///   - publish: Runs after the local commit and before the store step, with the new commit (the
    ///     daemon pushes it). When it throws, the commit stays on the local branch, the store is not
    ///     touched, and the error is rethrown.
    public func apply(now: Date, forced: [SecretID: String] = [:], forcedKeys: [SecretID: String] = [:],
                      revocations: [SecretID: String] = [:], rollbacks: [SecretID: Rollback] = [:], only: PlanTarget? = nil,
                      author: RepoConfig.Identity? = nil, holding held: StateLock? = nil,
                      publish: ((ObjectID) throws -> Void)? = nil) throws -> ApplyResult {
        let (snapshot, lock) = try lockedSnapshot(holding: held)
        defer { withExtendedLifetime(lock) {} }
        FaultPoint.afterLock.reach()
        let desired = try snapshot.validDesired()
        guard let head = snapshot.revision else { throw EngineError("no revision to apply") }
        guard let branch = try repository.headBranch() else {
            throw EngineError("HEAD is detached: check out the branch rotor should commit to")
        }
        // Before any write: the git locks this pass needs, then `versions/` as rotor left it.
        var repairs = try releaseStaleGitLocks(branch: branch, holding: lock)
        let healed = try healVersions(head: head)
        if !healed.isEmpty {
            repairs.append("put \(healed.count) file(s) under versions/ back to HEAD \(head.short) (an interrupted checkout left them at an earlier rotor commit): "
                + healed.prefix(5).joined(separator: ", ") + (healed.count > 5 ? ", …" : ""))
        }
        try enforceSignatures(head: head)
        let store = try openStore(snapshot: snapshot, desired: desired, now: now)
        let extras = try store.observedExtras()
        var observed = ObservedState(versionFiles: snapshot.versionFiles, warnedVersionIDs: extras.warned,
                                     highestVersionEver: extras.highest, keyFiles: snapshot.keyFiles)
        observed.highestKeyVersionEver = try store.highestKeyVersions()
        try checkRollbacks(rollbacks, desired: desired, observed: observed, store: store, now: now)
        var plan = Planner.plan(desired: desired, observed: observed, now: now, forced: forced, forcedKeys: forcedKeys,
                                revocations: revocations, rollbacks: rollbacks)
        if let only { plan.actions = plan.actions.filter { $0.secret == only.id && $0.resource == only.resource } }
        plan = try annotate(plan, desired: desired)
        guard plan.hasChanges else {
            try store.setVerifiedRevision(head.hex)
            var result = ApplyResult(plan: plan, commit: nil, store: ReconcileSummary())
            result.repairs = repairs
            result.nextRotationDue = Forecast.nextRotation(desired: desired, versions: snapshot.versionFiles, keyFiles: snapshot.keyFiles, now: now)
            return result
        }
        var files = snapshot.versionFiles
        var keyFiles = snapshot.keyFiles
        var commit: ObjectID?
        var reused: [String] = []
        let remembering = DispatchGroup()
        defer { remembering.wait() }
        if plan.writesGit {
            let materialized = try materialize(plan: plan, desired: desired, snapshot: snapshot, now: now, pending: try store.pendingVersions())
            files = materialized.files
            keyFiles = materialized.keyFiles
            reused = materialized.reusedVersionIDs
            let identity = author ?? desired.config.commitAuthor ?? RepoConfig.Identity(name: "rotor", email: "rotor@localhost")
            let signature = GitSignature(name: identity.name, email: identity.email, time: now)
            let made = try repository.commit(changes: materialized.changes, parent: head, ref: branch,
                                             message: Self.commitMessage(plan), author: signature, committer: signature,
                                             sign: commitSigner(desired.config))
            commit = made
            // Best effort and off the critical path: the cache is filled on another core while
            // the store is reconciled and `versions/` checked out, and saved before apply returns.
            let (changes, cache) = (materialized.changes, parseCache)
            remembering.enter()
            DispatchQueue.global(qos: .utility).async {
                Self.rememberWrittenVersionFiles(changes, in: cache)
                remembering.leave()
            }
            FaultPoint.afterCommit.reach()
            if let publish {
                try publish(made)
                FaultPoint.afterPush.reach()
            }
        }
        let summary = try store.reconcile(files: files, keyFiles: keyFiles, desired: desired, revision: (commit ?? head).hex, now: now,
                                          actor: forced.isEmpty && forcedKeys.isEmpty && revocations.isEmpty && rollbacks.isEmpty ? "rotor" : actor,
                                          warnings: plan.actions.filter { $0.kind == .warn },
                                          midTransaction: { FaultPoint.midStore.reach() })
        FaultPoint.afterStore.reach()
        // rotor's own commit is checked like any other: an unsigned one (no signing key) fails the next pass.
        try store.setVerifiedRevision(head.hex)
        if commit != nil, repository.workdir != nil {
            try repository.checkoutHead(paths: [VersionFileParser.prefix], force: true)
        }
        var result = ApplyResult(plan: plan, commit: commit, store: summary)
        result.repairs = repairs
        result.reusedVersionIDs = reused
        result.nextRotationDue = Forecast.nextRotation(desired: desired, versions: files, keyFiles: keyFiles, now: now)
        return result
    }

    /// Puts the version files the commit wrote into the parse cache (parsed from the committed
    /// bytes, keyed by their blob ids), so the next command — `deliver`, the next plan, the
    /// daemon's next pass — neither reads nor parses them again. Best effort, like the cache.
    static func rememberWrittenVersionFiles(_ changes: [String: [UInt8]?], in parseCache: ParseCache?) {
        guard let parseCache else { return }
        var written: [SourceFile] = []
        for (path, bytes) in changes {
            guard let bytes, !KeyVersionFileParser.handles(path), path.hasPrefix(VersionFileParser.prefix + "/"),
                  let blob = try? GitRepository.blobID(of: bytes) else { continue }
            written.append(SourceFile(path: path, bytes: bytes, blobID: blob.hex))
        }
        guard !written.isEmpty else { return }
        parseCache.retainStored(except: Set(written.map(\.path)))
        _ = VersionFileParser.parse(files: written, cache: parseCache)
        parseCache.save()
    }

    /// Validates HEAD, then takes the store lock (unless `held` is given), re-reading HEAD if it moved meanwhile.
    ///
    /// Validating first means invalid specs are reported without touching even the lock file.
    func lockedSnapshot(holding held: StateLock? = nil) throws -> (Snapshot, StateLock) {
        var snapshot = try snapshot()
        _ = try snapshot.validDesired()
        if let held, held.path != statePath + ".lock" {
            throw EngineError("internal: the lock held (\(held.path)) is not this store's (\(statePath).lock)")
        }
        let lock = try held ?? StateLock(storePath: statePath)
        if try head() != snapshot.revision { snapshot = try self.snapshot() }
        return (snapshot, lock)
    }

    /// The commit message: a summary line, then one line per change. Never a value.
    static func commitMessage(_ plan: Plan) -> String {
        var counts: [String] = []
        let rollbacks = plan.actions.filter { $0.kind == .rotate && $0.cause == .rollback }.count
        for kind in PlanAction.Kind.allCases where kind.writesGit && plan.count(kind) > 0 {
            let past = ["create": "created", "rotate": "rotated", "expire": "expired", "delete": "deleted", "revoke": "revoked"][kind.rawValue] ?? kind.rawValue
            // A rollback is a rotation to an older value: the summary names it.
            let count = plan.count(kind) - (kind == .rotate ? rollbacks : 0)
            if count > 0 { counts.append("\(count) \(past)") }
            if kind == .rotate, rollbacks > 0 { counts.append("\(rollbacks) rolled back") }
        }
        var message = "rotor: \(counts.joined(separator: ", "))\n\n"
        for action in plan.actions where action.kind.writesGit {
            message += "\(action.kind.symbol) \(action.kind.rawValue) \(Plan.target(action))\(Plan.versionSuffix(action)): \(action.reason)\n"
        }
        message += "\nPlanned-At: \(RFC3339.format(plan.now))\n"
        return message
    }
}
