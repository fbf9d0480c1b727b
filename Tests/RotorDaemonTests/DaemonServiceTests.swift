import Foundation
import Logging
import ServiceLifecycleTestKit
import Testing
import RotorCore
@testable import RotorDaemon
@testable import RotorFaults
import RotorTesting

/// The loop between passes, driven by a test clock: no test waits for a real interval.
@Suite("Daemon: schedule, jitter and graceful shutdown")
struct DaemonServiceTests {
    /// Counts passes; can hold a pass open until released, to shut down mid-pass.
    final class FakeRunner: PassRunner, @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        private var stopsSeen: [Bool] = []
        let hold = DispatchSemaphore(value: 0)
        var holding = false

        var passes: Int { lock.withLock { count } }
        var stopFlagsAtEnd: [Bool] { lock.withLock { stopsSeen } }

        func runPass(stop: StopFlag) async -> PassReport {
            if lock.withLock({ holding }) { _ = try? await offTheCooperativePool { self.hold.wait() } }
            let number = lock.withLock { count += 1; return count }
            lock.withLock { stopsSeen.append(stop.isSet) }
            var report = PassReport(number: number, now: Date(timeIntervalSince1970: 0))
            report.outcome = .unchanged
            return report
        }
    }


    func service(_ runner: FakeRunner, clock: TestClock, once: Bool = false, timeout: Duration = .seconds(30),
                 onTimeout: @escaping @Sendable () -> Void = {}) -> DaemonService<TestClock> {
        DaemonService(runner: runner, schedule: PassSchedule(interval: .seconds(60), jitter: 0.1), once: once, clock: clock,
                      logger: LogLines().logger(), generator: SplitMix64(seed: 42), shutdownTimeout: timeout, onTimeout: onTimeout)
    }

    @Test func maxPassesStopsTheLoopAndOnlyTheLatestReportsAreKept() async throws {
        // Given a loop with no wait between passes, told to run 150 of them
        let runner = FakeRunner()
        let daemon = DaemonService(runner: runner, schedule: PassSchedule(interval: .zero, jitter: 0), once: false, maxPasses: 150,
                                   clock: ContinuousClock(), logger: LogLines().logger())
        // When it runs, Then it returns by itself after exactly 150 passes
        try await daemon.run()
        #expect(runner.passes == 150)
        // And it keeps the latest 100 reports, not one per pass for its whole life
        #expect(daemon.passReports.count == 100)
        #expect(daemon.passReports.first?.number == 51 && daemon.passReports.last?.number == 150)
    }

    @Test func onePassPerIntervalPlusJitterOnTheInjectedClock() async throws {
        let runner = FakeRunner()
        let clock = TestClock()
        let daemon = service(runner, clock: clock)
        let task = Task { try await daemon.run() }
        // The first pass runs at once, then the loop sleeps between 60 and 66 seconds.
        #expect(await eventually(timeout: 240) { runner.passes == 1 && clock.sleeperCount == 1 })
        let first = try #require(clock.requestedSleeps.first)
        #expect(first >= .seconds(60) && first < .seconds(66))
        clock.advance(by: .seconds(59))
        try await Task.sleep(for: .milliseconds(50))
        #expect(runner.passes == 1)
        clock.advance(by: .seconds(7))
        #expect(await eventually(timeout: 240) { runner.passes == 2 && clock.sleeperCount == 1 })
        clock.advance(by: .seconds(66))
        #expect(await eventually(timeout: 240) { runner.passes == 3 && clock.sleeperCount == 1 })
        // The jitter varies between waits and stays within bounds.
        let sleeps = clock.requestedSleeps
        #expect(sleeps.allSatisfy { $0 >= .seconds(60) && $0 < .seconds(66) })
        #expect(Set(sleeps).count == sleeps.count)
        task.cancel()
        _ = try? await task.value
    }

    @Test func onceRunsASinglePass() async throws {
        let runner = FakeRunner()
        let clock = TestClock()
        try await service(runner, clock: clock, once: true).run()
        #expect(runner.passes == 1)
        #expect(clock.requestedSleeps.isEmpty)
    }

    @Test func gracefulShutdownDuringTheWaitEndsTheLoopAtOnce() async throws {
        let runner = FakeRunner()
        let clock = TestClock()
        let daemon = service(runner, clock: clock)
        try await testGracefulShutdown { trigger in
            let task = Task { try await daemon.run() }
            #expect(await eventually(timeout: 240) { runner.passes == 1 && clock.sleeperCount == 1 })
            trigger.triggerGracefulShutdown()
            try await task.value
        }
        #expect(runner.passes == 1)
    }

    @Test func gracefulShutdownMidPassLetsThePassFinishAndSkipsTheRest() async throws {
        let runner = FakeRunner()
        runner.holding = true
        let clock = TestClock()
        let timedOut = StopFlag()
        let daemon = service(runner, clock: clock, timeout: .seconds(30), onTimeout: { timedOut.set() })
        try await testGracefulShutdown { trigger in
            let task = Task { try await daemon.run() }
            try await Task.sleep(for: .milliseconds(50))
            trigger.triggerGracefulShutdown()
            runner.hold.signal()
            try await task.value
        }
        // The pass ran to its end, saw the stop request, and no second pass or wait followed.
        #expect(runner.passes == 1)
        #expect(runner.stopFlagsAtEnd == [true])
        #expect(clock.requestedSleeps.isEmpty)
        #expect(!timedOut.isSet)
    }

    @Test func aPassThatOutlivesTheShutdownTimeoutIsAbandoned() async throws {
        let runner = FakeRunner()
        runner.holding = true
        let timedOut = StopFlag()
        let daemon = service(runner, clock: TestClock(), timeout: .milliseconds(100), onTimeout: { timedOut.set() })
        try await testGracefulShutdown { trigger in
            let task = Task { try await daemon.run() }
            try await Task.sleep(for: .milliseconds(50))
            trigger.triggerGracefulShutdown()
            #expect(await eventually(timeout: 240) { timedOut.isSet })
            runner.hold.signal()
            try await task.value
        }
    }

    @Test func jitterOnlyAddsAndZeroJitterIsExact() {
        var generator = SplitMix64(seed: 7)
        let schedule = PassSchedule(interval: .seconds(100), jitter: 0.25)
        for _ in 0..<200 {
            let delay = schedule.nextDelay(using: &generator)
            #expect(delay >= .seconds(100) && delay < .seconds(125))
        }
        #expect(PassSchedule(interval: .seconds(5), jitter: 0).nextDelay(using: &generator) == .seconds(5))
    }

    @Test func logLinesAreJSONWithSortedMetadataOrReadableText() throws {
        let at = RFC3339.parse("2027-01-05T00:00:00Z")!.addingTimeInterval(0.25)
        let json = RotorLogHandler(label: "x", format: .json).render(level: .warning, message: "push \"rejected\"\n",
                                                                       metadata: ["revision": "abc", "attempt": "2"], at: at)
        #expect(json == #"{"ts":"2027-01-05T00:00:00.250Z","level":"warning","msg":"push \"rejected\"\n","attempt":"2","revision":"abc"}"#)
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String]
        #expect(object?["msg"] == "push \"rejected\"\n")
        let text = RotorLogHandler(label: "x", format: .text).render(level: .info, message: "no changes", metadata: ["revision": "abc"], at: at)
        #expect(text == "2027-01-05T00:00:00.250Z info    no changes revision=abc")
    }

    @Test func faultPointsParse() {
        #expect(FaultPoint.parse("") == [:])
        #expect(FaultPoint.parse("after-commit") == ["after-commit": .exit])
        #expect(FaultPoint.parse("after-commit:pause=1500, mid-store") == ["after-commit": .pause(milliseconds: 1500), "mid-store": .exit])
    }
}
