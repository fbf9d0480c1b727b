import Foundation
import Testing
@testable import RotorCore

/// The pull-request comment and JSON are compared byte for byte with files in Golden/.
/// Regenerate them after an intended change with `ROTOR_UPDATE_GOLDEN=1 swift test --filter Golden`.
@Suite("Pull-request report: golden outputs")
struct PullRequestGoldenTests {
    typealias F = Fixtures

    static func report() -> PullRequestPlan {
        let db = F.db
        let stripe = SecretID(project: "payments", name: "stripe")
        let token = SecretID(project: "search", name: "token")
        let old = SecretID(project: "legacy", name: "ftp-password")
        let many = (1...6).map { "svc-\($0)" }
        var base = F.desired([F.spec(db, consumers: ["billing-api"]), F.spec(stripe, external: "sha256:old", consumers: many),
                              F.spec(old, consumers: ["ftp-gateway"])])
        base.revision = "1111111111111111111111111111111111111111"
        var head = F.desired([F.spec(db, consumers: ["billing-api", "ledger"]), F.spec(stripe, external: "sha256:new", consumers: many),
                              F.spec(token)], rotateEvery: "1d", grace: "30m")
        head.revision = "2222222222222222222222222222222222222222"
        let versions: [SecretID: VersionFile] = [
            db: VersionFile(secret: db, versions: [F.version(1, .active, createdAt: F.t0)]),
            stripe: VersionFile(secret: stripe, versions: [F.version(1, .active, createdAt: F.t0, source: .external, digest: "sha256:old")]),
            old: VersionFile(secret: old, versions: [F.version(1, .active, createdAt: F.t0)]),
        ]
        let now = F.at(48)
        let changes = SpecDiff.changes(base: base, head: head, versions: versions, now: now)
        let plan = Planner.plan(desired: head, observed: ObservedState(versionFiles: versions), now: now)
        return PullRequestPlan(base: base.revision!, head: head.revision!, now: now, diagnostics: [], signatureViolations: [],
                               changes: changes, planAtMerge: plan)
    }

    @Test(arguments: ["pr-report.md", "pr-report.json"])
    func matchesGolden(_ name: String) throws {
        let report = Self.report()
        let rendered = name.hasSuffix(".md") ? report.renderMarkdown() : try report.renderJSON()
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)").path
        if ProcessInfo.processInfo.environment["ROTOR_UPDATE_GOLDEN"] == "1" {
            try rendered.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOfFile: path, encoding: .utf8)
        #expect(rendered == golden)
    }

    @Test func everyKindOfChangeIsInTheReport() {
        let kinds = Set(Self.report().changes.map(\.kind))
        #expect(kinds == [.added, .removed, .policyChanged, .consumersChanged, .valueChanged])
        #expect(Self.report().warnings.count == 5)
    }
}
