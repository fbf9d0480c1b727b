/// A file (blob) in a commit's tree.
public struct TreeFile: Sendable, Equatable {
    /// Path relative to the repository root, "/"-separated, no leading slash.
    public let path: String
    /// The blob holding the file's content (for a symlink: the link's target path).
    public let blob: ObjectID
    /// Whether the entry is a symbolic link (mode 120000), not a regular file.
    public let isSymlink: Bool

    /// Creates a tree file entry.
    public init(path: String, blob: ObjectID, isSymlink: Bool = false) {
        self.path = path
        self.blob = blob
        self.isSymlink = isSymlink
    }
}
