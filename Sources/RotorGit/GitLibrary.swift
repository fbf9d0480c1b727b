import CGit2

/// Process-wide libgit2 initialisation.
///
/// libgit2 must be initialised once before any other call; `git_libgit2_init`
/// is reference counted and we never shut it down (the process owns it until exit).
enum GitLibrary {
    /// The result of the one `git_libgit2_init` call; Swift runs a global/static `let`
    /// initialiser exactly once, thread-safely.
    private static let initResult: Int32 = git_libgit2_init()

    /// Makes sure libgit2 is initialised; cheap after the first call.
    /// - Throws: `GitError` if `git_libgit2_init` failed.
    static func ensureInitialized() throws {
        try check(initResult, "git_libgit2_init")
    }
}
