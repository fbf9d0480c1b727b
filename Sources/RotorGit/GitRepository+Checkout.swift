import CGit2

extension GitRepository {
    /// Brings the index and work tree in line with HEAD, for `paths` only or for the whole tree (`git_checkout_head`).
    ///
    /// Meant to follow `commit(changes:...)`, which moves the branch without touching the index or
    /// work tree. The current index is passed as the checkout baseline (`baseline_index`), because
    /// HEAD has already moved: libgit2's default baseline (HEAD's tree) would make every file the
    /// commit changed look locally modified.
    ///
    /// - `force: true` (`GIT_CHECKOUT_FORCE`): the caller owns `paths`; local edits there are
    ///   overwritten and, when `paths` is non-empty, untracked files under them are removed
    ///   (`GIT_CHECKOUT_REMOVE_UNTRACKED`), so they mirror HEAD exactly. Ignored files are kept.
    /// - `force: false` (`GIT_CHECKOUT_SAFE | GIT_CHECKOUT_RECREATE_MISSING`): files the user edited
    ///   are never overwritten; a conflicting edit makes the call throw (code -13, `GIT_ECONFLICT`).
    ///
    /// Paths are literal prefixes ("versions" covers "versions/a/b.yaml"), not globs.
    /// Files outside `paths` are not touched either way.
    /// - Parameters:
    ///   - paths: repository-relative directories or files; empty means the whole tree.
    ///   - force: whether local changes under `paths` may be discarded.
    /// - Throws: `GitError`, e.g. for a bare repository or a conflict in safe mode.
    public func checkoutHead(paths: [String], force: Bool) throws {
        var index: OpaquePointer?
        try check(git_repository_index(&index, pointer), "git_repository_index")
        defer { git_index_free(index) }

        var options = git_checkout_options()
        try check(git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)), "git_checkout_options_init")
        var strategy: UInt32
        if force {
            strategy = GIT_CHECKOUT_FORCE.rawValue
            if !paths.isEmpty { strategy |= GIT_CHECKOUT_REMOVE_UNTRACKED.rawValue }
        } else {
            strategy = GIT_CHECKOUT_SAFE.rawValue | GIT_CHECKOUT_RECREATE_MISSING.rawValue
        }
        if !paths.isEmpty { strategy |= GIT_CHECKOUT_DISABLE_PATHSPEC_MATCH.rawValue }
        options.checkout_strategy = strategy
        options.baseline_index = index

        let normalized = paths.map(normalizedRepoPath)
        if normalized.contains("") {
            return try checkoutHead(paths: [], force: force)
        }
        try withStrarray(normalized) { pathArray in
            options.paths = pathArray
            try check(git_checkout_head(pointer, &options), "git_checkout_head")
        }
    }
}
