import CGit2

extension GitRepository {
    /// Runs `body` with every object it writes kept in memory, then stores them all as one pack
    /// file (`git_mempack_new`, `git_odb_add_backend`, `git_mempack_dump`, `git_odb_write_pack`).
    ///
    /// A commit of a thousand version files otherwise creates a thousand loose object files, and
    /// that file creation was the largest single cost of a large apply. Use a repository handle of
    /// its own: the in-memory backend stays attached to this handle's object database.
    func writingOnePack<T>(_ body: () throws -> T) throws -> T {
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, pointer), "git_repository_odb")
        defer { git_odb_free(odb) }
        var backend: UnsafeMutablePointer<git_odb_backend>?
        try check(git_mempack_new(&backend), "git_mempack_new")
        // The object database owns the backend from here on (and frees it with the repository).
        try check(git_odb_add_backend(odb, backend, 1_000), "git_odb_add_backend")
        let result = try body()
        var pack = git_buf()
        defer { git_buf_dispose(&pack) }
        try check(git_mempack_dump(&pack, pointer, backend), "git_mempack_dump")
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

    /// Makes this handle see pack files written by another handle (`git_odb_refresh`).
    func refreshObjectDatabase() throws {
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, pointer), "git_repository_odb")
        defer { git_odb_free(odb) }
        try check(git_odb_refresh(odb), "git_odb_refresh")
    }
}
