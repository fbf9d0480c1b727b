import Foundation
import Testing
import RotorCore
@testable import RotorDaemon
import RotorEngine
import RotorStore
import RotorTesting

/// One daemon pass against a bare remote: real git, gpg and SQLite, time injected.
@Suite("Daemon: passes against a bare remote")
struct ReconcilerTests {
    let db = SecretID(project: "payments", name: "db-password")

    @Test func aRotationLandsOnTheRemote() async throws {
        // Given a remote with one secret and an empty folder for rotor's clone,
        let fixture = try RemoteFixture()
        let daemon = DaemonHarness(fixture)
        // When the daemon passes at creation time and again after rotateEvery,
        let created = await daemon.pass()
        let rotated = await daemon.pass(at: "2027-01-05T00:00:00Z")
        // Then v1 and then v2 are on the remote, the store knows both, and their events are in the outbox.
        #expect(created.outcome == .applied, "\(created.problem ?? "")")
        #expect(rotated.outcome == .applied, "\(rotated.problem ?? "")")
        #expect(rotated.commit == (try fixture.remoteTip()))
        let file = try #require(try GitVersions.files(gitDir: fixture.remote, revision: "main")[db])
        #expect(file.versions.map(\.version) == [2, 1])
        #expect(file.active?.version == 2)
        let store = try #require(try StateStore.openReadOnly(path: fixture.statePath))
        #expect(try store.history(of: db).map(\.version) == [2, 1])
        #expect(try store.events().filter { $0.secretID == db.description }.map(\.type) == ["secret.created", "secret.rotated"])
        #expect(rotated.nextRotationDue == RFC3339.parse("2027-02-04T00:00:00Z"))
        // And a pass with nothing due changes nothing.
        let idle = await daemon.pass(at: "2027-01-05T01:00:00Z")
        #expect(idle.outcome == .unchanged)
        #expect(try fixture.remoteTip() == rotated.commit)
        #expect(daemon.status.health.isHealthy)
        #expect(try CrashInvariants.violations(fixture).isEmpty)
    }

    @Test func aPullRequestMergedWhileRotorPushesIsKeptAndThePendingVersionIsReused() async throws {
        let fixture = try RemoteFixture()
        let daemon = DaemonHarness(fixture)
        #expect(await daemon.pass().outcome == .applied)
        // Given a pull request that merges just before rotor pushes its rotation,
        var firstAttempt: SecretVersion?
        var merged = ""
        daemon.scripted?.beforePush = [{
            firstAttempt = try GitVersions.files(gitDir: fixture.workdir, revision: "HEAD")[db]?.active
            merged = try fixture.mergePullRequest(["secrets/payments/api-token.yaml": SecretsRepoFixture.secretSpec(project: "payments", name: "api-token")])
        }]
        // When the pass runs,
        let report = await daemon.pass(at: "2027-01-05T00:00:00Z")
        // Then its first push is refused, it re-plans on the merged head and pushes again,
        #expect(report.outcome == .applied, "\(report.problem ?? "")")
        #expect(report.pushRejections == 1)
        #expect(try fixture.remoteContains(merged))
        // reusing the version it had encrypted, not a new value.
        let first = try #require(firstAttempt)
        #expect(first.version == 2)
        #expect(report.reusedVersionIDs == [first.id])
        let landed = try #require(try GitVersions.files(gitDir: fixture.remote, revision: "main")[db]?.active)
        #expect(landed.id == first.id)
        #expect(landed.valueEncrypted == first.valueEncrypted)
        // The merged secret got its v1 in the same pass, and nothing is left pending.
        #expect(try GitVersions.files(gitDir: fixture.remote, revision: "main")[SecretID(project: "payments", name: "api-token")]?.active?.version == 1)
        #expect(daemon.logs.text.contains("push rejected: the remote moved"))
        #expect(try CrashInvariants.violations(fixture, mergedPullRequests: [merged]).isEmpty)
    }

    @Test func aRemoteThatKeepsMovingFailsThePassThenTheNextPassLandsTheSameVersion() async throws {
        let fixture = try RemoteFixture()
        let daemon = DaemonHarness(fixture, maxPushAttempts: 2)
        #expect(await daemon.pass().outcome == .applied)
        var attempts: [SecretVersion] = []
        var merged: [String] = []
        let merge = { (index: Int) in {
            attempts += try GitVersions.files(gitDir: fixture.workdir, revision: "HEAD")[self.db].flatMap(\.active).map { [$0] } ?? []
            merged.append(try fixture.mergePullRequest(["notes/pr-\(index).md": "merged \(index)\n"]))
        } }
        daemon.scripted?.beforePush = [merge(1), merge(2)]
        let rejected = await daemon.pass(at: "2027-01-05T00:00:00Z")
        #expect(rejected.outcome == .pushRejected)
        #expect(rejected.pushRejections == 2)
        #expect(daemon.status.health.text.contains("push rejected: the remote moved during each of 2 attempts"))
        #expect(try !daemon.reconciler.engine!.pendingVersions().isEmpty)
        // Every attempt carried the same version; the next pass pushes it.
        #expect(Set(attempts.map(\.id)).count == 1)
        let next = await daemon.pass(at: "2027-01-05T00:01:00Z")
        #expect(next.outcome == .applied)
        #expect(next.reusedVersionIDs == [attempts[0].id])
        #expect(try GitVersions.files(gitDir: fixture.remote, revision: "main")[db]?.active?.valueEncrypted == attempts[0].valueEncrypted)
        #expect(daemon.status.health.isHealthy)
        #expect(try CrashInvariants.violations(fixture, mergedPullRequests: merged).isEmpty)
    }

    @Test func invalidSpecsStopThePassDegradeHealthAndTheDaemonKeepsGoing() async throws {
        let fixture = try RemoteFixture()
        let delivery = RecordingDelivery()
        let daemon = DaemonHarness(fixture, delivery: delivery)
        #expect(await daemon.pass().outcome == .applied)
        let before = try GitVersions.files(gitDir: fixture.remote, revision: "main")
        // Given a merged spec with an unknown policy,
        let broken = try fixture.mergePullRequest(["secrets/payments/db-password.yaml": SecretsRepoFixture.secretSpec(project: "payments", name: "db-password", policy: "nope")])
        // When a pass runs at a time a rotation would be due,
        let report = await daemon.pass(at: "2027-01-05T00:00:00Z")
        // Then nothing is applied, the error names file:line:column in logs and health, and delivery still ran.
        #expect(report.outcome == .specInvalid)
        #expect(report.diagnostics.first?.hasPrefix("secrets/payments/db-password.yaml:7:11: error: unknown policy \"nope\"") == true)
        #expect(daemon.status.health.text.hasPrefix("degraded\nspec invalid: secrets/payments/db-password.yaml:7:11"))
        #expect(daemon.logs.lines.contains { $0.contains("secrets/payments/db-password.yaml:7:11: error: unknown policy") && $0.contains(broken) })
        #expect(try fixture.remoteTip() == broken)
        #expect(try GitVersions.files(gitDir: fixture.remote, revision: "main") == before)
        #expect(delivery.calls.count == 2)
        // And once the spec is fixed, the next pass applies and health recovers.
        try fixture.mergePullRequest(["secrets/payments/db-password.yaml": SecretsRepoFixture.secretSpec(project: "payments", name: "db-password")])
        #expect(await daemon.pass(at: "2027-01-05T00:05:00Z").outcome == .applied)
        #expect(daemon.status.health.isHealthy)
    }

    @Test func twoDaemonsOnOneStoreOnlyOneAppliesAndTheOtherNamesTheHolder() async throws {
        let fixture = try RemoteFixture()
        let first = DaemonHarness(fixture)
        let second = DaemonHarness(fixture)
        #expect(await first.pass().outcome == .applied)
        // Given the second daemon starts its pass while the first is mid-pass (about to push),
        var secondReport: PassReport?
        first.scripted?.beforePush = [{ secondReport = second.passBlocking(at: "2027-01-05T00:00:00Z") }]
        let firstReport = await first.pass(at: "2027-01-05T00:00:00Z")
        // Then only the first applies; the second reports the lock and its holder.
        #expect(firstReport.outcome == .applied)
        let report = try #require(secondReport)
        #expect(report.outcome == .locked)
        #expect(report.problem?.contains("another rotor is applying to this state store (pid \(getpid())") == true)
        #expect(second.status.health.text.contains("store locked: another rotor is applying"))
        #expect(second.logs.text.contains("another rotor holds the state store"))
        // And the second's next pass, with the lock free, finds nothing left to do.
        #expect(await second.pass(at: "2027-01-05T00:01:00Z").outcome == .unchanged)
        #expect(try GitVersions.files(gitDir: fixture.remote, revision: "main")[db]?.versions.count == 2)
    }

    @Test func withTheDefaultStoreInsideTheCloneTheLockStillHolds() async throws {
        // The default store is <clone>/.git/rotor/state.db: clearing stale git locks must never touch its lock file.
        let fixture = try RemoteFixture()
        let first = DaemonHarness(fixture, defaultState: true)
        let second = DaemonHarness(fixture, defaultState: true)
        #expect(await first.pass().outcome == .applied)
        var secondReport: PassReport?
        first.scripted?.beforePush = [{ secondReport = second.passBlocking(at: "2027-01-05T00:00:00Z") }]
        #expect(await first.pass(at: "2027-01-05T00:00:00Z").outcome == .applied)
        #expect(secondReport?.outcome == .locked)
        #expect(FileManager.default.fileExists(atPath: fixture.workdir + "/.git/rotor/state.db.lock"))
    }

    @Test func gitLockFilesLeftByAKilledPassAreRemoved() async throws {
        let fixture = try RemoteFixture()
        let daemon = DaemonHarness(fixture)
        #expect(await daemon.pass().outcome == .applied)
        // Given lock files a kill -9 left in rotor's clone,
        let stale = ["/.git/refs/heads/main.lock", "/.git/index.lock", "/.git/refs/remotes/origin/main.lock"]
        for path in stale { _ = FileManager.default.createFile(atPath: fixture.workdir + path, contents: Data()) }
        // When the next pass runs, then it removes them and applies.
        let report = await daemon.pass(at: "2027-01-05T00:00:00Z")
        #expect(report.outcome == .applied, "\(report.problem ?? "")")
        for path in stale { #expect(!FileManager.default.fileExists(atPath: fixture.workdir + path)) }
        #expect(daemon.logs.text.contains("removed git lock files left by an interrupted pass"))
    }

    @Test func theDeliveryStepRunsEveryPassAndItsFailureDegradesHealth() async throws {
        let fixture = try RemoteFixture()
        let working = RecordingDelivery(report: DeliverySummary(delivered: 2, retried: 1, jobsPending: 3))
        let daemon = DaemonHarness(fixture, delivery: working)
        #expect(await daemon.pass().outcome == .applied)
        #expect(working.calls.map(\.statePath) == [fixture.statePath])
        #expect(working.calls.first?.now == RFC3339.parse("2026-12-01T00:00:00Z"))
        let metrics = daemon.status.metrics.render()
        #expect(metrics.contains("rotor_deliveries_total{outcome=\"delivered\"} 2\n"))
        #expect(metrics.contains("rotor_jobs{state=\"pending\"} 3.0\n"))

        struct Unreachable: Error, CustomStringConvertible { var description: String { "billing-api unreachable" } }
        let failing = DaemonHarness(fixture, delivery: RecordingDelivery(failure: Unreachable()))
        #expect(await failing.pass().outcome == .unchanged)
        #expect(failing.status.health.text == "degraded\ndeliveries failing: billing-api unreachable\n")
    }

    @Test func noSecretValueInLogsHealthOrMetrics() async throws {
        let fixture = try RemoteFixture(files: ["policies/hourly.yaml": hourlyPolicy,
                                                "secrets/payments/session-key.yaml": SecretsRepoFixture.secretSpec(project: "payments", name: "session-key", policy: "hourly")])
        let daemon = DaemonHarness(fixture)
        #expect(await daemon.pass().outcome == .applied)
        #expect(await daemon.pass(at: "2026-12-01T01:00:00Z").outcome == .applied)
        let engine = try Engine(repositoryPath: fixture.workdir, statePath: fixture.statePath, actor: "test", gpgHome: fixture.seed.keyring.path)
        var values: [String] = []
        for id in [db, SecretID(project: "payments", name: "session-key")] {
            let value = try engine.get(id, version: nil, now: RFC3339.parse("2026-12-01T01:00:00Z")!)
            value.withUnsafeBytes { values.append(String(decoding: $0, as: UTF8.self)) }
        }
        let exposed = daemon.logs.text + daemon.status.metrics.render() + daemon.status.health.text
        for value in values {
            #expect(value.count >= 24)
            #expect(!exposed.contains(value))
        }
        // Every line of a pass carries the git revision.
        let passLines = daemon.logs.lines.filter { $0.contains("\"pass\":") && !$0.contains("cloning") }
        #expect(!passLines.isEmpty && passLines.allSatisfy { $0.contains("\"revision\":\"") })
    }
}
