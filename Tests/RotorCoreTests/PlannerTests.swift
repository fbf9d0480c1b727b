import Foundation
import Testing
@testable import RotorCore

@Suite("Planner")
struct PlannerTests {
    typealias F = Fixtures

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let desired: DesiredState
        let observed: ObservedState
        let now: Date
        let expected: [String]  // "kind secret vN"
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "new secret is created as v1", desired: F.desired([F.spec()]), observed: ObservedState(versionFiles: [:]),
             now: F.t0, expected: ["create payments/db-password v1"]),
        Case(name: "fresh version: nothing to do", desired: F.desired([F.spec()]),
             observed: F.observed([F.version(1, .active, createdAt: F.t0)]), now: F.at(24), expected: []),
        Case(name: "due exactly at rotateEvery", desired: F.desired([F.spec()]),
             observed: F.observed([F.version(1, .active, createdAt: F.t0)]), now: F.at(30 * 24), expected: ["rotate payments/db-password v2"]),
        Case(name: "one second before due: nothing", desired: F.desired([F.spec()]),
             observed: F.observed([F.version(1, .active, createdAt: F.t0)]), now: F.at(30 * 24 - 1.0 / 3600), expected: []),
        Case(name: "no rotateEvery: never due", desired: F.desired([F.spec()], rotateEvery: nil),
             observed: F.observed([F.version(1, .active, createdAt: F.t0)]), now: F.at(24 * 400), expected: []),
        Case(name: "grace ending within warnBefore warns", desired: F.desired([F.spec()]),
             observed: F.observed([F.version(2, .active, createdAt: F.t0), F.version(1, .grace, createdAt: F.at(-24), grace: F.at(24))]),
             now: F.at(23.5), expected: ["warn payments/db-password v1"]),
        Case(name: "already warned: no second warning", desired: F.desired([F.spec()]),
             observed: F.observed([F.version(2, .active, createdAt: F.t0), F.version(1, .grace, createdAt: F.at(-24), grace: F.at(24))], warned: ["id-1"]),
             now: F.at(23.5), expected: []),
        Case(name: "grace ended expires", desired: F.desired([F.spec()]),
             observed: F.observed([F.version(2, .active, createdAt: F.t0), F.version(1, .grace, createdAt: F.at(-24), grace: F.at(24))]),
             now: F.at(24), expected: ["expire payments/db-password v1"]),
        Case(name: "spec removed deletes", desired: F.desired([]),
             observed: F.observed([F.version(1, .active, createdAt: F.t0)]), now: F.t0, expected: ["delete payments/db-password"]),
        Case(name: "external value changed rotates", desired: F.desired([F.spec(external: "sha256:new")]),
             observed: F.observed([F.version(1, .active, createdAt: F.t0, source: .external, digest: "sha256:old")]),
             now: F.at(1), expected: ["rotate payments/db-password v2"]),
        Case(name: "external value unchanged and overdue: a notice, no action", desired: F.desired([F.spec(external: "sha256:same")]),
             observed: F.observed([F.version(1, .active, createdAt: F.t0, source: .external, digest: "sha256:same")]),
             now: F.at(24 * 60), expected: []),
        Case(name: "numbers continue after expired history", desired: F.desired([F.spec()]),
             observed: ObservedState(versionFiles: [:], highestVersionEver: [F.db: 4]), now: F.t0,
             expected: ["create payments/db-password v5"]),
    ]

    @Test("plan", arguments: cases)
    func plan(_ testCase: Case) {
        // Given the case's specs and versions, When planning at its instant,
        let plan = Planner.plan(desired: testCase.desired, observed: testCase.observed, now: testCase.now)
        // Then exactly the expected actions come out.
        let got = plan.actions.map { "\($0.kind.rawValue) \($0.secret)\($0.version.map { " v\($0)" } ?? "")" }
        #expect(got == testCase.expected)
    }

    @Test func rotationPutsOldVersionIntoGraceForThePolicysPeriod() {
        let desired = F.desired([F.spec(consumers: ["billing-api"])], grace: "12h")
        let plan = Planner.plan(desired: desired, observed: F.observed([F.version(1, .active, createdAt: F.t0)]), now: F.at(24 * 31))
        let rotate = plan.actions.first
        #expect(rotate?.fromVersion == 1)
        #expect(rotate?.cause == .due)
        #expect(rotate?.graceExpiresAt == F.at(24 * 31 + 12))
        #expect(rotate?.consumers == ["billing-api"])
    }

    @Test func forcedRotationIgnoresPolicyAndKeepsTheReason() {
        let plan = Planner.plan(desired: F.desired([F.spec()]), observed: F.observed([F.version(1, .active, createdAt: F.t0)]),
                                now: F.at(1), forced: [F.db: "leaked in a log"])
        #expect(plan.actions.map(\.kind) == [.rotate])
        #expect(plan.actions.first?.reason == "leaked in a log")
        #expect(plan.actions.first?.cause == .manual)
    }

    @Test func overdueExternalValueIsANotice() {
        let plan = Planner.plan(desired: F.desired([F.spec(external: "sha256:x")]),
                                observed: F.observed([F.version(1, .active, createdAt: F.t0, source: .external, digest: "sha256:x")]),
                                now: F.at(24 * 60))
        #expect(plan.actions.isEmpty)
        #expect(plan.notices.first?.message.contains("replace `value:`") == true)
    }

    @Test func planIsAPureFunction() {
        let desired = F.desired([F.spec()])
        let observed = F.observed([F.version(1, .active, createdAt: F.t0)])
        let first = Planner.plan(desired: desired, observed: observed, now: F.at(24 * 31))
        let second = Planner.plan(desired: desired, observed: observed, now: F.at(24 * 31))
        #expect(first.actions == second.actions)
    }
}
