import Foundation
import Testing
@testable import RotorGit

/// Commits that no reference points at yet, and the references made for them afterwards.
@Suite struct ReferenceTests {
    @Test func aCommitWrittenWithoutARefMovesNothingUntilItsBranchIsCreated() throws {
        try withScratchRepo { repo, dir in
            // Given main with one commit
            let main = try commit(repo, ["a.txt": "a\n"], parent: nil)
            // When a commit is written on top of it without a reference
            let loose = try repo.createCommit(changes: ["b/c.txt": Array("c\n".utf8)], parent: main, message: "proposal",
                                              author: signature("Ada"), committer: signature())
            // Then no reference moved and the index and working tree are as they were
            #expect(try git(dir, "rev-parse", "HEAD").out == main.hex + "\n")
            #expect(try git(dir, "for-each-ref", "--format=%(refname)").lines == ["refs/heads/main"])
            #expect(try repo.commitInfo(loose).parents == [main])
            // When a branch is created for it
            try repo.createReference("refs/heads/rotor/proposals/1", at: loose, reflog: "proposal")
            // Then git sees it there, and HEAD's branch still points at main's commit
            #expect(try git(dir, "rev-parse", "rotor/proposals/1").out == loose.hex + "\n")
            #expect(try git(dir, "rev-parse", "main").out == main.hex + "\n")
            #expect(try git(dir, "fsck", "--strict").status == 0)
        }
    }

    @Test func anExistingReferenceIsNeverOverwritten() throws {
        try withScratchRepo { repo, _ in
            let first = try commit(repo, ["a.txt": "a\n"], parent: nil)
            let second = try commit(repo, ["a.txt": "b\n"], parent: first)
            try repo.createReference("refs/heads/taken", at: first, reflog: "first")
            #expect {
                try repo.createReference("refs/heads/taken", at: second, reflog: "second")
            } throws: { error in
                (error as? GitError)?.alreadyExists == true
            }
            #expect(try repo.references(under: "refs/heads/taken").map(\.target) == [first])
        }
    }

    @Test func referencesAreListedByPrefixInNameOrder() throws {
        try withScratchRepo { repo, _ in
            let first = try commit(repo, ["a.txt": "a\n"], parent: nil)
            for name in ["rotor/proposals/2", "rotor/proposals/1", "rotor/other", "feature"] {
                try repo.createReference("refs/heads/\(name)", at: first, reflog: "test")
            }
            #expect(try repo.references(under: "refs/heads/rotor/proposals/").map(\.name)
                == ["refs/heads/rotor/proposals/1", "refs/heads/rotor/proposals/2"])
            #expect(try repo.references(under: "refs/heads/nothing/").isEmpty)
        }
    }
}
