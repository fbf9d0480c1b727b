/// A file (blob) in a commit's tree.
public struct TreeFile: Sendable, Equatable {
    /// Path relative to the repository root, "/"-separated, no leading slash.
    public let path: String
    /// The blob holding the file's content.
    public let blob: ObjectID

    /// Creates a tree file entry.
    public init(path: String, blob: ObjectID) {
        self.path = path
        self.blob = blob
    }
}
