import Foundation
import Testing
import RotorCore
import RotorTesting

/// Kill the daemon at each named point of a pass (`ROTOR_FAULT`), restart it, and check the invariants.
@Suite("Daemon: a crash at each step is healed by the next start")
struct FaultPointTests {
    let db = SecretID(project: "payments", name: "db-password")

    @Test(arguments: ["after-lock", "after-commit", "after-push", "mid-store", "after-store", "before-deliver"])
    func aCrashAtThisPointIsHealed(point: String) throws {
        let fixture = try RemoteFixture()
        #expect(try fixture.rotor(fixture.daemonArguments(at: "2026-12-01T00:00:00Z")).status == 0)
        // Given a pass that dies at the point,
        let crashed = try fixture.rotor(fixture.daemonArguments(at: "2027-01-05T00:00:00Z"), environment: ["ROTOR_FAULT": point])
        #expect(crashed.status == 9, "killed by SIGKILL: \(crashed.stdout)\(crashed.stderr)")
        #expect(crashed.stderr.contains("ROTOR_FAULT=\(point): stopping abruptly here"))
        let unpushed = try GitVersions.files(gitDir: fixture.workdir, revision: "HEAD")[db]?.active
        // When the daemon starts again (later),
        let healed = try fixture.rotor(fixture.daemonArguments(at: "2027-01-05T00:10:00Z"))
        #expect(healed.status == 0, "\(healed.stdout)")
        // Then exactly one v2 exists (the one the crashed pass committed, if it got that far), and git and store agree.
        let landed = try #require(try GitVersions.files(gitDir: fixture.remote, revision: "main")[db])
        #expect(landed.versions.map(\.version) == [2, 1])
        if point != "after-lock" { #expect(landed.active?.id == unpushed?.id) }
        #expect(try CrashInvariants.violations(fixture).isEmpty)
    }

    @Test func aCrashBeforePushThenAMergedPullRequestKeepsTheCommittedVersion() throws {
        let fixture = try RemoteFixture()
        #expect(try fixture.rotor(fixture.daemonArguments(at: "2026-12-01T00:00:00Z")).status == 0)
        // Given a pass that committed v2 and died before pushing,
        #expect(try fixture.rotor(fixture.daemonArguments(at: "2027-01-05T00:00:00Z"), environment: ["ROTOR_FAULT": "after-commit"]).status == 9)
        let committed = try #require(try GitVersions.files(gitDir: fixture.workdir, revision: "HEAD")[db]?.active)
        // and a pull request merged meanwhile (the branches diverged),
        let merged = try fixture.mergePullRequest(["notes/merged.md": "hello\n"])
        // When the next start dies again right after keeping the unpushed versions as pending,
        #expect(try fixture.rotor(fixture.daemonArguments(at: "2027-01-05T00:05:00Z"), environment: ["ROTOR_FAULT": "after-pending"]).status == 9)
        // and then runs clean,
        let healed = try fixture.rotor(fixture.daemonArguments(at: "2027-01-05T00:10:00Z"))
        #expect(healed.status == 0, "\(healed.stdout)")
        // Then the pull request is kept and v2 is the value committed before the first crash.
        #expect(try fixture.remoteContains(merged))
        let landed = try #require(try GitVersions.files(gitDir: fixture.remote, revision: "main")[db]?.active)
        #expect(landed.id == committed.id)
        #expect(landed.valueEncrypted == committed.valueEncrypted)
        #expect(healed.stdout.contains("reused a pending version"))
        #expect(try CrashInvariants.violations(fixture, mergedPullRequests: [merged]).isEmpty)
    }
}
