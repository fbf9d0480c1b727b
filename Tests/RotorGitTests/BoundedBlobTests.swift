import Foundation
import Testing
@testable import RotorGit

/// Reading blobs that may be hostile: a blob over the limit is measured, never read.
@Suite struct BoundedBlobTests {
    /// 600 small blobs (the bulk path) and one of 3 MiB, committed; packed when `pack` is set.
    func repository(_ repo: GitRepository, _ dir: String, pack: Bool) throws -> (ids: [ObjectID], big: Int, small: [String: [UInt8]]) {
        var changes: [String: [UInt8]] = [:]
        for index in 0..<600 { changes["f/\(index)"] = Array("value \(index)\n".utf8) }
        changes["f/big"] = [UInt8](repeating: 0x61, count: 3 << 20)
        let head = try repo.commit(changes: changes, parent: nil, ref: "refs/heads/main", message: "many",
                                   author: signature(), committer: signature())
        if pack { try git(dir, "gc", "-q", "--aggressive") }
        let files = try repo.treeFiles(at: head, under: ["f"])
        let big = try #require(files.firstIndex { $0.path == "f/big" })
        return (files.map(\.blob), big, changes)
    }

    @Test(arguments: [false, true])
    func aBlobOverTheLimitIsMeasuredNotRead(packed: Bool) throws {
        try withScratchRepo { repo, dir in
            let (ids, big, _) = try repository(repo, dir, pack: packed)
            // When read in bulk (the pack reader when packed) and one by one (libgit2), with a 1 MiB limit
            let bulk = try repo.blobs(ids, limit: 1 << 20, threads: 2)
            #expect(bulk.oversize == [big: 3 << 20])
            #expect(bulk.bytes[big].isEmpty)
            #expect(bulk.bytes.enumerated().allSatisfy { $0.offset == big || !$0.element.isEmpty })
            #expect(try repo.blob(ids[big], limit: 1 << 20) == .oversize(3 << 20))
            #expect(try repo.blobSize(ids[big]) == 3 << 20)
            // A few ids take the one-by-one path
            let few = try repo.blobs([ids[0], ids[big]], limit: 1 << 20)
            #expect(few.oversize == [1: 3 << 20] && !few.bytes[0].isEmpty)
            // Without a limit, every blob is read as before
            #expect(try repo.blobs(ids, threads: 2)[big].count == 3 << 20)
        }
    }

    @Test func aDeltaWhoseResultWouldBeOverTheLimitIsNotApplied() {
        // base of 10 bytes, result declared 2 MiB: refused before allocating
        let base = [UInt8](repeating: 1, count: 10)
        let delta: [UInt8] = [10, 0x80, 0x80, 0x80, 0x01] + [0x90, 0x0a]
        #expect(PackObjectReader.apply(delta, to: base, limit: 1 << 20) == nil)
        // and a result size no instruction can reach is refused whatever the limit
        let impossible: [UInt8] = [10, 0xff, 0xff, 0xff, 0xff, 0x0f] + [0x0a] + base
        #expect(PackObjectReader.apply(impossible, to: base) == nil)
    }
}
