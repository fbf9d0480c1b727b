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

    @Test(arguments: ["pr-report.md", "pr-report.json", "pr-report.txt"])
    func matchesGolden(_ name: String) throws {
        let report = Self.report()
        let rendered = name.hasSuffix(".md") ? report.renderMarkdown() : name.hasSuffix(".txt") ? report.renderText() : try report.renderJSON()
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

    @Test func readAccessGainedAndLostIsSaidInEveryFormat() throws {
        // Given a PR that adds ledger to payments/db-password and removes legacy/ftp-password (used by ftp-gateway)
        let report = Self.report()
        let gained = "payments/db-password: service ledger gains read access to its value"
        let lost = "legacy/ftp-password: service ftp-gateway loses read access to its value"
        // Then the changes carry it as data
        #expect(report.readAccessNotices == [lost, gained])
        let consumersChanged = try #require(report.changes.first { $0.kind == .consumersChanged })
        #expect(consumersChanged.readAccess == [SpecChange.ReadAccess(service: "ledger", change: .gains)])
        // And every rendering says it
        #expect(report.renderText().contains("  access: \(gained)\n"))
        #expect(report.renderText().contains("  access: \(lost)\n"))
        #expect(report.renderMarkdown().contains("**🔑 Read access**\n\n- \(lost)\n- \(gained)\n"))
        let json = try report.renderJSON()
        #expect(json.contains("\"readAccess\" : [\n        {\n          \"change\" : \"gains\",\n          \"service\" : \"ledger\"\n        }\n      ]"))
    }

    @Test func aKeyConsumerIsNotAReadAccessChange() {
        // Given a PR that only adds a service holding an API key
        let id = SecretID(project: "payments", name: "partner")
        let key = { (consumers: [String]) in
            ApiKeySpec(id: id, location: SourceLocation(path: "keys/payments/partner.yaml"), type: .secret, scopes: ["payments:read"],
                       policy: "partner-keys", consumers: consumers.map { Consumer(service: $0) })
        }
        var base = F.desired([])
        base.keys = [id: key(["acme"])]
        var head = F.desired([])
        head.keys = [id: key(["acme", "globex"])]
        // Then the key's consumers change, but no secret's read access does
        let changes = SpecDiff.changes(base: base, head: head, versions: [:], now: F.t0)
        #expect(changes.map(\.kind) == [.consumersChanged])
        #expect(changes.flatMap(\.readAccessNotices).isEmpty)
    }

    @Test func aNewWebhookForAKeysConsumerIsShown() {
        // Given a PR that gives acme, which holds an API key, a webhook
        let id = SecretID(project: "payments", name: "partner")
        let key = { (webhook: String?) in
            ApiKeySpec(id: id, location: SourceLocation(path: "keys/payments/partner.yaml"), type: .secret, scopes: ["payments:read"],
                       policy: "partner-keys", consumers: [Consumer(service: "acme", webhook: webhook)])
        }
        var base = F.desired([])
        base.keys = [id: key(nil)]
        var head = F.desired([])
        head.keys = [id: key("https://acme.example/hooks")]
        // Then the key's consumers change, as a secret's do
        let changes = SpecDiff.changes(base: base, head: head, versions: [:], now: F.t0)
        #expect(changes.map(\.summary) == ["consumers 1 → 1 services, webhook changed for acme"])
        #expect(changes.map(\.resource) == [.key])
    }
}
