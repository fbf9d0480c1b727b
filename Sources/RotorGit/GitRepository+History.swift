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
