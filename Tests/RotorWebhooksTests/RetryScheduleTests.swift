import Foundation
import Testing
@testable import RotorWebhooks

/// The retry policy is a pure function of (outcome, attempt, now, jitter draw): tested with no clock and no network.
@Suite("Retry schedule and delivery decisions")
struct RetryScheduleTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let schedule = RetrySchedule.standard

    @Test func theStandardScheduleIsFiveRetriesFourTimesLongerEachTime() {
        #expect(schedule.maxAttempts == 6)
        #expect((1...5).map { schedule.nominalDelay(beforeRetry: $0) } == [60, 240, 960, 3_840, 15_360])
    }

    @Test(arguments: [0.0, 0.25, 0.5, 0.999_999])
    func jitterStaysWithinTwentyPercent(unit: Double) {
        for retry in 1...5 {
            let nominal = schedule.nominalDelay(beforeRetry: retry)
            let delay = schedule.delay(beforeRetry: retry, unit: unit)
            #expect(delay >= (nominal * 0.8).rounded() && delay <= (nominal * 1.2).rounded())
            #expect(delay == delay.rounded())
        }
        #expect(schedule.delay(beforeRetry: 1, unit: 0.5) == 60)
    }

    @Test func aSeededJitterSourceRepeatsItsDraws() {
        let first = JitterSource(seed: 42), second = JitterSource(seed: 42), other = JitterSource(seed: 43)
        let draws = (0..<8).map { _ in first.next() }
        #expect(draws == (0..<8).map { _ in second.next() })
        #expect(draws != (0..<8).map { _ in other.next() })
        #expect(draws.allSatisfy { (0..<1).contains($0) })
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let outcome: AttemptOutcome
        let attempt: Int
        let expected: DeliveryDecision
        var testDescription: String { "\(outcome) at attempt \(attempt)" }
    }

    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let cases: [Case] = [
        Case(outcome: .response(status: 200, retryAfter: nil), attempt: 1, expected: .delivered),
        Case(outcome: .response(status: 204, retryAfter: nil), attempt: 6, expected: .delivered),
        Case(outcome: .response(status: 500, retryAfter: nil), attempt: 1, expected: .retry(at: now.addingTimeInterval(60))),
        Case(outcome: .response(status: 301, retryAfter: nil), attempt: 2, expected: .retry(at: now.addingTimeInterval(240))),
        Case(outcome: .timedOut(seconds: 15), attempt: 3, expected: .retry(at: now.addingTimeInterval(960))),
        Case(outcome: .transportError("connection refused"), attempt: 5, expected: .retry(at: now.addingTimeInterval(15_360))),
        Case(outcome: .response(status: 500, retryAfter: nil), attempt: 6, expected: .failed),
        Case(outcome: .transportError("connection refused"), attempt: 6, expected: .failed),
        Case(outcome: .response(status: 410, retryAfter: nil), attempt: 1, expected: .endpointGone),
        Case(outcome: .response(status: 429, retryAfter: "120"), attempt: 1, expected: .retry(at: now.addingTimeInterval(120))),
        Case(outcome: .response(status: 503, retryAfter: "Fri, 15 Jan 2027 08:00:30 GMT"), attempt: 2,
             expected: .retry(at: Date(timeIntervalSince1970: 1_800_000_030))),
        // Retry-After only counts on 429 and 503, and never beyond 24 hours.
        Case(outcome: .response(status: 500, retryAfter: "120"), attempt: 1, expected: .retry(at: now.addingTimeInterval(60))),
        Case(outcome: .response(status: 429, retryAfter: "999999"), attempt: 1, expected: .retry(at: now.addingTimeInterval(86_400))),
        Case(outcome: .response(status: 429, retryAfter: "soon"), attempt: 1, expected: .retry(at: now.addingTimeInterval(60))),
        Case(outcome: .response(status: 429, retryAfter: "120"), attempt: 6, expected: .failed),
    ]

    @Test(arguments: cases)
    func decisions(_ example: Case) {
        // unit 0.5 is the jitter's midpoint: exactly the nominal delay.
        let decision = DeliveryDecision.decide(example.outcome, attempt: example.attempt, maxAttempts: 6, now: Self.now,
                                               schedule: schedule, unit: 0.5)
        #expect(decision == example.expected)
    }

    @Test func aRetriedJobStartsItsBackoffOver() {
        // `rotor jobs retry` after 6 failed attempts allows 12: attempt 7 is the first of a new round.
        #expect(schedule.retryNumber(afterAttempt: 7, maxAttempts: 12) == 1)
        #expect(schedule.retryNumber(afterAttempt: 1, maxAttempts: 6) == 1)
        #expect(schedule.retryNumber(afterAttempt: 5, maxAttempts: 6) == 5)
    }

    @Test func retryAfterParsesSecondsAndHTTPDates() {
        #expect(RetryAfter.seconds("30", now: now) == 30)
        #expect(RetryAfter.seconds(" 7 ", now: now) == 7)
        #expect(RetryAfter.seconds("Fri, 15 Jan 2027 08:01:00 GMT", now: now) == 60)
        #expect(RetryAfter.seconds("Fri, 15 Jan 2027 07:00:00 GMT", now: now) == 0)
        #expect(RetryAfter.seconds("-5", now: now) == nil)
        #expect(RetryAfter.seconds("", now: now) == nil)
    }
}
