import Foundation
import Testing
@testable import RotorGit

/// Large commits are written as one pack file; the result is the same commit git accepts.
@Suite("Commits written as one pack")
struct PackTests {
    @Test func aLargeCommitIsOnePackThatGitAcceptsAndThisHandleReads() throws {
        try withScratchRepo { repo, dir in
            let first = try commit(repo, ["README": "x\n"], parent: nil)
            var changes: [String: String?] = [:]
            for index in 0..<(GitRepository.packThreshold * 2) { changes["versions/p\(index % 7)/s\(index).yaml"] = "value \(index)\n" }
            let second = try commit(repo, changes, parent: first, message: "many files")
            #expect(try git(dir, "fsck", "--strict").status == 0)
            #expect(try git(dir, "rev-parse", "HEAD").out.trimmingCharacters(in: .whitespacesAndNewlines) == second.hex)
            // No loose objects for the big commit: one pack holds them.
            let counts = try git(dir, "count-objects", "-v").out
            #expect(counts.contains("packs: 1"))
            #expect(counts.contains("count: 3") || counts.contains("count: 4"))  // the first, small commit's loose objects only
            // Only what the commit wrote: 128 blobs, 9 trees (p0-p6, versions, root) and the commit, not README's blob again.
            #expect(counts.contains("in-pack: 138"))
            // The same handle (and git) read every file back.
            let files = try repo.treeFiles(at: second, under: ["versions"])
            #expect(files.count == GitRepository.packThreshold * 2)
            #expect(String(decoding: try repo.blob(files[0].blob), as: UTF8.self).hasPrefix("value "))
            #expect(try git(dir, "show", "HEAD:versions/p0/s0.yaml").out == "value 0\n")
            // A small commit on top still works and git agrees.
            let third = try commit(repo, ["README": "y\n"], parent: second)
            #expect(try git(dir, "log", "--format=%H", "-1").out.trimmingCharacters(in: .whitespacesAndNewlines) == third.hex)
        }
    }
}
