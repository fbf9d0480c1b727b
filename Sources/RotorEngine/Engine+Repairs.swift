import Foundation
import RotorGit
import RotorSpecs

/// Why `versions/` cannot be healed: it holds a change no rotor commit ever had.
public struct ForeignVersionsChange: Error, CustomStringConvertible, Sendable {
    /// The paths whose content (staged or on disk) rotor never wrote there.
    public let paths: [String]

    public var description: String {
        let shown = paths.prefix(5).joined(separator: ", ") + (paths.count > 5 ? ", … (\(paths.count) in all)" : "")
        return "versions/ holds changes that no rotor commit ever had (\(shown)). rotor alone writes versions/ and "
            + "will not build on them. Discard them with `git checkout HEAD -- versions/ && git clean -fd versions/`; "
            + "to change a secret, edit its spec under secrets/ (or run `rotor rotate`) instead."
    }
}

extension Engine {
    /// Checks, before anything is written, the git lock files an apply will need.
    ///
    /// - `index.lock` (git's own, taken by every `git add`, `git status` refresh, checkout):
    ///   rotor cannot tell a running git command from a killed one, so it refuses, naming the
    ///   file, before any write.
    /// - `refs/heads/<branch>.lock`: only a process moving the branch takes it, and rotor holds
    ///   the state store's lock, which every rotor pass takes before it moves the branch; a
    ///   lock file left there is a killed pass's, and is removed (reported in the result).
    ///
    /// - Parameter branch: The full name of the branch rotor will move (`refs/heads/main`).
    /// - Returns: What was repaired, one line each, for the log.
    /// - Throws: ``EngineError`` naming a lock file that rotor must not remove.
    func releaseStaleGitLocks(branch: String, holding lock: StateLock) throws -> [String] {
        withExtendedLifetime(lock) {}
        let gitDirectory = repository.gitDirectory
        let index = (gitDirectory as NSString).appendingPathComponent("index.lock")
        if repository.workdir != nil, FileManager.default.fileExists(atPath: index) {
            throw EngineError("\(index) exists: a git command is running in this repository, or one was killed before it finished. "
                + "Nothing was written. Wait for it to finish; if no git command is running, remove the file (rm '\(index)') and run rotor again")
        }
        var repairs: [String] = []
        let refLock = (gitDirectory as NSString).appendingPathComponent(branch + ".lock")
        if FileManager.default.fileExists(atPath: refLock) {
            do {
                try FileManager.default.removeItem(atPath: refLock)
            } catch {
                throw EngineError("\(refLock) exists (left by a killed git or rotor process) and cannot be removed: \(error.localizedDescription). "
                    + "Nothing was written. Remove it (rm '\(refLock)') and run rotor again")
            }
            repairs.append("removed \(refLock), left by an interrupted pass (no other rotor holds the state store)")
        }
        return repairs
    }

    /// Puts `versions/` back to HEAD when everything that differs there is something rotor
    /// itself wrote: HEAD's content, or the content of one of rotor's earlier commits.
    ///
    /// A pass moves the branch, then checks out `versions/`; a kill part-way through the
    /// checkout leaves some files at the new commit and some at the old one, one file maybe
    /// half-written (a prefix of HEAD's: libgit2 writes a file in place), and the index
    /// anywhere between. Such a tree is rotor's own and is healed. Anything else — a file
    /// no rotor commit ever held at that path, a symlink — is refused with
    /// ``ForeignVersionsChange``, never committed over.
    ///
    /// - Parameter head: The commit HEAD points at.
    /// - Returns: The paths that were put back (empty when `versions/` was clean).
    func healVersions(head: ObjectID) throws -> [String] {
        let prefix = VersionFileParser.prefix
        guard let workdir = repository.workdir else { return [] }
        let dirty = try repository.dirtyPaths(under: [prefix])
        guard !dirty.isEmpty else { return [] }
        let staged = try repository.indexBlobs(under: [prefix])
        // Each dirty path's states to explain: what is staged and what is on disk (nil: no file).
        var unexplained: [String: Set<ObjectID?>] = [:]
        var onDisk: [String: (blob: ObjectID, bytes: [UInt8])] = [:]
        var foreign: [String] = []
        for path in dirty {
            switch try Self.workTreeState(root: workdir, path: path) {
            case .absent: unexplained[path] = [staged[path], nil]
            case .file(let blob, let bytes):
                unexplained[path] = [staged[path], blob]
                onDisk[path] = (blob, bytes)
            case .notAFile: foreign.append(path)
            }
        }
        guard foreign.isEmpty else { throw ForeignVersionsChange(paths: foreign) }
        // Walk back along first parents through HEAD and rotor's own commits until every state
        // is one of theirs. Most interrupted checkouts are explained by HEAD and its parent.
        var next: ObjectID? = head
        while let commit = next, !unexplained.isEmpty {
            let info = try repository.commitInfo(commit)
            if commit == head || Self.isRotorCommit(info) {
                let blobs = try repository.blobIDs(at: Array(unexplained.keys), in: commit)
                for (path, states) in unexplained {
                    var left = states
                    left.remove(blobs[path])
                    unexplained[path] = left.isEmpty ? nil : left
                }
            }
            next = info.parents.first
        }
        // A file the checkout was writing when it was killed: a prefix of HEAD's content.
        for (path, states) in unexplained {
            guard let written = onDisk[path], states.contains(written.blob),
                  let (_, full) = try repository.blobIfExists(at: path, in: head),
                  written.bytes.count < full.count, full.starts(with: written.bytes) else { continue }
            var left = states
            left.remove(written.blob)
            unexplained[path] = left.isEmpty ? nil : left
        }
        guard unexplained.isEmpty else {
            throw ForeignVersionsChange(paths: unexplained.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        }
        try repository.checkoutHead(paths: [prefix], force: true)
        return dirty
    }

    /// Whether rotor made `info` (`rotor init`, or a pass's `rotor: …` commit).
    static func isRotorCommit(_ info: CommitInfo) -> Bool {
        info.message.hasPrefix("rotor: ") || info.message == "rotor init\n"
    }

    /// What is on disk at a path of the work tree.
    enum WorkTreeState {
        /// No file.
        case absent
        /// A regular file: the blob id git would give it, and its bytes (a version file: small).
        case file(ObjectID, [UInt8])
        /// A symlink, a directory, another kind of node, or a file larger than any spec may be:
        /// rotor never writes one.
        case notAFile
    }

    /// What is on disk at `path` under `root`, without following a symlink.
    static func workTreeState(root: String, path: String) throws -> WorkTreeState {
        let absolute = (root as NSString).appendingPathComponent(path)
        var info = stat()
        guard lstat(absolute, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return .absent }
            throw EngineError("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG, Int(info.st_size) <= SpecLoader.maxFileBytes else { return .notAFile }
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: absolute)))
        return .file(try GitRepository.blobID(of: bytes), bytes)
    }
}
