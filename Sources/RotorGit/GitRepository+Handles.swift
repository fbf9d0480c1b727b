import CGit2
import Foundation

/// Scoped access to short-lived libgit2 handles: each is looked up, handed to
/// `body`, and freed by a `defer` before returning.
extension GitRepository {
    /// Runs `body` with the commit `id` (`git_commit_lookup`), freed afterwards.
    func withCommit<T>(_ id: ObjectID, _ body: (OpaquePointer) throws -> T) throws -> T {
        var oid = id.oid
        var commit: OpaquePointer?
        do {
            try check(git_commit_lookup(&commit, pointer, &oid), "git_commit_lookup")
        } catch let error as GitError {
            throw error.prefixed("cannot read commit \(id.short)")
        }
        defer { git_commit_free(commit) }
        guard let commit else { throw GitError.unexpectedNull("git_commit_lookup") }
        return try body(commit)
    }

    /// Runs `body` with the root tree of commit `id` (`git_commit_tree`), freed afterwards.
    func withTree<T>(ofCommit id: ObjectID, _ body: (OpaquePointer) throws -> T) throws -> T {
        try withCommit(id) { commit in
            try withTree(ofCommitHandle: commit, body)
        }
    }

    /// Runs `body` with the root tree of an already open commit (`git_commit_tree`), freed afterwards.
    func withTree<T>(ofCommitHandle commit: OpaquePointer, _ body: (OpaquePointer) throws -> T) throws -> T {
        var tree: OpaquePointer?
        try check(git_commit_tree(&tree, commit), "git_commit_tree")
        defer { git_tree_free(tree) }
        guard let tree else { throw GitError.unexpectedNull("git_commit_tree") }
        return try body(tree)
    }

    /// Runs `body` with the tree object `oid` (`git_tree_lookup`), freed afterwards.
    func withTree<T>(_ oid: git_oid, _ body: (OpaquePointer) throws -> T) throws -> T {
        var oid = oid
        var tree: OpaquePointer?
        try check(git_tree_lookup(&tree, pointer, &oid), "git_tree_lookup")
        defer { git_tree_free(tree) }
        guard let tree else { throw GitError.unexpectedNull("git_tree_lookup") }
        return try body(tree)
    }

    /// Looks up `path` inside `tree` (`git_tree_entry_bypath`) and copies out its id, type and
    /// whether it is a symlink; nil when the path does not exist.
    func entry(at path: String, in tree: OpaquePointer) throws -> (id: git_oid, type: git_object_t, isSymlink: Bool)? {
        var entry: OpaquePointer?
        let code = git_tree_entry_bypath(&entry, tree, path)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try check(code, "git_tree_entry_bypath")
        defer { git_tree_entry_free(entry) }
        guard let entry, let id = git_tree_entry_id(entry) else {
            throw GitError.unexpectedNull("git_tree_entry_bypath")
        }
        return (id.pointee, git_tree_entry_type(entry), git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK)
    }
}

/// Runs `body` with a `git_strarray` holding copies of `strings`, freed afterwards.
///
/// The C strings are `strdup`ed because `git_strarray` wants mutable `char*`s
/// that live for the whole call.
func withStrarray<T>(_ strings: [String], _ body: (git_strarray) throws -> T) rethrows -> T {
    var cStrings: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { cStrings.forEach { free($0) } }
    return try cStrings.withUnsafeMutableBufferPointer { buffer in
        try body(git_strarray(strings: buffer.baseAddress, count: buffer.count))
    }
}

/// Normalises a repository-relative path: "/"-separated, no leading "./", no leading or trailing slash.
func normalizedRepoPath(_ path: String) -> String {
    var path = Substring(path)
    while path.hasPrefix("./") { path = path.dropFirst(2) }
    while path.hasPrefix("/") { path = path.dropFirst() }
    while path.hasSuffix("/") { path = path.dropLast() }
    return path == "." ? "" : String(path)
}
