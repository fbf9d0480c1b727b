import CGit2

extension GitRepository {
    /// The commits reachable from `head` but not from `base` (all of `head`'s history when `base`
    /// is nil), oldest first (`git_revwalk_*` with topological, reverse order).
    public func commits(from head: ObjectID, excluding base: ObjectID?) throws -> [ObjectID] {
        var walk: OpaquePointer?
        try check(git_revwalk_new(&walk, pointer), "git_revwalk_new")
        defer { git_revwalk_free(walk) }
        guard let walk else { throw GitError.unexpectedNull("git_revwalk_new") }
        try check(git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_REVERSE.rawValue), "git_revwalk_sorting")
        var headID = head.oid
        try check(git_revwalk_push(walk, &headID), "git_revwalk_push")
        if let base {
            var baseID = base.oid
            try check(git_revwalk_hide(walk, &baseID), "git_revwalk_hide")
        }
        var result: [ObjectID] = []
        var next = git_oid()
        while true {
            let code = git_revwalk_next(&next, walk)
            if code == GIT_ITEROVER.rawValue { break }
            try check(code, "git_revwalk_next")
            result.append(ObjectID(next))
        }
        return result
    }

    /// Whether `ancestor` is `commit` or one of its ancestors (`git_graph_descendant_of`).
    public func isAncestor(_ ancestor: ObjectID, of commit: ObjectID) throws -> Bool {
        if ancestor == commit { return true }
        var commitID = commit.oid
        var ancestorID = ancestor.oid
        let code = git_graph_descendant_of(pointer, &commitID, &ancestorID)
        try check(code < 0 ? code : 0, "git_graph_descendant_of")
        return code == 1
    }

    /// The paths a commit changes against its first parent (everything, for a root commit),
    /// via `git_diff_tree_to_tree`.
    public func changedPaths(in id: ObjectID) throws -> [String] {
        try withCommit(id) { commit in
            var parentTree: OpaquePointer?
            defer { git_tree_free(parentTree) }
            if git_commit_parentcount(commit) > 0 {
                var parent: OpaquePointer?
                try check(git_commit_parent(&parent, commit, 0), "git_commit_parent")
                defer { git_commit_free(parent) }
                try check(git_commit_tree(&parentTree, parent), "git_commit_tree")
            }
            return try withTree(ofCommitHandle: commit) { tree in
                var diff: OpaquePointer?
                try check(git_diff_tree_to_tree(&diff, pointer, parentTree, tree, nil), "git_diff_tree_to_tree")
                defer { git_diff_free(diff) }
                var paths = Set<String>()
                for index in 0..<git_diff_num_deltas(diff) {
                    guard let delta = git_diff_get_delta(diff, index) else { continue }
                    if let path = delta.pointee.new_file.path { paths.insert(String(cString: path)) }
                    if let path = delta.pointee.old_file.path { paths.insert(String(cString: path)) }
                }
                return paths.sorted()
            }
        }
    }
}

extension GitRepository {
    /// The best common ancestor of two commits (`git_merge_base`), nil when they share no history.
    public func mergeBase(_ one: ObjectID, _ two: ObjectID) throws -> ObjectID? {
        var result = git_oid()
        var first = one.oid
        var second = two.oid
        let code = git_merge_base(&result, pointer, &first, &second)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try check(code, "git_merge_base")
        return ObjectID(result)
    }
}
