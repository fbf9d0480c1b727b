#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// Notices when a repository's HEAD may have moved, cheaply enough to ask on every request.
///
/// The fingerprint is the identity (inode, size, modification time in nanoseconds) of `HEAD`,
/// of the loose ref of the branch HEAD names, and of `packed-refs`: three `stat` calls and no
/// libgit2 handle shared between threads. git and libgit2 update a ref by renaming a new file
/// over it, so any commit, reset or fetch that moves the branch changes one of them; a false
/// alarm only costs a rebuild of the view.
final class HeadWatcher: Sendable {
    /// What `stat` says of one file, or all zero when it is missing.
    struct FileIdentity: Equatable, Sendable {
        var inode: UInt64 = 0
        var size: Int64 = 0
        var seconds: Int = 0
        var nanoseconds: Int = 0
    }

    /// The identities of HEAD, `packed-refs` and the branch's loose ref.
    struct Fingerprint: Equatable, Sendable {
        var head: FileIdentity
        var packedRefs: FileIdentity
        var branch: FileIdentity
    }

    let gitDirectory: String
    private let headPath: String
    private let packedRefsPath: String
    /// The loose ref file HEAD names, read again whenever HEAD itself changes (or appears:
    /// the daemon's clone does not exist until its first pass).
    private let branchRef = Mutex<(head: FileIdentity, path: String?)?>(nil)

    init(gitDirectory: String) {
        self.gitDirectory = gitDirectory
        headPath = (gitDirectory as NSString).appendingPathComponent("HEAD")
        packedRefsPath = (gitDirectory as NSString).appendingPathComponent("packed-refs")
    }

    /// The current fingerprint.
    func fingerprint() -> Fingerprint {
        let head = Self.identity(headPath)
        let ref = branchRef.withLock { cached -> String? in
            if let cached, cached.head == head { return cached.path }
            let path = readBranchRef()
            cached = (head, path)
            return path
        }
        return Fingerprint(head: head, packedRefs: Self.identity(packedRefsPath), branch: ref.map(Self.identity) ?? FileIdentity())
    }

    private func readBranchRef() -> String? {
        let text = (try? String(contentsOfFile: headPath, encoding: .utf8)) ?? ""
        guard text.hasPrefix("ref: ") else { return nil }
        let ref = text.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)
        return ref.contains("..") ? nil : (gitDirectory as NSString).appendingPathComponent(ref)
    }

    private static func identity(_ path: String) -> FileIdentity {
        var info = stat()
        guard stat(path, &info) == 0 else { return FileIdentity() }
        return FileIdentity(inode: UInt64(info.st_ino), size: Int64(info.st_size), seconds: info.st_mtim.tv_sec, nanoseconds: info.st_mtim.tv_nsec)
    }
}
