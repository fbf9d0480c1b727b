import Foundation
import Testing
@testable import RotorGit

@Suite struct WorkTreeTests {
    /// A repository with versions/ and config/ committed and checked out.
    private func seeded(_ body: (GitRepository, String, ObjectID) throws -> Void) throws {
        try withScratchRepo { repo, dir in
            let first = try commit(repo, [
                "versions/p/a.yaml": "a1\n", "versions/p/old.yaml": "old\n", "versions/r/gone.yaml": "g\n",
                "config/app.txt": "app\n", "versions-old/z.yaml": "z\n",
            ], parent: nil)
            try repo.checkoutHead(paths: [], force: false)
            #expect(try git(dir, "status", "--porcelain").out == "")
            try body(repo, dir, first)
        }
    }

    @Test func checkoutPathsAfterCommitLeavesOtherEditsAlone() throws {
        try seeded { repo, dir, first in
            // Given an unrelated local edit and a commit that changes versions/
            try write(dir, "config/app.txt", "edited\n")
            try write(dir, "versions/p/stray.tmp", "untracked\n")
            try write(dir, "versions-old/z.yaml", "edited too\n")
            _ = try commit(repo, [
                "versions/p/a.yaml": "a2\n", "versions/p/old.yaml": nil, "versions/r/gone.yaml": nil,
                "versions/q/new.yaml": "new\n",
            ], parent: first)
            // When
            try repo.checkoutHead(paths: ["versions"], force: true)
            // Then versions/ mirrors HEAD and the unrelated edit survives
            #expect(try git(dir, "status", "--porcelain").out == " M config/app.txt\n M versions-old/z.yaml\n")
            #expect(read(dir, "versions/p/a.yaml") == "a2\n")
            #expect(read(dir, "versions/q/new.yaml") == "new\n")
            #expect(!exists(dir, "versions/p/old.yaml"))
            #expect(!exists(dir, "versions/p/stray.tmp"))
            #expect(!exists(dir, "versions/r"))
            #expect(read(dir, "config/app.txt") == "edited\n")
            #expect(read(dir, "versions-old/z.yaml") == "edited too\n")
        }
    }

    @Test func safeCheckoutUpdatesCleanFilesAndKeepsEdits() throws {
        try seeded { repo, dir, first in
            try write(dir, "config/app.txt", "edited\n")
            _ = try commit(repo, ["versions/p/a.yaml": "a2\n", "versions/p/old.yaml": nil], parent: first)
            try repo.checkoutHead(paths: [], force: false)
            #expect(try git(dir, "status", "--porcelain").out == " M config/app.txt\n")
            #expect(read(dir, "versions/p/a.yaml") == "a2\n")
            #expect(!exists(dir, "versions/p/old.yaml"))
        }
    }

    @Test func safeCheckoutRefusesToOverwriteAnEdit() throws {
        try seeded { repo, dir, first in
            try write(dir, "config/app.txt", "edited\n")
            _ = try commit(repo, ["config/app.txt": "upstream\n"], parent: first)
            #expect(throws: GitError.self) { try repo.checkoutHead(paths: [], force: false) }
            #expect(read(dir, "config/app.txt") == "edited\n")
        }
    }

    @Test func safeCheckoutRecreatesMissingFiles() throws {
        try seeded { repo, dir, _ in
            try FileManager.default.removeItem(atPath: dir + "/versions/p/a.yaml")
            try repo.checkoutHead(paths: [], force: false)
            #expect(read(dir, "versions/p/a.yaml") == "a1\n")
            #expect(try git(dir, "status", "--porcelain").out == "")
        }
    }

    @Test func dirtyPathsSeesOnlyRequestedPrefixes() throws {
        try seeded { repo, dir, _ in
            // Given edits and untracked files inside and outside versions/
            try write(dir, "versions/p/a.yaml", "changed\n")
            try write(dir, "versions/p/new.yaml", "untracked\n")
            try write(dir, "config/app.txt", "changed\n")
            try write(dir, "other.txt", "untracked\n")
            try write(dir, "versions-old/z.yaml", "changed\n")
            // Then
            #expect(try repo.dirtyPaths(under: ["versions"]) == ["versions/p/a.yaml", "versions/p/new.yaml"])
            #expect(try repo.dirtyPaths(under: ["versions/p/a.yaml"]) == ["versions/p/a.yaml"])
            #expect(try repo.dirtyPaths(under: ["secrets"]) == [])
            #expect(try repo.dirtyPaths(under: []) == [
                "config/app.txt", "other.txt", "versions-old/z.yaml", "versions/p/a.yaml", "versions/p/new.yaml",
            ])
        }
    }

    @Test func dirtyPathsSeesStagedAndDeleted() throws {
        try seeded { repo, dir, _ in
            try FileManager.default.removeItem(atPath: dir + "/versions/p/old.yaml")
            try write(dir, "versions/p/staged.yaml", "s\n")
            try git(dir, "add", "versions/p/staged.yaml")
            #expect(try repo.dirtyPaths(under: ["versions"]) == ["versions/p/old.yaml", "versions/p/staged.yaml"])
        }
    }

    @Test func dirtyPathsIsEmptyAfterCommitAndCheckout() throws {
        try seeded { repo, _, first in
            _ = try commit(repo, ["versions/p/a.yaml": "a2\n"], parent: first)
            #expect(try repo.dirtyPaths(under: ["versions"]) == ["versions/p/a.yaml"])
            try repo.checkoutHead(paths: ["versions"], force: true)
            #expect(try repo.dirtyPaths(under: ["versions"]) == [])
        }
    }

    @Test func firstCommitThenForcedFullCheckoutPopulatesWorkTree() throws {
        try withScratchDir { dir in
            // Given a new repository (as `rotor init` scaffolds it)
            let repo = try GitRepository.initialize(at: dir + "/r")
            _ = try commit(repo, ["rotor.yaml": "r\n", "policies/p.yaml": "p\n"], parent: nil)
            // When
            try repo.checkoutHead(paths: [], force: true)
            // Then
            #expect(read(dir + "/r", "policies/p.yaml") == "p\n")
            #expect(try git(dir + "/r", "status", "--porcelain").out == "")
        }
    }

    @Test func interoperatesWithCommitsAndIndexWrittenByGitCLI() throws {
        try withScratchRepo { repo, dir in
            // Given history and index made by the git CLI
            try write(dir, "versions/a.yaml", "a1\n")
            try write(dir, "notes.txt", "n\n")
            try git(dir, "add", ".")
            try git(dir, "-c", "user.name=T", "-c", "user.email=t@rotor.test", "commit", "-q", "-m", "cli")
            let head = try #require(try repo.headCommit())
            // When rotor commits and checks out its paths
            _ = try commit(repo, ["versions/a.yaml": "a2\n", "versions/b.yaml": "b\n"], parent: head)
            try repo.checkoutHead(paths: ["versions"], force: true)
            // Then git sees a clean tree and can keep committing on top
            #expect(try git(dir, "status", "--porcelain").out == "")
            try write(dir, "notes.txt", "n2\n")
            let cli = try git(dir, "-c", "user.name=T", "-c", "user.email=t@rotor.test", "commit", "-q", "-am", "cli 2")
            #expect(cli.status == 0)
            #expect(try git(dir, "log", "--format=%s").lines == ["cli 2", "change", "cli"])
            #expect(try git(dir, "fsck", "--strict").status == 0)
            #expect(try repo.headCommit() == (try repo.resolve("HEAD")))
        }
    }
}
