import Foundation

/// Notices when a repository's HEAD may have moved, cheaply enough to ask on every request.
///
/// The fingerprint is the text of `HEAD`, the text of the loose branch ref it names, and the
/// identity (inode, size, modification time) of `packed-refs`: two small reads and a `stat`,
/// no libgit2 handle shared between threads. Any commit, reset or fetch that moves the branch
/// changes one of them; a false alarm only costs a rebuild of the view.
struct HeadWatcher: Sendable {
    let gitDirectory: String

    /// The current fingerprint.
    func fingerprint() -> String {
        let head = read("HEAD")
        var parts = [head]
        if head.hasPrefix("ref: ") {
            let ref = head.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)
            if !ref.contains("..") { parts.append(read(ref)) }
        }
        var info = stat()
        if stat((gitDirectory as NSString).appendingPathComponent("packed-refs"), &info) == 0 {
            parts.append("\(info.st_ino):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)")
        }
        return parts.joined(separator: "|")
    }

    private func read(_ relative: String) -> String {
        let path = (gitDirectory as NSString).appendingPathComponent(relative)
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: 512)) ?? Data()
        return String(decoding: data ?? Data(), as: UTF8.self)
    }
}
