import CGit2

extension GitRepository {
    /// Reads a commit's author, committer, message and parents (`git_commit_lookup`).
    /// - Throws: `GitError` when `id` is not a commit in this repository.
    public func commitInfo(_ id: ObjectID) throws -> CommitInfo {
        try withCommit(id) { commit in
            let author = try GitSignature(git_commit_author(commit), "git_commit_author")
            let committer = try GitSignature(git_commit_committer(commit), "git_commit_committer")
            let message = git_commit_message(commit).map { String(cString: $0) } ?? ""
            var parents: [ObjectID] = []
            for index in 0..<git_commit_parentcount(commit) {
                parents.append(try ObjectID(git_commit_parent_id(commit, index), "git_commit_parent_id"))
            }
            return CommitInfo(id: id, author: author, committer: committer, message: message, parents: parents)
        }
    }

    /// Copies a blob's raw bytes (`git_blob_lookup`, `git_blob_rawcontent`).
    /// - Throws: `GitError` when `id` is not a blob in this repository.
    public func blob(_ id: ObjectID) throws -> [UInt8] {
        var oid = id.oid
        var blob: OpaquePointer?
        do {
            try check(git_blob_lookup(&blob, pointer, &oid), "git_blob_lookup")
        } catch let error as GitError {
            throw error.prefixed("cannot read blob \(id.short)")
        }
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0 else { return [] }
        guard let content = git_blob_rawcontent(blob) else { throw GitError.unexpectedNull("git_blob_rawcontent") }
        return Array(UnsafeRawBufferPointer(start: content, count: size))
    }

    /// The blob id and bytes of the file at `path` in `commit`, or nil when there is no file there
    /// (`git_tree_entry_bypath`). A directory at `path` also gives nil.
    /// - Parameters:
    ///   - path: repository-relative, "/"-separated.
    ///   - commit: the commit whose tree is read.
    /// - Throws: `GitError` when the commit or blob cannot be read.
    public func blobIfExists(at path: String, in commit: ObjectID) throws -> (ObjectID, [UInt8])? {
        let path = normalizedRepoPath(path)
        guard !path.isEmpty else { return nil }
        let found = try withTree(ofCommit: commit) { tree in try entry(at: path, in: tree) }
        guard let found, found.type == GIT_OBJECT_BLOB else { return nil }
        let id = ObjectID(found.id)
        return (id, try blob(id))
    }
}
