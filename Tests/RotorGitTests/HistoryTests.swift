import Foundation
import Testing
@testable import RotorGit

@Suite struct HistoryTests {
    @Test func lastCommitChangingFindsTheChangingCommit() throws {
        try withScratchRepo { repo, _ in
            // Given p.txt added in c1, changed in c2, untouched in c3
            let c1 = try commit(repo, ["p.txt": "1", "q.txt": "1"], parent: nil)
            let c2 = try commit(repo, ["p.txt": "2"], parent: c1)
            let c3 = try commit(repo, ["q.txt": "2"], parent: c2)
            // Then
            #expect(try repo.lastCommitChanging(path: "p.txt", from: c3) == c2)
            #expect(try repo.lastCommitChanging(path: "q.txt", from: c3) == c3)
            #expect(try repo.lastCommitChanging(path: "p.txt", from: c1) == c1)
            #expect(try repo.lastCommitChanging(path: "nope.txt", from: c3) == nil)
        }
    }

    @Test func lastCommitsChangingAnswersLikeOneLookupPerPath() throws {
        try withScratchRepo { repo, _ in
            let c1 = try commit(repo, ["d/p.txt": "1", "d/q.txt": "1", "r.txt": "1"], parent: nil)
            let c2 = try commit(repo, ["d/p.txt": "2"], parent: c1)
            let c3 = try commit(repo, ["d/q.txt": nil, "r.txt": "2"], parent: c2)
            let c4 = try commit(repo, ["d/q.txt": "1"], parent: c3)
            let paths = ["d/p.txt", "d/q.txt", "r.txt", "nope.txt", "d/nope.txt", "d"]
            let found = try repo.lastCommitsChanging(paths: paths, from: c4)
            for path in paths {
                #expect(try found[path] == repo.lastCommitChanging(path: path, from: c4), "\(path)")
            }
            #expect(found == ["d/p.txt": c2, "d/q.txt": c4, "r.txt": c3, "d": c4])
        }
    }

    @Test func deletedAndReAddedCountsAsAdded() throws {
        try withScratchRepo { repo, _ in
            let c1 = try commit(repo, ["p.txt": "1", "keep": "k"], parent: nil)
            let c2 = try commit(repo, ["p.txt": nil], parent: c1)
            let c3 = try commit(repo, ["p.txt": "1"], parent: c2)
            let c4 = try commit(repo, ["keep": "k2"], parent: c3)
            #expect(try repo.lastCommitChanging(path: "p.txt", from: c4) == c3)
            #expect(try repo.lastCommitChanging(path: "p.txt", from: c2) == nil)
        }
    }

    @Test func resolveRevisions() throws {
        try withScratchRepo { repo, dir in
            let c1 = try commit(repo, ["f": "1"], parent: nil)
            let c2 = try commit(repo, ["f": "2"], parent: c1)
            try git(dir, "tag", "-a", "-m", "tag", "v1", c1.hex)
            #expect(try repo.resolve("HEAD") == c2)
            #expect(try repo.resolve("HEAD~1") == c1)
            #expect(try repo.resolve("main") == c2)
            #expect(try repo.resolve(c1.hex) == c1)
            #expect(try repo.resolve(c1.short) == c1)
            #expect(try repo.resolve("v1") == c1)
        }
    }

    @Test func resolveUnknownNamesTheRevspec() throws {
        try withScratchRepo { repo, _ in
            _ = try commit(repo, ["f": "1"], parent: nil)
            let error = #expect(throws: GitError.self) { try repo.resolve("nope") }
            #expect(error?.isNotFound == true)
            #expect(error?.message.contains("'nope'") == true)
            #expect(error?.function == "git_revparse_single")
            let tree = #expect(throws: GitError.self) { try repo.resolve("HEAD^{tree}") }
            #expect(tree?.message.contains("does not name a commit") == true)
        }
    }

    @Test func resolveOnUnbornHeadFails() throws {
        try withScratchRepo { repo, _ in
            #expect(throws: GitError.self) { try repo.resolve("HEAD") }
        }
    }
}
