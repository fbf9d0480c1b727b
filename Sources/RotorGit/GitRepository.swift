import CGit2

/// A git repository opened through libgit2.
///
/// Owns one `git_repository*` and frees it with `git_repository_free` in `deinit`.
/// Not thread-safe: use one instance per thread (libgit2 allows several
/// `git_repository` objects on the same directory).
public final class GitRepository {
    /// The owned `git_repository*`; never NULL, freed in `deinit`.
    let pointer: OpaquePointer
    /// Owned `git_remote*` handles by remote name, looked up once and reused by every fetch and
    /// push (see `withRemote`); freed in `deinit`, before the repository they belong to.
    var remoteHandles: [String: OpaquePointer] = [:]

    private init(owning pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        for handle in remoteHandles.values { git_remote_free(handle) }
        git_repository_free(pointer)
    }

    /// Opens the repository containing `path`, searching upwards like `git` does (`git_repository_open_ext`, flags 0).
    /// - Parameter path: the repository root, its `.git` directory, or any directory inside the work tree.
    /// - Returns: the opened repository.
    /// - Throws: `GitError` (code -3, not found) when no repository is found.
    public static func open(at path: String) throws -> GitRepository {
        try GitLibrary.ensureInitialized()
        var repo: OpaquePointer?
        do {
            try check(git_repository_open_ext(&repo, path, 0, nil), "git_repository_open_ext")
        } catch let error as GitError {
            throw error.prefixed("cannot open repository at '\(path)'")
        }
        guard let repo else { throw GitError.unexpectedNull("git_repository_open_ext") }
        return GitRepository(owning: repo)
    }

    /// Creates (or reopens) a non-bare repository at `path`, creating missing directories (`git_repository_init_ext`).
    /// - Parameters:
    ///   - path: the work tree root.
    ///   - initialBranch: the branch HEAD points at, short ("main") or full ("refs/heads/main").
    /// - Returns: the repository; HEAD is unborn until the first commit.
    /// - Throws: `GitError` on failure.
    public static func initialize(at path: String, initialBranch: String = "main") throws -> GitRepository {
        try GitLibrary.ensureInitialized()
        var options = git_repository_init_options()
        try check(git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION)),
                  "git_repository_init_options_init")
        options.flags = GIT_REPOSITORY_INIT_MKPATH.rawValue
        var repo: OpaquePointer?
        try initialBranch.withCString { head in
            options.initial_head = head
            try check(git_repository_init_ext(&repo, path, &options), "git_repository_init_ext")
        }
        guard let repo else { throw GitError.unexpectedNull("git_repository_init_ext") }
        return GitRepository(owning: repo)
    }

    /// The work tree root without a trailing slash, or nil for a bare repository (`git_repository_workdir`).
    public var workdir: String? {
        git_repository_workdir(pointer).map { Self.trimmingTrailingSlash(String(cString: $0)) }
    }

    /// The `.git` directory (or the bare repository itself) without a trailing slash (`git_repository_path`).
    public var gitDirectory: String {
        Self.trimmingTrailingSlash(git_repository_path(pointer).map { String(cString: $0) } ?? "")
    }

    /// True for a bare repository: `git_repository_workdir` returns NULL exactly then.
    ///
    /// (Derived from the work dir rather than `git_repository_is_bare` so that no
    /// unchecked int-returning call is needed in a non-throwing property.)
    public var isBare: Bool {
        git_repository_workdir(pointer) == nil
    }

    private static func trimmingTrailingSlash(_ path: String) -> String {
        var path = path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }
}
