import Foundation
import Testing
@testable import RotorGit

@Suite struct RepositoryTests {
    @Test func initializeCreatesMainBranchWithUnbornHead() throws {
        try withScratchDir { dir in
            // Given a path that does not exist yet
            let path = dir + "/nested/repo"
            // When
            let repo = try GitRepository.initialize(at: path)
            // Then
            #expect(try git(path, "symbolic-ref", "HEAD").out == "refs/heads/main\n")
            #expect(try repo.headBranch() == "refs/heads/main")
            #expect(try repo.headCommit() == nil)
            #expect(repo.workdir == path)
            #expect(repo.gitDirectory == path + "/.git")
            #expect(!repo.isBare)
        }
    }

    @Test func initializeHonoursInitialBranch() throws {
        try withScratchDir { dir in
            let repo = try GitRepository.initialize(at: dir, initialBranch: "trunk")
            #expect(try repo.headBranch() == "refs/heads/trunk")
            #expect(try git(dir, "symbolic-ref", "HEAD").out == "refs/heads/trunk\n")
        }
    }

    @Test func openFromSubdirectoryDiscoversRepository() throws {
        try withScratchRepo { _, dir in
            try write(dir, "a/b/file.txt", "x")
            let opened = try GitRepository.open(at: dir + "/a/b")
            #expect(opened.workdir == dir)
            #expect(opened.gitDirectory == dir + "/.git")
        }
    }

    @Test func openOutsideAnyRepositoryFails() throws {
        try withScratchDir { dir in
            let error = #expect(throws: GitError.self) { try GitRepository.open(at: dir) }
            #expect(error?.isNotFound == true)
            #expect(error?.message.contains(dir) == true)
            #expect(error?.function == "git_repository_open_ext")
        }
    }

    @Test func bareRepositoryHasNoWorkdirAndAcceptsCommits() throws {
        try withScratchDir { dir in
            try git(dir, "init", "--bare", "-q", "-b", "main", "b.git")
            let repo = try GitRepository.open(at: dir + "/b.git")
            #expect(repo.isBare)
            #expect(repo.workdir == nil)
            #expect(repo.gitDirectory == dir + "/b.git")
            let id = try commit(repo, ["f.txt": "x"], parent: nil)
            #expect(try repo.headCommit() == id)
            #expect(try git(dir + "/b.git", "fsck", "--strict").status == 0)
        }
    }

    @Test func headBranchIsNilWhenDetached() throws {
        try withScratchRepo { repo, dir in
            let first = try commit(repo, ["f.txt": "1"], parent: nil)
            try git(dir, "checkout", "-q", "--detach", first.hex)
            #expect(try repo.headBranch() == nil)
            #expect(try repo.headCommit() == first)
        }
    }

    @Test func configuredIdentityReadsRepositoryConfig() throws {
        try withScratchRepo { repo, dir in
            try git(dir, "config", "user.name", "Config Person")
            try git(dir, "config", "user.email", "config@rotor.test")
            let identity = try #require(repo.configuredIdentity())
            #expect(identity.name == "Config Person")
            #expect(identity.email == "config@rotor.test")
        }
    }

    @Test func gitErrorDescriptionFormat() {
        let error = GitError(code: -3, function: "git_x", message: "nothing here")
        #expect(error.description == "git: nothing here (git_x, code -3)")
    }
}
