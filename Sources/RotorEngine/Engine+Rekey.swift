import Foundation
import RotorCore
import RotorCrypto
import RotorFaults
import RotorGit
import RotorSpecs
import RotorStore

/// What a rekey did or would do.
public struct RekeyResult: Sendable {
    /// The versions re-encrypted (or to re-encrypt), as `project/name vN`.
    public let versions: [String]
    /// The commit made, nil on a dry run or when there was nothing to do.
    public let commit: ObjectID?
    /// What was repaired before it started (see ``ApplyResult/repairs``).
    public var repairs: [String] = []
}

extension Engine {
    /// Re-encrypts every live version to the recipients now in `rotor.yaml`, in one commit.
    ///
    /// Everything is decrypted and re-encrypted in memory before anything is written, so a
    /// failure part-way (a value the key cannot open, a missing recipient key) leaves git and
    /// the store exactly as they were.
    public func rekey(now: Date, dryRun: Bool, author: RepoConfig.Identity? = nil) throws -> RekeyResult {
        let (snapshot, lock) = try lockedSnapshot()
        defer { withExtendedLifetime(lock) {} }
        let desired = try snapshot.validDesired()
        let targets = snapshot.versionFiles.keys.sorted().flatMap { id in
            (snapshot.versionFiles[id]?.versions ?? []).map { (id, $0) }
        }
        // API keys: only versions that still hold a value (revoked and expired ones have none).
        let keyTargets = snapshot.keyFiles.keys.sorted().flatMap { id in
            (snapshot.keyFiles[id]?.versions ?? []).compactMap { version in version.valueEncrypted.map { (id, version.id, $0, version.version) } }
        }
        let labels = targets.map { "\($0.0) v\($0.1.version)" } + keyTargets.map { "key \($0.0) v\($0.3)" }
        guard !dryRun, !labels.isEmpty else { return RekeyResult(versions: labels, commit: nil) }
        guard let head = snapshot.revision, let branch = try repository.headBranch() else {
            throw EngineError("HEAD is detached: check out the branch rotor should commit to")
        }
        // Before any write, as apply does: the git locks it needs, then versions/ as rotor left it.
        var repairs = try releaseStaleGitLocks(branch: branch, holding: lock)
        let healed = try healVersions(head: head)
        if !healed.isEmpty { repairs.append("put \(healed.count) file(s) under versions/ back to HEAD \(head.short) (an interrupted checkout)") }
        try enforceSignatures(head: head)
        let store = try openStore(snapshot: snapshot, desired: desired, now: now)
        try prepareKeyring(recipients: desired.config.recipients, shipped: snapshot.recipientKeys)
        let pool = GPGEncryptionPool(homeDirectory: gpgHome)
        let plaintexts: [SecretBytes]
        do {
            plaintexts = try pool.decrypt(targets.map(\.1.valueEncrypted) + keyTargets.map(\.2))
        } catch let error as GPGError {
            throw EngineError("cannot decrypt every live version, so nothing was changed: \(error.message)")
        }
        let ciphertexts = try Encryptor(homeDirectory: gpgHome).encrypt(plaintexts, to: desired.config.recipients)
        var files = snapshot.versionFiles
        var keyFiles = snapshot.keyFiles
        for ((id, versionID, _, _), ciphertext) in zip(keyTargets, ciphertexts.dropFirst(targets.count)) {
            guard var file = keyFiles[id], let index = file.versions.firstIndex(where: { $0.id == versionID }) else { continue }
            file.versions[index].valueEncrypted = VersionFile.canonicalArmor(ciphertext)
            file.versions[index].recipients = desired.config.recipients
            keyFiles[id] = file
        }
        for ((id, version), ciphertext) in zip(targets, ciphertexts) {
            guard var file = files[id], let index = file.versions.firstIndex(where: { $0.id == version.id }) else { continue }
            file.versions[index].valueEncrypted = VersionFile.canonicalArmor(ciphertext)
            file.versions[index].recipients = desired.config.recipients
            files[id] = file
        }
        var changes: [String: [UInt8]?] = [:]
        for (id, file) in files { changes.updateValue(file.canonicalBytes(), forKey: VersionFile.path(for: id)) }
        for id in Set(keyTargets.map(\.0)) {
            changes.updateValue(keyFiles[id].map { $0.canonicalBytes() }, forKey: KeyVersionFile.path(for: id))
        }
        let identity = author ?? desired.config.commitAuthor ?? RepoConfig.Identity(name: "rotor", email: "rotor@localhost")
        let signature = GitSignature(name: identity.name, email: identity.email, time: now)
        let message = "rotor: rekey \(labels.count) version\(labels.count == 1 ? "" : "s") to \(desired.config.recipients.count) recipient\(desired.config.recipients.count == 1 ? "" : "s")\n\n"
            + "Recipients: \(desired.config.recipients.joined(separator: ", "))\n"
        let commit = try repository.commit(changes: changes, parent: head, ref: branch, message: message,
                                           author: signature, committer: signature, sign: commitSigner(desired.config))
        FaultPoint.afterCommit.reach()
        _ = try store.reconcile(files: files, keyFiles: keyFiles, desired: desired, revision: commit.hex, now: now, actor: actor,
                                midTransaction: { FaultPoint.midStore.reach() })
        try store.recordRekey(versions: labels.count, commit: commit.hex, actor: actor, at: now)
        try store.setVerifiedRevision(head.hex)
        FaultPoint.afterStore.reach()
        if repository.workdir != nil { try repository.checkoutHead(paths: [VersionFileParser.prefix], force: true) }
        var result = RekeyResult(versions: labels, commit: commit)
        result.repairs = repairs
        return result
    }
}
