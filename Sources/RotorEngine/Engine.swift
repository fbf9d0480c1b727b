import Foundation
import RotorCore
import RotorCrypto
import RotorGit
import RotorSpecs
import RotorStore

/// Wires git, specs, the planner, crypto and the store: the imperative shell around the pure core.
///
/// Commands build one engine and call one method. Time is always a parameter (`now`).
public final class Engine {
    /// The secrets repository.
    public let repository: GitRepository
    /// Where the state store lives.
    public let statePath: String
    /// Who CLI actions are recorded as (audit actor, `createdBy` of forced rotations).
    public let actor: String
    /// The GnuPG home used for encryption and decryption; nil means the environment's.
    public let gpgHome: String?
    /// Parsed specs and version files by blob id (`<git dir>/rotor/parse-cache`); nil when `ROTOR_PARSE_CACHE=off`.
    public let parseCache: ParseCache?

    /// Opens the repository at (or above) `repositoryPath`.
    ///
    /// - Parameters:
    ///   - repositoryPath: A path inside the secrets repository.
    ///   - statePath: The store; nil means `<.git>/rotor/state.db`.
    ///   - actor: Who is acting; nil means git's configured identity, else the login name.
    ///   - gpgHome: The GnuPG home; nil means `GNUPGHOME` or the default.
    public init(repositoryPath: String, statePath: String? = nil, actor: String? = nil, gpgHome: String? = nil) throws {
        let repository = try GitRepository.open(at: repositoryPath)
        self.repository = repository
        // Absolute, so a bare `--state state.db` has a folder to create and lock beside it.
        self.statePath = statePath.map { $0.hasPrefix("/") ? $0 : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent($0) }
            ?? (repository.gitDirectory as NSString).appendingPathComponent("rotor/state.db")
        self.actor = actor ?? Self.localActor(repository)
        self.gpgHome = gpgHome
        self.parseCache = ParseCache.forRepository(gitDirectory: repository.gitDirectory)
    }

    /// Git's configured identity (`Name <email>`), else the login name.
    static func localActor(_ repository: GitRepository) -> String {
        if let identity = repository.configuredIdentity() { return "\(identity.name) <\(identity.email)>" }
        let environment = ProcessInfo.processInfo.environment
        return environment["USER"] ?? environment["LOGNAME"] ?? "unknown"
    }

    /// The commit HEAD points at, or a clear error for an empty repository.
    public func head() throws -> ObjectID {
        guard let head = try repository.headCommit() else {
            throw EngineError("the repository has no commits yet: commit rotor.yaml and your specs first (`rotor init` does)")
        }
        return head
    }

    /// Where `validate` reads specs from.
    public enum Source: Sendable {
        /// The HEAD commit (what plan and apply act on).
        case head
        /// The staged files (what the next commit will hold).
        case staged
        /// The files on disk.
        case worktree
    }

    /// Reads HEAD, the index, or the working tree.
    public func snapshot(from source: Source) throws -> Snapshot {
        switch source {
        case .head: return try snapshot()
        case .staged: return try Snapshot.loadIndex(repository: repository)
        case .worktree: return try snapshot(worktree: true)
        }
    }

    /// Reads HEAD (or the working tree).
    public func snapshot(worktree: Bool = false) throws -> Snapshot {
        if worktree {
            guard let root = repository.workdir else { throw EngineError("a bare repository has no working tree") }
            return try Snapshot.loadWorktree(root: root)
        }
        return try Snapshot.load(repository: repository, revision: try head(), cache: parseCache)
    }

    /// Validates specs and version files; returns every diagnostic.
    public func validate(from source: Source = .head) throws -> [Diagnostic] {
        try snapshot(from: source).diagnostics
    }

    /// Computes the plan at `now` without changing git or the store (it may refresh the parse
    /// cache in `<git dir>/rotor/`).
    ///
    /// The store is read only if it exists; with none (as in CI), git alone is enough.
    public func plan(now: Date) throws -> Plan {
        let snapshot = try snapshot()
        let desired = try snapshot.validDesired()
        if let head = snapshot.revision { try enforceSignatures(head: head) }
        var observed = ObservedState(versionFiles: snapshot.versionFiles, keyFiles: snapshot.keyFiles)
        if let store = try StateStore.openReadOnly(path: statePath) {
            let extras = try store.observedExtras()
            observed.warnedVersionIDs = extras.warned
            observed.highestVersionEver = extras.highest
            observed.highestKeyVersionEver = try store.highestKeyVersions()
        }
        let plan = Planner.plan(desired: desired, observed: observed, now: now)
        // What the plan was made from is freed beside printing it (see BackgroundRelease).
        defer { BackgroundRelease.release(snapshot, desired, observed) }
        return try annotate(plan, desired: desired)
    }

    /// Fills in which commit changed an externally issued value (display only).
    func annotate(_ plan: Plan, desired: DesiredState) throws -> Plan {
        var plan = plan
        guard let revision = desired.revision.flatMap(ObjectID.init(hex:)) else { return plan }
        let changed = plan.actions.indices.filter { plan.actions[$0].cause == .valueChanged && desired.secrets[plan.actions[$0].secret]?.isExternal == true }
        guard !changed.isEmpty else { return plan }
        // One history walk for all of them (a lookup per path read a whole directory tree each time).
        let commits = try repository.lastCommitsChanging(paths: changed.map { SpecLoader.specPath(plan.actions[$0].secret) }, from: revision)
        for index in changed {
            if let commit = commits[SpecLoader.specPath(plan.actions[index].secret)] {
                plan.actions[index].reason = "value changed in \(commit.short)"
            }
        }
        return plan
    }

    /// Opens the store for writing and brings it up to date with git (adopting what git has).
    func openStore(snapshot: Snapshot, desired: DesiredState?, now: Date) throws -> StateStore {
        let store = try StateStore(path: statePath)
        _ = try store.reconcile(files: snapshot.versionFiles, keyFiles: snapshot.keyFiles, desired: desired,
                                revision: snapshot.revision?.hex, now: now, actor: "rotor")
        return store
    }
}
