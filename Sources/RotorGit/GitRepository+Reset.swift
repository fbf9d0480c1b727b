import CGit2

extension GitRepository {
    /// Moves `refs/heads/<branch>` to `target` even when that drops commits, and checks it out
    /// with force (`git_reference_create_matching` with force, then a forced checkout of HEAD).
    ///
    /// For the daemon's own clone only: it resets to the remote's tip after keeping the dropped
    /// commits' new versions elsewhere. The move is a compare-and-swap on `expected` (the value
    /// the caller read), so a concurrent change of the branch is never overwritten silently.
    /// - Parameters:
    ///   - branch: The short branch name ("main").
    ///   - target: The commit to point at; it must exist in this repository (fetched).
    ///   - expected: What the branch points at now; nil when it may not exist yet.
    /// - Throws: `GitError` (`isConcurrentUpdate` when the branch moved meanwhile).
    public func resetBranch(_ branch: String, to target: ObjectID, expected: ObjectID?) throws {
        let name = "refs/heads/\(branch)"
        var targetID = target.oid
        var reference: OpaquePointer?
        defer { git_reference_free(reference) }
        if var current = expected?.oid {
            try check(git_reference_create_matching(&reference, pointer, name, &targetID, 1, &current, "rotor: reset to remote"),
                      "git_reference_create_matching")
        } else {
            try check(git_reference_create(&reference, pointer, name, &targetID, 0, "rotor: reset to remote"), "git_reference_create")
        }
        try checkoutHead(paths: [], force: true)
    }

    /// The URL configured for `remote` (`git_remote_lookup`, `git_remote_url`), nil when there is no such remote.
    public func remoteURL(_ remote: String = "origin") throws -> String? {
        do {
            return try withRemote(remote) { git_remote_url($0).map { String(cString: $0) } }
        } catch let error as GitError where error.isNotFound {
            return nil
        }
    }
}
