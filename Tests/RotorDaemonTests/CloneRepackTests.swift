import Foundation
import Testing
import RotorCore
@testable import RotorDaemon
import RotorTesting

/// rotor's clone gains a pack file with each large commit; the daemon repacks it so it never
/// holds more than its limit.
@Suite("Daemon: rotor's clone is repacked")
struct CloneRepackTests {
    static func packCount(_ workdir: String) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: workdir + "/.git/objects/pack")) ?? []).filter { $0.hasSuffix(".idx") }.count
    }

    @Test func manyRotatingPassesKeepTheClonesPackCountWithinTheLimit() async throws {
        // Given 70 secrets rotating every hour (each rotation commits over 64 files: one pack a pass),
        var files: [String: String?] = ["policies/hourly.yaml": hourlyPolicy]
        for index in 0..<70 {
            files["secrets/p\(index % 5)/s\(index).yaml"] = SecretsRepoFixture.secretSpec(project: "p\(index % 5)", name: "s\(index)", policy: "hourly")
        }
        let fixture = try RemoteFixture(files: files)
        // and a daemon that repacks its clone above 3 packs,
        let daemon = DaemonHarness(fixture, repackAbovePacks: 3)
        let start = RFC3339.parse("2026-12-01T00:00:00Z")!
        var repacked: [Int] = []
        var most = 0
        // When it passes a dozen times an hour apart,
        for hour in 0..<12 {
            let report = await daemon.pass(at: RFC3339.format(start.addingTimeInterval(Double(hour) * 3_600)))
            #expect(report.outcome == .applied, "pass \(hour + 1): \(report.problem ?? "")")
            if let repack = report.repack {
                repacked.append(hour + 1)
                #expect(repack.packsAfter == 1 && repack.packsKept == 0, "\(repack)")
            }
            most = max(most, Self.packCount(fixture.workdir))
        }
        // Then the clone never held more than 3 packs after a pass, it was repacked every few passes,
        #expect(most <= 3)
        #expect(repacked.count >= 3, "\(repacked)")
        #expect(daemon.logs.text.contains("repacked rotor's clone"))
        // every rotation landed, and git finds the clone and the remote whole.
        let history = try GitVersions.history(gitDir: fixture.workdir)
        #expect(try history == GitVersions.history(gitDir: fixture.remote))
        #expect(try GitVersions.files(gitDir: fixture.workdir, revision: "HEAD")[SecretID(project: "p0", name: "s0")]?.active?.version == 12)
        #expect(try CrashInvariants.violations(fixture).isEmpty)
    }

    @Test func aLimitOfZeroNeverRepacks() async throws {
        let fixture = try RemoteFixture()
        let daemon = DaemonHarness(fixture, repackAbovePacks: 0)
        #expect(await daemon.pass().outcome == .applied)
        #expect(await daemon.pass(at: "2027-01-05T00:00:00Z").repack == nil)
        #expect(!daemon.logs.text.contains("repacked"))
    }
}
