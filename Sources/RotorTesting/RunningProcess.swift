import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A program started in the background (the rotor daemon), its output going to files a test can read
/// while it runs, so the test can wait for a line, send signals, and wait for the exit with a deadline.
public final class RunningProcess: Sendable {
    /// The process.
    public let process: Process
    /// Where stdout goes.
    public let stdoutPath: String
    /// Where stderr goes.
    public let stderrPath: String

    /// Starts `executable` with `arguments`; output goes to files in `directory`.
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: String) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let stamp = UUID().uuidString.prefix(8)
        stdoutPath = (directory as NSString).appendingPathComponent("out-\(stamp).log")
        stderrPath = (directory as NSString).appendingPathComponent("err-\(stamp).log")
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        try process.run()
    }

    /// Everything written to stdout so far.
    public var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    /// Everything written to stderr so far.
    public var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Sends `signal` (SIGTERM, SIGKILL, …).
    public func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits up to `timeout` seconds for the exit; returns the status, or nil if it is still running.
    public func waitForExit(timeout: TimeInterval) -> Int32? {
        guard waitUntil(timeout: timeout, { !process.isRunning }) else { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Whether it died of a signal rather than exiting.
    public var wasSignalled: Bool { process.terminationReason == .uncaughtSignal }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }
}
