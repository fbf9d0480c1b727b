import CGit2

/// Process-wide libgit2 initialisation.
///
/// libgit2 must be initialised once before any other call; `git_libgit2_init`
/// is reference counted and we never shut it down (the process owns it until exit).
enum GitLibrary {
    /// The result of the one `git_libgit2_init` call; Swift runs a global/static `let`
    /// initialiser exactly once, thread-safely.
    private static let initResult: Int32 = {
        let result = git_libgit2_init()
        // libgit2 caches parsed trees only up to 4 KiB (about 100 entries). A directory with
        // thousands of files was then inflated and parsed again on every path lookup in it
        // (`git_tree_entry_bypath`), which made per-path lookups O(entries) each. The cache
        // as a whole stays bounded by GIT_OPT_SET_CACHE_MAX_SIZE (256 MiB by default).
        if result >= 0 { _ = rotor_set_tree_cache_limit(64 << 20) }
        return result
    }()

    /// Makes sure libgit2 is initialised; cheap after the first call.
    /// - Throws: `GitError` if `git_libgit2_init` failed.
    static func ensureInitialized() throws {
        try check(initResult, "git_libgit2_init")
    }
}
