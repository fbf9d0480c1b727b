import Foundation
import Testing
@testable import RotorCore

@Suite("Planner: rollbacks")
struct PlannerRollbackTests {
    typealias F = Fixtures

    /// v3 active since t0, v2 in grace until +24h, v1 in grace until +12h.
    static let versions = [F.version(3, .active, createdAt: F.t0), F.version(2, .grace, createdAt: F.at(-48), grace: F.at(24)),
                           F.version(1, .grace, createdAt: F.at(-96), grace: F.at(12))]

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        var desired = F.desired([F.spec(consumers: ["billing-api"])])
        var observed = F.observed(PlannerRollbackTests.versions)
        var now = F.at(1)
        let rollback: Rollback
        /// "kind vN" for each action, or the start of the refusal.
        let expected: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "without a number: the newest version in grace", rollback: Rollback(reason: "bad deploy"),
             expected: ["rotate v4 ← v2"]),
        Case(name: "a named version in grace", rollback: Rollback(toVersion: 1, reason: "bad deploy"), expected: ["rotate v4 ← v1"]),
        Case(name: "expire-current removes the active version at once", rollback: Rollback(reason: "leaked", expireCurrent: true),
             expected: ["rotate v4 ← v2", "expire v3"]),
        Case(name: "every grace ended: the newest one is named", now: F.at(30), rollback: Rollback(reason: "bad deploy"), expected: ["refused: payments/db-password: v2's grace period ended at 2027-01-02T00:00:00Z: its value is removed at the next apply"]),
        Case(name: "v1's grace ended, v2's not: v2 without a number (and v1 expires)", now: F.at(13), rollback: Rollback(reason: "r"),
             expected: ["rotate v4 ← v2", "expire v1"]),
        Case(name: "v1 named after its grace ended", now: F.at(13), rollback: Rollback(toVersion: 1, reason: "r"),
             expected: ["refused: payments/db-password: v1's grace period ended at 2027-01-01T12:00:00Z"]),
        Case(name: "the active version", rollback: Rollback(toVersion: 3, reason: "r"),
             expected: ["refused: payments/db-password: v3 is the active version"]),
        Case(name: "a version never made", rollback: Rollback(toVersion: 9, reason: "r"),
             expected: ["refused: payments/db-password has no version v9. Live versions: v3 (active), v2 (grace until 2027-01-02T00:00:00Z), v1 (grace until 2027-01-01T12:00:00Z)"]),
        Case(name: "a version git no longer lists", observed: F.observed([F.version(3, .active, createdAt: F.t0)]),
             rollback: Rollback(toVersion: 2, reason: "r"),
             expected: ["refused: payments/db-password: v2's grace period has ended: its value was removed; nothing to roll back to. Live versions: v3 (active)"]),
        Case(name: "nothing in grace", observed: F.observed([F.version(3, .active, createdAt: F.t0)]), rollback: Rollback(reason: "r"),
             expected: ["refused: payments/db-password: no version is in its grace period"]),
        Case(name: "an externally issued value", desired: F.desired([F.spec(external: "sha256:x")]), rollback: Rollback(reason: "r"),
             expected: ["refused: payments/db-password takes its value from `value:` in secrets/payments/db-password.yaml"]),
    ]

    @Test("rollback", arguments: cases)
    func rollback(_ testCase: Case) {
        // Given the case's versions, When a rollback is planned at its instant,
        let plan = Planner.plan(desired: testCase.desired, observed: testCase.observed, now: testCase.now, rollbacks: [F.db: testCase.rollback])
        let refusal = Planner.rollbackTarget(of: F.db, testCase.rollback, desired: testCase.desired, observed: testCase.observed, now: testCase.now)
        // Then the actions (or the refusal, also as a notice) are the expected ones.
        if case .failure(let refused) = refusal {
            let expected = String(testCase.expected.first?.dropFirst("refused: ".count) ?? "")
            #expect(refused.description.hasPrefix(expected), "\(refused)")
            #expect(plan.notices.contains { $0.message == "cannot roll back: \(refused)" })
            #expect(!plan.actions.contains { $0.cause == .rollback })
            return
        }
        let got = plan.actions.filter { $0.kind == .rotate || $0.kind == .expire }.map { action in
            "\(action.kind.rawValue) v\(action.version ?? 0)" + (action.rollbackTo.map { " ← v\($0)" } ?? "")
        }
        #expect(got == testCase.expected)
    }

    @Test func theRollbackIsARotationWithTheValueOfAnOlderVersion() throws {
        // Given v3 active and v2 in grace, When rolling back with the policy's 24h grace,
        let plan = Planner.plan(desired: F.desired([F.spec(consumers: ["billing-api"])]), observed: F.observed(Self.versions),
                                now: F.at(1), rollbacks: [F.db: Rollback(reason: "bad deploy")])
        // Then v4 replaces v3 like a rotation, v3 enters grace, and the reason names v2.
        let action = try #require(plan.actions.first)
        #expect(action.kind == .rotate && action.cause == .rollback)
        #expect(action.version == 4 && action.fromVersion == 3 && action.rollbackTo == 2)
        #expect(action.reason == "rollback to v2: bad deploy")
        #expect(action.graceExpiresAt == F.at(25))
        #expect(action.consumers == ["billing-api"])
        #expect(plan.renderText().contains("~ rotate  payments/db-password v3 → v4: rollback to v2: bad deploy\n"))
        #expect(plan.renderText().contains("v3 stays valid in its grace period until 2027-01-02T01:00:00Z"))
    }

    @Test func numbersNeverRewind() {
        // Given the store remembers v7 (expired) while git lists v3 and v2,
        var observed = F.observed(Self.versions)
        observed.highestVersionEver = [F.db: 7]
        // When rolling back, Then the new version is v8.
        let plan = Planner.plan(desired: F.desired([F.spec()]), observed: observed, now: F.at(1), rollbacks: [F.db: Rollback(reason: "r")])
        #expect(plan.actions.first?.version == 8)
    }

    @Test func theActiveVersionAlreadyCarryingThatValueIsRefused() {
        // Given v4 is itself a rollback to v2,
        var active = F.version(4, .active, createdAt: F.at(1))
        active.rolledBackTo = 2
        let observed = F.observed([active, F.version(3, .grace, createdAt: F.t0, grace: F.at(25)),
                                   F.version(2, .grace, createdAt: F.at(-48), grace: F.at(24))])
        // When rolling back to v2 again, Then it is refused; without a number v3 comes back.
        let again = Planner.rollbackTarget(of: F.db, Rollback(toVersion: 2, reason: "r"), desired: F.desired([F.spec()]), observed: observed, now: F.at(2))
        #expect(again == .failure(.alreadyLive(F.db, version: 2, active: 4)))
        let undo = Planner.rollbackTarget(of: F.db, Rollback(reason: "r"), desired: F.desired([F.spec()]), observed: observed, now: F.at(2))
        #expect((try? undo.get())?.version == 3)
    }
}
