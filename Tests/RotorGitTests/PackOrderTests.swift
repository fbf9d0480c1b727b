import Foundation
import Testing
@testable import RotorGit

@Suite struct PackOrderTests {
    /// A repository whose 600 blobs (similar, so git deltifies them) were packed by `git gc`,
    /// plus one blob written after it (loose).
    func withPackedRepo(_ body: (GitRepository, String, [String: [UInt8]], [TreeFile], ObjectID) throws -> Void) throws {
        try withScratchRepo { repo, dir in
            var changes: [String: [UInt8]] = [:]
            for index in 0..<600 {
                changes["d\(index % 7)/f\(index)"] = Array("value: \(index)\n\(String(repeating: "shared line\n", count: 40))".utf8)
            }
            let head = try repo.commit(changes: changes, parent: nil, ref: "refs/heads/main", message: "many",
                                       author: signature(), committer: signature())
            #expect(try git(dir, "gc", "-q").status == 0)
            _ = FileManager.default.createFile(atPath: "\(dir)/loose.txt", contents: Data("loose\n".utf8))
            let written = try git(dir, "hash-object", "-w", "loose.txt").out.trimmingCharacters(in: .whitespacesAndNewlines)
            let loose = try #require(ObjectID(hex: written))
            let files = try repo.treeFiles(at: head, under: []).shuffled()
            #expect(files.count == 600)
            try body(repo, dir, changes, files, loose)
        }
    }

    /// Every object's offset, as git itself reads it from the index (`git verify-pack -v`).
    func gitOffsets(_ dir: String) throws -> [String: UInt64] {
        let pack = try #require(try FileManager.default.contentsOfDirectory(atPath: "\(dir)/.git/objects/pack").first { $0.hasSuffix(".idx") })
        var offsets: [String: UInt64] = [:]
        for line in try git(dir, "verify-pack", "-v", ".git/objects/pack/\(pack)").lines {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 5, ["blob", "tree", "commit"].contains(fields[1]), let offset = UInt64(fields[4]) else { continue }
            offsets[String(fields[0])] = offset
        }
        return offsets
    }

    @Test func offsetsAreTheOnesGitReads() throws {
        try withPackedRepo { _, dir, _, _, _ in
            let offsets = try gitOffsets(dir)
            #expect(offsets.count > 600)
            let name = try #require(try FileManager.default.contentsOfDirectory(atPath: "\(dir)/.git/objects/pack").first { $0.hasSuffix(".idx") })
            let index = try #require(PackIndex(path: "\(dir)/.git/objects/pack/\(name)"))
            for (hex, offset) in offsets {
                let id = try #require(ObjectID(hex: hex))
                #expect(withUnsafeBytes(of: id.oid.id) { index.offset(of: $0) } == offset, "\(hex)")
            }
            // Ids the pack does not hold: one next to a packed id (its fan-out bucket is filled), and
            // one whose bucket is likely empty.
            let known = try #require(offsets.keys.first)
            let neighbour = String(known.dropLast()) + (known.hasSuffix("0") ? "1" : "0")
            for hex in [neighbour, String(repeating: "0", count: 40)] where offsets[hex] == nil {
                let id = try #require(ObjectID(hex: hex))
                #expect(withUnsafeBytes(of: id.oid.id) { index.offset(of: $0) } == nil)
            }
        }
    }

    @Test func theReadingOrderIsPackOrderThenTheRestAsGiven() throws {
        try withPackedRepo { _, dir, _, files, loose in
            let offsets = try gitOffsets(dir)
            let missing = try #require(ObjectID(hex: String(repeating: "1", count: 40)))
            let ids = [loose] + files.map(\.blob) + [missing, files[0].blob]
            let order = PackOrder.readingOrder(ids, objectsDirectory: "\(dir)/.git/objects")
            #expect(order.sorted() == Array(ids.indices))
            let packed = order.prefix { offsets[ids[$0].hex] != nil }
            #expect(packed.count == files.count + 1)
            #expect(packed.map { offsets[ids[$0].hex]! } == packed.map { offsets[ids[$0].hex]! }.sorted())
            // Not in the pack: the loose blob and the unknown id, in the order given.
            #expect(Array(order.dropFirst(packed.count)) == [0, ids.count - 2])
        }
    }

    @Test func blobsReadFromAPackComeBackInTheOrderAsked() throws {
        try withPackedRepo { repo, _, changes, files, loose in
            let ids = files.map(\.blob) + [loose]
            let expected = files.map { changes[$0.path]! } + [Array("loose\n".utf8)]
            for threads in [1, 2, 3] {
                let read = try repo.blobs(ids, threads: threads)
                #expect(read == expected, "\(threads) thread(s)")
            }
        }
    }

    @Test func anIndexWithA64BitOffsetOrABadShapeIsReadOrRefused() throws {
        try withScratchDir { dir in
            // One object, its offset in the 64-bit table (a pack over 2 GiB).
            var id = [UInt8](repeating: 0, count: 20)
            id[0] = 0x42
            id[19] = 7
            var bytes: [UInt8] = [0xff, 0x74, 0x4f, 0x63, 0, 0, 0, 2]
            for bucket in 0..<256 { bytes += be32(bucket >= 0x42 ? 1 : 0) }
            bytes += id + be32(0xdead_beef) + be32(0x8000_0000) + be32(0x1) + be32(0x10) + [UInt8](repeating: 0, count: 40)
            let path = "\(dir)/large.idx"
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
            let index = try #require(PackIndex(path: path))
            #expect(id.withUnsafeBytes { index.offset(of: $0) } == 0x1_0000_0010)
            var other = id
            other[19] = 8
            #expect(other.withUnsafeBytes { index.offset(of: $0) } == nil)
            // Truncated, another version, not an index: refused (the caller reads in the order given).
            for bad in [Array(bytes.dropLast(3)), Array(bytes.prefix(4)) + be32(3) + Array(bytes.dropFirst(8)), Array("not an index".utf8)] {
                _ = FileManager.default.createFile(atPath: path, contents: Data(bad))
                #expect(PackIndex(path: path) == nil)
            }
        }
    }

    private func be32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    private func be32(_ value: Int) -> [UInt8] { be32(UInt32(value)) }
}
