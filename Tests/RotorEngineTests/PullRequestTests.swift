import Foundation
import Testing
@testable import RotorCore
@testable import RotorEngine
import RotorTesting

/// Pull-request plans on real git branches: the PR branch against main, from git alone.
@Suite("Engine: plan a pull request against its base")
struct PullRequestTests {
    let t0 = RFC3339.parse("2026-12-01T00:00:00Z")!

    /// A repository whose main has v1 of the scaffolded secret applied, and a `pr` branch checked out.
    func repoWithPR() throws -> SecretsRepoFixture {
        let repo = try SecretsRepoFixture()
        _ = try repo.engine().apply(now: t0)
        try repo.git(["checkout", "-q", "-b", "pr"])
        return repo
    }

    func report(_ repo: SecretsRepoFixture, at now: Date? = nil) throws -> PullRequestPlan {
        try repo.engine().planPullRequest(base: "main", head: nil, now: now ?? t0.addingTimeInterval(3_600))
    }

    @Test func addingASecretCreatesItAtMerge() throws {
        let repo = try repoWithPR()
        try repo.commit(["secrets/search/token.yaml": SecretsRepoFixture.secretSpec(project: "search", name: "token", consumers: ["indexer"])])
        let report = try report(repo)
        #expect(report.changes.map(\.kind) == [.added])
        #expect(report.planAtMerge?.actions.map { "\($0.kind) \($0.secret)" } == ["create search/token"])
        #expect(!report.isBlocked)
    }

    @Test func removingASecretIsAWarnedDeletion() throws {
        let repo = try repoWithPR()
        try repo.commit(["secrets/payments/db-password.yaml": nil])
        let report = try report(repo)
        // billing-api's webhook signing secret goes too: no secret names that consumer any more.
        #expect(report.changes.map { "\($0.kind) \($0.secret)" } == ["removed payments/db-password", "removed webhooks/billing-api"])
        #expect(report.changes.first?.summary.contains("deleted at merge with no grace period; billing-api loses access at once") == true)
        #expect(report.warnings.contains("payments/db-password is removed while 1 service uses it (billing-api)"))
        #expect(report.planAtMerge?.actions.map(\.kind) == [.delete, .delete])
    }

    @Test func aShorterRotationPeriodCanMakeARotationDueAtMerge() throws {
        let repo = try repoWithPR()
        let policy = try String(contentsOfFile: repo.root + "/policies/database-credentials.yaml", encoding: .utf8)
        try repo.commit(["policies/database-credentials.yaml": policy.replacingOccurrences(of: "rotateEvery: 30d", with: "rotateEvery: 1d")])
        let report = try report(repo, at: t0.addingTimeInterval(2 * 86_400))
        let change = try #require(report.changes.first)
        #expect(change.kind == .policyChanged)
        #expect(change.rotatesAtMerge)
        #expect(change.summary.hasPrefix("rotateEvery 30d → 1d; rotates at merge (was due 2026-12-31T00:00:00Z)"))
        #expect(report.planAtMerge?.actions.map(\.kind) == [.rotate])
    }

    @Test func consumerChangesShowTheBlastRadius() throws {
        let repo = try repoWithPR()
        try repo.commit(["secrets/payments/db-password.yaml": SecretsRepoFixture.secretSpec(project: "payments", name: "db-password",
                                                                                              consumers: ["ledger", "reports"])])
        let change = try #require(try report(repo).changes.first)
        #expect(change.kind == .consumersChanged)
        #expect(change.consumersAdded == ["ledger", "reports"])
        #expect(change.consumersRemoved == ["billing-api"])
    }

    @Test func aChangedExternalValueRotatesAtMergeAndNeverShowsTheValue() throws {
        let canary = "CANARY-PR-\(UUID().uuidString)"
        let repo = try SecretsRepoFixture()
        func encrypt(_ text: String) throws -> String {
            try Shell.run("gpg", ["--homedir", repo.keyring.path, "--batch", "--trust-model", "always", "--encrypt", "--armor",
                                  "-r", repo.keyring.fingerprint], input: Array(text.utf8)).stdout
        }
        try repo.commit(["secrets/payments/stripe.yaml": SecretsRepoFixture.secretSpec(project: "payments", name: "stripe", value: try encrypt("old-\(canary)"))])
        _ = try repo.engine().apply(now: t0)
        try repo.git(["checkout", "-q", "-b", "pr"])
        let commit = try repo.commit(["secrets/payments/stripe.yaml": SecretsRepoFixture.secretSpec(project: "payments", name: "stripe", value: try encrypt(canary))])
        let report = try report(repo)
        #expect(report.changes.map(\.kind) == [.valueChanged])
        #expect(report.planAtMerge?.actions.first?.reason == "value changed in \(commit.prefix(7))")
        for format in ["text", "json", "markdown"] {
            let output = try repo.rotor(["plan", "--base", "main", "--format", format, "--detailed-exitcode"])
            #expect(output.status == 2)
            #expect(!(output.stdout + output.stderr).contains(canary))
        }
    }

    @Test func anInvalidHeadIsReportedWithLocationsAndBlocks() throws {
        let repo = try repoWithPR()
        try repo.commit(["secrets/payments/db-password.yaml": SecretsRepoFixture.secretSpec(project: "payments", name: "db-password", policy: "missing")])
        let output = try repo.rotor(["plan", "--base", "main", "--format", "markdown"])
        #expect(output.status == 1)
        #expect(output.stdout.contains("secrets/payments/db-password.yaml:7:11: error: unknown policy \"missing\""))
    }

    @Test func noSpecChangesMeansExitZero() throws {
        let repo = try repoWithPR()
        try repo.commit(["README.md": "docs only\n"])
        let output = try repo.rotor(["plan", "--base", "main", "--detailed-exitcode", "--at", "2026-12-01T01:00:00Z"])
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.contains("no spec changes"))
    }

    @Test func forecastListsTheCalendarFromGitAlone() throws {
        let repo = try SecretsRepoFixture()
        _ = try repo.engine().apply(now: t0)
        let entries = try repo.engine().forecast(now: t0, days: 62)
        #expect(entries.map { "\(RFC3339.format($0.at)) \($0.kind.rawValue) v\($0.version)" } == [
            "2026-12-31T00:00:00Z rotate v2", "2026-12-31T23:00:00Z warn v1", "2027-01-01T00:00:00Z expire v1",
            "2027-01-30T00:00:00Z rotate v3", "2027-01-30T23:00:00Z warn v2", "2027-01-31T00:00:00Z expire v2",
        ])
    }
}

@Suite("Engine: pull requests that change API keys")
struct KeyPullRequestTests {
    @Test func revokingAKeyInAPullRequestIsShownAndWarned() throws {
        let repo = try SecretsRepoFixture()
        try repo.commit(["policies/partner-keys.yaml": SecretsRepoFixture.keyPolicy(),
                         "keys/payments/partner.yaml": SecretsRepoFixture.apiKey(project: "payments", name: "partner", consumers: ["acme"])])
        let t0 = RFC3339.parse("2026-12-01T00:00:00Z")!
        _ = try repo.engine().apply(now: t0)
        try repo.git(["checkout", "-q", "-b", "pr"])
        try repo.commit(["keys/payments/partner.yaml": SecretsRepoFixture.apiKey(project: "payments", name: "partner", revoked: true, consumers: ["acme"])])
        let report = try repo.engine().planPullRequest(base: "main", head: nil, now: t0.addingTimeInterval(60))
        #expect(report.changes.map(\.kind) == [.revoked])
        #expect(report.changes.first?.resource == .key)
        #expect(report.warnings.contains("key payments/partner is revoked at merge: acme lose access immediately"))
        #expect(report.planAtMerge?.actions.map(\.kind) == [.revoke])
        let output = try repo.rotor(["plan", "--base", "main", "--format", "markdown", "--detailed-exitcode"])
        #expect(output.status == 2)
        #expect(output.stdout.contains("| revoked | `key payments/partner` |"))
    }
}

@Suite("Engine: forecast of API keys")
struct KeyForecastTests {
    @Test func keyRotationsAndOverlapEndsAreForecast() throws {
        let repo = try SecretsRepoFixture()
        try repo.commit(["policies/partner-keys.yaml": SecretsRepoFixture.keyPolicy(rotateEvery: "30d", overlap: "2d"),
                         "keys/payments/partner.yaml": SecretsRepoFixture.apiKey(project: "payments", name: "partner")])
        let t0 = RFC3339.parse("2026-12-01T00:00:00Z")!
        _ = try repo.engine().apply(now: t0)
        let keys = try repo.engine().forecast(now: t0, days: 40).filter { $0.resource == .key }
        #expect(keys.map { "\(RFC3339.format($0.at)) \($0.kind.rawValue) v\($0.version)" } == [
            "2026-12-31T00:00:00Z rotate v2", "2027-01-02T00:00:00Z expire v1",
        ])
    }
}
