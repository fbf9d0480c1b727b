import Foundation
import Testing
import RotorCore
@testable import RotorGit

/// The pack reader against libgit2 on random repositories: random blobs (binary, text, empty,
/// over 64 KiB), random edits that git packs as deltas, deep delta chains, both delta kinds.
/// Every blob in the history must read the same both ways (or, where the pack reader declines
/// one, through the libgit2 fallback it hands it to).
///
/// CI runs a few rounds; `ROTOR_PACK_ROUNDS=200 swift test --filter PackReaderDifferential`
/// runs a longer one by hand (`ROTOR_PACK_SEED` replays one).
@Suite struct PackReaderDifferentialTests {
    /// A random file body: text or binary, empty, small or over 64 KiB.
    static func randomBody(_ random: inout SplitMix64) -> [UInt8] {
        let size = [0, 1, 100, 4_000, 70_000, 200_000][Int.random(in: 0..<6, using: &random)]
        if Bool.random(using: &random) {
            return (0..<size).map { _ in UInt8.random(in: 0...255, using: &random) }
        }
        let words = ["rotor", "version", "secret", "grace", "\n", "value: ", "-----BEGIN PGP MESSAGE-----\n", "  "]
        var text: [UInt8] = []
        while text.count < size { text += Array(words[Int.random(in: 0..<words.count, using: &random)].utf8) }
        return Array(text.prefix(size))
    }

    /// `body` with a few random insertions, deletions and overwrites (what git deltifies).
    static func edited(_ body: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var out = body
        for _ in 0..<Int.random(in: 1...6, using: &random) {
            let at = out.isEmpty ? 0 : Int.random(in: 0...out.count, using: &random)
            switch Int.random(in: 0..<3, using: &random) {
            case 0: out.insert(contentsOf: (0..<Int.random(in: 1...300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }, at: at)
            case 1: out.removeSubrange(at..<min(out.count, at + Int.random(in: 1...500, using: &random)))
            default: if at < out.count { out[at] ^= 0x5A }
            }
        }
        return out
    }

    @Test func randomRepositoriesReadTheSameThroughThePackReaderAndLibgit2() throws {
        let environment = ProcessInfo.processInfo.environment
        let rounds = environment["ROTOR_PACK_ROUNDS"].flatMap(Int.init) ?? 3
        let seed = environment["ROTOR_PACK_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64(UInt32.max))
        var random = SplitMix64(seed: seed)
        var compared = 0, direct = 0
        for round in 0..<rounds {
            try withScratchRepo { repo, dir in
                var files: [String: [UInt8]] = [:]
                var parent: ObjectID?
                for commit in 0..<Int.random(in: 4...14, using: &random) {
                    var changes: [String: [UInt8]?] = [:]
                    for index in 0..<Int.random(in: 1...25, using: &random) {
                        let path = "d\(index % 4)/f\(Int.random(in: 0..<40, using: &random)).bin"
                        changes[path] = files[path].map { Self.edited($0, &random) } ?? Self.randomBody(&random)
                        if commit > 2, Int.random(in: 0..<10, using: &random) == 0 { changes[path] = .some(nil) }
                    }
                    for (path, body) in changes { files[path] = body ?? nil }
                    parent = try repo.commit(changes: changes, parent: parent, ref: "refs/heads/main", message: "c\(commit)",
                                             author: signature(), committer: signature())
                }
                // Deltas named by offset (git's default) or by id, chains up to 4,095 deep.
                let depth = ["10", "50", "250", "4095"][Int.random(in: 0..<4, using: &random)]
                let byID = Bool.random(using: &random)
                let repack = ["-c", "repack.useDeltaBaseOffset=\(!byID)", "repack", "-a", "-d", "-f", "-q", "--depth=\(depth)", "--window=250"]
                let packed = try git(dir, arguments: repack)
                #expect(packed.status == 0, "\(packed.stderr)")
                let types = try git(dir, "cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)").lines
                let ids = types.filter { $0.hasSuffix(" blob") }.compactMap { ObjectID(hex: String($0.prefix(40))) }
                // At least 256 ids take the bulk path: pad with repeats.
                let wanted = ids.isEmpty ? [] : (0..<max(256, ids.count)).map { ids[$0 % ids.count] }
                guard !wanted.isEmpty else { return }
                let read = try repo.readBlobs(wanted, threads: 2)
                let reference = try repo.readBlobs(wanted, threads: 2, direct: false)
                #expect(read.blobs == reference.blobs, "seed \(seed), round \(round): the pack reader and libgit2 disagree")
                for (index, id) in ids.enumerated() {
                    #expect(try GitRepository.blobID(of: read.blobs[index]) == id, "seed \(seed), round \(round): \(id.hex)")
                }
                compared += wanted.count
                direct += read.direct
            }
        }
        print("pack reader differential: seed \(seed), \(rounds) rounds, \(compared) blobs compared, \(direct) read straight from packs")
        #expect(direct > compared / 2, "seed \(seed): most blobs straight from the packs")
    }
}
