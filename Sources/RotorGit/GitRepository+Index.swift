import CGit2

extension GitRepository {
    /// The staged files (the index: what the next `git commit` records) under `prefixes`, sorted
    /// by path (`git_repository_index`, `git_index_read`, `git_index_get_byindex`). Only stage-0
    /// entries count (conflict stages are skipped). A prefix names a directory or a file; an
    /// empty list means everything.
    public func indexFiles(under prefixes: [String]) throws -> [TreeFile] {
        var index: OpaquePointer?
        try check(git_repository_index(&index, pointer), "git_repository_index")
        defer { git_index_free(index) }
        guard let index else { throw GitError.unexpectedNull("git_repository_index") }
        try check(git_index_read(index, 0), "git_index_read")
        let roots = prefixes.map(normalizedRepoPath)
        var files: [TreeFile] = []
        for position in 0..<git_index_entrycount(index) {
            guard let entry = git_index_get_byindex(index, position), git_index_entry_stage(entry) == 0,
                  let rawPath = entry.pointee.path else { continue }
            let path = String(cString: rawPath)
            guard roots.isEmpty || roots.contains(where: { $0.isEmpty || path == $0 || path.hasPrefix($0 + "/") }) else { continue }
            files.append(TreeFile(path: path, blob: ObjectID(entry.pointee.id), isSymlink: entry.pointee.mode & 0o170000 == 0o120000))
        }
        return files.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }

    /// The blob of every stage-0 index entry under `prefixes`, by path.
    ///
    /// - Throws: `GitError`, e.g. for a bare repository.
    public func indexBlobs(under prefixes: [String]) throws -> [String: ObjectID] {
        Dictionary(try indexFiles(under: prefixes).map { ($0.path, $0.blob) }, uniquingKeysWith: { first, _ in first })
    }
}
