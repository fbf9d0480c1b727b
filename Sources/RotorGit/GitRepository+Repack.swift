import CGit2
import Foundation

extension GitRepository {
    /// The pack files in the object store, counted by their index (`objects/pack/*.idx`), as
    /// libgit2 finds them. Zero when the folder cannot be read.
    public func packFileCount() -> Int {
        packNames().count
    }

    /// About how many loose objects the object store holds: the objects in one of its 256
    /// fan-out folders (`objects/17`) times 256, git's own estimate for `gc.auto` (one folder
    /// read, not 256).
    public func looseObjectEstimate() -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: objectsDirectory + "/17")) ?? []
        return names.filter { $0.utf8.count == 38 }.count * 256
    }

    /// Writes one pack of every object still reachable, removes the packs and loose objects it
    /// supersedes, and makes this handle forget the removed packs.
    ///
    /// Reachable means from any ref (branches, remote-tracking refs, tags, stashes), HEAD, the
    /// entries of every ref's reflog and HEAD's, and the index: what `git gc` keeps, so rotor's
    /// unpushed commits (on the branch) and the remote's tip are always kept. The pack is
    /// written with `git_packbuilder_insert_walk` / `git_packbuilder_insert_recur` /
    /// `git_packbuilder_insert` and `git_packbuilder_write` (libgit2's indexer writes the index
    /// first, then renames the pack into place).
    ///
    /// Crash-safe, in this order: the new pack and its index are written whole and synced to disk
    /// (with their folder) before anything is removed; an old pack is removed only when every
    /// object its index lists is in the new pack's index (a `.keep` or `.promisor` pack never),
    /// its `.pack` before its `.idx`, so a repack killed halfway leaves whole packs, or an index
    /// alone that libgit2 and git skip and the next repack removes; a loose object is removed only
    /// when the new pack holds it. A repository whose refs, reflogs or index cannot all be read
    /// is not repacked (the error is thrown before anything is written).
    ///
    /// libgit2 only ever adds packs when it rescans (`git_odb_refresh`), and keeps every pack it
    /// opened, with its index, mapped for the life of the handle: so the handle's object
    /// database, index, refs and object cache are dropped afterwards (``releaseCaches()``,
    /// `git_repository__cleanup`) and reopen on their next use. Other handles on this
    /// repository must be reopened. Not for a repository with linked worktrees (their HEADs
    /// are not read): that throws.
    /// - Returns: what was written and removed.
    /// - Throws: `GitError` when the pack cannot be written or the repository's roots cannot be read.
    public func repack() throws -> RepackReport {
        let folder = objectsDirectory + "/pack"
        let before = packNames()
        guard let written = try writeReachablePack() else {
            return RepackReport(packsBefore: before.count, packsAfter: before.count, objects: 0, packsRemoved: 0,
                                packsKept: before.count, looseObjectsRemoved: 0)
        }
        let base = folder + "/" + written.name
        try syncToDisk([base + ".pack", base + ".idx", folder])
        guard let index = PackIndex(path: base + ".idx") else {
            throw GitError(code: GIT_ERROR.rawValue, function: "git_packbuilder_write",
                           message: "the new pack's index \(base).idx cannot be read back: nothing removed")
        }
        var removed = 0, kept = 0
        var midxRemoved = false
        for old in before where old != written.name {
            let path = folder + "/" + old
            let pinned = [".keep", ".promisor"].contains { FileManager.default.fileExists(atPath: path + $0) }
            guard !pinned, let oldIndex = PackIndex(path: path + ".idx"), oldIndex.isCovered(by: index) else {
                kept += 1
                continue
            }
            if !midxRemoved {
                // An accelerator that lists the packs being removed; git and libgit2 read the packs without it.
                Self.unlinkIfPresent(folder + "/multi-pack-index")
                midxRemoved = true
            }
            for suffix in [".pack", ".rev", ".bitmap", ".mtimes", ".idx"] { Self.unlinkIfPresent(path + suffix) }
            removed += 1
        }
        let loose = removeLooseObjects(packedIn: index)
        try releaseCaches()
        return RepackReport(packsBefore: before.count, packsAfter: packFileCount(), objects: written.objects,
                            packsRemoved: removed, packsKept: kept, looseObjectsRemoved: loose)
    }

    /// The object store (`<git dir>/objects`).
    var objectsDirectory: String {
        (gitDirectory as NSString).appendingPathComponent("objects")
    }

    /// The packs' names without extension ("pack-<hex>"), one per `.idx` file.
    func packNames() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: objectsDirectory + "/pack")) ?? []
        return names.filter { $0.hasSuffix(".idx") }.map { String($0.dropLast(4)) }.sorted()
    }

    /// Packs every reachable object into a new pack in `objects/pack`; its name and object count,
    /// or nil when nothing is reachable (an empty repository).
    private func writeReachablePack() throws -> (name: String, objects: Int)? {
        var worktrees = git_strarray()
        try check(git_worktree_list(&worktrees, pointer), "git_worktree_list")
        let linked = worktrees.count
        git_strarray_dispose(&worktrees)
        guard linked == 0 else {
            throw GitError(code: GIT_EINVALID.rawValue, function: "git_worktree_list",
                           message: "not repacked: the repository has \(linked) linked worktree(s), whose HEADs a repack does not read")
        }
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, pointer), "git_repository_odb")
        defer { git_odb_free(odb) }
        var builder: OpaquePointer?
        try check(git_packbuilder_new(&builder, pointer), "git_packbuilder_new")
        defer { git_packbuilder_free(builder) }
        var walk: OpaquePointer?
        try check(git_revwalk_new(&walk, pointer), "git_revwalk_new")
        defer { git_revwalk_free(walk) }
        for var root in try reachabilityRoots() {
            // A reflog may name an object that is long gone: nothing of it to keep.
            guard git_odb_exists(odb, &root) == 1 else { continue }
            var object: OpaquePointer?
            try check(git_object_lookup(&object, pointer, &root, GIT_OBJECT_ANY), "git_object_lookup")
            defer { git_object_free(object) }
            if git_object_type(object) == GIT_OBJECT_COMMIT {
                try check(git_revwalk_push(walk, &root), "git_revwalk_push")
                continue
            }
            // An annotated tag (with what it points at), or a ref to a tree or blob.
            try check(git_packbuilder_insert_recur(builder, &root, nil), "git_packbuilder_insert_recur")
            var commit: OpaquePointer?
            if git_object_peel(&commit, object, GIT_OBJECT_COMMIT) == 0, var id = git_object_id(commit)?.pointee {
                try check(git_revwalk_push(walk, &id), "git_revwalk_push")
            }
            git_object_free(commit)
        }
        try check(git_packbuilder_insert_walk(builder, walk), "git_packbuilder_insert_walk")
        for var blob in try indexedBlobs() where git_odb_exists(odb, &blob) == 1 {
            try check(git_packbuilder_insert(builder, &blob, nil), "git_packbuilder_insert")
        }
        let objects = git_packbuilder_object_count(builder)
        guard objects > 0 else { return nil }
        try check(git_packbuilder_write(builder, nil, 0, nil, nil), "git_packbuilder_write")
        guard let name = git_packbuilder_name(builder) else { throw GitError.unexpectedNull("git_packbuilder_name") }
        return ("pack-" + String(cString: name), objects)
    }

    /// Every object a ref, HEAD or a reflog entry names (duplicates included). A ref that
    /// cannot be read throws: what it names would otherwise count as unreachable.
    private func reachabilityRoots() throws -> [git_oid] {
        var names = ["HEAD"]
        var iterator: OpaquePointer?
        try check(git_reference_iterator_new(&iterator, pointer), "git_reference_iterator_new")
        defer { git_reference_iterator_free(iterator) }
        while true {
            var reference: OpaquePointer?
            let code = git_reference_next(&reference, iterator)
            if code == GIT_ITEROVER.rawValue { break }
            try check(code, "git_reference_next")
            defer { git_reference_free(reference) }
            guard let name = git_reference_name(reference) else { throw GitError.unexpectedNull("git_reference_name") }
            names.append(String(cString: name))
        }
        var roots: [git_oid] = []
        for name in names {
            var id = git_oid()
            let code = git_reference_name_to_id(&id, pointer, name)
            // An unborn HEAD, or a symbolic ref to a branch that does not exist yet, names nothing.
            if code != GIT_ENOTFOUND.rawValue {
                try check(code, "git_reference_name_to_id")
                roots.append(id)
            }
            var reflog: OpaquePointer?
            try check(git_reflog_read(&reflog, pointer, name), "git_reflog_read")
            defer { git_reflog_free(reflog) }
            for position in 0..<git_reflog_entrycount(reflog) {
                guard let entry = git_reflog_entry_byindex(reflog, position) else { continue }
                for id in [git_reflog_entry_id_old(entry), git_reflog_entry_id_new(entry)] {
                    if var id = id?.pointee, git_oid_is_zero(&id) == 0 { roots.append(id) }
                }
            }
        }
        return roots
    }

    /// The blobs the index lists (staged files), except submodule entries; none for a bare repository.
    private func indexedBlobs() throws -> [git_oid] {
        guard !isBare else { return [] }
        var index: OpaquePointer?
        try check(git_repository_index(&index, pointer), "git_repository_index")
        defer { git_index_free(index) }
        var blobs: [git_oid] = []
        for position in 0..<git_index_entrycount(index) {
            guard let entry = git_index_get_byindex(index, position), entry.pointee.mode != 0o160000 else { continue }
            blobs.append(entry.pointee.id)
        }
        return blobs
    }

    /// Removes every loose object file whose object `pack` holds; returns how many. The fan-out
    /// folders stay (removing one could race a writer about to put an object in it).
    private func removeLooseObjects(packedIn pack: PackIndex) -> Int {
        let manager = FileManager.default
        var removed = 0
        for folder in (try? manager.contentsOfDirectory(atPath: objectsDirectory)) ?? [] where folder.utf8.count == 2 {
            let path = objectsDirectory + "/" + folder
            for file in (try? manager.contentsOfDirectory(atPath: path)) ?? [] where file.utf8.count == 38 {
                guard let id = ObjectID(hex: folder + file) else { continue }
                let packed = withUnsafeBytes(of: id.oid.id) { pack.contains($0) }
                if packed, unlink(path + "/" + file) == 0 { removed += 1 }
            }
        }
        return removed
    }

    private static func unlinkIfPresent(_ path: String) {
        _ = unlink(path)
    }
}

/// Flushes each file or folder to disk (`fsync`), so what follows cannot reach the disk first.
private func syncToDisk(_ paths: [String]) throws {
    for path in paths {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw GitError(code: GIT_ERROR.rawValue, function: "open", message: "cannot open \(path) to sync it: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw GitError(code: GIT_ERROR.rawValue, function: "fsync", message: "cannot sync \(path): \(String(cString: strerror(errno)))")
        }
    }
}
