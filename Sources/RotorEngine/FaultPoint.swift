import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Test-only crash points: `ROTOR_FAULT=<name>` makes the process kill itself (SIGKILL) there.
///
/// Crash-safety tests use them to stop rotor at the worst moments — after the git commit
/// but before the store transaction (`after-commit`), or after the store transaction but
/// before any webhook is delivered (`before-deliver`) — and check that the next run loses
/// nothing and emits nothing twice. Never set `ROTOR_FAULT` outside tests.
public enum FaultPoint: String, CaseIterable, Sendable {
    /// Right after apply's commit moved the branch, before the store records anything.
    case afterCommit = "after-commit"
    /// After apply's store transaction (events and jobs written), before delivery starts.
    case beforeDeliver = "before-deliver"

    /// Kills the process when `ROTOR_FAULT` names this point; otherwise does nothing.
    public func trigger() {
        guard ProcessInfo.processInfo.environment["ROTOR_FAULT"] == rawValue else { return }
        FileHandle.standardError.write(Data("rotor: ROTOR_FAULT=\(rawValue): stopping abruptly here (a test-only fault point)\n".utf8))
        kill(getpid(), SIGKILL)
    }
}
