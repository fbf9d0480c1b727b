import Foundation
import Testing
@testable import RotorGit

@Suite struct CommitTests {
    @Test func nestedFilesCommitIsValidAndReadableByGit() throws {
        try withScratchRepo { repo, dir in
            // Given an empty repository
            // When committing nested new files
            let first = try repo.commit(
                changes: ["a/b/c.txt": Array("c\n".utf8), "versions/p/x.yaml": Array("x: 1\n".utf8), "top.txt": Array("t".utf8)],
                parent: nil, ref: "refs/heads/main", message: "add files",
                author: signature("Alice Author"), committer: signature("Carl Committer", at: 1_700_000_100))
            // Then git accepts the objects and sees the commit
            #expect(try git(dir, "fsck", "--strict").status == 0)
            #expect(try git(dir, "log", "--format=%an%n%s").out == "Alice Author\nadd files\n")
            #expect(try git(dir, "log", "--format=%cn <%ce> %ci").out == "Carl Committer <bot@rotor.test> 2023-11-14 22:15:00 +0000\n")
            #expect(try git(dir, "rev-parse", "HEAD").out == first.hex + "\n")
            #expect(try git(dir, "ls-tree", "-r", "--name-only", "HEAD").lines == ["a/b/c.txt", "top.txt", "versions/p/x.yaml"])
            #expect(try git(dir, "symbolic-ref", "HEAD").out == "refs/heads/main\n")

            // When committing a change and an addition on top
            let second = try commit(repo, ["versions/p/x.yaml": "x: 2\n", "versions/q/y.yaml": "y\n"], parent: first, message: "rotate\n\nbody")
            // Then `git show --stat` names exactly the changed paths
            let stat = try git(dir, "show", "--stat=200", "--format=", "HEAD").lines
                .filter { $0.contains("|") }
                .map { $0.split(separator: "|")[0].trimmingCharacters(in: .whitespaces) }
            #expect(stat == ["versions/p/x.yaml", "versions/q/y.yaml"])
            #expect(try git(dir, "fsck", "--strict").status == 0)
            #expect(try git(dir, "log", "-1", "--format=%B", "HEAD").out == "rotate\n\nbody\n\n")

            let info = try repo.commitInfo(second)
            #expect(info.id == second)
            #expect(info.parents == [first])
            #expect(info.message == "rotate\n\nbody\n")
            #expect(info.author == signature())
            #expect(info.committer == signature("Rotor Committer"))
            #expect(try repo.commitInfo(first).parents.isEmpty)
        }
    }

    @Test func deletingOnlyFileRemovesItsDirectories() throws {
        try withScratchRepo { repo, dir in
            let first = try commit(repo, ["a/b/c.txt": "c", "a/keep.txt": "k", "x/only.txt": "o"], parent: nil)
            _ = try commit(repo, ["a/b/c.txt": nil, "x/only.txt": nil], parent: first)
            #expect(try git(dir, "ls-tree", "-r", "-t", "--name-only", "HEAD").lines == ["a", "a/keep.txt"])
            #expect(try git(dir, "fsck", "--strict").status == 0)
        }
    }

    @Test func deletingMissingPathIsNoOp() throws {
        try withScratchRepo { repo, dir in
            let first = try commit(repo, ["a.txt": "a"], parent: nil)
            let second = try commit(repo, ["nope.txt": nil, "a.txt/deeper": nil, "z/y": nil], parent: first)
            #expect(try git(dir, "rev-parse", "\(first.hex)^{tree}").out == (try git(dir, "rev-parse", "\(second.hex)^{tree}").out))
            #expect(try repo.commitInfo(second).parents == [first])
        }
    }

    @Test func deletingLastFileLeavesEmptyRootTree() throws {
        try withScratchRepo { repo, dir in
            let first = try commit(repo, ["d/a.txt": "a"], parent: nil)
            _ = try commit(repo, ["d/a.txt": nil], parent: first)
            #expect(try git(dir, "ls-tree", "HEAD").out == "")
            #expect(try git(dir, "fsck", "--strict").status == 0)
        }
    }

    @Test func staleParentFailsAndLeavesRefAlone() throws {
        try withScratchRepo { repo, dir in
            // Given main moved from first to second
            let first = try commit(repo, ["f.txt": "1"], parent: nil)
            let second = try commit(repo, ["f.txt": "2"], parent: first)
            // When committing on top of the stale first
            let error = #expect(throws: GitError.self) { try commit(repo, ["f.txt": "3"], parent: first) }
            // Then it fails and main still points at second
            #expect(error?.isConcurrentUpdate == true)
            #expect(error?.function == "git_reference_create_matching")
            #expect(try git(dir, "rev-parse", "refs/heads/main").out == second.hex + "\n")
            #expect(try repo.headCommit() == second)

            // And a "first commit" onto an existing branch fails too
            let again = #expect(throws: GitError.self) { try commit(repo, ["f.txt": "4"], parent: nil) }
            #expect(again?.isConcurrentUpdate == true)
            #expect(try git(dir, "rev-parse", "refs/heads/main").out == second.hex + "\n")
        }
    }

    @Test func committingThroughHeadFollowsSymbolicRef() throws {
        try withScratchRepo { repo, dir in
            let first = try repo.commit(changes: ["f.txt": Array("1".utf8)], parent: nil, ref: "HEAD", message: "one",
                                        author: signature(), committer: signature())
            let second = try repo.commit(changes: ["f.txt": Array("2".utf8)], parent: first, ref: "HEAD", message: "two",
                                         author: signature(), committer: signature())
            #expect(try git(dir, "symbolic-ref", "HEAD").out == "refs/heads/main\n")
            #expect(try git(dir, "rev-parse", "main").out == second.hex + "\n")
        }
    }

    @Test func newBranchCanStartFromAnExistingCommit() throws {
        try withScratchRepo { repo, dir in
            // Given main at base and no branch "side"
            let base = try commit(repo, ["f.txt": "1"], parent: nil)
            // When committing onto "side" with parent base
            let side = try repo.commit(changes: ["g.txt": Array("g".utf8)], parent: base, ref: "refs/heads/side",
                                       message: "side", author: signature(), committer: signature())
            // Then side is created, main is untouched, and side can advance normally
            #expect(try git(dir, "rev-parse", "side").out == side.hex + "\n")
            #expect(try git(dir, "rev-parse", "main").out == base.hex + "\n")
            #expect(try repo.commitInfo(side).parents == [base])
            let next = try repo.commit(changes: ["g.txt": nil], parent: side, ref: "refs/heads/side",
                                       message: "next", author: signature(), committer: signature())
            #expect(try repo.resolve("side") == next)
        }
    }

    @Test func subSecondTimesAreTruncatedAndUTC() throws {
        try withScratchRepo { repo, dir in
            let when = Date(timeIntervalSince1970: 1_700_000_000.75)
            let sig = GitSignature(name: "T", email: "t@rotor.test", time: when)
            let id = try repo.commit(changes: ["f": [1]], parent: nil, ref: "refs/heads/main", message: "m",
                                     author: sig, committer: sig)
            #expect(try repo.commitInfo(id).author.time == Date(timeIntervalSince1970: 1_700_000_000))
            #expect(try git(dir, "log", "--format=%ad", "--date=raw").out == "1700000000 +0000\n")
        }
    }

    @Test func executableBitIsKeptWhenContentChanges() throws {
        try withScratchRepo { repo, dir in
            try write(dir, "run.sh", "echo 1\n")
            chmod(dir + "/run.sh", 0o755)
            try git(dir, "add", "run.sh")
            try git(dir, "-c", "user.name=T", "-c", "user.email=t@rotor.test", "commit", "-q", "-m", "cli")
            let parent = try #require(try repo.headCommit())
            _ = try commit(repo, ["run.sh": "echo 2\n"], parent: parent)
            #expect(try git(dir, "ls-tree", "HEAD", "run.sh").out.hasPrefix("100755 blob "))
        }
    }

    @Test(arguments: ["", "a//b", "../x", "a/./b", ".git/config"])
    func invalidPathsAreRejected(_ path: String) throws {
        try withScratchRepo { repo, dir in
            #expect(throws: GitError.self) { try commit(repo, [path: "x"], parent: nil) }
            let head = try git(dir, "rev-parse", "--verify", "-q", "HEAD")
            #expect(head.status != 0)
        }
    }

    @Test func fileAndDirectoryAtSamePathIsRejected() throws {
        try withScratchRepo { repo, _ in
            #expect(throws: GitError.self) { try commit(repo, ["a": "x", "a/b": "y"], parent: nil) }
        }
    }
}
