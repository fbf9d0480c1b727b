import CGit2

extension GitRepository {
    /// Repository-relative paths under `prefixes` whose index or work tree state differs from HEAD,
    /// including untracked files (not ignored ones), sorted (`git_status_list_new`).
    ///
    /// Prefixes are literal ("versions" covers "versions/a.yaml" but not "versions-old/a.yaml");
    /// an empty array means the whole work tree. A rename shows both paths.
    /// With `workTreeOnly`, only differences between the index and the work tree count.
    /// - Throws: `GitError`, e.g. for a bare repository.
    public func dirtyPaths(under prefixes: [String], workTreeOnly: Bool = false) throws -> [String] {
        var options = git_status_options()
        try check(git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION)), "git_status_options_init")
        options.show = workTreeOnly ? GIT_STATUS_SHOW_WORKDIR_ONLY : GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        var flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue
            | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
            | GIT_STATUS_OPT_EXCLUDE_SUBMODULES.rawValue
        let normalized = prefixes.map(normalizedRepoPath)
        let wholeTree = normalized.isEmpty || normalized.contains("")
        if !wholeTree { flags |= GIT_STATUS_OPT_DISABLE_PATHSPEC_MATCH.rawValue }
        options.flags = flags

        var list: OpaquePointer?
        try withStrarray(wholeTree ? [] : normalized) { pathArray in
            options.pathspec = pathArray
            try check(git_status_list_new(&list, pointer, &options), "git_status_list_new")
        }
        defer { git_status_list_free(list) }

        var paths = Set<String>()
        for index in 0..<git_status_list_entrycount(list) {
            guard let entry = git_status_byindex(list, index) else { continue }
            for delta in [entry.pointee.head_to_index, entry.pointee.index_to_workdir] {
                guard let delta else { continue }
                for file in [delta.pointee.old_file, delta.pointee.new_file] {
                    if let cPath = file.path { paths.insert(String(cString: cPath)) }
                }
            }
        }
        return paths.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
