import CGit2

extension GitRepository {
    /// The blob of every stage-0 index entry under `prefixes` (literal path prefixes), by path
    /// (`git_repository_index`, `git_index_get_byindex`).
    ///
    /// - Throws: `GitError`, e.g. for a bare repository.
    public func indexBlobs(under prefixes: [String]) throws -> [String: ObjectID] {
        var index: OpaquePointer?
        try check(git_repository_index(&index, pointer), "git_repository_index")
        defer { git_index_free(index) }
        let normalized = prefixes.map(normalizedRepoPath)
        var blobs: [String: ObjectID] = [:]
        for position in 0..<git_index_entrycount(index) {
            guard let entry = git_index_get_byindex(index, position), let cPath = entry.pointee.path else { continue }
            let path = String(cString: cPath)
            guard normalized.isEmpty || normalized.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) else { continue }
            blobs[path] = ObjectID(entry.pointee.id)
        }
        return blobs
    }
}
