import CGit2

extension GitRepository {
    /// Writes a signed commit object without moving any ref.
    ///
    /// `git_commit_create_buffer` renders the commit, `sign` signs those bytes, and
    /// `git_commit_create_with_signature` stores the commit with the signature in `gpgsig`.
    func createSignedCommit(tree: OpaquePointer, parent: ObjectID?, author: UnsafePointer<git_signature>,
                            committer: UnsafePointer<git_signature>, message: String,
                            sign: ([UInt8]) throws -> String) throws -> ObjectID {
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        if let parent {
            try withCommit(parent) { parentCommit in
                var parents: [OpaquePointer?] = [parentCommit]
                try check(git_commit_create_buffer(&buffer, pointer, author, committer, nil, message, tree, 1, &parents),
                          "git_commit_create_buffer")
            }
        } else {
            try check(git_commit_create_buffer(&buffer, pointer, author, committer, nil, message, tree, 0, nil),
                      "git_commit_create_buffer")
        }
        guard let raw = buffer.ptr else { throw GitError.unexpectedNull("git_commit_create_buffer") }
        let content = String(cString: raw)
        let signature = try sign(Array(content.utf8))
        var commitID = git_oid()
        try check(git_commit_create_with_signature(&commitID, pointer, content, signature, "gpgsig"),
                  "git_commit_create_with_signature")
        return ObjectID(commitID)
    }

    /// The `gpgsig` signature of a commit and the bytes it signs, or nil when the commit is unsigned
    /// (`git_commit_extract_signature`).
    public func commitSignature(_ id: ObjectID) throws -> (signature: String, signedData: [UInt8])? {
        var oid = id.oid
        var signature = git_buf()
        var signedData = git_buf()
        defer {
            git_buf_dispose(&signature)
            git_buf_dispose(&signedData)
        }
        let code = git_commit_extract_signature(&signature, &signedData, pointer, &oid, nil)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try check(code, "git_commit_extract_signature")
        guard let signaturePointer = signature.ptr, let dataPointer = signedData.ptr else {
            throw GitError.unexpectedNull("git_commit_extract_signature")
        }
        let data = Array(UnsafeRawBufferPointer(start: dataPointer, count: signedData.size).bindMemory(to: UInt8.self))
        return (String(cString: signaturePointer), data)
    }
}
