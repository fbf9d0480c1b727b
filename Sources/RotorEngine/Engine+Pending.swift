import Foundation
import RotorCore
import RotorFaults
import RotorGit
import RotorStore

extension Engine {
    /// Saves the versions that `unpushed` has and `remote` lacks as pending in the store, so the
    /// caller can reset its branch to `remote` and re-plan without losing or regenerating them.
    ///
    /// The daemon calls this when its push was refused (the remote moved) and when it finds its
    /// branch diverged from the remote after a restart; the next ``apply(now:forced:forcedKeys:revocations:rollbacks:only:author:holding:publish:)``
    /// reuses each pending version for the same secret or key and version number. Only versions
    /// with a value are kept (revoked and expired key versions have none).
    ///
    /// - Parameters:
    ///   - unpushed: The local commit that could not be pushed.
    ///   - remote: The remote's branch tip the branch will be reset to.
    ///   - now: Recorded as when the versions were saved.
    ///   - held: The store lock, which the caller must hold.
    /// - Returns: What was saved.
    @discardableResult
    public func keepUnpushedVersions(unpushed: ObjectID, remote: ObjectID, now: Date, holding held: StateLock) throws -> [PendingVersion] {
        guard held.path == statePath + ".lock" else { throw EngineError("internal: the lock held (\(held.path)) is not this store's") }
        let local = try Snapshot.load(repository: repository, revision: unpushed, cache: parseCache)
        let theirs = try Snapshot.load(repository: repository, revision: remote, cache: parseCache)
        var onRemote = Set<String>()
        for file in theirs.versionFiles.values { onRemote.formUnion(file.versions.map(\.id)) }
        for file in theirs.keyFiles.values { onRemote.formUnion(file.versions.map(\.id)) }
        var pending: [PendingVersion] = []
        for (id, file) in local.versionFiles {
            // A rollback's version is not kept: its value is an older version's, which no later
            // create or rotation of that number may take up; the rollback is asked for again.
            for version in file.versions where !onRemote.contains(version.id) && version.rolledBackTo == nil {
                pending.append(PendingVersion(resource: .secret, target: id, version: version.version, versionID: version.id,
                                              valueEncrypted: version.valueEncrypted, recipients: version.recipients,
                                              source: version.source.rawValue, sourceDigest: version.sourceDigest,
                                              fromCommit: unpushed.hex, savedAt: now))
            }
        }
        for (id, file) in local.keyFiles {
            for version in file.versions where !onRemote.contains(version.id) {
                guard let value = version.valueEncrypted else { continue }
                pending.append(PendingVersion(resource: .key, target: id, version: version.version, versionID: version.id,
                                              valueEncrypted: value, recipients: version.recipients, source: "generated",
                                              keyHash: version.hash, keyHint: version.hint, fromCommit: unpushed.hex, savedAt: now))
            }
        }
        let store = try StateStore(path: statePath)
        try store.savePending(pending)
        FaultPoint.afterPending.reach()
        return pending
    }

    /// The pending versions in the store (none when there is no store yet).
    public func pendingVersions() throws -> [PendingVersion] {
        guard let store = try StateStore.openReadOnly(path: statePath) else { return [] }
        return try store.pendingVersions().values.sorted { ($0.target, $0.version) < ($1.target, $1.version) }
    }
}
