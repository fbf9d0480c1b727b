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
        // as a whole stays bounded by GIT_OPT_SET_CACHE_MAX_SIZE, 64 MiB here (256 MiB by default,
        // which a daemon's handle, caching every new tree of every rotation, would slowly fill).
        //
        // Each large commit adds a pack file (see writingOnePack) and a handle keeps every pack it
        // read mapped whole until it is freed or releases its caches (the push reads all of the
        // new one): ~0.45 MB of RSS per rotation of 1,000 secrets. 8 MiB of mapped packs at most,
        // least recently used unmapped first (a pack larger than that is still mapped whole while
        // used); the daemon also releases its handle's packs after each pass and repacks its clone.
        if result >= 0 {
            _ = rotor_set_tree_cache_limit(64 << 20)
            _ = rotor_set_object_cache_limit(64 << 20)
            _ = rotor_set_mapped_pack_limit(8 << 20)
        }
        return result
    }()

    /// Makes sure libgit2 is initialised; cheap after the first call.
    /// - Throws: `GitError` if `git_libgit2_init` failed.
    static func ensureInitialized() throws {
        try check(initResult, "git_libgit2_init")
    }
}
