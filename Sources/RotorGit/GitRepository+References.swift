import CGit2

extension GitRepository {
    /// Creates the direct reference `name` pointing at `target`, never overwriting one
    /// (`git_reference_create` without force).
    ///
    /// Nothing else changes: not HEAD, not the index, not the working tree.
    /// - Parameters:
    ///   - name: The full reference name, e.g. "refs/heads/rotor/proposals/20261201-000000-3f9a2c".
    ///   - target: The commit it points at.
    ///   - reflog: The reflog message.
    /// - Throws: `GitError`; `alreadyExists` is true when a reference of that name exists (it is
    ///   then left untouched), and an invalid name is refused with libgit2's message.
    public func createReference(_ name: String, at target: ObjectID, reflog: String) throws {
        var targetID = target.oid
        var reference: OpaquePointer?
        defer { git_reference_free(reference) }
        do {
            try check(git_reference_create(&reference, pointer, name, &targetID, 0, reflog), "git_reference_create")
        } catch let error as GitError {
            throw error.prefixed("cannot create '\(name)'")
        }
    }

    /// The references whose full names start with `prefix` and the commits they resolve to,
    /// sorted by name (`git_reference_iterator_new`, `git_reference_next_name`,
    /// `git_reference_name_to_id`).
    /// - Parameter prefix: e.g. "refs/heads/rotor/proposals/".
    /// - Throws: `GitError` when the references cannot be read.
    public func references(under prefix: String) throws -> [(name: String, target: ObjectID)] {
        var iterator: OpaquePointer?
        try check(git_reference_iterator_new(&iterator, pointer), "git_reference_iterator_new")
        defer { git_reference_iterator_free(iterator) }
        var names: [String] = []
        while true {
            var name: UnsafePointer<CChar>?
            let code = git_reference_next_name(&name, iterator)
            if code == GIT_ITEROVER.rawValue { break }
            try check(code, "git_reference_next_name")
            guard let name else { throw GitError.unexpectedNull("git_reference_next_name") }
            let text = String(cString: name)
            if text.hasPrefix(prefix) { names.append(text) }
        }
        var result: [(name: String, target: ObjectID)] = []
        for name in names.sorted() {
            var oid = git_oid()
            let code = git_reference_name_to_id(&oid, pointer, name)
            // Deleted since it was listed: it is simply not there any more.
            if code == GIT_ENOTFOUND.rawValue { continue }
            try check(code, "git_reference_name_to_id")
            result.append((name, ObjectID(oid)))
        }
        return result
    }
}
