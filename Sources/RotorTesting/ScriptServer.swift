import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The test servers of ours in `scripts/` (Python): each prints "listening on PORT" once it
/// serves on 127.0.0.1, then runs until killed.
enum ScriptServer {
    /// `scripts/<name>` in this package.
    static func path(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts").appendingPathComponent(name).path
    }

    /// Starts `python3 scripts/<name> arguments…` and returns it with the port it printed.
    static func start(_ name: String, _ arguments: [String]) throws -> (process: Process, port: Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", path(name)] + arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let port = text.split(separator: " ").last.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) else {
            process.waitUntilExit()
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw FixtureError("\(name) did not start: \(text)\(stderr)")
        }
        return (process, port)
    }

    /// Stops it. SIGKILL, because a child of the test runner may inherit a signal mask that
    /// blocks SIGTERM, and a thread holding a request open would keep it alive anyway.
    static func stop(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
