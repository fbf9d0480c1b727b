import Foundation
import Testing
@testable import RotorSpecs

@Suite struct BackgroundReleaseTests {
    /// Records the thread its last reference was dropped on.
    final class Tracked: @unchecked Sendable {
        let freed: DispatchSemaphore
        let freedOn: UnsafeMutablePointer<pthread_t?>
        init(freed: DispatchSemaphore, freedOn: UnsafeMutablePointer<pthread_t?>) {
            self.freed = freed
            self.freedOn = freedOn
        }
        deinit {
            freedOn.pointee = pthread_self()
            freed.signal()
        }
    }

    @Test func valuesAreFreedOnAnotherThreadNotLost() {
        let freedOn = UnsafeMutablePointer<pthread_t?>.allocate(capacity: 1)
        freedOn.initialize(to: nil)
        defer { freedOn.deallocate() }
        let freed = DispatchSemaphore(value: 0)
        // A value held in a struct and a dictionary, as a parsed revision holds its files.
        var table: [String: [Tracked]] = [:]
        table["a"] = [Tracked(freed: freed, freedOn: freedOn)]
        let caller = pthread_self()
        // Held until the caller has dropped its own reference (else the race between the two
        // decides which thread frees it).
        BackgroundRelease.queue.suspend()
        BackgroundRelease.release(table, 42)
        table = [:]
        BackgroundRelease.queue.resume()
        #expect(freed.wait(timeout: .now() + 10) == .success, "freed at all")
        guard let thread = freedOn.pointee else { Issue.record("not freed"); return }
        #expect(pthread_equal(thread, caller) == 0, "not on the caller's thread")
    }
}
