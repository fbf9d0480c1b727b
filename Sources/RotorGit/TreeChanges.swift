import CGit2

/// A set of file changes arranged as a directory tree, so each directory's
/// git tree can be rebuilt once, bottom-up.
struct TreeChanges {
    /// Files in this directory: new content, or nil to delete.
    var files: [String: [UInt8]?] = [:]
    /// Subdirectories that contain changes.
    var directories: [String: TreeChanges] = [:]

    /// Arranges `changes` (repository path -> content or nil) by directory.
    /// - Throws: `GitError` for an empty path, a "." / ".." component, or a path used both as a file and a directory.
    init(_ changes: [String: [UInt8]?]) throws {
        for (path, content) in changes {
            let components = normalizedRepoPath(path).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard !components.isEmpty, components.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
                throw GitError(code: GIT_EINVALID.rawValue, function: "commit", message: "invalid path '\(path)' in changes")
            }
            try insert(components[...], content: content, fullPath: path)
        }
    }

    private init() {}

    private mutating func insert(_ components: ArraySlice<String>, content: [UInt8]?, fullPath: String) throws {
        guard let first = components.first else { return }
        if components.count == 1 {
            guard directories[first] == nil else {
                throw GitError(code: GIT_EINVALID.rawValue, function: "commit", message: "path '\(fullPath)' is both a file and a directory in changes")
            }
            files[first] = .some(content)
        } else {
            guard files[first] == nil else {
                throw GitError(code: GIT_EINVALID.rawValue, function: "commit", message: "path '\(fullPath)' is both a file and a directory in changes")
            }
            try directories[first, default: TreeChanges()].insert(components.dropFirst(), content: content, fullPath: fullPath)
        }
    }
}
