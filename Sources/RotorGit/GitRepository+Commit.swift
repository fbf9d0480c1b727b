import CGit2

extension GitRepository {
    /// Commits `parent`'s tree with `changes` applied and moves `ref` from `parent` to the new commit atomically.
    ///
    /// Builds trees with `git_blob_create_from_buffer` + `git_treebuilder_*` (never the index, never
    /// the work tree), writes the commit with `git_commit_create`, then moves the ref with
    /// `git_reference_create_matching` (expected old value = `parent`) or, when `parent` is nil or
    /// `ref` does not exist yet (a new branch starting at `parent`), `git_reference_create` without
    /// force (fails if someone created the ref meanwhile). A symbolic `ref` such as
    /// "HEAD" is followed to the branch it names, so HEAD is never detached.
    /// Missing parent directories are created; directories left empty are removed; deleting a
    /// path that does not exist is a no-op; an existing file keeps its executable bit.
    /// The index and work tree are not touched: call `checkoutHead(paths:force:)` afterwards.
    /// - Parameters:
    ///   - changes: repository path -> new content, or nil to delete that file.
    ///   - parent: the commit the change is based on; nil for a first commit.
    ///   - ref: the reference to advance, e.g. "refs/heads/main" or "HEAD".
    ///   - message: the commit message, stored as given plus a trailing newline if missing.
    ///   - author: the author; written with offset +0000.
    ///   - committer: the committer; written with offset +0000.
    /// - Returns: the new commit's id (even when its tree equals the parent's).
    /// - Throws: `GitError`; `isConcurrentUpdate` is true when `ref` no longer points at `parent`
    ///   (the ref is then left untouched).
    ///   - sign: When given, the commit is signed: it receives the commit's bytes and returns an
    ///     armored detached signature, stored in the `gpgsig` header (`git_commit_create_buffer`,
    ///     `git_commit_create_with_signature`), which `git verify-commit` checks.
    public func commit(changes: [String: [UInt8]?], parent: ObjectID?, ref: String, message: String,
                       author: GitSignature, committer: GitSignature,
                       sign: (([UInt8]) throws -> String)? = nil) throws -> ObjectID {
        let commitID = try createCommit(changes: changes, parent: parent, message: message, author: author, committer: committer, sign: sign)
        try advance(ref: ref, from: parent, to: commitID, reflog: "commit: " + Self.subject(of: message))
        return commitID
    }

    /// Writes a commit of `parent`'s tree with `changes` applied, and moves no reference.
    ///
    /// The objects are written exactly as ``commit(changes:parent:ref:message:author:committer:sign:)``
    /// writes them (blobs and trees through `git_treebuilder_*`, the commit through
    /// `git_commit_create` or, signed, `git_commit_create_with_signature`); nothing points at the
    /// commit until the caller creates a reference (``createReference(_:at:reflog:)``), so a
    /// commit that turns out unwanted is left for `git gc` to prune.
    /// - Parameters: as for ``commit(changes:parent:ref:message:author:committer:sign:)``, without `ref`.
    /// - Returns: the new commit's id.
    /// - Throws: `GitError`.
    public func createCommit(changes: [String: [UInt8]?], parent: ObjectID?, message: String, author: GitSignature,
                             committer: GitSignature, sign: (([UInt8]) throws -> String)? = nil) throws -> ObjectID {
        let text = message.hasSuffix("\n") ? message : message + "\n"
        guard changes.count >= Self.packThreshold else {
            return try writeCommit(changes: changes, parent: parent, message: text, author: author, committer: committer, sign: sign)
        }
        // Many files: write every new object into one pack instead of a loose file each.
        let scratch = try GitRepository.open(at: gitDirectory)
        let commitID = try scratch.writingOnePack { written in
            try scratch.writeCommit(changes: changes, parent: parent, message: text, author: author, committer: committer,
                                    sign: sign, written: written)
        }
        try refreshObjectDatabase()
        return commitID
    }

    /// From this many changed files on, a commit's objects are written as one pack file.
    static let packThreshold = 64

    /// Writes the blobs, trees and commit object (no ref moves), recording their ids in `written` when given.
    private func writeCommit(changes: [String: [UInt8]?], parent: ObjectID?, message text: String, author: GitSignature,
                             committer: GitSignature, sign: (([UInt8]) throws -> String)?,
                             written: WrittenObjects? = nil) throws -> ObjectID {
        let plan = try TreeChanges(changes)
        let rootTree: git_oid?
        if let parent {
            rootTree = try withTree(ofCommit: parent) { base in try writeTree(base: base, changes: plan, isRoot: true, written: written) }
        } else {
            rootTree = try writeTree(base: nil, changes: plan, isRoot: true, written: written)
        }
        guard let treeID = rootTree else { throw GitError.unexpectedNull("git_treebuilder_write") }
        let commitID = try withTree(treeID) { tree in
            try author.withGitSignature { authorSig in
                try committer.withGitSignature { committerSig in
                    if let sign {
                        return try createSignedCommit(tree: tree, parent: parent, author: authorSig, committer: committerSig,
                                                      message: text, sign: sign)
                    }
                    return try createCommit(tree: tree, parent: parent, author: authorSig, committer: committerSig, message: text)
                }
            }
        }
        written?.record(commitID.oid)
        return commitID
    }

    /// Writes the new tree for one directory: `base` (may be nil) with `changes` applied.
    /// Returns nil when the directory ended up empty (unless it is the root, which is always written).
    private func writeTree(base: OpaquePointer?, changes: TreeChanges, isRoot: Bool, written: WrittenObjects? = nil) throws -> git_oid? {
        var builder: OpaquePointer?
        try check(git_treebuilder_new(&builder, pointer, base), "git_treebuilder_new")
        defer { git_treebuilder_free(builder) }
        guard let builder else { throw GitError.unexpectedNull("git_treebuilder_new") }

        for (name, content) in changes.files {
            let existing = git_treebuilder_get(builder, name)
            if let content {
                var blobID = git_oid()
                try content.withUnsafeBytes { bytes in
                    try check(git_blob_create_from_buffer(&blobID, pointer, bytes.baseAddress, bytes.count),
                              "git_blob_create_from_buffer")
                }
                written?.record(blobID)
                var mode = GIT_FILEMODE_BLOB
                if let existing, git_tree_entry_filemode(existing) == GIT_FILEMODE_BLOB_EXECUTABLE {
                    mode = GIT_FILEMODE_BLOB_EXECUTABLE
                }
                try check(git_treebuilder_insert(nil, builder, name, &blobID, mode), "git_treebuilder_insert")
            } else if let existing {
                guard git_tree_entry_type(existing) != GIT_OBJECT_TREE else {
                    throw GitError(code: GIT_EINVALID.rawValue, function: "git_treebuilder_remove",
                                   message: "cannot delete '\(name)': it is a directory, name its files instead")
                }
                try check(git_treebuilder_remove(builder, name), "git_treebuilder_remove")
            }
        }

        for (name, subChanges) in changes.directories {
            var existingTreeID: git_oid?
            if let existing = git_treebuilder_get(builder, name),
               git_tree_entry_type(existing) == GIT_OBJECT_TREE,
               let existingID = git_tree_entry_id(existing) {
                existingTreeID = existingID.pointee
            }
            let subtreeID: git_oid?
            if let existingTreeID {
                subtreeID = try withTree(existingTreeID) { subtree in
                    try writeTree(base: subtree, changes: subChanges, isRoot: false, written: written)
                }
            } else {
                // Absent, or a file that a new directory would replace: start from an empty tree.
                subtreeID = try writeTree(base: nil, changes: subChanges, isRoot: false, written: written)
            }
            if var subtreeID {
                try check(git_treebuilder_insert(nil, builder, name, &subtreeID, GIT_FILEMODE_TREE),
                          "git_treebuilder_insert")
            } else if existingTreeID != nil {
                // The directory lost its last file: drop it, as git cannot store empty directories.
                try check(git_treebuilder_remove(builder, name), "git_treebuilder_remove")
            }
        }

        if !isRoot && git_treebuilder_entrycount(builder) == 0 { return nil }
        var treeID = git_oid()
        try check(git_treebuilder_write(&treeID, builder), "git_treebuilder_write")
        written?.record(treeID)
        return treeID
    }

    /// Writes the commit object without moving any ref (`git_commit_create` with a NULL update_ref).
    private func createCommit(tree: OpaquePointer, parent: ObjectID?, author: UnsafePointer<git_signature>,
                              committer: UnsafePointer<git_signature>, message: String) throws -> ObjectID {
        var commitID = git_oid()
        if let parent {
            try withCommit(parent) { parentCommit in
                var parents: [OpaquePointer?] = [parentCommit]
                try check(git_commit_create(&commitID, pointer, nil, author, committer, nil, message, tree, 1, &parents),
                          "git_commit_create")
            }
        } else {
            try check(git_commit_create(&commitID, pointer, nil, author, committer, nil, message, tree, 0, nil),
                      "git_commit_create")
        }
        return ObjectID(commitID)
    }

    /// Moves `ref` from `old` to `new` only if it still points at `old`; creates it (never overwriting)
    /// when `old` is nil or the ref does not exist yet.
    private func advance(ref: String, from old: ObjectID?, to new: ObjectID, reflog: String) throws {
        let name = try directReferenceName(ref)
        let expected: ObjectID? = try referenceExists(name) ? old : nil
        var newID = new.oid
        var reference: OpaquePointer?
        defer { git_reference_free(reference) }
        do {
            if let expected {
                var oldID = expected.oid
                try check(git_reference_create_matching(&reference, pointer, name, &newID, 1, &oldID, reflog),
                          "git_reference_create_matching")
            } else {
                try check(git_reference_create(&reference, pointer, name, &newID, 0, reflog), "git_reference_create")
            }
        } catch let error as GitError {
            let wanted = expected.map { "still point at \($0.short)" } ?? "not exist yet"
            throw error.prefixed("'\(name)' was expected to \(wanted); it was moved concurrently, re-read and retry")
        }
    }

    /// Whether a reference called `name` exists (`git_reference_lookup`).
    private func referenceExists(_ name: String) throws -> Bool {
        var reference: OpaquePointer?
        let code = git_reference_lookup(&reference, pointer, name)
        defer { git_reference_free(reference) }
        if code == GIT_ENOTFOUND.rawValue { return false }
        try check(code, "git_reference_lookup")
        return true
    }

    /// Follows symbolic references (e.g. HEAD -> refs/heads/main) to the name of the direct ref to update,
    /// even when that branch is unborn (`git_reference_lookup`, `git_reference_symbolic_target`).
    private func directReferenceName(_ ref: String) throws -> String {
        var name = ref
        for _ in 0..<10 {
            var reference: OpaquePointer?
            let code = git_reference_lookup(&reference, pointer, name)
            if code == GIT_ENOTFOUND.rawValue { return name }
            try check(code, "git_reference_lookup")
            defer { git_reference_free(reference) }
            guard let reference else { throw GitError.unexpectedNull("git_reference_lookup") }
            guard git_reference_type(reference) == GIT_REFERENCE_SYMBOLIC,
                  let target = git_reference_symbolic_target(reference) else { return name }
            name = String(cString: target)
        }
        throw GitError(code: GIT_EINVALID.rawValue, function: "git_reference_lookup",
                       message: "too many levels of symbolic references from '\(ref)'")
    }

    private static func subject(of message: String) -> String {
        String(message.prefix { $0 != "\n" })
    }
}
