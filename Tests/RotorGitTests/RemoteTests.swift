import Foundation
import Testing
@testable import RotorGit

/// Clone, fetch, fast-forward and push against a bare repository standing in for the remote.
@Suite("Remotes")
struct RemoteTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func signature() -> GitSignature { GitSignature(name: "t", email: "t@x", time: now) }

    /// `git args…` (no -C), for the bare remote.
    func gitCLI(_ args: [String]) throws -> (status: Int32, stdout: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = args
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A bare remote (`remote.git` in `dir`) with one commit, made through a seed repository.
    func seededRemote(in dir: String) throws -> (bare: String, seed: GitRepository, first: ObjectID) {
        let bare = dir + "/remote.git"
        #expect(try gitCLI(["init", "-q", "--bare", "-b", "main", bare]).status == 0)
        let seed = try GitRepository.initialize(at: dir + "/seed")
        let first = try seed.commit(changes: ["a.txt": Array("1\n".utf8)], parent: nil, ref: "HEAD", message: "one",
                                    author: signature(), committer: signature())
        #expect(try gitCLI(["-C", dir + "/seed", "push", "-q", bare, "main"]).status == 0)
        return (bare, seed, first)
    }

    /// libgit2 1.5 leaks on every remote lookup, so a long-lived handle looks its remote up once.
    @Test func repeatedFetchesReuseOneRemoteHandle() throws {
        try withScratchDir { dir in
            let (bare, seed, first) = try seededRemote(in: dir)
            let mine = try GitRepository.clone(from: bare, to: dir + "/mine", branch: "main")
            // When it fetches many times, a new commit in between
            try mine.fetch()
            let handle = try #require(mine.remoteHandles["origin"])
            let second = try seed.commit(changes: ["b.txt": Array("2\n".utf8)], parent: first, ref: "refs/heads/main", message: "two",
                                         author: signature(), committer: signature())
            #expect(try gitCLI(["-C", dir + "/seed", "push", "-q", bare, "main"]).status == 0)
            for _ in 0..<10 { try mine.fetch() }
            // Then one handle served them all, and the new commit was seen
            #expect(mine.remoteHandles["origin"] == handle)
            #expect(try mine.remoteBranchTip(branch: "main") == second)
            #expect(try mine.remoteURL() == bare)
            // And a new URL drops the handle that held the old one
            try mine.setRemoteURL(to: "file://" + bare)
            #expect(mine.remoteHandles["origin"] == nil)
            #expect(try mine.remoteURL() == "file://" + bare)
            #expect(try mine.remoteURL("nope") == nil)
        }
    }

    @Test func cloneCommitPushAndDetectARaceThenFastForward() throws {
        try withScratchDir { dir in
            let (bare, _, first) = try seededRemote(in: dir)

            // rotor's clone, and a second clone standing in for a merged pull request.
            let mine = try GitRepository.clone(from: bare, to: dir + "/mine", branch: "main")
            #expect(try mine.headCommit() == first)
            let other = try GitRepository.clone(from: "file://" + bare, to: dir + "/other", branch: "main")
            let theirs = try other.commit(changes: ["b.txt": Array("2\n".utf8)], parent: first, ref: "refs/heads/main", message: "merged PR",
                                          author: signature(), committer: signature())
            try other.push(branch: "main")

            // My commit on the old head is refused as a non-fast-forward, and the remote keeps theirs.
            let rejected = try mine.commit(changes: ["c.txt": Array("3\n".utf8)], parent: first, ref: "refs/heads/main", message: "mine",
                                           author: signature(), committer: signature())
            #expect {
                try mine.push(branch: "main")
            } throws: { error in
                (error as? GitError)?.isNonFastForward == true || "\(error)".contains("cannot push main to origin")
            }
            #expect(try gitCLI(["-C", bare, "rev-parse", "main"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == theirs.hex)

            // Fetch shows their commit; my branch cannot fast-forward onto it (we diverged)...
            try mine.fetch()
            #expect(try mine.remoteBranchTip(branch: "main") == theirs)
            #expect(try mine.fastForward(branch: "main", to: theirs) == false)
            #expect(try mine.headCommit() == rejected)
            // ...so rotor resets to theirs by re-planning from the remote tip (simulated: a fresh commit on top), then pushes.
            _ = try gitCLI(["-C", dir + "/mine", "reset", "-q", "--hard", theirs.hex])
            let replanned = try mine.commit(changes: ["c.txt": Array("3\n".utf8)], parent: theirs, ref: "refs/heads/main", message: "mine again",
                                            author: signature(), committer: signature())
            try mine.push(branch: "main")
            #expect(try gitCLI(["-C", bare, "rev-parse", "main"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == replanned.hex)
            #expect(try gitCLI(["-C", bare, "fsck", "--strict"]).status == 0)

            // The other clone fast-forwards to it and its working tree follows.
            try other.fetch()
            let tip = try #require(try other.remoteBranchTip(branch: "main"))
            #expect(try other.fastForward(branch: "main", to: tip))
            #expect(FileManager.default.fileExists(atPath: dir + "/other/c.txt"))
        }
    }

    @Test func cloningAMissingRemoteSaysWhich() throws {
        try withScratchDir { dir in
            #expect {
                _ = try GitRepository.clone(from: dir + "/nope.git", to: dir + "/x", branch: "main")
            } throws: { error in
                "\(error)".contains("cannot clone \(dir)/nope.git")
            }
        }
    }

    @Test func aRemoteURLsCredentialsAreNotInTheError() throws {
        try withScratchDir { dir in
            // Nothing listens on port 1: the clone fails, and the error names the remote without its token.
            #expect {
                _ = try GitRepository.clone(from: "http://x-access-token:canary-token-5521@127.0.0.1:1/secrets.git", to: dir + "/x", branch: "main")
            } throws: { error in
                "\(error)".contains("cannot clone http://***@127.0.0.1:1/secrets.git") && !"\(error)".contains("canary-token-5521")
            }
        }
    }
}
