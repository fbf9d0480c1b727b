import CGit2
import Foundation
import RotorCore

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

    /// The id git gives a blob holding `bytes` (`git hash-object`), computed without writing it.
    public static func blobID(of bytes: [UInt8]) throws -> ObjectID {
        try GitLibrary.ensureInitialized()
        var oid = git_oid()
        try bytes.withUnsafeBytes { buffer in
            try check(git_odb_hash(&oid, buffer.baseAddress, buffer.count, GIT_OBJECT_BLOB), "git_odb_hash")
        }
        return ObjectID(oid)
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

    /// A blob's size in bytes, read from its object header without inflating it (`git_odb_read_header`).
    /// - Throws: `GitError` when `id` is not an object in this repository.
    public func blobSize(_ id: ObjectID) throws -> Int {
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, pointer), "git_repository_odb")
        defer { git_odb_free(odb) }
        var oid = id.oid
        var length = 0
        var type = GIT_OBJECT_INVALID
        do {
            try check(git_odb_read_header(&length, &type, odb, &oid), "git_odb_read_header")
        } catch let error as GitError {
            throw error.prefixed("cannot read blob \(id.short)")
        }
        return length
    }

    /// A blob's bytes, or only its size when that is over `limit` (then nothing is inflated).
    /// - Throws: `GitError` when `id` is not a blob in this repository.
    public func blob(_ id: ObjectID, limit: Int) throws -> BlobRead {
        if limit < Int.max {
            let size = try blobSize(id)
            if size > limit { return .oversize(size) }
        }
        return .bytes(try blob(id))
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

extension GitRepository {
    /// Copies many blobs' bytes, in `ids` order, reading on several threads.
    ///
    /// They are read in the order they sit in the pack files (see ``PackOrder``), each thread
    /// a stretch of it: in another order libgit2 rebuilds the same delta bases many times.
    /// Packed blobs are read straight from the mapped packs (``PackObjectReader``), each checked
    /// against its id; loose ones, and any that reader cannot read, go through libgit2, each
    /// extra thread on its own handle on this repository's git directory (a `git_repository`
    /// must not be shared between threads). `ROTOR_PACK_READER=libgit2` reads everything
    /// through libgit2.
    /// - Throws: `GitError` when an id is not a blob in this repository.
    public func blobs(_ ids: [ObjectID], threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> [[UInt8]] {
        try readBlobs(ids, threads: threads).blobs
    }

    /// ``blobs(_:threads:)`` for files that may be hostile: a blob over `limit` bytes is not
    /// read (its size comes from the pack entry or the object header) and is listed in
    /// `oversize` by its index in `ids`, with an empty slot in `bytes`. Memory stays flat
    /// whatever the blobs' sizes.
    public func blobs(_ ids: [ObjectID], limit: Int, threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> BoundedBlobs {
        let read = try readBlobs(ids, threads: threads, limit: limit)
        return BoundedBlobs(bytes: read.blobs, oversize: read.oversize)
    }

    /// ``blobs(_:threads:)``, how many of them were read straight from a pack, and those over `limit`.
    func readBlobs(_ ids: [ObjectID], threads: Int, direct: Bool = PackObjectReader.enabled,
                   limit: Int = .max) throws -> (blobs: [[UInt8]], direct: Int, oversize: [Int: Int]) {
        guard ids.count >= 256 else {
            var blobs: [[UInt8]] = []
            var oversize: [Int: Int] = [:]
            for (index, id) in ids.enumerated() {
                switch try blob(id, limit: limit) {
                case .bytes(let bytes): blobs.append(bytes)
                case .oversize(let size): blobs.append([]); oversize[index] = size
                }
            }
            return (blobs, 0, oversize)
        }
        let directory = gitDirectory
        let located = PackOrder.locate(ids, objectsDirectory: (directory as NSString).appendingPathComponent("objects"))
        let packs = direct ? located.packs.map { PackFile(path: $0.path, index: $0.index) } : []
        let order = located.readingOrder
        let workers = max(1, threads)
        var results = [[UInt8]](repeating: [], count: ids.count)
        // Each worker's error, if it stopped on one, and how many blobs it read from a pack.
        var outcomes = [(error: Error?, direct: Int, oversize: [Int: Int])](repeating: (nil, 0, [:]), count: workers)
        let chunk = (ids.count + workers - 1) / workers
        results.withUnsafeMutableBufferPointer { output in
            outcomes.withUnsafeMutableBufferPointer { outcomes in
                let output = DisjointBuffer(output), outcomes = DisjointBuffer(outcomes)
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    let reader = PackObjectReader()
                    // This thread's own libgit2 handle (a git_repository must not be shared between
                    // threads), opened when a blob is not read from a pack: loose objects, damage.
                    var handle: GitRepository?
                    do {
                        for step in (worker * chunk)..<min((worker + 1) * chunk, ids.count) {
                            let index = order[step]
                            if step < located.packed.count, !packs.isEmpty, let pack = packs[located.packed[step].pack],
                               let bytes = reader.blob(ids[index], at: located.packed[step].offset, in: pack, limit: limit) {
                                output[index] = bytes
                                outcomes[worker].direct += 1
                                continue
                            }
                            let repository = try handle ?? GitRepository.open(at: directory)
                            handle = repository
                            switch try repository.blob(ids[index], limit: limit) {
                            case .bytes(let bytes): output[index] = bytes
                            case .oversize(let size): outcomes[worker].oversize[index] = size
                            }
                        }
                    } catch {
                        outcomes[worker].error = error
                    }
                }
            }
        }
        if let error = outcomes.lazy.compactMap(\.error).first { throw error }
        return (results, outcomes.reduce(0) { $0 + $1.direct }, outcomes.reduce(into: [:]) { $0.merge($1.oversize) { first, _ in first } })
    }
}

/// A blob read with a size limit.
public enum BlobRead: Sendable, Equatable {
    /// The blob's bytes (within the limit).
    case bytes([UInt8])
    /// The blob is this many bytes, over the limit: not read.
    case oversize(Int)
}

/// Blobs read with a size limit: each one's bytes, except those over the limit.
public struct BoundedBlobs: Sendable {
    /// The bytes, in the order asked for; an empty array for each blob over the limit.
    public var bytes: [[UInt8]]
    /// The size of each blob over the limit, by its index in the ids asked for.
    public var oversize: [Int: Int]
}
