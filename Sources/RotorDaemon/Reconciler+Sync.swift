import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import RotorCore
import RotorEngine
import RotorGit
import RotorSpecs

extension Reconciler {
    /// The remote could not be reached, cloned or fetched (health: "fetch failing").
    struct FetchFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Opens rotor's clone, cloning the remote first when the folder is missing or empty.
    ///
    /// A folder that is another repository's clone, or has another branch checked out, is refused
    /// rather than "fixed": the clone is rotor's own and rotor resets it to the remote.
    func prepare(logger: Logger) throws -> Engine {
        if let engine { return engine }
        let workdir = configuration.resolvedWorkdir
        let entries = try? FileManager.default.contentsOfDirectory(atPath: workdir)
        if entries?.isEmpty ?? true {
            logger.info("cloning the remote", metadata: ["remote": "\(DisplayURL.redacted(configuration.remote))", "workdir": "\(workdir)", "branch": "\(configuration.branch)"])
            try cloneAtomically(into: workdir)
        }
        let repository = try GitRepository.open(at: workdir)
        let root = repository.workdir.map(Self.realPath)
        guard root == Self.realPath(workdir) else {
            throw EngineError("\(workdir) is not a clone of its own (it is inside \(root ?? "a bare repository")): point --workdir at an empty folder or at rotor's clone")
        }
        // The clone's remote is --remote without the password it may carry (the clone never
        // stores it). A clone made before rotor took it out has it in .git/config: removed now.
        let stored = DisplayURL.withoutCredential(configuration.remote).url
        let url = try repository.remoteURL(configuration.remoteName)
        if url == configuration.remote, stored != configuration.remote {
            try repository.setRemoteURL(configuration.remoteName, to: stored)
            logger.notice("removed the credential the clone's git config held for its remote", metadata: ["remote": "\(stored)"])
        } else if url != stored {
            throw EngineError("\(workdir) is a clone of \(url.map(DisplayURL.redacted) ?? "no remote"), not \(DisplayURL.redacted(configuration.remote)): point --workdir at an empty folder or at rotor's clone of that remote")
        }
        let branch = try repository.headBranch()
        guard branch == "refs/heads/\(configuration.branch)" else {
            throw EngineError("\(workdir) has \(branch ?? "a detached HEAD") checked out, not \(configuration.branch): rotor reconciles the branch it was started for")
        }
        let engine = try Engine(repositoryPath: workdir, statePath: configuration.resolvedStatePath, actor: "rotor", gpgHome: configuration.gpgHome)
        self.engine = engine
        transport = makeTransport(engine.repository, configuration)
        return engine
    }

    /// Fetches, then brings the local branch to the remote's tip; returns the revision to apply on.
    ///
    /// - Local equals or is behind the remote: fast-forward (a merged pull request arrives).
    /// - Local is ahead: those are rotor's own commits from a pass that died before its push;
    ///   they are pushed now (a refused push is a remote move: the caller retries).
    /// - Diverged: rotor's unpushed commits were overtaken. Their new versions are kept as pending
    ///   in the store, then the branch is reset to the remote; the re-plan reuses them.
    ///
    /// Every case ends with `versions/` checked out to match HEAD, healing a pass that died between
    /// its commit and its checkout.
    func sync(engine: Engine, lock: StateLock, now: Date, logger: inout Logger) throws -> ObjectID {
        let repository = engine.repository
        do {
            try transport?.fetch()
        } catch {
            throw FetchFailure(description: "\(error)")
        }
        guard let tip = try repository.remoteBranchTip(remote: configuration.remoteName, branch: configuration.branch) else {
            throw FetchFailure(description: "the remote \(DisplayURL.redacted(configuration.remote)) has no branch \(configuration.branch)")
        }
        let local = try repository.headCommit()
        var revision = tip
        if local == tip {
            try repository.checkoutHead(paths: [VersionFileParser.prefix], force: true)
        } else if let local, try repository.isAncestor(local, of: tip) {
            guard try repository.fastForward(branch: configuration.branch, to: tip) else {
                throw EngineError("cannot fast-forward \(configuration.branch) from \(local.short) to \(tip.short)")
            }
            logger.info("fast-forwarded to the remote", metadata: ["from": "\(local.hex)", "to": "\(tip.hex)"])
        } else if let local, try repository.isAncestor(tip, of: local) {
            let unpushed = try repository.commits(from: local, excluding: tip).count
            logger.info("pushing rotor commits an earlier pass left unpushed", metadata: ["commits": "\(unpushed)", "head": "\(local.hex)"])
            try transport?.push()
            try repository.checkoutHead(paths: [VersionFileParser.prefix], force: true)
            revision = local
        } else if let local {
            let kept = try engine.keepUnpushedVersions(unpushed: local, remote: tip, now: now, holding: lock)
            try repository.resetBranch(configuration.branch, to: tip, expected: local)
            logger.warning("the remote moved past rotor's unpushed commit: kept its new versions as pending and reset to the remote",
                           metadata: ["dropped": "\(local.hex)", "to": "\(tip.hex)", "pending": "\(kept.count)"])
        } else {
            try repository.resetBranch(configuration.branch, to: tip, expected: nil)
        }
        logger[metadataKey: "revision"] = "\(revision.hex)"
        return revision
    }

    /// Clones into a sibling folder, then renames it into place, so a clone killed halfway never
    /// leaves a half-made repository where the next start would open it. Leftovers of killed clones
    /// (`<workdir>.rotor-clone-<pid>` of a process that no longer runs) are removed first.
    func cloneAtomically(into workdir: String) throws {
        let manager = FileManager.default
        let parent = (workdir as NSString).deletingLastPathComponent
        let prefix = (workdir as NSString).lastPathComponent + ".rotor-clone-"
        for leftover in (try? manager.contentsOfDirectory(atPath: parent)) ?? [] where leftover.hasPrefix(prefix) {
            // Only a dead process's: another rotor may be cloning right now.
            guard let pid = pid_t(leftover.dropFirst(prefix.count)), kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? manager.removeItem(atPath: (parent as NSString).appendingPathComponent(leftover))
        }
        try manager.createDirectory(atPath: parent, withIntermediateDirectories: true)
        let staging = (parent as NSString).appendingPathComponent(prefix + String(getpid()))
        do {
            _ = try GitRepository.clone(from: configuration.remote, to: staging, branch: configuration.branch)
        } catch {
            try? manager.removeItem(atPath: staging)
            throw FetchFailure(description: "\(error)")
        }
        // rename(2) replaces a missing or empty folder in one step.
        guard rename(staging, workdir) == 0 else {
            let reason = String(cString: strerror(errno))
            try? manager.removeItem(atPath: staging)
            throw EngineError("cannot move the fresh clone into \(workdir): \(reason)")
        }
    }

    /// Removes git lock files (`*.lock`) that a killed pass left in rotor's clone.
    ///
    /// libgit2 takes `refs/heads/main.lock`, `index.lock` and friends while it writes; kill -9 at
    /// that moment leaves them behind, and every later write would fail ("failed to lock file").
    /// Only called while holding the state store's lock: the clone is rotor's own and no other
    /// rotor is using it, so any lock file in it is stale.
    ///
    /// Only git's own lock files are touched: those directly in the git directory (`index.lock`,
    /// `HEAD.lock`, `packed-refs.lock`, `config.lock`, …) and under `refs/` and `logs/`. Never
    /// anything else — the default state store lives in `.git/rotor/`, and its `state.db.lock` is
    /// the `flock` this very pass holds.
    func removeStaleGitLocks(in gitDirectory: String, keeping storeLock: String, logger: Logger) {
        let manager = FileManager.default
        let keep = Self.realPath(storeLock)
        var candidates = ((try? manager.contentsOfDirectory(atPath: gitDirectory)) ?? []).filter { $0.hasSuffix(".lock") }
        for folder in ["refs", "logs"] {
            let walker = manager.enumerator(atPath: (gitDirectory as NSString).appendingPathComponent(folder))
            while let relative = walker?.nextObject() as? String {
                if relative.hasSuffix(".lock") { candidates.append(folder + "/" + relative) }
            }
        }
        var removed: [String] = []
        for relative in candidates {
            var isDirectory: ObjCBool = false
            let path = (gitDirectory as NSString).appendingPathComponent(relative)
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue, Self.realPath(path) != keep else { continue }
            if (try? manager.removeItem(atPath: path)) != nil { removed.append(relative) }
        }
        if !removed.isEmpty {
            logger.warning("removed git lock files left by an interrupted pass", metadata: ["files": "\(removed.sorted().joined(separator: ", "))"])
        }
    }

    /// A path with symlinks resolved, for comparing folders.
    static func realPath(_ path: String) -> String {
        URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
    }
}
