import CGit2

extension GitRepository {
    /// Runs `body` with every object it writes kept in memory, then stores the objects `body`
    /// records in `written` as one pack file (`git_mempack_new`, `git_odb_add_backend`,
    /// `git_packbuilder_insert` per recorded id, `git_packbuilder_write_buf`, `git_odb_write_pack`).
    ///
    /// A commit of a thousand version files otherwise creates a thousand loose object files, and
    /// that file creation was the largest single cost of a large apply. Use a repository handle of
    /// its own: the in-memory backend stays attached to this handle's object database.
    ///
    /// Not `git_mempack_dump`: it packs everything reachable from the new commit's tree, so every
    /// large commit copied the whole repository (every spec, every version file) into a new pack.
    func writingOnePack<T>(_ body: (WrittenObjects) throws -> T) throws -> T {
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, pointer), "git_repository_odb")
        defer { git_odb_free(odb) }
        var backend: UnsafeMutablePointer<git_odb_backend>?
        try check(git_mempack_new(&backend), "git_mempack_new")
        // The object database owns the backend from here on (and frees it with the repository).
        try check(git_odb_add_backend(odb, backend, 1_000), "git_odb_add_backend")
        let written = WrittenObjects()
        let result = try body(written)
        var builder: OpaquePointer?
        try check(git_packbuilder_new(&builder, pointer), "git_packbuilder_new")
        defer { git_packbuilder_free(builder) }
        _ = git_packbuilder_set_threads(builder, 1)
        for var id in written.ids {
            // Ids written twice (an unchanged tree, a blob git already had) are inserted once.
            try check(git_packbuilder_insert(builder, &id, nil), "git_packbuilder_insert")
        }
        var pack = git_buf()
        defer { git_buf_dispose(&pack) }
        try check(git_packbuilder_write_buf(&pack, builder), "git_packbuilder_write_buf")
        var writer: UnsafeMutablePointer<git_odb_writepack>?
        try check(git_odb_write_pack(&writer, odb, nil, nil), "git_odb_write_pack")
        guard let writer, let append = writer.pointee.append, let commit = writer.pointee.commit else {
            throw GitError.unexpectedNull("git_odb_write_pack")
        }
        defer { writer.pointee.free?(writer) }
        var progress = git_indexer_progress()
        try check(append(writer, pack.ptr, pack.size, &progress), "git_odb_writepack.append")
        try check(commit(writer, &progress), "git_odb_writepack.commit")
        try check(git_mempack_reset(backend), "git_mempack_reset")
        return result
    }

    /// Drops everything this handle keeps between calls, each reopened on its next use
    /// (`git_repository__cleanup`): its object database (every pack file it opened, mapped with
    /// its index and its delta-base cache), its index, refs and config, and its parsed objects.
    ///
    /// libgit2 frees none of these until the handle is freed, and never drops a pack that was
    /// removed from disk; a long-lived handle calls this between uses.
    /// - Throws: `GitError` if libgit2 refuses.
    public func releaseCaches() throws {
        try check(git_repository__cleanup(pointer), "git_repository__cleanup")
    }

    /// Makes this handle see pack files written by another handle (`git_odb_refresh`).
    func refreshObjectDatabase() throws {
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, pointer), "git_repository_odb")
        defer { git_odb_free(odb) }
        try check(git_odb_refresh(odb), "git_odb_refresh")
    }
}

/// The ids of the objects a commit wrote, for ``GitRepository/writingOnePack(_:)``.
final class WrittenObjects {
    private(set) var ids: [git_oid] = []
    func record(_ id: git_oid) { ids.append(id) }
}
