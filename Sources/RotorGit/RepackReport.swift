/// What ``GitRepository/repack()`` did to a repository's object store.
public struct RepackReport: Sendable, Equatable {
    /// Pack files before the repack (counted by their `.idx`, as libgit2 finds them).
    public var packsBefore: Int
    /// Pack files after it: the new one, those kept, and any another process added meanwhile.
    public var packsAfter: Int
    /// Objects in the new pack: everything reachable from a ref, HEAD, a reflog or the index.
    public var objects: Int
    /// Old packs removed: every object in them is in the new pack.
    public var packsRemoved: Int
    /// Old packs kept because they hold objects the new pack lacks (unreachable ones, or a
    /// `.keep` pack): nothing is ever removed that exists only there.
    public var packsKept: Int
    /// Loose object files removed because the new pack holds them.
    public var looseObjectsRemoved: Int

    /// Creates a report from its figures.
    public init(packsBefore: Int, packsAfter: Int, objects: Int, packsRemoved: Int, packsKept: Int, looseObjectsRemoved: Int) {
        self.packsBefore = packsBefore
        self.packsAfter = packsAfter
        self.objects = objects
        self.packsRemoved = packsRemoved
        self.packsKept = packsKept
        self.looseObjectsRemoved = looseObjectsRemoved
    }
}
