import Foundation
import Testing
@testable import RotorCore
@testable import RotorEngine
import RotorTesting

/// What a killed pass or a killed git command leaves behind, and how the next pass treats it.
@Suite("Engine: repairs after an interrupted pass")
struct RepairTests {
    let t0 = RFC3339.parse("2026-12-01T00:00:00Z")!
    let versionFile = "versions/payments/db-password.yaml"

    /// A repository with v1 created and then rotated to v2 (two rotor commits).
    func rotatedRepository() throws -> (SecretsRepoFixture, Engine) {
        let repo = try SecretsRepoFixture()
        let engine = try repo.engine()
        _ = try engine.apply(now: t0)
        _ = try engine.apply(now: t0.addingTimeInterval(40 * 86_400))
        return (repo, engine)
    }

    func head(_ repo: SecretsRepoFixture) throws -> String {
        try repo.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func aHalfFinishedCheckoutIsHealedToHeadAndTheApplyGoesOn() throws {
        // Given versions/ half at HEAD and half at its parent, staged and on disk differently
        // (what a kill during the checkout leaves behind)
        let (repo, engine) = try rotatedRepository()
        try repo.git(["checkout", "HEAD~1", "--", "versions/"])
        try repo.git(["show", "HEAD:\(versionFile)"]).write(toFile: repo.root + "/" + versionFile, atomically: true, encoding: .utf8)
        #expect(try repo.git(["status", "--porcelain"]) != "")
        // When the next pass runs
        let result = try engine.apply(now: t0.addingTimeInterval(41 * 86_400))
        // Then versions/ is back at HEAD, the repair is said, and the pass went on (v1's grace ended)
        #expect(result.repairs.contains { $0.contains("versions/ back to HEAD") && $0.contains(versionFile) })
        #expect(result.plan.actions.map(\.kind) == [.expire])
        #expect(result.commit != nil)
        #expect(try repo.git(["status", "--porcelain"]) == "")
        _ = try repo.git(["fsck", "--strict"])  // throws when git fsck finds a problem
    }

    @Test func aFileTheCheckoutWasWritingWhenKilledIsHealed() throws {
        // Given the index at HEAD's parent and one file truncated (libgit2 writes files in place)
        let (repo, engine) = try rotatedRepository()
        try repo.git(["checkout", "HEAD~1", "--", "versions/"])
        let full = try repo.git(["show", "HEAD:\(versionFile)"])
        try String(full.prefix(full.count / 3)).write(toFile: repo.root + "/" + versionFile, atomically: true, encoding: .utf8)
        // When the next pass runs, Then it heals and goes on
        let result = try engine.apply(now: t0.addingTimeInterval(41 * 86_400))
        #expect(result.repairs.contains { $0.contains(versionFile) })
        #expect(try repo.git(["status", "--porcelain"]) == "")
        // An empty file (truncated before anything was written) is a prefix too: healed
        try "".write(toFile: repo.root + "/" + versionFile, atomically: true, encoding: .utf8)
        #expect(try engine.apply(now: t0.addingTimeInterval(41 * 86_400 + 60)).repairs.count == 1)
        // But a file that starts like HEAD's and goes on differently is refused
        try (String(full.prefix(50)) + "edited\n").write(toFile: repo.root + "/" + versionFile, atomically: true, encoding: .utf8)
        #expect(throws: ForeignVersionsChange.self) { try engine.apply(now: t0.addingTimeInterval(41 * 86_400 + 120)) }
    }

    @Test func contentFromAnyEarlierRotorCommitIsHealed() throws {
        // Given a version file as the first rotor commit wrote it, two commits back, and a human spec commit on top
        let (repo, engine) = try rotatedRepository()
        try repo.commit(["secrets/payments/extra.yaml": SecretsRepoFixture.secretSpec(project: "payments", name: "extra")], message: "add a secret")
        try repo.git(["show", "HEAD~2:\(versionFile)"]).write(toFile: repo.root + "/" + versionFile, atomically: true, encoding: .utf8)
        // When the next pass runs, Then it heals and creates the new secret
        let result = try engine.apply(now: t0.addingTimeInterval(40 * 86_400 + 60))
        #expect(result.repairs.count == 1)
        #expect(result.plan.actions.map(\.kind) == [.create])
        #expect(try repo.git(["status", "--porcelain"]) == "")
    }

    @Test func aChangeNoRotorCommitHadIsRefusedAndKept() throws {
        // Given an edit under versions/ that rotor never wrote
        let (repo, engine) = try rotatedRepository()
        let before = try head(repo)
        try "tampered: true\n".write(toFile: repo.root + "/" + versionFile, atomically: true, encoding: .utf8)
        // When a pass runs, Then it refuses, says how to discard, does not suggest committing, and keeps the edit
        #expect {
            try engine.apply(now: t0.addingTimeInterval(41 * 86_400))
        } throws: { error in
            let text = "\(error)"
            return error is ForeignVersionsChange && text.contains(versionFile) && text.contains("git checkout HEAD -- versions/")
                && !text.contains("commit them") && !text.contains("commit or discard")
        }
        #expect(try head(repo) == before)
        #expect(try String(contentsOfFile: repo.root + "/" + versionFile, encoding: .utf8) == "tampered: true\n")
    }

    @Test func aSymlinkUnderVersionsIsRefused() throws {
        let (repo, engine) = try rotatedRepository()
        let target = repo.directory.path("elsewhere.yaml")
        try repo.git(["show", "HEAD:\(versionFile)"]).write(toFile: target, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: repo.root + "/" + versionFile)
        try FileManager.default.createSymbolicLink(atPath: repo.root + "/" + versionFile, withDestinationPath: target)
        #expect(throws: ForeignVersionsChange.self) { try engine.apply(now: t0.addingTimeInterval(41 * 86_400)) }
    }

    @Test func aGitIndexLockStopsThePassBeforeAnyWrite() throws {
        // Given a git command holding (or having left) .git/index.lock while a rotation is due
        let (repo, engine) = try rotatedRepository()
        let lock = repo.root + "/.git/index.lock"
        _ = FileManager.default.createFile(atPath: lock, contents: Data())
        let before = try head(repo)
        let storeBefore = try Data(contentsOf: URL(fileURLWithPath: repo.statePath))
        // When a pass runs, Then it refuses naming the lock file and what to do, and wrote nothing
        #expect {
            try engine.apply(now: t0.addingTimeInterval(80 * 86_400))
        } throws: { error in
            "\(error)".contains(lock) && "\(error)".contains("Nothing was written") && "\(error)".contains("rm '\(lock)'")
        }
        #expect(try head(repo) == before)
        #expect(try Data(contentsOf: URL(fileURLWithPath: repo.statePath)) == storeBefore)
        #expect(FileManager.default.fileExists(atPath: lock))
        // And once the lock is gone, the same pass applies and leaves a clean tree
        try FileManager.default.removeItem(atPath: lock)
        #expect(try engine.apply(now: t0.addingTimeInterval(80 * 86_400)).commit != nil)
        #expect(try repo.git(["status", "--porcelain"]) == "")
    }

    @Test func aBranchLockLeftByAKilledPassIsRemovedWhileRotorHoldsTheStore() throws {
        // Given refs/heads/main.lock left behind by a killed pass
        let (repo, engine) = try rotatedRepository()
        let lock = repo.root + "/.git/refs/heads/main.lock"
        _ = FileManager.default.createFile(atPath: lock, contents: Data("0000000000000000000000000000000000000000\n".utf8))
        // When the next pass runs, Then it removes the lock, says so, and commits
        let result = try engine.apply(now: t0.addingTimeInterval(80 * 86_400))
        #expect(result.repairs.contains { $0.contains("refs/heads/main.lock") })
        #expect(result.commit != nil)
        #expect(!FileManager.default.fileExists(atPath: lock))
        #expect(try repo.git(["status", "--porcelain"]) == "")
    }
}
