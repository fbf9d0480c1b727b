import CGit2

extension GitRepository {
    /// The most recent commit on `from`'s first-parent chain in which the entry at `path` differs from
    /// that commit's first parent (added or changed); nil when `path` does not exist at `from`.
    ///
    /// Walks first parents with `git_commit_lookup` / `git_commit_parent_id` and compares the
    /// entry ids found by `git_tree_entry_bypath`. A root commit that has the path counts as adding it.
    /// A change that reached `from` through a merge's second parent is attributed to the merge.
    /// - Parameters:
    ///   - path: a repository-relative file path.
    ///   - from: the commit to start from.
    /// - Throws: `GitError` when a commit or tree cannot be read.
    public func lastCommitChanging(path: String, from: ObjectID) throws -> ObjectID? {
        let path = normalizedRepoPath(path)
        guard !path.isEmpty else { return nil }
        var current = from
        guard var currentEntry = try entryID(at: path, in: current) else { return nil }
        while true {
            guard let parent = try firstParent(of: current) else { return current }
            let parentEntry = try entryID(at: path, in: parent)
            guard let parentEntry, parentEntry == currentEntry else { return current }
            current = parent
            currentEntry = parentEntry
        }
    }

    /// ``lastCommitChanging(path:from:)`` for many paths at once; paths absent at `from` are left out.
    ///
    /// One walk for all of them, and each commit's trees are read once per directory, not once per
    /// path: a directory tree bigger than libgit2's tree cache limit is otherwise inflated and parsed
    /// again for every file looked up in it, which made N lookups in one directory O(N²).
    /// - Throws: `GitError` when a commit or tree cannot be read.
    public func lastCommitsChanging(paths: [String], from: ObjectID) throws -> [String: ObjectID] {
        var found: [String: ObjectID] = [:]
        var current = from
        // Paths not attributed yet -> their entry id at `current`.
        var open = try entryIDs(at: paths.map(normalizedRepoPath).filter { !$0.isEmpty }, in: current)
        while !open.isEmpty {
            guard let parent = try firstParent(of: current) else {
                for path in open.keys { found[path] = current }
                break
            }
            let inParent = try entryIDs(at: Array(open.keys), in: parent)
            for (path, id) in open where inParent[path] != id {
                found[path] = current
                open[path] = nil
            }
            current = parent
        }
        // Callers pass paths as they have them; answer under those spellings too.
        for path in paths where found[path] == nil {
            if let id = found[normalizedRepoPath(path)] { found[path] = id }
        }
        return found
    }

    /// The ids of the tree entries at `paths` in `commit` (absent paths left out), each directory's
    /// tree looked up once (`git_tree_entry_bypath` for the directory, `git_tree_entry_byname` per name).
    private func entryIDs(at paths: [String], in commit: ObjectID) throws -> [String: ObjectID] {
        guard !paths.isEmpty else { return [:] }
        let byDirectory = Dictionary(grouping: paths) { path in path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "" }
        return try withTree(ofCommit: commit) { root in
            var ids: [String: ObjectID] = [:]
            func collect(_ files: [String], in tree: OpaquePointer) {
                for path in files {
                    let name = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
                    // Borrowed from the tree: not freed.
                    if let entry = git_tree_entry_byname(tree, name), let id = git_tree_entry_id(entry) {
                        ids[path] = ObjectID(id.pointee)
                    }
                }
            }
            for (directory, files) in byDirectory {
                if directory.isEmpty { collect(files, in: root); continue }
                guard let found = try entry(at: directory, in: root), found.type == GIT_OBJECT_TREE else { continue }
                try withTree(found.id) { tree in collect(files, in: tree) }
            }
            return ids
        }
    }

    /// The id of the tree entry at `path` in `commit`, nil if absent.
    private func entryID(at path: String, in commit: ObjectID) throws -> ObjectID? {
        try withTree(ofCommit: commit) { tree in
            try entry(at: path, in: tree).map { ObjectID($0.id) }
        }
    }

    /// The first parent of `commit`, nil for a root commit.
    private func firstParent(of commit: ObjectID) throws -> ObjectID? {
        try withCommit(commit) { handle in
            guard git_commit_parentcount(handle) > 0 else { return nil }
            return try ObjectID(git_commit_parent_id(handle, 0), "git_commit_parent_id")
        }
    }
}

extension GitRepository {
    /// The blob ids at `paths` in `commit`'s tree, by path; a path with no file there is absent
    /// from the result (`git_tree_entry_bypath`, one tree lookup for all paths).
    /// - Throws: `GitError` when the commit or its tree cannot be read.
    public func blobIDs(at paths: [String], in commit: ObjectID) throws -> [String: ObjectID] {
        try withTree(ofCommit: commit) { tree in
            var found: [String: ObjectID] = [:]
            for path in paths {
                if let entry = try entry(at: normalizedRepoPath(path), in: tree), entry.type == GIT_OBJECT_BLOB {
                    found[path] = ObjectID(entry.id)
                }
            }
            return found
        }
    }
}
