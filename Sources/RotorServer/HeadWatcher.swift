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
    let gitDirectory: String
    /// The loose ref file HEAD names, read again whenever HEAD itself changes (or appears:
    /// the daemon's clone does not exist until its first pass).
    private let branchRef = Mutex<(head: String, path: String?)>(("", nil))

    init(gitDirectory: String) {
        self.gitDirectory = gitDirectory
    }

    /// The current fingerprint.
    func fingerprint() -> String {
        let head = identity("HEAD")
        let ref = branchRef.withLock { cached -> String? in
            if cached.head != head { cached = (head, readBranchRef()) }
            return cached.path
        }
        return [head, identity("packed-refs"), ref.map { identity(absolute: $0) } ?? "-"].joined(separator: "|")
    }

    private func readBranchRef() -> String? {
        let text = (try? String(contentsOfFile: (gitDirectory as NSString).appendingPathComponent("HEAD"), encoding: .utf8)) ?? ""
        guard text.hasPrefix("ref: ") else { return nil }
        let ref = text.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)
        return ref.contains("..") ? nil : (gitDirectory as NSString).appendingPathComponent(ref)
    }

    private func identity(_ relative: String) -> String {
        identity(absolute: (gitDirectory as NSString).appendingPathComponent(relative))
    }

    private func identity(absolute path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "-" }
        return "\(info.st_ino):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }
}
