import Foundation

/// One file of the secrets repository as read from git or the working tree.
public struct SourceFile: Sendable {
    /// Path relative to the repository root.
    public let path: String
    /// The raw bytes.
    public let bytes: [UInt8]
    /// The git blob id, when read from git (used to cache parses).
    public let blobID: String?
    /// What the file parsed to before, from the ``ParseCache`` (then `bytes` is empty: never read).
    let cached: CachedParse?

    /// Creates a source file.
    public init(path: String, bytes: [UInt8], blobID: String? = nil) {
        self.path = path
        self.bytes = bytes
        self.blobID = blobID
        self.cached = nil
    }

    /// A file whose parse came from the cache.
    init(path: String, blobID: String, cached: CachedParse) {
        self.path = path
        self.bytes = []
        self.blobID = blobID
        self.cached = cached
    }
}
