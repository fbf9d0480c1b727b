import Foundation
import Testing
@testable import RotorCore
@testable import RotorEngine
import RotorStore
import RotorTesting

@Suite("Engine: plan writes nothing, bad input loses nothing, one applier at a time")
struct SafetyTests {
    let t0 = RFC3339.parse("2026-12-01T00:00:00Z")!

    /// Everything a write could touch: refs, HEAD, the index, the working tree, the store folder.
    /// Not the parse cache (`.git/rotor/parse-cache`): any read may refresh it, and it only
    /// repeats what git holds (ParseCacheTests and CanaryTests cover it).
    func fingerprint(_ repo: SecretsRepoFixture) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for base in [repo.root, repo.directory.path("state")] {
            guard let enumerator = FileManager.default.enumerator(atPath: base) else { continue }
            for case let path as String in enumerator {
                var isDirectory: ObjCBool = false
                let full = (base as NSString).appendingPathComponent(path)
                guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue,
                      !path.hasSuffix(".git/rotor/parse-cache") else { continue }
                files[full] = [UInt8]((try? Data(contentsOf: URL(fileURLWithPath: full))) ?? Data())
            }
        }
        return files
    }

    @Test func planWorksWithNoStoreAndWritesNothing() throws {
        let repo = try SecretsRepoFixture()
        let before = try fingerprint(repo)
        let plan = try repo.engine().plan(now: t0)
        #expect(plan.actions.map(\.kind) == [.create, .create])
        #expect(!FileManager.default.fileExists(atPath: repo.statePath))
        #expect(try fingerprint(repo) == before)
    }

    @Test func planAfterApplyReadsTheStoreWithoutWritingIt() throws {
        let repo = try SecretsRepoFixture()
        let engine = try repo.engine()
        _ = try engine.apply(now: t0)
        _ = try engine.apply(now: t0.addingTimeInterval(31 * 86_400))
        let before = try fingerprint(repo)
        let plan = try engine.plan(now: t0.addingTimeInterval(32 * 86_400 - 1_800))
        #expect(plan.actions.map(\.kind) == [.warn])
        // Not even SQLite's -shm/-wal side files appear.
        #expect(try fingerprint(repo) == before)
    }

    @Test func invalidSpecsStopApplyBeforeAnyWrite() throws {
        let repo = try SecretsRepoFixture()
        try repo.commit(["secrets/payments/db-password.yaml": SecretsRepoFixture.secretSpec(project: "payments", name: "db-password", policy: "nope")])
        let before = try fingerprint(repo)
        #expect {
            try repo.engine().apply(now: t0)
        } throws: { error in
            (error as? ValidationFailure)?.diagnostics.first?.description.hasPrefix("secrets/payments/db-password.yaml:7:11: error: unknown policy \"nope\"") == true
        }
        #expect(try fingerprint(repo) == before)
    }

    @Test func aKeyWeCannotDecryptFailsTheApplyAndWritesNothing() throws {
        let repo = try SecretsRepoFixture()
        let stranger = try TestKeyring(userID: "stranger <s@x.invalid>")
        let encrypted = try Shell.run("gpg", ["--homedir", stranger.path, "--batch", "--trust-model", "always", "--encrypt", "--armor",
                                              "-r", stranger.fingerprint], input: Array("x".utf8))
        try repo.commit(["secrets/payments/foreign.yaml": SecretsRepoFixture.secretSpec(project: "payments", name: "foreign", value: encrypted.stdout)])
        let head = try repo.git(["rev-parse", "HEAD"])
        #expect {
            try repo.engine().apply(now: t0)
        } throws: { error in
            "\(error)".contains("secrets/payments/foreign.yaml: cannot decrypt")
        }
        #expect(try repo.git(["rev-parse", "HEAD"]) == head)
        let store = try StateStore.openReadOnly(path: repo.statePath)
        #expect(try store?.history(of: SecretID(project: "payments", name: "db-password")).isEmpty ?? true)
    }

    @Test func twoAppliersNeverRunAtOnce() throws {
        let repo = try SecretsRepoFixture()
        let held = try StateLock(storePath: repo.statePath)
        #expect {
            try repo.engine().apply(now: t0)
        } throws: { error in
            "\(error)".contains("another rotor is applying to this state store (pid \(getpid())")
        }
        withExtendedLifetime(held) {}
    }

    @Test func uncommittedEditsUnderVersionsAreNeverClobbered() throws {
        let repo = try SecretsRepoFixture()
        let engine = try repo.engine()
        _ = try engine.apply(now: t0)
        try "tampered\n".write(toFile: repo.root + "/versions/payments/db-password.yaml", atomically: true, encoding: .utf8)
        #expect(throws: ForeignVersionsChange.self) { try engine.apply(now: t0.addingTimeInterval(40 * 86_400)) }
        #expect(try String(contentsOfFile: repo.root + "/versions/payments/db-password.yaml", encoding: .utf8) == "tampered\n")
    }

    @Test func aPassStoppedBeforeItsCheckoutIsFinishedButStagedEditsAreStillRefused() throws {
        // Given rotor's commit whose checkout never happened (index and work tree still at its parent),
        let repo = try SecretsRepoFixture()
        let engine = try repo.engine()
        _ = try engine.apply(now: t0)
        try repo.git(["rm", "-r", "-q", "--cached", "versions"])
        try FileManager.default.removeItem(atPath: repo.root + "/versions")
        // When the next pass runs, Then it finishes the checkout and applies.
        let healed = try engine.apply(now: t0.addingTimeInterval(40 * 86_400))
        #expect(healed.commit != nil)
        #expect(try repo.git(["status", "--porcelain"]) == "")

        // But a staged edit under versions/ is a person's work: still refused, still there.
        try "tampered\n".write(toFile: repo.root + "/versions/payments/db-password.yaml", atomically: true, encoding: .utf8)
        try repo.git(["add", "versions"])
        #expect(throws: ForeignVersionsChange.self) { try engine.apply(now: t0.addingTimeInterval(80 * 86_400)) }
        #expect(try String(contentsOfFile: repo.root + "/versions/payments/db-password.yaml", encoding: .utf8) == "tampered\n")
    }
}
