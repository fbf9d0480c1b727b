import CGit2

extension GitRepository {
    /// The commit HEAD points at, or nil when HEAD is unborn (`git_repository_head_unborn`, `git_reference_name_to_id`).
    /// - Throws: `GitError` when HEAD cannot be read.
    public func headCommit() throws -> ObjectID? {
        let unborn = git_repository_head_unborn(pointer)
        try check(unborn, "git_repository_head_unborn")
        if unborn == 1 { return nil }
        var oid = git_oid()
        try check(git_reference_name_to_id(&oid, pointer, "HEAD"), "git_reference_name_to_id")
        return ObjectID(oid)
    }

    /// The full name of the branch HEAD points at ("refs/heads/main"), also when unborn; nil when detached
    /// (`git_reference_lookup`, `git_reference_symbolic_target`).
    /// - Throws: `GitError` when HEAD cannot be read.
    public func headBranch() throws -> String? {
        var head: OpaquePointer?
        try check(git_reference_lookup(&head, pointer, "HEAD"), "git_reference_lookup")
        defer { git_reference_free(head) }
        guard let head else { throw GitError.unexpectedNull("git_reference_lookup") }
        guard git_reference_type(head) == GIT_REFERENCE_SYMBOLIC,
              let target = git_reference_symbolic_target(head) else { return nil }
        return String(cString: target)
    }

    /// Resolves a revision expression ("HEAD~1", "main", a hex id, a tag) to a commit
    /// (`git_revparse_single`, then `git_object_peel` to a commit).
    /// - Parameter revspec: anything `git rev-parse` accepts that names a single object.
    /// - Returns: the commit id.
    /// - Throws: `GitError` whose message names `revspec` when it is unknown, ambiguous or not a commit.
    public func resolve(_ revspec: String) throws -> ObjectID {
        var object: OpaquePointer?
        do {
            try check(git_revparse_single(&object, pointer, revspec), "git_revparse_single")
        } catch let error as GitError {
            throw error.prefixed("unknown revision '\(revspec)'")
        }
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        do {
            try check(git_object_peel(&commit, object, GIT_OBJECT_COMMIT), "git_object_peel")
        } catch let error as GitError {
            throw error.prefixed("revision '\(revspec)' does not name a commit")
        }
        defer { git_object_free(commit) }
        return try ObjectID(git_object_id(commit), "git_object_id")
    }
}
