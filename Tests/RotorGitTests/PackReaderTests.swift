import Foundation
import Testing
@testable import RotorGit

/// Blobs read straight from pack files (``PackObjectReader``) against what libgit2 and git read.
@Suite struct PackReaderTests {
    /// A repository with `versions` commits of `files` files that change a little each time (so
    /// git packs most of them as deltas of each other), packed by `repack` (git arguments).
    /// Gives every blob id in its history with its bytes, as `git cat-file` reads them.
    func withDeltifiedRepo(files: Int = 40, versions: Int = 12, large: Bool = false, repack: [String],
                           _ body: (GitRepository, String, [ObjectID], [[UInt8]]) throws -> Void) throws {
        try withScratchRepo { repo, dir in
            var parent: ObjectID?
            var commits: [ObjectID] = []
            for version in 0..<versions {
                var changes: [String: [UInt8]] = [:]
                for file in 0..<files {
                    // A long shared body (copies from the base, past 64 KiB when `large`), and lines that change.
                    let body = String(repeating: "line \(file) of a spec that stays the same across versions\n", count: large ? 1_500 : 30)
                    let text = "version: \(version)\n\(body)changed: \(version * 7 + file)\n\(version % 3 == 0 ? "extra: yes\n" : "")"
                    changes["dir\(file % 5)/file\(file).yaml"] = Array(text.utf8)
                }
                parent = try repo.commit(changes: changes, parent: parent, ref: "refs/heads/main", message: "v\(version)",
                                         author: signature(), committer: signature())
                commits.append(parent!)
            }
            #expect(try git(dir, arguments: repack).status == 0)
            #expect(try git(dir, "count-objects", "-v").lines.contains("count: 0"), "everything packed")
            var seen = Set<String>()
            let ids = try commits.flatMap { try repo.treeFiles(at: $0, under: []).map(\.blob) }.filter { seen.insert($0.hex).inserted }
            #expect(ids.count == files * versions)
            let pairs = try ids.map { ($0, try gitBlob(dir, $0)) }.shuffled()
            try body(repo, dir, pairs.map(\.0), pairs.map(\.1))
        }
    }

    /// How many entries of the repository's pack are deltas (`git verify-pack -v`).
    func deltaCount(_ dir: String) throws -> Int {
        let pack = try #require(try FileManager.default.contentsOfDirectory(atPath: "\(dir)/.git/objects/pack").first { $0.hasSuffix(".idx") })
        return try git(dir, "verify-pack", "-v", ".git/objects/pack/\(pack)").lines.filter {
            $0.split(separator: " ", omittingEmptySubsequences: true).count >= 7
        }.count
    }

    func gitBlob(_ dir: String, _ id: ObjectID) throws -> [UInt8] {
        let run = try git(dir, "cat-file", "blob", id.hex)
        #expect(run.status == 0)
        return [UInt8](run.stdout)
    }

    func check(_ repo: GitRepository, _ ids: [ObjectID], _ expected: [[UInt8]], dir: String) throws {
        let byID = Dictionary(zip(ids.map(\.hex), expected)) { first, _ in first }
        let wanted = ids.map { byID[$0.hex]! }
        for threads in [1, 2, 3] {
            let read = try repo.readBlobs(ids, threads: threads)
            #expect(read.direct == ids.count, "every blob straight from the pack (\(threads) threads)")
            let same = read.blobs == wanted
            #expect(same, "\(threads) threads")
        }
        let throughLibgit2 = try repo.readBlobs(ids, threads: 2, direct: false)
        #expect(throughLibgit2.direct == 0)
        let same = throughLibgit2.blobs == wanted
        #expect(same)
    }

    @Test func deltasAtAnOffsetReadAsGitReadsThem() throws {
        // What `git gc` writes: deltas name their base by its distance back (OFS_DELTA), chains up to 50.
        try withDeltifiedRepo(repack: ["repack", "-a", "-d", "-f", "-q", "--depth=50", "--window=50"]) { repo, dir, ids, expected in
            #expect(try deltaCount(dir) > ids.count / 2)
            try check(repo, ids.reversed() + ids.prefix(3), expected.reversed() + expected.prefix(3), dir: dir)
        }
    }

    @Test func deltasNamingTheirBaseByIdReadAsGitReadsThem() throws {
        // REF_DELTA: what a pack without `--delta-base-offset` holds.
        try withDeltifiedRepo(repack: ["-c", "repack.useDeltaBaseOffset=false", "repack", "-a", "-d", "-f", "-q"]) { repo, dir, ids, expected in
            #expect(try deltaCount(dir) > ids.count / 2)
            try check(repo, ids, expected, dir: dir)
        }
    }

    @Test func largeBlobsWithLongCopiesReadAsGitReadsThem() throws {
        // Over 64 KiB: copies with three-byte sizes and offsets, and the size 0 that means 64 KiB.
        try withDeltifiedRepo(files: 24, versions: 11, large: true, repack: ["repack", "-a", "-d", "-f", "-q"]) { repo, dir, ids, expected in
            #expect(expected.allSatisfy { $0.count > 65_536 })
            #expect(try deltaCount(dir) > 0)
            try check(repo, ids, expected, dir: dir)
        }
    }

    @Test func aBlobThatIsNotWhatItsIdNamesIsNotReturned() throws {
        try withDeltifiedRepo(repack: ["repack", "-a", "-d", "-f", "-q"]) { repo, dir, ids, expected in
            let located = PackOrder.locate(ids, objectsDirectory: "\(dir)/.git/objects")
            let pack = try #require(PackFile(path: located.packs[0].path, index: located.packs[0].index))
            let reader = PackObjectReader()
            let first = located.packed[0], second = located.packed[1]
            let read = reader.blob(ids[first.position], at: first.offset, in: pack)
            #expect(read != nil && read == expected[first.position])
            // Another blob's offset under this id: read, and refused by the hash.
            #expect(reader.blob(ids[first.position], at: second.offset, in: pack) == nil)
            // Offsets that are no entry's start, or past the end.
            #expect(reader.blob(ids[first.position], at: 0, in: pack) == nil)
            #expect(reader.blob(ids[first.position], at: UInt64(pack.bytes.count - 3), in: pack) == nil)
            #expect(reader.blob(ids[first.position], at: UInt64(pack.bytes.count + 100), in: pack) == nil)
        }
    }

    @Test func aDamagedPackIsReportedNotRead() throws {
        try withDeltifiedRepo(repack: ["repack", "-a", "-d", "-f", "-q"]) { _, dir, ids, expected in
            // Flip a byte in the middle of one blob's compressed data.
            let located = PackOrder.locate(ids, objectsDirectory: "\(dir)/.git/objects")
            let packPath = located.packs[0].path
            let target = located.packed[located.packed.count / 2]
            let packSize = try #require(try FileManager.default.attributesOfItem(atPath: packPath)[.size] as? Int)
            let next = located.packed.first { $0.offset > target.offset }?.offset ?? UInt64(packSize - 20)
            chmod(packPath, 0o644)
            let handle = try #require(FileHandle(forUpdatingAtPath: packPath))
            let spot = target.offset + (next - target.offset) * 3 / 4
            try handle.seek(toOffset: spot)
            let old = try #require(try handle.read(upToCount: 1)).first!
            try handle.seek(toOffset: spot)
            try handle.write(contentsOf: [old ^ 0x5a])
            try handle.close()
            let repo = try GitRepository.open(at: dir)
            let damaged = ids[target.position]
            // Alone, and among others: an error, never other bytes.
            #expect(throws: GitError.self) { _ = try repo.readBlobs(Array(repeating: damaged, count: 300), threads: 2) }
            #expect(throws: GitError.self) { _ = try repo.readBlobs(ids, threads: 2) }
            // The blobs that do not depend on it still read, and the same as before.
            let intact = ids.indices.filter { index in
                (try? repo.blob(ids[index])) != nil && ids[index] != damaged
            }
            if intact.count >= 256 {
                let read = try repo.readBlobs(intact.map { ids[$0] }, threads: 2)
                let same = read.blobs == intact.map { expected[$0] }
                #expect(same)
            }
        }
    }

    @Test func deltasThatDoNotFitTheirBaseAreRefused() {
        let base = Array("0123456789abcdef".utf8)
        func delta(_ bytes: [UInt8]) -> [UInt8]? { PackObjectReader.apply(bytes, to: base) }
        // base size 16, result 6: copy 4 bytes from offset 2, insert "xy".
        #expect(delta([16, 6, 0x91, 2, 4, 2, 0x78, 0x79]) == Array("2345xy".utf8))
        #expect(delta([15, 6, 0x91, 2, 4, 2, 0x78, 0x79]) == nil, "the base's size is not the one stated")
        #expect(delta([16, 7, 0x91, 2, 4, 2, 0x78, 0x79]) == nil, "the result is shorter than stated")
        #expect(delta([16, 5, 0x91, 2, 4, 2, 0x78, 0x79]) == nil, "the result is longer than stated")
        #expect(delta([16, 4, 0x91, 14, 4]) == nil, "a copy past the base's end")
        #expect(delta([16, 2, 0, 0x78, 0x79]) == nil, "the reserved op 0")
        #expect(delta([16, 2, 3, 0x78, 0x79]) == nil, "an insert past the delta's end")
        #expect(delta([16, 4, 0x91, 2]) == nil, "a copy cut short")
        #expect(delta([0x90]) == nil, "a size cut short")
        // A copy of size 0 means 0x10000 bytes.
        let large = [UInt8](repeating: 7, count: 0x10000)
        let copied = PackObjectReader.apply([0x80, 0x80, 4, 0x80, 0x80, 4, 0x80], to: large)
        #expect(copied?.count == large.count && copied == large)
    }
}
