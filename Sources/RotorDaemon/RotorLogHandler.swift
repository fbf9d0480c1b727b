import Foundation
import Synchronization
import RotorCore
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// swift-log handler for the daemon: one JSON object per line, or one readable line on a terminal.
///
/// JSON keys: `ts` (RFC 3339 with milliseconds, UTC), `level`, `msg`, then the metadata sorted by
/// key (a pass adds `pass` and `revision` to every line). Messages and metadata never hold a
/// secret value: the daemon logs ids, version numbers, paths and errors only.
public struct RotorLogHandler: LogHandler {
    /// How lines look.
    public enum Format: String, Sendable {
        /// `{"ts":"…","level":"info","msg":"…","revision":"…"}`
        case json
        /// `2027-01-05T00:00:00.000Z info  msg revision=… pass=3`
        case text

        /// JSON unless standard output is a terminal.
        public static var automatic: Format { isatty(STDOUT_FILENO) == 1 ? .text : .json }
    }

    /// The logger's label (kept for swift-log; not printed).
    public let label: String
    /// The line format.
    public let format: Format
    /// Where lines go.
    public let sink: LogSink
    /// The clock for `ts` (the wall clock; tests inject one).
    public let clock: @Sendable () -> Date
    /// Metadata on every line of this logger (a pass sets `pass` and `revision`).
    public var metadata: Logger.Metadata = [:]
    /// The lowest level written.
    public var logLevel: Logger.Level = .info

    /// Creates a handler writing `format` lines to `sink`.
    public init(label: String, format: Format, sink: LogSink = .standardOutput, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.label = label
        self.format = format
        self.sink = sink
        self.clock = clock
    }

    /// One metadata value.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one line: this logger's metadata, then the event's (and its error, if any).
    public func log(event: LogEvent) {
        var merged = metadata
        if let explicit = event.metadata { merged.merge(explicit) { $1 } }
        if let error = event.error { merged["error"] = "\(error)" }
        sink.write(render(level: event.level, message: "\(event.message)", metadata: merged, at: clock()))
    }

    /// One line, without the newline.
    func render(level: Logger.Level, message: String, metadata: Logger.Metadata, at date: Date) -> String {
        let ts = Self.timestamp(date)
        let keys = metadata.keys.sorted()
        switch format {
        case .json:
            var line = "{\"ts\":\(Self.quoted(ts)),\"level\":\(Self.quoted(level.rawValue)),\"msg\":\(Self.quoted(message))"
            for key in keys { line += ",\(Self.quoted(key)):\(Self.quoted("\(metadata[key]!)"))" }
            return line + "}"
        case .text:
            let level = level.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)
            return "\(ts) \(level) \(message)" + keys.map { " \($0)=\(metadata[$0]!)" }.joined()
        }
    }

    /// `2027-01-05T00:00:00.123Z`.
    static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        let millis = Int((date.timeIntervalSince1970 - Double(seconds)) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), millis)
    }

    /// A JSON string literal (rotor's one quoting function; its output is valid JSON and YAML).
    static func quoted(_ text: String) -> String { YAMLQuoting.doubleQuoted(text) }
}

/// Where log lines go: a file descriptor (stdout by default) or, in tests, a closure.
public final class LogSink: Sendable {
    private let lock = Mutex(())
    private let writeLine: @Sendable (String) -> Void

    /// A sink calling `writeLine` with each line (no newline), one at a time.
    public init(_ writeLine: @escaping @Sendable (String) -> Void) {
        self.writeLine = writeLine
    }

    /// Lines to standard output, each written whole with one `write(2)`.
    public static let standardOutput = LogSink { line in
        let bytes = Array((line + "\n").utf8)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { if errno == EINTR { continue }; return }
                offset += written
            }
        }
    }

    /// Writes one line.
    public func write(_ line: String) {
        lock.withLock { _ in writeLine(line) }
    }
}
