import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Named points in a pass where a crash test can kill or pause rotor. **Test-only.**
///
/// `ROTOR_FAULT` holds comma-separated entries `<point>` or `<point>:pause=<ms>`:
///
/// - `ROTOR_FAULT=after-commit` writes `rotor: ROTOR_FAULT=after-commit: stopping abruptly here`
///   to stderr and kills the process with SIGKILL the first time it reaches that point — no
///   `defer`, no `atexit`, no buffered output flushed: exactly kill -9 (a parent sees signal 9).
/// - `ROTOR_FAULT=after-commit:pause=2000` writes `rotor: fault point after-commit: pausing 2000 ms`
///   to stderr and sleeps, so a test can send a signal while a pass is at a known step.
///
/// Points, in pass order: `after-lock`, `after-pending`, `after-commit`, `after-push`,
/// `mid-store` (inside the store transaction, before it commits), `after-store`,
/// `before-deliver`. (Issue 3's `rotor apply`/`rotor deliver` use `after-commit` and
/// `before-deliver` with the same meaning and output.)
/// With `ROTOR_FAULT` unset (production) every call is one dictionary lookup that does nothing.
public enum FaultPoint: String, CaseIterable, Sendable {
    /// The store lock is held; nothing written yet.
    case afterLock = "after-lock"
    /// New versions are encrypted and saved as pending in the store; no commit yet.
    case afterPending = "after-pending"
    /// The local commit exists; not pushed.
    case afterCommit = "after-commit"
    /// The commit is on the remote; the store does not know it yet.
    case afterPush = "after-push"
    /// Inside the store transaction, before it commits (SQLite rolls it back).
    case midStore = "mid-store"
    /// The store transaction committed; the working tree is not checked out yet.
    case afterStore = "after-store"
    /// Events and jobs are in the store; no webhook has been sent.
    case beforeDeliver = "before-deliver"

    /// What to do at a point.
    enum Action: Equatable {
        case exit
        case pause(milliseconds: Int)
    }

    /// The parsed `ROTOR_FAULT`, read once.
    static let configured: [String: Action] = parse(ProcessInfo.processInfo.environment["ROTOR_FAULT"] ?? "")

    /// Parses `ROTOR_FAULT`'s value; unknown entries are ignored.
    static func parse(_ value: String) -> [String: Action] {
        var actions: [String: Action] = [:]
        for entry in value.split(separator: ",") {
            let parts = entry.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let name = parts.first, !name.isEmpty else { continue }
            if parts.count == 2, parts[1].hasPrefix("pause="), let ms = Int(parts[1].dropFirst("pause=".count)) {
                actions[name] = .pause(milliseconds: ms)
            } else {
                actions[name] = .exit
            }
        }
        return actions
    }

    /// Another name for ``reach()``, read better where a command triggers the point itself.
    public func trigger() { reach() }

    /// Kills or pauses the process when `ROTOR_FAULT` names this point; otherwise returns at once.
    public func reach() {
        guard let action = Self.configured[rawValue] else { return }
        switch action {
        case .exit:
            FileHandle.standardError.write(Data("rotor: ROTOR_FAULT=\(rawValue): stopping abruptly here (a test-only fault point)\n".utf8))
            kill(getpid(), SIGKILL)
            _exit(137)  // not reached: SIGKILL cannot be caught
        case .pause(let milliseconds):
            FileHandle.standardError.write(Data("rotor: fault point \(rawValue): pausing \(milliseconds) ms\n".utf8))
            usleep(useconds_t(max(0, milliseconds)) * 1000)
        }
    }
}
