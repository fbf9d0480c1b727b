import Foundation
import Testing
@testable import RotorCore

@Suite("Plan rendering")
struct RenderingTests {
    typealias F = Fixtures

    let plan = Planner.plan(desired: F.desired([F.spec(consumers: ["billing-api", "ledger"])]),
                            observed: F.observed([F.version(1, .active, createdAt: F.t0)]), now: F.at(24 * 31))

    @Test func textShowsSymbolVersionsConsumersAndSummary() {
        let text = plan.renderText()
        #expect(text.contains("~ rotate  payments/db-password v1 → v2: due: rotateEvery 30d"))
        #expect(text.contains("consumers: billing-api, ledger"))
        #expect(text.contains("Plan: 0 to create, 1 to rotate, 0 to warn, 0 to expire, 0 to delete, 0 to revoke."))
    }

    @Test func noChangesSaysSoWithTheRevision() {
        let quiet = Planner.plan(desired: F.desired([F.spec()]), observed: F.observed([F.version(1, .active, createdAt: F.t0)]), now: F.t0)
        #expect(quiet.renderText() == "No changes at 2027-01-01T00:00:00Z (revision abc). 1 secret up to date.\n")
    }

    @Test func markdownIsATable() {
        let markdown = plan.renderMarkdown()
        #expect(markdown.contains("| ~ | rotate | `payments/db-password` | v1 → v2 |"))
    }

    @Test func jsonRoundTrips() throws {
        let json = try plan.renderJSON()
        #expect(json.contains("\"now\" : \"2027-02-01T00:00:00Z\""))
        let decoded = try RotorJSON.decoder().decode(Plan.self, from: Data(json.utf8))
        #expect(decoded.actions == plan.actions)
    }
}
